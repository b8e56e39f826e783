"""SequenceGAN (TimeGAN) on small real slices: shapes, conditions, scenarios, persistence, seeds, bad input."""

import numpy as np
import pandas as pd
import pytest
import torch

from indgan import SequenceGAN
from indgan.errors import ConditionError, ConfigError, DataError, ModelFileError
from indgan.metrics.report import evaluate_sequences
from indgan import load_model
from indgan.scenarios import generate_scenarios, parse_conditions, parse_schedule

from .conftest import DATA

# Small networks and few iterations: the tests check behaviour, not quality.
TINY_SEQ = dict(
    seq_len=12,
    hidden_dim=12,
    num_layers=2,
    iterations=20,
    pretrain_iterations=20,
    batch_size=32,
    time_budget=None,
    verbose=False,
)
TAGS = ["xmeas_1", "xmeas_7", "xmeas_9", "xmeas_21", "xmv_10"]


@pytest.fixture(scope="module")
def tep():
    return pd.read_parquet(DATA / "tep.parquet")


@pytest.fixture(scope="module")
def tep_slice(tep):
    """Normal run d00 and faulty run d05_te around the fault's onset (rows 100-220): 240 rows, 5 tags."""
    d00 = tep[tep.run == "d00"].iloc[:120]
    d05 = tep[tep.run == "d05_te"].iloc[100:220]
    return pd.concat([d00, d05])[["run", "fault", "time", *TAGS]].reset_index(drop=True)


@pytest.fixture(scope="module")
def tep_model(tep_slice):
    return SequenceGAN(random_state=0, **TINY_SEQ).fit(tep_slice, condition="fault")


def test_fit_learns_windows_per_run(tep_model):
    info = tep_model.fit_info_
    assert info.entity_column == "run" and info.time_column == "time"
    assert info.interval == pd.Timedelta(minutes=3).value
    assert info.n_windows == 2 * (120 - 12 + 1)  # stride 1, no window across the two runs
    assert info.conditions == ["fault"] and info.static_conditions == []  # d05_te switches at 160
    assert len(tep_model.summary_.history) == 1 and tep_model.summary_.steps == 20
    assert tep_model.condition_candidates() == {"fault": [0, 5]}


def test_sample_shape_columns_time_and_ids(tep_model, tep_slice):
    out = tep_model.sample(sequences=3, steps=30, random_state=1)
    assert list(out.columns) == list(tep_slice.columns)
    assert len(out) == 90 and out["run"].nunique() == 3
    assert out["run"].iloc[0] == "scenario-0"
    for _, g in out.groupby("run"):
        assert (g["time"].diff().dropna() == pd.Timedelta(minutes=3)).all()
        assert g["time"].iloc[0] == tep_slice["time"].min()
    assert out[TAGS].dtypes.eq(np.float32).all() and out["fault"].dtype == np.int64
    # every value within the training range (the scenario contract)
    for tag in TAGS:
        assert out[tag].between(tep_slice[tag].min(), tep_slice[tag].max()).all()


def test_condition_schedule_changes_the_fault(tep_model):
    sched = tep_model.sample(sequences=2, conditions={"fault": [(0, 10), (5, 20)]}, random_state=3)
    assert len(sched) == 60
    per_step = sched.groupby(sched.groupby("run").cumcount())["fault"].first()
    assert (per_step.iloc[:10] == 0).all() and (per_step.iloc[10:] == 5).all()
    normal = tep_model.sample(sequences=2, steps=30, conditions={"fault": 0}, random_state=3)
    assert (normal["fault"] == 0).all()
    # same noise, different condition from step 10 on: the generated tags differ there, not before
    diff = (sched[TAGS].to_numpy() - normal[TAGS].to_numpy()).reshape(2, 30, -1)
    assert np.abs(diff[:, :10]).max() == 0 and np.abs(diff[:, 10:]).max() > 0


def test_chunked_generation_has_no_seams(tep_model):
    cond = tep_model._conditions(2, 40, {"fault": [5]}, tep_model.new_generator(0), None)
    one = tep_model._generate(cond, tep_model.new_generator(7), chunk=40)
    chunked = tep_model._generate(cond, tep_model.new_generator(7), chunk=7)
    torch.testing.assert_close(one, chunked, rtol=1e-5, atol=1e-6)


