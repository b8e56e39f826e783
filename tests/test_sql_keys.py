"""indgan.adapters.sql: keys round-trip exactly (type and value) from the table to the audit table to undo.

SQLite lets a column hold values of any storage class: an INTEGER key column may hold 'k-10', 2.5 or a blob;
a column without a declared type may hold both 7 and '7'. Undo must find each written row again by its key
as stored, and a run is marked undone only for the cells set back to NULL (the others stay pending, so that
undoing again retries them). Most tests use the small MeanMode imputer of test_database.py to stay fast.
"""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from indgan.adapters.sql import DatabaseError, undo_run
from indgan.app.database import impute_table
from indgan.cli import cli

from .test_database import DB, MeanMode, db  # noqa: F401 (db: the SQLite / PostgreSQL fixture)


# ---------------------------------------------------------------------------------------------- helpers
def make_table(path, keys: list, decl: str = "INTEGER", table: str = "T") -> None:
    """Table ``table`` (``id <decl>``, float columns a, b, c, no primary key) with one row per key, a few NULLs
    in every float column, among them rows of each key type."""
    con = sqlite3.connect(path)
    con.execute(f'CREATE TABLE "{table}" (id {decl}, a REAL, b REAL, c REAL)')
    rows = []
    for i, k in enumerate(keys):
        rows.append(
            (
                k,
                None if i % 3 == 0 else 1.0 + 0.5 * i,
                None if i % 4 == 1 else 2.0 * i + 0.25,
                None if i % 5 == 2 else 0.3 * i,
            )
        )
    con.executemany(f'INSERT INTO "{table}" VALUES (?, ?, ?, ?)', rows)
    con.commit()
    con.close()


def raw(path, table: str = "T") -> list[tuple]:
    """Every row with the storage class of each value, in insertion order."""
    con = sqlite3.connect(path)
    try:
        return con.execute(
            f'SELECT id, typeof(id), a, typeof(a), b, typeof(b), c, typeof(c) FROM "{table}" ORDER BY rowid'
        ).fetchall()
    finally:
        con.close()


def audit(path, run_id: str) -> list[dict]:
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute("SELECT * FROM indgan_audit WHERE run_id = ? ORDER BY id", (run_id,))]
    finally:
        con.close()


def sql(path, statement: str, params=()) -> None:
    con = sqlite3.connect(path)
    con.execute(statement, params)
    con.commit()
    con.close()


# Text keys ('k-N'), and texts that Python's int() reads but SQLite keeps as text ('1_000', Arabic-Indic 3),
# next to the integers they would be confused with; a blob and a REAL in the INTEGER column (rows with NULLs).
MIXED = [b"\x01\x02", 2.5, *range(1, 13), *(f"k-{i}" for i in range(10, 22)), 1000, "1_000", "\u0663"]


# ---------------------------------------------------------------------------------------------- mixed keys
def test_mixed_integer_and_text_keys_are_restored_exactly(tmp_path):
    path = tmp_path / "X.db"
    make_table(path, MIXED)
    before = raw(path)
    assert {r[1] for r in before} == {"integer", "text", "real", "blob"}
    report = impute_table(f"sqlite:///{path}", "T", "id", imputer=MeanMode(), verbose=False)
    assert report.n_filled == report.n_null_cells > 0 and report.n_left_missing == 0
    after = raw(path)
    assert sum(v is None for r in after for v in r[2::2]) == 0  # every NULL filled, keys untouched
    assert [r[:2] for r in after] == [r[:2] for r in before]
    rows = audit(path, report.run_id)
    assert len(rows) == report.n_filled
    assert {r["key_type"] for r in rows} == {"int", "str", "float", "bytes"}
    assert {(r["key_value"], r["key_type"]) for r in rows if r["key_value"] in ("1000", "1_000", "\u0663", "3")} <= {
        ("1000", "int"),
        ("1_000", "str"),
        ("\u0663", "str"),
        ("3", "int"),
    }

    undo = undo_run(f"sqlite:///{path}", report.run_id)
    assert (undo.n_restored, undo.n_conflicts, undo.n_already_null) == (report.n_filled, 0, 0), str(undo)
    assert raw(path) == before  # the original, storage classes included
    assert all(r["undone_at"] is not None for r in audit(path, report.run_id))
    with pytest.raises(DatabaseError, match="already undone"):
        undo_run(f"sqlite:///{path}", report.run_id)


