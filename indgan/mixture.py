"""Variational Gaussian mixtures for many 1-D columns at once.

Mode-specific normalisation (CTGAN, Xu et al. 2019) fits one variational Gaussian mixture with a
Dirichlet-process prior on the weights per continuous column. CTGAN fits them one after the other with
scikit-learn's ``BayesianGaussianMixture``; a plant log has a hundred tags, and each fit is ~100 small
iterations, so that alone takes tens of seconds.

:func:`fit_mixtures` runs the same variational inference (Bishop, "Pattern Recognition and Machine
Learning", section 10.2, with the stick-breaking weight prior of Blei and Jordan, "Variational inference for
Dirichlet process mixtures", Bayesian Analysis 2006; the updates and priors of scikit-learn's
``BayesianGaussianMixture(weight_concentration_prior_type="dirichlet_process")`` for one feature) for all
columns together as ``(n_rows, n_columns, n_components)`` tensor operations, on the CPU or the GPU. Missing
cells (NaN) take no part in their column's fit. It is initialised by a few rounds of 1-D k-means seeded at
quantiles, like scikit-learn's default k-means initialisation.
"""

from __future__ import annotations

import math

import torch


def fit_mixtures(
    x: torch.Tensor,
    n_components: int = 10,
    weight_concentration_prior: float = 1e-3,
    max_iter: int = 100,
    tol: float = 1e-4,
    reg_covar: float = 1e-6,
    kmeans_iter: int = 10,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Fit a variational Dirichlet-process Gaussian mixture to every column of ``x``.

    Parameters
    ----------
    x : torch.Tensor
        ``(n_rows, n_columns)`` float tensor; NaN marks a missing cell. Columns should be roughly
        standardised (the priors are taken from each column's own mean and variance, as scikit-learn does).
    n_components : int
        Upper bound on the modes per column (the prior switches unneeded ones off).
    weight_concentration_prior : float
        Concentration of the stick-breaking prior (CTGAN uses 1e-3: few modes).
    max_iter : int
        Most variational iterations.
    tol : float
        Stop when no column's expected component counts (as fractions of its rows) move by more than this.
    reg_covar : float
        Added to every variance.

    Returns
    -------
    weights, means, stds : torch.Tensor
        Each ``(n_columns, n_components)``: the expected stick-breaking weights, the posterior means and
        the standard deviations of the components (``sqrt`` of scikit-learn's ``covariances_``).
    """
    x = x.to(torch.float64)
    n, c = x.shape
    k = n_components
    valid = torch.isfinite(x)
    m = valid.to(x.dtype)  # (n, c)
    xf = torch.where(valid, x, torch.zeros((), dtype=x.dtype, device=x.device))
    count = m.sum(0).clamp_min(1)  # (c,)
    mean0 = (xf * m).sum(0) / count
    var0 = (((xf - mean0) ** 2) * m).sum(0) / (count - 1).clamp_min(1)
    var0 = var0.clamp_min(1e-12)

    # ---- initialisation: 1-D k-means from quantile seeds -> hard responsibilities
    q = torch.linspace(0.5 / k, 1 - 0.5 / k, k, dtype=x.dtype, device=x.device)
    centres = torch.nanquantile(x, q, dim=0).T.contiguous()  # (c, k)
    for _ in range(kmeans_iter):
        label = (xf[:, :, None] - centres[None]).abs().argmin(2)  # (n, c)
        onehot = torch.nn.functional.one_hot(label, k).to(x.dtype) * m[:, :, None]
        nk = onehot.sum(0)
        centres = torch.where(nk > 0, (onehot * xf[:, :, None]).sum(0) / nk.clamp_min(1e-12), centres)
    resp = onehot

    beta0, nu0, gamma0 = 1.0, 1.0, weight_concentration_prior
    eps10 = 10 * torch.finfo(x.dtype).eps
    # per column, resp (n, k) against x and x^2 as one batched matmul: (c, k, n) @ (c, n, 2)
    xx = torch.stack([xf.T, (xf * xf).T], dim=2)  # (c, n, 2)
    prev = None
    for _ in range(max_iter):
        # ---- M step: sufficient statistics and posterior parameters
        nk = resp.sum(0) + eps10  # (c, k)
        moments = torch.bmm(resp.permute(1, 2, 0), xx)  # (c, k, 2)
        xk = moments[:, :, 0] / nk
        sk = (moments[:, :, 1] / nk - xk * xk).clamp_min(0) + reg_covar
        a = 1.0 + nk  # stick-breaking Beta(a, b)
        tail = torch.flip(torch.cumsum(torch.flip(nk, [1]), 1), [1])  # sum_{j >= k} n_j
        b = gamma0 + torch.cat([tail[:, 1:], torch.zeros_like(tail[:, :1])], 1)
        beta = beta0 + nk
        mk = (beta0 * mean0[:, None] + nk * xk) / beta
        nu = nu0 + nk
        cov = (var0[:, None] + nk * sk + nk * beta0 / beta * (xk - mean0[:, None]) ** 2) / nu

        # ---- E step: expected log weights and log likelihoods
        dsum = torch.digamma(a + b)
        log_w = (
            torch.digamma(a)
            - dsum
            + torch.cat([torch.zeros_like(a[:, :1]), torch.cumsum(torch.digamma(b) - dsum, 1)[:, :-1]], 1)
        )
        const = (
            log_w
            - 0.5 * (math.log(2 * math.pi) + torch.log(cov) + torch.log(nu))
            + 0.5 * (math.log(2.0) + torch.digamma(0.5 * nu) - 1.0 / beta)
        )  # (c, k)
        d = xf[:, :, None] - mk[None]
        logp = const[None] - 0.5 * d * d / cov[None]
        # softmax over the (short) component axis, written out: torch.softmax is slow on a last dim of 10
        resp = torch.exp(logp - logp.amax(dim=2, keepdim=True))
        resp *= (m / resp.sum(2))[:, :, None]

        frac = nk / count[:, None]
        if prev is not None and (frac - prev).abs().max() < tol:
            break
        prev = frac

    stick = a / (a + b)
    rest = torch.cumprod(torch.cat([torch.ones_like(b[:, :1]), (b / (a + b))[:, :-1]], 1), 1)
    weights = stick * rest
    weights = weights / weights.sum(1, keepdim=True)
    return weights, mk, cov.sqrt()
