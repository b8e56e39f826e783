"""Narrow historian tables <-> wide frames (indgan.adapters.historian): layout detection and refusal, last-value
alignment, staleness, qualities as status strings, duplicates, the round trip, the pivot against a reference
(property tests), and the deadband table of the real plant logs aligned back onto the log."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indgan.adapters.historian import (
    IMPUTED_QUALITY,
    SYNTHETIC_QUALITY,
    NarrowLayout,
    deadband_narrow,
    detect_layout,
    infer_interval,
    is_good_quality,
    quality_text,
    to_narrow,
    to_wide,
)
from indgan.errors import DataError

DATA = Path(__file__).resolve().parents[1] / "examples" / "data"
MIN5 = pd.Timedelta("5min")
T0 = pd.Timestamp("2024-03-01 00:00")
LAYOUT = NarrowLayout("time", "tag", "value", "quality")


def _narrow(rows, quality=True):
    """rows: (minutes after T0, tag, value, quality) -> a narrow table."""
    df = pd.DataFrame(rows, columns=["time", "tag", "value", "quality"])
    df["time"] = T0 + pd.to_timedelta(df["time"], unit="min")
    df["value"] = df["value"].astype("float64")
    return df if quality else df.drop(columns="quality")


@pytest.fixture(scope="module")
def plant() -> pd.DataFrame:
    return pd.read_parquet(DATA / "plant_logs.parquet")


@pytest.fixture(scope="module")
def plant_narrow(plant) -> pd.DataFrame:
    """The plant logs stored by exception (0.5% deadband, 8-hour CompMax), each row up to 0.9 step early."""
    return deadband_narrow(plant, "timestamp", deadband=0.005, jitter=0.9, seed=0)


# ---------------------------------------------------------------------------------------------- layout
def test_detect_layout_narrow(plant_narrow):
    assert detect_layout(plant_narrow) == NarrowLayout("timestamp", "tag", "value", "quality")
    rng = np.random.default_rng(0)
    # no name hints: the data decide (time repeats, names interleave); an OPC DA quality byte is found
    plain = pd.DataFrame(
        {
            "ts": np.repeat(pd.date_range("2024", periods=100, freq="1min"), 3),
            "k": np.tile(["FIC101.PV", "TI202.PV", "LI303.PV"], 100),
            "x": rng.normal(size=300),
            "q": np.where(rng.random(300) < 0.9, 192, 0),
        }
    )
    assert detect_layout(plain) == NarrowLayout("ts", "k", "x", "q")
    assert detect_layout(plain.drop(columns="q")) == NarrowLayout("ts", "k", "x", None)
    # exported tag after tag, irregular times, times as strings, metadata columns constant per tag
    by_tag = plain.drop(columns="q").sort_values(["k", "ts"]).reset_index(drop=True)
    by_tag["ts"] = (by_tag["ts"] + pd.to_timedelta(rng.integers(0, 50_000, 300), unit="ms")).astype(str)
    by_tag["units"] = by_tag["k"].map({"FIC101.PV": "m3/h", "TI202.PV": "degC", "LI303.PV": "degC"})
    by_tag["point_no"] = by_tag["k"].map({"FIC101.PV": 1, "TI202.PV": 2, "LI303.PV": 3})
    assert detect_layout(by_tag) == NarrowLayout("ts", "k", "x", None)
    # overrides and the forced layouts
    assert detect_layout(plain, quality=False, value="x") == NarrowLayout("ts", "k", "x", None)
    assert detect_layout(plain, layout="wide") is None


def test_detect_layout_wide(plant):
    assert detect_layout(plant) is None  # numbers and status strings, one column per tag
    assert detect_layout(pd.read_parquet(DATA / "tep.parquet")) is None  # runs stacked (entity), 52 tags
    rng = np.random.default_rng(1)
    n = 300
    wide = pd.DataFrame(
        {
            "time": pd.date_range("2024", periods=n, freq="1min"),
            "mode": np.repeat(["run", "idle", "run"], 100),  # a state column, not tag names
            "temp": rng.normal(size=n),
        }
    )
    assert detect_layout(wide) is None
    wide["flow"] = rng.normal(size=n)
    assert detect_layout(wide) is None
    # several assets in one long table (the entity named like one): wide, one column per tag
    long = pd.DataFrame(
        {
            "unit": np.repeat(["U0", "U1", "U2"], 100),
            "time": np.tile(pd.date_range("2024", periods=100, freq="5min"), 3),
            "flow": rng.normal(size=n),
            "temp": rng.normal(size=n),
            "mode": rng.choice(["run", "idle"], size=n),
        }
    )
    assert detect_layout(long) is None
    with pytest.raises(DataError, match="no tag-name column"):
        detect_layout(plant, layout="narrow")


def test_ambiguous_tables_are_refused_on_one_line():
    df = _narrow([(i, t, float(i), "Good") for i in range(20) for t in ("A", "B")])
    # two columns naming the same tags, both named like tag names (one such name would decide)
    twin = df.assign(name=df["tag"].map({"A": "flow A", "B": "flow B"}))
    with pytest.raises(DataError) as err:
        detect_layout(twin)
    msg = str(err.value)
    assert "'tag'" in msg and "'name'" in msg and "--tag-column" in msg and "--layout" in msg
    assert "\n" not in msg
    assert detect_layout(twin, tag="name") == NarrowLayout("time", "name", "value", "quality")
    assert detect_layout(twin.rename(columns={"name": "desc"})).tag == "tag"
    unnamed = twin.rename(columns={"tag": "k", "name": "label"})
    with pytest.raises(DataError, match="'k', 'label'"):
        detect_layout(unnamed)

    two = df.assign(value2=df["value"] * 2 + np.arange(len(df)) % 3).rename(columns={"value": "v_a", "value2": "v_b"})
    with pytest.raises(DataError) as err:
        detect_layout(two)
    msg = str(err.value)
    assert "'v_a'" in msg and "'v_b'" in msg and "--value-column" in msg and "\n" not in msg
    assert detect_layout(two, value="v_b").value == "v_b"
    with pytest.raises(DataError, match="--tag-column 'nope'"):
        detect_layout(df, tag="nope")


# ---------------------------------------------------------------------------------------------- alignment
def test_last_value_held_between_stored_changes():
    narrow = _narrow(
        [
            (0, "A", 1.0, "Good"),
            (2.5, "B", 7.0, "Good"),  # off the grid: in force from the next grid point
            (11, "A", 2.0, "Good"),
            (12, "A", 3.0, "Good"),  # supersedes 2.0 before the grid point at 15
            (20, "B", 8.0, "Good"),
        ]
    )
    wide, info = to_wide(narrow, LAYOUT, interval="5min", staleness=False)
    assert list(wide.columns) == ["time", "A", "B"]  # first-seen order
    assert list(wide["time"]) == list(pd.date_range(T0, periods=5, freq=MIN5))
    np.testing.assert_array_equal(wide["A"], [1.0, 1.0, 1.0, 3.0, 3.0])
    np.testing.assert_array_equal(wide["B"], [np.nan, 7.0, 7.0, 7.0, 8.0])
    assert wide["A"].dtype == np.float64
    assert (info.n_steps, info.n_tags, info.n_rows_in, info.n_superseded) == (5, 2, 5, 1)
    assert (info.n_cells_stored, info.n_cells_held, info.n_cells_before) == (4, 5, 1)
    assert info.interval == MIN5 and info.staleness is None
    assert "5 steps of 5min" in info.describe() and "\n" not in info.describe()
    # the grid's phase: a table stored on a grid keeps its times; irregular times get round clock times
    shifted = narrow.assign(time=narrow["time"] + pd.Timedelta("2min"))
    assert to_wide(shifted.iloc[[0, 2, 4]], LAYOUT, interval="5min")[0]["time"].iloc[0] == T0 + pd.Timedelta("2min")
    jittered = narrow.assign(time=narrow["time"] - pd.to_timedelta([40, 10, 70, 5, 20], unit="s"))
    assert list(to_wide(jittered, LAYOUT, interval="5min")[0]["time"]) == list(wide["time"])
    # the input's order does not matter; a tz-aware time keeps its zone
    shuffled = narrow.sample(frac=1.0, random_state=3)
    pd.testing.assert_frame_equal(to_wide(shuffled, LAYOUT, interval="5min", staleness=False)[0], wide)
    aware = narrow.assign(time=narrow["time"].dt.tz_localize("Europe/Berlin"))
    wide_tz = to_wide(aware, LAYOUT, interval="5min", staleness=False)[0]
    assert str(wide_tz["time"].dt.tz) == "Europe/Berlin" and wide_tz["time"].iloc[0] == aware["time"].iloc[0]


def test_staleness_turns_long_silences_into_missing():
    rows = [(5 * i, f"A{k}", float((i + k) % 7), "Good") for i in range(100) for k in range(5)]  # every step
    rows += [(5 * i, f"C{k}", float(i % 2), "Good") for i in range(0, 100, 4) for k in range(5)]  # every 4th step
    rows += [(0, "B", 1.0, "Good"), (5, "B", 2.0, "Good"), (300, "B", 3.0, "Good")]  # B: silent 295 minutes
    narrow = _narrow(rows)
    wide, info = to_wide(narrow, LAYOUT, interval="5min", staleness="30min")
    b = wide["B"].to_numpy()
    # held up to 30 minutes after the stored row at 5 min (grid points 5..35), missing until the next row at 300
    np.testing.assert_array_equal(b[1:8], 2.0)
    assert np.isnan(b[8:60]).all() and b[60] == 3.0 and np.isnan(b[67:]).all()
    assert not wide.drop(columns=["time", "B"]).isna().any().any()
    assert info.n_cells_stale == 52 + (100 - 67) and info.staleness == pd.Timedelta("30min")
    # default: max(10 x step, 2 x 90th percentile over tags of the longest gap: 20 min) = 50 min
    wide_d, info_d = to_wide(narrow, LAYOUT, interval="5min")
    assert info_d.staleness == pd.Timedelta("50min") and "silent > 50min" in info_d.describe()
    assert wide_d["B"].to_numpy()[11] == 2.0 and np.isnan(wide_d["B"].to_numpy()[12])
    held, _ = to_wide(narrow, LAYOUT, interval="5min", staleness=False)
    assert (held["B"].to_numpy()[1:60] == 2.0).all()
    # compressed tags silent for hours, as most of a table's are, keep being held by default
    slow = _narrow([(60 * i, t, float(i + k), "Good") for i in range(12) for k, t in enumerate("XY")])
    slow = pd.concat([slow, _narrow([(5 * i, "Z", float(i), "Good") for i in range(0, 132)])], ignore_index=True)
    wide_s, info_s = to_wide(slow, LAYOUT)
    assert info_s.interval == MIN5 and info_s.n_cells_stale == 0 and not wide_s[["X", "Y"]].isna().any().any()


def test_quality_flags_become_status_strings():
    narrow = _narrow(
        [
            (0, "A", 1.0, "Good"),
            (5, "A", 9.9, "Comm Failure"),  # the number beside a bad quality is dropped
            (15, "A", 2.0, "good"),
            (0, "B", 5.0, "G"),
            (5, "B", 6.0, "Bad"),
            (10, "B", np.nan, None),  # no quality: good (an empty value stays missing)
            (15, "B", 7.0, "Uncertain"),
        ]
    )
    wide, info = to_wide(narrow, LAYOUT, interval="5min", staleness=False)
    assert list(wide["A"]) == [1.0, "Comm Failure", "Comm Failure", 2.0]
    assert (
        wide["B"].iloc[:2].tolist() == [5.0, "Bad"] and np.isnan(wide["B"].iloc[2]) and wide["B"].iloc[3] == "Uncertain"
    )
    assert info.n_cells_bad == 4 and info.good_quality == "Good"
    # good= replaces the rule
    assert to_wide(narrow, LAYOUT, interval="5min", good=["good", "g", "uncertain"])[0]["B"].iloc[3] == 7.0
    # OPC DA codes (192 good, named bad codes), 0-is-good codes, OPC UA status codes
    assert is_good_quality([192, 216, 0, 24, 64]).tolist() == [True, True, False, False, False]
    assert is_good_quality([0, 1, 16]).tolist() == [True, False, False]
    assert is_good_quality([0, 0x80310000, 0x40000000]).tolist() == [True, False, False]
    assert is_good_quality(["Good", "GoodLocalOverride", "OK", "Bad", "Questionable", None]).tolist() == [
        True, True, True, False, False, True
    ]  # fmt: skip
    assert (quality_text(0), quality_text(24), quality_text(1), quality_text(0x80310000, "ua")) == (
        "Bad", "Comm Failure", "Bad (Low Limited)", "Bad (0x80310000)"
    )  # fmt: skip
    codes = narrow.assign(quality=[192, 24, 192, 192, 0, 192, 64])
    wide_c, info_c = to_wide(codes, LAYOUT, interval="5min", staleness=False)
    assert list(wide_c["A"]) == [1.0, "Comm Failure", "Comm Failure", 2.0]
    assert wide_c["B"].iloc[1] == "Bad" and wide_c["B"].iloc[3] == "Uncertain"
    back = to_narrow(wide_c, LAYOUT, info_c)
    assert back["quality"].dtype == np.int64 and set(back["quality"]) == {192, 24, 0, 64}
    # status text in the value column itself (a digital state) is a status too
    states = _narrow([(0, "A", 1.0, None), (5, "A", 2.0, None)], quality=False)
    states["value"] = pd.Series([1.0, "I/O Timeout"], dtype=object)
    wide_s, info_s = to_wide(states, NarrowLayout("time", "tag", "value"), interval="5min")
    assert list(wide_s["A"]) == [1.0, "I/O Timeout"] and info_s.n_cells_bad == 1


def test_duplicated_time_tag_rows_keep_the_last():
    narrow = _narrow(
        [
            (0, "A", 1.0, "Good"),
            (0, "A", 1.5, "Good"),  # same time and tag: this one wins
            (5, "A", 2.0, "Good"),
            (5, "B", 3.0, "Good"),
            (5, "B", 3.5, "Bad"),
            (5, "B", 4.0, "Good"),
        ]
    )
    wide, info = to_wide(narrow, LAYOUT, interval="5min")
    assert wide["A"].tolist() == [1.5, 2.0] and wide["B"].iloc[1] == 4.0
    assert info.n_duplicates == 3 and "3 duplicated" in info.describe()
    reordered = narrow.iloc[[1, 0, 2, 5, 4, 3]]  # the last in the table's order wins, whatever the times
    wide_r, _ = to_wide(reordered, LAYOUT, interval="5min")
    assert wide_r["A"].iloc[0] == 1.0 and wide_r["B"].iloc[1] == 3.0


def test_infer_interval_follows_the_busy_tags():
    rng = np.random.default_rng(2)
    rows = []
    for k in range(6):  # busy tags: every 10 s, each row up to 8 s early
        t = np.arange(0, 3600, 10) - rng.uniform(0, 8, 360)
        rows += [(s / 60, f"fast{k}", float(i), "Good") for i, s in enumerate(t)]
    for k in range(20):  # compressed tags: a change every few minutes to hours
        t = np.cumsum(rng.exponential(900, 6))
        rows += [(s / 60, f"slow{k}", float(i), "Good") for i, s in enumerate(t)]
    rows += [(s / 60, "burst", float(i), "Good") for i, s in enumerate(np.arange(0, 60, 0.5))]  # one tag at 0.5 s
    narrow = _narrow(rows)
    assert infer_interval(narrow, LAYOUT) == pd.Timedelta("10s")
    assert infer_interval(narrow) == pd.Timedelta("10s")  # layout detected
    with pytest.raises(DataError, match="interval="):
        infer_interval(_narrow([(0, "A", 1.0, "Good"), (0, "B", 1.0, "Good")]), LAYOUT)


def test_refusals():
    narrow = _narrow([(0, "A", 1.0, "Good"), (5, "A", 2.0, "Good")])
    bad_time = narrow.astype({"time": object})
    bad_time.loc[1, "time"] = "not a time"
    with pytest.raises(DataError, match="row 1"):
        to_wide(bad_time, LAYOUT, interval="5min")
    with pytest.raises(DataError, match="cells"):
        to_wide(narrow, LAYOUT, interval="1ms", max_cells=1000)
    with pytest.raises(DataError, match="not in the table"):
        to_wide(narrow, NarrowLayout("time", "tag", "val"))


# ---------------------------------------------------------------------------------------------- round trip
def test_round_trip_keeps_stored_changes_and_marks():
    narrow = _narrow(
        [
            (0, "A", 1.0, "Good"),
            (0, "B", 4.0, "Good"),
            (10, "A", 2.0, "Good"),
            (15, "B", np.nan, "Bad"),
            (20, "B", 5.0, "Good"),
        ]
    )
    wide, info = to_wide(narrow, LAYOUT, interval="5min")
    back = to_narrow(wide, LAYOUT, info)
    pd.testing.assert_frame_equal(back, narrow)
    every = to_narrow(wide, LAYOUT, info, changes_only=False)
    assert len(every) == 2 * 5 and every["tag"].tolist()[:4] == ["A", "B", "A", "B"]
    marked = to_narrow(wide, LAYOUT, info, quality_marker="Substituted")
    assert marked["quality"].tolist() == ["Substituted", "Substituted", "Substituted", "Bad", "Substituted"]
    mask = np.zeros((5, 2), dtype=bool)
    mask[4, 1] = True  # only B at 20 min
    some = to_narrow(wide, LAYOUT, info, quality_marker="indgan", marked=mask)
    assert some["quality"].tolist() == ["Good", "Good", "Good", "Bad", "indgan"]
    no_q = to_narrow(wide, NarrowLayout("time", "tag", "value"))
    assert list(no_q.columns) == ["time", "tag", "value"] and no_q["value"].tolist()[3] == "Bad"


@pytest.mark.parametrize("marker", [SYNTHETIC_QUALITY, IMPUTED_QUALITY])
def test_indgans_own_rows_read_back_as_values(marker):
    """A synthetic narrow sample (quality "indgan") or a table filled in place ("Substituted (indgan)") reads back
    as the numbers written, not as status strings ("Substituted" from anyone else stays a status)."""
    narrow = _narrow([(0, "A", 1.0, "Good"), (5, "A", 2.0, "Good"), (10, "B", np.nan, "Bad"), (15, "B", 3.0, "Good")])
    wide, info = to_wide(narrow, LAYOUT, interval="5min")
    ours = to_narrow(wide, LAYOUT, info, quality_marker=marker)
    again, info2 = to_wide(ours, LAYOUT, interval="5min")
    pd.testing.assert_frame_equal(again, wide)
    assert info2.n_cells_bad == info.n_cells_bad == 1
    theirs = to_narrow(wide, LAYOUT, info, quality_marker="Substituted")
    assert to_wide(theirs, LAYOUT, interval="5min")[0]["A"].tolist()[:2] == ["Substituted", "Substituted"]


VALUES = st.sampled_from([0.0, 1.5, -2.25, 3.0, 1e-300, "Bad", "Comm Failure"])


@st.composite
def grid_tables(draw):
    """A narrow table on a 5-minute grid (phase 2.5 min): up to 4 tags, 40 steps, repeats and statuses."""
    n_tags = draw(st.integers(1, 4))
    cells = draw(st.lists(st.tuples(st.integers(0, 39), st.integers(0, n_tags - 1), VALUES), min_size=1, max_size=60))
    rows = [
        (2.5 + 5 * s, f"T{k}", np.nan if isinstance(v, str) else v, v if isinstance(v, str) else "Good")
        for s, k, v in cells
    ]
    return _narrow(rows)


def _changes(narrow: pd.DataFrame) -> pd.DataFrame:
    """The stored changes: the last row per (time, tag), then only rows that differ from the tag's previous one."""
    last = narrow.drop_duplicates(["time", "tag"], keep="last").sort_values(["tag", "time"], kind="stable")
    key = last["value"].astype(str) + "|" + last["quality"].astype(str)
    changed = key != key.groupby(last["tag"]).shift()
    out = last[changed].sort_values(["time", "tag"]).reset_index(drop=True)
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grid_tables())
def test_round_trip_property(narrow):
    wide, info = to_wide(narrow, LAYOUT, interval="5min", staleness=False)
    assert info.n_duplicates == len(narrow) - len(narrow.drop_duplicates(["time", "tag"]))
    back = to_narrow(wide, LAYOUT, info).sort_values(["time", "tag"]).reset_index(drop=True)
    expected = _changes(narrow)
    if (expected["quality"] == "Good").any():
        pd.testing.assert_frame_equal(back, expected, check_dtype=False)
    else:  # no number at all: no good quality seen
        pd.testing.assert_frame_equal(back.drop(columns="quality"), expected.drop(columns="quality"), check_dtype=False)


