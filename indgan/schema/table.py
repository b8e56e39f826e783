"""The :class:`Schema` of a table: its columns' roles, its model view and the way back.

:meth:`Schema.view` turns a table into what models and metrics see; :meth:`Schema.restore` (with
:func:`_restore_dtype` and :func:`_restore_time`) gives back the input's columns, order and dtypes
(time columns as they came: see :mod:`indgan.schema`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from .roles import CATEGORICAL, CONSTANT, CONTINUOUS, ENTITY, IGNORED, MISSING, OK, TIME, ColumnSpec, code_label
from .times import _as_time, _zone_name, parse_times
from .values import _split_status


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
                    for code in c.codes:  # a status code goes back as its number
                        values = values.mask(status == code_label(code), code)
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
            if c.codes:
                extra.append("status codes: " + ", ".join(code_label(v) for v in c.codes))
            if c.has_missing:
                extra.append("has missing values")
            if c.role == CONSTANT:
                extra.append(f"value {c.constant!r}")
            rows.append({"column": c.name, "role": c.role, "dtype": c.dtype, "notes": "; ".join(extra)})
        return pd.DataFrame(rows)


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
