"""The networks of the sequence GAN (TimeGAN, Yoon, Jarrett, van der Schaar, NeurIPS 2019), side by side: the
embedder and recovery (an autoencoder between steps and latent codes), the generator and supervisor (noise ->
codes -> next codes), the discriminator on latent sequences, and the auxiliary classifier of the conditions
(AC-GAN). Every input and output is ``(batch, T, dim)``; recurrent networks return their final state, so a
sequence can be continued chunk by chunk. :class:`TimeGANNetworks` bundles them with the input standardisation,
the noise and the undoing of the per-condition scaling, which the game and the sampler share.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from ..encoding import RangeSpan, SpanActivation


class RecurrentBlock(nn.Module):
    """``num_layers`` GRU/LSTM layers and a linear read-out: ``(batch, T, in_dim)`` -> ``(batch, T, out_dim)``.

    ``forward(x, state)`` returns the output and the final recurrent state, which can be passed back in to
    continue the sequence.
    """

    def __init__(self, in_dim: int, hidden_dim: int, out_dim: int, num_layers: int, cell: str):
        super().__init__()
        rnn = nn.GRU if cell == "gru" else nn.LSTM
        self.rnn = rnn(in_dim, hidden_dim, num_layers=num_layers, batch_first=True)
        self.linear = nn.Linear(hidden_dim, out_dim)

    def forward(self, x: Tensor, state: Any = None) -> tuple[Tensor, Any]:
        y, state = self.rnn(x, state)
        return self.linear(y), state


class Recovery(nn.Module):
    """Latent codes (and conditions) -> steps: sigmoid for continuous tags, softmax over each categorical
    tag's levels (:class:`SpanActivation`)."""

    def __init__(self, in_dim: int, hidden_dim: int, spans: list[RangeSpan], num_layers: int, cell: str):
        super().__init__()
        dim = sum(s.width for s in spans)
        self.block = RecurrentBlock(in_dim, hidden_dim, dim, num_layers, cell)
        self.activation = SpanActivation(spans)

    def forward(self, h: Tensor, state: Any = None) -> tuple[Tensor, Any]:
        logits, state = self.block(h, state)
        return self.activation(logits), state


class GeneratorAndSupervisor(nn.Module):
    """TimeGAN's generator ``g`` (noise and conditions -> latent codes) and supervisor ``s`` (codes -> the next
    step's codes): the path ``s(g(z, c), c)`` of generated sequences. The adversarial phase trains both, so they
    are one module for the optimiser and the moving average."""

    def __init__(
        self, latent_dim: int, cond_dim: int, hidden_dim: int, num_layers: int, cell: str, code_activation: str = "tanh"
    ):
        super().__init__()
        self.code = torch.tanh if code_activation == "tanh" else torch.sigmoid
        self.generator = RecurrentBlock(latent_dim + cond_dim, hidden_dim, hidden_dim, num_layers, cell)
        self.supervisor = RecurrentBlock(hidden_dim + cond_dim, hidden_dim, hidden_dim, max(1, num_layers - 1), cell)

    def generate(self, z: Tensor, c: Tensor, state: Any = None) -> tuple[Tensor, Any]:
        """``z (batch, T, latent_dim)``, ``c (batch, T, cond_dim)`` -> ``e_hat (batch, T, hidden_dim)``."""
        e, state = self.generator(torch.cat([z, c], -1), state)
        return self.code(e), state

    def supervise(self, h: Tensor, c: Tensor, state: Any = None) -> tuple[Tensor, Any]:
        """Latent codes -> the next step's codes."""
        s, state = self.supervisor(torch.cat([h, c], -1), state)
        return self.code(s), state


class RecurrentFeatures(nn.Module):
    """The discriminator's recurrent layers: ``(batch, T, in_dim + 1)`` (the last channel the step mask) ->
    ``(batch, T, hidden_dim)``."""

    def __init__(self, in_dim: int, hidden_dim: int, num_layers: int, cell: str):
        super().__init__()
        rnn = nn.GRU if cell == "gru" else nn.LSTM
        self.rnn = rnn(in_dim, hidden_dim, num_layers=num_layers, batch_first=True)

    def forward(self, x: Tensor) -> Tensor:
        return self.rnn(x[..., :-1])[0]  # the last channel is the step mask


class Discriminator(nn.Module):
    """Latent sequence + conditions + step mask ``(batch, T, hidden + cond + 1)`` -> logits ``(batch, T, 1)``;
    padded steps score 0. ``features`` / ``head`` as the shared losses expect."""

    def __init__(self, in_dim: int, hidden_dim: int, num_layers: int, cell: str):
        super().__init__()
        self.features = RecurrentFeatures(in_dim, hidden_dim, num_layers, cell)
        self.head = nn.Linear(hidden_dim, 1)

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.features(x)) * x[..., -1:]


