"""The impute job: fill the missing cells of a file, a folder of parquet files or a database table with a GAIN
imputer, fitted here or loaded from a model file, never touching an observed cell."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pandas as pd

from ..adapters.historian import IMPUTED_QUALITY  # the quality of a narrow row indgan filled
from ..atomic import check_output, default_output
from ..errors import ConfigError
from .common import Lines, Say

#: Rows per part when a folder of parquet files is filled part by part.
PART_ROWS = 100_000


@dataclasses.dataclass
class ImputeResult:
    """What :func:`impute` did: the ``imputer``, the ``n_missing`` cells found and ``n_filled`` filled, the
    outages left missing (``gaps``), the files written (``path``, ``saved``, ``report``), the database run
    (``database``: an :class:`~indgan.adapters.sql.ImputeReport`), and the filled ``frame`` when no output was
    given for a DataFrame."""

    imputer: Any
    n_missing: int = 0
    n_filled: int = 0
    gaps: list = dataclasses.field(default_factory=list)
    path: Path | None = None
    saved: Path | None = None
    report: Path | None = None
    database: Any = None
    frame: pd.DataFrame | None = None
    lines: list[str] = dataclasses.field(default_factory=list)


def fitting_options(
    *, iterations=None, time_budget=None, time=None, entity=None, row_wise=False, condition=(), save=None
) -> list[str]:
    """The options of fitting an imputer that were given, by their command-line names: what a loaded imputer
    (``--model-file``) cannot take."""
    fitting = {
        "--iterations": iterations,
        "--time-budget": time_budget,
        "--time": time,
        "--entity": entity,
        "--row-wise": row_wise or None,
        "--condition": tuple(condition or ()) or None,
        "--save": save,
    }
    return [k for k, v in fitting.items() if v is not None]


def make_imputer(
    model_file=None,
    *,
    iterations=None,
    time_budget=None,
    time=None,
    entity=None,
    row_wise=False,
    condition=(),
    max_gap=None,
    duplicate_times=None,
    device="auto",
    seed=0,
    verbose=True,
):
    """The imputer of an impute job: loaded from ``model_file`` (with ``max_gap`` / ``duplicate_times`` set
    if given), else a new :class:`~indgan.imputation.GANImputer` from the fitting options.

    Raises
    ------
    ConfigError
        Fitting options with ``model_file``; a model file that holds no imputer.
    ModelFileError
        A missing or damaged model file.
    """
    gap = None
    if max_gap is not None:
        gap = int(max_gap) if str(max_gap).strip().isdigit() else max_gap
    if model_file is not None:
        given = fitting_options(
            iterations=iterations,
            time_budget=time_budget,
            time=time,
            entity=entity,
            row_wise=row_wise,
            condition=condition,
        )
        if given:
            raise ConfigError(
                f"{', '.join(given)}: options of fitting an imputer; with --model-file the imputer is "
                "already fitted (refit without --model-file to change them)."
            )
        from ..base import load_model

        imputer = load_model(model_file, device=device)
        if not imputer.imputes:
            raise ConfigError(
                f"{model_file} holds a {imputer.kind}, not an imputer; save one with indgan impute DATA "
                "--save imp.indgan."
            )
        if gap is not None:
            imputer.set_params(max_gap=gap)
        if duplicate_times is not None:
            imputer.set_params(duplicate_times=duplicate_times)
        return imputer
    from ..imputation import GANImputer

    params = dict(
        random_state=seed,
        verbose=verbose,
        device=device,
        max_gap=gap,
        condition=list(condition) or None,
        duplicate_times=duplicate_times or "first",
    )
    if iterations is not None:
        params["iterations"] = iterations
    if time_budget is not None:
        params["time_budget"] = time_budget
    if row_wise:
        params["time"] = None
    elif time:
        params["time"] = time
    if entity:
        params["entity"] = entity
    return GANImputer(**params)


def impute(
    data=None,
    *,
    output: str | Path | None = None,
    db: str | None = None,
    table: str | None = None,
    key: str | None = None,
    columns: list[str] | None = None,
    dry_run: bool = False,
    model_file: str | Path | None = None,
    save: str | Path | None = None,
    iterations: int | None = None,
    time_budget=None,
    time: str | None = None,
    entity: str | None = None,
    row_wise: bool = False,
    condition=(),
    max_gap=None,
    duplicate_times: str | None = None,
    max_memory=None,
    device: str = "auto",
    seed: int = 0,
    report: str | Path | None = None,
    layout: str = "auto",
    tag_column: str | None = None,
    value_column: str | None = None,
    quality_column: str | None = None,
    interval=None,
    staleness=None,
    verbose: bool = True,
    say: Say | None = None,
) -> ImputeResult:
    """Fill missing cells (NaN, NULL, status strings such as "Bad"): what ``indgan impute`` does.

    Parameters
    ----------
    data : path or DataFrame, optional
        A parquet/CSV file, a folder of parquet files (filled part by part), or a DataFrame. Or give ``db``.
    output : path, optional
        Where the filled table goes (default for a path: ``DATA stem + _filled``; for a DataFrame: returned in
        ``ImputeResult.frame``). Never an input.
    db, table, key, columns, dry_run
        A database table filled in place through :func:`indgan.app.database.impute_table` (audited, undoable).
    model_file : path, optional
        Fill with this fitted imputer instead of fitting one.
    save : path, optional
        Save the fitted imputer here (fill new data later with ``model_file``).
    iterations, time_budget, time, entity, row_wise, condition, max_gap, duplicate_times, max_memory, device, seed
        The options of ``indgan impute``; see :class:`~indgan.imputation.GANImputer`.
    report : path, optional
        Files: an HTML report of where and how the gaps were filled.
    layout, tag_column, value_column, quality_column, interval, staleness
        A narrow historian table (detected at ``"auto"``) is aligned on a grid (:func:`indgan.app.data.load`),
        filled, and written back as narrow rows; the filled cells' rows carry the quality
        :data:`IMPUTED_QUALITY`.

    Returns
    -------
    ImputeResult

    Raises
    ------
    ConfigError, DataError, DatabaseError, ModelFileError
        Before any fit: conflicting options, outputs that are inputs or cannot be written, a table that cannot be
        written.
    """
    lines = Lines(say)
    if (data is None) == (db is None):
        raise ConfigError("give either DATA (a file, folder or DataFrame) or a database URL with a table and key.")
    frame_input = isinstance(data, pd.DataFrame)
    if data is not None and not frame_input:  # refuse a bad output, or one that is an input, before any work
        from ..adapters.files import check_output_path

        folder = Path(data).is_dir()
        output = output or default_output(data, "" if folder else (Path(data).suffix or ".parquet"), "_filled")
        check_output_path(output, allow_folder=folder)
        inputs = {"DATA": data, "--model-file": model_file}
        check_output(output, inputs, folder_ok=folder)
        check_output(save, inputs, "--save")
        check_output(report, inputs, "--report")
    else:
        check_output(output, {"--model-file": model_file})
        check_output(save, {"--model-file": model_file}, "--save")
    imputer = make_imputer(
        model_file,
        iterations=iterations,
        time_budget=time_budget,
        time=time,
        entity=entity,
        row_wise=row_wise,
        condition=condition,
        max_gap=max_gap,
        duplicate_times=duplicate_times,
        device=device,
        seed=seed,
        verbose=verbose,
    )
    fitted = model_file is not None
    result = ImputeResult(imputer, lines=lines.lines)
    narrow = dict(  # how a narrow historian table is read, a file or a database table alike
        layout=layout,
        tag_column=tag_column,
        value_column=value_column,
        quality_column=quality_column,
        interval=interval,
        staleness=staleness,
    )
    if db is not None:
        if not table:
            raise ConfigError("a database needs its table (--table T), and for a wide table its key column (--key K).")
        if report is not None:
            raise ConfigError("--report is for files (indgan impute DATA -o FILLED --report fill.html).")
        from .database import impute_table

        done = impute_table(
            db,
            table=table,
            key=key,
            imputer=imputer,
            columns=columns,
            dry_run=dry_run,
            random_state=seed,
            verbose=verbose,
            say=lines,
            **narrow,
        )
        result.database, result.n_missing, result.n_filled = done, done.n_null_cells, done.n_filled
        lines(str(done))
        if save is not None and imputer.__sklearn_is_fitted__():
            _save(imputer, save, result, lines)
        return result
    if columns or dry_run:
        raise ConfigError("--column and --dry-run are database options (with --db).")
    if report is not None:  # refuse a bad report path before any work
        from ..report.html import check_report_path

        check_report_path(report)
    from ..adapters.files import write_table

    if not frame_input and Path(data).is_dir():  # a folder of parquet files: fit on a bounded sample, fill by parts
        _impute_folder(imputer, fitted, Path(data), output, max_memory, seed, result, lines)
        if save is not None:
            _save(imputer, save, result, lines)
        return result
    from .data import load

    loaded = load(data, say=lines, **narrow)
    df, name = loaded.frame, loaded.name
    filled = imputer.transform(df) if fitted else imputer.fit_transform(df)
    result.n_missing = imputer.missing_cells(df)
    result.gaps = imputer.gaps_left(df)
    left = sum(g.steps for g in result.gaps)
    result.n_filled = result.n_missing - left
    mode = (
        f"time-aware on {imputer.time_column_!r}"
        + (f" per {imputer.entity_column_!r}" if imputer.entity_column_ else "")
        if imputer.temporal_
        else "row by row"
    )
    how = (
        f"the imputer of {model_file}"
        if fitted
        else f"{imputer.n_iterations_} iterations, fit {imputer.fit_seconds_:.1f} s on {imputer.summary_.device}"
    )
    lines(f"{name}: {len(df)} rows x {df.shape[1]} columns; {result.n_missing} missing cells; GAIN {mode}, {how}")
    lines(
        f"filled {result.n_filled} cells"
        + (
            f"; left {left} cells missing in {len(result.gaps)} outage(s) longer than --max-gap {imputer.max_gap}"
            if left
            else ""
        )
    )
    for g in result.gaps[:10]:
        lines(
            f"  {g.column}: {g.steps} steps from row {g.first_row} to {g.last_row}"
            + (f" ({imputer.entity_column_} {g.entity})" if g.entity is not None else "")
        )
    if loaded.narrow is not None:  # back to narrow rows; the filled cells' rows say so in their quality
        from ..adapters.historian import to_narrow

        tags = [c for c in df.columns if c != loaded.narrow.time]
        before, after = df[tags].astype(object), filled[tags].astype(object)
        marked = (~before.eq(after) & after.notna()).to_numpy()
        filled = to_narrow(filled, loaded.narrow, loaded.align, quality_marker=IMPUTED_QUALITY, marked=marked)
    if output is None:
        result.frame = filled
    else:
        write_table(filled, output)
        result.path = Path(output)
        lines(f"wrote {output}")
    if save is not None:
        _save(imputer, save, result, lines)
    if report is not None:
        from ..report import imputation_report

        written = imputation_report(df, filled, imputer, report, random_state=seed, name=name)
        result.report = written.path
        lines(f"wrote {written.path} ({written.n_plots} plots, {written.seconds:.1f} s)")
    return result


def _save(imputer, save, result: ImputeResult, lines: Lines) -> None:
    imputer.save(save)
    result.saved = Path(save)
    lines(f"saved the imputer to {save} (fill new data with --model-file {save})")


def _impute_folder(imputer, fitted: bool, data: Path, output, max_memory, seed, result: ImputeResult, lines) -> None:
    """A folder of parquet files: the imputer learns from a sample bounded by ``max_memory`` (unless it is already
    fitted), then fills every row, one record batch at a time (time-aware models see the previous batch's last
    window as context, so a gap across two batches is filled as in one), written in parts."""
    from ..adapters.files import PartsWriter, iter_table, parse_memory, read_table

    if not fitted:
        imputer.fit(read_table(data, max_memory=parse_memory(max_memory), random_state=seed))
    context = imputer.seq_len if imputer.temporal_ else 0
    n_rows = 0
    with PartsWriter(output) as writer:
        for part, skip in iter_table(data, rows=PART_ROWS, overlap=context):
            filled = imputer.transform(part)
            result.n_missing += imputer.missing_cells(part.iloc[skip:])
            writer.write(filled.iloc[skip:])
            n_rows += len(part) - skip
    result.n_filled = result.n_missing
    result.path = Path(output)
    lines(
        f"{data}: {n_rows} rows in {writer.parts} part(s); {result.n_missing} missing cells filled"
        + (f" (but outages longer than --max-gap {imputer.max_gap})" if imputer.max_gap is not None else "")
        + f"; wrote {output}"
    )


def undo(db: str, run_id: str, say: Say | None = None):
    """Restore the NULLs a database run wrote (:func:`indgan.app.database.undo_run`); returns its UndoReport."""
    from .database import undo_run

    done = undo_run(db, run_id)
    Lines(say)(str(done))
    return done
