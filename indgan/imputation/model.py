"""Missing-value imputation with GAIN, row-wise or time-aware, as a scikit-learn transformer.

:class:`GANImputer` fills the missing cells of a table (NaN, None, and historian status strings such as "Bad"
or "Scan Timeout" among a tag's numbers) with values consistent with usual operation, and returns every
observed cell exactly as given. The method is GAIN (Yoon, Jordon, van der Schaar, ICML 2018; see
:mod:`indgan.imputation.networks`); with a time column it is time-aware: the generator reads windows of neighbouring
steps of each entity (unit, batch, run), so a tag's outage is filled from that tag's own history on both sides
and from its correlated tags.

The database path (fill only the NULL cells of a SQL table, audited and undoable) is
:func:`indgan.adapters.sql.impute_table`; the CLI is ``indgan impute``.
"""

from __future__ import annotations

import logging
from time import perf_counter

import numpy as np
import pandas as pd
import torch
from sklearn.base import TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data
from torch import Tensor

from ..base import FittedModel, require_in_memory
from ..budget import budget_seconds
from ..encoding import RangeEncoder, SpanActivation
from ..errors import ConfigError, DataError, check_positive_float, check_positive_int
from ..losses import AdversarialLoss
from ..persist import split_state
from ..schema import CATEGORICAL, CONSTANT, CONTINUOUS, ENTITY, ColumnSpec, Schema, infer_schema
from ..training import AdversarialTrainer, EarlyStopping, TrainingSummary
from .game import GAINGame
from .networks import GAINDiscriminator, GAINGenerator, GAINNetworks
from .prepare import Gap, ImputationData, encode_table, fill_mask

log = logging.getLogger(__name__)

__all__ = ["GANImputer", "Gap"]


