"""Tabular benchmark: indgan's TabularGAN against ctgan's CTGAN and TVAE.

Run from the repository root::

    python benchmarks/tabular.py [--epochs 300] [--batch-size 500]
                                 [--datasets plant_logs,dryer] [--seed 0]
                                 [--json PATH] [--skip-indgan] [--skip-peers]

Every model is trained on the same data with the same epochs and batch size, and every
synthetic table is scored by the same function, ``indgan.evaluate(real, synthetic)``, on the
raw frame as shipped in ``examples/data``.

indgan reads the raw frames directly. The peers (``pip install ctgan``) cannot: the plant
logs hold historian status strings ("Bad", "Scan Timeout", ...) inside numeric tags, and a
timestamp column. They get a *peer view* that a careful user would prepare by hand
(``peer_view``), and their samples are turned back into the raw form (``peer_unview``) before
scoring. The peers' fit time includes building the view; their sampling time includes undoing it.

Targets checked per dataset: indgan quality >= TVAE quality, and indgan fit time <= 0.5 x CTGAN
fit time.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "examples" / "data"
DATASETS = ("plant_logs", "dryer")

STATUS_SUFFIX = "__status"
STATUS_OK = "ok"
MAX_DISCRETE_LEVELS = 10  # numeric columns with at most this many distinct values are discrete
MOSTLY_NUMERIC = 0.5  # share of parseable values above which an object column is numeric

if str(ROOT) not in sys.path:  # benchmark the checkout's indgan when run as benchmarks/tabular.py
    sys.path.insert(0, str(ROOT))

from indgan.schema import code_label  # noqa: E402
from indgan.schema.values import status_codes  # noqa: E402


# --------------------------------------------------------------------------------------------
# Peer view: what a careful user feeds to ctgan
# --------------------------------------------------------------------------------------------


@dataclass
class ColumnPlan:
    """How one raw column is represented in the peer view."""

    name: str
    kind: str  # "datetime", "status_numeric", "numeric", "categorical"
    dtype: str  # raw dtype, restored on the way back
    median: float = 0.0  # fill value for NaN in numeric columns
    decimals: int | None = None  # digits of the numeric strings in status_numeric columns
    tz: str | None = None
    codes: tuple = ()  # status codes of a numeric column (-273.2 for a failed reading), in its status column


@dataclass
class PeerView:
    plans: list[ColumnPlan]
    discrete_columns: list[str] = field(default_factory=list)


def _decimals(strings: pd.Series) -> int | None:
    """Largest number of digits after the decimal point in numeric strings (None if unknown)."""
    parts = strings.astype(str).str.strip().str.split(".", n=1, expand=True)
    if parts.shape[1] < 2:
        return 0
    frac = parts[1].dropna()
    if frac.str.contains(r"[eE]").any():
        return None
    return int(frac.str.len().max()) if len(frac) else 0


def build_peer_view(df: pd.DataFrame) -> tuple[pd.DataFrame, PeerView]:
    """Turn a raw frame into something ctgan can train on.

    * datetime columns -> int64 seconds since the epoch;
    * object columns that are mostly numeric -> a float column (status strings -> NaN) plus a
      string column ``<col>__status`` holding the status string or "ok";
    * NaN in numeric columns -> the column median (ctgan refuses NaN in continuous columns;
      the status column carries where the value was missing), and so are a numeric column's status codes
      (``indgan.schema.values.status_codes``: -273.2 for a failed reading), named in its status column;
    * discrete columns: object/string columns, the status columns, numeric columns with at most
      ``MAX_DISCRETE_LEVELS`` distinct values.
    """
    out: dict[str, pd.Series] = {}
    plans: list[ColumnPlan] = []
    discrete: list[str] = []
    for col in df.columns:
        s = df[col]
        dtype = str(s.dtype)
        if pd.api.types.is_datetime64_any_dtype(s):
            tz = str(s.dt.tz) if getattr(s.dt, "tz", None) is not None else None
            naive = s.dt.tz_convert("UTC").dt.tz_localize(None) if tz else s
            secs = (naive - pd.Timestamp("1970-01-01")) // pd.Timedelta(seconds=1)
            med = float(secs.median())
            out[col] = secs.fillna(med).astype("int64")
            plans.append(ColumnPlan(col, "datetime", dtype, median=med, tz=tz))
            if secs.nunique() <= MAX_DISCRETE_LEVELS:
                discrete.append(col)
            continue
        if s.dtype == object or isinstance(s.dtype, pd.StringDtype):
            num = pd.to_numeric(s, errors="coerce")
            present = s.notna()
            share = num[present].notna().mean() if present.any() else 0.0
            if share > MOSTLY_NUMERIC:
                status = s.where(num.isna(), STATUS_OK).astype(object)
                status = status.where(status.notna(), "NaN").astype(str)
                med = float(num.median()) if num.notna().any() else 0.0
                out[col] = num.fillna(med).astype(float)
                out[col + STATUS_SUFFIX] = status
                plans.append(ColumnPlan(col, "status_numeric", dtype, median=med, decimals=_decimals(s[num.notna()])))
                discrete.append(col + STATUS_SUFFIX)
                if num.nunique() <= MAX_DISCRETE_LEVELS:
                    discrete.append(col)
                continue
            out[col] = s.astype(object).where(s.notna(), "NaN").astype(str)
            plans.append(ColumnPlan(col, "categorical", dtype))
            discrete.append(col)
            continue
        if pd.api.types.is_bool_dtype(s):
            out[col] = s.astype(str)
            plans.append(ColumnPlan(col, "categorical", dtype))
            discrete.append(col)
            continue
        # plain numeric
        num = pd.to_numeric(s, errors="coerce").astype(float)
        codes = tuple(status_codes(num.to_numpy()))  # as indgan's schema reads them, any numeric dtype
        status = pd.Series(np.where(num.isna(), "NaN", STATUS_OK), index=s.index, dtype=object)
        for code in codes:
            status[num == code] = code_label(code)
            num = num.mask(num == code)
        med = float(num.median()) if num.notna().any() else 0.0
        if (status != STATUS_OK).any():
            out[col + STATUS_SUFFIX] = status.astype(str)
            discrete.append(col + STATUS_SUFFIX)
        out[col] = num.fillna(med)
        plans.append(ColumnPlan(col, "numeric", dtype, median=med, codes=codes))
        if num.nunique() <= MAX_DISCRETE_LEVELS:
            discrete.append(col)
    view = pd.DataFrame(out, index=df.index)
    return view, PeerView(plans, discrete)


def peer_unview(view: pd.DataFrame, spec: PeerView) -> pd.DataFrame:
    """Turn a peer's synthetic view back into the raw form (same columns and dtypes as raw)."""
    out: dict[str, pd.Series] = {}
    for p in spec.plans:
        c = p.name
        if p.kind == "datetime":
            secs = pd.to_numeric(view[c], errors="coerce").round()
            ts = pd.to_datetime(secs, unit="s")
            if p.tz:
                ts = ts.dt.tz_localize("UTC").dt.tz_convert(p.tz)
            out[c] = ts.astype(p.dtype) if not p.tz else ts
        elif p.kind == "status_numeric":
            num = pd.to_numeric(view[c], errors="coerce")
            if p.decimals is not None:
                num = num.round(p.decimals)
            text = num.map(lambda v: None if pd.isna(v) else repr(float(v)))
            status = view[c + STATUS_SUFFIX].astype(str)
            bad = status != STATUS_OK
            vals = text.where(~bad, status).astype(object)
            vals[status == "NaN"] = None
            out[c] = vals
        elif p.kind == "numeric":
            num = pd.to_numeric(view[c], errors="coerce").astype(float)
            if c + STATUS_SUFFIX in view:
                status = view[c + STATUS_SUFFIX].astype(str)
                num = num.where(status == STATUS_OK)
                for code in p.codes:
                    num = num.mask(status == code_label(code), code)
            if p.dtype.startswith(("int", "uint", "Int", "UInt")) and not num.isna().any():
                out[c] = num.round().astype(p.dtype)
            elif p.dtype.startswith(("int", "uint", "Int", "UInt")):
                out[c] = num.round()
            else:
                out[c] = num.astype(p.dtype)
        else:  # categorical
            vals = view[c].astype(object)
            vals = vals.where(vals.astype(str) != "NaN", None)
            if p.dtype == "bool":
                vals = vals.map({"True": True, "False": False, True: True, False: False})
            out[c] = vals
    return pd.DataFrame(out, index=view.index)


