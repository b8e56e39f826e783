"""The losses of one training step of the super-resolution GAN. They receive the networks and the training
windows, never the estimator.

- :func:`pixel_loss`: SRResNet's MSE between the generated and the real fine windows (the MSE-only baseline,
  and the warm-up that initialises SRGAN's generator, Ledig et al. 2017, section 3.2);
- :func:`feature_loss`: SRGAN's content loss, the MSE between feature maps (here of :class:`FeatureNet`,
  trained on the fine training windows, instead of VGG19), normalised by the real features' mean square;
- :class:`SRGame`: the adversarial game for :class:`~indgan.training.AdversarialTrainer` at one stage of
  progressive growing, with the fade-in ``alpha`` schedule of Karras et al. (2018) applied to the generator, the
  discriminator and the real windows alike.

SRGAN's generator loss is ``content + w * adversarial``. The shared trainer adds the game's extra term to the
adversarial loss, so the game returns ``content / w``: the sum is SRGAN's loss divided by ``w``, and Adam's
steps do not depend on a constant scale of the loss.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from ..training import log_spectral_distance
from .networks import (
    FeatureNet,
    SRDiscriminator,
    SRGenerator,
    critic_input,
    downsample,
    interpolate,
    repeat,
)


@dataclass
class SRWindows:
    """Training windows on the device: fine grid rows ``z`` ``(n_steps, dim)`` (standardised), conditions
    ``cond`` ``(n_steps, cond_dim)``, window starts ``(n_windows,)`` and the fine steps of a window ``steps``
    ``(T,)``; ``factor`` fine steps per coarse step and the coarse ``kind``."""

    z: Tensor
    cond: Tensor
    starts: Tensor
    steps: Tensor
    factor: int
    kind: str

    def draw(self, batch: int) -> tuple[Tensor, Tensor, Tensor]:
        """A batch: fine ``(batch, dim, T)``, coarse ``(batch, dim, T / factor)``, conditions at the coarse steps
        ``(batch, cond_dim, T / factor)`` (each block's first step)."""
        pick = torch.randint(self.starts.shape[0], (batch,), device=self.starts.device)
        idx = self.starts[pick, None] + self.steps
        fine = self.z[idx].transpose(1, 2)
        cond = self.cond[idx[:, :: self.factor]].transpose(1, 2)
        return fine, downsample(fine, self.factor, self.kind), cond


def target(fine: Tensor, factor: int, resolution: int, kind: str) -> Tensor:
    """The real windows at an intermediate resolution (``resolution`` steps per coarse step): block means or
    every ``factor / resolution``-th step of ``fine``."""
    return downsample(fine, factor // resolution, kind)


def pixel_loss(
    generator: SRGenerator,
    data: SRWindows,
    batch: int,
    stage: int | None = None,
    alpha: Callable[[], float] | None = None,
) -> Tensor:
    """SRResNet's loss: MSE of the generated windows at ``stage`` (default: every stage, the fine windows), with
    the new stage faded in by ``alpha()`` (progressive growing)."""
    stage = len(generator.factors) if stage is None else stage
    a = 1.0 if alpha is None else float(min(1.0, max(0.0, alpha())))
    fine, coarse, cond = data.draw(batch)
    real = target(fine, data.factor, generator.resolution(stage), data.kind)
    if a < 1.0 and stage > 1:
        r = generator.factors[stage - 1]
        real = (1.0 - a) * repeat(downsample(real, r, data.kind), r) + a * real
    noise = generator.noise(batch, coarse.shape[-1], stage, fine.device)
    return F.mse_loss(generator(coarse, cond, noise, stage, a), real)


def feature_loss(features: FeatureNet, fake: Tensor, real: Tensor) -> Tensor:
    """SRGAN's content loss: MSE between feature maps of generated and real fine windows ``(n, dim, T)``,
    divided by the real features' mean square."""
    f_real = features.encode(real).detach()
    return F.mse_loss(features.encode(fake), f_real) / f_real.pow(2).mean().clamp_min(1e-8)


def spectral_loss(fake: Tensor, real: Tensor, coarse: Tensor, factor: int, kind: str) -> Tensor:
    """The texture's power at every frequency, per tag, as the real windows have it: the log spectral distance
    (:func:`indgan.training.log_spectral_distance`) between the detail the coarse data lose in the generated and in
    the real fine windows, ``fine - interpolate(coarse)``, for ``fake``/``real`` ``(n, channels, T)`` and ``coarse``
    ``(n, channels, T / factor)``."""
    base = interpolate(coarse, factor, kind)
    return log_spectral_distance(fake - base, real - base)


def correlation_loss(fake: Tensor, real: Tensor, coarse: Tensor, factor: int, kind: str) -> Tensor:
    """How the texture moves across tags, as the real windows have it: the mean squared difference between the
    cross-tag correlation matrices (off the diagonal) of the detail the coarse data lose, ``fine -
    interpolate(coarse)``, generated against real, over the batch's steps; ``fake``/``real`` ``(n, channels, T)``,
    ``coarse`` ``(n, channels, T / factor)``. Tags without detail in the batch (held) count as uncorrelated.

    Without it the generator's texture, which comes through channels shared by all tags, moved the tags together:
    on La Haute Borne's wind log (x6) the detail's mean |correlation| between tags was 0.44 against the real
    0.10, on TEP (x4) 0.35 against 0.11."""
    base = interpolate(coarse, factor, kind)

    def corr(x: Tensor) -> Tensor:
        d = (x - base).transpose(0, 1).reshape(x.shape[1], -1)
        d = d - d.mean(1, keepdim=True)
        d = d / d.pow(2).mean(1, keepdim=True).sqrt().clamp_min(1e-6)
        return d @ d.T / d.shape[1]

    c_fake, c_real = corr(fake), corr(real).detach()
    off = ~torch.eye(c_fake.shape[0], dtype=torch.bool, device=c_fake.device)
    return (c_fake - c_real)[off].pow(2).mean() if off.any() else c_fake.new_zeros(())


def reconstruction_loss(features: FeatureNet, data: SRWindows, batch: int) -> Tensor:
    """The feature network's autoencoder loss on fine training windows."""
    fine, _, _ = data.draw(batch)
    return F.mse_loss(features(fine), fine)


class SRGame:
    """For :class:`~indgan.training.AdversarialTrainer`: the game at ``stage`` (upsampling stages in use).

    Parameters
    ----------
    generator : SRGenerator
    discriminator : SRDiscriminator
    features : FeatureNet
    data : SRWindows
    batch : int
    stage : int
    adversarial_weight : float
        ``w`` of SRGAN's ``content + w * adversarial`` (> 0).
    alpha : callable
        ``alpha()`` -> the fade-in of the new stage now, in [0, 1] (1: no fade).
    need_real : bool
        Feature matching needs the real batch in the generator's step.
    """

    def __init__(
        self,
        generator: SRGenerator,
        discriminator: SRDiscriminator,
        features: FeatureNet,
        data: SRWindows,
        batch: int,
        stage: int,
        adversarial_weight: float,
        alpha: Callable[[], float],
        need_real: bool,
        spectral_weight: float = 0.0,
        correlation_weight: float = 0.0,
    ):
        self.generator, self.discriminator, self.features, self.data = generator, discriminator, features, data
        self.batch, self.stage, self.weight, self.alpha, self.need_real = (
            batch,
            stage,
            adversarial_weight,
            alpha,
            need_real,
        )
        self.resolution = generator.resolution(stage)
        self.spectral_weight = spectral_weight
        self.correlation_weight = correlation_weight

    def _batch(self):
        a = float(min(1.0, max(0.0, self.alpha())))
        self.discriminator.set_stage(self.stage, a)
        fine, coarse, cond = self.data.draw(self.batch)
        real = target(fine, self.data.factor, self.resolution, self.data.kind)
        if a < 1.0 and self.stage > 1:  # the real windows fade between the two resolutions too
            r = self.generator.factors[self.stage - 1]
            real = (1.0 - a) * repeat(downsample(real, r, self.data.kind), r) + a * real
        noise = self.generator.noise(self.batch, coarse.shape[-1], self.stage, fine.device)
        fake = self.generator(coarse, cond, noise, self.stage, a)
        return fine, real, fake, coarse, cond

    def critic_batch(self) -> tuple[Tensor, Tensor]:
        with torch.no_grad():
            _, real, fake, coarse, cond = self._batch()
        return critic_input(real, coarse, cond), critic_input(fake, coarse, cond)

    def generator_batch(self) -> tuple[Tensor, Tensor | None, Tensor]:
        _, real, fake, coarse, cond = self._batch()
        up = self.data.factor // self.resolution
        content = feature_loss(self.features, repeat(fake, up), repeat(real, up))
        if self.spectral_weight > 0:
            spectral = spectral_loss(fake, real, coarse, self.resolution, self.data.kind)
            content = content + self.spectral_weight * spectral
        if self.correlation_weight > 0:
            cross = correlation_loss(fake, real, coarse, self.resolution, self.data.kind)
            content = content + self.correlation_weight * cross
        real_in = critic_input(real, coarse, cond) if self.need_real else None
        return critic_input(fake, coarse, cond), real_in, content / self.weight


def fade_schedule(steps: int | None, seconds: float | None, share: float = 0.5) -> Callable[[], Callable[[], float]]:
    """Karras et al.'s linear fade-in over the first ``share`` of a stage, counted in calls of ``alpha()`` when
    the stage has ``steps`` (the calls it will make: one per warm-up step, ``critic_steps + 1`` per game
    iteration), else in seconds of its budget. Returns a factory: call it when the stage starts to get
    ``alpha()``."""

    def start() -> Callable[[], float]:
        t0, count = time.perf_counter(), [0]

        def alpha() -> float:
            count[0] += 1
            if steps:
                return min(1.0, count[0] / max(1.0, share * steps))
            if seconds:
                return min(1.0, (time.perf_counter() - t0) / max(1e-9, share * seconds))
            return 1.0

        return alpha

    return start
