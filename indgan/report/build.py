"""The three reports: synthetic against real data, an imputation, an image GAN.

Each builds :class:`~indgan.report.html.Section` objects from :mod:`indgan.report.data` and
:mod:`indgan.report.figures`, writes one self-contained HTML page (:mod:`indgan.report.html`) and, with
``png=FOLDER``, every figure as a PNG (:mod:`indgan.report.png`).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError
from ..schema import CONTINUOUS, Schema, infer_schema
from . import data as rd
from . import figures as rf
from .html import Section, check_report_path, n_plots, write_page

log = logging.getLogger(__name__)

LIMITS = (
    "Limits: each trend keeps at most {pts:,} points per line (the first, last, smallest and largest value "
    "of each of {buckets} buckets of consecutive rows, so no peak or dip is lost at the page's resolution); "
    "distributions use 40 bins; the heatmaps hold at most {heat} tags (the largest real variance); the "
    "autocorrelation plots use the first 200,000 steps of each log; sdmetrics scores use at most {rows} rows of "
    "each table. A log of 10^6 rows still gives a page of about 6 MB."
)


@dataclass
class Report:
    """What a report wrote: ``path`` (the HTML page), ``n_plots``, ``pngs`` (with ``png=FOLDER``), ``notes``
    (what the page warns about, e.g. columns only one table has), ``seconds`` and ``sections`` (the page's
    :class:`~indgan.report.html.Section` objects with their plotly figures, for reuse in a notebook)."""

    path: Path
    n_plots: int
    pngs: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    seconds: float = 0.0
    sections: list = field(default_factory=list, repr=False)


def _frame(df, name: str) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise DataError(f"{name}: a report needs a pandas DataFrame, got {type(df).__name__}.")
    if len(df) == 0:
        raise DataError(f"{name}: the table has no rows; nothing to report on.")
    return df


def _finish(sections: list[Section], path: Path, title: str, subtitle: str, png, notes, start) -> Report:
    path = write_page(sections, path, title, subtitle)
    pngs = []
    if png is not None:
        from .png import write_pngs

        pngs = write_pngs([(i.name, i.figure) for s in sections for i in s.figures()], png)
    return Report(
        path=path,
        n_plots=n_plots(sections),
        pngs=pngs,
        notes=notes,
        seconds=time.perf_counter() - start,
        sections=[s for s in sections if s.items],
    )


def _model_schema(model, schema: Schema | None):
    if schema is not None:
        return schema
    s = getattr(model, "schema_", None) if model is not None else None
    return s


def _training_section(model) -> Section | None:
    """Losses and the D(x) / D(G(z)) balance per record; TimeGAN's pre-training; the mode-collapse signal."""
    summary = getattr(model, "summary_", None)
    if summary is None or not summary.history:
        return None
    sec = Section(
        "Training",
        f"{summary.epochs} records ({summary.steps} generator steps) in {summary.seconds:.1f} s "
        f"on {summary.device}, loss {summary.loss}; stopped: {summary.stop_reason}.",
    )
    sec.figure(
        rf.training_figure(summary.history, summary.loss, getattr(model, "extra_loss_name", "extra")),
        "training",
        "Left: generator and discriminator (critic) losses per record. Right: the mean D(x) on real "
        "and D(G(z)) on generated batches. With the probabilistic losses the game of Goodfellow et al. (2014) "
        "is balanced when both sit at 0.5 (dotted); D(x) near 1 with D(G(z)) near 0 means the discriminator "
        "wins. WGAN-GP's critic scores are not probabilities: watch their gap shrink instead.",
    )
    pre = getattr(model, "pretrain_history_", None)
    if pre:
        sec.figure(
            rf.pretrain_figure(pre),
            "pretraining",
            "TimeGAN's non-adversarial phases (Yoon et al. 2019): embedding and supervised losses per record.",
        )
    for line in model.training_lines():
        sec.text(line)
    return sec


