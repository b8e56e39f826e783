"""indgan.adapters.sql: NULL cells of a SQL table filled in place, audited, undoable; SQLite and a real PostgreSQL.

The PostgreSQL server is the session fixture ``postgres_url`` of conftest.py (a throwaway server); each test
gets its own schema on it (``search_path`` set in the URL), so tests never see each other's tables.
Most tests use a small mean/mode imputer to stay fast; ``test_gan_imputer_round_trip`` uses the real
:class:`indgan.GANImputer`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from sklearn.utils.validation import check_is_fitted

import indgan.adapters.sql.impute as database
from indgan import GANImputer
from indgan.adapters.sql import DatabaseError, ImputeReport, UndoReport, undo_run
from indgan.app.database import impute_table
from indgan.errors import DataError, IndganError

N = 200
MODES = ["A", "B", "C"]
FILL = ["flow", "temp", "level", "pumps", "mode", "pump_on"]  # the columns with NULLs in the main table


# ---------------------------------------------------------------------------------------------- helpers
class MeanMode:
    """A tiny imputer with GANImputer's interface: numeric NaN -> column mean, others -> the most common value.
    ``leave``: cells per column left missing (as GANImputer leaves outages longer than max_gap)."""

    def __init__(self, leave: int = 0):
        self.leave = leave
        self.fit_calls = 0

    def fit(self, X, y=None):
        self.fit_calls += 1
        self.fill_ = {}
        for c in X.columns:
            s = X[c]
            if pd.api.types.is_datetime64_any_dtype(s):
                continue
            self.fill_[c] = float(s.mean()) if pd.api.types.is_numeric_dtype(s) else s.dropna().mode().iloc[0]
        return self

    def transform(self, X):
        out = X.copy()
        for c, v in self.fill_.items():
            missing = np.flatnonzero(out[c].isna().to_numpy())[self.leave :]
            out.iloc[missing, out.columns.get_loc(c)] = v
        return out

    def fit_transform(self, X, y=None):
        return self.fit(X).transform(X)

    def __sklearn_is_fitted__(self):
        return hasattr(self, "fill_")

    def __repr__(self):
        return f"MeanMode(leave={self.leave})"


@dataclass
class DB:
    kind: str
    url: str
    engine: sa.Engine
    path: Path | None = None  # SQLite file
    schema: str | None = None  # PostgreSQL: this test's schema (the URL's search_path)

    def rows(self, table: str = "readings", key: str = "id") -> list[tuple]:
        t = sa.Table(table, sa.MetaData(), autoload_with=self.engine)
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.select(t).order_by(t.c[key]))]

    def columns(self, table: str = "readings") -> list[str]:
        return [c["name"] for c in sa.inspect(self.engine).get_columns(table)]

    def tables(self) -> list[str]:
        return sa.inspect(self.engine).get_table_names()

    def snapshot(self, table: str = "readings", key: str = "id"):
        """Everything a refused or failed run must leave as it was: rows, tables, the SQLite file's bytes."""
        self.engine.dispose()  # no connection holds the SQLite file open
        return self.rows(table, key), sorted(self.tables()), (self.path.read_bytes() if self.path else None)

    def audit(self, run_id: str | None = None) -> list[dict]:
        if "indgan_audit" not in self.tables():
            return []
        a = sa.Table("indgan_audit", sa.MetaData(), autoload_with=self.engine)
        q = sa.select(a) if run_id is None else sa.select(a).where(a.c.run_id == run_id)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(q).mappings()]

    def execute(self, stmt, params=None):
        with self.engine.begin() as conn:
            conn.execute(stmt, params)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path):
    if request.param == "sqlite":
        path = tmp_path / "plant.db"
        url = f"sqlite:///{path}"
        engine = sa.create_engine(url)
        with engine.connect():
            pass  # creates the file
        yield DB("sqlite", url, engine, path=path)
        engine.dispose()
        return
    base = request.getfixturevalue("postgres_url")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.schema.CreateSchema(schema))
    url = sa.make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    url = url.render_as_string(hide_password=False)
    engine = sa.create_engine(url)
    try:
        yield DB("postgresql", url, engine, schema=schema)
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(sa.schema.DropSchema(schema, cascade=True))
        admin.dispose()


