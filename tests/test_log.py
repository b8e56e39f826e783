"""LogGAN (the main job's model) on small real slices: the latent process, the training shape, conditions,
persistence, time budgets, and the scores over time."""

import time

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from indgan import LogGAN, evaluate
from indgan.budget import parse_time_budget
from indgan.errors import ConditionError, ConfigError
from indgan.metrics.report import row_fidelity, temporal_fidelity
from indgan import load_model
from indgan.log.noise import SmoothNoise, reflect
from indgan.metrics.sequences import log_autocorrelation, step_change_scores

from .conftest import DATA

TINY_LOG = dict(
    epochs=3,
    time_budget=None,
    batch_size=100,
    latent_dim=16,
    generator_dim=(32, 32),
    critic_dim=(32, 32),
    verbose=False,
)


@pytest.fixture(scope="module")
def log_model(small):
    return LogGAN(random_state=0, **TINY_LOG).fit(small)


@pytest.fixture(scope="module")
def dryer_part():
    dryer = pd.read_parquet(DATA / "dryer.parquet")
    keep = dryer.batch_id.drop_duplicates().iloc[:6]
    return dryer[dryer.batch_id.isin(keep)].reset_index(drop=True)


# ---------------------------------------------------------------------------------------------- latent process
def test_smooth_noise_has_standard_normal_marginals_and_the_stated_autocorrelation():
    g = torch.Generator().manual_seed(0)
    ell = 6.0
    z = SmoothNoise(400, ell, g, "cpu").next(3000, [0]).numpy()
    assert abs(z.mean()) < 0.05 and abs(z.std() - 1.0) < 0.05
    acf = log_autocorrelation(z, np.zeros(len(z), int), max_lag=12).mean(axis=1)
    lags = np.arange(1, 13)
    np.testing.assert_allclose(acf, np.exp(-(lags**2) / (4 * ell**2)), atol=0.03)


def test_smooth_noise_chunked_equals_one_pass_and_sequences_are_independent():
    one = SmoothNoise(5, 4.0, torch.Generator().manual_seed(1), "cpu")
    full = one.next(200, [0])
    parts = SmoothNoise(5, 4.0, torch.Generator().manual_seed(1), "cpu")
    # the same draws in the same order: chunks of 200 = one chunk (fresh history then the noise)
    torch.testing.assert_close(parts.next(200, [0]), full)
    # a sequence start inside a chunk starts from fresh history: no correlation across the boundary
    g = torch.Generator().manual_seed(2)
    z = SmoothNoise(2000, 8.0, g, "cpu").next(40, [0, 20]).numpy()
    across = np.corrcoef(z[19], z[20])[0, 1]
    within = np.corrcoef(z[18], z[19])[0, 1]
    assert within > 0.9 and abs(across) < 0.1


def test_uniform_noise_is_uniform():
    u = SmoothNoise(300, 3.0, torch.Generator().manual_seed(3), "cpu", kind="uniform").next(2000, [0]).numpy()
    assert 0.0 < u.min() and u.max() < 1.0
    assert np.histogram(u, bins=10, range=(0, 1))[0].min() > 0.08 * u.size


# ---------------------------------------------------------------------------------------------- fit and sample
def test_training_shape_and_rows(log_model, small):
    out = log_model.sample(random_state=1, fill_gaps=True)  # a gapless grid
    assert list(out.columns) == list(small.columns) and len(out) == log_model.fit_info_.n_steps
    assert out["timestamp"].is_monotonic_increasing
    step = out["timestamp"].diff().dropna().unique()
    assert len(step) == 1 and step[0] == pd.Timedelta(log_model.fit_info_.interval, unit="ns")
    kept = log_model.sample(random_state=1)  # the training timestamps: the grid steps that had a sample
    gaps = sum(k for _, _, k in log_model.fit_info_.gaps)
    assert gaps > 0 and len(kept) == log_model.fit_info_.n_steps - gaps
    assert out["timestamp"].iloc[0] == small["timestamp"].min()
    assert set(out["tag70"].dropna().astype(str)) & {"Bad"}  # status strings come back
    assert len(log_model.sample(250, random_state=1)) == 250
    # every continuous value stays within the training range
    for c in ("tag0", "tag1", "tag5"):
        v = pd.to_numeric(out[c], errors="coerce")
        assert v.between(
            pd.to_numeric(small[c], errors="coerce").min(), pd.to_numeric(small[c], errors="coerce").max()
        ).all()


