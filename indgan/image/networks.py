"""The networks of the image GANs, side by side: DCGAN's generator (transposed convolutions with batch norm and
ReLU to a tanh image) and discriminator (strided convolutions with LeakyReLU), with DCGAN's initialisation (Radford,
Metz, Chintala 2015), and the conditional GAN's label inputs (Mirza and Osindero 2014: the one-hot label joins ``z``
and enters the discriminator as extra constant channels)."""

from __future__ import annotations

import torch
from torch import Tensor, nn


def layer_plan(size: int) -> tuple[int, int]:
    """(spatial size after the first transposed convolution, number of 2x upsamplings) for an output size."""
    return {28: (7, 2), 32: (4, 3), 64: (4, 4)}[size]


def dcgan_init(m: nn.Module) -> None:
    """DCGAN's initialisation: convolutions N(0, 0.02), batch-norm scale N(1, 0.02), shift 0."""
    if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.normal_(m.weight, 0.0, 0.02)
        if m.bias is not None:
            nn.init.zeros_(m.bias)
    elif isinstance(m, nn.BatchNorm2d):
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)


class DCGANGenerator(nn.Module):
    """``z`` (+ one-hot label) ``(batch, latent_dim + n_classes)`` -> images ``(batch, channels, size, size)`` in
    [-1, 1]."""

    def __init__(self, in_dim: int, channels: int, size: int, features: int):
        super().__init__()
        start, ups = layer_plan(size)
        width = features * 2 ** (ups - 1)
        layers: list[nn.Module] = [
            nn.ConvTranspose2d(in_dim, width, start, 1, 0, bias=False),
            nn.BatchNorm2d(width),
            nn.ReLU(True),
        ]
        for _ in range(ups - 1):
            layers += [
                nn.ConvTranspose2d(width, width // 2, 4, 2, 1, bias=False),
                nn.BatchNorm2d(width // 2),
                nn.ReLU(True),
            ]
            width //= 2
        layers += [nn.ConvTranspose2d(width, channels, 4, 2, 1, bias=False), nn.Tanh()]
        self.net = nn.Sequential(*layers)
        self.apply(dcgan_init)

    def forward(self, z: Tensor) -> Tensor:
        return self.net(z[:, :, None, None])


class DCGANFeatures(nn.Module):
    """The discriminator's strided convolutions: images ``(batch, channels, size, size)`` -> the last feature map,
    flattened ``(batch, out_dim)``."""

    def __init__(self, channels: int, size: int, features: int):
        super().__init__()
        start, ups = layer_plan(size)
        layers: list[nn.Module] = [nn.Conv2d(channels, features, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, True)]
        width = features
        for _ in range(ups - 1):
            layers += [
                nn.Conv2d(width, width * 2, 4, 2, 1, bias=False),
                nn.BatchNorm2d(width * 2),
                nn.LeakyReLU(0.2, True),
            ]
            width *= 2
        self.net = nn.Sequential(*layers)
        self.out_dim = width * start * start

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x).flatten(1)


class DCGANDiscriminator(nn.Module):
    """Images (+ one-hot label planes) ``(batch, channels + n_classes, size, size)`` -> logits ``(batch, 1)``.
    ``features`` (the last feature map, flattened) and ``head`` (a convolution over the whole map, written as a
    linear layer) as the shared losses expect."""

    def __init__(self, channels: int, size: int, features: int):
        super().__init__()
        self.features = DCGANFeatures(channels, size, features)
        self.head = nn.Linear(self.features.out_dim, 1)
        self.apply(dcgan_init)

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.features(x))


def with_labels(x: Tensor, y: Tensor | None, n_classes: int) -> Tensor:
    """Images ``(batch, c, h, w)`` with the one-hot label ``y`` ``(batch,)`` as ``n_classes`` constant planes (the
    conditional discriminator's input); unchanged without labels."""
    if y is None:
        return x
    planes = torch.nn.functional.one_hot(y, n_classes).to(x.dtype)[:, :, None, None]
    return torch.cat([x, planes.expand(-1, -1, x.shape[2], x.shape[3])], 1)


def generate(generator: DCGANGenerator, z: Tensor, y: Tensor | None, n_classes: int) -> Tensor:
    """Images from ``z`` ``(batch, latent_dim)`` (and the one-hot label ``y``, conditional models)."""
    if y is not None:
        z = torch.cat([z, torch.nn.functional.one_hot(y, n_classes).to(z.dtype)], 1)
    return generator(z)
