"""Logs as a whole: long-form multi-asset tables, repeated timestamps, outages, tags that move together, and the
scores that say so (cross-correlation, top pairs, the discriminative floor)."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from indgan import LogGAN
from indgan.cli import cli
from indgan.encoding import DataTransformer, quantile_scores, quantile_values
from indgan.errors import DataError
from indgan.log.followers import find_followers, fit_follower, generate_followers
from indgan.metrics.report import temporal_fidelity
from indgan.metrics.sequences import log_cross_correlation, top_correlated_pairs
from indgan.schema import infer_schema
from indgan.timegrid import gap_runs, resolve_duplicate_times

from .conftest import TINY

TINY_LOG = {k: v for k, v in TINY.items()} | {"epochs": 2, "length_scale": 8}
TAGS = ["tag0", "tag1", "tag5", "tag48", "tag93", "tag56", "tag57", "tag95"]


@pytest.fixture(scope="module")
def long_form(plant):
    """Three assets of 400 steps each, one row per asset and time, the asset named in a text column."""
    parts = []
    for k, name in enumerate(["pump-A", "pump-B", "pump-C"]):
        part = plant.iloc[k * 400 : (k + 1) * 400][TAGS].reset_index(drop=True)
        part.insert(0, "turbine", name)
        part.insert(0, "timestamp", plant["timestamp"].iloc[:400].to_numpy())
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def test_entity_is_inferred_for_a_long_form_table(long_form, caplog):
    with caplog.at_level(logging.WARNING):
        schema = infer_schema(long_form)
    assert schema.entity_column == "turbine"
    assert "'turbine' is taken as the entity column (3 entities" in caplog.text
    wide = long_form[long_form["turbine"] == "pump-A"]  # time does not repeat: no entity is made up
    assert infer_schema(wide).entity_column is None
    model = LogGAN(random_state=0, **TINY_LOG).fit(long_form)
    out = model.sample(random_state=0)
    assert out.groupby("turbine").size().to_dict() == {"pump-A": 400, "pump-B": 400, "pump-C": 400}


def test_duplicate_times_policies(long_form, caplog):
    dup = pd.concat([long_form, long_form.iloc[[5, 6]].assign(tag0=[100.0, 200.0])], ignore_index=True)
    dup = dup.sort_values(["turbine", "timestamp"], kind="stable").reset_index(drop=True)
    with caplog.at_level(logging.WARNING):
        first = resolve_duplicate_times(dup, "timestamp", "turbine", "first")
    assert len(first) == len(long_form) and "2 row(s) repeat a timestamp" in caplog.text
    pd.testing.assert_frame_equal(
        first.reset_index(drop=True),
        long_form.sort_values(["turbine", "timestamp"], kind="stable").reset_index(drop=True),
    )
    mean = resolve_duplicate_times(dup, "timestamp", "turbine", "mean")
    row = mean[(mean["turbine"] == "pump-A") & (mean["timestamp"] == long_form["timestamp"].iloc[5])]
    assert row["tag0"].iloc[0] == pytest.approx((long_form["tag0"].iloc[5] + 100.0) / 2)
    with pytest.raises(DataError, match="repeat a timestamp.*pump-A.*--duplicate-times"):
        resolve_duplicate_times(dup, "timestamp", "turbine", "error")
    assert resolve_duplicate_times(long_form, "timestamp", "turbine", "error") is long_form
    model = LogGAN(random_state=0, duplicate_times="mean", **TINY_LOG).fit(dup)  # fits, and each asset is whole
    assert model.fit_info_.lengths == [400, 400, 400]
    with pytest.raises(DataError, match="repeat a timestamp"):
        LogGAN(random_state=0, duplicate_times="error", **TINY_LOG).fit(dup)


def test_training_shape_keeps_an_outage(plant):
    log = plant[["timestamp", *TAGS]].iloc[:900]
    log = log.drop(index=range(300, 420)).reset_index(drop=True)  # a 10-hour outage
    model = LogGAN(random_state=0, **TINY_LOG).fit(log)
    assert model.fit_info_.gaps == [[0, 300, 120]]
    out = model.sample(random_state=0)
    assert len(out) == len(log) and (out["timestamp"].to_numpy() == log["timestamp"].to_numpy()).all()
    full = model.sample(random_state=0, fill_gaps=True)
    assert len(full) == 900 and full["timestamp"].diff().nunique() == 1


def test_gap_runs_stay_inside_their_entity():
    observed = np.array([1, 0, 0, 1, 1, 0, 1, 0, 1], bool)
    assert gap_runs(observed, np.array([0, 5, 9])) == [[0, 1, 2], [1, 0, 1], [1, 2, 1]]


def test_cross_correlation_error_is_zero_on_itself_and_large_on_shuffled_columns(plant):
    part = plant[["timestamp", *TAGS]].iloc[:1500]
    shuffled = part.copy()
    rng = np.random.default_rng(0)
    for c in TAGS:  # each tag keeps its own motion, but no longer moves with the others
        shift = int(rng.integers(200, 1300))
        shuffled[c] = np.roll(part[c].to_numpy(), shift)
    same = temporal_fidelity(part, part, discriminative=False)
    other = temporal_fidelity(part, shuffled, discriminative=False)
    assert same.cross_correlation_error == pytest.approx(0.0, abs=1e-12)
    assert same.pair_correlation_error == pytest.approx(0.0, abs=1e-12)
    assert other.cross_correlation_error > 0.3 and other.pair_correlation_error > 0.3
    assert same.n_pairs >= 15
    assert same.autocorrelation_error == pytest.approx(0.0, abs=1e-12)  # the rolled tags keep their ACF
    assert other.autocorrelation_error < 0.05


def test_cross_correlation_sees_a_lag():
    rng = np.random.default_rng(1)
    lead = np.convolve(rng.normal(size=3000), np.ones(5) / 5, "same")
    x = np.stack([lead, np.roll(lead, 3)], 1)  # the second tag follows the first 3 steps later
    ccf = log_cross_correlation(x, np.zeros(3000, int), np.array([[0, 1]]), max_lag=6)
    assert np.argmax(ccf[:, 0]) == 6 + 3 and ccf[9, 0] > 0.99


def test_discriminative_floor_is_printed(plant):
    rep = temporal_fidelity(plant, plant, n_repeats=1, iterations=30, min_windows=50, random_state=0)
    assert rep.discriminative is not None and rep.discriminative_floor is not None
    assert "real against real (alternate blocks)" in "\n".join(rep.lines())
    assert rep.to_dict()["discriminative_floor"]["mean"] >= 0


def test_fit_closing_score_equals_evaluate(tmp_path, plant):
    data = tmp_path / "log.parquet"
    plant[["timestamp", *TAGS]].iloc[:600].to_parquet(data, index=False)
    cfg = tmp_path / "tiny.toml"
    cfg.write_text("[model]\nlatent_dim = 16\ngenerator_dim = [32, 32]\ncritic_dim = [32, 32]\nlength_scale = 8\n")
    model = tmp_path / "m.indgan"
    run = CliRunner().invoke
    r = run(
        cli, ["fit", str(data), "-o", str(model), "--epochs", "2", "--batch-size", "100", "--quiet", "-c", str(cfg)]
    )
    assert r.exit_code == 0, r.output
    syn = tmp_path / "syn.parquet"
    assert run(cli, ["sample", str(model), "--seed", "0", "-o", str(syn)]).exit_code == 0
    e = run(cli, ["evaluate", str(data), str(syn)])
    assert e.exit_code == 0, e.output

    def scores(text):
        keys = (
            "quality score",
            "with defaults",
            "step-change score",
            "autocorrelation error",
            "cross-correlation error",
            "top-pair correlation error",
        )
        return {
            k: line.split()[len(k.split())] for line in text.splitlines() for k in keys if line.strip().startswith(k)
        }

    fit_scores, eval_scores = scores(r.output), scores(e.output)
    assert len(fit_scores) == 6 and fit_scores == eval_scores


def test_redundant_tags_follow_their_leader(plant):
    x = plant[TAGS].apply(pd.to_numeric, errors="coerce").to_numpy(float)
    followers = find_followers(x, TAGS)
    assert followers == {"tag93": "tag48", "tag57": "tag56"}  # exact copies in the real log
    assert find_followers(x, TAGS, can_follow=np.array([c != "tag93" for c in TAGS])) == {
        "tag48": "tag93",
        "tag57": "tag56",
    }  # a tag that cannot follow leads
    seg = np.zeros(len(x), int)
    p = fit_follower(x[:, 3], x[:, 5], seg)  # tag56 given tag48: a weaker relation, kept in distribution
    frame = pd.DataFrame({"lead": x[:, 3]})
    generate_followers(frame, {"f": "lead"}, {"f": p}, np.array([0]), np.random.default_rng(0))
    real_r = np.corrcoef(x[:, 3], x[:, 5])[0, 1]
    assert abs(np.corrcoef(frame["lead"], frame["f"])[0, 1] - real_r) < 0.05
    assert abs(np.corrcoef(frame["f"][1:], frame["f"][:-1])[0, 1] - np.corrcoef(x[1:, 5], x[:-1, 5])[0, 1]) < 0.1


def test_a_three_level_copy_follows_exactly_and_spikes_move_their_follower(plant):
    """tag64 is tag63 archived twice (three levels, correlation 1.0): generated from its leader it comes back a
    copy on the levels, never between them. A spiky pair (1% joint excursions far beyond the rest) keeps its
    correlation: the follower's curve reaches the leader's extremes instead of holding its last bin's value."""
    x = plant[["tag63", "tag64"]].to_numpy(float)
    seg = np.zeros(len(x), int)
    p = fit_follower(x[:, 0], x[:, 1], seg, discrete=True)
    assert p["levels"] == sorted(set(x[:, 1]))
    frame = pd.DataFrame({"lead": x[:, 0]})
    generate_followers(frame, {"f": "lead"}, {"f": p}, np.array([0]), np.random.default_rng(0))
    assert set(frame["f"]) <= set(p["levels"]) and (frame["f"] == x[:, 1]).mean() > 0.99
    rng = np.random.default_rng(0)
    n = 3000
    lead = rng.normal(0, 0.1, n)
    spikes = rng.random(n) < 0.01
    lead[spikes] += rng.uniform(5, 10, spikes.sum())
    follow = 0.8 * lead + rng.normal(0, 0.05, n)
    assert np.corrcoef(lead, follow)[0, 1] > 0.95
    p = fit_follower(lead, follow, np.zeros(n, int))
    frame = pd.DataFrame({"lead": lead})
    generate_followers(frame, {"f": "lead"}, {"f": p}, np.array([0]), np.random.default_rng(1))
    assert np.corrcoef(frame["lead"], frame["f"])[0, 1] > 0.95
    assert frame["f"][spikes].min() > 3  # each excursion moved its follower, the largest as far


