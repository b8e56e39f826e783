"""SQL adapter, engines and types: :class:`DatabaseError`, engines from URLs (checked to connect), the write
transaction (SQLite ``BEGIN IMMEDIATE``, capped busy waits), column type kinds and the coercion of imputed values
to them, and table reflection."""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from ...errors import DataError, first_line

__all__ = ["DatabaseError"]


class DatabaseError(DataError):
    """A SQL table cannot be imputed or a run cannot be undone as asked (the message names the fix)."""


# ---------------------------------------------------------------------------------------------- engines
def _safe_url(engine: sa.Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


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
            f"{url!r} is not a valid database URL ({first_line(exc, limit=None, unwrap=True)}); write e.g. "
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
                f"cannot connect to {_safe_url(engine)}: {first_line(exc, limit=None, unwrap=True)}. "
                "Check the host, port, "
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
