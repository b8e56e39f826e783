"""The image GANs' game of one training step: real images (scaled to [-1, 1]) and generated ones, with labels for
the conditional GAN (a generated image gets a label drawn as the data's, so the discriminator judges images and
labels together). It receives the generator and the data, never the estimator."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from .networks import generate, with_labels


class ImageGame:
    """For :class:`~indgan.training.AdversarialTrainer`.

    Parameters
    ----------
    generator : nn.Module
    images : Tensor
        uint8 ``(n, channels, size, size)`` on the device.
    labels : Tensor or None
        int64 ``(n,)``, conditional models.
    n_classes, latent_dim, batch : int
    need_real : bool
        Feature matching needs the real batch in the generator's step.
    paired : bool
        WGAN-GP pairs real and fake samples one to one (the fakes then take the real batch's labels).
    """

    def __init__(
        self,
        generator: nn.Module,
        images: Tensor,
        labels: Tensor | None,
        n_classes: int,
        latent_dim: int,
        batch: int,
        need_real: bool,
        paired: bool,
    ):
        self.generator, self.images, self.labels = generator, images, labels
        self.n_classes, self.latent_dim, self.batch, self.need_real, self.pair = (
            n_classes,
            latent_dim,
            batch,
            need_real,
            paired,
        )

    def _real(self) -> tuple[Tensor, Tensor | None]:
        idx = torch.randint(len(self.images), (self.batch,), device=self.images.device)
        x = self.images[idx].float() / 127.5 - 1.0
        y = self.labels[idx] if self.labels is not None else None
        return x, y

    def _fake(self, y: Tensor | None) -> Tensor:
        z = torch.randn(self.batch, self.latent_dim, device=self.images.device)
        return generate(self.generator, z, y, self.n_classes)

    def critic_batch(self):
        x, y = self._real()
        if not self.pair and y is not None:  # fakes get labels of their own, drawn as the data's
            y_fake = self.labels[torch.randint(len(self.labels), (self.batch,), device=self.labels.device)]
        else:
            y_fake = y
        with torch.no_grad():
            fake = self._fake(y_fake)
        return with_labels(x, y, self.n_classes), with_labels(fake, y_fake, self.n_classes)

    def generator_batch(self):
        x, y = self._real()
        fake = with_labels(self._fake(y), y, self.n_classes)
        return fake, (with_labels(x, y, self.n_classes) if self.need_real else None), None
