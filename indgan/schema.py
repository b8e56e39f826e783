"""Column roles: which column is the time, the entity, a condition, continuous or categorical.

Second stop of the data path. :func:`infer_schema` looks at a DataFrame the way a process engineer would:

- a datetime column (or a column of date strings) is the **time** column; an integer column named like
  ``time``/``clock``/``timestamp`` is a numeric time (sample index);
- a column named like ``batch_id``, ``unit``, ``run`` with repeated values is the **entity**;
- a column of numbers that also holds a few historian **status strings** ("Bad", "Scan Timeout",
  "Inp OutRange") is continuous: the strings become missing values and are kept as a status category
  (the column ``"<name>:status"`` in the model view) so that synthetic data reproduces how often a tag is bad;
- numbers with at most ``max_discrete_levels`` distinct values (step-like operating states) and strings are
  **categorical**; low-cardinality categoricals are the **condition candidates**;
- **constant** columns are set aside and restored, not modelled;
- any other numeric column is **continuous**. Missing values (NaN) in a continuous column get the same status
  category (level ``"<missing>"``), i.e. a missing-value indicator;
- **infinities** (``inf``/``-inf``, a historian's overflow) in a continuous column are bad values, one rule
  everywhere: missing for learning (never in a range, a mixture or an encoding; the model learns how often the
  tag is missing), filled by the imputer like any other bad value, and counted in a warning naming the column;
- columns of lists or structs (nested parquet) are **ignored** with a warning naming them (flatten them to model
  them): the imputer passes them through unchanged, generated tables hold None there.

Time columns are restored as they came: a tz-aware datetime keeps its zone, a string time its format
(``ColumnSpec.time_format``, checked to write the training strings back exactly, else ISO 8601).

Every role can be overridden (``overrides`` argument, or the ``[columns]`` table of a TOML config).
"""

from __future__ import annotations

import logging
import math
import re
import tomllib
import warnings
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import ConfigError, DataError

log = logging.getLogger(__name__)

TIME, ENTITY, CONTINUOUS, CATEGORICAL, CONSTANT, IGNORED = (
    "time",
    "entity",
    "continuous",
    "categorical",
    "constant",
    "ignored",
)
ROLES = (TIME, ENTITY, CONTINUOUS, CATEGORICAL, CONSTANT, IGNORED)

#: Level of a status column where the tag holds a number.
OK = "<ok>"
#: Level of a status column where the tag is empty (NaN / NULL).
MISSING = "<missing>"
#: Suffix of the status column derived from a continuous column in the model view.
STATUS_SUFFIX = ":status"

_TIME_NAME = re.compile(
    r"(^|[_\s])(time|timestamp|datetime|date|clock|clocktime)$|^(clocktime|timestamp|datetime)", re.I
)
_ENTITY_NAME = re.compile(
    r"(^|[_\s])(id|batch|batch_id|batchid|unit|run|entity|lot|asset|well)$|^(batch|unit|run|lot)(?![a-z])", re.I
)


@dataclass
class ColumnSpec:
    """What indgan knows about one input column.

    Attributes
    ----------
    name : str
        Column name in the input table.
    role : str
        One of ``time``, ``entity``, ``continuous``, ``categorical``, ``constant``, ``ignored``.
    dtype : str
        pandas dtype of the input column, restored on output (``"float64"``, ``"int64"``, ``"object"``,
        ``"datetime64[ns]"``...).
    statuses : list of str
        Historian status strings found among the numbers of a continuous column, most frequent first.
    has_missing : bool
        Whether the column has missing cells (NaN/None) in the training data.
    constant : Any
        The single value of a constant column (JSON-serialisable).
    integer : bool
        Numeric column whose values are all whole numbers (rounded on output).
    decimals : int or None
        Most decimals seen in a numeric column (at most 8); outputs are rounded to it.
    minimum, maximum : float or None
        Range seen in training for continuous and time columns (time in ns since the epoch); generated
        values are clipped to it.
    resolution : float or None
        Time columns: the sampling grid, the largest step (ns for datetimes) dividing every time's distance
        to ``minimum``; generated times are put on that grid.
    time_format : str or None
        Time columns stored as text: the ``strftime`` format that writes the training strings back exactly
        (``"iso"``: ISO 8601 with ``T``; None: ISO 8601 with a space, when no format reproduced them).
    time_zone : str or None
        Time columns whose times carry a zone or UTC offset (tz-aware datetimes, strings with ``+01:00``):
        the zone, restored on output (times are handled as UTC inside).
    """

    name: str
    role: str
    dtype: str
    statuses: list[str] = field(default_factory=list)
    has_missing: bool = False
    constant: Any = None
    integer: bool = False
    decimals: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    resolution: float | None = None
    time_format: str | None = None
    time_zone: str | None = None

    @property
    def status_column(self) -> str | None:
        """Name of the status/missing-indicator column of the model view, or None if there is none."""
        if self.role in (CONTINUOUS, TIME) and (self.statuses or self.has_missing):
            return self.name + STATUS_SUFFIX
        return None

    @property
    def status_levels(self) -> list[str]:
        levels = [OK] + list(self.statuses)
        if self.has_missing:
            levels.append(MISSING)
        return levels


