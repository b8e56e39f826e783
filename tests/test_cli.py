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
    score = float(output.split("quality score")[1].split()[0])
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
    assert 0 < data["quality_score"] <= 1 and {p["property"] for p in data["properties"]} >= {
        "Column Shapes",
        "Column Pair Trends",
    }

    r = _run(["info", model])
    assert r.exit_code == 0, r.output
    assert (
        "timestamp" in r.output and "tag70:status" in r.output and "C(G(z))" in r.output
    )  # a WGAN critic: scores, not probabilities


def test_status_codes_are_said_at_fit_and_by_info(tmp_path, small_parquet):
    df = pd.read_parquet(small_parquet)
    tag = next(c for c in df.columns if df[c].dtype == "float64" and df[c].nunique() > 100)
    df.loc[df.index[[5, 100, 300, 500]], tag] = -9999.0  # a failed reading's number
    data = _table(tmp_path, "codes.parquet", df)
    model = tmp_path / "codes.indgan"
    r = _run(["fit", data, "--out", model, *FAST])
    assert r.exit_code == 0, r.output
    assert f"status codes in: {tag} (-9999)" in r.output
    r = _run(["info", model])
    assert r.exit_code == 0 and f"status codes in {tag}: -9999" in r.output, r.output
    syn = tmp_path / "syn.parquet"
    assert _run(["sample", model, "-n", 200, "-o", syn, "--seed", 0]).exit_code == 0
    out = pd.read_parquet(syn)[tag]
    assert out.dtype == "float64" and (out.dropna()[out.dropna() != -9999.0] > -9999.0 / 2).all()


def _table(tmp_path, name, df):
    path = tmp_path / name
    df.to_csv(path, index=False) if name.endswith(".csv") else df.to_parquet(path, index=False)
    return path


@pytest.mark.parametrize(
    "case, message",
    [
        ("missing", "no such file"),
        ("extension", "unsupported file type"),
        ("empty", "no rows"),
        ("unusable", "no usable column"),
        ("all_missing", "entirely missing"),
        ("duplicates", "duplicate column"),
    ],
)
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
    r = _run(
        [
            "fit",
            tep_parquet,
            "--model",
            "sequence",
            "--condition",
            "fault",
            "--seq-len",
            "12",
            "--out",
            model,
            *SEQ_FAST,
            seq_config,
        ]
    )
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
    r = _run(
        [
            "evaluate",
            tep_parquet,
            out,
            "--sequences",
            "--seq-len",
            "12",
            "--repeats",
            "1",
            "--post-hoc-iterations",
            "20",
            "20",
            "--by",
            "fault",
            "--json",
            report,
        ]
    )
    assert r.exit_code == 0, r.output
    assert "discriminative score" in r.output and "fault in {0, 5}" in r.output
    data = json.loads(report.read_text())
    assert 0 <= data["discriminative"]["mean"] <= 0.5 and data["predictive"]["mean"] > 0


@pytest.mark.parametrize(
    "args, message",
    [
        (["--condition", "fault=17"], "never occurs in the training data"),
        (["--condition", "mode=B"], "unknown condition column"),
        (["--condition", "fault=0:x"], "VALUE:STEPS"),
    ],
)
def test_scenario_bad_conditions(tep_cli_model, tmp_path, args, message):
    model = tep_cli_model
    r = _run(["scenario", model, *args, "-o", tmp_path / "x.parquet"])
    assert r.exit_code != 0 and r.output.startswith("Error:") and message in r.output, r.output


def test_sequence_model_without_time_column(tmp_path):
    path = _table(tmp_path, "rows.csv", pd.DataFrame({"a": range(30), "b": [1.5, 2.5, 3.0] * 10}))
    r = _run(["fit", path, "--model", "sequence", "--quiet", "--out", tmp_path / "m.indgan"])
    assert r.exit_code != 0 and "no time column" in r.output and "--model tabular" in r.output


@pytest.mark.parametrize("name", ["default", "plant_logs", "quick", "sequence", "tabular"])
def test_shipped_configs_build_their_model(name):
    from indgan.families import family_class
    from indgan.schema import load_config

    from .conftest import DATA

    cfg = load_config(DATA.parents[1] / "configs" / f"{name}.toml")
    params = dict(cfg["model"])
    cls = family_class(params.pop("kind", "log"))
    for key in ("generator_dim", "critic_dim"):
        if key in params:
            params[key] = tuple(params[key])
    model = cls(**params)  # every setting is a parameter of the model the config names
    model._validate_params()
    if name in ("default", "sequence", "tabular"):  # "every setting at its default": they must not drift
        defaults = cls().get_params()
        assert {k: v for k, v in params.items() if defaults[k] != v} == {}


def test_shipped_config_through_the_cli(small_parquet, tmp_path):
    from .conftest import DATA

    r = _run(
        [
            "fit",
            small_parquet,
            "-c",
            DATA.parents[1] / "configs" / "plant_logs.toml",
            "--epochs",
            "1",
            "--eval-rows",
            "0",
            "--quiet",
            "--out",
            tmp_path / "m.indgan",
        ]
    )
    assert r.exit_code != 0 and "no column 'tag3'" in r.output  # the preset names the plant logs' own columns
    r = _run(
        [
            "fit",
            small_parquet,
            "-c",
            DATA.parents[1] / "configs" / "quick.toml",
            "--eval-rows",
            "0",
            "--quiet",
            "--out",
            tmp_path / "m.indgan",
            "--epochs",
            "1",
        ]
    )
    assert r.exit_code == 0, r.output


# ---------------------------------------------------------------------------------------------- the main job
LOG_FAST = ["--epochs", "2", "--batch-size", "100", "--quiet", "-c"]


