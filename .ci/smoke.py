"""Smoke check of the declared lowest dependency versions (``.ci/lowest-constraints.txt``).

``.ci/run`` installs indgan into a separate venv with every dependency pinned to its declared lower bound and
runs this script there, so CI fails when a lower bound in ``pyproject.toml`` stops holding. It goes once through
every path that touches a dependency, on small real slices of ``examples/data`` with tiny budgets (it checks
that the code runs and its output is well formed, not its quality), through the command line in-process:

- files: parquet (pyarrow) and CSV (pandas: time strings, observed cells kept exactly);
- fit / sample / info of the row model (CTGAN), the log model and the sequence model (TimeGAN) + ``scenario``;
- the model file: saved and loaded with ``torch.load(weights_only=True)``;
- ``impute`` of a file (GAIN, time-aware), ``--save`` / ``--model-file``, and of a SQLite table (SQLAlchemy) with undo;
- the scikit-learn contract of :class:`indgan.GANImputer` (``validate_data``, ``clone``, ``check_is_fitted``);
- ``evaluate`` (sdmetrics QualityReport / DiagnosticReport, scipy) and, when its dependencies are declared,
  ``report`` (plotly, jinja2);
- the image GANs on scikit-learn's digits and a PNG grid (pillow).

Run: ``OMP_NUM_THREADS=1 python .ci/smoke.py`` (about 30 s on one core, after the imports). ``--lowest`` first
checks that ``.ci/lowest-constraints.txt`` pins every declared dependency (torch aside) at its declared lower
bound and that exactly those versions are installed. Exit status 0 when every step held.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import time
import tomllib
from importlib import metadata
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "examples" / "data"
_T0 = time.perf_counter()


def declared() -> dict[str, str | None]:
    """pyproject.toml's ``[project] dependencies``: distribution name -> declared lower bound (``>=``) or None."""
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    out = {}
    for d in deps:
        name = re.split(r"[\s<>=!~;\[]", d, maxsplit=1)[0]
        low = re.search(r">=\s*([0-9][0-9A-Za-z.]*)", d)
        out[name] = low.group(1) if low else None
    return out


def _release(v: str) -> tuple[int, ...]:
    """``"2.2"`` -> ``(2, 2, 0)``: the release numbers, padded, local labels (``+cpu``) dropped."""
    nums = [int(x) for x in re.findall(r"\d+", v.split("+")[0].split("rc")[0])[:3]]
    return tuple(nums + [0] * (3 - len(nums)))


