"""The evaluate, report and info jobs: scores and pages of synthetic data against real data, and what a model
file holds."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd

from ..atomic import check_output
from ..schema import code_label
from .common import Lines, Say, input_paths, is_probabilistic, model_of


#: The database options of each input of evaluate and report: (name in messages, table option, query option).
_DB_OPTIONS = {
    "REAL": ("--table", "--query"),
    "SYNTHETIC": ("--synthetic-table", "--synthetic-query"),
    "--holdout": ("--holdout-table", None),
}


def check_sources(
    real,
    synthetic,
    holdout=None,
    *,
    table: str | None = None,
    where: str | None = None,
    query: str | None = None,
    synthetic_table: str | None = None,
    synthetic_query: str | None = None,
    holdout_table: str | None = None,
) -> None:
    """Refuse database options that do not fit the inputs of evaluate and report, before anything is read.

    A database URL needs its table (``--table``, ``--synthetic-table``, ``--holdout-table``) or, for REAL and
    SYNTHETIC, a query; a file or DataFrame takes none of them; ``--where`` goes with ``--table``.

    Raises
    ------
    ConfigError
        One line naming the input and the option to add or drop (the command line turns it into a usage error).
    """
    from ..errors import ConfigError
    from .data import is_url

    given = {
        "REAL": (real, {"--table": table, "--where": where, "--query": query}),
        "SYNTHETIC": (synthetic, {"--synthetic-table": synthetic_table, "--synthetic-query": synthetic_query}),
        "--holdout": (holdout, {"--holdout-table": holdout_table}),
    }
    for role, (data, options) in given.items():
        named = [o for o, v in options.items() if v is not None]
        table_opt, query_opt = _DB_OPTIONS[role]
        if data is None:
            if named:
                raise ConfigError(f"{', '.join(named)}: there is no {role} input; give {role} FILE-OR-URL.")
            continue
        if not is_url(data):
            if named:
                what = "a DataFrame" if isinstance(data, pd.DataFrame) else f"{data} is a file"
                raise ConfigError(f"{', '.join(named)}: options of a database source; {role} {what}.")
            continue
        if options[table_opt] is None and (query_opt is None or options[query_opt] is None):
            raise ConfigError(
                f"{role} {_safe(data)} is a database URL: give {table_opt} TABLE"
                + (f" (or {query_opt} SELECT)" if query_opt else "")
                + "."
            )
        if query_opt is not None and options[table_opt] is not None and options[query_opt] is not None:
            raise ConfigError(f"{table_opt} and {query_opt}: give one of them for {role}.")
    if where is not None and table is None:
        raise ConfigError("--where goes with --table; write the condition into --query's own WHERE clause.")


def _safe(url) -> str:
    """A database URL with its password hidden."""
    import sqlalchemy as sa

    try:
        return sa.make_url(str(url)).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 (not parsable: read_sql names the problem)
        return str(url)


def _inputs(**named) -> dict:
    """What an output must never overwrite: the file inputs, and the file of a SQLite URL."""
    from .data import is_url

    out = {}
    for k, v in input_paths(**named).items():
        if not is_url(v):
            out[k] = v
            continue
        import sqlalchemy as sa

        try:
            url = sa.make_url(str(v))
        except Exception:  # noqa: BLE001
            continue
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            out[k] = Path(url.database)
    return out


def _read(role, data, narrow: dict, say: Say | None = None, *, table=None, where=None, query=None, interval=None):
    """A table to score (:class:`indgan.app.data.Loaded`): a file, a DataFrame or a database URL's table or query;
    a narrow historian table aligned on its grid (:func:`indgan.app.data.load`, which says so through ``say``), so
    that narrow samples are scored against narrow sources as logs. ``narrow``: the layout options of every input;
    ``interval`` (when ``narrow`` has none): the grid step to align on. ``role`` (REAL, SYNTHETIC, --holdout) names
    the input in an error that does not name it already."""
    from ..errors import DataError
    from .data import load

    options = dict(narrow)
    if options.get("interval") is None:
        options["interval"] = interval
    try:
        return load(data, table=table, where=where, query=query, say=say, **options)
    except DataError as exc:  # a narrow column option that does not fit this input: say which input
        name = "the DataFrame" if isinstance(data, pd.DataFrame) else _safe(data)
        if name in str(exc) or str(data) in str(exc):
            raise
        raise type(exc)(f"{role} {name}: {exc}") from None


def _read_all(real, synthetic, holdout, sources: dict, narrow: dict, say: Say):
    """REAL, SYNTHETIC and the holdout (None without one) as :class:`~indgan.app.data.Loaded`; a narrow SYNTHETIC
    or holdout aligns on REAL's grid step unless ``--interval`` is given."""
    real_in = _read("REAL", real, narrow, say, table=sources["table"], where=sources["where"], query=sources["query"])
    step = getattr(real_in.align, "interval", None)
    syn_in = _read(
        "SYNTHETIC",
        synthetic,
        narrow,
        say,
        table=sources["synthetic_table"],
        query=sources["synthetic_query"],
        interval=step,
    )
    hold_in = None
    if holdout is not None:
        hold_in = _read("--holdout", holdout, narrow, say, table=sources["holdout_table"], interval=step)
    return real_in, syn_in, hold_in