def test_cli_undo_restores_text_keys_of_an_integer_column(tmp_path):
    """The reported case, through the command line and the GAN imputer."""
    path = tmp_path / "X.db"
    make_table(path, [i if i % 3 else f"k-{i}" for i in range(40)])
    before = raw(path)
    url = f"sqlite:///{path}"
    runner = CliRunner()
    result = runner.invoke(cli, ["impute", "--db", url, "--table", "T", "--key", "id", "--iterations", "5", "--quiet"])
    assert result.exit_code == 0, result.output
    run_id = audit_run(path)
    n = len(audit(path, run_id))
    assert n > 0 and any(r["key_type"] == "str" for r in audit(path, run_id))
    result = runner.invoke(cli, ["impute", "--undo", run_id, "--db", url])
    assert result.exit_code == 0, result.output
    assert f"{n} cell(s) set back to NULL, 0 conflict(s)" in result.output and "row deleted" not in result.output
    assert raw(path) == before
    result = runner.invoke(cli, ["impute", "--undo", run_id, "--db", url])
    assert result.exit_code != 0 and "already undone" in result.output


def audit_run(path) -> str:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT run_id FROM indgan_audit ORDER BY id DESC LIMIT 1").fetchone()[0]
    finally:
        con.close()


@pytest.mark.parametrize(
    "decl, keys",
    [
        ("", [7, "7", "007", 7.5, "7.5", b"7", "b'7'", *range(20, 32)]),  # no affinity: each kept as given
        ("BLOB", [b"\x00", 7.5, "7", "007", 7, *range(20, 32)]),
        ("TEXT", [b"007", "b'007'", *(f"{i:03d}" for i in range(14))]),  # a blob in a TEXT column
        ("REAL", ["k-1", "0.1x", b"\x01", 0.1, 1e20, 2.5, 3.0, *(i / 7 for i in range(12))]),
    ],
)
def test_keys_of_every_storage_class_round_trip(tmp_path, decl, keys):
    path = tmp_path / "X.db"
    make_table(path, keys, decl)
    before = raw(path)
    assert len({r[1] for r in before}) > 1  # several storage classes in the key column
    report = impute_table(f"sqlite:///{path}", "T", "id", imputer=MeanMode(), verbose=False)
    assert report.n_filled == report.n_null_cells > 0
    assert {type(k) for k in report.changes["key"]} == {type(k) for k in keys}  # cells filled in rows of each
    undo = undo_run(f"sqlite:///{path}", report.run_id)
    assert (undo.n_restored, undo.n_conflicts) == (report.n_filled, 0), str(undo)
    assert raw(path) == before


# ---------------------------------------------------------------------------------------------- refusals
def test_null_key_in_a_mixed_column_is_refused_before_writing(tmp_path):
    path = tmp_path / "X.db"
    make_table(path, [1, "k-2", None, 4, 5.5, 6])
    snap = path.read_bytes()
    with pytest.raises(DatabaseError, match="key column 'id' of table 'T' is NULL in 1 row"):
        impute_table(f"sqlite:///{path}", "T", "id", imputer=MeanMode(), verbose=False)
    assert path.read_bytes() == snap