@dataclass
class Schema:
    """The roles of all columns of a table, in input order.

    ``Schema.to_dict`` / ``Schema.from_dict`` give a JSON-safe form stored in model files.
    """

    columns: list[ColumnSpec]
    max_condition_levels: int = 50

    # ------------------------------------------------------------------ access
    def __getitem__(self, name: str) -> ColumnSpec:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def by_role(self, *roles: str) -> list[ColumnSpec]:
        return [c for c in self.columns if c.role in roles]

    @property
    def modelled(self) -> list[ColumnSpec]:
        """Columns a model learns (everything but constant and ignored columns)."""
        return self.by_role(TIME, ENTITY, CONTINUOUS, CATEGORICAL)

    @property
    def time_column(self) -> str | None:
        cols = self.by_role(TIME)
        return cols[0].name if cols else None

    @property
    def entity_column(self) -> str | None:
        cols = self.by_role(ENTITY)
        return cols[0].name if cols else None

    # ------------------------------------------------------------------ (de)serialisation
    def to_dict(self) -> dict:
        return {"columns": [asdict(c) for c in self.columns], "max_condition_levels": self.max_condition_levels}

    @classmethod
    def from_dict(cls, d: dict) -> Schema:
        return cls([ColumnSpec(**c) for c in d["columns"]], d.get("max_condition_levels", 50))

    # ------------------------------------------------------------------ model view
    def view(self, df: pd.DataFrame) -> pd.DataFrame:
        """The model view of ``df``: what models and metrics see.

        Continuous columns become float64 (status strings -> NaN) followed by their status column
        (``"<name>:status"``, levels ``"<ok>"``, the status strings, ``"<missing>"``); time columns stay
        datetime (or numbers); categorical and entity columns are kept as they are; constant and ignored
        columns are dropped. ``df`` is not modified.

        Raises
        ------
        DataError
            If a column of the schema is absent from ``df``.
        """
        absent = [c.name for c in self.columns if c.role not in (CONSTANT, IGNORED) and c.name not in df.columns]
        if absent:
            raise DataError(f"column(s) {absent!r} of the model's schema are missing from the table.")
        out: dict[str, pd.Series] = {}
        for c in self.modelled:
            s = df[c.name]
            if c.role == CONTINUOUS:
                values, status = _split_status(s, c)
                out[c.name] = values
                if c.status_column:
                    out[c.status_column] = status
            elif c.role == TIME:
                t = _as_time(s, c)
                out[c.name] = t
                if c.status_column:
                    out[c.status_column] = pd.Series(np.where(t.isna(), MISSING, OK), index=df.index, dtype=object)
            else:
                out[c.name] = s
        return pd.DataFrame(out, index=df.index)

    def restore(self, view: pd.DataFrame) -> pd.DataFrame:
        """Inverse of :meth:`view`: a DataFrame with the input's columns, order and dtypes.

        Status strings go back into their numeric columns (which are then ``object``, as the historian
        exported them); constant columns get their value back; ignored columns are empty (None).
        """
        n = len(view)
        out: dict[str, Any] = {}
        for c in self.columns:
            if c.role == CONSTANT:
                out[c.name] = _restore_dtype(pd.Series([c.constant] * n, index=view.index), c)
            elif c.role == IGNORED:
                out[c.name] = pd.Series([None] * n, index=view.index, dtype=object)
            elif c.role == CONTINUOUS:
                values = view[c.name].astype("float64")
                if c.decimals is not None:
                    values = values.round(c.decimals) + 0.0  # + 0.0 turns a rounded -0.0 into 0.0
                if c.status_column and c.status_column in view:
                    status = view[c.status_column].astype(object)
                    values = values.where(status == OK, np.nan)
                    if c.statuses:
                        # as the historian exported it: numbers as text, status strings among them
                        text = values.astype("Int64" if c.integer else "float64").astype(str)
                        mixed = text.where(values.notna(), None).astype(object)
                        is_status = status.isin(c.statuses)
                        mixed[is_status] = status[is_status]
                        out[c.name] = _restore_dtype(mixed, c)
                        continue
                out[c.name] = _restore_dtype(values, c)
            elif c.role == TIME:
                s = view[c.name]
                if c.status_column and c.status_column in view:
                    s = s.where(view[c.status_column].astype(object) == OK)
                out[c.name] = _restore_dtype(s, c)
            else:
                out[c.name] = _restore_dtype(view[c.name], c)
        return pd.DataFrame(out, index=view.index)

    def condition_candidates(self) -> list[str]:
        """Model-view columns a user can condition on: categorical, entity and status columns with
        2..``max_condition_levels`` levels."""
        names = []
        for c in self.modelled:
            if c.role in (CATEGORICAL, ENTITY):
                names.append(c.name)
            elif c.status_column:
                names.append(c.status_column)
        return names

    def describe(self) -> pd.DataFrame:
        """A table of the columns and their roles, for ``indgan info``."""
        rows = []
        for c in self.columns:
            extra = []
            if c.statuses:
                extra.append("status strings: " + ", ".join(repr(s) for s in c.statuses))
            if c.has_missing:
                extra.append("has missing values")
            if c.role == CONSTANT:
                extra.append(f"value {c.constant!r}")
            rows.append({"column": c.name, "role": c.role, "dtype": c.dtype, "notes": "; ".join(extra)})
        return pd.DataFrame(rows)


