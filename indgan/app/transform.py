"""The upsample and translate jobs: fine history from coarse archives (super-resolution) and a log carried into
another regime (CycleGAN)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd

from ..atomic import check_output
from ..errors import ConfigError
from .common import Lines, Say, input_paths, model_of


@dataclasses.dataclass
class TransformResult:
    """The ``frame`` an upsample or translate job made, the ``path`` written (None when not asked) and its lines."""

    frame: pd.DataFrame
    path: Path | None
    lines: list[str] = dataclasses.field(default_factory=list)


def _read(data) -> pd.DataFrame:
    from ..adapters.files import read_table

    return data if isinstance(data, pd.DataFrame) else read_table(data)


def _model(model, device: str, capability: str, needs: str):
    loaded = model_of(model, device)
    if not getattr(loaded, capability):
        raise ConfigError(f"{model} holds a {loaded.kind}; {needs}.")
    return loaded


def upsample(
    model,
    coarse,
    *,
    output: str | Path | None = None,
    draws: int = 1,
    seed: int = 0,
    device: str = "auto",
    say: Say | None = None,
) -> TransformResult:
    """Fine history from ``coarse`` data (a path or a DataFrame of block means or samples at the model's factor x
    its fine interval) with a super-resolution model: what ``indgan upsample`` does.

    Returns
    -------
    TransformResult
        ``frame``: ``draws`` fine histories (a ``draw`` column numbers them when ``draws > 1``).

    Raises
    ------
    ConfigError
        A model that does not upsample; an output that is an input or cannot be written.
    """
    lines = Lines(say)
    check_output(output, input_paths(MODEL=model, COARSE=coarse))
    from ..adapters.files import write_table

    model = _model(
        model,
        device,
        "upsamples",
        "upsampling needs a super-resolution model (indgan fit DATA --model super-resolution --factor 8)",
    )
    fine = model.upsample(_read(coarse), draws=draws, random_state=seed)
    if output is not None:
        write_table(fine, output)
    fi = model.fit_info_
    lines(
        (f"wrote {output}: " if output is not None else "")
        + f"{draws} fine histor{'y' if draws == 1 else 'ies'} of {len(fine) // draws} steps x "
        f"{len(fi.tags)} tag(s) (x{fi.factor}, consistent with the coarse {fi.coarse}s)"
    )
    if draws > 1:
        spread = model.draw_spread(fine)
        lines("  spread of the draws per tag (std across draws, mean over steps, user units), largest first:")
        for tag, value in spread.head(10).items():
            lines(f"    {tag}: {value:.4g}")
        if len(spread) > 10:
            lines(f"    ... and {len(spread) - 10} more (median {spread.median():.4g})")
    return TransformResult(fine, None if output is None else Path(output), lines.lines)


def translate(
    model,
    data,
    *,
    to,
    output: str | Path | None = None,
    device: str = "auto",
    seed: int | None = None,
    say: Say | None = None,
) -> TransformResult:
    """Carry the log ``data`` (a path or a DataFrame) into the regime ``to`` with a CycleGAN model: what
    ``indgan translate`` does ("this week, under fault 4"); ``seed`` fixes the target regime's variability.

    Raises
    ------
    ConfigError
        A model that does not translate; an output that is an input or cannot be written.
    """
    lines = Lines(say)
    from ..adapters.files import check_output_path, write_table

    if output is not None:
        check_output_path(output)
    check_output(output, input_paths(MODEL=model, FRAME=data))
    model = _model(
        model,
        device,
        "translates",
        "translating needs a CycleGAN model (indgan fit DATA --model cyclegan --domains COLUMN=A,B)",
    )
    source = _read(data)
    out = model.translate(source, to=to, random_state=seed)
    if output is not None:
        write_table(out, output)
    fi = model.fit_info_
    changed = int((out[fi.domain_column] != source[fi.domain_column]).sum()) if fi.domain_column in source else len(out)
    lines(
        (f"wrote {output}: " if output is not None else "")
        + f"{len(out)} rows, {changed} translated to {fi.domain_column}={to} "
        f"({fi.n_tags} tags; missing cells, status strings and the other columns as in "
        f"{data if isinstance(data, (str, Path)) else 'the input'})"
    )
    return TransformResult(out, None if output is None else Path(output), lines.lines)
