"""SQL adapter, tables as sources and sinks: :func:`read_sql` reads a table (or a query) in chunks into a
DataFrame, within a memory bound; :func:`write_sql` writes a DataFrame or its parts into a NEW table, whole or not
at all; :func:`is_database_url` tells a database URL from a file path.

    df = read_sql("postgresql+psycopg://user@host/plant", "readings", where="ts >= '2024-01-01'")
    n = write_sql(parts, "sqlite:///synthetic.db", "synthetic_readings", protected=["readings"])  # frames

Reading runs in a read-only transaction where the database has one (PostgreSQL, MySQL: ``SET TRANSACTION READ
ONLY``; SQLite: ``PRAGMA query_only``), so the user's SQL of ``where=`` and ``query=`` cannot change data. Writing
creates the table and inserts every part in one transaction on databases whose DDL is transactional (SQLite,
PostgreSQL): an error or an interruption leaves no table. Elsewhere (MySQL...) the table is created under a
temporary name, filled in one transaction and renamed at the end; a failure drops it.
"""

from __future__ import annotations

import logging
import re
import uuid
import warnings
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from ...errors import check_positive_int, first_line
from ..memory import _encoding_bytes, format_bytes, parse_memory
from .engine import DatabaseError, _create_engine, _kind, _native, _open, _reflect, _safe_url, _transaction

__all__ = ["is_database_url", "read_sql", "write_sql"]

log = logging.getLogger(__name__)

#: Databases whose ``CREATE TABLE`` is part of a transaction: a new table is created and filled in one
#: transaction. Others get a temporary table renamed at the end (MySQL commits DDL implicitly).
_TRANSACTIONAL_DDL = frozenset({"sqlite", "postgresql"})

#: URL schemes of files and object stores (pyarrow, fsspec): not databases.
_FILE_SCHEMES = frozenset(
    "file http https ftp sftp s3 s3a s3n gs gcs hdfs webhdfs viewfs az abfs abfss adl wasb wasbs oss memory "
    "zip tar github".split()
)
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-_]*)://")
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$")
_DISTINCT_CAP = 1001  # distinct values counted per column when rows are skipped (as files.py counts them)


# ---------------------------------------------------------------------------------------------- URLs
def is_database_url(text: Any) -> bool:
    """Whether ``text`` is a database URL (SQLAlchemy's ``dialect[+driver]://...``) rather than a file path.

    ``sqlite:///plant.db``, ``sqlite://`` (in memory), ``postgresql+psycopg://user@host/plant``,
    ``mysql+pymysql://...`` and any other ``name://...`` that SQLAlchemy parses are; plain paths
    (``data/plant.parquet``), Windows paths (``C:\\data\\plant.csv``, ``C://data``), :class:`pathlib.Path` objects
    and file or object-store URLs (``file://``, ``s3://``, ``https://``, ``hdfs://``...) are not. A
    :class:`sqlalchemy.engine.URL` is. Nothing is connected to.
    """
    if isinstance(text, sa.URL):
        return True
    if not isinstance(text, str):
        return False
    text = text.strip()
    m = _SCHEME.match(text)
    if not m:
        return False
    scheme = m.group(1).lower()
    if len(scheme) == 1 or scheme.split("+")[0] in _FILE_SCHEMES:  # one letter: a Windows drive
        return False
    try:
        sa.make_url(text)
    except (sa_exc.ArgumentError, ValueError):
        return False
    return True


def _literal(sql: str) -> sa.TextClause:
    """The user's SQL as it is written: every colon literal (``x::int``, ``'12:00'``), no bind parameters."""
    return sa.text(sql.replace(":", "\\:"))


