"""Logs to tensors for the super-resolution GAN, and back.

The fine log goes through the shared core like every log: :func:`indgan.timegrid.prepare_log` (schema, model
view, one regular grid per entity at the sampling interval, conditions on the grid). Then:

- the **tags** (continuous numeric columns other than the time, entity and condition columns) are standardised
  **linearly**, each by its observed mean and standard deviation (:class:`TagScaler`). The consistency projection
  (:func:`indgan.superres.networks.project`) subtracts block-mean errors or interpolated sample errors; both are
  linear maps, and a linear per-tag scaling commutes with them, so a series consistent with the coarse data in
  the scaled space is consistent after decoding to user units too. Mode-specific normalisation (CTGAN's
  variational Gaussian mixtures) maps each value through a data-dependent, piecewise non-linear code: the mean of
  decoded values is then not the decoding of the mean, and exact block means would be lost;
- the **other columns** (categorical tags, historian status columns) and the conditions are not super-resolved:
  each fine step carries the value of its coarse row;
- training windows of ``window * factor`` fine steps are cut inside each entity (:func:`indgan.timegrid.window_starts`);
  windows with a larger share of missing cells than ``max_missing`` are left out, and the missing cells of the
  others are filled by linear interpolation along time within the entity (training only; nothing is filled in
  output).

Coarse data (:func:`prepare_coarse`) takes the same path on its own grid, whose interval must be ``factor``
times the fine one. A coarse row is timestamped at the first fine step of its block (pandas' ``resample``
default, ``label="left"``): with ``coarse="mean"`` it is the mean of the fine steps ``t, t + dt, ...,
t + (factor - 1) dt``, with ``coarse="sample"`` the fine sample at ``t``. :func:`coarsen` makes such coarse data
from a fine log.
"""

from __future__ import annotations

import itertools
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..encoding import RangeEncoder
from ..errors import DataError
from ..schema import CONSTANT, CONTINUOUS, Schema, time_values
from ..timegrid import (
    LogInput,
    format_interval,
    SequenceGrid,
    fill_conditions,
    make_windows,
    to_grid,
    window_starts,
)


class TagScaler:
    """Per-tag linear standardisation ``z = (x - mean) / std`` (std floored at ``1e-6`` of the tag's scale, 1 for a
    constant tag). Linear, so the consistency projection holds in both spaces (see the module docstring)."""

    def fit(self, x: np.ndarray) -> TagScaler:
        """``x`` ``(n_steps, n_tags)`` float with NaN for missing cells."""
        with np.errstate(all="ignore"):
            mean = np.nanmean(x, 0)
            std = np.nanstd(x, 0)
        self.mean = np.where(np.isfinite(mean), mean, 0.0)
        scale = np.maximum(np.abs(self.mean), 1.0)
        self.std = np.where(np.isfinite(std) & (std > 1e-6 * scale), std, 1.0)
        return self

    def transform(self, x: np.ndarray) -> np.ndarray:
        return ((x - self.mean) / self.std).astype(np.float32)

    def inverse(self, z: np.ndarray) -> np.ndarray:
        return z.astype(np.float64) * self.std + self.mean

    def to_dict(self) -> dict:
        return {"mean": self.mean.tolist(), "std": self.std.tolist()}

    @classmethod
    def from_dict(cls, d: dict) -> TagScaler:
        out = cls()
        out.mean, out.std = np.asarray(d["mean"], dtype=np.float64), np.asarray(d["std"], dtype=np.float64)
        return out


def split_columns(schema: Schema, view: pd.DataFrame, conditions: list[str]) -> tuple[list[str], list[str]]:
    """``(tags, carried)``: the continuous numeric model-view columns that are super-resolved, and the other
    columns (not time, entity or conditions) that each fine step takes from its coarse row."""
    time_col, entity_col = schema.time_column, schema.entity_column
    rest = [c for c in view.columns if c not in (time_col, entity_col) and c not in conditions]

    def continuous(c: str) -> bool:
        try:
            return schema[c].role == CONTINUOUS and pd.api.types.is_numeric_dtype(view[c])
        except KeyError:  # a status column
            return False

    tags = [c for c in rest if continuous(c)]
    return tags, [c for c in rest if c not in tags]


