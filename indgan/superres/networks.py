"""The networks of the temporal super-resolution GAN, side by side, and the consistency projection.

- :class:`SRGenerator`: SRGAN's generator (Ledig et al., "Photo-Realistic Single Image Super-Resolution Using a
  Generative Adversarial Network", CVPR 2017, figure 4) in time instead of space: a wide first convolution
  (kernel 9) with PReLU, ``residual_blocks`` residual blocks (convolution, batch norm, PReLU, convolution, batch
  norm, identity skip) at the coarse resolution with a skip over the whole trunk, then one learned upsampling
  stage per prime factor of ``factor`` (a convolution to ``r`` times the channels and a 1-D sub-pixel shuffle,
  Shi et al. CVPR 2016, then PReLU), and an output convolution per stage (kernel 3 where SRGAN has 9: it runs
  at the fine resolution and was the costliest layer on a CPU). Noise enters at the coarse
  input and at every upsampling stage (channels of N(0, 1) per step), so one coarse history has many fine ones.
  The output is a correction on top of a smooth interpolation of the coarse sequence, scaled per tag by the
  spread of the detail the coarse data lose (:func:`detail_scale`), and it is projected onto the coarse data
  exactly (:func:`project`).
- :class:`SRDiscriminator`: judges fine windows together with their coarse windows (the coarse sequence and the
  conditions, repeated to the fine steps, are extra input channels): per resolution a 1x1 input convolution
  ("fromRGB") and a block of two convolutions with LeakyReLU (0.2) and average pooling down to the next
  resolution, then at the coarse resolution the minibatch standard deviation channel of Karras et al., a
  convolution, and SRGAN's two dense layers. ``features`` / ``head`` as the shared losses expect.
- Progressive growing (Karras, Aila, Laine, Lehtinen, "Progressive Growing of GANs for Improved Quality,
  Stability, and Variation", ICLR 2018): both networks take a ``stage`` (how many upsampling stages are in use)
  and an ``alpha`` in [0, 1]; while a stage is faded in, the new stage's output is blended with the previous
  stage's output repeated to the new resolution, and the discriminator blends its new input block with the
  previous input path on the average-pooled input, exactly as in the paper's figure 2.
- :class:`FeatureNet`: a small convolutional autoencoder of fine windows whose encoder is the feature space of
  the content loss: the stand-in for SRGAN's VGG19 features (no pretrained network of plant trajectories
  exists; this one is trained on the fine training windows before the game).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

COARSE_KINDS = ("mean", "sample")


# ---------------------------------------------------------------------------------------------- consistency
def project(fine: Tensor, coarse: Tensor, factor: int, kind: str) -> Tensor:
    """Make a fine sequence exactly consistent with its coarse summary (a projection: applying it twice changes
    nothing more).

    - ``kind="mean"``: every block of ``factor`` fine steps gets its mean error against the coarse value
      subtracted, so it averages exactly to the coarse value (the within-block shape is kept).
    - ``kind="sample"``: the coarse values are the fine steps ``0, factor, 2 * factor, ...``; the errors at those
      steps are interpolated linearly between them (held after the last) and subtracted, so the series passes
      exactly through the kept samples without a jump next to them.

    Both are linear in ``fine`` and ``coarse``, so they commute with a per-tag linear scaling: that is why this
    family standardises each tag linearly (see :mod:`indgan.superres.prepare`).

    Parameters
    ----------
    fine : torch.Tensor, shape (n, channels, n_coarse * factor)
    coarse : torch.Tensor, shape (n, channels, n_coarse)
    factor : int
    kind : {"mean", "sample"}

    Returns
    -------
    torch.Tensor
        ``(n, channels, n_coarse * factor)``, same dtype as ``fine``.

    Raises
    ------
    ValueError
        Shapes that do not match ``factor`` or an unknown ``kind``.
    """
    n, c, length = fine.shape
    if coarse.shape[:2] != (n, c) or coarse.shape[2] * factor != length:
        raise ValueError(f"fine {tuple(fine.shape)} and coarse {tuple(coarse.shape)} do not match factor {factor}")
    if kind == "mean":
        blocks = fine.reshape(n, c, -1, factor)
        error = blocks.mean(-1, keepdim=True) - coarse[..., None]
        return (blocks - error).reshape(n, c, length)
    if kind == "sample":
        error = fine[..., ::factor] - coarse  # (n, c, L)
        nxt = torch.cat([error[..., 1:], error[..., -1:]], -1)  # held after the last kept sample
        w = torch.arange(factor, device=fine.device, dtype=fine.dtype) / factor
        corr = error[..., None] * (1 - w) + nxt[..., None] * w  # (n, c, L, factor)
        return fine - corr.reshape(n, c, length)
    raise ValueError(f"unknown coarse kind {kind!r}; use one of {COARSE_KINDS}")


def flat_steps(coarse: Tensor, factor: int, kind: str) -> Tensor:
    """Where the archive says a tag did not move, ``(n, channels, L * factor)`` bool for ``coarse``
    ``(n, channels, L)``: with ``kind="mean"`` every fine step of a block whose mean equals a neighbouring block's
    mean exactly (a noisy or moving signal almost never repeats a block mean to the last bit; a held, stuck or
    idle tag does), with ``kind="sample"`` the fine steps between two equal kept samples. :func:`hold_flat` holds
    the fine series there: the spline does (it is flat between equal values) and the generator's texture must not
    add noise to a tag the archive shows at rest (the plant logs' held-out range has 16 of 83 tags flat for most
    of their steps)."""
    same = coarse[..., 1:] == coarse[..., :-1]  # (n, c, L - 1): step k equals step k + 1
    pad = torch.zeros_like(coarse[..., :1], dtype=torch.bool)
    flat = torch.cat([same, pad], -1)  # equal to the next (samples: the stretch up to it)
    if kind == "mean":
        flat = flat | torch.cat([pad, same], -1)  # or to the previous block
    return repeat(flat, factor)


def hold_flat(fine: Tensor, coarse: Tensor, factor: int, kind: str) -> Tensor:
    """``fine`` ``(n, channels, L * factor)`` with the steps of :func:`flat_steps` at their block's coarse value
    (consistent with the archive by construction: a block at its mean averages to it; a stretch between two equal
    kept samples passes through them)."""
    return torch.where(flat_steps(coarse, factor, kind), repeat(coarse, factor), fine)


def honour(fine: Tensor, coarse: Tensor, factor: int, kind: str) -> Tensor:
    """``fine`` ``(n, channels, L * factor)`` made to honour ``coarse`` ``(n, channels, L)``: projected onto it
    (:func:`project`), then held where the archive shows a tag at rest (:func:`hold_flat`). The generator's last
    step, and :meth:`~indgan.superres.SuperResolutionGAN.upsample`'s again in float64 user units."""
    return hold_flat(project(fine, coarse, factor, kind), coarse, factor, kind)


