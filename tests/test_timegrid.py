"""The time grid: a grid per entity, gaps, windows and their round trip (property tests); the range encoding and the
per-condition scaling of the steps."""

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from indgan.errors import DataError
from indgan.encoding import RangeEncoder as StepEncoder
from indgan.timegrid import (
    apply_sample_hold,
    detect_sample_hold,
    infer_interval,
    make_windows,
    pad_entities,
    to_grid,
    window_starts,
    windows_to_rows,
)

FIVE_MIN = pd.Timedelta(minutes=5)


def _log(lengths, seed=0, start="2024-01-01"):
    """A regular log: one block of rows per entity, 5-minute samples, two tags and a mode."""
    rng = np.random.default_rng(seed)
    parts = []
    for k, n in enumerate(lengths):
        parts.append(
            pd.DataFrame(
                {
                    "unit": f"U{k}",
                    "time": pd.date_range(start, periods=n, freq=FIVE_MIN),
                    "flow": rng.normal(size=n).round(3),
                    "temp": rng.uniform(20, 80, size=n).round(2),
                    "mode": rng.choice(["run", "idle"], size=n),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


@settings(max_examples=40, deadline=None)
@given(
    lengths=st.lists(st.integers(1, 40), min_size=1, max_size=5).filter(lambda v: max(v) >= 2),
    seq_len=st.integers(1, 12),
    stride=st.integers(1, 6),
)
def test_windows_round_trip_to_the_original_rows(lengths, seq_len, stride):
    df = _log(lengths)
    grid = to_grid(df, "time", "unit")
    # a regular log maps one to one onto the grid
    assert grid.observed.all() and grid.n_merged == 0 and len(grid.frame) == len(df)
    pd.testing.assert_frame_equal(grid.frame, df, check_dtype=False)
    values = grid.frame[["flow", "temp"]].to_numpy()
    starts = window_starts(grid.offsets, seq_len, stride)
    w = make_windows(values, starts, seq_len)
    assert w.shape == (len(starts), seq_len, 2)
    # no window spans two entities
    ent = np.repeat(np.arange(len(lengths)), lengths)
    assert (make_windows(ent, starts, seq_len) == ent[starts][:, None]).all()
    back = windows_to_rows(w, starts, len(values))
    covered = np.zeros(len(values), bool)
    covered[(starts[:, None] + np.arange(seq_len)).ravel()] = True
    if stride <= seq_len:  # every row of a long enough entity is in a window
        np.testing.assert_array_equal(covered, np.repeat(np.asarray(lengths) >= seq_len, lengths))
    np.testing.assert_array_equal(back[covered], values[covered])
    assert np.isnan(back[~covered]).all()


@settings(max_examples=30, deadline=None)
@given(n=st.integers(5, 60), jitter=st.floats(0.0, 0.45), seed=st.integers(0, 1000))
def test_irregular_timestamps_snap_to_the_grid(n, jitter, seed):
    df = _log([n], seed=seed)
    rng = np.random.default_rng(seed)
    offsets = rng.uniform(-jitter, jitter, size=n) * FIVE_MIN.value
    offsets[0] = 0.0  # the grid starts at the first sample
    df["time"] = df["time"] + pd.to_timedelta(offsets.astype(np.int64), unit="ns")
    df = df[df["time"].diff().fillna(pd.Timedelta(1)) > pd.Timedelta(0)].reset_index(drop=True)
    grid = to_grid(df, "time", "unit", interval=float(FIVE_MIN.value))
    assert grid.observed.all() and len(grid.frame) == n
    steps = grid.frame["time"].diff().dropna()
    assert (steps == FIVE_MIN).all()
    np.testing.assert_array_equal(grid.frame["flow"].to_numpy(), df["flow"].to_numpy())  # values untouched


def test_gaps_stay_missing_and_are_never_interpolated():
    df = _log([50])
    outage = df.index[10:34]  # a 2-hour outage
    holed = df.drop(index=outage).reset_index(drop=True)
    grid = to_grid(holed, "time", "unit")
    assert len(grid.frame) == 50 and grid.n_gaps == 24
    assert not grid.observed[10:34].any() and grid.observed[:10].all() and grid.observed[34:].all()
    assert grid.frame.loc[10:33, ["flow", "temp", "mode"]].isna().all().all()
    assert (grid.frame["time"] == df["time"]).all()  # the grid times are filled, the values are not
    assert (grid.source_rows[grid.observed] == np.arange(len(holed))).all()
    enc = StepEncoder(["flow", "temp"], ["mode"]).fit(grid.frame[grid.observed])
    x, o = enc.transform(grid.frame, grid.observed)
    assert (o[10:34] == 0).all() and (x[10:34] == 0).all() and (o[:10] == 1).all()


def test_interval_is_the_median_step():
    df = _log([30])
    df = df.drop(index=[3, 4, 17]).reset_index(drop=True)
    assert infer_interval(df, "time", "unit") == FIVE_MIN.value
    numeric = pd.DataFrame({"batch": [1] * 6 + [2] * 4, "clock": [0, 2, 4, 6, 8, 10, 0, 2, 4, 6], "x": range(10)})
    assert infer_interval(numeric, "clock", "batch") == 2.0
    grid = to_grid(numeric, "clock", "batch")
    assert grid.frame["clock"].tolist() == numeric["clock"].tolist() and grid.lengths.tolist() == [6, 4]


@pytest.mark.parametrize(
    "case, message",
    [
        ("decreasing", "goes back before"),
        ("duplicate", "repeats"),
        ("missing", "empty or not a time"),
    ],
)
def test_bad_timestamps_are_refused_with_the_row(case, message):
    df = _log([10, 10])
    if case == "decreasing":
        df.loc[15, "time"] = df.loc[12, "time"]
    elif case == "duplicate":
        df.loc[5, "time"] = df.loc[4, "time"]
    else:
        df.loc[7, "time"] = pd.NaT
    with pytest.raises(DataError, match=message) as exc:
        to_grid(df, "time", "unit", source="logs.parquet")
    text = str(exc.value)
    assert "logs.parquet" in text and "row" in text
    if case != "missing":
        assert "unit 'U" in text  # names the entity


def test_pad_entities_masks_by_length():
    arr = np.arange(12, dtype=float)[:, None] + 1
    padded, lengths = pad_entities(arr, np.array([0, 5, 7, 12]))
    assert padded.shape == (3, 5, 1) and lengths.tolist() == [5, 2, 5]
    assert padded[1, 2:].sum() == 0 and padded[1, :2, 0].tolist() == [6, 7]


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(2, 50))
def test_step_encoder_round_trip(seed, n):
    df = _log([n], seed=seed)
    enc = StepEncoder(["flow", "temp"], ["mode"]).fit(df)
    x, o = enc.transform(df)
    assert x.min() >= 0 and x.max() <= 1 and (o == 1).all() and x.shape == (n, enc.dim)
    back = enc.inverse_transform(x)
    np.testing.assert_allclose(back["flow"], df["flow"], atol=1e-5 * max(1.0, np.ptp(df["flow"])))
    assert (back["mode"] == df["mode"]).all()
    enc2 = StepEncoder.from_dict(enc.to_dict())
    np.testing.assert_array_equal(enc2.transform(df)[0], x)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(12, 80))
def test_condition_scaler_round_trip_and_per_condition_moments(seed, n):
    import torch

    from indgan.sequence.prepare import ConditionScaler

    rng = np.random.default_rng(seed)
    mode = rng.choice(["run", "idle", "trip"], size=n)
    flow = np.where(mode == "run", 5.0, np.where(mode == "idle", 1.0, 0.2)) + rng.normal(0, 0.1, n)
    df = pd.DataFrame({"flow": flow, "temp": rng.uniform(20, 80, n), "mode": mode})
    enc = StepEncoder(["flow", "temp"], []).fit(df)
    cenc = StepEncoder([], ["mode"]).fit(df)
    x, o = enc.transform(df)
    c, _ = cenc.transform(df)
    sc = ConditionScaler(cenc.spans(), 2, min_count=2).fit(x, o, c)
    z = sc.transform(x, c)
    assert z.min() >= -1e-6 and z.max() <= 1 + 1e-6
    back = sc.inverse(torch.from_numpy(z), torch.from_numpy(c)).numpy()
    np.testing.assert_allclose(back, x, atol=1e-5)
    sc2 = ConditionScaler.from_dict(sc.to_dict())
    np.testing.assert_allclose(sc2.transform(x, c), z)
    # the same standardised value lands on each mode's own level: the mode's mean comes back by construction
    for level in set(mode):
        rows = mode == level
        if rows.sum() >= 2:
            np.testing.assert_allclose(sc.mean[sc.key(c[rows])[0], 0], x[rows, 0].mean(), atol=1e-6)


def test_condition_scaler_keeps_a_stuck_tag_exactly_constant():
    """A valve stuck under one fault (TEP's fault 21 fixes xmv_4) comes back exactly stuck, whatever the
    networks output for it; under the other conditions the inverse is unchanged."""
    from indgan.sequence.prepare import ConditionScaler

    rng = np.random.default_rng(0)
    fault = np.repeat([0, 21], 60)
    valve = np.where(fault == 21, 42.0, 40.0 + rng.normal(0, 1, 120))
    df = pd.DataFrame({"valve": valve, "fault": fault.astype(str)})
    enc = StepEncoder(["valve"], []).fit(df)
    cenc = StepEncoder([], ["fault"]).fit(df)
    x, o = enc.transform(df)
    c, _ = cenc.transform(df)
    sc = ConditionScaler(cenc.spans(), 1).fit(x, o, c)
    assert sc.constant[:, 0].tolist() == [False, True]
    noise = torch.rand(120, 1)  # anything the generator might write
    back = sc.inverse(noise, torch.from_numpy(c)).numpy()[:, 0]
    stuck = enc.inverse_transform(back[fault == 21][:, None])["valve"].to_numpy()
    np.testing.assert_allclose(stuck, 42.0, rtol=1e-6)
    assert np.std(back[fault == 0]) > 0.05
    assert ConditionScaler.from_dict(sc.to_dict()).constant.tolist() == sc.constant.tolist()
    old = sc.to_dict()
    del old["constant"]  # model files from before
    assert not ConditionScaler.from_dict(old).constant.any()


# ---------------------------------------------------------------------------------------------- sample and hold
def _staircase(rng, lengths, period, phases):
    """Per entity a random walk updated at steps t with (t - phase) % period == 0 and held in between."""
    parts = []
    for n, ph in zip(lengths, phases):
        walk = np.cumsum(rng.normal(size=n))
        t = np.arange(n)
        last = np.maximum(t - (t - ph) % period, 0)
        parts.append(walk[last])
    return np.concatenate(parts)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), period=st.integers(2, 7), n_ent=st.integers(1, 4), data=st.data())