def fill_along_time(x: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Missing cells of ``x`` ``(n_steps, n_tags)`` filled by linear interpolation along time inside each entity
    (held at the ends); a tag empty for a whole entity stays NaN."""
    out = np.empty_like(x)
    for a, b in itertools.pairwise(offsets):  # one call per entity, not per row
        out[a:b] = pd.DataFrame(x[a:b]).interpolate(limit_direction="both").to_numpy()
    return out


@dataclass
class FineData:
    """What :func:`prepare_fine` makes of a fine log."""

    tags: list
    carried: list
    scaler: TagScaler
    cond_encoder: RangeEncoder
    z: np.ndarray  # (n_steps, n_tags) float32, standardised, gaps filled
    cond: np.ndarray  # (n_steps, cond_dim) float32
    starts: np.ndarray  # (n_windows,) int64
    window: int  # coarse steps per training window
    n_left_out: int  # windows left out for missing cells


def auto_window(lengths: np.ndarray, factor: int, wanted: int | None) -> int:
    """Coarse steps per training window: ``wanted``, or 16 capped so that most entities (the 25% quantile of
    their lengths) hold a window, at least 2."""
    if wanted is not None:
        return int(wanted)
    return int(max(2, min(16, np.quantile(lengths, 0.25) // factor)))


def prepare_fine(log: LogInput, factor: int, window: int | None, stride: int | None, max_missing: float) -> FineData:
    """Standardise the tags of a fine log and cut its training windows.

    Raises
    ------
    DataError
        No continuous tag to super-resolve, every entity shorter than one window of ``window * factor`` fine
        steps, or every window with too many missing cells.
    """
    schema, grid, source = log.schema, log.grid, log.source
    tags, carried = split_columns(schema, log.view, log.conditions)
    if not tags:
        raise DataError(f"{source}: no continuous tag to super-resolve once time, entity and conditions are set aside.")
    x = grid.frame[tags].to_numpy(dtype=np.float64)
    empty = [t for t, ok in zip(tags, np.isfinite(x).any(0)) if not ok]
    if empty:
        raise DataError(f"{source}: tag(s) {empty[:5]!r} hold no number at all; drop them or mark them ignored.")
    scaler = TagScaler().fit(x)
    lengths = grid.lengths
    window = auto_window(lengths, factor, window)
    steps = window * factor
    if lengths.max() < steps:
        raise DataError(
            f"{source}: every {'entity' if schema.entity_column else 'log'} is shorter than one training "
            f"window of {window} coarse steps x {factor} = {steps} fine steps (the longest has "
            f"{int(lengths.max())}); lower window= or the factor."
        )
    starts = window_starts(grid.offsets, steps, stride or max(1, steps // 4))
    missing = make_windows((~np.isfinite(x)).mean(1), starts, steps).mean(1)
    keep = missing <= max_missing
    if not keep.any():
        raise DataError(
            f"{source}: every window of {steps} fine steps has more than {max_missing:.0%} missing "
            "cells; nothing to learn from."
        )
    z = scaler.transform(fill_along_time(x, grid.offsets))
    z = np.where(np.isfinite(z), z, 0.0).astype(np.float32)
    cond_encoder = RangeEncoder(
        [c for c in log.conditions if _is_continuous(schema, log.view, c)],
        [c for c in log.conditions if not _is_continuous(schema, log.view, c)],
    )
    cond_encoder.fit(log.condition_frame)
    cond, _ = cond_encoder.transform(log.condition_frame)
    return FineData(
        tags, carried, scaler, cond_encoder, z, cond.astype(np.float32), starts[keep], window, int((~keep).sum())
    )


def _is_continuous(schema: Schema, view: pd.DataFrame, column: str) -> bool:
    try:
        return schema[column].role == CONTINUOUS and pd.api.types.is_numeric_dtype(view[column])
    except KeyError:
        return False


@dataclass
class CoarseInput:
    """Coarse data on its grid, for :meth:`SuperResolutionGAN.upsample`."""

    grid: SequenceGrid
    view: pd.DataFrame  # the coarse model view on the grid (gap rows empty)
    z: np.ndarray  # (n_coarse_steps, n_tags) float32, standardised, gaps filled (network input)
    missing: np.ndarray  # (n_coarse_steps, n_tags) bool: the coarse cell was missing (its block stays missing)
    values: np.ndarray  # (n_coarse_steps, n_tags) float64 coarse values in user units (NaN where missing)
    cond: np.ndarray  # (n_coarse_steps, cond_dim) float32
    condition_frame: pd.DataFrame


def _level_text(s: pd.Series) -> pd.Series:
    """Condition levels as text to compare, a whole number written the same as an int or a float (fault ``0`` and
    ``0.0``: a coarse archive whose grid had gaps holds the condition as floats)."""
    num = pd.to_numeric(s, errors="coerce")
    whole = num.notna() & np.isfinite(num) & (num == np.round(num))
    out = s.astype(str)
    out[whole.to_numpy()] = num[whole].astype(np.int64).astype(str).to_numpy()
    return out


def held_constant(schema: Schema, data: pd.DataFrame) -> list[str]:
    """Columns constant in training (role constant) that ``data`` holds: :meth:`SuperResolutionGAN.upsample`
    carries their coarse values to every fine step of the block instead of the training constant."""
    return [c.name for c in schema.columns if c.role == CONSTANT and c.name in data.columns]


def prepare_coarse(
    data: pd.DataFrame,
    schema: Schema,
    tags: list[str],
    conditions: list[str],
    cond_encoder: RangeEncoder,
    scaler: TagScaler,
    fine_interval: float,
    factor: int,
    window: int,
    time_dtype: str,
    source: str,
) -> CoarseInput:
    """Read coarse data with the model's schema and check it against the model.

    Raises
    ------
    DataError
        A column of the model missing; bad timestamps; an entity with fewer than ``window`` coarse steps; a coarse
        interval that is not ``factor`` times the model's fine interval.
    ConditionError
        A condition empty for a whole entity, or a value of a categorical condition the model never saw.
    """
    view = schema.view(data)
    # a tag constant in training has no learned texture, but its coarse values are still the archive's: carried
    # (each fine step holds its block's value, so block means and kept samples stay exact), never the constant
    for c in held_constant(schema, data):
        view[c] = data[c].to_numpy()
    time_col, entity_col = schema.time_column, schema.entity_column
    if time_col not in view.columns:
        raise DataError(f"{source}: the time column {time_col!r} of the model is missing.")
    counts = (
        view.groupby(view[entity_col].astype(object), sort=False).size()
        if entity_col
        else pd.Series([len(view)], index=[None])
    )
    if counts.min() < window:
        where = f" ({entity_col} {counts.idxmin()!r})" if entity_col else ""
        raise DataError(
            f"{source}: {int(counts.min())} coarse step(s){where}, fewer than one window of {window} coarse "
            f"steps the model needs ({window * factor} fine steps); give a longer stretch of coarse data."
        )
    grid = to_grid(view, time_col, entity_col, source=source)
    want = fine_interval * factor
    if abs(grid.interval - want) > 1e-6 * want:
        raise DataError(
            f"{source}: coarse interval {format_interval(grid.interval, time_dtype)} is not the model's "
            f"factor {factor} x its fine interval {format_interval(fine_interval, time_dtype)} "
            f"(= {format_interval(want, time_dtype)}); give coarse data every "
            f"{format_interval(want, time_dtype)}, or fit a model with that factor."
        )
    short = grid.lengths.min()
    if short < window:
        raise DataError(f"{source}: an entity spans {int(short)} coarse step(s), fewer than one window of {window}.")
    values = grid.frame[tags].to_numpy(dtype=np.float64)
    missing = ~np.isfinite(values)
    z = scaler.transform(fill_along_time(values, grid.offsets))
    z = np.where(np.isfinite(z), z, 0.0).astype(np.float32)
    cframe = fill_conditions(grid, conditions, entity_col, source)
    for col in cond_encoder.categorical:  # a level the model never saw would silently encode as none
        known = _level_text(pd.Series(cond_encoder.levels[col], dtype=object))
        unseen = ~_level_text(cframe[col]).isin(known)
        if unseen.any():
            from ..errors import ConditionError

            row = int(np.flatnonzero(unseen.to_numpy())[0])
            raise ConditionError(
                f"{source}: condition {col!r} is {str(cframe[col].iloc[row])!r} at coarse step {row}, a "
                f"value the model was not trained on (it knows {', '.join(known[:10])})."
            )
    cond = (
        cond_encoder.transform(cframe)[0].astype(np.float32) if conditions else np.zeros((len(values), 0), np.float32)
    )
    return CoarseInput(grid, grid.frame, z, missing, values, cond, cframe)


def coarsen(
    data: pd.DataFrame,
    factor: int,
    how: str = "mean",
    schema: Schema | None = None,
    time: str | None = None,
    entity: str | None = None,
) -> pd.DataFrame:
    """A coarse archive of a fine log: per entity, each block of ``factor`` consecutive grid steps becomes one row
    timestamped at the block's first step; continuous tags become the block mean of the observed values
    (``how="mean"``, a historian's averaged archive) or the block's first sample (``how="sample"``, every
    ``factor``-th sample kept); every other column takes the block's first row. A trailing partial block is
    dropped. ``data`` is not modified.

    Parameters
    ----------
    data : pandas.DataFrame
        ``(n_rows, n_columns)`` fine log with a time column.
    factor : int
        Fine steps per coarse row (>= 2).
    how : {"mean", "sample"}
    schema : Schema, optional
        Column roles (inferred when omitted; ``time`` / ``entity`` override the inference).

    Returns
    -------
    pandas.DataFrame
        ``(n_blocks, n_columns)``: the input's columns; tags as float64 (not rounded).

    Raises
    ------
    DataError
        No time column, bad timestamps, or no entity with a whole block.
    """
    from ..schema import infer_schema

    if how not in ("mean", "sample"):
        raise DataError(f"how={how!r}: use 'mean' (block means) or 'sample' (every factor-th sample).")
    if schema is None:
        overrides = {k: [v] for k, v in (("time", time), ("entity", entity)) if v}
        schema = infer_schema(data, overrides=overrides or None)
    time_col, entity_col = schema.time_column, schema.entity_column
    if time_col is None:
        raise DataError("coarsen: no time column found; name it with time=...")
    view = schema.view(data)
    grid = to_grid(view, time_col, entity_col)
    tags, _ = split_columns(schema, view, [])
    n_blocks = grid.lengths // factor
    if n_blocks.sum() == 0:
        raise DataError(f"coarsen: no entity has {factor} steps.")
    first = np.concatenate([a + factor * np.arange(k) for a, k in zip(grid.offsets[:-1], n_blocks)]).astype(np.int64)
    out = grid.frame.iloc[first].reset_index(drop=True)
    x = grid.frame[tags].to_numpy(dtype=np.float64)
    if how == "mean":
        blocks = x[first[:, None] + np.arange(factor)]  # (n_blocks, factor, n_tags)
        with warnings.catch_warnings():  # an all-missing block stays missing
            warnings.simplefilter("ignore", RuntimeWarning)
            means = np.nanmean(blocks, 1)
        out[tags] = means
    frame = schema.restore(out)
    for t in tags:
        if not schema[t].statuses:
            frame[t] = out[t].to_numpy(dtype=np.float64)
    if time_values(frame[time_col]).isna().any():
        raise DataError("coarsen: the time column came back empty.")
    return frame
