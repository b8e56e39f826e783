"""GANImputer: GAIN row-wise and time-aware, the scikit-learn contract, and the CLI."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import check_estimator

from indgan import GANImputer
from indgan.errors import ConfigError, DataError

DATA = __import__("pathlib").Path(__file__).resolve().parents[1] / "examples" / "data"


@pytest.fixture(scope="module")
def breast():
    x = load_breast_cancer().data[:, :8]
    return (x - x.min(0)) / (x.max(0) - x.min(0))


@pytest.fixture(scope="module")
def fitted(breast):
    rng = np.random.default_rng(0)
    xm = breast.copy()
    xm[rng.random(xm.shape) < 0.2] = np.nan
    return GANImputer(iterations=300, random_state=0).fit(xm)


def _mixed(n=240, seed=0):
    rng = np.random.default_rng(seed)
    mode = rng.choice(["run", "idle", "purge"], n)
    base = np.where(mode == "run", 80.0, np.where(mode == "idle", 20.0, 50.0))
    t1 = base + rng.normal(0, 2, n)
    return pd.DataFrame(
        {
            "flow": t1,
            "temp": 0.5 * t1 + rng.normal(0, 1, n),
            "mode": mode,
            "valve": rng.integers(0, 2, n).astype(np.int64),
        }
    )


# ---------------------------------------------------------------------------------------------- contract
def test_check_estimator():
    check_estimator(GANImputer(iterations=5, batch_size=16, hidden_dim=8))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), rate=st.floats(0.0, 0.9))
def test_observed_cells_never_change(fitted, breast, seed, rate):
    rng = np.random.default_rng(seed)
    xm = breast.copy()
    miss = rng.random(xm.shape) < rate
    xm[miss] = np.nan
    keep = xm.copy()
    out = fitted.transform(xm)
    np.testing.assert_array_equal(xm, keep)  # the input is not modified
    np.testing.assert_array_equal(out[~miss], breast[~miss])  # observed cells exactly as given
    assert np.isfinite(out).all()
    assert (out[miss] >= 0).all() and (out[miss] <= 1).all()  # within the training range


def test_better_than_the_column_mean(fitted, breast):
    rng = np.random.default_rng(1)
    xm = breast.copy()
    miss = rng.random(xm.shape) < 0.2
    xm[miss] = np.nan
    out = fitted.transform(xm)
    rmse = np.sqrt(((out - breast)[miss] ** 2).mean())
    mean = np.sqrt(((np.nanmean(xm, 0)[None, :].repeat(len(xm), 0) - breast)[miss] ** 2).mean())
    assert rmse < 0.8 * mean, (rmse, mean)


def test_categorical_cells_get_valid_levels_and_dtypes_are_kept():
    df = _mixed()
    rng = np.random.default_rng(2)
    holed = df.copy()
    for c in df.columns:
        holed.loc[rng.random(len(df)) < 0.15, c] = np.nan
    out = GANImputer(iterations=200, random_state=0).fit_transform(holed)
    assert list(out.columns) == list(df.columns) and out.index.equals(df.index)
    assert out.notna().all().all()
    assert set(out["mode"]) <= {"run", "idle", "purge"}
    assert set(out["valve"]) <= {0, 1} and out["valve"].dtype == holed["valve"].dtype
    observed = holed.notna()
    for c in df.columns:
        assert (out.loc[observed[c], c] == holed.loc[observed[c], c]).all()
    # the mode is learned: 'run' rows get flows near 80 more often than not
    run = holed["flow"].isna() & (holed["mode"] == "run")
    assert (out.loc[run, "flow"] > 50).mean() > 0.6


def test_seed_reproduces_and_draws_differ_with_a_stable_mean(breast):
    rng = np.random.default_rng(3)
    xm = breast[:200].copy()
    miss = rng.random(xm.shape) < 0.2
    xm[miss] = np.nan
    a = GANImputer(iterations=150, random_state=7).fit(xm)
    b = GANImputer(iterations=150, random_state=7).fit(xm)
    np.testing.assert_array_equal(a.transform(xm), b.transform(xm))
    draws = a.sample_imputations(xm, n_draws=20)
    assert draws.shape == (20,) + xm.shape
    assert (draws[:, ~miss] == xm[~miss]).all()
    assert draws[:, miss].std(0).mean() > 0  # the draws are not all the same
    half1, half2 = draws[:10, miss].mean(0), draws[10:, miss].mean(0)
    assert np.abs(half1 - half2).max() < 0.05  # and their mean is stable


def test_pipeline_column_transformer_and_pandas_output(breast):
    rng = np.random.default_rng(4)
    X = breast[:300].copy()
    y = X @ np.arange(1, X.shape[1] + 1)
    X[rng.random(X.shape) < 0.1] = np.nan
    pipe = make_pipeline(GANImputer(iterations=50, random_state=0), Ridge()).fit(X, y)
    assert pipe.score(X, y) > 0.8
    frame = pd.DataFrame(X, columns=[f"tag{i}" for i in range(X.shape[1])])
    ct = ColumnTransformer(
        [("gain", GANImputer(iterations=30, random_state=0), ["tag0", "tag1", "tag2"])], remainder="passthrough"
    ).set_output(transform="pandas")
    out = ct.fit_transform(frame)
    assert out[["gain__tag0", "gain__tag1", "gain__tag2"]].notna().all().all()
    imp = GANImputer(iterations=30, random_state=0).set_output(transform="pandas").fit(X)
    out = imp.transform(X)
    assert isinstance(out, pd.DataFrame) and list(out.columns) == [f"x{i}" for i in range(X.shape[1])]
    assert list(GANImputer(iterations=5).fit(frame).get_feature_names_out()) == list(frame.columns)


# ---------------------------------------------------------------------------------------------- plant data
def test_status_strings_are_missing_and_filled_as_numbers():
    df = pd.read_parquet(DATA / "plant_logs.parquet").iloc[:400, :12]
    obj = [c for c in df.columns if df[c].dtype == object]
    assert obj, "the slice should hold a tag with status strings"
    imp = GANImputer(iterations=60, random_state=0, seq_len=16)
    out = imp.fit_transform(df)
    assert imp.temporal_ and imp.time_column_ == "timestamp"
    for c in obj:
        numbers = pd.to_numeric(df[c], errors="coerce")
        assert out[c].dtype == np.float64 and out[c].notna().all()
        ok = numbers.notna()
        np.testing.assert_array_equal(out.loc[ok, c].to_numpy(), numbers[ok].to_numpy())
    pd.testing.assert_series_equal(out["timestamp"], df["timestamp"])

    # with max_gap, status strings of long outages stay, and the column stays text as the historian wrote it
    imp = GANImputer(iterations=20, random_state=0, seq_len=16, max_gap=1).fit(df)
    out = imp.transform(df)
    gaps = imp.gaps_left(df)
    assert gaps and all(g.steps > 1 for g in gaps)
    for c in obj:
        kept = out[c].notna() & pd.to_numeric(out[c], errors="coerce").isna()
        assert (out.loc[kept, c] == df.loc[kept, c]).all()  # statuses left where they were
        assert out[c].map(lambda v: v is None or isinstance(v, str) or (isinstance(v, float) and np.isnan(v))).all()
    out.to_parquet(__import__("io").BytesIO())  # writable as it came


def test_status_codes_are_gaps_filled_as_numbers_and_left_as_numbers():
    df = pd.read_parquet(DATA / "plant_logs.parquet").iloc[:800, :12]
    tag = next(c for c in df.columns if df[c].dtype == np.float64 and df[c].nunique() > 50)
    df[tag] = df[tag].astype(np.float64)
    codes = np.r_[10:14, 200, 300]  # a 4-step run and two single readings at -9999
    df.loc[df.index[codes], tag] = -9999.0
    imp = GANImputer(iterations=20, random_state=0, seq_len=16).fit(df)
    assert imp.schema_[tag].codes == [-9999.0]
    out = imp.transform(df)
    assert out[tag].dtype == np.float64 and (out[tag] > -9999).all()  # filled: a failed reading is a gap
    keep = ~df.index.isin(df.index[codes])
    np.testing.assert_array_equal(out.loc[keep, tag].to_numpy(), df.loc[keep, tag].to_numpy())
    out = GANImputer(iterations=20, random_state=0, seq_len=16, max_gap=1).fit(df).transform(df)
    assert out[tag].dtype == np.float64  # the run is left, as the number it was, not as text
    assert (out[tag].iloc[10:14] == -9999.0).all() and (out[tag].iloc[[200, 300]] > -9999).all()


def test_time_aware_fills_an_outage_from_the_tags_history():
    t = np.arange(600)
    rng = np.random.default_rng(5)
    slow = np.sin(2 * np.pi * t / 150)
    df = pd.DataFrame(
        {
            "time": pd.date_range("2024-01-01", periods=600, freq="1min"),
            "a": slow + rng.normal(0, 0.02, 600),
            "b": np.cos(2 * np.pi * t / 150) + rng.normal(0, 0.02, 600),
            "c": rng.normal(0, 1, 600),
        }
    )
    holed = df.copy()
    gaps = [(100, 112), (300, 320), (450, 458)]
    for a, b in gaps:
        holed.loc[a : b - 1, "a"] = np.nan
    imp = GANImputer(iterations=400, random_state=0, seq_len=32, max_block=24)
    out = imp.fit_transform(holed)
    miss = holed["a"].isna()
    rmse = np.sqrt(((out.loc[miss, "a"] - df.loc[miss, "a"]) ** 2).mean())
    mean = np.sqrt(((holed["a"].mean() - df.loc[miss, "a"]) ** 2).mean())
    assert rmse < 0.5 * mean, (rmse, mean)

    # max_gap: the 20-step outage stays missing and is reported; the shorter ones are filled
    imp2 = GANImputer(iterations=20, random_state=0, seq_len=32, max_gap="15min").fit(holed)
    out2 = imp2.transform(holed)
    assert out2.loc[300:319, "a"].isna().all() and out2.loc[100:111, "a"].notna().all()
    assert [(g.column, g.first_row, g.last_row, g.steps) for g in imp2.gaps_left(holed)] == [("a", 300, 319, 20)]


def test_entities_are_not_mixed_and_row_order_is_kept():
    dry = pd.read_parquet(DATA / "dryer.parquet")
    dry = dry[dry.batch_id.isin([1, 2, 3])].sample(frac=1.0, random_state=0)  # shuffled rows
    holed = dry.copy()
    holed.loc[holed.sample(frac=0.1, random_state=1).index, "DryerTemp"] = np.nan
    imp = GANImputer(iterations=30, random_state=0, seq_len=16)
    out = imp.fit_transform(holed)
    assert imp.entity_column_ == "batch_id" and imp.time_column_ == "ClockTime"
    assert out.index.equals(holed.index) and out["DryerTemp"].notna().all()
    pd.testing.assert_frame_equal(out.drop(columns="DryerTemp"), holed.drop(columns="DryerTemp"))


# ---------------------------------------------------------------------------------------------- bad input
def test_bad_input_gives_clear_errors(breast):
    x = breast[:50].copy()
    x[:, 2] = np.nan
    with pytest.raises(DataError, match="column 'x2' has no observed value"):
        GANImputer(iterations=2).fit(x)
    with pytest.raises(ConfigError, match="hint_rate"):
        GANImputer(hint_rate=1.5).fit(breast)
    df = pd.DataFrame({"time": pd.date_range("2024", periods=40, freq="1min"), "a": np.arange(40.0)})
    df.loc[5, "time"] = pd.NaT
    with pytest.raises(DataError, match="time column 'time' is missing at row 5"):
        GANImputer(iterations=2).fit(df)
    with pytest.raises(ConfigError, match="condition column"):
        GANImputer(iterations=2, condition=["nope"]).fit(df.drop(index=5))
    fitted = GANImputer(iterations=2).fit(breast)
    with pytest.raises(ValueError, match="features"):
        fitted.transform(breast[:, :3])


def test_cli_impute_file(tmp_path):
    from click.testing import CliRunner

    from indgan.cli import cli

    df = _mixed(120)
    df.loc[::7, "flow"] = np.nan
    src = tmp_path / "logs.parquet"
    df.to_parquet(src)
    out = tmp_path / "filled.parquet"
    res = CliRunner().invoke(cli, ["impute", str(src), "-o", str(out), "--iterations", "30", "-q"])
    assert res.exit_code == 0, res.output
    assert "filled" in res.output and "row by row" in res.output
    filled = pd.read_parquet(out)
    assert filled["flow"].notna().all()
    assert (filled.loc[df.flow.notna(), "flow"] == df.loc[df.flow.notna(), "flow"]).all()
    res = CliRunner().invoke(cli, ["impute", str(src), "--dry-run"])
    assert res.exit_code != 0 and "database options" in res.output


def test_cli_impute_database_dry_run_fill_and_undo(tmp_path):
    import re
    import sqlite3

    from click.testing import CliRunner

    from indgan.cli import cli

    df = _mixed(150)
    df.insert(0, "id", np.arange(150))
    df.loc[::5, "temp"] = np.nan
    df.loc[::9, "mode"] = None
    db = tmp_path / "plant.db"
    with sqlite3.connect(db) as con:
        df.to_sql("readings", con, index=False)
    url = f"sqlite:///{db}"

    def table():
        with sqlite3.connect(db) as con:
            return pd.read_sql("SELECT * FROM readings ORDER BY id", con)

    original = table()
    run = CliRunner().invoke
    res = run(
        cli, ["impute", "--db", url, "--table", "readings", "--key", "id", "--dry-run", "--iterations", "20", "-q"]
    )
    assert res.exit_code == 0, res.output
    assert "would fill 47" in res.output and "nothing was written" in res.output
    pd.testing.assert_frame_equal(table(), original)
    res = run(cli, ["impute", "--db", url, "--table", "readings", "--key", "id", "--iterations", "20", "-q"])
    assert res.exit_code == 0, res.output
    filled = table()
    assert filled[["temp", "mode"]].notna().all().all()
    assert set(filled["mode"]) <= {"run", "idle", "purge"}
    run_id = re.search(r"--undo ([0-9a-f]{32})", res.output).group(1)
    res = run(cli, ["impute", "--undo", run_id, "--db", url])
    assert res.exit_code == 0 and "47 cell(s) set back to NULL" in res.output, res.output
    pd.testing.assert_frame_equal(table(), original)
    res = run(cli, ["impute", "--db", url, "--table", "nope", "--key", "id"])
    assert res.exit_code == 1 and "nope" in res.output and "readings" in res.output


def test_validation_cells_stop_training_and_keep_the_best_weights(breast):
    rng = np.random.default_rng(6)
    xm = breast[:200].copy()
    xm[rng.random(xm.shape) < 0.2] = np.nan
    imp = GANImputer(iterations=3000, validation_share=0.1, patience=2, ema_decay=None, random_state=0).fit(xm)
    scores = [h["validation_mse"] for h in imp.summary_.history]
    assert imp.n_iterations_ < 3000 and len(scores) == imp.n_iterations_ // 100  # stopped early
    assert imp.validation_mse_ == min(scores) and imp.best_iteration_ == 100 * (int(np.argmin(scores)) + 1)
    assert imp.n_iterations_ - imp.best_iteration_ == 200  # patience of 2 scores


def test_gap_geometry_interpolates_and_the_cross_tag_bridge_carries_a_correlated_tag():
    import torch

    from indgan.imputation.networks import CrossTagBridge, GapGeometry, interpolate

    t = torch.arange(12, dtype=torch.float32)
    a = 0.5 + 0.4 * torch.sin(t / 2)
    x = torch.stack([a, a], -1)[None]  # tag 1 is a copy of tag 0
    seen = torch.ones_like(x)
    seen[0, 3:8, 1] = 0  # a 5-step gap in tag 1
    seen[0, 10:, 1] = 0  # a gap at the window's end
    line = interpolate(x * seen, seen)
    expect = a[2] + (t[3:8] - 2) / 6 * (a[8] - a[2])
    torch.testing.assert_close(line[0, 3:8, 1], expect)
    torch.testing.assert_close(line[0, 10:, 1], a[9].expand(2))  # the last observed value held
    torch.testing.assert_close(line[..., 0], x[..., 0])  # observed cells kept
    bridge = CrossTagBridge(2)
    with torch.no_grad():
        bridge.weight.copy_(torch.tensor([[0.0, 1.0], [1.0, 0.0]]))
    geo = GapGeometry(seen)
    filled = line + bridge(line, geo)
    torch.testing.assert_close(filled[0, :10], x[0, :10])  # tag 0's shape across the gap is tag 1's
    assert (bridge(line, geo)[seen > 0] == 0).all()  # observed cells get no correction


def test_time_aware_learns_a_correlated_tag_across_block_gaps():
    rng = np.random.default_rng(3)
    n = 1200
    wave = np.cumsum(rng.normal(0, 0.15, n))  # a random walk: the straight line across a gap misses its wiggles
    df = pd.DataFrame(
        {
            "time": pd.date_range("2024-01-01", periods=n, freq="1min"),
            "a": wave,
            "b": 2.0 * wave + rng.normal(0, 0.01, n),
            "c": rng.normal(0, 1, n),
        }
    )
    holed = df.copy()
    starts = rng.choice(np.arange(10, n - 30, 40), size=20, replace=False)
    for s in starts:
        holed.loc[s : s + 15, "a"] = np.nan
    miss = holed["a"].isna()
    out = GANImputer(iterations=300, random_state=0, seq_len=32).fit_transform(holed)
    line = holed["a"].interpolate()
    rmse = lambda v: float(np.sqrt(((v[miss] - df.loc[miss, "a"]) ** 2).mean()))  # noqa: E731
    assert rmse(out["a"]) < 0.6 * rmse(line), (rmse(out["a"]), rmse(line))


# ---------------------------------------------------------------------------------------------- saved and reused
def test_saved_and_loaded_imputer_gives_identical_fills(tmp_path):
    from indgan import load_model

    df = _mixed(200)
    df.loc[::6, "flow"] = np.nan
    df.loc[::11, "mode"] = None
    imp = GANImputer(iterations=40, random_state=3, verbose=False).fit(df)
    path = imp.save(tmp_path / "imp.indgan")
    loaded = GANImputer.load(path, device="cpu")
    assert type(load_model(path)) is GANImputer
    new = _mixed(90, seed=5)
    new.loc[::4, "temp"] = np.nan
    new.loc[::7, "mode"] = None
    pd.testing.assert_frame_equal(loaded.transform(new), imp.transform(new))
    a = imp.sample_imputations(new, n_draws=3, random_state=1)
    b = loaded.sample_imputations(new, n_draws=3, random_state=1)
    for x, y in zip(a, b):
        pd.testing.assert_frame_equal(x, y)
    assert loaded.get_feature_names_out().tolist() == imp.get_feature_names_out().tolist()
    # arrays too: an imputer fitted on an array reloads as one
    arr = df[["flow", "temp"]].to_numpy()
    imp_a = GANImputer(iterations=20, random_state=0, verbose=False).fit(arr)
    loaded_a = GANImputer.load(imp_a.save(tmp_path / "a.indgan"))
    np.testing.assert_array_equal(loaded_a.transform(arr), imp_a.transform(arr))


def test_time_aware_imputer_reloads_and_fills_new_days_alike(tmp_path):
    rng = np.random.default_rng(0)
    n = 400
    t = np.arange(n)
    df = pd.DataFrame(
        {"time": pd.date_range("2024-01-01", periods=n, freq="5min"), "a": np.sin(t / 15) + rng.normal(0, 0.05, n)}
    )
    df["b"] = 2 * df["a"] + rng.normal(0, 0.05, n)
    train = df.iloc[:300].copy()
    train.loc[40:45, "a"] = np.nan
    imp = GANImputer(iterations=30, random_state=0, verbose=False).fit(train)
    loaded = GANImputer.load(imp.save(tmp_path / "t.indgan"))
    assert loaded.temporal_ and loaded.time_column_ == "time"
    day = df.iloc[300:].copy()
    day.loc[320:326, "b"] = np.nan
    pd.testing.assert_frame_equal(loaded.transform(day), imp.transform(day))


def test_crafted_imputer_file_is_refused_without_running_code(tmp_path):
    import os
    import pickle

    import torch

    from indgan.errors import ModelFileError

    class Exploit:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    marker = tmp_path / "pwned"
    path = tmp_path / "evil.indgan"
    torch.save({"format": "indgan-model", "version": 1, "kind": "GANImputer", "meta": "{}", "x": Exploit()}, path)
    with pytest.raises(ModelFileError, match="refused"):
        GANImputer.load(path)
    (tmp_path / "raw.indgan").write_bytes(pickle.dumps(Exploit()))
    with pytest.raises(ModelFileError):
        GANImputer.load(tmp_path / "raw.indgan")
    assert not marker.exists()


def test_imputer_fitted_on_other_columns_is_refused(tmp_path):
    df = _mixed(120)
    df.loc[::5, "flow"] = np.nan
    imp = GANImputer.load(GANImputer(iterations=10, random_state=0, verbose=False).fit(df).save(tmp_path / "i.indgan"))
    with pytest.raises(DataError, match=r"lacks column\(s\) \['temp'\]"):
        imp.transform(df.drop(columns="temp"))
    with pytest.raises(DataError, match=r"has column\(s\) \['extra'\] this imputer was not fitted on"):
        imp.transform(df.assign(extra=1.0))


def test_cli_impute_with_a_saved_model_fills_only_the_new_gaps(tmp_path):
    from click.testing import CliRunner

    from indgan.cli import cli

    df = _mixed(160)
    df.loc[::7, "flow"] = np.nan
    src, model = tmp_path / "logs.parquet", tmp_path / "imp.indgan"
    df.to_parquet(src)
    run = CliRunner().invoke
    res = run(
        cli, ["impute", str(src), "-o", str(tmp_path / "f.parquet"), "--iterations", "30", "--save", str(model), "-q"]
    )
    assert res.exit_code == 0, res.output
    assert model.exists() and f"--model-file {model}" in res.output
    new = _mixed(80, seed=9)
    new.loc[3:9, "temp"] = np.nan
    new.loc[::10, "mode"] = None
    new_path, out = tmp_path / "today.parquet", tmp_path / "today_filled.parquet"
    new.to_parquet(new_path)
    res = run(cli, ["impute", str(new_path), "-o", str(out), "--model-file", str(model), "-q"])
    assert res.exit_code == 0, res.output
    assert f"the imputer of {model}" in res.output, res.output  # no fit: the saved model filled it
    filled = pd.read_parquet(out)
    observed = new.notna()
    for c in new.columns:  # observed cells exactly as given, every gap filled
        assert (filled.loc[observed[c], c] == new.loc[observed[c], c]).all(), c
    assert filled.notna().all().all()
    pd.testing.assert_frame_equal(filled, GANImputer.load(model).transform(new))
    res = run(cli, ["impute", str(new_path), "-o", str(out), "--model-file", str(model), "--iterations", "5"])
    assert res.exit_code != 0 and "--iterations" in res.output
    other = tmp_path / "other.parquet"
    new.drop(columns="valve").to_parquet(other)
    res = run(cli, ["impute", str(other), "-o", str(out), "--model-file", str(model)])
    assert res.exit_code == 1 and "valve" in res.output and "Traceback" not in res.output


def test_cli_impute_a_database_with_a_saved_model_fills_only_new_nulls(tmp_path):
    import sqlite3

    from click.testing import CliRunner

    from indgan.cli import cli

    df = _mixed(150)
    df.insert(0, "id", np.arange(150))
    df.loc[::5, "temp"] = np.nan
    db = tmp_path / "plant.db"
    with sqlite3.connect(db) as con:
        df.to_sql("readings", con, index=False)
    url, model = f"sqlite:///{db}", tmp_path / "imp.indgan"
    run = CliRunner().invoke
    res = run(
        cli,
        ["impute", "--db", url, "--table", "readings", "--key", "id", "--iterations", "20", "--save", str(model), "-q"],
    )
    assert res.exit_code == 0, res.output
    with sqlite3.connect(db) as con:
        day1 = pd.read_sql("SELECT * FROM readings ORDER BY id", con)
        assert day1["temp"].notna().all()
        new = _mixed(40, seed=4)
        new.insert(0, "id", np.arange(150, 190))
        new.loc[new.index[::3], "flow"] = np.nan
        new.to_sql("readings", con, index=False, if_exists="append")
        before = pd.read_sql("SELECT * FROM readings ORDER BY id", con)
    res = run(cli, ["impute", "--db", url, "--table", "readings", "--key", "id", "--model-file", str(model), "-q"])
    assert res.exit_code == 0, res.output
    assert f"filled {int(new['flow'].isna().sum())} " in res.output, res.output
    with sqlite3.connect(db) as con:
        after = pd.read_sql("SELECT * FROM readings ORDER BY id", con)
    assert after.notna().all().all()
    pd.testing.assert_frame_equal(after.iloc[:150], day1)  # yesterday's rows untouched, fills included
    known = before.notna()
    for c in before.columns:
        assert (after.loc[known[c], c] == before.loc[known[c], c]).all(), c
