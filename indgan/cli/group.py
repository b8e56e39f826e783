"""The ``indgan`` command group and what every command module shares: one-line errors, logging, seeds, the
``--condition`` parser and the deprecated option names."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from ..errors import IndganError

#: A random seed: what numpy and torch accept (0 .. 2**63 - 1), checked before any work.
SEED = click.IntRange(0, 2**63 - 1)


class _Group(click.Group):
    """Turns indgan's errors into one-line click errors."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except IndganError as exc:
            raise click.ClickException(str(exc)) from None
        except MemoryError:
            raise click.ClickException("out of memory; lower --batch-size or sample fewer rows.") from None
        except RuntimeError as exc:  # torch.OutOfMemoryError is a RuntimeError; so are CUDA's own
            if "out of memory" not in str(exc).lower():
                raise
            raise click.ClickException(
                "out of memory on the device ("
                + str(exc).strip().splitlines()[0][:120]
                + "); lower --batch-size, or use --device cpu."
            ) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="indgan")
def cli():
    """indgan: generative adversarial networks for industrial data (plant historian logs)."""


def setup_logging() -> None:
    """Warnings about the data on stderr, one line each (``--quiet`` silences progress bars, not these)."""
    logging.basicConfig(
        level=logging.WARNING, format="indgan: %(levelname)s: %(message)s", stream=sys.stderr, force=True
    )


def conditions(values: tuple[str, ...], schedules: bool = True) -> dict:
    """``--condition COLUMN=VALUE`` options through the one parser (:func:`indgan.scenarios.parse_conditions`);
    one without ``=`` is a usage error (exit status 2), a bad value or schedule an indgan error (exit 1)."""
    from ..scenarios import parse_conditions

    check_equals(values)
    return parse_conditions(values, schedules=schedules)


def check_equals(values: tuple[str, ...]) -> None:
    """A ``--condition`` without ``=`` is a usage error (exit status 2)."""
    for v in values:
        if "=" not in v:
            raise click.BadParameter(f"{v!r}: write conditions as COLUMN=VALUE, e.g. mode=B.", param_hint="--condition")


def once(option: str, values: tuple) -> None:
    """Refuse an option given twice with the same value or, for single-valued ones, given twice at all."""
    seen = [v for i, v in enumerate(values) if v in values[:i]]
    if seen:
        raise click.UsageError(f"{option} {seen[0]} is given twice; give it once.")
    if option == "--key" and len(values) > 1:
        raise click.UsageError(
            f"--key is given {len(values)} times ({', '.join(values)}); give the one unique key "
            "column (composite keys: add a key column, e.g. an autoincrement id)."
        )


def model_file_option(help_text: str, required: bool = False):
    """``--model-file PATH``, with ``--model`` kept as a hidden, deprecated name for one release (``--model`` names
    a family on ``indgan fit``; a model file is always ``--model-file`` or a positional)."""

    def decorate(f):
        f = click.option("--model", "old_model_file", type=click.Path(), hidden=True, help="Old name of --model-file.")(
            f
        )
        return click.option("--model-file", "model_file", type=click.Path(), required=required, help=help_text)(f)

    return decorate


def narrow_options(scope_help: str | None = None):
    """The narrow-layout options of every command that reads a historian table: ``--layout``, ``--tag-column``,
    ``--value-column``, ``--quality-column``, ``--interval``, ``--staleness`` (the keyword arguments of
    :func:`indgan.app.data.load`). ``scope_help``: a sentence added to ``--layout``'s help saying which inputs they
    apply to (e.g. "Applies to REAL, SYNTHETIC and --holdout.")."""
    layout_help = (
        "narrow: a historian table of time, tag, value (and quality) rows, aligned on a grid; auto detects it."
    )
    if scope_help:
        layout_help += " " + scope_help
    options = (
        click.option(
            "--layout",
            type=click.Choice(["auto", "wide", "narrow"]),
            default="auto",
            show_default=True,
            help=layout_help,
        ),
        click.option("--tag-column", help="Narrow layout: the tag-name column [default: detected]."),
        click.option("--value-column", help="Narrow layout: the value column [default: detected]."),
        click.option("--quality-column", help="Narrow layout: the quality/status column [default: detected, if any]."),
        click.option("--interval", help="Narrow layout: the grid step, e.g. 1min [default: from the tags' spacing]."),
        click.option(
            "--staleness", help="Narrow layout: how long a stored value holds before the cell is missing, e.g. 1h."
        ),
    )

    def decorate(f):
        for option in reversed(options):  # listed in --help in this order
            f = option(f)
        return f

    return decorate


class _Source(click.ParamType):
    """A file or folder path, or a database URL (kept as text: a path would fold its ``///``)."""

    name = "source"

    def convert(self, value, param, ctx):
        if not isinstance(value, str):
            return value
        from ..adapters.sql import is_database_url

        return value if is_database_url(value) else Path(value)


#: An input that may be a file, a folder or a database URL (``sqlite:///plant.db``): a :class:`~pathlib.Path` or
#: the URL's text.
SOURCE = _Source()


#: The database options of evaluate and report (one per input), as :func:`indgan.app.evaluate.evaluate` names them.
COMPARE_SOURCES = ("table", "where", "query", "synthetic_table", "synthetic_query", "holdout_table")


def compare_source_options(f):
    """REAL's, SYNTHETIC's and the holdout's database options on evaluate and report: ``--table``, ``--where``,
    ``--query``, ``--synthetic-table``, ``--synthetic-query``, ``--holdout-table``."""
    options = (
        click.option("--table", help="REAL a database URL: its table."),
        click.option("--where", help="With --table: a SQL WHERE clause on REAL, e.g. \"ts >= '2024-01-01'\"."),
        click.option("--query", help="REAL a database URL: a SELECT to read instead of --table."),
        click.option(
            "--synthetic-table", help="SYNTHETIC a database URL: its table (e.g. one indgan sample --db wrote)."
        ),
        click.option(
            "--synthetic-query", help="SYNTHETIC a database URL: a SELECT to read instead of --synthetic-table."
        ),
        click.option("--holdout-table", help="--holdout a database URL: its table."),
    )
    for option in reversed(options):
        f = option(f)
    return f


def check_compare_sources(real, synthetic, holdout, options: dict) -> None:
    """Database options that do not fit evaluate's or report's inputs are usage errors (exit status 2), with the
    job's own one-line message (:func:`indgan.app.evaluate.check_sources`)."""
    from ..app.evaluate import check_sources
    from ..errors import ConfigError

    try:
        check_sources(real, synthetic, holdout, **{k: options[k] for k in COMPARE_SOURCES})
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None


def renamed(new, old, new_name: str, old_name: str):
    """The value of a renamed option: the new one, else the old one (with a deprecation note on stderr)."""
    if old is None or old is False:
        return new
    if new not in (None, False):
        raise click.UsageError(f"{old_name} is the old name of {new_name}; give one of them.")
    click.echo(f"indgan: note: {old_name} is deprecated; use {new_name}.", err=True)
    return old
