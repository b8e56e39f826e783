"""indgan.adapters.sql.tables: database tables as sources (read_sql) and sinks (write_sql), on SQLite and a real
PostgreSQL (the session fixture ``postgres_url`` of conftest.py, one schema per test through test_database's ``db``
fixture)."""

from __future__ import annotations

import logging
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

import indgan.adapters.sql.tables as tables
from indgan.adapters.sql import DatabaseError, is_database_url, read_sql, write_sql
from indgan.errors import DataError

from . import test_database
from .test_database import DB

db = test_database.db  # the SQLite / PostgreSQL fixture (one PostgreSQL schema per test)

PLANT = Path(__file__).resolve().parents[1] / "examples" / "data" / "plant_logs.parquet"
N = 60


# ---------------------------------------------------------------------------------------------- helpers
def readings_frame(n: int = N, seed: int = 0) -> pd.DataFrame:
    """What ``make_readings`` stores, as read_sql returns it (ordered by ts): every kind of column, some NULLs."""
    rng = np.random.default_rng(seed)
    n, rows = max(n, N), n
    flow = rng.normal(50, 1, n).round(4)
    flow[[3, 17]] = np.nan
    level = rng.integers(0, 9, n).astype(float)
    level[[4, 40]] = np.nan
    mode = rng.choice(["A", "B", "C"], n).astype(object)
    mode[5] = None
    status = np.array([f"{x:.3f}" for x in rng.normal(size=n)], dtype=object)
    status[[7, 30]] = "Bad"
    price = np.array([float(f"{v:.3f}") for v in rng.uniform(0, 100, n)])
    price[9] = np.nan
    return pd.DataFrame(
        {
            "id": np.arange(1, n + 1, dtype=np.int64),
            "ts": pd.date_range("2024-01-01", periods=n, freq="min"),
            "flow": flow,
            "pumps": rng.integers(1, 4, n).astype(np.int64),
            "level": level,
            "mode": mode,
            "status": status,
            "pump_on": flow > 50,
            "price": price,
        }
    ).iloc[:rows]


def make_readings(db: DB, name: str = "readings", shuffle: bool = True) -> pd.DataFrame:
    """The table ``name`` created with SQLAlchemy itself (not write_sql), rows inserted out of time order."""
    df = readings_frame()
    t = sa.Table(
        name,
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("ts", sa.DateTime),
        sa.Column("flow", sa.Float),
        sa.Column("pumps", sa.Integer),
        sa.Column("level", sa.Integer),
        sa.Column("mode", sa.String(8)),
        sa.Column("status", sa.Text),
        sa.Column("pump_on", sa.Boolean),
        sa.Column("price", sa.Numeric(10, 3)),  # Decimal on PostgreSQL: read as float64
    )
    rows = df.astype(object).where(df.notna(), None).to_dict("records")
    for r in rows:
        r["ts"] = r["ts"].to_pydatetime()
        r["level"] = None if r["level"] is None else int(r["level"])
        r["price"] = None if r["price"] is None else Decimal(f"{r['price']:.3f}")
    if shuffle:
        rows = [rows[i] for i in np.random.default_rng(1).permutation(len(rows))]
    with db.engine.begin() as conn:
        t.create(conn)
        conn.execute(sa.insert(t), rows)
    return df


def count(db: DB, table: str) -> int:
    with db.engine.connect() as conn:
        return conn.execute(sa.text(f'SELECT count(*) FROM "{table}"')).scalar()


def one_line(exc: pytest.ExceptionInfo) -> str:
    msg = str(exc.value)
    assert "\n" not in msg and "sqlalche.me" not in msg
    assert exc.value.__cause__ is None
    return msg


# ---------------------------------------------------------------------------------------------- URLs
@pytest.mark.parametrize(
    "text, expected",
    [
        ("sqlite:///plant.db", True),
        ("sqlite:////abs/plant.db", True),
        ("sqlite://", True),
        ("postgresql://user:pw@host:5432/plant", True),
        ("postgresql+psycopg://user@host/plant?sslmode=require", True),
        ("mysql+pymysql://user@host/plant", True),
        ("duckdb:///plant.duckdb", True),
        ("plant.parquet", False),
        ("data/plant logs.csv", False),
        ("/abs/path/plant.parquet", False),
        ("C:\\data\\plant.csv", False),
        ("C://data/plant.csv", False),
        ("file:///data/plant.parquet", False),
        ("s3://bucket/plant.parquet", False),
        ("https://example.com/plant.csv", False),
        ("", False),
        (Path("sqlite:/x"), False),
        (None, False),
        (sa.make_url("sqlite:///plant.db"), True),
    ],
)
def test_is_database_url(text, expected):
    assert is_database_url(text) is expected


