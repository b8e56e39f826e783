"""``indgan report``: one HTML page of synthetic against real data (:func:`indgan.app.evaluate.report`)."""

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


@cli.command("report")
@click.argument("real", type=SOURCE)
@click.argument("synthetic", type=SOURCE)
@click.option(
    "--holdout",
    type=SOURCE,
    help="Real rows the model never saw (indgan fit --holdout writes MODEL.holdout.parquet): add a privacy check.",
)
@model_file_option("The model that generated SYNTHETIC: its column roles, training curves and conditions.")
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    default=Path("report.html"),
    show_default=True,
    help="The HTML page to write.",
)
@click.option(
    "--png",
    "png_dir",
    type=click.Path(path_type=Path),
    help="Also write every figure as a PNG into this folder (needs matplotlib).",
)
@click.option(
    "--max-rows",
    type=int,
    default=20_000,
    show_default=True,
    help="Subsample each table to this many rows for the sdmetrics scores.",
)
@click.option(
    "--tags",
    "n_tags",
    type=click.IntRange(min=1),
    default=6,
    show_default=True,
    help="Tags on the trend, autocorrelation and daily-profile plots.",
)
@click.option(
    "--discriminative", is_flag=True, help="Add TimeGAN's discriminative score (trains a classifier; tens of seconds)."
)
@compare_source_options
@narrow_options("Applies to every input; a narrow SYNTHETIC or --holdout takes REAL's grid step unless --interval.")
def report_cmd(
    real, synthetic, holdout, model_file, old_model_file, output, png_dir, max_rows, n_tags, discriminative, **options
):
    """Write one self-contained HTML page of SYNTHETIC against REAL (scores, distributions, trends, correlations,
    training curves), readable offline in any browser. REAL, SYNTHETIC (and --holdout): files, folders or database
    URLs with --table / --synthetic-table (/ --holdout-table); a narrow historian table is aligned on a grid.

    \b
    indgan report plant_logs.parquet synthetic.parquet --model-file plant_logs.indgan
    indgan report postgresql://user@host/plant synthetic.parquet --table readings
    """
    from ..app.evaluate import report

    setup_logging()
    model_file = renamed(model_file, old_model_file, "--model-file", "--model")
    check_compare_sources(real, synthetic, holdout, options)
    report(
        real,
        synthetic,
        output=output,
        model_file=model_file,
        holdout=holdout,
        png=png_dir,
        max_rows=max_rows,
        n_tags=n_tags,
        discriminative=discriminative,
        say=click.echo,
        **options,
    )