def test_entities_have_their_training_lengths_and_progress(dryer_part):
    model = LogGAN(random_state=0, **TINY_LOG).fit(dryer_part)
    assert model.fit_info_.progress and model.fit_info_.entity_column == "batch_id"
    out = model.sample(random_state=0)
    got = out.groupby("batch_id", sort=False).size()
    want = dryer_part.groupby("batch_id", sort=False).size()
    assert got.to_dict() == want.to_dict()
    assert (out.groupby("batch_id")["ClockTime"].apply(lambda s: (s.diff().dropna() == 1).all())).all()
    rows = model.sample(300, random_state=0)
    assert len(rows) == 300 and rows["batch_id"].iloc[0] == want.index[0]
    seq = model.sample(sequences=3, steps=20, random_state=0)
    assert len(seq) == 60 and seq["batch_id"].nunique() == 3


def test_condition_schedule_and_seeds(tmp_path):
    tep = pd.read_parquet(DATA / "tep.parquet")
    part = pd.concat([tep[tep.run == "d00"].iloc[:150], tep[tep.run == "d04"].iloc[:150]])
    part = part[["run", "fault", "time", "xmeas_9", "xmv_10", "xmeas_21"]].reset_index(drop=True)
    model = LogGAN(random_state=0, **TINY_LOG).fit(part, condition="fault")
    assert model.condition_candidates() == {"fault": [0, 4]}
    out = model.sample(sequences=2, conditions={"fault": [(0, 10), (4, 30)]}, random_state=3)
    per_step = out.groupby(out.groupby("run").cumcount())["fault"].first()
    assert len(out) == 80 and (per_step.iloc[:10] == 0).all() and (per_step.iloc[10:] == 4).all()
    with pytest.raises(ConditionError, match="never occurs"):
        model.sample(sequences=1, steps=5, conditions={"fault": 7})
    with pytest.raises(ConditionError, match="unknown condition column"):
        model.sample(sequences=1, steps=5, conditions={"mode": "B"})
    path = model.save(tmp_path / "log.indgan")
    loaded = load_model(path, device="cpu")
    assert isinstance(loaded, LogGAN)
    pd.testing.assert_frame_equal(loaded.sample(random_state=5), model.sample(random_state=5))
    again = LogGAN(random_state=0, **TINY_LOG).fit(part, condition="fault")
    pd.testing.assert_frame_equal(again.sample(random_state=5), model.sample(random_state=5))
    # the condition as a constructor parameter: the same model, and clone keeps it
    from sklearn.base import clone

    built = clone(LogGAN(random_state=0, condition="fault", **TINY_LOG)).fit(part)
    assert built.condition_candidates() == {"fault": [0, 4]}
    pd.testing.assert_frame_equal(built.sample(random_state=5), model.sample(random_state=5))
    assert not model.sample(random_state=6).equals(model.sample(random_state=5))


def test_point_masses_stay_exact_under_sensor_noise(log_model, small):
    out = log_model.sample(random_state=2)
    spec = log_model.rows_.transformer_.to_dict()["blocks"]
    assert all(b["kind"] != "continuous" for b in spec)  # the log model encodes tags by their quantiles
    points = {}
    for b in spec:
        if b["kind"] == "quantile":  # a run of equal quantiles is a value held by many rows
            q = np.asarray(b["quantiles"])
            held = np.unique(q[:-1][np.diff(q) == 0])
            if held.size:
                points[b["column"]] = held.tolist()
    assert points, "the slice should have a tag that sits at one value"
    col, values = next(iter(points.items()))
    v = pd.to_numeric(out[col], errors="coerce").dropna()
    assert v.isin(values).mean() > 0.02  # the sensor noise does not smear the point mass


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=1, max_size=50),
    st.floats(-10, 10, allow_nan=False),
    st.floats(0.1, 50, allow_nan=False),
)
def test_reflect_keeps_values_in_range_and_inside_ones_as_they_are(xs, lo, width):
    x, hi = np.asarray(xs), lo + width
    out = reflect(x, lo, hi)
    assert out.shape == x.shape and (out >= lo).all() and (out <= hi).all()
    inside = (x >= lo) & (x <= hi)
    assert np.array_equal(out[inside], x[inside])
    near = (x > lo - width) & (x < lo)  # an overshoot smaller than the range is mirrored, not clipped
    np.testing.assert_allclose(out[near], 2 * lo - x[near])


