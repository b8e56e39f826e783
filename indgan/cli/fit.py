"""``indgan fit``: learn normal operation from DATA and write a model file (:func:`indgan.app.fit.fit`)."""

from __future__ import annotations

from pathlib import Path

import click

from ..budget import describe_auto
from ..families import FAMILIES
from ..losses import LOSSES
from .group import SEED, cli, narrow_options, once, setup_logging


@cli.command()
@click.argument("data")
@click.option(
    "--output",
    "--out",
    "-o",
    "out",
    type=click.Path(path_type=Path),
    help="Model file to write [default: DATA stem + .indgan]; --out is the older name.",
)
@click.option(
    "--config",
    "-c",
    type=click.Path(path_type=Path),
    help=(
        "TOML config: [columns] roles, [model] parameters; or a preset's name: quick, default, tabular, sequence, "
        "plant_logs."
    ),
)
@click.option(
    "--metadata",
    type=click.Path(path_type=Path),
    help="SDV metadata JSON (Metadata.save_to_json): use its column roles; --entity, --time and [columns] still win.",
)
@click.option(
    "--model",
    "requested",
    type=click.Choice(("auto",) + FAMILIES),
    default="auto",
    show_default=True,
    help="Model family: log (a synthetic log: CTGAN rows with smooth latent dynamics) when the data has a "
    "time column, else tabular (CTGAN rows), image for an image source; sequence is TimeGAN; super-resolution "
    "(SRGAN) learns fine history from coarse archives (indgan upsample); cyclegan translates between two regimes "
    "(indgan translate); imputer is GAIN (indgan impute --model-file).",
)
@click.option(
    "--time-budget",
    help="How long training may take: seconds or a duration (90s, 3m, 1h) [default: "
    f"{describe_auto()}; training stops earlier when a held-out score stops improving].",
)
@click.option(
    "--condition",
    "fit_conditions",
    multiple=True,
    metavar="COLUMN",
    help="Log, sequence and imputer models: condition on this column (repeatable), e.g. fault, mode or a setpoint.",
)
@click.option(
    "--seq-len",
    type=int,
    help="Sequence model: steps per training window [default: whole entities when there is an entity column, else 24].",
)
@click.option(
    "--factor", type=click.IntRange(min=2), help="Super-resolution model: fine steps per coarse step [default: 8]."
)
@click.option(
    "--coarse",
    type=click.Choice(["mean", "sample"]),
    help="Super-resolution model: the coarse data hold block means or every factor-th sample [default: mean].",
)
@click.option(
    "--domains",
    metavar="COLUMN=A,B",
    help="CycleGAN model: the column that tells the two regimes apart and their values, e.g. fault=0,4.",
)
@click.option("--entity", help="Log and sequence models: the entity column (batch, run, unit) [default: inferred].")
@click.option("--time", "time_col", help="The time column [default: inferred].")
@click.option(
    "--duplicate-times",
    type=click.Choice(["first", "mean", "error"]),
    help=(
        "Log model: rows that repeat a timestamp within an entity (a clock change, a re-sent sample): keep the first "
        "(with a warning), average their numbers, or refuse [default: first]."
    ),
)
@click.option(
    "--iterations",
    type=int,
    help="Sequence, super-resolution, cyclegan and imputer models: most adversarial iterations [default: as the time "
    "budget allows].",
)
@click.option(
    "--epochs",
    type=int,
    help="Tabular, log and image models: most passes over the data [default: as the time budget allows].",
)
@click.option("--batch-size", type=int, help="Rows (tabular, log) or windows (sequence) per step [default: 500 / 128].")
@click.option(
    "--loss",
    type=click.Choice(tuple(LOSSES)),
    help="Adversarial loss [default: wgan-gp (tabular, log), non-saturating (sequence, image), least-squares "
    "(cyclegan)].",
)
@click.option("--critic-steps", type=int, help="Critic updates per generator update [default: 1].")
@click.option("--conditional", is_flag=True, default=None, help="Image model: one generator for every label.")
@click.option("--size", type=click.Choice(["28", "32", "64"]), help="Image model: resize images to this many pixels.")
@click.option("--features", type=int, help="Image model: feature maps of the first/last layer [default: 64].")
@click.option("--device", default=None, help="auto (CUDA when present), cpu, cuda, cuda:N [default: auto].")
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    help="CPU threads [default: the cores other processes leave free, re-checked while training].",
)
@click.option(
    "--max-memory",
    help=(
        "Bound on the data and its encoding in memory while learning (2GB, 500MB): a larger parquet file or folder is "
        "learned from its most recent rows (a log) or a random sample (a table) that fits; with torch the fit peaks "
        "about 0.4 GB above it [default: 1.5GB, or a quarter of RAM if less]."
    ),
)
@click.option(
    "--seed",
    type=SEED,
    default=0,
    show_default=True,
    help=(
        "Random seed (with --epochs or --iterations and no time budget, the same seed on the same device gives the "
        "same model)."
    ),
)
@click.option(
    "--eval-rows",
    type=click.IntRange(min=0),
    default=None,
    help="Rows of the closing score's synthetic sample [default: the training shape, at most 20000 rows]; 0 skips it.",
)
@click.option(
    "--report",
    "report_path",
    is_flag=False,
    flag_value="",
    default=None,
    metavar="[PATH]",
    type=click.Path(path_type=str),
    help="End with an HTML report of the closing sample against DATA [default PATH: report.html beside the model].",
)
@click.option(
    "--holdout",
    type=click.FloatRange(0, 0.5, min_open=True),
    help="Set this share of the rows aside (alternate blocks of a log), write them to MODEL.holdout.parquet and close "
    "with a privacy check: are synthetic rows closer to the training rows than fresh real rows are?",
)
@click.option("--table", help="DATA a database URL: the table to learn from (read in chunks).")
@click.option("--where", help="With --table: a SQL WHERE clause, e.g. \"ts >= '2024-01-01'\".")
@click.option("--query", help="DATA a database URL: a SELECT to learn from instead of --table.")
@narrow_options()
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def fit(data, out, requested, fit_conditions, time_col, report_path, quiet, domains, size, **options):
    """Learn normal operation from DATA and write a model file. DATA: a parquet or CSV file, a folder of parquet
    files, a database URL with --table or --query, or an image source with --model image. A narrow historian table
    (time, tag, value, quality rows) is detected and aligned on a grid; sample then writes narrow rows back.

    \b
    indgan fit plant_logs.parquet                     # a few minutes; writes plant_logs.indgan
    indgan fit big_log.parquet --time-budget 20m
    indgan fit tep.parquet --condition fault          # fault ids as conditions
    indgan fit fashion-mnist --model image --conditional
    indgan fit plant_logs.parquet --model imputer     # then: indgan impute NEW.parquet --model-file ...
    indgan fit postgresql://user@host/plant --table readings --where "ts >= '2024-01-01'"
    """
    from ..app.fit import parse_domains
    from ..app.fit import fit as fit_job
    from ..errors import ConfigError

    setup_logging()
    once("--condition", fit_conditions)
    check_fit_source(data, options.get("table"), options.get("query"), options.get("where"))
    if domains is not None:
        try:
            domains = parse_domains(domains)
        except ConfigError:
            raise click.BadParameter(
                f"{domains!r}: write COLUMN=A,B, e.g. fault=0,4.", param_hint="--domains"
            ) from None
    fit_job(
        data,
        output=out,
        model=requested,
        condition=fit_conditions,
        time=time_col,
        report=report_path,
        domains=domains,
        size=int(size) if size else None,
        verbose=not quiet,
        say=click.echo,
        **options,
    )


def check_fit_source(data, table, query, where) -> None:
    """DATA's database options are usage errors (exit status 2) when they do not fit it, before anything is read:
    a database URL needs ``--table`` or ``--query`` (one of them), a file or folder takes neither, ``--where`` goes
    with ``--table``; the rules of evaluate's REAL (:func:`indgan.app.evaluate.check_sources`, which also hides
    a URL's password), worded for fit's one input."""
    from ..app.data import is_url
    from ..app.evaluate import _safe

    name = f"DATA {_safe(data) if is_url(data) else data}"  # a URL's password is never echoed
    if is_url(data):
        if not table and not query:
            raise click.UsageError(f"{name} is a database URL: give --table TABLE (or --query SELECT).")
        if table and query:
            raise click.UsageError(f"{name}: give --table or --query, not both.")
        if where and not table:
            raise click.UsageError("--where goes with --table (write the condition into --query instead).")
    elif table or query or where:
        given = "--table" if table else "--query" if query else "--where"
        raise click.UsageError(f"{name} is not a database URL; {given} is only for one (drop it).")