def evaluate(
    real,
    synthetic,
    *,
    json_path: str | Path | None = None,
    model_file=None,
    metadata=None,
    holdout=None,
    max_rows: int = 20_000,
    over_time: bool | None = None,
    sequences: bool = False,
    seq_len: int = 24,
    by: tuple | list = (),
    repeats: int = 10,
    post_hoc_iterations: tuple[int, int] = (2000, 5000),
    table: str | None = None,
    where: str | None = None,
    query: str | None = None,
    synthetic_table: str | None = None,
    synthetic_query: str | None = None,
    holdout_table: str | None = None,
    layout: str = "auto",
    tag_column: str | None = None,
    value_column: str | None = None,
    quality_column: str | None = None,
    interval=None,
    staleness=None,
    say: Say | None = None,
):
    """Score ``synthetic`` against ``real``: what ``indgan evaluate`` does.

    Rows with sdmetrics' quality and diagnostic reports and, for logs, over time
    (:func:`indgan.metrics.evaluate`); with ``sequences`` TimeGAN's discriminative and predictive scores
    (:func:`indgan.metrics.evaluate_sequences`).

    Parameters
    ----------
    real, synthetic : path, URL or DataFrame
        A parquet/CSV file or folder, a DataFrame, or a SQLAlchemy URL (``sqlite:///plant.db``) with its table or
        query below; each ``(n_rows, n_columns)`` wide, or narrow (aligned first).
    model_file, metadata
        Column roles instead of inferred ones: a model file's, or SDV metadata's (object, dict or JSON file;
        :meth:`indgan.Schema.from_sdv_metadata`).
    holdout : path, URL or DataFrame, optional
        Real rows the model never saw (``fit --holdout`` writes them): adds the privacy check
        (:func:`indgan.metrics.privacy.privacy_report`) as the report's ``privacy`` attribute.
    json_path, max_rows, over_time, sequences, seq_len, by, repeats, post_hoc_iterations
        As ``indgan evaluate``'s options (``--json``, ``--time``...).
    table, where, query : str, optional
        REAL a database URL: its table (with a SQL WHERE clause, the user's own SQL) or a SELECT instead.
    synthetic_table, synthetic_query : str, optional
        SYNTHETIC a database URL: its table (needed unless ``synthetic_query``) or a SELECT instead.
    holdout_table : str, optional
        ``holdout`` a database URL: its table.
    layout, tag_column, value_column, quality_column, interval, staleness
        How narrow historian tables (time, tag, value[, quality] rows) are read, for every input
        (:func:`indgan.app.data.load`; a narrow sample written by ``indgan sample`` has its source's columns): a
        narrow input is aligned on a grid and ``say`` is told so before any scoring. A narrow SYNTHETIC or holdout is
        aligned on REAL's grid step when REAL is narrow and ``interval`` is None, so that both land on one grid.

    Returns
    -------
    EvaluationReport or SequenceReport

    Raises
    ------
    ConfigError
        Before any reading: a database URL without its table (naming ``--table``, ``--synthetic-table`` or
        ``--holdout-table``), table or query options for a file; both ``model_file`` and ``metadata``.
    DataError, DatabaseError
        Unreadable inputs, ambiguous narrow tables.
    """
    lines = Lines(say)
    sources = dict(
        table=table,
        where=where,
        query=query,
        synthetic_table=synthetic_table,
        synthetic_query=synthetic_query,
        holdout_table=holdout_table,
    )
    narrow = dict(
        layout=layout,
        tag_column=tag_column,
        value_column=value_column,
        quality_column=quality_column,
        interval=interval,
        staleness=staleness,
    )
    check_sources(real, synthetic, holdout, **sources)
    check_output(json_path, _inputs(REAL=real, SYNTHETIC=synthetic, HOLDOUT=holdout), "--json")
    from ..metrics import evaluate as evaluate_rows
    from ..metrics import evaluate_sequences

    model = model_of(model_file, "cpu")
    schema = model.schema_ if model is not None else None
    real_in, syn_in, hold_in = _read_all(real, synthetic, holdout, sources, narrow, lines)
    real_df, syn_df = real_in.frame, syn_in.frame
    if metadata is not None:
        from ..errors import ConfigError
        from ..schema import Schema

        if schema is not None:
            raise ConfigError("give the column roles once: --model-file or --metadata, not both.")
        schema = Schema.from_sdv_metadata(metadata, real_df, source=real_in.name)
    if sequences:
        report = evaluate_sequences(
            real_df,
            syn_df,
            schema=schema,
            seq_len=seq_len,
            by=list(by),
            n_repeats=repeats,
            iterations=post_hoc_iterations,
        )
    else:
        report = evaluate_rows(real_df, syn_df, schema=schema, max_rows=max_rows, temporal=over_time)
    lines(str(report))
    report.privacy = _privacy(real_df, syn_df, hold_in, schema, lines)
    if json_path:
        report.to_json(json_path)
        lines(f"wrote {json_path}")
    return report


