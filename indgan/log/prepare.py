"""A log to the log model's inputs: the rows its row model learns from (the input's own rows at the observed
grid points, status strings and all), and each row's *context* (the condition columns encoded, and for batches the
progress ``t / (T - 1)`` through the entity) on the shared time grid (:mod:`indgan.timegrid`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..encoding import RangeEncoder
from ..errors import DataError
from ..schema import CONTINUOUS, Schema
from ..timegrid import LogInput


@dataclass
class LogRows:
    """What :func:`prepare_rows` makes of a log."""

    row_schema: Schema          # every modelled column but time, entity and the conditions
    rows: pd.DataFrame          # the input's rows at the observed grid points
    context: np.ndarray         # (n_steps, context_dim) float32, every grid step
    cond_encoder: RangeEncoder  # the conditions' encoding (continuous min-max, categorical one-hot)
    progress: bool
    continuous: list            # the continuous tags of the row schema


def prepare_rows(data: pd.DataFrame, log: LogInput, progress: bool | str) -> LogRows:
    """The row model's table and context of a log; ``progress="auto"`` adds the progress through the entity when
    there is an entity column with at least 5 entities.

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
    with_progress = progress if progress != "auto" else (entity_col is not None and len(grid.entities) >= 5)
    if with_progress:
        ent_of_row = np.repeat(np.arange(len(grid.entities)), grid.lengths)
        local = np.arange(len(grid.frame)) - grid.offsets[ent_of_row]
        span = np.maximum(grid.lengths[ent_of_row] - 1, 1)
        context = np.concatenate([context, (local / span)[:, None].astype(np.float32)], 1)
    row_schema = Schema([c for c in schema.columns if c.name not in (time_col, entity_col) and c.name not in conditions])
    if not row_schema.modelled:
        raise DataError(f"{log.source}: no column left to model once time, entity and conditions are set aside.")
    rows = (data if log.data is None else log.data).iloc[grid.source_rows[grid.observed]].reset_index(drop=True)
    cont = [c.name for c in row_schema.columns if c.role == CONTINUOUS]
    return LogRows(row_schema, rows, np.ascontiguousarray(context, dtype=np.float32), cond_encoder,
                   bool(with_progress), cont)
