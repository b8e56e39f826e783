"""The log model's per-tag smoothing (indgan.log.smoothing): each sequence keeps its values, the paths are smoother
and not delayed, redundant tags' residuals stay N(0, 1), the calibration chooses it where it helps, and a log drawn in
parts is the log drawn whole in both of the stream's modes."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indgan import LogGAN
from indgan.log.followers import smoothed_scores
from indgan.log.smoothing import apply_map, fit_map, gaussian_smooth, radius, rank_smooth, run_hold
from indgan.persist import load_model_file, save_model_file
from indgan.stats import log_autocorrelation, step_change_scores

from .conftest import DATA
from .test_log import TINY_LOG


def lag1(x: np.ndarray) -> float:
    return float(np.corrcoef(x[1:], x[:-1])[0, 1])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.one_of(st.floats(-1e6, 1e6), st.just(float("nan"))), min_size=1, max_size=200),
    st.lists(st.integers(0, 200), max_size=4),
    st.sampled_from([0.0, 0.5, 2.0, 7.0]),
)
def test_rank_smooth_keeps_each_sequences_values_and_gaps(values, cuts, width):
    x = np.asarray(values, np.float64)
    n = len(x)
    edges = sorted({min(c, n) for c in cuts} | {0, n})
    bounds = [(a, b) for a, b in zip(edges[:-1], edges[1:]) if b > a][:-1] or [(0, n)]  # the tail may be outside
    out = rank_smooth(x, width, bounds)
    np.testing.assert_array_equal(np.isnan(out), np.isnan(x))
    for a, b in bounds:
        np.testing.assert_array_equal(np.sort(out[a:b][np.isfinite(out[a:b])]), np.sort(x[a:b][np.isfinite(x[a:b])]))
    inside = np.zeros(n, bool)
    for a, b in bounds:
        inside[a:b] = True
    np.testing.assert_array_equal(out[~inside], x[~inside])
    if width == 0:
        np.testing.assert_array_equal(out, x)


def test_rank_smooth_makes_white_noise_smooth_without_delay():
    rng = np.random.default_rng(0)
    x = rng.normal(size=4000)
    out = rank_smooth(x, 4.0, [(0, 4000)])
    assert abs(lag1(x)) < 0.05 and lag1(out) > 0.9
    np.testing.assert_array_equal(np.sort(out), np.sort(x))
    # zero phase: a step at t = 100 is crossed half way at the step itself, not later
    step = np.r_[np.zeros(100), np.ones(100)]
    s = gaussian_smooth(step, 8.0, [(0, 200)])
    assert s[99] < 0.5 < s[100] and abs(s[99] + s[100] - 1.0) < 1e-12
    # NaN cells are left out of the weighted mean and stay missing
    gappy = step.copy()
    gappy[50:60] = np.nan
    g = gaussian_smooth(gappy, 8.0, [(0, 200)])
    assert np.isnan(g[50:60]).all() and np.allclose(g[:40], 0.0)
    assert radius(8.0) == 32 and radius(0.0) == 0


def test_the_map_keeps_a_point_mass_and_the_range():
    """Beyond sequences drawn whole the stream maps the smoothed path through quantile tables: a tag resting at a
    limit 40% of the time stays exactly there as often, and nothing leaves the path's range."""
    rng = np.random.default_rng(1)
    x = np.where(rng.random(20_000) < 0.4, 0.0, rng.gamma(2.0, size=20_000))
    bounds = [(0, 20_000)]
    levels, values = fit_map(x, 4.0, bounds)
    y = rng.permutation(x)  # another path of the same law
    out = apply_map(y, 4.0, bounds, levels, values)
    assert abs((out == 0.0).mean() - 0.4) < 0.03
    assert out.min() >= x.min() and out.max() <= x.max()
    assert lag1(out) > 0.8