def _installed(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _norm(name: str) -> str:
    """A distribution name as PEP 503 normalises it: ``SQLAlchemy`` -> ``sqlalchemy``."""
    return re.sub(r"[-_.]+", "-", name.strip()).lower()


def check_lowest(deps: dict[str, str | None]) -> None:
    """Every declared dependency (torch aside) is pinned in the constraints file at its declared lower bound,
    and that version is what is installed; torch is installed at or above its bound."""
    pins = {}
    for line in (ROOT / ".ci" / "lowest-constraints.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[_norm(name)] = version.strip()
    problems = []
    for name, low in deps.items():
        installed = _installed(name)
        if low is None:
            problems.append(f"{name}: pyproject.toml declares no lower bound (>=)")
        elif name != "torch" and _norm(name) not in pins:
            problems.append(f"{name}: not pinned in .ci/lowest-constraints.txt (add {name}=={low})")
        elif installed is None:
            problems.append(f"{name}: not installed")
        elif name == "torch":
            if _release(installed) < _release(low):
                problems.append(f"torch {installed} is below the declared torch>={low}")
        elif _release(pins[_norm(name)]) != _release(low):
            problems.append(f"{name}: pyproject.toml says >={low}, .ci/lowest-constraints.txt pins {pins[_norm(name)]}")
        elif _release(installed) != _release(low):
            problems.append(f"{name}: {installed} is installed, not the declared lower bound {low}")
    extra = sorted(set(pins) - {_norm(n) for n in deps})
    if extra:
        problems.append(f".ci/lowest-constraints.txt pins {extra}, which pyproject.toml does not declare")
    if problems:
        raise SystemExit(
            "FAILED: the lowest versions are not what pyproject.toml declares:\n  " + "\n  ".join(problems)
        )


def step(name: str) -> None:
    print(f"[{time.perf_counter() - _T0:6.1f} s] {name}", flush=True)


def run(*args: str) -> str:
    """Invoke the indgan command line in-process; fail with its output unless it exits 0."""
    from click.testing import CliRunner

    from indgan.cli import cli

    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=True)
    if result.exit_code != 0:
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            import traceback

            traceback.print_exception(result.exception)
        raise SystemExit(f"FAILED: indgan {' '.join(map(str, args))} (exit {result.exit_code})\n{result.output}")
    return result.output


def main() -> None:
    deps = declared()
    names = list(deps)
    print("declared dependencies as installed:", ", ".join(f"{n}=={_installed(n)}" for n in names), flush=True)
    if "--lowest" in sys.argv[1:]:
        check_lowest(deps)
        print("each is its declared lower bound (.ci/lowest-constraints.txt)", flush=True)

    import numpy as np
    import pandas as pd

    import indgan
    from indgan import read_table, write_table

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)

        step("files: parquet and CSV")
        plant = read_table(DATA / "plant_logs.parquet")
        cols = ["timestamp", "tag0", "tag1", "tag2", "tag4", "tag5", "tag63", "tag70", "tag95"]
        small = plant[cols].iloc[:400].reset_index(drop=True)
        write_table(small, tmp / "small.parquet")
        write_table(small, tmp / "small.csv")
        back = read_table(tmp / "small.csv")
        assert list(back.columns) == cols, back.columns
        assert (pd.to_datetime(back["timestamp"]).to_numpy() == small["timestamp"].to_numpy()).all()
        num = small["tag0"].notna()
        assert (back.loc[num, "tag0"].to_numpy() == small.loc[num, "tag0"].to_numpy()).all(), "CSV changed tag0"

        step("tabular: fit, info, sample, conditioned sample")
        run(
            "fit",
            tmp / "small.parquet",
            "--model",
            "tabular",
            "--epochs",
            "2",
            "--batch-size",
            "100",
            "--eval-rows",
            "0",
            "--quiet",
            "-o",
            tmp / "rows.indgan",
        )
        assert "tag63" in run("info", tmp / "rows.indgan")
        run("sample", tmp / "rows.indgan", "-n", "300", "-o", tmp / "rows.parquet", "--seed", "1")
        rows = read_table(tmp / "rows.parquet")
        assert rows.shape == (300, len(cols)) and list(rows.columns) == cols, rows.shape
        run("sample", tmp / "rows.indgan", "-n", "50", "--condition", "tag70:status=Bad", "-o", tmp / "bad.csv")
        assert (read_table(tmp / "bad.csv")["tag70"].astype(str) == "Bad").all()
        model = indgan.load_model(tmp / "rows.indgan", device="cpu")
        assert isinstance(model, indgan.TabularGAN) and len(model.sample(10, random_state=0)) == 10

        step("log model: fit from CSV (time strings), sample sequences")
        run(
            "fit",
            tmp / "small.csv",
            "--epochs",
            "1",
            "--batch-size",
            "100",
            "--eval-rows",
            "0",
            "--quiet",
            "-o",
            tmp / "log.indgan",
        )
        run("sample", tmp / "log.indgan", "--sequences", "2", "--steps", "12", "-o", tmp / "log.csv")
        log = read_table(tmp / "log.csv")
        assert len(log) == 24 and set(cols) <= set(log.columns), log.dtypes
        steps = pd.to_datetime(log["timestamp"]).groupby(log["sequence"]).diff().dropna()
        assert steps.eq(pd.Timedelta("5min")).all(), log["timestamp"]
        run("sample", tmp / "log.indgan", "--sequences", "1", "--steps", "96", "-o", tmp / "log.parquet")
        log = read_table(tmp / "log.parquet")
        assert len(log) == 96
        # the log keeps the CSV's time strings; the scores and the report get datetimes like the real table's
        write_table(log.assign(timestamp=pd.to_datetime(log["timestamp"])), tmp / "log.parquet")

        step("sequence model (TimeGAN): fit with a condition, scenario")
        tep = read_table(DATA / "tep.parquet")
        tep = tep[tep["run"].isin(sorted(tep["run"].unique())[:2])]
        tep = tep[["run", "fault", "time"] + [c for c in tep.columns if c.startswith("xmeas")][:5]]
        write_table(tep.groupby("run").head(120).reset_index(drop=True), tmp / "tep.parquet")
        run(
            "fit",
            tmp / "tep.parquet",
            "--model",
            "sequence",
            "--condition",
            "fault",
            "--seq-len",
            "8",
            "--iterations",
            "3",
            "--batch-size",
            "16",
            "--eval-rows",
            "0",
            "--quiet",
            "-o",
            tmp / "tep.indgan",
        )
        faults = sorted(tep["fault"].unique())
        run(
            "scenario",
            tmp / "tep.indgan",
            "--condition",
            f"fault={faults[0]}:6,{faults[-1]}:6",
            "-n",
            "2",
            "-o",
            tmp / "scenario.parquet",
        )
        sc = read_table(tmp / "scenario.parquet")
        assert len(sc) == 24 and sc["fault"].tolist()[:12] == [faults[0]] * 6 + [faults[-1]] * 6, sc["fault"]

        step("impute a file (--save), then with --model-file")
        holed = small.copy()
        holed.loc[10:14, "tag1"] = np.nan
        holed.loc[200, "tag5"] = np.nan
        write_table(holed, tmp / "holed.parquet")
        run(
            "impute",
            tmp / "holed.parquet",
            "-o",
            tmp / "filled.parquet",
            "--iterations",
            "20",
            "--quiet",
            "--save",
            tmp / "imp.indgan",
        )
        run(
            "impute",
            tmp / "holed.parquet",
            "-o",
            tmp / "filled2.parquet",
            "--model-file",
            tmp / "imp.indgan",
            "--quiet",
        )
        for out in ("filled.parquet", "filled2.parquet"):
            filled = read_table(tmp / out)
            assert filled[["tag1", "tag5"]].notna().all().all(), out
            obs = holed["tag1"].notna()
            assert (filled.loc[obs, "tag1"].to_numpy() == holed.loc[obs, "tag1"].to_numpy()).all(), out

        step("impute a SQLite table (SQLAlchemy), then undo")
        import sqlalchemy as sa

        url = f"sqlite:///{tmp / 'plant.db'}"
        engine = sa.create_engine(url)
        table = holed.drop(columns=["timestamp"]).rename_axis("id").reset_index()
        table["tag2"] = pd.to_numeric(table["tag2"], errors="coerce")
        table["tag70"] = pd.to_numeric(table["tag70"], errors="coerce")
        table.to_sql("readings", engine, index=False)
        n_null = int(pd.read_sql("SELECT * FROM readings", engine).isna().sum().sum())
        out = run("impute", "--db", url, "--table", "readings", "--key", "id", "--iterations", "20", "--quiet")
        assert int(pd.read_sql("SELECT * FROM readings", engine).isna().sum().sum()) == 0, out
        run_id = re.search(r"run ([0-9a-f]{32})", out).group(1)
        run("impute", "--undo", run_id, "--db", url)
        assert int(pd.read_sql("SELECT * FROM readings", engine).isna().sum().sum()) == n_null
        engine.dispose()

        step("scikit-learn contract: GANImputer on an array")
        from sklearn.base import clone
        from sklearn.exceptions import NotFittedError
        from sklearn.utils.validation import check_is_fitted

        x = holed[["tag0", "tag1", "tag5", "tag95"]].to_numpy()
        imp = indgan.GANImputer(iterations=20, time_budget=None, random_state=0)
        filled_x = clone(imp).fit(x).transform(x)
        assert filled_x.shape == x.shape and not np.isnan(filled_x).any()
        assert (filled_x[~np.isnan(x)] == x[~np.isnan(x)]).all()
        try:
            check_is_fitted(imp)
        except NotFittedError as exc:  # indgan's NotFittedError subclasses sklearn's
            assert "fit" in str(exc).lower()
        else:
            raise AssertionError("an unfitted GANImputer passed check_is_fitted")

        step("evaluate (sdmetrics, scipy)")
        run("evaluate", tmp / "small.parquet", tmp / "log.parquet", "--json", tmp / "eval.json", "--max-rows", "300")
        run(
            "evaluate",
            tmp / "small.parquet",
            tmp / "rows.parquet",
            "--no-time",
            "--json",
            tmp / "eval_rows.json",
            "--max-rows",
            "300",
        )
        for name in ("eval.json", "eval_rows.json"):
            report = json.loads((tmp / name).read_text())
            score = report["quality_score"]
            assert 0.0 <= score <= 1.0, (name, score)

        if {"plotly", "jinja2"} <= {n.lower() for n in names}:
            step("report (plotly, jinja2)")
            run("report", tmp / "small.parquet", tmp / "log.parquet", "-o", tmp / "report.html", "--max-rows", "300")
            html = (tmp / "report.html").read_text()
            assert "<html" in html.lower() and len(html) > 10_000, len(html)

        step("image GANs on scikit-learn's digits, a PNG grid (pillow)")
        run(
            "images",
            "fit",
            "digits",
            "--size",
            "28",
            "--epochs",
            "1",
            "--features",
            "8",
            "--batch-size",
            "256",
            "--quiet",
            "-o",
            tmp / "digits.indgan",
        )
        run("images", "sample", tmp / "digits.indgan", "-n", "16", "-o", tmp / "grid.png")
        from PIL import Image

        with Image.open(tmp / "grid.png") as im:
            assert im.size[0] >= 4 * 28 and im.size[1] >= 4 * 28, im.size

    step("all steps held")


if __name__ == "__main__":
    main()