def test_sample_hold_detects_period_and_phase_per_entity(seed, period, n_ent, data):
    rng = np.random.default_rng(seed)
    lengths = data.draw(st.lists(st.integers(12 * period, 40 * period), min_size=n_ent, max_size=n_ent))
    phases = data.draw(st.lists(st.integers(0, period - 1), min_size=n_ent, max_size=n_ent))
    offsets = np.r_[0, np.cumsum(lengths)]
    held = _staircase(rng, lengths, period, phases)
    noise = rng.normal(size=offsets[-1])  # changes every step
    quantised = np.round(rng.normal(size=offsets[-1]) * 0.7)  # repeats, at irregular lengths
    x = np.stack([noise, held, quantised, held * 2 + 1], 1)
    groups = detect_sample_hold(x, np.ones_like(x), offsets, ["noise", "held", "quantised", "held2"])
    assert len(groups) == 1
    g = groups[0]
    assert g.names == ["held", "held2"] and g.columns == [1, 3] and g.period == period
    assert g.phase.tolist() == phases
    # windows' phases counted from their own first step
    starts = offsets[:-1] + 3
    assert g.start_phase(starts, offsets).tolist() == [(p - 3) % period for p in phases]


def test_sample_hold_ignores_gaps_and_short_logs():
    rng = np.random.default_rng(0)
    held = _staircase(rng, [200], 4, [1])[:, None]
    o = np.ones_like(held)
    o[50:70] = 0  # an outage
    assert [g.period for g in detect_sample_hold(held, o, np.array([0, 200]), ["a"])] == [4]
    assert detect_sample_hold(held[:20], o[:20], np.array([0, 20]), ["a"]) == []  # too few runs to tell


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), period=st.integers(2, 6), steps=st.integers(2, 40))
def test_apply_sample_hold_holds_between_updates(seed, period, steps):
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(5, steps, 3, generator=g)
    phase = torch.randint(period, (5,), generator=g)
    out = apply_sample_hold(x, [0, 2], period, phase)
    assert torch.equal(out[..., 1], x[..., 1])  # other columns untouched
    for i in range(5):
        for t in range(steps):
            src = max(t - (t - int(phase[i])) % period, 0)
            assert torch.equal(out[i, t, [0, 2]], x[i, src, [0, 2]])