# ---------------------------------------------------------------------------------------------- reading
def read_sql(
    url_or_engine,
    table: str | None = None,
    *,
    where: str | None = None,
    query: str | None = None,
    columns: Iterable[str] | str | None = None,
    db_schema: str | None = None,
    chunk_rows: int = 100_000,
    max_memory: int | str | None = None,
) -> pd.DataFrame:
    """Read a database table (or the result of a query) into a DataFrame, ``chunk_rows`` rows at a time.

    Parameters
    ----------
    url_or_engine : str, sqlalchemy.URL, sqlalchemy.Engine or pathlib.Path
        A database URL (``postgresql+psycopg://user:password@host:5432/plant``, ``sqlite:///plant.db``), an engine
        (left open) or the path of a SQLite file.
    table : str, optional
        A table or view to read (reflected: its column types decide the dtypes). Exactly one of ``table`` and
        ``query``.
    where : str, optional
        With ``table`` only: a condition in the database's own SQL, used as written as the ``WHERE`` clause
        (``"ts >= '2024-01-01' AND unit = 'A'"``). It is the user's SQL, not escaped or checked by indgan; the read
        runs in a read-only transaction (PostgreSQL, MySQL, SQLite), so it cannot change data.
    query : str, optional
        A ``SELECT`` statement in the database's SQL, run as written, read-only as ``where``. Its result columns
        have no declared types: their dtypes follow their values (text that is all ISO dates and times becomes a
        datetime column). Its ``ORDER BY`` decides which rows ``max_memory`` keeps.
    columns : list of str, optional
        The columns to keep, in this order (a table: only these are selected; a query: the others are dropped
        from each chunk as it is read).
    db_schema : str, optional
        The schema of ``table`` (PostgreSQL ``public``...); default: the connection's default schema.
    chunk_rows : int
        Rows per fetch (a server-side cursor on PostgreSQL): memory holds the kept rows and one chunk.
    max_memory : int or str, optional
        Most bytes the rows may take in memory while a model learns them (``"2GB"``, parsed by
        :func:`indgan.adapters.files.parse_memory`), estimated as :func:`indgan.read_table` does: each chunk's
        pandas size plus 16 bytes per encoded number. None: no bound (every row is read). When the rows would take
        more, the **last** rows that fit are kept and a warning (``logging``) says how many were skipped: a table
        is read ordered by its first date/time column (``ORDER BY``: the most recent rows), else by its primary key,
        else in the database's order; a query in its own order. Every row is still read once, so
        ``df.attrs["column_stats"]`` (numeric ranges and NULL counts) and ``df.attrs["distinct_values"]`` describe
        all of them, as for a cut parquet dataset.

    Returns
    -------
    pandas.DataFrame
        ``(n_rows, n_columns)``, one column per selected column in table (or query) order, a fresh ``RangeIndex``.
        Dtypes: date/time columns ``datetime64[ns]`` (timezone-aware ones ``datetime64[ns, UTC]``); integer
        columns ``int64``, ``float64`` when they hold NULLs; floating and decimal columns ``float64``; booleans
        ``bool``, ``object`` (``True``/``False``/``None``) when they hold NULLs; text ``object`` (``str``); other
        types (binary, JSON, intervals...) ``object`` as the driver returns them. NULL is ``NaN``/``NaT`` in
        numeric and date/time columns, ``None`` in ``object`` ones. A column whose values do not fit its declared
        type (SQLite stores ``'Bad'`` in a ``REAL`` column) is ``object`` with its numbers and strings as stored.
        ``df.attrs``: ``source`` (the URL, password hidden, and the table), ``n_rows_total`` (rows read).

    Raises
    ------
    DatabaseError
        One line naming the URL (password hidden) and the table: a bad or unreachable URL; neither or both of
        ``table`` and ``query``; ``where`` without ``table``; a missing schema or table (its tables are listed);
        a column not in the table (its columns are listed); a ``WHERE`` condition or query the database refuses
        (its first line); duplicate result column names; no rows.
    indgan.errors.DataError
        ``max_memory`` is not a size.
    indgan.errors.ConfigError
        ``chunk_rows`` is not a positive integer.
    """
    if (table is None) == (query is None):
        raise DatabaseError(
            "give exactly one of table= (a table or view to read, optionally with where=) and query= (a SELECT "
            f"statement); got {'both' if table is not None else 'neither'}."
        )
    if table is not None and (not isinstance(table, str) or not table.strip()):
        raise DatabaseError(f"table={table!r}: give the name of a table or view.")
    if query is not None and (not isinstance(query, str) or not query.strip()):
        raise DatabaseError(f"query={query!r}: give a SELECT statement.")
    if where is not None and not isinstance(where, str):
        raise DatabaseError(f"where={where!r}: give a SQL condition as text, e.g. \"ts >= '2024-01-01'\".")
    if query is not None:
        query = query.strip().rstrip(";").rstrip()  # a trailing semicolon, as people write them, is not SQL here
    if where is not None:
        where = where.strip().rstrip(";").rstrip() or None
    if where is not None and table is None:
        raise DatabaseError("where= applies to table=; write the condition into the query's own WHERE clause.")
    if isinstance(columns, str):
        columns = [columns]
    columns = None if columns is None else [str(c) for c in columns]
    if columns is not None and (not columns or len(set(columns)) != len(columns)):
        raise DatabaseError(f"columns={columns!r}: give one or more distinct column names.")
    chunk_rows = check_positive_int("chunk_rows", chunk_rows)
    bound = parse_memory(max_memory)
    what = f"table {table!r}" if table is not None else "query"

    with ExitStack() as stack:
        try:
            engine = stack.enter_context(_open(url_or_engine))
        except DatabaseError as exc:
            raise DatabaseError(f"reading {what}: {exc}") from None
        url = _safe_url(engine)
        source = f"{url}, {what}" if table is None or db_schema is None else f"{url}, table {db_schema}.{table}"
        conn = stack.enter_context(_read_only(engine))
        order: list[str] = []
        context = source + (f" WHERE {where}" if where is not None else "")
        reader = _Reader(bound)
        try:
            if table is not None:
                t = _reflect(conn, table, db_schema, engine)
                names = list(t.c.keys())
                if columns is not None:
                    missing = [c for c in columns if c not in t.c]
                    if missing:
                        raise DatabaseError(
                            f"{source}: no column(s) {missing!r}; its columns: "
                            f"{', '.join(map(repr, names[:40]))}{' ...' if len(names) > 40 else ''}."
                        )
                    names = columns
                stmt = sa.select(*[t.c[c] for c in names])
                if where is not None:
                    stmt = stmt.where(_literal(where))
                order = _order_of(t)
                if order:
                    stmt = stmt.order_by(*[t.c[c] for c in order])
                kinds = {c: _read_kind(t.c[c].type) for c in names}
                utc = {c: bool(getattr(t.c[c].type, "timezone", False)) for c in names}
            else:
                stmt = _literal(query)
                kinds, utc = {}, {}
            result = conn.execution_options(stream_results=True, yield_per=chunk_rows).execute(stmt)
            keys = [str(k) for k in result.keys()]  # plain str: SQLAlchemy's quoted_name breaks scikit-learn's checks
            dupes = sorted({k for k in keys if keys.count(k) > 1})
            if dupes:
                raise DatabaseError(
                    f"{context}: the result has duplicate column name(s) {dupes!r}; name each column once "
                    "(SELECT a.id AS a_id, b.id AS b_id ...)."
                )
            keep = keys
            if columns is not None and table is None:
                missing = [c for c in columns if c not in keys]
                if missing:
                    raise DatabaseError(f"{context}: no column(s) {missing!r} in its result; it has {keys!r}.")
                keep = columns
            for rows in result.partitions():
                reader.add(_chunk(keys, rows, keep, kinds, utc))
        except DatabaseError:
            raise
        except sa_exc.StatementError as exc:
            problem = f"the WHERE condition {where!r}" if where is not None else "the query" if query else "reading it"
            raise DatabaseError(
                f"{context}: {problem} failed: {first_line(exc, limit=None, unwrap=True)}"
                + (" (the condition is SQL of this database, used as written)." if where is not None else ".")
            ) from None
        except (ValueError, OverflowError) as exc:  # a value the driver cannot convert (SQLite text in a DATETIME)
            raise DatabaseError(f"{context}: cannot read a value: {first_line(exc, limit=None)}.") from None
    if reader.n_rows == 0:
        raise DatabaseError(f"{context}: no rows; indgan needs data to learn from (check the table and the WHERE).")
    df = reader.frame(keep, kinds, utc)
    df.attrs["source"] = source
    df.attrs["n_rows_total"] = int(reader.n_rows)
    if reader.skipped:
        df.attrs["column_stats"] = reader.stats
        df.attrs["distinct_values"] = {c: min(len(v), _DISTINCT_CAP) for c, v in reader.distinct.items()}
        by = (
            f"the most recent {len(df):,} rows by {order[0]!r} ({df[order[0]].iloc[0]} to {df[order[0]].iloc[-1]})"
            if order and order[0] in df and kinds.get(order[0]) == "time"
            else f"the last {len(df):,} rows by {', '.join(map(repr, order))}"
            if order
            else f"the last {len(df):,} rows in the order the database returned them"
        )
        log.warning(
            "%s: %s rows (~%s in memory while learning) exceed the memory bound of %s (--max-memory): learning "
            "from %s; the first %s rows were skipped. A larger --max-memory learns from more.",
            context,
            f"{reader.n_rows:,}",
            format_bytes(reader.need),
            format_bytes(bound),
            by,
            f"{reader.skipped:,}",
        )
    return df