def test_followers_of_one_leader_keep_their_residuals_correlation():
    """Two transmitters on one line, both following a third: given the leader they still move together (their
    residuals share one disturbance). Drawn independently given the leader, they drift apart by the whole
    residual spread; with the residuals' correlation (share_residuals) they stay as close as in the real log."""
    from indgan.log.followers import share_residuals

    rng = np.random.default_rng(0)
    n = 5000
    lead = np.cumsum(rng.normal(0, 1, n))
    common = rng.normal(0, 1, n)  # what both followers see beyond the leader
    real = pd.DataFrame(
        {"lead": lead, "a": lead + common + rng.normal(0, 0.1, n), "b": lead + common + rng.normal(0, 0.1, n)}
    )
    followers = {"a": "lead", "b": "lead"}
    seg = np.zeros(n, int)
    spread = {}
    for shared in (False, True):
        params = {f: fit_follower(real["lead"].to_numpy(), real[f].to_numpy(), seg) for f in followers}
        if shared:
            share_residuals(real, followers, params)
            assert params["b"]["peers"] == ["a", "b"] and params["b"]["mix"][0] > 0.95
        frame = real[["lead"]].copy()
        generate_followers(frame, followers, params, np.array([0]), np.random.default_rng(1))
        spread[shared] = float(np.std(frame["a"] - frame["b"]))
    real_spread = float(np.std(real["a"] - real["b"]))  # 0.14
    assert spread[False] > 1.2 and spread[True] < 2 * real_spread, spread


