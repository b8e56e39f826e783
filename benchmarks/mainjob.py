"""The main job's benchmark: ``indgan fit`` at its defaults against SDV's TVAE, GaussianCopula and PAR, in one run.

Run from the repository root (the peers need ``pip install sdv``; they are installed only for this benchmark)::

    python benchmarks/mainjob.py [--datasets plant_logs,dryer,nylon,tep,biglog] [--tvae-epochs 300] [--par-epochs 16]
                                 [--scaling 10000,30000,100000] [--skip-peers] [--json PATH] [--device cpu]

What is measured, per data set, for every model on the same data, scored by the same code:

- **fit seconds** (the peers' include building their input view);
- **rows**: sdmetrics' QualityReport with every column pair counted (``indgan.evaluate``), and with sdmetrics'
  default thresholds;
- **over time** (``indgan.metrics.temporal_fidelity``): the step-change score (1 - KS of ``x[t+1] - x[t]``,
  mean over tags), the autocorrelation error (mean |ACF difference| over lags 1-12), the cross-correlation error
  (mean |CCF difference| over lags 0-12 and the 50 most correlated real tag pairs), the top-50 pair correlation
  error (mean |r_real - r_synthetic| over those pairs) and TimeGAN's discriminative score on non-overlapping
  windows of 24 steps (5 post-hoc classifiers of 500 iterations).

indgan is the plain default (``LogGAN`` with its time budget; TEP with ``condition="fault"``). It samples a log of
the training shape. TVAE and GaussianCopula learn rows; their samples are **laid out in time** on the real time
axis, row after row, as a user who needs a log from a row model would. PAR (dryer, nylon and TEP) learns the
entities as sequences. The peers read the view a careful user would write by hand (``benchmarks/tabular.py``:
status strings become a status column, timestamps seconds). The **real-vs-real floor** compares two halves of the
real data: alternate 8-hour blocks of one log, or alternate entities (batches, runs).

``biglog`` is La Haute Borne's wind-farm SCADA log (105,120 rows x 28 tags, 10 minutes, openoa 3.2;
``python examples/data/convert_biglog.py`` writes it to ``~/.cache/indgan/biglog.parquet``); ``--scaling`` fits the
default model on its first 10k, 30k and 100k rows and prints the time and the steps per second at each. On
``biglog`` and ``tep`` (over 20,000 rows) the row peer is GaussianCopula only (TVAE's 300 epochs over 105,120 rows
would take most of an hour).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "examples" / "data"
BIGLOG = Path(os.environ.get("INDGAN_BIGLOG", Path.home() / ".cache" / "indgan" / "biglog.parquet"))
for p in (str(ROOT), str(ROOT / "benchmarks")):
    if p not in sys.path:
        sys.path.insert(0, p)

from indgan import LogGAN, evaluate  # noqa: E402
from indgan.metrics.report import temporal_fidelity  # noqa: E402
from indgan.schema import condition_overrides, infer_schema  # noqa: E402

DISC = dict(n_repeats=5, iterations=500)


def load(name: str) -> tuple[pd.DataFrame, list[str]]:
    """(table, condition columns)."""
    if name == "biglog":
        if not BIGLOG.exists():
            raise SystemExit(f"{BIGLOG} is missing: run python examples/data/convert_biglog.py first.")
        return pd.read_parquet(BIGLOG), []
    df = pd.read_parquet(DATA / f"{name}.parquet")
    return df, (["fault"] if name == "tep" else [])


def floor_split(df: pd.DataFrame, schema) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two halves of the real data: alternate entities, or alternate 8-hour blocks of one log."""
    t, e = schema.time_column, schema.entity_column
    if e:
        ids = pd.unique(df[e])
        a = df[df[e].isin(ids[0::2])]
        b = df[df[e].isin(ids[1::2])]
        return a, b
    v = df.sort_values(t).reset_index(drop=True)
    if pd.api.types.is_datetime64_any_dtype(v[t]):
        block = ((v[t] - v[t].iloc[0]) // pd.Timedelta(hours=8)).to_numpy()
    else:
        block = np.arange(len(v)) // 96
    return v[block % 2 == 0], v[block % 2 == 1]


def score(real: pd.DataFrame, syn: pd.DataFrame, schema, seed: int) -> dict:
    rep = evaluate(real, syn, schema=schema, temporal=False)
    tf = temporal_fidelity(real, syn, schema, random_state=seed, floor=False, min_windows=100, **DISC)
    return {
        "rows": rep.quality_score,
        "rows_default": rep.quality_score_default,
        "steps": tf.step_change,
        "acf_error": tf.autocorrelation_error,
        "ccf_error": tf.cross_correlation_error,
        "pair_error": tf.pair_correlation_error,
        "discriminative": None if tf.discriminative is None else tf.discriminative.mean,
        "discriminative_std": None if tf.discriminative is None else tf.discriminative.std,
        "windows": list(tf.n_windows),
    }


def laid_out_in_time(syn: pd.DataFrame, real: pd.DataFrame, schema) -> pd.DataFrame:
    """A row model's sample on the real time axis (and entity ids), row after row."""
    out = syn.iloc[: len(real)].reset_index(drop=True).copy()
    order = real.sort_values([c for c in (schema.entity_column, schema.time_column) if c]).reset_index(drop=True)
    for c in (schema.time_column, schema.entity_column):
        if c:
            out[c] = order[c].to_numpy()[: len(out)]
    return out


def run_indgan(df, conds, seed, device, budget=None) -> dict:
    kw = {} if budget is None else {"time_budget": budget}
    t0 = time.perf_counter()
    model = LogGAN(random_state=seed, verbose=False, device=device, **kw).fit(df, condition=conds or None)
    fit_s = time.perf_counter() - t0
    syn = model.sample(random_state=seed)
    rows = model.rows_
    return {
        "fit_s": fit_s,
        "synthetic": syn,
        "length_scale": model.length_scale_,
        "row_steps": rows.summary_.steps,
        "stop": rows.summary_.stop_reason,
        "steps_per_s": rows.summary_.steps / max(rows.summary_.seconds, 1e-9),
    }


def _sdv_metadata(view: pd.DataFrame, discrete: list[str]):
    from sdv.metadata import Metadata

    cols = {c: {"sdtype": "categorical" if c in discrete else "numerical"} for c in view.columns}
    return Metadata.load_from_dict({"tables": {"table": {"columns": cols}}})


def run_row_peer(name: str, df: pd.DataFrame, schema, epochs: int, seed: int) -> dict:
    import torch
    from tabular import build_peer_view, peer_unview

    torch.manual_seed(seed)
    np.random.seed(seed)
    t0 = time.perf_counter()
    view, spec = build_peer_view(df)
    meta = _sdv_metadata(view, spec.discrete_columns)
    if name == "TVAE":
        from sdv.single_table import TVAESynthesizer

        model = TVAESynthesizer(meta, epochs=epochs, enforce_min_max_values=True)
    else:
        from sdv.single_table import GaussianCopulaSynthesizer

        model = GaussianCopulaSynthesizer(meta)
    model.fit({"table": view})
    fit_s = time.perf_counter() - t0
    syn = model.sample(len(df))
    syn = peer_unview(syn["table"] if isinstance(syn, dict) else syn, spec)
    return {"fit_s": fit_s, "synthetic": laid_out_in_time(syn, df, schema)}


def run_par(df: pd.DataFrame, schema, conds, epochs: int, seed: int) -> dict:
    import torch
    from sdv.metadata import Metadata
    from sdv.sequential import PARSynthesizer
    from tabular import build_peer_view, peer_unview

    torch.manual_seed(seed)
    np.random.seed(seed)
    t0 = time.perf_counter()
    e, t = schema.entity_column, schema.time_column
    view, spec = build_peer_view(df)
    cols = {
        c: {"sdtype": "categorical" if (c in spec.discrete_columns or c in conds) else "numerical"}
        for c in view.columns
    }
    cols[e] = {"sdtype": "id"}
    cols[t] = {"sdtype": "numerical"}
    meta = Metadata.load_from_dict({"tables": {"table": {"columns": cols, "sequence_key": e, "sequence_index": t}}})
    par = PARSynthesizer(meta, epochs=epochs, verbose=False)
    par.fit({"table": view})
    fit_s = time.perf_counter() - t0
    n = df[e].nunique()
    syn = par.sample_sequences(num_sequences=n)
    syn = syn["table"] if isinstance(syn, dict) else syn
    syn = peer_unview(syn, spec)
    if pd.api.types.is_numeric_dtype(df[e]):
        syn[e] = pd.factorize(syn[e])[0]
    return {"fit_s": fit_s, "synthetic": syn}


def fmt(r: dict) -> str:
    disc = "   n/a" if r.get("discriminative") is None else f"{r['discriminative']:.3f}"
    return (
        f"rows {r['rows']:.4f} (default {r['rows_default']:.4f})  steps {r['steps']:.3f}  acf err "
        f"{r['acf_error']:.3f}  ccf err {r['ccf_error']:.3f}  top-50 pair err {r['pair_error']:.3f}  disc {disc}"
    )


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", default="plant_logs,dryer,nylon,tep,biglog")
    ap.add_argument("--tvae-epochs", type=int, default=300)
    ap.add_argument("--par-epochs", default="dryer=128,nylon=128,tep=16", help="PAR epochs per data set")
    ap.add_argument("--scaling", default="10000,30000,100000", help="biglog row counts to time ('' skips)")
    ap.add_argument("--budget", help="indgan's time budget [default: its own]")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--skip-peers", action="store_true")
    ap.add_argument("--skip-floor", action="store_true")
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    import torch

    par_epochs = dict(kv.split("=") for kv in args.par_epochs.split(",") if kv)
    out = {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, torch "
        f"{torch.__version__}, threads {torch.get_num_threads()}",
        "datasets": {},
    }
    print(out["machine"], flush=True)
    for name in args.datasets.split(","):
        df, conds = load(name)
        schema = infer_schema(df, overrides=condition_overrides(df, conds) or None)
        print(
            f"== {name}: {len(df)} rows x {df.shape[1]} columns" + (f", condition {conds}" if conds else ""), flush=True
        )
        res = {}
        if not args.skip_floor:
            a, b = floor_split(df, schema)
            res["real-vs-real"] = score(a, b, schema, args.seed)
            print(f"  real-vs-real floor            {fmt(res['real-vs-real'])}", flush=True)
        r = run_indgan(df, conds, args.seed, args.device, args.budget)
        res["indgan"] = {
            "fit_s": r["fit_s"],
            "length_scale": r["length_scale"],
            "row_steps": r["row_steps"],
            "stop": r["stop"],
            **score(df, r["synthetic"], schema, args.seed),
        }
        print(
            f"  indgan   fit {r['fit_s']:6.1f} s  {fmt(res['indgan'])}  (l={r['length_scale']:g}, "
            f"{r['row_steps']} row steps, {r['stop']})",
            flush=True,
        )
        if not args.skip_peers:
            for peer in ("GaussianCopula",) if len(df) > 20_000 else ("TVAE", "GaussianCopula"):
                p = run_row_peer(peer, df, schema, args.tvae_epochs, args.seed)
                res[peer] = {"fit_s": p["fit_s"], **score(df, p["synthetic"], schema, args.seed)}
                print(f"  {peer:<8} fit {p['fit_s']:6.1f} s  {fmt(res[peer])}", flush=True)
            if schema.entity_column and name in par_epochs:
                p = run_par(df, schema, conds, int(par_epochs[name]), args.seed)
                res["PAR"] = {
                    "fit_s": p["fit_s"],
                    "epochs": int(par_epochs[name]),
                    **score(df, p["synthetic"], schema, args.seed),
                }
                print(f"  PAR      fit {p['fit_s']:6.1f} s  {fmt(res['PAR'])}  ({par_epochs[name]} epochs)", flush=True)
            if "TVAE" in res:
                a, b = res["indgan"], res["TVAE"]
                print(
                    f"  ratios indgan/TVAE: fit time {a['fit_s'] / b['fit_s']:.2f}, rows {a['rows'] / b['rows']:.3f}, "
                    f"steps {a['steps'] / b['steps']:.3f}, acf error {a['acf_error'] / b['acf_error']:.3f}",
                    flush=True,
                )
        out["datasets"][name] = res
    if args.scaling and "biglog" in args.datasets.split(","):
        df, _ = load("biglog")
        rows = []
        for n in [int(v) for v in args.scaling.split(",")]:
            part = df.iloc[:n]
            r = run_indgan(part, [], args.seed, args.device, args.budget)
            rows.append(
                {
                    "rows": n,
                    "fit_s": r["fit_s"],
                    "row_steps": r["row_steps"],
                    "steps_per_s": r["steps_per_s"],
                    "stop": r["stop"],
                }
            )
            print(
                f"  scaling: {n:>7} rows  fit {r['fit_s']:6.1f} s  {r['row_steps']} row steps "
                f"({r['steps_per_s']:.1f} steps/s, {r['stop']})",
                flush=True,
            )
        out["scaling"] = rows
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2, default=float))


if __name__ == "__main__":
    main()
