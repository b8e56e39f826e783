"""The networks of the tabular GAN (CTGAN, Xu et al., NeurIPS 2019): the residual generator, its output
activation (tanh on the mode-specific ``alpha`` scalars, Gumbel-softmax on every one-hot group) and the PacGAN
discriminator, side by side. Inputs and outputs are ``(batch, dim)`` float tensors."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..encoding import Span


class Residual(nn.Module):
    """``[relu(bn(linear(x))), x]``: CTGAN's residual block (the input is concatenated, not added)."""

    def __init__(self, in_dim: int, out_dim: int):
        super().__init__()
        self.fc = nn.Linear(in_dim, out_dim)
        self.bn = nn.BatchNorm1d(out_dim)

    def forward(self, x: Tensor) -> Tensor:
        return torch.cat([F.relu(self.bn(self.fc(x))), x], dim=1)


class Generator(nn.Module):
    """``(batch, latent_dim + cond_dim)`` -> raw outputs ``(batch, data_dim)`` (activate with
    :class:`OutputActivation`)."""

    def __init__(self, in_dim: int, hidden: tuple[int, ...], data_dim: int):
        super().__init__()
        layers, dim = [], in_dim
        for h in hidden:
            layers.append(Residual(dim, h))
            dim += h
        layers.append(nn.Linear(dim, data_dim))
        self.net = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x)


class Dropout(nn.Module):
    """Inverted dropout drawn from a uniform tensor: the same as ``nn.Dropout``, but ``bernoulli_`` costs
    about 4x ``uniform_`` on CPUs and was a quarter of a training step on small tables."""

    def __init__(self, p: float):
        super().__init__()
        self.p = p

    def forward(self, x: Tensor) -> Tensor:
        if not self.training or self.p == 0:
            return x
        keep = torch.rand_like(x) >= self.p
        return x * keep * (1.0 / (1.0 - self.p))


class Discriminator(nn.Module):
    """CTGAN's discriminator with PacGAN packing (Lin et al., NeurIPS 2018): ``(batch, dim)`` -> ``(batch // pac,)``
    scores (logits); with the default WGAN-GP loss it is the Wasserstein critic.

    ``features`` maps the packed input to the last hidden layer (used by feature matching), ``head`` maps
    it to the score.
    """

    def __init__(self, in_dim: int, hidden: tuple[int, ...], pac: int, dropout: float = 0.5):
        super().__init__()
        self.pac = pac
        layers, dim = [], in_dim * pac
        for h in hidden:
            layers += [nn.Linear(dim, h), nn.LeakyReLU(0.2), Dropout(dropout)]
            dim = h
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(dim, 1)

    def features(self, x: Tensor) -> Tensor:
        return self.body(x.reshape(-1, x.shape[1] * self.pac))

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.features(x)).squeeze(1)


def padded_groups(spans: list[Span], device) -> tuple[Tensor, Tensor]:
    """Index ``(n_groups, max_width)`` of the softmax groups (padding repeats the group's first index) and
    a boolean mask of the real entries."""
    width = max((s.width for s in spans), default=1)
    idx = torch.zeros(len(spans), width, dtype=torch.long)
    mask = torch.zeros(len(spans), width, dtype=torch.bool)
    for g, s in enumerate(spans):
        idx[g] = s.start
        idx[g, : s.width] = torch.arange(s.start, s.start + s.width)
        mask[g, : s.width] = True
    return idx.to(device), mask.to(device)


class OutputActivation(nn.Module):
    """tanh on the ``alpha`` scalars and Gumbel-softmax (temperature ``tau``) on every one-hot group, in
    a few vectorised operations. Input and output ``(batch, data_dim)``."""

    def __init__(self, spans: list[Span], tau: float = 0.2):
        super().__init__()
        self.tau = tau
        tanh = [s.start for s in spans if s.kind == "tanh"]
        groups = [s for s in spans if s.kind == "softmax"]
        idx, mask = padded_groups(groups, "cpu")
        self.register_buffer("tanh_idx", torch.tensor(tanh, dtype=torch.long), persistent=False)
        self.register_buffer("group_idx", idx, persistent=False)
        self.register_buffer("group_mask", mask, persistent=False)
        self.register_buffer("flat_idx", idx[mask], persistent=False)

    def forward(self, raw: Tensor, generator: torch.Generator | None = None, uniform: Tensor | None = None) -> Tensor:
        """``raw`` ``(batch, data_dim)`` generator outputs -> encoded rows; the Gumbel noise comes from ``uniform``
        ``(batch, groups, width)`` when given (the log model's smooth noise), else is drawn from ``generator``."""
        out = torch.empty_like(raw)
        out[:, self.tanh_idx] = torch.tanh(raw[:, self.tanh_idx])
        if self.flat_idx.numel():
            logits = raw[:, self.group_idx]  # (batch, groups, width)
            u = (
                torch.rand(logits.shape, device=raw.device, generator=generator)
                if uniform is None
                else uniform.view(logits.shape)
            ).clamp(1e-10, 1 - 1e-7)
            g = (logits - torch.log(-torch.log(u))) / self.tau
            g = g.masked_fill(~self.group_mask, float("-inf"))
            # softmax over the short last axis, written out (torch.softmax is slow there on CPUs)
            e = torch.exp(g - g.amax(dim=2, keepdim=True))
            out[:, self.flat_idx] = (e / e.sum(dim=2, keepdim=True))[:, self.group_mask]
        return out