def _privacy(real_df, syn_df, holdout, schema, lines):
    """The privacy section, with a holdout (:class:`~indgan.app.data.Loaded`); without one, a line saying how to
    get it."""
    if holdout is None:
        lines("privacy: not checked; give --holdout FILE (fresh real rows; indgan fit --holdout 0.2 writes them)")
        return None
    from ..metrics.privacy import privacy_report

    found = privacy_report(real_df, syn_df, holdout.frame, schema=schema)
    for line in str(found).splitlines():
        lines(line)
    return found


def report(
    real,
    synthetic,
    *,
    output: str | Path = "report.html",
    model_file=None,
    png: str | Path | None = None,
    holdout=None,
    max_rows: int = 20_000,
    n_tags: int = 6,
    discriminative: bool = False,
    table: str | None = None,
    where: str | None = None,
    query: str | None = None,
    synthetic_table: str | None = None,
    synthetic_query: str | None = None,
    holdout_table: str | None = None,
    layout: str = "auto",
    tag_column: str | None = None,
    value_column: str | None = None,
    quality_column: str | None = None,
    interval=None,
    staleness=None,
    say: Say | None = None,
):
    """One self-contained HTML page of ``synthetic`` against ``real``: what ``indgan report`` does
    (:func:`indgan.report.synthetic_report`).

    Parameters
    ----------
    real, synthetic, holdout : path, URL or DataFrame
        As :func:`evaluate`'s; with ``holdout`` (fresh real rows) the privacy check is printed as well.
    table, where, query : str, optional
        REAL a database URL: its table (with a SQL WHERE clause, the user's own SQL) or a SELECT instead.
    synthetic_table, synthetic_query : str, optional
        SYNTHETIC a database URL: its table (needed unless ``synthetic_query``) or a SELECT instead.
    holdout_table : str, optional
        ``holdout`` a database URL: its table.
    layout, tag_column, value_column, quality_column, interval, staleness
        How narrow historian tables (time, tag, value[, quality] rows) are read, for every input
        (:func:`indgan.app.data.load`; a narrow sample written by ``indgan sample`` has its source's columns): a
        narrow input is aligned on a grid and ``say`` is told so before any scoring. A narrow SYNTHETIC or holdout is
        aligned on REAL's grid step when REAL is narrow and ``interval`` is None, so that both land on one grid.

    Returns
    -------
    The page's result: ``path``, ``n_plots``, ``pngs``, ``notes`` (and ``privacy``).

    Raises
    ------
    ConfigError, DataError
        Before any reading: as :func:`evaluate`'s, and an output that cannot be written or is an input.
    """
    lines = Lines(say)
    sources = dict(
        table=table,
        where=where,
        query=query,
        synthetic_table=synthetic_table,
        synthetic_query=synthetic_query,
        holdout_table=holdout_table,
    )
    narrow = dict(
        layout=layout,
        tag_column=tag_column,
        value_column=value_column,
        quality_column=quality_column,
        interval=interval,
        staleness=staleness,
    )
    check_sources(real, synthetic, holdout, **sources)
    inputs = _inputs(REAL=real, SYNTHETIC=synthetic, HOLDOUT=holdout, **{"--model-file": model_file})
    check_output(output, inputs)
    check_output(png, inputs, "--png", folder_ok=True)
    from ..report import synthetic_report
    from ..report.html import check_report_path

    check_report_path(output)  # refuse a bad output before any work
    real_in, syn_in, hold_in = _read_all(real, synthetic, holdout, sources, narrow, lines)
    real_df, syn_df = real_in.frame, syn_in.frame
    model = model_of(model_file, "cpu")
    privacy = _privacy(real_df, syn_df, hold_in, model.schema_ if model is not None else None, lines)
    result = synthetic_report(
        real_df,
        syn_df,
        output,
        model=model,
        png=png,
        max_rows=max_rows,
        n_tags=n_tags,
        discriminative=discriminative,
        real_name=real_in.name if not isinstance(real, pd.DataFrame) else "real",
        synthetic_name=syn_in.name if not isinstance(synthetic, pd.DataFrame) else "synthetic",
    )
    result.privacy = privacy
    for note in result.notes:
        lines(f"note: {note}")
    lines(
        f"wrote {result.path} ({result.path.stat().st_size / 1e6:.1f} MB, {result.n_plots} plots, "
        f"{result.seconds:.1f} s)" + (f" and {len(result.pngs)} PNGs to {png}" if png else "")
    )
    return result


