"""CycleGAN regime transfer on TEP held-out runs, and denoising feature matching beside its peers.

Run from the repository root (CPU, about 30 minutes at the default scale)::

    OMP_NUM_THREADS=1 python benchmarks/cyclegan.py [--faults 1,2,4,5,6,7] [--budget 120] [--skip-dfm] [--json PATH]
                                                    [--deterministic] [--skip-plant]

**Regime transfer** (``examples/data/tep.parquet``). For each fault k a :class:`~indgan.cyclegan.CycleGAN` learns
normal <-> fault k from the *training* runs only (``d00``, 500 normal steps, and ``dNN``, 480 fault steps) within
``--budget`` seconds (120 by default: the estimator's own ``time_budget="auto"`` on a CPU, what a user gets),
then translates the held-out normal test run ``d00_te`` (960 steps, 48 h) to fault k. Every
method's output is cut into windows of 24 steps (stride 8) and scored against the held-out real fault-k windows
(test run ``dNN_te`` after the onset at step 160):

- *recognised as k*: a fault classifier trained on real training windows (the sequence benchmark's: gradient-boosted
  trees on each tag's mean, spread, first and last value of non-overlapping 24-step windows of every training run,
  faults 0-21) calls a translated window fault k; compared with its rate on the real held-out fault-k windows
  (target: >= 0.8x);
- *discriminative score* against the real held-out fault-k windows (TimeGAN's post-hoc GRU, |accuracy - 0.5|, 0 best;
  ``--disc-repeats`` (10) x 200 iterations here, features min-max scaled by the real range and clipped to it), with
  its floor: the real fault-k *training* run's windows against the same held-out windows;
- *content kept*: on the tags fault k does not move (|mean shift| < 0.25 standard deviations and spread ratio within
  0.67-1.5 between ``d00`` and ``dNN``), the RMSE of the translated log to its source (in the tags' normal standard
  deviations) against the RMSE between the source and a real fault-k window (random pairs), and the mean
  correlation over time with the source;
- *cycle RMSE*: ``d00_te`` -> k -> 0 against ``d00_te`` (all tags, standard deviations).

Peers in the same script on the same data: the **trivial translation** (add the mean difference between the two
domains' training runs to every tag) and the untranslated source. ``--deterministic`` fits the paper's
deterministic CycleGAN instead of the default (no variability, no spectral term), to run beside the default.
Translations are drawn with ``random_state=seed`` (there) and ``seed + 1`` (back).

A **non-fault pair** on the plant logs (``examples/data/plant_logs.parquet``: the first and the last of its three
operating states, ``tag63`` = 1.0501 and -1.1632): trained on the first 75% of each state, the last 25% of state A
translated to B and scored by the discriminative score against the last 25% of state B, beside the trivial
translation.

**Denoising feature matching** (Warde-Farley and Bengio 2017) beside non-saturating and feature matching, in one run:
the tabular family (CTGAN) on the plant logs (20 tags with their status strings; ``--dfm-epochs`` epochs), scored by
``indgan.evaluate``'s sdmetrics quality; and the conditional DCGAN on scikit-learn's digits (Fashion-MNIST is not
installed here: no package on this machine ships it), 28 x 28, scored by conditional accuracy and classifier
Frechet distance (:func:`indgan.metrics.images.evaluate_images`) on held-out digits.
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

from indgan.cyclegan import CycleGAN
from indgan.metrics.sequences import discriminative_score

W = 24  # scoring window (the sequence benchmark's)
STRIDE = 8  # stride of the scored windows
TAGS = [f"xmeas_{i}" for i in range(1, 42)] + [f"xmv_{i}" for i in range(1, 12)]


def windows(v: np.ndarray, stride: int = STRIDE) -> np.ndarray:
    """``(n_steps, n_tags)`` -> ``(n_windows, W, n_tags)``."""
    starts = np.arange(0, len(v) - W + 1, stride)
    return v[starts[:, None] + np.arange(W)]


def feats(x: np.ndarray) -> np.ndarray:
    return np.concatenate([x.mean(1), x.std(1), x[:, 0], x[:, -1]], 1)


def fault_classifier(df: pd.DataFrame, seed: int):
    """The sequence benchmark's classifier, on non-overlapping windows of every training run."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    xs, ys = [], []
    for _, g in df[~df.run.str.endswith("_te")].groupby("run", sort=False):
        w = windows(g[TAGS].to_numpy(np.float64), stride=W)
        xs.append(w)
        ys.append(np.full(len(w), int(g.fault.iloc[0])))
    return HistGradientBoostingClassifier(random_state=seed).fit(feats(np.concatenate(xs)), np.concatenate(ys))