@st.composite
def irregular_tables(draw):
    """Rows at any millisecond within two hours, up to 3 tags, statuses among numbers."""
    n = draw(st.integers(1, 40))
    rows = [
        (
            draw(st.integers(0, 7_200_000)) / 60_000,
            draw(st.sampled_from(["A", "B", "C"])),
            draw(st.floats(-5, 5, allow_nan=False)),
            draw(st.sampled_from(["Good", "Good", "Good", "Bad"])),
        )
        for _ in range(n)
    ]
    return _narrow(rows)


def _reference(narrow: pd.DataFrame, grid: pd.Series, staleness: pd.Timedelta | None) -> dict:
    """Cell by cell, the slow way: the last row (in time, then table order) at or before each grid time."""
    out = {}
    for tag in narrow["tag"].unique():
        rows = narrow[narrow["tag"] == tag]
        col = []
        for g in grid:
            before = rows[rows["time"] <= g]
            if before.empty:
                col.append(np.nan)
                continue
            row = before[before["time"] == before["time"].max()].iloc[-1]
            if staleness is not None and g - row["time"] > staleness:
                col.append(np.nan)
            else:
                col.append(row["value"] if row["quality"] == "Good" else row["quality"])
        out[tag] = col
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(irregular_tables(), st.sampled_from([None, "12min", "1h"]))
def test_pivot_matches_the_reference(narrow, staleness):
    wide, info = to_wide(narrow, LAYOUT, interval="5min", staleness=staleness or False)
    grid = wide["time"]
    assert (grid.diff().dropna() == MIN5).all()
    first, last = narrow["time"].min(), narrow["time"].max()
    assert first <= grid.iloc[0] < first + MIN5 and last <= grid.iloc[-1] < last + MIN5
    expected = _reference(narrow, grid, None if staleness is None else pd.Timedelta(staleness))
    assert list(wide.columns[1:]) == list(narrow["tag"].unique())
    for tag, col in expected.items():
        got = wide[tag].tolist()
        assert len(got) == len(col)
        for a, b in zip(got, col):
            assert (isinstance(a, float) and isinstance(b, float) and np.isnan(a) and np.isnan(b)) or a == b, (tag, got)
    cells = info.n_cells_stored + info.n_cells_held + info.n_cells_stale + info.n_cells_before
    assert cells == info.n_steps * info.n_tags


