"""A narrow historian table in a database filled in place (indgan.adapters.sql.narrow): the filled grid cells are
inserted as rows with indgan's substituted quality, audited, undone by deleting exactly them; SQLite and the tests'
throwaway PostgreSQL (the ``db`` fixture of test_database.py)."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from indgan import GANImputer
from indgan.adapters.historian import IMPUTED_QUALITY, deadband_narrow
from indgan.adapters.sql import DatabaseError, NarrowFillReport, undo_run, write_sql
from indgan.app.database import impute_table
from indgan.cli import cli

from .test_database import MeanMode, db  # noqa: F401  the fixture, parametrised over SQLite and PostgreSQL

TAGS = ["tag0", "tag1", "tag5", "tag6", "tag7"]
OUT = ["tag0", "tag1"]  # silent for 14 hours (an outage of their collector); the others at most 8 h (CompMax)


@pytest.fixture(scope="module")
def narrow(plant) -> pd.DataFrame:
    wide = plant[["timestamp", *TAGS]].iloc[:300].copy()
    rows = deadband_narrow(wide, "timestamp", deadband=0.005, seed=0)
    t0 = rows["timestamp"].min() + pd.Timedelta("6h")
    cut = rows["tag"].isin(OUT) & rows["timestamp"].between(t0, t0 + pd.Timedelta("14h"))
    return rows[~cut].reset_index(drop=True)


def _table(url: str) -> pd.DataFrame:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            df = pd.read_sql(sa.text('SELECT * FROM readings ORDER BY "timestamp", tag, quality'), conn)
    finally:
        engine.dispose()
    df["timestamp"] = pd.to_datetime(df["timestamp"], utc=False)
    return df.sort_values(["timestamp", "tag", "quality"], kind="stable").reset_index(drop=True)


def test_narrow_table_filled_in_place_and_undone(db, narrow):  # noqa: F811
    write_sql(narrow, db.url, "readings")
    before = _table(db.url)
    report = impute_table(db.url, "readings", key=None, imputer=MeanMode(), staleness="9h", verbose=False)
    assert isinstance(report, NarrowFillReport) and not report.dry_run
    after = _table(db.url)
    added = after[after["quality"] == IMPUTED_QUALITY]
    # one row per filled cell, all in the outage's two tags...
    assert report.n_filled == report.n_inserted == len(added) == len(db.audit(report.run_id)) > 60
    assert set(added["tag"]) == set(OUT)
    gap = narrow[narrow["tag"] == OUT[0]]["timestamp"].diff().max()
    assert pd.Timedelta("14h") <= gap and added["timestamp"].max() - added["timestamp"].min() < gap
    # ...on the grid, every stored row untouched
    assert (added["timestamp"].dt.minute % 5 == 0).all()
    kept = after[after["quality"] != IMPUTED_QUALITY].reset_index(drop=True)
    pd.testing.assert_frame_equal(kept, before, check_dtype=False)
    # a second run finds nothing to fill: the substituted rows read back as values
    again = impute_table(db.url, "readings", key=None, imputer=MeanMode(), staleness="9h", verbose=False)
    assert again.n_missing == 0 and again.n_inserted == 0
    # undo deletes exactly the inserted rows
    undone = undo_run(db.url, report.run_id)
    assert undone.n_restored == report.n_inserted and undone.n_conflicts == 0
    assert "inserted row(s) deleted" in str(undone)
    pd.testing.assert_frame_equal(_table(db.url), before, check_dtype=False)


def test_undo_leaves_a_changed_row_and_a_dry_run_writes_nothing(db, narrow):  # noqa: F811
    write_sql(narrow, db.url, "readings")
    before = _table(db.url)
    dry = impute_table(db.url, "readings", key=None, imputer=MeanMode(), staleness="9h", dry_run=True, verbose=False)
    assert dry.dry_run and dry.n_inserted > 0 and "nothing was written" in str(dry)
    pd.testing.assert_frame_equal(_table(db.url), before, check_dtype=False)
    assert db.audit() == []
    report = impute_table(db.url, "readings", key=None, imputer=MeanMode(), staleness="9h", verbose=False)
    t = sa.Table("readings", sa.MetaData(), autoload_with=db.engine)
    first = report.rows.iloc[0]
    with db.engine.begin() as conn:  # an engineer corrects one substituted value by hand
        conn.execute(
            sa.update(t)
            .where(t.c.tag == first["tag"], t.c.quality == IMPUTED_QUALITY, t.c.timestamp == first["timestamp"])
            .values(value=123.0)
        )
    undone = undo_run(db.url, report.run_id)
    assert undone.n_conflicts == 1 and undone.conflicts[0]["reason"] == "changed since"
    assert undone.n_restored == report.n_inserted - 1
    left = _table(db.url)
    assert (left["quality"] == IMPUTED_QUALITY).sum() == 1 and (left["value"] == 123.0).sum() == 1


def test_cli_fills_a_narrow_table_without_a_key(tmp_path, narrow):
    url = f"sqlite:///{tmp_path / 'plant.db'}"
    write_sql(narrow, url, "readings")
    run = CliRunner().invoke(
        cli,
        ["impute", "--db", url, "--table", "readings", "--staleness", "9h", "--iterations", "30", "-q"],
    )
    assert run.exit_code == 0, run.output
    assert "a narrow historian table" in run.output and "inserted" in run.output
    run_id = run.output.split(" run ")[1].split()[0]
    added = _table(url)
    assert (added["quality"] == IMPUTED_QUALITY).sum() > 60
    # a GAN's filled values stay within what the tags did (not a constant, not garbage)
    filled = added[added["quality"] == IMPUTED_QUALITY]
    for tag in OUT:
        real = narrow.loc[narrow["tag"] == tag, "value"].dropna()
        got = filled.loc[filled["tag"] == tag, "value"]
        assert got.between(real.min() - 1e-9, real.max() + 1e-9).all() and got.nunique() > 1
    undo = CliRunner().invoke(cli, ["impute", "--undo", run_id, "--db", url])
    assert undo.exit_code == 0, undo.output
    assert (_table(url)["quality"] == IMPUTED_QUALITY).sum() == 0


def test_refusals_before_any_fit(tmp_path, narrow):
    path = tmp_path / "plant.db"
    write_sql(narrow, f"sqlite:///{path}", "readings")
    imputer = GANImputer(iterations=5, verbose=False)
    with pytest.raises(DatabaseError, match="read-only"):
        impute_table(f"sqlite:///file:{path}?mode=ro&uri=true", "readings", key=None, imputer=imputer, staleness="9h")
    assert not imputer.__sklearn_is_fitted__()
    coded = narrow.assign(quality=narrow["quality"].map(lambda q: 192 if q == "Good" else 0))
    write_sql(coded, f"sqlite:///{path}", "coded")
    with pytest.raises(DatabaseError, match="integer codes"):
        impute_table(f"sqlite:///{path}", "coded", layout="narrow", imputer=imputer, staleness="9h")
    assert not imputer.__sklearn_is_fitted__()