#: Repeats of the post-hoc classifier (``--disc-repeats``).
DISC_REPEATS = [10]


def disc(real: np.ndarray, syn: np.ndarray, seed: int) -> float:
    lo, hi = real.min((0, 1)), real.max((0, 1))
    span = np.where(hi > lo, hi - lo, 1.0)
    s = lambda a: np.clip((a - lo) / span, 0, 1).astype(np.float32)
    return discriminative_score(s(real), s(syn), n_repeats=DISC_REPEATS[0], iterations=200, random_state=seed).mean


def gaps(real_w: np.ndarray, out_w: np.ndarray, sd: np.ndarray, top: int = 3) -> str:
    """Where a translation's windows differ most from the real fault windows in what the fault classifier sees
    (each tag's window mean and spread): the ``top`` largest gaps, as "tag: window spread 0.31x real" (median over
    windows) or "tag: window mean +1.8 sd" (normal-run standard deviations)."""
    spread = np.median(out_w.std(1), 0) / np.maximum(np.median(real_w.std(1), 0), 1e-12)
    shift = (np.median(out_w.mean(1), 0) - np.median(real_w.mean(1), 0)) / sd
    # one scale for both: a spread ratio r counts as |log2 r| normal-run sds, a mean gap as its size
    size = np.maximum(np.abs(np.log2(np.maximum(spread, 1e-6))), np.abs(shift))
    out = []
    for j in np.argsort(-size)[:top]:
        if abs(np.log2(max(spread[j], 1e-6))) >= abs(shift[j]):
            out.append(f"{TAGS[j]}: window spread {spread[j]:.2f}x real")
        else:
            out.append(f"{TAGS[j]}: window mean {shift[j]:+.1f} sd")
    return "; ".join(out)


def tep_fault(df: pd.DataFrame, clf, k: int, budget: float, seed: int, options: dict | None = None) -> dict:
    train = df[df.run.isin(["d00", f"d{k:02d}"])].reset_index(drop=True)
    week = df[df.run == "d00_te"].reset_index(drop=True)
    real_k = df[(df.run == f"d{k:02d}_te") & (df.fault == k)][TAGS].to_numpy(np.float64)
    a = train[train.fault == 0][TAGS].to_numpy(np.float64)
    b = train[train.fault == k][TAGS].to_numpy(np.float64)
    sd = a.std(0) + 1e-9
    shift = (b.mean(0) - a.mean(0)) / sd
    ratio = (b.std(0) + 1e-9) / sd
    quiet = (np.abs(shift) < 0.25) & (ratio > 0.67) & (ratio < 1.5)
    t0 = time.perf_counter()
    model = CycleGAN(
        domains=("fault", 0, k), time_budget=budget, random_state=seed, verbose=False, **(options or {})
    ).fit(train)
    fit_s = time.perf_counter() - t0
    src = week[TAGS].to_numpy(np.float64)
    there = model.translate(week, to=k, random_state=seed)
    outs = {
        "cyclegan": there[TAGS].to_numpy(np.float64),
        "mean shift": src + (b.mean(0) - a.mean(0)),
        "source": src,
    }
    back = model.translate(there, to=0, random_state=seed + 1)[TAGS].to_numpy(np.float64)
    rw = windows(real_k)
    rng = np.random.default_rng(seed)
    row = {
        "fault": k,
        "fit_s": round(fit_s, 1),
        "iterations": model.summary_.steps,
        "real_rate": float((clf.predict(feats(rw)) == k).mean()),
        "n_quiet": int(quiet.sum()),
        "cycle_rmse": float(np.sqrt((((back - src) / sd) ** 2).mean())),
    }
    # random pairs: each source window against a real fault-k window drawn at random
    sw = windows(src)
    pair = rw[rng.integers(len(rw), size=len(sw))]
    row["random_pair_rmse"] = (
        float(np.sqrt((((pair - sw) / sd)[..., quiet] ** 2).mean())) if quiet.any() else float("nan")
    )
    # the floor: the real fault-k training run against the real held-out fault-k windows (what a real log of the
    # fault from another run scores; a translation of another run's content cannot be expected to score below it)
    row["real training run: disc"] = disc(rw, windows(b), seed)
    for name, out in outs.items():
        ow = windows(out)
        row[f"{name}: rate"] = float((clf.predict(feats(ow)) == k).mean())
        row[f"{name}: disc"] = disc(rw, ow, seed) if name != "source" else float("nan")
        if quiet.any():
            row[f"{name}: quiet rmse"] = float(np.sqrt((((out - src) / sd)[:, quiet] ** 2).mean()))
            cors = [np.corrcoef(out[:, j], src[:, j])[0, 1] for j in np.flatnonzero(quiet) if src[:, j].std() > 0]
            row[f"{name}: quiet corr"] = float(np.nanmean(cors))
    row["cyclegan: gaps"] = gaps(rw, windows(outs["cyclegan"]), sd)
    return row