def interpolate(coarse: Tensor, factor: int, kind: str, back_projections: int = 8) -> Tensor:
    """A smooth interpolation of ``coarse`` ``(n, channels, L)`` to ``(n, channels, L * factor)``, the base the
    generator's output corrects. Kept samples: linear through the kept steps (held after the last). Block means:
    linear through the block centres, then ``back_projections`` rounds of iterative back-projection (Irani and
    Peleg, "Improving resolution by image registration", 1991): the interpolated block-mean errors are added
    back (the largest error about halves each round: 0.43 -> 0.001 of a random walk's step after 8 rounds), which
    leaves a smooth curve whose block means are nearly the coarse values, so the exact projection after the
    generator hardly has to step at the block edges."""
    if factor == 1:
        return coarse
    if kind == "mean":

        def lin(c: Tensor) -> Tensor:
            return F.interpolate(c, scale_factor=factor, mode="linear", align_corners=False)

        base = lin(coarse)
        for _ in range(back_projections):
            base = base + lin(coarse - downsample(base, factor, kind))
        return base
    nxt = torch.cat([coarse[..., 1:], coarse[..., -1:]], -1)
    w = torch.arange(factor, device=coarse.device, dtype=coarse.dtype) / factor
    return (coarse[..., None] * (1 - w) + nxt[..., None] * w).flatten(-2)


