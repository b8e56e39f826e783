"""What real plant exports contain, handled or refused in one line (issue 15): each test names its defect."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indgan import GANImputer, LogGAN, TabularGAN, evaluate, infer_schema, read_table
from indgan.cli import cli
from indgan.errors import ConditionError, ConfigError, IndganError, ModelFileError

from .conftest import TINY

FAST_IMPUTER = dict(iterations=5, time_budget=None, verbose=False, random_state=0)
TINY_LOG = dict(epochs=1, time_budget=None, batch_size=100, verbose=False, random_state=0)


def _run(args, **kw):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=True, **kw)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def _log(n=240, seed=0, **cols):
    rng = np.random.default_rng(seed)
    d = pd.DataFrame(
        {
            "time": pd.date_range("2024-01-01", periods=n, freq="min"),
            "x": rng.normal(size=n).cumsum(),
            "y": rng.normal(size=n),
        }
    )
    for k, v in cols.items():
        d[k] = v
    return d


# 1 ---------------------------------------------------------------------------------------------- wide tables
def test_wide_table_with_a_categorical_after_127_tags_imputes(tmp_path):
    rng = np.random.default_rng(0)
    d = pd.DataFrame(rng.normal(size=(120, 150)), columns=[f"c{i}" for i in range(150)])
    d["mode"] = rng.choice(["A", "B"], 120)
    d.iloc[:5, 0] = np.nan
    d.loc[7, "mode"] = None
    out = GANImputer(**FAST_IMPUTER).fit_transform(d)
    assert out.isna().sum().sum() == 0
    assert out["mode"].iloc[7] in ("A", "B")
    pd.testing.assert_frame_equal(out.iloc[5:, 1:150], d.iloc[5:, 1:150])


# 2 ---------------------------------------------------------------------------------------------- infinities
@pytest.mark.parametrize("bad", [np.inf, -np.inf])
def test_infinity_is_a_bad_value_filled_never_spread(bad, caplog):
    rng = np.random.default_rng(1)
    d = pd.DataFrame({"a": rng.normal(size=200), "b": rng.normal(size=200)})
    d.loc[5, "a"] = bad
    d.loc[10:30, "a"] = np.nan
    with caplog.at_level(logging.WARNING):
        out = GANImputer(**FAST_IMPUTER).fit_transform(d)
    assert np.isfinite(out["a"]).all()  # every gap filled with a number, the infinity too
    assert out["a"].between(d["a"][np.isfinite(d["a"])].min() - 1e-9, d["a"][np.isfinite(d["a"])].max() + 1e-9).all()
    keep = np.isfinite(d["a"])
    assert (out.loc[keep, "a"] == d.loc[keep, "a"]).all()
    assert any("'a'" in r.getMessage() and "infinite" in r.getMessage() for r in caplog.records)


def test_infinity_in_an_array_is_filled_like_nan():
    x = np.random.default_rng(8).normal(size=(100, 3))
    x[3, 0] = np.inf
    x[5:9, 1] = np.nan
    f = GANImputer(**FAST_IMPUTER).fit_transform(x)
    assert np.isfinite(f).all() and (f[np.isfinite(x)] == x[np.isfinite(x)]).all()


def test_infinity_in_every_family_stays_out_of_ranges_and_samples():
    d = _log(y=np.where(np.arange(240) % 50 == 0, np.inf, np.random.default_rng(2).normal(size=240)))
    spec = infer_schema(d)["y"]
    assert np.isfinite([spec.minimum, spec.maximum]).all() and spec.has_missing
    rows = TabularGAN(random_state=0, **TINY).fit(d.drop(columns="time")).sample(300)
    assert np.isfinite(rows["y"].dropna()).all()
    log = LogGAN(**TINY_LOG).fit(d).sample()
    assert np.isfinite(log["y"].dropna()).all()


# 3, 4 ------------------------------------------------------------------------------------------ time columns
@pytest.mark.parametrize("fmt", ["%Y-%m-%d %H:%M:%S", "%d.%m.%Y %H:%M", "%m/%d/%Y %I:%M %p"])
def test_text_times_come_back_as_text_in_their_format(tmp_path, fmt):
    d = _log()
    d["time"] = d["time"].dt.strftime(fmt)
    path = tmp_path / "seq.csv"
    d.to_csv(path, index=False)
    real = read_table(path)
    out = LogGAN(**TINY_LOG).fit(real).sample()
    assert out["time"].dtype == object
    assert out["time"].iloc[:5].tolist() == real["time"].iloc[:5].tolist()  # the training shape, same strings


@pytest.mark.parametrize("zone", ["+01:00", "Europe/Berlin", "UTC"])
def test_time_zones_are_kept(zone):
    d = _log()
    d["time"] = d["time"].dt.tz_localize(zone)
    out = LogGAN(**TINY_LOG).fit(d).sample()
    assert str(out["time"].dtype) == str(d["time"].dtype)
    assert out["time"].iloc[0] == d["time"].iloc[0]


def test_strings_across_summer_time_keep_their_instants(tmp_path):
    t = pd.date_range("2024-03-31 00:00", periods=240, freq="min", tz="Europe/Berlin")
    d = _log()
    d["time"] = [v.isoformat() for v in t]
    spec = infer_schema(d)["time"]
    assert spec.time_format == "iso"
    from indgan.schema import time_values

    back = time_values(infer_schema(d).restore(infer_schema(d).view(d))["time"])
    assert (back.to_numpy() == time_values(d["time"]).to_numpy()).all()


# 5 ---------------------------------------------------------------------------------------------- CSV dialects
def test_one_column_csv_and_schedule_are_read_whole(tmp_path):
    (tmp_path / "x.csv").write_text("a\n1\n2\n3\n")
    assert read_table(tmp_path / "x.csv").columns.tolist() == ["a"]
    (tmp_path / "s.csv").write_text("fault\n0\n0\n4\n")
    from indgan.scenarios import read_schedule

    assert read_schedule(tmp_path / "s.csv") == {"fault": [0, 0, 4]}


def test_european_csv_with_units_row_and_windows_encoding(tmp_path):
    text = (
        "Zeit;T101 Temperatur °C;P202\n;degC;bar\n"
        "2024-01-01 00:00;1,5;3,25\n2024-01-01 00:01;1,625;3,5\n2024-01-01 00:02;1,75;Bad\n"
        "2024-01-01 00:03;1,875;3,75\n"
    )
    path = tmp_path / "eu.csv"
    path.write_bytes(text.encode("cp1252"))
    d = read_table(path)
    assert d.columns.tolist() == ["Zeit", "T101 Temperatur °C", "P202"]
    assert d["T101 Temperatur °C"].tolist() == [1.5, 1.625, 1.75, 1.875]
    assert d.attrs["units"] == {"T101 Temperatur °C": "degC", "P202": "bar"}
    spec = infer_schema(d)["P202"]
    assert spec.role == "continuous" and spec.statuses == ["Bad"]


def test_a_windows_byte_past_the_first_megabytes_is_read(tmp_path):
    rows = "".join(f"{i},{i * 0.5}\n" for i in range(400_000))  # ~5 MB of ASCII, then a cp1252 degree sign
    path = tmp_path / "late.csv"
    path.write_bytes(("tag,value\n" + rows + "°C,1.0\n").encode("cp1252"))
    d = read_table(path)
    assert len(d) == 400_001 and d["tag"].iloc[-1] == "°C"


def test_status_strings_in_the_first_row_are_data_not_units(tmp_path):
    path = tmp_path / "bad_first.csv"
    path.write_text("a,b\nBad,Bad\n1.5,2\n2.5,Bad\n3.5,4\n4.5,5\n")
    assert len(read_table(path)) == 5


# 6 ---------------------------------------------------------------------------------------------- nested parquet
def test_nested_parquet_columns_are_set_aside_and_passed_through(tmp_path):
    rng = np.random.default_rng(3)
    x = rng.normal(size=120)
    x[::7] = np.nan
    pq.write_table(
        pa.table({"x": x, "y": rng.normal(size=120), "l": [[1, 2]] * 120, "st": [{"a": 1, "b": "u"}] * 120}),
        tmp_path / "n.parquet",
    )
    d = read_table(tmp_path / "n.parquet")
    assert infer_schema(d)["l"].role == "ignored" and infer_schema(d)["st"].role == "ignored"
    filled = GANImputer(**FAST_IMPUTER).fit_transform(d)
    assert filled["x"].notna().all() and filled["l"].map(list).tolist() == d["l"].map(list).tolist()
    m = TabularGAN(random_state=0, **TINY).fit(d)
    assert list(m.sample(50).columns) == ["x", "y", "l", "st"]
    assert 0 < evaluate(d, d, discriminative=False).quality_score <= 1


# 7 ---------------------------------------------------------------------------------------------- large integers
def test_large_integer_codes_are_sampled_exactly():
    codes = np.array([2**62 + 1, 2**62 + 3, 2**62 + 7], dtype=np.int64)
    rng = np.random.default_rng(4)
    d = pd.DataFrame({"x": rng.normal(size=300), "code": rng.choice(codes, 300)})
    s = TabularGAN(random_state=0, **TINY).fit(d).sample(200)
    assert s["code"].dtype == np.int64 and set(s["code"]) <= set(codes.tolist())


# 8 ---------------------------------------------------------------------------------------------- model files
def test_empty_model_file_is_one_line(tmp_path):
    (tmp_path / "e.indgan").write_bytes(b"")
    from indgan import load_model

    with pytest.raises(ModelFileError, match="empty"):
        load_model(tmp_path / "e.indgan")
    r = _run(["sample", tmp_path / "e.indgan", "-n", "2"])
    assert r.exit_code == 1 and "empty" in r.output and "Traceback" not in r.output


# 9 ---------------------------------------------------------------------------------------------- exact CSV cells
def test_impute_from_csv_keeps_observed_cells_exact(tmp_path):
    rng = np.random.default_rng(5)
    v = rng.normal(size=(300, 3)) * 1234.5678
    d = pd.DataFrame(v, columns=["a", "b", "c"])
    d.iloc[::9, 0] = np.nan
    d["c"] = d["c"].map(repr).astype(object)
    d.loc[::7, "c"] = "Bad"  # a tag of numbers and status strings: read as text, its numbers must stay exact
    path = tmp_path / "in.csv"
    d.to_csv(path, index=False)
    texts = pd.read_csv(path, dtype=str)
    r = _run(["impute", path, "-o", tmp_path / "out.csv", "--iterations", "5", "--quiet"])
    assert r.exit_code == 0, r.output
    out = pd.read_csv(tmp_path / "out.csv", float_precision="round_trip")
    for c in "abc":
        seen = texts[c].notna() & (texts[c] != "Bad")
        assert (out.loc[seen, c].astype(float).to_numpy() == texts.loc[seen, c].map(float).to_numpy()).all(), c
    assert out["c"].notna().all() and pd.to_numeric(out["c"], errors="coerce").notna().all()  # "Bad" filled


# 10 --------------------------------------------------------------------------------------------- the quality score
def test_quality_with_no_correlated_pair_still_counts_pairs():
    rng = np.random.default_rng(6)
    real = pd.DataFrame(rng.normal(size=(400, 3)), columns=list("abc"))
    syn = pd.DataFrame(rng.normal(size=(400, 3)), columns=list("abc"))
    rep = evaluate(real, syn, discriminative=False)
    props = rep.properties.set_index("property")["score"]
    assert np.isfinite(props["Column Pair Trends"]) and np.isfinite(rep.quality_score)
    assert rep.default_pairs == 0 and "no pair passes them" in str(rep)


# 11 --------------------------------------------------------------------------------------------- the CLI's options
def test_repeated_key_and_condition_are_refused(tmp_path, small_parquet):
    r = _run(["impute", "--db", f"sqlite:///{tmp_path / 'p.db'}", "--table", "t", "--key", "id", "--key", "ts"])
    assert r.exit_code == 2 and "--key is given 2 times" in r.output
    r = _run(["fit", small_parquet, "--condition", "tag63", "--condition", "tag63", "--quiet"])
    assert r.exit_code == 2 and "given twice" in r.output


def test_undo_refuses_options_it_would_ignore(tmp_path):
    r = _run(["impute", "--undo", "abc", "--db", f"sqlite:///{tmp_path / 'p.db'}", "--table", "other"])
    assert r.exit_code == 2 and "--table" in r.output


def test_fit_names_ignored_and_constant_columns(tmp_path):
    rng = np.random.default_rng(7)
    d = pd.DataFrame(
        {"x": rng.normal(size=1200), "y": rng.normal(size=1200), "note": [f"n{i}" for i in range(1200)], "site": "A"}
    )
    d.to_parquet(tmp_path / "ign.parquet")
    r = _run(
        [
            "fit",
            tmp_path / "ign.parquet",
            "--epochs",
            "1",
            "--eval-rows",
            "0",
            "--quiet",
            "--out",
            tmp_path / "m.indgan",
        ]
    )
    assert r.exit_code == 0 and "1 ignored (note)" in r.output and "1 constant (site)" in r.output


def test_bad_output_suffix_is_refused_before_training(small_parquet, tmp_path):
    r = _run(["impute", small_parquet, "-o", tmp_path / "out.xlsx", "--iterations", "100000"])
    assert r.exit_code == 1 and "unsupported output type" in r.output and "filled" not in r.output


def test_database_api_wraps_a_broken_imputer(tmp_path):
    import sqlalchemy as sa

    from indgan.adapters.sql import DatabaseError, impute_table

    url = f"sqlite:///{tmp_path / 'p.db'}"
    pd.DataFrame({"id": range(20), "x": [1.0, None] * 10, "y": np.arange(20.0)}).to_sql(
        "t", sa.create_engine(url), index=False
    )

    class Broken:
        def fit_transform(self, X):
            raise RuntimeError("boom")

        transform = fit_transform

    with pytest.raises(DatabaseError, match="boom"):
        impute_table(url, "t", "id", imputer=Broken())
    with pytest.raises(DatabaseError, match="not an imputer"):
        impute_table(url, "t", "id", imputer=object())
    assert pd.read_sql("select * from t", url)["x"].isna().sum() == 10  # nothing written


def test_unbounded_scenario_is_refused(tmp_path):
    d = _log(fault=np.repeat([0, 1], 120))
    model = LogGAN(**TINY_LOG).fit(d, condition="fault")
    from indgan.scenarios import generate_scenarios

    with pytest.raises(ConditionError, match="split the schedule"):
        generate_scenarios(model, 1, conditions={"fault": [("0", 100_000_000)]})


# 12, 16 ----------------------------------------------------------------------------------------- configs
@pytest.fixture(scope="module")
def plant_parquet(tmp_path_factory, plant_slice):
    path = tmp_path_factory.mktemp("plant") / "plant.parquet"
    plant_slice.iloc[:300].to_parquet(path, index=False)
    return path


@pytest.mark.parametrize("name", ["default", "plant_logs", "quick", "sequence", "tabular"])
def test_every_preset_through_the_cli_by_name(plant_parquet, tmp_path, name):
    steps = ["--iterations", "2"] if name == "sequence" else ["--epochs", "1"]
    r = _run(
        [
            "fit",
            plant_parquet,
            "--config",
            name,
            *steps,
            "--eval-rows",
            "0",
            "--quiet",
            "--time-budget",
            "20s",
            "--out",
            tmp_path / "m.indgan",
        ]
    )
    assert r.exit_code == 0, r.output
    assert (tmp_path / "m.indgan").stat().st_size > 0


def test_unknown_preset_lists_the_presets(small_parquet):
    r = _run(["fit", small_parquet, "--config", "quik"])
    assert r.exit_code == 1 and "presets shipped with indgan" in r.output and "quick" in r.output


# 14, 15 ---------------------------------------------------------------------------------------- entry points, errors
def test_python_dash_m_indgan():
    r = subprocess.run([sys.executable, "-m", "indgan", "--help"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "fit" in r.stdout


def test_out_of_memory_is_one_line(small_parquet, tmp_path, monkeypatch):
    import torch

    def oom(self, *a, **k):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB")

    monkeypatch.setattr(TabularGAN, "fit", oom)
    r = _run(["fit", small_parquet, "--model", "tabular", "--quiet", "--out", tmp_path / "m.indgan"])
    assert r.exit_code == 1 and "out of memory" in r.output and "--batch-size" in r.output


@pytest.mark.parametrize(
    "cls,param", [(TabularGAN, "generator_lr"), (LogGAN, "critic_lr"), (GANImputer, "learning_rate")]
)
def test_negative_learning_rates_are_config_errors(cls, param):
    with pytest.raises(ConfigError, match=param):
        cls(**{param: -1e-3}).fit(_log())


# beyond the list ------------------------------------------------------------------------------ messy tables
STATUS = st.sampled_from(["Bad", "Scan Timeout", "", "I/O Timeout"])


@st.composite
def messy_tables(draw):
    n = draw(st.integers(min_value=2, max_value=80))
    rng = np.random.default_rng(draw(st.integers(0, 2**31 - 1)))
    cols = {}
    for i in range(draw(st.integers(min_value=1, max_value=6))):
        kind = draw(st.sampled_from(["float", "int", "status", "text", "bool", "nan", "inf", "const"]))
        if kind == "float":
            v = rng.normal(size=n) * 10 ** draw(st.integers(-3, 6))
        elif kind == "int":
            v = rng.integers(-5, 5 + draw(st.integers(0, 10**6)), size=n)
        elif kind == "status":
            v = np.where(rng.random(n) < 0.2, draw(STATUS), np.round(rng.normal(size=n), 3).astype(str)).astype(object)
        elif kind == "text":
            v = rng.choice(["A", "B", "", "ü"], n).astype(object)
        elif kind == "bool":
            v = rng.random(n) < 0.5
        elif kind == "nan":
            v = np.where(rng.random(n) < 0.5, np.nan, rng.normal(size=n))
        elif kind == "inf":
            v = np.where(rng.random(n) < 0.1, rng.choice([np.inf, -np.inf]), rng.normal(size=n))
        else:
            v = np.full(n, 3.0)
        cols[f"c{i}"] = v
    d = pd.DataFrame(cols)
    if draw(st.booleans()):
        t = pd.Series(pd.date_range("2024-01-01", periods=n, freq="5min"))
        how = draw(st.sampled_from(["sorted", "unsorted", "duplicated", "tz", "text", "gaps"]))
        if how == "unsorted":
            t = t.sample(frac=1, random_state=0).reset_index(drop=True)
        elif how == "duplicated" and n > 2:
            t.iloc[1] = t.iloc[0]
        elif how == "tz":
            t = t.dt.tz_localize("Europe/Berlin")
        elif how == "text":
            t = t.dt.strftime("%d.%m.%Y %H:%M")
        elif how == "gaps":
            t = t.where(rng.random(n) > 0.1)
        d.insert(0, "time", t)
    return d


def _fits(d: pd.DataFrame) -> None:
    schema = infer_schema(d)
    model = (LogGAN(**TINY_LOG) if schema.time_column else TabularGAN(random_state=0, **TINY)).fit(d)
    out = model.sample()
    assert list(out.columns) == list(d.columns)
    for c in d.columns:
        spec = schema[c]
        if spec.role in ("continuous", "categorical", "time", "entity", "constant") and not spec.statuses:
            assert str(out[c].dtype) == str(d[c].dtype) or (spec.has_missing and str(out[c].dtype) == "Int64"), c


@settings(
    max_examples=int(os.environ.get("INDGAN_MESSY_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(messy_tables())
def test_messy_tables_succeed_or_fail_with_an_indgan_error(d):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for step in (
            _fits,
            lambda d: GANImputer(**FAST_IMPUTER).fit_transform(d),
            lambda d: evaluate(d, d, discriminative=False),
        ):
            try:
                out = step(d)
            except IndganError:
                continue
            if isinstance(out, pd.DataFrame):  # impute: same columns, observed cells as given
                assert list(out.columns) == list(d.columns)
                schema = infer_schema(d)
                for c in d.columns:
                    if schema[c].role == "continuous":  # numbers kept; status strings and infinities are filled
                        num = pd.to_numeric(d[c], errors="coerce").astype(float)
                        seen = np.isfinite(num)
                        assert (pd.to_numeric(out[c], errors="coerce")[seen] == num[seen]).all(), c
                    else:
                        seen = d[c].notna()
                        assert out.loc[seen, c].astype(object).tolist() == d.loc[seen, c].astype(object).tolist(), c