@contextmanager
def _read_only(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A connection whose statements cannot write: a ``READ ONLY`` transaction (PostgreSQL, MySQL, rolled back at
    the end), ``PRAGMA query_only`` (SQLite, reset at the end); other databases: a plain connection."""
    name = engine.dialect.name
    with engine.connect() as conn:
        if name in ("postgresql", "mysql", "mariadb"):
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")  # before the transaction's first statement
            try:
                yield conn
            finally:
                if not conn.invalidated:
                    conn.rollback()
        elif name == "sqlite":
            conn.exec_driver_sql("PRAGMA query_only = 1")
            try:
                yield conn
            finally:
                if not conn.invalidated:
                    try:
                        conn.rollback()
                        conn.exec_driver_sql("PRAGMA query_only = 0")
                    except sa_exc.SQLAlchemyError:
                        conn.invalidate()  # never pool a read-only connection
        else:
            yield conn


def _order_of(t: sa.Table) -> list[str]:
    """The columns a table is read in order of: its first date/time column (the time column
    :func:`indgan.schema.infer_schema` would pick), else its primary key, else none."""
    for c in t.c:
        if _kind(c.type) == "time":
            return [c.key]
    return [c.key for c in t.primary_key.columns]


def _read_kind(sqltype: sa.types.TypeEngine) -> str:
    kind = _kind(sqltype)
    return {"decimal": "float", None: "other"}.get(kind, kind)


def _value_kind(values: tuple) -> str | None:
    """A query column's kind from its values (None: all NULL): 'bool', 'int', 'float', 'time', 'str', 'other'."""
    seen: set[str] = set()
    for v in values:
        if v is None:
            continue
        if isinstance(v, (bool, np.bool_)):
            seen.add("bool")
        elif isinstance(v, (int, np.integer)):
            seen.add("int")
        elif isinstance(v, (float, Decimal, np.floating)):
            seen.add("float")
        elif isinstance(v, (datetime, date)):
            seen.add("time")
        elif isinstance(v, str):
            seen.add("str")
        else:
            return "other"
        if len(seen) > 1 and not seen <= {"int", "float"}:
            return "other"
    if not seen:
        return None
    if seen == {"int", "float"}:
        return "float"
    kind = seen.pop()
    if kind == "str" and all(_ISO_TIME.match(v) for v in values if v is not None):
        return "time"
    return kind


def _series(values: tuple, kind: str | None, utc: bool) -> tuple[pd.Series, str | None]:
    """One chunk of one column as a Series of the dtype its kind gives (see :func:`read_sql`), and the kind it
    really got: 'other' when its values do not fit (strings in a numeric column), None when all NULL and unknown."""
    if kind is None:
        kind = _value_kind(values)
        if kind is None:
            return pd.Series(values, dtype=object), None
    if kind in ("int", "float"):
        try:
            x = np.array(values, dtype=np.float64)  # NULL -> NaN, Decimal -> float, at C speed
        except (ValueError, TypeError):  # text in a numeric column (SQLite's dynamic typing)
            return pd.Series(values, dtype=object), "other"
        if kind == "int" and not np.isnan(x).any() and np.array_equal(x, np.trunc(x)):
            if np.all(np.abs(x) < 2.0**53):
                return pd.Series(x.astype(np.int64)), kind
            try:
                return pd.Series(np.array(values, dtype=np.int64)), kind  # exact beyond float precision
            except (ValueError, TypeError, OverflowError):
                pass
        return pd.Series(x), kind
    s = pd.Series(values, dtype=object)
    if kind == "time":
        return _to_time(s, utc), kind
    if kind == "bool":
        if not s.isna().any() and all(isinstance(v, (bool, np.bool_)) for v in values):
            return s.astype(bool), kind
        return s, kind
    return s, kind


def _to_time(s: pd.Series, utc: bool) -> pd.Series:
    """``datetime64[ns]`` (``datetime64[ns, UTC]`` when ``utc`` or the values are timezone-aware); as is when the
    values are not all dates and times or lie outside ``datetime64[ns]``'s years 1677-2262."""
    strings = bool(s.map(lambda v: isinstance(v, str)).any())
    for tz in dict.fromkeys((utc, True)):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out = pd.to_datetime(s, utc=tz, format="ISO8601" if strings else None)
                if out.dtype.kind != "M":
                    return s
                if out.dt.tz is not None:
                    out = out.dt.tz_convert("UTC")
                return out.dt.as_unit("ns")
        except (ValueError, TypeError, OverflowError):  # mixed offsets: retried in UTC; out of range: as is
            continue
    return s


def _chunk(keys: list[str], rows: list, keep: list[str], kinds: dict, utc: dict) -> tuple[pd.DataFrame, dict]:
    cols = dict(zip(keys, zip(*rows))) if rows else {k: () for k in keys}
    data, got = {}, {}
    for c in keep:
        data[c], got[c] = _series(cols[c], kinds.get(c), utc.get(c, False))
    return pd.DataFrame(data, columns=keep), got


class _Reader:
    """Chunks in arrival order, within ``bound`` bytes (the oldest dropped first), and what the dropped ones held:
    numeric ranges and NULL counts, distinct values (up to :data:`_DISTINCT_CAP`)."""

    def __init__(self, bound: int | None):
        self.bound = bound
        self.parts: deque[list] = deque()  # [frame, bytes]
        self.kinds: dict[str, set] = {}
        self.size = 0.0
        self.need = 0.0
        self.n_rows = 0
        self.skipped = 0
        self.stats: dict[str, dict] = {}
        self.distinct: dict[str, set] = {}

    def add(self, chunk: tuple[pd.DataFrame, dict]) -> None:
        df, got = chunk
        for c, k in got.items():
            if k is not None:
                self.kinds.setdefault(c, set()).add(k)
        if not len(df):
            return
        self.n_rows += len(df)
        if self.bound is None:
            self.parts.append([df, 0.0])
            return
        self._describe(df)
        numeric = sum(pd.api.types.is_numeric_dtype(t) for t in df.dtypes)  # as files.py counts them
        nbytes = float(df.memory_usage(deep=True, index=False).sum()) + len(df) * _encoding_bytes(numeric, df.shape[1])
        self.parts.append([df, nbytes])
        self.size += nbytes
        self.need += nbytes
        while self.size > self.bound:
            first, first_bytes = self.parts[0]
            excess = self.size - self.bound
            if len(self.parts) > 1 and (first_bytes <= excess or len(first) == 1):
                self.parts.popleft()
                self.size -= first_bytes
                self.skipped += len(first)
                continue
            if len(first) <= 1:
                break  # one row, larger than the bound: kept
            per_row = first_bytes / len(first)
            drop = min(len(first) - 1, max(1, int(np.ceil(excess / per_row))))
            self.parts[0] = [first.iloc[drop:].copy(), first_bytes - drop * per_row]
            self.size -= drop * per_row
            self.skipped += drop

    def _describe(self, df: pd.DataFrame) -> None:
        for c in df.columns:
            s = df[c]
            if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
                x = s.to_numpy(dtype="float64")
                finite = x[np.isfinite(x)]
                st = self.stats.setdefault(c, {"min": float("inf"), "max": -float("inf"), "nulls": 0})
                if finite.size:
                    st["min"], st["max"] = min(st["min"], float(finite.min())), max(st["max"], float(finite.max()))
                st["nulls"] += int(np.isnan(x).sum())
            seen = self.distinct.setdefault(c, set())
            if len(seen) < _DISTINCT_CAP:
                try:
                    seen.update(pd.unique(s.dropna())[:_DISTINCT_CAP].tolist())
                except TypeError:  # unhashable values (JSON): counted as their text
                    seen.update(map(str, s.dropna()[:_DISTINCT_CAP]))

    def frame(self, keep: list[str], kinds: dict, utc: dict) -> pd.DataFrame:
        """The kept rows as one frame. A query's column whose chunks disagreed (all NULL in one, numbers in
        another) gets the dtype of its one kind over the whole column; a table's columns already have theirs."""
        frames = [p[0] for p in self.parts]
        self.parts.clear()
        df = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True, copy=False)
        df = df.reset_index(drop=True)
        for c in keep:
            if c in kinds or df[c].dtype != object:
                continue
            got = self.kinds.get(c, set())
            kind = "float" if got == {"int", "float"} else next(iter(got)) if len(got) == 1 else None
            if kind in ("int", "float", "time", "bool"):
                df[c] = _series(tuple(df[c].tolist()), kind, utc.get(c, False))[0]
        return df


