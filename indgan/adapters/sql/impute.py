"""SQL adapter, imputation in place: :func:`impute_table` (the write check, one read, the imputer, the plan of
NULL cell -> value, one audited write transaction) and its :class:`ImputeReport`."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from time import perf_counter
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from ...errors import IndganError, first_line
from .audit import (
    _CHUNK,
    _KEY_TYPE,
    _MODEL_CHARS,
    _audit_table,
    _bind_names,
    _check_audit,
    _key_binding,
    _key_in,
    _key_type,
    _prepare_audit,
)
from .engine import (
    _INT_TEXT,
    DatabaseError,
    _as_text,
    _busy_capped,
    _coerce,
    _kind,
    _missing,
    _native,
    _open,
    _reflect,
    _safe_url,
    _transaction,
    _type_name,
)

__all__ = ["impute_table", "ImputeReport"]

logger = logging.getLogger(__name__)

#: Test hook: called as ``_after_column_write(column_name)`` after each column's UPDATE, inside the run's
#: transaction (tests set it to raise, to check that a failure half-way leaves the table unchanged).
_after_column_write: Callable[[str], None] | None = None


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
        why = first_line(exc, limit=None, unwrap=True)
        if any(w in why.lower() for w in _LOCKED):  # SQLite: BEGIN EXCLUSIVE locks out readers too
            raise DatabaseError(
                _not_writable(engine, url, table, audit_table, db_schema, "lock", exc, perf_counter() - start)
            ) from None
        raise DatabaseError(f"reading table {table!r} from {url} failed: {why}") from exc
    _probe_write(
        engine,
        url,
        table,
        audit_table,
        db_schema,
        schema,
        "update",
        lambda conn: conn.execute(sa.update(t).where(sa.false()).values({c: t.c[c] for c in fill})),
    )


def _probe_write(engine, url: str, table: str, audit_table: str, db_schema, schema, step_name: str, write) -> None:
    """The rolled-back write check of a run (:func:`_check_writable`, and the narrow tables' insert check): in the
    transaction the write will use (SQLite ``BEGIN IMMEDIATE`` waiting at most ``_PROBE_BUSY_MS``; PostgreSQL a
    ``lock_timeout`` of ``_PROBE_LOCK_TIMEOUT``), ``write(conn)`` (a statement on ``table`` that changes no row;
    ``step_name`` says what it is: "update", "insert"), the audit table prepared and one audit row inserted, then
    everything rolled back.

    Raises
    ------
    DatabaseError
        One line from :func:`_not_writable`: what stops the write and what to do.
    """
    step = "lock"
    start = perf_counter()
    try:
        with _transaction(engine, commit=False, busy_ms=_PROBE_BUSY_MS) as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{_PROBE_LOCK_TIMEOUT}'")
            step = step_name
            write(conn)
            step = "audit"
            audit = _audit_table(audit_table, db_schema)
            _prepare_audit(conn, audit, audit_table, db_schema)
            conn.execute(
                sa.insert(audit).values(
                    run_id="0" * 32,
                    table_name=table,
                    key_column="",
                    key_value="",
                    column_name="",
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
    why = first_line(exc, limit=None, unwrap=True)
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
        if step == "insert":
            return (
                f"{head}: {user!r} may not insert rows into it ({why}). Ask its owner to GRANT SELECT, INSERT ON "
                f"{target} TO {grantee}, or see what would change with --dry-run{dry}" + tail
            )
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
    imputer : scikit-learn style transformer
        Required (an adapter does not choose a model; :func:`indgan.impute_table` gives a default
        ``GANImputer``). Takes and returns a DataFrame ``(n_rows, n_features)`` with missing cells as NaN/None
        and filled cells in the result. Used with ``transform`` if already fitted (``__sklearn_is_fitted__()``),
        else with ``fit_transform``.
    columns : list of str, optional
        Columns that may be filled; default every column but the key. Every other column of a numeric,
        boolean, text or date/time type is still given to the imputer as a feature.
    dry_run : bool
        Write nothing at all (not even the audit table); the report says what would change.
    db_schema : str, optional
        The schema (PostgreSQL) holding the table and the audit table; default the connection's default.
    audit_table : str
        The audit table, created (in the same transaction) if missing.

    Returns
    -------
    ImputeReport
        Counts, the run id and ``changes`` (``key``, ``column``, ``value`` of each cell written).

    Raises
    ------
    TypeError
        ``imputer`` is None (before anything is opened).
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
    if imputer is None:
        raise TypeError(
            "impute_table() of indgan.adapters.sql needs an imputer= (a scikit-learn style transformer such as "
            "indgan.GANImputer()): an adapter does not choose a model. indgan.impute_table builds the default "
            "GANImputer."
        )
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
            raise DatabaseError(
                f"reading table {table!r} from {_safe_url(engine)} failed: {first_line(exc, limit=None, unwrap=True)}"
            ) from exc
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
                f"writing to table {table!r} failed and was rolled back (nothing was written): "
                f"{first_line(exc, limit=None, unwrap=True)}"
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
