"""Are synthetic rows (or windows of a log) copies of the training rows? Distance to closest record against a holdout.

Synthetic data exists to leave the plant, so before it does, :func:`privacy_report` checks that the generator did
not memorise its training data. The measure is the **distance to closest record** (DCR): for each synthetic row,
the distance to the nearest training row. A DCR alone says little (historian rows 5 minutes apart are close by
nature), so it is compared with the DCR of a **holdout**: fresh real rows of the same process that the model never
saw, against the same training rows. A generator that learned the process, not the rows, produces rows that are
(in distribution) no closer to the training rows than fresh real rows are; a generator that copies, or jitters
its training rows, produces rows that are closer. This is the holdout-based assessment of Platzer & Reutterer
("Holdout-Based Fidelity and Privacy Assessment of Mixed-Type Synthetic Data", Frontiers in Big Data 4, 2021);
DCR and its 5th percentile are used the same way by Zhao, Kunar, Birke & Chen ("CTAB-GAN: Effective Table Data
Synthesizing", ACML 2021) and Park et al. ("Data Synthesis based on Generative Adversarial Networks", VLDB 2018).

**Distance.** The same as sdmetrics' ``calculate_dcr`` (the distance behind its ``DCRBaselineProtection`` and
``DCROverfittingProtection`` metrics, https://docs.sdv.dev/sdmetrics/metrics/metrics-glossary), on the model view
of the tables (:meth:`indgan.schema.Schema.view`: numbers of a tag and its historian status as two columns):
the mean over the compared columns of a per-column distance in [0, 1]:

- continuous: ``|a - b| / range``, the range of the training rows (values outside it are clipped to it; sdmetrics
  caps the difference at 1 instead, the only place the two differ); a missing value against a number is 1, two
  missing values 0;
- categorical (condition tags, historian status columns): 0 if equal, 1 if not (missing is a category).

The time column (and the entity column) are left out: a synthetic log is put on the training time grid by design,
so a shared timestamp is not a copy, and a row copied under another timestamp still is one. The distance is an
L1 distance on an encoding (continuous ``v`` in [0, 1] -> ``(v/2, (1-v)/2)``, missing -> ``(-1/4, -1/4)``, or ``v``
alone where no row misses it; categorical -> one-hot times 1/2, or one 0/1 feature for two levels; all divided by
the number of columns), so the nearest neighbours are found with ``torch.cdist(p=1)`` in chunks, on at most
``max_rows`` rows a side (seeded subsample): seconds where sdmetrics' pandas cross join takes minutes (on the plant
logs, 300 rows a side take it 11 s a metric, 1,000 rows 140 s).

**Figures** (for rows, and for a log also for windows), each for the synthetic rows and for the holdout rows:

- ``exact_copies``: share of rows equal to some training row in every compared column, numbers compared at the
  precision the data is released at (rounded to the column's ``decimals`` from the schema, i.e. what the models
  round their output to; columns without ``decimals`` exactly). Counted on **all** rows (a hash join).
- ``median_dcr``: median DCR to the training rows.
- ``closer_than_holdout_q05``: share of synthetic rows whose DCR is below the 5th percentile of the holdout's DCRs
  (5% expected of fresh data: the memorised tail).
- ``closer_to_train``: share of synthetic rows nearer to the training rows than to the holdout rows, with as many
  rows of each as reference (ties count half): sdmetrics' ``DCROverfittingProtection`` figure. 50% is expected
  when training and holdout rows are alike draws of the process; in a log it also depends on where in time the
  rows lie (fresh rows from blocks between training blocks are nearer to those), so it is reported, not ruled on.

**Windows** (logs with a time column): the same on windows of ``seq_len`` steps of the continuous tags on the time
grid (:func:`indgan.timegrid.to_grid`, only stretches with a sample at every step; a tag's missing cells hold its
last value, as in :func:`indgan.metrics.report.temporal_fidelity`), flattened: the DCR is the mean over the
``seq_len x n_tags`` cells of ``|a - b| / range`` (range of the training log). The synthetic windows are
**non-overlapping**; the training windows they are compared with start at **every** step (stride 1, thinned evenly
beyond ``max_windows``), so a stretch of the training log copied from any step on is found. The holdout's DCR
distribution is taken over its windows at every step too (a log gives few non-overlapping windows: 30 for the
holdout below, whose 5th percentile would be its second smallest value), while the rule's noise allowances count
only its non-overlapping windows as independent draws. A window is an exact copy when every cell equals the
training window's cell at the released precision (a hash of the rounded rows). A row model can pass the row test
yet replay stretches of history; a log model copying whole windows fails here, and a model that shuffles its
training rows fails the row test while its windows pass.

**Decision rule** (each unit, rows and windows, is flagged when any of the three holds; ``passed`` when none does):

1. copies: ``exact_copies > p_h + copy_margin + 3 sqrt(p_h (1 - p_h) / n_h)``, ``p_h`` the holdout's share of
   exact copies over ``n_h`` independent holdout draws (default margin 1 percentage point): more verbatim copies
   than fresh real data has by chance (a table of a few categorical states repeats rows naturally; the holdout
   measures how often). Catches a model that copies a share of its rows, which moves neither the median nor much
   of the tail (2% copied rows among fresh ones: median ratio 0.94, tail 8.7%; only this rule fires).
2. median: ``median_dcr < dcr_ratio * holdout_median_dcr`` (default 0.8): the bulk of the synthetic rows sits
   closer to the training rows than fresh rows do (a jittered copy of the training set). On the plant logs, fresh
   rows came out at 0.88-1.27x the holdout's median over eight block splits (windows: 0.80-1.27x), hence 0.8,
   not 1.
3. tail: ``closer_than_holdout_q05 > max(tail_factor * 5%, 5% + 3 sqrt(0.05 * 0.95 * (1/n_s + 1/n_h)))``
   (default factor 2, so above 10% for thousands of rows; the square root is the spread of the share of ``n_s``
   draws below the empirical 5th percentile of ``n_h`` draws of the same distribution): a memorised minority of
   near-copies (the DCR 5th percentile criterion of CTAB-GAN, made relative to the holdout).

On the plant logs (training: alternate 12-hour blocks, 1,585 rows; holdout: 864 rows of the blocks between), a
copy of the training rows, the training rows with noise of 1% of each tag's spread, and training stretches re-timed
off the window boundaries are flagged on rows and windows (median DCR ratio 0.00-0.02); fresh real rows pass
(ratio 0.97, 6.8% under the 5th percentile; windows 0.90, 6.7%). Noise up to 30% of each tag's spread is still
flagged on the rows, up to 50% on the windows.

Passing is evidence against memorisation, not a privacy guarantee: DCR does not bound membership or attribute
inference (no differential privacy). The yardstick is only as good as the holdout: it must be real rows the model
never saw, from the same process and period. For a log, set whole blocks aside before training (e.g. alternate
half-days or days, several windows long); holdout rows right next to training rows in time are close to them,
which makes the test stricter, not laxer; blocks barely longer than a window make the window figures depend on
where the windows fall in the blocks.

sdmetrics' own ``DCRBaselineProtection`` (synthetic median DCR over that of uniform random data, 1 best) and
``DCROverfittingProtection`` (``min(2 * (1 - share closer to training than holdout), 1)``, 1 best) are run beside
on ``sdmetrics_rows`` rows a side with the metadata of :func:`indgan.metrics.report.sdmetrics_metadata`, for
reference; they take no part in the decision. Their samples of the tables are drawn independently, so a synthetic
copy's original is in the training sample only by chance (a copy of the 1,585 training rows scores
DCRBaselineProtection 0.09 on 100 rows a side, not 0).
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..atomic import atomic_output
from ..errors import DataError
from ..schema import CATEGORICAL, CONTINUOUS, ENTITY, TIME, Schema, infer_schema, time_values
from .report import _log_arrays, sdmetrics_metadata

#: Quantile of the holdout's DCRs behind the tail rule.
QUANTILE = 0.05


@dataclass
class DCRFigures:
    """Distance to closest record of synthetic and holdout rows (or windows) against the training ones.

    Distances are means of per-column (per-cell for windows) distances in [0, 1] (see the module docstring): 0 is
    an identical row, 1 a row that differs everywhere by the whole range.

    Attributes
    ----------
    unit : str
        ``"rows"`` or ``"windows"``.
    exact_copies, holdout_exact_copies : float
        Share of the synthetic (holdout) rows equal to a training row at the released precision, over all rows.
    median_dcr, holdout_median_dcr : float
        Median DCR to the training rows (the sampled ones).
    holdout_q05 : float
        5th percentile of the holdout's DCRs.
    closer_than_holdout_q05 : float
        Share of the synthetic rows with a DCR below ``holdout_q05`` (5% expected of fresh real rows).
    closer_to_train : float
        Share of the synthetic rows nearer to the training rows than to the holdout rows (equal-sized references,
        ties count half; 50% expected, see the module docstring): sdmetrics' DCROverfittingProtection figure.
    n_train, n_synthetic, n_holdout : int
        Rows of each table (windows: the training and holdout ones at every step, the synthetic ones
        non-overlapping); the exact copies count all of them.
    n_sampled : tuple of int
        ``(training reference, synthetic, holdout)`` rows (windows) behind the DCR figures.
    n_columns : int
        Columns compared (for windows: cells, ``seq_len x n_tags``).
    passed : bool
        None of the three rules fired.
    reasons : list of str
        The rules that fired, in words.
    limits : dict
        The rule's thresholds for these figures: ``exact_copies`` (flagged above), ``median_dcr`` (flagged below),
        ``closer_than_holdout_q05`` (flagged above).
    seq_len : int or None
        Window length in steps (windows only).
    """

    unit: str
    exact_copies: float
    holdout_exact_copies: float
    median_dcr: float
    holdout_median_dcr: float
    holdout_q05: float
    closer_than_holdout_q05: float
    closer_to_train: float
    n_train: int
    n_synthetic: int
    n_holdout: int
    n_sampled: tuple
    n_columns: int
    passed: bool = True
    reasons: list = field(default_factory=list)
    limits: dict = field(default_factory=dict)
    seq_len: int | None = None

    @property
    def label(self) -> str:
        return "rows" if self.unit == "rows" else f"windows of {self.seq_len} steps"

    @property
    def sentence(self) -> str:
        """One line: whether the synthetic rows are closer to the training rows than fresh rows, with figures."""
        u = self.unit
        figures = (
            f"median DCR {self.median_dcr:.4f} vs {self.holdout_median_dcr:.4f}; "
            f"{_pct(self.exact_copies)} exact copies vs {_pct(self.holdout_exact_copies)}; "
            f"{_pct(self.closer_than_holdout_q05)} closer than the fresh {u}' 5th percentile"
        )
        closer = "no closer" if self.passed else "closer"
        return f"synthetic {self.label} are {closer} to the training {u} than fresh real {u} are ({figures})"

    def lines(self) -> list[str]:
        ratio = self.median_dcr / self.holdout_median_dcr if self.holdout_median_dcr > 0 else float("nan")
        n_tr, n_sy, n_ho = self.n_sampled
        nan = float("nan")
        lim = {k: self.limits.get(k, nan) for k in ("median_dcr", "exact_copies", "closer_than_holdout_q05")}
        out = [
            f"{self.label}: {'passed' if self.passed else 'FLAGGED'}   ({self.n_synthetic} synthetic, {self.n_train} "
            f"training, {self.n_holdout} holdout; DCR on {n_sy} / {n_tr} / {n_ho}, {self.n_columns} "
            f"{'cells' if self.unit == 'windows' else 'columns'})",
            f"  median DCR to training   synthetic {self.median_dcr:.4f}   holdout {self.holdout_median_dcr:.4f}   "
            f"(ratio {ratio:.2f}; flagged below {lim['median_dcr']:.4f})",
            f"  exact copies of training   synthetic {_pct(self.exact_copies)}   holdout "
            f"{_pct(self.holdout_exact_copies)}   (flagged above {_pct(lim['exact_copies'])})",
            f"  closer than the holdout's 5th percentile ({self.holdout_q05:.4f})   "
            f"{_pct(self.closer_than_holdout_q05)}   (flagged above {_pct(lim['closer_than_holdout_q05'])})",
            f"  closer to training than to holdout   {_pct(self.closer_to_train)}   (50% expected; not in the rule)",
        ]
        if self.reasons:
            out.append("  flagged: " + "; ".join(self.reasons))
        return out

    def to_dict(self) -> dict:
        return {
            "unit": self.unit,
            "seq_len": self.seq_len,
            "passed": self.passed,
            "reasons": list(self.reasons),
            "limits": dict(self.limits),
            "exact_copies": self.exact_copies,
            "holdout_exact_copies": self.holdout_exact_copies,
            "median_dcr": self.median_dcr,
            "holdout_median_dcr": self.holdout_median_dcr,
            "holdout_q05": self.holdout_q05,
            "closer_than_holdout_q05": self.closer_than_holdout_q05,
            "closer_to_train": self.closer_to_train,
            "n_train": self.n_train,
            "n_synthetic": self.n_synthetic,
            "n_holdout": self.n_holdout,
            "n_sampled": list(self.n_sampled),
            "n_columns": self.n_columns,
        }


@dataclass
class PrivacyReport:
    """Whether synthetic data copies its training data (see the module docstring for the figures and the rule).

    Attributes
    ----------
    rows : DCRFigures
        Row figures (the model view without the time and entity columns).
    windows : DCRFigures or None
        Window figures for a log (a time column); None for a table, or when either side has fewer than
        ``min_windows`` complete windows (``notes`` says so).
    sdmetrics : dict or None
        sdmetrics' figures on ``rows`` rows a side: ``baseline_protection`` (DCRBaselineProtection score),
        ``median_dcr_synthetic``, ``median_dcr_random``, ``overfitting_protection`` (DCROverfittingProtection
        score), ``closer_to_training``; None when not run (``sdmetrics_rows=0``).
    passed : bool
        Every unit passed.
    verdict : str
        One plain line with the figures, ending in "do not release" when flagged.
    rule : dict
        The thresholds used: ``copy_margin``, ``dcr_ratio``, ``tail_factor``, ``quantile``.
    columns : list of str
        Model-view columns behind the row distance.
    notes : list of str
        What was left out and why.
    seconds : float
        Time taken.
    """

    rows: DCRFigures
    windows: DCRFigures | None
    sdmetrics: dict | None
    passed: bool
    verdict: str
    rule: dict
    columns: list
    notes: list = field(default_factory=list)
    seconds: float = float("nan")

    def to_dict(self) -> dict:
        return {
            "passed": self.passed,
            "verdict": self.verdict,
            "rows": self.rows.to_dict(),
            "windows": self.windows.to_dict() if self.windows is not None else None,
            "sdmetrics": self.sdmetrics,
            "rule": dict(self.rule),
            "columns": list(self.columns),
            "notes": list(self.notes),
            "seconds": self.seconds,
        }

    def to_json(self, path: str | Path) -> Path:
        path = Path(path)
        with atomic_output(path) as tmp:
            tmp.write_text(json.dumps(self.to_dict(), indent=2, default=float))
        return path

    def __str__(self) -> str:
        r = self.rule
        lines = [
            f"privacy (distance to closest record, DCR, against a holdout of fresh real rows): "
            f"{'PASSED' if self.passed else 'FLAGGED'}",
            f"  rule: flagged when exact copies exceed the holdout's by {r['copy_margin']:.0%} (+ 3 s.e.), the median "
            f"DCR is below {r['dcr_ratio']:g}x the holdout's, or more than "
            f"{r['tail_factor'] * r['quantile']:.0%} of rows are closer than the holdout's 5th percentile",
        ]
        for unit in (self.rows, self.windows):
            if unit is not None:
                lines += ["  " + line for line in unit.lines()]
        if self.sdmetrics is not None:
            s = self.sdmetrics
            lines.append(
                f"  sdmetrics ({s['rows']} rows a side): DCRBaselineProtection {s['baseline_protection']:.3f} (median "
                f"DCR synthetic {s['median_dcr_synthetic']:.4f}, random {s['median_dcr_random']:.4f}); "
                f"DCROverfittingProtection {s['overfitting_protection']:.3f} ({_pct(s['closer_to_training'])} "
                "closer to training than holdout)"
            )
        lines += ["  note: " + n for n in self.notes]
        lines.append(self.verdict)
        return "\n".join(lines)


def privacy_report(
    train: pd.DataFrame,
    synthetic: pd.DataFrame,
    holdout: pd.DataFrame,
    schema: Schema | None = None,
    windows: bool | None = None,
    seq_len: int = 24,
    max_rows: int = 5_000,
    max_windows: int = 2_000,
    min_windows: int = 10,
    sdmetrics_rows: int = 100,
    exclude: list[str] | None = None,
    copy_margin: float = 0.01,
    dcr_ratio: float = 0.8,
    tail_factor: float = 2.0,
    random_state: int = 0,
) -> PrivacyReport:
    """Check that ``synthetic`` does not copy ``train``, with ``holdout`` as the yardstick (see the module docstring).

    Parameters
    ----------
    train : pandas.DataFrame
        ``(n_train, n_columns)``: the real rows the model was trained on.
    synthetic : pandas.DataFrame
        ``(n_synthetic, n_columns)``: what the model generated, in the same schema.
    holdout : pandas.DataFrame
        ``(n_holdout, n_columns)``: real rows of the same process the model never saw (set aside before
        training; for a log, whole blocks of time). Best about as many as the synthetic rows sampled.
    schema : Schema, optional
        Column roles; inferred from ``train`` when omitted.
    windows : bool, optional
        Also compare windows of ``seq_len`` steps; default: when the schema has a time column.
    seq_len : int, default 24
        Window length in steps of the time grid (24 five-minute steps: two hours).
    max_rows : int, default 5000
        At most this many rows a side (seeded subsample) for the DCR figures. Exact copies count every row.
    max_windows : int, default 2000
        At most this many windows a side for the window DCR figures: synthetic ones drawn at random (seeded),
        training and holdout ones (stride 1) evenly thinned. Exact copies count every window.
    min_windows : int, default 10
        Fewer complete windows on a side and the window figures are left out (with a note).
    sdmetrics_rows : int, default 100
        Rows a side for sdmetrics' DCRBaselineProtection and DCROverfittingProtection, for reference (slow, in
        the square of the rows: on the plant logs' 99 columns about 4 s for 100 rows, 10 s for 200, 22 s for
        300, single-threaded); 0 skips them.
    exclude : list of str, optional
        Model-view columns left out of the row distance; default: the time and entity columns (and their
        status columns).
    copy_margin, dcr_ratio, tail_factor : float
        The decision rule's thresholds (module docstring).
    random_state : int
        Seed of the subsamples and of sdmetrics' random baseline.

    Returns
    -------
    PrivacyReport

    Raises
    ------
    DataError
        A table that is not a DataFrame or is empty, lacks columns of the schema, or no column to compare;
        ``windows=True`` without a time column.
    """
    t0 = time.perf_counter()
    tables = {"training": train, "synthetic": synthetic, "holdout": holdout}
    for name, df in tables.items():
        if not isinstance(df, pd.DataFrame):
            raise DataError(f"the {name} data must be a pandas DataFrame, got {type(df).__name__}.")
        if len(df) == 0:
            raise DataError(f"the {name} table has no rows.")
    schema = schema or infer_schema(train, source=train.attrs.get("source", "training data"))
    if windows is None:
        windows = schema.time_column is not None
    elif windows and schema.time_column is None:
        raise DataError("no time column, so there are no windows to compare; compare the rows only (windows=False).")
    rule = {"copy_margin": copy_margin, "dcr_ratio": dcr_ratio, "tail_factor": tail_factor, "quantile": QUANTILE}
    rng = np.random.default_rng(random_state)
    views = {name: schema.view(df).reset_index(drop=True) for name, df in tables.items()}
    columns = _compared_columns(schema, views["training"], exclude)
    if not columns:
        raise DataError("no column left to compare: every column is a time, entity or excluded column.")

    rows = _row_figures(views, schema, columns, max_rows, rng, rule)
    notes: list[str] = []
    win = None
    if windows:
        win = _window_figures(tables, schema, seq_len, max_windows, min_windows, rng, rule, notes)
    sdm = None
    if sdmetrics_rows:
        sdm = _sdmetrics_figures(views, schema, columns, sdmetrics_rows, random_state)
    units = [u for u in (rows, win) if u is not None]
    passed = all(u.passed for u in units)
    verdict = "; ".join(u.sentence for u in units) + ("" if passed else ": do not release")
    return PrivacyReport(
        rows=rows,
        windows=win,
        sdmetrics=sdm,
        passed=passed,
        verdict=verdict,
        rule=rule,
        columns=columns,
        notes=notes,
        seconds=time.perf_counter() - t0,
    )


# ---------------------------------------------------------------------------------------------- rows
def _compared_columns(schema: Schema, view: pd.DataFrame, exclude: list[str] | None) -> list[str]:
    """Model-view columns of the row distance: all but the time and entity columns (and those excluded)."""
    if exclude is None:
        exclude = []
        for c in schema.by_role(TIME, ENTITY):
            exclude += [c.name] + ([c.status_column] if c.status_column else [])
    return [c for c in view.columns if c not in set(exclude)]


def _column_kinds(schema: Schema) -> dict[str, tuple[str, int | None]]:
    """``{view column: ("numerical" | "categorical", decimals)}``."""
    kinds: dict[str, tuple[str, int | None]] = {}
    for c in schema.modelled:
        if c.role in (CONTINUOUS, TIME):
            kinds[c.name] = ("numerical", c.decimals)
        elif c.role in (CATEGORICAL, ENTITY):
            kinds[c.name] = ("categorical", None)
        if c.status_column:
            kinds[c.status_column] = ("categorical", None)
    return kinds


def _numbers(s: pd.Series) -> np.ndarray:
    if pd.api.types.is_datetime64_any_dtype(s):  # a time column compared on purpose (``exclude``)
        return time_values(s).to_numpy(dtype=np.float64)
    return pd.to_numeric(s, errors="coerce").to_numpy(dtype=np.float64)


def _round(x: np.ndarray, decimals: int | None) -> np.ndarray:
    """Numbers at the released precision, one bit pattern per value (``-0.0 -> 0.0``, one NaN)."""
    x = np.round(x, decimals) if decimals is not None else x
    return np.where(np.isnan(x), np.nan, x + 0.0)


def _encode_rows(views: dict, schema: Schema, columns: list[str]):
    """L1 encodings ``{name: (n_rows, n_features) float32}`` whose L1 distance is the mean per-column DCR distance,
    and row hashes ``{name: (n_rows,) uint64}`` at the released precision (for the exact copies)."""
    kinds = _column_kinds(schema)
    names = list(views)
    feats: dict[str, list] = {n: [] for n in names}
    keys: dict[str, dict] = {n: {} for n in names}
    for col in columns:
        kind, decimals = kinds.get(col, ("categorical", None))
        if kind == "numerical":
            vals = {n: _round(_numbers(views[n][col]), decimals) for n in names}
            ref = vals["training"]
            lo, hi = (np.nanmin(ref), np.nanmax(ref)) if np.isfinite(ref).any() else (0.0, 0.0)
            any_missing = any(np.isnan(x).any() for x in vals.values())
            for n in names:
                x = vals[n]
                v = np.clip((x - lo) / (hi - lo), 0.0, 1.0) if hi > lo else (x != lo).astype(np.float64)
                if any_missing:  # (v/2, (1-v)/2): |v - w| between numbers; missing (-1/4, -1/4): 1 from any number
                    pair = np.stack([v / 2, (1 - v) / 2], axis=1)
                    pair[np.isnan(x)] = -0.25
                    feats[n].append(pair)
                else:
                    feats[n].append(v[:, None])
                keys[n][col] = x
        else:
            joined = pd.concat([views[n][col].astype(object) for n in names], ignore_index=True)
            codes, levels = pd.factorize(joined, use_na_sentinel=False)
            bounds = np.cumsum([0] + [len(views[n]) for n in names])
            for i, n in enumerate(names):
                c = codes[bounds[i] : bounds[i + 1]]
                if len(levels) == 2:  # one 0/1 feature: 1 apart when they differ
                    feats[n].append((c == 1).astype(np.float64)[:, None])
                elif len(levels) > 2:  # one-hot halves: 1/2 + 1/2 apart when they differ
                    onehot = np.zeros((len(c), len(levels)), np.float64)
                    onehot[np.arange(len(c)), c] = 0.5
                    feats[n].append(onehot)
                keys[n][col] = c
    k = len(columns)
    feats = {n: f or [np.zeros((len(views[n]), 1))] for n, f in feats.items()}  # all columns single-level
    enc = {n: (np.concatenate(feats[n], axis=1) / k).astype(np.float32) for n in names}
    hashes = {n: pd.util.hash_pandas_object(pd.DataFrame(keys[n]), index=False).to_numpy() for n in names}
    return enc, hashes


def _sample(n: int, m: int, rng) -> np.ndarray:
    return np.sort(rng.choice(n, m, replace=False)) if n > m else np.arange(n)


def _row_figures(views: dict, schema: Schema, columns: list[str], max_rows: int, rng, rule: dict) -> DCRFigures:
    enc, hashes = _encode_rows(views, schema, columns)
    train_keys = hashes["training"]
    idx = {n: _sample(len(e), max_rows, rng) for n, e in enc.items()}
    return _figures(
        "rows",
        ref=enc["training"][idx["training"]],
        syn=enc["synthetic"][idx["synthetic"]],
        hold=enc["holdout"][idx["holdout"]],
        hold_ref=enc["holdout"],
        copies=float(np.isin(hashes["synthetic"], train_keys).mean()),
        hold_copies=float(np.isin(hashes["holdout"], train_keys).mean()),
        counts=tuple(len(views[n]) for n in ("training", "synthetic", "holdout")),
        n_columns=len(columns),
        max_rows=max_rows,
        rng=rng,
        rule=rule,
    )


# ---------------------------------------------------------------------------------------------- windows
class _NoGapWarning(logging.Filter):
    """Drops the time grid's "mostly gap" warning: a holdout or training log of alternate blocks is mostly gap on
    purpose, and here nothing is generated through the gaps (windows stay inside stretches with samples)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "time grid is mostly gap" not in str(record.msg)


