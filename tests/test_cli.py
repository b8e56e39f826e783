import hashlib
import json

import pandas as pd
import pytest
from click.testing import CliRunner

from indgan.cli import cli

FAST = ["--epochs", "1", "--batch-size", "100", "--quiet", "--eval-rows", "200"]


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