def test_save_load_and_seeds_round_trip(tep_model, tep_slice, tmp_path):
    path = tep_model.save(tmp_path / "tep.indgan")
    loaded = load_model(path, device="cpu")
    assert isinstance(loaded, SequenceGAN)
    pd.testing.assert_frame_equal(
        loaded.sample(sequences=2, random_state=5), tep_model.sample(sequences=2, random_state=5)
    )
    assert loaded.fit_info_ == tep_model.fit_info_
    again = SequenceGAN(random_state=0, **TINY_SEQ).fit(tep_slice, condition="fault")
    pd.testing.assert_frame_equal(
        again.sample(sequences=2, random_state=5), tep_model.sample(sequences=2, random_state=5)
    )
    other = SequenceGAN(random_state=1, **TINY_SEQ).fit(tep_slice, condition="fault")
    assert not other.sample(sequences=2, random_state=5).equals(tep_model.sample(sequences=2, random_state=5))
    with pytest.raises(ModelFileError, match="holds a SequenceGAN"):
        from indgan import TabularGAN

        TabularGAN.load(path)


def test_whole_batches_of_the_dryer(tmp_path):
    dryer = pd.read_parquet(DATA / "dryer.parquet")
    shortest = dryer.groupby("batch_id").size().nsmallest(3).index
    five = dryer[dryer.batch_id.isin(shortest)].reset_index(drop=True)
    lengths = five.groupby("batch_id").size()
    model = SequenceGAN(
        **{**TINY_SEQ, "seq_len": None, "iterations": 5, "pretrain_iterations": 5, "cell": "lstm"}, random_state=0
    ).fit(five)
    assert isinstance(model.generator_.generator.rnn, torch.nn.LSTM)
    assert model.fit_info_.whole and model.fit_info_.seq_len == lengths.max()
    out = model.sample(sequences=6, random_state=0)
    got = out.groupby("batch_id").size()
    assert len(got) == 6 and set(got) <= set(lengths)  # whole batches of the training lengths
    assert (out.groupby("batch_id")["ClockTime"].apply(lambda s: (s.diff().dropna() == 1).all())).all()
    assert out["batch_id"].dtype == np.int64
    # chunked generation carries the LSTM's (h, c) state as well
    cond = model._conditions(2, 60, {}, model.new_generator(0), torch.tensor([60, 60]))
    torch.testing.assert_close(
        model._generate(cond, model.new_generator(1), 60),
        model._generate(cond, model.new_generator(1), 9),
        rtol=1e-5,
        atol=1e-6,
    )


def test_scenario_schedule_parsing_and_ranges(tep_model):
    assert parse_schedule("0:160,5:320") == [("0", 160), ("5", 320)]
    assert parse_conditions(["fault=5"]) == {"fault": "5"}
    with pytest.raises(ConditionError, match="VALUE:STEPS"):
        parse_schedule("0:abc")
    res = generate_scenarios(tep_model, 2, steps=50, conditions=parse_conditions(["fault=0:20,5:20"]), random_state=0)
    assert len(res.frame) == 100
    assert (res.frame.groupby("run")["fault"].apply(lambda s: s.iloc[40:].eq(5).all())).all()  # last value holds
    assert list(res.ranges.columns) == ["tag", "train_min", "train_max", "min", "max", "at_limit"]
    assert (res.ranges["min"] >= res.ranges["train_min"] - 1e-4).all()
    assert (res.ranges["max"] <= res.ranges["train_max"] + 1e-4).all()


@pytest.mark.parametrize(
    "case, error, message",
    [
        ("unknown_value", ConditionError, "never occurs in the training data"),
        ("unknown_column", ConditionError, "unknown condition column"),
        ("too_long_schedule", ConditionError, "more than the"),
    ],
)
def test_bad_conditions(tep_model, case, error, message):
    conds = {
        "unknown_value": {"fault": 17},
        "unknown_column": {"mode": "B"},
        "too_long_schedule": {"fault": [(0, 30), (5, 30)]},
    }[case]
    with pytest.raises(error, match=message):
        tep_model.sample(sequences=1, steps=40 if case == "too_long_schedule" else None, conditions=conds)


@pytest.mark.parametrize(
    "case, message",
    [
        ("no_time", "no time column"),
        ("seq_len", "longer than every entity"),
    ],
)
def test_bad_input_is_refused_clearly(tep_slice, case, message):
    df = tep_slice.copy()
    kw = dict(TINY_SEQ)
    if case == "no_time":
        df = df.drop(columns="time")
    elif case == "seq_len":
        kw["seq_len"] = 500
    with pytest.raises(DataError, match=message):
        SequenceGAN(**kw).fit(df)


def test_repeated_timestamps_keep_the_first_with_a_warning(tep_slice, caplog):
    df = tep_slice.copy()
    df.loc[51, "time"] = df.loc[50, "time"]
    with caplog.at_level("WARNING"):
        model = SequenceGAN(**TINY_SEQ).fit(df)
    assert "1 row(s) repeat a timestamp" in caplog.text and "the first row of each time is kept" in caplog.text
    assert sum(model.fit_info_.lengths) < len(df) + 5