# --------------------------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------------------------


def seed_everything(seed: int) -> None:
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def run_indgan(df: pd.DataFrame, epochs: int, batch_size: int, seed: int) -> dict:
    from indgan import TabularGAN

    seed_everything(seed)
    t0, c0 = time.perf_counter(), time.process_time()
    model = TabularGAN(epochs=epochs, time_budget=None, batch_size=batch_size, random_state=seed, verbose=False)
    model.fit(df)
    fit_s, fit_cpu_s = time.perf_counter() - t0, time.process_time() - c0
    t0 = time.perf_counter()
    syn = model.sample(len(df))
    sample_s = time.perf_counter() - t0
    return {"fit_s": fit_s, "fit_cpu_s": fit_cpu_s, "sample_s": sample_s, "synthetic": syn}


def run_peer(name: str, df: pd.DataFrame, epochs: int, batch_size: int, seed: int) -> dict:
    from ctgan import CTGAN, TVAE

    seed_everything(seed)
    t0, c0 = time.perf_counter(), time.process_time()
    view, spec = build_peer_view(df)
    if name == "CTGAN":
        model = CTGAN(epochs=epochs, batch_size=batch_size, enable_gpu=False)  # pac default (10)
    elif name == "TVAE":
        model = TVAE(epochs=epochs, batch_size=batch_size, enable_gpu=False)
    else:
        raise ValueError(name)
    model.set_random_state(seed)
    model.fit(view, discrete_columns=spec.discrete_columns)
    fit_s, fit_cpu_s = time.perf_counter() - t0, time.process_time() - c0
    t0 = time.perf_counter()
    syn = peer_unview(model.sample(len(df)), spec)
    sample_s = time.perf_counter() - t0
    return {
        "fit_s": fit_s,
        "fit_cpu_s": fit_cpu_s,
        "sample_s": sample_s,
        "synthetic": syn,
        "view_columns": view.shape[1],
        "discrete_columns": len(spec.discrete_columns),
    }


