"""Historian status strings and numbers.

A continuous column may hold numbers as text with a few status strings among them ("Bad", "Scan Timeout",
"Inp OutRange"): :func:`_numeric_with_status` finds them, :func:`_split_status` splits a column into float64
numbers and its status column. Numbers are read exactly (:func:`exact_numbers`), infinities are bad values
(:func:`finite_or_nan`), and :func:`_decimals` finds the decimals outputs are rounded to.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from .roles import MISSING, OK, ColumnSpec, code_label

log = logging.getLogger(__name__)


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


#: Least repeats of a number, and most share of the observed cells, for it to be a status code.
CODE_MIN_COUNT, CODE_MAX_SHARE = 3, 0.01


def status_codes(v: np.ndarray) -> list[float]:
    """The status codes among a numeric tag's values ``v (n,)`` (float64, NaN missing), most frequent first.

    Historians write a fixed number for a failed reading: -273.2 (absolute zero, from a temperature input gone
    open-circuit), -9999, 65535. On La Haute Borne's SCADA log one outdoor temperature holds -273.2 on 33 of 105,120
    rows; read as a temperature it takes that tag's correlation with the three other turbines' from 0.997 to
    0.80. A number is a code when it repeats exactly (at least ``CODE_MIN_COUNT`` times, on at most
    ``CODE_MAX_SHARE`` of the observed cells: a plateau a tag holds for days, a shutdown value, is an operating
    state, not a code) and lies beyond the range of the tag's other values (their 0.1-99.9% quantiles) by more
    than that range's width. A tag with fewer than 100 readings has none (too few to tell a code from a tail);
    at most 20 candidates are weighed (more far repeated numbers are a second operating range, not codes)."""
    v = v[np.isfinite(v)]
    if v.size < 100:
        return []
    values, counts = np.unique(v, return_counts=True)
    a, b = np.quantile(v, [0.02, 0.98])  # codes of at most 1% each lie beyond these, and far beyond
    keep = (counts >= CODE_MIN_COUNT) & (counts <= CODE_MAX_SHARE * v.size)
    keep &= (values < a - (b - a)) | (values > b + (b - a))
    cand, counts = values[keep], counts[keep]
    if cand.size == 0 or cand.size > 20:
        return []
    lo, hi = np.quantile(v[~np.isin(v, cand)], [0.001, 0.999])
    width = hi - lo
    if width <= 0:
        return []
    far = (cand < lo - width) | (cand > hi + width)
    return [float(c) for c in cand[far][np.argsort(-counts[far], kind="stable")]]


def _split_status(s: pd.Series, spec: ColumnSpec) -> tuple[pd.Series, pd.Series]:
    """Numbers (float64, NaN where not a number or a status code) and the status column of a continuous column."""
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        values = finite_or_nan(s.astype("float64"))
        status = pd.Series(np.where(values.isna(), MISSING, OK), index=s.index, dtype=object)
        for code in spec.codes:
            is_code = np.isclose(values.to_numpy(), code, rtol=1e-7, atol=0.0)
            status[is_code] = code_label(code)
            values[is_code] = np.nan
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


def finite_or_nan(values: pd.Series) -> pd.Series:
    """float64 ``values`` with infinities (a historian's overflow: a bad value) as NaN; a copy only if needed."""
    inf = np.isinf(values.to_numpy())
    return values.mask(inf) if inf.any() else values


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
