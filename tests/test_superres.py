"""The temporal super-resolution GAN (SRGAN with progressive growing): shapes, exact consistency with the coarse
data, the model file, refusals, draws, the command line."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from indgan import load_model
from indgan.cli import cli
from indgan.errors import ConditionError, ConfigError, DataError
from indgan.superres import SuperResolutionGAN, coarsen
from indgan.superres.networks import (
    SRDiscriminator,
    SRGenerator,
    PROFILE_MIN_RATIO,
    critic_input,
    detail_scale,
    detail_table,
    downsample,
    flat_steps,
    hold_flat,
    interpolate,
    prime_factors,
    project,
    table_scale,
)
from indgan.superres.game import correlation_loss, spectral_loss
from indgan.superres.staircase import deadband_hold, period_index, staircase

from .conftest import DATA

TAGS = ["xmeas_1", "xmeas_2", "xmeas_7", "xmeas_9", "xmeas_23", "xmv_1", "xmv_3"]
TINY = {
    "channels": 16,
    "residual_blocks": 2,
    "noise_dim": 4,
    "iterations": 6,
    "feature_iterations": 3,
    "batch_size": 16,
    "time_budget": None,
    "verbose": False,
    "random_state": 0,
}


@pytest.fixture(scope="module")
def tep() -> pd.DataFrame:
    """Two TEP runs (normal and fault 1), 256 steps each, a few tags."""
    df = pd.read_parquet(DATA / "tep.parquet", columns=["run", "fault", "time"] + TAGS)
    df = df[df.run.isin(["d00", "d01"])]
    return df.groupby("run", sort=False).head(256).reset_index(drop=True)


@pytest.fixture(scope="module")
def model8(tep) -> SuperResolutionGAN:
    return SuperResolutionGAN(factor=8, window=8, **TINY).fit(tep, condition="fault")


def _block_error(model, fine: pd.DataFrame, coarse: pd.DataFrame, draws: int = 1) -> float:
    """Largest |block mean (or kept sample) - coarse value|, relative to each tag's spread."""
    f, tags = model.fit_info_.factor, model.fit_info_.tags
    x = fine[tags].to_numpy(np.float64).reshape(draws, -1, f, len(tags))
    got = x.mean(2) if model.fit_info_.coarse == "mean" else x[:, :, 0]
    ref = coarse[tags].to_numpy(np.float64)
    return float((np.abs(got - ref[None]) / model.scaler_.std).max())


# ---------------------------------------------------------------------------------------------- networks
@pytest.mark.parametrize("factor", [2, 4, 8])
@pytest.mark.parametrize("kind", ["mean", "sample"])
def test_network_shapes_and_consistency_for_each_factor(factor, kind):
    torch.manual_seed(0)
    factors = prime_factors(factor)
    g = SRGenerator(5, 3, factors, kind, channels=8, residual_blocks=1, noise_dim=2)
    d = SRDiscriminator(5, 3, factors, window=6, channels=8)
    coarse, cond = torch.randn(4, 5, 6), torch.randn(4, 3, 6)
    for stage in range(1, len(factors) + 1):
        fine = g(coarse, cond, g.noise(4, 6, stage, "cpu"), stage, alpha=0.5)
        res = g.resolution(stage)
        assert fine.shape == (4, 5, 6 * res)
        assert torch.allclose(downsample(fine, res, kind), coarse, atol=1e-5)
        d.set_stage(stage, 0.5)
        assert d(critic_input(fine, coarse, cond)).shape == (4, 1)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 3),
    c=st.integers(1, 4),
    length=st.integers(1, 9),
    factor=st.integers(2, 9),
    kind=st.sampled_from(["mean", "sample"]),
    seed=st.integers(0, 2**31 - 1),
    scale=st.floats(1e-3, 1e4),
)
def test_projection_is_exact_and_idempotent(n, c, length, factor, kind, seed, scale):
    g = torch.Generator().manual_seed(seed)
    fine = torch.randn(n, c, length * factor, generator=g, dtype=torch.float64) * scale
    coarse = torch.randn(n, c, length, generator=g, dtype=torch.float64) * scale
    out = project(fine, coarse, factor, kind)
    assert torch.allclose(downsample(out, factor, kind), coarse, rtol=0, atol=1e-9 * scale)
    assert torch.allclose(project(out, coarse, factor, kind), out, rtol=0, atol=1e-9 * scale)
    already = project(fine, downsample(fine, factor, kind), factor, kind)  # a consistent series is left alone
    assert torch.allclose(already, fine, rtol=0, atol=1e-9 * scale)