def test_evaluate_sequences_compares_like_with_like(tep_model, tep_slice):
    syn = tep_model.sample(sequences=6, steps=40, conditions={"fault": 0}, random_state=0)
    rep = evaluate_sequences(tep_slice, syn, seq_len=12, n_repeats=2, iterations=(50, 50), random_state=0)
    assert rep.by == {"fault": [0]}  # fault-0 scenarios are compared with fault-0 windows only
    assert 0 <= rep.discriminative.mean <= 0.5 and rep.predictive.mean > 0
    assert set(rep.per_tag["tag"]) == set(TAGS) and rep.per_tag["acf_difference"].notna().all()
    assert 0 < rep.steps.quality_score <= 1
    # a copy of the real windows is indistinguishable: ACF and correlation differences vanish
    same = evaluate_sequences(tep_slice, tep_slice, seq_len=12, n_repeats=1, iterations=(20, 20), with_real_floor=False)
    assert same.per_tag["acf_difference"].max() < 1e-6 and same.per_tag["xcorr_difference"].max() < 1e-6


@pytest.mark.parametrize("scaling", [True, False])
def test_condition_scaling_reproduces_each_faults_operating_point(tep, scaling):
    """TEP fault 4 (a step in the reactor's cooling-water inlet temperature) moves the cooling-water valve
    xmv_10 up by several of its standard deviations and leaves most tags alone. With per-condition scaling
    even a tiny model reproduces each fault's level of xmv_10; without it, a tiny model does not."""
    runs = pd.concat([tep[tep.run == "d00"].iloc[:240], tep[tep.run == "d04"].iloc[:240]])
    runs = runs[["run", "fault", "time", *TAGS]].reset_index(drop=True)
    model = SequenceGAN(random_state=0, condition_scaling=scaling, **TINY_SEQ).fit(runs, condition="fault")
    level = runs.groupby("fault")["xmv_10"].agg(["mean", "std"])
    gap = level.loc[4, "mean"] - level.loc[0, "mean"]
    assert gap > 3 * level["std"].max()
    got = {f: model.sample(sequences=20, conditions={"fault": f}, random_state=1)["xmv_10"].mean() for f in (0, 4)}
    hit = all(abs(got[f] - level.loc[f, "mean"]) < 0.25 * gap for f in (0, 4))
    assert hit == scaling, (got, level)


def test_embedding_phase_learns_to_reconstruct_the_sines():
    """The autoencoder of TimeGAN (embedder + recovery) must learn the steps in its own phase. Fed raw steps in
    [0, 1] (a large common offset, little variation) into sigmoid codes, its loss sat at the level of
    predicting the mean for a thousand iterations; with standardised inputs and centred codes it learns."""
    from indgan.datasets import sines_frame

    frame = sines_frame(400, 24, 3, random_state=0)
    model = SequenceGAN(
        seq_len=24,
        hidden_dim=12,
        num_layers=2,
        iterations=1,
        pretrain_iterations=300,
        batch_size=64,
        verbose=False,
        random_state=0,
        columns={"entity": ["sequence"], "time": ["step"]},
    ).fit(frame)
    x, o, c, w = (t[:256] for t in _windows(model, frame))
    with torch.no_grad():
        x_tilde, _ = model.recovery_(torch.cat([model.nets_.embed(x, o, c), c], -1))
    rmse = float(((x_tilde - x) ** 2).mean().sqrt())
    mean_level = float(((x - x.mean((0, 1))) ** 2).mean().sqrt())  # what predicting each feature's mean scores
    assert rmse < 0.35 * mean_level, (rmse, mean_level)


def _windows(model, frame):
    """The model's view of ``frame``'s windows, as in fit: encoded steps, mask, conditions, step weights."""
    from indgan.timegrid import to_grid

    info = model.fit_info_
    view = model.schema_.view(frame)
    grid = to_grid(view, info.time_column, info.entity_column)
    x, o = model.encoder_.transform(grid.frame, grid.observed)
    n = len(x) // info.seq_len
    shape = (n, info.seq_len, -1)
    x, o = torch.from_numpy(x).reshape(shape), torch.from_numpy(o).reshape(shape)
    return x, o, torch.zeros(n, info.seq_len, 0), torch.ones(n, info.seq_len, 1)


def test_static_noise_is_one_draw_per_sequence(tep_model):
    z = tep_model.noise(4, 30, torch.device("cpu"), torch.Generator().manual_seed(0))
    k = tep_model.latent_dim_
    assert z.shape == (4, 30, k + tep_model.static_dim_) and tep_model.static_dim_ == 12  # default: hidden_dim
    assert (z[:, :, k:] == z[:, :1, k:]).all()  # z_S: the same at every step of a sequence
    assert (z[0, :, k:] != z[1, :, k:]).any()  # ... and drawn anew for each sequence
    assert (z[:, 1:, :k] != z[:, :-1, :k]).any()  # z_t: a new draw per step
    with pytest.raises(ConfigError, match="static_latent_dim"):
        SequenceGAN(static_latent_dim=-1).fit(pd.DataFrame({"time": range(30), "a": np.arange(30.0)}))