def plant_pair(budget: float, seed: int) -> dict:
    p = pd.read_parquet(DATA / "plant_logs.parquet")
    a_all, b_all = p[p.tag63 == p.tag63.max()], p[p.tag63 == p.tag63.min()]
    cut = lambda d: (d.iloc[: int(0.75 * len(d))], d.iloc[int(0.75 * len(d)) :])
    (a_tr, a_te), (b_tr, b_te) = cut(a_all), cut(b_all)
    t0 = time.perf_counter()
    model = CycleGAN(
        domains=("tag63", float(p.tag63.max()), float(p.tag63.min())),
        time_budget=budget,
        random_state=seed,
        verbose=False,
    ).fit(pd.concat([a_tr, b_tr]))
    fit_s = time.perf_counter() - t0
    tags = model.encoder_.continuous
    num = lambda d: d[tags].apply(pd.to_numeric, errors="coerce").to_numpy(np.float64)
    src, real_b = num(a_te), num(b_te)
    out = num(model.translate(a_te, to=float(p.tag63.min())))
    trivial = src + (np.nanmean(num(b_tr), 0) - np.nanmean(num(a_tr), 0))
    fill = lambda x: np.where(np.isfinite(x), x, np.nanmean(real_b, 0))
    rw = windows(fill(real_b), stride=4)
    floor = windows(fill(num(b_tr)), stride=4)  # real B of the training part against the held-out real B
    return {
        "fit_s": round(fit_s, 1),
        "iterations": model.summary_.steps,
        "n_tags": len(tags),
        "real B (first 75%): disc": disc(rw, floor, seed),
        "cyclegan: disc": disc(rw, windows(fill(out), stride=4), seed),
        "mean shift: disc": disc(rw, windows(fill(trivial), stride=4), seed),
        "source: disc": disc(rw, windows(fill(src), stride=4), seed),
    }


def dfm_tabular(epochs: int, seed: int) -> list[dict]:
    from indgan import TabularGAN, evaluate

    p = pd.read_parquet(DATA / "plant_logs.parquet")
    cols = ["timestamp", "tag2", "tag34", "tag70"] + [
        f"tag{i}" for i in (0, 1, 3, 5, 6, 7, 8, 10, 20, 30, 40, 60, 63, 80, 95, 100, 105)
    ]
    df = p[cols]
    rows = []
    for loss in ("non-saturating", "feature-matching", "denoising-feature-matching"):
        t0 = time.perf_counter()
        m = TabularGAN(loss=loss, epochs=epochs, time_budget=None, random_state=seed, verbose=False).fit(df)
        fit_s = time.perf_counter() - t0
        rep = evaluate(df, m.sample(len(df), random_state=seed), temporal=False, discriminative=False)
        rows.append(
            {
                "data": "plant logs (TabularGAN)",
                "loss": loss,
                "fit_s": round(fit_s, 1),
                "quality": round(rep.quality_score, 4),
            }
        )
    return rows


