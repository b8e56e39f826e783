"""Scoring synthetic data against real data.

:func:`evaluate` runs sdmetrics' single-table ``QualityReport`` (column shapes: KS complement / TV
complement; column pair trends: correlation and contingency similarity) and ``DiagnosticReport`` (data
validity and structure) on the *model view* of both tables (see :meth:`indgan.schema.Schema.view`), with
sdmetrics metadata built from the inferred schema: historian status strings are scored as a categorical
status column beside the tag's numbers, not as bogus categories of a number column. The quality score counts
**every column pair** (``real_correlation_threshold = 0``, as papers and sdmetrics before 0.2x do); the score
with sdmetrics' default thresholds (only pairs whose real correlation exceeds 0.5 or association 0.3) is
reported beside it, and says so when no pair passes.

With a time column, :func:`temporal_fidelity` scores the logs over time as well: per tag the distribution of
step changes ``x[t+1] - x[t]`` (one minus the Kolmogorov-Smirnov statistic), the autocorrelation error (mean
``|ACF_real - ACF_synthetic|`` over lags 1..12) and TimeGAN's discriminative score on **non-overlapping**
windows (on overlapping windows of one log the post-hoc classifier memorises stretches of history and tells
apart even two halves of the same real log).

The statistics themselves (KS and TV complements, correlations, :func:`~indgan.stats.row_fidelity`, step changes,
autocorrelation and cross-correlation) live in :mod:`indgan.stats`, which the models' early stopping uses too.
"""

from __future__ import annotations

import json
import logging
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..atomic import atomic_output
from ..errors import DataError
from ..schema import CATEGORICAL, CONTINUOUS, ENTITY, TIME, Schema, infer_schema
from ..stats import (
    autocorrelation_error,
    log_autocorrelation,
    log_cross_correlation,
    pair_correlation_error,
    row_fidelity,  # noqa: F401  (re-exported: indgan.metrics.report.row_fidelity)
    step_change_scores,
    top_correlated_pairs,
)

log = logging.getLogger(__name__)


