"""Schema inference: :func:`infer_schema` gives every column of a table its role.

The rules (a time column, an entity, status strings, operating states, constant and nested columns...) are
listed in :mod:`indgan.schema`; here also the long-form entity (a multi-asset export without an entity column
by name: :func:`_infer_long_form_entity`) and the user's overrides (:func:`_parse_overrides`).
"""

from __future__ import annotations

import logging
import re

import numpy as np
import pandas as pd

from ..errors import ConfigError, DataError
from .roles import CATEGORICAL, CONSTANT, CONTINUOUS, ENTITY, IGNORED, TIME, ColumnSpec, jsonable
from .table import Schema
from .times import _looks_like_datetime, _text_time_format, _time_resolution, _zone_name, time_values
from .values import _decimals, _numeric_with_status, exact_numbers, status_codes

log = logging.getLogger(__name__)


_TIME_NAME = re.compile(
    r"(^|[_\s])(time|timestamp|datetime|date|clock|clocktime)$|^(clocktime|timestamp|datetime)", re.I
)
_ENTITY_NAME = re.compile(
    r"(^|[_\s])(id|batch|batch_id|batchid|unit|run|entity|lot|asset|well)$|^(batch|unit|run|lot)(?![a-z])", re.I
)


def infer_schema(
    df: pd.DataFrame,
    overrides: dict | None = None,
    max_discrete_levels: int = 10,
    max_categories: int = 1000,
    source: str = "table",
) -> Schema:
    """Infer the role of every column of ``df``.

    Parameters
    ----------
    df : pandas.DataFrame
        ``(n_rows, n_columns)`` input table, as read by :func:`indgan.adapters.files.read_table`. Not modified.
    overrides : dict, optional
        Roles forced by the user: ``{"time": "timestamp", "entity": "batch_id", "categorical": [...],
        "continuous": [...], "ignore": [...]}`` (the ``[columns]`` table of a TOML config).
    max_discrete_levels : int, default 10
        Numeric columns with at most this many distinct values are categorical (operating states).
    max_categories : int, default 1000
        String columns with more distinct values than this are ignored (free text, unique ids), with a
        warning; force them with ``categorical = [...]``.
    source : str
        Name of the input used in error messages (a file name).

    Returns
    -------
    Schema

    Raises
    ------
    DataError
        Empty table, duplicate column names, an all-missing column, or no column left to model.
    ConfigError
        An override names a column that does not exist or an unknown role.
    """
    if not isinstance(df, pd.DataFrame):
        raise DataError(f"{source}: expected a pandas DataFrame, got {type(df).__name__}.")
    source = df.attrs.get("source", source) if source == "table" else source
    if df.shape[1] == 0:
        raise DataError(f"{source}: the table has no columns.")
    if len(df) == 0:
        raise DataError(f"{source}: the table has no rows; indgan needs data to learn from.")
    names = [str(c) for c in df.columns]
    if len(set(names)) != len(names):
        dupes = sorted({n for n in names if names.count(n) > 1})
        raise DataError(f"{source}: duplicate column name(s) {dupes!r}; make every column name unique.")
    if any(not isinstance(c, str) for c in df.columns):
        raise DataError(f"{source}: column names must be strings; rename them (df.columns = df.columns.astype(str)).")

    forced = _parse_overrides(overrides or {}, names, source)
    all_missing = [c for c in names if df[c].isna().all() and forced.get(c) != IGNORED]
    if all_missing:
        raise DataError(
            f"{source}: column(s) {all_missing!r} are entirely missing; drop them, or set "
            f"ignore = {all_missing!r} in the [columns] table of the config."
        )

    specs: list[ColumnSpec] = []
    have_time = any(r == TIME for r in forced.values())
    have_entity = any(r == ENTITY for r in forced.values())
    for name in names:
        s = df[name]
        spec = _infer_column(
            name,
            s,
            forced.get(name),
            max_discrete_levels,
            max_categories,
            allow_time=not have_time,
            allow_entity=not have_entity,
            distinct_hint=(df.attrs.get("distinct_values") or {}).get(name),
        )
        if spec.role == TIME:
            have_time = True
        if spec.role == ENTITY:
            have_entity = True
        specs.append(spec)

    if have_time and not have_entity:
        _infer_long_form_entity(df, specs, max_categories, source)
    stats = df.attrs.get("column_stats") or {}  # a sampled dataset: ranges and missing cells of the whole data
    for spec in specs:
        st = stats.get(spec.name)
        if st and spec.role == CONTINUOUS and spec.minimum is not None:
            if np.isfinite(st["min"]):
                spec.minimum = min(spec.minimum, st["min"])
            if np.isfinite(st["max"]):
                spec.maximum = max(spec.maximum, st["max"])
            spec.has_missing = spec.has_missing or st["nulls"] > 0
    schema = Schema(specs)
    if not schema.modelled:
        raise DataError(
            f"{source}: no usable column: every column is constant or ignored "
            f"({', '.join(f'{c.name}={c.role}' for c in specs[:5])}{'...' if len(specs) > 5 else ''}). "
            "indgan needs at least one column that varies."
        )
    return schema