class ConditionClassifier(nn.Module):
    """Auxiliary classifier of the conditions (AC-GAN, Odena, Olah, Shlens, ICML 2017, applied per step):
    data steps + observed mask ``(batch, T, 2 * dim)`` -> condition logits ``(batch, T, cond_width)``.
    Trained on real windows only; its loss on generated windows pushes the generator to show the condition
    it was given (a fault the latent discriminator cannot tell apart is otherwise free to be ignored)."""

    def __init__(self, in_dim: int, hidden_dim: int, spans: list[RangeSpan], shift: Tensor, scale: Tensor):
        super().__init__()
        self.spans = spans
        self.register_buffer("shift", shift)
        self.register_buffer("scale", scale)
        self.rnn = nn.GRU(in_dim, hidden_dim, num_layers=2, batch_first=True)
        self.head = nn.Linear(hidden_dim, sum(s.width for s in spans))

    def forward(self, x: Tensor, mask: Tensor) -> Tensor:
        return self.head(self.rnn(torch.cat([(x - self.shift) / self.scale * mask, mask], -1))[0])

    def loss(self, logits: Tensor, c: Tensor, valid: Tensor) -> Tensor:
        """Cross-entropy per categorical condition, squared error per continuous one, over real steps."""
        total = logits.new_zeros(())
        n = valid.sum().clamp_min(1.0)
        for s in self.spans:
            sl = slice(s.start, s.start + s.width)
            if s.kind == "categorical":
                ce = torch.nn.functional.cross_entropy(
                    logits[..., sl].flatten(0, 1), c[..., sl].argmax(-1).flatten(), reduction="none"
                )
                total = total + (ce * valid.flatten()).sum() / n
            else:
                total = total + (((torch.sigmoid(logits[..., sl]) - c[..., sl]) ** 2) * valid).sum() / n
        return total


class TimeGANNetworks:
    """The networks of one fitted sequence model and what they share: the embedder's input standardisation
    (``shift``, ``scale``), the noise (a temporal vector per step and a static one per sequence), and the undoing of
    the per-condition scaling (``scaler``, or None). The game and the sampler receive this, not the estimator."""

    def __init__(
        self,
        embedder: RecurrentBlock,
        recovery: Recovery,
        generator: GeneratorAndSupervisor,
        discriminator: Discriminator,
        shift: Tensor,
        scale: Tensor,
        latent_dim: int,
        static_dim: int,
        scaler=None,
        cond_encoded_dim: int = 0,
    ):
        self.embedder, self.recovery, self.generator, self.discriminator = embedder, recovery, generator, discriminator
        self.shift, self.scale = shift, scale
        self.latent_dim, self.static_dim = latent_dim, static_dim
        self.scaler, self.cond_encoded_dim = scaler, cond_encoded_dim
        self.classifier: ConditionClassifier | None = None

    def standardise(self, x: Tensor) -> Tensor:
        """Steps as the networks see them ``(batch, T, dim)`` -> each feature centred and scaled by its training
        mean and standard deviation: the recurrent networks that read data steps learn many times faster from
        centred inputs than from values in [0, 1] with a large common offset."""
        return (x - self.shift) / self.scale

    def embed(self, x: Tensor, mask: Tensor, c: Tensor) -> Tensor:
        """Steps ``(batch, T, dim)``, observed mask, conditions -> latent codes ``(batch, T, hidden_dim)``."""
        h, _ = self.embedder(torch.cat([self.standardise(x) * mask, mask, c], -1))
        return self.generator.code(h)

    def unscale(self, x: Tensor, c: Tensor) -> Tensor:
        """Steps as the networks see them ``(batch, T, dim)`` -> encoded steps in the training range: the
        per-condition scaling undone (identity without it)."""
        return x if self.scaler is None else self.scaler.inverse(x, c[..., : self.cond_encoded_dim])

    def noise(self, n: int, steps: int, device, generator: torch.Generator | None = None) -> Tensor:
        """The generator's input ``(n, steps, latent_dim + static_dim)``: a temporal noise vector ``z_t`` per step
        and a static one ``z_S`` per sequence, repeated at every step (TimeGAN's pair of random vectors, Yoon et
        al. 2019, section 4), each U(0, 1)."""
        z = torch.rand(n, steps, self.latent_dim, device=device, generator=generator)
        if not self.static_dim:
            return z
        z_s = torch.rand(n, 1, self.static_dim, device=device, generator=generator)
        return torch.cat([z, z_s.expand(n, steps, self.static_dim)], -1)
