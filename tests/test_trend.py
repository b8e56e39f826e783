"""The log model's trend (each tag's mean path through its entity given the condition, indgan.log.trend): the
regression recovers a known path, the tags it leaves alone, and a batch log whose synthetic batches follow the
real mean path."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indgan import LogGAN, load_model
from indgan.errors import ConfigError
from indgan.log.trend import ContextTrend, progress_basis, trend_columns

from .test_log import TINY_LOG


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(-0.5, 1.5, allow_nan=False), min_size=1, max_size=50))
def test_progress_basis_is_a_partition_of_unity_clipped_to_the_run(progress):
    b = progress_basis(np.asarray(progress))
    assert b.shape == (len(progress), 10)
    np.testing.assert_allclose(b.sum(1), 1.0, atol=1e-9)
    assert (b >= -1e-12).all()
    np.testing.assert_allclose(progress_basis(np.clip(progress, 0, 1)), b)  # beyond the run: its ends


def test_trend_recovers_each_conditions_path_and_handles_missing_cells():
    rng = np.random.default_rng(0)
    n = 6000
    level = rng.integers(0, 3, n)
    p = rng.uniform(0, 1, n)
    context = np.concatenate([np.eye(3)[level], p[:, None]], 1).astype(np.float32)
    paths = [np.sin(3 * p), 2 * p**2 - 1, np.where(p > 0.5, 1.0, 0.0) * (p - 0.5) * 4]  # a ramp from mid-run
    truth = np.stack([np.choose(level, paths), 5 + np.choose(level, paths[::-1])], 1)
    values = truth + 0.1 * rng.standard_normal(truth.shape)
    values[rng.uniform(size=n) < 0.2, 1] = np.nan  # a tag with gaps gets its own fit on its observed cells
    trend = ContextTrend.fit(context, values, ["a", "b"])
    got = trend.predict(context)
    assert got.shape == (n, 2)
    assert np.abs(got - truth).mean(0).max() < 0.03  # well inside the noise (0.1)
    assert min(trend.explained) > 0.9
    again = ContextTrend.from_dict(trend.to_dict(), trend.coef)
    np.testing.assert_array_equal(again.predict(context[:50]), got[:50])


def test_angles_and_tags_with_too_few_cells_get_no_trend():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((400, 4))
    x[: int(400 * 0.4), 1] = 0.0  # a valve shut on 40% of the steps is trended (the map keeps its zero)
    x[5:, 3] = np.nan  # observed on 5 cells only
    assert trend_columns(x, ["flow", "valve", "wind~sin", "rare"], exclude=("~sin", "~cos")) == [0, 1]


def test_the_quantile_map_gives_back_the_real_marginal_and_its_point_mass():
    rng = np.random.default_rng(2)
    real = np.where(rng.uniform(size=(5000, 1)) < 0.4, 0.0, rng.gamma(2.0, 1.0, (5000, 1)))
    generated = rng.normal(1.0, 2.0, (20000, 1))  # a wrong law, in the same rank order as the sums
    trend = ContextTrend(["valve"], np.zeros((10, 1)), [0.0])
    trend.fit_map(generated, real)
    context = np.zeros((20000, 1))
    context[:, 0] = rng.uniform(size=20000)  # progress only: the trend is 0 here
    out = trend.transform(generated.copy(), context)[:, 0]
    assert abs((out == 0.0).mean() - 0.4) < 0.02  # the point mass, exactly 0
    qs = [0.5, 0.7, 0.9, 0.99]
    np.testing.assert_allclose(np.quantile(out, qs), np.quantile(real, qs), rtol=0.05)
    assert (np.diff(out[np.argsort(generated[:, 0])]) >= 0).all()  # the ranks are kept


@pytest.fixture(scope="module")
def dryer_part():
    from .conftest import DATA

    dryer = pd.read_parquet(DATA / "dryer.parquet")
    keep = dryer.batch_id.drop_duplicates().iloc[:8]
    return dryer[dryer.batch_id.isin(keep)].reset_index(drop=True)


def _bin_means(frame: pd.DataFrame, tag: str) -> np.ndarray:
    """The tag's mean per tenth of each batch."""
    g = frame.groupby("batch_id", sort=False)
    progress = g.cumcount() / (g["ClockTime"].transform("size") - 1).clip(lower=1)
    return frame[tag].groupby(np.minimum((progress * 10).astype(int), 9)).mean().to_numpy()


def test_synthetic_batches_follow_the_real_mean_path(dryer_part, tmp_path):
    on = LogGAN(random_state=0, **TINY_LOG).fit(dryer_part)
    off = LogGAN(random_state=0, trend=False, **TINY_LOG).fit(dryer_part)
    assert off.trend_ is None and on.trend_ is not None and len(on.trend_.columns) >= 3
    s_on, s_off = on.sample(random_state=0), off.sample(random_state=0)
    errors = {"on": [], "off": []}
    for tag in on.trend_.columns:
        real, sd = _bin_means(dryer_part, tag), dryer_part[tag].std()
        errors["on"].append(np.abs(_bin_means(s_on, tag) - real).mean() / sd)
        errors["off"].append(np.abs(_bin_means(s_off, tag) - real).mean() / sd)
        lo, hi = dryer_part[tag].min(), dryer_part[tag].max()
        assert s_on[tag].between(lo, hi).all(), tag  # the trend plus a residual stays in the tag's range
    # three epochs of the row GAN cannot learn the batch profile; the trend gives it
    assert np.mean(errors["on"]) < 0.5 * np.mean(errors["off"]), errors
    assert np.mean(errors["on"]) < 0.25, errors
    # a tag at one value on many real steps keeps that exact value on a share of the synthetic ones
    real_top = dryer_part["DifferentialPressure"].value_counts(normalize=True)
    assert "DifferentialPressure" in on.trend_.columns and real_top.iloc[0] > 0.2
    assert (s_on["DifferentialPressure"] == real_top.index[0]).mean() > 0.5 * real_top.iloc[0]
    loaded = load_model(on.save(tmp_path / "trend.indgan"), device="cpu")
    pd.testing.assert_frame_equal(loaded.sample(random_state=3), on.sample(random_state=3))
    # sensor noise leaves a trended tag's point masses exact: an inner one (the minimum would be kept by the clip)
    q = on.trend_.real_quantiles()["DifferentialPressure"]
    levels, counts = np.unique(q[(q > q.min()) & (q < q.max())], return_counts=True)
    inner = levels[counts >= 2][0]
    values = pd.DataFrame({"DifferentialPressure": np.r_[np.full(100, inner), np.linspace(q.min(), q.max(), 100)]})
    on.sensor_noise_ = {"DifferentialPressure": 0.5 * dryer_part["DifferentialPressure"].std()}
    on._add_noise(values, np.zeros((200, on.rows_.transformer_.output_dim)), lambda c: np.random.default_rng(0))
    assert (values["DifferentialPressure"].iloc[:100] == inner).all()
    assert (values["DifferentialPressure"].iloc[100:] != np.linspace(q.min(), q.max(), 100)).mean() > 0.9


def test_trend_parameter_is_checked(dryer_part):
    with pytest.raises(ConfigError, match="trend"):
        LogGAN(trend="maybe", **TINY_LOG).fit(dryer_part)
