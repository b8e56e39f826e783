"""LogGAN: a synthetic historian log, right row by row and over time, in minutes on a CPU.

The main job (``indgan fit plant_logs.parquet``) asks for a synthetic log of the training shape whose rows
(operating points) are distributed like the real ones *and* whose tags move over time like the real ones.
A row model and a sequence model each get one of the two right: measured on the plant logs, CTGAN's rows
laid out in time score 0.94 row by row but 0.64 on step changes and 0.82 autocorrelation error; TimeGAN's
sequences 0.56 row by row after its quick start. LogGAN splits the job the way MoCoGAN (Tulyakov, Liu, Yang,
Kautz, "MoCoGAN: Decomposing Motion and Content for Video Generation", CVPR 2018) splits a video into content
and motion:

- **Rows: a CTGAN** (:class:`~indgan.tabular.TabularGAN`, Xu et al., NeurIPS 2019: mode-specific
  normalisation, conditional vector and training-by-sampling, WGAN-GP critic) learns the log's rows, given
  their *context*: the condition columns (fault id or operating mode one-hot, setpoints scaled) and, for
  batches, the batch progress ``t / (T - 1)`` (a conditional GAN with continuous labels: the generator and the
  critic both see the context, and each generated row takes the context of the real row that training-by-
  sampling drew). It trains within the time budget and stops when its score on held-out rows stops improving.
- **Mean paths over the batch** (:mod:`indgan.log.trend`; ``trend="auto"``: when the context has the progress):
  each tag's mean as a function of the condition and the progress (a ridge regression on a cubic spline basis of
  the progress and its products with the condition one-hot, as Diffusion-TS models a trend by regression on a basis
  of time) is taken out before the row GAN, which learns the residuals given the same context; each generated
  row gets its context's mean back, and a quantile map per tag (fitted on row-model draws at fit time) gives the
  sum the tag's real marginal, point masses included. On TEP the GAN had the extreme faults' levels and ramps over
  the run 0.25 standard deviations off on average (a fault's valve ramping 40 -> 100 came out wandering 44-90), and
  those means carry the log's strongest tag correlations. Trend off -> on, default fits, one thread
  (``benchmarks/README.md`` has every figure): TEP (3 seeds) cross-correlation error 0.120/0.140/0.104 ->
  0.043/0.041/0.042 (real-against-real floor 0.024), top-50 pair error 0.118/0.128/0.102 -> 0.034/0.032/0.033,
  rows 0.954/0.953/0.955 -> 0.967/0.969/0.967; the dryer (2 seeds) rows 0.935/0.921 -> 0.959/0.957,
  cross-correlation error 0.107/0.140 -> 0.063/0.055, discriminative score 0.157/0.227 -> 0.077/0.050, step
  changes 0.886/0.862 -> 0.859/0.855; the nylon batches (not tuned on but for the point masses) rows
  0.875/0.846 -> 0.935/0.938, step changes 0.817/0.797 -> 0.934/0.934, cross-correlation error 0.111/0.107 ->
  0.013/0.014. Without the quantile map TEP did as well but the dryer's rows fell to 0.880 (its batches' phases
  fall at different progress, so the residual's law changes along the batch).
- **Motion: smooth latent processes with the row model's prior as their law at every step.** A row of the log
  at step ``t`` is ``G(z_t, c_t)``, where each of the ``latent_dim`` noise channels is a stationary Gaussian
  process with N(0, 1) marginals and squared-exponential autocorrelation ``exp(-lag^2 / (4 l^2))``
  (:class:`SmoothNoise`). Its law at every step is exactly N(0, I), so **every synthetic row is exactly a draw
  of the row model** (before the per-tag smoothing below), while consecutive rows share most of their
  noise. The uniform noise behind the Gumbel
  draws that pick each tag's mode and each category, and behind CTGAN's conditional vector of the free
  categorical columns, are smooth processes too (through the normal CDF, again with exact marginals), so
  modes, status strings and categories switch now and then, not at every step. Each latent channel's values
  over a synthetic sequence are stratified (:func:`stratified`: its path keeps its shape, its values are spread
  over N(0, 1) as evenly as they can be), so a short log covers the row model's distribution well.
  The length scale ``l`` is chosen at fit time by simulation on the training log's shape: a longer ``l`` gives
  smoother tags and a better autocorrelation but a log that covers the rows' distribution more slowly (two
  halves of the plant logs, first against second, score only 0.744 row by row; alternate 8-hour blocks 0.922),
  so the calibration keeps the rows within ``row_tolerance`` (0.02) of the row model's own row score and, within
  that, takes the candidate with the best score over time (step changes and autocorrelation, lags
  1..``max_lag``). The table is in ``fit_info_.calibration``.
- **Sensor noise**: white noise per continuous tag, whose spread is what the real step-to-step changes have
  beyond what the latent process gives (robust scales: ``sigma^2 = (s_real^2 - s_synthetic^2) / 2`` with ``s``
  the MAD of the step changes), added where the tag is in a Gaussian mode (point masses, such as a tag stuck
  at a limit, stay exact) and mirrored back into the training range where it crosses a limit (clipped, it piled
  values onto the limits: :func:`~indgan.log.noise.reflect`). The spread is lowered at the levels where the real
  tag moves less (:data:`NOISE_BINS` bins of the steps' mid levels, the same formula in each, never above the
  spread over all levels, linear between the bins' median levels): a turbine's power moves by a kW or two at idle
  and by a hundred on the steep part of its power curve, and one spread for all levels put 50-58 kW of noise on
  La Haute Borne's idle turbines (their power's KS complement 0.88-0.91 against 0.97-0.99 in the row model's own
  draws). Without the cap, a batch tag that ramps between two plateaus got white noise of its ramps' steps at
  the levels it ramps through (nylon, Tag05: 154 against 9 over all levels; rows 0.936 -> 0.930). Against one
  spread for all levels (one thread; benchmarks/README.md): La Haute Borne seeds 0 and 1, rows 0.928 -> 0.931
  and 0.936 -> 0.938, step-change 0.947 -> 0.951 in both; TEP (seeds 0, 1), the plant logs, the dryer and the
  nylon batches (seed 0): every score within 0.002 but the discriminative score, which moved by -0.04 to +0.02
  (as much as it moves between fits).
- **Per-tag motion** (:mod:`indgan.log.smoothing`): the latent process moves every tag through the row model's
  generator, so tags the generator maps steeply move far more from one step to the next than in the real log.
  Each tag's path is smoothed by a zero-phase Gaussian filter and given back its own values in the smoothed
  order (each sequence keeps exactly its values); a redundant tag's residual given its leader is smoothed
  instead (so copies stay copies). The width is calibrated per tag (``fit_info_.smoothing``), 0 among the
  candidates. On the plant logs (one frozen row model, seed 0): step changes 0.868 -> 0.913, autocorrelation
  error 0.186 -> 0.114, cross-correlation error 0.214 -> 0.136, rows 0.910 -> 0.906; on La Haute Borne's log
  (not tuned on) steps 0.884 -> 0.898, autocorrelation error 0.115 -> 0.107, the rest unchanged.
  A tag whose real steps are exactly 0 at least 30% of the time (a historian's deadband, a yaw drive that moves
  only past a threshold) gets a calibrated deadband hold (:func:`~indgan.log.smoothing.run_hold`): on that log's
  four yaw positions (still on 72% of real steps, 2-4% synthetic) step changes 0.898 -> 0.941 overall, rows
  unchanged.
- **Per-tag roughness**: a tag that is white noise around its operating point (TEP's flows and compositions:
  lag-1 autocorrelation about 0) moved with the smooth latent plus sensor noise of its whole spread (lag-1 about
  0.45). Such a tag is drawn from the row model again with the latent ``sqrt(1 - w) z_t + sqrt(w) e_t``, ``e_t``
  white (counter-based, so parts equal the whole), so each of its values is still exactly a draw of the row model
  given the context (a fault's level included); the share ``w`` (0.25-1) is chosen per tag on the simulated log
  with the sensor noise recalibrated on it, and kept when the simulated log scores better (``fit_info_.roughness``).
  Frozen default models, seed 0, one thread, with the tail alignment: TEP autocorrelation error 0.117 -> 0.079,
  cross-correlation error 0.113 -> 0.101, steps 0.952 -> 0.959, discriminative score 0.23-0.27 -> 0.135 +- 0.065
  (15 tags, 11 of them fully white); plant logs 0.099 -> 0.083 (10 tags), the rest unchanged; La Haute Borne's log
  (4 tags at 0.25): see benchmarks/README.md.
- **Tail alignment** (:mod:`indgan.log.alignment`): the GAN under-covers the tails of each tag's normal score, and
  on plant logs the tails carry the strongest relations (a leader's rare excursion that makes its follower's 0.95
  correlation). The outer 5% of each side of every generated score is mapped onto the real tail by quantile matching
  (the bulk as the generator made it), and kept when the calibration's simulated log scores better with it
  (``fit_info_.alignment``). One frozen default model per log, recalibrated, seed 0, one thread: plant logs rows
  0.906 -> 0.917, autocorrelation error 0.112 -> 0.099, cross-correlation error 0.136 -> 0.097, top-50 pair error
  0.102 -> 0.042; La Haute Borne's log (not tuned on) rows 0.931 -> 0.964, steps 0.941 -> 0.943, cross-correlation
  error 0.058 -> 0.056, discriminative score 0.152 +- 0.012 -> 0.137 +- 0.008; TEP: left out by the calibration
  (score 1.698 with it, 1.709 without), unchanged.
- **Sampled-and-held tags** (analysers, lab values; :func:`~indgan.timegrid.detect_sample_hold`) are held
  between their update steps as in the real log.
- **Tags that move together.** The row model encodes each continuous tag as one normal score through its
  empirical quantiles (``continuous_encoding="quantile"``; the nonparanormal view of a row, Liu, Lafferty and
  Wasserman, JMLR 2009) rather than CTGAN's mode one-hot, whose per-tag mode draws are independent and break tags
  that move as one. Redundant tags (copies, transmitters on one line, joint excursions,
  and categorical tags with numeric levels such as a quantised copy) are generated from one leader through a
  learned conditional distribution that reaches the leader's extremes, the followers of one leader with their
  residuals' real correlation (:mod:`indgan.log.followers`); which
  correlation counts as redundant is chosen by the calibration (``fit_info_.redundancy``). An angle the
  historian computes from two others (a wind direction as nacelle position plus vane angle) is generated from
  them (:func:`~indgan.log.circular.find_angle_sums`). Angles on the circle (:mod:`indgan.log.circular`) and
  calendar cycles as context are options. Measured in one run each against SDV's peers:
  ``benchmarks/README.md`` (main job).

What it does not do: dynamics beyond what the latent process and the sensor noise express (a tag that
follows another with a lag, a control loop's oscillation) are not learned; for those use the sequence model
(:class:`~indgan.sequence.SequenceGAN`, TimeGAN, ``--model sequence``). Measured on the plant logs
against SDV's TVAE and GaussianCopula in one run: ``benchmarks/mainjob.py`` and ``benchmarks/README.md``.

Tried and dropped on the way (plant logs, 2 CPU threads): one temporal-convolution generator with a row
critic and a window critic (MoCoGAN's two discriminators) on CTGAN's or a quantile encoding reached only
0.83-0.85 row quality in 200 s (column shapes 0.79-0.83: 32 windows of 24 correlated rows per batch teach the
marginals poorly); CTGAN's game plus a window critic on the same generator lost row quality (0.889 at 900
steps against 0.922 without it); learning the latent process' parameters adversarially (a window critic,
frozen row generator) moved the step-change score by under 0.01 against the calibrated values.

Also measured and left out (2026-12-06, one frozen default model per log, one thread, seed 0): sensor noise with
the real step changes' cross-tag correlation (winsorised Pearson) in place of independent noise of the same
per-tag spread moved nothing beyond the third decimal (cross-correlation error TEP 0.1050 -> 0.1049, plant logs
0.2137 -> 0.2135): the noise is small beside the tags' level variation. A learned latent motion (each channel a
mixture, through learned ``latent_dim x latent_dim`` matrices, of Gaussian kernels at ``l``, ``2l`` and ``4l``,
whitened so that every row stays an exact draw of the row model, fitted through the frozen generator to the real
normal scores' lagged correlations at lags 1-24 on paths of the real log's shape): on the plant logs
autocorrelation error 0.186 -> 0.167, cross-correlation error 0.214 -> 0.137, top-50 pair error 0.113 -> 0.072,
rows 0.910 -> 0.907; on TEP, the log it was not tuned on, 0.163 -> 0.167, 0.105 -> 0.120 and 0.079 -> 0.092
(worse). With fast kernels too (lengths 1-64) and fitted on 48-step windows drawn afresh, the plant logs'
autocorrelation error went to 0.312: one log of the real length does not show the lagged correlations of
independent windows.

Measured and left out with the tail alignment (same frozen models): matching each score's whole law, not only its
tails, gave the plant logs rows 0.930 and a top-50 pair error of 0.030, but raised La Haute Borne's window
discriminative score from 0.16 to 0.38 (rows 0.961) and TEP's autocorrelation error from 0.117 to 0.142; adding the
Gaussian optimal-transport map between the scores' correlation matrices (every score correlation right within 0.02)
worsened TEP's top-50 pair error from 0.097 to 0.156: where faults shift levels, the values' Pearson correlation is
not the scores'. Capping each map's slope did not bring the discriminative score back (0.41). The same map between
tail-aligned scores (tail maps before and after it) was rejected by the calibration's simulated log on both La Haute
Borne's log (score 1.749 against 1.816 without) and TEP (1.679 against 1.757). Shifting each tag's generated score
to the real mean of each fault (TEP, 22 conditions; the generator's per-fault means were off by 0.2 of a normal
score on average): discriminative score 0.073 +- 0.044 but rows 0.954 -> 0.941 and top-50 pair error 0.097 ->
0.172; also matching the per-fault spread: pairs 0.228.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace
from time import perf_counter
from collections.abc import Iterator
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import torch
from torch import Tensor

from ..base import FitInfo, FittedModel
from ..budget import budget_seconds, check_training_length
from ..encoding import RangeEncoder, condition_schedule
from ..errors import ConditionError, ConfigError, check_fraction, check_positive_float, check_positive_int
from ..persist import split_state
from ..schema import CATEGORICAL, CONTINUOUS, Schema, time_values
from ..stats import (
    level_bins,
    level_step_scale,
    log_autocorrelation,
    pair_correlation_error,
    row_fidelity,
    step_change_scores,
    step_changes,
    step_levels,
    step_scale,
    top_correlated_pairs,
)
from ..tabular import TabularGAN
from ..timegrid import as_times, detect_sample_hold, format_interval, gap_runs, prepare_log
from .circular import COS, SIN, compute_angle_sums, find_angle_sums, find_angles, from_circle, to_circle
from .followers import FOLLOWER_CANDIDATES, find_followers, fit_follower, share_residuals
from .noise import reflect
from .prepare import prepare_rows
from .alignment import apply_tail_alignment, fit_tail_alignment
from .smoothing import HOLD_DEADBANDS, HOLD_SHARE, SMOOTH_WIDTHS, choose_widths, rank_smooth, run_hold
from .stream import GENERATOR_BATCH, LogStream
from .trend import ContextTrend, trend_columns

#: Candidate shares of white noise in a tag's latent (:meth:`LogGAN._choose_roughness`).
ROUGH_SHARES = (0.0, 0.25, 0.5, 0.75, 1.0)
#: Level bins of each tag's sensor noise (:meth:`LogGAN._real_step_scales`); 1: one noise level per tag.
NOISE_BINS = 5
#: Candidate length scales of the latent process, in steps, tried when ``length_scale="auto"``.
LENGTH_CANDIDATES = (2, 4, 8, 12, 16, 24, 32, 48, 64)
PROGRESS = "<progress>"
#: Steps per part of a generated log (:meth:`LogGAN.sample_parts`; ``indgan sample --part-rows``'s default).
PART_ROWS = 12 * GENERATOR_BATCH


@dataclass
class LogFitInfo(FitInfo):
    """What a :class:`LogGAN` fit learned (``fit_info_``)."""

    source: str = "table"
    n_rows: int = 0
    n_steps: int = 0
    n_gaps: int = 0
    n_merged: int = 0
    interval: float = 1.0
    time_column: str = "time"
    time_dtype: str = "float64"
    entity_column: str | None = None
    entities: list = field(default_factory=list)
    entity_numeric: bool = False
    lengths: list = field(default_factory=list)
    starts: list = field(default_factory=list)
    conditions: list = field(default_factory=list)
    progress: bool = False
    context_dim: int = 0
    held: list = field(default_factory=list)
    calibration: list = field(default_factory=list)
    calibration_reference: float = float("nan")
    calibration_seconds: float = 0.0
    row_seconds: float = 0.0
    #: ``[entity index, first step, steps]`` of every run of grid steps without a sample (outages)
    gaps: list = field(default_factory=list)
    #: periods (ns) of the calendar cycles in the row model's context (:data:`~indgan.log.prepare.CYCLES`)
    cycles: list = field(default_factory=list)
    #: the candidate groupings of redundant tags the calibration scored (:meth:`LogGAN._choose_followers`)
    redundancy: list = field(default_factory=list)
    #: per kind of tag (row model, redundant) and smoothing width: how many tags chose it and their mean time score
    #: before and after (:meth:`LogGAN._choose_smoothing`)
    smoothing: list = field(default_factory=list)
    #: the simulated log's scores with and without the tail alignment (:meth:`LogGAN._choose_alignment`)
    alignment: list = field(default_factory=list)
    #: per share of white latent noise: how many tags chose it and their time score before and after, then whether
    #: the roughness was kept (:meth:`LogGAN._choose_roughness`)
    roughness: list = field(default_factory=list)


class LogGAN(FittedModel):
    """A synthetic version of a historian log: CTGAN rows driven by a latent Markov process (see the module
    docstring for the method and the papers).

    Parameters
    ----------
    time_budget : float, str or None, default "auto"
        Seconds (or ``"90s"``, ``"3m"``, ``"1h"``) the whole fit may take; "auto" is :data:`indgan.budget.AUTO_BUDGET`,
        grown with the rows on a CPU (:data:`indgan.budget.GROWTH`: 2 minutes up to 20,000 rows, 10 minutes
        from 100,000). The row model stops earlier when its held-out score stops improving.
    epochs : int, optional
        Most passes of the row model over the rows (None: as many as the budget allows).
    length_scale : float or "auto", default "auto"
        Length scale ``l`` (steps) of the latent processes' autocorrelation ``exp(-lag^2 / (4 l^2))``; "auto"
        calibrates it on the training log among :data:`LENGTH_CANDIDATES` (see the module docstring).
    row_tolerance : float, default 0.02
        How much row fidelity the calibration may give up for motion: among the candidate length scales, the one
        with the best score over time whose row score is within ``row_tolerance`` of the row model's own (its rows
        drawn independently). See the module docstring.
    stratify : bool, default True
        Spread each latent channel's values over a synthetic sequence as evenly as N(0, 1) (see
        :func:`stratified`), for sequences of up to 200,000 steps.
    sensor_noise : bool, default True
        Add each tag's calibrated white noise (see the module docstring).
    smoothing : bool, default True
        Smooth each tag's path and map it back onto its own distribution, at a width the calibration chooses per tag,
        and hold tags that stand still on many real steps in a calibrated deadband (:mod:`indgan.log.smoothing`;
        ``fit_info_.smoothing``; the module docstring has the measurement).
    roughness : bool, default True
        Give a tag that moves step to step more like white noise than the latent process can a share of white noise in
        its latent (0.25 to 1, chosen per tag, its sensor noise recalibrated; :meth:`_choose_roughness`), kept when the
        calibration's simulated log scores better with it (``fit_info_.roughness``).
    align_tails : bool, default True
        Map the outer 5% of each side of every quantile-encoded tag's generated scores onto the real tails
        (:mod:`indgan.log.alignment`), kept when the calibration's simulated log scores better with it
        (``fit_info_.alignment``).
    continuous_encoding : {"quantile", "mode"}, default "quantile"
        How the row model encodes continuous tags: one normal score per tag through its empirical quantiles, or
        CTGAN's mode-specific normalisation (:class:`~indgan.encoding.DataTransformer`). Measured on the plant logs
        (same seed, the defaults otherwise): the 50 most correlated tag pairs lose 0.38 of their correlation with
        quantiles against 0.65 with modes (CTGAN draws each tag's mode on its own), rows 0.936 against 0.909.
    redundant_correlation : float, "auto" or None, default "auto"
        Tags correlated at least this much with another are generated from it (:mod:`indgan.log.followers`:
        redundant sensors, a tag archived twice, a flow and its valve); "auto" lets the calibration choose among
        :data:`~indgan.log.followers.FOLLOWER_CANDIDATES` and none (``fit_info_.redundancy``); None turns it off.
    duplicate_times : {"first", "mean", "error"}, default "first"
        Rows that repeat a timestamp within an entity (:func:`~indgan.timegrid.resolve_duplicate_times`).
    circular : "auto", list of str or None, default None
        Angle tags in degrees that wrap around (wind direction, yaw position), learned as points on the circle
        (:mod:`indgan.log.circular`): detected, named, or None for none. Off by default: on La Haute Borne's log
        (12 angle tags, seed 0, 2026-12-07) it moved the discriminative score from 0.165 to 0.144 but the rows
        from 0.955 to 0.949 and the top-pair error (Pearson on degrees) from 0.052 to 0.081; the calibration
        smooths an angle's ``~sin`` and ``~cos`` each on its own (one tag's sine 64 steps, its cosine none: the
        angle strays, and turns past north 7% of the time against 2% real). Leaving the two out of the smoothing
        and roughness, or giving the two one width and one share: cross-correlation error 0.049 against 0.057,
        but rows 0.931-0.932 and step-change 0.878-0.882 (the calibration then drops the tail alignment).
        Also measured there and left out (2026-12-07, seed 0, defaults otherwise): each angle on a line cut at the
        direction its steps cross least (one cut for all 12, 107.5 degrees; the vanes' 25,000 crossings of north
        fall to about 300), cross-correlation error 0.055 -> 0.177, discriminative score 0.109 -> 0.179; with the
        other directions unwrapped about one turbine's, 0.224 and 0.482. On the line the turbines' generated
        directions straddle north far more often than the real ones (lag-0 correlation in degrees 0.56-0.63
        against 0.80; the default's 0.93-0.95), and a yaw that jitters by a few degrees there jumps by a turn.
        Re-measured with status codes (same log, seeds 0 and 2, 2026-12-07): "auto" took the discriminative score
        from 0.132 and 0.100 to 0.117 and 0.094 and the cross-correlation error from 0.040 and 0.046 to 0.032 and
        0.048, but the rows from 0.955 and 0.958 to 0.950 and 0.934 (column pair trends 0.940 -> 0.893 at seed 2),
        so it stays off (seed 1, 2026-12-08: rows 0.962 -> 0.952, cross-correlation error 0.049 -> 0.043, discriminative
        score 0.101 -> 0.125). Why (2026-12-08, seeds 0 and 2 fitted again, the same figures): at seed 2 "auto" drops
        the high winds (the four wind speeds' 99th percentile 9.7-11.0 m/s against 11.7-12.8 real, none above 14.3
        against 19.3), which costs the rows twice (the speeds' shapes, and every speed-status pair, which sdmetrics bins
        on each table's own range); at seed 0 the signed vane angles ``Va`` reach +-180 three to seven times as often as
        the real ones. Only the yaws and directions on the circle (the vanes on a line): cross-correlation error 0.084,
        discriminative score 0.179 at seed 0. What the circle gets right, over the 28 pairs of yaws and directions: they
        differ by a median 10-13 degrees (real 4-13) and straddle north on 2.8-4.0% of the rows (real 1.5-4.0%); at the
        default they differ by 18-26 degrees and never straddle, and their Pearson correlation in degrees (0.87-0.93;
        real 0.75-0.89, the circle 0.72-0.80) is near the real one only because the two errors partly cancel. Also
        measured and left out: the directions as redundant tags of one another (grouped by circular correlation, each
        learned about its leader within half a turn, so that pairs straddle north as often as the real ones): the
        calibration chose none at any correlation; forced (the four wind directions from one yaw), cross-correlation
        error 0.055 -> 0.046 but discriminative score 0.109 -> 0.149 and step-change 0.951 -> 0.944: the real residual
        about the leader is mostly the leader's own vane noise (white share 0.43-0.89), which a follower draws again
        instead of cancelling.
    cycles : bool, default False
        Give the row model the calendar cycles the log spans as context (time of day, day of week:
        :data:`~indgan.log.prepare.CYCLES`), so daily and weekly patterns are generated in phase. Off by default:
        on La Haute Borne's two years (same seed, angles on the circle) it moved the discriminative score from
        0.214 to 0.235 and the top-pair error from 0.092 to 0.108.
    sample_hold : bool, default True
        Hold sampled analyser and lab tags between their updates, as detected in the training log.
    progress : bool or "auto", default "auto"
        Give the row model each step's progress through its entity (``t / (T - 1)``; batches, runs): "auto"
        when there is an entity column with at least 5 entities.
    trend : bool or "auto", default "auto"
        Learn each tag's mean path through its entity given the condition apart from the row GAN (a ridge
        regression on a spline basis of the progress, :mod:`indgan.log.trend`), and let the row GAN learn the
        residuals: "auto" when the row model has the progress as context. Tags with status strings and angles'
        sines and cosines get none.
    max_lag : int, default 12
        Lags of the autocorrelation the calibration matches.
    patience : int, default 16
        Held-out scores of the row model without an improvement of 0.001 before it stops (the best weights are
        kept). 16, not the table model's 8: on TEP (3 seeds) one seed's held-out score sat flat from its 22nd
        epoch (about one score per epoch) and then rose (0.937 -> 0.946 at epoch 37): stopped at 8, its rows scored
        0.936 and its top-50 pair error 0.286; at 16 (and 24), 0.958 and 0.130. The other two seeds: the same
        model, and 0.111 -> 0.102 (with another job beside it, so its time budget stopped it). The plant logs'
        model is the same (its fit 87 -> 120 s alone, TVAE 282 s); a log of 100,000 rows stops on its time budget.
        Confirmed on the dryer's batches (seed 0, not tuned on): held-out 0.946 -> 0.956, rows 0.927 -> 0.937,
        cross-correlation error 0.122 -> 0.093, top-50 pairs 0.124 -> 0.087, fit 72 -> 116 s beside another job.
    validation_share, batch_size, latent_dim, generator_dim, critic_dim, loss, generator_lr,
    critic_lr, ema_decay, n_modes, gp_every
        The row model's (:class:`~indgan.tabular.TabularGAN`).
    max_discrete_levels : int, default 10
    columns : dict, optional
        Column-role overrides, as in the ``[columns]`` config.
    condition, entity, time : optional
        The learning problem's condition column(s), entity column and time column (``fit``'s arguments of the
        same names override them), as constructor parameters so that ``sklearn.base.clone`` keeps them.
    device : str, default "auto"
    random_state : int, optional
        Seeds the row model, the calibration and the draws (with a time budget the number of training steps
        depends on the machine's speed; give ``epochs`` and ``time_budget=None`` to repeat a fit exactly).
    verbose : bool, default True
        Progress bar.

    Attributes
    ----------
    schema_ : Schema
        The roles of the training table's columns.
    rows_ : TabularGAN
        The row model (its schema holds the modelled tags, without time, entity and conditions).
    length_scale_ : float
        The latent processes' length scale in steps.
    followers_ : dict
        ``{follower tag: leader tag}`` of the redundant tags generated from their leader.
    angles_ : list of str
        The angle tags learned on the circle.
    angle_sums_ : dict
        Angles the historian computes from two others (``{tag: {"a", "sign", "b", "still", "moving"}}``,
        :func:`~indgan.log.circular.find_angle_sums`), generated as ``a + sign * b`` plus their residual's law.
    sensor_noise_ : dict
        ``{tag: {"levels": [level], "sd": [standard deviation]}}`` in the tag's units (the noise's spread, linear in
        the tag's level between the bins' median levels), or ``{tag: standard deviation}`` for a sampled-and-held
        tag.
    smoothing_ : dict
        ``{tag: {"width": steps, "levels": [...], "values": [...], "hold": deadband}}`` of the tags whose path is
        smoothed (``width``, with the quantile map used beyond sequences drawn whole) or held in a deadband (``hold``
        in the tag's units; absent or 0 for none) (:mod:`indgan.log.smoothing`).
    roughness_ : dict
        ``{tag: share}`` of white noise in the latent of each rough tag (``{}``: none).
    alignment_ : dict
        ``{"columns": [encoded column], "maps": [[levels, values], ...]}``: the tail alignment of the row model's
        normal scores (:mod:`indgan.log.alignment`), ``{}`` when it is off or the calibration left it out.
    trend_ : ContextTrend or None
        Each trended tag's mean path given the context and its quantile map (:mod:`indgan.log.trend`); None
        without a trend.
    fit_info_ : dict
        Grid, lengths, interval, conditions, calibration table, timings.
    """

    kind = "LogGAN"
    fitted_attribute = "rows_"
    generates_rows = True
    family = "log"
    method_name = "CTGAN rows + smooth latent dynamics"
    fit_options = frozenset({"epochs", "condition", "entity", "duplicate_times"})
    #: The training shape keeps the training log's outages (``sample(fill_gaps=False)``).
    keeps_outages = True
    count_option = "epochs"
    stops_early = True
    #: ``sample`` takes ``sequences`` and ``steps``, and ``indgan scenario`` accepts the model.
    generates_sequences = True
    fit_info_class: ClassVar[type] = LogFitInfo
    extra_loss_name = "cond CE"
    sample_shape_options = ("sequences", "steps", "fill_gaps")

    def __init__(
        self,
        time_budget: float | str | None = "auto",
        epochs: int | None = None,
        length_scale: float | str = "auto",
        row_tolerance: float = 0.02,
        stratify: bool = True,
        sensor_noise: bool = True,
        smoothing: bool = True,
        align_tails: bool = True,
        roughness: bool = True,
        sample_hold: bool = True,
        progress: bool | str = "auto",
        trend: bool | str = "auto",
        max_lag: int = 12,
        validation_share: float = 0.1,
        patience: int = 16,
        batch_size: int = 500,
        latent_dim: int = 128,
        generator_dim: tuple[int, ...] = (256, 256),
        critic_dim: tuple[int, ...] = (256, 256),
        loss: str = "wgan-gp",
        generator_lr: float = 2e-4,
        critic_lr: float = 1e-3,
        ema_decay: float | None = 0.995,
        n_modes: int = 5,
        gp_every: int = 4,
        max_discrete_levels: int = 10,
        columns: dict | None = None,
        device: str = "auto",
        random_state: int | None = None,
        verbose: bool = True,
        continuous_encoding: str = "quantile",
        redundant_correlation: float | str | None = "auto",
        duplicate_times: str = "first",
        circular: str | list | None = None,
        cycles: bool = False,
        condition: str | list[str] | None = None,
        entity: str | None = None,
        time: str | None = None,
    ):
        self.time_budget = time_budget
        self.epochs = epochs
        self.length_scale = length_scale
        self.row_tolerance = row_tolerance
        self.stratify = stratify
        self.sensor_noise = sensor_noise
        self.smoothing = smoothing
        self.align_tails = align_tails
        self.roughness = roughness
        self.sample_hold = sample_hold
        self.progress = progress
        self.trend = trend
        self.max_lag = max_lag
        self.validation_share = validation_share
        self.patience = patience
        self.batch_size = batch_size
        self.latent_dim = latent_dim
        self.generator_dim = generator_dim
        self.critic_dim = critic_dim
        self.loss = loss
        self.generator_lr = generator_lr
        self.critic_lr = critic_lr
        self.ema_decay = ema_decay
        self.n_modes = n_modes
        self.gp_every = gp_every
        self.max_discrete_levels = max_discrete_levels
        self.columns = columns
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.continuous_encoding = continuous_encoding
        self.redundant_correlation = redundant_correlation
        self.duplicate_times = duplicate_times
        self.circular = circular
        self.cycles = cycles
        self.condition = condition
        self.entity = entity
        self.time = time

    # ------------------------------------------------------------------ checks
    def _validate_params(self):
        check_positive_int("max_lag", self.max_lag)
        if not isinstance(self.smoothing, (bool, np.bool_)):
            raise ConfigError(f"smoothing must be True or False, got {self.smoothing!r}.")
        check_training_length("epochs", self.epochs, self.time_budget)
        if not (isinstance(self.length_scale, str) and self.length_scale == "auto"):
            check_positive_float("length_scale", self.length_scale)
            if float(self.length_scale) > 10_000:
                raise ConfigError(f"length_scale must be at most 10000 steps, got {self.length_scale!r}.")
        if self.progress not in (True, False, "auto"):
            raise ConfigError(f"progress must be True, False or 'auto', got {self.progress!r}.")
        if self.trend not in (True, False, "auto"):
            raise ConfigError(f"trend must be True, False or 'auto', got {self.trend!r}.")
        check_fraction("validation_share", self.validation_share, upper=0.5)
        check_fraction("row_tolerance", self.row_tolerance)
        if self.redundant_correlation not in (None, "auto"):
            check_fraction("redundant_correlation", self.redundant_correlation)

    def _row_model(self, budget: float | None) -> TabularGAN:
        return TabularGAN(
            epochs=self.epochs,
            time_budget=budget,
            validation_share=self.validation_share,
            patience=self.patience,
            batch_size=self.batch_size,
            latent_dim=self.latent_dim,
            generator_dim=tuple(self.generator_dim),
            critic_dim=tuple(self.critic_dim),
            loss=self.loss,
            generator_lr=self.generator_lr,
            critic_lr=self.critic_lr,
            ema_decay=self.ema_decay,
            n_modes=self.n_modes,
            gp_every=self.gp_every,
            max_discrete_levels=self.max_discrete_levels,
            device=self.device,
            random_state=self.random_state,
            verbose=self.verbose,
            continuous_encoding=self.continuous_encoding,
        )

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
        """Learn a log.

        Parameters
        ----------
        data : pandas.DataFrame
            ``(n_rows, n_columns)`` log with a time column (datetime, or a numeric sample index) and optionally
            an entity column (batch, run, unit); read a file with :func:`indgan.read_table`. Not modified.
        schema : Schema, optional
            Column roles; inferred when omitted (``columns``, ``entity``, ``time`` override the inference).
        condition : str or list of str, optional
            Columns the log is generated given (a fault id, an operating mode, a setpoint): integer columns
            with at most 50 levels and text columns are categorical, other numbers continuous. Sampling draws
            them from the training log or takes a schedule (:meth:`sample`).
        entity, time : str, optional
            The entity and time columns, when inference does not find them.

        Returns
        -------
        self

        Raises
        ------
        DataError
            No time column; missing, duplicated or decreasing timestamps; no tag left to model; a path instead of
            a table.
        ConditionError
            Unknown condition column, or one that is empty for a whole entity.
        ConfigError
            Invalid parameters.
        """
        condition, entity, time = self._learning_problem(condition, entity, time)
        budget = budget_seconds(self.time_budget, device, n_rows=len(data))
        log = prepare_log(
            data,
            schema,
            condition,
            entity,
            time,
            self.columns,
            self.max_discrete_levels,
            "the log model",
            duplicate_times=self.duplicate_times,
        )
        user_schema = log.schema
        self.angle_sums_ = self._find_angle_sums(log)
        self.angles_ = self._find_angles(log)
        if self.angles_:  # angles learned as points on the circle (indgan.log.circular)
            circle, circle_schema = to_circle(log.data, log.schema, self.angles_)
            log = prepare_log(circle, circle_schema, condition, model="the log model")
        prep = prepare_rows(log, self.progress, self.cycles)
        grid, schema, frame = log.grid, log.schema, log.grid.frame
        self._fit_followers(prep, grid)
        row_budget = None
        if budget is not None:  # the calibration after the row model takes a few seconds: keep them aside
            row_budget = max(1.0, 0.92 * budget - (perf_counter() - t_start))
        model = self._row_model(row_budget)
        observed = grid.observed
        rows, row_schema = self._fit_trend(prep, observed)
        model.fit(rows, schema=row_schema, context=prep.context[observed] if prep.context.shape[1] else None)
        self.schema_, self.model_schema_, self.rows_ = user_schema, schema, model
        self.cond_encoder_ = prep.cond_encoder
        self.device_ = device

        cont = prep.continuous
        self.held_ = []
        if self.sample_hold and cont:
            x = frame[cont].to_numpy(np.float64)
            ok = np.isfinite(x) & observed[:, None]
            self.held_ = [
                {
                    "columns": [cont[j] for j in h.columns],
                    "period": int(h.period),
                    "phase": h.phase.astype(int).tolist(),
                }
                for h in detect_sample_hold(np.nan_to_num(x), ok.astype(np.float32), grid.offsets, cont)
            ]
        time_col, entity_col = schema.time_column, schema.entity_column
        t_grid = time_values(frame[time_col]).to_numpy()
        self.fit_info_ = LogFitInfo(
            source=log.source,
            n_rows=int(len(data)),
            n_steps=int(len(frame)),
            n_gaps=grid.n_gaps,
            n_merged=grid.n_merged,
            interval=grid.interval,
            time_column=time_col,
            time_dtype=str(log.view[time_col].dtype),
            entity_column=entity_col,
            entities=[e.item() if isinstance(e, np.generic) else e for e in grid.entities] if entity_col else [None],
            entity_numeric=bool(entity_col is not None and pd.api.types.is_numeric_dtype(log.view[entity_col])),
            lengths=grid.lengths.tolist(),
            starts=t_grid[grid.offsets[:-1]].tolist(),
            conditions=log.conditions,
            progress=prep.progress,
            context_dim=int(prep.context.shape[1]),
            held=self.held_,
            gaps=gap_runs(observed, grid.offsets),
            cycles=prep.cycles,
        )
        # the training condition trajectories, drawn from when a sample does not fix them
        self.cond_grid_ = torch.from_numpy(prep.context).float()
        self.cond_offsets_ = torch.from_numpy(grid.offsets.astype(np.int64))
        self._fit_trend_map(prep.rows, observed)
        fitted = self.alignment_ = self._fit_alignment(rows, observed) if self.align_tails else {}
        self._calibrate(frame, observed, grid.offsets, cont)
        if fitted and not self.alignment_:  # left out: the length scale, noise and smoothing are chosen without it
            table, seconds = self.fit_info_.alignment, self.fit_info_.calibration_seconds
            self._calibrate(frame, observed, grid.offsets, cont)
            self.fit_info_.alignment = table
            self.fit_info_.calibration_seconds += seconds
        self.fit_info_.row_seconds = model.fit_info_.fit_seconds

    def _fit_trend(self, prep, observed: np.ndarray) -> tuple[pd.DataFrame, Schema]:
        """The row model's training rows and schema: with a trend (:mod:`indgan.log.trend`), the trended tags'
        residuals and their residual ranges; else ``prep``'s own. Sets ``trend_``."""
        self.trend_ = None
        use = prep.progress if self.trend == "auto" else bool(self.trend)
        if not use or not prep.progress or not prep.continuous:
            return prep.rows, prep.row_schema
        numeric = [c for c in prep.continuous if pd.api.types.is_numeric_dtype(prep.rows[c])]
        if not numeric:
            return prep.rows, prep.row_schema
        values = prep.rows[numeric].to_numpy(np.float64)
        keep = trend_columns(values, numeric, exclude=(SIN, COS))
        if not keep:
            return prep.rows, prep.row_schema
        names = [numeric[j] for j in keep]
        context = prep.context[observed]
        self.trend_ = ContextTrend.fit(context, values[:, keep], names)
        resid = values[:, keep] - self.trend_.predict(context)
        rows = prep.rows.copy()
        rows[names] = resid
        ranges = {c: (float(np.nanmin(resid[:, j])), float(np.nanmax(resid[:, j]))) for j, c in enumerate(names)}
        specs = [
            replace(c, minimum=ranges[c.name][0], maximum=ranges[c.name][1]) if c.name in ranges else c
            for c in prep.row_schema.columns
        ]
        return rows, Schema(specs)

    def _with_trend(self, values: pd.DataFrame, context: np.ndarray | Tensor | None) -> pd.DataFrame:
        """``values`` (the row model's decoded rows, residuals of the trended tags) with each row's trend added
        for its ``context`` row and clipped to the tag's training range, in place."""
        if self.trend_ is None or context is None:
            return values
        if isinstance(context, Tensor):
            context = context.cpu().numpy()
        cols = self.trend_.columns
        x = self.trend_.transform(values[cols].to_numpy(np.float64), context)
        for j, c in enumerate(cols):
            spec = self.model_schema_[c]
            values[c] = np.clip(x[:, j], spec.minimum, spec.maximum) if spec.minimum is not None else x[:, j]
        return values

    def _fit_trend_map(self, real_rows: pd.DataFrame, observed: np.ndarray) -> None:
        """The trend's quantile map (:meth:`~indgan.log.trend.ContextTrend.fit_map`), from as many row-model draws
        as real rows (20,000 to 200,000), each with the context of a real row drawn at random."""
        if self.trend_ is None:
            return
        cols = self.trend_.columns
        encoded, context = self._draws(len(real_rows), observed, 777)
        drawn = self.rows_.transformer_.inverse_transform(encoded)[cols].to_numpy(np.float64)
        generated = self.trend_.transform(drawn, context.cpu().numpy())  # trend plus residual: no map yet
        self.trend_.fit_map(generated, real_rows[cols].to_numpy(np.float64))

    def _find_angle_sums(self, log) -> dict[str, dict]:
        """The angles the historian computes from two others (:func:`~indgan.log.circular.find_angle_sums`): angles
        that wrap (:func:`~indgan.log.circular.find_angles`) computed from tags in degrees' range (continuous, no
        status strings); generated from their inputs at sampling."""
        tags = self._angle_candidates(log)
        if len(tags) < 3:
            return {}
        x, seg = self._grid_values(log.grid, tags)
        angles = set(find_angles(x, tags, seg))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an all-missing tag
            lo, hi = np.nanmin(x, axis=0), np.nanmax(x, axis=0)
        degrees = [j for j, c in enumerate(tags) if c in angles or (lo[j] >= -360.5 and hi[j] <= 360.5)]
        if not angles or len(degrees) < 3:
            return {}
        names = [tags[j] for j in degrees]
        return find_angle_sums(x[:, degrees], names, seg, np.array([c in angles for c in names]))

    def _find_angles(self, log) -> list[str]:
        """The angle tags (:mod:`indgan.log.circular`): ``circular`` "auto" detects them, a list names them, None
        turns it off. Tags with status strings are left as they are."""
        if self.circular is None:
            return []
        tags = self._angle_candidates(log)
        if self.circular != "auto":
            named = [self.circular] if isinstance(self.circular, str) else list(self.circular)
            wrong = [c for c in named if c not in tags]
            if wrong:
                raise ConfigError(
                    f"circular: {wrong!r} are not continuous tags without status strings of "
                    f"{log.source}; name angle tags in degrees, or use circular='auto'."
                )
            return named
        x, seg = self._grid_values(log.grid, tags)
        return find_angles(x, tags, seg)

    @staticmethod
    def _angle_candidates(log) -> list[str]:
        """The tags that may be angles: continuous, without status strings, not conditions."""
        return [
            c.name
            for c in log.schema.columns
            if c.role == CONTINUOUS and not c.statuses and c.name not in log.conditions
        ]

    @staticmethod
    def _grid_values(grid, tags: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """``(x, segments)``: ``tags``' values on the time ``grid`` ``(n_steps, len(tags))`` float64, NaN where not
        observed, and each step's entity ``(n_steps,)``."""
        x = grid.frame[tags].to_numpy(np.float64)
        x[~grid.observed] = np.nan
        return x, np.repeat(np.arange(len(grid.lengths)), grid.lengths)

    def _fit_followers(self, prep, grid) -> None:
        """Find the redundant tags at each candidate correlation (:mod:`indgan.log.followers`) and learn each
        follower given its leader; the calibration then chooses among them (``_follower_options``). Every continuous
        tag may lead but an angle's sine and cosine (they stay in the row model together) and a computed angle
        (generated from its inputs at the very end, :func:`~indgan.log.circular.find_angle_sums`); followers are
        the tags without status strings (a follower's missing cells are generated with its leader's or at its own
        rate).
        The row model learns every tag: a follower's generated values are replaced at sampling."""
        self.followers_, self.follower_params_ = {}, {}
        self._follower_options = []
        if self.redundant_correlation is None:
            return
        specs = {c.name: c for c in prep.row_schema.columns}
        observed = grid.observed
        cands = [c for c in prep.continuous if not c.endswith((SIN, COS)) and c not in self.angle_sums_]
        discrete = [  # categorical tags with numeric levels follow as well (snapped to their levels)
            c.name
            for c in prep.row_schema.columns
            if c.role == CATEGORICAL
            and not c.statuses
            and c.name in grid.frame.columns
            and pd.api.types.is_numeric_dtype(grid.frame[c.name])
        ]
        cands += discrete
        if len(cands) < 2:
            return
        x, seg = self._grid_values(grid, cands)
        seg = seg[observed]
        can_follow = np.array([not (specs[c].statuses or specs[c].codes) for c in cands])
        thresholds = (
            FOLLOWER_CANDIDATES if self.redundant_correlation == "auto" else (float(self.redundant_correlation),)
        )
        fitted: dict[tuple[str, str], dict] = {}
        seen = set()
        real = pd.DataFrame(x[observed], columns=cands)
        for thr in thresholds:
            followers = find_followers(x[observed], cands, can_follow, thr)
            key = tuple(sorted(followers.items()))
            if key in seen:
                continue
            seen.add(key)
            for f, lead in followers.items():  # on the observed steps (an outage is not a missing cell)
                if (f, lead) not in fitted:
                    fitted[(f, lead)] = fit_follower(
                        x[observed, cands.index(lead)], x[observed, cands.index(f)], seg, discrete=f in discrete
                    )
            params = {f: dict(fitted[(f, lead)]) for f, lead in followers.items()}
            share_residuals(real, followers, params)  # followers of one leader keep their mutual correlation
            self._follower_options.append((thr, followers, params))

    # ------------------------------------------------------------------ calibration
    def _calibrate(self, frame: pd.DataFrame, observed: np.ndarray, offsets: np.ndarray, cont: list[str]) -> None:
        """Choose ``length_scale`` and the sensor noise by simulating the training log's shape (its first
        entities, up to 6,000 steps) and scoring each candidate against the real log: half on its rows
        (:func:`~indgan.stats.row_fidelity`), half over time (the step-change score and one minus the
        autocorrelation error, as :func:`~indgan.metrics.report.temporal_fidelity` defines them). The sensor
        noise of a candidate is what the real step changes have beyond the candidate's own."""
        t0 = perf_counter()
        self.smoothing_, self.roughness_ = {}, {}
        lengths = np.diff(offsets)
        keep = np.flatnonzero(np.cumsum(lengths) - lengths < 6_000)
        plan = [(int(e), min(int(lengths[e]), 6_000)) for e in keep]
        pick = np.concatenate([np.arange(offsets[e], offsets[e] + n) for e, n in plan])
        seg = np.concatenate([np.full(n, k) for k, (_, n) in enumerate(plan)])
        ends = np.cumsum([n for _, n in plan])
        bounds = [(int(e - n), int(e)) for (_, n), e in zip(plan, ends)]  # (first step, end) of each sequence
        real_view = frame.iloc[pick].reset_index(drop=True)
        real = real_view[cont].to_numpy(np.float64)
        real[~observed[pick]] = np.nan
        s_real = self._real_step_scales(real, seg, plan, bounds, cont)
        acf_real = log_autocorrelation(real, seg, self.max_lag)
        row_cols = [c for c in self.rows_.schema_.names if c in real_view and c not in cont]
        cats = [c for c in real_view.columns if c in row_cols or c.endswith(":status")]
        real_rows = real_view.loc[observed[pick]]
        candidates = list(LENGTH_CANDIDATES) if self.length_scale == "auto" else [float(self.length_scale)]
        seed = 12345 if self.random_state is None else self.random_state + 12345
        table = []
        for h in candidates:
            self.length_scale_, self.sensor_noise_ = float(h), {}
            stream = LogStream(self, plan, None, self.new_generator(seed), training_phase=True)
            values, encoded, _ = stream.raw(0, stream.total)
            if self.sensor_noise and cont:
                self.sensor_noise_ = self._noise_for(stream, values, seg, plan, bounds, cont, s_real)
            stream.add_noise(values, encoded)
            stream.hold(values, 0)
            x = values[cont].to_numpy(np.float64)
            rows_score = row_fidelity(real_rows, values, cont, [c for c in cats if c in values])
            steps_score = float(np.nanmean(step_change_scores(real, x, seg, seg))) if cont else 1.0
            acf_error = float(np.nanmean(np.abs(log_autocorrelation(x, seg, self.max_lag) - acf_real))) if cont else 0.0
            table.append(
                {
                    "length_scale": float(h),
                    "rows": rows_score,
                    "steps": steps_score,
                    "acf_error": acf_error,
                    "time": 0.5 * (steps_score + 1.0 - acf_error),
                    "noise": dict(self.sensor_noise_),
                }
            )
        # the row model's own row score: as many rows, drawn independently, with the real rows' contexts
        context = self.cond_grid_[pick][observed[pick]].to(self.device_) if self.fit_info_.context_dim else None
        own = self._with_trend(
            self.rows_.transformer_.inverse_transform(
                self.aligned(self.rows_.generate_encoded(len(real_rows), [], self.new_generator(seed), context))
            ),
            context,
        )
        reference = row_fidelity(real_rows, own, cont, [c for c in cats if c in own])
        ok = [r for r in table if r["rows"] >= reference - self.row_tolerance] or [max(table, key=lambda r: r["rows"])]
        chosen = max(ok, key=lambda r: r["time"])
        self.length_scale_, self.sensor_noise_ = chosen["length_scale"], chosen["noise"]
        for r in table:
            r["chosen"] = r is chosen
            del r["noise"]
        self.fit_info_.calibration_reference = reference
        self.fit_info_.calibration = table
        self.fit_info_.smoothing = []
        self.fit_info_.roughness = []
        pairs, _ = top_correlated_pairs(real, 50)  # what the roughness, grouping and alignment choices score
        if self.roughness and cont:
            self._choose_roughness(plan, bounds, seed, real, seg, acf_real, real_rows, cont, cats, s_real, pairs)
        if self.smoothing and cont:
            self._choose_smoothing(plan, bounds, seed, real, seg, acf_real, cont, cont)
        self._choose_followers(plan, seed, real, seg, acf_real, real_rows, cont, cats, pairs)
        if self.smoothing and self.stratify and self.followers_:  # residuals are smoothed on whole sequences
            self._choose_smoothing(plan, bounds, seed, real, seg, acf_real, cont, list(self.followers_), followers=True)
        self._choose_alignment(plan, seed, real, seg, acf_real, real_rows, cont, cats, pairs)
        self.fit_info_.calibration_seconds = perf_counter() - t0

    def _choose_roughness(self, plan, bounds, seed, real, seg, acf_real, real_rows, cont, cats, s_real, pairs) -> None:
        """Per tag (sampled-and-held ones aside), the share of white noise in its latent (:data:`ROUGH_SHARES`;
        :class:`~indgan.log.stream.LogStream` draws the tag from the row model again with the latent
        ``sqrt(1 - w) z_t + sqrt(w) e_t``, so each row of the tag is still exactly a draw of the row model given its
        context) and its sensor noise recalibrated on it: the share whose simulated tag scores best over time (half
        the step-change score, half one minus the autocorrelation error). A tag that is white noise around its
        operating point (TEP's flow and composition measurements: lag-1 autocorrelation about 0) otherwise moves
        with the smooth latent plus sensor noise of its whole spread (lag-1 autocorrelation 0.45-0.5). Kept
        when the simulated log (rows, time and top pairs, :meth:`_simulated_scores`) scores better with it."""
        held = {c for h in self.held_ for c in h["columns"]}
        names = [c for c in cont if c not in held]
        if not names:
            return
        idx = [cont.index(c) for c in names]
        base_noise = dict(self.sensor_noise_)
        r, acf_r = real[:, idx], acf_real[:, idx]
        table, noises = [], []
        for w in ROUGH_SHARES:
            self.roughness_ = {c: w for c in names} if w > 0 else {}
            self.sensor_noise_ = {}
            stream = LogStream(self, plan, None, self.new_generator(seed), training_phase=True)
            values, encoded, _ = stream.raw(0, stream.total)
            noise = self._noise_for(stream, values, seg, plan, bounds, cont, s_real) if self.sensor_noise else {}
            self.sensor_noise_ = noise
            stream.add_noise(values, encoded)
            x = values[names].to_numpy(np.float64)
            steps = step_change_scores(r, x, seg, seg)
            acf_error = np.nanmean(np.abs(log_autocorrelation(x, seg, self.max_lag) - acf_r), axis=0)
            table.append(0.5 * (steps + 1.0 - acf_error))
            noises.append(noise)
        table = np.nan_to_num(np.stack(table), nan=-np.inf)
        best = np.argmax(table, axis=0)
        rough = {c: float(ROUGH_SHARES[k]) for c, k in zip(names, best) if k > 0}
        noise = dict(base_noise)
        for c, k in zip(names, best):
            noise.pop(c, None)
            if c in noises[k]:
                noise[c] = noises[k][c]
        options = [({}, base_noise), (rough, noise)] if rough else [({}, base_noise)]
        scores = []
        for rough_k, noise_k in options:
            self.roughness_, self.sensor_noise_ = rough_k, noise_k
            scores.append(self._simulated_scores(plan, seed, real, seg, acf_real, real_rows, cont, cats, pairs))
        keep = len(scores) > 1 and scores[1]["score"] > scores[0]["score"]
        self.roughness_, self.sensor_noise_ = options[1 if keep else 0]
        self.fit_info_.roughness = [
            {
                "share": float(w),
                "count": int((best == k).sum()),
                "time_before": float(np.mean(table[0][best == k])),
                "time_after": float(np.mean(table[k][best == k])),
            }
            for k, w in enumerate(ROUGH_SHARES)
            if (best == k).any()
        ] + [{"kept": bool(keep), "score_without": scores[0]["score"], "score_with": scores[-1]["score"]}]

    def _real_step_scales(self, real: np.ndarray, seg: np.ndarray, plan, bounds, cont: list[str]) -> dict:
        """The real log's step scales the sensor noise is measured against (:meth:`_noise_for`): ``"all"``, each
        tag's over all levels (:meth:`_update_step_scale`), ``(n_tags,)``; with :data:`NOISE_BINS` of 2 or more,
        its level bins too (equal shares of the real steps' mid levels, :func:`~indgan.stats.step_levels`):
        ``"edges"`` ``(n_tags, n_bins - 1)``, ``"centres"`` ``(n_tags, n_bins)`` the median level in each bin (NaN
        for an empty one) and ``"levels"`` ``(n_bins, n_tags)`` the real steps' robust scale in each bin, all in
        the tags' units."""
        out = {"all": self._update_step_scale(real, seg, plan, bounds, cont)}
        if NOISE_BINS < 2 or not cont:
            return out
        mid = step_levels(real, seg)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a tag without any observed step: no bins
            edges = np.nan_to_num(np.nanquantile(mid, np.arange(1, NOISE_BINS) / NOISE_BINS, axis=0).T)
            bins = level_bins(mid, edges)
            centres = np.stack([np.nanmedian(np.where(bins == k, mid, np.nan), axis=0) for k in range(NOISE_BINS)], 1)
        return out | {"edges": edges, "centres": centres, "levels": level_step_scale(real, seg, edges)}

    def _noise_for(self, stream, values, seg, plan, bounds, cont, s_real) -> dict[str, float | dict]:
        """The sensor noise of a simulated log's raw ``values`` (held as logged first): what the real step changes'
        robust scale ``s_real`` (:meth:`_real_step_scales`) has beyond the simulated one,
        ``sqrt((s_real^2 - s_gen^2) / 2)`` (see the module docstring), per tag and level bin, never above the
        tag's spread over all levels: ``{tag: {"levels": [level], "sd": [sd]}}`` in tag units, sd linear between
        the bins' median levels and held beyond them; ``{tag: sd}`` for a sampled-and-held tag (its noise over its
        update steps) or with one bin."""
        held = values.copy()
        stream.hold(held, 0, {})
        x = held[cont].to_numpy(np.float64)
        s_gen = self._update_step_scale(x, seg, plan, bounds, cont)
        noise = np.sqrt(np.maximum(s_real["all"] ** 2 - s_gen**2, 0.0) / 2.0)
        out: dict[str, float | dict] = {c: float(v) for c, v in zip(cont, noise) if v > 0}
        if "levels" not in s_real:
            return out
        gen_levels = level_step_scale(x, seg, s_real["edges"])
        by_level = np.sqrt(np.maximum(s_real["levels"] ** 2 - gen_levels**2, 0.0) / 2.0)
        sampled = {c for h in self.held_ for c in h["columns"]}
        for j, c in enumerate(cont):
            ok = np.isfinite(s_real["centres"][j])
            if c in sampled or ok.sum() < 2:
                continue
            sd = np.minimum(by_level[ok, j], out.pop(c, 0.0))  # never above the spread over all levels
            if sd.max() > 0:
                out[c] = {"levels": s_real["centres"][j, ok].tolist(), "sd": sd.tolist()}
        return out

    def _update_step_scale(self, x: np.ndarray, seg: np.ndarray, plan, bounds, cont: list[str]) -> np.ndarray:
        """:func:`~indgan.stats.step_scale` of each column of ``x (n_steps, len(cont))`` (the calibration's
        simulated or real log, sequences ``plan`` at ``bounds``, segment ids ``seg``); for a sampled-and-held tag,
        over its update steps only (one period apart, at each entity's phase): between updates it does not move, so
        over every step its median step is 0 and the analyser's own noise would read as none (TEP's analysers: no
        sensor noise at all, lag-1 autocorrelation 0.99 against 0.72-0.99 real)."""
        out = step_scale(x, seg)
        local = np.arange(len(seg)) - np.array([a for a, _ in bounds])[seg]
        for h in self.held_:
            phase = np.array([h["phase"][e] for e, _ in plan], dtype=np.int64)[seg]
            update = (local - phase) % h["period"] == 0
            idx = [cont.index(c) for c in h["columns"] if c in cont]
            if idx and update.any():
                out[idx] = step_scale(x[update][:, idx], seg[update])
        return out

    def _choose_smoothing(
        self, plan, bounds, seed, real, seg, acf_real, cont, columns, followers: bool = False
    ) -> None:
        """Per tag of ``columns`` (continuous, sampled-and-held ones aside), the smoothing width whose simulated
        path scores best over time against the real log: half the step-change score, half one minus the
        autocorrelation error, as the length scale's calibration scores the whole log (:mod:`indgan.log.smoothing`).
        For the redundant tags (``followers``) the width smooths their residual given the leader
        (:func:`~indgan.log.followers.smoothed_scores`: a copy stays a copy), chosen once the leaders are smoothed
        (their AR(1) residual moves them too much from step to step on its own)."""
        held = {c for h in self.held_ for c in h["columns"]}
        idx = [cont.index(c) for c in columns if c in cont and c not in held]
        for j in idx:
            self.smoothing_.pop(cont[j], None)
        if not idx:
            return
        names = [cont[j] for j in idx]
        r, acf_r = real[:, idx], acf_real[:, idx]

        def score(sx):
            steps = step_change_scores(r, sx, seg, seg)
            acf_error = np.nanmean(np.abs(log_autocorrelation(sx, seg, self.max_lag) - acf_r), axis=0)
            return 0.5 * (steps + 1.0 - acf_error)

        def simulate():
            return LogStream(self, plan, None, self.new_generator(seed), training_phase=True)

        if followers:  # the whole simulation again per width (same draws), the residuals smoothed
            table = []
            for w in SMOOTH_WIDTHS:
                self.smoothing_.update({c: {"width": w, "levels": [], "values": []} for c in names if w > 0})
                stream = simulate()
                table.append(score(stream.next(stream.total)[0][names].to_numpy(np.float64)))
            table = np.stack(table)
            widths = np.asarray(SMOOTH_WIDTHS)[np.argmax(np.nan_to_num(table, nan=-np.inf), axis=0)]
            maps = [{"width": float(w), "levels": [], "values": []} for w in widths]
            for c in names:
                self.smoothing_.pop(c, None)
        else:
            stream = simulate()
            values, encoded, _ = stream.raw(0, stream.total)
            stream.add_noise(values, encoded)
            x = values[names].to_numpy(np.float64)
            widths, table, maps = choose_widths(x, bounds, score)
            if self.stratify:  # deadband holds, applied to sequences drawn whole
                self._choose_holds(x, real[:, idx], seg, bounds, score, maps)
        self.smoothing_.update({c: mp for c, mp in zip(names, maps) if mp["width"] > 0 or mp.get("hold", 0) > 0})
        after = table[np.searchsorted(SMOOTH_WIDTHS, widths), np.arange(len(idx))]
        self.fit_info_.smoothing += [
            {
                "tags": "redundant" if followers else "row model",
                "width": float(w),
                "count": int((widths == w).sum()),
                "time_before": float(np.nanmean(table[0][widths == w])),
                "time_after": float(np.nanmean(after[widths == w])),
            }
            for w in SMOOTH_WIDTHS
            if (widths == w).any()
        ]

    def _choose_holds(self, x, real, seg, bounds, score, maps) -> None:
        """For each column of ``x`` whose real steps are exactly 0 at least :data:`~indgan.log.smoothing.HOLD_SHARE`
        of the time, the deadband (:func:`~indgan.log.smoothing.run_hold`, in units of the smoothed path's step
        spread) whose held path scores best; ``maps[j]["hold"]`` is set in the tag's units (0: none)."""
        steps = step_changes(real, seg)
        with np.errstate(all="ignore"):
            zero = np.nanmean(np.where(np.isfinite(steps), steps == 0, np.nan), axis=0)
        cols = np.flatnonzero(np.nan_to_num(zero) >= HOLD_SHARE)
        if not len(cols):
            return
        base = np.stack([rank_smooth(x[:, j], maps[j]["width"], bounds) for j in cols], 1)
        spread = np.nanstd(step_changes(base, seg), axis=0)
        full = np.array(x, copy=True)  # the other columns as they are (only the held ones' scores are read)
        table = []
        for q in HOLD_DEADBANDS:
            full[:, cols] = np.stack([run_hold(base[:, k], q * spread[k], bounds) for k in range(len(cols))], 1)
            table.append(score(full)[cols])
        best = np.argmax(np.nan_to_num(np.stack(table), nan=-np.inf), axis=0)
        for k, j in enumerate(cols):
            maps[j]["hold"] = float(HOLD_DEADBANDS[best[k]] * spread[k])

    def _choose_followers(self, plan, seed, real, seg, acf_real, real_rows, cont, cats, pairs) -> None:
        """Among the candidate groupings of redundant tags (none, and one per candidate correlation), keep the one
        whose simulated log scores best: rows plus the time score minus the correlation error of the 50 most
        correlated real pairs (:func:`~indgan.stats.pair_correlation_error`). On the plant logs the
        looser groupings win (their strongly related tags are copies and joint excursions); on a wind farm's log,
        where a turbine's power follows its own wind speed more than its neighbour's power, only the copies do."""
        options = [(None, {}, {})] + [o for o in self._follower_options if o[1]]
        if len(options) == 1:
            return
        table = []
        for thr, followers, params in options:
            self.followers_, self.follower_params_ = followers, params
            scores = self._simulated_scores(plan, seed, real, seg, acf_real, real_rows, cont, cats, pairs)
            table.append({"correlation": thr, "followers": len(followers), **scores})
        best = max(range(len(table)), key=lambda i: table[i]["score"])
        for i, r in enumerate(table):
            r["chosen"] = i == best
        self.followers_, self.follower_params_ = options[best][1], options[best][2]
        self.fit_info_.redundancy = table
        self._follower_options = []  # the other groupings are not needed once one is chosen

    def _simulated_scores(self, plan, seed, real, seg, acf_real, real_rows, cont, cats, pairs) -> dict:
        """The calibration's simulated log (``plan``, seed ``seed``) scored against the real one: rows, steps,
        autocorrelation error, the top pairs' correlation error, and ``score``, rows plus the time score minus the
        pair error (what the redundant-tag grouping and the tail alignment are chosen by)."""
        stream = LogStream(self, plan, None, self.new_generator(seed), training_phase=True)
        values, _, _ = stream.next(stream.total)
        x = values[cont].to_numpy(np.float64)
        rows_score = row_fidelity(real_rows, values, cont, [c for c in cats if c in values])
        steps_score = float(np.nanmean(step_change_scores(real, x, seg, seg)))
        acf_error = float(np.nanmean(np.abs(log_autocorrelation(x, seg, self.max_lag) - acf_real)))
        pair_error = float(np.nanmean(pair_correlation_error(real, x, pairs))) if len(pairs) else 0.0
        return {
            "rows": rows_score,
            "steps": steps_score,
            "acf_error": acf_error,
            "pair_error": pair_error,
            "score": rows_score + 0.5 * (steps_score + 1.0 - acf_error) - pair_error,
        }

    # ------------------------------------------------------------------ tail alignment
    def _fit_alignment(self, rows: pd.DataFrame, observed: np.ndarray) -> dict:
        """Fit the tail alignment of the row model's normal scores (:mod:`indgan.log.alignment`) on as many
        generator draws as real rows (20,000 to 200,000), each with the context of a real row drawn at random.
        ``{}`` when the row model has no quantile-encoded tag."""
        tf = self.rows_.transformer_
        blocks = [(a, b) for a, b in tf.block_starts() if b["kind"] == "quantile"]
        if not blocks:
            return {}
        cols = [a for a, _ in blocks]
        view = self.rows_.schema_.view(rows)  # every real row's scores, as the transformer encodes them
        real = np.stack([tf.quantile_block_scores(view, b) for _, b in blocks], 1)
        encoded, _ = self._draws(len(real), observed, 4242)
        return {"columns": cols, "maps": fit_tail_alignment(real, encoded[:, cols])}

    def _draws(self, n_real: int, observed: np.ndarray, offset: int) -> tuple[np.ndarray, Tensor | None]:
        """As many encoded row-model draws as real rows (20,000 to 200,000), each with the context of an observed
        real row drawn at random: ``(encoded (n, output_dim) float32, context (n, context_dim) on the model's
        device, or None without context)``, seeded by ``random_state + offset``."""
        n = min(max(n_real, 20_000), 200_000)
        g = self.new_generator(0 if self.random_state is None else self.random_state + offset)
        context = None
        if self.fit_info_.context_dim:
            ctx = self.cond_grid_[torch.from_numpy(observed)]
            context = ctx[torch.randint(len(ctx), (n,), generator=g, device=g.device).cpu()].to(self.device_)
        return self.rows_.generate_encoded(n, [], g, context), context

    def aligned(self, encoded: np.ndarray) -> np.ndarray:
        """The row model's encoded rows ``(n, output_dim)`` with their scores' tails aligned (in place; see
        :mod:`indgan.log.alignment`); unchanged when the model has no alignment."""
        if self.alignment_:
            cols = self.alignment_["columns"]
            encoded[:, cols] = apply_tail_alignment(encoded[:, cols], self.alignment_["maps"])
        return encoded

    def _choose_alignment(self, plan, seed, real, seg, acf_real, real_rows, cont, cats, pairs) -> None:
        """Keep the tail alignment when the simulated log scores better with it than without
        (:meth:`_simulated_scores`, the rest of the calibration as chosen with it); the table is
        ``fit_info_.alignment``. Left out, ``fit`` calibrates again without it."""
        if not self.alignment_ or not cont:
            return
        fitted, table = self.alignment_, []
        for on in (True, False):
            self.alignment_ = fitted if on else {}
            scores = self._simulated_scores(plan, seed, real, seg, acf_real, real_rows, cont, cats, pairs)
            table.append({"aligned": on, **scores})
        keep = table[0]["score"] >= table[1]["score"]
        table[0]["chosen"], table[1]["chosen"] = keep, not keep
        self.alignment_ = fitted if keep else {}
        self.fit_info_.alignment = table

    @property
    def summary_(self):
        """The row model's training summary (:class:`~indgan.training.TrainingSummary`)."""
        return self.rows_.summary_

    def fit_lines(self) -> list[str]:
        """What the fit learned, for ``indgan fit``."""
        fi, rows = self.fit_info_, self.rows_
        score = rows.fit_info_.validation_score
        lines = [
            f"row model: {rows.summary_.epochs} epochs ({rows.summary_.steps} steps) in "
            f"{rows.fit_info_.fit_seconds:.1f} s"
            + (f", held-out score {score:.3f}" if score is not None else "")
            + f"; latent length scale {self.length_scale_:g} steps; sensor noise on {len(self.sensor_noise_)} tag(s)"
            + (f"; smoothed paths of {len(self.smoothing_)} tag(s)" if self.smoothing_ else "")
            + (f"; rough latent for {len(self.roughness_)} tag(s)" if self.roughness_ else "")
            + ("; score tails aligned" if self.alignment_ else "")
            + (
                f"; deadband holds on {holds} tag(s)"
                if (holds := sum(mp.get("hold", 0) > 0 for mp in self.smoothing_.values()))
                else ""
            )
            + (f"; conditions: {', '.join(fi.conditions)}" if fi.conditions else "")
            + ("; batch progress" if fi.progress else "")
            + (f"; mean paths over the batch of {len(self.trend_.columns)} tag(s)" if self.trend_ is not None else "")
        ]
        if self.followers_:
            pairs = [f"{f} <- {lead}" for f, lead in self.followers_.items()]
            lines.append(
                f"redundant tags generated from their leader: {', '.join(pairs[:6])}"
                + (f" and {len(pairs) - 6} more" if len(pairs) > 6 else "")
            )
        if self.angles_:
            lines.append(
                f"angles learned on the circle: {', '.join(self.angles_[:6])}"
                + (f" and {len(self.angles_) - 6} more" if len(self.angles_) > 6 else "")
            )
        if self.angle_sums_:
            sums = [f"{t} = {s['a']} {'+' if s['sign'] > 0 else '-'} {s['b']}" for t, s in self.angle_sums_.items()]
            lines.append(
                "angles computed from two others (mod 360): "
                + "; ".join(sums[:3])
                + (f" and {len(sums) - 3} more" if len(sums) > 3 else "")
            )
        return lines + [
            f"sampled and held every {g['period']} steps (analyser/lab tags; generated the same way): "
            f"{', '.join(g['columns'][:6])}" + (f" and {len(g['columns']) - 6} more" if len(g["columns"]) > 6 else "")
            for g in fi.held
        ]

    def training_lines(self) -> list[str]:
        """How the model was trained, for ``indgan info``."""
        fi = self.fit_info_
        calib = ", ".join(f"{r['length_scale']:g}: rows {r['rows']:.3f} time {r['time']:.3f}" for r in fi.calibration)
        smooth = fi.smoothing
        return [
            f"log: {len(fi.lengths)} sequence(s) of {min(fi.lengths)}-{max(fi.lengths)} steps, interval "
            f"{format_interval(fi.interval, fi.time_dtype)}, "
            f"{fi.n_gaps} gap step(s); conditions: {', '.join(fi.conditions) or 'none'}"
            + ("; batch progress" if fi.progress else ""),
            f"latent length scale {self.length_scale_:g} steps (calibration {calib}; the row model's own rows "
            f"{fi.calibration_reference:.3f}); sensor noise on "
            f"{len(self.sensor_noise_)} tag(s); {len(self.held_)} sampled-and-held group(s)",
            "smoothing widths (steps: tags, time score before -> after): "
            + (
                ", ".join(
                    f"{r['width']:g} ({r['tags']}): {r['count']}, {r['time_before']:.3f} -> {r['time_after']:.3f}"
                    for r in smooth
                )
                or "none"
            ),
            "roughness (share of white latent noise: tags, time score before -> after): "
            + (
                ", ".join(
                    f"{r['share']:g}: {r['count']}, {r['time_before']:.3f} -> {r['time_after']:.3f}"
                    for r in fi.roughness
                    if "share" in r
                )
                + "".join(
                    (
                        f"; {'kept' if r['kept'] else 'left out'} (log score {r['score_with']:.3f} with, "
                        f"{r['score_without']:.3f} without)"
                    )
                    if any(q.get("share", 0) > 0 for q in fi.roughness)
                    else "; no tag scored better with it"
                    for r in fi.roughness
                    if "kept" in r
                )
                or "off"
            ),
            "tail alignment (simulated log's score, rows, pair error): "
            + (
                ", ".join(
                    f"{'with' if r['aligned'] else 'without'} {r['score']:.3f}, {r['rows']:.3f}, {r['pair_error']:.3f}"
                    + (" (kept)" if r["chosen"] else "")
                    for r in fi.alignment
                )
                or "off"
            ),
            f"row model: {self.rows_.training_lines()[0].removeprefix('training: ')}",
            f"fit {fi.fit_seconds:.1f} s (row model {fi.row_seconds:.1f} s, calibration "
            f"{fi.calibration_seconds:.1f} s)",
        ]

    # ------------------------------------------------------------------ sample
    def _sample(
        self,
        n: int | None = None,
        *,
        conditions: dict[str, Any] | None = None,
        random_state: int | None = None,
        sequences: int | None = None,
        steps: int | None = None,
        fill_gaps: bool = False,
    ) -> pd.DataFrame:
        """A synthetic log (all of it in memory; :meth:`sample_parts` yields it part by part, with memory bounded
        by the part, and ``pd.concat`` of its parts at the default ``part_rows`` is this frame).

        Parameters and raised errors: those of :meth:`sample_parts`.

        Returns
        -------
        pandas.DataFrame
            ``(total steps, n_columns)`` in the training table's columns and dtypes; time on the training grid,
            entity ids of the training entities (a ``sequence`` id for extra sequences).
        """
        parts = list(
            self.sample_parts(
                n,
                conditions=conditions,
                random_state=random_state,
                sequences=sequences,
                steps=steps,
                fill_gaps=fill_gaps,
            )
        )
        return parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)

    def sample_parts(
        self,
        n: int | None = None,
        *,
        conditions: dict[str, Any] | None = None,
        random_state: int | None = None,
        sequences: int | None = None,
        steps: int | None = None,
        fill_gaps: bool = False,
        part_rows: int = PART_ROWS,
    ) -> Iterator[pd.DataFrame]:
        """A synthetic log, yielded in consecutive parts of at most ``part_rows`` steps: memory holds one part
        whatever the log's length (``indgan sample -n 10000000`` writes this way). The parts are one log, not
        pieces glued together: the latent processes, held values and redundant tags' residuals carry across
        them (:class:`~indgan.log.stream.LogStream`): the same seed gives the same log whatever ``part_rows``.

        Parameters
        ----------
        n : int, optional
            Rows. Without ``n`` and ``sequences``: **the training shape**, one synthetic log per training entity
            (the whole log when there is none) with its length, start time and condition trajectory, at the
            training sampling interval. With ``n``: logs of the training entities' lengths, in order, until
            ``n`` rows (one log of ``n`` steps when there is no entity column).
        sequences : int, optional
            Number of logs (entities) of ``steps`` steps each (default: training entities' lengths, in order).
        steps : int, optional
            Steps per sequence with ``sequences`` (or the length of a given condition schedule).
        conditions : dict, optional
            ``{column: value}`` for the whole log, ``{column: [(value, n_steps), ...]}`` for a schedule (the
            last value holds), or ``{column: per-step values}``; conditions left out follow the training
            trajectories.
        random_state : int, optional
            Seed of this draw; without it successive calls continue one seeded stream.
        fill_gaps : bool, default False
            The training shape keeps the training log's outages (grid steps without a sample are left out, so the
            synthetic log has the training timestamps); True generates them too (a gapless grid).
        part_rows : int, default 98304
            Steps per part (before the training shape's outages are left out), rounded up to a multiple of the
            generator's batch (8,192 steps), so that every part size draws the same noise.

        Yields
        ------
        pandas.DataFrame
            ``(<= part_rows, n_columns)`` parts in the training table's columns and dtypes, in time order.

        Raises
        ------
        ConfigError
            ``n``, ``sequences`` or ``steps`` not positive integers, or ``n`` together with ``sequences``.
        ConditionError
            Unknown condition column or value, or a schedule longer than the log.
        """
        self._check_fitted()
        check_positive_int("n", n, optional=True)
        check_positive_int("part_rows", part_rows)
        check_positive_int("sequences", sequences, optional=True)
        check_positive_int("steps", steps, optional=True)
        if n is not None and sequences is not None:
            raise ConfigError("give n (rows) or sequences (with steps), not both.")
        fixed = {k: condition_schedule(self.cond_encoder_, k, v) for k, v in (conditions or {}).items()}
        if steps is None:
            lens = [len(v) for v in fixed.values() if len(v) > 1]
            steps = max(lens) if lens else None
        info = self.fit_info_
        lengths = info.lengths
        if sequences is not None:
            plan = [(i % len(lengths), steps or lengths[i % len(lengths)]) for i in range(sequences)]
        elif n is not None:
            plan, total = [], 0
            if info.entity_column is None:
                plan = [(0, n)]
            else:
                i = 0
                while total < n:
                    k = min(lengths[i % len(lengths)], n - total)
                    plan.append((i % len(lengths), k))
                    total += k
                    i += 1
        else:
            plan = [(e, steps or length) for e, length in enumerate(lengths)]
        for col, values in fixed.items():
            if len(values) > max(k for _, k in plan):
                raise ConditionError(
                    f"condition {col}: the schedule has {len(values)} steps, more than the log's "
                    f"{max(k for _, k in plan)}; shorten it or ask for more steps."
                )
        g = self._rng_ if random_state is None else self.new_generator(random_state)
        training_shape = n is None and sequences is None
        stream = LogStream(self, plan, fixed, g, training_phase=training_shape)
        keep = None
        if training_shape and steps is None and info.gaps and not fill_gaps:  # the training timestamps
            starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
            e, a, k = np.asarray(info.gaps, np.int64).T
            marks = np.zeros(stream.total + 1, np.int64)
            np.add.at(marks, starts[e] + a, 1)
            np.add.at(marks, starts[e] + a + k, -1)
            keep = np.cumsum(marks[:-1]) == 0
        new_ids = sequences is not None or (n is not None and len(plan) > len(lengths))
        part_rows = -(-part_rows // GENERATOR_BATCH) * GENERATOR_BATCH
        while stream.pos < stream.total:
            values, context, first = stream.next(part_rows)
            frame = self._to_frame(values, context, stream, first, new_ids)
            if keep is not None:
                frame = frame[keep[first : first + len(frame)]].reset_index(drop=True)
            yield frame

    def _add_noise(self, values: pd.DataFrame, encoded: np.ndarray, rng) -> None:
        """Each tag's sensor noise, where its value comes from a Gaussian mode, mirrored back into the training
        range at its limits (:func:`~indgan.log.noise.reflect`); ``rng(column)`` gives the column's numpy
        generator."""
        if not self.sensor_noise_:
            return
        schema = self.model_schema_  # the tags' training ranges (the row model's are the residuals' for a trend)
        mapped = {} if self.trend_ is None or self.trend_.quantiles is None else self.trend_.real_quantiles()
        for s0, b in self.rows_.transformer_.block_starts():
            c = b["column"]
            sigma = self.sensor_noise_.get(c)
            if not sigma or b["kind"] not in ("continuous", "quantile"):
                continue
            v = values[c].to_numpy(np.float64)
            if isinstance(sigma, dict):  # by level (_noise_for)
                sigma = np.interp(np.nan_to_num(v), sigma["levels"], sigma["sd"])
            if c in mapped or b["kind"] == "quantile":  # a value in a run of equal quantiles is a point mass: exact
                q = mapped[c] if c in mapped else np.asarray(b["quantiles"])
                gauss = np.searchsorted(q, v, "right") - np.searchsorted(q, v, "left") < 2
            else:
                mode = encoded[:, s0 + 1 : s0 + b["width"]].argmax(1)
                gauss = mode >= len(b["points"])
            noisy = v + rng(c).standard_normal(len(v)) * sigma
            spec = schema[c]
            lo, hi = spec.minimum, spec.maximum
            if lo is not None:
                noisy = reflect(noisy, lo, hi)
            values[c] = np.where(gauss & np.isfinite(v), noisy, v)

    def _to_frame(
        self, values: pd.DataFrame, context: Tensor, stream: LogStream, first: int, new_ids: bool
    ) -> pd.DataFrame:
        """The training table's columns and dtypes for the steps ``[first, first + len(values))`` of ``stream``'s
        plan: conditions decoded from the context, time on the training grid, entity ids."""
        info = self.fit_info_
        view = values
        enc = self.cond_encoder_
        if enc.dim:
            cview = enc.inverse_transform(context[:, : enc.dim].numpy())
            for col in cview.columns:
                view[col] = cview[col].to_numpy()
        time_col, entity_col = info.time_column, info.entity_column
        seq, local = stream.local_steps(first, first + len(values))
        ent = np.array([e for e, _ in stream.plan], dtype=np.int64)
        view[time_col] = as_times(
            np.asarray(info.starts, np.float64)[ent[seq]] + local * info.interval, info.time_dtype
        ).to_numpy()
        if entity_col is not None:
            if new_ids:
                view[entity_col] = (
                    seq if info.entity_numeric else np.char.add("synthetic-", seq.astype(str)).astype(object)
                )
            else:
                view[entity_col] = np.asarray(info.entities, dtype=object)[ent[seq]]
        if self.angles_:
            view = from_circle(view, self.schema_, self.angles_)
        if self.angle_sums_:  # angles the historian computes from two others
            compute_angle_sums(
                view, self.angle_sums_, self.schema_, lambda c: stream.rng(c, "sum"), stream.sum_carry, local == 0
            )
        frame = self.schema_.restore(view)
        if entity_col is None and len(stream.plan) > 1:
            frame.insert(0, "sequence", seq)
        return frame.reset_index(drop=True)

    # ------------------------------------------------------------------ persistence
    def _state(self) -> tuple[dict, dict[str, Tensor]]:
        row_meta, row_tensors = self.rows_.to_state()
        meta = {
            "schema": self.schema_.to_dict(),
            "model_schema": self.model_schema_.to_dict(),
            "angles": self.angles_,
            "angle_sums": self.angle_sums_,
            "rows": row_meta,
            "cond_encoder": self.cond_encoder_.to_dict(),
            "length_scale": self.length_scale_,
            "sensor_noise": self.sensor_noise_,
            "smoothing": self.smoothing_,
            "alignment": self.alignment_,
            "roughness": self.roughness_,
            "held": self.held_,
            "followers": self.followers_,
            "follower_params": self.follower_params_,
            "trend": None if self.trend_ is None else self.trend_.to_dict(),
            "fit_info": self.fit_info_.to_dict(),
        }
        tensors = {f"rows.{k}": v for k, v in row_tensors.items()}
        if self.trend_ is not None:
            tensors["trend"] = torch.from_numpy(self.trend_.coef)
            if self.trend_.quantiles is not None:
                tensors["trend_map"] = torch.from_numpy(self.trend_.quantiles)
        tensors.update({"cond_grid": self.cond_grid_, "cond_offsets": self.cond_offsets_})
        return meta, tensors

    def _restore(self, meta: dict, tensors: dict[str, Tensor], device: torch.device, source) -> None:
        self.schema_ = Schema.from_dict(meta["schema"])
        self.model_schema_ = Schema.from_dict(meta.get("model_schema", meta["schema"]))
        self.angles_ = list(meta.get("angles", []))
        self.angle_sums_ = dict(meta.get("angle_sums", {}))
        self.rows_ = TabularGAN.from_state(meta["rows"], split_state(tensors, "rows"), str(device), source=source)
        self.cond_encoder_ = RangeEncoder.from_dict(meta["cond_encoder"])
        self.length_scale_ = float(meta["length_scale"])
        self.sensor_noise_ = dict(meta["sensor_noise"])
        self.smoothing_ = dict(meta.get("smoothing", {}))  # models saved before the smoothing have none
        self.alignment_ = dict(meta.get("alignment", {}))  # nor before the tail alignment
        self.roughness_ = dict(meta.get("roughness", {}))  # nor before the roughness
        self.held_ = list(meta["held"])
        self.followers_ = dict(meta.get("followers", {}))
        self.follower_params_ = dict(meta.get("follower_params", {}))
        trend = meta.get("trend")  # models saved before the trend have none
        self.trend_ = (
            None
            if trend is None
            else ContextTrend.from_dict(
                trend,
                tensors["trend"].double().numpy(),
                tensors["trend_map"].double().numpy() if "trend_map" in tensors else None,
            )
        )
        self.fit_info_ = LogFitInfo.from_dict(meta["fit_info"])
        self.cond_grid_ = tensors["cond_grid"].float()
        self.cond_offsets_ = tensors["cond_offsets"].long()