def indgan_quality(real: pd.DataFrame, synthetic: pd.DataFrame) -> float:
    from indgan import evaluate

    return float(evaluate(real, synthetic).quality_score)


# --------------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------------


def load(name: str) -> pd.DataFrame:
    return pd.read_parquet(DATA_DIR / f"{name}.parquet")


def run_dataset(name, df, *, epochs, batch_size, seed, models, scorer, log=print) -> list[dict]:
    rows = []
    for model in models:
        log(f"[{name}] fitting {model} ({epochs} epochs, batch {batch_size}) ...")
        if model == "indgan":
            res = run_indgan(df, epochs, batch_size, seed)
        else:
            res = run_peer(model, df, epochs, batch_size, seed)
        syn = res.pop("synthetic")
        quality = score_s = None
        if scorer is not None:
            t0 = time.perf_counter()
            quality = float(scorer(df, syn))
            score_s = time.perf_counter() - t0
        row = {
            "dataset": name,
            "model": model,
            "rows": len(df),
            "columns": df.shape[1],
            "fit_s": res.pop("fit_s"),
            "s_per_epoch": None,
            "fit_cpu_s": res.pop("fit_cpu_s"),
            "sample_s": res.pop("sample_s"),
            "quality": quality,
            "score_s": score_s,
            **res,
        }
        row["s_per_epoch"] = row["fit_s"] / epochs
        q = "n/a" if quality is None else f"{quality:.4f}"
        log(
            f"[{name}] {model}: fit {row['fit_s']:.1f} s (CPU {row['fit_cpu_s']:.1f} s), "
            f"sample {row['sample_s']:.2f} s, quality {q}"
            + (f" (scored in {score_s:.1f} s)" if score_s is not None else "")
        )
        rows.append(row)
    return rows


def _fmt(v, spec):
    return "n/a" if v is None or (isinstance(v, float) and math.isnan(v)) else format(v, spec)


