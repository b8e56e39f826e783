"""Windows adapter: plant logs -> a regular time grid per entity -> windows ``(n_windows, seq_len, n_features)``.

The data path of the sequence models (see :mod:`indgan.models.recurrent`):

1. :func:`to_grid` puts every entity (batch, run, unit; the whole log when there is none) on a regular time
   grid at the sampling interval (:func:`infer_interval`: the median step between consecutive samples).
   Each sample goes to its nearest grid point; a grid point with no sample within half an interval is a
   **gap**: its values are missing and its ``observed`` flag is False. Nothing is interpolated, so a long
   outage stays a run of gaps, never a made-up ramp.
2. :class:`StepEncoder` turns one grid row into a vector in ``[0, 1]``: continuous tags min-max scaled by the
   training range, categorical tags (operating states, historian status columns) one-hot. Missing cells are
   0 with an ``observed`` mask of 0.
3. :func:`window_starts` / :func:`make_windows` cut sliding windows of ``seq_len`` steps with ``stride``
   inside each entity (a window never spans two entities), plus one window ending at each entity's last row
   so that every row is covered; :func:`windows_to_rows` puts windows back (the round trip is exact).
   :func:`pad_entities` gives whole entities instead (variable-length batches padded to the longest, with
   lengths), for models of whole batches.
4. :func:`detect_sample_hold` finds tags the plant samples less often than the log and holds in between
   (analysers, lab values: a staircase every ``period`` steps) with their update phase per entity;
   :func:`apply_sample_hold` holds generated values the same way. :class:`ConditionScaler` standardises tags
   per condition level and keeps a tag that does not move under a level exactly constant.

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
from .schema import MISSING, _time_values

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


def check_time_order(df: pd.DataFrame, time: str, entity: str | None = None, source: str = "table") -> None:
    """Refuse missing, duplicated or decreasing timestamps within an entity.

    Raises
    ------
    DataError
        Naming the first offending row (position in the table) and entity, with what to do.
    """
    t = _time_values(df[time]).to_numpy()
    if np.isnan(t).any():
        row = int(np.flatnonzero(np.isnan(t))[0])
        raise DataError(f"{source}: time column {time!r} is empty or not a time in row {row}; drop or fix that row.")
    codes, entities = _entity_codes(df, entity)
    order = np.argsort(codes, kind="stable")
    same = codes[order][1:] == codes[order][:-1]
    step = np.diff(t[order])
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
            f"{' (or set the entity column with --entity)' if not entity else ''}."
        )


def infer_interval(df: pd.DataFrame, time: str, entity: str | None = None) -> float:
    """The sampling interval: the median step between consecutive samples of an entity (time units; ns for
    datetimes).

    Raises
    ------
    DataError
        If no entity has two samples.
    """
    t = _time_values(df[time]).to_numpy()
    codes, _ = _entity_codes(df, entity)
    order = np.lexsort((t, codes))
    steps = np.diff(t[order])[codes[order][1:] == codes[order][:-1]]
    steps = steps[steps > 0]
    if steps.size == 0:
        raise DataError(f"column {time!r}: no entity has two samples, so there is no sampling interval to learn.")
    return float(np.median(steps))


def to_grid(df: pd.DataFrame, time: str, entity: str | None = None, interval: float | None = None,
            source: str = "table") -> SequenceGrid:
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
    t = _time_values(df[time]).to_numpy()
    codes, entities = _entity_codes(df, entity)
    n_ent = len(entities)
    t0 = np.full(n_ent, np.inf)
    np.minimum.at(t0, codes, t)
    t1 = np.full(n_ent, -np.inf)
    np.maximum.at(t1, codes, t)
    lengths = np.rint((t1 - t0) / interval).astype(np.int64) + 1
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
        log.warning("%s: %d sample(s) fall on a grid point (interval %s) that already has a nearer sample; "
                    "they are left out of the sequence model's view.", source, n_merged, _fmt_interval(interval, df[time]))
    n_steps = int(offsets[-1])
    source_rows = np.full(n_steps, -1, dtype=np.int64)
    source_rows[pos[keep]] = keep
    frame = df.iloc[keep].set_axis(pos[keep]).reindex(pd.RangeIndex(n_steps))
    grid_codes = np.repeat(np.arange(n_ent), lengths)
    grid_t = t0[grid_codes] + (np.arange(n_steps) - offsets[grid_codes]) * interval
    frame[time] = _restore_time(grid_t, df[time])
    if entity is not None:
        frame[entity] = pd.Series(np.asarray(entities, dtype=object)[grid_codes], dtype=df[entity].dtype)
    return SequenceGrid(frame=frame, observed=source_rows >= 0, offsets=offsets, entities=entities,
                        interval=float(interval), source_rows=source_rows, n_merged=n_merged)


def _restore_time(t: np.ndarray, like: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(like):
        return pd.Series(np.rint(t).astype(like.dtype) if pd.api.types.is_integer_dtype(like) else t)
    out = pd.to_datetime(np.rint(t).astype(np.int64), unit="ns")
    tz = getattr(getattr(like, "dt", None), "tz", None) if pd.api.types.is_datetime64_any_dtype(like) else None
    if tz is not None:
        out = out.tz_localize("UTC").tz_convert(tz)
    return pd.Series(out)


def _fmt_interval(interval: float, like: pd.Series) -> str:
    if pd.api.types.is_numeric_dtype(like):
        return f"{interval:g}"
    return str(pd.Timedelta(int(round(interval)), unit="ns"))


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


# ---------------------------------------------------------------------------------------------- encoding
@dataclass
class StepSpan:
    """Where a column sits in the encoded step vector."""

    column: str
    start: int
    width: int
    kind: str  # "continuous" (one value in [0, 1]) or "categorical" (one-hot)


class StepEncoder:
    """One grid row <-> a vector in ``[0, 1]`` (continuous: min-max by the training range; categorical:
    one-hot with the training levels; an empty categorical cell is the level ``"<missing>"``).

    Parameters
    ----------
    continuous, categorical : list of str
        Model-view columns.
    """

    def __init__(self, continuous: list[str], categorical: list[str]):
        self.continuous = list(continuous)
        self.categorical = list(categorical)

    def fit(self, frame: pd.DataFrame) -> StepEncoder:
        """Learn ranges and levels from ``frame`` (gap rows may be present; they hold NaN)."""
        x = frame[self.continuous].to_numpy(dtype=np.float64) if self.continuous else np.zeros((len(frame), 0))
        with np.errstate(all="ignore"):
            lo, hi = np.nanmin(x, axis=0) if len(x) else np.zeros(0), np.nanmax(x, axis=0) if len(x) else np.zeros(0)
        empty = [c for c, v in zip(self.continuous, lo) if not np.isfinite(v)]
        if empty:
            raise DataError(f"column(s) {empty!r} hold no number at all; drop them or mark them ignored in the config.")
        self.minimum, self.maximum = lo.tolist(), hi.tolist()
        self.levels: dict[str, list] = {}
        for c in self.categorical:
            s = frame[c].dropna()
            levels = sorted(pd.unique(s).tolist(), key=lambda v: (str(type(v)), v))
            if frame[c].isna().any() and MISSING not in levels:
                levels.append(MISSING)
            self.levels[c] = [_py(v) for v in levels]
        return self

    def spans(self) -> list[StepSpan]:
        out, pos = [], 0
        for c in self.continuous:
            out.append(StepSpan(c, pos, 1, "continuous"))
            pos += 1
        for c in self.categorical:
            w = len(self.levels[c])
            out.append(StepSpan(c, pos, w, "categorical"))
            pos += w
        return out

    @property
    def dim(self) -> int:
        return len(self.continuous) + sum(len(v) for v in self.levels.values())

    def transform(self, frame: pd.DataFrame, row_observed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Encode.

        Returns
        -------
        values : numpy.ndarray
            ``(n_steps, dim)`` float32 in ``[0, 1]`` (continuous values outside the training range fall outside).
        observed : numpy.ndarray
            ``(n_steps, dim)`` float32: 1 where the cell was observed, 0 for missing cells and gap rows.
        """
        n = len(frame)
        values = np.zeros((n, self.dim), dtype=np.float32)
        observed = np.zeros((n, self.dim), dtype=np.float32)
        if self.continuous:
            x = frame[self.continuous].to_numpy(dtype=np.float64)
            lo, hi = np.asarray(self.minimum), np.asarray(self.maximum)
            span = np.where(hi > lo, hi - lo, 1.0)
            scaled = (x - lo) / span
            ok = np.isfinite(scaled)
            k = len(self.continuous)
            values[:, :k] = np.where(ok, scaled, 0.0)
            observed[:, :k] = ok
        pos = len(self.continuous)
        for c in self.categorical:  # one vectorised lookup per column
            levels = self.levels[c]
            col = frame[c].astype(object)
            if MISSING in levels:
                col = col.where(col.notna(), MISSING)
            codes = pd.Categorical(col.map(_py), categories=levels).codes
            hit = codes >= 0
            rows = np.flatnonzero(hit)
            values[rows, pos + codes[hit]] = 1.0
            observed[rows, pos:pos + len(levels)] = 1.0
            pos += len(levels)
        if row_observed is not None:
            observed[~row_observed] = 0.0
            values[~row_observed] = 0.0
        return values, observed

    def inverse_transform(self, values: np.ndarray, clip: bool = True) -> pd.DataFrame:
        """``(n_steps, dim)`` -> a DataFrame of the columns (continuous clipped to the training range,
        categorical by the largest score)."""
        out: dict[str, Any] = {}
        k = len(self.continuous)
        if k:
            v = values[:, :k].astype(np.float64)
            if clip:
                v = np.clip(v, 0.0, 1.0)
            lo, hi = np.asarray(self.minimum), np.asarray(self.maximum)
            x = lo + v * (hi - lo)
            for j, c in enumerate(self.continuous):
                out[c] = x[:, j]
        pos = k
        for c in self.categorical:
            levels = self.levels[c]
            idx = values[:, pos:pos + len(levels)].argmax(axis=1)
            out[c] = pd.Series(np.asarray(levels, dtype=object)[idx])
            pos += len(levels)
        return pd.DataFrame(out)

    def to_dict(self) -> dict:
        return {"continuous": self.continuous, "categorical": self.categorical, "minimum": self.minimum,
                "maximum": self.maximum, "levels": self.levels}

    @classmethod
    def from_dict(cls, d: dict) -> StepEncoder:
        enc = cls(d["continuous"], d["categorical"])
        enc.minimum, enc.maximum, enc.levels = d["minimum"], d["maximum"], d["levels"]
        return enc


