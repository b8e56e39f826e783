"""The time grid: plant logs -> one regular time grid per entity -> windows ``(n_windows, seq_len, n_features)``.

The data path of every model of logs (the log model, the sequence model and the time-aware imputer), with one
rule for the sampling interval (:func:`infer_interval`) and one ordering of rows by entity and time
(:func:`order_rows`):

1. :func:`to_grid` puts every entity (batch, run, unit; the whole log when there is none) on a regular time
   grid at the sampling interval (:func:`infer_interval`: the median step between consecutive samples).
   Each sample goes to its nearest grid point; a grid point with no sample within half an interval is a
   **gap**: its values are missing and its ``observed`` flag is False. Nothing is interpolated, so a long
   outage stays a run of gaps, never a made-up ramp.
2. The models encode the grid rows (:mod:`indgan.encoding`); missing cells and gap rows get an observed mask
   of 0.
3. :func:`window_starts` / :func:`make_windows` cut sliding windows of ``seq_len`` steps with ``stride``
   inside each entity (a window never spans two entities), plus one window ending at each entity's last row
   so that every row is covered; :func:`windows_to_rows` puts windows back (the round trip is exact).
   :func:`pad_entities` gives whole entities instead (variable-length batches padded to the longest, with
   lengths), for models of whole batches.
4. :func:`detect_sample_hold` finds tags the plant samples less often than the log and holds in between
   (analysers, lab values: a staircase every ``period`` steps) with their update phase per entity;
   :func:`apply_sample_hold` holds generated values the same way.
5. :func:`order_rows` orders the rows of a table by entity and time without a grid (the imputer fills the rows
   as they are) and :func:`pad_between` lays entities out with padding rows between them, so that windows never
   mix two entities.

Times are handled as float64: nanoseconds since the epoch for datetime columns, the numbers themselves for a
numeric time column (e.g. a sample index).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .errors import DataError
from .schema import time_values

if TYPE_CHECKING:  # torch is imported where tensors are made, not at import time
    import torch

log = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------- time grid
@dataclass
class SequenceGrid:
    """Rows on a regular time grid, entity after entity.

    Attributes
    ----------
    frame : pandas.DataFrame
        ``(n_steps, n_columns)``: the input's columns, one row per grid point, index ``0..n_steps-1``; gap rows
        hold missing values except in the time and entity columns.
    observed : numpy.ndarray
        ``(n_steps,)`` bool: the grid point has a sample.
    offsets : numpy.ndarray
        ``(n_entities + 1,)`` int64: entity ``k`` occupies rows ``offsets[k]:offsets[k + 1]``.
    entities : list
        Entity values in order of first appearance (``[None]`` without an entity column).
    interval : float
        Grid step in time units (nanoseconds for datetimes).
    source_rows : numpy.ndarray
        ``(n_steps,)`` int64: position of the input row on each grid point, -1 for gaps.
    n_merged : int
        Input rows that shared a grid point with a nearer sample and were left out.
    """

    frame: pd.DataFrame
    observed: np.ndarray
    offsets: np.ndarray
    entities: list
    interval: float
    source_rows: np.ndarray
    n_merged: int = 0

    @property
    def lengths(self) -> np.ndarray:
        """``(n_entities,)`` steps per entity."""
        return np.diff(self.offsets)

    @property
    def n_gaps(self) -> int:
        return int((~self.observed).sum())


def _entity_codes(df: pd.DataFrame, entity: str | None) -> tuple[np.ndarray, list]:
    if entity is None:
        return np.zeros(len(df), dtype=np.int64), [None]
    if df[entity].isna().any():
        row = int(np.flatnonzero(df[entity].isna().to_numpy())[0])
        raise DataError(f"entity column {entity!r} is empty in row {row}; every row needs an entity id.")
    codes, uniques = pd.factorize(df[entity], sort=False)
    return codes.astype(np.int64), list(uniques)


#: An hour in the time unit of datetimes (ns): the most a summer-time change takes a local clock back.
HOUR_NS = 3_600e9


def _entity_steps(df: pd.DataFrame, t: np.ndarray, entity: str | None):
    """Each entity's rows in input order, and the steps between consecutive ones: ``(codes, entities, order,
    same, step)`` where ``order`` ``(n_rows,)`` groups the rows by entity (stable), ``same`` ``(n_rows - 1,)`` is
    True where two consecutive rows of ``order`` share an entity and ``step`` ``(n_rows - 1,)`` is the time from
    one to the next (float time units)."""
    codes, entities = _entity_codes(df, entity)
    order = np.argsort(codes, kind="stable")
    return codes, entities, order, codes[order][1:] == codes[order][:-1], np.diff(t[order])


def check_time_order(df: pd.DataFrame, time: str, entity: str | None = None, source: str = "table") -> None:
    """Refuse missing, duplicated or decreasing timestamps within an entity.

    Raises
    ------
    DataError
        Naming the first offending row (position in the table) and entity, with what to do.
    """
    t = time_values(df[time]).to_numpy()
    if np.isnan(t).any():
        row = int(np.flatnonzero(np.isnan(t))[0])
        raise DataError(f"{source}: time column {time!r} is empty or not a time in row {row}; drop or fix that row.")
    codes, entities, order, same, step = _entity_steps(df, t, entity)
    bad = np.flatnonzero(same & (step <= 0))
    if bad.size:
        i = bad[0]
        prev_row, row = int(order[i]), int(order[i + 1])
        where = f" of {entity} {entities[codes[row]]!r}" if entity else ""
        what = "repeats" if step[i] == 0 else "goes back before"
        raise DataError(
            f"{source}: row {row}{where}: time {df[time].iloc[row]!s} {what} the time of row {prev_row} "
            f"({df[time].iloc[prev_row]!s}); timestamps must increase within each "
            f"{'entity' if entity else 'log'}. Sort by time and drop duplicates"
            f"{' (or set the entity column with --entity)' if not entity else ''}"
            + (
                "; a local-time export repeats an hour when summer time ends (sorting would interleave the two "
                "hours): export in UTC or with UTC offsets."
                if -step[i] <= HOUR_NS and not pd.api.types.is_numeric_dtype(df[time])
                else "."
            )
        )


#: Most backward steps in a log's file order read as a local-time export's repeated hour (summer time ends once a
#: year) rather than as rows exported out of order.
FEW_BACKWARD_STEPS = 3


def time_order(
    df: pd.DataFrame, time: str, entity: str | None = None, source: str = "table"
) -> tuple[np.ndarray | None, str | None]:
    """The one rule for the order of a log's rows, for every model of logs and the imputer: rows out of time order
    within their entity (a database export without ORDER BY, files concatenated in the wrong order) are taken in
    time order (a stable sort, so repeated timestamps keep their input order), with a warning; but a few steps back
    of at most an hour in local times (text or datetimes without a zone) are a summer-time change, where sorting
    would interleave the two hours, and are refused.

    Returns
    -------
    (numpy.ndarray or None, str or None)
        Row positions in time order ``(n_rows,)`` (None: already in order) and the warning to give (None: none).

    Raises
    ------
    DataError
        The summer-time pattern, naming the row and the time, with what to do.
    """
    t = time_values(df[time]).to_numpy()
    if len(t) < 2 or np.isnan(t).any():
        return None, None  # check_time_order and order_rows name a missing time
    codes, entities, order, same, step = _entity_steps(df, t, entity)
    back = np.flatnonzero(same & (step < 0))
    if not back.size:
        return None, None
    col = df[time]
    local = not pd.api.types.is_numeric_dtype(col) and not (
        pd.api.types.is_datetime64_any_dtype(col) and getattr(col.dt, "tz", None) is not None
    )
    i = back[0]
    prev_row, row = int(order[i]), int(order[i + 1])
    where = f" of {entity} {entities[codes[row]]!r}" if entity else ""
    if local and back.size <= FEW_BACKWARD_STEPS and (-step[back] <= HOUR_NS).all():
        raise DataError(
            f"{source}: row {row}{where}: time {col.iloc[row]!s} goes back before the time of row "
            f"{prev_row} ({col.iloc[prev_row]!s}): a local-time export repeats an hour when summer time "
            "ends, and sorting would interleave the two hours. Export in UTC or with UTC offsets."
        )
    perm = np.lexsort((t, codes)) if entity else np.argsort(t, kind="stable")
    return perm, (
        f"{source}: {back.size} row(s) go back in time within their {'entity' if entity else 'log'} "
        f"(first: row {row}{where} at {col.iloc[row]!s}, after {col.iloc[prev_row]!s}); the rows are "
        "taken in time order."
    )


#: What to do with rows that repeat a timestamp within an entity (``duplicate_times``).
DUPLICATE_TIME_POLICIES = ("first", "mean", "error")


def repeated_times(
    df: pd.DataFrame, time: str, entity: str | None = None, policy: str = "first", source: str = "table"
) -> tuple[np.ndarray, str | None]:
    """Which rows repeat an earlier row's timestamp within their entity: ``(mask (n_rows,) bool, the warning's
    first clause or None)``; the first row of each time is not marked.

    Raises
    ------
    DataError
        ``policy="error"`` and a timestamp repeats (naming the row, the entity and the time).
    """
    keys = [entity, time] if entity else [time]
    dup = df.duplicated(keys, keep="first").to_numpy()
    if not dup.any() or df[time].isna().any():
        return np.zeros(len(df), bool), None
    row = int(np.flatnonzero(dup)[0])
    where = f" of {entity} {df[entity].iloc[row]!r}" if entity else ""
    example = f"row {row}{where} repeats time {df[time].iloc[row]!s}"
    what = "entity" if entity else "log"
    if policy == "error":
        raise DataError(
            f"{source}: {int(dup.sum())} row(s) repeat a timestamp within their {what} (first: {example});"
            " keep the first with --duplicate-times first, average them with --duplicate-times mean, or "
            "fix the export" + ("" if entity else " (a long-form table of several assets needs --entity)") + "."
        )
    return dup, f"{source}: {int(dup.sum())} row(s) repeat a timestamp within their {what} (first: {example})"


def resolve_duplicate_times(
    df: pd.DataFrame, time: str, entity: str | None = None, policy: str = "first", source: str = "table"
) -> pd.DataFrame:
    """Rows that repeat a timestamp within an entity, handled by ``policy``: keep the ``"first"`` (default; a
    warning gives the count and the first example), average the numbers of the repeated rows (``"mean"``; other
    columns keep the first row's value), or refuse (``"error"``). Real exports have them: a logger clock that
    labels local time repeats an hour when summer time ends, a historian re-sends a sample.

    Returns
    -------
    pandas.DataFrame
        ``df`` itself when no timestamp repeats, else a new frame (input order kept).

    Raises
    ------
    DataError
        ``policy="error"`` and a timestamp repeats (naming the row, the entity and the time).
    ConfigError
        An unknown policy.
    """
    from .errors import ConfigError

    if policy not in DUPLICATE_TIME_POLICIES:
        raise ConfigError(f"duplicate_times must be one of {', '.join(DUPLICATE_TIME_POLICIES)}, got {policy!r}.")
    keys = [entity, time] if entity else [time]
    dup, message = repeated_times(df, time, entity, policy, source)
    if message is None:
        return df
    if policy == "first":
        log.warning(
            "%s; the first row of each time is kept (--duplicate-times mean averages them, error refuses).", message
        )
        return df[~dup]
    log.warning("%s; the numbers of each time's rows are averaged.", message)
    numeric = [
        c
        for c in df.columns
        if c not in keys and pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])
    ]
    group = df.groupby(keys, sort=False, dropna=False)
    out = df[~dup].copy()
    means = group[numeric].transform("mean")
    for c in numeric:
        out[c] = means.loc[~dup, c].astype(df[c].dtype if pd.api.types.is_float_dtype(df[c]) else "float64")
    return out


def gap_runs(observed: np.ndarray, offsets: np.ndarray) -> list[list[int]]:
    """Runs of grid steps without a sample (outages), ``[[entity index, first step within it, steps], ...]``.

    Parameters
    ----------
    observed : numpy.ndarray
        ``(n_steps,)`` bool, entity after entity.
    offsets : numpy.ndarray
        ``(n_entities + 1,)`` entity bounds.
    """
    missing = ~np.asarray(observed, bool)
    edges = np.flatnonzero(np.diff(np.r_[0, missing.astype(np.int8), 0]))
    starts, ends = edges[0::2], edges[1::2]
    ent = np.searchsorted(offsets, starts, "right") - 1
    out = []
    for a, b, e in zip(starts.tolist(), ends.tolist(), ent.tolist()):  # a run never spans two entities (gaps
        end_e = int(offsets[e + 1])  # lie between samples of one entity)
        out.append([int(e), int(a - offsets[e]), int(min(b, end_e) - a)])
    return out


def infer_interval(df: pd.DataFrame, time: str, entity: str | None = None) -> float:
    """The sampling interval: the median step between consecutive samples of an entity (time units; ns for
    datetimes).

    Raises
    ------
    DataError
        If no entity has two samples.
    """
    t = time_values(df[time]).to_numpy()
    codes, _ = _entity_codes(df, entity)
    order = np.lexsort((t, codes))
    steps = np.diff(t[order])[codes[order][1:] == codes[order][:-1]]
    steps = steps[steps > 0]
    if steps.size == 0:
        raise DataError(f"column {time!r}: no entity has two samples, so there is no sampling interval to learn.")
    return float(np.median(steps))


def order_rows(
    df: pd.DataFrame, time: str | None, entity: str | None = None, source: str = "table"
) -> tuple[np.ndarray, np.ndarray]:
    """The rows of ``df`` in (entity, time) order, without a grid: ``(positions, offsets)`` where ``positions``
    ``(n_rows,)`` are row positions in that order (stable: equal times keep their input order) and entity ``k``
    occupies ``positions[offsets[k]:offsets[k + 1]]``. Without a time column: the input order, one entity.

    Raises
    ------
    DataError
        A row without a time or without an entity id, naming the row (its index label).
    """
    n = len(df)
    if time is None:
        return np.arange(n), np.array([0, n])
    t = time_values(df[time]).to_numpy()
    if np.isnan(t).any():
        row = df.index[np.flatnonzero(np.isnan(t))[0]]
        raise DataError(
            f"{source}: time column {time!r} is missing at row {row!r}; every row needs its time "
            "(fill it, drop the row, or impute row by row with time=None)."
        )
    if entity is None:
        return np.argsort(t, kind="stable"), np.array([0, n])
    if df[entity].isna().any():
        row = df.index[np.flatnonzero(df[entity].isna().to_numpy())[0]]
        raise DataError(f"{source}: entity column {entity!r} is missing at row {row!r}; fill it or pass entity=None.")
    codes, _ = _entity_codes(df, entity)
    order = np.lexsort((t, codes))
    bounds = np.flatnonzero(np.diff(codes[order])) + 1
    return order, np.concatenate([[0], bounds, [n]])


def pad_between(offsets: np.ndarray, pad: int) -> tuple[np.ndarray, int]:
    """Entities laid out one after another with ``pad`` empty rows before each and after the last, so that a
    window of ``pad + 1`` steps never holds two entities: ``(positions, total)`` where ``positions`` ``(n,)`` is the
    padded row of each input position (in ``offsets`` order) and ``total`` the padded length."""
    lengths = np.diff(offsets)
    shift = pad * (np.arange(len(lengths)) + 1)
    positions = np.arange(int(offsets[-1])) + np.repeat(shift, lengths)
    return positions, int(lengths.sum() + pad * (len(lengths) + 1))


def to_grid(
    df: pd.DataFrame, time: str, entity: str | None = None, interval: float | None = None, source: str = "table"
) -> SequenceGrid:
    """Put ``df`` on a regular grid per entity (see the module docstring). ``df`` is not modified.

    Parameters
    ----------
    df : pandas.DataFrame
        ``(n_rows, n_columns)``; rows of one entity in increasing time.
    time, entity : str
        The time column and the (optional) entity column.
    interval : float, optional
        Grid step (ns for datetimes); :func:`infer_interval` when omitted.

    Raises
    ------
    DataError
        Empty, missing, duplicated or decreasing timestamps (:func:`check_time_order`).
    """
    if len(df) == 0:
        raise DataError(f"{source}: no rows.")
    check_time_order(df, time, entity, source)
    interval = interval or infer_interval(df, time, entity)
    t = time_values(df[time]).to_numpy()
    codes, entities = _entity_codes(df, entity)
    n_ent = len(entities)
    t0 = np.full(n_ent, np.inf)
    np.minimum.at(t0, codes, t)
    t1 = np.full(n_ent, -np.inf)
    np.maximum.at(t1, codes, t)
    lengths = np.rint((t1 - t0) / interval).astype(np.int64) + 1
    _check_grid_size(lengths, len(df), t, codes, interval, df[time], source)
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    k = np.rint((t - t0[codes]) / interval).astype(np.int64)
    pos = offsets[codes] + k
    # Several samples on one grid point: keep the nearest to it.
    dist = np.abs(t - (t0[codes] + k * interval))
    order = np.lexsort((dist, pos))
    first = np.ones(order.size, dtype=bool)
    first[1:] = pos[order][1:] != pos[order][:-1]
    keep = order[first]
    n_merged = int(len(df) - keep.size)
    if n_merged:
        log.warning(
            "%s: %d sample(s) fall on a grid point (interval %s) that already has a nearer sample; "
            "they are left out of the sequence model's view.",
            source,
            n_merged,
            _fmt_interval(interval, df[time]),
        )
    n_steps = int(offsets[-1])
    source_rows = np.full(n_steps, -1, dtype=np.int64)
    source_rows[pos[keep]] = keep
    frame = df.iloc[keep].set_axis(pos[keep]).reindex(pd.RangeIndex(n_steps))
    grid_codes = np.repeat(np.arange(n_ent), lengths)
    grid_t = t0[grid_codes] + (np.arange(n_steps) - offsets[grid_codes]) * interval
    frame[time] = _restore_time(grid_t, df[time])
    if entity is not None:
        frame[entity] = pd.Series(np.asarray(entities, dtype=object)[grid_codes], dtype=df[entity].dtype)
    return SequenceGrid(
        frame=frame,
        observed=source_rows >= 0,
        offsets=offsets,
        entities=entities,
        interval=float(interval),
        source_rows=source_rows,
        n_merged=n_merged,
    )


#: Most grid steps a log may span, and most grid steps per sample: a longer grid is refused before it is built.
MAX_GRID_STEPS = 50_000_000
MAX_GAP_SHARE_WARNING = 0.5


def _check_grid_size(
    lengths: np.ndarray, n_rows: int, t: np.ndarray, codes: np.ndarray, interval: float, like: pd.Series, source: str
) -> None:
    """Refuse, before allocating it, a time grid too long to hold (a 1-second log with a 200-year gap), naming the
    longest gap; warn when the grid is mostly gap (the model then generates through the outages).

    Raises
    ------
    DataError
        Over :data:`MAX_GRID_STEPS` steps.
    """
    n_steps = int(lengths.sum())
    if n_steps <= n_rows * (1 + MAX_GAP_SHARE_WARNING) and n_steps <= MAX_GRID_STEPS:
        return
    order = np.lexsort((t, codes))
    same = codes[order][1:] == codes[order][:-1]
    gaps = np.where(same, np.diff(t[order]), -np.inf)
    i = int(np.argmax(gaps)) if gaps.size else 0
    a, b = _restore_time(t[order][[i, i + 1]], like).astype(str).tolist() if gaps.size else ["?", "?"]
    what = (
        f"{n_steps:,} steps at the sampling interval {_fmt_interval(interval, like)} for {n_rows:,} samples; "
        f"the longest gap runs from {a} to {b}"
    )
    if n_steps > MAX_GRID_STEPS:
        raise DataError(
            f"{source}: the time grid would hold {what}. Split the log at that gap (or mark the parts "
            "as entities), or drop the stray timestamps."
        )
    log.warning(
        "%s: the time grid is mostly gap (%s); models of logs generate through the outages "
        "(indgan sample leaves them out of the training shape).",
        source,
        what,
    )


def _restore_time(t: np.ndarray, like: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(like):
        return pd.Series(np.rint(t).astype(like.dtype) if pd.api.types.is_integer_dtype(like) else t)
    out = pd.to_datetime(np.rint(t).astype(np.int64), unit="ns")
    tz = getattr(getattr(like, "dt", None), "tz", None) if pd.api.types.is_datetime64_any_dtype(like) else None
    if tz is not None:
        out = out.tz_localize("UTC").tz_convert(tz)
    return pd.Series(out)


def _fmt_interval(interval: float, like: pd.Series) -> str:
    return format_interval(interval, "float64" if pd.api.types.is_numeric_dtype(like) else "datetime64[ns]")


def format_interval(interval: float, time_dtype: str) -> str:
    """A grid interval in words: ``3e11`` ns -> ``5min`` for datetimes (``0 days 00:05:00`` when pandas has no
    offset for it), the number of time units otherwise."""
    if time_dtype.startswith("datetime"):
        td = pd.Timedelta(round(interval), unit="ns")
        try:
            return pd.tseries.frequencies.to_offset(td).freqstr
        except ValueError:
            return str(td)
    return f"{interval:g} time units"


def time_axis(start: float, interval: float, n_steps: int, like_dtype: str) -> pd.Series:
    """``n_steps`` times from ``start`` every ``interval`` (float time units), as ``like_dtype``."""
    return as_times(start + np.arange(n_steps) * interval, like_dtype)


def as_times(t: np.ndarray, like_dtype: str) -> pd.Series:
    """Times as float time units (ns since the epoch for datetimes) -> a Series of ``like_dtype``."""
    t = np.asarray(t, dtype=np.float64)
    if like_dtype.startswith("datetime"):
        return pd.Series(pd.to_datetime(np.rint(t).astype(np.int64), unit="ns"))
    if "int" in like_dtype.lower():
        return pd.Series(np.rint(t).astype(np.int64))
    return pd.Series(t)


# ---------------------------------------------------------------------------------------------- windows
def window_starts(offsets: np.ndarray, seq_len: int, stride: int = 1) -> np.ndarray:
    """First rows of the windows: every ``stride`` steps inside each entity, plus the window that ends at the
    entity's last row. Entities shorter than ``seq_len`` give none.

    Returns
    -------
    numpy.ndarray
        ``(n_windows,)`` int64 row positions.
    """
    if seq_len < 1 or stride < 1:
        raise ValueError("seq_len and stride must be positive")
    parts = []
    for a, b in zip(offsets[:-1], offsets[1:]):  # one slice per entity, not per row
        last = b - seq_len
        if last < a:
            continue
        s = np.arange(a, last + 1, stride)
        if s[-1] != last:
            s = np.append(s, last)
        parts.append(s)
    return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, dtype=np.int64)


def make_windows(array: np.ndarray, starts: np.ndarray, seq_len: int) -> np.ndarray:
    """``array[(n_steps, ...)]`` -> windows ``(n_windows, seq_len, ...)`` starting at ``starts`` (one gather)."""
    return array[starts[:, None] + np.arange(seq_len)]


def windows_to_rows(windows: np.ndarray, starts: np.ndarray, n_steps: int) -> np.ndarray:
    """Inverse of :func:`make_windows`: ``(n_steps, ...)`` rows; rows no window covers are NaN (float) or 0."""
    seq_len = windows.shape[1]
    fill = np.nan if np.issubdtype(windows.dtype, np.floating) else 0
    out = np.full((n_steps,) + windows.shape[2:], fill, dtype=windows.dtype)
    out[(starts[:, None] + np.arange(seq_len)).ravel()] = windows.reshape((-1,) + windows.shape[2:])
    return out


def pad_entities(array: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Whole entities, padded with zeros to the longest.

    Returns
    -------
    padded : numpy.ndarray
        ``(n_entities, max_len, ...)``.
    lengths : numpy.ndarray
        ``(n_entities,)`` int64.
    """
    lengths = np.diff(offsets).astype(np.int64)
    max_len = int(lengths.max())
    steps = np.arange(max_len)
    valid = steps[None, :] < lengths[:, None]
    idx = np.where(valid, offsets[:-1, None] + steps[None, :], 0)
    padded = array[idx]
    padded[~valid] = 0
    return padded, lengths


# ---------------------------------------------------------------------------------------------- sample and hold
@dataclass
class HeldGroup:
    """Tags that a plant samples less often than the log: an analyser (gas chromatograph) or a lab value
    updated every ``period`` steps and held in between, so the log shows a staircase. Tags updated at the same
    steps form one group.

    Attributes
    ----------
    columns : list of int
        Encoded (continuous) column indices of the group's tags.
    names : list of str
        Their column names.
    period : int
        Steps between updates (>= 2).
    phase : numpy.ndarray of int, shape (n_entities,)
        Per entity, the update steps' position modulo ``period`` counted from the entity's first grid step.
    """

    columns: list[int]
    names: list[str]
    period: int
    phase: np.ndarray

    def start_phase(self, starts: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        """Phase of each window ``(n_windows,)`` counted from its first step (grid row ``starts``)."""
        ent = np.searchsorted(offsets, starts, side="right") - 1
        return (self.phase[ent] - (starts - offsets[ent])) % self.period


def detect_sample_hold(
    x: np.ndarray,
    observed: np.ndarray,
    offsets: np.ndarray,
    names: list[str],
    min_share: float = 0.9,
    min_runs: int = 10,
    max_period: int = 60,
) -> list[HeldGroup]:
    """Find tags held for a fixed number of steps between updates (sampled analysers, lab values).

    A tag is held with period ``p`` when at least ``min_share`` of its complete runs of equal consecutive
    observed values (inside an entity, not counting each entity's first and last run, which are cut by the
    log's ends) last exactly ``p >= 2`` steps, over at least ``min_runs`` runs. Quantised tags (runs of varying
    length) and tags that stay constant for irregular stretches are not held.

    Parameters
    ----------
    x : numpy.ndarray, shape (n_steps, n_tags)
        Grid rows of continuous tags, entity after entity.
    observed : numpy.ndarray, shape (n_steps, n_tags)
        1 where the cell was observed.
    offsets : numpy.ndarray of int, shape (n_entities + 1,)
        Entity boundaries in the grid rows.
    names : list of str
        The tags' names, ``(n_tags,)``.

    Returns
    -------
    list of HeldGroup
        One per distinct (period, per-entity phase), in column order; empty when no tag is held.
    """
    n, k = x.shape
    if n < 2 or k == 0:
        return []
    ent = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
    local = np.arange(n) - offsets[ent]
    same_entity = np.r_[False, ent[1:] == ent[:-1]]
    found: dict[tuple, HeldGroup] = {}
    for j in range(k):
        v, ob = x[:, j], observed[:, j] > 0
        # a run starts at each entity start, each change of value, and each observed cell after a gap
        start = ~same_entity | np.r_[True, v[1:] != v[:-1]] | ~ob | np.r_[True, ~ob[:-1]]
        idx = np.flatnonzero(start)
        runs = np.diff(np.r_[idx, n])
        # complete runs: observed, and neither the entity's first nor its last
        ok = ob[idx] & same_entity[idx]
        last = np.r_[ent[idx[1:]] != ent[idx[:-1]], True]
        ok &= ~last
        if ok.sum() < min_runs:
            continue
        counts = np.bincount(runs[ok])
        p = int(counts.argmax())
        if p < 2 or p > max_period or counts[p] < min_share * ok.sum():
            continue
        # phase per entity: the most common update position modulo p
        upd = idx[ok & (runs == p)]
        table = np.zeros((len(offsets) - 1, p), dtype=np.int64)
        np.add.at(table, (ent[upd], local[upd] % p), 1)
        phase = table.argmax(1)
        key = (p, phase.tobytes())
        if key in found:
            found[key].columns.append(j)
            found[key].names.append(names[j])
        else:
            found[key] = HeldGroup([j], [names[j]], p, phase)
    return list(found.values())


def apply_sample_hold(x: torch.Tensor, columns: list[int], period: int, phase: torch.Tensor) -> torch.Tensor:
    """Hold ``x[:, t, columns]`` at its value at the last update step ``t' <= t`` with
    ``(t' - phase) % period == 0`` (steps before a sequence's first update keep step 0's value).

    Parameters
    ----------
    x : torch.Tensor, shape (n, steps, dim)
    columns : list of int
    period : int
    phase : torch.Tensor of int, shape (n,)
        Update position of each sequence.

    Returns
    -------
    torch.Tensor
        A copy of ``x`` with the held columns replaced.
    """
    import torch

    n, steps, _ = x.shape
    t = torch.arange(steps, device=x.device)[None, :]
    last = (t - (t - phase[:, None]) % period).clamp_min(0)  # (n, steps)
    cols = torch.as_tensor(columns, device=x.device)
    out = x.clone()
    held = x[:, :, cols].gather(1, last[:, :, None].expand(n, steps, len(columns)))
    out[:, :, cols] = held
    return out


# ---------------------------------------------------------------------------------------------- logs
@dataclass
class LogInput:
    """A log read for a model of logs (:func:`prepare_log`).

    Attributes
    ----------
    source : str
        Name of the input in messages.
    schema : Schema
    view : pandas.DataFrame
        The model view of the input rows.
    grid : SequenceGrid
        The view on its time grid.
    conditions : list of str
        The condition columns.
    condition_frame : pandas.DataFrame
        ``(n_steps, n_conditions)``: the conditions on the grid, gap rows carrying the condition in force.
    data : pandas.DataFrame
        The input rows the view was made of (repeated timestamps resolved): ``grid.source_rows`` index them.
    """

    source: str
    schema: Any
    view: pd.DataFrame
    grid: SequenceGrid
    conditions: list
    condition_frame: pd.DataFrame
    data: pd.DataFrame | None = None


def prepare_log(
    data,
    schema=None,
    conditions=None,
    entity: str | None = None,
    time: str | None = None,
    columns: dict | None = None,
    max_discrete_levels: int = 10,
    model: str = "this model",
    duplicate_times: str = "first",
) -> LogInput:
    """Prepare a log for a model of logs: the schema (inferred with the one rule for conditions,
    :func:`indgan.schema.condition_overrides`, and the ``entity`` / ``time`` / ``columns`` overrides), the model
    view, the time grid per entity and the conditions on it.

    Parameters
    ----------
    data : pandas.DataFrame
        ``(n_rows, n_columns)`` log (in memory: models do not read files).
    schema : Schema, optional
        Column roles; inferred when omitted.
    conditions : str or list of str, optional
        Condition columns.
    duplicate_times : {"first", "mean", "error"}
        Rows that repeat a timestamp within an entity (:func:`resolve_duplicate_times`).

    Raises
    ------
    DataError
        No time column, bad timestamps, a named entity or time column that is not in the table; repeated
        timestamps with ``duplicate_times="error"``.
    ConditionError
        An unknown condition column, or one that is empty for a whole entity.
    """
    from .errors import ConditionError, ConfigError
    from .schema import condition_overrides, infer_schema

    source = data.attrs.get("source", "table")
    conditions = [conditions] if isinstance(conditions, str) else list(conditions or [])
    if schema is None:
        overrides = condition_overrides(data, conditions, columns)
        for role, col in (("entity", entity), ("time", time)):
            if col:
                if col not in data.columns:
                    raise DataError(f"{source}: {role} column {col!r} is not in the table.")
                overrides[role] = [col]
        schema = infer_schema(data, overrides=overrides or None, max_discrete_levels=max_discrete_levels, source=source)
    time_col, entity_col = schema.time_column, schema.entity_column
    if time_col is None:
        raise DataError(
            f"{source}: no time column found; {model} needs one (a datetime column, or an integer sample "
            "index named like 'time'). Name it with time=... ([columns] time = \"col\" in a config), or use "
            "the tabular model (--model tabular)."
        )
    if duplicate_times not in DUPLICATE_TIME_POLICIES:
        raise ConfigError(
            f"duplicate_times must be one of {', '.join(DUPLICATE_TIME_POLICIES)}, got {duplicate_times!r}."
        )
    perm, message = time_order(data, time_col, entity_col, source)
    if perm is not None:
        log.warning("%s", message)
        data = data.iloc[perm].reset_index(drop=True)
    data = resolve_duplicate_times(data, time_col, entity_col, duplicate_times, source)
    view = schema.view(data)
    unknown = [c for c in conditions if c not in view.columns or c in (time_col, entity_col)]
    if unknown:
        options = [c for c in view.columns if c not in (time_col, entity_col)]
        raise ConditionError(f"unknown condition column(s) {unknown!r}; the table has: {', '.join(options[:20])}.")
    grid = to_grid(view, time_col, entity_col, source=source)
    return LogInput(source, schema, view, grid, conditions, fill_conditions(grid, conditions, entity_col, source), data)


def fill_conditions(grid: SequenceGrid, conditions: list[str], entity: str | None, source: str) -> pd.DataFrame:
    """The condition columns on the grid, gap rows carrying the condition in force (the previous sample's, the
    next one's at an entity's start).

    Raises
    ------
    ConditionError
        A condition empty for a whole entity.
    """
    from .errors import ConditionError

    frame = grid.frame[conditions].copy()
    if not conditions:
        return frame
    keys = np.repeat(np.arange(len(grid.entities)), grid.lengths)
    frame = frame.groupby(keys).ffill().groupby(keys).bfill()
    if frame.isna().any(axis=None):
        col = next(c for c in conditions if frame[c].isna().any())
        raise ConditionError(
            f"{source}: condition column {col!r} is empty for a whole "
            f"{'entity' if entity else 'log'}; fill it or leave it out of the conditions."
        )
    return frame
