"""Plant data where it lives: the main job reads database tables and narrow historian tables, and writes samples back
into a new table or as narrow rows; impute fills a narrow table and marks what it filled."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from indgan import load_model
from indgan.adapters.historian import deadband_narrow
from indgan.adapters.sql import write_sql
from indgan.cli import cli

FAST = ["--model", "tabular", "--epochs", 1, "--batch-size", 100, "--eval-rows", 0, "-q"]


def _run(args):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=True)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


@pytest.fixture()
def plant_db(tmp_path, small):
    url = f"sqlite:///{tmp_path / 'plant.db'}"
    write_sql(small, url, "readings")
    return url


def test_fit_reads_a_database_table_and_sample_writes_a_new_one(tmp_path, plant_db, small):
    model = tmp_path / "m.indgan"
    cutoff = str(small["timestamp"].iloc[len(small) // 2])
    r = _run(["fit", plant_db, "--table", "readings", "--where", f"timestamp < '{cutoff}'", "-o", model, *FAST])
    assert r.exit_code == 0, r.output
    n_rows = load_model(model).fit_info_.n_rows
    assert 0 < n_rows < len(small)  # the WHERE clause was applied
    # never into the table the model learned from, not even with --append
    r = _run(["sample", model, "-n", 50, "--db", plant_db, "--table", "readings", "--append"])
    assert r.exit_code == 1 and "readings" in r.output, r.output
    r = _run(["sample", model, "-n", 50, "--seed", 1, "--db", plant_db, "--table", "synthetic"])
    assert r.exit_code == 0, r.output
    r = _run(["sample", model, "-n", 50, "--db", plant_db, "--table", "synthetic"])
    assert r.exit_code == 1 and "append" in r.output.lower(), r.output  # an existing table is refused
    r = _run(["sample", model, "-n", 30, "--db", plant_db, "--table", "synthetic", "--append"])
    assert r.exit_code == 0, r.output
    with sa.create_engine(plant_db).connect() as conn:
        assert conn.execute(sa.text("select count(*) from synthetic")).scalar() == 80
        assert conn.execute(sa.text("select count(*) from readings")).scalar() == len(small)
    r = _run(["fit", plant_db, "-o", tmp_path / "x.indgan", *FAST])
    assert r.exit_code == 2 and "--table" in r.output, r.output  # a URL needs --table or --query
    r = _run(["fit", tmp_path / "nothing.parquet", "--table", "readings", *FAST])
    assert r.exit_code == 2 and "is not a database URL" in r.output, r.output


def test_the_main_job_learns_a_narrow_historian_table_and_writes_narrow_rows(tmp_path, plant):
    wide = plant.iloc[:600][["timestamp", "tag0", "tag1", "tag2", "tag5", "tag63", "tag70"]]
    narrow = deadband_narrow(wide, "timestamp", jitter=0.5, seed=0)
    assert len(narrow) < wide.shape[0] * (wide.shape[1] - 1)  # compressed: not every cell is stored
    data = tmp_path / "narrow.parquet"
    narrow.to_parquet(data, index=False)
    model = tmp_path / "n.indgan"
    r = _run(["fit", data, "-o", model, *FAST])
    assert r.exit_code == 0, r.output
    assert "narrow historian table" in r.output
    assert load_model(model).fit_info_.n_rows == len(wide)  # aligned back onto the 5-minute grid
    out = tmp_path / "syn.parquet"
    r = _run(["sample", model, "-n", 200, "--seed", 2, "-o", out])
    assert r.exit_code == 0, r.output
    syn = pd.read_parquet(out)
    assert list(syn.columns) == list(narrow.columns)  # the input's layout
    assert set(syn["tag"]) <= set(narrow["tag"]) and (syn.loc[syn["value"].notna(), "quality"] == "indgan").all()
    r = _run(["evaluate", data, out, "--max-rows", 200])  # narrow against narrow: both aligned, scored as logs
    assert r.exit_code == 0 and "quality score" in r.output, r.output


def test_impute_fills_a_narrow_table_and_marks_the_rows_it_filled(tmp_path, plant):
    wide = plant.iloc[:400][["timestamp", "tag0", "tag1", "tag5", "tag63"]].copy()
    wide.loc[100:140, "tag1"] = np.nan  # an outage of one tag
    narrow = deadband_narrow(wide, "timestamp", max_silence="30min")  # every tag stored at least every 30 min
    data = tmp_path / "narrow.parquet"
    narrow.to_parquet(data, index=False)
    out = tmp_path / "filled.parquet"
    r = _run(["impute", data, "-o", out, "--iterations", 20, "--staleness", "45min", "-q"])
    assert r.exit_code == 0, r.output
    filled = pd.read_parquet(out)
    assert list(filled.columns) == list(narrow.columns)
    marked = filled[filled["quality"] == "Substituted (indgan)"]
    assert len(marked) and set(marked["tag"]) == {"tag1"}  # only the outage, nothing observed
    t = marked["timestamp"]
    assert t.min() >= wide["timestamp"].iloc[100] and t.max() <= wide["timestamp"].iloc[141]


def test_read_table_reads_a_database_table_as_it_reads_files(plant_db, small, tmp_path):
    from indgan import read_table
    from indgan.errors import DataError

    got = read_table(plant_db, table="readings", where="tag5 IS NOT NULL")
    assert 0 < len(got) <= len(small) and list(got.columns) == list(small.columns)
    assert len(read_table(plant_db, query="select timestamp, tag0 from readings limit 7")) == 7
    with pytest.raises(DataError, match="give a URL"):
        read_table(tmp_path / "x.parquet", table="readings")


@pytest.mark.parametrize(
    "args, message",
    [
        ([], "is a database URL: give --table TABLE (or --query SELECT)"),
        (["--table", "readings", "--query", "SELECT 1"], "give --table or --query, not both"),
        (["--query", "SELECT * FROM readings", "--where", "1=1"], "--where goes with --table"),
    ],
)
def test_fit_refuses_database_options_that_do_not_fit_data(plant_db, tmp_path, args, message):
    """Usage errors (exit status 2) before anything is read, as evaluate's for REAL."""
    r = _run(["fit", plant_db, *args, "-o", tmp_path / "m.indgan", *FAST])
    assert r.exit_code == 2 and message in r.output and not (tmp_path / "m.indgan").exists()
    r = _run(["fit", tmp_path / "plant.parquet", "--table", "readings", *FAST])
    assert r.exit_code == 2 and "is not a database URL; --table is only for one (drop it)" in r.output
