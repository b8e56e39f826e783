"""CycleGAN regime transfer: "what would this period look like under fault k / on line B".

A plant has years of normal operation and a few hours of each fault; a sister line or another product grade has
its own logs, never the same hours as this one. CycleGAN (Zhu, Park, Isola, Efros, "Unpaired Image-to-Image
Translation using Cycle-Consistent Adversarial Networks", ICCV 2017) learns a translation between two sets of
**unpaired** windows, domain A (normal operation, line A, grade A) and domain B (fault k, line B, grade B), with
two generators ``G: A -> B`` and ``F: B -> A`` and two discriminators, such that translating there and back returns
the original (cycle consistency). Translating a week of normal operation gives "the same week under fault k",
with that week's load changes and disturbances kept. Brunner et al. ("Symbolic Music Genre Transfer with
CycleGAN", ICTAI 2018) carried the method from images to sequences (bars of music); here the sequences are
windows of a plant log.

- **Networks** (:mod:`indgan.cyclegan.networks`): 1-D temporal-convolution residual generators that output the
  change of each tag, PatchGAN-style 1-D discriminators, both conditioned on the step's context (the other
  condition columns and the categorical columns, such as the status of a tag).
- **Game** (:mod:`indgan.cyclegan.game`): CycleGAN's losses: least-squares adversarial (other losses of
  :mod:`indgan.losses` as options), cycle consistency (L1, lambda = 10), identity (0.5 lambda), a history of 50
  generated windows for the discriminators; trained by the shared :class:`~indgan.training.AdversarialTrainer` with
  Adam (learning rate 2e-4, beta1 0.5, as CycleGAN) for a number of iterations or a time budget. CycleGAN decays
  its learning rate linearly over the second half of 200 epochs; with a time budget the rate stays constant.
  Beyond the paper, measured on TEP (see the parameters): each generator's per-tag offset starts at the difference
  of the domains' means (``mean_start``), the discriminators are narrow (``disc_dim=8``) and translations come from
  a moving average of the generators' weights (``ema_decay=0.99``).
- **Data** (:mod:`indgan.cyclegan.prepare`): the shared time grid and schema; windows of ``seq_len`` steps that lie
  wholly in one domain (the domain column equal to A, or to B, on every step).
- **Translating** a log of any length (:meth:`CycleGAN.translate`) runs windows every half window and puts them
  back by overlap-add with a taper, so there is no seam at window boundaries.

What is kept as the sequence model keeps it: missing cells and historian status strings ("Bad", "Scan Timeout")
stay as they were in the source (only numbers are translated; a status is context, not translated);
sampled-and-held tags (analysers; :func:`~indgan.timegrid.detect_sample_hold`) are held at the source's own update
steps; a tag that never moves in the target domain (a stuck valve under a fault) comes out exactly at its value
there; constant columns keep their value. Rows already in the target domain are returned as they are.
"""

from __future__ import annotations

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
from ..errors import (
    ConditionError,
    ConfigError,
    DataError,
    check_positive_float,
    check_positive_int,
)
from ..losses import LOSSES, AdversarialLoss
from ..persist import split_state
from ..schema import (
    CONSTANT,
    IGNORED,
    Schema,
    condition_overrides,
    infer_schema,
    match_level,
)
from ..timegrid import (
    apply_sample_hold,
    fill_conditions,
    pad_entities,
    prepare_log,
    to_grid,
    window_starts,
)
from ..training import AdversarialTrainer, TrainingSummary, to_device
from .game import CycleGANGame
from .networks import CycleDiscriminators, CycleGenerators
from .prepare import (
    domain_labels,
    encode,
    overlap_add,
    parse_domains,
    prepare_domains,
    update_phase,
)


@dataclass
class CycleFitInfo(FitInfo):
    """What a :class:`CycleGAN` fit learned (``fit_info_``). The cycle and one-way errors are mean absolute
    differences to the source windows in the tags' standard deviations, on up to 256 training windows of each
    domain after training (``cycle_error_a``: ``|F(G(a)) - a|``, ``one_way_a``: ``|G(a) - a|``)."""

    source: str = "table"
    domain_column: str = ""
    domain_values: list = field(default_factory=list)
    n_windows_a: int = 0
    n_windows_b: int = 0
    seq_len: int = 0
    n_tags: int = 0
    context_dim: int = 0
    conditions: list = field(default_factory=list)
    held: list = field(default_factory=list)
    stuck_a: list = field(default_factory=list)
    stuck_b: list = field(default_factory=list)
    interval: float = 1.0
    time_column: str = "time"
    entity_column: str | None = None
    batch_size: int = 0
    hidden_dim: int = 0
    prepare_seconds: float = 0.0
    cycle_error_a: float = 0.0
    cycle_error_b: float = 0.0
    one_way_a: float = 0.0
    one_way_b: float = 0.0


