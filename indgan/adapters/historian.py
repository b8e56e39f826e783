"""Historian tables: narrow rows (time, tag, value[, quality]) to wide frames (time, one column per tag) and back.

Historians (PI, Aveva, Ignition, InfluxDB, Canary) and plant SQL tables store **narrow** rows: one row per tag per
stored change, with a time, the tag's name, its value and often a quality flag. They store by exception
(deadband / swinging-door compression): a tag is written only when it moves past its deadband, and at least every
*CompMax* (PI: 8 hours by default) when it does not, so every tag has its own irregular timestamps and a silence
means "unchanged". indgan learns from **wide** frames on a regular grid. This module converts between the two:

- :func:`detect_layout` recognises a narrow table and names its time, tag, value and quality columns
  (:class:`NarrowLayout`); it returns None for a wide table and refuses an ambiguous one;
- :func:`infer_interval` chooses the grid step from the tags' typical spacing;
- :func:`to_wide` aligns the rows on the grid with the historian's meaning (last value held) and reports what it
  did in an :class:`AlignInfo`;
- :func:`to_narrow` writes a wide frame back as narrow rows in the input's layout;
- :func:`deadband_narrow` makes a historian-like narrow table from a wide log (the tests and the benchmark use it).

Rules (each chosen for the historian's semantics; each can be overridden by an argument):

- **Grid step** (:func:`infer_interval`): the median, over the *busy* tags, of each tag's median gap between stored
  times, snapped to the nearest "nice" step (:data:`NICE_INTERVALS`: 1 s, 5 s, 10 s, 30 s, 1 min, 5 min, ...; in
  log scale). Busy tags are those stored at least half as often as the 90th percentile of the tags' row counts.
  Compression makes a steady tag's gaps long and heavy-tailed, so a median over all tags would follow the steady
  tags; the busy tags move at (nearly) every scan and their median gap is the scan period. The 90th percentile,
  not the maximum, keeps one tag logged much faster than the rest from setting the grid alone.
- **Grid**: from the first stored time to the last, both rounded up to a grid point: every stored row is in force at
  some grid point. Grid points are those of the first stored time when at least half of the rows lie on them (a
  table stored on a grid keeps its times), else whole multiples of the step since 1970-01-01 00:00 UTC (round
  clock times: :00, :05, ...).
- **Last value held**: the cell of a tag at grid time ``g`` holds the tag's last stored row with time <= ``g``.
  Rows superseded by a later row of the same tag before the next grid point are never in force (counted).
- **Staleness** (default): ``max(10 x step, 2 x L)``, rounded up to a whole number of steps, where ``L`` is the
  90th percentile, over the tags stored at least twice, of each tag's longest gap between stored rows; a cell whose
  held row is older than that is missing (NaN). The steadiest tags' longest silence is how long this historian
  leaves an unchanged tag unwritten (its CompMax, PI's 8 h) or the plant's longest steady spell: silence up to
  that is compression ("unchanged"), and a silence twice as long is a loss (collector down, tag removed). The 90th
  percentile, not the maximum, keeps an outage of a few tags (under 10% of them) from setting the limit; the
  median was rejected because on a short table most tags never reach CompMax (the first 300 steps of the plant
  logs, every change stored, 8 h CompMax: median 10 min, 90th percentile 8 h). A per-tag 99th-percentile gap was
  rejected too: a busy tag's gaps are one scan 99% of the time, so its occasional steady spells of hours would
  become missing (the plant logs at a 0.5% deadband: it would blank cells where the log holds numbers in 64 of the
  108 tags with an 8 h CompMax, in 89 of the 94 changing tags without one).
- **Good qualities** (:func:`is_good_quality`): a missing quality is good (no flag). Text: ``good``, ``g``,
  ``ok``, ``valid``, ``normal`` and anything starting with ``good`` (``Good_LocalOverride``), any case; so
  "Uncertain", "Questionable", "Substituted" are not good (their text is kept as a status). indgan's own
  markers (:data:`SYNTHETIC_QUALITY`, :data:`IMPUTED_QUALITY`) are good: what indgan wrote reads back as values.
  Integers (or integer text), one family per column: all codes in 0..255 with some in 192..255: **OPC DA**
  (192..255, the "good" quality bits 11, are good: 192 Good, 216 Local Override); all codes in 0..255 and none in
  192..255: **0 is good** and any other code is not (OPC UA Good, AVEVA Historian's Quality column); any code
  outside 0..255: **OPC UA status codes** (32 bits; good when the severity bits are 00). ``good=`` replaces the rule
  with the values given.
- **Bad rows**: a row whose quality is not good puts its quality text in the cell instead of the number (a historian
  status string as in wide files; OPC DA codes are named: 0 "Bad", 24 "Comm Failure", ...), held like a value
  until the tag's next stored row. Text in the value column itself (PI digital states such as "I/O Timeout") is a
  status too and takes precedence over the quality text. The number stored beside a bad quality is dropped.
- **Duplicated (time, tag) rows**: the last in the table's order is kept; they are counted.
- **Column order**: the time column (its input name) then one column per tag in the order tags first appear in
  the table.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
import pandas as pd

from ..errors import ConfigError, DataError
from ..schema import parse_times

__all__ = [
    "AlignInfo",
    "NICE_INTERVALS",
    "NarrowLayout",
    "deadband_narrow",
    "detect_layout",
    "infer_interval",
    "is_good_quality",
    "quality_text",
    "to_narrow",
    "to_wide",
]

#: The grid steps :func:`infer_interval` snaps to (nearest in log scale; beyond 7 days: whole days).
NICE_INTERVALS = tuple(
    pd.Timedelta(s)
    for s in (
        "1ms 2ms 5ms 10ms 20ms 50ms 100ms 200ms 250ms 500ms 1s 2s 3s 5s 10s 15s 20s 30s 1min 2min 3min 5min 10min "
        "15min 20min 30min 1h 2h 3h 4h 6h 8h 12h 1D 2D 7D"
    ).split()
)

#: Quality texts that are good (compared stripped and case-folded); any text starting with "good" is good too.
GOOD_TEXTS = frozenset({"good", "g", "ok", "valid", "normal"})
#: The quality indgan writes on rows of synthetic data (``indgan sample`` of a narrow source).
SYNTHETIC_QUALITY = "indgan"
#: The quality indgan writes on rows whose value it filled (``indgan impute`` of a narrow table; a historian's
#: "substituted" marker).
IMPUTED_QUALITY = "Substituted (indgan)"
#: indgan's own markers are good qualities: rows it wrote hold their values when read back (a synthetic table is
#: scored as numbers; a table filled in place is not filled twice), as NULL cells filled in a wide table do.
INDGAN_QUALITIES = frozenset({SYNTHETIC_QUALITY.casefold(), IMPUTED_QUALITY.casefold()})

#: OPC DA quality names by ``code & 0xFC`` (the low two bits are the limit: 1 low, 2 high, 3 constant).
OPC_DA_NAMES = {
    0x00: "Bad",
    0x04: "Config Error",
    0x08: "Not Connected",
    0x0C: "Device Failure",
    0x10: "Sensor Failure",
    0x14: "Last Known Value",
    0x18: "Comm Failure",
    0x1C: "Out of Service",
    0x20: "Waiting for Initial Data",
    0x40: "Uncertain",
    0x44: "Last Usable Value",
    0x50: "Sensor Not Accurate",
    0x54: "EU Units Exceeded",
    0x58: "Sub-Normal",
    0xC0: "Good",
    0xD8: "Local Override",
}
_OPC_LIMITS = {1: "Low Limited", 2: "High Limited", 3: "Constant"}

#: Default largest wide frame :func:`to_wide` builds (grid steps x tags); about 1.6 GB of float64.
MAX_CELLS = 200_000_000

# Column-name hints (compared with the name lower-cased, without anything but letters and digits, and its words).
_TIME_HINTS = {"time", "timestamp", "ts", "datetime", "date", "tstamp", "timestamputc", "utctime", "localtime"}
_TAG_HINTS = set(
    "tag tagname tagid tagpath name point pointname pointid signal signalname sensor sensorid item itemid itemname "
    "channel variable field attribute".split()
)
_VALUE_HINTS = set("value val v pv reading floatvalue numericvalue doublevalue realvalue datavalue".split())
_QUALITY_HINTS = set(
    "quality q qual status flag flags qualitycode statuscode qualityflag dataintegrity opcquality".split()
)
_ENTITY_HINTS = set("batch batchid run runid asset assetid entity machine unit unitid well".split())

#: Rows :func:`detect_layout` looks at (in 8 contiguous blocks spread over a larger table).
_SAMPLE_ROWS = 200_000


# ---------------------------------------------------------------------------------------------- layout
@dataclass(frozen=True)
class NarrowLayout:
    """The columns of a narrow historian table.

    Attributes
    ----------
    time : str
        Time column (datetimes, or strings pandas parses as times).
    tag : str
        Tag-name column (one value per tag; strings, or integer point ids).
    value : str
        Value column (numbers, or numbers with status strings such as "I/O Timeout").
    quality : str or None
        Quality/status flag column ("Good"/"Bad", OPC codes 192/0, ...), None if the table has none.
    """

    time: str
    tag: str
    value: str
    quality: str | None = None


def _words(name) -> set[str]:
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", str(name)).lower()
    words = {w for w in re.split(r"[^a-z0-9]+", text) if w}
    return words | {re.sub(r"[^a-z0-9]", "", text)}


def _hinted(name, hints: set[str]) -> bool:
    return bool(_words(name) & hints)


def _sample(df: pd.DataFrame) -> pd.DataFrame:
    """The whole table up to ``_SAMPLE_ROWS`` rows, else 8 contiguous blocks spread over it (a contiguous block keeps
    the table's local order: tags interleaved in time, or one tag after another)."""
    n = len(df)
    if n <= _SAMPLE_ROWS:
        return df
    block = _SAMPLE_ROWS // 8
    starts = np.linspace(0, n - block, 8).astype(np.int64)
    return df.iloc[np.concatenate([np.arange(s, s + block) for s in starts])]


def _is_text(col: pd.Series) -> bool:
    return (
        pd.api.types.is_object_dtype(col)
        or pd.api.types.is_string_dtype(col)
        or isinstance(col.dtype, pd.CategoricalDtype)
    ) and not pd.api.types.is_datetime64_any_dtype(col)


def _is_number(col: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)


def _numbers_of(col: pd.Series) -> pd.Series:
    """float64 numbers of a column (NaN where a cell is not a number); numbers in text are read as Python reads
    them (exactly), not by pandas' faster parser."""
    if _is_number(col):
        return col.astype("float64")
    obj = col.astype(object)
    num = pd.to_numeric(obj, errors="coerce").astype("float64")
    ok = num.notna().to_numpy()
    if ok.any():
        try:
            num[ok] = obj[ok].to_numpy().astype(np.float64)
        except (TypeError, ValueError):  # a spelling only pandas reads: keep pandas' value
            pass
    return num


def _column_kind(col: pd.Series) -> str | None:
    """'time', 'number', 'text' (mostly non-numbers: names, qualities) or 'numbers+status' (numbers with a few
    status strings); None for anything else (booleans, nested values, an empty column)."""
    if pd.api.types.is_datetime64_any_dtype(col):
        return "time"
    if _is_number(col):
        return "number"
    if not _is_text(col):
        return None
    vals = col.dropna()
    if vals.empty:
        return None
    vals = vals.iloc[:: max(1, len(vals) // 2000)]
    if isinstance(col.dtype, pd.CategoricalDtype):
        vals = vals.astype(object)
    num_share = _numbers_of(vals).notna().mean()
    if num_share >= 0.5:
        return "numbers+status"
    if num_share < 0.05:
        strings = vals[[isinstance(v, str) for v in vals]]  # at most 2,000 sampled cells
        if len(strings) >= 0.95 * len(vals) and parse_times(strings).notna().mean() >= 0.95:
            return "time"
    return "text"


def _integral(values: pd.Series) -> bool:
    v = _numbers_of(values).dropna()
    return bool(len(v)) and bool(np.all(v == np.round(v))) and bool(np.all(np.abs(v) < 2**53))


def _quality_like(col: pd.Series, kind: str, hinted: bool) -> bool:
    """A quality column: few distinct flags whose most common one is good (text), or OPC DA codes mostly 192..255;
    with a quality-like name, any column of at most 256 distinct texts or integers."""
    vals = col.dropna()
    if vals.empty:
        return False
    if kind == "text":
        counts = vals.astype(str).str.strip().str.casefold().value_counts()
        if len(counts) > 64:
            return False
        return hinted or _good_text(counts.index[0])
    if kind in ("number", "numbers+status") and _integral(vals):
        codes = _numbers_of(vals)
        if codes.nunique() > 256:
            return False
        if hinted:
            return True
        in_byte = bool(((codes >= 0) & (codes <= 255)).all())
        return in_byte and float(((codes >= 192) & (codes <= 255)).mean()) >= 0.5
    return False


def _function_of(s: pd.DataFrame, a, b) -> bool:
    """Column ``b`` is constant within each value of column ``a`` (metadata of ``a``: units, descriptions, ids)."""
    pairs = s[[a, b]].astype(str).drop_duplicates()
    return len(pairs) == s[a].astype(str).nunique()


def _interleaved(s: pd.DataFrame, time: str, tag: str) -> bool:
    """Data that say a column names the tags of a narrow table rather than a mode of a wide one: the time repeats
    on at least 20% of the rows (several tags per time), the column changes between most consecutive rows (tags
    interleaved in time), or the time goes back in the table but never within one value of the column (exported
    tag after tag)."""
    t = _times_ns(s[time], time, check=False)[0]
    codes = pd.factorize(s[tag])[0]
    n = len(t)
    if n < 4:
        return False
    if 1.0 - len(np.unique(t)) / n >= 0.2:
        return True
    if float(np.mean(codes[1:] != codes[:-1])) >= 0.5:
        return True
    if np.any(np.diff(t) < 0):
        order = np.argsort(codes, kind="stable")
        same = codes[order][1:] == codes[order][:-1]
        return not np.any(same & (np.diff(t[order]) < 0))
    return False


def _ambiguous(what: str, candidates: list, option: str) -> DataError:
    names = ", ".join(repr(c) for c in candidates)
    return DataError(
        f"ambiguous narrow historian table: the {what} could be any of {names}; choose one with {option} (options: "
        "--tag-column, --value-column, --quality-column, --layout narrow|wide; --layout wide if the table has one "
        "column per tag)."
    )


def _pick(candidates: list, hints: set[str]):
    """The one candidate whose name carries a hint, else None."""
    hinted = [c for c in candidates if _hinted(c, hints)]
    return hinted[0] if len(hinted) == 1 else None


def detect_layout(
    df: pd.DataFrame,
    *,
    time: str | None = None,
    tag: str | None = None,
    value: str | None = None,
    quality: str | None | bool = None,
    layout: str | None = None,
) -> NarrowLayout | None:
    """Recognise a narrow historian table (time, tag, value[, quality] rows) and name its columns.

    The data decide; names are hints. A **time** column holds datetimes or strings pandas parses as times. A **tag**
    column holds strings (or integer point ids, with a tag-like name) with at most half as many distinct values as
    rows; a column that is constant within each tag (units, descriptions, ids) is metadata, not the tag. A **value**
    column holds numbers, or numbers with status strings. A **quality** column holds a few flags whose most common
    one is good ("Good", "G", ...) or OPC DA codes mostly in 192..255 (any flags or integer codes with a name like
    ``quality``, ``status``, ``q``). Name hints: tag, tagname, name, point, signal, sensor...; value, val, pv...;
    quality, status, q, flag... A column named like an entity (batch, run, unit, asset) is not a tag: a long table of
    several assets is wide (one column per tag, the entity in a column).

    The table is narrow when a tag-like or value-like name says so, or when it has one tag column and one value
    column and the data show tags (time repeating over rows, tags interleaved in time, or time going back between
    tags); otherwise it is wide (None).

    Parameters
    ----------
    df : pandas.DataFrame
        The table, any shape; at most 200,000 rows are examined (8 blocks spread over a larger table).
    time, tag, value : str, optional
        The column to use for that role (options ``--time``, ``--tag-column``, ``--value-column``).
    quality : str or False, optional
        The quality column, or False (or "none") for none (``--quality-column``).
    layout : {None, "narrow", "wide"}
        "wide" returns None at once; "narrow" never returns None (raises when a column cannot be found).

    Returns
    -------
    NarrowLayout or None
        None for a wide table (or one without a time column, unless ``layout="narrow"``).

    Raises
    ------
    DataError
        One line naming the candidate columns and the options to set when the table is ambiguous (two candidate
        time, tag, value or quality columns), when a named column is missing, or when ``layout="narrow"`` and a
        role cannot be filled.
    ConfigError
        ``layout`` is not one of None, "narrow", "wide".
    """
    if layout not in (None, "narrow", "wide"):
        raise ConfigError(f"layout must be 'narrow' or 'wide' (or None to detect it), got {layout!r}.")
    if layout == "wide":
        return None
    columns = list(df.columns)
    if isinstance(quality, str) and quality not in columns and quality.strip().lower() == "none":
        quality = False  # --quality-column none
    for option, col in (
        ("--time", time),
        ("--tag-column", tag),
        ("--value-column", value),
        ("--quality-column", quality),
    ):
        if col is not None and col is not False and col not in columns:
            raise DataError(f"{option} {col!r}: no such column; the columns are {columns[:20]!r}.")
    forced = layout == "narrow" or any(c is not None for c in (tag, value)) or isinstance(quality, str)
    if df.empty:
        if forced:
            raise DataError("the table is empty: a narrow historian table needs rows of time, tag and value.")
        return None
    s = _sample(df)
    kinds = {c: _column_kind(s[c]) for c in columns}

    # time
    if time is None:
        times = [c for c in columns if kinds[c] == "time"]
        if len(times) > 1:
            time = _pick(times, _TIME_HINTS)
            if time is None:
                raise _ambiguous("time column", times, "--time")
        elif times:
            time = times[0]
        elif forced:
            raise DataError(f"no time column (datetimes or time strings) among {columns[:20]!r}; set --time.")
        else:
            return None
    rest = [c for c in columns if c != time]

    # quality (before the tag: quality flags are short texts too)
    if quality is None:
        quals = [
            c
            for c in rest
            if c not in (tag, value) and kinds[c] and _quality_like(s[c], kinds[c], _hinted(c, _QUALITY_HINTS))
        ]
        if len(quals) > 1:
            pick = _pick(quals, _QUALITY_HINTS)
            if pick is None:
                raise _ambiguous("quality column", quals, "--quality-column")
            quals = [pick]
    else:
        quals = [quality] if quality else []
    qual = quals[0] if quals else None
    rest = [c for c in rest if c != qual]

    # tag
    n = len(s)
    if tag is None:
        tags = []
        for c in rest:
            if c == value:
                continue
            hinted = _hinted(c, _TAG_HINTS)
            if _hinted(c, _ENTITY_HINTS) and not hinted:
                continue
            if kinds[c] == "text" or (hinted and kinds[c] in ("number", "numbers+status") and _integral(s[c])):
                levels = s[c].nunique()
                most = n if hinted and forced else n - 1 if hinted else n / 2  # names repeat (a tag-like name: once)
                if (2 <= levels or hinted) and levels <= most:
                    tags.append(c)
        # a column constant within another candidate (its description, unit, id) is metadata of that one
        tags = [
            b for b in tags if not any(a != b and _function_of(s, a, b) and not _function_of(s, b, a) for a in tags)
        ]
        if len(tags) > 1:
            strings = [c for c in tags if kinds[c] == "text"]  # names rather than integer ids
            pick = strings[0] if len(strings) == 1 else _pick(strings or tags, _TAG_HINTS)
            if pick is None:
                if forced or any(_hinted(c, _TAG_HINTS | _VALUE_HINTS) for c in rest):
                    raise _ambiguous("tag-name column", tags, "--tag-column")
                return None
            tags = [pick]
        if not tags:
            if forced:
                raise DataError(
                    f"no tag-name column (strings repeating over the rows) among {rest[:20]!r}; set --tag-column, "
                    "or --layout wide if the table has one column per tag."
                )
            return None
        tag = tags[0]

    # value
    named = forced or _hinted(tag, _TAG_HINTS)
    if value is None:
        values = [
            c for c in rest if c != tag and kinds[c] in ("number", "numbers+status") and not _function_of(s, tag, c)
        ]
        pick = _pick(values, _VALUE_HINTS)
        named = named or pick is not None
        if pick is not None:
            value = pick
        elif len(values) == 1:
            value = values[0]
        elif not values:
            if forced:
                raise DataError(f"no value column (numbers) besides {time!r} and {tag!r}; set --value-column.")
            return None
        elif len(values) == 2 and named:
            raise _ambiguous("value column", values, "--value-column")
        else:  # several numeric columns and no name says narrow: one column per tag
            if forced:
                raise _ambiguous("value column", values, "--value-column")
            return None
    if not named and not _interleaved(s, time, tag):
        return None
    return NarrowLayout(time=time, tag=tag, value=value, quality=qual)


def _resolve_layout(narrow: pd.DataFrame, layout: NarrowLayout | None) -> NarrowLayout:
    if layout is None:
        return detect_layout(narrow, layout="narrow")
    for role in ("time", "tag", "value", "quality"):
        col = getattr(layout, role)
        if col is not None and col not in narrow.columns:
            raise DataError(
                f"the {role} column {col!r} of the layout is not in the table; the columns are "
                f"{list(narrow.columns)[:20]!r}."
            )
    return layout


# ---------------------------------------------------------------------------------------------- qualities
def _good_text(text: str) -> bool:
    t = str(text).strip().casefold()
    return t in GOOD_TEXTS or t in INDGAN_QUALITIES or t.startswith("good")


def _int_family(codes: np.ndarray) -> str:
    """'da' (OPC DA byte, 192..255 good), 'zero' (0 good) or 'ua' (OPC UA status code) for a column's codes."""
    if codes.size == 0:
        return "da"
    if np.any(codes < 0) or np.any(codes > 255):
        return "ua"
    return "da" if np.any(codes >= 192) else "zero"


def _int_good(code: int, family: str) -> bool:
    if family == "da":
        return 192 <= code <= 255
    if family == "zero":
        return code == 0
    return (code & 0xFFFFFFFF) >> 30 == 0


def quality_text(code: int, family: str = "da") -> str:
    """The status text of an integer quality code: OPC DA names (``0`` "Bad", ``24`` "Comm Failure", ``64``
    "Uncertain", with the limit: ``1`` "Bad (Low Limited)"), OPC UA severities ("Bad (0x80310000)"), else
    "Quality <code>". Distinct codes give distinct texts (so :func:`to_narrow` can write the code back)."""
    code = int(code)
    if family == "da":
        name = OPC_DA_NAMES.get(code & 0xFC)
        limit = _OPC_LIMITS.get(code & 0x03)
        if name is None:
            return f"Quality {code}"
        return f"{name} ({limit})" if limit else name
    if family == "ua":
        u = code & 0xFFFFFFFF
        severity = {0: "Good", 1: "Uncertain", 2: "Bad", 3: "Bad"}[u >> 30]
        return severity if u in (0, 0x40000000, 0x80000000) else f"{severity} (0x{u:08X})"
    return f"Quality {code}"


def _as_int(v) -> int | None:
    if isinstance(v, (bool, np.bool_)):
        return None
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return int(v) if np.isfinite(v) and v == round(v) else None
    if isinstance(v, str):
        try:
            f = float(v)
        except ValueError:
            return None
        return int(f) if np.isfinite(f) and f == round(f) else None
    return None


def is_good_quality(values: Iterable, good: Iterable | None = None) -> np.ndarray:
    """Which quality values are good (the rule in the module docstring; ``good``: the good values instead, text
    compared stripped and case-folded, numbers by value). Missing values (None, NaN) are good.

    Returns
    -------
    numpy.ndarray
        ``(len(values),)`` bool.
    """
    uniq = list(values)
    good_set = _good_set(good)
    ints = [_as_int(v) for v in uniq if not _missing(v)]
    family = _int_family(np.array(ints, dtype=np.int64)) if ints and all(i is not None for i in ints) else None
    return np.array([_good_one(v, good_set, family) for v in uniq], dtype=bool)


def _missing(v) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, (float, np.floating)) and np.isnan(v))


def _good_set(good):
    if good is None:
        return None
    if isinstance(good, (str, bytes, int, float)):
        good = [good]
    out = set()
    for g in good:
        out.add(str(g).strip().casefold() if isinstance(g, str) else float(g))
    return out


def _good_one(v, good_set, family) -> bool:
    if _missing(v):
        return True
    if isinstance(v, (bool, np.bool_)):  # a boolean "is good" flag
        return bool(v) if good_set is None else float(v) in good_set
    if good_set is not None:
        if isinstance(v, str):
            key = v.strip().casefold()
            if key in good_set:
                return True
            i = _as_int(v)
            return i is not None and float(i) in good_set
        try:
            return float(v) in good_set
        except (TypeError, ValueError):
            return False
    if family is not None:
        return _int_good(_as_int(v), family)
    return _good_text(v)


# ---------------------------------------------------------------------------------------------- rows
@dataclass
class _Rows:
    """A narrow table as arrays, one entry per input row."""

    t: np.ndarray  # (n,) int64 ns since the epoch, UTC
    tz: object  # the time column's zone (None: naive)
    codes: np.ndarray  # (n,) int64 tag index into ``tags``
    tags: list
    values: np.ndarray  # (n,) float64 (NaN for status rows)
    status: np.ndarray  # (n,) int32 index into ``texts``, -1: a number
    texts: list
    statuses: dict  # text -> the quality value it came from (quality statuses)
    value_statuses: set  # texts that came from the value column
    good_quality: object  # the most common good quality value (None without a quality column)


def _times_ns(col: pd.Series, name, check: bool = True) -> tuple[np.ndarray, object]:
    """(n,) int64 nanoseconds since the epoch (UTC) of a time column and its zone (None: naive); raises on a missing
    or unparseable time (unless ``check`` is False: then NaT is the smallest int64)."""
    s = col
    if not pd.api.types.is_datetime64_any_dtype(s):
        if _is_number(s):
            raise DataError(
                f"time column {name!r} holds numbers, not times; convert it to datetimes first "
                "(e.g. pandas.to_datetime(..., unit='ms'))."
            )
        s = parse_times(s)
    tz = getattr(s.dt, "tz", None)
    if tz is not None:
        s = s.dt.tz_convert("UTC").dt.tz_localize(None)
    t = s.to_numpy(dtype="datetime64[ns]").view(np.int64)
    if check:
        nat = t == np.iinfo(np.int64).min
        if nat.any():
            row = int(np.flatnonzero(nat)[0])
            raise DataError(
                f"time column {name!r} is empty or not a time in row {row} ({col.iloc[row]!r}); drop or fix that row."
            )
    return t, tz


def _tag_codes(col: pd.Series, name) -> tuple[np.ndarray, list]:
    codes, uniques = pd.factorize(col, sort=False)
    if (codes < 0).any():
        row = int(np.flatnonzero(codes < 0)[0])
        raise DataError(f"tag column {name!r} is empty in row {row}; every row needs a tag name.")
    return codes.astype(np.int64, copy=False), list(uniques)


def _value_arrays(col: pd.Series) -> tuple[np.ndarray, np.ndarray, list]:
    """float64 values, (n,) int32 index of the text of status cells (-1: a number or missing), the texts."""
    num = _numbers_of(col)
    values = num.to_numpy(dtype=np.float64)
    status = np.full(len(col), -1, dtype=np.int32)
    if _is_number(col):
        return values, status, []
    text = np.isnan(values) & col.notna().to_numpy()
    if not text.any():
        return values, status, []
    stripped = col[text].astype(str).str.strip()
    codes, uniques = pd.factorize(stripped.where(stripped != "", None))
    status[text] = codes
    return values, status, [str(u) for u in uniques]


def _quality_arrays(col: pd.Series, good) -> tuple[np.ndarray, list, list, object]:
    """(n,) int32 index of the status text of each not-good row (-1: good), the texts, the quality value each text
    came from, and the most common good quality value."""
    codes, uniques = pd.factorize(col, sort=False)
    uniq = list(uniques)
    good_u = is_good_quality(uniq, good)
    ints = [_as_int(v) for v in uniq]
    family = _int_family(np.array(ints, dtype=np.int64)) if uniq and all(i is not None for i in ints) else None
    texts, origin, index = [], [], {}
    text_of = np.full(len(uniq) + 1, -1, dtype=np.int32)  # last entry: missing quality (code -1): good
    for k, v in enumerate(uniq):
        if good_u[k]:
            continue
        if isinstance(v, (bool, np.bool_)):
            text = "Bad"
        else:
            text = quality_text(ints[k], family) if family is not None else str(v).strip()
        if text not in index:
            index[text] = len(texts)
            texts.append(text)
            origin.append(v)
        text_of[k] = index[text]
    status = text_of[codes]
    counts = np.bincount(codes[codes >= 0], minlength=len(uniq))
    good_counts = np.where(good_u, counts, -1)
    good_quality = uniq[int(np.argmax(good_counts))] if len(uniq) and good_counts.max() > 0 else None
    if isinstance(good_quality, np.generic):
        good_quality = good_quality.item()
    origin = [o.item() if isinstance(o, np.generic) else o for o in origin]
    return status, texts, origin, good_quality


def _rows(narrow: pd.DataFrame, layout: NarrowLayout, good) -> _Rows:
    t, tz = _times_ns(narrow[layout.time], layout.time)
    codes, tags = _tag_codes(narrow[layout.tag], layout.tag)
    if layout.time in tags:
        raise DataError(f"a tag is named like the time column {layout.time!r}; rename the tag or the time column.")
    values, vstatus, vtexts = _value_arrays(narrow[layout.value])
    texts, statuses, good_quality = list(vtexts), {}, None
    status = vstatus
    if layout.quality is not None:
        qstatus, qtexts, qorigin, good_quality = _quality_arrays(narrow[layout.quality], good)
        remap = np.empty(len(qtexts) + 1, dtype=np.int32)
        remap[-1] = -1
        for k, text in enumerate(qtexts):
            if text not in texts:
                texts.append(text)
            remap[k] = texts.index(text)
            statuses.setdefault(text, qorigin[k])
        status = np.where(vstatus >= 0, vstatus, remap[qstatus])
    values = np.where(status >= 0, np.nan, values)
    value_statuses = set(vtexts) - set(statuses)
    return _Rows(t, tz, codes, tags, values, status, texts, statuses, value_statuses, good_quality)


def _tag_time_order(codes: np.ndarray, t: np.ndarray, n_tags: int) -> np.ndarray:
    """Row order by tag (first-seen order), then time, then the table's order (stable)."""
    key = codes.astype(np.int16) if n_tags < 2**15 else codes  # 16-bit keys: numpy's stable sort is a radix sort
    order = np.argsort(key, kind="stable")
    cs, ts = codes[order], t[order]
    if np.any((np.diff(ts) < 0) & (cs[1:] == cs[:-1])):
        order = np.lexsort((t, codes))
    return order


@dataclass
class _Sorted:
    """Rows ordered by tag then time, duplicates of (tag, time) dropped (the last kept)."""

    order: np.ndarray  # (m,) int64 input row of each kept row
    cs: np.ndarray  # (m,) tag codes
    ts: np.ndarray  # (m,) int64 ns
    starts: np.ndarray  # (n_tags_present,) first position of each tag
    n_duplicates: int


def _sorted_rows(codes: np.ndarray, t: np.ndarray, n_tags: int) -> _Sorted:
    order = _tag_time_order(codes, t, n_tags)
    cs, ts = codes[order], t[order]
    dup = (cs[1:] == cs[:-1]) & (ts[1:] == ts[:-1])
    n_dup = int(dup.sum())
    if n_dup:
        keep = np.ones(len(order), dtype=bool)
        keep[:-1] = ~dup  # a row followed by one of the same tag and time is superseded by it
        order, cs, ts = order[keep], cs[keep], ts[keep]
    starts = np.flatnonzero(np.r_[True, cs[1:] != cs[:-1]])
    return _Sorted(order, cs, ts, starts, n_dup)


def _gaps(srt: _Sorted) -> tuple[np.ndarray, np.ndarray]:
    """(m,) int64 gap from each kept row to the next of its tag (-1 at a tag's last row), and each tag's count."""
    g = np.empty(len(srt.ts), dtype=np.int64)
    g[:-1] = np.diff(srt.ts)
    g[-1] = -1
    g[srt.starts[1:] - 1] = -1
    counts = np.diff(np.r_[srt.starts, len(srt.ts)])
    return g, counts


# ---------------------------------------------------------------------------------------------- interval
def _as_timedelta(value, name: str) -> pd.Timedelta:
    try:
        if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
            td = pd.Timedelta(seconds=float(value))
        elif isinstance(value, (str, timedelta, np.timedelta64, pd.Timedelta)):
            td = pd.Timedelta(value)
        else:
            raise ValueError
    except (ValueError, TypeError, OverflowError):
        raise ConfigError(f"{name} must be a duration ('5min', '10s', a Timedelta or seconds), got {value!r}.")
    if td is pd.NaT or td <= pd.Timedelta(0):
        raise ConfigError(f"{name} must be a positive duration, got {value!r}.")
    return td


def _snap(ns: float) -> pd.Timedelta:
    """The nice step nearest ``ns`` nanoseconds in log scale (whole days beyond a week)."""
    if ns > NICE_INTERVALS[-1].value * 1.5:
        return pd.Timedelta(days=max(1, round(ns / 86_400e9)))
    logs = np.log(np.array([d.value for d in NICE_INTERVALS], dtype=np.float64))
    return NICE_INTERVALS[int(np.argmin(np.abs(logs - math.log(max(ns, 1.0)))))]


def _interval_from(srt: _Sorted) -> pd.Timedelta:
    g, counts = _gaps(srt)
    several = counts >= 2
    if not several.any():
        raise DataError("cannot infer the grid step: no tag has two stored times; pass interval= (e.g. '5min').")
    top = np.quantile(counts[several], 0.9)
    busy = np.flatnonzero(several & (counts >= 0.5 * top))
    ends = np.r_[srt.starts[1:], len(srt.ts)]
    medians = np.array([np.median(g[srt.starts[k] : ends[k] - 1]) for k in busy])
    return _snap(float(np.median(medians)))


def infer_interval(narrow: pd.DataFrame, layout: NarrowLayout | None = None) -> pd.Timedelta:
    """The grid step of a narrow table: the median over the busy tags of each tag's median gap between stored
    times, snapped to a nice step (the rule and its reasons are in the module docstring).

    Parameters
    ----------
    narrow : pandas.DataFrame
        ``(n_rows, >= 3)`` narrow table.
    layout : NarrowLayout, optional
        Its columns (detected when None).

    Returns
    -------
    pandas.Timedelta
        One of :data:`NICE_INTERVALS` (or whole days beyond a week).

    Raises
    ------
    DataError
        The table is empty, no tag has two distinct stored times, a time or tag is missing in a row, or the layout
        does not fit the table.
    """
    layout = _resolve_layout(narrow, layout)
    if narrow.empty:
        raise DataError("the narrow table has no rows; pass interval= (e.g. '5min').")
    t = _times_ns(narrow[layout.time], layout.time)[0]
    codes, tags = _tag_codes(narrow[layout.tag], layout.tag)
    return _interval_from(_sorted_rows(codes, t, len(tags)))


# ---------------------------------------------------------------------------------------------- to_wide
@dataclass
class AlignInfo:
    """What :func:`to_wide` did.

    Attributes
    ----------
    layout : NarrowLayout
        The narrow table's columns.
    interval : pandas.Timedelta
        Grid step.
    staleness : pandas.Timedelta or None
        Oldest a held row may be (None: no limit).
    start, end : pandas.Timestamp
        First and last grid times (in the time column's zone).
    n_tags, n_rows_in, n_steps : int
        Tags (wide columns besides the time), input rows, grid steps (wide rows).
    n_duplicates : int
        Rows dropped because a later row had the same (time, tag).
    n_superseded : int
        Rows replaced by a later row of their tag before the next grid point (never in force at a grid point).
    n_cells_stored, n_cells_held, n_cells_stale, n_cells_bad, n_cells_before : int
        Cells with a row stored since the previous grid point; cells holding an earlier row; cells missing because
        the held row is older than ``staleness``; cells holding a status string (stored or held); cells before the
        tag's first row (missing).
    tags : list
        The tags, in column order.
    statuses : dict
        Status text -> the quality value it came from (what :func:`to_narrow` writes back).
    value_statuses : set
        Status texts that came from the value column (written back there).
    good_quality : object
        The most common good quality value (what :func:`to_narrow` writes for numbers); None without a quality
        column.
    """

    layout: NarrowLayout
    interval: pd.Timedelta
    staleness: pd.Timedelta | None
    start: pd.Timestamp
    end: pd.Timestamp
    n_tags: int
    n_rows_in: int
    n_steps: int
    n_duplicates: int = 0
    n_superseded: int = 0
    n_cells_stored: int = 0
    n_cells_held: int = 0
    n_cells_stale: int = 0
    n_cells_bad: int = 0
    n_cells_before: int = 0
    tags: list = field(default_factory=list)
    statuses: dict = field(default_factory=dict)
    value_statuses: set = field(default_factory=set)
    good_quality: object = None

    def describe(self) -> str:
        """One line to print: rows, grid, cells held/stale/bad, duplicates."""
        stale = f"silent > {_fmt_td(self.staleness)}" if self.staleness is not None else "no limit"
        extra = ""
        if self.n_duplicates:
            extra += f"; {self.n_duplicates:,} duplicated (time, tag) row(s) dropped (kept the last)"
        if self.n_superseded:
            extra += f"; {self.n_superseded:,} row(s) superseded within a step"
        return (
            f"aligned {self.n_rows_in:,} narrow rows of {self.n_tags:,} tags onto {self.n_steps:,} steps of "
            f"{_fmt_td(self.interval)} ({self.start} .. {self.end}): {self.n_cells_stored:,} cells stored, "
            f"{self.n_cells_held:,} held, {self.n_cells_stale:,} stale ({stale}), {self.n_cells_bad:,} status, "
            f"{self.n_cells_before:,} before a tag's first row{extra}."
        )


def _fmt_td(td: pd.Timedelta | None) -> str:
    """A duration as '5min', '16h5min', '2d', '250ms'."""
    if td is None:
        return "none"
    ns, parts = int(td.value), []
    for unit, size in (("d", 86_400 * 10**9), ("h", 3_600 * 10**9), ("min", 60 * 10**9), ("s", 10**9), ("ms", 10**6)):
        if ns >= size:
            parts.append(f"{ns // size}{unit}")
            ns %= size
    return "".join(parts) + (f"{ns}ns" if ns else "") if parts or ns else "0s"


def _default_staleness(srt: _Sorted, step: int) -> int:
    """``max(10 x step, 2 x the 90th percentile over tags stored at least twice of their longest gap)`` in ns,
    rounded up to a whole number of steps."""
    g, counts = _gaps(srt)
    several = counts >= 2
    if not several.any():
        return 10 * step
    longest = np.maximum.reduceat(g, srt.starts)[several]
    limit = max(10 * step, 2 * float(np.quantile(longest, 0.9)))
    return int(math.ceil(limit / step)) * step  # a whole number of steps


def to_wide(
    narrow: pd.DataFrame,
    layout: NarrowLayout | None = None,
    interval=None,
    staleness=None,
    good: Iterable | None = None,
    max_cells: int = MAX_CELLS,
) -> tuple[pd.DataFrame, AlignInfo]:
    """Align a narrow historian table on a regular time grid: one column per tag, the last stored value held.

    Vectorised (numpy sorts and scatters; loops run over blocks of tags, never over rows). The rules (grid, last
    value held, staleness, good qualities, duplicates, column order) are in the module docstring.

    Parameters
    ----------
    narrow : pandas.DataFrame
        ``(n_rows, >= 3)``: a row per tag per stored change; times datetime64 (any unit, naive or tz-aware) or time
        strings; values numbers or numbers with status strings; the quality column optional.
    layout : NarrowLayout, optional
        Its columns (:func:`detect_layout` when None).
    interval : str, Timedelta or float seconds, optional
        Grid step (:func:`infer_interval` when None).
    staleness : str, Timedelta, float seconds or False, optional
        Oldest a held row may be before its cell is missing; None: the default rule; False (or ``math.inf``,
        "none", "off"): no limit (hold to the end).
    good : iterable, optional
        The quality values that are good, replacing the default rule (text compared stripped and case-folded).
    max_cells : int
        Refuse grids larger than this many cells (steps x tags).

    Returns
    -------
    wide : pandas.DataFrame
        ``(n_steps, 1 + n_tags)``: the time column (datetime64[ns], the input's zone; its name as in the input) then
        one column per tag in first-seen order, float64, or object (floats and status strings) for a tag with a
        status cell. Index ``0..n_steps-1``.
    info : AlignInfo
        Grid, staleness and cell counts; ``info.describe()`` is one line to print.

    Raises
    ------
    DataError
        The table is not narrow or is ambiguous (see :func:`detect_layout`), a time or tag is missing in a row, the
        grid step cannot be inferred, or the grid would exceed ``max_cells``.
    ConfigError
        ``interval`` or ``staleness`` is not a positive duration.
    """
    layout = _resolve_layout(narrow, layout)
    if narrow.empty:
        raise DataError("the narrow table has no rows.")
    rows = _rows(narrow, layout, good)
    n_tags = len(rows.tags)
    srt = _sorted_rows(rows.codes, rows.t, n_tags)
    step_td = _interval_from(srt) if interval is None else _as_timedelta(interval, "interval")
    step = int(step_td.value)
    if staleness is None:
        limit = _default_staleness(srt, step)
    elif (
        staleness is False
        or (isinstance(staleness, float) and math.isinf(staleness))
        or (isinstance(staleness, str) and staleness.strip().lower() in ("none", "off", "never", "inf"))
    ):
        limit = None
    else:
        limit = int(_as_timedelta(staleness, "staleness").value)

    ts, cs = srt.ts, srt.cs
    t_min, t_max = int(ts.min()), int(ts.max())
    on_grid = np.count_nonzero((ts - t_min) % step == 0) >= 0.5 * len(ts)
    origin = t_min if on_grid else 0
    start = origin - ((origin - t_min) // step) * step  # t_min rounded up to a grid point
    n_steps = -((start - t_max) // step) + 1
    if n_steps * n_tags > max_cells:
        raise DataError(
            f"the wide frame would have {n_steps:,} steps x {n_tags:,} tags = {n_steps * n_tags:,} cells (more than "
            f"{max_cells:,}) at a step of {step_td}; pass a larger interval= or fewer tags."
        )
    gi = -((start - ts) // step)  # the first grid point at or after each row
    last = np.empty(len(ts), dtype=bool)
    last[:-1] = (cs[1:] != cs[:-1]) | (gi[1:] != gi[:-1])
    last[-1] = True
    force = srt.order[last]  # input rows in force at a grid point, by tag then time
    n_force = len(force)
    idx_type = np.int32 if n_force < 2**31 - 1 else np.int64
    src = np.full((n_tags, n_steps), -1, dtype=idx_type)
    gi_force = gi[last]
    np.put(src, cs[last] * n_steps + gi_force, np.arange(n_force, dtype=idx_type))
    # per row in force: its value, its status and the last grid step at which it is fresh; a sentinel at the end
    # (index -1: no row yet) is missing, no status and never fresh
    v_ext = np.empty(n_force + 1, dtype=np.float64)
    np.take(rows.values, force, out=v_ext[:-1])
    v_ext[-1] = np.nan
    s_ext = np.empty(n_force + 1, dtype=np.int32)
    np.take(rows.status, force, out=s_ext[:-1])
    s_ext[-1] = -1
    # a limit longer than the grid never bites (and ts + limit could overflow int64)
    expiry = None if limit is None or limit > n_steps * step else (ts[last] + limit - start) // step
    e_ext = None
    if expiry is not None:
        e_ext = np.empty(n_force + 1, dtype=idx_type)
        e_ext[:-1] = expiry
        e_ext[-1] = -1
    grid = start + np.arange(n_steps, dtype=np.int64) * step
    step_no = np.arange(n_steps, dtype=idx_type)
    with_status = np.zeros(n_tags, dtype=bool)
    with_status[cs[last][s_ext[:-1] >= 0]] = True

    out = np.empty((n_tags, n_steps), dtype=np.float64)
    status_cols: dict[int, np.ndarray] = {}
    n_fresh = n_before = n_bad = 0
    block = max(1, 4_000_000 // max(n_steps, 1))
    texts = np.array(rows.texts + [None], dtype=object)
    # buffers reused block after block (fresh memory is slow to fault in)
    held_buf = np.empty((min(block, n_tags), n_steps), dtype=idx_type)
    e_buf = np.empty_like(held_buf) if e_ext is not None else None
    fresh_buf = np.empty(held_buf.shape, dtype=bool)
    for b0 in range(0, n_tags, block):
        b1 = min(n_tags, b0 + block)
        held = held_buf[: b1 - b0]
        np.maximum.accumulate(src[b0:b1], axis=1, out=held)  # positions grow with time within a tag: the last row
        np.take(v_ext, held, out=out[b0:b1], mode="wrap")  # -1 wraps to the sentinel; "wrap" is also much faster
        fresh = fresh_buf[: b1 - b0]
        if e_ext is None:
            np.greater_equal(held, 0, out=fresh)
        else:
            np.take(e_ext, held, out=e_buf[: b1 - b0], mode="wrap")
            np.greater_equal(e_buf[: b1 - b0], step_no, out=fresh)
            np.copyto(out[b0:b1], np.nan, where=~fresh)
        n_fresh += int(np.count_nonzero(fresh))
        n_before += int(np.count_nonzero(held < 0))
        for k in np.flatnonzero(with_status[b0:b1]):
            st = np.where(fresh[k], s_ext[held[k]], -1)
            bad = st >= 0
            if bad.any():
                col = out[b0 + k].astype(object)
                col[bad] = texts[st[bad]]
                status_cols[b0 + k] = col
                n_bad += int(np.count_nonzero(bad))
    n_stored = n_force if expiry is None else int(np.count_nonzero(gi_force <= expiry))  # fresh at their own step
    n_held = n_fresh - n_stored
    n_stale = n_tags * n_steps - n_fresh - n_before

    wide = pd.DataFrame(out.T, columns=pd.Index(rows.tags, dtype=object), copy=False)
    for k, col in status_cols.items():
        wide.isetitem(k, col)
    times = pd.Series(grid.view("datetime64[ns]"))
    if rows.tz is not None:
        times = times.dt.tz_localize("UTC").dt.tz_convert(rows.tz)
    wide.insert(0, layout.time, times)
    info = AlignInfo(
        layout=layout,
        interval=step_td,
        staleness=None if limit is None else pd.Timedelta(limit, unit="ns"),
        start=times.iloc[0],
        end=times.iloc[-1],
        n_tags=n_tags,
        n_rows_in=len(narrow),
        n_steps=n_steps,
        n_duplicates=srt.n_duplicates,
        n_superseded=int(len(ts) - n_force),
        n_cells_stored=n_stored,
        n_cells_held=n_held,
        n_cells_stale=n_stale,
        n_cells_bad=n_bad,
        n_cells_before=n_before,
        tags=list(rows.tags),
        statuses=dict(rows.statuses),
        value_statuses=set(rows.value_statuses),
        good_quality=rows.good_quality,
    )
    return wide, info


# ---------------------------------------------------------------------------------------------- to_narrow
def _cells(col: pd.Series) -> tuple[np.ndarray, np.ndarray | None]:
    """float64 numbers of a wide column and the status text of each cell (None where a number or missing)."""
    if _is_number(col):
        return col.to_numpy(dtype=np.float64), None
    num = _numbers_of(col).to_numpy(dtype=np.float64)
    obj = col.to_numpy(dtype=object)
    text = np.isnan(num) & pd.notna(obj)
    if not text.any():
        return num, None
    txt = np.full(len(col), None, dtype=object)
    stripped = pd.Series(obj[text]).astype(str).str.strip().to_numpy(dtype=object)
    txt[text] = np.where(stripped == "", None, stripped)
    return num, txt


def to_narrow(
    wide: pd.DataFrame,
    layout: NarrowLayout,
    info: AlignInfo | None = None,
    changes_only: bool = True,
    quality_marker=None,
    marked=None,
) -> pd.DataFrame:
    """Write a wide frame back as narrow historian rows in ``layout``'s column names.

    Every non-missing cell is a row (``changes_only=False``) or only the cells that differ from the tag's previous
    cell (``changes_only=True``, the historian's exception storage: consecutive equal numbers or equal status
    strings give one row; the first cell after missing cells is always a row). Missing cells (NaN) give no row.
    A status string becomes a row with a NaN value and, in the quality column, the quality value it came from
    (``info.statuses``), else the text itself; without a quality column the text stays in the value column, as it
    does for texts that came from the value column (``info.value_statuses``). Numbers get the good quality
    ``info.good_quality`` (else "Good"), or ``quality_marker`` where given (e.g. "Substituted" for imputed or
    synthetic rows; a quality column named "quality" is added when the layout has none).

    Parameters
    ----------
    wide : pandas.DataFrame
        ``(n_steps, 1 + n_tags)``: the time column ``layout.time`` and one column per tag (float, or object with
        status strings).
    layout : NarrowLayout
        The narrow column names to write.
    info : AlignInfo, optional
        From :func:`to_wide`: the quality values to write back.
    changes_only : bool
        Drop cells equal to the tag's previous cell.
    quality_marker : object, optional
        Quality written on rows with a number (instead of the good quality).
    marked : pandas.DataFrame or numpy.ndarray of bool, optional
        ``(n_steps, n_tags)`` (the tag columns in order): only these cells get ``quality_marker``.

    Returns
    -------
    pandas.DataFrame
        ``(n_rows, 3 or 4)``: time (as in ``wide``), tag (the column names), value (float64; object when status
        texts stay there) and quality; rows by time, then tag in column order; index ``0..n_rows-1``.

    Raises
    ------
    DataError
        ``wide`` lacks the time column, or ``marked`` has the wrong shape.
    """
    if layout.time not in wide.columns:
        raise DataError(
            f"the wide frame has no time column {layout.time!r}; its columns are {list(wide.columns)[:20]!r}."
        )
    tags = [c for c in wide.columns if c != layout.time]
    n = len(wide)
    if marked is not None:
        marked = np.asarray(marked, dtype=bool)
        if marked.shape != (n, len(tags)):
            raise DataError(f"marked must be ({n}, {len(tags)}) bool (steps x tags), got shape {marked.shape}.")
    statuses = info.statuses if info is not None else {}
    value_statuses = info.value_statuses if info is not None else set()
    good_quality = info.good_quality if info is not None and info.good_quality is not None else "Good"
    quality_col = layout.quality
    if quality_col is None and quality_marker is not None:
        quality_col = "quality"

    steps, tag_idx, values, texts, marks = [], [], [], [], []
    for k, c in enumerate(tags):
        num, txt = _cells(wide[c])
        present = ~np.isnan(num) if txt is None else ~np.isnan(num) | (txt != None)  # noqa: E711
        if changes_only:
            same = np.zeros(n, dtype=bool)
            same[1:] = num[1:] == num[:-1]
            if txt is not None:
                same[1:] |= (txt[1:] != None) & (txt[1:] == txt[:-1])  # noqa: E711
            present &= ~same
        where = np.flatnonzero(present)
        steps.append(where)
        tag_idx.append(np.full(len(where), k, dtype=np.int64))
        values.append(num[where])
        texts.append(txt[where] if txt is not None else np.full(len(where), None, dtype=object))
        if marked is not None:
            marks.append(marked[where, k])
    step = np.concatenate(steps) if steps else np.empty(0, dtype=np.int64)
    order = np.argsort(step, kind="stable")
    step = step[order]
    tag_i = np.concatenate(tag_idx)[order] if steps else np.empty(0, dtype=np.int64)
    value = np.concatenate(values)[order] if steps else np.empty(0)
    text = np.concatenate(texts)[order] if steps else np.empty(0, dtype=object)
    is_text = text != None  # noqa: E711

    in_value = is_text & (quality_col is None or pd.Series(text, dtype=object).isin(value_statuses).to_numpy())
    if in_value.any():
        value_out = value.astype(object)
        value_out[in_value] = text[in_value]
    else:
        value_out = value
    out = {
        layout.time: wide[layout.time].iloc[step].reset_index(drop=True),
        layout.tag: np.array(tags, dtype=object)[tag_i] if len(tags) else np.empty(0, dtype=object),
        layout.value: value_out,
    }
    if quality_col is not None:
        q = np.full(len(step), good_quality, dtype=object)
        if quality_marker is not None:
            mark = np.concatenate(marks)[order] if marked is not None else np.ones(len(step), dtype=bool)
            q[mark & ~is_text] = quality_marker
        bad = is_text & ~in_value
        if bad.any():
            codes, uniq = pd.factorize(text[bad])
            q[bad] = np.array([statuses.get(u, u) for u in uniq] + [None], dtype=object)[codes]
        if len(q) and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in pd.unique(q)):
            q = q.astype(np.int64)
        out[quality_col] = q
    return pd.DataFrame(out)


# ---------------------------------------------------------------------------------------------- deadband
def _exception_indices(x: np.ndarray, st: np.ndarray, band: float, max_gap: int | None) -> np.ndarray:
    """Indices a historian stores for one tag: the first cell with data, then each cell whose status differs from
    the last stored one or whose number is more than ``band`` from it, or the first cell with data ``max_gap`` or
    more cells after it. ``st``: -1 a number, -2 missing (never stored), k >= 0 a status code."""
    n = len(x)
    has = st != -2
    first = np.flatnonzero(has)
    if not first.size:
        return np.empty(0, dtype=np.int64)
    i = int(first[0])
    out = [i]
    xl, sl = x.tolist(), st.tolist()
    while i + 1 < n:
        j = i + 1  # fast path: the next cell (busy tags store at almost every step)
        xi, si, sj = xl[i], sl[i], sl[j]
        if (
            (sj >= 0 and sj != si)
            or (sj == -1 and (si != -1 or abs(xl[j] - xi) > band))
            or (max_gap is not None and max_gap <= 1 and sj != -2)
        ):
            i = j
            out.append(i)
            continue
        lo, w, found = j + 1, 16, None
        while lo < n:
            hi = min(n, lo + w)
            ss = st[lo:hi]
            if si == -1:
                hit = (ss >= 0) | ((ss == -1) & (np.abs(x[lo:hi] - xi) > band))
            else:
                hit = (ss != si) & (ss != -2)
            if max_gap is not None:
                hit |= (np.arange(lo, hi) - i >= max_gap) & (ss != -2)
            if hit.any():
                found = lo + int(np.argmax(hit))
                break
            lo, w = hi, w * 2
        if found is None:
            break
        i = found
        out.append(i)
    return np.asarray(out, dtype=np.int64)


def deadband_narrow(
    wide: pd.DataFrame,
    time: str,
    deadband: float = 0.005,
    *,
    max_silence="8h",
    jitter: float = 0.0,
    seed: int = 0,
    tag: str = "tag",
    value: str = "value",
    quality: str = "quality",
    good: str = "Good",
) -> pd.DataFrame:
    """A historian-like narrow table from a wide log: each tag stored by exception, as a compressing historian does.

    The way the tests and the benchmark make narrow tables. For each tag (a loop over tags; within a tag numpy
    searches ahead from each stored row): the first cell with data is stored, then a cell is stored when its number
    moves more than ``deadband x (the tag's range)`` from the last stored number, when a status string starts or
    changes or numbers resume after one, or, with ``max_silence``, when the tag has not been stored for that long
    (PI's CompMax). Missing cells are never stored. Status strings become rows with a NaN value and the status text
    as quality; numbers get quality ``good``. With ``jitter``, each stored row moves back in time by a random
    offset in ``[0, jitter x step)`` (whole milliseconds, seeded), so tags get their own irregular timestamps while
    the last-value-held alignment on the log's grid still gives back the log's values within the deadband.

    Parameters
    ----------
    wide : pandas.DataFrame
        ``(n_steps, n_columns)`` wide log on a regular grid: the time column and tag columns (numbers, or numbers
        with status strings); other non-numeric columns are skipped.
    time : str
        Its time column (datetime64).
    deadband : float
        Share of each tag's range (max - min of its numbers) a number must move to be stored (0.005: half a
        percent); a constant tag is stored once (and every ``max_silence``).
    max_silence : str, Timedelta or None
        Store an unchanged tag again after this long (None: never).
    jitter : float
        0 .. 1: the largest backward shift of a stored row, as a share of the log's step.
    seed : int
        Seed of the jitter.
    tag, value, quality : str
        Names of the output columns.
    good : str
        Quality of rows with a number.

    Returns
    -------
    pandas.DataFrame
        ``(n_stored, 4)``: ``time`` (datetime64, as in ``wide``), ``tag`` (str, the column names), ``value``
        (float64, NaN for status rows), ``quality`` (str); by time, then tag in column order.

    Raises
    ------
    DataError
        ``time`` is not a column; ConfigError for a negative deadband or a jitter outside 0 .. 1.
    """
    if time not in wide.columns:
        raise DataError(f"no time column {time!r} in the wide log.")
    if not (isinstance(deadband, (int, float)) and deadband >= 0):
        raise ConfigError(f"deadband must be a number >= 0, got {deadband!r}.")
    if not (isinstance(jitter, (int, float)) and 0 <= jitter <= 1):
        raise ConfigError(f"jitter must be between 0 and 1, got {jitter!r}.")
    t, tz = _times_ns(wide[time], time)
    step = int(np.median(np.diff(t))) if len(t) > 1 else 1
    max_gap = None if max_silence is None else max(1, int(_as_timedelta(max_silence, "max_silence").value // step))
    parts_i, parts_tag, parts_v, parts_q = [], [], [], []
    for c in [c for c in wide.columns if c != time]:
        col = wide[c]
        if not (_is_number(col) or _column_kind(col) == "numbers+status"):
            continue
        x, status, texts = _value_arrays(col)
        st = status.copy()
        st[(status < 0) & np.isnan(x)] = -2
        finite = x[np.isfinite(x) & (st == -1)]
        band = deadband * float(finite.max() - finite.min()) if finite.size else 0.0
        idx = _exception_indices(x, st, band, max_gap)
        labels = np.array(texts + [good], dtype=object)
        parts_i.append(idx)
        parts_tag.append(np.full(len(idx), str(c), dtype=object))
        parts_v.append(np.where(st[idx] >= 0, np.nan, x[idx]))
        parts_q.append(labels[np.where(st[idx] >= 0, st[idx], len(texts))])
    idx = np.concatenate(parts_i) if parts_i else np.empty(0, dtype=np.int64)
    stamp = t[idx]
    if jitter > 0 and len(idx):
        rng = np.random.default_rng(seed)
        shift = np.floor(rng.uniform(0, jitter * step, size=len(idx)) / 1e6).astype(np.int64) * 1_000_000
        stamp = stamp - np.minimum(shift, step - 1)
    order = np.argsort(stamp, kind="stable")
    out_t = pd.Series(stamp[order].view("datetime64[ns]"))
    if tz is not None:
        out_t = out_t.dt.tz_localize("UTC").dt.tz_convert(tz)
    return pd.DataFrame(
        {
            time: out_t,
            tag: np.concatenate(parts_tag)[order] if parts_tag else np.empty(0, dtype=object),
            value: np.concatenate(parts_v)[order] if parts_v else np.empty(0),
            quality: np.concatenate(parts_q)[order] if parts_q else np.empty(0, dtype=object),
        }
    )