def downsample(fine: Tensor, factor: int, kind: str) -> Tensor:
    """The coarse summary of ``fine`` ``(n, channels, L * factor)``: block means or every ``factor``-th step,
    ``(n, channels, L)``."""
    if factor == 1:
        return fine
    if kind == "mean":
        return fine.reshape(fine.shape[0], fine.shape[1], -1, factor).mean(-1)
    return fine[..., ::factor]


def repeat(x: Tensor, factor: int) -> Tensor:
    """Each step ``factor`` times: ``(n, c, L)`` -> ``(n, c, L * factor)``."""
    return x if factor == 1 else x.repeat_interleave(factor, dim=-1)


def detail_scale(fine: Tensor, factor: int, kind: str, floor: float = 1e-3, robust: bool = False) -> Tensor:
    """Per-tag spread of the detail the coarse data lose: the standard deviation of ``fine - interpolate(coarse)``
    over windows ``fine`` ``(n, channels, L * factor)``, floored, ``(channels,)``. The generator's corrections are
    scaled by it, so a unit of the network's output is a tag's typical detail: a smooth tag (little power above
    the coarse Nyquist frequency) cannot get the texture of a noisy one while the networks learn which is which
    (without it, short trainings on TEP gave smooth tags 30 to 300 times their real high-frequency power).

    ``robust``: 1.4826 x the median absolute deviation instead (the standard deviation for Gaussian detail), so
    that rare large details (a wind direction's turn past north, where a block mean of 359 and 1 is 180; a
    setpoint change) do not set the texture of every other block."""
    detail = fine - interpolate(downsample(fine, factor, kind), factor, kind)
    d = detail.transpose(0, 1).reshape(fine.shape[1], -1)
    if robust:
        return (1.4826 * (d - d.median(1, keepdim=True).values).abs().median(1).values).clamp_min(floor)
    return d.std(1).clamp_min(floor)


#: A tag's detail spread follows its activity (:func:`detail_table`) only where the busiest share's spread is at
#: least this many times the quietest's; below, one spread. Measured at x4 block means (300 iterations, seed 0):
#: the profile on every tag raised the plant logs' step shapes 0.817 -> 0.888 and moved the dryer's
#: high-frequency ratio 1.85 -> 0.97, but halved TEP's (0.80 -> 0.49; a quarter of the profile: 0.47), where 9
#: in 10 tags vary by less than 12x and most by about 2x; with this gate (9 of TEP's 52 tags, 68 of the plant
#: logs' 83) TEP's ratio was 0.57 and the plant logs' steps 0.887.
PROFILE_MIN_RATIO = 10.0


def activity(coarse: Tensor) -> Tensor:
    """How much each tag moves around each coarse step: the mean absolute difference to the neighbouring coarse
    values (one neighbour at the ends), ``(n, channels, L)`` for ``coarse`` ``(n, channels, L)``, in its units."""
    if coarse.shape[-1] < 2:
        return torch.zeros_like(coarse)
    d = (coarse[..., 1:] - coarse[..., :-1]).abs()
    before = torch.cat([d[..., :1], d], -1)
    after = torch.cat([d, d[..., -1:]], -1)
    return (before + after) / 2