def synthetic_report(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    path,
    model=None,
    schema: Schema | None = None,
    scores=None,
    png=None,
    max_rows: int | None = 20_000,
    n_tags: int = 6,
    n_buckets: int = rd.DEFAULT_BUCKETS,
    discriminative: bool = False,
    random_state: int = 0,
    real_name: str = "real",
    synthetic_name: str = "synthetic",
) -> Report:
    """Write an HTML report of ``synthetic`` against ``real``: scores with their meaning, the model's training,
    per-tag distributions and status-string rates, trends over time (with the condition schedule shaded),
    autocorrelations, a daily profile, correlation heatmaps.

    Parameters
    ----------
    real, synthetic : pandas.DataFrame
        ``(n_real, n_columns)`` and ``(n_synthetic, n_columns')`` tables, e.g. a historian export and what
        ``indgan sample`` wrote for it. Columns only one of them has are named on the page and left out; the
        report covers the common ones. Not modified.
    path : str or Path
        The ``.html`` page to write (parent folders created).
    model : FittedModel, optional
        The model that generated ``synthetic``: its column roles, training curves and conditions are used.
    schema : Schema, optional
        Column roles (default: the model's, else inferred from ``real``).
    scores : EvaluationReport, optional
        Scores already computed (``indgan fit`` passes its closing score); computed with
        :func:`indgan.metrics.evaluate` when omitted (sdmetrics' column pairs take most of a report's time).
    png : str or Path, optional
        Folder for a PNG of every figure (needs matplotlib).
    max_rows : int or None, default 20000
        Rows of each table for sdmetrics.
    n_tags : int, default 6
        Tags in the trend, autocorrelation and daily-profile plots (:func:`indgan.report.data.choose_tags`).
    n_buckets : int, default 1000
        Buckets per trend line (:func:`indgan.report.data.minmax_indices`).
    discriminative : bool, default False
        Include TimeGAN's discriminative score (trains a classifier: tens of seconds).

    Returns
    -------
    Report

    Raises
    ------
    DataError
        A table that is empty or not a DataFrame, no column in common, an output path that cannot be written.
    ConfigError
        ``png`` given without matplotlib installed.
    """
    from ..metrics import evaluate

    start = time.perf_counter()
    path = check_report_path(path)
    real, synthetic = _frame(real, real_name), _frame(synthetic, synthetic_name)
    common = [c for c in real.columns if c in synthetic.columns]
    only_real = [str(c) for c in real.columns if c not in synthetic.columns]
    only_syn = [str(c) for c in synthetic.columns if c not in real.columns]
    if not common:
        raise DataError(
            f"{synthetic_name}: no column in common with {real_name} (it has "
            f"{rd_names(list(map(str, synthetic.columns)))}); compare tables of the same schema."
        )
    notes = []
    if only_real or only_syn:
        notes.append(
            "Columns differ: "
            + "; ".join(
                part
                for part in (
                    f"only in {real_name}: {rd_names(only_real)}" if only_real else "",
                    f"only in {synthetic_name}: {rd_names(only_syn)}" if only_syn else "",
                )
                if part
            )
            + f". The report covers the {len(common)} common columns."
        )
    real_c, syn_c = real[common], synthetic[common]
    schema = _model_schema(model, schema)
    if schema is None:
        schema = infer_schema(real_c, source=real_name)
    else:
        schema = Schema([c for c in schema.columns if c.name in common], schema.max_condition_levels)
    if not schema.modelled:
        raise DataError(f"{real_name}: none of the common columns is modelled (all constant or ignored).")
    if scores is None:
        scores = evaluate(
            real_c, syn_c, schema=schema, max_rows=max_rows, discriminative=discriminative, random_state=random_state
        )
    rv, sv = schema.view(real_c), schema.view(syn_c)
    tags = rd.continuous_tags(schema, rv)
    shapes = scores.column_shapes
    shape_of = dict(zip(shapes["column"], shapes["score"])) if len(shapes) else {}
    worst = [c for c in shapes["column"] if c in tags] if len(shapes) else []
    time_col = schema.time_column if schema.time_column in rv and schema.time_column in sv else None
    entity = schema.entity_column if schema.entity_column in rv and schema.entity_column in sv else None
    conditions = rd.condition_columns(schema, sv, model)
    sections = []

    # ------------------------------------------------------------------ summary
    summ = Section(
        "Summary",
        f"{len(synthetic)} {synthetic_name} rows against {len(real)} {real_name} rows, "
        f"{len(common)} common columns ({len(tags)} continuous tags"
        + (f", conditions {', '.join(conditions)}" if conditions else "")
        + ")"
        + (f"; model {model.kind}" if model is not None else "")
        + ".",
    )
    for n in notes:
        summ.note(n)
    summ.table(
        _score_table(scores, rv, sv, tags, schema), "Every score compares the synthetic table with the real one."
    )
    summ.text(
        LIMITS.format(
            pts=5 * n_buckets, buckets=n_buckets, heat=rd.MAX_HEATMAP_TAGS, rows=f"{max_rows:,}" if max_rows else "all"
        )
    )
    sections.append(summ)

    train = _training_section(model) if model is not None else None
    if train is not None:
        sections.append(train)

    # ------------------------------------------------------------------ per tag
    dist = Section(
        "Distributions",
        "Real against synthetic density of the tags that match worst (column-shape score: "
        "1 - Kolmogorov-Smirnov statistic, 1 best); every column's score is in the table.",
    )
    show = (worst or tags)[:12]
    if show:
        dist.figure(rf.distribution_figure(rd.histograms(rv, sv, show), show, shape_of), "distributions")
    if len(shapes):
        dist.table(
            shapes.rename(columns={"column": "column", "metric": "metric", "score": "shape score"}),
            f"Column shapes of all {len(shapes)} columns (worst first)",
            collapsed=True,
        )
    rates = rd.status_rates(rv, sv, schema)
    if len(rates):
        dist.figure(
            rf.status_figure(rates),
            "status_rates",
            'Share of rows in which a tag holds a historian status string ("Bad", "Scan Timeout", ...) or '
            "nothing (<missing>), real against synthetic.",
        )
    sections.append(dist)

    # ------------------------------------------------------------------ time
    chosen = rd.choose_tags(rv, tags, n_tags, worst) if tags else []
    if time_col is not None and chosen:
        tsec = Section(
            "Over time",
            "Trends of the tags with the largest real variance and the worst-matching ones, "
            "autocorrelation per tag" + (", and the daily profile" if rd.spans_days(rv, time_col) else "") + ".",
        )
        r1, ent_r = rd.first_entity(_sorted(rv, time_col, entity), entity)
        s1, ent_s = rd.first_entity(_sorted(sv, time_col, entity), entity)
        series = [
            (real_name, r1[time_col].to_numpy(), {t: r1[t].to_numpy(np.float64) for t in chosen}, rf.REAL),
            (synthetic_name, s1[time_col].to_numpy(), {t: s1[t].to_numpy(np.float64) for t in chosen}, rf.SYNTHETIC),
        ]
        cap = f"{entity} {ent_r} ({real_name}) and {ent_s} ({synthetic_name}) shown. " if entity else ""
        tsec.figure(
            rf.trend_figure(series, chosen, n_buckets),
            "trends",
            cap + "Each line keeps the extremes of every pixel-wide bucket (see Limits).",
        )
        try:
            lag = int(min(48, max(2, min(len(r1), len(s1)) // 4)))
            ar, asy = rd.autocorrelations(rv, sv, schema, chosen, lag, (real_name, synthetic_name))
            tsec.figure(
                rf.acf_figure(ar, asy, chosen),
                "autocorrelation",
                f"Autocorrelation at lags 1-{lag} steps on the time grid: how long a tag remembers its past.",
            )
        except DataError as exc:
            tsec.note(f"Autocorrelations not computed: {exc}")
        if scores.temporal is not None and len(scores.temporal.per_tag):
            tsec.figure(
                rf.acf_error_figure(scores.temporal.per_tag),
                "autocorrelation_error",
                "Per tag: mean |ACF difference| over lags 1-12 and 1 - step-change score (both 0 best), worst first.",
            )
        if rd.spans_days(rv, time_col) and rd.spans_days(sv, time_col, 1.0):
            tsec.figure(
                rf.daily_figure(rd.daily_profile(rv, time_col, chosen), rd.daily_profile(sv, time_col, chosen), chosen),
                "daily_profile",
                "Mean per hour of the day with the 10-90 % band: daily cycles (ambient temperature, shifts).",
            )
        sections.append(tsec)

    # ------------------------------------------------------------------ pairs
    if len(tags) > 1:
        names, cr, cs = rd.correlations(rv, sv, tags)
        if len(names) > 1:
            psec = Section(
                "Pairs",
                "Pearson correlation of every pair of tags, real and synthetic, and their difference "
                "(0 everywhere is a perfect match).",
            )
            gap = np.nanmean(np.abs(cs - cr)[np.triu_indices(len(names), 1)])
            psec.figure(
                rf.heatmap_figure(names, cr, cs),
                "correlations",
                f"{len(names)} tags; mean |difference| over pairs {gap:.3f}.",
            )
            sections.append(psec)

    # ------------------------------------------------------------------ scenarios
    if conditions and chosen and time_col is not None:  # a schedule needs time (rows have none)
        cond = conditions[0]
        s1, ent_s = rd.first_entity(_sorted(sv, time_col, entity) if time_col else sv, entity)
        x = s1[time_col].to_numpy() if time_col else np.arange(len(s1))
        a, b, labels, cut = rd.condition_segments(s1[cond].to_numpy())
        if len(a):
            step = x[1:] - x[:-1] if len(x) > 1 else None
            half = (np.median(step) / 2) if step is not None and len(step) else 0
            ssec = Section(
                "Scenario",
                f"The generated trends with the condition schedule of {cond!r} shaded behind them"
                + (f" ({entity} {ent_s})" if entity else "")
                + ".",
            )
            shading = (x[a] - half, x[b] + half, labels)
            ssec.figure(
                rf.trend_figure(
                    [(synthetic_name, x, {t: s1[t].to_numpy(np.float64) for t in chosen}, rf.SYNTHETIC)],
                    chosen,
                    n_buckets,
                    shading=shading,
                ),
                "scenario",
                f"{len(a)} segments of {cond}"
                + (f" (the first {len(a)} shaded; more follow)" if cut else "")
                + (f"; other conditions: {', '.join(conditions[1:])}" if len(conditions) > 1 else "")
                + ".",
            )
            sections.append(ssec)
    title = "indgan report: synthetic against real"
    return _finish(sections, path, title, f"{synthetic_name} against {real_name}", png, notes, start)


def rd_names(names: list[str], k: int = 8) -> str:
    return ", ".join(names[:k]) + (f" and {len(names) - k} more" if len(names) > k else "")


def _sorted(view: pd.DataFrame, time_col: str | None, entity: str | None) -> pd.DataFrame:
    if time_col is None:
        return view
    keys = [entity, time_col] if entity else [time_col]
    return view.sort_values(keys, kind="stable")


def _score_table(scores, rv, sv, tags, schema) -> pd.DataFrame:
    props = dict(zip(scores.properties["property"], scores.properties["score"])) if len(scores.properties) else {}
    rows = [
        (
            "quality score (all pairs)",
            scores.quality_score,
            (
                "sdmetrics QualityReport with every column pair counted: mean of column shapes and pair trends; "
                "1 = the same distributions and correlations."
            ),
        ),
        (
            "quality score (default thresholds)",
            scores.quality_score_default,
            f"the same over the {scores.default_pairs} pairs with real |correlation| > 0.5 or association > 0.3"
            if scores.default_pairs
            else "no pair passes sdmetrics' default thresholds: column shapes alone.",
        ),
        (
            "column shapes",
            props.get("Column Shapes", float("nan")),
            "per column 1 - KS statistic (numbers) or 1 - total variation (categories), averaged.",
        ),
        (
            "column pair trends",
            props.get("Column Pair Trends", float("nan")),
            "per pair 1 - |r_real - r_synthetic| / 2 (numbers) or contingency similarity, averaged.",
        ),
        (
            "diagnostic score",
            scores.diagnostic_score,
            (
                "sdmetrics DiagnosticReport: values inside the real ranges and categories, same table structure; 1 = "
                "valid."
            ),
        ),
    ]
    t = scores.temporal
    if t is not None:
        rows.append(
            (
                "step-change score",
                t.step_change,
                ("1 - KS of the step changes x[t+1] - x[t], mean over tags: does it move like the real log? 1 best."),
            )
        )
        rows.append(
            (
                "autocorrelation error",
                t.autocorrelation_error,
                (
                    f"mean |ACF_real - ACF_synthetic| over lags 1-{t.max_lag}: does it remember its past like the "
                    "real log? 0 best."
                ),
            )
        )
        if t.discriminative is not None:
            rows.append(
                (
                    "discriminative score",
                    t.discriminative.mean,
                    "TimeGAN's: |0.5 - accuracy| of a classifier telling real windows from synthetic; 0 best.",
                )
            )
    if tags:
        rows.append(
            (
                "spread ratio",
                rd.spread_ratio(rv, sv, tags),
                (
                    "median over tags of std(synthetic) / std(real): about 1, towards 0 when the generator "
                    "collapses onto few modes."
                ),
            )
        )
    cov = rd.level_coverage(rv, sv, schema)
    if cov is not None:
        rows.append(
            (
                "level coverage",
                cov,
                (
                    "share of the real categorical levels the synthetic data hold: a "
                    "collapsed generator drops rare levels; 1 best."
                ),
            )
        )
    return pd.DataFrame(rows, columns=["score", "value", "what it means"])


# ---------------------------------------------------------------------------------------------- imputation
def imputation_report(
    original: pd.DataFrame,
    filled: pd.DataFrame,
    imputer,
    path,
    n_draws: int = 10,
    n_tags: int = 6,
    png=None,
    n_buckets: int = rd.DEFAULT_BUCKETS,
    random_state: int | None = None,
    name: str = "data",
) -> Report:
    """Write an HTML report of an imputation: how many cells were filled per tag, each filled gap on the trend
    with the 5-95 % spread of ``n_draws`` multiple imputations as a band, the outages left open by ``max_gap``
    shaded, filled values against the observed distribution, and the imputer's training.

    Parameters
    ----------
    original, filled : pandas.DataFrame
        ``(n_rows, n_columns)``: the table before and after :meth:`GANImputer.transform` (same index).
    imputer : GANImputer
        The fitted imputer (fitted on DataFrames).
    path : str or Path
        The ``.html`` page.
    n_draws : int, default 10
        Multiple imputations (:meth:`GANImputer.sample_imputations`) for the bands; 0 draws no band.
    n_tags : int, default 6
        Tags on the trend plot: those with the most filled cells.

    Raises
    ------
    DataError
        Tables that are empty, of different shapes, or an output path that cannot be written.
    """
    start = time.perf_counter()
    path = check_report_path(path)
    original, filled = _frame(original, name), _frame(filled, "filled table")
    if original.shape != filled.shape or list(original.columns) != list(filled.columns):
        raise DataError(
            f"{name}: the filled table has shape {filled.shape}, the original {original.shape}; pass the "
            "table before and after the same imputation."
        )
    schema = imputer.schema_
    vo, vf = schema.view(original), schema.view(filled)
    tags = [c.name for c in schema.columns if c.role == CONTINUOUS and c.name in vo]
    miss = vo[tags].isna().to_numpy()
    got = vf[tags].notna().to_numpy()
    fill_cells = miss & got
    counts = pd.Series(fill_cells.sum(0), index=tags)
    left = pd.Series((miss & ~got).sum(0), index=tags)
    gaps = imputer.gaps_left(original)
    time_col = imputer.time_column_ if imputer.temporal_ else None
    entity = imputer.entity_column_ if imputer.temporal_ else None
    sections = []
    summ = Section(
        "Summary",
        f"{len(original)} rows x {original.shape[1]} columns; {int(miss.sum())} missing cells "
        f"in {int((miss.sum(0) > 0).sum())} continuous tags (NaN and status strings); "
        f"{int(fill_cells.sum())} filled, {int(left.sum())} left open in {len(gaps)} outage(s) "
        "longer than max_gap.",
    )
    mode = (f"time-aware on {time_col!r}" + (f" per {entity!r}" if entity else "")) if time_col else "row by row"
    summ.text(
        f"GAIN (Yoon, Jordon, van der Schaar, ICML 2018), {mode}; every observed cell is returned as given. "
        f"The point estimate is the mean of {imputer.n_draws} draws; the bands below are the 5-95 % spread of "
        f"{n_draws} further draws (multiple imputation)."
    )
    cat_cols = [c.name for c in schema.columns if c.role != CONTINUOUS and c.name in vo and vo[c.name].isna().any()]
    if cat_cols:
        summ.text(f"Categorical columns with filled cells: {rd_names(cat_cols)} (the most likely level).")
    summ.text(
        LIMITS.format(pts=5 * n_buckets, buckets=n_buckets, heat=rd.MAX_HEATMAP_TAGS, rows="all").split(";")[0]
        + ". Filled cells: all shown up to 20,000 per tag, evenly thinned beyond."
    )
    table = pd.DataFrame(
        {"tag": tags, "missing": miss.sum(0), "filled": counts.to_numpy(), "left open": left.to_numpy()}
    )
    table = table[table["missing"] > 0].sort_values("missing", ascending=False)
    if len(table):
        summ.table(table, "Missing cells per tag", collapsed=len(table) > 12)
    sections.append(summ)
    if counts.sum() or left.sum():
        c = counts[(counts > 0) | (left > 0)]
        sections[0].figure(rf.filled_counts_figure(c, left), "filled_per_tag")
    touched = counts + left  # tags with filled cells or outages left open, the most first
    chosen = [t for t in touched.sort_values(ascending=False, kind="stable").index if touched[t] > 0][:n_tags]
    if chosen:
        gsec = Section(
            "Filled gaps",
            "Each tag's trend (blue), its filled cells (red dots) and the spread of the "
            "multiple imputations (red band)" + (", outages left open by max_gap shaded grey" if gaps else "") + ".",
        )
        rows = np.arange(len(original))
        if entity is not None:  # the entity with the most filled cells of the chosen tags
            per = pd.Series(fill_cells[:, [tags.index(t) for t in chosen]].sum(1)).groupby(vo[entity].to_numpy()).sum()
            ent = per.idxmax()
            rows = np.flatnonzero(vo[entity].to_numpy() == ent)
            gsec.text(f"{entity} {ent} shown (the one with the most filled cells).")
        order = rows[np.argsort(vo[time_col].to_numpy()[rows], kind="stable")] if time_col else rows
        x = vo[time_col].to_numpy()[order] if time_col else order
        draws = None
        if n_draws:
            frames = imputer.sample_imputations(original, n_draws=n_draws, random_state=random_state)
            draws = np.stack([schema.view(f)[chosen].to_numpy(np.float64)[order] for f in frames])
        observed, fills, lo, hi, open_gaps = {}, {}, {}, {}, {}
        pos_in_order = {r: k for k, r in enumerate(order)} if gaps else {}
        for t in chosen:
            j = tags.index(t)
            observed[t] = vo[t].to_numpy(np.float64)[order]
            cells = np.flatnonzero(fill_cells[order, j])
            fills[t] = (cells, vf[t].to_numpy(np.float64)[order][cells])
            if draws is not None:
                d = draws[:, cells, chosen.index(t)]
                lo[t], hi[t] = np.nanpercentile(d, 5, axis=0), np.nanpercentile(d, 95, axis=0)
            else:
                lo[t] = hi[t] = None
        index_pos = pd.Index(original.index)
        for g in gaps:
            if g.column not in chosen:
                continue
            a, b = index_pos.get_loc(g.first_row), index_pos.get_loc(g.last_row)
            if a in pos_in_order and b in pos_in_order:
                open_gaps.setdefault(g.column, []).append((x[pos_in_order[a]], x[pos_in_order[b]]))
        gsec.figure(
            rf.imputation_figure(x, observed, fills, lo, hi, chosen, open_gaps, n_buckets),
            "filled_gaps",
            "Drag to zoom in on a gap. A wide band: the neighbours and correlated tags say little about that gap.",
        )
        panels = []
        for t in chosen:  # the longest filled gap of each tag, with three times its length around it
            cells = fills[t][0]
            if not len(cells):
                continue
            cuts = np.flatnonzero(np.diff(cells) > 1) + 1
            runs = list(zip(np.r_[0, cuts], np.r_[cuts, len(cells)]))
            a, b = max(runs, key=lambda ab: ab[1] - ab[0])
            first, last = cells[a], cells[b - 1]
            pad = max(6, 3 * (last - first + 1))
            w = slice(max(0, first - pad), min(len(x), last + pad + 1))
            panels.append(
                (
                    f"{t}: {last - first + 1} step(s) filled",
                    x[w],
                    observed[t][w],
                    x[cells[a:b]],
                    fills[t][1][a:b],
                    None if lo[t] is None else lo[t][a:b],
                    None if hi[t] is None else hi[t][a:b],
                )
            )
        if panels:
            gsec.figure(
                rf.gap_zoom_figure(panels),
                "longest_gaps",
                "The longest filled gap of each tag, close up: the filled values (red) bridge the observed trend "
                "(blue); the band is the 5-95 % spread of the multiple imputations (too thin to see where the "
                "draws agree).",
            )
        hist = rd.histograms(
            pd.DataFrame({t: observed[t] for t in chosen}),
            pd.DataFrame({t: pd.Series(fills[t][1]) for t in chosen}),
            chosen,
        )
        gsec.figure(
            rf.distribution_figure(hist, chosen, names=("observed", "filled")),
            "filled_distributions",
            "Observed values (blue) against filled values (orange) per tag: filled cells should look like "
            "operation around the gap, not like the overall mean.",
        )
        sections.append(gsec)
    elif not gaps:
        sections[0].note("No cell was missing: nothing was filled.")
    if gaps:
        gs = pd.DataFrame(
            [
                {
                    "column": g.column,
                    "entity": "" if g.entity is None else str(g.entity),
                    "first row": str(g.first_row),
                    "last row": str(g.last_row),
                    "steps": g.steps,
                }
                for g in gaps
            ]
        )
        osec = Section(
            "Left open",
            f"{len(gaps)} outage(s) longer than max_gap={imputer.max_gap!r} were left missing "
            "on purpose (a filled value there would be a guess).",
        )
        osec.table(
            gs.head(200), "Outages left open" + (" (first 200)" if len(gs) > 200 else ""), collapsed=len(gs) > 12
        )
        sections.append(osec)
    train = _training_section(imputer)
    if train is not None:
        sections.append(train)
    return _finish(sections, path, "indgan report: gaps filled", name, png, [], start)


# ---------------------------------------------------------------------------------------------- images
def image_report(model, path, n: int = 64, walks: int = 6, steps: int = 10, png=None, random_state: int = 0) -> Report:
    """Write an HTML report of an image GAN: a grid of ``n`` samples (one row per class for a conditional model),
    ``walks`` latent walks of ``steps`` images (DCGAN's spherical interpolation), the training curves and the
    mode-collapse signal (diversity, class coverage).

    Raises
    ------
    DataError
        An output path that cannot be written.
    ConfigError
        ``model`` does not generate images.
    """
    from ..errors import ConfigError

    start = time.perf_counter()
    path = check_report_path(path)
    if not getattr(model, "generates_images", False):
        raise ConfigError(
            f"the model is a {getattr(model, 'kind', type(model).__name__)}; the image report needs an "
            "image GAN (indgan images fit)."
        )
    fi = model.fit_info_
    sec = Section(
        "Samples",
        f"{model.kind}: images of {model.size_} x {model.size_} x {model.channels_}"
        + (f", {len(model.classes_)} classes" if getattr(model, "conditional", False) else "")
        + ".",
    )
    if getattr(model, "conditional", False):
        k = len(model.classes_)
        per = max(1, n // k)
        labels = np.repeat(np.arange(k), per)
        imgs = model.sample(len(labels), labels=labels, random_state=random_state)
        sec.figure(
            rf.image_figure(imgs, per), "samples", "One row per class: " + ", ".join(map(str, model.classes_)) + "."
        )
    else:
        imgs = model.sample(n, random_state=random_state)
        sec.figure(rf.image_figure(imgs, int(np.ceil(np.sqrt(n)))), "samples", f"{n} samples.")
    walk = model.interpolate(steps=steps, n=walks, random_state=random_state)
    sec.figure(
        rf.image_figure(walk, steps),
        "latent_walk",
        "Latent walks: each row moves in equal steps from one z to another (spherical interpolation, as in "
        "the DCGAN paper, Radford et al. 2016). Smooth changes mean the generator has not memorised images.",
    )
    cov = (
        f"class coverage {fi.coverage:.2f} (1 = every class drawn as often as in the data), "
        if fi.coverage is not None
        else ""
    )
    sec.text(
        f"Mode-collapse signal: {cov}diversity {fi.diversity:.2f} (mean distance between samples over that between "
        "real images; 1 = as diverse as the data, near 0 = collapsed)."
    )
    sections = [sec]
    train = _training_section(model)
    if train is not None:
        sections.append(train)
    return _finish(sections, path, "indgan report: image GAN", model.kind, png, [], start)