def test_unreadable_key_is_refused(tmp_path):
    """A NUMERIC key column holding text: SQLAlchemy cannot read it as a number; a clear refusal, nothing
    written (not a TypeError)."""
    path = tmp_path / "X.db"
    make_table(path, [1, 2, "k-3", 4, 5, 6], "NUMERIC")
    snap = path.read_bytes()
    with pytest.raises(
        DatabaseError,
        match=r"cannot read table 'T': column\(s\) 'id' hold a value that the "
        r"declared type cannot convert .*Nothing was written",
    ):
        impute_table(f"sqlite:///{path}", "T", "id", imputer=MeanMode(), verbose=False)
    assert path.read_bytes() == snap


# ---------------------------------------------------------------------------------------------- partial undo
def test_partial_undo_is_reported_and_can_be_retried(tmp_path):
    """A cell changed since and a deleted row (both with text keys) are reported with their reason and stay
    pending; the run is not marked undone for them, and a later undo restores them once restorable."""
    path = tmp_path / "X.db"
    make_table(path, MIXED)
    before = raw(path)
    url = f"sqlite:///{path}"
    report = impute_table(url, "T", "id", imputer=MeanMode(), verbose=False)
    ch = report.changes
    text_keys = [k for k in ch["key"] if isinstance(k, str)]
    changed_key = next(k for k in text_keys if ((ch["key"] == k) & (ch["column"] == "a")).any())
    deleted_key = next(k for k in text_keys if k != changed_key)
    wrote_a = next(
        r["value"] for r in audit(path, report.run_id) if r["key_value"] == changed_key and r["column_name"] == "a"
    )
    deleted_row = next(r for r in raw(path) if r[0] == deleted_key)
    sql(path, "UPDATE T SET a = -1.25 WHERE id = ?", (changed_key,))
    sql(path, "DELETE FROM T WHERE id = ?", (deleted_key,))
    n_deleted = sum(ch["key"] == deleted_key)

    undo = undo_run(url, report.run_id)
    assert undo.n_conflicts == 1 + n_deleted and undo.n_restored == report.n_filled - 1 - n_deleted
    reasons = {(c["key"], c["column"]): (c["reason"], c["current"]) for c in undo.conflicts}
    assert reasons[(changed_key, "a")] == ("changed since", "-1.25")
    assert all(reasons[(deleted_key, c)] == ("row deleted", None) for c in ch["column"][ch["key"] == deleted_key])
    text = str(undo)
    assert f"key {changed_key!r}, column 'a': wrote {wrote_a!r}, now '-1.25'" in text and "row deleted" in text
    assert "stay in run" in text and "undo it again" in text
    rows = audit(path, report.run_id)
    pending = {(r["key_value"], r["column_name"]) for r in rows if r["undone_at"] is None}
    assert pending == set(reasons)

    # undoing again is not refused as "already undone": the same cells are reported, nothing else changes
    now = raw(path)
    again = undo_run(url, report.run_id)
    assert (again.n_restored, again.n_conflicts) == (0, undo.n_conflicts)
    assert raw(path) == now

    # the operator reverts the edit and the row comes back (as it was after the run): both are restorable now
    sql(path, "UPDATE T SET a = ? WHERE id = ?", (float(wrote_a), changed_key))
    sql(path, "INSERT INTO T (id, a, b, c) VALUES (?, ?, ?, ?)", deleted_row[0::2])
    last = undo_run(url, report.run_id)
    assert (last.n_restored, last.n_conflicts) == (1 + n_deleted, 0), str(last)
    assert sorted(raw(path), key=repr) == sorted(before, key=repr)  # the re-inserted row has a new rowid
    assert all(r["undone_at"] is not None for r in audit(path, report.run_id))
    with pytest.raises(DatabaseError, match="already undone"):
        undo_run(url, report.run_id)