@dataclass
class TemporalReport:
    """How a synthetic log moves over time against the real one.

    Attributes
    ----------
    step_change : float
        Mean over tags of ``1 - KS`` between the real and the synthetic step changes ``x[t+1] - x[t]``
        (1 = the same distribution; higher is better).
    autocorrelation_error : float
        Mean over tags of the mean ``|ACF_real - ACF_synthetic|`` over lags ``1..max_lag`` (0 best).
    discriminative : ScoreStats or None
        TimeGAN's discriminative score (``|0.5 - accuracy|`` of a post-hoc GRU classifier, 0 best) on
        non-overlapping windows of ``seq_len`` steps; None when either side has fewer than ``min_windows``.
    cross_correlation_error : float
        Mean ``|ccf_real - ccf_synthetic|`` over lags ``0..max_lag`` (both directions) and the tag pairs of
        ``pair_correlation_error`` (0 best): how tags move together, at the same step and with a delay.
    pair_correlation_error : float
        Mean ``|r_real - r_synthetic|`` (Pearson, same step) over the ``n_pairs`` most correlated real tag pairs
        (0 best): the redundant sensors and control loops an engineer checks first, which sdmetrics' pair score
        averages away among thousands of near-null pairs.
    n_pairs : int
        Tag pairs behind the two errors above (the 50 most correlated, or every pair when there are fewer).
    discriminative_floor : ScoreStats or None
        The same discriminative score of the real log against itself (alternate blocks of its windows): what a
        perfect synthetic log would score on this much data. None when not computed.
    per_tag : pandas.DataFrame
        ``tag``, ``step_change``, ``autocorrelation_error``, worst step-change score first.
    n_windows : tuple of int
        Non-overlapping complete windows (real, synthetic).
    max_lag, seq_len : int
    """

    step_change: float
    autocorrelation_error: float
    discriminative: object
    per_tag: pd.DataFrame
    n_windows: tuple
    max_lag: int
    seq_len: int
    cross_correlation_error: float = float("nan")
    pair_correlation_error: float = float("nan")
    n_pairs: int = 0
    discriminative_floor: object = None

    def to_dict(self) -> dict:
        return {
            "step_change": self.step_change,
            "autocorrelation_error": self.autocorrelation_error,
            "cross_correlation_error": self.cross_correlation_error,
            "pair_correlation_error": self.pair_correlation_error,
            "n_pairs": self.n_pairs,
            "discriminative": self.discriminative.to_dict() if self.discriminative is not None else None,
            "discriminative_floor": (
                self.discriminative_floor.to_dict() if self.discriminative_floor is not None else None
            ),
            "per_tag": self.per_tag.to_dict(orient="records"),
            "n_windows": list(self.n_windows),
            "max_lag": self.max_lag,
            "seq_len": self.seq_len,
        }

    def lines(self) -> list[str]:
        disc = (
            f"{self.discriminative} on {self.n_windows[0]} real and {self.n_windows[1]} synthetic non-overlapping "
            f"windows of {self.seq_len} steps"
            if self.discriminative is not None
            else f"not computed: {self.n_windows[0]} real and {self.n_windows[1]} synthetic non-overlapping windows "
            f"of {self.seq_len} steps" + (", too few" if min(self.n_windows) < 200 else "")
        )
        floor = (
            f"; real against real (alternate blocks): {self.discriminative_floor}"
            if self.discriminative_floor is not None
            else ""
        )
        return [
            f"step-change score  {self.step_change:.4f}   (1 - KS of x[t+1] - x[t], mean over tags; 1 best)",
            f"autocorrelation error  {self.autocorrelation_error:.4f}   (mean |ACF difference|, lags 1-"
            f"{self.max_lag}; 0 best)",
            f"cross-correlation error  {self.cross_correlation_error:.4f}   (mean |CCF difference|, lags 0-"
            f"{self.max_lag}, over the {self.n_pairs} most correlated tag pairs; 0 best)",
            f"top-pair correlation error  {self.pair_correlation_error:.4f}   (mean |r_real - r_synthetic| over "
            f"the same {self.n_pairs} pairs; 0 best)",
            f"discriminative score  {disc}   (TimeGAN's; 0 best){floor}",
            "worst step changes: "
            + ", ".join(f"{r.tag} {r.step_change:.3f}" for r in self.per_tag.head(5).itertuples()),
        ]


