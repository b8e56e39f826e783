"""TimeGAN-style sequence metrics: small data and few training steps, each test well under 3 s on one core."""

import json

import numpy as np
import pytest
import torch
from torch import nn

from indgan import ConfigError, DataError
from indgan.metrics.sequences import (
    ScoreStats,
    _StackedGRU,
    autocorrelation_difference,
    cross_correlation_difference,
    discriminative_score,
    predictive_score,
)

# Enough for the classifier / predictor to learn the easy cases below in a fraction of a second.
FAST = dict(iterations=300, n_repeats=2, batch_size=64, hidden_dim=8, random_state=0)


def sines(n, seq_len=24, n_features=3, seed=0):
    """Noisy sines in [0, 1]: one random frequency and phase per sequence, a fixed phase shift per feature,
    so the last feature is predictable from the others."""
    rng = np.random.default_rng(seed)
    t = np.arange(seq_len)[None, :, None]
    freq = rng.uniform(0.2, 0.4, (n, 1, 1))
    phase = rng.uniform(0, 2 * np.pi, (n, 1, 1))
    shift = 0.8 * np.arange(n_features)[None, None, :]
    return (np.sin(freq * t + phase + shift) + 1) / 2 * 0.9 + 0.1 * rng.uniform(size=(n, seq_len, n_features))


def noise(n, seq_len=24, n_features=3, seed=0):
    return np.random.default_rng(seed).uniform(size=(n, seq_len, n_features))


@pytest.fixture(scope="module")
def real():
    return sines(200, seed=1)


def test_discriminative_score_near_zero_for_the_same_process(real):
    same = discriminative_score(real, sines(200, seed=2), **FAST)
    assert isinstance(same, ScoreStats) and len(same.values) == 2
    assert all(0 <= v < 0.1 for v in same.values)


def test_discriminative_score_high_for_an_easy_pair(real):
    easy = discriminative_score(real, noise(200), **FAST)
    assert all(v > 0.3 for v in easy.values)
    assert easy.mean == pytest.approx(np.mean(easy.values)) and easy.std == pytest.approx(np.std(easy.values))


def test_discriminative_score_subsamples_the_larger_set_and_takes_tensors(real):
    lopsided = discriminative_score(torch.as_tensor(real, dtype=torch.float64), noise(50), **FAST)
    assert all(v > 0.2 for v in lopsided.values)
    # 50 of the 200 real sequences: 40 + 40 to train, 10 + 10 to test, so accuracies are multiples of 1/20
    assert all(abs(v * 20 - round(v * 20)) < 1e-5 for v in lopsided.values)


def test_predictive_score_lower_when_trained_on_the_real_process(real):
    good = predictive_score(real, sines(200, seed=2), **FAST)
    bad = predictive_score(real, noise(200), **FAST)
    assert good.mean < 0.2 and bad.mean > good.mean + 0.08
    assert all(v > 0 for v in good.values + bad.values)


def test_autocorrelation_difference():
    a = sines(100, seed=1)
    same = autocorrelation_difference(a, a.copy())
    assert same.shape == (3,) and same.dtype == np.float64
    np.testing.assert_allclose(same, 0.0, atol=1e-12)
    assert np.all(autocorrelation_difference(a, sines(100, seed=2)) < 0.1)
    white = autocorrelation_difference(a, noise(100), max_lag=5)
    assert np.all(white > 0.3)
    # by hand for one feature, one lag: pooled mean and variance, pairs within sequences
    x = a[:, :, 0]
    c = x - x.mean()
    acf1 = (c[:, :-1] * c[:, 1:]).mean() / (c**2).mean()
    y = noise(100)[:, :, 0]
    d = y - y.mean()
    acf1_y = (d[:, :-1] * d[:, 1:]).mean() / (d**2).mean()
    assert white[0] != pytest.approx(0)
    assert autocorrelation_difference(a, noise(100), max_lag=1)[0] == pytest.approx(abs(acf1 - acf1_y))


