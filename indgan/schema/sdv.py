"""SDV metadata: indgan's column roles to and from the metadata JSON of SDV (the Synthetic Data Vault).

SDV is not needed: everything here works on SDV's JSON dict form, and an SDV ``Metadata`` (or the older
``SingleTableMetadata``) object is read through its ``to_dict()``. The forms read and written:

- multi-table ``{"METADATA_SPEC_VERSION": "V2", "tables": {name: {"columns": {...}, "sequence_key": ...,
  "sequence_index": ..., "primary_key": ...}}, "relationships": []}`` (SDV 2.x; SDV 1.x's ``Metadata`` reads
  it too, as indgan writes it: no V2-only column keys), or ``"V1"`` (SDV 1.x: the same plus the numerical
  columns' ``computer_representation``, which SDV 2.x drops with a FutureWarning per column);
- single-table ``{"METADATA_SPEC_VERSION": "SINGLE_TABLE_V1", "columns": {...}, "sequence_key": ...}`` and the
  same without a version (sdmetrics' form).

indgan -> SDV (:func:`to_sdv_metadata`), one column at a time:

============================  ==========================================================================
indgan role                   SDV column
============================  ==========================================================================
time                          ``datetime`` (``datetime_format`` where a text time kept a ``strftime``
                              format), ``numerical`` for a numeric time (sample index); the table's
                              ``sequence_index`` when there is an entity (SDV refuses a ``sequence_index``
                              without a ``sequence_key``: a single log keeps its time as a plain column)
entity                        ``id``, the table's ``sequence_key``
continuous                    ``numerical`` (``computer_representation`` from the dtype: ``Float``,
                              ``Int64``...; V1 only); with status strings (or numbers stored as text)
                              ``categorical``: SDV's numerical columns hold numbers only, so SDV would
                              refuse the raw export ("Bad" among the numbers); SDV's own detection calls
                              such columns categorical too
categorical                   ``categorical``; ``boolean`` for a bool column
constant                      what its dtype is: ``numerical``, ``boolean``, ``datetime`` or ``categorical``
ignored                       ``unknown`` with ``pii: true`` (SDV does not learn it either: it writes
                              random stand-ins), kept so that SDV accepts the whole raw table
============================  ==========================================================================

SDV -> indgan (:func:`sdv_overrides`, :func:`from_sdv_metadata`): the metadata gives the roles, indgan's own
inference (:func:`indgan.schema.infer_schema`, with those roles as ``overrides``) learns the rest from the data:
status strings, levels, ranges, time formats and grid. The data is needed: a :class:`~indgan.schema.Schema`
holds what only the data tells (ranges, status strings, the time grid), and models fitted on a schema without it
would fail. The rules, first match wins:

- ``sequence_index`` -> time; ``sequence_key`` -> entity;
- no ``sequence_index`` and exactly one ``datetime`` column -> that column is the time;
- ``primary_key`` and ``alternate_keys`` -> ignored (unique per row: nothing to learn; SDV does not learn them
  either, it writes new keys);
- ``id`` (not a key) -> the entity when the metadata names no ``sequence_key`` and the column repeats in the
  data (the first such column: the id of each batch, unit or run), otherwise ignored;
- ``unknown`` -> ignored (SDV writes random stand-ins for it); a PII sdtype (``email``, ``name``,
  ``phone_number``...) -> ignored, unless it says ``"pii": false`` (SDV then learns its values as a category):
  then indgan infers its role from the data;
- ``numerical`` -> continuous; ``categorical``, ``ordinal``, ``boolean`` -> categorical. These two say less than
  indgan's roles, so indgan keeps from its own inference: the time and the entity where the metadata names none
  (an integer ``ClockTime``, a ``run`` column), constant columns (set aside whatever their sdtype), columns it
  ignores (nested, or more than ``max_categories`` strings), and numbers stored as text with historian status
  strings (more than ``max_discrete_levels`` distinct numbers, an SDV ``categorical``): continuous with their
  status strings, the way indgan learns such tags;
- ``datetime`` that is not the time -> inferred by indgan (a second time stamp is categorical or ignored);
- a data column that the metadata does not name -> inferred by indgan, with a warning.

:func:`load_sdv_metadata` reads any of those inputs (an object, a dict, a JSON file) to the dict form;
:func:`save_sdv_metadata` writes a schema's metadata to a JSON file that ``Metadata.load_from_json`` reads.
"""

