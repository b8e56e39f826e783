"""The tabular GAN's estimator: CTGAN (Xu, Skoularidou, Cuesta-Infante, Veeramachaneni, "Modeling Tabular Data
using Conditional GAN", NeurIPS 2019) at full strength. The parts of the method, each in one place:

- **mode-specific normalisation** of continuous columns: :class:`indgan.encoding.DataTransformer`;
- **conditional vector and training-by-sampling**: :class:`~indgan.tabular.prepare.ConditionSampler`;
- **generator**: residual fully-connected blocks with tanh and Gumbel-softmax outputs, and the **discriminator**
  with PacGAN packing (Lin et al., NeurIPS 2018): :mod:`indgan.tabular.networks`;
- **the game**: WGAN-GP by default (the original GAN losses and feature matching are options,
  :mod:`indgan.losses`) with CTGAN's conditional cross-entropy: :class:`~indgan.tabular.game.CTGANGame`.

Unlike the reference implementation, everything per batch stays on the device and is vectorised: the
conditional vectors, the row sampling, the activations of all one-hot groups and the conditional loss are a
handful of tensor operations, with no Python loop over rows or columns.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import torch
from torch import Tensor, nn

from ..base import FitInfo, FittedModel
from ..budget import budget_seconds, check_training_length
from ..encoding import QUANTILE_ENCODINGS, DataTransformer, Span
from ..errors import ConditionError, ConfigError, check_fraction, check_positive_float, check_positive_int
from ..losses import LOSSES, AdversarialLoss
from ..persist import split_state
from ..schema import CONTINUOUS, Schema, infer_schema, match_level
from ..training import AdversarialTrainer, EarlyStopping, TrainingSummary
from .game import CTGANGame
from .networks import Discriminator, Generator, OutputActivation
from .prepare import ConditionSampler, encode_rows

#: Rows the generator maps at once when sampling (its activations are a few KB per row).
GENERATE_BATCH = 16_384
#: Most held-out rows the early-stopping score compares with (four times as many synthetic rows).
SCORE_ROWS = 10_000


@dataclass
class TabularFitInfo(FitInfo):
    """What a :class:`TabularGAN` fit learned (``fit_info_``)."""

    n_rows: int = 0
    n_train: int = 0
    batch_size: int = 0
    steps_per_epoch: int = 0
    transform_seconds: float = 0.0
    data_dim: int = 0
    cond_dim: int = 0
    context_dim: int = 0
    level_freq: list = field(default_factory=list)
    stop_reason: str = "completed"
    time_budget: float | None = None
    validation_score: float | None = None
    best_epoch: int | None = None


class TabularGAN(FittedModel):
    """Conditional tabular GAN for plant logs (CTGAN, Xu et al., NeurIPS 2019).

    Learns the joint distribution of the rows of a table (operating points) and samples new rows in the
    input's schema, optionally conditioned on a categorical column (operating mode, fault, a tag's status).

    Parameters
    ----------
    epochs : int or None, default None
        Most passes over the data (``n_rows // batch_size`` generator steps each). None: as many as the time
        budget allows, until the held-out score stops improving.
    time_budget : float, str or None, default "auto"
        Seconds (or ``"90s"``, ``"3m"``, ``"1h"``) the training may take; "auto" is :data:`indgan.budget.AUTO_BUDGET`.
        Training also stops when the held-out score stops improving (``validation_share``,
        ``patience``). None trains for ``epochs``. With a time budget the number of steps depends on the
        machine's speed; give ``epochs`` and ``time_budget=None`` for a fit that repeats step for step.
    validation_share : float, default 0.1
        Share of the rows held out of training to score the averaged generator every ~50 steps
        (:func:`indgan.stats.row_fidelity`: column shapes and correlations, like sdmetrics' quality
        score); the best weights are kept. 0 turns it off. Tables of fewer than 500 rows are not split.
    patience : int, default 8
        Scores without an improvement of at least 0.001 before training stops.
    batch_size : int, default 500
        Rows per step; a multiple of ``pac`` (smaller tables use the largest multiple of ``pac`` that fits).
    latent_dim : int, default 128
        Size of the noise vector z.
    generator_dim, critic_dim : tuple of int, default (256, 256)
        Hidden sizes of the residual generator and of the critic.
    loss : {"wgan-gp", "minimax", "non-saturating", "feature-matching"}, default "wgan-gp"
    critic_steps : int, default 1
        Critic updates per generator update (k of Goodfellow et al. 2014).
    pac : int, default 1
        Rows per critic pack (PacGAN, Lin et al. 2018; CTGAN uses 10). Measured on the plant logs (300
        epochs, same seed): pac 10, 5, 2, 1 gave quality 0.822, 0.839, 0.843, 0.859: with a few thousand
        rows a packed critic sees too few samples per step, so packing is off by default and one argument
        away when mode collapse shows (categories missing from samples).
    generator_lr, critic_lr : float, default 2e-4 and 1e-3
        Adam learning rates. The critic learns faster than the generator (two time-scale update rule,
        Heusel et al., NeurIPS 2017): on plant logs this beats CTGAN's equal 2e-4 at the same cost, where
        extra critic steps would double it.
    generator_decay, critic_decay : float, default 1e-6
        Adam weight decay.
    ema_decay : float or None, default 0.995
        The generator used for sampling is the exponential moving average of its weights over the
        generator steps (Yazici et al., ICLR 2019); None samples from the last iterate, as CTGAN does.
    n_modes : int, default 5
        Most Gaussian modes per continuous column. Measured on the plant logs (150 epochs, same seed): 10
        modes, 863 encoded dims, quality 0.925 in 88 s; 5 modes, 589 dims, 0.929 in 67 s; 3 modes 0.922 in 52
        s. The generator's output layer grows with the encoded width, so fewer modes are faster.
    continuous_encoding : {"mode", "quantile"}, default "mode"
        How continuous columns are encoded (:class:`~indgan.encoding.DataTransformer`): CTGAN's mode-specific
        normalisation, or one normal score per column through its empirical quantiles (no per-column mode draw,
        so strongly related columns keep their relation; the log model's default).
    gp_every : int, default 4
        Lazy gradient penalty (WGAN-GP only): the penalty on every ``gp_every``-th critic step, ``gp_every``
        times as heavy (:class:`~indgan.losses.AdversarialLoss`).
    max_discrete_levels : int, default 10
        Numeric columns with at most this many values are categorical.
    columns : dict, optional
        Column-role overrides, e.g. ``{"time": "timestamp", "categorical": ["mode"]}``.
    device : str, default "auto"
        ``"auto"`` (CUDA when present, else CPU), ``"cpu"``, ``"cuda"``, ``"cuda:1"``...
    random_state : int or None, default None
        Seed of the transform, the weights and the training batches (same seed, same device -> same model).
    verbose : bool, default True
        Progress bar per epoch with the losses.

    Attributes
    ----------
    schema_ : Schema
    transformer_ : DataTransformer
    summary_ : TrainingSummary
        Per-epoch generator/critic losses and mean D(x), D(G(z)).
    fit_info_ : TabularFitInfo
    """

    kind = "TabularGAN"
    generates_rows = True
    family = "tabular"
    method_name = "CTGAN"
    fit_options = frozenset({"epochs", "critic_steps"})
    count_option = "epochs"
    stops_early = True
    fit_info_class: ClassVar[type] = TabularFitInfo
    extra_loss_name = "cond CE"
    sample_shape_options = ("batch_size", "context")

    def __init__(
        self,
        epochs: int | None = None,
        time_budget: float | str | None = "auto",
        validation_share: float = 0.1,
        patience: int = 8,
        batch_size: int = 500,
        latent_dim: int = 128,
        generator_dim: tuple[int, ...] = (256, 256),
        critic_dim: tuple[int, ...] = (256, 256),
        loss: str = "wgan-gp",
        critic_steps: int = 1,
        pac: int = 1,
        generator_lr: float = 2e-4,
        critic_lr: float = 1e-3,
        generator_decay: float = 1e-6,
        critic_decay: float = 1e-6,
        ema_decay: float | None = 0.995,
        n_modes: int = 5,
        gp_every: int = 4,
        max_discrete_levels: int = 10,
        columns: dict | None = None,
        device: str = "auto",
        random_state: int | None = None,
        verbose: bool = True,
        continuous_encoding: str = "mode",
    ):
        self.epochs = epochs
        self.time_budget = time_budget
        self.validation_share = validation_share
        self.patience = patience
        self.batch_size = batch_size
        self.latent_dim = latent_dim
        self.generator_dim = generator_dim
        self.critic_dim = critic_dim
        self.loss = loss
        self.critic_steps = critic_steps
        self.pac = pac
        self.generator_lr = generator_lr
        self.critic_lr = critic_lr
        self.generator_decay = generator_decay
        self.critic_decay = critic_decay
        self.ema_decay = ema_decay
        self.n_modes = n_modes
        self.gp_every = gp_every
        self.max_discrete_levels = max_discrete_levels
        self.columns = columns
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.continuous_encoding = continuous_encoding

    # ------------------------------------------------------------------ checks
    def _validate_params(self):
        for name in ("batch_size", "latent_dim", "critic_steps", "pac", "n_modes", "gp_every", "patience"):
            check_positive_int(name, getattr(self, name))
        check_training_length("epochs", self.epochs, self.time_budget)
        check_fraction("validation_share", self.validation_share, upper=0.5)
        for name in ("generator_lr", "critic_lr"):
            check_positive_float(name, getattr(self, name))
        for name in ("generator_decay", "critic_decay"):
            check_positive_float(name, getattr(self, name), allow_zero=True)
        if self.loss not in LOSSES:
            raise ConfigError(f"unknown loss {self.loss!r}; choose one of {', '.join(LOSSES)}.")
        if self.continuous_encoding not in QUANTILE_ENCODINGS:
            raise ConfigError(
                f"continuous_encoding must be one of {', '.join(QUANTILE_ENCODINGS)}, got {self.continuous_encoding!r}."
            )
        if self.batch_size % self.pac:
            raise ConfigError(f"batch_size ({self.batch_size}) must be a multiple of pac ({self.pac}).")

    # ------------------------------------------------------------------ fit
    def _fit(
        self,
        data: pd.DataFrame,
        schema: Schema | None = None,
        context: np.ndarray | None = None,
        *,
        device: torch.device,
        t_start: float,
    ) -> None:
        """Learn the table.

        Parameters
        ----------
        data : pandas.DataFrame
            ``(n_rows, n_columns)`` training table (read a file with :func:`indgan.read_table`). Not modified.
        schema : Schema, optional
            Column roles; inferred (with ``columns`` overrides) when omitted.
        context : numpy.ndarray, optional
            ``(n_rows, n_context)`` continuous conditions of each row, scaled to [0, 1] (setpoints, batch
            progress): the generator and the discriminator see them, and :meth:`sample` then needs them. Used by
            :class:`~indgan.log.model.LogGAN` for its row model.

        Returns
        -------
        self

        Raises
        ------
        DataError
            Bad table (see :func:`indgan.schema.infer_schema`), fewer than ``max(10, pac)`` rows, or a path
            instead of a table.
        ConfigError
            Invalid parameters.
        """
        from ..stats import row_fidelity

        source = data.attrs.get("source", "table")
        schema = schema or infer_schema(
            data, overrides=self.columns, max_discrete_levels=self.max_discrete_levels, source=source
        )
        rows = encode_rows(
            schema.view(data),
            schema,
            context,
            self.n_modes,
            self.validation_share,
            self.pac,
            self.batch_size,
            device,
            0 if self.random_state is None else self.random_state,
            source,
            continuous_encoding=self.continuous_encoding,
        )
        self.schema_, self.transformer_ = schema, rows.transformer
        self.context_dim_ = rows.context_dim
        self.device_ = device
        self._build(device)
        self.sampler_ = ConditionSampler(rows.data, rows.discrete)

        loss = AdversarialLoss(self.loss, pac=self.pac, gp_every=self.gp_every)
        g_opt = torch.optim.Adam(
            self.generator_.parameters(), lr=self.generator_lr, betas=(0.5, 0.9), weight_decay=self.generator_decay
        )
        d_opt = torch.optim.Adam(
            self.discriminator_.parameters(), lr=self.critic_lr, betas=(0.5, 0.9), weight_decay=self.critic_decay
        )
        trainer = AdversarialTrainer(
            self.generator_,
            self.discriminator_,
            loss,
            g_opt,
            d_opt,
            critic_steps=self.critic_steps,
            ema_decay=self.ema_decay,
            verbose=self.verbose,
            desc=type(self).__name__,
        )
        game = CTGANGame(
            self.generator_,
            self.activation_,
            self.latent_dim,
            rows.data,
            self.sampler_,
            rows.batch,
            need_real=loss.needs_real,
            context=rows.context,
        )
        stop = None
        if rows.held_view is not None:
            cont = [c.name for c in schema.columns if c.role == CONTINUOUS]
            cats = [s.column for s in rows.transformer.output_spans() if s.discrete]
            gen = self.new_generator(0)

            held = rows.held_view
            if len(held) > SCORE_ROWS:  # the score's cost and memory stay bounded on large tables
                held = held.sample(SCORE_ROWS, random_state=0)

            def score(net) -> float:
                m = len(held) * 4
                ctx = (
                    None
                    if rows.held_context is None
                    else rows.held_context[torch.randint(len(rows.held_context), (m,), device=device, generator=gen)]
                )
                out = self.generate_encoded(m, [], gen, ctx, net=net)
                return row_fidelity(held, rows.transformer.inverse_transform(out), cont, cats)

            stop = EarlyStopping(
                score,
                lambda: trainer.ema_generator or self.generator_,
                every=max(1, round(50 / rows.steps_per_epoch)),
                patience=self.patience,
                min_delta=1e-3,
            )
        budget = budget_seconds(self.time_budget, device)
        summary = trainer.fit(
            game,
            None if self.epochs is None else self.epochs * rows.steps_per_epoch,
            device,
            log_every=rows.steps_per_epoch,
            on_log=stop,
            time_budget=None if budget is None else max(1.0, budget - (time.perf_counter() - t_start)),
        )
        if stop is None or not stop.restore(self.generator_):  # the best weights seen on the held-out rows, or
            if trainer.ema_generator is not None:  # the averaged ones
                self.generator_.load_state_dict(trainer.ema_generator.state_dict())
        self.generator_.eval()
        self.summary_ = summary
        self.fit_info_ = TabularFitInfo(
            n_rows=rows.n_rows,
            n_train=rows.n_train,
            batch_size=rows.batch,
            steps_per_epoch=rows.steps_per_epoch,
            transform_seconds=rows.seconds,
            data_dim=rows.transformer.output_dim,
            cond_dim=self.sampler_.cond_dim,
            context_dim=self.context_dim_,
            level_freq=self.sampler_.freq.tolist() if rows.discrete else [],
            stop_reason=summary.stop_reason,
            time_budget=budget,
            validation_score=None if stop is None else stop.best,
            best_epoch=None if stop is None else stop.best_record,
        )

    def _build(self, device: torch.device):
        spans = self.transformer_.output_spans()
        cond_dim = sum(s.width for s in spans if s.discrete)
        data_dim = self.transformer_.output_dim
        given = cond_dim + self.context_dim_
        self.generator_ = Generator(self.latent_dim + given, tuple(self.generator_dim), data_dim).to(device)
        self.discriminator_ = Discriminator(data_dim + given, tuple(self.critic_dim), self.pac).to(device)
        self.activation_ = OutputActivation(spans).to(device)

    # ------------------------------------------------------------------ sample
    def _sample(
        self,
        n: int | None = None,
        *,
        conditions: dict[str, Any] | None = None,
        random_state: int | None = None,
        batch_size: int = 10_000,
        context: np.ndarray | None = None,
    ) -> pd.DataFrame:
        """Generate ``n`` synthetic rows.

        Parameters
        ----------
        n : int, optional
            Number of rows; default the training table's (its shape).
        conditions : dict, optional
            ``{column: value}`` for categorical model-view columns (see
            :meth:`condition_candidates`), e.g. ``{"mode": "B"}`` or ``{"tag70:status": "Bad"}``. Values may
            be given as strings (``"1.0501"`` matches the level ``1.0501``). Every returned row has these
            values; the other columns are generated given them.
        random_state : int, optional
            Seed of this draw; without it successive calls continue one seeded stream.
        batch_size : int
            Rows generated per forward pass.
        context : numpy.ndarray, optional
            ``(n, n_context)`` continuous conditions in [0, 1], for a model fitted with ``context``.

        Returns
        -------
        pandas.DataFrame
            ``(n, n_columns)`` in the training table's column order and dtypes.

        Raises
        ------
        ConditionError
            Unknown column, a column that cannot be a condition, or a value never seen in training.
        ConfigError
            ``n`` not a positive integer, or ``context`` missing or of the wrong shape.
        """
        n = self.fit_info_.n_rows if n is None else check_positive_int("n", n)
        fixed = self._resolve_conditions(conditions or {})
        g = self._rng_ if random_state is None else self.new_generator(random_state)
        ctx = None
        if self.context_dim_:
            if context is None or np.shape(context) != (n, self.context_dim_):
                raise ConfigError(
                    f"this model was fitted with {self.context_dim_} context column(s): give context "
                    f"as an array of shape ({n}, {self.context_dim_})."
                )
            ctx = torch.as_tensor(np.asarray(context, np.float32), device=self.device_)
        chunks = [
            self.generate_encoded(min(batch_size, n - a), fixed, g, None if ctx is None else ctx[a : a + batch_size])
            for a in range(0, n, batch_size)
        ]
        view = self.transformer_.inverse_transform(np.concatenate(chunks))
        return self.schema_.restore(view)

    @torch.no_grad()
    def generate_encoded(
        self, b: int, fixed: list, g: torch.Generator, context: Tensor | None = None, net: nn.Module | None = None
    ) -> np.ndarray:
        """``b`` encoded rows ``(b, data_dim)`` float32 from the generator (or ``net``): the noise and the
        conditional vector drawn as in CTGAN's sampling, with the ``fixed`` levels (from
        ``_resolve_conditions``) and ``context`` ``(b, context_dim)`` when the model has one. Decode them with
        ``transformer_.inverse_transform``."""
        net = net or self.generator_
        net.eval()
        z = torch.randn(b, self.latent_dim, device=self.device_, generator=g)
        parts = [z]
        if self.sampler_.n_columns:
            if fixed:
                col, level, _ = fixed[0]
                parts.append(self.sampler_.condition(b, col, level))
            else:
                parts.append(self.sampler_.sample_original(b, generator=g))
        if context is not None:
            parts.append(context)
        inputs = torch.cat(parts, 1)
        out = (
            torch.cat(
                [
                    self.activation_(net(inputs[a : a + GENERATE_BATCH]), generator=g)
                    for a in range(0, b, GENERATE_BATCH)
                ]
            )
            if b
            else self.activation_(net(inputs), generator=g)
        )
        for _, level, span in fixed:  # every row carries the asked levels
            out[:, span.start : span.start + span.width] = 0.0
            out[:, span.start + level] = 1.0
        return out.cpu().numpy()

    def training_lines(self) -> list[str]:
        """How the model was trained, for ``indgan info``."""
        fi, summary = self.fit_info_, self.summary_
        return [
            f"training: {summary.epochs} epochs x {fi.steps_per_epoch} steps, batch {fi.batch_size}, "
            f"loss {summary.loss}, {summary.seconds:.1f} s on {summary.device} ({summary.stop_reason}), "
            f"{fi.n_rows} rows"
            + (
                f", held-out score {fi.validation_score:.3f} at epoch {fi.best_epoch}"
                if fi.validation_score is not None
                else ""
            )
        ]

    def condition_candidates(self) -> dict[str, list]:
        """``{model-view column: levels}`` that :meth:`sample` accepts as conditions."""
        self._check_fitted()
        return {s.column: self.transformer_.categories(s.column) for s in self.sampler_.discrete}

    def _resolve_conditions(self, conditions: dict) -> list[tuple[int, int, Span]]:
        fixed = []
        names = [s.column for s in self.sampler_.discrete]
        for column, value in conditions.items():
            if column not in names:
                if column in self.schema_.names and self.schema_[column].role == CONTINUOUS:
                    raise ConditionError(
                        f"column {column!r} is continuous; TabularGAN conditions on categorical columns only "
                        f"({', '.join(names[:10]) or 'none'}). Declare it categorical in the config to condition on it."
                    )
                raise ConditionError(
                    f"unknown condition column {column!r}; the model can be conditioned on: "
                    f"{', '.join(names[:20]) or 'nothing (no categorical column)'}."
                )
            j = names.index(column)
            levels = self.transformer_.categories(column)
            level = match_level(levels, value)
            if level is None:
                raise ConditionError(
                    f"condition {column}={value!r}: this value never occurs in the training data; known values: "
                    f"{', '.join(map(str, levels[:20]))}{' ...' if len(levels) > 20 else ''}."
                )
            fixed.append((j, level, self.sampler_.discrete[j]))
        return fixed

    # ------------------------------------------------------------------ persistence
    def _state(self) -> tuple[dict, dict[str, Tensor]]:
        meta = {
            "schema": self.schema_.to_dict(),
            "transformer": self.transformer_.to_dict(),
            "summary": self.summary_.to_dict(),
            "fit_info": self.fit_info_.to_dict(),
        }
        tensors = {f"generator.{k}": v for k, v in self.generator_.state_dict().items()}
        tensors.update({f"discriminator.{k}": v for k, v in self.discriminator_.state_dict().items()})
        return meta, tensors

    def _restore(self, meta: dict, tensors: dict[str, Tensor], device: torch.device, source) -> None:
        self.schema_ = Schema.from_dict(meta["schema"])
        self.transformer_ = DataTransformer.from_dict(meta["transformer"], self.schema_)
        self.summary_ = TrainingSummary.from_dict(meta["summary"])
        self.fit_info_ = TabularFitInfo.from_dict(meta["fit_info"])
        self.context_dim_ = self.fit_info_.context_dim
        self._build(device)
        # files written before the discriminator was named so hold it as "critic."
        prefix = "discriminator" if any(k.startswith("discriminator.") for k in tensors) else "critic"
        self.generator_.load_state_dict(split_state(tensors, "generator"))
        self.discriminator_.load_state_dict(split_state(tensors, prefix))
        self.generator_.eval()
        self.discriminator_.eval()
        # sampling needs the level frequencies, not the training rows (which the file does not hold)
        discrete = [s for s in self.transformer_.output_spans() if s.discrete]
        self.sampler_ = ConditionSampler.for_generation(self.fit_info_.level_freq, discrete, device)