def test_cross_correlation_difference():
    a = sines(100, seed=1)
    np.testing.assert_allclose(cross_correlation_difference(a, a.copy()), 0.0, atol=1e-12)
    flipped = a.copy()
    flipped[..., 2] = 1 - flipped[..., 2]  # flips the sign of feature 2's correlations only
    gap = cross_correlation_difference(a, flipped)
    corr = np.corrcoef(a.reshape(-1, 3).T)
    expected_2 = (2 * abs(corr[2, 0]) + 2 * abs(corr[2, 1])) / 2
    assert gap[2] == pytest.approx(expected_2)
    assert gap[0] == pytest.approx(abs(corr[0, 2]))  # 2|c| averaged over the 2 other features


def test_constant_features_give_zero_not_nan():
    a, b = sines(20, seed=1), sines(20, seed=2)
    a[..., 1] = 0.3  # constant in real only
    b[..., 2] = 0.7
    a[..., 2] = 0.7  # constant in both
    acf = autocorrelation_difference(a, b)
    cc = cross_correlation_difference(a, b)
    assert np.all(np.isfinite(acf)) and np.all(np.isfinite(cc))
    assert acf[2] == 0.0 and acf[1] > 0.1  # ACF 0 for the constant real feature 1
    assert cc[2] == 0.0
    assert cc[0] == pytest.approx(abs(np.corrcoef(b[..., 0].ravel(), b[..., 1].ravel())[0, 1]) / 2)


def _padded(x, lengths, fill):
    out = x.copy()
    for i, n in enumerate(lengths):
        out[i, n:] = fill
    return out


def test_lengths_are_respected():
    rng = np.random.default_rng(0)
    a, b = sines(40, seed=1), noise(40, seed=2)
    la, lb = rng.integers(6, 25, 40), rng.integers(6, 25, 40)
    for fn, kwargs in [
        (autocorrelation_difference, {}),
        (cross_correlation_difference, {}),
        (predictive_score, dict(FAST, iterations=20)),
        (discriminative_score, dict(FAST, iterations=20)),
    ]:
        zeros = fn(_padded(a, la, 0.0), _padded(b, lb, 0.0), real_lengths=la, synthetic_lengths=lb, **kwargs)
        garbage = fn(_padded(a, la, np.nan), _padded(b, lb, 1e6), real_lengths=la, synthetic_lengths=lb, **kwargs)
        if isinstance(zeros, ScoreStats):
            zeros, garbage = zeros.values, garbage.values
        np.testing.assert_array_equal(zeros, garbage)
        if fn is not discriminative_score:  # 20 steps do not train a classifier: its score is 0 either way
            ignored = fn(_padded(a, la, 0.0), _padded(b, lb, 0.0), **kwargs)
            ignored = ignored.values if isinstance(ignored, ScoreStats) else ignored
            assert not np.allclose(zeros, ignored)  # without lengths, the padding counts


def test_discriminative_classifier_reads_the_last_valid_step():
    """Same process in both sets, but the synthetic padding is noise: invisible with lengths, obvious without."""
    lengths = np.random.default_rng(0).integers(8, 21, 200)
    real, synthetic = sines(200, seed=1), sines(200, seed=2)
    tail = np.arange(24)[None, :] >= lengths[:, None]
    synthetic[tail] = noise(200)[tail]
    with_lengths = discriminative_score(real, synthetic, real_lengths=lengths, synthetic_lengths=lengths, **FAST)
    without = discriminative_score(real, synthetic, **FAST)
    assert with_lengths.mean < 0.1 and without.mean > 0.2


def test_common_length_equals_truncation():
    a, b = sines(30, seed=1), noise(30, seed=2)
    lengths = np.full(30, 10)
    for fn, kwargs in [
        (autocorrelation_difference, dict(max_lag=5)),
        (cross_correlation_difference, {}),
        (discriminative_score, dict(FAST, iterations=20)),
        (predictive_score, dict(FAST, iterations=20)),
    ]:
        padded = fn(a, b, real_lengths=lengths, synthetic_lengths=lengths, **kwargs)
        cut = fn(a[:, :10], b[:, :10], **kwargs)
        if isinstance(padded, ScoreStats):
            padded, cut = padded.values, cut.values
        np.testing.assert_allclose(padded, cut, rtol=1e-4, atol=1e-5)


