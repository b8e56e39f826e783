"""Sequence benchmark: indgan's SequenceGAN (TimeGAN) against sdv's PARSynthesizer, on the same windows.

Run from the repository root (PAR needs ``pip install sdv``; it is installed only for this benchmark)::

    python benchmarks/sequences.py [--datasets sines,tep,dryer] [--iterations sines=2000,tep=500,dryer=400]
                                   [--pretrain-iterations sines=1000] [--ema-decay 0.995] [--par-epochs 128]
                                   [--validation-share 0.1]
                                   [--skip-par] [--skip-indgan] [--json PATH]

Data (all as windows of 24 steps; each window is one sequence for both models):

- ``sines``: TimeGAN's Sines, 10,000 sequences x 24 steps x 5 features (generated, :func:`indgan.datasets.sines`);
- ``tep``: ``examples/data/tep.parquet``, non-overlapping windows of 24 steps of every run (1,316 windows x 52
  tags; the per-step ``fault`` is a condition for indgan and a column for PAR);
- ``dryer``: ``examples/data/dryer.parquet``, non-overlapping windows of 24 steps of every batch (11 tags).

Both models train on the same windows; each generates as many windows as there are real ones; both are scored
by the same code with TimeGAN's protocol (:mod:`indgan.metrics.sequences`: discriminative score and predictive
score, 10 repeats each; features min-max scaled by the real range, except Sines, scored in [0, 1] as generated
as in TimeGAN's code, where the real range is [0.5, 1]). On TEP the conditioning check trains a
classifier on real windows of training runs to tell the fault id, and prints how often it recognises the fault
in real held-out windows (test runs) and in windows indgan generated for that fault.

Targets: Sines discriminative <= 0.05 and predictive <= 0.10 within 15 minutes of training; TEP and dryer
discriminative score below PAR's in less fit time; conditional recognition >= 0.8 x the real rate.
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
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from indgan import LogGAN, SequenceGAN  # noqa: E402
from indgan.datasets import sines  # noqa: E402
from indgan.metrics.sequences import discriminative_score, predictive_score  # noqa: E402

SEQ_LEN = 24
TEP_TAGS = [f"xmeas_{i}" for i in range(1, 42)] + [f"xmv_{i}" for i in range(1, 12)]
DRYER_TAGS = [
    "CollectorTankLevel",
    "DifferentialPressure",
    "DryerPressure",
    "AgitatorPower",
    "AgitatorTorque",
    "AgitatorSpeed",
    "JacketTemperatureSP",
    "JacketTemperature",
    "DryerTemperatureSP",
    "DryerTemp",
]


# ---------------------------------------------------------------------------------------------- data
def window_frame(df: pd.DataFrame, entity: str, tags: list[str], extra: list[str]) -> pd.DataFrame:
    """Non-overlapping windows of SEQ_LEN steps of every entity, as a long frame with ``window`` (id) and
    ``step`` (0..SEQ_LEN-1) columns."""
    parts = []
    wid = 0
    for _, g in df.groupby(entity, sort=False):
        n = len(g) // SEQ_LEN
        if n == 0:
            continue
        g = g.iloc[: n * SEQ_LEN]
        parts.append(
            pd.DataFrame(
                {
                    "window": np.repeat(np.arange(wid, wid + n), SEQ_LEN),
                    "step": np.tile(np.arange(SEQ_LEN), n),
                    **{c: g[c].to_numpy() for c in extra + tags},
                }
            )
        )
        wid += n
    return pd.concat(parts, ignore_index=True)


def load(name: str) -> tuple[pd.DataFrame, list[str], list[str]]:
    """(long frame of windows, tags, condition columns)."""
    if name == "sines":
        x = sines(10_000, SEQ_LEN, 5, random_state=0)
        n = len(x)
        frame = pd.DataFrame({"window": np.repeat(np.arange(n), SEQ_LEN), "step": np.tile(np.arange(SEQ_LEN), n)})
        tags = [f"s{i + 1}" for i in range(5)]
        for j, t in enumerate(tags):
            frame[t] = x[:, :, j].ravel()
        return frame, tags, []
    if name == "tep":
        df = pd.read_parquet(DATA / "tep.parquet")
        return window_frame(df, "run", TEP_TAGS, ["fault"]), TEP_TAGS, ["fault"]
    if name == "dryer":
        df = pd.read_parquet(DATA / "dryer.parquet")
        return window_frame(df, "batch_id", DRYER_TAGS, []), DRYER_TAGS, []
    raise SystemExit(f"unknown dataset {name!r}")


def to_array(frame: pd.DataFrame, tags: list[str], lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Long frame -> windows (n, SEQ_LEN, n_tags) in [0, 1] by the real range."""
    frame = frame.sort_values(["window", "step"], kind="stable")
    x = frame[tags].to_numpy(dtype=np.float64).reshape(-1, SEQ_LEN, len(tags))
    return np.clip((x - lo) / np.where(hi > lo, hi - lo, 1.0), 0, 1).astype(np.float32)


