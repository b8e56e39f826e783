"""The ``indgan`` command group and what every command module shares: one-line errors, logging, seeds, the
``--condition`` parser and the deprecated option names."""

from __future__ import annotations

import logging
import sys

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


def renamed(new, old, new_name: str, old_name: str):
    """The value of a renamed option: the new one, else the old one (with a deprecation note on stderr)."""
    if old is None or old is False:
        return new
    if new not in (None, False):
        raise click.UsageError(f"{old_name} is the old name of {new_name}; give one of them.")
    click.echo(f"indgan: note: {old_name} is deprecated; use {new_name}.", err=True)
    return old