def test_model_files_from_before_standardised_inputs_still_load(tep_slice, tmp_path):
    """Files written before the standardised inputs, centred codes and static noise load and sample as the
    model that wrote them did (raw steps, sigmoid codes, temporal noise only)."""
    from indgan.persist import load_model_file, save_model_file

    model = SequenceGAN(random_state=0, static_latent_dim=0, **TINY_SEQ).fit(tep_slice, condition="fault")
    kind, meta, tensors = load_model_file(model.save(tmp_path / "new.indgan"))
    for key in ("code_activation", "static_latent_dim"):
        del meta["fit_info"][key]
    del meta["params"]["static_latent_dim"]
    del tensors["input_shift"], tensors["input_scale"]
    old = SequenceGAN.load(save_model_file(tmp_path / "old.indgan", kind, meta, tensors))
    assert old.code_activation_ == "sigmoid" and old.static_dim_ == 0
    assert (old.input_shift_ == 0).all() and (old.input_scale_ == 1).all()
    out = old.sample(sequences=2, random_state=0)
    assert len(out) == 2 * TINY_SEQ["seq_len"] and out[TAGS].notna().all().all()


def test_analyser_tags_are_generated_as_staircases(tep):
    """TEP's analysers (xmeas_23-36 every 2 samples, xmeas_37-41 every 5) are held between updates; a model
    that generated smooth values for them would be told apart at a glance."""
    cols = ["run", "fault", "time", "xmeas_1", "xmeas_23", "xmeas_24", "xmeas_38"]
    part = pd.concat([tep[tep.run == "d00"].iloc[:150], tep[tep.run == "d01"].iloc[:150]])[cols]
    model = SequenceGAN(random_state=0, **TINY_SEQ).fit(part, condition="fault")
    held = {g["period"]: g["names"] for g in model.fit_info_.held}
    assert held == {2: ["xmeas_23", "xmeas_24"], 5: ["xmeas_38"]}
    out = model.sample(sequences=6, steps=40, random_state=2)
    for _, g in out.groupby("run"):
        for tag, period in (("xmeas_23", 2), ("xmeas_38", 5)):
            v = g[tag].to_numpy()
            starts = np.flatnonzero(np.r_[True, v[1:] != v[:-1]])
            runs = np.diff(np.r_[starts, len(v)])
            assert (runs[1:-1] == period).all() and runs.max() <= period
        assert (np.diff(g["xmeas_1"].to_numpy()) != 0).all()  # the continuous tag is not held
    plain = SequenceGAN(random_state=0, sample_hold=False, **TINY_SEQ).fit(part, condition="fault")
    assert plain.fit_info_.held == []
    v = plain.sample(sequences=1, steps=40, random_state=2)["xmeas_38"].to_numpy()
    assert (np.diff(v) != 0).mean() > 0.9


def test_correlation_term_sees_coupled_features_that_the_moments_miss():
    """Two features driven by one factor have the same per-step means and spreads as two independent ones
    (TimeGAN's moment loss is blind to it); the correlation gap is not."""
    from indgan.sequence.game import correlation_gap, correlations, moment_loss

    g = torch.Generator().manual_seed(0)
    independent = torch.rand(4000, 6, 2, generator=g)
    shared = torch.rand(4000, 6, 1, generator=g)
    coupled = torch.cat([shared, shared], -1)
    ones = torch.ones(4000, 6, 1)
    assert moment_loss(coupled, independent, torch.ones_like(independent), ones) < 0.02
    assert correlation_gap(coupled, independent, torch.ones_like(independent), ones) > 0.9
    assert correlation_gap(independent, independent, torch.ones_like(independent), ones) < 1e-6
    # the per-step matrices are numpy's, and a missing cell only leaves out its own pairs
    x = torch.rand(50, 3, 4, generator=g, dtype=torch.float64)
    corr = correlations(x, torch.ones_like(x))
    for t in range(3):
        np.testing.assert_allclose(corr[t].numpy(), np.corrcoef(x[:, t].numpy().T), atol=1e-6)
    o = torch.ones_like(x)
    o[:10, :, 3] = 0
    masked = correlations(x, o)
    np.testing.assert_allclose(masked[0, :3, :3].numpy(), corr[0, :3, :3].numpy(), atol=1e-6)
    with pytest.raises(ConfigError, match="correlation_weight"):
        SequenceGAN(correlation_weight=-1).fit(pd.DataFrame({"time": range(30), "a": np.arange(30.0)}))
