"""The networks of CycleGAN regime transfer, side by side: two generators (domain A -> B and B -> A) and two
discriminators (is this a real window of A / of B?), over windows of plant logs.

CycleGAN (Zhu, Park, Isola, Efros, "Unpaired Image-to-Image Translation using Cycle-Consistent Adversarial
Networks", ICCV 2017) translates images with a residual convolutional generator and judges them with a PatchGAN
discriminator (a score per 70 x 70 patch). Here both are one-dimensional, over time:

- :class:`TemporalGenerator`: a 1-D temporal convolution network (a 7-step convolution, residual blocks of two
  3-step dilated convolutions, a 7-step read-out), fully convolutional, so it translates windows of any length;
  it reads a window's standardised tags, their observed mask and the step's context (other conditions and
  categorical columns) and returns a **change** of each tag (the translated window is the source plus the
  change), so a translation that keeps the source's trajectory is the easy path (the content CycleGAN's cycle
  loss asks to keep). The temporal-convolution generator stands where Brunner et al. ("Symbolic Music Genre
  Transfer with CycleGAN", ICTAI 2018) use theirs over bars of music; a recurrent one would need a carried
  state to translate long logs, a convolution needs only overlapping windows.
- :class:`PatchDiscriminator`: strided 4-step convolutions with LeakyReLU 0.2 (PatchGAN's layers 64-128-256 and a
  stride-1 layer) and a per-position head: one score per patch of about 40 steps, ``(batch, n_patches, 1)``.
  ``features`` (channel-last ``(batch, n_patches, channels)``) and ``head`` as the shared losses expect (feature
  matching, denoising feature matching).

Every input and output is channel-last ``(batch, T, channels)``. CycleGAN normalises its layers per instance;
over a window of a log that would remove the window's level, which is what a fault changes, so there is no
normalisation layer.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from .prepare import SHARED_NOISE

#: Taps of the filters that shape each direction's noise (:class:`Variability`).
NOISE_TAPS = 31


class ResidualBlock(nn.Module):
    """``x + conv(relu(conv(relu(x))))`` with 3-step convolutions of dilation ``dilation`` (same length)."""

    def __init__(self, width: int, dilation: int):
        super().__init__()
        self.conv1 = nn.Conv1d(width, width, 3, padding=dilation, dilation=dilation, padding_mode="replicate")
        self.conv2 = nn.Conv1d(width, width, 3, padding=dilation, dilation=dilation, padding_mode="replicate")

    def forward(self, x: Tensor) -> Tensor:
        return x + self.conv2(torch.relu(self.conv1(torch.relu(x))))


#: Dilations of the generator's residual blocks, in order (repeated when there are more blocks).
DILATIONS = (1, 2, 4, 8, 1, 2)


class TemporalGenerator(nn.Module):
    """One direction of the translation: ``(batch, T, 2 * n_tags + context_dim)`` (standardised tags times their
    mask, the mask, the context) -> the change of each tag ``(batch, T, n_tags)``, in standardised units.

    Parameters
    ----------
    n_tags, context_dim : int
    hidden : int
        Channels of every layer (CycleGAN: 64 to 256).
    n_blocks : int
        Residual blocks (CycleGAN: 6 for 128-pixel images); the receptive field is
        ``3 + 2 * sum(dilations) + 3`` steps each side (36 with 4 blocks, 42 with 6).
    """

    def __init__(self, n_tags: int, context_dim: int, hidden: int, n_blocks: int):
        super().__init__()
        self.inp = nn.Conv1d(2 * n_tags + context_dim, hidden, 7, padding=3, padding_mode="replicate")
        self.blocks = nn.Sequential(*[ResidualBlock(hidden, DILATIONS[i % len(DILATIONS)]) for i in range(n_blocks)])
        self.out = nn.Conv1d(hidden, n_tags, 7, padding=3, padding_mode="replicate")
        # the read-out starts at zero, so an untrained generator is its offset alone (Fixup-style initialisation of a
        # residual branch): the game starts from a translation that keeps the source's trajectory
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(self, x: Tensor) -> Tensor:
        h = self.blocks(self.inp(x.transpose(1, 2)))
        return self.out(torch.relu(h)).transpose(1, 2)


class PatchFeatures(nn.Module):
    """The discriminator's convolutions: ``(batch, T, in_dim)`` -> channel-last ``(batch, n_patches, 4 * width)``."""

    def __init__(self, in_dim: int, width: int):
        super().__init__()
        layers: list[nn.Module] = []
        chans = [in_dim, width, 2 * width, 4 * width]
        for a, b in zip(chans[:-1], chans[1:]):
            layers += [nn.Conv1d(a, b, 4, stride=2, padding=1), nn.LeakyReLU(0.2)]
        layers += [nn.Conv1d(4 * width, 4 * width, 3, padding=1), nn.LeakyReLU(0.2)]
        self.net = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x.transpose(1, 2)).transpose(1, 2)


