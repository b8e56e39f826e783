"""A table to tensors for the GAN imputer: cells encoded in ``[0, 1]`` (:class:`~indgan.encoding.RangeEncoder`), a
per-column observed mask, and for time-aware imputation the rows in (entity, time) order with padding rows between
entities (:func:`~indgan.timegrid.order_rows`, :func:`~indgan.timegrid.pad_between`: the shared time grid's
ordering), so that windows never mix two entities; which cells to fill and the outages left open by ``max_gap``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from torch import Tensor

from ..encoding import RangeEncoder
from ..errors import ConfigError, DataError
from ..timegrid import infer_interval, order_rows, pad_between
from ..training import to_device


@dataclass
class Gap:
    """A run of consecutive missing cells of one column that was left missing (longer than ``max_gap``)."""

    column: str
    entity: Any
    first_row: Any  # index label of the first missing row
    last_row: Any
    steps: int


@dataclass
class ImputationData:
    """The encoded table on the device: ``x`` ``(N, dim)``, the per-column observed ``mask`` ``(N, n_columns)``,
    the conditions ``cond`` ``(N, cond_dim)`` (time-aware: the padding flag), ``valid`` ``(N, 1)`` (1 for real rows,
    0 for padding) and ``rows`` ``(N,)``: the input row position of each row (-1 for padding)."""

    x: Tensor
    mask: Tensor
    cond: Tensor
    valid: Tensor
    rows: np.ndarray

    def hide(self, cells: Tensor) -> ImputationData:
        """The same data with ``cells`` ``(N, n_columns)`` bool taken out of the mask (validation cells)."""
        return ImputationData(self.x, self.mask * ~cells, self.cond, self.valid, self.rows)


def encode_table(
    view: pd.DataFrame,
    encoder: RangeEncoder,
    time: str | None,
    entity: str | None,
    seq_len: int,
    device,
    source: str = "X",
) -> ImputationData:
    """Encode a model view; with ``time`` order its rows by (entity, time) and pad ``seq_len - 1`` rows between
    entities.

    Raises
    ------
    DataError
        A row without a time or an entity id (time-aware).
    """
    x, observed = encoder.transform(view)
    mask = observed[:, [s.start for s in encoder.spans()]]  # per column
    order, offsets = order_rows(view, time, entity, source)
    x, mask = x[order], mask[order]
    if time is not None:  # padding rows between entities: windows never mix two entities
        positions, total = pad_between(offsets, seq_len - 1)
        xp = np.zeros((total, x.shape[1]), np.float32)
        mp = np.zeros((total, mask.shape[1]), np.float32)
        valid = np.zeros((total, 1), np.float32)
        rows = np.full(total, -1, np.int64)
        xp[positions], mp[positions], valid[positions], rows[positions] = x, mask, 1.0, order
        x, mask = xp, mp
        cond = np.ones((total, 1), np.float32) - valid  # padding flag
    else:
        valid = np.ones((len(x), 1), np.float32)
        rows = order
        cond = np.zeros((len(x), 0), np.float32)
    return ImputationData(*(to_device(a, device) for a in (x, mask, cond, valid)), rows)


def gap_steps(max_gap, view: pd.DataFrame, time: str | None, entity: str | None) -> int:
    """``max_gap`` in steps: an int as it is, a time span (``"2h"``) divided by the sampling interval (the time
    grid's one rule, :func:`~indgan.timegrid.infer_interval`).

    Raises
    ------
    ConfigError
        A span without a datetime time column, or a value that is neither.
    """
    if isinstance(max_gap, (int, np.integer)) and not isinstance(max_gap, bool):
        return int(max_gap)
    if time is None:
        raise ConfigError(f"max_gap={max_gap!r} is a time span, but there is no time column; give it in steps.")
    try:
        span = pd.Timedelta(max_gap)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"max_gap={max_gap!r} is neither a number of steps nor a time span like '2h'.") from exc
    if not pd.api.types.is_datetime64_any_dtype(view[time]):
        raise ConfigError(f"max_gap={max_gap!r} is a time span but {time!r} is not a datetime; give max_gap in steps.")
    try:
        interval = infer_interval(view, time, entity)
    except DataError:  # no two samples anywhere: nothing is longer than the span
        return int(1e18)
    return int(span.value // interval) if interval > 0 else int(1e18)


def fill_mask(
    view: pd.DataFrame, columns: list[str], max_gap, time: str | None, entity: str | None, source: str = "X"
) -> tuple[dict[str, np.ndarray], list[Gap]]:
    """Cells to fill per column (missing, and not in a run of more than ``max_gap`` consecutive missing steps of
    one entity), and the runs left open."""
    masks = {c: view[c].isna().to_numpy() for c in columns}
    gaps: list[Gap] = []
    if max_gap is None:
        return masks, gaps
    limit = gap_steps(max_gap, view, time, entity)
    order, offsets = order_rows(view, time, entity, source)
    ent = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
    for c, miss in masks.items():
        ms = miss[order]
        # run ids of consecutive missing steps within an entity
        start = ms & np.concatenate([[True], ~ms[:-1] | (ent[1:] != ent[:-1])])
        run = np.cumsum(start) * ms
        if not run.any():
            continue
        sizes = np.bincount(run)
        long_runs = np.flatnonzero(sizes > limit)
        long_runs = long_runs[long_runs > 0]
        if long_runs.size == 0:
            continue
        keep_sorted = ms & ~np.isin(run, long_runs)
        new = np.zeros_like(miss)
        new[order] = keep_sorted
        masks[c] = new
        for r in long_runs:
            pos = np.flatnonzero(run == r)
            rows = order[pos]
            e = view[entity].iloc[rows[0]] if entity else None
            gaps.append(Gap(c, e, view.index[rows[0]], view.index[rows[-1]], int(len(pos))))
    return masks, gaps
