"""The TimeGAN sine benchmark: shape, dtype, range, seeding and the long-table layout."""

from __future__ import annotations

import numpy as np
import pytest

from indgan.datasets import sines, sines_frame


def test_shape_dtype_and_range():
    x = sines(50, seq_len=30, n_features=3, random_state=0)
    assert x.shape == (50, 30, 3)
    assert x.dtype == np.float32
    assert x.min() >= 0.0 and x.max() <= 1.0


def test_defaults_match_timegan():
    x = sines(random_state=0)
    assert x.shape == (10_000, 24, 5)
    # t = 0 gives sin(phase) with phase in [0, 0.1): the scaled start lies in [0.5, 0.55).
    assert (x[:, 0] >= 0.5).all() and (x[:, 0] < 0.5 + np.sin(0.1) / 2 + 1e-6).all()


def test_each_series_is_a_sine_with_small_frequency_and_phase():
    x = sines(20, seq_len=24, n_features=4, random_state=1).astype(np.float64)
    s = 2 * x - 1  # back to sin(f t + p)
    arg = np.arcsin(np.clip(s[:, :2], -1, 1))  # t = 0, 1: f t + p < 0.2, on arcsin's principal branch
    phase = arg[:, 0]
    freq = arg[:, 1] - arg[:, 0]
    assert ((phase >= 0) & (phase < 0.1 + 1e-5)).all()
    assert ((freq > -1e-5) & (freq < 0.1 + 1e-5)).all()
    t = np.arange(24)[None, :, None]
    expected = (np.sin(freq[:, None] * t + phase[:, None]) + 1) / 2
    np.testing.assert_allclose(x, expected, atol=1e-4)
    assert np.ptp(freq) > 0.05 and np.ptp(phase) > 0.05  # drawn per sequence and feature, not shared


def test_same_seed_same_data_other_seed_other_data():
    np.testing.assert_array_equal(sines(10, random_state=7), sines(10, random_state=7))
    assert not np.allclose(sines(10, random_state=7), sines(10, random_state=8))
    assert not np.allclose(sines(10), sines(10))


def test_frame_round_trips_to_the_array():
    x = sines(6, seq_len=9, n_features=3, random_state=3)
    frame = sines_frame(6, seq_len=9, n_features=3, random_state=3)
    assert list(frame.columns) == ["sequence", "step", "s1", "s2", "s3"]
    assert len(frame) == 6 * 9
    assert frame["sequence"].dtype == np.int64 and frame["step"].dtype == np.int64
    assert (frame[["s1", "s2", "s3"]].dtypes == np.float32).all()
    assert frame["step"].tolist() == list(range(9)) * 6
    assert frame["sequence"].tolist() == [i for i in range(6) for _ in range(9)]
    back = frame.sort_values(["sequence", "step"])[["s1", "s2", "s3"]].to_numpy().reshape(6, 9, 3)
    np.testing.assert_array_equal(back, x)


@pytest.mark.parametrize("kwargs", [dict(n_sequences=0), dict(seq_len=-1), dict(n_features=2.5)])
def test_bad_sizes_are_refused(kwargs):
    with pytest.raises(ValueError):
        sines(**kwargs)