def condition_schedule(encoder: StepEncoder, column: str, value: Any) -> list:
    """A condition given by a user, as per-step values of ``encoder``'s condition ``column`` (length 1 for a
    constant).

    ``value`` is a constant (``5``, ``"B"``), a schedule of ``(value, n_steps)`` segments
    (``[(0, 160), (5, 320)]``), or a sequence of per-step values. Categorical values are matched to the
    training levels (``"5"`` matches ``5``); continuous ones must be numbers.

    Raises
    ------
    ConditionError
        Unknown condition column, a value never seen in training, a segment of less than one step, or a
        non-number for a continuous condition.
    """
    from .errors import ConditionError
    from .schema import match_level

    if column not in encoder.categorical and column not in encoder.continuous:
        known = encoder.categorical + encoder.continuous
        raise ConditionError(f"unknown condition column {column!r}; the model was conditioned on: "
                             f"{', '.join(known) or 'nothing (fit with condition=...)'}.")
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, tuple) and len(v) == 2 for v in value):
        out = []
        for v, k in value:
            if int(k) < 1:
                raise ConditionError(f"condition {column}: a schedule segment needs at least 1 step, got {k}.")
            out += [v] * int(k)
        values = out
    elif isinstance(value, (list, tuple, np.ndarray, pd.Series)):
        values = list(value)
    else:
        values = [value]
    if column in encoder.categorical:
        levels = encoder.levels[column]
        matched = {}
        for v in set(map(str, values)):
            i = match_level(levels, v)
            if i is None:
                raise ConditionError(
                    f"condition {column}={v!r}: this value never occurs in the training data; known values: "
                    f"{', '.join(map(str, levels[:25]))}{' ...' if len(levels) > 25 else ''}.")
            matched[v] = levels[i]
        return [matched[str(v)] for v in values]
    try:
        return [float(v) for v in values]
    except (TypeError, ValueError) as exc:
        raise ConditionError(f"condition {column}: {exc}; give numbers for a continuous condition.") from None


