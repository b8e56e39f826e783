"""A log to the log model's inputs: the rows its row model learns from (the input's own rows at the observed
grid points, status strings and all), and each row's *context* (the condition columns encoded, and for batches the
progress ``t / (T - 1)`` through the entity) on the shared time grid (:mod:`indgan.timegrid`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..encoding import RangeEncoder
from ..errors import DataError
from ..schema import CONTINUOUS, Schema, time_values
from ..timegrid import LogInput


@dataclass
class LogRows:
    """What :func:`prepare_rows` makes of a log."""

    row_schema: Schema  # every modelled column but time, entity and the conditions
    rows: pd.DataFrame  # the input's rows at the observed grid points
    context: np.ndarray  # (n_steps, context_dim) float32, every grid step
    cond_encoder: RangeEncoder  # the conditions' encoding (continuous min-max, categorical one-hot)
    progress: bool
    continuous: list  # the continuous tags of the row schema
    cycles: list  # periods (time units) of the calendar cycles in the context


#: Calendar cycles given to the row model as context, ``(name, period in ns, least span in periods)``: a log with
#: datetimes that spans at least that many periods, sampled at least 8 times a period, gets ``sin`` and ``cos``
#: of its phase (scaled to [0, 1]) as context, so a daily load cycle or a weekly schedule is generated in phase.
CYCLES = (("day", 86_400e9, 2.0), ("week", 7 * 86_400e9, 3.0))


def calendar_cycles(times: np.ndarray, interval: float, is_datetime: bool) -> list[float]:
    """The periods of :data:`CYCLES` a log spans (``times`` in ns on its grid)."""
    if not is_datetime or len(times) < 2:
        return []
    span = float(np.nanmax(times) - np.nanmin(times))
    return [period for _, period, least in CYCLES if span >= least * period and interval <= period / 8]


def cycle_features(times: np.ndarray, cycles: list[float]) -> np.ndarray:
    """``(n, 2 * len(cycles))`` float32: ``(sin + 1) / 2`` and ``(cos + 1) / 2`` of each cycle's phase."""
    cols = []
    for period in cycles:
        phase = 2 * np.pi * np.mod(np.asarray(times, np.float64), period) / period
        cols += [(np.sin(phase) + 1) / 2, (np.cos(phase) + 1) / 2]
    return np.stack(cols, 1).astype(np.float32) if cols else np.zeros((len(times), 0), np.float32)


def prepare_rows(log: LogInput, progress: bool | str, cycles: bool = True) -> LogRows:
    """The row model's table and context of a log; ``progress="auto"`` adds the progress through the entity when
    there is an entity column with at least 5 entities, and the calendar cycles the log spans come before it
    (:data:`CYCLES`). Context layout: conditions, cycles, progress.

    Raises
    ------
    DataError
        No column left once time, entity and conditions are set aside.
    """
    schema, grid, conditions = log.schema, log.grid, log.conditions
    time_col, entity_col = schema.time_column, schema.entity_column
    cond_cat = [c for c in conditions if schema[c].role != CONTINUOUS]
    cond_cont = [c for c in conditions if c not in cond_cat]
    cond_encoder = RangeEncoder(cond_cont, cond_cat).fit(log.condition_frame)
    context, _ = cond_encoder.transform(log.condition_frame)
    times = time_values(grid.frame[time_col]).to_numpy(np.float64)
    is_datetime = pd.api.types.is_datetime64_any_dtype(log.view[time_col])
    cycles = calendar_cycles(times, grid.interval, is_datetime) if cycles else []
    context = np.concatenate([context, cycle_features(times, cycles)], 1)
    with_progress = progress if progress != "auto" else (entity_col is not None and len(grid.entities) >= 5)
    if with_progress:
        ent_of_row = np.repeat(np.arange(len(grid.entities)), grid.lengths)
        local = np.arange(len(grid.frame)) - grid.offsets[ent_of_row]
        span = np.maximum(grid.lengths[ent_of_row] - 1, 1)
        context = np.concatenate([context, (local / span)[:, None].astype(np.float32)], 1)
    row_schema = Schema(
        [c for c in schema.columns if c.name not in (time_col, entity_col) and c.name not in conditions]
    )
    if not row_schema.modelled:
        raise DataError(f"{log.source}: no column left to model once time, entity and conditions are set aside.")
    rows = log.data.iloc[grid.source_rows[grid.observed]].reset_index(drop=True)
    cont = [c.name for c in row_schema.columns if c.role == CONTINUOUS]
    return LogRows(
        row_schema,
        rows,
        np.ascontiguousarray(context, dtype=np.float32),
        cond_encoder,
        bool(with_progress),
        cont,
        cycles,
    )
