"""Time columns: parsing, zones, text formats and the sampling grid.

:func:`parse_times` reads time strings (differing UTC offsets become UTC), :func:`time_values` gives times as
float64 ns since the epoch (or the numbers of a numeric time). For inference: whether strings are times, the
zone (:func:`_zone_name`) and the ``strftime`` format (:func:`_text_time_format`) that write them back exactly,
and the sampling grid (:func:`_time_resolution`).
"""

from __future__ import annotations

import warnings
from datetime import datetime

import numpy as np
import pandas as pd

from .roles import ColumnSpec


def parse_times(s: pd.Series) -> pd.Series:
    """Time strings -> datetimes (unparseable ones NaT); strings with differing UTC offsets (summer and winter
    time) -> UTC datetimes, so that one column holds one kind of time."""
    t = pd.to_datetime(s, errors="coerce", format="mixed")
    if t.dtype == object:  # mixed offsets: pandas keeps Python datetimes
        t = pd.to_datetime(s, errors="coerce", format="mixed", utc=True)
    return t


def time_values(s: pd.Series) -> pd.Series:
    """Time as float64 nanoseconds since the epoch (datetimes) or as the numbers themselves."""
    if pd.api.types.is_numeric_dtype(s):
        return s.astype("float64")
    t = parse_times(s) if not pd.api.types.is_datetime64_any_dtype(s) else s
    if getattr(t.dt, "tz", None) is not None:
        t = t.dt.tz_convert("UTC").dt.tz_localize(None)
    return t.astype("int64").where(t.notna()).astype("float64")


def _as_time(s: pd.Series, spec: ColumnSpec) -> pd.Series:
    if spec.dtype.startswith("datetime"):
        return s
    if pd.api.types.is_numeric_dtype(s):
        return s
    return parse_times(s)  # parsed as schema inference parsed it


def _time_resolution(t: np.ndarray, numeric: bool) -> float:
    """The sampling grid: the largest step dividing every time's distance to the first (ns for datetimes)."""
    t = np.asarray(t, dtype=np.float64)
    if t.size < 2 or not np.all(t == np.round(t)):
        return 1.0
    step = int(np.gcd.reduce((t - t.min()).astype(np.int64)))
    return float(step) if step > 0 else 1.0


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