@settings(max_examples=60, deadline=None)
@given(
    length=st.integers(2, 9),
    factor=st.integers(2, 6),
    kind=st.sampled_from(["mean", "sample"]),
    seed=st.integers(0, 2**31 - 1),
    runs=st.lists(st.integers(1, 4), min_size=1, max_size=5),
)
def test_flat_stretches_hold_and_stay_consistent(length, factor, kind, seed, runs):
    """Coarse values with repeats (a tag at rest): the steps of every block that equals a neighbour (or lie between
    two equal kept samples) hold the value exactly, the others are untouched, and consistency stays exact."""
    g = torch.Generator().manual_seed(seed)
    values = torch.randn(len(runs), generator=g, dtype=torch.float64)
    coarse = torch.repeat_interleave(values, torch.tensor(runs))[:length]
    coarse = torch.cat([coarse, torch.randn(length - len(coarse), generator=g, dtype=torch.float64)])[None, None]
    fine = project(torch.randn(1, 1, length * factor, generator=g, dtype=torch.float64), coarse, factor, kind)
    out = hold_flat(fine, coarse, factor, kind)
    assert torch.allclose(downsample(out, factor, kind), coarse, rtol=0, atol=1e-12)
    c = coarse[0, 0]
    for k in range(length):
        block = out[0, 0, k * factor : (k + 1) * factor]
        if kind == "mean":
            flat = (k > 0 and c[k] == c[k - 1]) or (k < length - 1 and c[k] == c[k + 1])
        else:
            flat = k < length - 1 and c[k] == c[k + 1]
        if flat:
            assert (block == c[k]).all(), k
        else:
            assert torch.equal(block, fine[0, 0, k * factor : (k + 1) * factor]), k
    assert flat_steps(coarse, factor, kind).shape == fine.shape