# ---------------------------------------------------------------------- helpers
def _numeric_with_status(s: pd.Series, max_statuses: int = 20, min_numeric_share: float = 0.5):
    """For an object column: (numbers, statuses) if it is numbers plus a few status strings, else None."""
    nonnull = s.dropna()
    if nonnull.empty:
        return None
    as_str = nonnull.astype(str).str.strip()
    numbers = pd.to_numeric(as_str, errors="coerce")
    numeric_share = numbers.notna().mean()
    if numeric_share < min_numeric_share:
        return None
    bad = as_str[numbers.isna()]
    statuses = bad.value_counts()
    if len(statuses) > max_statuses:
        return None
    return list(statuses.index)


def _split_status(s: pd.Series, spec: ColumnSpec) -> tuple[pd.Series, pd.Series]:
    """Numbers (float64, NaN where not a number) and the status column of a continuous column."""
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        values = finite_or_nan(s.astype("float64"))
        status = pd.Series(np.where(values.isna(), MISSING, OK), index=s.index, dtype=object)
        return values, status
    text = _strip(s.astype(object).where(s.notna(), None))
    parsed = _numbers(text)
    values = finite_or_nan(parsed)
    status = pd.Series(OK, index=s.index, dtype=object)
    status[np.isinf(parsed.to_numpy())] = MISSING
    is_status = parsed.isna() & text.notna()
    status[is_status] = text[is_status].astype(str)
    status[text.isna()] = MISSING
    unknown = is_status & ~status.isin(spec.statuses)
    if unknown.any():
        first = status[unknown].iloc[0]
        log.warning(
            "column %r: %d cell(s) hold status string(s) not seen in training (first: %r); treated as missing.",
            spec.name,
            int(unknown.sum()),
            first,
        )
        status[unknown] = MISSING
    return values, status


def exact_numbers(text: pd.Series) -> pd.Series:
    """Text cells -> float64, NaN where a cell is not a number; each number is the float nearest its text, as
    Python's ``float`` reads it (``pandas.to_numeric`` can be off in the last digit, which would change observed
    cells of a historian's text column)."""
    return _numbers(_strip(text.astype(object)))


def _strip(text: pd.Series) -> pd.Series:
    return text.map(lambda v: v.strip() if isinstance(v, str) else v)