# ---------------------------------------------------------------------------------------------- reading
def test_read_table_dtypes_order_and_nulls(db):
    expected = make_readings(db)
    df = read_sql(db.url, "readings")
    # ordered by the time column although inserted shuffled; NULL integers -> float64, text NULL -> None
    pd.testing.assert_frame_equal(df, expected)
    assert df["mode"].iloc[5] is None and df["status"].iloc[7] == "Bad"
    assert df.attrs["source"].endswith("table 'readings'") and df.attrs["n_rows_total"] == N
    assert "column_stats" not in df.attrs  # nothing skipped


def test_read_where_columns_query(db):
    expected = make_readings(db)
    # the user's SQL, colons and percent signs as written
    df = read_sql(db.url, "readings", where="ts >= '2024-01-01 00:30:00' AND status NOT LIKE 'B%'")
    want = expected[(expected.ts >= "2024-01-01 00:30:00") & (expected.status != "Bad")].reset_index(drop=True)
    pd.testing.assert_frame_equal(df, want)

    df = read_sql(db.url, "readings", columns=["status", "ts", "flow"], where="pumps = 2")
    assert list(df.columns) == ["status", "ts", "flow"]
    pd.testing.assert_frame_equal(
        df, expected.loc[expected.pumps == 2, ["status", "ts", "flow"]].reset_index(drop=True)
    )

    q = read_sql(db.url, query="SELECT ts, flow, mode FROM readings WHERE mode = 'A' ORDER BY ts", chunk_rows=4)
    want = expected.loc[expected["mode"] == "A", ["ts", "flow", "mode"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(q, want)  # a query: dtypes from the values (SQLite's ISO text -> datetime64)
    q2 = read_sql(db.url, query="SELECT ts, flow, mode FROM readings WHERE mode = 'A' ORDER BY ts;\n", columns="flow")
    pd.testing.assert_frame_equal(q2, want[["flow"]])


def test_chunked_read_equals_whole(db):
    make_readings(db)
    whole = read_sql(db.url, "readings", chunk_rows=100_000)
    for rows in (1, 7, N - 1):
        pd.testing.assert_frame_equal(read_sql(db.url, "readings", chunk_rows=rows), whole)
    # a query column that is all NULL in the first chunks and numbers later: one float64 column
    sql = "SELECT id, CASE WHEN id > 20 THEN flow END AS late, CASE WHEN id > 20 THEN ts END AS late_ts FROM readings"
    q = read_sql(db.url, query=sql + " ORDER BY id", chunk_rows=5)
    assert q["late"].dtype == np.float64 and q["late"].iloc[:20].isna().all()
    assert q["late_ts"].dtype == "datetime64[ns]" and q["late_ts"].iloc[:20].isna().all()
    pd.testing.assert_series_equal(q["late"], read_sql(db.url, query=sql + " ORDER BY id")["late"])


def test_max_memory_keeps_the_most_recent_rows(db, caplog):
    expected = make_readings(db)
    whole = read_sql(db.url, "readings")
    per_row = whole.memory_usage(deep=True, index=False).sum() / N + tables._encoding_bytes(5, 8)
    with caplog.at_level(logging.WARNING, logger="indgan.adapters.sql.tables"):
        df = read_sql(db.url, "readings", chunk_rows=7, max_memory=int(per_row * 20))
    assert 10 <= len(df) < N
    tail = expected.iloc[N - len(df) :].reset_index(drop=True)  # the last rows by ts
    tail["level"] = tail["level"].astype(np.int64)  # its NULLs were in the skipped rows: int64
    pd.testing.assert_frame_equal(df, tail)
    assert f"the first {N - len(df)} rows were skipped" in caplog.text and "most recent" in caplog.text
    assert df.attrs["n_rows_total"] == N
    st = df.attrs["column_stats"]["flow"]  # ranges of every row read, not only the kept ones
    assert st["min"] == expected.flow.min() and st["max"] == expected.flow.max() and st["nulls"] == 2
    assert df.attrs["distinct_values"]["mode"] == 3
    with pytest.raises(DataError, match="max-memory"):
        read_sql(db.url, "readings", max_memory="lots")


def test_missing_table_lists_tables(db):
    make_readings(db)
    make_readings(db, "other_table")
    with pytest.raises(DatabaseError) as info:
        read_sql(db.url, "nope")
    msg = one_line(info)
    assert "no table 'nope'" in msg and "'readings'" in msg and "'other_table'" in msg


def test_read_errors_are_one_line(db, tmp_path):
    make_readings(db)
    cases = [
        (dict(table="readings", where="no_such_col > 1"), r"table 'readings' WHERE no_such_col > 1: the WHERE"),
        (dict(table="readings", where="ts >= '2030-01-01'"), r"table 'readings' WHERE .*: no rows"),
        (dict(table="readings", columns=["flow", "nope"]), r"no column\(s\) \['nope'\]; its columns: 'id', 'ts'"),
        (dict(table="readings", query="SELECT 1"), "exactly one of table= .* got both"),
        (dict(), "exactly one of table= .* got neither"),
        (dict(query="SELECT * FROM readings", where="id > 1"), "where= applies to table="),
        (dict(query="SELECT * FROM nowhere"), "query: the query failed: .*nowhere"),
        (dict(query="SELECT id, id FROM readings"), r"duplicate column name\(s\) \['id'\]"),
    ]
    for kwargs, pattern in cases:
        with pytest.raises(DatabaseError, match=pattern) as info:
            read_sql(db.url, **kwargs)
        one_line(info)
    with pytest.raises(DatabaseError, match="no such column|does not exist"):  # the database's own first line
        read_sql(db.url, "readings", where="no_such_col > 1")
    with pytest.raises(DatabaseError, match="is not a database URL"):
        read_sql("plant.parquet", "readings")
    with pytest.raises(DatabaseError, match="reading table 'readings': sqlite:///.*: no SQLite database file"):
        read_sql(f"sqlite:///{tmp_path}/missing.db", "readings")
    assert not (tmp_path / "missing.db").exists()


def test_unreachable_database_hides_the_password():
    with pytest.raises(DatabaseError, match=r"reading table 'readings': cannot connect to .*\*\*\*@127.0.0.1:1") as i:
        read_sql("postgresql+psycopg://indgan:secret@127.0.0.1:1/plant", "readings")
    assert "secret" not in one_line(i)


def test_reads_cannot_write(db):
    make_readings(db)
    for kwargs in (
        dict(query="DELETE FROM readings"),
        dict(table="readings", where="1=1; DROP TABLE readings"),
        dict(table="readings", where="1=1); DELETE FROM readings; --"),
    ):
        with pytest.raises(DatabaseError) as info:
            read_sql(db.url, **kwargs)
        one_line(info)
    assert count(db, "readings") == N
    assert len(read_sql(db.engine, "readings")) == N  # the caller's engine: usable afterwards, not read-only
    db.execute(sa.text("DELETE FROM readings WHERE id = 1"))
    assert count(db, "readings") == N - 1


# ---------------------------------------------------------------------------------------------- writing
def test_write_new_table_types_and_nulls(db):
    df = pd.DataFrame(
        {
            "ts": pd.date_range("2024-03-31 00:00", periods=6, freq="h", tz="Europe/Berlin"),
            "naive": pd.date_range("2024-01-01", periods=6, freq="D"),
            "x": [1.5, np.nan, 3.25, -1e300, 0.0, 2.0],
            "n": np.arange(6, dtype=np.int32),
            "flag": [True, False, True, True, False, False],
            "maybe": pd.Series([True, None, False, None, True, True], dtype=object),
            "tag": ["1.5", "Bad", None, "2", np.nan, "x"],
            "cat": pd.Categorical(["a", "b", "a", "a", "b", "a"]),
        }
    )
    assert write_sql(df, db.url, "synthetic") == 6
    types = {c["name"]: c["type"] for c in sa.inspect(db.engine).get_columns("synthetic")}
    assert isinstance(types["ts"], sa.DateTime) and isinstance(types["naive"], sa.DateTime)
    assert isinstance(types["x"], sa.Float) and isinstance(types["n"], sa.BigInteger)
    assert isinstance(types["flag"], sa.Boolean) and isinstance(types["maybe"], sa.Boolean)
    assert all(isinstance(types[c], sa.Text) for c in ("tag", "cat"))
    back = read_sql(db.url, "synthetic")
    # back: ordered by ts (the first date/time column); tz-aware -> UTC; int32 -> int64; categorical -> object
    utc = df["ts"].dt.tz_convert("UTC")
    if db.kind == "sqlite":  # no time zones in SQLite: UTC wall time, read back naive
        utc = utc.dt.tz_localize(None)
    pd.testing.assert_series_equal(back["ts"], utc)
    pd.testing.assert_series_equal(back["naive"], df["naive"])
    pd.testing.assert_series_equal(back["x"], df["x"])
    assert back["n"].dtype == np.int64 and back["n"].tolist() == list(range(6))
    assert back["flag"].dtype == bool and back["flag"].tolist() == df["flag"].tolist()
    assert back["maybe"].tolist() == [True, None, False, None, True, True]
    assert back["tag"].tolist() == ["1.5", "Bad", None, "2", None, "x"]
    assert back["cat"].tolist() == ["a", "b", "a", "a", "b", "a"]


def test_insert_and_copy_write_alike(db, monkeypatch):
    """PostgreSQL writes with COPY; the INSERT path (other databases) writes the same table."""
    df = readings_frame(25).assign(ts=lambda d: d["ts"].dt.tz_localize("UTC"), n=pd.array([1, None] * 12 + [3]))
    write_sql(df, db.url, "copied")
    monkeypatch.setattr(tables, "_USE_COPY", False)
    write_sql(df, db.url, "inserted")
    pd.testing.assert_frame_equal(read_sql(db.url, "copied"), read_sql(db.url, "inserted"))
    n = read_sql(db.url, "inserted")["n"]  # a nullable Int64 column: BigInteger, read back as float64 with NaN
    assert n.dtype == np.float64 and n.isna().sum() == 12 and n.max() == 3


def test_refuse_existing_table_unless_append(db):
    part = readings_frame(10)
    calls = []

    def parts():
        calls.append(1)
        yield part

    assert write_sql(part, db.url, "synthetic") == 10
    with pytest.raises(DatabaseError, match=r"table 'synthetic'.* already exists; .*append=True") as info:
        write_sql(parts(), db.url, "synthetic")
    one_line(info)
    assert calls == [] and count(db, "synthetic") == 10  # refused before a part was generated
    assert write_sql([part, part.iloc[:3]], db.url, "synthetic", append=True) == 13
    assert count(db, "synthetic") == 23
    back = read_sql(db.url, "synthetic")
    assert len(back) == 23 and back.dtypes.equals(part.dtypes)
    # appending columns the table lacks: refused, nothing added
    with pytest.raises(DatabaseError, match=r"column\(s\) \['extra'\] of the rows are not in the table"):
        write_sql(part.assign(extra=1.0), db.url, "synthetic", append=True)
    assert count(db, "synthetic") == 23
    # append to a table that does not exist: created
    assert write_sql(part, db.url, "fresh", append=True) == 10 and count(db, "fresh") == 10


def test_refuse_protected_table_even_with_append(db):
    make_readings(db)
    before = db.rows("readings")
    for protected in ("readings", ["plant.x", "READINGS"], (f"{db.schema or 'main'}.readings",)):
        for append in (False, True):
            with pytest.raises(DatabaseError, match=r"refusing to write into 'readings', the table the model") as i:
                write_sql(readings_frame(5), db.url, "readings", append=append, protected=protected)
            one_line(i)
    assert db.rows("readings") == before
    # a protected name that does not exist yet is refused too; other names are not
    with pytest.raises(DatabaseError, match="refusing"):
        write_sql(readings_frame(5), db.url, "train", protected=["train"])
    assert "train" not in db.tables()
    assert write_sql(readings_frame(5), db.url, "synthetic_readings", protected=["readings"]) == 5


def _failing_parts(part: pd.DataFrame, good: int, error: type[BaseException] = RuntimeError):
    for _ in range(good):
        yield part
    raise error("sampling crashed")


def test_an_error_mid_stream_leaves_no_table(db):
    part = readings_frame(20)
    for error in (RuntimeError, KeyboardInterrupt):  # Ctrl-C in the middle of sampling too
        with pytest.raises(error, match="sampling crashed"):
            write_sql(_failing_parts(part, 3, error), db.url, "synthetic", chunk_rows=7)
        assert "synthetic" not in db.tables()
    # a part with other columns: refused mid-stream, rolled back
    with pytest.raises(DatabaseError, match="part 1 has columns"):
        write_sql(iter([part, part.drop(columns="flow")]), db.url, "synthetic")
    assert "synthetic" not in db.tables()
    # a value the database refuses (a string into an existing float column): its message, nothing appended
    write_sql(part, db.url, "synthetic")
    bad = part.astype({"flow": object})
    bad.loc[3, "flow"] = "Bad"
    if db.kind == "postgresql":  # SQLite keeps the text in its REAL column: it accepts it
        with pytest.raises(DatabaseError, match="the database refused the write: .*nothing was written") as info:
            write_sql([part, bad], db.url, "synthetic", append=True)
        one_line(info)
    with pytest.raises(RuntimeError):
        write_sql(_failing_parts(part, 2), db.url, "synthetic", append=True)
    assert count(db, "synthetic") == 20


def test_rename_strategy_without_transactional_ddl(db, monkeypatch):
    """Databases whose CREATE TABLE commits at once (MySQL): a temporary table, renamed at the end or dropped."""
    monkeypatch.setattr(tables, "_TRANSACTIONAL_DDL", frozenset())
    part = readings_frame(20)
    before = set(db.tables())
    with pytest.raises(RuntimeError, match="sampling crashed"):
        write_sql(_failing_parts(part, 2), db.url, "synthetic")
    assert set(db.tables()) == before  # neither the table nor its temporary one
    assert write_sql([part, part], db.url, "synthetic") == 40
    assert set(db.tables()) == before | {"synthetic"}
    back = read_sql(db.url, "synthetic", columns=["id", "flow"])
    assert (
        sorted(back["id"]) == sorted(list(part["id"]) * 2)
        and back["flow"].isna().sum() == 2 * part["flow"].isna().sum()
    )
    with pytest.raises(DatabaseError, match="already exists"):
        write_sql(part, db.url, "synthetic")
    assert write_sql(part, db.url, "synthetic", append=True) == 20 and count(db, "synthetic") == 60


def test_new_sqlite_file_is_created_and_removed_on_failure(tmp_path):
    url = f"sqlite:///{tmp_path}/out.db"
    with pytest.raises(RuntimeError):
        write_sql(_failing_parts(readings_frame(5), 1), url, "synthetic")
    assert not (tmp_path / "out.db").exists()
    assert write_sql(readings_frame(5), url, "synthetic") == 5
    assert len(read_sql(url, "synthetic")) == 5
    with pytest.raises(DatabaseError, match="no folder"):
        write_sql(readings_frame(5), f"sqlite:///{tmp_path}/nowhere/out.db", "synthetic")
    with pytest.raises(DatabaseError, match="no rows were given"):
        write_sql(iter([]), url, "empty")


def test_plant_logs_round_trip(db):
    """The first 500 rows of the real plant log: timestamp, 103 float tags, 5 tags of numbers and status strings
    ("Inp OutRange") as text. Nothing normalises here: datetime64[ns] stays, float64 stays (Float is a double on
    both databases), object columns of str come back as object columns of the same str."""
    plant = pd.read_parquet(PLANT).iloc[:500].reset_index(drop=True)
    assert (
        sum(pd.api.types.is_object_dtype(t) for t in plant.dtypes) == 5 and plant["timestamp"].dtype == "datetime64[ns]"
    )
    schema = db.schema or "main"
    assert write_sql(plant, db.url, "plant", db_schema=schema, chunk_rows=128) == 500
    back = read_sql(db.url, "plant", db_schema=schema, chunk_rows=64)
    pd.testing.assert_frame_equal(back, plant)