@dataclasses.dataclass
class ModelInfo:
    """What a model file holds: ``as_dict`` (kind, parameters, schema, conditions, fit, training summary) and
    ``lines``, the same in words (``indgan info``)."""

    as_dict: dict
    lines: list[str]

    def to_json(self) -> str:
        return json.dumps(self.as_dict, indent=2, default=str)


def info(model_file) -> ModelInfo:
    """A model file's schema, config and training summary: what ``indgan info`` prints."""
    model = model_of(model_file, "cpu")
    summary = model.summary_
    schema = getattr(model, "schema_", None)
    as_dict = {
        "kind": model.kind,
        "params": model.get_params(),
        "schema": schema.to_dict() if schema is not None else None,
        "conditions": model.condition_candidates(),
        "fit": model.fit_info_.to_dict() if hasattr(model, "fit_info_") else {},
        "summary": summary.to_dict(),
    }
    out = [f"{model_file}: {model.kind}"]
    params = model.get_params()
    out.append("config: " + ", ".join(f"{k}={v}" for k, v in params.items() if k not in ("verbose", "columns")))
    if schema is not None:
        out.append(f"schema: {len(schema.columns)} columns")
        table = schema.describe()
        for role in ("time", "entity", "categorical", "continuous", "constant", "ignored"):
            names = table.loc[table.role == role, "column"].tolist()
            if names:
                shown = ", ".join(names[:12]) + (f" ... (+{len(names) - 12})" if len(names) > 12 else "")
                out.append(f"  {role:<11} {len(names):>4}: {shown}")
        for c in schema.columns:
            if c.statuses:
                out.append(f"  status strings in {c.name}: {', '.join(c.statuses)}")
            if c.codes:
                out.append(f"  status codes in {c.name}: {', '.join(code_label(v) for v in c.codes)}")
    conds = as_dict["conditions"]
    if conds:
        out.append("conditions (sample --condition COLUMN=VALUE):")
        for col, levels in conds.items():
            shown = ", ".join(map(str, levels[:8])) + (" ..." if len(levels) > 8 else "")
            out.append(f"  {col}: {shown}")
    out.extend(model.training_lines())
    hist = summary.history
    if hist:
        real_label, fake_label = ("D(x)", "D(G(z))") if is_probabilistic(summary.loss) else ("C(x)", "C(G(z))")
        out.append(
            f"  {'epoch':>6} {'G loss':>10} {'D loss':>10} {model.extra_loss_name:>9} {real_label:>8} {fake_label:>8}"
        )
        picks = sorted({0, len(hist) // 4, len(hist) // 2, 3 * len(hist) // 4, len(hist) - 1})
        for i in picks:
            h = hist[i]
            out.append(
                f"  {h['epoch']:>6} {h['generator_loss']:>10.4f} {h['critic_loss']:>10.4f} "
                f"{h['extra_loss']:>9.4f} {h['d_real']:>8.3f} {h['d_fake']:>8.3f}"
            )
    return ModelInfo(as_dict, out)