def test_log_model_keeps_the_most_correlated_pairs(plant):
    log = plant[["timestamp", *TAGS]].iloc[:1500]
    model = LogGAN(random_state=0, **TINY_LOG).fit(log)
    assert set(model.followers_) >= {"tag93", "tag57"}
    table = model.fit_info_.redundancy  # the calibration scored no grouping and each candidate one
    assert table[0]["correlation"] is None and sum(r["chosen"] for r in table) == 1
    out = model.sample(random_state=0)
    assert np.corrcoef(out["tag48"], out["tag93"])[0, 1] > 0.97
    for a, b in (("tag48", "tag93"), ("tag56", "tag57")):  # copies in the real log come back (nearly) copies
        spread = log[a].max() - log[a].min()
        assert np.abs(out[a] - out[b]).max() < 0.01 * spread
    rep = temporal_fidelity(log, out, discriminative=False)
    x = log[TAGS].to_numpy(float)
    pairs, r = top_correlated_pairs(x, 2)
    assert {tuple(sorted((TAGS[i], TAGS[j]))) for i, j in pairs} == {("tag48", "tag93"), ("tag56", "tag57")}
    assert rep.pair_correlation_error < 0.5


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=5, max_size=300), st.integers(0, 3))
def test_quantile_encoding_round_trips_the_training_values(values, repeats):
    x = np.asarray(values + values[:1] * repeats * 20)  # perhaps a point mass
    q = np.quantile(x, np.linspace(0, 1, 1001), method="inverted_cdf")
    back = quantile_values(quantile_scores(x, q), q)
    span = max(x.max() - x.min(), 1e-12)
    assert np.all(np.abs(back - x) <= 1e-6 * span + 1e-9 * np.abs(x))
    assert np.all(np.abs(quantile_scores(x, q)) < 1.0)  # inside the generator's tanh range