# ---------------------------------------------------------------------------------------------- writing
def write_sql(
    frames: pd.DataFrame | Iterable[pd.DataFrame],
    url_or_engine,
    table: str,
    *,
    append: bool = False,
    protected: Iterable[str] | str = (),
    db_schema: str | None = None,
    chunk_rows: int = 10_000,
) -> int:
    """Write a DataFrame, or its parts one at a time, into a new database table (or append to one), whole or not at
    all.

    Parameters
    ----------
    frames : pandas.DataFrame or iterable of pandas.DataFrame
        The rows: one frame ``(n_rows, n_columns)``, or parts (as ``indgan sample`` generates them), each with the
        columns of the first; only one part is held at a time. The iterator is not advanced before the target
        is checked, so a refused write generates nothing.
    url_or_engine : str, sqlalchemy.URL, sqlalchemy.Engine or pathlib.Path
        The database. A SQLite file that does not exist is created (its folder must exist), and removed again if
        the write fails.
    table : str
        The table to create. Column types come from the first part's dtypes: ``datetime64`` -> ``DateTime``
        (timezone-aware -> ``DateTime(timezone=True)``; SQLite stores those in UTC, without the zone), floats ->
        ``Float``, integers -> ``BigInteger``, booleans (and ``object`` columns holding only ``True``/``False``/
        NULL) -> ``Boolean``, timedeltas -> ``Interval``, everything else (``object``, ``string``, ``category``)
        -> ``Text``, written as ``str(value)``. ``NaN``/``NaT``/``None``/``pd.NA`` are written as NULL.
    append : bool
        Add the rows to an existing table (its columns must include every column of the frames) instead of
        refusing it. Without it an existing table is never touched.
    protected : iterable of str
        Tables never written, even with ``append`` (the table a model was trained on): ``"readings"`` matches that
        name in any schema, ``"plant.readings"`` in schema ``plant``; names compare case-insensitively.
    db_schema : str, optional
        The schema to write in; default: the connection's default schema.
    chunk_rows : int
        Rows per ``INSERT`` batch.

    Returns
    -------
    int
        Rows written.

    Notes
    -----
    Whole or nothing: on SQLite and PostgreSQL (transactional DDL) the check, the ``CREATE TABLE`` and every row are
    one transaction (SQLite: ``BEGIN IMMEDIATE``, so other writers wait until it ends; readers do not), committed
    after the last part: an exception, Ctrl-C or a killed process leaves no table (or, appending, the table as it
    was). Elsewhere (MySQL commits DDL at once) a new table is created as ``<table>_indgan_<random>``, filled in one
    transaction and renamed at the end; a failure drops it (a killed process can leave that temporary table, never
    a half table under ``table``). Rows go in with ``COPY`` on PostgreSQL through psycopg 3, one ``executemany``
    per ``chunk_rows`` rows elsewhere.

    Raises
    ------
    DatabaseError
        Before anything is written: a protected table, an existing table without ``append``, a missing schema, a
        frame whose columns are not unique strings or (append) not in the table, a bad or unreachable URL, no frame
        at all. While writing (the transaction is rolled back, no new table is left): a part whose columns differ
        from the first's, a value or statement the database refuses (its first line). Messages name the URL
        (password hidden) and the table.
    Exception
        Whatever the iterator of ``frames`` raises, after the rollback.
    """
    if not isinstance(table, str) or not table.strip():
        raise DatabaseError(f"table={table!r}: give the name of the table to write.")
    chunk_rows = check_positive_int("chunk_rows", chunk_rows)
    where = f"schema {db_schema!r}, " if db_schema else ""
    hit = _protected_match(table, db_schema, protected)
    if hit is not None:
        raise DatabaseError(
            f"table {table!r}: refusing to write into {where}{table!r}, the table the model was trained on "
            f"(protected: {hit!r}), even to append; choose another table name."
        )
    parts = iter([frames]) if isinstance(frames, pd.DataFrame) else iter(frames)
    with _open_sink(url_or_engine, f"writing table {table!r}") as engine:
        url = _safe_url(engine)
        target = f"{url}, table {table!r}" if db_schema is None else f"{url}, table {db_schema}.{table}"
        try:
            if engine.dialect.name in _TRANSACTIONAL_DDL:
                with _transaction(engine) as conn:
                    t, first = _prepare(conn, engine, parts, table, db_schema, append, target)
                    if not t.info.get("append"):
                        t.create(conn)
                    return _insert_all(conn, t, first, parts, chunk_rows, target)
            return _write_elsewhere(engine, parts, table, db_schema, append, chunk_rows, target)
        except sa_exc.StatementError as exc:
            raise DatabaseError(
                f"{target}: the database refused the write: {first_line(exc, limit=None, unwrap=True)}; "
                "nothing was written."
            ) from None


