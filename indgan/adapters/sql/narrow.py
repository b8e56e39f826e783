"""SQL adapter, a narrow historian table filled in place.

A narrow table (time, tag, value[, quality]: one row per tag per stored change) has no NULL cells to fill: its gaps
are silences (a collector down, a tag offline) longer than the staleness limit of its alignment
(:func:`indgan.adapters.historian.to_wide`). Filling one in place means **inserting rows**: one per filled grid
cell (a filled stretch stored only at its changes would fall silent past the staleness limit again), at the grid
time, with indgan's substituted quality
(:data:`~indgan.adapters.historian.IMPUTED_QUALITY`) where the table has a quality column. :func:`insert_rows`
inserts them and one audit row each (the audit table of :mod:`~indgan.adapters.sql.audit`, marked
:data:`NARROW_ROW`) in one transaction, whole or not at all; :func:`check_insertable` refuses a table that cannot
be written before any fit; :func:`~indgan.adapters.sql.undo_run` deletes exactly the rows a run inserted (those
still holding the value written), never a row the historian stored.

indgan's quality markers are good qualities when the table is read again (the filled values hold like stored
ones), so a second run finds nothing left to fill in the stretches the first one filled.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from time import perf_counter

import pandas as pd
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from ...errors import first_line
from .audit import _CHUNK, _KEY_TYPE, UNDO_BY_KEY_TYPE, UndoReport, _audit_table, _check_audit, _prepare_audit
from .engine import DatabaseError, _as_text, _busy_capped, _open, _reflect, _safe_url, _transaction

__all__ = ["insert_rows", "check_insertable", "NarrowFillReport", "NARROW_ROW"]

logger = logging.getLogger(__name__)

#: The ``key_type`` of an audit row that records a row inserted into a narrow table (its ``key_column`` holds the
#: table's layout as JSON, ``key_value`` the row's time, ``column_name`` its tag, ``value`` its value as stored).
NARROW_ROW = "narrow-row"


@dataclass
class NarrowFillReport:
    """What a narrow table's fill in place did (or, with ``dry_run``, would do).

    Attributes
    ----------
    run_id : str
        uuid4 hex naming the run in the audit table (give it to :func:`~indgan.adapters.sql.undo_run`).
    table : str
    n_rows_read : int
        Narrow rows read from the table.
    n_missing : int
        Missing grid cells (steps x tags) after alignment.
    n_filled : int
        Cells the imputer filled.
    n_inserted : int
        Rows inserted (or to insert): one per filled cell.
    dry_run : bool
    seconds : float
    rows : pandas.DataFrame
        ``(n_inserted, 3 or 4)``: the rows inserted, in the table's column names.
    audit_table : str
    """

    run_id: str
    table: str
    n_rows_read: int
    n_missing: int
    n_filled: int
    n_inserted: int
    dry_run: bool
    seconds: float
    rows: pd.DataFrame
    audit_table: str = "indgan_audit"

    # the names ImputeResult and the CLI read from a database report
    @property
    def n_null_cells(self) -> int:
        return self.n_missing

    def __str__(self) -> str:
        verb = "would insert" if self.dry_run else "inserted"
        head = (
            f"{'dry run: ' if self.dry_run else ''}narrow table {self.table!r}, {self.n_rows_read:,} rows: "
            f"{self.n_missing:,} missing grid cell(s); filled {self.n_filled:,}, {verb} {self.n_inserted:,} row(s)"
            f" ({self.seconds:.1f} s)."
        )
        lines = [head]
        if self.dry_run:
            lines.append("  nothing was written (dry run).")
        elif self.n_inserted:
            lines.append(
                f"  run {self.run_id} (audit table {self.audit_table!r}); undo (deletes these rows) with "
                f"indgan impute --undo {self.run_id} --db URL, or indgan.adapters.sql.undo_run(URL, {self.run_id!r})."
            )
        return "\n".join(lines)


def _layout_text(layout, marker) -> str:
    return json.dumps(
        {"time": layout.time, "tag": layout.tag, "value": layout.value, "quality": layout.quality, "marker": marker}
    )


def _columns(t: sa.Table, layout, table: str) -> None:
    missing = [c for c in (layout.time, layout.tag, layout.value, layout.quality) if c is not None and c not in t.c]
    if missing:
        raise DatabaseError(
            f"table {table!r} has no column(s) {missing!r} of its narrow layout; its columns: "
            f"{', '.join(map(repr, t.c.keys()))}. Name the right ones with --tag-column, --value-column and "
            "--quality-column (tag_column=, value_column=, quality_column=)."
        )


def check_insertable(url_or_engine, table: str, layout, audit_table: str = "indgan_audit", db_schema=None) -> None:
    """Refuse, before any fit, a narrow table whose rows cannot be inserted: in the transaction the write will use
    (SQLite ``BEGIN IMMEDIATE``), an ``INSERT ... SELECT`` that inserts nothing, the audit table prepared and one
    audit row inserted, all rolled back (as :func:`~indgan.adapters.sql.impute_table` checks a wide table).

    Parameters
    ----------
    url_or_engine : str, sqlalchemy.URL or sqlalchemy.Engine
    table : str
        The narrow table rows will be inserted into.
    layout : NarrowLayout
        Its columns (time, tag, value[, quality]); each must be in the table.
    audit_table : str
    db_schema : str, optional

    Raises
    ------
    DatabaseError
        One line: read-only or locked database, missing INSERT privilege, a layout column not in the table.
    """
    from .impute import _PROBE_BUSY_MS, _probe_write

    with _open(url_or_engine) as engine:
        url = _safe_url(engine)
        with engine.connect() as conn, _busy_capped(conn, _PROBE_BUSY_MS):
            t = _reflect(conn, table, db_schema, engine)
            _columns(t, layout, table)
            _check_audit(conn, audit_table, db_schema)
            schema = db_schema or sa.inspect(conn).default_schema_name
        cols = [t.c[c] for c in (layout.time, layout.tag, layout.value)]
        nothing = sa.insert(t).from_select([c.name for c in cols], sa.select(*cols).where(sa.false()))
        _probe_write(engine, url, table, audit_table, db_schema, schema, "insert", lambda conn: conn.execute(nothing))


def _audit_row(run_id, table, layout_text, time_text, tag, value, model, now) -> dict:
    return {
        "run_id": run_id,
        "table_name": table,
        "key_column": layout_text,
        "key_value": time_text,
        _KEY_TYPE: NARROW_ROW,
        "column_name": str(tag),
        "value": value,
        "model": model,
        "written_at": now,
        "undone_at": None,
    }


def insert_rows(
    url_or_engine,
    table: str,
    rows: pd.DataFrame,
    layout,
    *,
    marker=None,
    model: str = "",
    n_rows_read: int = 0,
    n_missing: int = 0,
    n_filled: int = 0,
    dry_run: bool = False,
    audit_table: str = "indgan_audit",
    db_schema: str | None = None,
    chunk_rows: int = 10_000,
) -> NarrowFillReport:
    """Insert filled narrow ``rows`` into ``table`` and audit each, in one transaction.

    Parameters
    ----------
    rows : pandas.DataFrame
        ``(n, 3 or 4)``: the layout's time (datetime64), tag, value (float) and, when the table has one, quality
        (``marker``) columns, as :func:`indgan.adapters.historian.to_narrow` writes them.
    layout : NarrowLayout
        The table's narrow columns.
    marker : object, optional
        The quality the rows carry (undo deletes only rows that still carry it).
    model : str
        The imputer's description, for the audit table.
    n_rows_read, n_missing, n_filled : int
        Counts for the report.
    dry_run : bool
        Write nothing; the report lists the rows that would be inserted.

    Returns
    -------
    NarrowFillReport

    Raises
    ------
    DatabaseError
        A missing table or layout column, or a value the database refuses (the transaction is rolled back: no row
        and no audit row is left).
    """
    from .tables import _insert_all, _values

    start = perf_counter()
    run_id = uuid.uuid4().hex
    report = NarrowFillReport(
        run_id, table, n_rows_read, n_missing, n_filled, len(rows), dry_run, 0.0, rows, audit_table
    )
    if dry_run or rows.empty:
        report.seconds = perf_counter() - start
        return report
    layout_text = _layout_text(layout, marker)
    with _open(url_or_engine) as engine:
        target = f"{_safe_url(engine)}, table {table!r}"
        sqlite = engine.dialect.name == "sqlite"
        try:
            with _transaction(engine) as conn:
                t = _reflect(conn, table, db_schema, engine)
                _columns(t, layout, table)
                _insert_all(conn, t, rows, iter(()), chunk_rows, target)
                audit = _audit_table(audit_table, db_schema)
                _prepare_audit(conn, audit, audit_table, db_schema)
                times = rows[layout.time].map(lambda v: v.isoformat()).tolist()
                stored = _values(rows[layout.value], t.c[layout.value], sqlite)
                now = datetime.now(timezone.utc)
                audit_rows = [
                    _audit_row(run_id, table, layout_text, tt, g, _as_text(v), model, now)
                    for tt, g, v in zip(times, rows[layout.tag].tolist(), stored, strict=True)
                ]
                for i in range(0, len(audit_rows), chunk_rows):
                    conn.execute(sa.insert(audit), audit_rows[i : i + chunk_rows])
        except sa_exc.StatementError as exc:
            raise DatabaseError(
                f"{target}: the database refused the rows: {first_line(exc, limit=None, unwrap=True)}; "
                "nothing was written."
            ) from None
    report.seconds = perf_counter() - start
    logger.info("%s", report)
    return report


def undo_rows(conn, engine, audit: sa.Table, run_id: str, table: str, pending: list, db_schema) -> UndoReport:
    """Delete the rows a narrow run inserted, within the caller's transaction: a row is deleted only if it is still
    there with the tag, time, value (as stored) and quality marker written; others are conflicts, left pending."""
    from .tables import _values

    try:
        t = _reflect(conn, table, db_schema, engine)
    except DatabaseError as exc:
        raise DatabaseError(f"run {run_id} inserted rows into table {table!r}, which is gone: {exc}") from None
    spec = json.loads(pending[0]["key_column"])
    tcol, gcol, vcol = t.c.get(spec["time"]), t.c.get(spec["tag"]), t.c.get(spec["value"])
    qcol = t.c.get(spec["quality"]) if spec.get("quality") else None
    if tcol is None or gcol is None or vcol is None or (spec.get("quality") and qcol is None):
        raise DatabaseError(
            f"run {run_id} inserted rows into table {table!r}, whose columns {spec!r} are no longer all there; "
            "nothing was undone. Restore the columns and undo again, or delete the run's rows by hand (the audit "
            "table lists each one's time, tag and value)."
        )
    sqlite = engine.dialect.name == "sqlite"
    times = pd.Series(pd.to_datetime([r["key_value"] for r in pending], format="ISO8601"))
    bound = _values(times, tcol, sqlite)
    wanted = {(b, r["column_name"]): r for b, r in zip(bound, pending, strict=True)}
    found: dict = {}
    tags = sorted({r["column_name"] for r in pending})
    for i in range(0, len(tags), _CHUNK):
        sel = (
            sa.select(tcol, gcol, vcol)
            .where(tcol >= min(bound), tcol <= max(bound), gcol.in_(tags[i : i + _CHUNK]))
            .with_for_update()
        )
        if qcol is not None:
            sel = sel.where(qcol == spec["marker"])
        for tv, g, v in conn.execute(sel):
            if (tv, str(g)) in wanted:
                found[(tv, str(g))] = v
    delete, done, conflicts = [], [], []
    for k, r in wanted.items():
        if k not in found:
            conflicts.append(
                {"key": r["key_value"], "column": r["column_name"], "written": r["value"], "current": None,
                 "reason": "row deleted"}
            )  # fmt: skip
        elif _as_text(found[k]) != r["value"]:
            conflicts.append(
                {"key": r["key_value"], "column": r["column_name"], "written": r["value"],
                 "current": _as_text(found[k]), "reason": "changed since"}
            )  # fmt: skip
        else:
            delete.append({"t_": k[0], "g_": k[1], "v_": found[k]})
            done.append(r["id"])
    if delete:
        stmt = sa.delete(t).where(
            tcol == sa.bindparam("t_", type_=tcol.type),
            gcol == sa.bindparam("g_", type_=gcol.type),
            vcol == sa.bindparam("v_", type_=vcol.type),
        )
        if qcol is not None:
            stmt = stmt.where(qcol == spec["marker"])
        conn.execute(stmt, delete)
    now = datetime.now(timezone.utc)
    for i in range(0, len(done), _CHUNK):
        conn.execute(sa.update(audit).where(audit.c.id.in_(done[i : i + _CHUNK])).values(undone_at=now))
    return UndoReport(
        run_id=run_id,
        table=table,
        n_restored=len(delete),
        n_conflicts=len(conflicts),
        conflicts=conflicts,
        restored_as="inserted row(s) deleted",
    )


UNDO_BY_KEY_TYPE[NARROW_ROW] = undo_rows
