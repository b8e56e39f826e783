"""CycleGAN regime transfer (indgan.cyclegan) and denoising feature matching (indgan.losses), on real TEP runs and
plant-log slices; tiny networks, a few dozen iterations."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
import torch
from click.testing import CliRunner
from torch import nn

from indgan import ConditionError, DataError, TabularGAN, load_model, read_table
from indgan.cli import cli
from indgan.cyclegan import CycleGAN
from indgan.cyclegan.prepare import variability_start
from indgan.losses import AdversarialLoss, DenoisingFeatureMatching

from .conftest import DATA

TINY = {
    "seq_len": 16,
    "stride": 2,
    "hidden_dim": 8,
    "n_blocks": 2,
    "disc_dim": 8,
    "batch_size": 8,
    "iterations": 60,
    "time_budget": None,
    "verbose": False,
    "random_state": 0,
}


@pytest.fixture(scope="module")
def tep() -> pd.DataFrame:
    return read_table(DATA / "tep.parquet")


@pytest.fixture(scope="module")
def tep04(tep) -> pd.DataFrame:
    """The training runs of normal operation (d00) and fault 4 (d04): 980 rows x 55 columns."""
    return tep[tep.run.isin(["d00", "d04"])].reset_index(drop=True)


@pytest.fixture(scope="module")
def week(tep) -> pd.DataFrame:
    """The held-out normal test run d00_te: 960 rows (48 h)."""
    return tep[tep.run == "d00_te"].reset_index(drop=True)


@pytest.fixture(scope="module")
def model(tep04) -> CycleGAN:
    return CycleGAN(domains=("fault", 0, 4), **TINY).fit(tep04)


def test_fit_and_translate_shapes(model, week, tep04):
    before = week.copy()
    out = model.translate(week, to=4)
    pd.testing.assert_frame_equal(week, before)  # the input is not modified
    assert out.shape == week.shape and list(out.columns) == list(week.columns) and out.index.equals(week.index)
    assert (out.dtypes == week.dtypes).all()
    assert (out.fault == 4).all() and (out.run == week.run).all() and (out.time == week.time).all()
    # fault 4 (reactor cooling water inlet temperature step) moves the cooling water valve xmv_10 up by ~4 %
    fault = tep04[tep04.fault == 4].xmv_10.mean()
    assert abs(out.xmv_10.mean() - fault) < abs(week.xmv_10.mean() - fault) / 3
    assert model.fit_info_.n_windows_a > 0 and model.fit_info_.domain_values == [0, 4]
    # the analysers stay sampled and held: xmeas_37 changes at most every 5th step, at the source's own steps
    changed_out = np.flatnonzero(np.diff(out.xmeas_37.to_numpy()) != 0)
    changed_in = np.flatnonzero(np.diff(week.xmeas_37.to_numpy()) != 0)
    assert set(changed_out) <= set(changed_in)
    # back to 0 is a no-op on rows already in domain 0 ... and rows of domain 4 become 0
    assert model.translate(week, to=0).equals(week)
    back = model.translate(out, to="0")
    assert (back.fault == 0).all()


def test_translating_a_long_log_has_no_seams(model, week):
    model = copy.deepcopy(model)
    model.stochastic = False  # the windows' machinery alone: the variability's noise is drawn per call
    full = model.translate(week, to=4)
    tags = [c for c in model.encoder_.continuous if c not in {n for g in model.fit_info_.held for n in g["names"]}]
    # a log translated in two halves matches the whole one away from the cut (the windows are the same)
    first, second = week.iloc[:480], week.iloc[480:]
    a, b = model.translate(first, to=4), model.translate(second, to=4)
    seq = model.fit_info_.seq_len
    np.testing.assert_allclose(
        a[tags].to_numpy()[: 480 - seq], full[tags].to_numpy()[: 480 - seq], rtol=1e-5, atol=1e-4
    )
    np.testing.assert_allclose(b[tags].to_numpy()[seq:], full[tags].to_numpy()[480 + seq :], rtol=1e-5, atol=1e-4)
    # no jump at window boundaries (every seq_len / 2 steps) beyond the step-to-step spread elsewhere
    step = np.abs(np.diff(full[tags].to_numpy(np.float64), axis=0)) / week[tags].std().to_numpy()
    hop = seq // 2
    at = np.arange(hop - 1, len(step), hop)
    others = np.setdiff1d(np.arange(len(step)), at)
    assert step[at].mean() < 1.5 * step[others].mean()


def test_cycle_round_trip_is_closer_than_the_one_way_translation(model, week):
    fi = model.fit_info_
    assert fi.cycle_error_a < fi.one_way_a and fi.cycle_error_b < fi.one_way_b
    tags = model.encoder_.continuous
    model = copy.deepcopy(model)
    model.stochastic = False  # the cycle is learned on the deterministic maps (variability cannot be undone)
    there = model.translate(week, to=4)
    back = model.translate(there, to=0)
    sd = week[tags].std().to_numpy() + 1e-9
    err = lambda x: float(np.abs((x[tags].to_numpy(np.float64) - week[tags].to_numpy(np.float64)) / sd).mean())
    assert err(back) < 0.5 * err(there)


def test_the_variability_is_seeded(model, week):
    a, b = model.translate(week, to=4, random_state=1), model.translate(week, to=4, random_state=1)
    c = model.translate(week, to=4, random_state=2)
    tags = model.encoder_.continuous
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a[tags].to_numpy(np.float64), c[tags].to_numpy(np.float64))


def test_the_variability_starts_at_the_excess_step_covariance():
    """Domain B's steps have A's covariance plus a shared direction (tags that vary together): white noise with
    the start's covariance (shared mixing plus per-tag gains) adds exactly that excess to A's steps, mostly through
    one shared channel; from B to A (less variable) the start adds next to nothing."""
    rng = np.random.default_rng(0)
    n, tags = 20_000, 6
    u = np.array([1.0, 1.0, 0.5, 0.0, 0.0, -1.0])
    steps_a = rng.normal(size=(n, tags))
    steps_b = rng.normal(size=(n, tags)) + 2.0 * rng.normal(size=(n, 1)) * u
    z = np.concatenate([steps_a.cumsum(0), steps_b.cumsum(0)])
    lab = np.repeat([0, 1], n)
    start = variability_start(z, np.ones_like(z), lab, np.array([0, n, 2 * n]))
    mix, own = start["mix_ab"], start["ab"]
    added = 2.0 * (mix @ mix.T + np.diag(own**2))  # white noise of covariance S adds 2 S to the steps
    np.testing.assert_allclose(added, 4.0 * np.outer(u, u), atol=0.15)
    assert (mix[:, 0] ** 2).sum() > 0.9 * (mix**2).sum()  # one shared channel carries it
    assert np.abs(start["mix_ba"]).max() < 0.2 and start["ba"].max() < 0.2


def test_a_regime_that_varies_more_is_reached(week):
    """Domain B is domain A with one tag 4x as variable (a random-variation fault): the translation adds that
    variability (step spread of the tag within 0.5-2x B's, from A's quarter), while the paper's deterministic
    CycleGAN, trained alike, stays near the source's spread."""
    rng = np.random.default_rng(0)
    cols = ["time", "run", "fault", "xmeas_7", "xmeas_9", "xmeas_21", "xmv_10"]
    a = week[cols].iloc[:480].assign(fault=0, run="a")
    b = week[cols].iloc[480:].assign(fault=1, run="b")
    sd = a.xmeas_9.diff().std()
    b["xmeas_9"] = b.xmeas_9 + rng.normal(0.0, 4.0 * sd / np.sqrt(2.0), len(b))
    data = pd.concat([a, b], ignore_index=True)
    spread = {}
    for stochastic in (True, False):
        m = CycleGAN(
            domains=("fault", 0, 1),
            stochastic=stochastic,
            spectral_weight=1.0 if stochastic else 0.0,
            entity="run",
            **{**TINY, "iterations": 150},
        ).fit(data)
        there = m.translate(a, to=1, random_state=0)
        spread[stochastic] = there.xmeas_9.diff().std()
    real_b = b.xmeas_9.diff().std()
    assert 0.5 * real_b < spread[True] < 2.0 * real_b, (spread, real_b)
    assert spread[False] < 0.5 * real_b, (spread, real_b)