def _protected_match(table: str, db_schema: str | None, protected) -> str | None:
    if protected is None:
        return None
    if isinstance(protected, str):
        protected = (protected,)
    for p in protected:
        if p is None:
            continue
        p = str(p)
        schema, _, name = p.rpartition(".")
        if p.lower() == table.lower():
            return p
        if name.lower() == table.lower() and (not schema or db_schema is None or schema.lower() == db_schema.lower()):
            return p
    return None


@contextmanager
def _open_sink(url_or_engine, what: str) -> Iterator[sa.Engine]:
    """:func:`engine._open` for writing: a SQLite file that does not exist yet is created, and removed again if
    the ``with`` block fails (it holds nothing then; only for a URL, not for the caller's engine)."""
    owned = not isinstance(url_or_engine, sa.Engine)
    try:
        engine = _create_engine(url_or_engine) if owned else url_or_engine
    except DatabaseError as exc:
        raise DatabaseError(f"{what}: {exc}") from None
    created: Path | None = None
    done = False
    try:
        db = engine.url.database if engine.dialect.name == "sqlite" else None
        if owned and db and db != ":memory:" and not db.startswith("file:") and not Path(db).exists():
            folder = Path(db).parent
            if not folder.is_dir():
                raise DatabaseError(
                    f"{what}: {_safe_url(engine)}: no folder {str(folder)!r} for the new SQLite file; create it or "
                    "check the path (sqlite:///relative.db, sqlite:////absolute/path.db)."
                )
            created = Path(db)
            with engine.connect():
                pass  # creates the file
        with ExitStack() as stack:
            try:
                opened = stack.enter_context(_open(engine))
            except DatabaseError as exc:
                raise DatabaseError(f"{what}: {exc}") from None
            yield opened
        done = True
    finally:
        if owned:
            engine.dispose()
        if created is not None and not done:
            for path in (created, created.with_name(created.name + "-journal")):
                try:
                    path.unlink(missing_ok=True)
                except OSError:
                    pass


