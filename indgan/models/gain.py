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
the rest (the shape of the gap from the correlated tags).

The per-cell losses are :meth:`indgan.losses.AdversarialLoss.cell_critic_loss` and ``cell_generator_loss``;
the game is played by the shared :class:`indgan.training.AdversarialTrainer`.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn




def interpolate(x: Tensor, observed: Tensor) -> Tensor:
    """Linear interpolation in time within each window: ``x``, ``observed`` ``(batch, T, dim)`` -> ``(batch, T,
    dim)`` where each unobserved cell holds the straight line between the nearest observed cells of its column
    before and after it (the nearest one at a window's edge; 0.5 when the column has none in the window).
    Observed cells are kept. All tensor operations (cumulative max/min over time), no loop."""
    b, t, d = x.shape
    idx = torch.arange(t, device=x.device).view(1, t, 1).expand(b, t, d)
    seen = observed > 0
    prev = torch.where(seen, idx, torch.full_like(idx, -1)).cummax(1).values
    nxt = torch.where(seen, idx, torch.full_like(idx, t)).flip(1).cummin(1).values.flip(1)
    has_prev, has_next = prev >= 0, nxt < t
    xp = x.gather(1, prev.clamp_min(0))
    xn = x.gather(1, nxt.clamp_max(t - 1))
    span = (nxt - prev).clamp_min(1).float()
    w = (idx - prev).float() / span
    both = xp + w * (xn - xp)
    out = torch.where(has_prev & has_next, both, torch.where(has_prev, xp, torch.where(has_next, xn, 0.5)))
    return torch.where(seen, x, out)


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
    the conditions) -> logits ``(batch, T, dim)``; ``T = 1`` for rows."""

    def __init__(self, in_dim: int, dim: int, hidden: int, temporal: bool, num_layers: int):
        super().__init__()
        self.body = _Body(in_dim, hidden, temporal, num_layers)
        self.out = nn.Linear(hidden, dim)

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