def test_quantile_encoding_in_the_transformer(plant):
    view = infer_schema(plant[["timestamp", "tag0", "tag63", "tag70", "tag12"]])
    df = view.view(plant)
    t = DataTransformer(view, continuous_encoding="quantile").fit(df)
    enc = t.transform(df)
    assert enc.shape[1] == t.output_dim and all(s.kind == "tanh" or s.discrete for s in t.output_spans())
    back = t.inverse_transform(enc)
    for c in ("tag0", "tag12"):
        a, b = pd.to_numeric(df[c], errors="coerce").to_numpy(float), back[c].to_numpy(float)
        ok = np.isfinite(a)
        assert np.allclose(a[ok], b[ok], atol=1e-4 * (np.nanmax(a) - np.nanmin(a)))  # float32 scores
    restored = DataTransformer.from_dict(t.to_dict(), view)
    assert np.array_equal(restored.transform(df), enc)


def _wind_log(n=1500, seed=0):
    """A wind direction that turns past north now and then, a nacelle that follows it, and a temperature."""
    rng = np.random.default_rng(seed)
    direction = np.mod(np.cumsum(rng.normal(0, 4, n)) + 350, 360)
    return pd.DataFrame(
        {
            "time": pd.date_range("2024-01-01", periods=n, freq="10min"),
            "wind_dir": direction,
            "yaw": np.mod(direction + rng.normal(0, 3, n), 360),
            "vane": rng.normal(0, 40, n).clip(-179, 179),
            "temp": np.cumsum(rng.normal(0, 0.1, n)) + 10,
        }
    )