def detail_table(
    fine: Tensor, factor: int, kind: str, bins: int = 8, floor: float = 1e-3, robust: bool = False
) -> tuple[Tensor, Tensor]:
    """The spread of the detail the coarse data lose, per tag, as a function of how much the tag moves: the
    coarse steps of the windows ``fine`` ``(n, channels, L * factor)`` sorted by :func:`activity` and cut into
    ``bins`` shares of equal size; per share the median activity (``centres``) and the detail spread
    (``scales``, floored), each ``(channels, bins)``. A share's spread is :func:`detail_scale` (``robust`` as
    there) times the root mean
    square of the fine steps around their block's mean in that share over the same in all shares: the spread
    within a block is what the coarse data cannot tell, and for a sensor with white noise it does not depend on
    how far the block means move (the mean and the deviations of Gaussian samples are independent), so such a tag
    gets the same spread in every share (a profile of the detail itself would not be flat: the interpolation's
    own error grows with the activity).

    A plant tag's detail is rarely one spread: the plant logs' tag76 has a detail spread of 0.26 over its training
    windows, nearly all of it in a few transitions, and a median |detail| of 0.0003; a single spread
    (:func:`detail_scale`) made every quiet stretch 30 times too rough."""
    coarse = downsample(fine, factor, kind)
    n, c, length = coarse.shape
    blocks = fine.reshape(n, c, length, factor)
    within = (blocks - blocks.mean(-1, keepdim=True)).pow(2).mean(-1).transpose(0, 1).reshape(c, -1)  # (c, n * L)
    act = activity(coarse).transpose(0, 1).reshape(c, -1)
    bins = max(1, min(bins, act.shape[1]))
    order = act.argsort(1)
    shares = torch.tensor_split(torch.arange(act.shape[1], device=fine.device), bins)
    centres = torch.stack([act.gather(1, order[:, s]).median(1).values for s in shares], 1)
    power = torch.stack([within.gather(1, order[:, s]).mean(1) for s in shares], 1)
    profile = (power / within.mean(1, keepdim=True).clamp_min(1e-24)).sqrt()
    varies = profile.amax(1) >= PROFILE_MIN_RATIO * profile.amin(1)
    profile = torch.where(varies[:, None], profile, torch.ones_like(profile))
    return centres, (detail_scale(fine, factor, kind, floor, robust)[:, None] * profile).clamp_min(floor)


def table_scale(act: Tensor, centres: Tensor, scales: Tensor) -> Tensor:
    """The detail spread at activity ``act`` ``(n, channels, L)`` from a :func:`detail_table`: linear between the
    shares' median activities, held beyond the first and the last; ``(n, channels, L)``."""
    if centres.shape[1] == 1:
        return scales[None, :, :1].expand_as(act)
    c = centres[None].expand(act.shape[0], -1, -1).contiguous()  # (n, channels, bins)
    k = torch.searchsorted(c, act.contiguous()).clamp(1, centres.shape[1] - 1)  # right end of the segment
    x0, x1 = c.gather(2, k - 1), c.gather(2, k)
    s = scales[None].expand_as(c)
    y0, y1 = s.gather(2, k - 1), s.gather(2, k)
    w = ((act - x0) / (x1 - x0).clamp_min(1e-12)).clamp(0.0, 1.0)
    return y0 + w * (y1 - y0)


def prime_factors(n: int) -> list[int]:
    """``8`` -> ``[2, 2, 2]``, ``60`` -> ``[2, 2, 3, 5]``: the upsampling stages of a factor."""
    out, p = [], 2
    while n > 1:
        while n % p == 0:
            out.append(p)
            n //= p
        p += 1
    return out


# ---------------------------------------------------------------------------------------------- generator
class ResidualBlock(nn.Module):
    """SRGAN's residual block in 1-D: conv(k3) - BN - PReLU - conv(k3) - BN, plus the input."""

    def __init__(self, channels: int, batch_norm: bool = True):
        super().__init__()
        norm = (lambda: nn.BatchNorm1d(channels)) if batch_norm else nn.Identity
        self.body = nn.Sequential(
            nn.Conv1d(channels, channels, 3, padding=1),
            norm(),
            nn.PReLU(channels),
            nn.Conv1d(channels, channels, 3, padding=1),
            norm(),
        )

    def forward(self, x: Tensor) -> Tensor:
        return x + self.body(x)


