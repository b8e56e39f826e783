"""Privacy check (distance to closest record against a holdout) on the real plant log: it must fail copies.

The log (3,169 rows, 5-minute steps) is cut into blocks of 12 hours: blocks 0 and 2 (mod 4) are the training rows,
block 1 the holdout, block 3 fresh real rows that stand in for a perfect generator's output. ``python -m
tests.test_privacy`` prints the reports of the four cases.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from indgan import infer_schema, read_table
from indgan.errors import DataError
from indgan.metrics.privacy import PrivacyReport, privacy_report

from .conftest import DATA

BLOCK = 144  # 12 hours of 5-minute steps


def split(plant: pd.DataFrame):
    b = (np.arange(len(plant)) // BLOCK) % 4
    return plant[b % 2 == 0], plant[b == 1], plant[b == 3]


def jitter(df: pd.DataFrame, schema, scale: float = 0.01, seed: int = 0) -> pd.DataFrame:
    """``df`` with Gaussian noise of ``scale`` x each tag's standard deviation on every number (statuses kept)."""
    rng = np.random.default_rng(seed)
    out = df.copy()
    for c in schema.columns:
        if c.role == "continuous":
            x = pd.to_numeric(df[c.name], errors="coerce")
            out[c.name] = df[c.name].where(x.isna(), x + rng.normal(0.0, scale * x.std(), len(x)))
    return out


def shifted_copy(train: pd.DataFrame) -> pd.DataFrame:
    """Two training stretches starting 7 steps into a block (not on a window boundary), a year later."""
    parts = []
    for a in (7, 2 * BLOCK + 7):
        part = train.iloc[a : a + BLOCK - 7].copy()
        part["timestamp"] = part["timestamp"] + pd.Timedelta(days=365)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


@pytest.fixture(scope="module")
def log():
    plant = read_table(DATA / "plant_logs.parquet")
    schema = infer_schema(plant)
    train, holdout, fresh = split(plant)
    return schema, train, holdout, fresh


def report(train, synthetic, holdout, schema, **kw) -> PrivacyReport:
    kw.setdefault("sdmetrics_rows", 0)
    return privacy_report(train, synthetic, holdout, schema=schema, **kw)


# ---------------------------------------------------------------------------------------------- the four cases
def test_copy_of_training_rows_is_flagged(log):
    schema, train, holdout, _ = log
    r = report(train, train.copy(), holdout, schema)
    assert not r.passed and not r.rows.passed
    assert r.rows.exact_copies == 1.0 and r.rows.holdout_exact_copies == 0.0
    assert r.rows.median_dcr == 0.0 < r.rows.holdout_median_dcr
    assert r.rows.closer_than_holdout_q05 == 1.0
    assert len(r.rows.reasons) == 3  # copies, median and tail all fire
    assert r.verdict.startswith("synthetic rows are closer to the training rows than fresh real rows are")
    assert r.verdict.endswith("do not release")
    assert "100.0% exact copies" in r.verdict and "FLAGGED" in str(r)


def test_fresh_real_rows_pass(log):
    schema, train, holdout, fresh = log
    r = report(train, fresh, holdout, schema)
    assert r.passed, str(r)
    assert r.rows.exact_copies == 0.0 and r.windows.exact_copies == 0.0
    for unit in (r.rows, r.windows):
        assert 0.85 < unit.median_dcr / unit.holdout_median_dcr < 1.2
        assert unit.closer_than_holdout_q05 < unit.limits["closer_than_holdout_q05"]
    assert r.verdict.startswith("synthetic rows are no closer to the training rows than fresh real rows are")
    assert "do not release" not in r.verdict and "PASSED" in str(r)


def test_jittered_training_rows_are_flagged(log):
    """Training rows plus noise of 1% of each tag's spread: no exact copy, but far closer than fresh rows."""
    schema, train, holdout, _ = log
    r = report(train, jitter(train, schema), holdout, schema)
    assert not r.passed
    assert r.rows.exact_copies < 0.01  # the copy rule cannot see it ...
    assert r.rows.median_dcr < 0.1 * r.rows.holdout_median_dcr  # ... the distances do
    assert any("median DCR" in reason for reason in r.rows.reasons)
    assert not r.windows.passed


def test_windows_copied_from_training_are_flagged(log):
    """Stretches of the training log, re-timed and off the window boundaries, are found window by window."""
    schema, train, holdout, _ = log
    r = report(train, shifted_copy(train), holdout, schema)
    w = r.windows
    assert w is not None and w.seq_len == 24 and not w.passed
    assert w.exact_copies == 1.0 and w.holdout_exact_copies == 0.0 and w.median_dcr == 0.0
    assert "synthetic windows of 24 steps are closer" in r.verdict


# ---------------------------------------------------------------------------------------------- more
def test_rows_and_windows_are_separate_tests(log):
    """Shuffled training rows: every row is a copy, no window is (a row model replays rows, not history)."""
    schema, train, holdout, _ = log
    shuffled = train.sample(frac=1.0, random_state=0)
    shuffled["timestamp"] = train["timestamp"].to_numpy()
    r = report(train, shuffled, holdout, schema)
    assert not r.rows.passed and r.rows.exact_copies == 1.0
    assert r.windows.passed and r.windows.exact_copies == 0.0
    assert not r.passed