class CycleGAN(FittedModel):
    """CycleGAN between two regimes of a plant log (see the module docstring; Zhu et al., ICCV 2017).

    Parameters
    ----------
    domains : (str, value, value)
        The column that tells the domains apart and its two values, e.g. ``("fault", 0, 4)``: domain A is
        ``fault == 0``, B is ``fault == 4``. With :meth:`fit` on two tables the column may be absent from them
        (it is then added, A for the first table, B for the second).
    seq_len : int, default 32
        Steps per window (at least 16; the discriminator scores patches of about 40 steps, so with 32 it judges
        each window as a whole).
    stride : int, default 2
        Steps between training windows.
    hidden_dim : int, default 32
        Channels of the generators' layers (CycleGAN: 64 to 256; 32 keeps an iteration near 0.1 s on one CPU
        thread for 52 tags).
    n_blocks : int, default 4
        Residual blocks per generator (CycleGAN: 6 or 9); the receptive field is 41 steps each side with 4.
    disc_dim : int, default 8
        Channels of the discriminators' first layer (then 2x, 4x, as PatchGAN's 64-128-256). Small by measurement:
        with a few hundred training windows per domain a wider discriminator separates real from translated windows
        perfectly within a hundred iterations and the generators then chase its quirks (``benchmarks/README.md``).
    iterations : int, optional
        Most generator steps (each after ``critic_steps`` discriminator steps); None: as the time budget allows.
    time_budget : float, str or None, default "auto"
        Seconds or a duration ("90s", "5m"); "auto" is :data:`indgan.budget.AUTO_BUDGET`.
    batch_size : int, default 16
        Windows of each domain per step (CycleGAN's images: 1).
    learning_rate : float, default 2e-4
    beta1 : float, default 0.5
        Adam's, as CycleGAN.
    loss : str, default "least-squares"
        Adversarial loss (:data:`indgan.losses.LOSSES`); CycleGAN's is least squares.
    cycle_weight : float, default 10
        lambda of the cycle-consistency loss.
    identity_weight : float, default 0.5
        The identity loss' weight, as a share of lambda (CycleGAN: 0.5); 0 turns it off.
    pool_size : int, default 50
        Generated windows in the discriminators' history (0: none).
    critic_steps : int, default 1
    ema_decay : float or None, default 0.99
        Translate with a moving average of the generators' weights (Yazici et al., ICLR 2019; see
        :class:`~indgan.training.AdversarialTrainer`); None keeps the last iterate, as CycleGAN. On TEP normal ->
        faults 4, 5, 7 (35 s of training, with ``disc_dim=8``) the average kept the tags a fault does not move
        closer to the source (RMSE 0.04-0.08 against 0.13-0.52 standard deviations for the last iterate at
        ``disc_dim=32``) and lowered the discriminative score against real fault windows on faults 4 and 5.
    sample_hold : bool, default True
        Hold sampled-and-held tags (analysers) at the source's update steps.
    max_missing : float, default 0.5
        Training windows with a larger share of missing cells are left out.
    min_windows : int, default 8
        Fewest windows a domain must have.
    mean_start : bool, default True
        Start each generator's learned per-tag offset at the difference of the domains' means (the trivial
        translation) instead of 0. Beyond the paper: with a residual generator at 0 the cycle and identity losses
        (L1 over every tag) hold it at the identity while the discriminators already tell the domains apart
        perfectly; on TEP normal -> fault 4 (a 2-standard-deviation shift of one valve among 52 tags) a generator
        started at 0 moved the tags by 0.001-0.03 standard deviations in 300-600 iterations.
    stochastic : bool, default True
        Add the target regime's variability to every translation: white noise through learned 31-step filters, one
        per tag plus 4 shared channels mixed into the tags
        (:meth:`~indgan.cyclegan.networks.CycleGenerators.variability`), started at the step-change covariance the
        target regime has in excess
        (:func:`~indgan.cyclegan.prepare.variability_start`), seen by the discriminators and the spectral term,
        while the cycle and identity losses are taken on the deterministic translation. Beyond the
        paper: a deterministic map of a calm log does not add the variability that regimes such as TEP's
        random-variation and sticking-valve faults are recognised by (see ``benchmarks/README.md``).
    spectral_weight : float, default 1.0
        Weight of the log spectral distance (:func:`~indgan.training.log_spectral_distance`) between translated and
        real target windows, per tag, added to the cycle and identity losses; 0 leaves CycleGAN's losses alone.
    max_discrete_levels : int, default 10
    columns : dict, optional
        Role overrides, as in the ``[columns]`` config.
    condition, entity, time : optional
        The learning problem's condition column(s), entity column and time column (``fit``'s arguments of the
        same names override them), as constructor parameters so that ``sklearn.base.clone`` keeps them.
    device, random_state, verbose
        As in :class:`~indgan.sequence.SequenceGAN`.

    Attributes
    ----------
    schema_, encoder_, cond_encoder_, summary_, fit_info_ (:class:`CycleFitInfo`), generator_ (both generators,
    :class:`~indgan.cyclegan.networks.CycleGenerators`), discriminator_ (both discriminators)
    """

    kind = "CycleGAN"
    family = "cyclegan"
    method_name = "CycleGAN"
    translates = True
    fit_options = frozenset({"iterations", "seq_len", "critic_steps", "condition", "entity", "domains"})
    count_option = "iterations"
    fit_info_class: ClassVar[type] = CycleFitInfo
    extra_loss_name = "cycle+identity+spectral"

    def __init__(
        self,
        domains=None,
        seq_len: int = 32,
        stride: int = 2,
        hidden_dim: int = 32,
        n_blocks: int = 4,
        disc_dim: int = 8,
        iterations: int | None = None,
        time_budget: float | str | None = "auto",
        batch_size: int = 16,
        learning_rate: float = 2e-4,
        beta1: float = 0.5,
        loss: str = "least-squares",
        cycle_weight: float = 10.0,
        identity_weight: float = 0.5,
        pool_size: int = 50,
        critic_steps: int = 1,
        ema_decay: float | None = 0.99,
        sample_hold: bool = True,
        max_missing: float = 0.5,
        min_windows: int = 8,
        mean_start: bool = True,
        stochastic: bool = True,
        spectral_weight: float = 1.0,
        max_discrete_levels: int = 10,
        columns: dict | None = None,
        device: str = "auto",
        random_state: int | None = None,
        verbose: bool = True,
        condition: str | list[str] | None = None,
        entity: str | None = None,
        time: str | None = None,
    ):
        self.domains = domains
        self.seq_len = seq_len
        self.stride = stride
        self.hidden_dim = hidden_dim
        self.n_blocks = n_blocks
        self.disc_dim = disc_dim
        self.iterations = iterations
        self.time_budget = time_budget
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.beta1 = beta1
        self.loss = loss
        self.cycle_weight = cycle_weight
        self.identity_weight = identity_weight
        self.pool_size = pool_size
        self.critic_steps = critic_steps
        self.ema_decay = ema_decay
        self.sample_hold = sample_hold
        self.max_missing = max_missing
        self.min_windows = min_windows
        self.mean_start = mean_start
        self.stochastic = stochastic
        self.spectral_weight = spectral_weight
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
        if self.domains is None:
            raise ConfigError(
                "CycleGAN needs domains=(column, value_a, value_b), e.g. ('fault', 0, 4) "
                "(indgan fit ... --model cyclegan --domains fault=0,4)."
            )
        parse_domains(self.domains)
        check_positive_int("seq_len", self.seq_len, minimum=16)
        for name in ("stride", "hidden_dim", "n_blocks", "disc_dim", "batch_size", "critic_steps", "min_windows"):
            check_positive_int(name, getattr(self, name))
        check_positive_int("pool_size", self.pool_size, minimum=0)
        check_training_length("iterations", self.iterations, self.time_budget)
        check_positive_float("learning_rate", self.learning_rate)
        check_positive_float("cycle_weight", self.cycle_weight)
        check_positive_float("identity_weight", self.identity_weight, allow_zero=True)
        check_positive_float("spectral_weight", self.spectral_weight, allow_zero=True)
        if not 0.0 <= self.beta1 < 1.0:
            raise ConfigError(f"beta1 must be within [0, 1), got {self.beta1!r}.")
        if self.loss not in LOSSES:
            raise ConfigError(f"unknown loss {self.loss!r}; choose one of {', '.join(LOSSES)}.")
        if not 0.0 <= self.max_missing <= 1.0:
            raise ConfigError(f"max_missing must be within [0, 1], got {self.max_missing}.")

    # ------------------------------------------------------------------ fit
    def _fit(
        self,
        data: pd.DataFrame,
        data_b: pd.DataFrame | None = None,
        schema: Schema | None = None,
        condition: str | list[str] | None = None,
        entity: str | None = None,
        time: str | None = None,
        *,
        device: torch.device,
        t_start: float,
    ) -> None:
        """Learn the translation between the two domains.

        Parameters
        ----------
        data : pandas.DataFrame
            ``(n_rows, n_columns)`` log with a time column, holding both domains (told apart by the domain
            column), or, with ``data_b``, the log of domain A; read a file with :func:`indgan.read_table`. Not
            modified.
        data_b : pandas.DataFrame, optional
            The log of domain B (unpaired with ``data``: other hours, another line).
        schema : Schema, optional
            Column roles; inferred when omitted.
        condition : str or list of str, optional
            Other condition columns (operating mode, setpoint) the generators and discriminators see at each step;
            they are kept as they are when translating.
        entity, time : str, optional
            The entity (run, batch, unit) and time columns, when inference does not find them.

        Raises
        ------
        ConfigError
            Invalid parameters, or no ``domains``.
        ConditionError
            The domain column is not in the data, or a domain value does not occur in it.
        DataError
            No time column, bad timestamps, no tag to translate, a domain with fewer than ``min_windows``
            windows of ``seq_len`` steps, or a path instead of a table.
        """
        if data_b is not None:
            require_frame(data_b, "CycleGAN: data_b")
        column, a, b = parse_domains(self.domains)
        condition, entity, time = self._learning_problem(condition, entity, time)
        conditions = [condition] if isinstance(condition, str) else list(condition or [])
        if column in conditions:
            raise ConfigError(f"{column!r} is the domain column; leave it out of the conditions.")
        logs, labels = self._read(data, data_b, schema, column, a, b, conditions, entity, time)
        prep = prepare_domains(
            logs,
            labels,
            (column, a, b),
            conditions,
            self.seq_len,
            self.stride,
            self.max_missing,
            self.sample_hold,
            self.min_windows,
        )
        self.schema_, self.encoder_, self.cond_encoder_ = logs[0].schema, prep.encoder, prep.cond_encoder
        self.device_ = device
        n_tags, ctx_dim = prep.n_tags, prep.ctx.shape[1]
        stuck = {d: tuple(torch.from_numpy(np.asarray(v)) for v in prep.stuck[d]) for d in "ab"}
        self._build(
            n_tags,
            ctx_dim,
            torch.from_numpy(prep.shift),
            torch.from_numpy(prep.scale),
            stuck,
            device,
            torch.from_numpy(prep.offset) if self.mean_start else None,
            {k: torch.from_numpy(v) for k, v in prep.noise_start.items()} if self.stochastic else None,
        )
        held = [
            {"columns": [int(j) for j in g.columns], "names": list(g.names), "period": int(g.period)} for g in prep.held
        ]
        data_t = prep.tensors(device, self.seq_len)
        batch = int(min(self.batch_size, len(prep.starts["a"]), len(prep.starts["b"])))
        prepare_seconds = perf_counter() - t_start

        loss = AdversarialLoss(self.loss)
        betas = (self.beta1, 0.999)
        g_opt = torch.optim.Adam(self.generator_.parameters(), lr=self.learning_rate, betas=betas)
        d_opt = torch.optim.Adam(self.discriminator_.parameters(), lr=self.learning_rate, betas=betas)
        trainer = AdversarialTrainer(
            self.generator_,
            self.discriminator_,
            loss,
            g_opt,
            d_opt,
            critic_steps=self.critic_steps,
            ema_decay=self.ema_decay,
            verbose=self.verbose,
            desc="CycleGAN",
        )
        game = CycleGANGame(
            self.generator_,
            data_t,
            batch,
            self.cycle_weight,
            self.identity_weight,
            self.pool_size,
            held,
            stochastic=self.stochastic,
            spectral_weight=self.spectral_weight,
        )
        budget = budget_seconds(self.time_budget, device)
        left = None if budget is None else max(1.0, budget - prepare_seconds)
        summary = trainer.fit(game, self.iterations, device, log_every=100, time_budget=left)
        if trainer.ema_generator is not None:
            self.generator_.load_state_dict(trainer.ema_generator.state_dict())
        self.generator_.eval()
        self.discriminator_.eval()
        self.summary_ = summary
        errors = self._round_trip(data_t, game)
        grid = logs[0].grid
        names = self.encoder_.continuous
        self.fit_info_ = CycleFitInfo(
            source=logs[0].source,
            domain_column=column,
            domain_values=[_py(v) for v in self._values],
            n_windows_a=len(prep.starts["a"]),
            n_windows_b=len(prep.starts["b"]),
            seq_len=int(self.seq_len),
            n_tags=int(n_tags),
            context_dim=int(ctx_dim),
            conditions=conditions,
            held=held,
            stuck_a=[names[j] for j in np.flatnonzero(prep.stuck["a"][0])],
            stuck_b=[names[j] for j in np.flatnonzero(prep.stuck["b"][0])],
            interval=float(grid.interval),
            time_column=self.schema_.time_column,
            entity_column=self.schema_.entity_column,
            batch_size=batch,
            hidden_dim=int(self.hidden_dim),
            prepare_seconds=prepare_seconds,
            **errors,
        )
        del self._values

    def _read(self, data, data_b, schema, column, a, b, conditions, entity, time):
        """The log(s) on the time grid and the domain of each grid row."""
        if data_b is None:
            df = data
            source = df.attrs.get("source", "table")
            if column not in df.columns:
                raise ConditionError(
                    f"{source}: domain column {column!r} is not in the table; columns: "
                    f"{', '.join(map(str, df.columns[:15]))}{' ...' if df.shape[1] > 15 else ''}."
                )
            log = prepare_log(
                df, schema, [column] + conditions, entity, time, self.columns, self.max_discrete_levels, "CycleGAN"
            )
            found: list = []
            labels = domain_labels(log.condition_frame[column], column, a, b, log.source, matched=found)
            self._values = found
            return [log], [labels]
        named = []
        for df, value in zip((data, data_b), (a, b)):
            if column not in df.columns:  # a table per domain: the domain is the table
                df = df.assign(**{column: value})
            named.append(df)
        if schema is None:
            both = pd.concat(named, ignore_index=True)
            overrides = condition_overrides(both, [column] + conditions, self.columns)
            for role, col in (("entity", entity), ("time", time)):
                if col:
                    if col not in both.columns:
                        raise DataError(f"{role} column {col!r} is not in the tables.")
                    overrides[role] = [col]
            schema = infer_schema(
                both,
                overrides=overrides or None,
                max_discrete_levels=self.max_discrete_levels,
                source=named[0].attrs.get("source", "table"),
            )
        logs, labels, self._values = [], [], [a, b]
        for k, (df, which) in enumerate(zip(named, "AB")):
            if not df.attrs.get("source"):
                df = df.copy(deep=False)  # names the table in messages; the caller's frame is left alone
                df.attrs["source"] = f"table {which}"
            log = prepare_log(
                df, schema, [column] + conditions, entity, time, self.columns, self.max_discrete_levels, "CycleGAN"
            )
            found: list = []
            lab = domain_labels(
                log.condition_frame[column], column, a, b, log.source, require=(k == 0, k == 1), matched=found
            )
            self._values[k] = found[k]
            lab = np.where(lab == k, lab, -1).astype(np.int8)  # the rows of this table's own domain
            logs.append(log)
            labels.append(lab)
        return logs, labels

    def _build(
        self,
        n_tags: int,
        ctx_dim: int,
        shift: Tensor,
        scale: Tensor,
        stuck: dict,
        device: torch.device,
        offset: Tensor | None = None,
        noise_start: dict | None = None,
    ):
        self.generator_ = CycleGenerators(
            n_tags, ctx_dim, self.hidden_dim, self.n_blocks, shift, scale, stuck, offset, noise_start
        ).to(device)
        self.discriminator_ = CycleDiscriminators(2 * n_tags + ctx_dim, self.disc_dim).to(device)

    @torch.no_grad()
    def _round_trip(self, data, game: CycleGANGame) -> dict:
        """Cycle and one-way errors on training windows (see :class:`CycleFitInfo`)."""
        out = {}
        g = self.generator_
        for d, other in (("a", "b"), ("b", "a")):
            starts = data.starts_a if d == "a" else data.starts_b
            phase = data.phase_a if d == "a" else data.phase_b
            take = starts[:256]
            idx = take[:, None] + torch.arange(data.seq_len, device=take.device)
            x, m, c = data.x[idx], data.mask[idx], data.ctx[idx]
            there = game.hold(g.translate(x, m, c, other), phase[:256])
            back = game.hold(g.translate(there, m, c, d), phase[:256])
            n = m.sum().clamp_min(1.0)
            out[f"cycle_error_{d}"] = float(((back - x).abs() / g.scale * m).sum() / n)
            out[f"one_way_{d}"] = float(((there - x).abs() / g.scale * m).sum() / n)
        return out

    # ------------------------------------------------------------------ translate
    @property
    def domains_(self) -> list:
        """The two domain values ``[A, B]`` of :attr:`fit_info_.domain_column`."""
        self._check_fitted()
        return list(self.fit_info_.domain_values)

    def translate(self, data, to, batch_windows: int = 256, random_state: int | None = None) -> pd.DataFrame:
        """Translate a log into domain ``to``: "this period, under fault k".

        The log is put on the training time grid per entity and translated in windows of ``seq_len`` steps every
        ``seq_len / 2`` steps, put back by overlap-add (:func:`~indgan.cyclegan.prepare.overlap_add`): the result has
        no seam at window boundaries and does not depend on how long the log is beyond a window's reach.

        Parameters
        ----------
        data : pandas.DataFrame
            ``(n_rows, n_columns)``: a log with the training columns (the domain column may be absent: every row is
            then taken as the other domain). Not modified.
        to : value
            One of the two domain values (``4``, or ``"4"`` from a command line).
        batch_windows : int, default 256
            Windows per pass through the generator (memory).
        random_state : int, optional
            Seed of the target regime's variability (``stochastic=True``): the same seed gives the same translation;
            None draws from the model's own stream.

        Returns
        -------
        pandas.DataFrame
            ``(n_rows, n_columns)``, the input's columns, order, index and dtypes: on the rows of the other domain
            the continuous tags translated (where the source holds a number; a missing cell or a status string stays
            as it was) and the domain column set to ``to``; every other cell, and every row already in domain
            ``to``, as in the input.

        Raises
        ------
        ConditionError
            ``to`` is not one of the model's domains.
        DataError
            Columns the model does not know or lacks, bad timestamps, an entity shorter than ``seq_len`` steps, or
            a path instead of a table.
        """
        self._check_fitted()
        info = self.fit_info_
        column, values = info.domain_column, info.domain_values
        k = match_level(values, to)
        if k is None:
            raise ConditionError(
                f"--to {to!r} is not one of this model's domains: {column}={values[0]!r} (A) or "
                f"{column}={values[1]!r} (B)."
            )
        target, source_value = "ab"[k], values[1 - k]
        require_frame(data, "CycleGAN.translate: data")
        source = data.attrs.get("source", "table")
        frame = self._check_columns(data, source, column, source_value)
        schema = self.schema_
        view = schema.view(frame)
        time_col, entity_col = schema.time_column, schema.entity_column
        grid = to_grid(view, time_col, entity_col, interval=info.interval, source=source)
        short = np.flatnonzero(grid.lengths < info.seq_len)
        if short.size:
            e = grid.entities[short[0]]
            where = f" {entity_col} {e!r}" if entity_col else " the log"
            raise DataError(
                f"{source}:{where} has {int(grid.lengths[short[0]])} steps at the training interval, "
                f"shorter than the model's windows of {info.seq_len} steps; give at least {info.seq_len} "
                "rows per entity."
            )
        cond_frame = fill_conditions(grid, [column] + info.conditions, entity_col, source)
        log = _GridLog(grid, cond_frame)
        x, mask, ctx = encode(log, self.encoder_, self.cond_encoder_, info.n_tags, info.conditions)
        g = self._rng_ if random_state is None else self.new_generator(random_state)
        y = self._translate_grid(x, mask, ctx, grid.offsets, target, batch_windows, g)
        # which grid rows to replace: observed cells of rows of the source domain
        src = domain_labels(cond_frame[column], column, values[1 - k], values[k], source, require=(False, False)) == 0
        rows = grid.source_rows
        keep = (rows >= 0) & src
        tags = self.encoder_.continuous
        enc = RangeEncoder(tags, [])
        enc.minimum, enc.maximum, enc.levels = self.encoder_.minimum, self.encoder_.maximum, {}
        translated = enc.inverse_transform(y[keep]).to_numpy()
        positions = rows[keep]
        cols = [view.columns.get_loc(c) for c in tags]
        new_view = view.copy()
        block = new_view.iloc[positions, cols].to_numpy(dtype=np.float64)
        new_view.iloc[positions, cols] = np.where(mask[keep] > 0, translated, block)
        restored = schema.restore(new_view)
        out = data.copy()
        for c in tags:
            was, now = out[c], restored[c]
            if was.dtype == object or now.dtype == object:  # numbers as text with status strings among them
                arr = was.to_numpy(dtype=object, copy=True)
                arr[positions] = now.to_numpy(dtype=object)[positions]
            else:
                arr = was.to_numpy(copy=True)
                arr[positions] = now.to_numpy()[positions].astype(arr.dtype)
            out[c] = pd.Series(arr, index=out.index, name=c)
        if column in out.columns:
            value = _cast_like(values[k], out[column])
            arr = out[column].to_numpy(copy=True)
            if arr.dtype != object and not (isinstance(value, (int, float, np.number)) and not isinstance(value, bool)):
                arr = arr.astype(object)
            arr[positions] = value
            out[column] = pd.Series(arr, index=out.index, name=column)
        n_merged = grid.n_merged
        if n_merged:
            import logging

            logging.getLogger(__name__).warning(
                "%s: %d row(s) share a grid point with a nearer sample and are left as they are.", source, n_merged
            )
        return out

    def _check_columns(self, data: pd.DataFrame, source: str, column: str, source_value) -> pd.DataFrame:
        """The input with the domain column added when absent; one-line errors for unknown or missing columns."""
        schema = self.schema_
        known = {c.name for c in schema.columns}
        unknown = [c for c in data.columns if c not in known]
        if unknown:
            raise DataError(
                f"{source}: column(s) {', '.join(map(repr, unknown[:10]))} are not known to this model "
                f"(it was trained on {len(known)} columns); drop them before translating."
            )
        frame = data if column in data.columns else data.assign(**{column: source_value})
        needed = [c.name for c in schema.columns if c.role not in (CONSTANT, IGNORED)]
        missing = [c for c in needed if c not in frame.columns]
        if missing:
            raise DataError(
                f"{source}: column(s) {', '.join(map(repr, missing[:10]))}"
                f"{' and more' if len(missing) > 10 else ''} of the training data are missing; "
                "translating needs every tag the model was trained on."
            )
        return frame

    @torch.no_grad()
    def _translate_grid(
        self,
        x: np.ndarray,
        mask: np.ndarray,
        ctx: np.ndarray,
        offsets: np.ndarray,
        target: str,
        batch_windows: int,
        generator: torch.Generator | None = None,
    ) -> np.ndarray:
        """Encoded grid rows ``(n_steps, n_tags)`` -> translated rows (same shape), window by window with overlap-add,
        then the sample-and-hold groups held at the source's update phase. The variability's noise is drawn once
        per grid step, so overlapping windows share it."""
        info = self.fit_info_
        seq_len, dev = info.seq_len, self.device_
        starts = window_starts(offsets, seq_len, max(1, seq_len // 2))
        xt, mt, ct = (to_device(a, dev) for a in (x, mask, ctx))
        noise = None
        if self.stochastic:
            shape = (x.shape[0], self.generator_.noise_channels)
            noise = torch.randn(shape, generator=generator, dtype=xt.dtype, device=dev)
        steps = torch.arange(seq_len, device=dev)
        parts = []
        for a in range(0, len(starts), batch_windows):  # passes of many windows, for memory
            idx = to_device(starts[a : a + batch_windows], dev)[:, None] + steps
            eps = None if noise is None else noise[idx]
            parts.append(self.generator_.translate(xt[idx], mt[idx], ct[idx], target, eps))
        y = overlap_add(torch.cat(parts), starts, len(x))
        if info.held:
            padded, lengths = pad_entities(y.cpu().numpy(), offsets)
            held = to_device(padded, dev)
            for g in info.held:
                phase = to_device(update_phase(x, offsets, g["columns"], g["period"]), dev)
                held = apply_sample_hold(held, g["columns"], g["period"], phase)
            valid = np.arange(padded.shape[1])[None, :] < lengths[:, None]
            return held.cpu().numpy()[valid]
        return y.cpu().numpy()

    # ------------------------------------------------------------------ reporting
    def fit_lines(self) -> list[str]:
        """What the fit learned, for ``indgan fit``."""
        fi = self.fit_info_
        a, b = fi.domain_values
        lines = [
            f"domains: {fi.domain_column}={a!r} (A, {fi.n_windows_a} windows) <-> {fi.domain_column}={b!r} "
            f"(B, {fi.n_windows_b} windows) of {fi.seq_len} steps; {fi.n_tags} tags translated",
            f"round trip on training windows (tag standard deviations): A->B->A {fi.cycle_error_a:.3f} "
            f"(A->B moved {fi.one_way_a:.3f}), B->A->B {fi.cycle_error_b:.3f} (B->A moved {fi.one_way_b:.3f})",
        ]
        if fi.stuck_b or fi.stuck_a:
            lines.append(
                f"stuck tags kept at their value: under B {_names(fi.stuck_b) or 'none'}; under A "
                f"{_names(fi.stuck_a) or 'none'}"
            )
        lines += [
            f"sampled and held every {g['period']} steps (held at the source's update steps): {_names(g['names'])}"
            for g in fi.held
        ]
        return lines

    def training_lines(self) -> list[str]:
        """How the model was trained, for ``indgan info``."""
        fi, s = self.fit_info_, self.summary_
        return [
            f"windows: {fi.n_windows_a} of A, {fi.n_windows_b} of B, {fi.seq_len} steps, {fi.n_tags} tags, "
            f"context {fi.context_dim}",
            f"training: {s.steps} iterations ({s.seconds:.1f} s on {s.device}, {s.stop_reason}), batch "
            f"{fi.batch_size} per domain, loss {s.loss}, cycle weight {self.cycle_weight:g}, identity "
            f"{self.identity_weight:g} x cycle",
        ]

    # ------------------------------------------------------------------ persistence
    def _state(self) -> tuple[dict, dict[str, Tensor]]:
        meta = {
            "schema": self.schema_.to_dict(),
            "encoder": self.encoder_.to_dict(),
            "cond_encoder": self.cond_encoder_.to_dict(),
            "summary": self.summary_.to_dict(),
            "fit_info": self.fit_info_.to_dict(),
        }
        tensors = {f"generator.{k}": v for k, v in self.generator_.state_dict().items()}
        tensors.update({f"discriminator.{k}": v for k, v in self.discriminator_.state_dict().items()})
        return meta, tensors

    def _restore(self, meta: dict, tensors: dict[str, Tensor], device: torch.device, source) -> None:
        self.schema_ = Schema.from_dict(meta["schema"])
        self.encoder_ = RangeEncoder.from_dict(meta["encoder"])
        self.cond_encoder_ = RangeEncoder.from_dict(meta["cond_encoder"])
        self.summary_ = TrainingSummary.from_dict(meta["summary"])
        self.fit_info_ = info = CycleFitInfo.from_dict(meta["fit_info"])
        gen = split_state(tensors, "generator")
        n = info.n_tags
        stuck = {d: (gen[f"stuck_{d}"], gen[f"stuck_value_{d}"]) for d in "ab"}
        self._build(n, info.context_dim, gen["shift"], gen["scale"], stuck, device)
        for key, value in self.generator_.state_dict().items():
            if key.startswith("spread.") and key not in gen:  # a model saved before the variability: none
                gen[key] = torch.zeros_like(value)
        self.generator_.load_state_dict(gen)
        self.discriminator_.load_state_dict(split_state(tensors, "discriminator"))
        self.generator_.eval()
        self.discriminator_.eval()


class _GridLog:
    """The two attributes of a :class:`~indgan.timegrid.LogInput` that :func:`~indgan.cyclegan.prepare.encode` reads."""

    def __init__(self, grid, condition_frame):
        self.grid, self.condition_frame = grid, condition_frame


def _py(v):
    return v.item() if isinstance(v, np.generic) else v


def _cast_like(value, series: pd.Series):
    """A domain value as the column's type (``4`` into an int64 column, ``"4"`` into a text one)."""
    if (
        pd.api.types.is_integer_dtype(series)
        and isinstance(value, (int, float, np.number))
        and float(value).is_integer()
    ):
        return int(value)
    if pd.api.types.is_float_dtype(series):
        try:
            return float(value)
        except (TypeError, ValueError):
            return value
    return value


def _names(names: list[str], k: int = 6) -> str:
    return ", ".join(names[:k]) + (f" and {len(names) - k} more" if len(names) > k else "")
