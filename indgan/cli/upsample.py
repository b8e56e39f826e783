"""``indgan upsample``: fine history from coarse archives (:func:`indgan.app.transform.upsample`)."""

from __future__ import annotations

from pathlib import Path

import click

from .group import SEED, cli, setup_logging


@cli.command()
@click.argument("model_path", metavar="MODEL", type=click.Path(path_type=Path))
@click.argument("coarse", type=click.Path(path_type=Path))
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    required=True,
    help="File to write the fine history to (parquet or CSV).",
)
@click.option(
    "--draws",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Fine histories per coarse history (a 'draw' column numbers them); their spread is reported per tag.",
)
@click.option("--seed", type=SEED, default=0, show_default=True, help="Random seed of the draw.")
@click.option("--device", default="auto", show_default=True)
def upsample(model_path, coarse, output, draws, seed, device):
    """Fine history from COARSE data (block means or samples at the model's factor x its fine interval) with a
    super-resolution model (indgan fit DATA --model super-resolution)."""
    from ..app.transform import upsample as upsample_job

    setup_logging()
    upsample_job(model_path, coarse, output=output, draws=draws, seed=seed, device=device, say=click.echo)
