"""The sample and scenario jobs: synthetic tables, logs and operating scenarios from a model file, written part by
part so that memory holds one part whatever the size asked for."""

from __future__ import annotations

import dataclasses
import shutil
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from ..adapters.historian import SYNTHETIC_QUALITY  # the quality of synthetic narrow rows
from ..atomic import check_output
from ..errors import ConfigError
from .common import Lines, Say, input_paths, model_name, model_of

#: Rows per part of ``indgan sample`` to a file or folder (~100 MB for a log of 100 tags).
PART_ROWS = 100_000
#: Most rows one sample job generates (10^10: more than a day at the generators' speed).
MAX_SAMPLE_ROWS = 10**10
#: ``output`` of :func:`sample` that means CSV on standard output.
STDOUT = "-"


@dataclasses.dataclass
class SampleResult:
    """What :func:`sample` wrote: ``rows`` x ``columns`` in ``parts`` parts to ``path`` (None: standard output),
    or, when no output was given, the ``frame`` itself."""

    rows: int
    columns: int
    parts: int
    path: Path | None = None
    frame: pd.DataFrame | None = None
    lines: list[str] = dataclasses.field(default_factory=list)


def sample(
    model,
    n: int | None = None,
    *,
    sequences: int | None = None,
    steps: int | None = None,
    output: str | Path | None = None,
    conditions: dict | None = None,
    seed: int | None = None,
    fill_gaps: bool = False,
    part_rows: int = PART_ROWS,
    device: str = "auto",
    db: str | None = None,
    table: str | None = None,
    append: bool = False,
    verbose: bool = True,
    say: Say | None = None,
) -> SampleResult:
    """Generate synthetic data from a model (a fitted model or a model file): what ``indgan sample`` does.

    Parameters
    ----------
    model : FittedModel or path
        A generator of rows or sequences (tabular, log, sequence).
    n : int, optional
        Rows; default the training data's shape (for a log, one synthetic log per training entity with its length,
        start and sampling interval).
    sequences, steps : int, optional
        Log and sequence models: this many sequences of ``steps`` steps.
    output : path, ``"-"`` or None
        A parquet/CSV file or a folder of parquet parts (written part by part, atomically); ``"-"``: CSV on
        standard output, flushed part by part; None: the frame is returned in ``SampleResult.frame``.
    conditions : dict or sequence of str, optional
        ``{column: value}``, or ``"COLUMN=VALUE"`` strings as ``--condition`` takes them (log and sequence models
        also take schedules, ``"fault=0:160,5:320"``; :func:`indgan.scenarios.parse_conditions`).
    seed : int, optional
        Random seed of the draw (the same seed gives the same data at any ``part_rows``).
    fill_gaps : bool
        Log model, training shape: generate the training log's outages too.
    part_rows : int
        Rows generated and written per part: the memory bound of a large ``n``.
    db, table, append
        Write to a **new** database table instead (:func:`indgan.adapters.sql.write_sql`, one transaction): an
        existing table is refused unless ``append``, and the table the model learned from always is.

    A model that learned from a narrow historian table writes narrow rows (one per tag per change) with the
    quality ``"indgan"``.

    Returns
    -------
    SampleResult

    Raises
    ------
    ConfigError
        Before generating anything: non-positive sizes, options the model does not take, more than
        :data:`MAX_SAMPLE_ROWS` rows, or more than the output's disk holds.
    """
    lines = Lines(say)
    for name, value in (("-n", n), ("--sequences", sequences), ("--steps", steps)):
        if value is not None and value < (2 if name == "--steps" else 1):
            raise ConfigError(
                f"{name} {value}: not a positive number{' of at least 2 steps' if name == '--steps' else ''}."
            )
    if db is not None and not table:
        raise ConfigError("--db needs --table, the new table to write the synthetic data to.")
    to_file = db is None and output is not None and str(output) != STDOUT
    if to_file:  # refuse a bad output before generating anything
        from ..adapters.files import check_output_path

        check_output_path(output, allow_folder=True)
        check_output(output, input_paths(MODEL=model), folder_ok=True)
    source = model_name(model)
    model = model_of(model, device)
    sequential = getattr(model, "generates_sequences", False)
    if conditions is not None and not isinstance(conditions, dict):  # COLUMN=VALUE strings, as on the command line
        from ..scenarios import parse_conditions

        conditions = parse_conditions(tuple(conditions), schedules=sequential)
    if not sequential and (sequences is not None or steps is not None):
        raise ConfigError(
            f"--sequences and --steps apply to log and sequence models; {source} holds a {model.kind} (use -n ROWS)."
        )
    if sequences is None and steps is not None:
        raise ConfigError("--steps needs --sequences N (-n counts rows).")
    if fill_gaps and not getattr(model, "keeps_outages", False):
        raise ConfigError(f"--fill-gaps applies to log models; {source} holds a {model.kind}.")
    parts, total = sample_parts(model, n, sequences, steps, conditions, seed, part_rows, fill_gaps)
    check_sample_size(model, total, output if to_file else None, seed)
    parts = _in_source_layout(model, parts)
    if db is not None:
        from ..adapters.sql import write_sql

        record = getattr(model, "source_layout_", None) or {}
        protected = tuple(t for t in (record.get("table"),) if t)
        rows = write_sql(parts, db, table, append=append, protected=protected)
        lines(f"wrote {rows} rows of a sample of {source} to table {table!r} of {db.split('@')[-1]}")
        return SampleResult(rows, 0, 1, None, lines=lines.lines)
    if output is None:
        frame = pd.concat(list(parts), ignore_index=True)
        return SampleResult(len(frame), frame.shape[1], 1, frame=frame, lines=lines.lines)
    from tqdm.auto import tqdm

    from ..adapters.files import CsvStdoutWriter, PartsWriter

    cols = 0
    with (
        PartsWriter(output) if to_file else CsvStdoutWriter() as writer,
        tqdm(
            total=total,
            unit="rows",
            desc="sample",
            disable=not to_file or total <= part_rows or not verbose,
            file=sys.stderr,
        ) as bar,
    ):
        for df in parts:
            writer.write(df)
            cols = df.shape[1]
            bar.update(len(df))
    result = SampleResult(writer.rows, cols, writer.parts, Path(output) if to_file else None, lines=lines.lines)
    what = (
        f"{sequences} sequences ({writer.rows} rows)"
        if sequences
        else f"{writer.rows} rows" + ("" if n else " (the training shape)")
    )
    if to_file:
        lines(f"wrote {what} x {cols} columns to {output}" + (f" in {writer.parts} parts" if writer.parts > 1 else ""))
    return result