@contextlib.contextmanager
def _quiet_gaps():
    logger, quiet = logging.getLogger("indgan.timegrid"), _NoGapWarning()
    logger.addFilter(quiet)
    try:
        yield
    finally:
        logger.removeFilter(quiet)


def _log_runs(df: pd.DataFrame, schema: Schema, tags: list[str], source: str):
    """Continuous tags on the time grid, only the grid points with a sample: ``(x (n, n_tags) rounded to the
    released precision, run id (n,))``, a run being a stretch of consecutive grid points of one entity."""
    with _quiet_gaps():
        x, seg, grid = _log_arrays(df, schema, tags, source)
    obs = grid.observed
    brk = np.r_[True, (seg[1:] != seg[:-1]) | (obs[1:] != obs[:-1])]
    run = np.cumsum(brk) - 1
    for d in {schema[t].decimals for t in tags}:
        cols = [i for i, t in enumerate(tags) if schema[t].decimals == d]
        x[:, cols] = _round(x[:, cols], d)
    return x[obs], run[obs]


def _window_starts(run: np.ndarray, seq_len: int, stride: int) -> np.ndarray:
    bounds = np.flatnonzero(np.r_[True, run[1:] != run[:-1], True])
    parts = [np.arange(a, b - seq_len + 1, stride) for a, b in zip(bounds[:-1], bounds[1:])]
    return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, np.int64)