def test_save_load_gives_the_same_translation(model, week, tmp_path):
    path = model.save(tmp_path / "tep_0to4.indgan")
    loaded = load_model(path)
    assert isinstance(loaded, CycleGAN) and loaded.translates and loaded.domains_ == [0, 4]
    pd.testing.assert_frame_equal(
        loaded.translate(week, to=4, random_state=3), model.translate(week, to=4, random_state=3)
    )
    raw = torch.load(path, weights_only=True, map_location="cpu")  # tensors and strings only: no code runs
    assert raw["kind"] == "CycleGAN"
    # a model saved before the variability existed loads and translates deterministically
    for key in [k for k in raw["tensors"] if k.startswith("generator.spread.")]:
        del raw["tensors"][key]
    torch.save(raw, tmp_path / "old.indgan")
    old = load_model(tmp_path / "old.indgan")
    assert float(old.generator_.spread["b"].own.weight.detach().abs().sum()) == 0.0
    det = copy.deepcopy(model)
    det.stochastic = False
    np.testing.assert_allclose(
        old.translate(week, to=4, random_state=1)[model.encoder_.continuous].to_numpy(np.float64),
        det.translate(week, to=4)[model.encoder_.continuous].to_numpy(np.float64),
        rtol=1e-6,
        atol=1e-6,
    )