def test_partial_undo_on_both_databases(db):  # noqa: F811 (the fixture)
    """The same rule with an ordinary integer key, on SQLite and PostgreSQL."""
    md = sa.MetaData()
    t = sa.Table(
        "readings",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("x", sa.Float),
        sa.Column("y", sa.Float),
    )
    md.create_all(db.engine)
    db.execute(
        sa.insert(t),
        [{"id": i, "x": None if i % 3 == 0 else float(i), "y": None if i % 4 == 1 else 2.0 * i} for i in range(1, 25)],
    )
    before = db.rows()
    report = impute_table(db.url, "readings", "id", imputer=MeanMode(), verbose=False)
    k_changed = next(k for k, c in zip(report.changes["key"], report.changes["column"]) if c == "x")
    db.execute(sa.update(t).where(t.c.id == k_changed).values(x=-1.0))
    undo = undo_run(db.url, report.run_id)
    assert (undo.n_restored, undo.n_conflicts) == (report.n_filled - 1, 1)
    assert undo.conflicts[0]["key"] == str(k_changed) and undo.conflicts[0]["reason"] == "changed since"
    assert [r["key_value"] for r in db.audit(report.run_id) if r["undone_at"] is None] == [str(k_changed)]
    assert undo_run(db.url, report.run_id).n_conflicts == 1  # still pending, not "already undone"
    db.execute(sa.update(t).where(t.c.id == k_changed).values(x=None))  # the operator clears it after all
    last = undo_run(db.url, report.run_id)
    assert (last.n_restored, last.n_already_null, last.n_conflicts) == (0, 1, 0)
    assert db.rows() == before
    with pytest.raises(DatabaseError, match="already undone"):
        undo_run(db.url, report.run_id)


# ---------------------------------------------------------------------------------------------- old audit tables
def test_audit_table_from_before_key_types(db):  # noqa: F811 (the fixture)
    """An audit table made before the key's type was recorded: its runs still undo (integer texts as integers,
    other texts found through the table), and the next run adds the column."""
    md = sa.MetaData()
    t = sa.Table(
        "readings", md, sa.Column("id", sa.Integer, primary_key=True, autoincrement=False), sa.Column("x", sa.Float)
    )
    md.create_all(db.engine)
    db.execute(sa.insert(t), [{"id": i, "x": None if i % 3 == 0 else float(i)} for i in range(1, 13)])
    before = db.rows()
    old = impute_table(db.url, "readings", "id", imputer=MeanMode(), verbose=False)
    db.execute(sa.text("ALTER TABLE indgan_audit DROP COLUMN key_type"))  # as an older indgan made it
    assert "key_type" not in db.columns("indgan_audit")
    undo = undo_run(db.url, old.run_id)
    assert (undo.n_restored, undo.n_conflicts) == (old.n_filled, 0)
    assert db.rows() == before
    new = impute_table(db.url, "readings", "id", imputer=MeanMode(), verbose=False)
    assert "key_type" in db.columns("indgan_audit")
    assert {r["key_type"] for r in db.audit(new.run_id)} == {"int"}
    assert {r["key_type"] for r in db.audit(old.run_id)} == {None}
    assert undo_run(db.url, new.run_id).n_restored == new.n_filled
    assert db.rows() == before


def test_old_audit_rows_of_mixed_keys(tmp_path):
    """Rows without the key's type in a column without affinity: a text shared by 7 and '7' is ambiguous and
    reported as such (left pending, never set on the wrong row); the other keys are found through the table."""
    path = tmp_path / "X.db"
    make_table(path, [7, "7", "k-1", 2.5, b"\x01", *range(20, 30)], decl="")
    before = raw(path)
    url = f"sqlite:///{path}"
    report = impute_table(url, "T", "id", imputer=MeanMode(), verbose=False)
    sql(path, "UPDATE indgan_audit SET key_type = NULL")
    undo = undo_run(url, report.run_id)
    ambiguous = [c for c in undo.conflicts if c["reason"] == "key ambiguous"]
    assert undo.n_conflicts == len(ambiguous) == sum(str(k) == "7" for k in report.changes["key"]) > 0
    assert "several rows have this key text" in str(undo)
    after = raw(path)
    assert [r for r in after if str(r[0]) != "7"] == [r for r in before if str(r[0]) != "7"]
    assert all(v is not None for r in after if str(r[0]) == "7" for v in r[2::2])  # left as the run wrote
