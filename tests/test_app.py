"""The application layer and the command line do the same thing by the same code; one registry of families; one
name for every output and every model file."""

from __future__ import annotations

import json
from pathlib import Path

import click
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from indgan import app
from indgan.cli import cli
from indgan.errors import ConfigError
from indgan.families import FAMILIES, family_class

TINY = dict(epochs=1, batch_size=100, seed=3, eval_rows=0, verbose=False)


def _run(args):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=True)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def test_the_registry_lists_every_family_and_builds_each_from_its_name():
    assert set(FAMILIES) == {"log", "sequence", "tabular", "super-resolution", "cyclegan", "image", "imputer"}
    for name in FAMILIES:
        model = family_class(name)()
        assert model.family == name and model.fit_options, name
    option = next(p for p in _command("fit").params if p.name == "requested")
    assert tuple(option.type.choices) == ("auto",) + FAMILIES  # the command line's choices are the registry


def _command(*path):
    cmd = cli
    for name in path:
        cmd = cmd.commands[name]
    return cmd


def _commands(group=cli, prefix=()):
    for name, cmd in group.commands.items():
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, prefix + (name,))
        else:
            yield prefix + (name,), cmd


def test_every_command_that_writes_takes_dash_o_output_and_model_files_are_never_dash_dash_model():
    writers = 0
    for path, cmd in _commands():
        opts = {o for p in cmd.params for o in getattr(p, "opts", [])}
        visible = {o for p in cmd.params if not getattr(p, "hidden", False) for o in getattr(p, "opts", [])}
        if path == ("info",):  # prints only
            continue
        assert {"-o", "--output"} <= opts, path
        writers += 1
        if path != ("fit",):  # --model is a family on fit only; a model file is --model-file or a positional
            assert "--model" not in visible, path
    assert writers == 13  # fit impute sample scenario upsample translate evaluate report, images x5


def test_the_cli_and_the_python_api_write_the_same_files(tmp_path, small_parquet):
    cli_model, api_model = tmp_path / "cli.indgan", tmp_path / "api.indgan"
    r = _run(
        [
            "fit",
            small_parquet,
            "-o",
            cli_model,
            "--model",
            "tabular",
            "--epochs",
            1,
            "--batch-size",
            100,
            "--seed",
            3,
            "--eval-rows",
            0,
            "-q",
        ]
    )
    assert r.exit_code == 0, r.output
    result = app.fit(small_parquet, output=api_model, model="tabular", **TINY)
    assert result.path == api_model and result.family == "tabular"
    assert any(line.startswith("wrote ") for line in result.lines)

    for name, model in (("cli", cli_model), ("api", api_model)):
        r = _run(["sample", model, "-n", 300, "--seed", 5, "-o", tmp_path / f"{name}_cli.parquet"])
        assert r.exit_code == 0, r.output
        app.sample(model, 300, seed=5, output=tmp_path / f"{name}_api.parquet")
    files = [pd.read_parquet(tmp_path / f"{a}_{b}.parquet") for a in ("cli", "api") for b in ("cli", "api")]
    for other in files[1:]:
        pd.testing.assert_frame_equal(files[0], other)
    frame = app.sample(api_model, 300, seed=5).frame  # no output: the frame itself
    pd.testing.assert_frame_equal(frame, files[0])


def test_impute_by_the_cli_and_the_api_fill_the_same_cells(tmp_path, small):
    holed = small.copy()
    rng = np.random.default_rng(0)
    holed.loc[rng.choice(len(holed), 40, replace=False), "tag0"] = np.nan
    data = tmp_path / "holed.parquet"
    holed.to_parquet(data, index=False)
    opts = ["--iterations", 20, "--seed", 1, "-q"]
    r = _run(["impute", data, "-o", tmp_path / "cli.parquet", "--save", tmp_path / "imp.indgan", *opts])
    assert r.exit_code == 0, r.output
    done = app.impute(data, output=tmp_path / "api.parquet", iterations=20, seed=1, verbose=False)
    assert done.n_missing >= 40 and done.path == tmp_path / "api.parquet"
    a, b = pd.read_parquet(tmp_path / "cli.parquet"), pd.read_parquet(tmp_path / "api.parquet")
    pd.testing.assert_frame_equal(a, b)
    assert a["tag0"].notna().all()
    # the saved imputer fills a DataFrame through the API as the command line fills the file
    again = app.impute(holed, model_file=tmp_path / "imp.indgan", verbose=False)
    r = _run(["impute", data, "-o", tmp_path / "again.parquet", "--model-file", tmp_path / "imp.indgan", "-q"])
    assert r.exit_code == 0, r.output
    pd.testing.assert_frame_equal(again.frame, pd.read_parquet(tmp_path / "again.parquet"))