def _numbers(stripped: pd.Series) -> pd.Series:
    """:func:`exact_numbers` of text already stripped of surrounding blanks."""
    values = pd.to_numeric(stripped, errors="coerce").astype("float64")
    ok = values.notna().to_numpy()  # numbers by pandas' parser: read again exactly (numbers stay as they are)
    if ok.any():
        try:
            values[ok] = stripped[ok].astype("float64").to_numpy()
        except (TypeError, ValueError):  # a spelling only pandas reads: keep pandas' value
            pass
    return values


def parse_times(s: pd.Series) -> pd.Series:
    """Time strings -> datetimes (unparseable ones NaT); strings with differing UTC offsets (summer and winter
    time) -> UTC datetimes, so that one column holds one kind of time."""
    t = pd.to_datetime(s, errors="coerce", format="mixed")
    if t.dtype == object:  # mixed offsets: pandas keeps Python datetimes
        t = pd.to_datetime(s, errors="coerce", format="mixed", utc=True)
    return t


def finite_or_nan(values: pd.Series) -> pd.Series:
    """float64 ``values`` with infinities (a historian's overflow: a bad value) as NaN; a copy only if needed."""
    inf = np.isinf(values.to_numpy())
    return values.mask(inf) if inf.any() else values


def _as_time(s: pd.Series, spec: ColumnSpec) -> pd.Series:
    if spec.dtype.startswith("datetime"):
        return s
    if pd.api.types.is_numeric_dtype(s):
        return s
    return parse_times(s)  # parsed as schema inference parsed it


def _restore_time(s: pd.Series, spec: ColumnSpec) -> pd.Series:
    """Times from a model (float ns since the epoch, UTC; or datetimes) -> the input's time dtype and form:
    numbers stay numbers, tz-aware times get their zone back, text times their format."""
    dtype = spec.dtype
    if dtype.lower().startswith(("int", "uint", "float")):  # a numeric time (sample index): a number back
        return _restore_dtype(s, ColumnSpec(spec.name, CONTINUOUS, dtype, integer=spec.integer))
    if pd.api.types.is_numeric_dtype(s):
        t = pd.to_datetime(s.astype("float64").round().astype("Int64"), unit="ns")
    else:
        t = parse_times(s)
        if getattr(t.dt, "tz", None) is not None:
            t = t.dt.tz_convert("UTC").dt.tz_localize(None)
    zone = spec.time_zone
    if zone is None and dtype.startswith("datetime") and "," in dtype:  # a model file from before time_zone
        try:
            zone = _zone_name(pd.api.types.pandas_dtype(dtype).tz)
        except TypeError:
            zone = "UTC"
    if zone is not None:
        t = t.dt.tz_localize("UTC").dt.tz_convert(zone)
    if dtype.startswith("datetime"):
        unit = np.datetime_data(t.dtype.base if zone is not None else t.dtype)[0]
        want = dtype.split("[", 1)[1].split(",")[0].rstrip("]") if "[" in dtype else unit
        return t.dt.as_unit(want) if want != unit and want in ("s", "ms", "us", "ns") else t
    if spec.time_format == "iso":
        text = t.map(lambda v: v.isoformat(), na_action="ignore")
    elif spec.time_format:
        text = t.dt.strftime(spec.time_format)
    else:
        text = t.map(lambda v: v.isoformat(sep=" "), na_action="ignore")
    text = text.astype(object).where(t.notna(), None)
    return text.astype(dtype) if dtype in ("string", "str") else text