class PatchDiscriminator(nn.Module):
    """A window ``(batch, T, 2 * n_tags + context_dim)`` (as the generator reads it) -> logits per patch
    ``(batch, n_patches, 1)``, ``n_patches = T // 8``. ``features`` / ``head`` as the shared losses expect."""

    def __init__(self, in_dim: int, width: int):
        super().__init__()
        self.features = PatchFeatures(in_dim, width)
        self.head = nn.Linear(4 * width, 1)

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.features(x))


class Variability(nn.Module):
    """One direction's variability: white noise ``(batch, T, n_tags + SHARED_NOISE)`` -> ``(batch, T, n_tags)`` in
    standardised units, each tag's own series through its ``NOISE_TAPS``-step filter (``own``) plus ``SHARED_NOISE``
    filtered series (``shared``) mixed into the tags by ``mix`` ``(n_tags, SHARED_NOISE)``, so that tags that vary
    together in the target regime get the same draw. Starts at 0 (shared filters white, no mixing; the owner draws
    the own filters ~N(0, 1e-3)) until :meth:`start`."""

    def __init__(self, n_tags: int):
        super().__init__()
        r, pad = SHARED_NOISE, NOISE_TAPS // 2
        self.n_tags = n_tags
        self.own = nn.Conv1d(n_tags, n_tags, NOISE_TAPS, padding=pad, groups=n_tags, bias=False)
        self.shared = nn.Conv1d(r, r, NOISE_TAPS, padding=pad, groups=r, bias=False)
        self.mix = nn.Parameter(torch.zeros(n_tags, r))
        nn.init.zeros_(self.shared.weight)
        with torch.no_grad():
            self.shared.weight[:, 0, pad] = 1.0  # white, until the game shapes it

    @torch.no_grad()
    def start(self, gain: Tensor, mix: Tensor) -> None:
        """White noise with per-tag ``gain`` ``(n_tags,)`` plus the shared channels mixed by ``mix``
        ``(n_tags, SHARED_NOISE)`` (:func:`~indgan.cyclegan.prepare.variability_start`)."""
        self.own.weight[:, 0, NOISE_TAPS // 2] += gain.float()
        self.mix.copy_(mix.float())

    def forward(self, noise: Tensor) -> Tensor:
        own = self.own(noise[..., : self.n_tags].transpose(1, 2))
        shared = self.shared(noise[..., self.n_tags :].transpose(1, 2))
        return (own + torch.einsum("tr,brs->bts", self.mix, shared)).transpose(1, 2)


class CycleGenerators(nn.Module):
    """Both generators as one module (one optimiser, one moving average, as CycleGAN updates them together), with
    what translating needs: the tags' standardisation (``shift``, ``scale``: encoded units, ``(n_tags,)``) and, per
    domain, the tags that never move there (``stuck_a``/``stuck_b`` bool and ``stuck_value_a``/``stuck_value_b``,
    ``(n_tags,)``, encoded units: a valve stuck under a fault comes out stuck at its value)."""

    def __init__(
        self,
        n_tags: int,
        context_dim: int,
        hidden: int,
        n_blocks: int,
        shift: Tensor,
        scale: Tensor,
        stuck: dict[str, tuple[Tensor, Tensor]],
        offset: Tensor | None = None,
        noise_start: dict[str, Tensor] | None = None,
    ):
        super().__init__()
        self.g_ab = TemporalGenerator(n_tags, context_dim, hidden, n_blocks)
        self.g_ba = TemporalGenerator(n_tags, context_dim, hidden, n_blocks)
        start = torch.zeros(n_tags) if offset is None else offset.float()
        #: Learned per-tag offsets of each direction (standardised units), started at the difference of the domains'
        #: means: the translation starts from the trivial one (shift each tag by the regimes' mean difference) and the
        #: game refines it window by window.
        self.offset_ab = nn.Parameter(start.clone())
        self.offset_ba = nn.Parameter(-start.clone())
        self.register_buffer("shift", shift)
        self.register_buffer("scale", scale)
        for d in ("a", "b"):
            self.register_buffer(f"stuck_{d}", stuck[d][0])
            self.register_buffer(f"stuck_value_{d}", stuck[d][1])
        #: Each direction's **variability**, keyed by the target domain (:class:`Variability`): a regime that differs
        #: from the other by how much its tags vary (random variation of a feed, a sticking valve) is not reached by
        #: a deterministic map of a calm log. Starts at ``noise_start`` (the step-change covariance the target domain
        #: has in excess), else near 0.
        self.spread = nn.ModuleDict({"b": Variability(n_tags), "a": Variability(n_tags)})
        for to in "ba":  # drawn after every layer exists: the random stream of the first version of this module
            nn.init.normal_(self.spread[to].own.weight, 0.0, 1e-3)
        if noise_start is not None:
            for to, key in (("b", "ab"), ("a", "ba")):
                self.spread[to].start(noise_start[key], noise_start[f"mix_{key}"])
        self.n_tags = n_tags

    @property
    def noise_channels(self) -> int:
        """Channels of the white noise :meth:`variability` reads: one per tag, then the shared ones."""
        return self.n_tags + SHARED_NOISE

    def inputs(self, x: Tensor, mask: Tensor, ctx: Tensor) -> Tensor:
        """Encoded tags ``x``, ``mask`` ``(batch, T, n_tags)`` and context ``(batch, T, context_dim)`` -> the
        networks' input ``(batch, T, 2 * n_tags + context_dim)``."""
        return torch.cat([(x - self.shift) / self.scale * mask, mask, ctx], -1)

    def variability(self, noise: Tensor, to: str) -> Tensor:
        """White noise ``(batch, T, noise_channels)`` -> the target regime's variability in encoded units,
        ``(batch, T, n_tags)`` (:class:`Variability`, times each tag's scale)."""
        return self.spread[to](noise) * self.scale

    def translate_pair(
        self, x: Tensor, mask: Tensor, ctx: Tensor, to: str, noise: Tensor | None
    ) -> tuple[Tensor, Tensor | None]:
        """The deterministic translation and, with ``noise`` ``(batch, T, noise_channels)``, the stochastic one (the
        same plus :meth:`variability`), from one pass of the network; encoded ``(batch, T, n_tags)``, the target
        domain's stuck tags at their value in both."""
        net, offset = (self.g_ab, self.offset_ab) if to == "b" else (self.g_ba, self.offset_ba)
        y = x * mask + (net(self.inputs(x, mask, ctx)) + offset) * self.scale
        stuck, value = (self.stuck_b, self.stuck_value_b) if to == "b" else (self.stuck_a, self.stuck_value_a)
        noisy = None if noise is None else torch.where(stuck, value, y + self.variability(noise, to))
        return torch.where(stuck, value, y), noisy

    def translate(self, x: Tensor, mask: Tensor, ctx: Tensor, to: str, noise: Tensor | None = None) -> Tensor:
        """Encoded windows of one domain -> the other (``to`` is ``"a"`` or ``"b"``), encoded ``(batch, T, n_tags)``;
        the target domain's stuck tags at their value; with ``noise`` (white, ``(batch, T, noise_channels)``) the
        target regime's variability added."""
        det, noisy = self.translate_pair(x, mask, ctx, to, noise)
        return det if noisy is None else noisy


class CycleDiscriminators(nn.Module):
    """Both discriminators as one module (the trainer's critic): ``d_a`` judges windows of domain A, ``d_b`` of B."""

    def __init__(self, in_dim: int, width: int):
        super().__init__()
        self.d_a = PatchDiscriminator(in_dim, width)
        self.d_b = PatchDiscriminator(in_dim, width)