def test_two_tables_and_status_strings_are_kept(plant):
    """A non-fault pair (two operating states of the plant logs, tag63 low/high), one table per state: historian
    status strings and missing cells come back where they were; the constant tag keeps its value."""
    cols = ["timestamp", "tag0", "tag1", "tag2", "tag4", "tag5", "tag70", "tag95", "tag63"]
    df = plant[cols]
    lo, hi = df.tag63.min(), df.tag63.max()
    a, b = df[df.tag63 == lo].drop(columns="tag63"), df[df.tag63 == hi].drop(columns="tag63")
    m = CycleGAN(domains=("state", "low", "high"), **{**TINY, "iterations": 20}).fit(a, b)
    out = m.translate(a, to="high")
    assert out.shape == a.shape and "state" not in out  # the input's columns
    assert (out.tag0 != a.tag0).any()
    for tag in ("tag2", "tag70"):
        was = pd.to_numeric(a[tag], errors="coerce").isna()
        assert was.any()
        assert (out[tag][was].astype(str) == a[tag][was].astype(str)).all()  # "Bad", "Inp OutRange" as they were
        assert not pd.to_numeric(out[tag][~was], errors="coerce").isna().any()
    assert (out.tag4 == a.tag4).all()


def test_bad_input_gives_one_line_errors(model, tep04, week, tmp_path):
    with pytest.raises(ConditionError, match=r"domain fault=9 does not occur.*fault has: 0, 4"):
        CycleGAN(domains=("fault", 0, 9), **TINY).fit(tep04)
    with pytest.raises(ConditionError, match="domain column 'mode' is not in the table"):
        CycleGAN(domains=("mode", 0, 4), **TINY).fit(tep04)
    few = pd.concat([tep04[tep04.fault == 0], tep04[tep04.fault == 4].iloc[:20]])
    with pytest.raises(DataError, match=r"domain fault=4 has 3 window\(s\) of 16 steps .* at least 8"):
        CycleGAN(domains=("fault", 0, 4), **TINY).fit(few)
    with pytest.raises(ConditionError, match=r"--to 7 is not one of this model's domains: fault=0 \(A\) or fault=4"):
        model.translate(week, to=7)
    with pytest.raises(DataError, match="column\\(s\\) 'extra' are not known to this model"):
        model.translate(week.assign(extra=1.0), to=4)
    with pytest.raises(DataError, match="'xmv_3' of the training data are missing"):
        model.translate(week.drop(columns="xmv_3"), to=4)
    with pytest.raises(DataError, match="run 'd00_te' has 10 steps .* shorter than the model's windows of 16"):
        model.translate(week.iloc[:10], to=4)
    with pytest.raises(DataError, match=r"CycleGAN.translate: data is a path .*indgan\.read_table"):
        model.translate(tmp_path / "week.parquet", to=4)  # models take frames
    with pytest.raises(DataError, match=r"CycleGAN: data_b is a path"):
        CycleGAN(domains=("fault", 0, 4), **TINY).fit(tep04, tmp_path / "b.parquet")
    # on the command line: one line, exit status 1
    path = model.save(tmp_path / "m.indgan")
    frame = tmp_path / "week.parquet"
    week.to_parquet(frame)
    res = CliRunner().invoke(cli, ["translate", str(path), str(frame), "--to", "7", "-o", str(tmp_path / "o.parquet")])
    assert res.exit_code == 1 and res.output.count("\n") == 1 and "not one of this model's domains" in res.output
    for out in ("o.parquet", "o2.parquet"):
        args = ["translate", str(path), str(frame), "--to", "4", "-o", str(tmp_path / out), "--seed", "5"]
        res = CliRunner().invoke(cli, args)
        assert res.exit_code == 0, res.output
    assert (pd.read_parquet(tmp_path / "o.parquet").fault == 4).all()
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "o.parquet"), pd.read_parquet(tmp_path / "o2.parquet"))


# ------------------------------------------------------------------------------------ denoising feature matching
class _Critic(nn.Module):
    def __init__(self, dim: int):
        super().__init__()
        self.features = nn.Sequential(nn.Linear(dim, 16), nn.LeakyReLU(0.2))
        self.head = nn.Linear(16, 1)

    def forward(self, x):
        return self.head(self.features(x)).squeeze(-1)


