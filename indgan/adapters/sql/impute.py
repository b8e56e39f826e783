"""Fill the NULL cells of a SQL table in place, audited and undoable (SQLAlchemy: SQLite, PostgreSQL...).

    from indgan.adapters.sql import impute_table, undo_run
    report = impute_table("postgresql+psycopg://user@host/plant", table="readings", key="id")
    print(report)                      # what was filled, and the run id
    undo_run("postgresql+psycopg://user@host/plant", report.run_id)

The path of the data (``shared/design.md``): the table is read through SQLAlchemy (reflection, one
``SELECT`` ordered by the key), handed to an imputer (by default :class:`indgan.imputation.GANImputer`) as a
DataFrame of its numeric, boolean and text columns (and its date/time columns, as features only), and the
filled values are written back with bound ``UPDATE`` statements. Only cells that were NULL are written:

- everything a run writes (cells and audit rows) is one transaction, so a failure leaves the table as it was;
- each written cell gets one row in the audit table (``indgan_audit`` by default, created in the same
  transaction): run id, table, key (its text and its type, so that a column holding keys of several types, as
  SQLite allows, finds each row again), column, the value as stored, the imputer, the time;
- :func:`undo_run` sets a run's cells back to NULL, except cells changed since or whose row is gone, which it
  reports as conflicts and leaves in the run (a later undo retries them);
- ``dry_run=True`` writes nothing at all and reports what would change.

Every problem a user can cause (a missing table or key column, duplicate or NULL keys, a column of a type
the imputer cannot produce, an empty table, an unreachable database) is refused with a
:class:`DatabaseError` before anything is written. A run that could not write its result (a read-only or
locked database, no ``UPDATE`` privilege on the table, no right to create or write the audit table) is
refused before the table is read for the imputer and before any fit: a write transaction is opened, tried
and rolled back first (``dry_run`` skips this and needs read access only).
"""

from __future__ import annotations

import ast
import logging
import math
import numbers
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from time import perf_counter
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from ..errors import DataError, IndganError, first_line

__all__ = ["impute_table", "undo_run", "ImputeReport", "UndoReport", "DatabaseError"]

logger = logging.getLogger(__name__)

#: Test hook: called as ``_after_column_write(column_name)`` after each column's UPDATE, inside the run's
#: transaction (tests set it to raise, to check that a failure half-way leaves the table unchanged).
_after_column_write: Callable[[str], None] | None = None

_CHUNK = 500  # keys per ``IN (...)`` list when reading cells back
_MODEL_CHARS = 200
_AUDIT_COLUMNS = (
    "run_id",
    "table_name",
    "key_column",
    "key_value",
    "column_name",
    "value",
    "model",
    "written_at",
    "undone_at",
)
#: The key's Python type as read (SQLite: its storage class, int/float/str/bytes), so that undo binds the key as
#: written; added to an audit table made before it existed (whose rows have it NULL).
_KEY_TYPE = "key_type"
_KEY_TYPE_CHARS = 32


class DatabaseError(DataError):
    """A SQL table cannot be imputed or a run cannot be undone as asked (the message names the fix)."""


# ---------------------------------------------------------------------------------------------- reports
@dataclass
class ImputeReport:
    """What :func:`impute_table` did (or, with ``dry_run``, would do).

    Attributes
    ----------
    run_id : str
        uuid4 hex naming the run in the audit table (give it to :func:`undo_run`).
    table : str
    n_rows : int
        Rows in the table.
    n_null_cells : int
        NULL cells in the columns to fill when the table was read; ``null_cells`` per column.
    n_filled : int
        Cells written (or that would be written); ``filled`` per column. Equals the run's audit rows.
    n_left_missing : int
        NULL cells the imputer left missing (outages longer than its ``max_gap``, columns with no observed
        value, values the column's type cannot hold); ``left_missing`` per column.
    n_skipped : int
        NULL cells that another session filled between the read and the write (left as they are).
    dry_run : bool
    seconds : float
        Wall time of the whole run.
    changes : pandas.DataFrame
        ``(n_filled, 3)``: ``key``, ``column``, ``value`` of each cell written (as stored) or to be written.
    model : str
        The imputer's repr (as written to the audit table).
    """

    run_id: str
    table: str
    n_rows: int
    n_null_cells: int
    n_filled: int
    n_left_missing: int
    dry_run: bool
    seconds: float
    changes: pd.DataFrame
    null_cells: dict[str, int] = field(default_factory=dict)
    filled: dict[str, int] = field(default_factory=dict)
    left_missing: dict[str, int] = field(default_factory=dict)
    n_skipped: int = 0
    model: str = ""
    audit_table: str = "indgan_audit"

    def __str__(self) -> str:
        verb = "would fill" if self.dry_run else "filled"
        head = (
            f"{'dry run: ' if self.dry_run else ''}table {self.table!r}, {self.n_rows} rows: "
            f"{self.n_null_cells} NULL cell(s) in the columns to fill; {verb} {self.n_filled}"
        )
        if self.n_left_missing:
            head += f", left {self.n_left_missing} missing"
        if self.n_skipped:
            head += f", skipped {self.n_skipped} filled meanwhile by another session"
        lines = [head + f" ({self.seconds:.1f} s)."]
        for col, n in self.null_cells.items():
            if n:
                extra = f", {self.left_missing[col]} left missing" if self.left_missing.get(col) else ""
                lines.append(
                    f"  {col}: {n} NULL, {self.filled.get(col, 0)} {'to fill' if self.dry_run else 'filled'}{extra}"
                )
        if self.dry_run:
            lines.append("  nothing was written (dry run).")
        elif self.n_filled:
            lines.append(
                f"  run {self.run_id} (audit table {self.audit_table!r}); undo with "
                f"indgan impute --undo {self.run_id} --db URL, or indgan.adapters.sql.undo_run(URL, "
                f"{self.run_id!r})."
            )
        return "\n".join(lines)


@dataclass
class UndoReport:
    """What :func:`undo_run` did.

    Attributes
    ----------
    run_id, table : str
    n_restored : int
        Cells set back to NULL (they still held the value the run wrote).
    n_conflicts : int
        Cells left alone because they were changed (or their row deleted) since the run; ``conflicts`` lists
        them as dicts ``{"key", "column", "written", "current", "reason"}`` (``current`` None: the row is gone;
        ``reason``: "changed since", "row deleted", or "key ambiguous" for an audit row from before the key's
        type was recorded whose key text names several rows). They stay pending in the audit table: undoing
        the run again retries them.
    n_already_null : int
        Cells someone had already set back to NULL.
    seconds : float
    """

    run_id: str
    table: str
    n_restored: int
    n_conflicts: int
    conflicts: list[dict] = field(default_factory=list)
    n_already_null: int = 0
    seconds: float = 0.0

    def __str__(self) -> str:
        lines = [
            f"undid run {self.run_id} on table {self.table!r}: {self.n_restored} cell(s) set back to NULL"
            + (f", {self.n_already_null} already NULL" if self.n_already_null else "")
            + f", {self.n_conflicts} conflict(s) ({self.seconds:.1f} s)."
        ]
        for c in self.conflicts[:10]:
            now = (
                f"now {c['current']!r}"
                if c["current"] is not None
                else "several rows have this key text (recorded without its type)"
                if c.get("reason") == "key ambiguous"
                else "row deleted"
            )
            lines.append(f"  left alone: key {c['key']!r}, column {c['column']!r}: wrote {c['written']!r}, {now}")
        if self.n_conflicts > 10:
            lines.append(f"  ... and {self.n_conflicts - 10} more (UndoReport.conflicts).")
        if self.n_conflicts:
            lines.append(
                f"  these {self.n_conflicts} cell(s) stay in run {self.run_id}, not undone: undo it again "
                "to retry them."
            )
        return "\n".join(lines)