def test_reproducible_with_random_state(real):
    b = noise(60)
    for fn in (discriminative_score, predictive_score):
        first = fn(real[:60], b, **dict(FAST, iterations=30))
        again = fn(real[:60], b, **dict(FAST, iterations=30))
        other = fn(real[:60], b, **dict(FAST, iterations=30, random_state=1))
        assert first == again
        assert first.values != other.values


def test_stacked_repeats_are_independent_models():
    """Each block of the stacked GRU is exactly a standalone nn.GRU + linear head, before and after training."""
    n_models, n_in, hidden = 3, 4, 2
    model = _StackedGRU(n_models, n_in, hidden, torch.Generator().manual_seed(0))
    x = torch.rand(5, 7, n_models * n_in)
    optimizer = torch.optim.Adam(model.parameters())
    for _ in range(3):
        loss = model(x).pow(2).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    out = model(x)
    for r in range(n_models):
        gru = nn.GRU(n_in, hidden, batch_first=True)
        rows = torch.cat(
            [
                torch.arange(g * n_models * hidden + r * hidden, g * n_models * hidden + (r + 1) * hidden)
                for g in range(3)
            ]
        )
        with torch.no_grad():
            gru.weight_ih_l0.copy_(model.gru.weight_ih_l0[rows][:, r * n_in : (r + 1) * n_in])
            gru.weight_hh_l0.copy_(model.gru.weight_hh_l0[rows][:, r * hidden : (r + 1) * hidden])
            gru.bias_ih_l0.copy_(model.gru.bias_ih_l0[rows])
            gru.bias_hh_l0.copy_(model.gru.bias_hh_l0[rows])
            ref = gru(x[..., r * n_in : (r + 1) * n_in])[0] @ model.head_weight[r] + model.head_bias[r]
        torch.testing.assert_close(out[..., r], ref)
    assert torch.all(model.gru.weight_ih_l0[model.mask_ih == 0] == 0)
    assert torch.all(model.gru.weight_hh_l0[model.mask_hh == 0] == 0)


def test_score_stats():
    stats = ScoreStats.from_values([0.02, 0.04])
    assert str(stats) == "0.030 ± 0.010"
    assert json.loads(json.dumps(stats.to_dict())) == {"mean": 0.03, "std": pytest.approx(0.01), "values": [0.02, 0.04]}
    with pytest.raises(AttributeError):
        stats.mean = 1.0


@pytest.mark.parametrize(
    "fn", [discriminative_score, predictive_score, autocorrelation_difference, cross_correlation_difference]
)
def test_input_errors(fn):
    a = sines(10)
    with pytest.raises(DataError, match="shape"):
        fn(a[..., 0], a[..., 0])
    with pytest.raises(DataError, match="features"):
        fn(a, a[..., :2])
    gappy = a.copy()
    gappy[3, 5, 1] = np.nan
    with pytest.raises(DataError, match="fill or drop gaps"):
        fn(a, gappy)
    with pytest.raises(DataError, match="lengths"):
        fn(a, a, real_lengths=np.full(10, 25))
    with pytest.raises(DataError, match="lengths"):
        fn(a, a, real_lengths=np.full(9, 5))
    with pytest.raises(DataError, match="dtype"):
        fn(a.astype(str), a)


def test_learned_score_errors():
    a = sines(10)
    for fn in (discriminative_score, predictive_score):
        with pytest.raises(DataError, match="at least 4"):
            fn(a, a[:3])
        with pytest.raises(ConfigError, match="n_repeats"):
            fn(a, a, n_repeats=0)
        with pytest.raises(ConfigError, match="random_state"):
            fn(a, a, random_state="seed")
    with pytest.raises(DataError, match="at least 2 features"):
        predictive_score(a[..., :1], a[..., :1])
    with pytest.raises(DataError, match="at least 2"):
        predictive_score(a, a, synthetic_lengths=np.r_[1, np.full(9, 24)])
    with pytest.raises(DataError, match="max_lag"):
        autocorrelation_difference(a, a, real_lengths=np.full(10, 3), max_lag=3)
    with pytest.raises(DataError, match="at least 2 features"):
        cross_correlation_difference(a[..., :1], a[..., :1])
    with pytest.warns(UserWarning, match=r"\[0, 1\]"):
        discriminative_score(a * 10, a, iterations=1, n_repeats=1)