def test_sensor_noise_does_not_pile_values_on_the_training_limits(log_model):
    """Noise on values next to a tag's maximum: clipped, a quarter of them would sit exactly on it (a flat line
    at the historical extreme); mirrored, none does, and all stay in the training range."""
    spec = next(
        b for b in log_model.rows_.transformer_.to_dict()["blocks"] if b["kind"] == "quantile"
    )  # a tag encoded by its quantiles
    col, q = spec["column"], np.unique(spec["quantiles"])
    lo, hi = log_model.model_schema_[col].minimum, log_model.model_schema_[col].maximum
    assert q[-1] == hi
    v = np.full(400, 0.5 * (q[-2] + q[-1]))  # between the two largest levels: no point mass
    values = pd.DataFrame({col: v})
    saved = log_model.sensor_noise_
    try:
        log_model.sensor_noise_ = {col: 0.05 * (hi - lo)}
        width = log_model.rows_.transformer_.output_dim
        log_model._add_noise(values, np.zeros((len(v), width)), lambda c: np.random.default_rng(0))
    finally:
        log_model.sensor_noise_ = saved
    out = values[col].to_numpy()
    assert (out != v).mean() > 0.9  # the noise was added
    assert (out >= lo).all() and (out <= hi).all()
    assert (out == hi).sum() == 0
    clipped = np.clip(v + np.random.default_rng(0).standard_normal(len(v)) * 0.05 * (hi - lo), lo, hi)
    assert (clipped == hi).mean() > 0.2  # what clipping did with the same draws (28%)