# ---------------------------------------------------------------------------------------------- engines
def _safe_url(engine: sa.Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return text[0] if text else type(orig).__name__


def _create_engine(url) -> sa.Engine:
    if isinstance(url, Path):
        url = f"sqlite:///{url}"
    if isinstance(url, str) and "://" not in url:
        raise DatabaseError(
            f"{url!r} is not a database URL; write e.g. sqlite:///plant.db or "
            "postgresql+psycopg://user:password@host:5432/dbname."
        )
    try:
        parsed = sa.make_url(url)
    except sa_exc.ArgumentError as exc:
        raise DatabaseError(
            f"{url!r} is not a valid database URL ({_first_line(exc)}); write e.g. "
            "sqlite:///plant.db or postgresql+psycopg://user:password@host:5432/dbname."
        ) from None
    kwargs: dict[str, Any] = {}
    if (
        parsed.get_backend_name() == "postgresql"
        and parsed.get_driver_name() in ("psycopg", "psycopg2")
        and "connect_timeout" not in parsed.query
    ):
        kwargs["connect_args"] = {"connect_timeout": 10}  # an unreachable host fails in seconds, not minutes
    try:
        return sa.create_engine(parsed, **kwargs)
    except sa_exc.NoSuchModuleError:
        raise DatabaseError(
            f"{parsed.render_as_string(hide_password=True)}: unknown database kind "
            f"{parsed.drivername!r}; indgan is tested with sqlite:/// and "
            "postgresql+psycopg://."
        ) from None
    except ImportError as exc:
        hint = (
            ' Install psycopg 3 (pip install "indgan[postgres]") and write postgresql+psycopg://...'
            if parsed.get_backend_name() == "postgresql"
            else ""
        )
        raise DatabaseError(
            f"{parsed.render_as_string(hide_password=True)}: the database driver is not installed ({exc}).{hint}"
        ) from None


@contextmanager
def _open(url_or_engine) -> Iterator[sa.Engine]:
    """An engine for a URL (disposed afterwards) or the caller's engine (left open), checked to connect."""
    owned = not isinstance(url_or_engine, sa.Engine)
    engine = _create_engine(url_or_engine) if owned else url_or_engine
    try:
        if engine.dialect.name == "sqlite":
            db = engine.url.database
            if db and db != ":memory:" and not db.startswith("file:") and not Path(db).is_file():
                raise DatabaseError(
                    f"{_safe_url(engine)}: no SQLite database file {db!r} (SQLite would create an "
                    "empty one); check the path: sqlite:///relative.db or sqlite:////absolute/path.db."
                )
        try:
            with engine.connect():
                pass
        except sa_exc.DBAPIError as exc:
            raise DatabaseError(
                f"cannot connect to {_safe_url(engine)}: {_first_line(exc)}. Check the host, port, "
                "database name, user and password, and that the server is running."
            ) from None
        yield engine
    finally:
        if owned:
            engine.dispose()


@contextmanager
def _transaction(engine: sa.Engine, commit: bool = True, busy_ms: int | None = None) -> Iterator[sa.Connection]:
    """One transaction that holds the write lock from its start.

    PostgreSQL (and other servers): ``engine.begin()``; rows are locked by ``SELECT ... FOR UPDATE``.
    SQLite through the standard ``sqlite3`` driver: ``BEGIN IMMEDIATE``, so that the database is locked
    against other writers from the first read, and the audit table's ``CREATE TABLE`` is part of the
    transaction (``sqlite3`` would otherwise run it outside any transaction).

    ``commit=False``: rolled back at the end (the write check). ``busy_ms`` (SQLite): wait at most this long for
    another connection's lock (the connection's own busy timeout if shorter), restored afterwards.
    """
    if engine.dialect.name != "sqlite" or engine.dialect.driver != "pysqlite":
        if commit:
            with engine.begin() as conn:
                yield conn
            return
        with engine.connect() as conn:
            trans = conn.begin()
            try:
                yield conn
            finally:
                trans.rollback()
        return
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT")
        with _busy_capped(conn, busy_ms):
            if not conn.connection.dbapi_connection.in_transaction:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                _rollback(conn)
                raise
            try:
                conn.exec_driver_sql("COMMIT" if commit else "ROLLBACK")
            except BaseException:
                _rollback(conn)
                raise


def _rollback(conn: sa.Connection) -> None:
    """Roll back the SQLite transaction of :func:`_transaction` after an error or an interruption, never masking
    it: a connection SQLAlchemy invalidated (Ctrl-C or SIGTERM during a statement) is closed, which rolls back."""
    try:
        if not conn.invalidated and conn.connection.dbapi_connection.in_transaction:
            conn.exec_driver_sql("ROLLBACK")
    except sa_exc.SQLAlchemyError:
        conn.invalidate()  # closes the DBAPI connection: SQLite discards the transaction


@contextmanager
def _busy_capped(conn: sa.Connection, busy_ms: int | None) -> Iterator[None]:
    """SQLite: wait at most ``busy_ms`` for another connection's lock (the connection's own busy timeout if
    shorter), restored afterwards; other databases, or ``busy_ms`` None: nothing."""
    restore = None
    if busy_ms is not None and conn.dialect.name == "sqlite" and conn.dialect.driver == "pysqlite":
        current = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
        if current is None or current > busy_ms:
            conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(busy_ms)}")
            restore = current
    try:
        yield
    finally:
        if restore is not None and not conn.invalidated:  # an invalidated connection is closed, not pooled
            try:
                conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(restore)}")
            except sa_exc.SQLAlchemyError:
                conn.invalidate()  # never hand a connection with the shorter timeout back to the pool


# ---------------------------------------------------------------------------------------------- types
def _kind(sqltype: sa.types.TypeEngine) -> str | None:
    """What the imputer can produce for a column: 'bool', 'int', 'float', 'decimal', 'str'; 'time' (a
    feature only, never filled); None for anything else (binary, JSON, arrays, intervals, UUIDs...)."""
    if isinstance(sqltype, sa.Boolean):
        return "bool"
    if isinstance(sqltype, sa.Integer):
        return "int"
    if isinstance(sqltype, sa.Float):
        return "float"
    if isinstance(sqltype, sa.Numeric):
        return "decimal" if getattr(sqltype, "asdecimal", True) else "float"
    if isinstance(sqltype, sa.String):  # Text, Enum, CHAR, VARCHAR...
        return "str"
    if isinstance(sqltype, (sa.DateTime, sa.Date)):
        return "time"
    return None