from __future__ import annotations

import contextlib
import copy
import json
import logging
import os
from collections.abc import Iterator, Mapping
from pathlib import Path

import pandas as pd

from ..errors import ConfigError, DataError
from .inference import infer_schema
from .roles import CATEGORICAL, CONSTANT, CONTINUOUS, ENTITY, IGNORED, TIME, ColumnSpec
from .table import Schema
from .values import _numeric_with_status

log = logging.getLogger(__name__)

#: The metadata forms :func:`to_sdv_metadata` writes (``spec``).
SPECS = ("V2", "V1", "SINGLE_TABLE_V1")
#: The overrides keys (the ``[columns]`` config) of each role.
_OVERRIDE_KEY = {
    TIME: "time",
    ENTITY: "entity",
    CONTINUOUS: "continuous",
    CATEGORICAL: "categorical",
    IGNORED: "ignore",
}


# ---------------------------------------------------------------------------------------------- reading
def load_sdv_metadata(metadata) -> dict:
    """SDV metadata as its JSON dict form (a copy): ``metadata`` is an SDV ``Metadata`` /
    ``SingleTableMetadata`` object (anything with a ``to_dict()``), a dict, or the path of a JSON file (as written
    by SDV's ``save_to_json`` or :func:`save_sdv_metadata`).

    Raises
    ------
    ConfigError
        A missing file, a file that is not JSON, or a dict that is not SDV metadata (no ``tables`` or
        ``columns``; SDV's pre-1.0 ``fields`` form).
    """
    if isinstance(metadata, (str, os.PathLike)):
        path = Path(metadata)
        where = str(path)
        if not path.is_file():
            raise ConfigError(f"{where}: no such SDV metadata file.")
        try:
            d = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{where}: not a JSON file of SDV metadata: {exc}") from exc
    elif isinstance(metadata, Mapping):
        where, d = "the SDV metadata", copy.deepcopy(dict(metadata))
    elif callable(getattr(metadata, "to_dict", None)):
        where, d = f"the SDV {type(metadata).__name__}", metadata.to_dict()
    else:
        raise ConfigError(
            f"expected SDV metadata (a Metadata object, its dict or the path of its JSON file), got "
            f"{type(metadata).__name__}."
        )
    if not isinstance(d, dict) or not ("tables" in d or "columns" in d):
        if isinstance(d, dict) and "fields" in d:
            raise ConfigError(
                f"{where} is in the form of SDV before 1.0 (`fields`); convert it with SDV's "
                "Metadata.upgrade_metadata(path) first."
            )
        raise ConfigError(f"{where} is not SDV metadata: it has neither `tables` nor `columns`.")
    return d