# ---------------------------------------------------------------------------------------------- models
def fit_indgan(
    frame,
    conds,
    iterations,
    seed,
    condition_weight=1.0,
    pretrain_iterations=None,
    ema_decay=None,
    family="sequence",
    validation_share=0.1,
):
    """indgan on the windows: TimeGAN (``family="sequence"``, the measured iterations, no time budget) or the main
    job's default log model (``"log"``, at its defaults: its time budget)."""
    columns = {"entity": ["window"], "time": ["step"]}
    if family == "log":
        model = LogGAN(random_state=seed, verbose=False, columns=columns)
    else:
        model = SequenceGAN(
            seq_len=SEQ_LEN,
            iterations=iterations,
            time_budget="auto" if iterations is None else None,
            random_state=seed,
            verbose=False,
            condition_weight=condition_weight,
            pretrain_iterations=pretrain_iterations,
            ema_decay=ema_decay,
            validation_share=validation_share,
            columns=columns,
        )
    t0 = time.perf_counter()
    model.fit(frame, condition=conds or None)
    fit_s = time.perf_counter() - t0
    n = frame["window"].nunique()
    t0 = time.perf_counter()
    syn = model.sample(sequences=n, steps=SEQ_LEN, random_state=seed + 1)
    return model, syn.rename(columns={}), fit_s, time.perf_counter() - t0


def fit_par(frame, tags, conds, epochs, seed):
    from sdv.metadata import Metadata
    from sdv.sequential import PARSynthesizer

    import torch

    torch.manual_seed(seed)
    np.random.seed(seed)
    columns = {"window": {"sdtype": "id"}, "step": {"sdtype": "numerical"}}
    columns.update({t: {"sdtype": "numerical"} for t in tags})
    columns.update({c: {"sdtype": "categorical"} for c in conds})
    meta = Metadata.load_from_dict(
        {"tables": {"windows": {"columns": columns, "sequence_key": "window", "sequence_index": "step"}}}
    )
    par = PARSynthesizer(meta, epochs=epochs, verbose=False)
    t0 = time.perf_counter()
    par.fit({"windows": frame})
    fit_s = time.perf_counter() - t0
    n = frame["window"].nunique()
    t0 = time.perf_counter()
    syn = par.sample_sequences(num_sequences=n, sequence_length=SEQ_LEN)
    sample_s = time.perf_counter() - t0
    if isinstance(syn, dict):
        syn = syn["windows"]
    # PAR numbers its sequences itself; make them 0..n-1 and the steps 0..SEQ_LEN-1
    syn["window"] = pd.factorize(syn["window"])[0]
    syn["step"] = syn.groupby("window").cumcount()
    syn = syn[syn.groupby("window")["step"].transform("size") == SEQ_LEN]
    return syn, fit_s, sample_s


def scores(real: np.ndarray, syn: np.ndarray, seed: int) -> dict:
    d = discriminative_score(real, syn, random_state=seed)
    p = predictive_score(real, syn, random_state=seed)
    return {"discriminative": d.to_dict(), "predictive": p.to_dict(), "disc_str": str(d), "pred_str": str(p)}