def test_status_codes_come_back_as_codes_never_as_values(small):
    log = small.copy()
    tag = "tag5"
    rows = log.index[np.arange(3, len(log), len(log) // 5)[:5]]
    log[tag] = log[tag].astype(np.float64)
    log.loc[rows, tag] = -273.2  # an open-circuit temperature input, 5 of ~1000 readings
    model = LogGAN(random_state=0, **TINY_LOG).fit(log)
    assert model.schema_[tag].codes == [-273.2]
    out = model.sample(random_state=0)
    v = out[tag].dropna()
    assert out[tag].dtype == np.float64
    values = v[v != -273.2]
    real = log.loc[~log.index.isin(rows), tag]
    assert values.min() >= real.min() and values.max() <= real.max()  # no value between the code and the tag


@pytest.mark.parametrize(
    "bad, message",
    [
        (dict(time_budget=0), "positive duration"),
        (dict(time_budget="abc"), "time budget"),
        (dict(length_scale=-1), "length_scale"),
        (dict(epochs=None, time_budget=None), "never stop"),
        (dict(progress="maybe"), "progress"),
    ],
)
def test_bad_parameters(small, bad, message):
    with pytest.raises(ConfigError, match=message):
        LogGAN(**{**TINY_LOG, **bad}).fit(small)


def test_time_budget_bounds_the_fit_and_leaves_a_loadable_model(small, tmp_path):
    t0 = time.perf_counter()
    model = LogGAN(**{**TINY_LOG, "epochs": None, "time_budget": 6}, random_state=0).fit(small)
    took = time.perf_counter() - t0
    assert took < 6 + 4  # the budget plus a small margin (calibration, first step)
    assert model.rows_.summary_.stop_reason in ("time budget", "early stop")
    loaded = LogGAN.load(model.save(tmp_path / "b.indgan"), device="cpu")
    assert len(loaded.sample(50)) == 50


def test_parse_time_budget():
    assert parse_time_budget("90s") == 90 and parse_time_budget("3m") == 180 and parse_time_budget("1.5h") == 5400
    assert parse_time_budget(20) == 20 and parse_time_budget("20 min") == 1200 and parse_time_budget(None) is None
    for bad in ("0", "-3m", "abc", "3 parsecs", True, float("nan")):
        with pytest.raises(ConfigError):
            parse_time_budget(bad)


# ---------------------------------------------------------------------------------------------- scores over time
def test_temporal_scores_tell_a_log_from_its_shuffled_rows(plant):
    part = plant.iloc[:1200]
    shuffled = part.sample(frac=1.0, random_state=0).reset_index(drop=True)
    shuffled["timestamp"] = part["timestamp"].to_numpy()  # the same rows, laid out in another order
    same = temporal_fidelity(part, part, discriminative=False)
    other = temporal_fidelity(part, shuffled, discriminative=False)
    assert same.step_change == pytest.approx(1.0) and same.autocorrelation_error == pytest.approx(0.0, abs=1e-12)
    assert other.step_change < 0.8 and other.autocorrelation_error > 0.5
    assert other.per_tag["step_change"].is_monotonic_increasing


def test_discriminative_score_on_non_overlapping_windows(plant):
    shuffled = plant.sample(frac=1.0, random_state=0).reset_index(drop=True)
    shuffled["timestamp"] = plant["timestamp"].to_numpy()
    rep = temporal_fidelity(plant, shuffled, n_repeats=2, iterations=60, random_state=0, min_windows=100, floor=False)
    assert rep.n_windows == (3169 // 24, 3169 // 24)  # non-overlapping: no window shares a step
    assert rep.discriminative is not None and rep.discriminative.mean > 0.3  # shuffled rows are easy to tell
    few = temporal_fidelity(plant.iloc[:500], plant.iloc[:500], n_repeats=1, iterations=10)
    assert few.discriminative is None and "too few" in "\n".join(few.lines())


def test_step_change_score_of_scaled_changes():
    rng = np.random.default_rng(0)
    x = np.cumsum(rng.normal(size=(2000, 2)), axis=0)
    seg = np.zeros(2000, int)
    rough = x + rng.normal(size=x.shape) * 3
    assert step_change_scores(x, x, seg, seg) == pytest.approx([1.0, 1.0])
    assert (step_change_scores(x, rough, seg, seg) < 0.7).all()


def test_evaluate_reports_rows_both_ways_and_time(small):
    rep = evaluate(small, small)
    assert rep.quality_score == pytest.approx(1.0, abs=1e-6) and rep.temporal.step_change == pytest.approx(1.0)
    shuffled = evaluate(small, small.sample(frac=1.0, random_state=0).assign(timestamp=small["timestamp"].to_numpy()))
    assert shuffled.temporal is not None and shuffled.temporal.step_change < 0.95
    text = str(shuffled)
    assert "every column pair counted" in text and "step-change score" in text and "default thresholds" in text


def test_default_threshold_score_matches_sdmetrics_defaults(small):
    import warnings

    from sdmetrics.reports.single_table import QualityReport

    from indgan.metrics.report import sdmetrics_metadata
    from indgan.schema import infer_schema

    noisy = small.copy()
    noisy["tag0"] = np.random.default_rng(0).permutation(noisy["tag0"].to_numpy())
    schema = infer_schema(small)
    rep = evaluate(small, noisy, schema=schema, temporal=False)
    real_v, syn_v = schema.view(small).reset_index(drop=True), schema.view(noisy).reset_index(drop=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        q = QualityReport()
        q.generate(real_v, syn_v, sdmetrics_metadata(schema, real_v), verbose=False)
    assert rep.default_pairs > 0
    assert rep.quality_score_default == pytest.approx(q.get_score(), abs=1e-9)
    assert rep.quality_score > rep.quality_score_default  # the weak pairs all score high: every pair counts more


def test_row_fidelity_is_one_on_itself_and_lower_on_noise(small):
    from indgan.schema import infer_schema

    schema = infer_schema(small)
    view = schema.view(small)
    cont = ["tag0", "tag1", "tag5"]
    cats = ["tag63", "tag70:status"]
    assert row_fidelity(view, view, cont, cats) == pytest.approx(1.0)
    worse = view.copy()
    worse["tag0"] = worse["tag0"] + 5 * worse["tag0"].std()
    worse["tag63"] = worse["tag63"].iloc[0]
    assert row_fidelity(view, worse, cont, cats) < 0.9


# ---------------------------------------------------------------------------------------------- long logs in parts
def test_a_log_drawn_in_parts_is_the_log_drawn_whole():
    """Everything that carries from step to step (latent, Gumbel and conditional-vector noise, sampled-and-held
    values and phases, redundant tags' residuals) carries across parts: the same seed gives the same log whatever
    the part size, so `indgan sample -n 10000000` holds one part in memory and writes what `sample()` returns."""
    tep = pd.read_parquet(DATA / "tep.parquet")
    part = tep[tep.run == "d00"].iloc[:480][["time", "xmeas_9", "xmeas_21", "xmeas_23", "xmeas_37", "xmv_10"]]
    part = part.reset_index(drop=True)
    rng = np.random.default_rng(0)
    drift = np.zeros(len(part))  # a redundant transmitter with its own slow AR(1) error
    for t in range(1, len(part)):
        drift[t] = 0.95 * drift[t - 1] + rng.normal(0, 0.01)
    part["xmeas_9_b"] = part["xmeas_9"] * 2.0 + drift * part["xmeas_9"].std()
    model = LogGAN(random_state=0, redundant_correlation=0.98, **TINY_LOG).fit(part)
    assert model.held_ and model.followers_  # the carried states under test exist
    assert model.follower_params_["xmeas_9_b"]["phi"] > 0.5
    n = 3 * 8192 + 517  # more than one generator batch per part, a short last part
    whole = model.sample(n, random_state=4)
    parts = list(model.sample_parts(n, random_state=4, part_rows=8192))
    assert [len(p) for p in parts] == [8192, 8192, 8192, 517]
    pd.testing.assert_frame_equal(pd.concat(parts, ignore_index=True), whole, check_exact=True)
    # a part boundary is not a seam: the step across it is no larger than the steps within parts
    x = whole["xmeas_9"].to_numpy()
    steps = np.abs(np.diff(x))
    assert steps[8191] <= np.quantile(steps, 0.999)
    # the same with new sequences (each a fresh start) split across parts
    seqs = model.sample(sequences=5, steps=5000, random_state=2)
    pd.testing.assert_frame_equal(
        pd.concat(model.sample_parts(sequences=5, steps=5000, random_state=2, part_rows=1), ignore_index=True),
        seqs,
        check_exact=True,
    )


def _power_log(n=3000, seed=0):
    """A wind turbine's power: idle near 0 (steps of a few tenths) when the wind is low, steps of a hundred kW on
    the steep part of its power curve; and an outdoor temperature."""
    rng = np.random.default_rng(seed)
    wind = 6 + 5 * np.sin(np.arange(n) / 150)
    power = np.where(wind < 4, rng.normal(0, 0.3, n), 2000 / (1 + np.exp(-(wind - 8))) + rng.normal(0, 60, n))
    temp = 10 + np.cumsum(rng.normal(0, 0.1, n))
    return pd.DataFrame({"time": pd.date_range("2024-01-01", periods=n, freq="10min"), "power": power, "temp": temp})


def test_sensor_noise_follows_the_tags_level(tmp_path):
    """The real steps' spread per level bin (level_step_scale), and the log model's sensor noise by level: a
    turbine idling near 0 kW gets almost none, the rest of its power curve tens of kW (one noise level for all
    levels put 50-58 kW on La Haute Borne's idle turbines), never more than the spread over all levels."""
    from indgan.stats import level_step_scale

    log = _power_log()
    x = log[["power"]].to_numpy(float)
    scale = level_step_scale(x, np.zeros(len(x), int), np.array([[5.0]]))
    assert scale.shape == (2, 1) and scale[0, 0] < 1 and scale[1, 0] > 50
    assert level_step_scale(x, np.zeros(len(x), int), np.array([[1e6]]))[1, 0] == 0  # no step above 1e6
    model = LogGAN(random_state=0, **TINY_LOG).fit(log)
    noise = model.sensor_noise_["power"]
    assert isinstance(noise, dict) and noise["levels"] == sorted(noise["levels"]) and len(noise["levels"]) == 5
    assert noise["sd"][0] < 1 and max(noise["sd"]) > 20
    assert load_model(model.save(tmp_path / "p.indgan"), device="cpu").sensor_noise_["power"] == noise


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # step_scale of a column without any step: all-NaN
@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**31 - 1), st.integers(2, 60), st.integers(1, 3), st.integers(1, 4), st.floats(0.0, 0.3))
def test_level_step_scale_with_one_bin_is_the_step_scale(seed, n, n_cols, n_segments, missing):
    """One level bin (no inner edge) is the robust step spread over all levels, segments and missing cells alike;
    one inner edge gives one spread per bin, none negative."""
    from indgan.stats import level_step_scale, step_scale

    rng = np.random.default_rng(seed)
    x = np.cumsum(rng.normal(size=(n, n_cols)), axis=0)
    x[rng.random(x.shape) < missing] = np.nan
    seg = np.sort(rng.integers(0, n_segments, n))
    one = level_step_scale(x, seg, np.empty((n_cols, 0)))
    assert one.shape == (1, n_cols)
    np.testing.assert_allclose(one[0], step_scale(x, seg), atol=1e-12)
    split = level_step_scale(x, seg, np.zeros((n_cols, 1)))
    assert split.shape == (2, n_cols) and (split >= 0).all()