def sdv_table(metadata, table_name: str | None = None) -> dict:
    """The one table of SDV metadata that indgan learns, checked: ``{"columns": {name: {"sdtype": ...}},
    "primary_key": [...], "alternate_keys": [...], "sequence_key": str | None, "sequence_index": str | None}``.

    ``table_name`` picks a table of multi-table metadata (needed when it has several).

    Raises
    ------
    ConfigError
        Several tables and no (or an unknown) ``table_name``, a column without an sdtype, a key naming no column,
        a composite sequence key, or the same column as sequence key and sequence index.
    """
    d = load_sdv_metadata(metadata)
    if "tables" in d:
        tables = d["tables"]
        if not isinstance(tables, dict) or not tables:
            raise ConfigError("the SDV metadata has no table.")
        if table_name is None:
            if len(tables) > 1:
                raise ConfigError(
                    f"the SDV metadata describes {len(tables)} tables ({', '.join(map(str, tables))}); indgan "
                    "learns one table: name it (table_name=...)."
                )
            table_name = next(iter(tables))
        elif table_name not in tables:
            raise ConfigError(
                f"the SDV metadata has no table {table_name!r}; its tables: {', '.join(map(str, tables))}."
            )
        table = tables[table_name]
    else:
        table = d
    columns = table.get("columns") if isinstance(table, dict) else None
    if not isinstance(columns, dict) or not columns:
        raise ConfigError("the SDV metadata describes no column (`columns` is empty or missing).")
    cols: dict[str, dict] = {}
    for name, col in columns.items():
        if not isinstance(col, dict) or not isinstance(col.get("sdtype"), str):
            raise ConfigError(f"column {name!r} of the SDV metadata has no sdtype.")
        cols[str(name)] = col

    def names(value, what: str) -> list[str]:
        if value is None or value == []:
            return []
        out = [str(v) for v in (value if isinstance(value, (list, tuple)) else [value])]
        unknown = [v for v in out if v not in cols]
        if unknown:
            raise ConfigError(f"the SDV metadata's {what} {unknown!r} names no column of its `columns`.")
        return out

    primary = names(table.get("primary_key"), "primary_key")
    alternate = [n for key in table.get("alternate_keys") or [] for n in names(key, "alternate_keys")]
    seq_key = names(table.get("sequence_key"), "sequence_key")
    if len(seq_key) > 1:
        raise ConfigError(
            f"the SDV metadata's sequence_key is composite ({seq_key!r}); indgan takes one entity column: "
            "combine them into one column first."
        )
    seq_index = names(table.get("sequence_index"), "sequence_index")
    if seq_key and seq_index and seq_key == seq_index:
        raise ConfigError(f"the SDV metadata names {seq_key[0]!r} as both sequence_key and sequence_index.")
    return {
        "columns": cols,
        "primary_key": primary,
        "alternate_keys": alternate,
        "sequence_key": seq_key[0] if seq_key else None,
        "sequence_index": seq_index[0] if seq_index else None,
    }


# ---------------------------------------------------------------------------------------------- SDV -> indgan
@contextlib.contextmanager
def _quiet(name: str) -> Iterator[None]:
    """Silence one logger for a first look whose warnings the final pass repeats."""
    logger = logging.getLogger(name)
    before = logger.disabled
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = before


def _text_numbers(s: pd.Series, max_discrete_levels: int) -> bool:
    """Numbers stored as text (maybe with historian status strings) taking more than ``max_discrete_levels``
    values: a tag that SDV can only call categorical and indgan learns as continuous."""
    if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_datetime64_any_dtype(s):
        return False
    if _numeric_with_status(s) is None:
        return False
    return pd.to_numeric(s.astype(object).astype(str).str.strip(), errors="coerce").nunique() > max_discrete_levels