def _windows(x: np.ndarray, run: np.ndarray, seq_len: int, stride: int, lo, hi):
    """``(starts, flattened scaled windows (n, seq_len * n_tags) float32, window hashes (n,) uint64)`` of the
    windows with a value for every tag (missing cells hold the tag's last value in the run, the next at its
    start)."""
    starts = _window_starts(run, seq_len, stride)
    filled = pd.DataFrame(x).groupby(run).ffill().groupby(run).bfill().to_numpy()
    ok = np.isfinite(filled).all(axis=1)
    row_hash = pd.util.hash_pandas_object(pd.DataFrame(x), index=False).to_numpy()
    if starts.size:
        good = np.r_[0, np.cumsum(~ok)]  # windows where no tag is empty at a step after filling
        starts = starts[good[starts + seq_len] == good[starts]]
    steps = starts[:, None] + np.arange(seq_len)
    span = np.where(hi > lo, hi - lo, 1.0)
    scaled = np.clip((filled - lo) / span, 0.0, 1.0).astype(np.float32)
    hashes = pd.util.hash_pandas_object(pd.DataFrame(row_hash[steps]), index=False).to_numpy()
    return starts, scaled, hashes


def _window_figures(
    tables: dict, schema: Schema, seq_len: int, max_windows: int, min_windows: int, rng, rule, notes
) -> DCRFigures | None:
    tags = [c.name for c in schema.columns if c.role == CONTINUOUS]
    if not tags:
        notes.append("no continuous tag, so no windows were compared")
        return None
    runs = {n: _log_runs(df, schema, tags, df.attrs.get("source", f"{n} data")) for n, df in tables.items()}
    x_tr = runs["training"][0]
    lo, hi = np.nanmin(x_tr, axis=0), np.nanmax(x_tr, axis=0)
    lo, hi = np.nan_to_num(lo), np.nan_to_num(hi)
    got = {n: _windows(x, run, seq_len, seq_len if n == "synthetic" else 1, lo, hi) for n, (x, run) in runs.items()}
    n_train, n_syn, n_hold = (len(got[n][0]) for n in ("training", "synthetic", "holdout"))
    # the holdout's non-overlapping windows: its independent draws (its stride-1 windows estimate the same DCR
    # distribution with less noise, at every phase, and are all used)
    n_hold_eff = int(np.isin(got["holdout"][0], _window_starts(runs["holdout"][1], seq_len, seq_len)).sum())
    if min(n_train, n_syn, n_hold_eff) < max(min_windows, 1):
        notes.append(
            f"windows of {seq_len} steps not compared: {n_train} training, {n_syn} synthetic and {n_hold_eff} "
            f"holdout complete non-overlapping windows (at least {max(min_windows, 1)} each needed; a shorter seq_len "
            "gives more)"
        )
        return None

    def flat(n, which):
        starts, scaled, _ = got[n]
        steps = starts[which][:, None] + np.arange(seq_len)
        return scaled[steps].reshape(len(steps), -1) / (seq_len * len(tags))

    train_keys = got["training"][2]
    return _figures(
        "windows",
        ref=flat("training", _even(n_train, max_windows)),
        syn=flat("synthetic", _sample(n_syn, max_windows, rng)),
        hold=flat("holdout", _even(n_hold, max_windows)),
        hold_ref=flat("holdout", _even(n_hold, max_windows)),
        copies=float(np.isin(got["synthetic"][2], train_keys).mean()),
        hold_copies=float(np.isin(got["holdout"][2], train_keys).mean()),
        counts=(n_train, n_syn, n_hold),
        n_columns=seq_len * len(tags),
        max_rows=max_windows,
        rng=rng,
        rule=rule,
        seq_len=seq_len,
        n_hold_eff=n_hold_eff,
    )