def test_fit_learns_an_imputer_that_impute_uses(tmp_path, small_parquet):
    model = tmp_path / "imp.indgan"
    r = _run(["fit", small_parquet, "--model", "imputer", "--iterations", 10, "-o", model, "-q"])
    assert r.exit_code == 0, r.output
    assert "GAIN" in r.output and f"--model-file {model}" in r.output
    r = _run(["impute", small_parquet, "-o", tmp_path / "filled.parquet", "--model-file", model, "-q"])
    assert r.exit_code == 0, r.output
    r = _run(["fit", small_parquet, "--model", "imputer", "--epochs", 2, "-o", tmp_path / "x.indgan"])
    assert r.exit_code == 1 and "--epochs: not an option of the imputer model" in r.output


def test_fit_learns_images_and_images_fit_is_its_other_name(tmp_path):
    a, b = tmp_path / "a.indgan", tmp_path / "b.indgan"
    common = ["--epochs", 1, "--batch-size", 64, "--features", 8, "--seed", 2, "-q"]
    r = _run(["fit", "digits", "--model", "image", "-o", a, *common])
    assert r.exit_code == 0, r.output
    assert "DCGAN" in r.output and a.exists()
    r = _run(["images", "fit", "digits", "-o", b, *common])
    assert r.exit_code == 0, r.output
    grid = tmp_path / "a.npz"
    for model, out in ((a, grid), (b, tmp_path / "b.npz")):
        r = _run(["images", "sample", model, "-n", 4, "--seed", 1, "-o", out])
        assert r.exit_code == 0, r.output
    assert np.array_equal(np.load(grid)["images"], np.load(tmp_path / "b.npz")["images"])
    r = _run(["fit", "digits", "-o", tmp_path / "auto.indgan", *common])  # an image source: image at auto
    assert r.exit_code == 0 and "DCGAN" in r.output, r.output


def test_the_old_option_names_still_work_for_a_release(tmp_path, small_parquet):
    model = tmp_path / "imp.indgan"
    assert app.fit(small_parquet, output=model, model="imputer", iterations=5, verbose=False).path == model
    r = _run(["impute", small_parquet, "-o", tmp_path / "f.parquet", "--model", model, "-q"])
    assert r.exit_code == 0, r.output
    assert "--model is deprecated; use --model-file" in r.output
    r = _run(["impute", small_parquet, "-o", tmp_path / "g.parquet", "--model", model, "--model-file", model])
    assert r.exit_code == 2 and "give one of them" in r.output


def test_jobs_refuse_bad_requests_before_any_work(tmp_path, small_parquet):
    with pytest.raises(ConfigError, match="not an option of the tabular model"):
        app.fit(small_parquet, output=tmp_path / "m.indgan", model="tabular", iterations=3)
    with pytest.raises(ConfigError, match="use auto or one of"):
        app.fit(small_parquet, output=tmp_path / "m.indgan", model="timegan")
    with pytest.raises(ConfigError, match="either DATA"):
        app.impute()
    assert not (tmp_path / "m.indgan").exists()


def test_fit_and_evaluate_take_sdv_metadata_and_the_users_roles_still_win(tmp_path, small, small_parquet):
    from indgan.schema import infer_schema, save_sdv_metadata

    meta = tmp_path / "meta.json"
    schema = infer_schema(small)
    save_sdv_metadata(schema, meta)
    data = json.loads(meta.read_text())
    columns = next(iter(data["tables"].values()))["columns"] if "tables" in data else data["columns"]
    columns["tag5"] = {"sdtype": "categorical"}  # SDV's word: tag5 is a category
    meta.write_text(json.dumps(data))
    done = app.fit(small_parquet, output=tmp_path / "m.indgan", model="tabular", metadata=meta, **TINY)
    assert done.model.schema_["tag5"].role == "categorical"
    r = _run(
        [
            "fit",
            small_parquet,
            "-o",
            tmp_path / "n.indgan",
            "--metadata",
            meta,
            "--model",
            "tabular",
            "--epochs",
            1,
            "--eval-rows",
            0,
            "-q",
            "-c",
            _columns(tmp_path, continuous="tag5"),
        ]
    )
    assert r.exit_code == 0, r.output
    from indgan import load_model

    assert load_model(tmp_path / "n.indgan").schema_["tag5"].role == "continuous"  # [columns] wins over SDV
    report = app.evaluate(small, small.sample(frac=1.0, random_state=0), metadata=meta, max_rows=500)
    assert report.quality_score > 0.9  # a shuffled copy of the real rows
    with pytest.raises(ConfigError, match="not both"):
        app.evaluate(small, small, metadata=meta, model_file=tmp_path / "m.indgan")


