"""The CTGAN game of one training step (Xu et al., NeurIPS 2019): real and generated rows for the critic, and the
generator's batch with the conditional cross-entropy. It receives its networks and data, never the estimator."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .prepare import ConditionSampler


class CTGANGame:
    """The CTGAN game for :class:`indgan.training.AdversarialTrainer`.

    It receives the networks, not the estimator: ``generator`` maps ``[z, cond, context]`` to raw outputs,
    ``activation`` turns them into an encoded row. ``context`` ``(n_rows, n_context)`` (optional) holds
    per-row continuous conditions (setpoints, batch progress, scaled to [0, 1]) that the generator and the
    critic both see: a generated row gets the context of the real row that training-by-sampling picked, so
    the game learns the rows given their context (a conditional GAN with continuous labels).
    """

    def __init__(
        self,
        generator: nn.Module,
        activation: nn.Module,
        latent_dim: int,
        data: Tensor,
        sampler: ConditionSampler,
        batch: int,
        need_real: bool,
        context: Tensor | None = None,
    ):
        self.generator, self.activation, self.latent_dim = generator, activation, latent_dim
        self.data, self.sampler, self.batch, self.need_real, self.context = data, sampler, batch, need_real, context
        self.device = data.device

    def _z(self) -> Tensor:
        return torch.randn(self.batch, self.latent_dim, device=self.device)

    def _draw(self):
        """(cond, column, level, real rows, generator condition input [cond, context])."""
        s, b = self.sampler, self.batch
        if s.n_columns:
            cond, col, level, rows = s.sample_train(b)
        else:
            rows = torch.randint(self.data.shape[0], (b,), device=self.device)
            cond, col, level = self.data.new_zeros(b, 0), None, None
        given = cond if self.context is None else torch.cat([cond, self.context[rows]], 1)
        return col, level, rows, given

    def critic_batch(self):
        _, _, rows, given = self._draw()
        with torch.no_grad():  # the critic step does not train the generator
            fake = self.activation(self.generator(torch.cat([self._z(), given], 1)))
        perm = torch.randperm(self.batch, device=self.device)  # real packs independent of fake packs
        real = torch.cat([self.data[rows[perm]], given[perm]], 1)
        return real, torch.cat([fake, given], 1)

    def generator_batch(self):
        col, level, rows, given = self._draw()
        raw = self.generator(torch.cat([self._z(), given], 1))
        fake = torch.cat([self.activation(raw), given], 1)
        extra = None
        s = self.sampler
        if s.n_columns:
            # conditional loss: cross-entropy of the chosen column's logits against the asked level
            logits = raw[:, s.group_idx].masked_fill(~s.group_mask[None], float("-inf"))  # (b, cols, w)
            extra = F.cross_entropy(logits[torch.arange(self.batch, device=self.device), col], level)
        real = torch.cat([self.data[rows], given], 1) if self.need_real else None
        return fake, real, extra