def sdv_overrides(
    metadata,
    data: pd.DataFrame,
    *,
    table_name: str | None = None,
    max_discrete_levels: int = 10,
    max_categories: int = 1000,
    source: str = "table",
) -> dict:
    """The roles SDV metadata gives the columns of ``data``, as ``overrides`` for
    :func:`~indgan.schema.infer_schema` (the ``[columns]`` config form: ``{"time": [...], "entity": [...],
    "continuous": [...], "categorical": [...], "ignore": [...]}``; the mapping is in :mod:`indgan.schema.sdv`).

    ``data`` is the table the metadata describes: it decides what the sdtypes cannot say (which ``id`` repeats,
    which columns are constant, which text columns are numbers with status strings, the time and the entity
    where the metadata names none). Columns left out are inferred by indgan.

    Raises
    ------
    ConfigError
        Bad metadata (see :func:`sdv_table`), or metadata naming columns ``data`` does not have.
    DataError
        ``data`` is not a DataFrame, or indgan's inference refuses it (see :func:`~indgan.schema.infer_schema`).
    """
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"{source}: expected a pandas DataFrame, got {type(data).__name__}.")
    source = data.attrs.get("source", source) if source == "table" else source
    if any(not isinstance(c, str) for c in data.columns):
        raise DataError(f"{source}: column names must be strings; rename them (df.columns = df.columns.astype(str)).")
    table = sdv_table(metadata, table_name)
    cols = table["columns"]
    names = [str(c) for c in data.columns]
    absent = [c for c in cols if c not in names]
    if absent:
        raise ConfigError(
            f"{source}: the SDV metadata describes column(s) {absent[:10]!r}{' ...' if len(absent) > 10 else ''} "
            "that the table does not have; give the table the metadata describes."
        )
    extra = [c for c in names if c not in cols]
    if extra:
        log.warning(
            "%s: column(s) %r are not in the SDV metadata; indgan infers their roles.",
            source,
            extra[:10] + (["..."] if len(extra) > 10 else []),
        )

    strong: dict[str, str] = {}  # what the metadata says outright: keys, the time, the entity, ignored columns
    weak: dict[str, str] = {}  # numerical / categorical: kept unless indgan sets the column aside
    seq_index, seq_key = table["sequence_index"], table["sequence_key"]
    keys = set(table["primary_key"]) | set(table["alternate_keys"])
    if seq_index:
        strong[seq_index] = TIME
    if seq_key:
        strong[seq_key] = ENTITY
    datetimes = [c for c, m in cols.items() if m["sdtype"] == "datetime" and c not in strong and c not in keys]
    if not seq_index and len(datetimes) == 1:
        strong[datetimes[0]] = TIME
    entity = seq_key
    for name, meta in cols.items():
        if name in strong:
            continue
        sdtype = meta["sdtype"]
        if name in keys:
            strong[name] = IGNORED
        elif sdtype == "id":
            s = data[name]
            if entity is None and s.nunique(dropna=False) < len(s):
                entity = name
                strong[name] = ENTITY
                log.info("%s: the SDV metadata names no sequence_key; its id column %r is the entity.", source, name)
            else:
                strong[name] = IGNORED
        elif sdtype == "unknown":
            strong[name] = IGNORED
        elif sdtype == "numerical":
            weak[name] = CONTINUOUS
        elif sdtype in ("categorical", "ordinal", "boolean"):
            if sdtype != "boolean" and _text_numbers(data[name], max_discrete_levels):
                continue  # numbers as text with status strings: indgan learns them as continuous
            weak[name] = CATEGORICAL
        elif sdtype == "datetime":
            continue  # not the time: indgan infers it
        elif meta.get("pii", True) is not False:
            strong[name] = IGNORED  # a PII sdtype: SDV writes fakes, nothing to learn
        # a PII sdtype with "pii": false: SDV learns its values; indgan infers its role

    # what indgan's own inference makes of the columns the metadata leaves open (quiet: the final pass warns)
    with _quiet("indgan.schema.inference"):
        first = infer_schema(
            data,
            overrides=_as_overrides(strong),
            max_discrete_levels=max_discrete_levels,
            max_categories=max_categories,
            source=source,
        )
    roles = dict(strong)
    for spec in first.columns:
        name = spec.name
        if name in strong:
            continue
        if spec.role in (TIME, ENTITY):
            roles[name] = spec.role  # the metadata names no sequence index / key: indgan's own
            what = "sequence_index" if spec.role == TIME else "sequence_key"
            log.info("%s: the SDV metadata names no %s; indgan takes %r as the %s.", source, what, name, spec.role)
        elif name in weak and spec.role == IGNORED:
            log.warning(
                "%s: column %r is %s in the SDV metadata but indgan ignores it (nested values, or more than "
                "max_categories=%d distinct strings); raise max_categories to model it.",
                source,
                name,
                cols[name]["sdtype"],
                max_categories,
            )
        elif name in weak and spec.role != CONSTANT:
            roles[name] = weak[name]
    return _as_overrides(roles)