def _in_source_layout(model, parts):
    """Parts in the layout the model learned from: narrow rows for a narrow historian source."""
    record = getattr(model, "source_layout_", None)
    if not record or not record.get("narrow"):
        return parts
    from .data import narrow_back

    return (narrow_back(part, record, marker=SYNTHETIC_QUALITY) for part in parts)


def sample_parts(model, n, sequences, steps, conditions, seed, part_rows, fill_gaps=False):
    """``(parts, total rows)``: the sample as an iterator of frames, so that memory holds one part whatever its
    size. A log model yields one log part by part (its latent state carried, :meth:`LogGAN.sample_parts`); a
    sequence model whole sequences per part (:meth:`SequenceGAN.sample_parts`); a row model rows per part, each part
    its own seed (``seed + i``)."""
    sequential = getattr(model, "generates_sequences", False)
    lengths = getattr(getattr(model, "fit_info_", None), "lengths", None) or []
    if sequential and sequences is not None:
        total = sequences * (steps or getattr(model, "seq_len", None) or (max(lengths) if lengths else 1))
    elif n is not None:
        total = n
    else:
        total = int(sum(lengths)) if sequential else int(getattr(model.fit_info_, "n_rows", 0) or 0)
    if getattr(model, "keeps_outages", False):  # the log model: one log, part by part, its state carried
        return model.sample_parts(
            n,
            sequences=sequences,
            steps=steps,
            conditions=conditions,
            random_state=seed,
            fill_gaps=fill_gaps,
            part_rows=part_rows,
        ), total
    if sequential:  # the sequence model: whole sequences per part, ids numbered on
        return model.sample_parts(
            n, sequences=sequences, steps=steps, conditions=conditions, random_state=seed, part_rows=part_rows
        ), total

    def parts():  # rows: part i drawn with seed + i
        if n is None:
            yield model.sample(None, conditions=conditions, random_state=seed)
            return
        for i, size in enumerate(min(part_rows, n - k) for k in range(0, n, part_rows)):
            yield model.sample(size, conditions=conditions, random_state=None if seed is None else seed + i)

    return parts(), total