def _even(n: int, m: int) -> np.ndarray:
    """At most ``m`` of ``range(n)``, evenly spaced (overlapping windows: neighbours are near-duplicates)."""
    return np.unique(np.linspace(0, n - 1, min(n, m)).round().astype(np.int64)) if n else np.zeros(0, np.int64)


# ---------------------------------------------------------------------------------------------- figures
def nearest_l1(queries: np.ndarray, reference: np.ndarray, chunk: int = 1024) -> np.ndarray:
    """L1 distance from each query row to its nearest reference row.

    Parameters
    ----------
    queries, reference : numpy.ndarray
        ``(n_queries, n_features)`` and ``(n_reference, n_features)`` float32.
    chunk : int
        Queries per ``torch.cdist`` call (memory ``chunk x n_reference`` floats).

    Returns
    -------
    numpy.ndarray
        ``(n_queries,)`` float64.
    """
    import torch

    ref = torch.from_numpy(np.ascontiguousarray(reference, dtype=np.float32))
    out = np.empty(len(queries), np.float64)
    for a in range(0, len(queries), chunk):
        q = torch.from_numpy(np.ascontiguousarray(queries[a : a + chunk], dtype=np.float32))
        out[a : a + chunk] = torch.cdist(q, ref, p=1).min(dim=1).values.double().numpy()
    return out


