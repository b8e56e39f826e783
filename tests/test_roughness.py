"""The log model's per-tag roughness (LogGAN.roughness_): a tag that is white noise around its operating point is
drawn from the row model again with white noise in its latent, so it moves step to step as the real one does and
keeps its spread; the noise is counter-based, so a log drawn in parts is the log drawn whole."""

import numpy as np
import pandas as pd
import pytest

from indgan import LogGAN
from indgan.log.noise import counter_normal

from .conftest import DATA
from .test_log import TINY_LOG


def lag1(x) -> float:
    x = np.asarray(x, float)
    return float(np.corrcoef(x[1:], x[:-1])[0, 1])


def test_counter_normal_is_the_same_in_parts_and_standard_normal():
    whole = counter_normal(7, 0, 5000, 6)
    parts = np.concatenate([counter_normal(7, 0, 1234, 6), counter_normal(7, 1234, 3766, 6)])
    np.testing.assert_array_equal(parts, whole)
    assert not np.array_equal(counter_normal(8, 0, 5000, 6), whole)
    x = counter_normal(1, 0, 200_000, 4)
    assert abs(x.mean()) < 0.01 and abs(x.std() - 1) < 0.01
    assert np.abs(np.corrcoef(x.T) - np.eye(4)).max() < 0.01
    assert abs(lag1(x[:, 0])) < 0.01


WHITE_TAGS = ["xmeas_15", "xmeas_7", "xmeas_9", "xmeas_11", "xmeas_13"]


@pytest.fixture(scope="module")
def normal_run():
    tep = pd.read_parquet(DATA / "tep.parquet")
    return tep.loc[tep.run == "d00", ["time", *WHITE_TAGS]].reset_index(drop=True)


@pytest.fixture(scope="module")
def rough_model(normal_run):
    return LogGAN(random_state=0, **TINY_LOG).fit(normal_run)


def test_a_white_tag_gets_white_latent_noise_and_moves_like_the_real_one(normal_run, rough_model):
    """TEP's xmeas_15 (a flow: lag-1 autocorrelation 0.03) moves with the smooth latent plus sensor noise of its
    spread without the roughness (lag-1 about 0.5); with it, as the real tag."""
    model = rough_model
    assert model.roughness_.get("xmeas_15", 0) >= 0.5
    assert "xmeas_7" not in model.roughness_  # a slow tag (lag-1 0.998) stays smooth
    assert model.fit_info_.roughness[-1]["kept"]
    smooth = LogGAN(random_state=0, roughness=False, **TINY_LOG).fit(normal_run)
    real = normal_run.xmeas_15
    a, b = model.sample(random_state=1).xmeas_15, smooth.sample(random_state=1).xmeas_15
    assert abs(lag1(a) - lag1(real)) < 0.2 < abs(lag1(b) - lag1(real))


def test_a_rough_log_drawn_in_parts_is_the_log_drawn_whole(rough_model):
    model = rough_model
    assert model.roughness_
    whole = model.sample(2000, random_state=4)
    parts = pd.concat(model.sample_parts(2000, random_state=4, part_rows=333), ignore_index=True)
    pd.testing.assert_frame_equal(parts, whole, check_exact=True)


def test_roughness_survives_saving(rough_model, tmp_path):
    loaded = LogGAN.load(rough_model.save(tmp_path / "m.indgan"))
    assert loaded.roughness_ == rough_model.roughness_
    pd.testing.assert_frame_equal(loaded.sample(300, random_state=2), rough_model.sample(300, random_state=2))
