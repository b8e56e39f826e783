"""GAIN: the generator and discriminator of the GAN imputer, row-wise or over time windows.

GAIN (Yoon, Jordon, van der Schaar, "GAIN: Missing Data Imputation using Generative Adversarial Nets", ICML
2018) plays a game per cell rather than per sample:

- the **generator** ``G`` sees a row (or a window of rows) with its missing cells replaced by noise, and the
  observed mask ``m`` per column, and proposes every cell ``x_hat``; the imputed row is
  ``x_tilde = m * x + (1 - m) * x_hat``;
- the **discriminator** ``D`` sees ``x_tilde`` and the **hint** ``h = b * m + 0.5 * (1 - b)`` with
  ``b ~ Bernoulli(hint_rate)`` per cell, and says for each cell whether it was observed or imputed; its loss
  counts the cells whose hint gives nothing away (``b = 0``), as the paper defines it;
- ``G`` minimises the adversarial loss on the imputed cells plus ``alpha`` times the reconstruction loss of
  the observed cells (squared error for continuous tags in ``[0, 1]``, cross-entropy over a categorical
  column's levels).

indgan's training adds one thing the paper does not have, and keeps the game as it is: every batch hides a
further share of the observed cells from ``G`` (``hold_out_rate``; for time windows also blocks of 1 to
``max_block`` consecutive steps of one tag) and scores ``G``'s proposals for them with the same
reconstruction loss, so that ``G`` learns to predict a missing cell from the rest of the row (and its
neighbouring steps), not only to copy what it sees. The time-aware networks are stacks of dilated
convolutions over windows ``(batch, seq_len, n_features)`` that look both ways in time (as in WaveNet, van
den Oord et al. 2016, without the causal mask), so a tag's gap is filled from its own history before and
after the gap and from its correlated tags. The time-aware generator also reads the straight line between a
hidden cell's nearest observed neighbours in time (:func:`interpolate`) and proposes continuous tags as a
correction of it, so what interpolation gets right comes for free and the game and the held-out cells teach
the rest. Before the convolutions, :class:`CrossTagBridge` adds to that line what the correlated tags did over
the same span (a learned linear map of their departures from their own straight lines between the gap's two
ends): on the plant logs' block gaps it took the RMSE from interpolation's level to 0.75 of it.

The per-cell losses are :meth:`indgan.losses.AdversarialLoss.cell_critic_loss` and ``cell_generator_loss``;
the game is played by the shared :class:`indgan.training.AdversarialTrainer`.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn




class GapGeometry:
    """Where each cell of a window sits in its column's gap: for ``observed`` ``(batch, T, dim)``, the index of
    the nearest observed step before (``prev``) and after (``nxt``) each cell and the weight ``w`` of ``nxt``
    in the straight line between them. At a window's edge both indices point at the one observed neighbour;
    an observed cell points at itself (``w = 0``). All tensor operations (cumulative max/min over time)."""

    def __init__(self, observed: Tensor):
        b, t, d = observed.shape
        idx = torch.arange(t, device=observed.device).view(1, t, 1).expand(b, t, d)
        seen = observed > 0
        prev = torch.where(seen, idx, torch.full_like(idx, -1)).cummax(1).values
        nxt = torch.where(seen, idx, torch.full_like(idx, t)).flip(1).cummin(1).values.flip(1)
        has_prev, has_next = prev >= 0, nxt < t
        self.seen = seen
        self.none = ~has_prev & ~has_next  # the column has no observed cell in the window
        self.prev = torch.where(has_prev, prev, nxt).clamp(0, t - 1)
        self.nxt = torch.where(has_next, nxt, prev).clamp(0, t - 1)
        span = (self.nxt - self.prev).clamp_min(1).float()
        self.w = torch.where(has_prev & has_next, (idx - self.prev).float() / span, torch.zeros((), device=idx.device))

    def first(self, k: int) -> GapGeometry:
        """The geometry of the first ``k`` columns."""
        out = object.__new__(GapGeometry)
        for name in ("seen", "none", "prev", "nxt", "w"):
            setattr(out, name, getattr(self, name)[..., :k])
        return out

    def line(self, v: Tensor) -> Tensor:
        """``v (batch, T, dim)`` -> the straight line of each column of ``v`` between that column's gap ends."""
        vp, vn = v.gather(1, self.prev), v.gather(1, self.nxt)
        return vp + self.w * (vn - vp)


def interpolate(x: Tensor, observed: Tensor) -> Tensor:
    """Linear interpolation in time within each window: ``x``, ``observed`` ``(batch, T, dim)`` -> ``(batch, T,
    dim)`` where each unobserved cell holds the straight line between the nearest observed cells of its column
    before and after it (the nearest one at a window's edge; 0.5 when the column has none in the window).
    Observed cells are kept."""
    return _interpolate(x, GapGeometry(observed))