def _figures(
    unit: str,
    ref: np.ndarray,
    syn: np.ndarray,
    hold: np.ndarray,
    hold_ref: np.ndarray,
    copies: float,
    hold_copies: float,
    counts: tuple,
    n_columns: int,
    max_rows: int,
    rng,
    rule: dict,
    seq_len: int | None = None,
    n_hold_eff: int | None = None,
) -> DCRFigures:
    """The figures and the rule for one unit: ``ref`` the training reference, ``syn`` and ``hold`` the queries,
    ``hold_ref`` the holdout as reference of the closer-to-train figure (all encoded, L1 = DCR); ``n_hold_eff``
    independent holdout draws behind the rule's noise allowances (default: ``len(hold)``)."""
    d_syn = nearest_l1(syn, ref)
    d_hold = nearest_l1(hold, ref)
    q05 = float(np.quantile(d_hold, rule["quantile"]))
    m = min(len(ref), len(hold_ref), max_rows)
    d_tr_m = nearest_l1(syn, ref[_sample(len(ref), m, rng)]) if m < len(ref) else d_syn
    d_ho_m = nearest_l1(syn, hold_ref[_sample(len(hold_ref), m, rng)])
    closer_to_train = float(np.mean((d_tr_m < d_ho_m) + 0.5 * (d_tr_m == d_ho_m)))
    fig = DCRFigures(
        unit=unit,
        exact_copies=copies,
        holdout_exact_copies=hold_copies,
        median_dcr=float(np.median(d_syn)),
        holdout_median_dcr=float(np.median(d_hold)),
        holdout_q05=q05,
        closer_than_holdout_q05=float(np.mean(d_syn < q05)),
        closer_to_train=closer_to_train,
        n_train=int(counts[0]),
        n_synthetic=int(counts[1]),
        n_holdout=int(counts[2]),
        n_sampled=(len(ref), len(syn), len(hold)),
        n_columns=int(n_columns),
        seq_len=seq_len,
    )
    fig.limits, fig.reasons = _rule(fig, rule, n_hold_eff or len(hold))
    fig.passed = not fig.reasons
    return fig