def _prepare(
    conn: sa.Connection, engine: sa.Engine, parts: Iterator, table: str, db_schema: str | None, append: bool, target
) -> tuple[sa.Table, pd.DataFrame]:
    """Check the target (schema, existence, append columns) before the first part is generated; the table to write
    (reflected when appending, else built from the first part's dtypes) and that first part."""
    insp = sa.inspect(conn)
    if db_schema is not None and db_schema not in insp.get_schema_names():
        raise DatabaseError(
            f"{target}: no schema {db_schema!r}; schemas: {', '.join(map(repr, insp.get_schema_names()))}."
        )
    exists = insp.has_table(table, schema=db_schema)
    if exists and not append:
        raise DatabaseError(
            f"{target}: the table already exists; indgan writes new tables only: choose another table name, or "
            "append to it explicitly (append=True)."
        )
    append = append and exists  # appending to a table that does not exist yet: created as a new one
    first = _first_part(parts, target)
    if append:
        t = _reflect(conn, table, db_schema, engine)
        extra = [c for c in first.columns if c not in t.c]
        if extra:
            raise DatabaseError(
                f"{target}: column(s) {extra!r} of the rows are not in the table (its columns: "
                f"{', '.join(map(repr, list(t.c.keys())[:40]))}); nothing was written."
            )
        t.info["append"] = True
        return t, first
    return _new_table(first, table, db_schema), first