class GANImputer(TransformerMixin, FittedModel):
    """Fill missing cells with GAIN (Yoon, Jordon, van der Schaar, ICML 2018), row-wise or time-aware.

    A scikit-learn transformer: ``fit(X)`` learns from the observed cells of ``X``; ``transform(X)`` returns
    ``X`` with its missing cells filled and every observed cell exactly as given. Works in ``Pipeline`` and
    ``ColumnTransformer``, with ``set_output(transform="pandas")``.

    Inputs
    ------
    - a NumPy array ``(n_rows, n_columns)`` of numbers with NaN for missing cells: every column is a
      continuous tag; ``transform`` returns float64 ``(n_rows, n_columns)``;
    - a pandas DataFrame: column roles are inferred as for the other models (:func:`indgan.schema.infer_schema`):
      numeric tags are continuous (historian status strings among their numbers count as missing),
      string and low-cardinality columns are categorical and are filled with one of their levels, a time
      column (datetime, or an integer sample index named like ``time``) with an optional entity column
      (``batch_id``, ``run``, ``unit``...) makes the imputer **time-aware**. ``transform`` returns a DataFrame
      with the input's index and columns; a column whose status strings were all filled becomes float64.

    Method
    ------
    GAIN's generator/discriminator game over (data, mask) with the hint ``b * m + 0.5 * (1 - b)``,
    ``b ~ Bernoulli(hint_rate)``, and reconstruction weight ``alpha``; during training a further
    ``hold_out_rate`` of the observed cells (and, time-aware, blocks of up to ``max_block`` steps of one tag)
    is hidden from the generator and scored, so that it learns to predict cells it cannot see. See
    :mod:`indgan.imputation.networks`. Time-aware, the generator starts each gap of a continuous tag from the straight
    line across it plus a learned cross-tag term (:class:`~indgan.imputation.networks.CrossTagBridge`: how far the
    correlated tags leave their own straight lines over the same span), and corrects that with dilated
    convolutions over the window. ``transform`` returns the mean of ``n_draws`` generator draws for continuous
    cells and the most frequent level for categorical ones (the point estimate with the smallest expected
    squared error); :meth:`sample_imputations` returns the draws themselves (multiple imputation).

    Parameters
    ----------
    iterations : int, optional
        Most generator updates (each after ``critic_steps`` discriminator updates); default 4500 row by row,
        1000 time-aware (a window update costs about 20 times a row update; the plant logs then fit and fill in
        about 80 s on 2 CPU cores). Training stops earlier when the validation cells stop improving.
    time_budget : float, str or None, default "auto"
        Seconds (or ``"90s"``, ``"3m"``) training may take; "auto" is :data:`indgan.budget.AUTO_BUDGET`. Training
        ends at whichever comes first: ``iterations``, the budget, or the validation cells' early stop.
    batch_size : int, default 128
        Rows per batch (row-wise), or windows per batch (time-aware: ``batch_size // 2`` windows).
    hidden_dim : int, optional
        Units per layer; default ``max(256, 2 * n_features)`` row-wise, 64 time-aware.
    num_layers : int, default 5
        Dilated convolution blocks of the time-aware networks (dilations 1, 2, ..., 2^(num_layers-1): 5 blocks
        see 31 steps on each side of a step).
    alpha : float, default 100
        Weight of the reconstruction loss (GAIN's alpha; the paper uses 100 for [0, 1]-scaled data).
    hint_rate : float, default 0.9
        Probability that the hint reveals a cell's mask to the discriminator (GAIN's default).
    hold_out_rate : float, default 0.2
        Share of observed cells hidden from the generator in each batch and scored (see Method).
    loss : {"non-saturating", "minimax"}
        GAIN's cross-entropy game; non-saturating (``-log D``) is the form GAIN's code uses.
    learning_rate : float, default 1e-3
        Adam's step for both networks.
    critic_steps : int, default 1
    n_draws : int, default 8
        Generator draws averaged for the point estimate of :meth:`transform`.
    time : str, "auto" or None, default "auto"
        Time column for time-aware imputation; "auto" uses the column the schema finds (DataFrames only);
        None imputes row by row.
    entity : str, "auto" or None, default "auto"
        Entity column (unit, batch, run): time windows never cross entities.
    condition : list of str, optional
        Columns (e.g. the operating mode) the generator is always shown and that are never hidden during
        training, so that imputations follow the mode. They are filled too where they are missing.
    seq_len : int, default 48
        Steps per window of the time-aware networks.
    max_block : int, default 24
        Longest block of one tag hidden during time-aware training (steps).
    max_gap : int, str or None
        Leave runs of more than this many consecutive missing steps of one tag missing (an int, in steps,
        or a time span such as ``"2h"`` with a time column); :meth:`gaps_left` lists them. None fills all.
    duplicate_times : {"first", "error"}, default "first"
        Time-aware: rows that repeat a timestamp within an entity, by the rule every model of logs follows
        (:func:`~indgan.timegrid.repeated_times`): the first row of each time is the log (with a warning) and a
        repeat's missing cells take that row's filled values (every row is returned); "error" refuses them. Rows
        out of time order are read in time order, with a warning, and returned in input order
        (:func:`~indgan.timegrid.time_order`: a local-time export's repeated autumn hour is refused).
    ema_decay : float, "auto" or None, default "auto"
        Impute with an exponential moving average of the generator's weights (Yazici et al., ICLR 2019);
        "auto" averages over about the last fifth of training (``1 - 5 / iterations``). On Breast a decay of
        0.999 lowered the RMSE from 0.0546 to 0.0530 (4,500 iterations, 3 seeds). None keeps the last iterate.
    validation_share : float, default 0
        Share of the observed cells set aside (never shown to the networks) to score the generator after
        every 100 iterations: its best weights are kept, and training stops after ``patience`` scores
        without improvement (GAN imputers overfit small tables: on GAIN's Breast data the RMSE rises from
        0.055 after 4,500 iterations to 0.070 after 10,000 without averaging). 0 (the default: with the
        moving average, setting cells aside cost more than it saved on Breast, 0.0551 against 0.0530) trains
        for ``iterations``.
    patience : int, default 10
        Scores (of 100 iterations each) without improvement before training stops.
    columns : dict, optional
        Role overrides as in the ``[columns]`` config (``{"categorical": ["mode"], "time": ["ts"]}``).
    max_discrete_levels : int, default 10
        Numeric DataFrame columns with at most this many levels are categorical.
    device : str, default "auto"
    random_state : int, optional
        Seeds training and the draws of ``transform`` (the same seed gives the same output on one device).
    verbose : bool, default False
        Progress bar during ``fit``.

    Attributes
    ----------
    n_features_in_, feature_names_in_ (DataFrames with string column names), schema_, encoder_,
    time_column_, entity_column_, temporal_, summary_ (:class:`~indgan.training.TrainingSummary`; with the
    per-epoch ``validation_mse``), n_iterations_ (updates run), best_iteration_ and validation_mse_ (mean
    squared error of the kept weights on the validation cells, in [0, 1] units), fit_seconds_.

    Persistence
    -----------
    :meth:`save` / :meth:`load` (the one safe model file, :mod:`indgan.persist`): fit once, then fill each day's new
    gaps with the loaded imputer (``indgan impute NEW.parquet --model imp.indgan``, or ``--db ... --model``). New data
    must have the columns the imputer was fitted on.

    Raises
    ------
    DataError
        A column with no observed value at all, a time-aware table whose time column has missing values.
    ConfigError
        Invalid parameters.
    """

    kind = "GANImputer"
    imputes = True
    family = "imputer"
    method_name = "GAIN"
    fit_options = frozenset({"iterations", "critic_steps", "condition", "entity", "duplicate_times", "seq_len"})
    count_option = "iterations"

    def __init__(
        self,
        iterations: int | None = None,
        time_budget: float | str | None = "auto",
        batch_size: int = 128,
        hidden_dim: int | None = None,
        num_layers: int = 5,
        alpha: float = 100.0,
        hint_rate: float = 0.9,
        hold_out_rate: float = 0.2,
        loss: str = "non-saturating",
        learning_rate: float = 1e-3,
        critic_steps: int = 1,
        n_draws: int = 8,
        time: str | None = "auto",
        entity: str | None = "auto",
        condition: list[str] | None = None,
        seq_len: int = 48,
        max_block: int = 24,
        max_gap: int | str | None = None,
        duplicate_times: str = "first",
        ema_decay: float | str | None = "auto",
        validation_share: float = 0.0,
        patience: int = 10,
        columns: dict | None = None,
        max_discrete_levels: int = 10,
        device: str = "auto",
        random_state: int | None = None,
        verbose: bool = False,
    ):
        self.iterations = iterations
        self.time_budget = time_budget
        self.batch_size = batch_size
        self.hidden_dim = hidden_dim
        self.num_layers = num_layers
        self.alpha = alpha
        self.hint_rate = hint_rate
        self.hold_out_rate = hold_out_rate
        self.loss = loss
        self.learning_rate = learning_rate
        self.critic_steps = critic_steps
        self.n_draws = n_draws
        self.time = time
        self.entity = entity
        self.condition = condition
        self.seq_len = seq_len
        self.max_block = max_block
        self.max_gap = max_gap
        self.duplicate_times = duplicate_times
        self.ema_decay = ema_decay
        self.validation_share = validation_share
        self.patience = patience
        self.columns = columns
        self.max_discrete_levels = max_discrete_levels
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    # ------------------------------------------------------------------ checks
    def _validate_params(self):
        for name in ("batch_size", "num_layers", "critic_steps", "n_draws", "seq_len", "max_block", "patience"):
            check_positive_int(name, getattr(self, name))
        for name in ("iterations", "hidden_dim"):
            check_positive_int(name, getattr(self, name), optional=True)
        budget_seconds(self.time_budget, "cpu")
        check_positive_float("learning_rate", self.learning_rate)
        if not (self.ema_decay in (None, "auto") or (isinstance(self.ema_decay, float) and 0 < self.ema_decay < 1)):
            raise ConfigError(f"ema_decay must be 'auto', None or a number in (0, 1), got {self.ema_decay!r}.")
        for name in ("hint_rate", "hold_out_rate", "validation_share"):
            v = getattr(self, name)
            if not isinstance(v, (int, float)) or not 0.0 <= v <= 1.0:
                raise ConfigError(f"{name} must be within [0, 1], got {v!r}.")
        if not isinstance(self.alpha, (int, float)) or self.alpha < 0:
            raise ConfigError(f"alpha must be a number >= 0, got {self.alpha!r}.")
        if self.duplicate_times not in ("first", "error"):
            raise ConfigError(
                f"duplicate_times must be 'first' or 'error' for the imputer (it fills every row, so it "
                f"cannot average them), got {self.duplicate_times!r}."
            )
        if self.loss not in ("non-saturating", "minimax"):
            raise ConfigError(f"loss {self.loss!r}: GAIN's game is 'non-saturating' or 'minimax'.")

    # ------------------------------------------------------------------ input
    def _check_data(self, data, name: str = "X") -> None:
        require_in_memory(data, f"GANImputer: {name}")  # arrays are welcome, files are read by the caller

    def _frame(self, X, reset: bool) -> tuple[pd.DataFrame, bool]:
        """Validate ``X`` (scikit-learn's checks: shape, feature names, count) and return it as a DataFrame
        plus whether it came as an array.

        Raises
        ------
        DataError
            A fitted imputer given a table without the columns it was fitted on (naming them), or with others; a
            path or a pyarrow dataset instead of a table.
        """
        self._check_data(X)
        if isinstance(X, pd.DataFrame):
            if not reset and hasattr(self, "feature_names_in_"):
                known = [str(c) for c in self.feature_names_in_]
                have = [str(c) for c in X.columns]
                missing = [c for c in known if c not in have]
                if missing:
                    raise DataError(
                        f"the table lacks column(s) {missing[:10]!r}{' ...' if len(missing) > 10 else ''} "
                        "this imputer was fitted on; give a table with its columns, or fit a new imputer."
                    )
                extra = [c for c in have if c not in known]
                if extra:
                    raise DataError(
                        f"the table has column(s) {extra[:10]!r} this imputer was not fitted on; drop them, "
                        "or fit a new imputer on the table."
                    )
            validate_data(self, X, reset=reset, skip_check_array=True)
            if X.shape[0] == 0:
                raise ValueError(f"Found array with 0 sample(s) (shape={X.shape}) while a minimum of 1 is required.")
            if X.shape[1] == 0:
                raise ValueError(f"Found array with 0 feature(s) (shape={X.shape}) while a minimum of 1 is required.")
            if not all(isinstance(c, str) for c in X.columns):
                X = X.rename(columns=str)
            if X.columns.duplicated().any():
                raise DataError(f"duplicate column names {list(X.columns[X.columns.duplicated()])!r}; rename them.")
            return X, False
        arr = validate_data(self, X, reset=reset, dtype="numeric", ensure_all_finite=False, force_writeable=True)
        arr = np.array(arr, dtype=np.float64)
        inf = np.isinf(arr)
        if inf.any():  # the one rule for infinities (indgan.schema): bad values, filled like NaN
            cols = np.flatnonzero(inf.any(axis=0))
            log.warning(
                "X: %d infinite value(s) in column(s) %s are treated as bad values and filled.",
                int(inf.sum()),
                cols[:10].tolist(),
            )
            arr[inf] = np.nan
        return pd.DataFrame(arr, columns=[f"x{i}" for i in range(arr.shape[1])]), True

    def _schema(self, frame: pd.DataFrame, from_array: bool) -> Schema:
        if from_array:
            cols = []
            for c in frame.columns:
                v = frame[c].to_numpy()
                lo, hi = np.nanmin(v) if np.isfinite(v).any() else None, np.nanmax(v) if np.isfinite(v).any() else None
                cols.append(
                    ColumnSpec(
                        c,
                        CONTINUOUS,
                        "float64",
                        has_missing=bool(np.isnan(v).any()),
                        minimum=None if lo is None else float(lo),
                        maximum=None if hi is None else float(hi),
                    )
                )
            return Schema(cols)
        overrides = dict(self.columns or {})
        if self.time not in (None, "auto"):
            overrides["time"] = [self.time]
        if self.entity not in (None, "auto"):
            overrides["entity"] = [self.entity]
        if self.condition:
            cond = [self.condition] if isinstance(self.condition, str) else list(self.condition)
            unknown = [c for c in cond if c not in frame.columns]
            if unknown:
                raise ConfigError(
                    f"condition column(s) {unknown!r} are not in the table; it has "
                    f"{', '.join(map(str, frame.columns[:20]))}."
                )
        return infer_schema(
            frame,
            overrides or None,
            max_discrete_levels=self.max_discrete_levels,
            source=frame.attrs.get("source", "the table to impute"),
        )

    # ------------------------------------------------------------------ fit
    def _fit(self, X, y=None, *, device: torch.device, t_start: float) -> None:
        """Learn to impute from the observed cells of ``X`` ``(n_rows, n_columns)``, a DataFrame or an array (read
        a file with :func:`indgan.read_table`); returns ``self``.

        Raises
        ------
        DataError, ConfigError, ValueError (scikit-learn's input checks)
        """
        frame, from_array = self._frame(X, reset=True)
        self.from_array_ = from_array
        schema = self._schema(frame, from_array)
        self.schema_ = schema
        time_col = None if (from_array or self.time is None) else schema.time_column
        entity_col = schema.entity_column if time_col is not None and self.entity is not None else None
        self.time_column_, self.entity_column_ = time_col, entity_col
        cond = (
            []
            if not self.condition
            else ([self.condition] if isinstance(self.condition, str) else list(self.condition))
        )
        view = schema.view(frame) if not from_array else frame
        cont, cat = [], []
        for spec in schema.columns:
            if spec.name in (time_col, entity_col):
                continue
            if spec.role == CONTINUOUS:
                cont.append(spec.name)
            elif spec.role in (CATEGORICAL, ENTITY):
                cat.append(spec.name)
        if not cont and not cat:
            raise DataError("X: no column to impute once the time and entity columns are set aside.")
        for c in cont:
            if not np.isfinite(view[c].to_numpy(dtype=np.float64)).any():
                raise DataError(
                    f"column {c!r} has no observed value at all; there is nothing to learn it from. "
                    "Drop it, or mark it ignored ([columns] ignore = [...])."
                )
        for c in cat:
            if view[c].notna().sum() == 0:
                raise DataError(f"column {c!r} has no observed value at all; drop it or mark it ignored.")
        encoder = RangeEncoder(cont, cat).fit(view)
        for c in cat:  # a missing categorical cell is a cell to fill, not a level
            encoder.levels[c] = [v for v in encoder.levels[c] if v != "<missing>"]
        self.encoder_ = encoder
        spans = encoder.spans()
        self.free_columns_ = torch.from_numpy(np.array([s.column not in cond for s in spans]))
        self.device_ = device
        self.temporal_ = temporal = time_col is not None
        self.hidden_ = self.hidden_dim or (64 if temporal else max(256, 2 * encoder.dim))
        self._build(device)
        used, _ = self._time_rows(frame, view, fitting=True)
        data = encode_table(
            view if used is None else view.iloc[used],
            encoder,
            time_col,
            entity_col,
            self.seq_len,
            device,
            self._source(frame),
        )
        if temporal:
            seq_len = int(min(self.seq_len, max(2, int(data.valid.sum().item()))))
            n = data.x.shape[0]
            starts = torch.arange(max(n - seq_len + 1, 1), device=device)
            starts = starts[data.valid[starts, 0] > 0]
            batch = max(1, self.batch_size // 2)
        else:
            seq_len = 1
            starts = torch.arange(data.x.shape[0], device=device)
            batch = min(self.batch_size, data.x.shape[0])
        self.seq_len_ = seq_len
        iterations = self.iterations or (1000 if temporal else 4500)
        ema = self.ema_decay if self.ema_decay != "auto" else (1.0 - 5.0 / iterations if iterations > 50 else None)
        bridge = [] if self.generator_.bridge is None else list(self.generator_.bridge.parameters())
        rest = [p for p in self.generator_.parameters() if all(p is not q for q in bridge)]
        groups = [{"params": rest}] + ([{"params": bridge, "lr": 10 * self.learning_rate}] if bridge else [])
        g_opt = torch.optim.Adam(groups, lr=self.learning_rate)  # the linear cross-tag path starts at 0: a larger step
        d_opt = torch.optim.Adam(self.discriminator_.parameters(), lr=self.learning_rate)
        trainer = AdversarialTrainer(
            self.generator_,
            self.discriminator_,
            AdversarialLoss(self.loss),
            g_opt,
            d_opt,
            critic_steps=self.critic_steps,
            verbose=self.verbose,
            desc="GANImputer",
            ema_decay=ema,
        )
        data, check = self._validation(data, lambda: trainer.ema_generator or self.generator_)
        game = GAINGame(
            self.nets_,
            data,
            starts,
            seq_len,
            batch,
            self.hold_out_rate,
            self.max_block,
            self.hint_rate,
            self.alpha,
            self.free_columns_,
        )
        per_record = min(iterations, 100)
        budget = budget_seconds(self.time_budget, device)
        self.summary_ = trainer.fit(
            game,
            iterations,
            device,
            log_every=per_record,
            on_log=check,
            time_budget=None if budget is None else max(1.0, budget - (perf_counter() - t_start)),
        )
        if trainer.ema_generator is not None:  # impute with the averaged weights
            self.generator_.load_state_dict(trainer.ema_generator.state_dict())
        if check is not None:  # ... or with the best ones seen on the validation cells
            check.restore(self.generator_)
            self.validation_mse_, self.best_iteration_ = check.best, check.best_record * per_record
        self.generator_.eval()
        self.n_iterations_ = self.summary_.steps
        self.fit_seconds_ = perf_counter() - t_start

    def _build(self, device: torch.device) -> None:
        """The networks, from the encoder's layout (fit, and load)."""
        encoder = self.encoder_
        spans = encoder.spans()
        dim, k = encoder.dim, len(spans)
        cond_dim = 1 if self.temporal_ else 0  # the padding flag
        in_dim = dim + k + cond_dim
        g_in = in_dim + (dim if self.temporal_ else 0)  # time-aware: plus the interpolated values
        n_cont = len(encoder.continuous)
        self.generator_ = GAINGenerator(g_in, dim, self.hidden_, self.temporal_, self.num_layers, n_cont).to(device)
        self.discriminator_ = GAINDiscriminator(in_dim, k, self.hidden_, self.temporal_, self.num_layers).to(device)
        col_of_dim = torch.from_numpy(
            np.concatenate([np.full(s.width, i) for i, s in enumerate(spans)]).astype(np.int64)
        )
        cat_spans = [(i, s.start, s.width) for i, s in enumerate(spans) if s.kind == "categorical"]
        self.nets_ = GAINNetworks(
            self.generator_, SpanActivation(spans).to(device), self.temporal_, n_cont, col_of_dim, cat_spans
        )

    def _validation(self, data: ImputationData, net):
        """Set ``validation_share`` of the observed cells aside (training never sees them) and return the
        training data and an ``on_log`` callback that scores the generator on them, keeps its best weights and
        stops after ``patience`` records without improvement (None when there are too few cells)."""
        if not self.validation_share:
            return data, None
        g = self.new_generator(None if self.random_state is None else self.random_state + 17)
        obs = (data.mask * data.valid) > 0
        pick = obs & (torch.rand(obs.shape, device=obs.device, generator=g) < self.validation_share)
        pick &= self.free_columns_.to(obs.device)
        if int(pick.sum()) < 20 or bool((obs & ~pick).sum(0).eq(0).any()):
            return data, None
        train = data.hide(pick)
        cells = pick[:, self.nets_.col_of_dim.to(pick.device)].float()
        g_score = self.new_generator(0)

        def score(candidate) -> float:
            values = self._draws(train, 1, g_score, candidate)[0]
            return float((((values - train.x) ** 2) * cells).sum() / cells.sum())

        return train, EarlyStopping(score, net, every=1, patience=self.patience, mode="min", key="validation_mse")

    # ------------------------------------------------------------------ transform
    @torch.no_grad()
    def _draws(self, data: ImputationData, n_draws: int, g: torch.Generator, net=None) -> Tensor:
        """``(n_draws, N, dim)`` proposals for every (padded) row (by ``net``, default the generator)."""
        net = net or self.generator_
        net.eval()
        x, m, c, valid = data.x, data.mask, data.cond, data.valid
        N = x.shape[0]
        out = torch.zeros((n_draws, N, x.shape[1]), device=x.device)
        propose = self.nets_.propose
        if not self.temporal_:
            chunk = 8192
            for d in range(n_draws):
                for a in range(0, N, chunk):
                    sl = slice(a, a + chunk)
                    out[d, sl] = propose(x[sl, None], m[sl, None], c[sl, None], valid[sl, None], g, net)[0][:, 0]
            return out
        T = self.seq_len_
        stride = max(1, T // 2)
        starts = torch.arange(0, max(N - T, 0) + 1, stride, device=x.device)
        if starts[-1] != max(N - T, 0):
            starts = torch.cat([starts, torch.tensor([max(N - T, 0)], device=x.device)])
        steps = torch.arange(min(T, N), device=x.device)
        # triangular weights: a step is read mostly from the windows it sits in the middle of
        w = 1.0 - (steps.float() - (len(steps) - 1) / 2).abs() / (len(steps) / 2 + 1)
        idx = starts[:, None] + steps
        weight_sum = torch.zeros(N, device=x.device).index_add_(0, idx.flatten(), w.repeat(len(starts)))
        for d in range(n_draws):
            acc = torch.zeros((N, x.shape[1]), device=x.device)
            for a in range(0, len(starts), 256):
                ii = idx[a : a + 256]
                prop = propose(x[ii], m[ii], c[ii], valid[ii], g, net)[0] * w[None, :, None]
                acc.index_add_(0, ii.flatten(), prop.reshape(-1, x.shape[1]))
            out[d] = acc / weight_sum.clamp_min(1e-8)[:, None]
        return out

    @staticmethod
    def _source(frame: pd.DataFrame) -> str:
        return frame.attrs.get("source", "the table to impute")

    def _time_rows(
        self, frame: pd.DataFrame, view: pd.DataFrame, fitting: bool
    ) -> tuple[np.ndarray | None, np.ndarray | None]:
        """Time-aware: the one rule for a log's rows (:func:`~indgan.timegrid.time_order`,
        :func:`~indgan.timegrid.repeated_times`, as every model of logs reads a log), said once per table.
        Returns the positions of the rows the networks read (the first row of each time; None: all) and each row's
        first row of its time ``(n_rows,)`` (None: no repeats)."""
        if not self.temporal_:
            return None, None
        from ..timegrid import repeated_times, time_order

        source = self._source(frame)
        _, moved = time_order(view, self.time_column_, self.entity_column_, source)
        dup, repeats = repeated_times(view, self.time_column_, self.entity_column_, self.duplicate_times, source)
        if repeats:
            repeats += (
                "; the first row of each time is the log, and a repeat's missing cells take its filled values "
                "(--duplicate-times error refuses them)."
            )
        notes = [m for m in (moved, repeats) if m]
        said = [] if fitting else getattr(self, "time_notes_", [])
        for message in notes:
            if message not in said:
                log.warning("%s", message)
        if fitting:
            self.time_notes_ = notes
        if not dup.any():
            return None, None
        keys = [self.entity_column_, self.time_column_] if self.entity_column_ else [self.time_column_]
        group = view.groupby(keys, sort=False, dropna=False).ngroup().to_numpy()
        _, first = np.unique(group, return_index=True)
        return np.flatnonzero(~dup), first[group]

    def _prepare(self, X) -> tuple[pd.DataFrame, pd.DataFrame, ImputationData, np.ndarray | None]:
        check_is_fitted(self, "generator_")
        frame, from_array = self._frame(X, reset=False)
        view = self.schema_.view(frame) if not self.from_array_ else frame
        used, first = self._time_rows(frame, view, fitting=False)
        data = encode_table(
            view if used is None else view.iloc[used],
            self.encoder_,
            self.time_column_,
            self.entity_column_,
            self.seq_len,
            self.device_,
            self._source(frame),
        )
        if used is not None:  # positions in the table, not in its first-of-each-time rows
            data.rows = np.where(data.rows >= 0, used[np.maximum(data.rows, 0)], -1)
        return frame, view, data, first

    def _fill_mask(self, view: pd.DataFrame) -> tuple[dict[str, np.ndarray], list[Gap]]:
        return fill_mask(
            view,
            self.encoder_.continuous + self.encoder_.categorical,
            self.max_gap,
            self.time_column_,
            self.entity_column_,
        )

    def _decode(
        self,
        frame: pd.DataFrame,
        view: pd.DataFrame,
        data: ImputationData,
        values: Tensor,
        first: np.ndarray | None = None,
    ) -> pd.DataFrame:
        """Write the proposals ``values`` ``(N, dim)`` into the missing cells of ``frame`` (a copy); a row that
        repeats a timestamp takes the proposals of the first row of its time (``first``)."""
        real = data.rows >= 0
        vals = np.zeros((len(frame), values.shape[1]), np.float32)
        vals[data.rows[real]] = values.cpu().numpy()[real]
        filled = self.encoder_.inverse_transform(vals)
        fill_mask, _ = self._fill_mask(view)
        out = frame.copy()
        for spec in self.schema_.columns:
            name = spec.name
            if name in filled.columns:
                miss = fill_mask[name]
                if not miss.any():
                    continue
                new = filled[name].to_numpy()
                if spec.role == CONTINUOUS:
                    new = new.astype(np.float64)
                    if spec.decimals is not None and not self.from_array_:
                        new = np.round(new, spec.decimals) + 0.0
                    if spec.integer:
                        new = np.round(new)
                    base = view[name].astype(np.float64).to_numpy().copy()  # status strings -> NaN
                    base[miss] = new[miss]
                    col = frame[name]
                    left = np.isnan(base) & col.notna().to_numpy()  # status strings left in place (max_gap)
                    if left.any() and pd.api.types.is_numeric_dtype(col):  # status codes left: their numbers
                        base[left] = col.to_numpy(np.float64)[left]
                        left[:] = False
                    if left.any():  # keep the column as the historian wrote it: numbers as text, statuses
                        kept = col.astype(object).copy()
                        text = pd.Series(new[miss]).map(lambda v: str(int(v)) if spec.integer else str(v))
                        kept[miss] = text.to_numpy()
                        out[name] = kept
                    elif spec.integer and not np.isnan(base).any() and pd.api.types.is_integer_dtype(col):
                        out[name] = base.astype(col.dtype)
                    else:
                        out[name] = base
                else:
                    col = frame[name].astype(object).copy()
                    col[miss] = new[miss]
                    try:
                        out[name] = col.astype(frame[name].dtype) if frame[name].dtype != object else col
                    except (TypeError, ValueError):
                        out[name] = col
            elif spec.role == CONSTANT and out[name].isna().any():
                out[name] = out[name].fillna(spec.constant)
        if first is not None:  # a repeated time: its missing cells as the first row of its time reads, filled
            again = np.flatnonzero(first != np.arange(len(first)))
            for j, name in enumerate(out.columns):
                if name in fill_mask:
                    rows = again[fill_mask[name][again]]
                    if rows.size:
                        out.iloc[rows, j] = out.iloc[first[rows], j].to_numpy()
        return out

    def gaps_left(self, X) -> list[Gap]:
        """The outages of ``X`` longer than ``max_gap`` that :meth:`transform` leaves missing (one
        :class:`Gap` per run of consecutive missing steps of one column); empty without ``max_gap``."""
        check_is_fitted(self, "generator_")
        frame, _ = self._frame(X, reset=False)
        view = self.schema_.view(frame) if not self.from_array_ else frame
        return self._fill_mask(view)[1]

    def missing_cells(self, X) -> int:
        """How many cells of ``X`` the imputer fills or leaves as outages: missing values, NULLs and status strings
        in the columns it models (what ``indgan impute`` counts as missing)."""
        check_is_fitted(self, "generator_")
        view = self.schema_.view(X)
        return int(sum(view[c].isna().sum() for c in self.encoder_.continuous + self.encoder_.categorical))

    def _gap_steps(self, view: pd.DataFrame) -> int:
        if isinstance(self.max_gap, (int, np.integer)) and not isinstance(self.max_gap, bool):
            return int(self.max_gap)
        if self.time_column_ is None:
            raise ConfigError(
                f"max_gap={self.max_gap!r} is a time span, but there is no time column; give it in steps."
            )
        try:
            span = pd.Timedelta(self.max_gap)
        except (TypeError, ValueError) as exc:
            raise ConfigError(
                f"max_gap={self.max_gap!r} is neither a number of steps nor a time span like '2h'."
            ) from exc
        t = view[self.time_column_]
        if not pd.api.types.is_datetime64_any_dtype(t):
            raise ConfigError(
                f"max_gap={self.max_gap!r} is a time span but {self.time_column_!r} is not a datetime; "
                "give max_gap in steps."
            )
        step = t.sort_values().diff().dropna()
        step = step[step > pd.Timedelta(0)].median()
        return int(span / step) if pd.notna(step) and step > pd.Timedelta(0) else int(1e18)

    def transform(self, X):
        """``X`` with its missing cells filled: a DataFrame for a DataFrame (input's index, columns and, where
        no cell is left missing, dtypes), float64 ``(n_rows, n_columns)`` for an array. Observed cells are
        returned exactly. Runs longer than ``max_gap`` stay missing (:meth:`gaps_left` lists them).

        Raises
        ------
        NotFittedError, ValueError (wrong number of columns, other feature names), DataError
        """
        frame, view, data, first = self._prepare(X)
        g = self.new_generator(self.random_state)
        values = self._draws(data, self.n_draws, g)
        point = values.mean(0)  # categorical: the mean of the softmax draws, whose argmax is the modal level
        out = self._decode(frame, view, data, point, first)
        return out.to_numpy(dtype=np.float64) if self.from_array_ else out

    def sample_imputations(self, X, n_draws: int = 20, random_state: int | None = None):
        """Multiple imputation: ``n_draws`` independent fillings of ``X``'s missing cells.

        Returns
        -------
        numpy.ndarray ``(n_draws, n_rows, n_columns)`` float64 for an array input, else a list of
        ``n_draws`` DataFrames shaped like ``X``. Observed cells are the same in every draw.
        """
        check_positive_int("n_draws", n_draws)
        frame, view, data, first = self._prepare(X)
        seed = self.random_state if random_state is None else random_state
        g = self.new_generator(None if seed is None else seed + 1)
        values = self._draws(data, n_draws, g)
        frames = [self._decode(frame, view, data, values[d], first) for d in range(n_draws)]
        if self.from_array_:
            return np.stack([f.to_numpy(dtype=np.float64) for f in frames])
        return frames

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """The input's column names (the imputer keeps every column)."""
        check_is_fitted(self, "n_features_in_")
        if input_features is not None:
            input_features = np.asarray(input_features, dtype=object)
            if len(input_features) != self.n_features_in_:
                raise ValueError(
                    f"input_features has {len(input_features)} names; X has {self.n_features_in_} columns."
                )
            return input_features
        if hasattr(self, "feature_names_in_"):
            return np.asarray(self.feature_names_in_, dtype=object)
        return np.asarray([f"x{i}" for i in range(self.n_features_in_)], dtype=object)

    def training_lines(self) -> list[str]:
        """How the imputer was trained, for ``indgan info``."""
        summary = self.summary_
        mode = (
            f"time-aware on {self.time_column_!r}" + (f" per {self.entity_column_!r}" if self.entity_column_ else "")
            if self.temporal_
            else "row by row"
        )
        cols = self.encoder_.continuous + self.encoder_.categorical
        return [
            f"imputer: GAIN {mode}, {len(cols)} columns to fill ({len(self.encoder_.continuous)} continuous)",
            f"training: {self.n_iterations_} iterations, {summary.seconds:.1f} s on {summary.device} "
            f"({summary.stop_reason}), loss {summary.loss}",
        ]

    # ------------------------------------------------------------------ persistence
    _SAVED = (
        "from_array_",
        "time_column_",
        "entity_column_",
        "temporal_",
        "hidden_",
        "seq_len_",
        "n_iterations_",
        "fit_seconds_",
        "validation_mse_",
        "best_iteration_",
        "n_features_in_",
    )

    def _state(self) -> tuple[dict, dict[str, Tensor]]:
        attrs = {k: getattr(self, k) for k in self._SAVED if hasattr(self, k)}
        attrs = {k: (v.item() if isinstance(v, np.generic) else v) for k, v in attrs.items()}
        meta = {
            "schema": self.schema_.to_dict(),
            "encoder": self.encoder_.to_dict(),
            "attributes": attrs,
            "feature_names_in": [str(c) for c in self.feature_names_in_]
            if hasattr(self, "feature_names_in_")
            else None,
            "free_columns": self.free_columns_.tolist(),
            "summary": self.summary_.to_dict(),
        }
        tensors = {f"generator.{k}": v for k, v in self.generator_.state_dict().items()}
        tensors.update({f"discriminator.{k}": v for k, v in self.discriminator_.state_dict().items()})
        return meta, tensors

    def _restore(self, meta: dict, tensors: dict[str, Tensor], device: torch.device, source) -> None:
        self.schema_ = Schema.from_dict(meta["schema"])
        encoder = meta["encoder"]
        self.encoder_ = RangeEncoder.from_dict(encoder)
        for k, v in meta["attributes"].items():
            setattr(self, k, v)
        if meta.get("feature_names_in") is not None:
            self.feature_names_in_ = np.asarray(meta["feature_names_in"], dtype=object)
        self.free_columns_ = torch.tensor(meta["free_columns"], dtype=torch.bool)
        self.summary_ = TrainingSummary.from_dict(meta["summary"])
        self._build(device)
        self.generator_.load_state_dict(split_state(tensors, "generator"))
        self.discriminator_.load_state_dict(split_state(tensors, "discriminator"))
        self.generator_.eval()
        self.discriminator_.eval()