#: A long-form table: the time repeats on at least this share of the rows ...
LONG_FORM_REPEATS = 0.2
#: ... and (column, time) repeats on at most this share (a few duplicated timestamps, e.g. a clock change).
LONG_FORM_RESIDUE = 0.01


def _infer_long_form_entity(df: pd.DataFrame, specs: list[ColumnSpec], max_categories: int, source: str) -> None:
    """A long-form multi-asset export (one row per asset and time, the asset named in a column) has no entity
    column by name, but the data say which it is: the time repeats, and (column, time) does not. The categorical
    (or integer) column with at most ``max_categories`` values that makes (column, time) unique, up to
    ``LONG_FORM_RESIDUE`` of the rows, becomes the entity (the one with the fewest repeats, then fewest values);
    a warning says so up front."""
    time_spec = next(c for c in specs if c.role == TIME)
    t = df[time_spec.name]
    n = len(df)
    repeats = 1.0 - t.nunique(dropna=False) / n
    if n < 4 or repeats < LONG_FORM_REPEATS:
        return
    best = None
    for spec in specs:
        if spec.role not in (CATEGORICAL, CONTINUOUS) or spec.statuses:
            continue
        col = df[spec.name]
        if spec.role == CONTINUOUS and not _is_integer(col):
            continue
        levels = col.nunique(dropna=False)
        if not 2 <= levels <= max_categories:
            continue
        residue = 1.0 - len(pd.MultiIndex.from_arrays([col, t]).unique()) / n
        if residue <= LONG_FORM_RESIDUE and (best is None or (residue, levels) < best[:2]):
            best = (residue, levels, spec)
    if best is None:
        return
    residue, levels, spec = best
    spec.role = ENTITY
    spec.statuses = []
    log.warning(
        "%s: time %r repeats on %.0f%% of the rows and (%s, time) is unique%s: %r is taken as the entity "
        'column (%d entities, one log each). Set the entity yourself with --entity (entity = "..." in '
        "[columns]).",
        source,
        time_spec.name,
        100 * repeats,
        spec.name,
        "" if residue == 0 else f" but for {round(residue * n)} row(s)",
        spec.name,
        levels,
    )


def _parse_overrides(overrides: dict, names: list[str], source: str) -> dict[str, str]:
    forced: dict[str, str] = {}
    keymap = {
        "time": TIME,
        "entity": ENTITY,
        "continuous": CONTINUOUS,
        "categorical": CATEGORICAL,
        "ignore": IGNORED,
        "ignored": IGNORED,
    }
    for key, cols in overrides.items():
        if key not in keymap:
            raise ConfigError(f"unknown column role {key!r} in the [columns] config; use one of {sorted(keymap)}.")
        if isinstance(cols, str):
            cols = [cols]
        for col in cols:
            if col not in names:
                raise ConfigError(f"the [columns] config sets {key} = {col!r}, but {source} has no column {col!r}.")
            forced[col] = keymap[key]
    return forced


