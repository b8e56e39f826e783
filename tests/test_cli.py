import hashlib
import json

import pandas as pd
import pytest
from click.testing import CliRunner

from indgan.cli import cli

FAST = ["--model", "tabular", "--epochs", "1", "--batch-size", "100", "--quiet", "--eval-rows", "200"]


def _run(args):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=True)
    # indgan's own errors become click errors: an exit code, never an uncaught exception
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def fitted(tmp_path_factory, small_parquet):
    out = tmp_path_factory.mktemp("cli") / "plant.indgan"
    before = _digest(small_parquet)
    result = _run(["fit", small_parquet, "--out", out, *FAST])
    assert result.exit_code == 0, result.output
    assert _digest(small_parquet) == before  # the user's file is not touched
    assert "quality score" in result.output
    return out, result.output


def test_fit_reports_roles_and_quality(fitted):
    _, output = fitted
    assert "1 time" in output and "status strings in: tag2, tag70" in output
    score = float(output.split("training data): ")[1].split()[0])
    assert 0.0 < score <= 1.0


def test_sample_evaluate_info(fitted, tmp_path, small_parquet):
    model, _ = fitted
    syn = tmp_path / "syn.parquet"
    r = _run(["sample", model, "-n", 300, "-o", syn, "--seed", 1])
    assert r.exit_code == 0, r.output
    df = pd.read_parquet(syn)
    assert len(df) == 300 and "tag70" in df

    b = tmp_path / "b.csv"
    r = _run(["sample", model, "-n", 50, "--condition", "tag70:status=Bad", "-o", b])
    assert r.exit_code == 0, r.output
    assert (pd.read_csv(b)["tag70"] == "Bad").all()

    report = tmp_path / "report.json"
    r = _run(["evaluate", small_parquet, syn, "--json", report])
    assert r.exit_code == 0, r.output
    assert "Column Shapes" in r.output
    data = json.loads(report.read_text())
    assert 0 < data["quality_score"] <= 1 and {p["property"] for p in data["properties"]} >= {"Column Shapes", "Column Pair Trends"}

    r = _run(["info", model])
    assert r.exit_code == 0, r.output
    assert "timestamp" in r.output and "tag70:status" in r.output and "D(G(z))" in r.output


def _table(tmp_path, name, df):
    path = tmp_path / name
    df.to_csv(path, index=False) if name.endswith(".csv") else df.to_parquet(path, index=False)
    return path


@pytest.mark.parametrize("case, message", [
    ("missing", "no such file"),
    ("extension", "unsupported file type"),
    ("empty", "no rows"),
    ("unusable", "no usable column"),
    ("all_missing", "entirely missing"),
    ("duplicates", "duplicate column"),
])
def test_bad_input_one_line_error(tmp_path, case, message):
    if case == "missing":
        path = tmp_path / "absent.parquet"
    elif case == "extension":
        path = tmp_path / "logs.xlsx"
        path.write_bytes(b"not a table")
    elif case == "empty":
        path = _table(tmp_path, "empty.parquet", pd.DataFrame({"a": pd.Series([], dtype=float)}))
    elif case == "unusable":
        path = _table(tmp_path, "const.csv", pd.DataFrame({"a": [1] * 20, "b": ["x"] * 20}))
    elif case == "all_missing":
        path = _table(tmp_path, "hole.parquet", pd.DataFrame({"a": range(20), "b": [None] * 20}).astype({"b": float}))
    else:
        path = tmp_path / "dupes.csv"
        path.write_text("a,b,a\n1,2,3\n4,5,6\n")
    before = _digest(path) if path.exists() else None
    r = _run(["fit", path, "--out", tmp_path / "m.indgan", *FAST])
    assert r.exit_code != 0
    lines = [ln for ln in r.output.strip().splitlines() if ln]
    assert len(lines) == 1 and lines[0].startswith("Error:") and message in lines[0], r.output
    assert "Traceback" not in r.output
    if before:
        assert _digest(path) == before


def test_unseen_condition_and_corrupt_model(fitted, tmp_path):
    model, _ = fitted
    r = _run(["sample", model, "-n", 5, "--condition", "tag63=99"])
    assert r.exit_code != 0 and "never occurs in the training data" in r.output
    bad = tmp_path / "bad.indgan"
    bad.write_bytes(model.read_bytes()[:1000])
    r = _run(["sample", bad, "-n", 5])
    assert r.exit_code != 0 and r.output.startswith("Error:") and "model file" in r.output
    r = _run(["sample", model, "-n", 5, "--condition", "no-equals-sign"])
    assert r.exit_code == 2 and "COLUMN=VALUE" in r.output


SEQ_FAST = ["--iterations", "10", "--batch-size", "32", "--quiet", "--eval-rows", "100", "-c"]


@pytest.fixture(scope="module")
def seq_config(tmp_path_factory):
    path = tmp_path_factory.mktemp("cfg") / "tiny.toml"
    path.write_text("[model]\nhidden_dim = 8\nnum_layers = 1\npretrain_iterations = 10\n")
    return path