def test_smoothed_residual_scores_stay_standard_normal():
    rng = np.random.default_rng(2)
    n, phi, white = 200_000, 0.9, 0.3
    ar = np.zeros(n)
    eps = rng.normal(size=n)
    ar[0] = eps[0]
    for t in range(1, n):  # a test's reference process, not library code
        ar[t] = phi * ar[t - 1] + np.sqrt(1 - phi * phi) * eps[t]
    e = np.sqrt(1 - white) * ar + np.sqrt(white) * rng.normal(size=n)
    s = smoothed_scores(e, 4.0, phi, white, [(0, n)])
    assert abs(s.std() - 1.0) < 0.03 and abs(s.mean()) < 0.05
    assert lag1(s) > lag1(e) + 0.2


#: slow plant tags (temperatures, levels) and two redundant pairs (tag24 <- tag38, tag34 <- tag33)
SMOOTH_TAGS = ["tag38", "tag86", "tag41", "tag33", "tag34", "tag24"]


@pytest.fixture(scope="module")
def slow_part():
    plant = pd.read_parquet(DATA / "plant_logs.parquet")
    return plant[["timestamp", *SMOOTH_TAGS]].iloc[:1500].reset_index(drop=True)


@pytest.fixture(scope="module")
def slow_model(slow_part):
    return LogGAN(random_state=0, **TINY_LOG).fit(slow_part)


def test_smoothing_is_chosen_per_tag_and_moves_the_log_like_the_real_one(slow_part, slow_model):
    """The row model moves these slow tags far more from step to step than the real log does; the calibration
    smooths them (leaders by rank order, redundant tags through their residual) and the log's step changes and
    autocorrelations come out closer to the real ones than the same draw unsmoothed."""
    model = slow_model
    assert model.followers_ and set(model.smoothing_) & set(model.followers_)
    assert set(model.smoothing_) - set(model.followers_)
    assert all(r["time_after"] >= r["time_before"] for r in model.fit_info_.smoothing)
    real = slow_part[SMOOTH_TAGS].to_numpy(float)
    seg = np.zeros(len(real), int)
    smooth = model.sample(random_state=3)
    saved = model.smoothing_
    model.smoothing_ = {}
    try:
        rough = model.sample(random_state=3)
    finally:
        model.smoothing_ = saved
    x, y = smooth[SMOOTH_TAGS].to_numpy(float), rough[SMOOTH_TAGS].to_numpy(float)
    assert np.nanmean(step_change_scores(real, x, seg, seg)) > np.nanmean(step_change_scores(real, y, seg, seg)) + 0.03
    acf = lambda v: np.abs(log_autocorrelation(v, seg, 12) - log_autocorrelation(real, seg, 12)).mean()  # noqa: E731
    assert acf(x) < acf(y) - 0.05
    for c in set(saved) - set(model.followers_):  # a smoothed leader keeps exactly its values, in a smoother order
        if saved[c].get("hold"):
            continue  # (a deadband hold gives runs one value each)
        np.testing.assert_array_equal(np.sort(smooth[c].to_numpy()), np.sort(rough[c].to_numpy()))


@pytest.mark.parametrize("stratify", [True, False])
def test_a_smoothed_log_drawn_in_parts_is_the_log_drawn_whole(slow_part, slow_model, stratify):
    """Whole sequences (rank order) and the look-ahead of the map: parts of any size give the same log."""
    model = slow_model if stratify else LogGAN(random_state=0, stratify=False, **TINY_LOG).fit(slow_part)
    assert model.smoothing_
    n = 2 * 1500 + 77
    whole = model.sample(n, random_state=4)
    for part_rows in (1500, 333):
        parts = pd.concat(model.sample_parts(n, random_state=4, part_rows=part_rows), ignore_index=True)
        pd.testing.assert_frame_equal(parts, whole, check_exact=True)
    seqs = model.sample(sequences=3, steps=700, random_state=2)
    pd.testing.assert_frame_equal(
        pd.concat(model.sample_parts(sequences=3, steps=700, random_state=2, part_rows=97), ignore_index=True),
        seqs,
        check_exact=True,
    )