@settings(max_examples=60, deadline=None)
@given(
    period=st.integers(2, 7),
    factor=st.integers(2, 8),
    phase=st.integers(0, 6),
    kind=st.sampled_from(["mean", "sample"]),
    seed=st.integers(0, 2**31 - 1),
    scale=st.floats(1e-2, 1e4),
    level=st.floats(-1e3, 1e3),
)
def test_a_staircase_honours_the_archive_and_holds_between_updates(period, factor, phase, kind, seed, scale, level):
    """An analyser's staircase from a noisy generated series (at a level up to 1000 times its moves): exactly
    consistent with the coarse data, constant over every period, and, where the analyser is slower than an archive
    of block means (fewer held values than coarse steps), the real staircase itself, phase included, whatever phase
    it is told."""
    rng = np.random.default_rng(seed)
    n = 40 * factor
    truth = (rng.normal(size=n // period + 2).cumsum() + level)[period_index(n, period, phase % period)] * scale
    coarse = truth.reshape(-1, factor).mean(1) if kind == "mean" else truth[::factor]
    series = project(
        torch.from_numpy(truth + rng.normal(scale=0.5 * scale, size=n))[None, None],
        torch.from_numpy(coarse)[None, None],
        factor,
        kind,
    )[0, 0].numpy()
    told = 0 if period > factor else phase % period  # slower than the archive: the phase is found, not told
    out, ok = staircase(series, coarse, factor, kind, period, told)
    assert ok
    got = out.reshape(-1, factor).mean(1) if kind == "mean" else out[::factor]
    assert np.abs(got - coarse).max() <= 1e-9 * scale
    inner = slice(0, n - period - factor)  # kept samples: nothing fixes the steps after the last one

    def held(p):  # constant over every period of phase p
        idx = period_index(n, period, p)
        return np.array_equal(out[inner], out[np.searchsorted(idx, idx)][inner])

    assert any(held(p) for p in range(period))
    if period > factor and kind == "mean":  # kept samples do not tell at which step between two samples it updated
        assert held(phase % period) and np.abs(out - truth).max() <= 1e-6 * scale


def test_a_series_that_is_not_a_staircase_is_left_as_generated():
    rng = np.random.default_rng(0)
    truth = rng.normal(size=96).cumsum()  # moves at every step: no period-5 staircase has these block means
    coarse = truth.reshape(-1, 4).mean(1)
    out, ok = staircase(truth, coarse, 4, "mean", 5, 0)
    assert not ok and out is truth


def test_sampled_and_held_tags_are_upsampled_as_staircases(model8, tep):
    """TEP's xmeas_23 (an analyser updated every 2 steps, 6 minutes) is found in training and comes out held in
    pairs of steps, consistent with the coarse means; without sample_hold (and deadband) it gets texture at every
    step."""
    assert model8.fit_info_.held == [{"tag": "xmeas_23", "period": 2, "phase": 0}]
    coarse = coarsen(tep, 8, "mean")
    fine = model8.upsample(coarse, random_state=0)
    x = fine["xmeas_23"].to_numpy().reshape(-1, 2)
    assert (x[:, 0] == x[:, 1]).all() and np.diff(x[:, 0]).std() > 0
    assert _block_error(model8, fine, coarse) < 1e-9
    assert any("staircases" in line for line in model8.fit_lines())
    free = SuperResolutionGAN(factor=8, window=8, sample_hold=False, deadband=False, **TINY).fit(tep, condition="fault")
    assert free.fit_info_.held == []
    y = free.upsample(coarse, random_state=0)["xmeas_23"].to_numpy().reshape(-1, 2)
    assert (y[:, 0] != y[:, 1]).mean() > 0.9


@settings(max_examples=40, deadline=None)
@given(
    factor=st.integers(2, 8),
    kind=st.sampled_from(["mean", "sample"]),
    share=st.floats(0.3, 0.9),
    seed=st.integers(0, 2**31 - 1),
)
def test_a_deadband_tag_is_held_in_runs_that_honour_the_archive(factor, kind, share, seed):
    """A generated series with texture at every step comes out held on about the training share of its steps (a
    run may not be shorter than what the coarse changes force), exactly consistent with the coarse data."""
    rng = np.random.default_rng(seed)
    n = 60 * factor
    walk = np.round(rng.normal(size=n).cumsum() / 3.0)  # held for a few steps at a time
    coarse = walk.reshape(-1, factor).mean(1) if kind == "mean" else walk[::factor]
    series = project(
        torch.from_numpy(walk + rng.normal(scale=0.3, size=n))[None, None],
        torch.from_numpy(coarse)[None, None],
        factor,
        kind,
    )[0, 0].numpy()
    out, ok = deadband_hold(series, coarse, factor, kind, share)
    assert ok
    got = out.reshape(-1, factor).mean(1) if kind == "mean" else out[::factor]
    assert np.abs(got - coarse).max() <= 1e-9 * max(1.0, np.abs(coarse).max())
    forced = (coarse[1:] != coarse[:-1]).sum() / (n - 1)  # steps where a new run must start
    held = (np.diff(out) == 0).mean()
    assert held >= min(share, 1 - forced) - 0.05 and (np.diff(series) == 0).mean() == 0


def test_deadband_tags_are_found_and_held(tep):
    """A valve that moves only past a threshold (held on most 3-minute steps) is found in training and comes out
    held on about as many steps, consistent with the coarse means; the other tags are left to the texture."""
    rng = np.random.default_rng(0)
    valve = np.round(rng.normal(size=len(tep)).cumsum() / 3.0) + 40.0
    train = tep.assign(xmv_10=valve)
    model = SuperResolutionGAN(factor=4, window=8, **TINY).fit(train, condition="fault")
    found = {h["tag"]: h["hold_share"] for h in model.fit_info_.deadband}
    real_share = float((np.diff(valve) == 0).mean())
    assert list(found) == ["xmv_10"] and abs(found["xmv_10"] - real_share) < 0.02
    coarse = coarsen(train, 4, "mean")
    fine = model.upsample(coarse, random_state=0)
    assert (np.diff(fine["xmv_10"].to_numpy()) == 0).mean() > real_share - 0.1
    assert _block_error(model, fine, coarse) < 1e-9
    assert any("deadband" in line for line in model.fit_lines())


def test_spectral_loss_is_zero_on_real_and_pulls_the_texture_to_the_real_power():
    """Real against itself scores 0; a generator whose only parameter is the gain of white texture on top of the
    interpolation is pulled from 0.05 to the real texture's 0.5 by the loss alone (and from 5 down to it)."""
    g = torch.Generator().manual_seed(0)
    factor, kind = 4, "mean"
    coarse = torch.randn(64, 3, 16, generator=g).cumsum(-1)
    base = interpolate(coarse, factor, kind)
    real = project(base + 0.5 * torch.randn(base.shape, generator=g), coarse, factor, kind)
    assert spectral_loss(real, real, coarse, factor, kind).item() == 0.0
    noise = torch.randn(base.shape, generator=g)
    for start in (0.05, 5.0):
        gain = torch.nn.Parameter(torch.tensor(start))
        opt = torch.optim.Adam([gain], lr=0.05)
        for _ in range(300):
            opt.zero_grad()
            spectral_loss(project(base + gain * noise, coarse, factor, kind), real, coarse, factor, kind).backward()
            opt.step()
        assert abs(gain.item() - 0.5) < 0.05, (start, gain.item())


def test_correlation_loss_is_zero_on_real_and_pulls_shared_texture_apart():
    """Real against itself scores 0; texture that mixes one series shared by all tags with each tag's own noise
    is pulled from a share of 0.9 (detail correlation about 0.99 between tags) to the real windows' 0.3 (about
    0.16) by the loss alone."""
    g = torch.Generator().manual_seed(1)
    factor, kind = 4, "mean"
    coarse = torch.randn(64, 4, 16, generator=g).cumsum(-1)
    base = interpolate(coarse, factor, kind)
    shared, own = torch.randn(64, 1, 64, generator=g), torch.randn(base.shape, generator=g)

    def texture(a):
        return project(base + 0.5 * (a * shared + (1 - a) * own), coarse, factor, kind)

    real = texture(torch.tensor(0.3)).detach()
    shared, own = torch.randn(64, 1, 64, generator=g), torch.randn(base.shape, generator=g)  # new draws
    assert correlation_loss(real, real, coarse, factor, kind).item() == pytest.approx(0.0, abs=1e-10)
    a = torch.nn.Parameter(torch.tensor(0.9))
    opt = torch.optim.Adam([a], lr=0.02)
    start = correlation_loss(texture(a), real, coarse, factor, kind).item()
    for _ in range(200):
        opt.zero_grad()
        correlation_loss(texture(a), real, coarse, factor, kind).backward()
        opt.step()
    assert start > 0.3 and abs(a.item() - 0.3) < 0.08, (start, a.item())


def test_detail_spread_follows_the_activity_only_where_it_varies():
    """A tag whose fine texture is 100x rougher while its block means move fast gets that profile (quiet shares
    near 0.01 of the busy ones); a white-noise sensor on a random walk gets one spread, :func:`detail_scale`'s;
    the spread read back at the shares' own activities is the table's."""
    g = torch.Generator().manual_seed(0)
    n, factor, length = 256, 4, 16
    busy = torch.rand(n, 1, length, generator=g) < 0.3  # coarse steps in a transition
    level = torch.cumsum(torch.where(busy, 5.0, 0.0) * torch.randn(n, 1, length, generator=g), -1)
    rough = torch.where(busy, 1.0, 0.01).repeat_interleave(factor, -1)
    plant = level.repeat_interleave(factor, -1) + rough * torch.randn(n, 1, length * factor, generator=g)
    sensor = torch.randn(n, 1, length, generator=g).cumsum(-1).repeat_interleave(factor, -1)
    sensor = sensor + 0.3 * torch.randn(n, 1, length * factor, generator=g)
    fine = torch.cat([plant, sensor], 1)
    centres, scales = detail_table(fine, factor, "mean")
    assert scales.shape == centres.shape == (2, 8)
    assert scales[0, 0] < 0.05 * scales[0, -1]  # the quiet blocks' texture is a hundredth of the busy ones'
    assert torch.allclose(scales[1], detail_scale(fine, factor, "mean")[1].expand(8))  # one spread
    assert (scales[1].max() / scales[1].min()).item() == pytest.approx(1.0)
    at = centres[None].clone()
    assert torch.allclose(table_scale(at, centres, scales), scales[None], rtol=1e-5)
    mid = (centres[:, 2:3] + centres[:, 3:4]) / 2  # linear in between, held beyond the ends
    got = table_scale(mid[None], centres, scales)[0, :, 0]
    assert torch.all(got >= scales[:, 2:4].amin(1) - 1e-6) and torch.all(got <= scales[:, 2:4].amax(1) + 1e-6)
    far = table_scale(torch.full((1, 2, 1), 1e6), centres, scales)[0, :, 0]
    assert torch.allclose(far, scales[:, -1])
    assert PROFILE_MIN_RATIO > 1


def test_detail_profile_activity_fits_upsamples_exactly_and_round_trips(tep, tmp_path):
    """``detail_profile="activity"`` keeps a table per tag that survives save/load and keeps the archive's
    values exactly; an unknown profile is refused before any work."""
    m = SuperResolutionGAN(factor=4, window=8, detail_profile="activity", **TINY).fit(tep, condition="fault")
    assert m.generator_.scale_values.shape == (len(TAGS), 8)
    coarse = coarsen(tep, 4, "mean")
    fine = m.upsample(coarse, random_state=1)
    assert _block_error(m, fine, coarse) < 1e-9
    loaded = load_model(m.save(tmp_path / "a.indgan"))
    assert torch.equal(loaded.generator_.scale_values, m.generator_.scale_values)
    assert np.allclose(loaded.upsample(coarse, random_state=1)[TAGS].to_numpy(), fine[TAGS].to_numpy(), atol=1e-5)
    with pytest.raises(ConfigError, match="detail_profile"):
        SuperResolutionGAN(detail_profile="busy").fit(tep)


def test_robust_detail_spread_ignores_rare_large_details():
    """``robust``: on Gaussian detail the robust spread is the standard deviation; a tag whose detail is quiet but
    for a few huge blocks (an angle's turn past north) keeps its quiet spread, where the standard deviation grows
    with the rare blocks."""
    g = torch.Generator().manual_seed(0)
    factor, n, length = 4, 64, 32
    fine = torch.randn(n, 2, length * factor, generator=g, dtype=torch.float64)
    fine[:, 1] *= 0.01
    fine[:3, 1, 8:12] += torch.tensor([180.0, -180.0, 180.0, -180.0], dtype=torch.float64)  # 3 of 2,048 blocks
    sd, rob = detail_scale(fine, factor, "mean"), detail_scale(fine, factor, "mean", robust=True)
    assert abs(rob[0] / sd[0] - 1) < 0.05
    assert sd[1] > 1.0 and rob[1] < 0.02
    _, scales = detail_table(fine, factor, "mean", robust=True)
    assert scales[1].amin() < 0.02


def test_detail_spread_robust_fits_upsamples_exactly_and_round_trips(tep, tmp_path):
    """``detail_spread="robust"`` scales the texture by the robust spread (no larger than the standard deviation's
    on TEP's heavy-tailed tags), keeps the archive's values exactly and survives save/load; an unknown spread is
    refused before any work."""
    m = SuperResolutionGAN(factor=4, window=8, detail_spread="robust", **TINY).fit(tep, condition="fault")
    std = SuperResolutionGAN(factor=4, window=8, **TINY).fit(tep, condition="fault")
    assert torch.all(m.generator_.out_scale <= std.generator_.out_scale * 1.5)
    assert not torch.allclose(m.generator_.out_scale, std.generator_.out_scale)
    coarse = coarsen(tep, 4, "mean")
    fine = m.upsample(coarse, random_state=1)
    assert _block_error(m, fine, coarse) < 1e-9
    loaded = load_model(m.save(tmp_path / "r.indgan"))
    assert loaded.detail_spread == "robust"
    assert torch.equal(loaded.generator_.out_scale, m.generator_.out_scale)
    with pytest.raises(ConfigError, match="detail_spread"):
        SuperResolutionGAN(detail_spread="mad").fit(tep)


def test_a_model_saved_before_the_detail_table_loads_with_one_spread(model8, tep):
    """Drop the table from a saved state (a model from before it): the loaded generator uses ``out_scale`` at every
    activity, so its draws equal those of the same generator with a flat table."""
    state = {k: v for k, v in model8.generator_.state_dict().items() if not k.startswith("scale_")}
    old = SRGenerator(len(TAGS), model8.generator_.cond_dim, model8.generator_.factors, "mean", 16, 2, 4)
    old.load_state_dict(state)
    assert old.scale_values.shape == (len(TAGS), 1) and torch.equal(old.scale_values[:, 0], old.out_scale)
    coarse = torch.randn(2, len(TAGS), 8)
    assert torch.equal(old.local_scale(coarse, 8), old.out_scale[None, :, None].expand(2, -1, 64))
    flat = SRGenerator(len(TAGS), model8.generator_.cond_dim, model8.generator_.factors, "mean", 16, 2, 4)
    three = {"scale_centres": torch.zeros(len(TAGS), 3), "scale_values": old.out_scale[:, None].repeat(1, 3)}
    flat.load_state_dict({**state, **three})
    assert torch.allclose(flat.local_scale(coarse, 8), old.local_scale(coarse, 8))


# ---------------------------------------------------------------------------------------------- the estimator
def test_upsample_shapes_conditions_and_exact_means(model8, tep):
    coarse = coarsen(tep, 8, "mean")
    assert len(coarse) == 2 * 256 // 8
    fine = model8.upsample(coarse, random_state=0)
    assert list(fine.columns) == list(tep.columns) and len(fine) == len(tep)
    assert (fine.time.iloc[:8].diff().dropna() == pd.Timedelta("3min")).all()
    assert fine.time.iloc[0] == coarse.time.iloc[0] and fine.time.iloc[8] == coarse.time.iloc[1]
    assert (fine.groupby("run").fault.unique().map(list) == tep.groupby("run").fault.unique().map(list)).all()
    assert fine[TAGS].dtypes.eq(np.float64).all()  # float32 would not hold the means exactly
    assert _block_error(model8, fine, coarse) < 1e-5
    # not the interpolation: texture within the blocks
    assert fine[TAGS].to_numpy().reshape(-1, 8, len(TAGS)).std(1).mean() > 0


@pytest.mark.parametrize("kind", ["mean", "sample"])
def test_a_tag_constant_in_training_keeps_the_archives_values(tep, kind):
    """A tag that never moved in training (a valve held shut) and moves later: every fine block honours its coarse
    value exactly (< 1e-9 of the tag's range), as every learned tag does, never the training constant."""
    train = tep.assign(xmv_10=41.5)
    model = SuperResolutionGAN(factor=4, coarse=kind, window=8, **TINY).fit(train, condition="fault")
    assert model.schema_["xmv_10"].role == "constant"
    later = tep.assign(xmv_10=np.linspace(30.0, 60.0, len(tep)))
    coarse = coarsen(later, 4, kind)
    fine = model.upsample(coarse, random_state=0)
    for tag in [*model.fit_info_.tags, "xmv_10"]:
        x = fine[tag].to_numpy(np.float64).reshape(-1, 4)
        got = x.mean(1) if kind == "mean" else x[:, 0]
        ref = coarse[tag].to_numpy(np.float64)
        span = later[tag].max() - later[tag].min()
        assert np.abs(got - ref).max() <= 1e-9 * span, tag
    assert fine["xmv_10"].nunique() > 10


def test_a_tag_at_rest_in_the_archive_stays_at_rest(model8, tep):
    """A valve the archive shows at one value for a while (equal block means) comes out flat at that value, with
    no texture, while its moving stretches get texture; consistency stays exact."""
    later = tep.copy()
    later.loc[40:119, "xmv_3"] = 12.25  # rows 40-119 of run d00: blocks 5-14 at rest
    coarse = coarsen(later, 8, "mean")
    fine = model8.upsample(coarse, random_state=0)
    x = fine["xmv_3"].to_numpy()
    assert (x[40:120] == 12.25).all()
    assert np.diff(x[136:256]).std() > 0  # the rest of the run moves
    assert _block_error(model8, fine, coarse) < 1e-9


def test_sample_kind_passes_through_the_kept_samples_with_entities():
    dryer = pd.read_parquet(DATA / "dryer.parquet")
    dryer = dryer[dryer.batch_id <= 6]
    model = SuperResolutionGAN(factor=4, coarse="sample", window=8, progressive=True, **TINY).fit(dryer)
    assert [s["resolution"] for s in model.fit_info_.stages] == [2, 4]
    coarse = coarsen(dryer, 4, "sample")
    fine = model.upsample(coarse, random_state=0)
    per = fine.groupby("batch_id").size()
    assert (per == coarse.groupby("batch_id").size() * 4).all()
    assert _block_error(model, fine, coarse) < 1e-5
    assert np.allclose(fine.ClockTime.iloc[:4].diff().dropna(), 1.0)  # numeric time at the fine interval


def test_a_condition_written_as_floats_is_the_same_level(model8, tep):
    """A coarse archive whose grid had gaps holds fault 0 as 0.0: the same level, not one the model never saw."""
    coarse = coarsen(tep, 8, "mean")
    as_float = coarse.assign(fault=coarse["fault"].astype(float))
    pd.testing.assert_frame_equal(
        model8.upsample(as_float, random_state=0).drop(columns="fault"),
        model8.upsample(coarse, random_state=0).drop(columns="fault"),
    )
    with pytest.raises(ConditionError, match="not trained on"):
        model8.upsample(coarse.assign(fault=coarse["fault"] + 0.5), random_state=0)


def test_draws_differ_and_are_all_consistent(model8, tep):
    coarse = coarsen(tep, 8, "mean")
    out = model8.upsample(coarse, draws=3, random_state=5)
    assert list(out.columns[:2]) == ["draw", "run"] and len(out) == 3 * len(tep)
    x = out[TAGS].to_numpy(np.float64).reshape(3, -1, len(TAGS))
    assert np.abs(x[0] - x[1]).max() > 0 and np.abs(x[1] - x[2]).max() > 0
    assert _block_error(model8, out, coarse, draws=3) < 1e-5
    spread = model8.draw_spread(out)
    assert set(spread.index) == set(TAGS) and (spread > 0).all()
    again = model8.upsample(coarse, draws=3, random_state=5)
    assert np.array_equal(again[TAGS].to_numpy(), out[TAGS].to_numpy())  # the seed repeats the draws


def test_save_load_in_the_safe_model_file(model8, tep, tmp_path):
    path = model8.save(tmp_path / "sr.indgan")
    loaded = load_model(path)
    assert type(loaded) is SuperResolutionGAN and loaded.fit_info_.tags == model8.fit_info_.tags
    coarse = coarsen(tep, 8, "mean")
    a, b = model8.upsample(coarse, random_state=3), loaded.upsample(coarse, random_state=3)
    assert np.allclose(a[TAGS].to_numpy(), b[TAGS].to_numpy(), atol=1e-5)
    assert torch.load(path, weights_only=True)["kind"] == "SuperResolutionGAN"


def test_refuses_a_coarse_interval_other_than_factor_times_fine(model8, tep):
    with pytest.raises(
        DataError,
        match=r"coarse interval 12min is not the model's factor 8 x its fine interval "
        r"3min \(= 24min\)",
    ) as err:
        model8.upsample(coarsen(tep, 4, "mean"))
    assert "\n" not in str(err.value)


def test_refuses_fewer_coarse_steps_than_one_window(model8, tep):
    coarse = coarsen(tep, 8, "mean")
    short = coarse[coarse.run == "d00"].head(5)
    with pytest.raises(DataError, match=r"5 coarse step\(s\) \(run 'd00'\), fewer than one window of 8 coarse steps"):
        model8.upsample(short)
    with pytest.raises(DataError, match="missing from the table"):
        model8.upsample(coarse.drop(columns="xmeas_2"))
    with pytest.raises(ConfigError, match="draws must be a positive integer"):
        model8.upsample(coarse, draws=0)
    with pytest.raises(ConditionError, match="condition 'fault' is '7' at coarse step 0, a value the model was not"):
        model8.upsample(coarse.assign(fault=7))
    with pytest.raises(DataError, match=r"upsample: coarse is a path .*indgan\.read_table"):
        model8.upsample("coarse.parquet")  # models take frames


def test_mse_only_baseline_is_reproducible(tep, capsys):
    a = SuperResolutionGAN(factor=4, window=8, adversarial_weight=0, **TINY).fit(tep)
    b = SuperResolutionGAN(factor=4, window=8, adversarial_weight=0, **TINY).fit(tep)
    assert a.summary_.loss == "mse" and a.fit_info_.content_loss == "mse"
    coarse = coarsen(tep, 4, "mean")
    assert np.array_equal(
        a.upsample(coarse, random_state=0)[TAGS].to_numpy(), b.upsample(coarse, random_state=0)[TAGS].to_numpy()
    )
    assert capsys.readouterr().err == ""  # verbose=False: no progress bar
    with pytest.raises(ConfigError, match="coarse='max'"):
        SuperResolutionGAN(coarse="max").fit(tep)


def test_cli_fit_and_upsample_end_to_end(tep, tmp_path):
    data, model, coarse, out = (tmp_path / n for n in ("tep.parquet", "m.indgan", "coarse.parquet", "fine.parquet"))
    tep.to_parquet(data, index=False)
    coarsen(tep, 8, "mean").to_parquet(coarse, index=False)
    runner = CliRunner()
    res = runner.invoke(
        cli,
        [
            "fit",
            str(data),
            "--model",
            "super-resolution",
            "--factor",
            "8",
            "--coarse",
            "mean",
            "--iterations",
            "4",
            "--condition",
            "fault",
            "--out",
            str(model),
            "--quiet",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "x8 super-resolution (block means)" in res.output
    res = runner.invoke(cli, ["upsample", str(model), str(coarse), "-o", str(out), "--draws", "2"])
    assert res.exit_code == 0, res.output
    assert "spread of the draws per tag" in res.output
    fine = pd.read_parquet(out)
    assert len(fine) == 2 * len(tep) and "draw" in fine.columns
    res = runner.invoke(cli, ["fit", str(data), "--model", "sequence", "--factor", "8", "--quiet"])
    assert res.exit_code == 1 and "--factor: not an option of the sequence model" in res.output
