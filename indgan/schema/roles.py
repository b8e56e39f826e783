"""Column roles and what indgan knows about one column.

The role names (``time``, ``entity``, ``continuous``, ``categorical``, ``constant``, ``ignored``), the levels of
a status column (``"<ok>"``, ``"<missing>"``), :class:`ColumnSpec`, and two small helpers on cell values
(:func:`jsonable`, :func:`match_level`). The leaf of :mod:`indgan.schema`: it imports none of its siblings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd


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
    codes : list of float
        Status codes of a numeric continuous column (:func:`~indgan.schema.values.status_codes`): numbers a
        historian writes for a failed reading (-273.2, -9999), far outside the tag's range. The model view reads
        them as levels of the status column (named ``code_label(v)``, e.g. ``"-273.2"``), not as values; outputs
        write them back as the numbers.
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
    codes: list[float] = field(default_factory=list)
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
        if self.role in (CONTINUOUS, TIME) and (self.statuses or self.codes or self.has_missing):
            return self.name + STATUS_SUFFIX
        return None

    @property
    def status_levels(self) -> list[str]:
        levels = [OK] + list(self.statuses) + [code_label(v) for v in self.codes]
        if self.has_missing:
            levels.append(MISSING)
        return levels


def code_label(code: float) -> str:
    """The status level of a numeric status code: the number as a short text (``-273.2``, ``-9999``)."""
    return f"{code:.7g}"


def jsonable(v: Any) -> Any:
    if isinstance(v, (np.generic,)):
        return v.item()
    if isinstance(v, pd.Timestamp):
        return v.isoformat()
    if v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
        return None
    return v


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