def test_a_model_saved_before_the_smoothing_loads_without_it(slow_model, tmp_path):
    model = slow_model
    kind, meta, tensors = load_model_file(model.save(tmp_path / "new.indgan"))
    del meta["smoothing"]
    old = LogGAN.load(save_model_file(tmp_path / "old.indgan", kind, meta, tensors))
    assert old.smoothing_ == {}
    assert len(old.sample(100, random_state=0)) == 100
    assert LogGAN.load(tmp_path / "new.indgan").smoothing_ == model.smoothing_


def test_a_sampled_and_held_analyser_gets_its_own_noise():
    """An analyser sampled every 2 steps and held does not move between samples, so over every step its median step
    is 0; the sensor noise is calibrated on its update steps (TEP's composition analysers had none before, and a
    lag-1 autocorrelation of 0.99 against 0.72 real for xmeas_26)."""
    tep = pd.read_parquet(DATA / "tep.parquet")
    part = tep[tep.run == "d00"].iloc[:480][["time", "xmeas_23", "xmeas_24", "xmeas_26", "xmeas_9"]]
    part = part.reset_index(drop=True)
    model = LogGAN(random_state=0, **TINY_LOG).fit(part)
    held = {c for h in model.held_ for c in h["columns"]}
    assert {"xmeas_24", "xmeas_26"} <= held
    updates = part["xmeas_26"].to_numpy()[model.held_[0]["phase"][0] :: 2]
    real_scale = 1.4826 * np.median(np.abs(np.diff(updates) - np.median(np.diff(updates))))
    assert model.sensor_noise_.get("xmeas_26", 0.0) > 0.25 * real_scale


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.one_of(st.floats(-1e3, 1e3), st.just(float("nan"))), min_size=1, max_size=200),
    st.sampled_from([0.0, 0.1, 1.0, 50.0]),
)
def test_a_deadband_hold_takes_the_paths_own_values_in_runs(values, deadband):
    x = np.asarray(values, np.float64)
    out = run_hold(x, deadband, [(0, len(x))])
    np.testing.assert_array_equal(np.isnan(out), np.isnan(x))
    finite = x[np.isfinite(x)]
    assert np.isin(out[np.isfinite(out)], finite).all()  # every value is one the path took
    if deadband == 0:
        np.testing.assert_array_equal(out, x)
    elif len(finite) > 1:  # no more value changes than the path has bin changes
        cells = np.floor(finite / deadband)
        held = out[np.isfinite(out)]
        assert (np.diff(held) != 0).sum() <= (np.diff(cells) != 0).sum()


def test_a_tag_that_holds_still_most_steps_is_held_like_the_real_one():
    """A yaw drive that moves only when the wind has turned far enough: the real positions hold still on about
    70% of the steps. The calibration gives it a deadband hold, and the synthetic log holds as often."""
    rng = np.random.default_rng(0)
    n = 3000
    wind = np.cumsum(rng.normal(0, 2.0, n))  # the wind direction wanders
    yaw = np.empty(n)
    yaw[0] = wind[0]
    for t in range(1, n):  # the reference process a test builds, not library code
        yaw[t] = wind[t] if abs(wind[t] - yaw[t - 1]) > 6.0 else yaw[t - 1]
    log = pd.DataFrame(
        {
            "time": pd.date_range("2024-01-01", periods=n, freq="10min"),
            "wind": wind + rng.normal(0, 1.0, n),
            "yaw": yaw,
        }
    )
    real_still = float((np.diff(yaw) == 0).mean())
    assert real_still > 0.5
    model = LogGAN(random_state=0, redundant_correlation=None, **TINY_LOG).fit(log)
    assert model.smoothing_.get("yaw", {}).get("hold", 0) > 0
    out = model.sample(random_state=1)["yaw"].to_numpy()
    assert abs(float((np.diff(out) == 0).mean()) - real_still) < 0.2