def test_angles_are_found_and_round_trip():
    from indgan.log.circular import find_angles, from_circle, to_circle

    log = _wind_log()
    x = log[["wind_dir", "yaw", "vane", "temp"]].to_numpy(float)
    assert find_angles(x, ["wind_dir", "yaw", "vane", "temp"], np.zeros(len(x), int)) == ["wind_dir", "yaw"]
    schema = infer_schema(log)
    circle, cs = to_circle(log, schema, ["wind_dir"])
    assert list(circle.columns) == ["time", "wind_dir~sin", "wind_dir~cos", "yaw", "vane", "temp"]
    assert [c.name for c in cs.columns] == list(circle.columns)
    back = from_circle(cs.view(circle), schema, ["wind_dir"])
    assert np.allclose(back["wind_dir"], log["wind_dir"], atol=1e-9) and "wind_dir~sin" not in back


def test_log_model_turns_angles_past_north():
    log = _wind_log()
    model = LogGAN(random_state=0, circular="auto", **TINY_LOG).fit(log)
    assert model.angles_ == ["wind_dir", "yaw"]
    out = model.sample(random_state=0)
    assert list(out.columns) == list(log.columns)
    for c in ("wind_dir", "yaw"):
        assert out[c].between(0, 360).all() and (out[c] < 360).all()
    path = model.rows_.schema_.names
    assert "wind_dir~sin" in path and "wind_dir" not in path
    assert LogGAN(random_state=0, **TINY_LOG).fit(log.iloc[:300]).angles_ == []  # off by default
    named = LogGAN(random_state=0, circular=["wind_dir"], **TINY_LOG).fit(log.iloc[:300])
    assert named.angles_ == ["wind_dir"]


def _turbine_log(n=3000, seed=0):
    """A nacelle that turns only now and then (deadband), a vane angle, and the wind direction the SCADA computes
    as their sum: exact while the nacelle holds still, off by a few degrees over an interval it turned in."""
    rng = np.random.default_rng(seed)
    wind = np.cumsum(rng.normal(0, 5, n)) + 350
    yaw = np.empty(n)
    yaw[0] = wind[0]
    for t in range(1, n):  # the yaw drive follows the wind past a 10-degree error
        yaw[t] = wind[t] if abs(wind[t] - yaw[t - 1]) > 10 else yaw[t - 1]
    vane = wind - yaw + rng.normal(0, 2, n)
    moved = np.r_[False, np.diff(yaw) != 0]
    direction = yaw + vane + np.where(moved, rng.normal(0, 5, n), 0.0)
    return pd.DataFrame(
        {
            "time": pd.date_range("2024-01-01", periods=n, freq="10min"),
            "yaw": np.mod(yaw, 360),
            "vane": np.mod(vane + 180, 360) - 180,
            "direction": np.mod(direction, 360),
            "temp": rng.normal(10, 1, n),
        }
    )


def test_an_angle_computed_from_two_others_is_found_and_generated_from_them():
    from indgan.log.circular import compute_angle_sums, find_angle_sums

    log = _turbine_log()
    names = ["yaw", "vane", "direction"]
    x, seg = log[names].to_numpy(float), np.zeros(len(log), int)
    sums = find_angle_sums(x, names, seg)
    assert list(sums) == ["direction"]  # the tag that moves most is the computed one, not the holding nacelle
    law = sums["direction"]
    assert {law["a"], law["b"]} == {"yaw", "vane"} and law["sign"] == 1.0
    assert max(abs(law["still"][1]), abs(law["still"][-2])) < 0.5 < law["moving"][-2]  # exact only while still
    rng = np.random.default_rng(0)
    shuffled = x.copy()
    shuffled[:, 2] = rng.permutation(shuffled[:, 2])
    assert find_angle_sums(shuffled, names, seg) == {}  # no relation, nothing computed
    schema = infer_schema(log)
    view = log[names].copy()
    view["direction"] = np.nan
    compute_angle_sums(view, sums, schema, lambda c: np.random.default_rng(1), {})
    gap = np.abs(np.mod(view["direction"] - log["direction"] + 180, 360) - 180)
    still = np.r_[False, np.diff(log["yaw"]) == 0]
    assert (gap[still] < 0.5).mean() > 0.99 and view["direction"].between(0, 360).all()


