"""``indgan impute``: fill missing cells of a file, a folder or a database table (:func:`indgan.app.impute.impute`)."""

from __future__ import annotations

from pathlib import Path

import click

from ..budget import describe_auto
from .group import SEED, cli, model_file_option, narrow_options, once, renamed, setup_logging


@cli.command()
@click.argument("data", required=False, type=click.Path(path_type=Path))
@click.option(
    "--output", "-o", type=click.Path(path_type=Path), help="File to write the filled table to (parquet or CSV)."
)
@click.option(
    "--db",
    "db_url",
    help=(
        "SQLAlchemy URL of a database (sqlite:///plant.db, postgresql+psycopg://user@host/db): fill the NULL cells of "
        "--table in place."
    ),
)
@click.option("--table", help="Database table to fill.")
@click.option(
    "--key", multiple=True, help="Unique key column of --table (identifies each written row in the audit table)."
)
@click.option(
    "--column",
    "fill_columns",
    multiple=True,
    metavar="COLUMN",
    help="Database: fill only this column (repeatable) [default: all but the key].",
)
@click.option("--dry-run", is_flag=True, help="Database: write nothing; report what would change.")
@click.option(
    "--undo",
    "undo_id",
    metavar="RUN_ID",
    help="Database: restore the NULLs written by run RUN_ID (from the audit table).",
)
@model_file_option("Fill with this fitted imputer (indgan impute ... --save, or indgan fit --model imputer).")
@click.option(
    "--save",
    "save_path",
    type=click.Path(path_type=Path),
    help="Save the fitted imputer to this model file, to fill new data later with --model-file.",
)
@click.option(
    "--iterations", type=click.IntRange(min=1), help="Most generator updates [default: the imputer's, by mode]."
)
@click.option(
    "--time-budget", help=f"How long training may take: seconds or a duration (90s, 3m) [default: {describe_auto()}]."
)
@click.option("--time", "time_col", help="Time column for time-aware imputation [default: inferred].")
@click.option("--entity", help="Entity column (batch, run, unit) [default: inferred].")
@click.option("--row-wise", is_flag=True, help="Impute row by row even when there is a time column.")
@click.option("--rows", "old_row_wise", is_flag=True, hidden=True, help="Old name of --row-wise.")
@click.option(
    "--condition",
    "conditions",
    multiple=True,
    metavar="COLUMN",
    help="Operating-mode column the imputations follow (repeatable).",
)
@click.option("--max-gap", help="Leave outages longer than this missing: steps (e.g. 24) or a time span (e.g. 2h).")
@click.option(
    "--duplicate-times",
    type=click.Choice(["first", "error"]),
    help=(
        "Time-aware: rows that repeat a timestamp within an entity, as fit reads them: the first row of each time is "
        "the log and the repeats' missing cells take its filled values (with a warning), or refuse [default: first]."
    ),
)
@click.option(
    "--max-memory",
    help=(
        "DATA a folder of parquet files: fit on its most recent rows (a log) or a random sample (a table) within this "
        "bound (2GB), then fill every row part by part [default: 1.5GB, or a quarter of RAM if less]."
    ),
)
@click.option("--device", default="auto", show_default=True, help="auto, cpu, cuda, cuda:N.")
@click.option(
    "--seed", type=SEED, default=0, show_default=True, help="Random seed (same seed, same device -> same fill)."
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(path_type=Path),
    help="Files: also write an HTML report of where and how the gaps were filled.",
)
@narrow_options(
    "A file is written back as narrow rows; a --db table gets the filled rows inserted (undoable), and with --db "
    "auto looks only when no --key is given."
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def impute(
    data,
    output,
    db_url,
    table,
    key,
    fill_columns,
    dry_run,
    undo_id,
    model_file,
    old_model_file,
    save_path,
    row_wise,
    old_row_wise,
    conditions,
    time_col,
    report_path,
    quiet,
    **options,
):
    """Fill missing cells (NaN, NULL, status strings such as "Bad") with GAIN, never touching an observed cell.

    \b
    indgan impute plant_logs.parquet -o filled.parquet --save imp.indgan
    indgan impute todays_log.parquet -o filled.parquet --model-file imp.indgan   # fit once, fill each day
    indgan impute --db sqlite:///plant.db --table readings --key id [--dry-run] [--model-file imp.indgan]
    indgan impute --db sqlite:///plant.db --table historian   # a narrow table: filled gaps inserted as rows
    indgan impute --undo RUN_ID --db sqlite:///plant.db
    """
    from ..app.impute import fitting_options
    from ..app.impute import impute as impute_job
    from ..app.impute import undo

    setup_logging()
    once("--key", key)
    once("--condition", conditions)
    once("--column", fill_columns)
    model_file = renamed(model_file, old_model_file, "--model-file", "--model")
    row_wise = renamed(row_wise, old_row_wise, "--row-wise", "--rows")
    key = key[0] if key else None
    if undo_id:
        if not db_url:
            raise click.UsageError("--undo needs --db (the database whose audit table holds the run).")
        ctx = click.get_current_context()
        extra = [
            f"--{name.replace('_', '-')}"
            for name in ctx.params
            if name not in ("undo_id", "db_url", "quiet", "device", "seed")
            and ctx.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE
        ]
        if data is not None or extra:
            raise click.UsageError(
                f"--undo restores a run as recorded in the audit table (its table and key); "
                f"{', '.join(extra) or 'DATA'} cannot change it: drop {'them' if len(extra) > 1 else 'it'}."
            )
        undo(db_url, undo_id, say=click.echo)
        return
    if (data is None) == (db_url is None):
        raise click.UsageError("give either a DATA file (with -o) or --db URL --table T --key K.")
    if db_url and not table:
        raise click.UsageError("--db needs --table (and --key for a wide table; a narrow historian table needs none).")
    if db_url and report_path is not None:
        raise click.UsageError("--report is for files (indgan impute DATA -o FILLED --report fill.html).")
    if data is not None and (fill_columns or dry_run):
        raise click.UsageError("--column and --dry-run are database options (with --db).")
    if model_file is not None:
        given = fitting_options(
            iterations=options["iterations"],
            time_budget=options["time_budget"],
            time=time_col,
            entity=options["entity"],
            row_wise=row_wise,
            condition=conditions,
            save=save_path,
        )
        if given:
            raise click.UsageError(
                f"{', '.join(given)}: options of fitting an imputer; with --model-file the imputer is "
                "already fitted (refit without --model-file to change them)."
            )
    impute_job(
        data,
        output=output,
        db=db_url,
        table=table,
        key=key,
        columns=list(fill_columns) or None,
        dry_run=dry_run,
        model_file=model_file,
        save=save_path,
        row_wise=row_wise,
        condition=conditions,
        time=time_col,
        report=report_path,
        verbose=not quiet,
        say=click.echo,
        **options,
    )