def _as_overrides(roles: dict[str, str]) -> dict:
    out: dict[str, list[str]] = {}
    for name, role in roles.items():
        out.setdefault(_OVERRIDE_KEY[role], []).append(name)
    return out


def from_sdv_metadata(
    metadata,
    data: pd.DataFrame | None = None,
    *,
    table_name: str | None = None,
    max_discrete_levels: int = 10,
    max_categories: int = 1000,
    source: str = "table",
) -> Schema:
    """The :class:`~indgan.schema.Schema` of ``data`` with the roles of SDV metadata (:func:`sdv_overrides`):
    indgan's inference with those roles as overrides, so that status strings, levels, ranges and time formats
    are learned from the data while the roles come from SDV.

    Parameters
    ----------
    metadata : SDV Metadata / SingleTableMetadata, dict, str or Path
        The metadata (see :func:`load_sdv_metadata`).
    data : pandas.DataFrame
        The table the metadata describes. Required: a Schema holds what only the data tells (ranges, status
        strings, the time grid).
    table_name : str, optional
        The table of multi-table metadata (needed when it has several).
    max_discrete_levels, max_categories, source
        As in :func:`~indgan.schema.infer_schema`.

    Raises
    ------
    ConfigError
        No ``data``, bad metadata, or metadata that does not fit ``data`` (see :func:`sdv_overrides`).
    DataError
        A table indgan's inference refuses.
    """
    if data is None:
        raise ConfigError(
            "SDV metadata gives the columns' roles, not what an indgan Schema also holds (ranges, status strings, "
            "levels, the time grid): pass the table too, from_sdv_metadata(metadata, data=df)."
        )
    overrides = sdv_overrides(
        metadata,
        data,
        table_name=table_name,
        max_discrete_levels=max_discrete_levels,
        max_categories=max_categories,
        source=source,
    )
    return infer_schema(
        data,
        overrides=overrides or None,
        max_discrete_levels=max_discrete_levels,
        max_categories=max_categories,
        source=source,
    )


# ---------------------------------------------------------------------------------------------- indgan -> SDV
def _dtype(name: str):
    try:
        return pd.api.types.pandas_dtype(name)
    except (TypeError, ValueError):
        return None


def _is_number(dtype) -> bool:
    return dtype is not None and pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def _numerical(dtype, spec: str) -> dict:
    col = {"sdtype": "numerical"}
    if spec != "V2":  # SDV 2 drops computer_representation (a warning per column); V1 and SDV 1.x take it
        kind, bits = getattr(dtype, "kind", "f"), 8 * getattr(dtype, "itemsize", 8)
        rep = {"i": f"Int{bits}", "u": f"UInt{bits}"}.get(kind, "Float")
        col["computer_representation"] = rep if rep in _REPRESENTATIONS else "Float"
    return col


_REPRESENTATIONS = ("Float", "Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64")


def _sdv_column(c: ColumnSpec, spec: str) -> dict:
    dtype = _dtype(c.dtype)
    if c.role == IGNORED:
        return {"sdtype": "unknown", "pii": True}
    if c.role == ENTITY:
        return {"sdtype": "id"}
    if c.role == TIME:
        if _is_number(dtype):
            return _numerical(dtype, spec)
        col = {"sdtype": "datetime"}
        if c.time_format and c.time_format != "iso" and not c.dtype.startswith("datetime"):
            col["datetime_format"] = c.time_format
        return col
    if c.role == CONTINUOUS:
        if c.statuses or not _is_number(dtype):
            return {"sdtype": "categorical"}  # "Bad" among the numbers: SDV's numerical would refuse the table
        return _numerical(dtype, spec)
    if dtype is not None and pd.api.types.is_bool_dtype(dtype):
        return {"sdtype": "boolean"}
    if c.role == CONSTANT:
        if _is_number(dtype):
            return _numerical(dtype, spec)
        if c.dtype.startswith("datetime"):
            return {"sdtype": "datetime"}
    return {"sdtype": "categorical"}