@pytest.fixture(scope="module")
def tep_parquet(tmp_path_factory):
    from .conftest import DATA

    tep = pd.read_parquet(DATA / "tep.parquet")
    part = pd.concat([tep[tep.run == "d00"].iloc[:80], tep[tep.run == "d05_te"].iloc[120:200]])
    path = tmp_path_factory.mktemp("tep") / "tep.parquet"
    part[["run", "fault", "time", "xmeas_1", "xmeas_9", "xmv_10"]].to_parquet(path, index=False)
    return path


def test_fit_of_the_sequence_model_and_options_of_another_family(small_parquet, seq_config, tmp_path):
    out = tmp_path / "seq.indgan"
    r = _run(["fit", small_parquet, "--out", out, "--model", "sequence", "--seq-len", "8", *SEQ_FAST, seq_config])
    assert r.exit_code == 0, r.output
    assert "model: sequence (TimeGAN; asked for)" in r.output
    assert "quality score" in r.output and "step-change score" in r.output
    r = _run(["info", out])
    assert r.exit_code == 0 and "SequenceGAN" in r.output and "windows of 8 steps" in r.output
    r = _run(["fit", small_parquet, "--out", out, "--epochs", "3", "--quiet", "--model", "sequence"])
    assert r.exit_code != 0 and "--epochs: not an option of the sequence model" in r.output
    r = _run(["fit", small_parquet, "--out", out, "--iterations", "3", "--quiet"])
    assert r.exit_code != 0 and "--iterations: not an option of the log model" in r.output


@pytest.fixture(scope="module")
def tep_cli_model(tep_parquet, seq_config, tmp_path_factory):
    model = tmp_path_factory.mktemp("tepm") / "tep.indgan"
    r = _run(["fit", tep_parquet, "--model", "sequence", "--condition", "fault", "--seq-len", "12", "--out", model,
              *SEQ_FAST, seq_config])
    assert r.exit_code == 0, r.output
    assert "conditions: fault" in r.output
    return model


def test_scenario_schedule_and_sequence_evaluation(tep_cli_model, tep_parquet, tmp_path):
    model = tep_cli_model
    out = tmp_path / "fault5.parquet"
    r = _run(["scenario", model, "--condition", "fault=0:20,5:30", "-n", "3", "-o", out, "--seed", "0"])
    assert r.exit_code == 0, r.output
    df = pd.read_parquet(out)
    assert len(df) == 150 and df["run"].nunique() == 3
    assert df.groupby("run")["fault"].apply(lambda s: s.iloc[:20].eq(0).all() and s.iloc[20:].eq(5).all()).all()
    assert "within its training range" in r.output
    sched = tmp_path / "sched.csv"
    pd.DataFrame({"step": range(15), "fault": [0] * 5 + [5] * 10}).to_csv(sched, index=False)
    r = _run(["scenario", model, "--schedule", sched, "-n", "2", "-o", tmp_path / "s.csv"])
    assert r.exit_code == 0, r.output
    assert pd.read_csv(tmp_path / "s.csv")["fault"].tolist() == ([0] * 5 + [5] * 10) * 2
    report = tmp_path / "seq.json"
    r = _run(["evaluate", tep_parquet, out, "--sequences", "--seq-len", "12", "--repeats", "1",
              "--post-hoc-iterations", "20", "20", "--by", "fault", "--json", report])
    assert r.exit_code == 0, r.output
    assert "discriminative score" in r.output and "fault in {0, 5}" in r.output
    data = json.loads(report.read_text())
    assert 0 <= data["discriminative"]["mean"] <= 0.5 and data["predictive"]["mean"] > 0


@pytest.mark.parametrize("args, message", [
    (["--condition", "fault=17"], "never occurs in the training data"),
    (["--condition", "mode=B"], "unknown condition column"),
    (["--condition", "fault=0:x"], "VALUE:STEPS"),
])
def test_scenario_bad_conditions(tep_cli_model, tmp_path, args, message):
    model = tep_cli_model
    r = _run(["scenario", model, *args, "-o", tmp_path / "x.parquet"])
    assert r.exit_code != 0 and r.output.startswith("Error:") and message in r.output, r.output


def test_sequence_model_without_time_column(tmp_path):
    path = _table(tmp_path, "rows.csv", pd.DataFrame({"a": range(30), "b": [1.5, 2.5, 3.0] * 10}))
    r = _run(["fit", path, "--model", "sequence", "--quiet", "--out", tmp_path / "m.indgan"])
    assert r.exit_code != 0 and "no time column" in r.output and "--model tabular" in r.output


@pytest.mark.parametrize("name", ["default", "plant_logs", "quick", "sequence"])
def test_shipped_configs_build_their_model(name):
    from indgan import SequenceGAN, TabularGAN
    from indgan.schema import load_config

    from .conftest import DATA

    cfg = load_config(DATA.parents[1] / "configs" / f"{name}.toml")
    params = dict(cfg["model"])
    kind = params.pop("kind")
    cls = SequenceGAN if kind == "sequence" else TabularGAN
    for key in ("generator_dim", "critic_dim"):
        if key in params:
            params[key] = tuple(params[key])
    model = cls(**params)  # every setting is a parameter of the model the config names
    model._validate_params()