def test_a_few_copies_among_fresh_rows_are_flagged(log):
    """5% verbatim training rows among fresh ones: the median barely moves, the copy rule fires."""
    schema, train, holdout, fresh = log
    k = len(fresh) // 20
    syn = pd.concat([fresh.iloc[k:], train.sample(k, random_state=0)], ignore_index=True)
    r = report(train, syn, holdout, schema, windows=False)
    assert r.windows is None and not r.passed
    assert r.rows.exact_copies == pytest.approx(k / len(syn))
    assert r.rows.median_dcr > r.rule["dcr_ratio"] * r.rows.holdout_median_dcr
    assert any("exact copies" in reason for reason in r.rows.reasons)


def test_natural_duplicates_are_not_copies(log):
    """Only the step-like state tags: real rows repeat by nature (10 combinations), so fresh rows are exact copies as
    often as the holdout's and pass; the share is measured against the holdout's, not against zero."""
    schema, train, holdout, fresh = log
    cols = ["tag3", "tag63", "tag64"]
    sub = infer_schema(pd.concat([train, holdout, fresh])[cols])
    r = report(train[cols], fresh[cols], holdout[cols], sub)
    assert r.windows is None  # no time column
    assert r.rows.holdout_exact_copies == r.rows.exact_copies == 1.0
    assert r.rows.median_dcr == r.rows.holdout_median_dcr == 0.0
    assert r.passed, str(r)


@pytest.mark.filterwarnings("ignore::pandas.errors.PerformanceWarning")  # sdmetrics' cross join
def test_distance_is_sdmetrics_dcr(log):
    """On values inside the training range the distance is exactly sdmetrics' calculate_dcr."""
    from sdmetrics.single_table.privacy.dcr_utils import calculate_dcr

    from indgan.metrics.privacy import _compared_columns, _encode_rows, nearest_l1
    from indgan.metrics.report import sdmetrics_metadata

    schema, train, holdout, _ = log
    views = {"training": schema.view(train.iloc[:80]).reset_index(drop=True)}
    views["synthetic"] = views["holdout"] = schema.view(holdout.iloc[::20]).reset_index(drop=True)
    cols = _compared_columns(schema, views["training"], None)
    meta = sdmetrics_metadata(schema, views["training"])
    meta = {"columns": {k: v for k, v in meta["columns"].items() if k in cols}}
    for c in cols:
        if meta["columns"][c]["sdtype"] == "numerical":
            ref = views["training"][c]
            views["synthetic"][c] = views["synthetic"][c].clip(ref.min(), ref.max())
    enc, _ = _encode_rows(views, schema, cols)
    ours = nearest_l1(enc["synthetic"], enc["training"])
    theirs = calculate_dcr(views["synthetic"][cols], views["training"][cols], meta).to_numpy()
    assert len(ours) == 44
    np.testing.assert_allclose(ours, theirs, atol=1e-6)


def test_sdmetrics_figures_and_serialisation(log, tmp_path):
    """sdmetrics' metrics on a copy of 40 training rows (all of them, so every copy is in its sample)."""
    schema, train, holdout, _ = log
    r = report(train.iloc[:40], train.iloc[:40], holdout.iloc[:40], schema, sdmetrics_rows=40, windows=False)
    s = r.sdmetrics
    assert s["rows"] == 40
    assert s["median_dcr_synthetic"] == 0.0 and s["baseline_protection"] == 0.0
    assert s["closer_to_training"] == 1.0 and s["overfitting_protection"] == 0.0
    assert "DCROverfittingProtection" in str(r)
    d = json.loads(json.dumps(r.to_dict()))
    assert d["passed"] is False and d["rows"]["exact_copies"] == 1.0 and d["windows"] is None
    assert json.loads(r.to_json(tmp_path / "privacy.json").read_text())["verdict"] == r.verdict


def test_bad_input(log):
    schema, train, holdout, fresh = log
    with pytest.raises(DataError, match="holdout table has no rows"):
        report(train, fresh, holdout.iloc[:0], schema)
    with pytest.raises(DataError, match="no time column"):
        report(train.drop(columns="timestamp"), fresh, holdout, None, windows=True)
    with pytest.raises(DataError, match="missing from the table"):
        report(train, fresh.drop(columns="tag0"), holdout, schema)
    r = report(train, fresh.iloc[:100], holdout, schema, seq_len=200)
    assert r.windows is None and "windows of 200 steps not compared" in r.notes[0] and r.passed


if __name__ == "__main__":  # the figures of the four cases, to quote
    import time

    plant = read_table(DATA / "plant_logs.parquet")
    schema = infer_schema(plant)
    train, holdout, fresh = split(plant)
    cases = {
        "1. copy of the training rows": train.copy(),
        "2. fresh real rows (never trained on)": fresh,
        "3. training rows + noise of 1% of each tag's spread": jitter(train, schema),
        "4. training stretches re-timed, off the window boundaries": shifted_copy(train),
    }
    print(f"training {len(train)} rows, holdout {len(holdout)} rows (blocks of {BLOCK} steps)")
    for name, syn in cases.items():
        t0 = time.perf_counter()
        r = privacy_report(train, syn, holdout, schema=schema)
        print(f"\n== {name}: {len(syn)} rows, {time.perf_counter() - t0:.1f} s\n{r}")
