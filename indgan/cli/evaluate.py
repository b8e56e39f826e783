"""``indgan evaluate``: scores of synthetic against real data (:func:`indgan.app.evaluate.evaluate`)."""

from __future__ import annotations

from pathlib import Path

import click

from .group import (
    SOURCE,
    check_compare_sources,
    cli,
    compare_source_options,
    model_file_option,
    narrow_options,
    renamed,
    setup_logging,
)


@cli.command("evaluate")
@click.argument("real", type=SOURCE)
@click.argument("synthetic", type=SOURCE)
@click.option(
    "--output", "-o", "--json", "json_path", type=click.Path(path_type=Path), help="Also write the report as JSON."
)
@click.option(
    "--holdout",
    type=SOURCE,
    help="Real rows the model never saw (indgan fit --holdout writes MODEL.holdout.parquet): add a privacy check.",
)
@model_file_option("Use this model file's column roles instead of inferring them.")
@click.option(
    "--metadata", type=click.Path(path_type=Path), help="SDV metadata JSON: its column roles instead of inferred ones."
)
@click.option(
    "--max-rows",
    type=int,
    default=20_000,
    show_default=True,
    help="Subsample each table to this many rows for sdmetrics.",
)
@click.option(
    "--time/--no-time",
    "over_time",
    default=None,
    help=(
        "Score over time too: step changes, autocorrelation, discriminative score on non-overlapping windows "
        "[default: when there is a time column]."
    ),
)
@click.option(
    "--sequences",
    is_flag=True,
    help=(
        "Also score sequences: TimeGAN's discriminative and predictive scores, autocorrelation and cross-correlation "
        "differences."
    ),
)
@click.option(
    "--seq-len", type=click.IntRange(min=2), default=24, show_default=True, help="With --sequences: window length."
)
@click.option(
    "--by",
    multiple=True,
    metavar="COLUMN",
    help=(
        "With --sequences: compare with real windows of the synthetic data's values of this condition [default: "
        "condition-like columns whose synthetic values are a subset of the real ones]."
    ),
)
@click.option(
    "--repeats",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="With --sequences: repeats of each post-hoc model (TimeGAN: 10).",
)
@click.option(
    "--post-hoc-iterations",
    type=(click.IntRange(min=1), click.IntRange(min=1)),
    default=(2000, 5000),
    show_default=True,
    metavar="DISC PRED",
    help="With --sequences: training iterations of the post-hoc classifier and predictor (TimeGAN: 2000 5000).",
)
@compare_source_options
@narrow_options("Applies to every input; a narrow SYNTHETIC or --holdout takes REAL's grid step unless --interval.")
def evaluate_cmd(real, synthetic, model_file, old_model_file, **options):
    """Score SYNTHETIC against REAL: rows (sdmetrics quality and diagnostic reports) and, for logs, over time.
    REAL, SYNTHETIC (and --holdout): parquet or CSV files, folders of parquet files, or database URLs with
    --table / --synthetic-table (/ --holdout-table); a narrow historian table is detected and aligned on a grid.

    \b
    indgan evaluate plant_logs.parquet synthetic.parquet
    indgan evaluate postgresql://user@host/plant synthetic.parquet --table readings
    indgan evaluate sqlite:///plant.db sqlite:///plant.db --table readings --synthetic-table synthetic
    """
    from ..app.evaluate import evaluate

    setup_logging()
    model_file = renamed(model_file, old_model_file, "--model-file", "--model")
    check_compare_sources(real, synthetic, options.get("holdout"), options)
    evaluate(real, synthetic, model_file=model_file, say=click.echo, **options)
