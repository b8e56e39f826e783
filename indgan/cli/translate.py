"""``indgan translate``: a log carried into another regime (:func:`indgan.app.transform.translate`)."""

from __future__ import annotations

from pathlib import Path

import click

from .group import SEED, cli, setup_logging


@cli.command()
@click.argument("model_path", metavar="MODEL", type=click.Path(path_type=Path))
@click.argument("frame", type=click.Path(path_type=Path))
@click.option("--to", "to", required=True, help="The domain to translate into: one of the model's two values (e.g. 4).")
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    required=True,
    help="File to write the translated log to (parquet or CSV).",
)
@click.option("--device", default="auto", show_default=True)
@click.option("--seed", type=SEED, default=None, help="Random seed of the target regime's variability.")
def translate(model_path, frame, to, output, device, seed):
    """Translate the log FRAME into another regime with a CycleGAN model (indgan fit DATA --model cyclegan
    --domains fault=0,4): "this week, under fault 4"."""
    from ..app.transform import translate as translate_job

    setup_logging()
    translate_job(model_path, frame, to=to, output=output, device=device, seed=seed, say=click.echo)