@dataclass
class EvaluationReport:
    """Scores of a synthetic table against the real one (all in [0, 1], higher is better unless said).

    Attributes
    ----------
    quality_score : float
        sdmetrics QualityReport's score with **every** column pair counted (mean of column shapes and column
        pair trends).
    quality_score_default : float
        The same with sdmetrics' default thresholds (pairs whose real correlation exceeds 0.5 or association
        0.3); equal to the column shapes score alone when no pair passes (``default_pairs == 0``).
    default_pairs : int
        Pairs that pass the default thresholds.
    diagnostic_score : float
        sdmetrics DiagnosticReport overall score.
    properties : pandas.DataFrame
        One row per report property: columns ``report``, ``property``, ``score``. "Column Pair Trends" counts
        every pair; "Column Pair Trends (default thresholds)" the pairs that pass sdmetrics' defaults (absent when
        none does).
    column_shapes : pandas.DataFrame
        Per-column shape score (``column``, ``metric``, ``score``), worst first.
    n_real, n_synthetic : int
        Rows compared.
    temporal : TemporalReport or None
        Scores over time, for logs with a time column.
    privacy : PrivacyReport or None
        The privacy check against a holdout (:func:`indgan.metrics.privacy.privacy_report`), when one was given.
    """

    quality_score: float
    diagnostic_score: float
    properties: pd.DataFrame
    column_shapes: pd.DataFrame = field(default_factory=pd.DataFrame)
    n_real: int = 0
    n_synthetic: int = 0
    quality_score_default: float = float("nan")
    default_pairs: int = 0
    temporal: TemporalReport | None = None
    privacy: object = None

    def to_dict(self) -> dict:
        return {
            "quality_score": self.quality_score,
            "quality_score_default": self.quality_score_default,
            "default_pairs": self.default_pairs,
            "diagnostic_score": self.diagnostic_score,
            "properties": self.properties.to_dict(orient="records"),
            "column_shapes": self.column_shapes.to_dict(orient="records"),
            "n_real": self.n_real,
            "n_synthetic": self.n_synthetic,
            "temporal": self.temporal.to_dict() if self.temporal is not None else None,
            "privacy": self.privacy.to_dict() if self.privacy is not None else None,
        }

    def to_json(self, path: str | Path) -> Path:
        path = Path(path)
        with atomic_output(path) as tmp:
            tmp.write_text(json.dumps(self.to_dict(), indent=2, default=float))
        return path

    def __str__(self) -> str:
        default = (
            f"{self.quality_score_default:.4f}   (sdmetrics' default thresholds: {self.default_pairs} pairs with "
            "real |correlation| > 0.5 or association > 0.3)"
            if self.default_pairs
            else f"{self.quality_score_default:.4f}   (sdmetrics' default thresholds: no pair passes them, so this is "
            "column shapes alone)"
        )
        lines = [
            f"quality score     {self.quality_score:.4f}   (sdmetrics QualityReport, every column pair counted; "
            f"{self.n_synthetic} synthetic vs {self.n_real} real rows)",
            f"  with defaults   {default}",
            f"diagnostic score  {self.diagnostic_score:.4f}   (sdmetrics DiagnosticReport)",
            "",
        ]
        width = max(len(p) for p in self.properties["property"]) if len(self.properties) else 10
        lines.append(f"{'report':<11} {'property':<{width}}  score")
        for r in self.properties.itertuples():
            lines.append(f"{r.report:<11} {r.property:<{width}}  {r.score:.4f}")
        if len(self.column_shapes):
            worst = self.column_shapes.head(5)
            lines.append("")
            lines.append("worst column shapes: " + ", ".join(f"{r.column} {r.score:.3f}" for r in worst.itertuples()))
        if self.temporal is not None:
            lines.append("")
            lines.append("over time:")
            lines += ["  " + line for line in self.temporal.lines()]
        return "\n".join(lines)


def sdmetrics_metadata(schema: Schema, view: pd.DataFrame) -> dict:
    """sdmetrics single-table metadata for a model view: numerical, categorical or datetime per column."""
    cols: dict[str, dict] = {}
    for c in schema.modelled:
        if c.role == CONTINUOUS:
            cols[c.name] = {"sdtype": "numerical"}
        elif c.role == TIME:
            dt = pd.api.types.is_datetime64_any_dtype(view[c.name])
            cols[c.name] = {"sdtype": "datetime"} if dt else {"sdtype": "numerical"}
        elif c.role in (CATEGORICAL, ENTITY):
            cols[c.name] = {"sdtype": "categorical"}
        if c.status_column:
            cols[c.status_column] = {"sdtype": "categorical"}
    return {"columns": cols}