class PixelShuffle1d(nn.Module):
    """Sub-pixel shuffle in time (Shi et al. 2016): ``(n, c * r, L)`` -> ``(n, c, L * r)``."""

    def __init__(self, r: int):
        super().__init__()
        self.r = r

    def forward(self, x: Tensor) -> Tensor:
        n, cr, length = x.shape
        return x.reshape(n, cr // self.r, self.r, length).permute(0, 1, 3, 2).reshape(n, cr // self.r, length * self.r)


class UpsampleStage(nn.Module):
    """One learned temporal upsampling by ``r`` (SRGAN's upsampling block): the features and this stage's noise ->
    conv(k3) to ``r`` times the channels -> sub-pixel shuffle -> PReLU."""

    def __init__(self, channels: int, noise_dim: int, r: int, batch_norm: bool):
        super().__init__()
        self.r = r
        self.net = nn.Sequential(
            nn.Conv1d(channels + noise_dim, channels * r, 3, padding=1), PixelShuffle1d(r), nn.PReLU(channels)
        )

    def forward(self, h: Tensor, noise: Tensor) -> Tensor:
        return self.net(torch.cat([h, noise], 1))


class SRGenerator(nn.Module):
    """Coarse sequence, conditions and noise -> fine sequence (see the module docstring).

    Parameters
    ----------
    dim : int
        Tags (channels of the coarse and fine sequences).
    cond_dim : int
        Encoded condition channels at the coarse steps.
    factors : list of int
        Upsampling of each stage (the prime factors of the total factor).
    kind : {"mean", "sample"}
        What the coarse values are (decides the interpolation and the projection).
    channels, residual_blocks, noise_dim : int
    batch_norm : bool
    """

    def __init__(
        self,
        dim: int,
        cond_dim: int,
        factors: list[int],
        kind: str,
        channels: int = 64,
        residual_blocks: int = 8,
        noise_dim: int = 8,
        batch_norm: bool = True,
    ):
        super().__init__()
        self.dim, self.cond_dim, self.factors, self.kind, self.noise_dim = dim, cond_dim, list(factors), kind, noise_dim
        self.head = nn.Sequential(nn.Conv1d(dim + cond_dim + noise_dim, channels, 9, padding=4), nn.PReLU(channels))
        norm = nn.BatchNorm1d(channels) if batch_norm else nn.Identity()
        self.trunk = nn.Sequential(
            *[ResidualBlock(channels, batch_norm) for _ in range(residual_blocks)],
            nn.Conv1d(channels, channels, 3, padding=1),
            norm,
        )
        self.ups = nn.ModuleList([UpsampleStage(channels, noise_dim, r, batch_norm) for r in factors])
        self.to_out = nn.ModuleList([nn.Conv1d(channels, dim, 3, padding=1) for _ in factors])
        for conv in self.to_out:  # start from the interpolation: the corrections begin near zero
            nn.init.normal_(conv.weight, 0.0, 1e-3)
            nn.init.zeros_(conv.bias)
        #: Per-tag scale of the corrections (:func:`detail_scale`), set from the training windows.
        self.register_buffer("out_scale", torch.ones(dim))
        #: The same scale as a function of the tag's local activity (:func:`detail_table`): ``(dim, bins)`` median
        #: activities and detail spreads. One share (a model saved before the table) is ``out_scale`` everywhere.
        self.register_buffer("scale_centres", torch.zeros(dim, 1))
        self.register_buffer("scale_values", torch.ones(dim, 1))
        #: Learned per-tag gain of independent noise added to each tag's output (StyleGAN's per-channel noise
        #: inputs, Karras, Laine, Aila, CVPR 2019): sensor noise is independent between tags, which noise mixed
        #: through shared channels cannot give. Starts at 0: the MSE warm-up keeps it there, the game raises it.
        self.noise_gain = nn.Parameter(torch.zeros(dim))

    def set_scale(self, fine: Tensor, factor: int, bins: int = 8, robust: bool = False) -> None:
        """Set the corrections' scales from the training windows ``fine`` ``(n, dim, L * factor)``
        (:func:`detail_scale`, :func:`detail_table` with ``bins`` shares; 1: one spread per tag; ``robust`` as
        there)."""
        self.out_scale.copy_(detail_scale(fine, factor, self.kind, robust=robust))
        if bins == 1:
            self.scale_centres = torch.zeros_like(self.out_scale)[:, None]
            self.scale_values = self.out_scale[:, None].clone()
            return
        centres, scales = detail_table(fine, factor, self.kind, bins, robust=robust)
        self.scale_centres, self.scale_values = centres.to(self.out_scale), scales.to(self.out_scale)

    def local_scale(self, coarse: Tensor, res: int) -> Tensor:
        """The corrections' scale at each fine step, ``(n, dim, L * res)`` for ``coarse`` ``(n, dim, L)``: the
        detail spread at the tag's activity around each coarse step (:func:`table_scale`), linear in between.
        The table is of the full factor's detail; an intermediate stage of progressive growing uses it too."""
        if self.scale_values.shape[1] == 1:  # one spread (detail_profile="flat", or a model saved before the table)
            return self.scale_values[None].expand(coarse.shape[0], -1, coarse.shape[-1] * res)
        s = table_scale(activity(coarse), self.scale_centres, self.scale_values)
        if res == 1:
            return s
        return F.interpolate(s, scale_factor=res, mode="linear", align_corners=False)

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        for name in ("scale_centres", "scale_values"):  # a model saved before the table: one share
            if prefix + name not in state_dict and prefix + "out_scale" in state_dict:
                out = state_dict[prefix + "out_scale"]
                state_dict[prefix + name] = (torch.zeros_like(out) if name == "scale_centres" else out)[:, None]
        for name in ("scale_centres", "scale_values"):  # the table's size is the saved one's
            if prefix + name in state_dict:
                setattr(self, name, torch.empty_like(state_dict[prefix + name]).to(self.out_scale.device))
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    def resolution(self, stage: int) -> int:
        """Fine steps per coarse step after ``stage`` upsampling stages."""
        out = 1
        for r in self.factors[:stage]:
            out *= r
        return out

    def noise(self, n: int, length: int, stage: int, device, generator: torch.Generator | None = None) -> list[Tensor]:
        """The noise inputs for ``n`` sequences of ``length`` coarse steps: ``(n, noise_dim, length)`` for the
        coarse input, ``(n, noise_dim, length * R_k)`` at the input of each upsampling stage ``k < stage``, and
        ``(n, dim, length * R_stage)``, one independent series per tag, at the output."""
        out = [
            torch.randn(n, self.noise_dim, length * self.resolution(k), device=device, generator=generator)
            for k in [0, *range(stage)]
        ]
        return [*out, torch.randn(n, self.dim, length * self.resolution(stage), device=device, generator=generator)]

    def forward(
        self, coarse: Tensor, cond: Tensor, noise: list[Tensor], stage: int | None = None, alpha: float = 1.0
    ) -> Tensor:
        """``coarse`` ``(n, dim, L)``, ``cond`` ``(n, cond_dim, L)``, ``noise`` from :meth:`noise` ->
        ``(n, dim, L * R_stage)`` projected onto ``coarse`` (``stage`` defaults to every stage)."""
        stage = len(self.factors) if stage is None else stage
        h = self.head(torch.cat([coarse, cond, noise[0]], 1))
        h = h + self.trunk(h)
        prev = None
        for k in range(stage):
            if k == stage - 1 and alpha < 1.0 and k > 0:
                prev = self.to_out[k - 1](h)
            h = self.ups[k](h, noise[k + 1])
        res = self.resolution(stage)
        y = self.to_out[stage - 1](h)
        if prev is not None:  # fading the new stage in (Karras et al. 2018, figure 2)
            y = (1.0 - alpha) * repeat(prev, self.factors[stage - 1]) + alpha * y
        y = y + self.noise_gain[None, :, None] * noise[stage + 1]
        y = interpolate(coarse, res, self.kind) + self.local_scale(coarse, res) * y
        return honour(y, coarse, res, self.kind)


# ---------------------------------------------------------------------------------------------- discriminator
class MinibatchStd(nn.Module):
    """Karras et al. 2018, section 3: the standard deviation of each feature over the batch, averaged to one
    number, appended as a constant channel (the discriminator sees the variety of a batch)."""

    def forward(self, x: Tensor) -> Tensor:
        std = x.std(0, unbiased=False).mean() if x.shape[0] > 1 else x.new_zeros(())
        return torch.cat([x, std.expand(x.shape[0], 1, x.shape[2])], 1)


class _DiscriminatorFeatures(nn.Module):
    """Input ``(n, 2 * dim + cond_dim, L * R_stage)`` -> the last hidden layer ``(n, hidden)``."""

    def __init__(self, in_dim: int, factors: list[int], window: int, channels: int, hidden: int):
        super().__init__()
        self.factors = list(factors)
        act = lambda: nn.LeakyReLU(0.2)
        self.from_in = nn.ModuleList(
            [nn.Sequential(nn.Conv1d(in_dim, channels, 1), act()) for _ in range(len(factors) + 1)]
        )
        self.blocks = nn.ModuleList(
            [
                nn.Sequential(
                    nn.Conv1d(channels, channels, 3, padding=1),
                    act(),
                    nn.Conv1d(channels, channels, 3, padding=1),
                    act(),
                    nn.AvgPool1d(r),
                )
                for r in factors
            ]
        )
        self.trunk = nn.Sequential(
            MinibatchStd(),
            nn.Conv1d(channels + 1, channels, 3, padding=1),
            act(),
            nn.Flatten(),
            nn.Linear(channels * window, hidden),
            act(),
        )
        self.stage, self.alpha = len(factors), 1.0

    def forward(self, x: Tensor) -> Tensor:
        s = self.stage
        h = self.from_in[s](x)
        if s > 0:
            h = self.blocks[s - 1](h)
            if self.alpha < 1.0 and s > 1:
                old = self.from_in[s - 1](F.avg_pool1d(x, self.factors[s - 1]))
                h = (1.0 - self.alpha) * old + self.alpha * h
            for k in range(s - 2, -1, -1):
                h = self.blocks[k](h)
        return self.trunk(h)


class SRDiscriminator(nn.Module):
    """Fine window and its coarse window -> one logit ``(n, 1)``; ``set_stage`` chooses the resolution it judges
    (progressive growing). See the module docstring."""

    def __init__(self, dim: int, cond_dim: int, factors: list[int], window: int, channels: int = 64, hidden: int = 256):
        super().__init__()
        self.features = _DiscriminatorFeatures(2 * dim + cond_dim, factors, window, channels, hidden)
        self.head = nn.Linear(hidden, 1)

    def set_stage(self, stage: int, alpha: float = 1.0) -> None:
        self.features.stage, self.features.alpha = int(stage), float(alpha)

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.features(x))