def to_sdv_metadata(schema: Schema, table_name: str = "table", spec: str = "V2") -> dict:
    """SDV metadata of ``schema``'s table, in SDV's JSON dict form (the mapping is in :mod:`indgan.schema.sdv`).

    Parameters
    ----------
    schema : Schema
    table_name : str, default "table"
        The table's name in multi-table metadata (SDV's default name for a single table).
    spec : {"V2", "V1", "SINGLE_TABLE_V1"}
        ``"V2"`` (default): ``{"METADATA_SPEC_VERSION": "V2", "tables": {table_name: {...}}, "relationships":
        []}``, which ``Metadata.load_from_dict`` of SDV 2.x and of SDV 1.x (1.38) read without a warning;
        ``"V1"``: the same with ``"V1"`` and the numerical columns' ``computer_representation`` (``Float``,
        ``Int64``...: SDV 1.x; SDV 2.x reads it with a FutureWarning per column); ``"SINGLE_TABLE_V1"``: the flat
        single-table form of SDV 1.x's ``SingleTableMetadata`` (V1 columns).

    Raises
    ------
    ConfigError
        An unknown ``spec``.
    """
    if spec not in SPECS:
        raise ConfigError(f"spec={spec!r}: use one of {', '.join(SPECS)}.")
    columns = {c.name: _sdv_column(c, spec) for c in schema.columns}
    table: dict = {"columns": columns}
    entity, time = schema.entity_column, schema.time_column
    if entity is not None:
        table["sequence_key"] = entity
        if time is not None:
            table["sequence_index"] = time  # SDV takes a sequence index only with a sequence key
    if spec == "SINGLE_TABLE_V1":
        return {"METADATA_SPEC_VERSION": "SINGLE_TABLE_V1", **table}
    return {"METADATA_SPEC_VERSION": spec, "tables": {table_name: table}, "relationships": []}


def save_sdv_metadata(schema: Schema, path: str | Path, table_name: str = "table", spec: str = "V2") -> Path:
    """Write :func:`to_sdv_metadata` of ``schema`` to the JSON file ``path`` (replaced if it exists), which SDV's
    ``Metadata.load_from_json`` and :func:`load_sdv_metadata` read. Returns the path."""
    from ..atomic import atomic_output

    d = to_sdv_metadata(schema, table_name=table_name, spec=spec)
    path = Path(path)
    with atomic_output(path) as tmp:
        Path(tmp).write_text(json.dumps(d, indent=4) + "\n", encoding="utf-8")
    return path


# Schema's SDV methods are defined here, beside the mapping, and attached when the package is imported: the Schema
# class (table.py) stays below inference, and the import graph has no cycle.
def _schema_to_sdv_metadata(self: Schema, table_name: str = "table", spec: str = "V2") -> dict:
    """SDV's metadata of this table in its JSON dict form (``Metadata.load_from_dict`` reads it); see
    :func:`indgan.schema.sdv.to_sdv_metadata` for the role mapping."""
    return to_sdv_metadata(self, table_name=table_name, spec=spec)


def _schema_from_sdv_metadata(cls, metadata, data: pd.DataFrame | None = None, **kwargs) -> Schema:
    """The schema of ``data`` with the roles of SDV metadata (a ``Metadata`` object, its dict or its JSON file);
    ``data`` is required. See :func:`indgan.schema.sdv.from_sdv_metadata` for the mapping and the keyword arguments
    (``table_name``, ``max_discrete_levels``, ``max_categories``, ``source``).

    Raises
    ------
    ConfigError
        No data, metadata that names columns the data lacks, composite keys, pre-1.0 metadata.
    """
    return from_sdv_metadata(metadata, data, **kwargs)


Schema.to_sdv_metadata = _schema_to_sdv_metadata
Schema.from_sdv_metadata = classmethod(_schema_from_sdv_metadata)
