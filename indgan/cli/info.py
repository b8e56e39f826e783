"""``indgan info``: what a model file holds (:func:`indgan.app.evaluate.info`)."""

from __future__ import annotations

from pathlib import Path

import click

from .group import cli


@cli.command()
@click.argument("model_path", metavar="MODEL", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print everything as JSON.")
def info(model_path, as_json):
    """Show a model file's schema, config and training summary."""
    from ..app.evaluate import info as model_info

    found = model_info(model_path)
    if as_json:
        click.echo(found.to_json())
        return
    for line in found.lines:
        click.echo(line)
