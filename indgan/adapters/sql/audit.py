"""SQL adapter, the audit trail: the audit table (one row per written cell), keys recorded with their type and
bound as read, and :func:`undo_run` (a run's cells set back to NULL, conflicts left pending) with its
:class:`UndoReport`."""

from __future__ import annotations

import ast
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from time import perf_counter
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from ...errors import first_line
from .engine import _INT_TEXT, DatabaseError, _as_text, _kind, _native, _open, _reflect, _safe_url, _transaction

__all__ = ["undo_run", "UndoReport"]

logger = logging.getLogger(__name__)

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
#: How a run whose audit rows carry a ``key_type`` other than a key's type is undone, registered by the module
#: that writes such runs (:mod:`.narrow`: rows inserted into a narrow table are deleted); cells are set back to NULL
#: otherwise.
UNDO_BY_KEY_TYPE: dict[str, Callable] = {}
#: The key's Python type as read (SQLite: its storage class, int/float/str/bytes), so that undo binds the key as
#: written; added to an audit table made before it existed (whose rows have it NULL).
_KEY_TYPE = "key_type"
_KEY_TYPE_CHARS = 32


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
    restored_as : str
        What ``n_restored`` counts, in words ("cell(s) set back to NULL"; "inserted row(s) deleted" for a narrow
        table filled by inserting rows, :mod:`indgan.adapters.sql.narrow`).
    """

    run_id: str
    table: str
    n_restored: int
    n_conflicts: int
    conflicts: list[dict] = field(default_factory=list)
    n_already_null: int = 0
    seconds: float = 0.0
    restored_as: str = "cell(s) set back to NULL"

    def __str__(self) -> str:
        lines = [
            f"undid run {self.run_id} on table {self.table!r}: {self.n_restored} {self.restored_as}"
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


# ---------------------------------------------------------------------------------------------- undo
def undo_run(url_or_engine, run_id: str, audit_table: str = "indgan_audit", db_schema: str | None = None) -> UndoReport:
    """Set the cells an :func:`impute_table` run wrote back to NULL, in one transaction (for a run that filled a
    narrow table by inserting rows, delete those rows: :mod:`indgan.adapters.sql.narrow`).

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
                undo = UNDO_BY_KEY_TYPE.get(pending[0].get(_KEY_TYPE), _undo)  # rows inserted: deleted
                report = undo(conn, engine, audit, run_id, table, pending, db_schema)
        except sa_exc.SQLAlchemyError as exc:
            raise DatabaseError(
                f"undoing run {run_id} failed and was rolled back (nothing changed): "
                f"{first_line(exc, limit=None, unwrap=True)}"
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