def evaluate(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    schema: Schema | None = None,
    max_rows: int | None = 20_000,
    random_state: int = 0,
    temporal: bool | None = None,
    discriminative: bool = True,
) -> EvaluationReport:
    """Score ``synthetic`` against ``real`` with sdmetrics, and over time when there is a time column.

    Parameters
    ----------
    real, synthetic : pandas.DataFrame
        ``(n_real, n_columns)`` and ``(n_synthetic, n_columns)`` tables in the same schema (a raw historian
        export and what a model's ``sample`` returns for it). Not modified.
    schema : Schema, optional
        Column roles; inferred from ``real`` when omitted.
    max_rows : int or None, default 20000
        Each table is subsampled to at most this many rows for sdmetrics (pair metrics grow with rows x
        columns^2); the temporal scores use the whole logs.
    random_state : int
        Seed of that subsample and of the discriminative score.
    temporal : bool, optional
        Score over time (:func:`temporal_fidelity`); default: when the schema has a time column.
    discriminative : bool, default True
        Include the discriminative score in the temporal scores.

    Returns
    -------
    EvaluationReport

    Raises
    ------
    DataError
        If ``synthetic`` lacks columns of ``real`` or either table is empty.
    """
    with warnings.catch_warnings():  # sdmetrics >= 0.2x flags the single-table module as deprecated
        warnings.simplefilter("ignore")
        from sdmetrics.reports.single_table import DiagnosticReport, QualityReport
        from sdmetrics.reports.utils import DEFAULT_REAL_ASSOCIATION_THRESHOLD, DEFAULT_REAL_CORRELATION_THRESHOLD

    for name, df in (("real", real), ("synthetic", synthetic)):
        if not isinstance(df, pd.DataFrame):
            raise DataError(f"the {name} data must be a pandas DataFrame, got {type(df).__name__}.")
        if len(df) == 0:
            raise DataError(f"the {name} table has no rows.")
    schema = schema or infer_schema(real, source="real data")
    absent = [c.name for c in schema.modelled if c.name not in synthetic.columns]
    if absent:
        raise DataError(
            f"the synthetic table lacks column(s) {absent[:10]!r} of the real table; compare tables of the same schema."
        )
    full_real, full_syn = real, synthetic
    if max_rows is not None:
        if len(real) > max_rows:
            real = real.sample(max_rows, random_state=random_state)
        if len(synthetic) > max_rows:
            synthetic = synthetic.sample(max_rows, random_state=random_state)
    real_v = schema.view(real).reset_index(drop=True)
    syn_v = schema.view(synthetic).reset_index(drop=True)
    metadata = sdmetrics_metadata(schema, real_v)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        quality = QualityReport()
        # every pair counted; a threshold just above 0 (not 0) makes sdmetrics keep each pair's real correlation
        # and association, from which the default-threshold score is derived without a second report
        quality.real_correlation_threshold = 1e-12
        quality.real_association_threshold = 1e-12
        quality.generate(real_v, syn_v, metadata, verbose=False)
        diagnostic = DiagnosticReport()
        diagnostic.generate(real_v, syn_v, metadata, verbose=False)
    props = []
    scores = dict(zip(quality.get_properties()["Property"], quality.get_properties()["Score"]))
    for label, rep in (("quality", quality), ("diagnostic", diagnostic)):
        for r in rep.get_properties().itertuples(index=False):
            props.append({"report": label, "property": r[0], "score": float(r[1])})
    pairs = quality.get_details("Column Pair Trends")
    if len(pairs):
        passes = (pairs["Real Correlation"].abs() > DEFAULT_REAL_CORRELATION_THRESHOLD) | (
            pairs.get("Real Association", pd.Series(float("nan"), index=pairs.index))
            > DEFAULT_REAL_ASSOCIATION_THRESHOLD
        )
        passes &= pairs["Score"].notna()
    else:
        passes = pd.Series(dtype=bool)
    shapes_score = float(scores.get("Column Shapes", float("nan")))
    n_default = int(passes.sum())
    if n_default:
        default_pairs = float(pairs.loc[passes, "Score"].mean())
        props.insert(
            2, {"report": "quality", "property": "Column Pair Trends (default thresholds)", "score": default_pairs}
        )
        default_score = (shapes_score + default_pairs) / 2.0
    else:
        default_score = shapes_score
    shapes = quality.get_details("Column Shapes")
    shapes = shapes.rename(columns={"Column": "column", "Metric": "metric", "Score": "score"})
    shapes = shapes[[c for c in ("column", "metric", "score") if c in shapes]].sort_values("score")
    if temporal is None:
        temporal = schema.time_column is not None
    time_report = None
    if temporal:
        time_report = temporal_fidelity(
            full_real, full_syn, schema, discriminative=discriminative, random_state=random_state
        )
    return EvaluationReport(
        quality_score=float(quality.get_score()),
        diagnostic_score=float(diagnostic.get_score()),
        properties=pd.DataFrame(props),
        column_shapes=shapes.reset_index(drop=True),
        n_real=len(real_v),
        n_synthetic=len(syn_v),
        quality_score_default=default_score,
        default_pairs=n_default,
        temporal=time_report,
    )