def _columns(tmp_path, **roles):
    path = tmp_path / "roles.toml"
    path.write_text("[columns]\n" + "".join(f'{k} = ["{v}"]\n' for k, v in roles.items()))
    return path


def test_sequences_are_sampled_in_parts_with_ids_numbered_on(tmp_path):
    from indgan import SequenceGAN

    tep = pd.read_parquet(Path(__file__).resolve().parents[1] / "examples/data/tep.parquet")
    part = tep[tep.run == "d00"].iloc[:120][["time", "xmeas_1", "xmeas_9"]]
    model = SequenceGAN(
        seq_len=12, iterations=2, pretrain_iterations=2, time_budget=None, hidden_dim=8, random_state=0, verbose=False
    )
    model.fit(part)
    whole = app.sample(model, sequences=7, steps=12, seed=4, part_rows=1000).frame
    parts = list(model.sample_parts(sequences=7, steps=12, random_state=4, part_rows=36))  # 3 sequences a part
    assert [len(p) for p in parts] == [36, 36, 12]
    ids = pd.concat(parts)["scenario"]  # the sequence id of a model without an entity column
    assert sorted(ids.unique()) == list(range(7)) and len(whole) == 84
    assert whole["scenario"].nunique() == 7
    runs = tep[tep.run.isin(["d00", "d01"])].groupby("run").head(60)[["run", "time", "xmeas_1", "xmeas_9"]]
    model = SequenceGAN(seq_len=12, iterations=2, pretrain_iterations=2, time_budget=None, hidden_dim=8, verbose=False)
    ids = pd.concat(model.fit(runs, entity="run").sample_parts(sequences=5, steps=12, random_state=1, part_rows=24))
    assert sorted(ids["run"].unique()) == [f"scenario-{i}" for i in range(5)]  # text ids numbered on too


def test_fit_holds_out_rows_and_the_privacy_check_uses_them(tmp_path, plant, small):
    log = plant.iloc[:1200][list(small.columns)]  # 1200 consecutive steps of a few tags
    data = tmp_path / "log.parquet"
    log.to_parquet(data, index=False)
    model = tmp_path / "m.indgan"
    done = app.fit(data, output=model, model="tabular", holdout=0.2, epochs=1, batch_size=100, seed=0, verbose=False)
    held = pd.read_parquet(tmp_path / "m.holdout.parquet")
    assert done.holdout_path == tmp_path / "m.holdout.parquet" and 0.1 < len(held) / len(log) < 0.3
    assert done.model.fit_info_.n_rows == len(log) - len(held)  # the held-out rows were not learned from
    assert done.privacy is not None and done.privacy.passed in (True, False)
    assert any(line.strip().startswith("privacy") for line in done.lines)
    train = log[~log["timestamp"].isin(held["timestamp"])]
    # the check can fail: the training rows themselves as the "synthetic" data are flagged
    copied = app.evaluate(train, train, holdout=held, max_rows=500)
    assert copied.privacy.passed is False and "do not release" in copied.privacy.verdict
    train.to_parquet(tmp_path / "train.parquet", index=False)
    r = _run(
        [
            "evaluate",
            tmp_path / "train.parquet",
            tmp_path / "train.parquet",
            "--holdout",
            tmp_path / "m.holdout.parquet",
        ]
    )
    assert r.exit_code == 0 and "FLAGGED" in r.output, r.output
    # a holdout that is part of the "training" table is no yardstick: its rows copy too, and nothing is flagged
    r = _run(["evaluate", data, data, "--holdout", tmp_path / "m.holdout.parquet", "--max-rows", 500])
    assert r.exit_code == 0 and "100.0% exact copies vs 100.0%" in r.output, r.output