def test_denoising_feature_matching_term_gradient_and_denoiser_training():
    torch.manual_seed(0)
    critic, gen = _Critic(3), nn.Linear(4, 3)
    loss = AdversarialLoss("denoising-feature-matching")
    real = torch.randn(64, 3) * 0.5 + 2.0
    fake = gen(torch.randn(64, 4))
    d_loss, d_real, d_fake = loss.critic_loss(critic, real, fake.detach())
    assert torch.isfinite(d_loss) and 0 < d_real < 1 and 0 < d_fake < 1
    dae = loss.denoisers[id(critic)]
    assert isinstance(dae, DenoisingFeatureMatching) and dae.steps == 1
    # the generator's loss is the non-saturating one plus the denoising term, with a gradient to the generator only
    g_loss = loss.generator_loss(critic, fake)
    ns = AdversarialLoss("non-saturating").generator_loss(critic, fake)
    f_fake = critic.features(fake)
    term = dae.generator_loss(f_fake)
    assert g_loss.item() == pytest.approx(ns.item() + term.item(), rel=1e-5) and term.item() > 0
    dae.optimizer.zero_grad(set_to_none=True)
    g_loss.backward()
    assert gen.weight.grad is not None and gen.weight.grad.abs().sum() > 0
    assert all(p.grad is None for p in dae.parameters())  # r(phi) is a fixed target for the generator
    # the denoiser learns to denoise the real features
    with torch.no_grad():
        f_real = critic.features(real)
    torch.manual_seed(1)
    first = dae.denoising_loss(f_real).item()
    for _ in range(200):
        dae.train_step(f_real)
    torch.manual_seed(1)
    assert dae.denoising_loss(f_real).item() < 0.5 * first
    # the generator term pushes phi along r(phi) - phi
    phi = f_fake.detach().clone().requires_grad_(True)
    dae.generator_loss(phi).backward()
    with torch.no_grad():
        direction = dae(phi) - phi
    assert (-phi.grad * direction).sum() > 0


def test_least_squares_matches_its_formula():
    critic = _Critic(2)
    real, fake = torch.randn(8, 2), torch.randn(8, 2)
    loss = AdversarialLoss("least-squares")
    d, _, _ = loss.critic_loss(critic, real, fake)
    assert d.item() == pytest.approx(
        0.5 * (((critic(real) - 1) ** 2).mean() + (critic(fake) ** 2).mean()).item(), rel=1e-5
    )
    assert loss.generator_loss(critic, fake).item() == pytest.approx(((critic(fake) - 1) ** 2).mean().item(), rel=1e-5)
    assert not loss.probabilistic


def test_every_family_takes_denoising_feature_matching(small):
    model = TabularGAN(
        loss="denoising-feature-matching",
        epochs=2,
        time_budget=None,
        batch_size=100,
        latent_dim=16,
        generator_dim=(32, 32),
        critic_dim=(32, 32),
        verbose=False,
        random_state=0,
    ).fit(small)
    assert model.summary_.loss == "denoising-feature-matching" and len(model.sample(50)) == 50


def test_fit_on_the_command_line(tep04, tmp_path):
    data = tmp_path / "tep04.parquet"
    tep04.to_parquet(data)
    config = tmp_path / "tiny.toml"
    config.write_text("[model]\nseq_len = 16\nhidden_dim = 8\nn_blocks = 2\ndisc_dim = 8\nbatch_size = 8\n")
    out = tmp_path / "tep_0to4.indgan"
    run = lambda *a: CliRunner().invoke(cli, ["fit", str(data), "--quiet", "--config", str(config), *a])
    r = run("--model", "cyclegan", "--domains", "fault=0,4", "--iterations", "5", "--out", str(out))
    assert r.exit_code == 0, r.output
    assert "model: cyclegan (CycleGAN; asked for)" in r.output and "domains: fault=0 (A" in r.output
    assert isinstance(load_model(out), CycleGAN)
    r = run("--model", "cyclegan", "--domains", "fault=0,9", "--iterations", "5")
    last = r.output.strip().splitlines()[-1]  # the error is one line, after the fit's own lines
    assert r.exit_code == 1 and last.startswith("Error: ") and "fault='9' does not occur" in last
    assert r.output.count("Error") == 1 and "Traceback" not in r.output
    r = run("--model", "cyclegan", "--iterations", "5")
    assert r.exit_code == 1 and "needs --domains COLUMN=A,B" in r.output
    r = run("--model", "cyclegan", "--domains", "fault", "--iterations", "5")
    assert r.exit_code == 2 and "write COLUMN=A,B" in r.output
    r = CliRunner().invoke(cli, ["fit", str(data), "--quiet", "--model", "tabular", "--domains", "fault=0,4"])
    assert r.exit_code == 1 and "--domains: not an option of the tabular model" in r.output