def test_log_model_generates_a_computed_angle_from_its_inputs():
    log = _turbine_log(1500)
    model = LogGAN(random_state=0, **TINY_LOG).fit(log)
    assert list(model.angle_sums_) == ["direction"]
    out = model.sample(random_state=0)
    gap = np.abs(np.mod(out["direction"] - out["yaw"] - out["vane"] + 180, 360) - 180)
    still = np.r_[False, np.diff(out["yaw"]) == 0]
    assert still.mean() > 0.3 and (gap[still] < 0.5).mean() > 0.99  # the identity holds where the real one does
    assert out["direction"].between(0, 360).all() and (out["direction"] < 360).all()
    assert any("computed from two others" in line for line in model.fit_lines())


def test_the_auto_budget_grows_with_the_rows_on_a_cpu():
    from indgan.budget import budget_seconds

    assert budget_seconds("auto", "cpu") == 120 and budget_seconds("auto", "cpu", n_rows=3_169) == 120
    assert budget_seconds("auto", "cpu", n_rows=60_000) == 360 and budget_seconds("auto", "cpu", n_rows=10**6) == 600
    assert budget_seconds("auto", "cuda", n_rows=10**6) == 600 and budget_seconds("90s", "cpu", n_rows=10**6) == 90


def test_the_auto_budget_follows_the_data_of_every_family(monkeypatch):
    """Sequence windows and images grow the auto budget too (Sines' 10,000 windows and Fashion-MNIST's 60,000
    images lost quality at 2 minutes), and the families ask for it with their own sizes."""
    from indgan import budget as budget_mod
    from indgan.budget import budget_seconds

    assert budget_seconds("auto", "cpu", n_rows=500, unit="windows") == 120
    assert budget_seconds("auto", "cpu", n_rows=10_000, unit="windows") == 600
    assert budget_seconds("auto", "cpu", n_rows=1_797, unit="images") == 120  # digits: small, as before
    assert budget_seconds("auto", "cpu", n_rows=60_000, unit="images") == 600
    asked = []
    real = budget_mod.budget_seconds

    def spy(value, device, n_rows=None, unit="rows"):
        asked.append((unit, n_rows))
        return real(value, device, n_rows, unit)

    import indgan.image.model as image_model
    import indgan.sequence.model as sequence_model

    monkeypatch.setattr(image_model, "budget_seconds", spy)
    monkeypatch.setattr(sequence_model, "budget_seconds", spy)
    from indgan import DCGAN, SequenceGAN
    from indgan.datasets import sines

    rng = np.random.default_rng(0)
    DCGAN(epochs=1, time_budget="auto", features=8, batch_size=16).fit(rng.integers(0, 256, (40, 1, 28, 28), np.uint8))
    assert ("images", 40) in asked
    x = sines(60, 24, 2, random_state=0)
    frame = pd.DataFrame(
        {
            "window": np.repeat(np.arange(60), 24),
            "step": np.tile(np.arange(24), 60),
            "s1": x[:, :, 0].ravel(),
            "s2": x[:, :, 1].ravel(),
        }
    )
    SequenceGAN(
        seq_len=24,
        iterations=2,
        time_budget="auto",
        hidden_dim=8,
        latent_dim=4,
        columns={"entity": ["window"], "time": ["step"]},
    ).fit(frame)
    assert any(unit == "windows" and n for unit, n in asked)