def dfm_digits(epochs: int, seed: int) -> list[dict]:
    from indgan.image import ConditionalDCGAN
    from indgan.adapters.images import ImageData, digits
    from indgan.metrics.images import evaluate_images, train_classifier

    d = digits(28)
    rng = np.random.default_rng(seed)
    idx = rng.permutation(len(d.images))
    cut = int(0.8 * len(idx))
    train = ImageData(d.images[idx[:cut]], d.labels[idx[:cut]], d.classes, "digits")
    test = ImageData(d.images[idx[cut:]], d.labels[idx[cut:]], d.classes, "digits")
    clf = train_classifier(train, epochs=10, device="cpu", random_state=seed, verbose=False)
    rows = []
    for loss in ("non-saturating", "feature-matching", "denoising-feature-matching"):
        t0 = time.perf_counter()
        m = ConditionalDCGAN(
            features=16, epochs=epochs, time_budget=None, loss=loss, random_state=seed, verbose=False
        ).fit(train)
        fit_s = time.perf_counter() - t0
        r = evaluate_images(m, train, test, n=1000, classifier=clf, random_state=seed)
        rows.append(
            {
                "data": "digits 28x28 (ConditionalDCGAN)",
                "loss": loss,
                "fit_s": round(fit_s, 1),
                "conditional_accuracy": round(r.conditional_accuracy, 3),
                "frechet": round(r.frechet, 2),
                "frechet_floor": round(r.frechet_floor, 2),
            }
        )
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--faults", default="1,2,4,5,6,7")
    ap.add_argument(
        "--budget",
        type=float,
        default=120.0,
        help="Seconds of CycleGAN training per pair (the estimator's default on a CPU; 35 before 2026-12-07).",
    )
    ap.add_argument("--dfm-epochs", type=int, default=20, help="TabularGAN epochs per loss.")
    ap.add_argument("--digit-epochs", type=int, default=30, help="ConditionalDCGAN epochs per loss.")
    ap.add_argument("--skip-dfm", action="store_true")
    ap.add_argument("--skip-plant", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--deterministic",
        action="store_true",
        help="CycleGAN as in the paper: no variability, no spectral term (stochastic=False, spectral_weight=0)",
    )
    ap.add_argument(
        "--disc-repeats",
        type=int,
        default=10,
        help="Repeats of the discriminative score's classifier (2 before 2026-12-07: steps of 0.0125, noise of "
        "several hundredths between runs of the same model).",
    )
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    DISC_REPEATS[0] = args.disc_repeats
    t_all = time.perf_counter()
    print(f"# {platform.platform()}, torch threads {os.environ.get('OMP_NUM_THREADS', 'default')}")
    df = pd.read_parquet(DATA / "tep.parquet")
    clf = fault_classifier(df, args.seed)
    rows = []
    for k in [int(v) for v in args.faults.split(",") if v]:
        options = {"stochastic": False, "spectral_weight": 0.0} if args.deterministic else {}
        row = tep_fault(df, clf, k, args.budget, args.seed, options)
        rows.append(row)
        print(json.dumps(row), flush=True)
    table = pd.DataFrame(rows).set_index("fault")
    pd.set_option("display.width", 250)
    pd.set_option("display.max_columns", 40)
    print("\n## TEP: held-out normal run d00_te translated to fault k (scored against real d0k_te windows)")
    show = [
        "real_rate",
        "cyclegan: rate",
        "mean shift: rate",
        "source: rate",
        "cyclegan: disc",
        "mean shift: disc",
        "real training run: disc",
        "cyclegan: quiet rmse",
        "mean shift: quiet rmse",
        "random_pair_rmse",
        "cyclegan: quiet corr",
        "cycle_rmse",
        "n_quiet",
        "iterations",
        "fit_s",
    ]
    print(table[[c for c in show if c in table]].round(3).to_string())
    summary = {
        "rate_ratio_cyclegan": float(table["cyclegan: rate"].mean() / max(table.real_rate.mean(), 1e-9)),
        "rate_ratio_mean_shift": float(table["mean shift: rate"].mean() / max(table.real_rate.mean(), 1e-9)),
        "faults_at_0.8x": int((table["cyclegan: rate"] >= 0.8 * table.real_rate).sum()),
        "faults_cyclegan_rate_above_shift": int((table["cyclegan: rate"] > table["mean shift: rate"]).sum()),
        "faults_cyclegan_disc_below_shift": int((table["cyclegan: disc"] < table["mean shift: disc"]).sum()),
        # issue 27's target: on the faults a per-tag shift cannot express, 0.05 below the shift on average
        "disc_minus_shift_faults_8_15": float(
            (table["cyclegan: disc"] - table["mean shift: disc"]).loc[table.index.isin(range(8, 16))].mean()
        ),
        "disc_minus_shift_step_faults": float(
            (table["cyclegan: disc"] - table["mean shift: disc"]).loc[table.index.isin([1, 2, 4, 5, 6, 7])].mean()
        ),
        "n_faults": len(table),
    }
    print("summary:", json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in summary.items()}))
    missed = table[table["cyclegan: rate"] < 0.8 * table.real_rate]
    if len(missed):
        print("not reached (recognised below 0.8x the real rate), with where the translation differs most from the")
        print("real fault windows in what the classifier sees (window mean and spread per tag):")
        for k, r in missed.iterrows():
            print(f"  fault {k}: rate {r['cyclegan: rate']:.3f} against {r.real_rate:.3f} real; {r['cyclegan: gaps']}")
    out = {"tep": rows, "summary": summary}
    if not args.skip_plant:
        out["plant_pair"] = plant_pair(args.budget, args.seed)
        print("\n## plant logs: state tag63=1.0501 -> -1.1632 (held-out 25%)\n" + json.dumps(out["plant_pair"]))
    if not args.skip_dfm:
        out["dfm"] = dfm_tabular(args.dfm_epochs, args.seed) + dfm_digits(args.digit_epochs, args.seed)
        print("\n## denoising feature matching beside its peers")
        print(pd.DataFrame(out["dfm"]).to_string(index=False))
    out["seconds"] = round(time.perf_counter() - t_all, 1)
    print(f"\ntotal {out['seconds']:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