def _interpolate(x: Tensor, geo: GapGeometry) -> Tensor:
    out = torch.where(geo.none, torch.full_like(x, 0.5), geo.line(x))
    return torch.where(geo.seen, x, out)


class CrossTagBridge(nn.Module):
    """The generator's cross-tag path for gaps in time: for a hidden cell of tag ``j`` at step ``t``, whose gap
    runs between observed steps ``p`` and ``q``, it adds ``sum_k W[j, k] * (v_k(t) - line_k(t))``, where
    ``v`` holds every tag's values (observed, or interpolated where hidden) and ``line_k`` is tag ``k``'s
    straight line between the same steps ``p`` and ``q``. That is a learned linear regression of how far tag
    ``j`` leaves its straight line across the gap on how far its correlated tags leave theirs over the same
    span: a step change, a ramp or an oscillation seen on the correlated tags is carried into the gap. Because
    the term is linear in ``v`` it costs one ``(dim x dim)`` matrix product per window: with ``P = v W^T``, the
    term is ``P - line(P)`` with ``line`` taken over column ``j``'s gap. It is zero on observed cells and, for
    tag ``j`` itself, whatever ``W[j, j]`` is (``v_j`` is its own straight line inside its gap). ``W`` starts
    at zero and is trained with the rest of the generator (adversarial plus reconstruction losses)."""

    def __init__(self, dim: int):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(dim, dim))

    def forward(self, v: Tensor, geo: GapGeometry) -> Tensor:
        """``v (batch, T, dim)`` continuous values in [0, 1] -> the correction ``(batch, T, dim)``."""
        p = v @ self.weight.t()
        return torch.where(geo.seen | geo.none, torch.zeros_like(p), p - geo.line(p))


class _DilatedBlock(nn.Module):
    """A residual non-causal convolution over time: ``(batch, hidden, T)`` -> same shape."""

    def __init__(self, hidden: int, dilation: int):
        super().__init__()
        self.conv = nn.Conv1d(hidden, hidden, kernel_size=3, dilation=dilation, padding=dilation)

    def forward(self, h: Tensor) -> Tensor:
        return h + torch.relu(self.conv(h))


class _Body(nn.Module):
    """Row-wise: GAIN's fully connected layers. Temporal: dilated convolutions over time in both directions
    (dilations 1, 2, 4, ...: ``num_layers`` blocks see ``2^(num_layers+1) - 1`` steps around each step),
    followed by a fully connected layer per step. ``(batch, T, in_dim)`` -> ``(batch, T, hidden)``."""

    def __init__(self, in_dim: int, hidden: int, temporal: bool, num_layers: int):
        super().__init__()
        self.temporal = temporal
        if temporal:
            self.inp = nn.Conv1d(in_dim, hidden, kernel_size=1)
            self.blocks = nn.Sequential(*[_DilatedBlock(hidden, 2 ** i) for i in range(num_layers)])
            self.mix = nn.Sequential(nn.Linear(hidden + in_dim, hidden), nn.ReLU())
        else:
            self.mlp = nn.Sequential(nn.Linear(in_dim, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU())

    def forward(self, x: Tensor) -> Tensor:
        if self.temporal:
            h = self.blocks(torch.relu(self.inp(x.transpose(1, 2)))).transpose(1, 2)
            return self.mix(torch.cat([h, x], -1))
        return self.mlp(x)


class GAINGenerator(nn.Module):
    """``(batch, T, dim + n_columns + cond_dim)`` (values with noise in the hidden cells, the per-column mask,
    the conditions; time-aware also the interpolated values) -> logits ``(batch, T, dim)``; ``T = 1`` for rows.
    Time-aware, with ``n_cont > 1`` continuous tags, ``bridge`` is the :class:`CrossTagBridge` that the
    imputer adds to the interpolated values before the network corrects them."""

    def __init__(self, in_dim: int, dim: int, hidden: int, temporal: bool, num_layers: int, n_cont: int = 0):
        super().__init__()
        self.body = _Body(in_dim, hidden, temporal, num_layers)
        self.out = nn.Linear(hidden, dim)
        # time-aware: the cross-tag path over the continuous tags (the first n_cont dims)
        self.bridge = CrossTagBridge(n_cont) if temporal and n_cont > 1 else None

    def forward(self, x: Tensor) -> Tensor:
        return self.out(self.body(x))


class GAINDiscriminator(nn.Module):
    """``(batch, T, dim + n_columns + cond_dim)`` (imputed values, hint, conditions) -> per-cell logits
    ``(batch, T, n_columns)`` that the cell was observed. ``features`` / ``head`` as the shared losses expect."""

    def __init__(self, in_dim: int, n_columns: int, hidden: int, temporal: bool, num_layers: int):
        super().__init__()
        self.features = _Body(in_dim, hidden, temporal, num_layers)
        self.head = nn.Linear(hidden, n_columns)

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.features(x))