def _py(v: Any) -> Any:
    """NumPy scalars -> Python scalars (JSON-safe, and equal across a save/load)."""
    return v.item() if isinstance(v, np.generic) else v


def observed_mean_std(x: np.ndarray, observed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-feature mean and standard deviation over the observed cells of ``x (n_steps, dim)`` (``observed``:
    1 observed, 0 missing, same shape), as float64 ``(dim,)`` each; a feature with no observed cell gets 0 and 0."""
    x, o = np.asarray(x, np.float64), np.asarray(observed, np.float64)
    n = np.maximum(o.sum(0), 1.0)
    mean = (x * o).sum(0) / n
    return mean, np.sqrt((((x - mean) ** 2) * o).sum(0) / n)


class ConditionScaler:
    """Per-condition standardisation of the continuous tags (condition-wise normalisation).

    For each combination ``k`` of the categorical condition levels (a fault id, an operating mode) and each
    continuous tag ``j``, the encoded value ``x`` (in ``[0, 1]``) becomes ``r = (x - mean[k, j]) / std[k, j]``,
    clipped to ``[-clip, clip]`` and min-max scaled to ``[0, 1]`` over all conditions. A recurrent generator
    then models how the tags move around the condition's operating point, and the condition's level and spread
    come back exactly through the inverse. It is the conditional counterpart of mode-specific normalisation
    (CTGAN, Xu et al. 2019): a fault that shifts one tag (TEP's step faults) or widens its spread (the random
    variation faults) is represented by construction, instead of having to be discovered by the adversarial
    game among the dozens of tags that do not move.

    The statistics come from the observed cells. A combination seen on fewer than ``min_count`` observed cells
    of a tag uses the tag's overall mean and standard deviation; a spread is floored at ``floor`` times the
    tag's overall one (a valve stuck at one position has none), and a tag whose observed values under a
    combination spread by no more than ``constant_tol`` (encoded units, a fraction of the tag's range) is
    inverted to exactly its value there: a stuck valve comes back stuck, not with a generator's small jitter.

    Parameters
    ----------
    spans : list of StepSpan
        The condition encoder's spans; only the categorical ones define combinations.
    n_cont : int
        Continuous tags: the first ``n_cont`` dims of the encoded steps.
    """

    max_combinations = 4096
    constant_tol = 1e-6

    def __init__(self, spans: list[StepSpan], n_cont: int, clip: float = 5.0, floor: float = 0.02,
                 min_count: int = 10):
        self.cat = [(s.start, s.width) for s in spans if s.kind == "categorical"]
        self.n_cont, self.clip, self.floor, self.min_count = n_cont, clip, floor, min_count

    @classmethod
    def applies(cls, spans: list[StepSpan], n_cont: int) -> bool:
        widths = [s.width for s in spans if s.kind == "categorical"]
        return n_cont > 0 and bool(widths) and int(np.prod(widths)) <= cls.max_combinations

    def key(self, c):
        """Encoded conditions ``(..., cond_dim)`` (NumPy or torch) -> combination index ``(...)``."""
        out = 0
        for a, w in self.cat:
            out = out * w + c[..., a:a + w].argmax(-1)
        return out

    def fit(self, x: np.ndarray, observed: np.ndarray, c: np.ndarray) -> ConditionScaler:
        """``x``, ``observed`` ``(n_steps, dim)`` encoded steps and mask, ``c`` ``(n_steps, cond_dim)``."""
        k = self.n_cont
        n_keys = int(np.prod([w for _, w in self.cat]))
        key = self.key(c)
        v, o = x[:, :k].astype(np.float64), observed[:, :k].astype(np.float64)
        count = np.zeros((n_keys, k))
        total = np.zeros((n_keys, k))
        square = np.zeros((n_keys, k))
        np.add.at(count, key, o)
        np.add.at(total, key, v * o)
        np.add.at(square, key, v * v * o)
        mean_all, std_all = observed_mean_std(v, o)
        std_all = np.where(std_all > 0, std_all, 1.0)
        ok = count >= self.min_count
        mean = np.where(ok, total / np.maximum(count, 1), mean_all)
        std = np.sqrt(np.maximum(np.where(ok, square / np.maximum(count, 1) - mean ** 2, std_all ** 2), 0.0))
        self.mean = mean
        self.std = np.maximum(std, self.floor * std_all)
        # a tag that does not move at all under a combination (a valve stuck at one position, a tag switched off
        # in a mode) is generated as exactly that constant
        self.constant = ok & (std <= self.constant_tol)
        r = np.clip((v - self.mean[key]) / self.std[key], -self.clip, self.clip)
        seen = o > 0
        lo = np.where(seen, r, np.inf).min(0)
        hi = np.where(seen, r, -np.inf).max(0)
        self.lo = np.where(np.isfinite(lo), lo, -1.0)
        self.hi = np.where(np.isfinite(hi) & (hi > self.lo), hi, self.lo + 1.0)
        return self

    def transform(self, x: np.ndarray, c: np.ndarray) -> np.ndarray:
        """Encoded steps ``(n_steps, dim)`` -> the same with the continuous tags standardised per condition."""
        key = self.key(c)
        out = x.copy()
        r = np.clip((x[:, :self.n_cont] - self.mean[key]) / self.std[key], -self.clip, self.clip)
        out[:, :self.n_cont] = (r - self.lo) / (self.hi - self.lo)
        return out

    def inverse(self, v, c):
        """Torch tensors ``(..., dim)`` standardised steps and ``(..., cond_dim)`` conditions -> encoded steps
        (differentiable; the categorical dims pass through)."""
        import torch

        dev, k = v.device, self.n_cont
        if getattr(self, "_dev", None) != dev:
            t = lambda a: torch.as_tensor(a, dtype=torch.float32, device=dev)  # noqa: E731
            self._tables = (t(self.mean), t(self.std), t(self.lo), t(self.hi),
                            torch.as_tensor(self.constant, dtype=torch.bool, device=dev))
            self._dev = dev
        mean, std, lo, hi, constant = self._tables
        key = self.key(c)
        x = mean[key] + std[key] * (lo + v[..., :k] * (hi - lo))
        x = torch.where(constant[key], mean[key], x)
        return torch.cat([x, v[..., k:]], -1)

    def to_dict(self) -> dict:
        return {"cat": self.cat, "n_cont": self.n_cont, "clip": self.clip, "floor": self.floor,
                "min_count": self.min_count, "mean": self.mean.tolist(), "std": self.std.tolist(),
                "lo": self.lo.tolist(), "hi": self.hi.tolist(), "constant": self.constant.tolist()}

    @classmethod
    def from_dict(cls, d: dict) -> ConditionScaler:
        out = cls([], d["n_cont"], d["clip"], d["floor"], d["min_count"])
        out.cat = [tuple(p) for p in d["cat"]]
        out.mean, out.std = np.asarray(d["mean"]), np.asarray(d["std"])
        out.lo, out.hi = np.asarray(d["lo"]), np.asarray(d["hi"])
        # files written before constant tags were kept exact have none
        out.constant = np.asarray(d.get("constant", np.zeros(out.mean.shape, dtype=bool)), dtype=bool)
        return out


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


def detect_sample_hold(x: np.ndarray, observed: np.ndarray, offsets: np.ndarray, names: list[str],
                       min_share: float = 0.9, min_runs: int = 10, max_period: int = 60) -> list[HeldGroup]:
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
