"""Temporal super-resolution GAN: fine-grained history from coarse historian archives.

SRGAN (Ledig et al., "Photo-Realistic Single Image Super-Resolution Using a Generative Adversarial Network",
CVPR 2017) in time: from the periods where the fine log exists, the model learns how fine trajectories look
given their coarse summary (block means of ``factor`` steps, or every ``factor``-th sample), and generates
them for periods that only have the coarse archive, **exactly consistent** with it.

- **Generator** (:class:`~indgan.superres.networks.SRGenerator`): coarse sequence, conditions and noise ->
  residual 1-D convolution blocks -> one learned sub-pixel upsampling stage per prime factor of ``factor`` ->
  a correction on top of a smooth interpolation of the coarse sequence (linear, with iterative back-projection
  for means), scaled per tag by the spread of the detail the coarse data lose, plus independent per-tag noise
  with a learned gain (sensor noise) -> the **consistency projection**
  (:func:`~indgan.superres.networks.project`): with ``coarse="mean"`` every block of ``factor`` generated steps
  averages exactly to its coarse value, with ``coarse="sample"`` the series passes exactly through the kept
  samples. It is part of the generator, so training sees it; it holds in the standardised space and, because
  every tag is scaled linearly (:mod:`indgan.superres.prepare`), in user units (re-applied there in float64).
- **Discriminator**: fine windows judged together with their coarse windows and conditions.
- **Flat stretches stay flat** (:func:`~indgan.superres.networks.hold_flat`): where a block mean equals a
  neighbouring block's exactly (or two kept samples are equal) the archive says the tag did not move, and the fine
  steps hold that value instead of getting texture.
- **Sampled-and-held tags stay staircases** (``sample_hold=True``; :mod:`indgan.superres.staircase`): an analyser
  or lab value that the training log holds for a fixed number of steps between updates
  (:func:`~indgan.timegrid.detect_sample_hold`) is upsampled as the staircase nearest the generated series that
  honours the coarse data, its phase the one that fits them; a tag that holds still on at least 30% of its fine
  training steps at irregular times (a historian's deadband, a drive that moves only past a threshold) is held in
  runs that honour the coarse data on as large a share of its steps (``deadband=True``).
- **Losses** (SRGAN's perceptual loss ``content + w * adversarial``): the content loss is the MSE between
  feature maps of a convolutional autoencoder trained on the fine training windows before the game (the
  stand-in for SRGAN's VGG19 features: there is no pretrained network of plant trajectories), the adversarial
  loss one of :data:`indgan.losses.LOSSES` (SRGAN's is the non-saturating one, the default) through the shared
  :class:`~indgan.training.AdversarialTrainer`, plus a **spectral loss** (``spectral_weight``: the generated
  detail's per-tag power spectrum against the real one's, as log ratios; the texture's power at every frequency,
  which a short game does not calibrate). As in SRGAN, the generator is first trained with the pixel MSE
  (SRResNet) and the game starts from it. ``adversarial_weight=0`` trains the same generator with the MSE only:
  the **SRResNet baseline**.
- **Progressive growing** (Karras et al., "Progressive Growing of GANs for Improved Quality, Stability, and
  Variation", ICLR 2018), ``progressive=True``: the stages are trained one after another, factor 2 first, then
  4, then 8 (the prime factors of ``factor``): the generator's output and the discriminator's input grow by one
  stage at a time, the new layers faded in linearly over the first half of their stage (``alpha`` 0 -> 1, the
  real windows blended between the two resolutions the same way); each stage gets an equal share of the
  training, starting with its SRResNet warm-up.

Every fine step carries its coarse row's conditions, categorical tags and status columns; only continuous tags
are super-resolved. The data path is the shared time grid (:mod:`indgan.timegrid`) and schema.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from time import perf_counter
from typing import ClassVar

import numpy as np
import pandas as pd
import torch
from torch import Tensor

from ..base import FitInfo, FittedModel, require_frame
from ..budget import budget_seconds, check_training_length
from ..encoding import RangeEncoder
from ..errors import ConfigError, check_positive_float, check_positive_int
from ..losses import LOSSES, AdversarialLoss, loss_class
from ..persist import split_state
from ..schema import Schema, time_values
from ..stats import step_changes
from ..timegrid import as_times, detect_sample_hold, prepare_log
from ..training import (
    AdversarialTrainer,
    TrainingSummary,
    minimise,
)
from .game import SRGame, SRWindows, fade_schedule, pixel_loss, reconstruction_loss
from .networks import (
    COARSE_KINDS,
    FeatureNet,
    SRDiscriminator,
    SRGenerator,
    honour,
    prime_factors,
)
from .prepare import TagScaler, held_constant, prepare_coarse, prepare_fine
from .staircase import HOLD_SHARE, deadband_hold, staircase


@dataclass
class SuperResolutionFitInfo(FitInfo):
    """What a :class:`SuperResolutionGAN` fit learned (``fit_info_``)."""

    source: str = "table"
    n_rows: int = 0
    n_steps: int = 0
    n_windows: int = 0
    n_left_out: int = 0
    window: int = 0
    factor: int = 0
    factors: list = field(default_factory=list)
    coarse: str = "mean"
    tags: list = field(default_factory=list)
    carried: list = field(default_factory=list)
    conditions: list = field(default_factory=list)
    dim: int = 0
    cond_dim: int = 0
    batch_size: int = 0
    interval: float = 1.0
    time_column: str = "time"
    time_dtype: str = "float64"
    entity_column: str | None = None
    progressive: bool = False
    content_loss: str = "features"
    stages: list = field(default_factory=list)
    feature_seconds: float = 0.0
    prepare_seconds: float = 0.0
    held: list = field(default_factory=list)
    deadband: list = field(default_factory=list)


#: ``detail_profile`` -> the shares of the generator's detail table (1: one spread per tag).
DETAIL_PROFILES = {"flat": 1, "activity": 8}
#: ``detail_spread``: how the spread of the lost detail that scales the texture is measured.
DETAIL_SPREADS = ("std", "robust")


class SuperResolutionGAN(FittedModel):
    """SRGAN with progressive growing for time series: coarse archives -> fine histories (see the module
    docstring for the method).

    Parameters
    ----------
    factor : int, default 8
        Fine steps per coarse step (e.g. 8 for 24-min means of a 3-min log; 60 for hourly means of a 1-min log).
        The upsampling stages are its prime factors (8 -> 2, 2, 2).
    coarse : {"mean", "sample"}, default "mean"
        What the coarse data hold: block means of ``factor`` fine steps (an averaged archive), or every
        ``factor``-th sample (a thinned archive). A coarse row is timestamped at its block's first fine step.
    window : int, optional
        Coarse steps per training window (the discriminator sees ``window * factor`` fine steps); default 16,
        fewer when the entities are short. Coarse data must have at least ``window`` steps per entity.
    stride : int, optional
        Fine steps between training window starts (default a quarter window).
    channels : int, default 64
        Feature channels of the generator and discriminator (SRGAN's 64).
    residual_blocks : int, default 8
        Residual blocks of the generator's trunk (SRGAN has 16 for images; 8 keep a step fast on a CPU).
    noise_dim : int, default 8
        Noise channels at the coarse input and at every upsampling stage.
    batch_norm : bool, default True
        Batch normalisation in the residual blocks, as in SRGAN.
    adversarial_weight : float, default 1e-3
        ``w`` in SRGAN's ``content + w * adversarial`` (SRGAN's 1e-3). 0: the MSE-only SRResNet baseline.
    content_loss : {"auto", "features", "mse"}, default "auto"
        The content term of the game: ``"features"`` (SRGAN's feature-space MSE; the default with a GAN) or
        ``"mse"`` (the pixel MSE; always the case with ``adversarial_weight=0``).
    spectral_weight : float, default 1.0
        Weight of the spectral loss added to the content term (:func:`indgan.superres.game.spectral_loss`: the mean
        squared log ratio of the generated and real per-tag power spectra of the detail the coarse data lose); 0
        leaves SRGAN's loss alone. Measured with ``OMP_NUM_THREADS=1 python benchmarks/super_resolution.py
        --spectral-weight {0,1} --disc-repeats 3`` (2026-12-06): without it the texture had 21x the real power at
        the fine Nyquist frequency and a zig-zag (lag-1 autocorrelation of the steps -0.73, real -0.01), and TimeGAN's
        discriminative score on TEP was 0.26-0.43 against the spline's 0.03-0.16; with it 0.10-0.14 (at x4 means
        0.098, below the spline's 0.159). 0.1 and 1 gave the same scores on TEP x4. Figures and the targets it does
        not meet: benchmarks/README.md.
    correlation_weight : float, default 0.0
        Weight of a loss on how the texture moves across tags (:func:`indgan.superres.game.correlation_loss`: the mean
        squared difference of the generated and real cross-tag correlation matrices of the lost detail), added to the
        content term; 0 leaves it out. The generator's texture comes through channels shared by all tags and moves them
        together. Measured with ``OMP_NUM_THREADS=1 python benchmarks/super_resolution.py --datasets
        tep,plant,dryer,biglog --skip-progressive --disc-repeats 3 [--correlation-weight 30]`` (2026-12-07, the two side
        by side): the detail's correlation gap to the real one over tag pairs is 0.29-0.59 at 0 (the real held-out
        halves differ by 0.04-0.28) and 0.12-0.19 at 30, in all 14 settings. Not the default: TimeGAN's discriminative
        score rose with it on TEP in all 4 settings (0.08-0.24 -> 0.27-0.33) and on the plant logs in 3 of 4 (x4 samples
        fell, 0.19 -> 0.07). Use it when the fine texture of related tags matters (redundant sensors, a flow and its
        valve), and check the result. Re-measured with ``detail_spread="robust"`` (2026-12-08, seed 0, the
        benchmark's scale, 10 repeats; the spline's score in brackets): without it, La Haute Borne's texture moves
        each turbine's power against its wind speed (detail correlation -0.53 to +0.22; real +0.74 to +0.77), and at
        30 with it (+0.72 to +0.94): x6 means 0.134 -> 0.072 (0.041), x6 samples 0.185 -> 0.124 (0.041). On TEP it
        rises again: x4 means 0.116 -> 0.261 (0.177; seed 1: 0.150 -> 0.268), x4 samples 0.143 -> 0.302 (0.071), x8
        samples 0.218 -> 0.336 (0.091); the plant logs' x4 means 0.150 -> 0.271 (0.336); their x4 samples and the
        dryer's x4 means within 0.02. At 3, in between. Also measured there and left out: the loss on the pairs the
        real batch correlates at >= 0.3 only (TEP x4 means 0.200, La Haute Borne 0.114); without the tags the
        real batch holds on >= 30% of its steps (TEP x4 means 0.239, the plant logs' 0.207); the correlation's
        normaliser held fixed (La Haute Borne 0.036, at the spline's, but only by shrinking the texture: HF power
        ratio 0.14; TEP x4 means 0.202).
    detail_profile : {"flat", "activity"}, default "flat"
        How the scale of the generated texture is set per tag: ``"flat"``, one spread of the detail the coarse data lose
        (:func:`~indgan.superres.networks.detail_scale`); ``"activity"``, that spread as a function of how much the
        tag's coarse values move (:func:`~indgan.superres.networks.detail_table`, 8 shares, for tags whose spread varies
        by 10x or more between their quietest and busiest stretches), for historian logs whose tags sit still for hours
        and move in bursts. Measured at x4 (benchmark scale, seed 0, 2026-12-07, ``benchmarks/super_resolution.py
        --detail-profile activity --disc-repeats 3``): the plant logs' block means, step shapes 0.817 -> 0.887 (spline
        0.858); their kept samples, discriminative score 0.333 -> 0.095 and step shapes 0.784 -> 0.861; the dryer's
        means, step shapes 0.748 -> 0.845 and high-frequency ratio 1.85 -> 0.97; but TEP's high-frequency ratio 0.80 ->
        0.57 and, on La Haute Borne's wind log (x6, not tuned on), the discriminative score 0.148 -> 0.365: so it is not
        the default.
    detail_spread : {"std", "robust"}, default "std"
        How that spread is measured (:func:`~indgan.superres.networks.detail_scale`): the standard deviation of the
        detail, or 1.4826 x its median absolute deviation, which rare large details (an angle's turn past north, a
        setpoint change) do not inflate. Measured with ``OMP_NUM_THREADS=1 python benchmarks/super_resolution.py
        --datasets tep,plant,dryer,biglog --skip-progressive --detail-spread robust`` (2026-12-07, 10 repeats,
        against the same day's table at "std"): TimeGAN's discriminative score lower in 10 of 14 settings (at or
        below the spline's in 9, against 6; La Haute Borne x6 means 0.156 -> 0.108, where the four wind directions'
        turns past north had set their texture: with the spline on those four tags alone the SRGAN's score was 0.030)
        and step shapes higher in 9; but the high-frequency power ratio in [0.8, 1.25] in 4 settings (against 6) and
        the RMSE within 1.2x the spline's in 7 (against 9). A trade, not a gain: not the default.
    sample_hold : bool, default True
        Upsample the tags that the training log holds for a fixed number of steps between updates (analysers, lab
        values: :func:`~indgan.timegrid.detect_sample_hold`) as staircases that honour the coarse data
        (:mod:`indgan.superres.staircase`); ``fit_info_.held`` lists them with their period and training phase.
    deadband : bool, default True
        Hold the tags that hold still on at least :data:`~indgan.superres.staircase.HOLD_SHARE` of their fine training
        steps (and are not sampled and held) in runs that honour the coarse data, on as large a share of their steps
        (:func:`~indgan.superres.staircase.deadband_hold`); ``fit_info_.deadband`` lists them with that share.
    progressive : bool, default False
        Grow the networks stage by stage (Karras et al. 2018) instead of training every stage at once. Measured with
        ``OMP_NUM_THREADS=1 python benchmarks/super_resolution.py --datasets "" --progressive-factors 8,16
        --disc-repeats 3`` (TEP, means, fits of 100/200/400 iterations, 2026-12-06): the time to the best discriminative
        score both reach is 0.76x direct training's at x8 (8.0 s against 10.5 s) and 0.72x at x16 (8.1 s against 11.2
        s), and at x16 its score and RMSE are lower at every length (disc 0.23-0.27 against 0.40-0.42). But that score
        rewards smooth output, and the progressive fits are still close to their SRResNet warm-up: their high-frequency
        power is 0.01-0.12 of the real one (direct: 0.68-4.0; realistic texture is 0.8-1.25), so neither earns the
        default on realism; it stays an option, off. (The first measurement, x8 only, found 1.06x.)
    iterations : int, optional
        Most generator updates of the whole fit (feature network excluded): 30% SRResNet warm-up, 70% game, split
        evenly over the stages when progressive. None: as many as the time budget allows.
    feature_iterations : int, default 300
        Most updates of the content loss's feature network.
    time_budget : float, str or None, default "auto"
        Seconds (or ``"90s"``, ``"3m"``) the fit may take; "auto" is :data:`indgan.budget.AUTO_BUDGET`. Shares:
        feature network 10%, warm-up 27%, game 63% (of what is left). None trains for ``iterations``.
    batch_size : int, default 64
        Windows per step.
    learning_rate : float, default 1e-3
        Adam's step in the warm-up and the feature network.
    gan_learning_rate : float, default 2e-4
        Adam's step of the generator (and of the discriminator, unless ``discriminator_lr``) in the game.
    discriminator_lr : float or None, default 1e-3
        Adam's step of the discriminator, faster than the generator's (the two time-scale update rule, Heusel et
        al., NeurIPS 2017); None: ``gan_learning_rate``.
    loss : str, default "non-saturating"
        Adversarial loss (:data:`indgan.losses.LOSSES`).
    critic_steps : int, default 1
        Discriminator updates per generator update.
    max_missing : float, default 0.05
        Training windows with a larger share of missing cells are left out.
    condition, entity, time : optional
        The learning problem's condition column(s), entity column and time column (``fit``'s arguments of the
        same names override them), as constructor parameters so that ``sklearn.base.clone`` keeps them.
    max_discrete_levels, columns, device, random_state, verbose
        As in :class:`~indgan.sequence.SequenceGAN`.

    Attributes
    ----------
    schema_, scaler_, cond_encoder_, summary_ (the game's records with their ``stage``), warmup_history_,
    fit_info_ : SuperResolutionFitInfo
    """

    kind = "SuperResolutionGAN"
    upsamples = True
    family = "super-resolution"
    method_name = "SRGAN with progressive growing"
    fit_options = frozenset({"iterations", "critic_steps", "condition", "entity", "factor", "coarse"})
    count_option = "iterations"
    fit_info_class: ClassVar[type] = SuperResolutionFitInfo

    def __init__(
        self,
        factor: int = 8,
        coarse: str = "mean",
        window: int | None = None,
        stride: int | None = None,
        channels: int = 64,
        residual_blocks: int = 8,
        noise_dim: int = 8,
        batch_norm: bool = True,
        adversarial_weight: float = 1e-3,
        content_loss: str = "auto",
        spectral_weight: float = 1.0,
        correlation_weight: float = 0.0,
        detail_profile: str = "flat",
        detail_spread: str = "std",
        sample_hold: bool = True,
        deadband: bool = True,
        progressive: bool = False,
        iterations: int | None = None,
        feature_iterations: int = 300,
        time_budget: float | str | None = "auto",
        batch_size: int = 64,
        learning_rate: float = 1e-3,
        gan_learning_rate: float = 2e-4,
        discriminator_lr: float | None = 1e-3,
        loss: str = "non-saturating",
        critic_steps: int = 1,
        max_missing: float = 0.05,
        max_discrete_levels: int = 10,
        columns: dict | None = None,
        device: str = "auto",
        random_state: int | None = None,
        verbose: bool = True,
        condition: str | list[str] | None = None,
        entity: str | None = None,
        time: str | None = None,
    ):
        self.factor = factor
        self.coarse = coarse
        self.window = window
        self.stride = stride
        self.channels = channels
        self.residual_blocks = residual_blocks
        self.noise_dim = noise_dim
        self.batch_norm = batch_norm
        self.adversarial_weight = adversarial_weight
        self.content_loss = content_loss
        self.spectral_weight = spectral_weight
        self.correlation_weight = correlation_weight
        self.detail_profile = detail_profile
        self.detail_spread = detail_spread
        self.sample_hold = sample_hold
        self.deadband = deadband
        self.progressive = progressive
        self.iterations = iterations
        self.feature_iterations = feature_iterations
        self.time_budget = time_budget
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.gan_learning_rate = gan_learning_rate
        self.discriminator_lr = discriminator_lr
        self.loss = loss
        self.critic_steps = critic_steps
        self.max_missing = max_missing
        self.max_discrete_levels = max_discrete_levels
        self.columns = columns
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.condition = condition
        self.entity = entity
        self.time = time

    # ------------------------------------------------------------------ checks
    def _validate_params(self) -> None:
        check_positive_int("factor", self.factor, minimum=2)
        if self.coarse not in COARSE_KINDS:
            raise ConfigError(f"coarse={self.coarse!r}: use 'mean' (block means) or 'sample' (every factor-th sample).")
        check_positive_int("window", self.window, optional=True, minimum=2)
        check_positive_int("stride", self.stride, optional=True)
        for name in ("channels", "batch_size", "critic_steps", "feature_iterations"):
            check_positive_int(name, getattr(self, name))
        check_positive_int("residual_blocks", self.residual_blocks, minimum=0)
        check_positive_int("noise_dim", self.noise_dim, minimum=0)
        check_positive_float("adversarial_weight", self.adversarial_weight, allow_zero=True)
        check_positive_float("spectral_weight", self.spectral_weight, allow_zero=True)
        check_positive_float("correlation_weight", self.correlation_weight, allow_zero=True)
        check_positive_float("learning_rate", self.learning_rate)
        check_positive_float("gan_learning_rate", self.gan_learning_rate)
        check_positive_float("discriminator_lr", self.discriminator_lr, optional=True)
        check_training_length("iterations", self.iterations, self.time_budget)
        if self.content_loss not in ("auto", "features", "mse"):
            raise ConfigError(f"content_loss={self.content_loss!r}: use 'auto', 'features' or 'mse'.")
        if self.detail_profile not in DETAIL_PROFILES:
            raise ConfigError(f"detail_profile={self.detail_profile!r}: use 'flat' or 'activity'.")
        if self.detail_spread not in DETAIL_SPREADS:
            raise ConfigError(f"detail_spread={self.detail_spread!r}: use 'std' or 'robust'.")
        if self.loss not in LOSSES:
            raise ConfigError(f"unknown loss {self.loss!r}; choose one of {', '.join(LOSSES)}.")
        if not 0.0 <= self.max_missing <= 1.0:
            raise ConfigError(f"max_missing must be within [0, 1], got {self.max_missing}.")

    def _build(self, dim: int, cond_dim: int, window: int, device: torch.device) -> None:
        factors = prime_factors(self.factor)
        self.generator_ = SRGenerator(
            dim, cond_dim, factors, self.coarse, self.channels, self.residual_blocks, self.noise_dim, self.batch_norm
        ).to(device)
        self.discriminator_ = SRDiscriminator(dim, cond_dim, factors, window, self.channels).to(device)

    # ------------------------------------------------------------------ fit
    def _fit(
        self,
        data: pd.DataFrame,
        schema: Schema | None = None,
        condition: str | list[str] | None = None,
        entity: str | None = None,
        time: str | None = None,
        *,
        device: torch.device,
        t_start: float,
    ) -> None:
        """Learn how fine trajectories look given their coarse summary.

        Parameters
        ----------
        data : pandas.DataFrame
            ``(n_rows, n_columns)`` fine log with a time column (datetime or a numeric sample index); read a file
            with :func:`indgan.read_table`. Not modified.
        schema : Schema, optional
            Column roles; inferred when omitted.
        condition : str or list of str, optional
            Columns the generator is conditioned on (fault id, operating mode, setpoint), at each coarse step.
        entity, time : str, optional
            The entity (run, batch, unit) and time columns when inference does not find them.

        Returns
        -------
        SuperResolutionGAN
            ``self``.

        Raises
        ------
        DataError
            No time column or no continuous tag; bad timestamps; every entity shorter than one training window;
            no window with few enough missing cells; a path instead of a table.
        ConditionError
            Unknown condition column.
        ConfigError
            Invalid parameters.
        """
        condition, entity, time = self._learning_problem(condition, entity, time)
        log = prepare_log(
            data, schema, condition, entity, time, self.columns, self.max_discrete_levels, "the super-resolution model"
        )
        prep = prepare_fine(log, self.factor, self.window, self.stride, self.max_missing)
        grid, schema = log.grid, log.schema
        dim, cond_dim = prep.z.shape[1], prep.cond.shape[1]
        self.schema_, self.scaler_, self.cond_encoder_, self.device_ = schema, prep.scaler, prep.cond_encoder, device
        self._build(dim, cond_dim, prep.window, device)
        steps = prep.window * self.factor
        data_t = SRWindows(
            torch.from_numpy(prep.z).to(device),
            torch.from_numpy(prep.cond).to(device),
            torch.from_numpy(prep.starts).to(device),
            torch.arange(steps, device=device),
            self.factor,
            self.coarse,
        )
        batch = min(self.batch_size, len(prep.starts))
        with torch.no_grad():  # the per-tag scale of the generator's corrections, from every training window
            idx = data_t.starts[:, None] + data_t.steps
            bins = DETAIL_PROFILES[self.detail_profile]
            robust = self.detail_spread == "robust"
            self.generator_.set_scale(data_t.z[idx].transpose(1, 2), self.factor, bins, robust=robust)
        prepare_seconds = perf_counter() - t_start
        budget = budget_seconds(self.time_budget, device)
        gan = self.adversarial_weight > 0
        content = ("features" if gan else "mse") if self.content_loss == "auto" else self.content_loss
        if not gan:
            content = "mse"
        G, D = self.generator_, self.discriminator_
        n_stages = len(G.factors)
        stages = list(range(1, n_stages + 1)) if self.progressive else [n_stages]

        def left() -> float | None:
            return None if budget is None else max(1.0, budget - (perf_counter() - t_start))

        # The content loss's feature network, trained on the fine windows (the stand-in for VGG features).
        features = FeatureNet(dim, self.channels).to(device)
        t_feat = perf_counter()
        if gan and content == "features":
            f_opt = torch.optim.Adam(features.parameters(), lr=self.learning_rate)
            minimise(
                lambda: reconstruction_loss(features, data_t, batch),
                f_opt,
                self.feature_iterations,
                device,
                self.verbose,
                "SuperResolutionGAN features",
                log_every=50,
                time_budget=None if budget is None else 0.1 * budget,
            )
        features.eval()
        for p in features.parameters():
            p.requires_grad_(False)
        feature_seconds = perf_counter() - t_feat

        warm_share = 0.3 if gan else 1.0
        total_iters = self.iterations
        loss = AdversarialLoss(self.loss)
        g_opt = torch.optim.Adam(G.parameters(), lr=self.gan_learning_rate, betas=(0.9, 0.999))
        d_opt = torch.optim.Adam(D.parameters(), lr=self.discriminator_lr or self.gan_learning_rate, betas=(0.9, 0.999))
        w_opt = torch.optim.Adam(G.parameters(), lr=self.learning_rate)
        trainer = (
            AdversarialTrainer(
                G,
                D,
                loss,
                g_opt,
                d_opt,
                critic_steps=self.critic_steps,
                verbose=self.verbose,
                desc="SuperResolutionGAN game",
            )
            if gan
            else None
        )
        history, warm_history, stage_info = [], [], []
        stop_reason, seconds, done = "completed", 0.0, 0
        for i, stage in enumerate(stages):
            n_left = len(stages) - i
            stage_budget = None if budget is None else left() / n_left
            warm_iters = None if total_iters is None else max(1, round(warm_share * total_iters / len(stages)))
            game_iters = None if total_iters is None else max(1, round((1 - warm_share) * total_iters / len(stages)))
            fade = (
                fade_schedule(warm_iters, None if stage_budget is None else warm_share * stage_budget)
                if stage > 1 and self.progressive
                else (lambda: lambda: 1.0)
            )
            alpha = fade()
            t0 = perf_counter()
            G.train()
            warm_history += minimise(
                lambda s=stage, a=alpha: pixel_loss(G, data_t, batch, s, a),
                w_opt,
                warm_iters,
                device,
                self.verbose,
                f"SuperResolutionGAN warm-up x{G.resolution(stage)}",
                log_every=50,
                time_budget=None if stage_budget is None else warm_share * stage_budget,
            )
            record = {"stage": stage, "resolution": G.resolution(stage), "warmup_seconds": perf_counter() - t0}
            if gan:
                fade = (
                    fade_schedule(
                        None if game_iters is None else game_iters * (self.critic_steps + 1),
                        None if stage_budget is None else (1 - warm_share) * stage_budget,
                    )
                    if stage > 1 and self.progressive
                    else (lambda: lambda: 1.0)
                )
                game = SRGame(
                    G,
                    D,
                    features,
                    data_t,
                    batch,
                    stage,
                    self.adversarial_weight,
                    fade(),
                    need_real=loss_class(self.loss).needs_real,
                    spectral_weight=self.spectral_weight,
                    correlation_weight=self.correlation_weight,
                )
                summary = trainer.fit(
                    game,
                    game_iters,
                    device,
                    log_every=50,
                    time_budget=None
                    if stage_budget is None
                    else left()
                    if i == len(stages) - 1
                    else (1 - warm_share) * stage_budget,
                )
                for h in summary.history:  # one numbering of the records over the stages
                    history.append({**h, "epoch": len(history) + 1, "stage": stage})
                stop_reason, seconds, done = summary.stop_reason, seconds + summary.seconds, done + summary.steps
                record.update(game_steps=summary.steps, game_seconds=summary.seconds)
            stage_info.append(record)
        D.set_stage(n_stages, 1.0)
        G.eval()
        D.eval()
        if not gan:  # the SRResNet baseline: its records in the trainer's form
            history = [
                {
                    "epoch": k + 1,
                    "step": 50 * (k + 1),
                    "generator_loss": v,
                    "critic_loss": 0.0,
                    "extra_loss": 0.0,
                    "d_real": float("nan"),
                    "d_fake": float("nan"),
                    "seconds": 0.0,
                    "stage": n_stages,
                }
                for k, v in enumerate(warm_history)
            ]
            done, seconds = 50 * len(warm_history), perf_counter() - t_start - prepare_seconds
        self.summary_ = TrainingSummary(
            loss=self.loss if gan else "mse",
            device=str(device),
            epochs=len(history),
            steps=done,
            seconds=seconds,
            history=history,
            stop_reason=stop_reason,
        )
        self.warmup_history_ = warm_history
        time_col, entity_col = schema.time_column, schema.entity_column
        self.fit_info_ = SuperResolutionFitInfo(
            source=log.source,
            n_rows=len(log.view),
            n_steps=len(grid.frame),
            n_windows=len(prep.starts),
            n_left_out=prep.n_left_out,
            window=prep.window,
            factor=int(self.factor),
            factors=G.factors,
            coarse=self.coarse,
            tags=prep.tags,
            carried=prep.carried,
            conditions=log.conditions,
            dim=int(dim),
            cond_dim=int(cond_dim),
            batch_size=int(batch),
            interval=grid.interval,
            time_column=time_col,
            time_dtype=str(log.view[time_col].dtype),
            entity_column=entity_col,
            progressive=bool(self.progressive),
            content_loss=content,
            stages=stage_info,
            feature_seconds=feature_seconds,
            prepare_seconds=prepare_seconds,
            **self._held_tags(grid, prep.tags),
        )

    def _held_tags(self, grid, tags: list[str]) -> dict[str, list[dict]]:
        """The tags of the fine training log that hold still between moves (:mod:`indgan.superres.staircase`):
        ``{"held": [{"tag", "period", "phase"}], "deadband": [{"tag", "hold_share"}]}``. Sampled-and-held tags
        (``sample_hold``), the phase the most common update step modulo the period counted from each entity's first
        step; deadband tags (``deadband``, sampled-and-held ones aside), whose observed steps within an entity are
        exactly 0 at least :data:`~indgan.superres.staircase.HOLD_SHARE` of the time."""
        x = grid.frame[tags].to_numpy(np.float64)
        x[~grid.observed] = np.nan
        held = []
        if self.sample_hold:
            ok = np.isfinite(x).astype(np.float32)
            for h in detect_sample_hold(np.nan_to_num(x), ok, grid.offsets, tags):
                phase = int(np.bincount(np.asarray(h.phase, dtype=np.int64), minlength=h.period).argmax())
                held += [{"tag": tags[j], "period": int(h.period), "phase": phase} for j in h.columns]
        deadband = []
        if self.deadband:
            d = step_changes(x, np.repeat(np.arange(len(grid.lengths)), grid.lengths))
            valid = np.isfinite(d).sum(0)
            share = (d == 0).sum(0) / np.maximum(valid, 1)
            taken = {h["tag"] for h in held}
            deadband = [
                {"tag": t, "hold_share": float(share[j])}
                for j, t in enumerate(tags)
                if t not in taken and valid[j] >= 10 and share[j] >= HOLD_SHARE
            ]
        return {"held": held, "deadband": deadband}

    def _hold(self, x: np.ndarray, coarse: np.ndarray) -> None:
        """Hold, in place, the held and deadband tags of one entity's upsampled draws ``x`` ``(draws, L * factor,
        n_tags)`` (user units, consistent with ``coarse`` ``(L, n_tags)``) between their moves, still consistent."""
        info = self.fit_info_
        f, kind = info.factor, info.coarse
        for h in info.held:  # analysers and lab values: staircases of their period
            j = info.tags.index(h["tag"])
            for k in range(len(x)):
                x[k, :, j] = staircase(x[k, :, j], coarse[:, j], f, kind, h["period"], h["phase"])[0]
        for h in info.deadband:  # deadband tags: runs on their training share of steps
            j = info.tags.index(h["tag"])
            for k in range(len(x)):
                x[k, :, j] = deadband_hold(x[k, :, j], coarse[:, j], f, kind, h["hold_share"])[0]

    # ------------------------------------------------------------------ upsample
    def upsample(self, coarse, draws: int = 1, random_state: int | None = None) -> pd.DataFrame:
        """Fine histories for coarse data.

        Parameters
        ----------
        coarse : pandas.DataFrame
            ``(n_coarse_rows, n_columns)``: the training data's columns (time, entity, conditions, tags), one row
            per coarse step at ``factor`` times the training interval, timestamped at the block's first fine
            step; tags hold block means (``coarse="mean"``) or the kept samples (``"sample"``). Not modified.
        draws : int, default 1
            Fine histories per coarse history (independent noise).
        random_state : int, optional
            Seed of this call; without it successive calls continue one seeded stream.

        Returns
        -------
        pandas.DataFrame
            ``(draws * n_coarse_steps * factor, n_columns)``: the training columns, ``factor`` fine rows per coarse
            step (times ``t, t + dt, ...``), entity, conditions, categorical tags and status columns carried from
            the coarse row; tags exactly consistent with the coarse values, unrounded (rounding to the training
            decimals would break the consistency) and float64 (a float32 column would hold block means only to
            about 1e-7 of their magnitude, more than 1e-5 of a tag's spread when its level is large). A coarse cell that
            is missing leaves its whole block missing. With ``draws > 1`` a first column
            ``draw`` (0 .. draws-1) numbers the histories, one after another (see :meth:`draw_spread`).

        Raises
        ------
        NotFittedError
        ConfigError
            ``draws`` not a positive integer.
        DataError
            A column of the model missing; bad timestamps; an entity with fewer coarse steps than one window; a
            coarse interval other than ``factor`` x the fine interval (the message names both); a path instead of
            a table.
        """
        self._check_fitted()
        draws = check_positive_int("draws", draws)
        require_frame(coarse, "SuperResolutionGAN.upsample: coarse")
        info = self.fit_info_
        source = coarse.attrs.get("source", "coarse data")
        ci = prepare_coarse(
            coarse,
            self.schema_,
            info.tags,
            info.conditions,
            self.cond_encoder_,
            self.scaler_,
            info.interval,
            info.factor,
            info.window,
            info.time_dtype,
            source,
        )
        g = self._rng_ if random_state is None else self.new_generator(random_state)
        dev, G, f = self.device_, self.generator_, info.factor
        n_c, d = ci.z.shape
        fine = np.empty((draws, n_c * f, d), dtype=np.float64)
        offsets = ci.grid.offsets
        filled = np.where(ci.missing, self.scaler_.inverse(ci.z), ci.values)
        with torch.no_grad():
            for a, b in itertools.pairwise(offsets):  # one pass per entity, all draws at once
                zc = torch.from_numpy(ci.z[a:b].T.copy()).to(dev)[None].expand(draws, -1, -1)
                cc = torch.from_numpy(ci.cond[a:b].T.copy()).to(dev)[None].expand(draws, -1, -1)
                noise = G.noise(draws, b - a, len(G.factors), dev, g)
                z = G(zc, cc, noise).transpose(1, 2).cpu().numpy()
                x = self.scaler_.inverse(z)  # (draws, L * f, d) user units
                target = torch.from_numpy(filled[a:b].T.copy())[None].expand(draws, -1, -1)
                x = honour(torch.from_numpy(x).transpose(1, 2), target, f, info.coarse).transpose(1, 2).numpy()
                self._hold(x, filled[a:b])  # analysers and deadband tags: held between moves, still consistent
                fine[:, a * f : b * f] = x
        miss = np.repeat(ci.missing, f, axis=0)
        fine = np.where(miss[None], np.nan, fine)
        return self._to_frame(ci, fine, draws)

    def _to_frame(self, ci, fine: np.ndarray, draws: int) -> pd.DataFrame:
        info, f = self.fit_info_, self.fit_info_.factor
        n_c = len(ci.view)
        rows = np.repeat(np.arange(n_c), f)
        base = ci.view.iloc[rows].reset_index(drop=True)
        for col in info.conditions:
            base[col] = ci.condition_frame[col].to_numpy()[rows]
        t = time_values(ci.view[info.time_column]).to_numpy()[rows] + np.tile(np.arange(f), n_c) * info.interval
        base[info.time_column] = as_times(t, info.time_dtype).to_numpy()
        frames = []
        carried = held_constant(self.schema_, ci.view)  # the archive's values, not the training constant
        for k in range(draws):
            view = base.copy()
            for j, tag in enumerate(info.tags):
                view[tag] = fine[k, :, j]
            frame = self.schema_.restore(view)
            for c in carried:
                frame[c] = view[c].to_numpy()
            for j, tag in enumerate(info.tags):  # exact values, not rounded to the training decimals
                spec = self.schema_[tag]
                if not spec.statuses:
                    frame[tag] = fine[k, :, j]
            frames.append(frame)
        out = pd.concat(frames, ignore_index=True) if draws > 1 else frames[0]
        if draws > 1:
            out.insert(0, "draw", np.repeat(np.arange(draws), n_c * f))
        return out

    def draw_spread(self, frame: pd.DataFrame) -> pd.Series:
        """The spread of several draws (``upsample(..., draws=N)``) per tag: the standard deviation across the
        draws at each fine step, averaged over the steps (user units), ``(n_tags,)``; largest first.

        Raises
        ------
        DataError
            ``frame`` has no ``draw`` column or unequal draws.
        """
        from ..errors import DataError

        self._check_fitted()
        if "draw" not in frame.columns:
            raise DataError("draw_spread needs the frame of upsample(..., draws=N) with N > 1 (a 'draw' column).")
        n_draws = int(frame["draw"].nunique())
        if len(frame) % n_draws:
            raise DataError("draw_spread: the draws have different lengths.")
        tags = self.fit_info_.tags
        x = frame[tags].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=np.float64)
        x = x.reshape(n_draws, -1, len(tags))
        with np.errstate(all="ignore"):
            spread = np.nanmean(np.nanstd(x, axis=0), axis=0)
        return pd.Series(spread, index=tags, name="spread").sort_values(ascending=False)

    # ------------------------------------------------------------------ reporting
    def fit_lines(self) -> list[str]:
        """What the fit learned, for ``indgan fit``."""
        fi = self.fit_info_
        kind = "block means" if fi.coarse == "mean" else "every factor-th sample"
        grow = " -> ".join(f"x{s['resolution']}" for s in fi.stages)
        return [
            f"learned x{fi.factor} super-resolution ({kind}) of {len(fi.tags)} tag(s) from {fi.n_windows} windows "
            f"of {fi.window} coarse steps; stages {grow}"
            + (" (progressive)" if fi.progressive else "")
            + (f"; conditions: {', '.join(fi.conditions)}" if fi.conditions else "")
            + (
                f"; {len(fi.held)} sampled-and-held tag(s) upsampled as staircases "
                f"(every {', '.join(str(p) for p in sorted({h['period'] for h in fi.held}))} steps)"
                if fi.held
                else ""
            )
            + (f"; {len(fi.deadband)} deadband tag(s) held between moves" if fi.deadband else ""),
            (
                f"upsample coarse data every {fi.factor} x the fine interval: indgan upsample MODEL coarse.parquet "
                "-o fine.parquet"
            ),
        ]

    def training_lines(self) -> list[str]:
        """How the model was trained, for ``indgan info``."""
        fi, s = self.fit_info_, self.summary_
        stages = "; ".join(
            f"x{r['resolution']}: warm-up {r['warmup_seconds']:.1f} s"
            + (f", game {r.get('game_steps', 0)} steps {r.get('game_seconds', 0.0):.1f} s" if "game_steps" in r else "")
            for r in fi.stages
        )
        return [
            (
                f"super-resolution x{fi.factor} ({fi.coarse}), {fi.n_windows} windows of {fi.window * fi.factor} fine "
                f"steps, content loss {fi.content_loss}, adversarial weight {self.adversarial_weight:g}"
            ),
            (
                f"training: feature network {fi.feature_seconds:.1f} s; {stages}; {s.seconds:.1f} s on {s.device} "
                f"({s.stop_reason})"
            ),
        ]

    # ------------------------------------------------------------------ persistence
    def _state(self) -> tuple[dict, dict[str, Tensor]]:
        meta = {
            "schema": self.schema_.to_dict(),
            "scaler": self.scaler_.to_dict(),
            "cond_encoder": self.cond_encoder_.to_dict(),
            "summary": self.summary_.to_dict(),
            "warmup_history": self.warmup_history_,
            "fit_info": self.fit_info_.to_dict(),
        }
        tensors = {}
        for name in ("generator_", "discriminator_"):
            tensors.update({f"{name[:-1]}.{k}": v for k, v in getattr(self, name).state_dict().items()})
        return meta, tensors

    def _restore(self, meta: dict, tensors: dict[str, Tensor], device: torch.device, source) -> None:
        self.schema_ = Schema.from_dict(meta["schema"])
        self.scaler_ = TagScaler.from_dict(meta["scaler"])
        self.cond_encoder_ = RangeEncoder.from_dict(meta["cond_encoder"])
        self.summary_ = TrainingSummary.from_dict(meta["summary"])
        self.warmup_history_ = meta["warmup_history"]
        self.fit_info_ = info = SuperResolutionFitInfo.from_dict(meta["fit_info"])
        self._build(info.dim, info.cond_dim, info.window, device)
        for name in ("generator_", "discriminator_"):
            getattr(self, name).load_state_dict(split_state(tensors, name[:-1]))
            getattr(self, name).eval()