def _rule(f: DCRFigures, rule: dict, n_hold: int) -> tuple[dict, list[str]]:
    """The thresholds for ``f`` and the reasons to flag it (empty: passed); see the module docstring. ``n_hold``:
    independent holdout draws."""
    p_h, q, n_syn, n_hold = f.holdout_exact_copies, rule["quantile"], max(f.n_sampled[1], 1), max(n_hold, 1)
    limits = {
        "exact_copies": p_h + rule["copy_margin"] + 3 * math.sqrt(p_h * (1 - p_h) / n_hold),
        "median_dcr": rule["dcr_ratio"] * f.holdout_median_dcr,
        # the share of n_syn draws below the empirical 5th percentile of n_hold draws of the same distribution
        # has mean 5% and variance ~ q (1 - q) (1 / n_syn + 1 / n_hold)
        "closer_than_holdout_q05": max(
            rule["tail_factor"] * q, q + 3 * math.sqrt(q * (1 - q) * (1 / n_syn + 1 / n_hold))
        ),
    }
    reasons = []
    if f.exact_copies > limits["exact_copies"]:
        reasons.append(f"{_pct(f.exact_copies)} exact copies of training {f.unit} (fresh {f.unit}: {_pct(p_h)})")
    if f.median_dcr < limits["median_dcr"]:
        reasons.append(
            f"median DCR {f.median_dcr / f.holdout_median_dcr:.2f}x the fresh {f.unit}' (below {rule['dcr_ratio']:g}x)"
        )
    if f.closer_than_holdout_q05 > limits["closer_than_holdout_q05"]:
        reasons.append(
            f"{_pct(f.closer_than_holdout_q05)} closer than the fresh {f.unit}' 5th percentile "
            f"(above {_pct(limits['closer_than_holdout_q05'])})"
        )
    return limits, reasons