def critic_input(fine: Tensor, coarse: Tensor, cond: Tensor) -> Tensor:
    """The discriminator's input: fine ``(n, dim, L * R)`` with the coarse ``(n, dim, L)`` and conditions
    ``(n, cond_dim, L)`` repeated to its steps, ``(n, 2 * dim + cond_dim, L * R)``."""
    r = fine.shape[-1] // coarse.shape[-1]
    return torch.cat([fine, repeat(coarse, r), repeat(cond, r)], 1)


# ---------------------------------------------------------------------------------------------- content features
class FeatureNet(nn.Module):
    """A convolutional autoencoder of fine windows ``(n, dim, T)`` (T even); ``encode`` gives the feature maps
    ``(n, channels, T / 2)`` of the content loss (the stand-in for SRGAN's VGG features)."""

    def __init__(self, dim: int, channels: int = 64):
        super().__init__()
        act = lambda: nn.LeakyReLU(0.2)
        self.encoder = nn.Sequential(
            nn.Conv1d(dim, channels, 5, padding=2),
            act(),
            nn.Conv1d(channels, channels, 4, stride=2, padding=1),
            act(),
            nn.Conv1d(channels, channels, 3, padding=1),
        )
        self.decoder = nn.Sequential(
            act(),
            nn.ConvTranspose1d(channels, channels, 4, stride=2, padding=1),
            act(),
            nn.Conv1d(channels, dim, 5, padding=2),
        )

    def encode(self, x: Tensor) -> Tensor:
        return self.encoder(x)

    def forward(self, x: Tensor) -> Tensor:
        return self.decoder(self.encoder(x))