def _type_name(sqltype: sa.types.TypeEngine, dialect=None) -> str:
    try:
        return str(sqltype.compile(dialect=dialect))
    except Exception:  # some reflected types cannot render without their dialect
        return type(sqltype).__name__


def _native(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def _missing(v: Any) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    return isinstance(v, (float, np.floating)) and math.isnan(v)


_INT_TEXT = re.compile(r"^[+-]?\d+$")


def _coerce(v: Any, column: sa.Column, kind: str, int_text: bool) -> Any:
    """The imputer's value ``v`` as the Python value to bind for ``column``; None when it cannot hold it."""
    v = _native(v)
    if _missing(v):
        return None
    if kind == "bool":
        if isinstance(v, bool):
            return v
        if isinstance(v, numbers.Real):
            return bool(round(float(v)))
        text = str(v).strip().lower()
        return {
            "true": True,
            "t": True,
            "1": True,
            "1.0": True,
            "yes": True,
            "false": False,
            "f": False,
            "0": False,
            "0.0": False,
            "no": False,
        }.get(text)
    if kind in ("int", "float", "decimal"):
        try:
            x = float(v)
        except (TypeError, ValueError):
            return None
        if not math.isfinite(x):
            return None
        if kind == "int":
            return int(round(x))
        if kind == "float":
            return x
        scale = getattr(column.type, "scale", None)
        try:
            d = Decimal(repr(x))
            return d.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP) if scale is not None else d
        except InvalidOperation:
            return None
    # text
    if isinstance(v, str):
        s = v
    elif isinstance(v, bool):
        s = str(v)
    elif isinstance(v, numbers.Real):
        x = float(v)
        s = str(int(round(x))) if int_text and math.isfinite(x) else repr(x)
    else:
        s = str(v)
    enums = getattr(column.type, "enums", None)
    if enums and s not in enums:
        return None
    length = getattr(column.type, "length", None)
    if length and len(s) > length:
        return None
    return s


def _as_text(v: Any) -> str | None:
    """The text form of a stored value, as written to (and compared with) the audit table."""
    v = _native(v)
    if v is None:
        return None
    if isinstance(v, float):
        return repr(v)
    return str(v)


# ---------------------------------------------------------------------------------------------- reading
def _reflect(conn: sa.Connection, table: str, db_schema: str | None, engine: sa.Engine) -> sa.Table:
    insp = sa.inspect(conn)
    if db_schema is not None and db_schema not in insp.get_schema_names():
        raise DatabaseError(
            f"{_safe_url(engine)}: no schema {db_schema!r}; schemas: "
            f"{', '.join(map(repr, insp.get_schema_names())) or '(none)'}."
        )
    names = insp.get_table_names(schema=db_schema)
    views = insp.get_view_names(schema=db_schema)
    if table not in names and table not in views:
        where = f"schema {db_schema!r} of " if db_schema else ""
        listed = ", ".join(map(repr, sorted(names)[:30])) + (" ..." if len(names) > 30 else "")
        raise DatabaseError(
            f"no table {table!r} in {where}{_safe_url(engine)}; its tables: {listed or '(none)'}"
            + (f"{', views: ' + ', '.join(map(repr, views[:10])) if views else ''}")
            + ". Check the name (names are case-sensitive when quoted)."
        )
    return sa.Table(table, sa.MetaData(), schema=db_schema, autoload_with=conn)