# ---------------------------------------------------------------------------------------------- conditioning
def condition_check(model, tep_windows: pd.DataFrame, seed: int) -> dict:
    """Train a fault classifier on real windows of the training runs; compare its recognition of each fault in
    held-out real windows (test runs, after the onset) and in windows indgan generated for that fault."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    df = pd.read_parquet(DATA / "tep.parquet")

    def feats(x):  # (n, T, tags) -> per-tag mean, std, first, last
        return np.concatenate([x.mean(1), x.std(1), x[:, 0], x[:, -1]], 1)

    def windows_of(d):
        out, labels = [], []
        for _, g in d.groupby("run", sort=False):
            f = g["fault"].to_numpy()
            v = g[TEP_TAGS].to_numpy(np.float64)
            for a in range(0, len(g) - SEQ_LEN + 1, SEQ_LEN):
                if (f[a : a + SEQ_LEN] == f[a]).all():
                    out.append(v[a : a + SEQ_LEN])
                    labels.append(f[a])
        return np.stack(out), np.asarray(labels)

    train = df[~df.run.str.endswith("_te")]
    test = df[df.run.str.endswith("_te")]
    xtr, ytr = windows_of(train)
    xte, yte = windows_of(test)
    clf = HistGradientBoostingClassifier(random_state=seed).fit(feats(xtr), ytr)
    faults = sorted(set(ytr))
    rows = []
    for k in faults:
        real_k = xte[yte == k]
        gen = model.sample(sequences=100, steps=SEQ_LEN, conditions={"fault": int(k)}, random_state=seed + int(k))
        xg = gen[TEP_TAGS].to_numpy(np.float64).reshape(-1, SEQ_LEN, len(TEP_TAGS))
        rows.append(
            {
                "fault": int(k),
                "real": float((clf.predict(feats(real_k)) == k).mean()),
                "generated": float((clf.predict(feats(xg)) == k).mean()),
            }
        )
    table = pd.DataFrame(rows)
    return {
        "per_fault": rows,
        "real_mean": float(table.real.mean()),
        "generated_mean": float(table.generated.mean()),
        "ratio": float(table.generated.mean() / max(table.real.mean(), 1e-9)),
    }


# ---------------------------------------------------------------------------------------------- main
def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", default="sines,tep,dryer")
    ap.add_argument(
        "--iterations",
        default="sines=2000,tep=500,dryer=400",
        help="indgan joint iterations per dataset (pre-training phases get as many each); 'auto': "
        "SequenceGAN's defaults (the auto time budget, grown with the windows)",
    )
    ap.add_argument(
        "--pretrain-iterations",
        default="",
        help="embedding and supervised phase iterations per dataset, e.g. sines=1000 [default: as --iterations]",
    )
    ap.add_argument("--ema-decay", type=float, help="SequenceGAN's ema_decay [default: none]")
    ap.add_argument(
        "--validation-share",
        type=float,
        default=0.1,
        help="SequenceGAN's validation_share (held-out windows that choose the kept networks; 0: the last ones)",
    )
    ap.add_argument("--par-epochs", type=int, default=128)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--condition-weight", type=float, default=1.0, help="SequenceGAN's condition_weight (AC-GAN term)")
    ap.add_argument(
        "--model",
        choices=("sequence", "log"),
        default="sequence",
        help="indgan's family: sequence (TimeGAN, the measured iterations) or log (the main job's default)",
    )
    ap.add_argument("--skip-par", action="store_true")
    ap.add_argument("--skip-indgan", action="store_true")
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    iters = dict(kv.split("=") for kv in args.iterations.split(","))
    pre_iters = dict(kv.split("=") for kv in args.pretrain_iterations.split(",") if kv)
    results = {"machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores", "datasets": {}}
    for name in args.datasets.split(","):
        frame, tags, conds = load(name)
        lo = frame[tags].min().to_numpy(np.float64)
        hi = frame[tags].max().to_numpy(np.float64)
        if name == "sines":  # scored as generated, in [0, 1], as in TimeGAN's protocol (their code rescales only
            lo, hi = np.zeros(len(tags)), np.ones(len(tags))  # real data sets); the real range is [0.5, 1]
        real = to_array(frame, tags, lo, hi)
        res = {"windows": int(len(real)), "tags": len(tags)}
        print(f"== {name}: {len(real)} windows x {SEQ_LEN} steps x {len(tags)} tags", flush=True)
        if not args.skip_indgan:
            it = iters.get(name, "1500")
            it = None if it == "auto" else int(it)  # auto: SequenceGAN's defaults, the auto time budget
            pre = int(pre_iters[name]) if name in pre_iters else None
            model, syn, fit_s, sample_s = fit_indgan(
                frame,
                conds,
                it,
                args.seed,
                args.condition_weight,
                pre,
                args.ema_decay,
                family=args.model,
                validation_share=args.validation_share,
            )
            res["indgan"] = {
                "model": args.model,
                "iterations": it or model.summary_.steps,
                "pretrain_iterations": pre or it,
                "validation_share": args.validation_share,
                "kept_iteration": getattr(model.fit_info_, "best_iteration", None),
                "fit_s": fit_s,
                "sample_s": sample_s,
                **scores(real, to_array(syn, tags, lo, hi), args.seed),
            }
            r = res["indgan"]
            kept = f", kept iteration {r['kept_iteration']}" if r["kept_iteration"] else ""
            print(
                f"  indgan  fit {fit_s:7.1f} s ({r['iterations']} iterations{kept})  disc {r['disc_str']}  "
                f"pred {r['pred_str']}",
                flush=True,
            )
            if name == "tep":
                res["conditioning"] = c = condition_check(model, frame, args.seed)
                print(
                    f"  conditioning: fault recognised in real held-out windows {c['real_mean']:.3f}, in generated "
                    f"windows {c['generated_mean']:.3f} (ratio {c['ratio']:.2f}, target >= 0.8)",
                    flush=True,
                )
                for row in c["per_fault"]:
                    print(f"    fault {row['fault']:2d}: real {row['real']:.2f}  generated {row['generated']:.2f}")
        if not args.skip_par:
            syn, fit_s, sample_s = fit_par(frame, tags, conds, args.par_epochs, args.seed)
            res["par"] = {
                "epochs": args.par_epochs,
                "fit_s": fit_s,
                "sample_s": sample_s,
                **scores(real, to_array(syn, tags, lo, hi), args.seed),
            }
            r = res["par"]
            print(f"  PAR     fit {fit_s:7.1f} s  disc {r['disc_str']}  pred {r['pred_str']}", flush=True)
        if "indgan" in res and "par" in res:
            a, b = res["indgan"], res["par"]
            print(
                f"  ratios indgan/PAR: fit time {a['fit_s'] / b['fit_s']:.2f}, discriminative "
                f"{a['discriminative']['mean'] / max(b['discriminative']['mean'], 1e-9):.2f}",
                flush=True,
            )
        results["datasets"][name] = res
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=float))


if __name__ == "__main__":
    main()