def _first_part(parts: Iterator, target: str) -> pd.DataFrame:
    first = next(parts, None)
    if first is None:
        raise DatabaseError(f"{target}: no rows were given to write (an empty iterator of frames).")
    _check_frame(first, target)
    return first


def _check_frame(df, target: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise DatabaseError(f"{target}: expected pandas DataFrames to write, got {type(df).__name__}.")
    if df.shape[1] == 0:
        raise DatabaseError(f"{target}: the rows have no columns.")
    bad = [c for c in df.columns if not isinstance(c, str) or not c]
    if bad:
        raise DatabaseError(f"{target}: column names must be non-empty strings, got {bad[:5]!r}.")
    lower = [c.lower() for c in df.columns]
    dupes = sorted({c for c in df.columns if lower.count(c.lower()) > 1})
    if dupes:
        raise DatabaseError(f"{target}: duplicate column name(s) {dupes!r} (case-insensitive); rename them.")


def _sql_type(s: pd.Series) -> sa.types.TypeEngine:
    dt = s.dtype
    if isinstance(dt, pd.DatetimeTZDtype):
        return sa.DateTime(timezone=True)
    if pd.api.types.is_datetime64_dtype(dt):
        return sa.DateTime()
    if pd.api.types.is_bool_dtype(dt):
        return sa.Boolean()
    if pd.api.types.is_integer_dtype(dt):
        return sa.BigInteger()
    if pd.api.types.is_float_dtype(dt):
        return sa.Float()
    if pd.api.types.is_timedelta64_dtype(dt):
        return sa.Interval()
    if pd.api.types.is_object_dtype(dt):
        observed = s.dropna()
        if len(observed) and all(isinstance(v, (bool, np.bool_)) for v in observed):
            return sa.Boolean()  # a nullable boolean, as read_sql returns one
    return sa.Text()


def _new_table(first: pd.DataFrame, name: str, db_schema: str | None) -> sa.Table:
    return sa.Table(name, sa.MetaData(), *[sa.Column(c, _sql_type(first[c])) for c in first.columns], schema=db_schema)


def _values(s: pd.Series, column: sa.Column, sqlite: bool) -> list:
    """One column of a part as the Python values to bind: native numbers, ``datetime`` s (timezone-aware ones in
    UTC, without the zone for SQLite and for columns without one), ``str`` for text columns, None for every
    missing value."""
    dt = s.dtype
    missing = s.isna().to_numpy()
    if dt.kind == "M":
        if isinstance(dt, pd.DatetimeTZDtype):
            s = s.dt.tz_convert("UTC")
            if sqlite or not getattr(column.type, "timezone", False):
                s = s.dt.tz_localize(None)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # nanoseconds are dropped: databases keep microseconds
            out = pd.DatetimeIndex(s).to_pydatetime().astype(object)
    elif dt.kind == "m":
        out = pd.TimedeltaIndex(s).to_pytimedelta().astype(object)
    else:
        out = s.to_numpy(dtype=object)
    if missing.any():
        out[missing] = None
    if isinstance(column.type, sa.String):
        return [v if v is None or isinstance(v, str) else str(_native(v)) for v in out]
    if pd.api.types.is_object_dtype(dt) or not isinstance(dt, np.dtype):  # object, category, nullable: unwrapped
        return [_native(v) for v in out]
    return out.tolist()


def _insert_all(
    conn: sa.Connection, t: sa.Table, first: pd.DataFrame, parts: Iterator, chunk_rows: int, target: str
) -> int:
    """Insert ``first`` and every further part into ``t`` on ``conn`` (the caller's transaction): ``COPY ... FROM
    STDIN`` on PostgreSQL through psycopg 3, bound ``INSERT`` s of ``chunk_rows`` rows elsewhere. Returns the rows."""
    columns = list(first.columns)
    sqlite = conn.dialect.name == "sqlite"
    write = _writer(conn, t, columns, target)
    n = 0
    part = first
    index = 0
    while part is not None:
        if index:
            _check_frame(part, target)
            if list(part.columns) != columns:
                raise DatabaseError(
                    f"{target}: part {index} has columns {list(part.columns)[:8]!r}..., not those of the first part "
                    f"{columns[:8]!r}...; nothing was written."
                )
        for start in range(0, len(part), chunk_rows):
            piece = part.iloc[start : start + chunk_rows]
            write([_values(piece[c], t.c[c], sqlite) for c in columns])
            n += len(piece)
        index += 1
        part = next(parts, None)
    log.info("%s: wrote %s rows%s.", target, f"{n:,}", " (appended)" if t.info.get("append") else "")
    return n


#: PostgreSQL through psycopg 3 writes with ``COPY`` (several times faster than ``INSERT``); False: ``INSERT``.
_USE_COPY = True


def _writer(conn: sa.Connection, t: sa.Table, columns: list[str], target: str):
    """A function writing one batch, given as a list of columns (lists of Python values in ``columns`` order), into
    ``t`` in the connection's transaction: ``COPY ... FROM STDIN`` on PostgreSQL through psycopg 3; one
    ``executemany`` of positional rows, the column types' bind processors applied per column, on SQLite; SQLAlchemy's
    ``insert()`` with a list of dicts elsewhere (several times slower: it builds the parameters row by row)."""
    dialect = conn.dialect
    if _USE_COPY and dialect.name == "postgresql" and dialect.driver == "psycopg":
        import psycopg
        from psycopg import sql

        name = sql.Identifier(t.schema, t.name) if t.schema else sql.Identifier(t.name)
        stmt = sql.SQL("COPY {} ({}) FROM STDIN").format(name, sql.SQL(", ").join(map(sql.Identifier, columns)))
        raw = conn.connection.dbapi_connection

        def copy(cols: list[list]) -> None:
            try:
                with raw.cursor() as cur, cur.copy(stmt) as out:
                    for row in zip(*cols):
                        out.write_row(row)
            except psycopg.Error as exc:  # rolled back by the caller's transaction
                raise DatabaseError(
                    f"{target}: the database refused the write: {first_line(exc, limit=None)}; nothing was written."
                ) from None

        return copy
    if dialect.name == "sqlite" and dialect.driver == "pysqlite":
        prep = dialect.identifier_preparer
        text = (
            f"INSERT INTO {prep.format_table(t)} ({', '.join(prep.quote(c) for c in columns)}) "
            f"VALUES ({', '.join(['?'] * len(columns))})"
        )
        procs = [t.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns]

        def executemany(cols: list[list]) -> None:
            cols = [col if proc is None else [proc(v) for v in col] for proc, col in zip(procs, cols)]
            conn.exec_driver_sql(text, list(zip(*cols)))

        return executemany
    stmt = sa.insert(t)

    def insert(cols: list[list]) -> None:
        conn.execute(stmt, [dict(zip(columns, row)) for row in zip(*cols)])

    return insert


def _write_elsewhere(
    engine: sa.Engine, parts: Iterator, table: str, db_schema: str | None, append: bool, chunk_rows: int, target: str
) -> int:
    """A database whose DDL is not transactional (MySQL commits it at once). Appending: the inserts in one
    transaction. A new table: created under a temporary name, filled in one transaction, renamed to ``table`` at
    the end, dropped on any failure, so that no half table is ever found under ``table``."""
    with engine.connect() as conn:
        t, first = _prepare(conn, engine, parts, table, db_schema, append, target)
        conn.rollback()
    if t.info.get("append"):
        with engine.begin() as conn:
            return _insert_all(conn, t, first, parts, chunk_rows, target)
    tmp_name = f"{table[:40]}_indgan_{uuid.uuid4().hex[:10]}"
    t = _new_table(first, tmp_name, db_schema)
    prep = engine.dialect.identifier_preparer
    created = False
    try:
        with engine.begin() as conn:
            t.create(conn)
        created = True
        with engine.begin() as conn:
            n = _insert_all(conn, t, first, parts, chunk_rows, target)
        with engine.begin() as conn:
            if sa.inspect(conn).has_table(table, schema=db_schema):
                raise DatabaseError(f"{target}: the table was created by someone else meanwhile; nothing was written.")
            conn.execute(sa.text(f"ALTER TABLE {prep.format_table(t)} RENAME TO {prep.quote(table)}"))
        created = False
        return n
    finally:
        if created:
            try:
                with engine.begin() as conn:
                    t.drop(conn, checkfirst=True)
            except sa_exc.SQLAlchemyError as exc:  # never mask the failure
                log.warning("%s: could not drop the temporary table %r: %s", target, tmp_name, first_line(exc))
