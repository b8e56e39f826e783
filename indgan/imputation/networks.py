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
the game (:mod:`indgan.imputation.game`) is played by the shared :class:`indgan.training.AdversarialTrainer`.
:class:`GAINNetworks` bundles the generator with the output activation and proposes every cell of a batch; the
game and the imputer's transform share it.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ..encoding import SpanActivation

#: GAIN: the hidden cells enter the generator as U(0, 0.01) noise.
NOISE = 0.01


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
    return fill_lines(x, GapGeometry(observed))


def fill_lines(x: Tensor, geo: GapGeometry) -> Tensor:
    """:func:`interpolate` with the gaps' geometry already computed."""
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


class DilatedBlock(nn.Module):
    """A residual non-causal convolution over time: ``(batch, hidden, T)`` -> same shape."""

    def __init__(self, hidden: int, dilation: int):
        super().__init__()
        self.conv = nn.Conv1d(hidden, hidden, kernel_size=3, dilation=dilation, padding=dilation)

    def forward(self, h: Tensor) -> Tensor:
        return h + torch.relu(self.conv(h))


class GAINBody(nn.Module):
    """Row-wise: GAIN's fully connected layers. Temporal: dilated convolutions over time in both directions
    (dilations 1, 2, 4, ...: ``num_layers`` blocks see ``2^(num_layers+1) - 1`` steps around each step),
    followed by a fully connected layer per step. ``(batch, T, in_dim)`` -> ``(batch, T, hidden)``."""

    def __init__(self, in_dim: int, hidden: int, temporal: bool, num_layers: int):
        super().__init__()
        self.temporal = temporal
        if temporal:
            self.inp = nn.Conv1d(in_dim, hidden, kernel_size=1)
            self.blocks = nn.Sequential(*[DilatedBlock(hidden, 2**i) for i in range(num_layers)])
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
        self.body = GAINBody(in_dim, hidden, temporal, num_layers)
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
        self.features = GAINBody(in_dim, hidden, temporal, num_layers)
        self.head = nn.Linear(hidden, n_columns)

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.features(x))


class GAINNetworks:
    """The imputer's generator with what turns its logits into cells, shared by the game and the transform.

    Parameters
    ----------
    generator : GAINGenerator
    activation : SpanActivation
        Sigmoid on the continuous tags, softmax over each categorical column's levels.
    temporal : bool
        Windows over time (the straight-line start and the cross-tag bridge) or single rows.
    n_cont : int
        Continuous tags: the first ``n_cont`` dims.
    col_of_dim : Tensor
        ``(dim,)`` int64: the column each encoded dim belongs to.
    cat_spans : list of (column, start, width)
        The categorical columns' one-hot groups.
    """

    def __init__(
        self,
        generator: GAINGenerator,
        activation: SpanActivation,
        temporal: bool,
        n_cont: int,
        col_of_dim: Tensor,
        cat_spans: list,
    ):
        self.generator, self.activation, self.temporal = generator, activation, temporal
        self.n_cont, self.col_of_dim, self.cat_spans = n_cont, col_of_dim, cat_spans

    def propose(
        self,
        x: Tensor,
        mask_in: Tensor,
        c: Tensor,
        valid: Tensor,
        g: torch.Generator | None,
        net: nn.Module | None = None,
    ) -> tuple[Tensor, Tensor]:
        """The generator's (or ``net``'s) proposal for every cell of ``x`` ``(batch, T, dim)`` given the per-column
        mask it may see ``mask_in`` ``(batch, T, n_columns)``, conditions and valid steps: ``(values, logits)``."""
        net = net or self.generator
        md = mask_in[..., self.col_of_dim.to(x.device)]
        noise = torch.rand(x.shape, device=x.device, generator=g) * NOISE
        if not self.temporal:
            logits = net(torch.cat([md * x + (1 - md) * noise, mask_in, c], -1) * valid)
            return self.activation(logits), logits
        geo = GapGeometry(md * valid)
        base = fill_lines(x, geo)  # the straight line across each gap, within the window
        k = self.n_cont
        if net.bridge is not None:  # plus what the correlated tags did over the same span
            cont = base[..., :k] + net.bridge(base[..., :k], geo.first(k))
            base = torch.cat([cont.clamp(0.0, 1.0), base[..., k:]], -1)
        inp = torch.cat([md * x + (1 - md) * noise, base, mask_in, c], -1) * valid
        logits = net(inp)  # continuous tags: a correction of that line
        logits = torch.cat([logits[..., :k] + torch.logit(base[..., :k].clamp(1e-3, 1 - 1e-3)), logits[..., k:]], -1)
        return self.activation(logits), logits

    def cell_error(self, x_hat: Tensor, logits: Tensor, x: Tensor) -> Tensor:
        """Per-cell reconstruction error ``(batch, T, n_columns)``: squared error for continuous tags,
        cross-entropy over the levels for categorical columns."""
        k = self.n_cont
        parts = [(x_hat[..., :k] - x[..., :k]) ** 2]
        for _, a, w in self.cat_spans:
            logp = torch.log_softmax(logits[..., a : a + w], -1)
            parts.append(-(x[..., a : a + w] * logp).sum(-1, keepdim=True))
        return torch.cat(parts, -1)