def _audit_table(audit_table: str, db_schema: str | None, key_type: bool = True) -> sa.Table:
    """The audit table; ``key_type=False``: as made before it had the key's type (a table not yet upgraded)."""
    md = sa.MetaData()
    t = sa.Table(
        audit_table,
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(32), nullable=False),
        sa.Column("table_name", sa.Text, nullable=False),
        sa.Column("key_column", sa.Text, nullable=False),
        sa.Column("key_value", sa.Text, nullable=False),
        sa.Column("column_name", sa.Text, nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("model", sa.String(_MODEL_CHARS), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        *([sa.Column(_KEY_TYPE, sa.String(_KEY_TYPE_CHARS), nullable=True)] if key_type else []),
        schema=db_schema,
    )
    sa.Index(f"{audit_table[:50]}_run_id_idx", t.c.run_id)
    return t


def _check_audit(conn: sa.Connection, audit_table: str, db_schema: str | None) -> bool:
    """Whether the audit table exists; refuses a table of that name that is not an indgan audit table."""
    insp = sa.inspect(conn)
    if not insp.has_table(audit_table, schema=db_schema):
        return False
    have = {c["name"] for c in insp.get_columns(audit_table, schema=db_schema)}
    lacking = [c for c in _AUDIT_COLUMNS if c not in have]
    if lacking:
        raise DatabaseError(
            f"table {audit_table!r} exists but is not an indgan audit table (no column(s) "
            f"{', '.join(map(repr, lacking))}); pass another audit_table name."
        )
    return True


def _audit_has_key_type(conn: sa.Connection, audit_table: str, db_schema: str | None) -> bool:
    return _KEY_TYPE in {c["name"] for c in sa.inspect(conn).get_columns(audit_table, schema=db_schema)}


def _key_type(k: Any) -> str:
    """The type of a key as read (SQLite: int, float, str, bytes, its storage class), for the audit table."""
    return type(_native(k)).__name__[:_KEY_TYPE_CHARS]


_SCAN = object()  # _decode_key: found through the table


def _decode_key(key_type: str | None, text: str, kind: str | None) -> Any:
    """An audit row's key (``str(key)`` and its type) as the value to bind, as read when written; ``_SCAN``
    where it is found through the table (other types, and rows without the type other than canonical
    integers in an integer column and texts in a text column)."""
    try:
        if key_type is None:
            if kind == "int" and _INT_TEXT.match(text) and text.isascii() and str(int(text)) == text:
                return int(text)
            return text if kind == "str" else _SCAN
        if key_type == "int":
            return int(text)
        if key_type == "float":
            return float(text)
        if key_type == "str":
            return text
        if key_type == "bytes":
            value = ast.literal_eval(text)
            return value if isinstance(value, bytes) else _SCAN
        if key_type == "Decimal":
            return Decimal(text)
        if key_type == "bool" and text in ("True", "False"):
            return text == "True"
    except (ValueError, SyntaxError, InvalidOperation):
        pass
    return _SCAN


class _AsStored(sa.types.UserDefinedType):
    """Binds a value as it is, without the column type's conversion (never rendered in DDL)."""

    cache_ok = True

    def get_col_spec(self, **kw) -> str:
        return "BLOB"


_SQLITE_CLASSES = (int, float, str, bytes)  # the Python types of SQLite's storage classes


def _key_binding(kcol: sa.Column, dialect) -> tuple[sa.types.TypeEngine, Callable[[Any], Any]]:
    """The type to bind keys with, and each key's value to bind. SQLite: a key of a storage class (int, float,
    str, bytes, as read) is bound as it is, since a column may hold keys of several classes and the column
    type's conversion would fail on or change the others (a REAL column's on 'k-1', a BLOB's on 7); other keys
    (datetime, Decimal...) take the column type's conversion. Other databases: the column type."""
    if dialect.name != "sqlite":
        return kcol.type, lambda k: k
    proc = kcol.type.dialect_impl(dialect).bind_processor(dialect)
    if proc is None:
        return _AsStored(), lambda k: k
    return _AsStored(), lambda k: k if type(k) in _SQLITE_CLASSES else proc(k)


def _key_in(kcol: sa.Column, values: list, key_type: sa.types.TypeEngine):
    """``kcol IN (values)``, the values bound with ``key_type`` (already converted by :func:`_key_binding`)."""
    return kcol.in_(sa.bindparam(None, values, expanding=True, type_=key_type))


def _bind_names(table: sa.Table) -> tuple[str, str]:
    taken = set(table.c.keys())
    k, v = "indgan_key", "indgan_value"
    while k in taken or v in taken:
        k, v = k + "_", v + "_"
    return k, v


def _prepare_audit(conn: sa.Connection, audit: sa.Table, audit_name: str, db_schema: str | None) -> None:
    """Create the audit table if missing, add the key's type to one made before it was recorded."""
    audit.create(conn, checkfirst=True)
    if not _audit_has_key_type(conn, audit_name, db_schema):  # made by an indgan before the key's type
        prep = conn.dialect.identifier_preparer
        if_not = " IF NOT EXISTS" if conn.dialect.name == "postgresql" else ""  # SQLite: serialised
        spec = audit.c[_KEY_TYPE].type.compile(dialect=conn.dialect)
        conn.execute(
            sa.text(f"ALTER TABLE {prep.format_table(audit)} ADD COLUMN{if_not} {prep.quote(_KEY_TYPE)} {spec}")
        )


def _checked_table(
    conn: sa.Connection, engine: sa.Engine, table: str, key: str, audit_table: str, db_schema: str | None
) -> sa.Table:
    """The table to fill, reflected; refuses a missing table or key column, and an audit table that is the table
    to fill or is not an indgan audit table."""
    t = _reflect(conn, table, db_schema, engine)
    if key not in t.c:
        raise DatabaseError(
            f"table {table!r} has no key column {key!r}; its columns: "
            f"{', '.join(map(repr, t.c.keys()))}. Pass key= a column that identifies "
            "each row (the primary key)."
        )
    if audit_table == table and (db_schema or None) == t.schema:
        raise DatabaseError(f"audit_table {audit_table!r} is the table to fill; pick another name.")
    _check_audit(conn, audit_table, db_schema)
    return t


# ---------------------------------------------------------------------------------------------- write check
#: The write check waits at most this long (ms) for another connection's lock on a SQLite database (less if the
#: connection's own busy timeout is shorter; the sqlite3 driver's default is 5 s), then refuses the run.
_PROBE_BUSY_MS = 5000
#: PostgreSQL: the write check's ``lock_timeout`` (a table locked by another session is refused, not waited on).
_PROBE_LOCK_TIMEOUT = "5s"
_LOCKED = ("database is locked", "database table is locked", "lock timeout", "could not obtain lock")
_READ_ONLY = ("readonly", "read-only", "read only")


def _check_writable(
    engine: sa.Engine, table: str, key: str, columns: list[str] | None, audit_table: str, db_schema: str | None
) -> None:
    """Refuse, before anything is read for the imputer or fitted, a run whose write would fail.

    Opens the transaction the write will use (SQLite: ``BEGIN IMMEDIATE``, waiting at most ``_PROBE_BUSY_MS``
    for another connection's lock; PostgreSQL: ``lock_timeout`` ``_PROBE_LOCK_TIMEOUT``), runs an ``UPDATE`` of
    the columns to fill that matches no row, prepares the audit table as the write does (``CREATE TABLE``,
    ``ALTER TABLE``) and inserts one audit row, then rolls everything back. So a read-only database (a
    ``mode=ro`` URI, a read-only file or mount, a standby server, a read-only transaction), a database locked
    by another writer, a missing ``UPDATE`` privilege on the table, or a missing ``CREATE`` privilege on the
    schema (or ``INSERT`` on the audit table) is refused in seconds, not after the fit. A table without NULL
    cells in the columns that may be filled is not checked (nothing will be written).
    """
    url = _safe_url(engine)
    start = perf_counter()
    try:
        with engine.connect() as conn, _busy_capped(conn, _PROBE_BUSY_MS):
            t = _checked_table(conn, engine, table, key, audit_table, db_schema)
            fill = [c for c in _columns_to_fill(t, key, columns) if _kind(t.c[c].type) not in (None, "time")]
            if not fill:
                return
            any_null = sa.select(sa.literal(1)).select_from(t).where(sa.or_(*[t.c[c].is_(None) for c in fill]))
            if conn.execute(any_null.limit(1)).first() is None:
                return  # nothing to write: the run reports so, even on a read-only database
            schema = db_schema or sa.inspect(conn).default_schema_name
    except sa_exc.SQLAlchemyError as exc:
        if any(w in _first_line(exc).lower() for w in _LOCKED):  # SQLite: BEGIN EXCLUSIVE locks out readers too
            raise DatabaseError(
                _not_writable(engine, url, table, audit_table, db_schema, "lock", exc, perf_counter() - start)
            ) from None
        raise DatabaseError(f"reading table {table!r} from {url} failed: {_first_line(exc)}") from exc
    step = "lock"
    start = perf_counter()
    try:
        with _transaction(engine, commit=False, busy_ms=_PROBE_BUSY_MS) as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{_PROBE_LOCK_TIMEOUT}'")
            step = "update"
            conn.execute(sa.update(t).where(sa.false()).values({c: t.c[c] for c in fill}))
            step = "audit"
            audit = _audit_table(audit_table, db_schema)
            _prepare_audit(conn, audit, audit_table, db_schema)
            conn.execute(
                sa.insert(audit).values(
                    run_id="0" * 32,
                    table_name=table,
                    key_column=key,
                    key_value="",
                    column_name=fill[0],
                    value="",
                    model="indgan write check (rolled back)",
                    written_at=datetime.now(timezone.utc),
                    undone_at=None,
                    **{_KEY_TYPE: None},
                )
            )
    except sa_exc.SQLAlchemyError as exc:
        raise DatabaseError(
            _not_writable(engine, url, table, audit_table, schema, step, exc, perf_counter() - start)
        ) from None


def _not_writable(
    engine: sa.Engine,
    url: str,
    table: str,
    audit_table: str,
    schema: str | None,
    step: str,
    exc: BaseException,
    waited: float,
) -> str:
    """The one-line refusal of :func:`_check_writable`: what stops the write and what to do."""
    why = _first_line(exc)
    low = why.lower()
    head = f"{url}: table {table!r} cannot be written"
    tail = "; nothing was fitted or written."
    dry = " (dry_run=True in Python), which needs no write access"
    user = engine.url.username or "the user of the URL"
    prep = engine.dialect.identifier_preparer
    grantee = prep.quote(user) if engine.url.username else "USER"
    target = prep.quote(table)
    if engine.dialect.name != "sqlite" and schema is not None:
        target = f"{prep.quote_schema(schema)}.{target}"
    if any(w in low for w in _LOCKED):
        return (
            f"{head} now: the database is locked by another connection ({why}; waited {waited:.1f} s). Let the "
            "other program finish or close its transaction, then run again" + tail
        )
    if any(w in low for w in _READ_ONLY):
        return (
            f"{head}: the database is read-only ({why}). Open it read-write (file and folder permissions, no "
            "mode=ro in the URL, a writable mount, the primary server rather than a standby), or only see what "
            f"would change with --dry-run{dry}" + tail
        )
    if "permission denied" in low or "insufficient privilege" in low or "must be owner" in low:
        if step == "update":
            return (
                f"{head}: {user!r} may not update it ({why}). Ask its owner to GRANT SELECT, UPDATE ON "
                f"{target} TO {grantee} (with column privileges: fill only the columns you may update, --column), "
                f"or see what would change with --dry-run{dry}" + tail
            )
        return (
            f"{head}: {user!r} may not create or write the audit table {audit_table!r} ({why}). Ask the "
            f"database owner to GRANT CREATE ON SCHEMA {prep.quote_schema(schema or 'public')} TO {grantee} (or "
            f"to create {audit_table!r} by one indgan run and GRANT SELECT, INSERT, UPDATE on it and USAGE on its "
            "id sequence)" + tail
        )
    what = f"the audit table {audit_table!r}" if step == "audit" else "it"
    other = " (in Python, or pass another audit_table=)" if step == "audit" else ""
    return (
        f"{head}: writing to {what} fails ({why}). Check that the database file, its folder (SQLite writes a "
        f"journal beside it) and the user may be written{other}, or see what would change with --dry-run{dry}" + tail
    )


def _model_text(imputer: Any) -> str:
    return " ".join(repr(imputer).split())[:_MODEL_CHARS]


def impute_table(
    url_or_engine,
    table: str = "readings",
    key: str = "id",
    imputer: Any = None,
    columns: list[str] | None = None,
    dry_run: bool = False,
    db_schema: str | None = None,
    audit_table: str = "indgan_audit",
    random_state: int | None = None,
    verbose: bool = True,
) -> ImputeReport:
    """Fill the NULL cells of a SQL table in place with an imputer, audited and undoable.

    Parameters
    ----------
    url_or_engine : str, sqlalchemy.URL or sqlalchemy.Engine
        ``sqlite:///plant.db``, ``postgresql+psycopg://user:password@host:5432/plant``, or an Engine (left
        open; an engine made from a URL is disposed before returning).
    table : str
        The table (its name as stored; SQLAlchemy quotes it, so spaces and reserved words are fine).
    key : str
        A column that identifies each row (unique, never NULL), e.g. the primary key.
    imputer : scikit-learn style transformer, optional
        Takes and returns a DataFrame ``(n_rows, n_features)`` with missing cells as NaN/None and filled
        cells in the result. Used with ``transform`` if already fitted (``__sklearn_is_fitted__()``), else
        with ``fit_transform``. Default: ``GANImputer(random_state=random_state, verbose=verbose)``.
    columns : list of str, optional
        Columns that may be filled; default every column but the key. Every other column of a numeric,
        boolean, text or date/time type is still given to the imputer as a feature.
    dry_run : bool
        Write nothing at all (not even the audit table); the report says what would change.
    db_schema : str, optional
        The schema (PostgreSQL) holding the table and the audit table; default the connection's default.
    audit_table : str
        The audit table, created (in the same transaction) if missing.
    random_state : int, optional
        Seed of the default imputer.
    verbose : bool
        Progress of the default imputer; a summary is logged either way.

    Returns
    -------
    ImputeReport
        Counts, the run id and ``changes`` (``key``, ``column``, ``value`` of each cell written).

    Raises
    ------
    DatabaseError
        Before anything is written: bad URL, unreachable database, no such table, key column or column to
        fill, NULL or duplicate keys, an empty table, a column to fill with NULLs whose type the imputer
        cannot produce (binary, JSON, arrays, dates and times...), an ``audit_table`` that is not one.
        Before the table is read for the imputer and before any fit (unless ``dry_run``): a table that cannot
        be written (read-only database, SQLite ``mode=ro``, a database locked by another writer for longer than
        a few seconds, no ``UPDATE`` privilege, no right to create or write the audit table), found by a write
        transaction that is tried and rolled back. While writing: any database error (everything is rolled
        back).

    Notes
    -----
    The table is read once, the imputer runs without holding a connection, then one transaction locks
    the rows with NULLs (SQLite: the database), writes only cells that are still NULL, with
    ``UPDATE table SET col = :value WHERE key = :key AND col IS NULL`` (one executemany per column), reads
    them back and records each in the audit table. Integer columns get rounded integers, boolean columns
    booleans, text columns text; a value the column cannot hold (too long, not one of an enum's labels) is
    left missing and counted in ``n_left_missing``.
    """
    start = perf_counter()
    run_id = uuid.uuid4().hex
    with _open(url_or_engine) as engine:
        # ------------------------------------------------------------------ can the run write? (before any fit)
        if not dry_run:
            _check_writable(engine, table, key, columns, audit_table, db_schema)
        # ------------------------------------------------------------------ read and check (no writes)
        try:
            with engine.connect() as conn:
                t = _checked_table(conn, engine, table, key, audit_table, db_schema)
                try:
                    rows = conn.execute(sa.select(t).order_by(t.c[key])).all()
                except (TypeError, ValueError) as exc:  # SQLite: a value of another type than declared
                    raise DatabaseError(_unreadable(conn, t, table, exc)) from None
        except sa_exc.SQLAlchemyError as exc:
            raise DatabaseError(f"reading table {table!r} from {_safe_url(engine)} failed: {_first_line(exc)}") from exc
        names = list(t.c.keys())
        fill = _columns_to_fill(t, key, columns)
        if not rows:
            raise DatabaseError(f"table {table!r} is empty; there is nothing to learn from or fill.")
        kpos = names.index(key)
        keys = [r[kpos] for r in rows]
        _check_keys(keys, table, key)
        raw = {c: [r[i] for r in rows] for i, c in enumerate(names)}
        null_cells = {c: sum(v is None for v in raw[c]) for c in fill}
        kinds = {c: _kind(t.c[c].type) for c in names}
        for c in fill:
            if null_cells[c] and kinds[c] in (None, "time"):
                others = [x for x in fill if kinds[x] not in (None, "time")]
                raise DatabaseError(
                    f"column {c!r} of table {table!r} has {null_cells[c]} NULL cell(s) but is of type "
                    f"{_type_name(t.c[c].type, engine.dialect)}, which indgan cannot fill (only numeric, boolean "
                    f"and text columns); leave it out of the columns to fill: "
                    + (
                        f"--column {' --column '.join(others)} on the command line (columns={others!r} in Python)."
                        if others
                        else "no other column of the table needs filling."
                    )
                )
        fill = [c for c in fill if kinds[c] not in (None, "time")]
        n_null = sum(null_cells[c] for c in fill)
        null_cells = {c: null_cells[c] for c in fill}
        empty_report = dict(
            run_id=run_id,
            table=table,
            n_rows=len(rows),
            n_null_cells=n_null,
            dry_run=dry_run,
            null_cells=null_cells,
            audit_table=audit_table,
        )
        if n_null == 0:
            logger.info("table %r: no NULL cell in the columns to fill; nothing to do.", table)
            return ImputeReport(
                n_filled=0,
                n_left_missing=0,
                seconds=perf_counter() - start,
                changes=_changes_frame([]),
                filled={c: 0 for c in fill},
                left_missing={c: 0 for c in fill},
                **empty_report,
            )

        # ------------------------------------------------------------------ model
        X, int_text = _features(t, key, raw, kinds, fill, null_cells, len(rows))
        hopeless = [c for c in fill if null_cells[c] == len(rows)]  # no observed value: nothing to learn from
        if hopeless:
            logger.warning("table %r: column(s) %s hold no value at all; they are left NULL.", table, hopeless)
        if imputer is None:
            from ..imputation import GANImputer

            imputer = GANImputer(random_state=random_state, verbose=verbose)
        model = _model_text(imputer)
        if not (callable(getattr(imputer, "transform", None)) and callable(getattr(imputer, "fit_transform", None))):
            raise DatabaseError(
                f"imputer={model}: not an imputer (it needs scikit-learn's fit_transform and "
                "transform); give a GANImputer or another scikit-learn transformer."
            )
        try:
            out = imputer.transform(X) if _is_fitted(imputer) else imputer.fit_transform(X)
        except IndganError:
            raise
        except (AttributeError, RuntimeError, TypeError, ValueError) as exc:
            raise DatabaseError(
                f"table {table!r}: the imputer {model} failed on the table "
                f"({type(exc).__name__}: {first_line(exc)}); nothing was written."
            ) from exc
        out = _check_output(out, X)

        # ------------------------------------------------------------------ plan: NULL cell -> value to write
        plan: dict[str, list[tuple[Any, Any]]] = {}
        left = {c: 0 for c in fill}
        for c in fill:
            col_out = out[c].tolist() if c in out.columns else [None] * len(rows)
            cells = []
            for i, v in enumerate(raw[c]):
                if v is not None:
                    continue
                value = _coerce(col_out[i], t.c[c], kinds[c], int_text.get(c, False))
                if value is None:
                    if not _missing(_native(col_out[i])):
                        logger.warning(
                            "table %r, column %r, key %r: the imputed value %r does not fit the column's "
                            "type %s; left NULL.",
                            table,
                            c,
                            keys[i],
                            col_out[i],
                            _type_name(t.c[c].type, engine.dialect),
                        )
                    left[c] += 1
                else:
                    cells.append((keys[i], value))
            plan[c] = cells

        if dry_run:
            changes = [(k, c, v) for c in fill for k, v in plan[c]]
            report = ImputeReport(
                n_filled=len(changes),
                n_left_missing=sum(left.values()),
                seconds=perf_counter() - start,
                changes=_changes_frame(changes),
                filled={c: len(plan[c]) for c in fill},
                left_missing=left,
                model=model,
                **empty_report,
            )
            logger.info("%s", report)
            return report

        # ------------------------------------------------------------------ write: one transaction
        try:
            written, skipped = _write(engine, t, key, fill, plan, run_id, model, table, audit_table, db_schema)
        except sa_exc.SQLAlchemyError as exc:
            raise DatabaseError(
                f"writing to table {table!r} failed and was rolled back (nothing was written): {_first_line(exc)}"
            ) from exc
        changes = [(k, c, v) for c in fill for k, v in written[c]]
        report = ImputeReport(
            n_filled=len(changes),
            n_left_missing=sum(left.values()),
            seconds=perf_counter() - start,
            changes=_changes_frame(changes),
            filled={c: len(written[c]) for c in fill},
            left_missing=left,
            n_skipped=skipped,
            model=model,
            **empty_report,
        )
        logger.info("%s", report)
        return report


def _unreadable(conn: sa.Connection, t: sa.Table, table: str, exc: Exception) -> str:
    """The refusal of a table that SQLAlchemy cannot read: which column holds a value its type cannot convert."""
    bad = []
    for c in t.c:
        try:
            conn.execute(sa.select(c)).all()
        except (TypeError, ValueError, sa_exc.SQLAlchemyError):
            bad.append(c.name)
    where = f"column(s) {', '.join(map(repr, bad))} hold" if bad else "a column holds"
    return (
        f"cannot read table {table!r}: {where} a value that the declared type cannot convert "
        f"({type(exc).__name__}: {first_line(exc)}); SQLite lets a column hold values of any type (text in a "
        "NUMERIC or DATETIME column...): correct those values first. Nothing was written."
    )


def _is_fitted(imputer: Any) -> bool:
    """``__sklearn_is_fitted__()`` where the imputer has it, else scikit-learn's check (attributes ending in _)."""
    method = getattr(imputer, "__sklearn_is_fitted__", None)
    if callable(method):
        return bool(method())
    from sklearn.utils.validation import check_is_fitted

    try:
        check_is_fitted(imputer)
    except Exception:
        return False
    return True


def _columns_to_fill(t: sa.Table, key: str, columns: list[str] | None) -> list[str]:
    if columns is None:
        return [c for c in t.c.keys() if c != key]
    if isinstance(columns, str):
        columns = [columns]
    columns = list(dict.fromkeys(columns))
    unknown = [c for c in columns if c not in t.c]
    if unknown:
        raise DatabaseError(
            f"column(s) {unknown!r} are not in table {t.name!r}; its columns: {', '.join(map(repr, t.c.keys()))}."
        )
    if key in columns:
        raise DatabaseError(f"columns= names the key column {key!r}; a key is never filled, leave it out.")
    return columns


def _check_keys(keys: list, table: str, key: str) -> None:
    nulls = sum(k is None for k in keys)
    if nulls:
        raise DatabaseError(
            f"key column {key!r} of table {table!r} is NULL in {nulls} row(s); every row needs a key "
            "to be written back: pass key= a column without NULLs (the primary key)."
        )
    seen: set = set()
    for k in keys:
        if k in seen:
            n = sum(x == k for x in keys)
            raise DatabaseError(
                f"key column {key!r} of table {table!r} is not unique: the value {k!r} is in {n} rows; "
                "pass key= a column that identifies each row (the primary key)."
            )
        seen.add(k)


def _features(
    t: sa.Table, key: str, raw: dict, kinds: dict, fill: list[str], null_cells: dict, n_rows: int
) -> tuple[pd.DataFrame, dict[str, bool]]:
    """The imputer's input ``(n_rows, n_features)`` (the key as index, so that its errors name the row) and,
    per text column, whether all its values are integers written as text (so that a number the imputer
    returns is written alike)."""
    data: dict[str, Any] = {}
    int_text: dict[str, bool] = {}
    for c in t.c.keys():
        kind = kinds[c]
        if c == key or kind is None:
            continue
        values = raw[c]
        n_null = sum(v is None for v in values)
        if n_null == n_rows:
            continue  # no observed value: nothing to learn (left NULL)
        if kind == "time":
            if n_null:
                logger.info("column %r has NULLs; it is not given to the imputer as a time feature.", c)
                continue
            data[c] = pd.to_datetime(
                pd.Series(values, dtype=object), utc=any(getattr(v, "tzinfo", None) is not None for v in values[:1])
            )
        elif kind in ("int", "float", "decimal"):
            data[c] = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").astype("float64")
        elif kind == "bool":
            data[c] = pd.Series(values, dtype=object)
        else:
            s = pd.Series(values, dtype=object)
            data[c] = s
            observed = [v for v in values if v is not None]
            int_text[c] = bool(observed) and all(isinstance(v, str) and _INT_TEXT.match(v) for v in observed)
    if not any(c in data for c in fill):
        raise DatabaseError(
            f"table {t.name!r}: none of the columns to fill {fill!r} has an observed value to learn from."
        )
    return pd.DataFrame(data).set_axis(pd.Index(raw[key], name=key), axis=0), int_text


def _check_output(out: Any, X: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(out, pd.DataFrame):
        arr = np.asarray(out, dtype=object)
        if arr.shape != X.shape:
            raise DatabaseError(
                f"the imputer returned shape {arr.shape} for a table of shape {X.shape}; it must "
                "return one value per input cell."
            )
        return pd.DataFrame(arr, index=X.index, columns=X.columns)
    if out.shape[0] != X.shape[0]:
        raise DatabaseError(f"the imputer returned {out.shape[0]} rows for {X.shape[0]}; it must keep every row.")
    if out.index.equals(X.index):
        return out
    if out.index.is_unique and set(out.index) == set(X.index):  # same rows, another order
        return out.reindex(X.index)
    return out.set_axis(X.index, axis=0)  # a fresh index (e.g. 0..n-1): rows in input order


def _changes_frame(changes: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(changes, columns=["key", "column", "value"]).astype(object)


def _write(
    engine,
    t: sa.Table,
    key: str,
    fill: list[str],
    plan: dict,
    run_id: str,
    model: str,
    table: str,
    audit_name: str,
    db_schema: str | None,
) -> tuple[dict[str, list], int]:
    """Write the planned cells that are still NULL and their audit rows, in one transaction; returns the cells
    written per column, as stored, and the count of cells skipped (filled by another session meanwhile)."""
    kcol = t.c[key]
    kp, vp = _bind_names(t)
    written: dict[str, list] = {c: [] for c in fill}
    ktype, kval = _key_binding(kcol, engine.dialect)
    with _transaction(engine) as conn:
        # Which planned cells are still NULL, with those rows locked until the end (SQLite: whole database).
        todo = [c for c in fill if plan[c]]
        still: dict[str, set] = {c: set() for c in todo}
        if todo:
            sel = sa.select(kcol, *[t.c[c] for c in todo]).where(sa.or_(*[t.c[c].is_(None) for c in todo]))
            for row in conn.execute(sel.with_for_update()):
                for j, c in enumerate(todo, start=1):
                    if row[j] is None:
                        still[c].add(row[0])
        params = {c: [(k, v) for k, v in plan[c] if k in still[c]] for c in todo}
        skipped = sum(len(plan[c]) - len(params[c]) for c in todo)
        audit = _audit_table(audit_name, db_schema)
        if any(params.values()):
            _prepare_audit(conn, audit, audit_name, db_schema)
        now = datetime.now(timezone.utc)
        for c in todo:
            cells = params[c]
            if cells:
                stmt = (
                    sa.update(t)
                    .where(kcol == sa.bindparam(kp, type_=ktype))
                    .where(t.c[c].is_(None))
                    .values({c: sa.bindparam(vp, type_=t.c[c].type)})
                )
                res = conn.execute(stmt, [{kp: kval(k), vp: v} for k, v in cells])
                dialect = conn.dialect
                sane = dialect.supports_sane_multi_rowcount if len(cells) > 1 else dialect.supports_sane_rowcount
                if sane and res.rowcount not in (-1, len(cells)):
                    raise DatabaseError(
                        f"table {table!r}, column {c!r}: {res.rowcount} row(s) updated for "
                        f"{len(cells)} cells (is key {key!r} unique?); rolled back, nothing written."
                    )
                # read back what is stored (a REAL or NUMERIC(p, s) column may round), for the audit and undo
                ks = [k for k, _ in cells]
                bound = [kval(k) for k in ks]
                stored: dict = {}
                for i in range(0, len(ks), _CHUNK):
                    sel = sa.select(kcol, t.c[c]).where(_key_in(kcol, bound[i : i + _CHUNK], ktype))
                    for k, v in conn.execute(sel):
                        stored[k] = v
                written[c] = [(k, stored.get(k)) for k in ks]
                conn.execute(
                    sa.insert(audit),
                    [
                        {
                            "run_id": run_id,
                            "table_name": table,
                            "key_column": key,
                            "key_value": str(k),
                            _KEY_TYPE: _key_type(k),
                            "column_name": c,
                            "value": _as_text(v),
                            "model": model,
                            "written_at": now,
                            "undone_at": None,
                        }
                        for k, v in written[c]
                    ],
                )
            if _after_column_write is not None:
                _after_column_write(c)
    return written, skipped


# ---------------------------------------------------------------------------------------------- undo
def undo_run(url_or_engine, run_id: str, audit_table: str = "indgan_audit", db_schema: str | None = None) -> UndoReport:
    """Set the cells an :func:`impute_table` run wrote back to NULL, in one transaction.

    A cell is set back to NULL only if it still holds the value the run wrote (compared as stored, in text);
    a cell changed since, or whose row was deleted, is left alone and reported as a conflict. Rows are found
    by their key bound in the type it was read with (recorded in the audit table), so a column holding keys
    of several types (SQLite) finds each row. The audit rows of the cells now NULL (set back, or found
    already NULL) are marked undone (``undone_at``); those of conflicts stay pending, so that undoing the run
    again retries them.

    Parameters
    ----------
    url_or_engine : str, sqlalchemy.URL or sqlalchemy.Engine
    run_id : str
        :attr:`ImputeReport.run_id`.
    audit_table : str
    db_schema : str, optional
        The schema that holds the audit table and the imputed table (as given to :func:`impute_table`).

    Returns
    -------
    UndoReport

    Raises
    ------
    DatabaseError
        Unreachable database, no audit table, an unknown run id (the message lists recent runs), a run
        already undone, a table or column of the run that no longer exists.
    """
    start = perf_counter()
    run_id = str(run_id).strip()
    with _open(url_or_engine) as engine:
        try:
            with _transaction(engine) as conn:
                if not _check_audit(conn, audit_table, db_schema):
                    raise DatabaseError(
                        f"no audit table {audit_table!r} in {_safe_url(engine)}: no indgan run has "
                        "written there (in Python, pass the audit_table= and db_schema= that "
                        "impute_table was given)."
                    )
                audit = _audit_table(audit_table, db_schema, _audit_has_key_type(conn, audit_table, db_schema))
                rows = (
                    conn.execute(
                        sa.select(audit).where(audit.c.run_id == run_id).order_by(audit.c.id).with_for_update()
                    )
                    .mappings()
                    .all()
                )
                if not rows:
                    raise DatabaseError(
                        f"no run {run_id!r} in audit table {audit_table!r}; {_recent_runs(conn, audit)}"
                    )
                pending = [r for r in rows if r["undone_at"] is None]
                table = rows[0]["table_name"]
                if not pending:
                    raise DatabaseError(
                        f"run {run_id} on table {table!r} was already undone at "
                        f"{max(r['undone_at'] for r in rows)}; nothing to do."
                    )
                report = _undo(conn, engine, audit, run_id, table, pending, db_schema)
        except sa_exc.SQLAlchemyError as exc:
            raise DatabaseError(
                f"undoing run {run_id} failed and was rolled back (nothing changed): {_first_line(exc)}"
            ) from exc
    report.seconds = perf_counter() - start
    logger.info("%s", report)
    return report


def _recent_runs(conn: sa.Connection, audit: sa.Table) -> str:
    q = (
        sa.select(audit.c.run_id, sa.func.min(audit.c.table_name), sa.func.count(), sa.func.max(audit.c.written_at))
        .group_by(audit.c.run_id)
        .order_by(sa.func.max(audit.c.written_at).desc())
        .limit(10)
    )
    runs = conn.execute(q).all()
    if not runs:
        return "the audit table is empty."
    return "recent runs: " + "; ".join(f"{r[0]} (table {r[1]!r}, {r[2]} cells, {r[3]})" for r in runs) + "."


def _undo(conn, engine, audit: sa.Table, run_id: str, table: str, pending: list, db_schema: str | None) -> UndoReport:
    try:
        t = _reflect(conn, table, db_schema, engine)
    except DatabaseError as exc:
        raise DatabaseError(f"run {run_id} wrote to table {table!r}, which is gone: {exc}") from None
    key = pending[0]["key_column"]
    if key not in t.c:
        raise DatabaseError(f"run {run_id} wrote to table {table!r} by key {key!r}, which is no longer a column.")
    kcol = t.c[key]
    by_col: dict[str, list] = defaultdict(list)
    for r in pending:
        by_col[r["column_name"]].append(r)
    missing_cols = [c for c in by_col if c not in t.c]
    if missing_cols:
        raise DatabaseError(f"run {run_id} wrote column(s) {missing_cols!r} of table {table!r}, which are gone.")
    typed_keys, ambiguous = _key_lookup(conn, t, key, {_audit_key(r) for r in pending})
    kp, _ = _bind_names(t)
    ktype, kval = _key_binding(kcol, engine.dialect)
    n_restored = n_null = 0
    conflicts: list[dict] = []
    done: list[int] = []  # audit ids of the cells now NULL
    for c, recs in by_col.items():
        typed = [(r, typed_keys.get(_audit_key(r))) for r in recs]
        ks = list({k: None for _, k in typed if k is not None})
        current: dict = {}
        bound = [kval(k) for k in ks]
        for i in range(0, len(ks), _CHUNK):
            sel = sa.select(kcol, t.c[c]).where(_key_in(kcol, bound[i : i + _CHUNK], ktype)).with_for_update()
            for k, v in conn.execute(sel):
                current[k] = v
        restore = []
        for r, k in typed:
            if k is None or k not in current:
                reason = "key ambiguous" if _audit_key(r) in ambiguous else "row deleted"
                conflicts.append(
                    {"key": r["key_value"], "column": c, "written": r["value"], "current": None, "reason": reason}
                )
            elif current[k] is None:
                n_null += 1
                done.append(r["id"])
            elif _as_text(current[k]) == r["value"]:
                restore.append({kp: kval(k)})
                done.append(r["id"])
            else:
                conflicts.append(
                    {
                        "key": r["key_value"],
                        "column": c,
                        "written": r["value"],
                        "current": _as_text(current[k]),
                        "reason": "changed since",
                    }
                )
        if restore:
            stmt = sa.update(t).where(kcol == sa.bindparam(kp, type_=ktype)).values({c: None})
            conn.execute(stmt, restore)
            n_restored += len(restore)
    now = datetime.now(timezone.utc)
    if not conflicts:
        conn.execute(
            sa.update(audit).where(audit.c.run_id == run_id).where(audit.c.undone_at.is_(None)).values(undone_at=now)
        )
    else:  # only the cells now NULL: the conflicts stay pending
        for i in range(0, len(done), _CHUNK):
            conn.execute(sa.update(audit).where(audit.c.id.in_(done[i : i + _CHUNK])).values(undone_at=now))
    return UndoReport(
        run_id=run_id,
        table=table,
        n_restored=n_restored,
        n_conflicts=len(conflicts),
        conflicts=conflicts,
        n_already_null=n_null,
    )


def _audit_key(r) -> tuple[str | None, str]:
    """An audit row's key as (type, text); type None in rows written before the type was recorded."""
    return r.get(_KEY_TYPE), r["key_value"]


def _key_lookup(
    conn: sa.Connection, t: sa.Table, key: str, audit_keys: set[tuple[str | None, str]]
) -> tuple[dict[tuple, Any], set[tuple]]:
    """Audit keys (type, text) -> the key values to bind, as read when written (decoded from their type, else
    found through the table by text and type), and the keys without a type whose text several rows share."""
    kind = _kind(t.c[key].type)
    out: dict[tuple, Any] = {}
    scan: set[tuple] = set()
    for ak in audit_keys:
        value = _decode_key(ak[0], ak[1], kind)
        if value is _SCAN:
            scan.add(ak)
        else:
            out[ak] = value
    ambiguous: set[tuple] = set()
    if scan:
        texts = {text for _, text in scan}
        found: dict[str, list] = defaultdict(list)
        for (k,) in conn.execute(sa.select(t.c[key])):
            text = str(k)
            if text in texts:
                found[text].append(k)
        for key_type, text in scan:
            matches = [k for k in found.get(text, []) if key_type is None or _key_type(k) == key_type]
            if len(matches) == 1:
                out[(key_type, text)] = matches[0]
            elif matches:
                ambiguous.add((key_type, text))
    return out, ambiguous