def _infer_column(
    name, s, forced, max_discrete_levels, max_categories, allow_time, allow_entity, distinct_hint: int | None = None
) -> ColumnSpec:
    dtype = str(s.dtype)
    has_missing = bool(s.isna().any())
    spec = ColumnSpec(name=name, role=CONTINUOUS, dtype=dtype, has_missing=has_missing)

    if forced == IGNORED:
        spec.role = IGNORED
        return spec
    if _is_nested(s):
        if forced is not None:
            raise ConfigError(
                f"column {name!r} holds lists or structs (nested parquet), which cannot be a {forced} "
                "column; flatten it into scalar columns first."
            )
        log.warning(
            "column %r holds lists or structs (nested parquet); it is ignored (passed through by impute). "
            "Flatten it into scalar columns to model it.",
            name,
        )
        spec.role = IGNORED
        return spec
    nunique = s.nunique(dropna=False)
    if distinct_hint is not None:  # a sample of a larger dataset: the distinct values of the whole data
        nunique = max(nunique, distinct_hint)
    if forced is None and nunique == 1:
        spec.role = CONSTANT
        spec.constant = jsonable(s.iloc[0])
        return spec

    is_bool = pd.api.types.is_bool_dtype(s)
    is_numeric = pd.api.types.is_numeric_dtype(s) and not is_bool
    is_datetime = pd.api.types.is_datetime64_any_dtype(s)
    statuses = None
    if not (is_numeric or is_datetime or is_bool) and forced != CATEGORICAL:
        statuses = _numeric_with_status(s)

    # time
    if forced == TIME or (
        forced is None
        and allow_time
        and (
            is_datetime
            or (not is_numeric and statuses is None and _looks_like_datetime(s))
            or (is_numeric and _TIME_NAME.search(name) and _is_integer(s))
        )
    ):
        spec.role = TIME
        spec.statuses = []
        t = time_values(s)
        if t.notna().sum() == 0:
            raise DataError(f"column {name!r} is set as the time column but none of its values is a time.")
        spec.minimum, spec.maximum = float(t.min()), float(t.max())
        spec.integer = True
        spec.resolution = _time_resolution(t.dropna().to_numpy(), numeric=is_numeric)
        if is_datetime and getattr(s.dt, "tz", None) is not None:
            spec.time_zone = _zone_name(s.dt.tz)
        elif not is_numeric and not is_datetime:
            spec.time_format, spec.time_zone = _text_time_format(s)
        return spec

    # entity
    if forced == ENTITY or (
        forced is None
        and allow_entity
        and _ENTITY_NAME.search(name)
        and (not is_numeric or _is_integer(s))
        and nunique < len(s)
        and nunique <= max_categories
    ):
        spec.role = ENTITY
        return spec

    if forced == CATEGORICAL or is_bool:
        spec.role = CATEGORICAL
        return spec

    if is_numeric or statuses is not None or forced == CONTINUOUS:
        values = s if is_numeric else exact_numbers(s)
        values = values.astype("float64")
        if forced == CONTINUOUS and not is_numeric and statuses is None:
            statuses = _numeric_with_status(s, max_statuses=10**9, min_numeric_share=0.0) or []
        distinct = max(values.dropna().nunique(), distinct_hint or 0)
        if forced is None and is_numeric and distinct <= max_discrete_levels:
            spec.role = CATEGORICAL
            return spec
        spec.role = CONTINUOUS
        spec.statuses = list(statuses or [])
        v = values.to_numpy()
        n_inf = int(np.isinf(v).sum())
        if n_inf:
            log.warning(
                "column %r: %d infinite value(s) (a historian's overflow?) are treated as bad values: missing "
                "for learning, filled by impute.",
                name,
                n_inf,
            )
        spec.has_missing = bool(s.isna().any()) or n_inf > 0
        if is_numeric:
            spec.codes = status_codes(v)
            if spec.codes:
                log.info(
                    "column %r: %s read as status code(s) (a failed reading's number, far outside the tag's range), "
                    "not as values.",
                    name,
                    ", ".join(f"{c:g}" for c in spec.codes),
                )
        finite = v[np.isfinite(v) & ~np.isin(v, spec.codes)]
        if finite.size == 0:
            raise DataError(f"column {name!r} holds no number; set its role to categorical or ignore it in the config.")
        spec.minimum, spec.maximum = float(finite.min()), float(finite.max())
        spec.integer = bool(np.all(finite == np.round(finite)))
        spec.decimals = 0 if spec.integer else _decimals(finite)
        return spec

    # strings / categories
    if nunique > max_categories:
        log.warning(
            "column %r has %d distinct values (free text or ids?); it is ignored. Set categorical = [%r] in the "
            "[columns] config to model it.",
            name,
            nunique,
            name,
        )
        spec.role = IGNORED
        return spec
    spec.role = CATEGORICAL
    return spec


def _is_integer(s: pd.Series) -> bool:
    v = pd.to_numeric(s, errors="coerce").dropna().to_numpy(dtype="float64")
    return v.size > 0 and bool(np.all(v == np.round(v)))


def _is_nested(s: pd.Series) -> bool:
    """Whether a column holds lists, arrays or dicts (nested parquet: list or struct columns)."""
    if isinstance(s.dtype, pd.ArrowDtype):
        import pyarrow as pa

        return bool(pa.types.is_nested(s.dtype.pyarrow_dtype))
    if s.dtype != object:
        return False
    head = s.dropna().iloc[:100]
    return bool(len(head)) and bool(head.map(lambda v: isinstance(v, (list, tuple, dict, np.ndarray, set))).any())
