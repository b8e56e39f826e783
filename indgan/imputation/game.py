"""GAIN's per-cell game of one training step (Yoon, Jordon, van der Schaar, ICML 2018), for the shared
:class:`~indgan.training.AdversarialTrainer`: a batch of rows (or windows), a further share of its observed cells
hidden from the generator (and, over time, blocks of one tag), the hint ``b * m + 0.5 * (1 - b)``, the
discriminator's per-cell loss, and the generator's adversarial loss plus ``alpha`` times the reconstruction of
the cells it saw and of those hidden from it. It receives the networks (:class:`GAINNetworks`) and the data,
never the estimator."""

from __future__ import annotations

import torch
from torch import Tensor

from ..losses import AdversarialLoss
from .networks import GAINNetworks
from .prepare import ImputationData


class GAINGame:
    """See the module docstring.

    Parameters
    ----------
    nets : GAINNetworks
    data : ImputationData
    starts : Tensor
        ``(n_windows,)`` first rows of the windows the batches are drawn from (every row, row by row).
    seq_len, batch : int
    hold_out_rate, hint_rate, alpha : float
    max_block : int
        Longest block of one tag hidden over time.
    free : Tensor
        ``(n_columns,)`` bool: the columns that may be hidden (conditions never are).
    """

    def __init__(
        self,
        nets: GAINNetworks,
        data: ImputationData,
        starts: Tensor,
        seq_len: int,
        batch: int,
        hold_out_rate: float,
        max_block: int,
        hint_rate: float,
        alpha: float,
        free: Tensor,
    ):
        self.nets, self.data, self.starts, self.batch = nets, data, starts, batch
        dev = data.x.device
        self.steps = torch.arange(seq_len, device=dev)
        self.col_of_dim = nets.col_of_dim.to(dev)
        self.hold_out_rate, self.max_block, self.hint_rate, self.alpha = hold_out_rate, max_block, hint_rate, alpha
        self.free = free.to(dev)

    def _draw(self) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        pick = torch.randint(self.starts.shape[0], (self.batch,), device=self.starts.device)
        idx = self.starts[pick, None] + self.steps
        d = self.data
        return d.x[idx], d.mask[idx], d.cond[idx], d.valid[idx]

    def _hide(self, mask: Tensor) -> Tensor:
        """The mask the generator sees: ``mask`` with a further share of observed cells hidden."""
        hidden = torch.rand_like(mask) < self.hold_out_rate
        b, t, k = mask.shape
        if t > 1 and self.max_block > 1:  # blocks of 1..max_block steps of one tag
            start = torch.randint(t, (b, 1, k), device=mask.device)
            length = torch.randint(1, self.max_block + 1, (b, 1, k), device=mask.device)
            pos = torch.arange(t, device=mask.device)[None, :, None]
            block = (
                (pos >= start) & (pos < start + length) & (torch.rand(b, 1, k, device=mask.device) < self.hold_out_rate)
            )
            hidden = hidden | block
        return mask * ~(hidden & self.free)

    def _hint(self, mask_in: Tensor) -> tuple[Tensor, Tensor]:
        b = (torch.rand_like(mask_in) < self.hint_rate).float()
        return b * mask_in + 0.5 * (1 - b), 1 - b

    def _imputed(self, x: Tensor, mask_in: Tensor, x_hat: Tensor) -> Tensor:
        md = mask_in[..., self.col_of_dim]
        return md * x + (1 - md) * x_hat

    def critic_loss(self, critic, loss: AdversarialLoss):
        x, mask, c, valid = self._draw()
        mask_in = self._hide(mask)
        with torch.no_grad():
            x_hat, _ = self.nets.propose(x, mask_in, c, valid, None)
        hint, weight = self._hint(mask_in)
        scores = critic(torch.cat([self._imputed(x, mask_in, x_hat), hint, c], -1))
        return loss.cell_critic_loss(scores, mask_in, weight * valid)

    def generator_loss(self, critic, loss: AdversarialLoss):
        x, mask, c, valid = self._draw()
        mask_in = self._hide(mask)
        x_hat, logits = self.nets.propose(x, mask_in, c, valid, None)
        hint, weight = self._hint(mask_in)
        adv = loss.cell_generator_loss(
            critic(torch.cat([self._imputed(x, mask_in, x_hat), hint, c], -1)), mask_in, weight * valid
        )
        err = self.nets.cell_error(x_hat, logits, x)  # (batch, T, n_cols)
        seen = mask_in * valid
        held = (mask - mask_in) * valid
        recon = (err * seen).sum() / seen.sum().clamp_min(1.0) + (err * held).sum() / held.sum().clamp_min(1.0)
        return adv, self.alpha * recon