def check_sample_size(model, total: int, output, seed) -> None:
    """Refuse, before generating anything, a sample that is absurd (more than :data:`MAX_SAMPLE_ROWS`) or that
    cannot fit the output's disk (bytes estimated from a 200-row trial in the output's format).

    Raises
    ------
    ConfigError
    """
    if total > MAX_SAMPLE_ROWS:
        raise ConfigError(
            f"{total:,} rows asked: more than indgan samples in one command ({MAX_SAMPLE_ROWS:,}, "
            "more than a day of generation); ask for fewer rows."
        )
    if output is None or total <= 10_000:
        return
    from ..adapters.files import format_bytes, is_folder_output

    trial = model.sample(200, random_state=seed)
    csv = not is_folder_output(output) and Path(output).suffix.lower() not in (".parquet", ".pq")
    per_row = (len(trial.to_csv(index=False).encode()) if csv else trial.memory_usage(index=False).sum()) / len(trial)
    need = per_row * total
    parent = Path(output).resolve().parent
    while not parent.exists():
        parent = parent.parent
    free = shutil.disk_usage(parent).free
    if need > free:
        raise ConfigError(
            f"{total:,} rows of {trial.shape[1]} columns need about {format_bytes(need)} as "
            f"{'CSV' if csv else 'parquet'} (from a 200-row trial); {parent} has {format_bytes(free)} free. "
            "Ask for fewer rows or write elsewhere."
        )


@dataclasses.dataclass
class ScenarioResult:
    """What :func:`scenario` wrote: the scenarios ``frame``, the tags' ``ranges`` table, the ``path``."""

    frame: pd.DataFrame
    ranges: Any
    path: Path | None
    lines: list[str] = dataclasses.field(default_factory=list)


def scenario(
    model,
    n: int = 1,
    *,
    steps: int | None = None,
    conditions: dict | None = None,
    schedule: str | Path | pd.DataFrame | None = None,
    output: str | Path | None = None,
    seed: int | None = None,
    device: str = "auto",
    say: Say | None = None,
) -> ScenarioResult:
    """Synthetic operating scenarios (long sequences under condition schedules) from a log or sequence model:
    what ``indgan scenario`` does (:func:`indgan.scenarios.generate_scenarios`).

    ``output``: a parquet/CSV file, ``"-"`` for CSV on standard output, None to only return the frame.

    Raises
    ------
    ConfigError
        A model that does not generate sequences; an output that is an input or cannot be written.
    """
    lines = Lines(say)
    to_file = output is not None and str(output) != STDOUT
    if to_file:
        check_output(
            output,
            input_paths(MODEL=model, **{"--schedule": schedule}),
        )
    from ..adapters.files import write_table
    from ..scenarios import generate_scenarios

    source = model_name(model)
    model = model_of(model, device)
    if not getattr(model, "generates_sequences", False):
        raise ConfigError(
            f"{source} holds a {model.kind}; scenarios need a log or sequence model "
            "(indgan fit DATA with a time column)."
        )
    result = generate_scenarios(model, n, steps=steps, conditions=conditions, schedule=schedule, random_state=seed)
    df = result.frame
    if to_file:
        write_table(df, output)
        lines(f"wrote {n} scenario(s), {len(df)} steps x {df.shape[1]} columns, to {output}")
    elif output is not None:
        df.to_csv(sys.stdout, index=False)
    r = result.ranges
    if len(r):
        pinned = r[r.at_limit > 0.05].sort_values("at_limit", ascending=False)
        lines(
            f"  every tag within its training range (clipped); {len(pinned)} of {len(r)} tag(s) spend more "
            "than 5% of the steps within 1% of a limit" + (":" if len(pinned) else ".")
        )
        for row in pinned.head(8).itertuples():
            lines(f"    {row.tag}: {row.at_limit:.0%} at a limit (range {row.train_min:g} .. {row.train_max:g})")
    return ScenarioResult(df, r, Path(output) if to_file else None, lines.lines)