@pytest.fixture(scope="module")
def tiny_log_config(tmp_path_factory):
    path = tmp_path_factory.mktemp("logcfg") / "tiny.toml"
    path.write_text("[model]\nlatent_dim = 16\ngenerator_dim = [32, 32]\ncritic_dim = [32, 32]\n")
    return path


@pytest.fixture(scope="module")
def log_cli_model(small_parquet, tiny_log_config, tmp_path_factory):
    out = tmp_path_factory.mktemp("logm") / "small.indgan"
    r = _run(["fit", small_parquet, "--out", out, *LOG_FAST, tiny_log_config])
    assert r.exit_code == 0, r.output
    return out, r.output


def test_fit_defaults_to_the_log_model_and_reports_rows_and_time(log_cli_model):
    _, output = log_cli_model
    assert "model: log (CTGAN rows + smooth latent dynamics; 'timestamp' is a time column" in output
    assert "at most 2 epochs" in output
    assert "(sdmetrics QualityReport, every column pair counted" in output and "step-change score" in output


def test_sample_without_n_is_the_training_shape(log_cli_model, fitted, small_parquet, small, tmp_path):
    model, _ = log_cli_model
    out = tmp_path / "log.parquet"
    r = _run(["sample", model, "-o", out, "--seed", "1"])
    assert r.exit_code == 0, r.output
    assert "the training shape" in r.output
    df = pd.read_parquet(out)
    assert list(df.columns) == list(small.columns) and df["timestamp"].is_monotonic_increasing
    assert df["timestamp"].iloc[0] == small["timestamp"].min()  # the same period, on the sampling grid
    assert abs(df["timestamp"].iloc[-1] - small["timestamp"].max()) <= df["timestamp"].diff().max()
    r = _run(["sample", model, "-n", "77", "-o", out])
    assert r.exit_code == 0 and len(pd.read_parquet(out)) == 77
    r = _run(["sample", model, "--sequences", "3", "--steps", "10", "-o", out])
    assert r.exit_code == 0 and len(pd.read_parquet(out)) == 30 and pd.read_parquet(out)["sequence"].nunique() == 3
    tab, _ = fitted  # the tabular model: its training shape is as many rows as it learned from
    r = _run(["sample", tab, "-o", out])
    assert r.exit_code == 0 and len(pd.read_parquet(out)) == len(small)
    r = _run(["sample", tab, "-n", "12", "-o", out])
    assert r.exit_code == 0 and len(pd.read_parquet(out)) == 12


def test_sample_of_a_sequence_model_with_entities_is_the_training_shape(tep_cli_model, tep_parquet, tmp_path):
    out = tmp_path / "seq.parquet"
    r = _run(["sample", tep_cli_model, "-o", out, "--seed", "0"])
    assert r.exit_code == 0, r.output
    real, syn = pd.read_parquet(tep_parquet), pd.read_parquet(out)
    assert syn.groupby("run", sort=False).size().to_dict() == real.groupby("run", sort=False).size().to_dict()
    assert (syn.groupby("run")["time"].min() == real.groupby("run")["time"].min()).all()
    r = _run(["sample", tep_cli_model, "-n", "100", "-o", out])
    assert r.exit_code == 0 and len(pd.read_parquet(out)) == 100


def test_evaluate_a_log_reports_rows_and_time(log_cli_model, small_parquet, tmp_path):
    model, _ = log_cli_model
    syn = tmp_path / "syn.parquet"
    assert _run(["sample", model, "-o", syn]).exit_code == 0
    report = tmp_path / "r.json"
    r = _run(["evaluate", small_parquet, syn, "--json", report])
    assert r.exit_code == 0, r.output
    assert "every column pair counted" in r.output and "step-change score" in r.output
    assert "autocorrelation error" in r.output and "discriminative score" in r.output
    data = json.loads(report.read_text())
    assert 0 < data["temporal"]["step_change"] <= 1 and data["temporal"]["autocorrelation_error"] >= 0
    r = _run(["evaluate", small_parquet, syn, "--no-time"])
    assert r.exit_code == 0 and "step-change" not in r.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["fit", "{data}", "--time-budget", "0"], "positive duration"),
        (["fit", "{data}", "--time-budget", "abc"], "time budget 'abc'"),
        (["sample", "{tab}", "-n", "0"], "not a positive number"),
        (["sample", "{tab}", "--sequences", "3"], "apply to log and sequence models"),
        (["sample", "{log}", "--steps", "3"], "--steps needs --sequences"),
        (["sample", "{tab}", "-n", "5", "-o", "out.xlsx"], "unsupported output type"),
        (["sample", "{tab}", "-n", "5", "--condition", "tag63=1", "--condition", "tag63=2"], "given twice"),
    ],
)
def test_main_job_bad_input_is_one_line(args, message, small_parquet, fitted, log_cli_model, tmp_path):
    subs = {"{data}": str(small_parquet), "{tab}": str(fitted[0]), "{log}": str(log_cli_model[0])}
    r = _run([subs.get(a, a) if a != "out.xlsx" else str(tmp_path / a) for a in args])
    assert r.exit_code != 0
    lines = [ln for ln in r.output.strip().splitlines() if ln and not ln.startswith(("Usage:", "Try "))]
    assert len(lines) == 1 and "Error" in lines[0] and message in lines[0], r.output


def test_readme_first_command_is_the_plain_main_job():
    from .conftest import DATA

    readme = (DATA.parents[1] / "README.md").read_text()
    first_block = readme.split("```bash", 1)[1].split("```", 1)[0]
    assert "indgan fit examples/data/plant_logs.parquet" in first_block
    fit_line = next(ln for ln in first_block.splitlines() if "indgan fit" in ln)
    assert fit_line.strip().endswith("indgan fit examples/data/plant_logs.parquet")  # no options