def make_readings(
    db: DB,
    name: str = "readings",
    names: dict | None = None,
    seed: int = 0,
    blob_null: bool = False,
    extra_rows: list[dict] | None = None,
    status_tag: bool = False,
) -> dict[str, str]:
    """A plant-like table of N rows: correlated flow/temp/level, an integer pump count, a text operating mode,
    a boolean, a timestamp and a binary column; about 10% of the cells of FILL are NULL. ``status_tag`` adds
    a text column "tag" as historians write it: numbers as text, "Bad" now and then, and NULLs.
    ``names`` renames columns (to test quoting); returns the name map."""
    n = {c: c for c in ["id", "ts", *FILL, "blob"]}
    n.update(names or {})
    rng = np.random.default_rng(seed)
    mode = rng.choice(MODES, N)
    offset = pd.Series(mode).map({"A": 0.0, "B": 5.0, "C": 10.0}).to_numpy()
    flow = np.round(50 + offset + rng.normal(0, 1, N), 4)
    temp = np.round(20 + 0.8 * flow + rng.normal(0, 0.5, N), 4)
    level = np.round(1.5 + 0.01 * temp + rng.normal(0, 0.05, N), 5)
    pumps = (offset / 5).astype(int) + 1
    pump_on = flow > 55
    t = sa.Table(
        name,
        sa.MetaData(),
        sa.Column(n["id"], sa.Integer, primary_key=True, autoincrement=False),
        sa.Column(n["ts"], sa.DateTime),
        sa.Column(n["flow"], sa.Float),
        sa.Column(n["temp"], sa.Float),
        sa.Column(n["level"], sa.Float),
        sa.Column(n["pumps"], sa.Integer),
        sa.Column(n["mode"], sa.String(8)),
        sa.Column(n["pump_on"], sa.Boolean),
        sa.Column(n["blob"], sa.LargeBinary),
        *([sa.Column("tag", sa.Text)] if status_tag else []),
    )
    start = datetime(2024, 1, 1)
    rows = []
    for i in range(N):
        rows.append(
            {
                n["id"]: i + 1,
                n["ts"]: start + timedelta(minutes=i),
                n["flow"]: float(flow[i]),
                n["temp"]: float(temp[i]),
                n["level"]: float(level[i]),
                n["pumps"]: int(pumps[i]),
                n["mode"]: str(mode[i]),
                n["pump_on"]: bool(pump_on[i]),
                n["blob"]: bytes([i % 256]) * 3,
            }
        )
    for c in FILL:
        for i in rng.choice(N, N // 10, replace=False):
            rows[i][n[c]] = None
    if blob_null:
        rows[3][n["blob"]] = None
    if status_tag:
        for i in range(N):
            rows[i]["tag"] = None if i % 10 == 5 else "Bad" if i % 25 == 7 else f"{0.1 * flow[i]:.3f}"
    rows += [{**{v: None for v in n.values()}, **r} for r in extra_rows or []]
    with db.engine.begin() as conn:
        t.create(conn)
        conn.execute(sa.insert(t), rows)
    return n


def null_cells(rows: list[tuple], positions: list[int]) -> int:
    return sum(r[p] is None for r in rows for p in positions)


def check_filled(
    db: DB,
    before: list[tuple],
    after: list[tuple],
    report: ImputeReport,
    names: dict | None = None,
    table: str = "readings",
):
    """Observed cells unchanged, NULLs filled (bar what the report left missing), with the column's type; audit
    rows = cells filled = report.n_filled."""
    names = names or {c: c for c in ["id", "ts", *FILL, "blob"]}
    cols = db.columns(table)
    fill = [*FILL, "tag"] if "tag" in cols else FILL
    names = {**names, "tag": "tag"} if "tag" in cols else names
    pos = {c: cols.index(names[c]) for c in names}
    assert len(before) == len(after) == N
    n_null = null_cells(before, [pos[c] for c in fill])
    assert report.n_null_cells == n_null > 0
    assert report.null_cells == {names[c]: null_cells(before, [pos[c]]) for c in fill}
    changed = 0
    for b, a in zip(before, after):
        for j, (vb, va) in enumerate(zip(b, a)):
            if vb is not None:
                assert va == vb, f"observed cell changed: column {cols[j]!r}, row {b[0]}: {vb!r} -> {va!r}"
            elif va is not None:
                changed += 1
    assert changed == report.n_filled == n_null - report.n_left_missing
    assert null_cells(after, [pos[c] for c in fill]) == report.n_left_missing
    audit = db.audit(report.run_id)
    assert len(audit) == report.n_filled == len(report.changes)
    assert {(int(r["key_value"]), r["column_name"]) for r in audit} == {
        (k, c) for k, c in zip(report.changes["key"], report.changes["column"])
    }
    for b, a in zip(before, after):
        if b[pos["pumps"]] is None and a[pos["pumps"]] is not None:
            assert type(a[pos["pumps"]]) is int
        if b[pos["mode"]] is None and a[pos["mode"]] is not None:
            assert a[pos["mode"]] in MODES
        if b[pos["pump_on"]] is None and a[pos["pump_on"]] is not None:
            assert type(a[pos["pump_on"]]) is bool
        if b[pos["flow"]] is None and a[pos["flow"]] is not None:
            assert isinstance(a[pos["flow"]], float)
    stored = {(int(r["key_value"]), r["column_name"]): r["value"] for r in audit}
    by_key = {a[0]: a for a in after}
    for (k, c), text in stored.items():
        v = by_key[k][cols.index(c)]
        assert text == (repr(v) if isinstance(v, float) else str(v))


# ---------------------------------------------------------------------------------------------- fill, undo
def test_fill_audit_and_undo(db):
    make_readings(db)
    before = db.rows()
    report = impute_table(db.url, table="readings", key="id", imputer=MeanMode(), verbose=False)
    assert isinstance(report, ImputeReport) and not report.dry_run and report.n_left_missing == 0
    assert report.model == "MeanMode(leave=0)"
    after = db.rows()
    check_filled(db, before, after, report)
    audit = db.audit(report.run_id)
    assert all(
        r["table_name"] == "readings"
        and r["model"] == "MeanMode(leave=0)"
        and r["undone_at"] is None
        and len(r["run_id"]) == 32
        for r in audit
    )
    assert "filled" in str(report) and report.run_id in str(report)

    undo = undo_run(db.url, report.run_id)
    assert isinstance(undo, UndoReport)
    assert (undo.n_restored, undo.n_conflicts, undo.n_already_null) == (report.n_filled, 0, 0)
    assert db.rows() == before  # exactly the original, NULLs included
    assert all(r["undone_at"] is not None for r in db.audit(report.run_id))
    with pytest.raises(DatabaseError, match="already undone"):
        undo_run(db.url, report.run_id)
    assert db.rows() == before


def test_undo_leaves_cells_changed_since_and_reports_them(db):
    make_readings(db)
    before = db.rows()
    report = impute_table(db.url, "readings", "id", imputer=MeanMode(), verbose=False)
    k, k2 = report.changes[report.changes["column"] == "temp"]["key"].iloc[:2]
    t = sa.Table("readings", sa.MetaData(), autoload_with=db.engine)
    db.execute(sa.update(t).where(t.c.id == k).values(temp=-1.25))  # an operator corrects one filled cell
    db.execute(sa.update(t).where(t.c.id == k2).values(temp=None))  # and clears another
    undo = undo_run(db.engine, report.run_id)
    assert undo.n_conflicts == 1 and undo.n_already_null == 1 and undo.n_restored == report.n_filled - 2
    assert undo.conflicts[0]["key"] == str(k) and undo.conflicts[0]["column"] == "temp"
    assert undo.conflicts[0]["current"] == "-1.25"
    assert "left alone" in str(undo)
    temp = db.columns().index("temp")
    expected = [tuple(-1.25 if (j == temp and r[0] == k) else v for j, v in enumerate(r)) for r in before]
    assert db.rows() == expected


def test_unknown_run_lists_recent_runs(db):
    make_readings(db)
    with pytest.raises(DatabaseError, match="no audit table"):
        undo_run(db.url, "0" * 32)
    report = impute_table(db.url, "readings", "id", imputer=MeanMode(), columns=["flow"], verbose=False)
    with pytest.raises(DatabaseError, match=f"no run '{'0' * 32}'.*recent runs: {report.run_id}"):
        undo_run(db.url, "0" * 32)


def test_left_missing_and_columns(db):
    make_readings(db)
    before = db.rows()
    report = impute_table(db.url, "readings", "id", imputer=MeanMode(leave=2), verbose=False)
    assert report.n_left_missing == 2 * len(FILL) and report.left_missing == {c: 2 for c in FILL}
    check_filled(db, before, db.rows(), report)
    # columns=: only those are filled, the others keep their NULLs
    report2 = impute_table(db.url, "readings", "id", imputer=MeanMode(), columns=["pumps"], verbose=False)
    assert report2.n_filled == report2.n_null_cells == 2 and set(report2.changes["column"]) == {"pumps"}
    assert null_cells(db.rows(), [db.columns().index(c) for c in FILL if c != "pumps"]) == 2 * (len(FILL) - 1)
    assert null_cells(db.rows(), [db.columns().index("pumps")]) == 0
    # nothing left to fill in pumps: no run, no audit rows
    report3 = impute_table(db.url, "readings", "id", imputer=MeanMode(), columns=["pumps"], verbose=False)
    assert report3.n_null_cells == report3.n_filled == 0 and db.audit(report3.run_id) == []


class FillsMeanwhile(MeanMode):
    """While the model runs, another session fills one of the NULL cells."""

    def __init__(self, url: str, key: int, column: str, value):
        super().__init__()
        self.url, self.key, self.column, self.value = url, key, column, value

    def transform(self, X):
        engine = sa.create_engine(self.url)
        t = sa.Table("readings", sa.MetaData(), autoload_with=engine)
        with engine.begin() as conn:
            conn.execute(sa.update(t).where(t.c.id == self.key).values({self.column: self.value}))
        engine.dispose()
        return super().transform(X)


def test_cells_filled_meanwhile_are_left_alone(db):
    make_readings(db)
    before = db.rows()
    flow = db.columns().index("flow")
    k = next(r[0] for r in before if r[flow] is None)
    report = impute_table(db.url, "readings", "id", imputer=FillsMeanwhile(db.url, k, "flow", 42.5), verbose=False)
    assert report.n_skipped == 1 and report.n_filled == report.n_null_cells - 1 == len(db.audit(report.run_id))
    assert (k, "flow") not in set(zip(report.changes["key"], report.changes["column"]))
    assert next(r[flow] for r in db.rows() if r[0] == k) == 42.5
    assert "skipped 1" in str(report)
    undo_run(db.url, report.run_id)
    assert [r for r in db.rows() if r[0] != k] == [r for r in before if r[0] != k]


def test_fitted_imputer_is_only_applied(db):
    make_readings(db)
    imp = MeanMode()
    impute_table(db.url, "readings", "id", imputer=imp, columns=["flow"], verbose=False)
    assert imp.fit_calls == 1
    make_readings(db, name="readings2", seed=1)
    impute_table(db.url, "readings2", "id", imputer=imp, columns=["flow"], verbose=False)
    assert imp.fit_calls == 1  # already fitted: transform only


def test_dry_run_writes_nothing(db):
    make_readings(db)
    snap = db.snapshot()
    report = impute_table(db.url, "readings", "id", imputer=MeanMode(), dry_run=True, verbose=False)
    assert report.dry_run and report.n_filled == report.n_null_cells == len(report.changes) > 0
    assert set(report.changes["column"]) == set(FILL)
    assert "dry run" in str(report) and "nothing was written" in str(report)
    assert db.snapshot() == snap
    assert "indgan_audit" not in db.tables()


# ---------------------------------------------------------------------------------------------- refusals
@pytest.mark.parametrize(
    "case",
    [
        "missing table",
        "missing key",
        "duplicate key",
        "null key",
        "blob with nulls",
        "unknown column",
        "key in columns",
    ],
)
def test_refused_before_writing(db, case):
    extra = []
    if case == "duplicate key":  # two more rows at the first row's time: "ts" is not unique
        extra = [{"id": 1000 + i, "ts": datetime(2024, 1, 1), "flow": 1.0, "mode": "A"} for i in range(2)]
    make_readings(db, blob_null=case == "blob with nulls", extra_rows=extra)
    snap = db.snapshot()
    kwargs = dict(table="readings", key="id", imputer=MeanMode(), verbose=False)
    over, pattern = {
        "missing table": (dict(table="reading"), r"no table 'reading' in .*its tables: 'readings'"),
        "missing key": (dict(key="ident"), r"table 'readings' has no key column 'ident'; its columns: 'id', 'ts'"),
        "duplicate key": (
            dict(key="ts"),
            r"key column 'ts' of table 'readings' is not unique: the value "
            r"datetime.datetime\(2024, 1, 1, 0, 0\) is in 3 rows",
        ),
        "null key": (dict(key="pumps"), r"key column 'pumps' of table 'readings' is NULL in 20 row"),
        "blob with nulls": (
            {},
            r"column 'blob' of table 'readings' has 1 NULL cell\(s\) but is of type .*"
            r"leave it out of the columns to fill: --column flow .*\(columns=\['flow'",
        ),
        "unknown column": (
            dict(columns=["flow", "pressure"]),
            r"column\(s\) \['pressure'\] are not in table 'readings'",
        ),
        "key in columns": (dict(columns=["id", "flow"]), r"names the key column 'id'"),
    }[case]
    kwargs.update(over)
    with pytest.raises(DatabaseError, match=pattern):
        impute_table(db.url, **kwargs)
    assert db.snapshot() == snap
    assert "indgan_audit" not in db.tables()


def test_refused_empty_table_and_bad_audit_table(db):
    md = sa.MetaData()
    sa.Table("empty", md, sa.Column("id", sa.Integer, primary_key=True), sa.Column("x", sa.Float))
    sa.Table("indgan_audit", md, sa.Column("id", sa.Integer, primary_key=True), sa.Column("note", sa.Text))
    md.create_all(db.engine)
    make_readings(db)
    snap = db.snapshot()
    with pytest.raises(DatabaseError, match="table 'empty' is empty"):
        impute_table(db.url, "empty", "id", imputer=MeanMode(), audit_table="audit2", verbose=False)
    with pytest.raises(DatabaseError, match="'indgan_audit' exists but is not an indgan audit table"):
        impute_table(db.url, "readings", "id", imputer=MeanMode(), verbose=False)
    assert db.snapshot() == snap


def test_bad_urls_are_one_clear_line(tmp_path, postgres_url):
    cases = [
        ("plant.db", "is not a database URL"),
        (f"sqlite:///{tmp_path}/nowhere/plant.db", "no SQLite database file"),
        ("nosuchdb://host/db", "unknown database kind 'nosuchdb'"),
        (
            "postgresql+psycopg://indgan:secret@127.0.0.1:1/plant",
            r"cannot connect to postgresql\+psycopg://indgan:\*\*\*@127.0.0.1:1/plant: .*Check the host",
        ),
    ]
    for url, pattern in cases:
        with pytest.raises(DatabaseError, match=pattern) as info:
            impute_table(url, "readings", "id", imputer=MeanMode(), verbose=False)
        msg = str(info.value)
        assert "\n" not in msg and "sqlalche.me" not in msg and "secret" not in msg
        assert isinstance(info.value, DataError) and isinstance(info.value, IndganError)
        assert info.value.__cause__ is None
    assert not (tmp_path / "nowhere").exists()
    with pytest.raises(DatabaseError, match="no table 'readings'"):  # a server that answers, a table it lacks
        impute_table(postgres_url, "readings", "id", imputer=MeanMode(), verbose=False)


# ---------------------------------------------------------------------------------------------- atomicity
def test_failure_half_way_leaves_the_table_unchanged(db, monkeypatch):
    make_readings(db)
    snap = db.snapshot()
    calls = []

    def crash(column):
        calls.append(column)
        with db.engine.connect() as other:  # another session: sees nothing of the run yet
            t = sa.Table("readings", sa.MetaData(), autoload_with=other)
            assert other.execute(sa.select(sa.func.count()).where(t.c[column].is_(None))).scalar() == N // 10
        raise RuntimeError("power cut")

    monkeypatch.setattr(database, "_after_column_write", crash)
    with pytest.raises(RuntimeError, match="power cut"):
        impute_table(db.url, "readings", "id", imputer=MeanMode(), verbose=False)
    assert calls == ["flow"]  # the audit table, the first column's UPDATE and audit rows, then the failure
    assert db.snapshot() == snap
    assert db.audit() == []
    assert "indgan_audit" not in db.tables()  # its CREATE TABLE was rolled back too


# ---------------------------------------------------------------------------------------------- names, schemas
def test_names_that_need_quoting(db):
    names = {"id": "row id", "temp": 'temp "C"', "mode": "order", "pumps": "select", "flow": "Flow Rate"}
    make_readings(db, name="plant readings", names=names)
    before = db.rows("plant readings", "row id")
    report = impute_table(db.url, table="plant readings", key="row id", imputer=MeanMode(), verbose=False)
    all_names = {**{c: c for c in ["ts", *FILL, "blob"]}, **names}
    check_filled(db, before, db.rows("plant readings", "row id"), report, names=all_names, table="plant readings")
    assert set(report.changes["column"]) == {'temp "C"', "order", "select", "Flow Rate", "level", "pump_on"}
    undo = undo_run(db.url, report.run_id)
    assert undo.n_restored == report.n_filled and undo.n_conflicts == 0
    assert db.rows("plant readings", "row id") == before


def test_db_schema(postgres_url, tmp_path):
    """A table in a named PostgreSQL schema, reached from a connection whose default schema is another."""
    base = sa.create_engine(postgres_url)
    schema = f"plant_{uuid.uuid4().hex[:8]}"
    try:
        with base.begin() as conn:
            conn.execute(sa.schema.CreateSchema(schema))
        url = sa.make_url(postgres_url).update_query_dict({"options": f"-csearch_path={schema}"})
        inner = DB("postgresql", url.render_as_string(hide_password=False), sa.create_engine(url), schema=schema)
        make_readings(inner)
        before = inner.rows()
        report = impute_table(base, "readings", "id", imputer=MeanMode(), db_schema=schema, verbose=False)
        check_filled(inner, before, inner.rows(), report)  # the audit table is in that schema too
        undo_run(base, report.run_id, db_schema=schema)
        assert inner.rows() == before
        with pytest.raises(DatabaseError, match="no schema 'nowhere'"):
            impute_table(base, "readings", "id", imputer=MeanMode(), db_schema="nowhere", verbose=False)
        inner.engine.dispose()
    finally:
        with base.begin() as conn:
            conn.execute(sa.schema.DropSchema(schema, cascade=True))
        base.dispose()


class Fixed(MeanMode):
    """Fills every missing cell of a column with one given value (whatever its type)."""

    def __init__(self, values: dict):
        super().__init__()
        self.values = values

    def transform(self, X):
        out = X.astype(object)
        for c, v in self.values.items():
            out.loc[out[c].isna(), c] = v
        return out


def test_values_take_the_column_type(db):
    """Numbers become the column's type (rounded to an integer, to NUMERIC's scale, stored as REAL); a number for
    a text column of integers is written as an integer; a value the column cannot hold is left NULL. Undo
    compares what is stored, so a REAL's rounding is no conflict."""
    md = sa.MetaData()
    grade = sa.Enum("A", "B", "C", name=f"grade_{uuid.uuid4().hex[:6]}")
    t = sa.Table(
        "kinds",
        md,
        sa.Column("id", sa.String(10), primary_key=True),
        sa.Column("price", sa.Numeric(8, 2)),
        sa.Column("ratio", sa.REAL),
        sa.Column("small", sa.SmallInteger),
        sa.Column("grade", grade),
        sa.Column("code", sa.String(6)),
        sa.Column("tag", sa.Text),
        sa.Column("short", sa.String(4)),
        sa.Column("flag", sa.Boolean),
    )
    md.create_all(db.engine)
    rows = [
        dict(
            id=f"k{i:02d}",
            price=Decimal("1.25") * i,
            ratio=0.5 * i,
            small=i,
            grade="ABC"[i % 3],
            code=str(10 + i),
            tag=["1.5", "Bad", "2.25"][i % 3],
            short="ab",
            flag=i % 2 == 0,
        )
        for i in range(12)
    ]
    for i, c in enumerate(["price", "ratio", "small", "grade", "code", "tag", "short", "flag"]):
        rows[i][c] = None
        rows[i + 4][c] = None
    db.execute(sa.insert(t), rows)
    before = db.rows("kinds")
    imp = Fixed(
        {
            "price": 12.345,
            "ratio": 0.123456789,
            "small": 2.6,
            "grade": "D",
            "code": 7.0,
            "tag": 1.75,
            "short": "toolong",
            "flag": 1.0,
        }
    )
    report = impute_table(db.url, "kinds", "id", imputer=imp, verbose=False)
    enum = db.kind == "postgresql"  # SQLite has no enum type: the column is a VARCHAR(1) there
    n = 12 if enum else 14
    assert (
        report.n_null_cells == 16
        and report.n_filled == n
        and report.left_missing
        == {"price": 0, "ratio": 0, "small": 0, "grade": 2 if enum else 0, "code": 0, "tag": 0, "short": 2, "flag": 0}
    )
    got = {r[0]: dict(zip(db.columns("kinds"), r)) for r in db.rows("kinds")}
    assert got["k00"]["price"] == Decimal("12.35")  # NUMERIC(8, 2): rounded to 2 decimals
    assert got["k01"]["ratio"] == (0.12345679 if enum else 0.123456789)  # PostgreSQL's REAL has 24 bits
    assert got["k02"]["small"] == 3 and type(got["k02"]["small"]) is int
    assert got["k03"]["grade"] == got["k07"]["grade"] == (None if enum else "D")  # "D" is no label of the enum
    assert got["k04"]["code"] == "7" and got["k04"]["price"] is not None
    assert got["k05"]["tag"] == "1.75"
    assert got["k06"]["short"] is None  # longer than VARCHAR(4)
    assert got["k07"]["flag"] is True
    assert len(db.audit(report.run_id)) == n
    undo = undo_run(db.url, report.run_id)
    assert undo.n_restored == n and undo.n_conflicts == 0
    assert db.rows("kinds") == before


# ---------------------------------------------------------------------------------------------- the real imputer
def test_gan_imputer_round_trip(db):
    make_readings(db, status_tag=True)
    before = db.rows()
    imputer = GANImputer(iterations=30, random_state=0, verbose=False)
    report = impute_table(db.url, "readings", "id", imputer=imputer, verbose=False)
    check_is_fitted(imputer)
    assert database._is_fitted(imputer) and not database._is_fitted(GANImputer())
    assert report.model.startswith("GANImputer(") and len(report.model) <= 200
    after = db.rows()
    check_filled(db, before, after, report)
    assert report.n_filled > 0
    tag = db.columns().index("tag")
    filled_tags = [a[tag] for b, a in zip(before, after) if b[tag] is None and a[tag] is not None]
    assert len(filled_tags) == 20 and all(40 < float(v) * 10 < 70 for v in filled_tags)  # numbers, as text
    assert sum(a[tag] == "Bad" for a in after) == sum(b[tag] == "Bad" for b in before) > 0  # statuses kept
    undo = undo_run(db.url, report.run_id)
    assert undo.n_restored == report.n_filled and undo.n_conflicts == 0
    assert db.rows() == before


def test_the_adapter_needs_an_imputer_and_the_app_gives_the_default(tmp_path, monkeypatch):
    """indgan.adapters.sql chooses no model: its impute_table without an imputer is a TypeError, before the URL is
    even opened; indgan.impute_table (indgan.app.database) gives GANImputer(random_state=..., verbose=...)."""
    import indgan
    import indgan.adapters.sql as adapter
    import indgan.app.database as app

    with pytest.raises(TypeError, match="needs an imputer"):
        adapter.impute_table(f"sqlite:///{tmp_path / 'nowhere.db'}", "readings", "id")
    assert not (tmp_path / "nowhere.db").exists()
    assert indgan.impute_table is app.impute_table and indgan.undo_run is adapter.undo_run
    given = []
    monkeypatch.setattr(app, "_impute_table", lambda url, **kwargs: given.append(kwargs) or "report")
    assert app.impute_table("sqlite:///p.db", "t", "k", random_state=3, verbose=False) == "report"
    (kwargs,) = given
    imputer = kwargs.pop("imputer")
    assert isinstance(imputer, GANImputer) and imputer.random_state == 3 and imputer.verbose is False
    assert kwargs == dict(table="t", key="k", columns=None, dry_run=False, db_schema=None, audit_table="indgan_audit")
    app.impute_table("sqlite:///p.db", imputer=(mine := MeanMode()))
    assert given[-1]["imputer"] is mine


# ---------------------------------------------------------------------------------------------- write check
class MustNotFit(MeanMode):
    """Fails the test if the run reads the table for the imputer: a run that cannot write is refused before."""

    def fit(self, X, y=None):
        raise AssertionError("the imputer was fitted: the write check came too late")

    transform = fit


def one_line(exc: BaseException, url: str, table: str = "readings") -> str:
    msg = str(exc)
    assert "\n" not in msg and "sqlalche.me" not in msg and "secret" not in msg
    assert url in msg and f"table {table!r}" in msg and "nothing was fitted or written" in msg
    return msg


@pytest.fixture
def sqlite_db(tmp_path):
    path = tmp_path / "plant.db"
    engine = sa.create_engine(f"sqlite:///{path}")
    db = DB("sqlite", f"sqlite:///{path}", engine, path=path)
    make_readings(db)
    yield db
    engine.dispose()


@pytest.mark.parametrize("case", ["read-only URI", "BEGIN IMMEDIATE", "BEGIN EXCLUSIVE"])
def test_sqlite_that_cannot_be_written_is_refused_before_fitting(sqlite_db, case):
    """A read-only database (mode=ro, which binds root too, unlike file permissions) or one locked by another
    writer is refused in about the busy timeout, before the imputer is fitted, in one line naming the URL and table;
    a dry run of the read-only database works (it writes nothing)."""
    import sqlite3
    from time import perf_counter

    db = sqlite_db
    snap = db.snapshot()
    path = db.path
    other = None
    if case == "read-only URI":
        url, pattern = f"sqlite:///file:{path}?mode=ro&uri=true", "the database is read-only .*--dry-run"
    else:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute(case)
        url, pattern = f"{db.url}?timeout=0.5", r"locked by another connection \(database is locked; waited 0\.\d s\)"
    try:
        start = perf_counter()
        with pytest.raises(DatabaseError, match=pattern) as info:
            impute_table(url, "readings", "id", imputer=MustNotFit(), verbose=False)
        assert perf_counter() - start < 3
        one_line(info.value, sa.make_url(url).render_as_string(hide_password=True))
        if other is None:  # a dry run needs no write access
            report = impute_table(url, "readings", "id", imputer=MeanMode(), dry_run=True, verbose=False)
            assert report.dry_run and report.n_filled == report.n_null_cells > 0
    finally:
        if other is not None:
            other.execute("ROLLBACK")
            other.close()
        path.chmod(0o644)
    assert db.snapshot() == snap
    # once writable, the same run works (the check refuses nothing that can be written)
    report = impute_table(db.url, "readings", "id", imputer=MeanMode(), verbose=False)
    assert report.n_filled == report.n_null_cells > 0 and len(db.audit(report.run_id)) == report.n_filled


@pytest.mark.parametrize("lock", ["BEGIN IMMEDIATE", "BEGIN EXCLUSIVE"])
def test_sqlite_lock_wait_is_capped(sqlite_db, monkeypatch, lock):
    """A connection with a long busy timeout does not hang the check: it waits at most _PROBE_BUSY_MS (for an
    exclusive lock, which stops readers too, from the check's first read)."""
    import sqlite3
    from time import perf_counter

    monkeypatch.setattr(database, "_PROBE_BUSY_MS", 300)
    other = sqlite3.connect(sqlite_db.path, isolation_level=None)
    other.execute(lock)
    try:
        start = perf_counter()
        with pytest.raises(DatabaseError, match="locked by another connection"):
            impute_table(f"{sqlite_db.url}?timeout=600", "readings", "id", imputer=MustNotFit(), verbose=False)
        assert perf_counter() - start < 3
    finally:
        other.execute("ROLLBACK")
        other.close()
    # the engine's connections keep their own timeout afterwards
    engine = sa.create_engine(f"{sqlite_db.url}?timeout=600")
    with pytest.raises(DatabaseError, match="no table"):
        impute_table(engine, "nope", "id", imputer=MustNotFit(), verbose=False)
    impute_table(engine, "readings", "id", imputer=MeanMode(), columns=["flow"], verbose=False)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 600_000
    engine.dispose()


def test_sqlite_audit_table_that_cannot_be_made_is_refused_before_fitting(sqlite_db):
    db = sqlite_db
    snap = db.snapshot()
    pattern = "writing to the audit table 'sqlite_audit' fails .*reserved for internal use"
    with pytest.raises(DatabaseError, match=pattern) as info:
        impute_table(db.url, "readings", "id", imputer=MustNotFit(), audit_table="sqlite_audit", verbose=False)
    one_line(info.value, db.url)
    assert db.snapshot() == snap


def test_no_null_cells_needs_no_write_access(sqlite_db):
    """Nothing to fill: the run says so, even on a read-only database (the check is skipped: nothing is written)."""
    url = f"sqlite:///file:{sqlite_db.path}?mode=ro&uri=true"
    report = impute_table(url, "readings", "id", imputer=MustNotFit(), columns=["ts"], verbose=False)
    assert report.n_null_cells == report.n_filled == 0


def test_cli_refuses_a_read_only_database_before_training(sqlite_db, monkeypatch):
    """indgan impute --db on a read-only database: one line, exit status 1, no training (GANImputer's fit fails
    the test if called), the table untouched; --dry-run still works there."""
    from click.testing import CliRunner

    from indgan.cli import cli
    from indgan.imputation import GANImputer as Imputer

    def no_fit(self, *args, **kwargs):
        raise AssertionError("the imputer was fitted: the write check came too late")

    snap = sqlite_db.snapshot()
    url = f"sqlite:///file:{sqlite_db.path}?mode=ro&uri=true"
    with monkeypatch.context() as m:
        m.setattr(Imputer, "fit", no_fit)
        m.setattr(Imputer, "fit_transform", no_fit)
        res = CliRunner().invoke(
            cli, ["impute", "--db", url, "--table", "readings", "--key", "id", "--iterations", "100000"]
        )
    assert res.exit_code == 1, res.output
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "read-only" in lines[0], res.output
    assert "table 'readings'" in lines[0] and "--dry-run" in lines[0]
    res = CliRunner().invoke(
        cli, ["impute", "--db", url, "--table", "readings", "--key", "id", "--dry-run", "--iterations", "5", "-q"]
    )
    assert res.exit_code == 0 and "nothing was written" in res.output, res.output
    assert sqlite_db.snapshot() == snap


def test_postgres_privileges_and_read_only_are_refused_before_fitting(postgres_url, monkeypatch):
    """PostgreSQL: a role without UPDATE on the table, then without CREATE on the schema (for the audit table), a
    read-only transaction, and a table locked by another session are each refused in one line before fitting;
    with the privileges granted the same run fills the table."""
    from time import perf_counter

    admin = sa.create_engine(postgres_url)
    schema, role = f"w_{uuid.uuid4().hex[:10]}", f"r_{uuid.uuid4().hex[:10]}"
    with admin.begin() as conn:
        conn.execute(sa.schema.CreateSchema(schema))
        conn.exec_driver_sql(f'CREATE ROLE "{role}" LOGIN')
        conn.exec_driver_sql(f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"')
    base = sa.make_url(postgres_url).update_query_dict({"options": f"-csearch_path={schema}"})
    owner = DB("postgresql", base.render_as_string(hide_password=False), sa.create_engine(base), schema=schema)
    user = base.set(username=role, password="secret")
    user_url = user.render_as_string(hide_password=False)
    shown = user.render_as_string(hide_password=True)
    try:
        make_readings(owner)
        snap = owner.snapshot()

        def refused(pattern, url=user_url, shown=shown):
            with pytest.raises(DatabaseError, match=pattern) as info:
                impute_table(url, "readings", "id", imputer=MustNotFit(), verbose=False)
            assert info.value.__cause__ is None
            return one_line(info.value, shown)

        owner.execute(sa.text(f'GRANT SELECT ON readings TO "{role}"'))
        msg = refused(f"'{role}' may not update it .*permission denied for table readings")
        assert f"GRANT SELECT, UPDATE ON {schema}.readings TO {role}" in msg
        report = impute_table(user_url, "readings", "id", imputer=MeanMode(), dry_run=True, verbose=False)
        assert report.n_filled == report.n_null_cells > 0  # a dry run needs SELECT only
        owner.execute(sa.text(f'GRANT UPDATE ON readings TO "{role}"'))
        msg = refused(f"may not create or write the audit table 'indgan_audit' .*permission denied for schema {schema}")
        assert f"GRANT CREATE ON SCHEMA {schema} TO {role}" in msg
        assert owner.snapshot() == snap and "indgan_audit" not in owner.tables()
        owner.execute(sa.text(f'GRANT CREATE ON SCHEMA "{schema}" TO "{role}"'))
        # a read-only session (a standby, default_transaction_read_only): refused; the dry run works
        ro = sa.make_url(user_url).update_query_dict(
            {"options": f"-csearch_path={schema} -cdefault_transaction_read_only=on"}
        )
        refused(
            "the database is read-only .*read-only transaction",
            ro.render_as_string(hide_password=False),
            ro.render_as_string(hide_password=True),
        )
        impute_table(
            ro.render_as_string(hide_password=False), "readings", "id", imputer=MeanMode(), dry_run=True, verbose=False
        )
        # a table locked by another session: refused after lock_timeout, not waited on
        monkeypatch.setattr(database, "_PROBE_LOCK_TIMEOUT", "300ms")
        with owner.engine.connect() as other:
            other.exec_driver_sql("BEGIN")
            other.exec_driver_sql("LOCK TABLE readings IN EXCLUSIVE MODE")
            start = perf_counter()
            refused("locked by another connection .*lock timeout")
            assert perf_counter() - start < 3
            other.rollback()
        assert owner.snapshot() == snap and "indgan_audit" not in owner.tables()
        # every privilege the write needs: the run fills the table, and the role can undo it
        before = owner.rows()
        report = impute_table(user_url, "readings", "id", imputer=MeanMode(), verbose=False)
        check_filled(owner, before, owner.rows(), report)
        undo_run(user_url, report.run_id)
        assert owner.rows() == before
    finally:
        owner.engine.dispose()
        with admin.begin() as conn:
            conn.execute(sa.schema.DropSchema(schema, cascade=True))
            conn.exec_driver_sql(f'DROP OWNED BY "{role}"')
            conn.exec_driver_sql(f'DROP ROLE "{role}"')
        admin.dispose()
