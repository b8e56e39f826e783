"""evaluate and report read what fit reads: database tables (REAL, SYNTHETIC, --holdout each a file or a URL with its
own table option) and narrow historian tables, aligned on one grid."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from indgan.adapters.historian import deadband_narrow
from indgan.app.evaluate import evaluate, report
from indgan.cli import cli
from indgan.errors import ConfigError

TAGS = ["tag0", "tag1", "tag5", "tag6", "tag7", "tag70"]
NARROW_LINE = "a narrow historian table"


def _run(args):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=True)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def _quality(output: str) -> float:
    return float(re.search(r"quality score\s+([\d.]+)", output).group(1))


def _error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("Error:")]


@pytest.fixture(scope="module")
def sources(tmp_path_factory, plant):
    """The first 400 rows of 6 tags (wide), a noisy copy standing in for a sample, the deadband-narrow table, as
    parquet files and as tables of one SQLite file."""
    root = tmp_path_factory.mktemp("sources")
    wide = plant.iloc[:400][["timestamp", *TAGS]].reset_index(drop=True)
    syn = wide.copy()
    rng = np.random.default_rng(0)
    for c in TAGS:
        if pd.api.types.is_float_dtype(syn[c]):
            syn[c] = syn[c] + rng.normal(0, 0.1 * syn[c].std(), len(syn))
    narrow = deadband_narrow(wide, "timestamp", deadband=0.005, seed=0)
    # a narrow stand-in sample on a coarser spacing (every other step): alone it would align on 10 minutes
    narrow_syn = deadband_narrow(syn.iloc[::2].reset_index(drop=True), "timestamp", deadband=0.005, seed=1)
    url = f"sqlite:///{root / 'plant.db'}"
    engine = sa.create_engine(url)
    files = {}
    for name, df in (("readings", wide), ("synthetic", syn), ("narrow", narrow), ("narrow_syn", narrow_syn)):
        df.to_sql(name, engine, index=False)
        files[name] = root / f"{name}.parquet"
        df.to_parquet(files[name], index=False)
    engine.dispose()
    return {"url": url, "root": root, "wide": wide, "narrow": narrow, **files}


def test_database_tables_score_as_their_files(sources):
    url = sources["url"]
    r = _run(["evaluate", sources["readings"], sources["synthetic"], "--max-rows", 400])
    assert r.exit_code == 0, r.output
    from_files = _quality(r.output)
    r = _run(["evaluate", url, url, "--table", "readings", "--synthetic-table", "synthetic", "--max-rows", 400])
    assert r.exit_code == 0, r.output
    assert _quality(r.output) == pytest.approx(from_files, abs=1e-4)
    assert from_files < 0.999  # the noisy stand-in is not the real table: the comparison means something
    # mixed: a database REAL, a file SYNTHETIC; --where narrows REAL
    r = _run(["evaluate", url, sources["synthetic"], "--table", "readings", "--max-rows", 400])
    assert r.exit_code == 0 and _quality(r.output) == pytest.approx(from_files, abs=1e-4), r.output
    cutoff = str(sources["wide"]["timestamp"].iloc[200])
    r = _run(["evaluate", url, sources["synthetic"], "--table", "readings", "--where", f"timestamp < '{cutoff}'"])
    assert r.exit_code == 0 and "400 synthetic vs 200 real rows" in r.output, r.output
    # and from Python, with a query
    found = evaluate(url, url, query="SELECT * FROM readings", synthetic_table="synthetic", max_rows=400, say=print)
    assert found.quality_score == pytest.approx(from_files, abs=1e-4)


def test_narrow_tables_are_detected_and_said_up_front(sources):
    url = sources["url"]
    for args, n_narrow in (
        ([sources["narrow"], sources["synthetic"]], 1),
        ([url, sources["synthetic"], "--table", "narrow"], 1),
        # the narrow options apply to every input: a narrow sample has its source's columns
        ([sources["narrow"], url, "--synthetic-table", "narrow", "--layout", "narrow", "--tag-column", "tag"], 2),
    ):
        r = _run(["evaluate", *args, "--max-rows", 400])
        assert r.exit_code == 0, r.output
        said = [line for line in r.output.splitlines() if NARROW_LINE in line]
        assert len(said) == n_narrow and all("onto 400 steps of 5min" in line for line in said), r.output
        assert r.output.index(NARROW_LINE) < r.output.index("quality score")  # told before the scores
    # the narrow database table and its file, each aligned: the same rows, so a perfect shape score
    r = _run(["evaluate", sources["narrow"], url, "--synthetic-table", "narrow", "--max-rows", 400])
    assert r.exit_code == 0 and r.output.count(NARROW_LINE) == 2 and _quality(r.output) > 0.999, r.output
    # a narrow column option that fits no input names the input
    r = _run(["evaluate", sources["readings"], sources["synthetic"], "--tag-column", "tag"])
    assert r.exit_code == 1 and "REAL " in r.output and "--tag-column" in r.output, r.output


def test_a_narrow_sample_lands_on_the_real_grid(sources):
    lines: list[str] = []
    evaluate(sources["narrow"], sources["narrow_syn"], max_rows=400, over_time=False, say=lines.append)
    said = [line for line in lines if NARROW_LINE in line]
    assert len(said) == 2 and all("steps of 5min" in line for line in said), said  # REAL's step, not 10min
    lines.clear()
    evaluate(
        sources["narrow"], sources["narrow_syn"], max_rows=400, over_time=False, interval="10min", say=lines.append
    )
    assert all("steps of 10min" in line for line in lines if NARROW_LINE in line)  # --interval wins for both


def test_a_url_without_its_table_is_a_usage_error(sources):
    url = sources["url"]
    for args, option in (
        ([url, sources["synthetic"]], "--table"),
        ([sources["readings"], url], "--synthetic-table"),
        ([sources["readings"], sources["synthetic"], "--holdout", url], "--holdout-table"),
    ):
        r = _run(["evaluate", *args])
        errors = _error_lines(r.output)
        assert r.exit_code == 2 and len(errors) == 1 and option in errors[0], r.output
    r = _run(["report", url, sources["synthetic"], "-o", sources["root"] / "x.html"])
    assert r.exit_code == 2 and "--table" in _error_lines(r.output)[0], r.output
    assert not (sources["root"] / "x.html").exists()
    with pytest.raises(ConfigError, match="--synthetic-table"):
        evaluate(sources["readings"], url)


def test_table_options_for_a_file_are_refused(sources):
    r = _run(["evaluate", sources["readings"], sources["synthetic"], "--synthetic-table", "synthetic"])
    errors = _error_lines(r.output)
    assert r.exit_code == 2 and len(errors) == 1, r.output
    assert "--synthetic-table" in errors[0] and "is a file" in errors[0], r.output
    r = _run(["evaluate", sources["readings"], sources["synthetic"], "--table", "readings"])
    assert r.exit_code == 2 and "--table" in _error_lines(r.output)[0] and "REAL" in r.output, r.output
    with pytest.raises(ConfigError, match="--holdout-table"):
        report(sources["readings"], sources["synthetic"], holdout_table="readings", output=sources["root"] / "y.html")


def test_report_writes_its_page_from_database_inputs(sources):
    url, out = sources["url"], Path(sources["root"]) / "page.html"
    r = _run(
        [
            "report",
            url,
            url,
            "--table",
            "readings",
            "--synthetic-table",
            "synthetic",
            "--holdout",
            url,
            "--holdout-table",
            "narrow",
            "-o",
            out,
            "--max-rows",
            400,
            "--tags",
            2,
        ]
    )
    assert r.exit_code == 0, r.output
    assert out.exists() and f"wrote {out}" in r.output
    assert "privacy (distance to closest record" in r.output  # the holdout table was read (and aligned)
    assert r.output.count(NARROW_LINE) == 1
    page = out.read_text(encoding="utf-8")
    assert "table &#39;readings&#39;" in page or "table 'readings'" in page  # the page names its source table