def summarize(name: str, rows: list[dict]) -> dict:
    by = {r["model"]: r for r in rows}
    print(f"\n== {name} ({rows[0]['rows']} x {rows[0]['columns']}) ==")
    print(f"{'model':<8} {'fit s':>9} {'s/epoch':>9} {'fit CPU s':>9} {'sample s':>9} {'quality':>8} {'score s':>8}")
    for r in rows:
        print(
            f"{r['model']:<8} {_fmt(r['fit_s'], '9.1f')} {_fmt(r['s_per_epoch'], '9.3f')} "
            f"{_fmt(r['fit_cpu_s'], '9.1f')} {_fmt(r['sample_s'], '9.2f')} "
            f"{_fmt(r['quality'], '8.4f')} {_fmt(r['score_s'], '8.1f')}"
        )
    summary: dict = {"dataset": name}
    ind, ct, tv = by.get("indgan"), by.get("CTGAN"), by.get("TVAE")
    if ind and ct:
        summary["fit_ratio_vs_ctgan"] = ind["fit_s"] / ct["fit_s"]
        summary["fit_target_met"] = summary["fit_ratio_vs_ctgan"] <= 0.5
        print(
            f"indgan fit / CTGAN fit = {summary['fit_ratio_vs_ctgan']:.3f} "
            f"(target <= 0.5: {'MET' if summary['fit_target_met'] else 'NOT MET'})"
        )
    if ind and tv and ind["quality"] is not None and tv["quality"] is not None:
        summary["quality_delta_vs_tvae"] = ind["quality"] - tv["quality"]
        summary["quality_target_met"] = summary["quality_delta_vs_tvae"] >= 0
        print(
            f"indgan quality - TVAE quality = {summary['quality_delta_vs_tvae']:+.4f} "
            f"(target >= 0: {'MET' if summary['quality_target_met'] else 'NOT MET'})"
        )
    if "fit_target_met" in summary and "quality_target_met" in summary:
        summary["targets_met"] = summary["fit_target_met"] and summary["quality_target_met"]
        print(f"targets met on {name}: {'YES' if summary['targets_met'] else 'NO'}")
    return summary


def environment() -> dict:
    import torch

    env = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
    }
    for mod in ("ctgan", "indgan"):
        try:
            env[mod] = __import__(mod).__version__
        except Exception:  # noqa: BLE001 - optional, report what is there
            env[mod] = None
    return env


def main(argv=None, scorer=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--epochs", type=int, default=300)
    ap.add_argument("--batch-size", type=int, default=500)
    ap.add_argument("--datasets", default=",".join(DATASETS))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", dest="json_path", default=None, help="write the results here")
    ap.add_argument("--skip-indgan", action="store_true", help="run only the ctgan peers")
    ap.add_argument("--skip-peers", action="store_true", help="run only indgan")
    args = ap.parse_args(argv)

    models = [
        m
        for m, skip in (("indgan", args.skip_indgan), ("CTGAN", args.skip_peers), ("TVAE", args.skip_peers))
        if not skip
    ]
    if scorer is None:
        try:
            import indgan  # noqa: F401

            scorer = indgan_quality
        except ImportError as exc:
            if not args.skip_indgan:
                raise
            print(f"indgan not importable ({exc}); peers are timed but not scored", file=sys.stderr)

    env = environment()
    print("environment:", json.dumps(env))
    results = {
        "config": {"epochs": args.epochs, "batch_size": args.batch_size, "seed": args.seed, "models": models},
        "environment": env,
        "runs": [],
        "summary": [],
    }
    for name in [d.strip() for d in args.datasets.split(",") if d.strip()]:
        df = load(name)
        rows = run_dataset(
            name, df, epochs=args.epochs, batch_size=args.batch_size, seed=args.seed, models=models, scorer=scorer
        )
        results["runs"].extend(rows)
        results["summary"].append(summarize(name, rows))
        sys.stdout.flush()
    if args.json_path:
        Path(args.json_path).write_text(json.dumps(results, indent=2))
        print(f"\nresults written to {args.json_path}")
    return results


if __name__ == "__main__":
    main()