def _pct(x: float) -> str:
    return "n/a" if x != x else f"{100 * x:.1f}%"


# ---------------------------------------------------------------------------------------------- sdmetrics
def _sdmetrics_figures(views: dict, schema: Schema, columns: list[str], n: int, random_state: int) -> dict:
    """sdmetrics' DCRBaselineProtection and DCROverfittingProtection on ``n`` rows a side (the same number of
    training and holdout rows, as DCROverfittingProtection's 50% assumes), seeded."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from sdmetrics.single_table import DCRBaselineProtection, DCROverfittingProtection

    rng = np.random.default_rng(random_state)
    m = min(n, *(len(v) for v in views.values()))
    sample = {k: v.iloc[_sample(len(v), m, rng)][columns].reset_index(drop=True) for k, v in views.items()}
    metadata = sdmetrics_metadata(schema, views["training"])
    metadata = {"columns": {k: v for k, v in metadata["columns"].items() if k in columns}}

    class _Baseline(DCRBaselineProtection):  # its uniform random baseline, seeded without touching the class
        _seed = random_state

    state = np.random.get_state()  # the baseline's missing-value mask draws from numpy's global generator
    try:
        np.random.seed(random_state)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            base = _Baseline.compute_breakdown(sample["training"], sample["synthetic"], metadata, None)
            over = DCROverfittingProtection.compute_breakdown(
                sample["training"], sample["synthetic"], sample["holdout"], metadata, None
            )
    finally:
        np.random.set_state(state)
    return {
        "rows": int(m),
        "baseline_protection": float(base["score"]),
        "median_dcr_synthetic": float(base["median_DCR_to_real_data"]["synthetic_data"]),
        "median_dcr_random": float(base["median_DCR_to_real_data"]["random_data_baseline"]),
        "overfitting_protection": float(over["score"]),
        "closer_to_training": float(over["synthetic_data_percentages"]["closer_to_training"]),
    }


def holdout_split(
    df: pd.DataFrame, share: float, schema: Schema, seq_len: int = 24, random_state: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(train, holdout)``: real rows set aside before training, the yardstick of :func:`privacy_report`.

    - a table without a time column: a random ``share`` of the rows (seeded);
    - a log with an entity column and at least 5 entities: a random ``share`` of the entities, whole;
    - otherwise a log: **alternate blocks** in time order, every ``round(1 / share)``-th block of
      ``max(8 * seq_len, n_rows // 40)`` rows (several windows long: with blocks barely longer than a window,
      fresh windows are sometimes flagged). Fresh rows from between the training blocks are of the same regimes,
      where a holdout from the end of the log would be a later period, farther from the training rows by drift
      alone (and every model would then look as if it copied).

    Both frames keep ``df``'s columns and order, with a fresh index.

    Raises
    ------
    ConfigError
        ``share`` outside (0, 0.5], or a holdout of fewer than 2 rows.
    """
    from ..errors import ConfigError

    if not 0 < share <= 0.5:
        raise ConfigError(f"--holdout {share}: give a share of the rows between 0 and 0.5, e.g. 0.2.")
    n = len(df)
    rng = np.random.default_rng(random_state)
    tcol, entity = schema.time_column, schema.entity_column
    if tcol is None:
        held = np.zeros(n, bool)
        held[rng.choice(n, int(round(share * n)), replace=False)] = True
    elif entity is not None and df[entity].nunique() >= 5:
        ids = df[entity].drop_duplicates().to_numpy()
        chosen = rng.choice(len(ids), max(1, int(round(share * len(ids)))), replace=False)
        held = df[entity].isin(ids[chosen]).to_numpy()
    else:
        order = np.argsort(pd.to_numeric(time_values(df[tcol]), errors="coerce").to_numpy(), kind="stable")
        block = max(8 * seq_len, n // 40)
        every = max(2, int(round(1 / share)))
        held = np.zeros(n, bool)
        held[order] = (np.arange(n) // block) % every == every // 2
    if held.sum() < 2 or (~held).sum() < 2:
        raise ConfigError(f"--holdout {share}: {int(held.sum())} of {n} rows would be held out; too few to compare.")
    return df[~held].reset_index(drop=True), df[held].reset_index(drop=True)