# ---------------------------------------------------------------------------------------------- real data
def test_deadband_plant_logs_align_back_onto_the_log(plant, plant_narrow):
    narrow = plant_narrow
    n_cells = len(plant) * (plant.shape[1] - 1)
    assert len(narrow) < 0.4 * n_cells  # compressed
    times = narrow["timestamp"]
    assert (times != times.dt.floor("5min")).mean() > 0.8  # tags have their own irregular times
    assert set(narrow["quality"]) == {"Good", "Bad", "Inp OutRange", "Scan Timeout"}

    wide, info = to_wide(narrow)
    assert info.interval == MIN5 and info.n_cells_stale == 0 and info.n_cells_before == 0
    assert wide["timestamp"].equals(plant["timestamp"])
    assert list(wide.columns[1:]) == list(pd.unique(narrow["tag"]))  # first-seen order
    assert set(wide.columns) == set(plant.columns)
    for tag in plant.columns[1:]:
        log = pd.to_numeric(plant[tag], errors="coerce")
        got = pd.to_numeric(wide[tag], errors="coerce")
        numeric = log.notna()
        span = log.max() - log.min()
        assert got[numeric].notna().all(), tag
        assert (got[numeric] - log[numeric]).abs().max() <= 0.005 * span + 1e-12, tag
        if (~numeric).any():  # status cells reproduced exactly
            assert wide[tag][~numeric].tolist() == plant[tag][~numeric].str.strip().tolist(), tag
    # and without the deadband (every change stored), the log comes back exactly
    part = plant.iloc[:300, :12]
    exact, _ = to_wide(deadband_narrow(part, "timestamp", deadband=0.0, jitter=0.5, seed=1))
    for tag in part.columns[1:]:
        log = pd.to_numeric(part[tag], errors="coerce")
        got = pd.to_numeric(exact[tag], errors="coerce")
        assert got.equals(log), tag
        if log.isna().any():
            assert exact[tag][log.isna()].tolist() == part[tag][log.isna()].str.strip().tolist(), tag