def _log_arrays(df: pd.DataFrame, schema: Schema, tags: list[str], source: str):
    """``(values (n_steps, n_tags) on the time grid, segment id per step, grid)``."""
    import numpy as np

    from ..timegrid import resolve_duplicate_times, to_grid

    view = schema.view(df)
    entity = schema.entity_column if schema.entity_column in view else None
    keys = [entity, schema.time_column] if entity else [schema.time_column]
    view = view.sort_values(keys, kind="stable")  # rows laid out in time (a row model's sample)
    view = resolve_duplicate_times(view, schema.time_column, entity, "first", source)  # the models' rule
    grid = to_grid(view, schema.time_column, entity, source=source)
    x = grid.frame[tags].to_numpy(dtype=np.float64)
    x[~grid.observed] = np.nan
    seg = np.repeat(np.arange(len(grid.lengths)), grid.lengths)
    return x, seg, grid


def temporal_fidelity(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    schema: Schema | None = None,
    max_lag: int = 12,
    seq_len: int = 24,
    discriminative: bool = True,
    min_windows: int = 200,
    n_repeats: int = 5,
    iterations: int = 1000,
    random_state: int = 0,
    n_pairs: int = 50,
    floor: bool = True,
) -> TemporalReport:
    """Score a synthetic log over time against the real one (see the module docstring).

    Both tables are put on their time grid per entity (:func:`indgan.timegrid.to_grid`); step changes and
    autocorrelations are taken inside each entity, over observed cells. The discriminative score uses
    non-overlapping windows of ``seq_len`` steps, at most 5,000 per side, with the tags min-max scaled by the real
    range and missing cells holding the last value; it needs ``min_windows`` on each side, and with ``floor`` it is
    taken for the real log against itself too (alternate blocks of 6 windows), so a user knows what good looks
    like. The cross-correlation and top-pair errors use the ``n_pairs`` most correlated real tag pairs.

    Parameters
    ----------
    real, synthetic : pandas.DataFrame
        Logs with the same columns and a time column (and the entity column, if any).
    schema : Schema, optional
        Column roles; inferred from ``real`` when omitted.
    max_lag : int, default 12
    seq_len : int, default 24
    discriminative : bool, default True
    min_windows : int, default 200
    n_repeats, iterations : int, default 5 and 1000
        Repeats and training iterations of the post-hoc classifier.
    n_pairs : int, default 50
    floor : bool, default True
        Also score the real log against itself (the discriminative floor).

    Returns
    -------
    TemporalReport

    Raises
    ------
    DataError
        No time column, no continuous tag, or bad timestamps on either side.
    """
    import numpy as np

    from .sequences import discriminative_score

    source_r, source_s = real.attrs.get("source", "real data"), synthetic.attrs.get("source", "synthetic data")
    schema = schema or infer_schema(real, source=source_r)
    if schema.time_column is None:
        raise DataError(f"{source_r}: no time column, so there is no time to score; compare the rows only.")
    tags = [c.name for c in schema.columns if c.role == CONTINUOUS]
    if not tags:
        raise DataError(f"{source_r}: no continuous tag to score over time.")
    xr, sr, _ = _log_arrays(real, schema, tags, source_r)
    xs, ss, _ = _log_arrays(synthetic, schema, tags, source_s)
    steps = step_change_scores(xr, xs, sr, ss)
    acf_gap = autocorrelation_error(log_autocorrelation(xr, sr, max_lag), log_autocorrelation(xs, ss, max_lag), axis=0)
    pairs, _ = top_correlated_pairs(xr, n_pairs)
    ccf = pair_err = float("nan")
    if len(pairs):
        ccf_gap = np.abs(
            log_cross_correlation(xr, sr, pairs, max_lag) - np.nan_to_num(log_cross_correlation(xs, ss, pairs, max_lag))
        )
        ccf, pair_err = float(np.nanmean(ccf_gap)), float(np.nanmean(pair_correlation_error(xr, xs, pairs)))
    per_tag = pd.DataFrame({"tag": tags, "step_change": steps, "autocorrelation_error": acf_gap})
    per_tag = per_tag.sort_values("step_change", ignore_index=True)
    lo = np.array([schema[t].minimum for t in tags], dtype=np.float64)
    hi = np.array([schema[t].maximum for t in tags], dtype=np.float64)
    wr, ws = (_non_overlapping(x, seg, seq_len, lo, hi) for x, seg in ((xr, sr), (xs, ss)))
    disc = disc_floor = None
    n_windows = (int(len(wr)), int(len(ws)))
    if discriminative and min(n_windows) >= max(min_windows, 4):
        rng = np.random.default_rng(random_state)
        if floor:  # alternate blocks of 6 consecutive windows (a day of 4-hour windows) of the real log
            block = (np.arange(len(wr)) // 6) % 2 == 0
            disc_floor = discriminative_score(
                wr[block][:5000],
                wr[~block][:5000],
                n_repeats=n_repeats,
                iterations=iterations,
                random_state=random_state,
            )
        wr = wr[rng.permutation(len(wr))[:5000]]
        ws = ws[rng.permutation(len(ws))[:5000]]
        disc = discriminative_score(wr, ws, n_repeats=n_repeats, iterations=iterations, random_state=random_state)
    return TemporalReport(
        step_change=float(np.nanmean(steps)),
        autocorrelation_error=float(np.nanmean(acf_gap)),
        discriminative=disc,
        per_tag=per_tag,
        n_windows=n_windows,
        max_lag=max_lag,
        seq_len=seq_len,
        cross_correlation_error=ccf,
        pair_correlation_error=pair_err,
        n_pairs=int(len(pairs)),
        discriminative_floor=disc_floor,
    )


def _non_overlapping(x, seg, seq_len: int, lo, hi):
    """Non-overlapping windows ``(n, seq_len, n_tags)`` inside each segment, scaled by ``[lo, hi]``; a missing
    cell (a status string, a gap) holds the tag's last observed value in its segment (the next one at a
    segment's start), as a historian trend shows it, and windows where a tag has no value at all are left out."""
    import numpy as np

    span = np.where(hi > lo, hi - lo, 1.0)
    v = np.clip((x - lo) / span, 0.0, 1.0)
    v = pd.DataFrame(v).groupby(seg).ffill().groupby(seg).bfill().to_numpy()
    bounds = np.flatnonzero(np.r_[True, seg[1:] != seg[:-1], True])
    starts = np.concatenate([np.arange(a, b - seq_len + 1, seq_len) for a, b in zip(bounds[:-1], bounds[1:])])
    if starts.size == 0:
        return np.zeros((0, seq_len, x.shape[1]), np.float32)
    w = v[starts[:, None] + np.arange(seq_len)]
    keep = np.isfinite(w).all(axis=(1, 2))
    return w[keep].astype(np.float32)


# ---------------------------------------------------------------------------------------------- sequences
@dataclass
class SequenceReport:
    """Scores of synthetic sequences against real ones.

    Attributes
    ----------
    discriminative, predictive : indgan.metrics.sequences.ScoreStats
        TimeGAN's discriminative score (|0.5 - accuracy| of a post-hoc GRU classifier; 0 is best) and predictive
        score (MAE on real data of a post-hoc GRU trained on synthetic data; lower is better, compare with
        ``predictive_real``).
    predictive_real : ScoreStats or None
        The predictive score of a GRU trained on real windows (the floor), when computed.
    per_tag : pandas.DataFrame
        ``tag``, ``acf_difference`` (mean |ACF difference| over lags 1..10) and ``xcorr_difference`` (mean
        |correlation difference| with the other tags), worst first.
    steps : EvaluationReport
        sdmetrics quality and diagnostic reports on the steps as rows.
    n_real, n_synthetic, seq_len : int
        Windows compared and their length.
    by : dict
        ``{condition column: values}`` the real windows were restricted to.
    """

    discriminative: object
    predictive: object
    predictive_real: object
    per_tag: pd.DataFrame
    steps: EvaluationReport
    n_real: int
    n_synthetic: int
    seq_len: int
    by: dict = field(default_factory=dict)
    privacy: object = None

    def to_dict(self) -> dict:
        return {
            "privacy": self.privacy.to_dict() if self.privacy is not None else None,
            "discriminative": self.discriminative.to_dict(),
            "predictive": self.predictive.to_dict(),
            "predictive_real": self.predictive_real.to_dict() if self.predictive_real else None,
            "per_tag": self.per_tag.to_dict(orient="records"),
            "steps": self.steps.to_dict(),
            "n_real": self.n_real,
            "n_synthetic": self.n_synthetic,
            "seq_len": self.seq_len,
            "by": {k: list(map(str, v)) for k, v in self.by.items()},
        }

    def to_json(self, path: str | Path) -> Path:
        path = Path(path)
        with atomic_output(path) as tmp:
            tmp.write_text(json.dumps(self.to_dict(), indent=2, default=float))
        return path

    def __str__(self) -> str:
        lines = [
            f"sequences: {self.n_real} real and {self.n_synthetic} synthetic windows of {self.seq_len} steps"
            + (
                "; real windows where " + ", ".join(f"{k} in {{{', '.join(map(str, v))}}}" for k, v in self.by.items())
                if self.by
                else ""
            ),
            f"  discriminative score (0 best): {self.discriminative}",
            f"  predictive score (MAE, lower better): {self.predictive}"
            + (f"   [trained on real: {self.predictive_real}]" if self.predictive_real else ""),
            f"  autocorrelation difference (mean over tags): {self.per_tag['acf_difference'].mean():.4f}",
            f"  cross-correlation difference (mean over tags): {self.per_tag['xcorr_difference'].mean():.4f}",
            "  worst tags (ACF difference): "
            + ", ".join(f"{r.tag} {r.acf_difference:.3f}" for r in self.per_tag.head(5).itertuples()),
            str(self.steps),
        ]
        return "\n".join(lines)


def auto_condition_columns(real: pd.DataFrame, synthetic: pd.DataFrame, schema: Schema) -> list[str]:
    """Condition-like columns (categorical, or integer with at most 50 levels) whose synthetic values are a
    strict subset of the real ones, e.g. ``fault`` in fault-5 scenarios: score like against like."""
    out = []
    for c in schema.columns:
        if c.role not in (CATEGORICAL, CONTINUOUS) or c.name not in synthetic.columns or c.statuses:
            continue
        if c.role == CONTINUOUS and not c.integer:
            continue
        r = set(map(str, pd.unique(real[c.name].dropna())))
        if len(r) > 50:
            continue
        s = set(map(str, pd.unique(synthetic[c.name].dropna())))
        if s and s < r:
            out.append(c.name)
    return out


def sequence_windows(
    df: pd.DataFrame,
    schema: Schema,
    seq_len: int,
    tags: list[str],
    lo,
    hi,
    by: dict | None = None,
    source: str = "table",
):
    """Windows ``(n_windows, seq_len, n_tags)`` of ``tags`` scaled by ``[lo, hi]`` (clipped to [0, 1]); windows
    with a gap are left out; with ``by`` (``{column: allowed values}``) only windows whose every step has an
    allowed value are kept."""
    import numpy as np

    from ..timegrid import make_windows, to_grid, window_starts

    view = schema.view(df)
    grid = to_grid(
        view, schema.time_column, schema.entity_column if schema.entity_column in view else None, source=source
    )
    x = grid.frame[tags].to_numpy(dtype=np.float64)
    span = np.where(hi > lo, hi - lo, 1.0)
    x = np.clip((x - lo) / span, 0.0, 1.0)
    ok = np.isfinite(x).all(axis=1)
    for col, allowed in (by or {}).items():
        ok &= grid.frame[col].astype(str).isin([str(a) for a in allowed]).to_numpy()
    starts = window_starts(grid.offsets, seq_len, 1)
    keep = make_windows(ok, starts, seq_len).all(axis=1) if starts.size else np.zeros(0, bool)
    starts = starts[keep]
    return make_windows(np.nan_to_num(x).astype(np.float32), starts, seq_len)


def evaluate_sequences(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    schema: Schema | None = None,
    seq_len: int = 24,
    by: list[str] | None = None,
    n_repeats: int = 10,
    iterations: tuple[int, int] = (2000, 5000),
    max_windows: int = 10_000,
    with_real_floor: bool = True,
    random_state: int = 0,
    verbose: bool = False,
) -> SequenceReport:
    """Score synthetic sequences with TimeGAN's protocol (Yoon et al., NeurIPS 2019) plus per-tag
    autocorrelation and cross-correlation differences and sdmetrics reports on the steps.

    Both tables are put on their time grid per entity (:mod:`indgan.timegrid`) and cut into windows of
    ``seq_len`` steps (stride 1; windows with a gap are left out; at most ``max_windows`` of each, drawn at
    random). The continuous tags are min-max scaled by the real data's range.

    Parameters
    ----------
    real, synthetic : pandas.DataFrame
        Tables with the same columns, a time column and (optionally) an entity column.
    by : list of str, optional
        Condition columns (e.g. ``["fault"]``): real windows are restricted to the values the synthetic data
        holds, and these columns are not scored as tags, so fault-5 scenarios are compared with fault-5 runs.
        Default: :func:`auto_condition_columns`. The report's ``by`` says what was used.
    n_repeats, iterations
        Repeats of each post-hoc model and their (discriminative, predictive) training iterations.

    Raises
    ------
    DataError
        No time column, or fewer than 4 windows on either side.
    """
    import numpy as np

    from .sequences import (
        autocorrelation_difference,
        cross_correlation_difference,
        discriminative_score,
        predictive_score,
    )

    source_r, source_s = real.attrs.get("source", "real"), synthetic.attrs.get("source", "synthetic")
    schema = schema or infer_schema(real, source=source_r)
    if schema.time_column is None:
        raise DataError(f"{source_r}: no time column, so there are no sequences to score; drop --sequences.")
    by = list(by or []) or auto_condition_columns(real, synthetic, schema)
    absent = [c for c in by if c not in real.columns or c not in synthetic.columns]
    if absent:
        raise DataError(f"condition column(s) {absent} are not in both tables.")
    tags = [c.name for c in schema.columns if c.role == CONTINUOUS and c.name not in by]
    if not tags:
        raise DataError(f"{source_r}: no continuous tag to score.")
    lo = np.array([schema[t].minimum for t in tags], dtype=np.float64)
    hi = np.array([schema[t].maximum for t in tags], dtype=np.float64)
    allowed = {c: pd.unique(synthetic[c].dropna()).tolist() for c in by}
    xr = sequence_windows(real, schema, seq_len, tags, lo, hi, allowed, source_r)
    xs = sequence_windows(synthetic, schema, seq_len, tags, lo, hi, None, source_s)
    for name, x in ((source_r, xr), (source_s, xs)):
        if len(x) < 4:
            raise DataError(
                f"{name}: only {len(x)} complete window(s) of {seq_len} steps"
                f"{' with the synthetic conditions' if by and x is xr else ''}; lower --seq-len."
            )
    rng = np.random.default_rng(random_state)
    if len(xr) > max_windows:
        xr = xr[rng.choice(len(xr), max_windows, replace=False)]
    if len(xs) > max_windows:
        xs = xs[rng.choice(len(xs), max_windows, replace=False)]
    disc_it, pred_it = iterations
    disc = discriminative_score(
        xr, xs, n_repeats=n_repeats, iterations=disc_it, random_state=random_state, verbose=verbose
    )
    pred = predictive_score(xr, xs, n_repeats=n_repeats, iterations=pred_it, random_state=random_state, verbose=verbose)
    floor = (
        predictive_score(xr, xr, n_repeats=n_repeats, iterations=pred_it, random_state=random_state, verbose=verbose)
        if with_real_floor
        else None
    )
    per_tag = pd.DataFrame(
        {
            "tag": tags,
            "acf_difference": autocorrelation_difference(xr, xs),
            "xcorr_difference": cross_correlation_difference(xr, xs) if len(tags) > 1 else 0.0,
        }
    )
    per_tag = per_tag.sort_values("acf_difference", ascending=False, ignore_index=True)
    real_steps = real
    if by:
        mask = pd.Series(True, index=real.index)
        for c, vals in allowed.items():
            mask &= real[c].astype(str).isin([str(v) for v in vals])
        real_steps = real[mask]
    steps = evaluate(real_steps, synthetic, schema=schema)
    return SequenceReport(disc, pred, floor, per_tag, steps, len(xr), len(xs), seq_len, allowed)