def _zone_name(tz) -> str:
    """A zone name pandas reads back: ``Europe/Berlin``, ``UTC`` or a fixed offset ``+01:00``."""
    for attr in ("key", "zone"):
        name = getattr(tz, attr, None)
        if isinstance(name, str):
            return name
    offset = tz.utcoffset(None)
    if offset is None:
        return str(tz)
    minutes = int(offset.total_seconds() // 60)
    sign, minutes = ("+" if minutes >= 0 else "-"), abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


#: Formats pandas does not guess that historian and spreadsheet exports write (12-hour clocks, PI's month names).
_TIME_FORMATS = (
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%d-%b-%Y %H:%M:%S",
    "%d-%b-%y %H:%M:%S",
    "%d-%b-%Y %H:%M:%S.%f",
)


def _text_time_format(s: pd.Series) -> tuple[str | None, str | None]:
    """(format, zone) of a column of time strings: the first ``strftime`` format (pandas' guess, day first or
    not; ISO 8601) that writes a sample of them back exactly, and the zone of their UTC offset if they carry one."""
    from pandas.tseries.api import guess_datetime_format

    sample = s.dropna().astype(str).str.strip().iloc[:200]
    if sample.empty:
        return None, None
    parsed = parse_times(sample)
    zone = None
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        whole = parse_times(s)  # the zone from every time: the sample may sit in winter time only
        zone = _zone_name(whole.dt.tz)  # UTC when the offsets differ (summer time): the instants are kept
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas' note that an ISO string ignores dayfirst
        candidates = [
            guess_datetime_format(sample.iloc[0]),
            guess_datetime_format(sample.iloc[0], dayfirst=True),
            *_TIME_FORMATS,
        ]
    for fmt in [f for f in candidates if f]:
        try:
            again = pd.to_datetime(sample, format=fmt)
            if (again.dt.strftime(fmt) == sample).all():
                return fmt, zone
        except (ValueError, TypeError, AttributeError):  # AttributeError: offsets that differ
            continue

    def iso(v: str) -> bool:
        try:
            return datetime.fromisoformat(v).isoformat() == v
        except ValueError:
            return False

    if sample.map(iso).all():
        return "iso", zone
    return None, zone


def _is_nested(s: pd.Series) -> bool:
    """Whether a column holds lists, arrays or dicts (nested parquet: list or struct columns)."""
    if isinstance(s.dtype, pd.ArrowDtype):
        import pyarrow as pa

        return bool(pa.types.is_nested(s.dtype.pyarrow_dtype))
    if s.dtype != object:
        return False
    head = s.dropna().iloc[:100]
    return bool(len(head)) and bool(head.map(lambda v: isinstance(v, (list, tuple, dict, np.ndarray, set))).any())


def _restore_dtype(s: pd.Series, spec: ColumnSpec) -> pd.Series:
    dtype = spec.dtype
    if spec.role == TIME:
        return _restore_time(s, spec)
    try:
        if spec.role == CONTINUOUS and spec.statuses:
            return s.astype(object)
        if dtype.startswith("datetime"):
            if pd.api.types.is_numeric_dtype(s):
                s = pd.to_datetime(s.round().astype("Int64"), unit="ns")
            return (
                pd.to_datetime(s).astype(dtype)
                if "tz" not in dtype.lower()
                else pd.to_datetime(s, utc=True).dt.tz_convert(dtype.split(",")[-1].strip(" ]"))
            )
        if dtype in ("int64", "int32", "int16", "int8", "uint8", "uint16", "uint32", "uint64"):
            if pd.api.types.is_integer_dtype(s):
                return s.astype(dtype)  # exact: large ids and codes do not round through float64
            if s.dtype == object and s.dropna().map(lambda v: isinstance(v, (int, np.integer))).all():
                return s.astype("Int64" if s.isna().any() else dtype)  # exact too
            if s.isna().any():
                return s.round().astype("Int64")
            return s.astype("float64").round().astype(dtype)
        if dtype.startswith("Int") or dtype.startswith("UInt"):
            return pd.to_numeric(s).round().astype(dtype)
        if dtype.startswith("float"):
            return s.astype(dtype)
        if dtype == "bool":
            return s.astype(bool) if not s.isna().any() else s.astype("boolean")
        if dtype == "category":
            return s.astype("category")
        if dtype == "string":
            return s.astype("string")
    except (TypeError, ValueError, KeyError):  # KeyError: a zone this machine does not know
        pass
    return s.astype(object) if dtype == "object" else s


def _decimals(values: np.ndarray) -> int | None:
    """Most decimals (up to 8) needed to write the values exactly; None if more."""
    v = values[np.isfinite(values)]
    if v.size == 0:
        return None
    v = v[:20000]
    top = float(np.max(np.abs(v)))
    for d in range(0, 9):  # the tolerance follows the values' magnitude: 1e-300 is not "0 decimals"
        if np.allclose(np.round(v, d), v, rtol=0, atol=min(10.0 ** (-d - 3), 1e-6 * top)):
            return d
    return None


def jsonable(v: Any) -> Any:
    if isinstance(v, (np.generic,)):
        return v.item()
    if isinstance(v, pd.Timestamp):
        return v.isoformat()
    if v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
        return None
    return v


def _looks_like_datetime(s: pd.Series) -> bool:
    nonnull = s.dropna()
    if nonnull.empty or not all(isinstance(v, str) for v in nonnull.iloc[:50]):
        return False
    sample = nonnull.iloc[:200].astype(str)
    if pd.to_numeric(sample, errors="coerce").notna().mean() > 0.5:
        return False
    try:
        parsed = parse_times(sample)
    except (ValueError, TypeError):
        return False
    return bool(parsed.notna().all())


# ---------------------------------------------------------------------- inference
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
        finite = v[np.isfinite(v)]
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


def _time_resolution(t: np.ndarray, numeric: bool) -> float:
    """The sampling grid: the largest step dividing every time's distance to the first (ns for datetimes)."""
    t = np.asarray(t, dtype=np.float64)
    if t.size < 2 or not np.all(t == np.round(t)):
        return 1.0
    step = int(np.gcd.reduce((t - t.min()).astype(np.int64)))
    return float(step) if step > 0 else 1.0


def time_values(s: pd.Series) -> pd.Series:
    """Time as float64 nanoseconds since the epoch (datetimes) or as the numbers themselves."""
    if pd.api.types.is_numeric_dtype(s):
        return s.astype("float64")
    t = parse_times(s) if not pd.api.types.is_datetime64_any_dtype(s) else s
    if getattr(t.dt, "tz", None) is not None:
        t = t.dt.tz_convert("UTC").dt.tz_localize(None)
    return t.astype("int64").where(t.notna()).astype("float64")


# ---------------------------------------------------------------------- config
#: The presets shipped with indgan (``configs/`` in the repository): ``load_config("quick")`` reads one by name.
PRESETS = Path(__file__).resolve().parent / "presets"


def load_config(path: str | Path) -> dict:
    """Read a TOML config: ``[columns]`` overrides the inferred roles, ``[model]`` sets model parameters,
    ``[schema]`` sets inference thresholds (``max_discrete_levels``, ``max_categories``). ``path`` may name a
    preset shipped with indgan (``"quick"``, ``"default"``, ``"tabular"``, ``"sequence"``, ``"plant_logs"``).

    Raises
    ------
    ConfigError
        Missing file (and no preset of that name), TOML syntax error, or unknown section.
    """
    path = Path(path)
    if not path.exists() and path.name == str(path) and (PRESETS / f"{path.stem}.toml").exists():
        path = PRESETS / f"{path.stem}.toml"  # a preset shipped with indgan: --config quick
    if not path.exists():
        names = ", ".join(sorted(p.stem for p in PRESETS.glob("*.toml")))
        raise ConfigError(f"{path}: no such config file (presets shipped with indgan: {names}).")
    try:
        cfg = tomllib.loads(path.read_text())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    unknown = set(cfg) - {"columns", "model", "schema"}
    if unknown:
        raise ConfigError(f"{path}: unknown section(s) {sorted(unknown)}; use [columns], [model], [schema].")
    return cfg


def condition_overrides(
    df: pd.DataFrame, conditions: list[str], overrides: dict | None = None, max_levels: int = 50
) -> dict:
    """The one rule for which condition columns are categories: a condition column of integers with at most
    ``max_levels`` distinct values (a fault id, an operating-mode number) is categorical; text and boolean ones
    are categorical anyway; other numbers are continuous conditions (setpoints). Returns ``overrides`` (role ->
    columns, as in the ``[columns]`` config) with those columns added under ``"categorical"``; columns the
    user already gave a role keep it."""
    out = {k: list([v] if isinstance(v, str) else v) for k, v in (overrides or {}).items()}
    given = {c for cols in out.values() for c in cols}
    for c in conditions:
        if (
            c in df.columns
            and c not in given
            and pd.api.types.is_integer_dtype(df[c])
            and df[c].nunique() <= max_levels
        ):
            out.setdefault("categorical", []).append(c)
    return out


def match_level(levels: list, value: Any) -> int | None:
    """Index of ``value`` among ``levels``, matching ``"B"`` to ``"B"`` and ``"1.05"`` to ``1.05``."""
    for i, lv in enumerate(levels):
        if lv == value and type(lv) is not bool or str(lv) == str(value):
            return i
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    for i, lv in enumerate(levels):
        if (
            isinstance(lv, (int, float))
            and not isinstance(lv, bool)
            and math.isclose(float(lv), v, rel_tol=1e-9, abs_tol=1e-12)
        ):
            return i
    return None
