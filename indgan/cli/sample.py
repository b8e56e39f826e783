"""``indgan sample``: synthetic data from a model file (:func:`indgan.app.sample.sample`)."""

from __future__ import annotations

from pathlib import Path

import click

from ..app.sample import PART_ROWS
from .group import SEED, check_equals, cli, setup_logging


@cli.command()
@click.argument("model_path", metavar="MODEL", type=click.Path(path_type=Path))
@click.option(
    "-n",
    "--rows",
    "n",
    type=int,
    help="Rows to generate [default: the training data's shape: as many "
    "rows; for a log, one synthetic log per training entity with its "
    "length, start and sampling interval].",
)
@click.option(
    "--sequences", type=int, help="Log and sequence models: this many sequences (scenarios) of --steps steps."
)
@click.option(
    "--steps",
    type=int,
    help="With --sequences: steps per sequence [default: the training window or a training entity's length].",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    help="Output .parquet or .csv, or a folder of parquet parts [default: CSV on stdout].",
)
@click.option(
    "--condition",
    "fixed",
    multiple=True,
    metavar="COLUMN=VALUE",
    help="Fix a condition (repeatable), e.g. mode=B or tag70:status=Bad; log and sequence models also take "
    "schedules, fault=0:160,5:320.",
)
@click.option("--seed", type=SEED, default=None, help="Random seed of the draw.")
@click.option(
    "--fill-gaps",
    is_flag=True,
    help="Log model, training shape: generate the training log's outages too "
    "(a gapless grid) [default: the training timestamps, outages kept].",
)
@click.option(
    "--part-rows",
    type=click.IntRange(min=1),
    default=PART_ROWS,
    show_default=True,
    help=(
        "Rows (or, with --sequences, about as many rows of whole sequences) generated and written per part: the "
        "memory bound of a large -n."
    ),
)
@click.option("--db", "db_url", help="Write to this database (SQLAlchemy URL) instead, into the new table --table.")
@click.option("--table", help="With --db: the new table (an existing one is refused unless --append).")
@click.option("--append", is_flag=True, help="With --db: add to an existing table (never the one the model learned).")
@click.option("--device", default="auto", show_default=True)
def sample(model_path, n, sequences, steps, output, fixed, seed, fill_gaps, part_rows, db_url, table, append, device):
    """Generate synthetic data from a model file: by default a table (or log) of the training data's shape."""
    from ..app.sample import STDOUT
    from ..app.sample import sample as sample_job

    setup_logging()
    for name, value in (("-n", n), ("--sequences", sequences), ("--steps", steps)):
        if value is not None and value < (2 if name == "--steps" else 1):
            raise click.BadParameter(
                f"{value} is not a positive number{' of at least 2 steps' if name == '--steps' else ''}.",
                param_hint=name,
            )
    check_equals(fixed)
    if db_url is not None and output is not None:
        raise click.UsageError("give -o FILE or --db URL --table T, not both.")
    if (table or append) and db_url is None:
        raise click.UsageError("--table and --append go with --db URL.")
    sample_job(
        model_path,
        n,
        sequences=sequences,
        steps=steps,
        output=output if output is not None else STDOUT,
        conditions=fixed,
        seed=seed,
        fill_gaps=fill_gaps,
        part_rows=part_rows,
        device=device,
        db=db_url,
        table=table,
        append=append,
        say=lambda line: click.echo(line, err=True),
    )
