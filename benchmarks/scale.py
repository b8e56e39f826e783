"""Scale: fit time and peak memory against rows, sampling in parts, and torchrun with 2 CPU processes against 1.

Run from the repository root, alone on the machine (each command is timed by ``/usr/bin/time -v``)::

    OMP_NUM_THREADS=1 python benchmarks/scale.py [--rows 10000,100000,1000000,10000000] [--work /tmp/indgan-scale]
                                                 [--max-memory 1GB] [--epochs 1] [--skip-torchrun] [--json PATH]

1. A wide log is made by sampling a tabular model fitted on ``examples/data/plant_logs.parquet`` (109 columns:
   83 tags, status strings, states), written with ``indgan sample -n N -o DIR`` (parts of 100,000 rows), for each
   N in ``--rows``; the sampling's wall time and peak resident memory are recorded (bounded: one part at a time).
2. ``indgan fit DIR --model tabular --epochs E --max-memory M`` on each: wall time, peak resident memory, rows
   learned from (all of them, or the bounded sample once the data exceed ``--max-memory``) and seconds per epoch.
3. ``torchrun --nproc_per_node 2`` against one process on the 100,000-row log, same seed, same total batch
   (each rank takes half), 3 epochs: fit seconds, steps per second and the row quality of 5,000 sampled rows
   (``indgan.evaluate``). On 2 cores two processes of one thread each compete for the same cores as one process of
   two threads: expect no speed-up here; the point is that the run works and gives the same quality.
4. Memory at defaults, the main job's model (``--log-rows``, default 10^6 and 10^7; ``--skip-log`` skips it): the
   default log model fitted on the plant logs (``--log-budget``), ``indgan sample MODEL -n N -o DIR`` (one log,
   generated part by part), then ``indgan fit DIR`` at defaults (the auto budget unless ``--fit-budget``) on that
   log: peak resident memory of each, against the 2 GB target, and the ratio between the largest and smallest n
   (flat in n: about 1).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def timed(cmd: list[str], env: dict | None = None) -> dict:
    """Run ``cmd`` under /usr/bin/time -v; wall seconds, peak RSS (MB), return code and the output's tail."""
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True, env={**os.environ, **(env or {})})
    wall = time.perf_counter() - t0
    rss = re.findall(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
    if p.returncode != 0:
        print(p.stdout[-2000:], p.stderr[-3000:], file=sys.stderr)
    return {
        "seconds": wall,
        "peak_mb": (max(map(int, rss)) / 1024) if rss else None,
        "rc": p.returncode,
        "out": (p.stdout + p.stderr)[-4000:],
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", default="10000,100000,1000000,10000000")
    ap.add_argument("--work", default="/tmp/indgan-scale")
    ap.add_argument("--max-memory", default="1GB")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--skip-torchrun", action="store_true")
    ap.add_argument("--skip-log", action="store_true")
    ap.add_argument("--log-rows", default="1000000,10000000")
    ap.add_argument("--log-budget", default="2m")
    ap.add_argument("--fit-budget", default=None, help="time budget of the fits at defaults [default: the auto one]")
    ap.add_argument("--skip-rows", action="store_true", help="skip sections 1-2 (tabular sampling and fits)")
    ap.add_argument("--json")
    args = ap.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    indgan = [str(BIN / "python"), "-m", "indgan"]
    results: dict = {"sample": [], "fit": [], "torchrun": [], "log_memory": []}
    if not args.skip_log:
        log_memory(args, work, indgan, results)

    source = work / "source.indgan"
    if not source.exists():
        r = timed(
            indgan
            + [
                "fit",
                str(ROOT / "examples/data/plant_logs.parquet"),
                "--model",
                "tabular",
                "--epochs",
                "30",
                "--eval-rows",
                "0",
                "--quiet",
                "--out",
                str(source),
            ]
        )
        assert r["rc"] == 0, r["out"]
    if args.skip_rows:
        args.rows = ""
    print(
        f"{'rows':>10} {'sample s':>9} {'sample MB':>9} {'fit s':>8} {'fit MB':>8} {'learned':>9} {'s/epoch':>8} "
        f"{'us/row/epoch':>12}"
    )
    for n in [int(x) for x in args.rows.split(",") if x]:
        folder = work / f"log_{n}"
        if not folder.exists():
            s = timed(indgan + ["sample", str(source), "-n", str(n), "-o", str(folder), "--seed", "1"])
            assert s["rc"] == 0, s["out"]
        else:
            s = {"seconds": float("nan"), "peak_mb": float("nan")}
        out = work / f"fit_{n}.indgan"
        f = timed(
            indgan
            + [
                "fit",
                str(folder),
                "--model",
                "tabular",
                "--epochs",
                str(args.epochs),
                "--max-memory",
                args.max_memory,
                "--eval-rows",
                "0",
                "--quiet",
                "--out",
                str(out),
            ]
        )
        assert f["rc"] == 0, f["out"]
        sys.path.insert(0, str(ROOT))
        from indgan import load_model

        m = load_model(out)
        learned = m.fit_info_.n_rows
        per_epoch = m.summary_.seconds / max(1, m.summary_.epochs)
        row = {
            "rows": n,
            "sample_seconds": s["seconds"],
            "sample_peak_mb": s["peak_mb"],
            "fit_seconds": f["seconds"],
            "fit_peak_mb": f["peak_mb"],
            "rows_learned": learned,
            "seconds_per_epoch": per_epoch,
        }
        results["fit"].append(row)
        print(
            f"{n:>10} {s['seconds']:>9.1f} {s['peak_mb']:>9.0f} {f['seconds']:>8.1f} {f['peak_mb']:>8.0f} "
            f"{learned:>9} {per_epoch:>8.2f} {1e6 * per_epoch / learned:>12.2f}",
            flush=True,
        )

    if not args.skip_torchrun:
        n = 100_000
        folder = work / f"log_{n}"
        if not folder.exists():
            assert timed(indgan + ["sample", str(source), "-n", str(n), "-o", str(folder), "--seed", "1"])["rc"] == 0
        real = folder
        for procs in (1, 2):
            out = work / f"dist_{procs}.indgan"
            base = [
                "fit",
                str(folder),
                "--model",
                "tabular",
                "--epochs",
                "3",
                "--eval-rows",
                "0",
                "--quiet",
                "--time-budget",
                "20m",
                "--out",
                str(out),
            ]
            cmd = (
                indgan + base if procs == 1 else [str(BIN / "torchrun"), "--nproc_per_node", "2", "-m", "indgan"] + base
            )
            r = timed(cmd, env={"OMP_NUM_THREADS": "2" if procs == 1 else "1"})
            assert r["rc"] == 0, r["out"]
            from indgan import evaluate, load_model, read_table

            m = load_model(out)
            q = evaluate(
                read_table(real).sample(5000, random_state=0),
                m.sample(5000, random_state=0),
                discriminative=False,
                temporal=False,
            ).quality_score
            row = {
                "processes": procs,
                "seconds": r["seconds"],
                "train_seconds": m.summary_.seconds,
                "steps": m.summary_.steps,
                "steps_per_second": m.summary_.steps / m.summary_.seconds,
                "quality": q,
            }
            results["torchrun"].append(row)
            print(
                f"torchrun {procs} process(es): {r['seconds']:.1f} s ({m.summary_.seconds:.1f} s training, "
                f"{row['steps_per_second']:.1f} steps/s per rank), quality {q:.4f}",
                flush=True,
            )
        a, b = results["torchrun"]
        print(
            f"ratio 2 processes / 1: seconds {b['seconds'] / a['seconds']:.2f}, "
            f"quality {b['quality'] - a['quality']:+.4f}"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=float))


def log_memory(args, work: Path, indgan: list[str], results: dict) -> None:
    """Section 4: peak memory of the default log model's sample -n N and of fit at defaults over N rows."""
    TARGET_MB = 2048
    model = work / "plant_log.indgan"
    if not model.exists():
        r = timed(
            indgan
            + [
                "fit",
                str(ROOT / "examples/data/plant_logs.parquet"),
                "--time-budget",
                args.log_budget,
                "--eval-rows",
                "0",
                "--quiet",
                "--out",
                str(model),
            ]
        )
        assert r["rc"] == 0, r["out"]
    print(
        f"{'log rows':>10} {'sample s':>9} {'sample MB':>9} {'fit s':>8} {'fit MB':>8} {'learned':>9}  (target: under "
        f"{TARGET_MB} MB each)"
    )
    rows = []
    for n in [int(x) for x in args.log_rows.split(",") if x]:
        folder = work / f"plantlog_{n}"
        s = timed(indgan + ["sample", str(model), "-n", str(n), "-o", str(folder), "--seed", "1"])
        assert s["rc"] == 0, s["out"]
        out = work / f"plantlog_fit_{n}.indgan"
        budget = ["--time-budget", args.fit_budget] if args.fit_budget else []
        f = timed(indgan + ["fit", str(folder), "--eval-rows", "0", "--quiet", "--out", str(out), *budget])
        assert f["rc"] == 0, f["out"]
        learned = re.findall(r"([0-9,]+) rows x", f["out"])
        row = {
            "rows": n,
            "sample_seconds": s["seconds"],
            "sample_peak_mb": s["peak_mb"],
            "fit_seconds": f["seconds"],
            "fit_peak_mb": f["peak_mb"],
            "rows_learned": learned[0] if learned else None,
        }
        rows.append(row)
        print(
            f"{n:>10} {s['seconds']:>9.1f} {s['peak_mb']:>9.0f} {f['seconds']:>8.1f} {f['peak_mb']:>8.0f} "
            f"{row['rows_learned']:>9}",
            flush=True,
        )
    if len(rows) > 1:
        a, b = rows[0], rows[-1]
        print(
            f"ratio peak MB, {b['rows']:,} / {a['rows']:,} rows: "
            f"sample {b['sample_peak_mb'] / a['sample_peak_mb']:.2f}, "
            f"fit {b['fit_peak_mb'] / a['fit_peak_mb']:.2f}; every peak under {TARGET_MB} MB: "
            f"{all(r['sample_peak_mb'] < TARGET_MB and r['fit_peak_mb'] < TARGET_MB for r in rows)}"
        )
    results["log_memory"] = rows


if __name__ == "__main__":
    main()
