import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indgan import ConfigError, DataError, infer_schema
from indgan.schema import MISSING, OK, code_label, load_config
from indgan.schema.values import status_codes

from .conftest import CONSTANT_TAGS, STATUS_TAGS


def test_real_plant_roles(plant):
    schema = infer_schema(plant)
    assert schema.time_column == "timestamp"
    assert sorted(c.name for c in schema.columns if c.statuses) == sorted(STATUS_TAGS)
    assert schema["tag70"].statuses == ["Bad"]
    assert schema["tag36"].statuses == ["Scan Timeout"]
    assert sorted(c.name for c in schema.by_role("constant")) == sorted(CONSTANT_TAGS)
    assert {c.name for c in schema.by_role("categorical")} == {"tag3", "tag63", "tag64"}
    assert "tag70:status" in schema.condition_candidates()
    assert schema["timestamp"].resolution == 300e9  # 5-minute samples


def test_view_splits_status_and_does_not_touch_input(plant_slice):
    before = plant_slice.copy()
    schema = infer_schema(plant_slice)
    view = schema.view(plant_slice)
    pd.testing.assert_frame_equal(plant_slice, before)
    bad = plant_slice["tag70"] == "Bad"
    assert view.loc[bad, "tag70"].isna().all()
    assert (view.loc[bad, "tag70:status"] == "Bad").all()
    assert (view.loc[~bad, "tag70:status"] == OK).all()
    assert "tag4" not in view  # constant: set aside
    restored = schema.restore(view)
    assert list(restored.columns) == list(plant_slice.columns)
    assert (restored["tag70"].astype(str) == plant_slice["tag70"].astype(str)).all()
    assert (restored["tag4"] == plant_slice["tag4"]).all()


def test_status_codes_are_status_levels_and_written_back_as_numbers():
    rng = np.random.default_rng(0)
    n = 3000
    temp = rng.normal(15.0, 5.0, n).round(2)
    bad = rng.choice(n, 12, replace=False)
    temp[bad] = -273.2  # an open-circuit input
    plateau = rng.normal(50.0, 2.0, n)
    plateau[:600] = -0.43  # a shutdown value on 20% of the rows: an operating state, not a code
    heavy = rng.standard_t(2, n)  # far values, none repeated
    df = pd.DataFrame({"temp": temp, "plateau": plateau, "heavy": heavy})
    schema = infer_schema(df)
    assert schema["temp"].codes == [-273.2] and schema["plateau"].codes == [] and schema["heavy"].codes == []
    assert schema["temp"].minimum > -10  # the range is the tag's, not the code's
    view = schema.view(df)
    assert view.loc[bad, "temp"].isna().all() and (view.loc[bad, "temp:status"] == "-273.2").all()
    assert (view["temp:status"] == OK).sum() == n - 12
    back = schema.restore(view)
    pd.testing.assert_frame_equal(back, df)  # float64 as it came, the code back as the number
    assert "status codes: -273.2" in schema.describe().set_index("column").loc["temp", "notes"]
    assert type(schema).from_dict(schema.to_dict())["temp"].codes == [-273.2]  # saved with the model


@settings(max_examples=40, deadline=None)
@given(
    st.floats(-1e4, 1e4),
    st.floats(1e-3, 1e3),
    st.integers(3, 20),
    st.sampled_from([-1, 1]),
    st.floats(5.0, 1e3),
)
def test_far_repeated_numbers_are_codes_and_round_trip(level, scale, count, side, far):
    rng = np.random.default_rng(count)
    x = level + scale * rng.standard_normal(2000)
    code = float(np.float32(level + side * far * 10 * scale))  # beyond the tag's range by more than its width
    x[rng.choice(2000, count, replace=False)] = code
    assert status_codes(x) == [code]
    near = x.copy()
    near[near == code] = level + scale  # the same repeats inside the range: values
    assert status_codes(near) == []
    df = pd.DataFrame({"x": x})
    schema = infer_schema(df)
    view = schema.view(df)
    assert (view["x:status"] == code_label(code)).sum() == count
    pd.testing.assert_frame_equal(schema.restore(view), df)


def test_missing_values_get_an_indicator():
    x = np.linspace(0, 1, 20)
    x[1] = np.nan
    df = pd.DataFrame({"x": x, "y": list("abab") * 5})
    schema = infer_schema(df)
    assert schema["x"].status_column == "x:status"
    assert schema.view(df)["x:status"].tolist()[:2] == [OK, MISSING]


def test_string_timestamps_are_time():
    df = pd.DataFrame(
        {"when": pd.date_range("2024-01-01", periods=30, freq="min").astype(str), "flow": np.linspace(0, 1, 30)}
    )
    assert infer_schema(df).time_column == "when"


@pytest.mark.parametrize(
    "df, message",
    [
        (pd.DataFrame({"a": [1.0, 2.0], "b": [np.nan, np.nan]}), "entirely missing"),
        (pd.DataFrame({"a": [1, 1, 1], "b": ["x", "x", "x"]}), "no usable column"),
        (pd.DataFrame({"a": []}), "no rows"),
        (pd.DataFrame([[1, 2]], columns=["a", "a"]), "duplicate column"),
    ],
)
def test_bad_tables(df, message):
    with pytest.raises(DataError, match=message):
        infer_schema(df)


def test_overrides_from_toml(tmp_path, small):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[columns]\ncategorical = ["tag95"]\nignore = ["tag1"]\n')
    schema = infer_schema(small, overrides=load_config(cfg)["columns"])
    assert schema["tag95"].role == "categorical"
    assert schema["tag1"].role == "ignored"
    with pytest.raises(ConfigError, match="no column 'nope'"):
        infer_schema(small, overrides={"continuous": ["nope"]})
    bad = tmp_path / "bad.toml"
    bad.write_text("[columns\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)


def test_presets_parse(small):
    from pathlib import Path

    for path in sorted((Path(__file__).resolve().parents[1] / "configs").glob("*.toml")):
        cfg = load_config(path)
        assert set(cfg) <= {"columns", "model", "schema"}
