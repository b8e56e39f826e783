"""``indgan scenario``: operating scenarios under condition schedules (:func:`indgan.app.sample.scenario`)."""

from __future__ import annotations

from pathlib import Path

import click

from .group import SEED, cli, conditions, setup_logging


@cli.command()
@click.argument("model_path", metavar="MODEL", type=click.Path(path_type=Path))
@click.option(
    "-n", "--scenarios", "n", type=click.IntRange(min=1), default=1, show_default=True, help="Scenarios to generate."
)
@click.option(
    "--steps",
    type=click.IntRange(min=2),
    help="Steps per scenario [default: the schedule's length, else the training window or a training batch's length].",
)
@click.option(
    "--condition",
    "fixed",
    multiple=True,
    metavar="COLUMN=SCHEDULE",
    help="A condition for the whole scenario (fault=5) or a schedule of VALUE:STEPS segments "
    "(fault=0:160,5:320: normal for 160 steps, then fault 5 for 320). Repeatable.",
)
@click.option(
    "--schedule", type=click.Path(path_type=Path), help="CSV/parquet: one column per condition, one row per step."
)
@click.option(
    "--output", "-o", type=click.Path(path_type=Path), help="Output .parquet or .csv [default: CSV on stdout]."
)
@click.option("--seed", type=SEED, default=None, help="Random seed of the draw.")
@click.option("--device", default="auto", show_default=True)
def scenario(model_path, n, steps, fixed, schedule, output, seed, device):
    """Generate synthetic operating scenarios (long sequences, condition schedules) from a log or sequence model."""
    from ..app.sample import STDOUT
    from ..app.sample import scenario as scenario_job

    setup_logging()
    scenario_job(
        model_path,
        n,
        steps=steps,
        conditions=conditions(fixed),
        schedule=schedule,
        output=output if output is not None else STDOUT,
        seed=seed,
        device=device,
        say=lambda line: click.echo(line, err=output is None),
    )
