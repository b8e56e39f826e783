"""The main job on a narrow historian table against the same log in wide form (issue: "scores within 0.01").

    OMP_NUM_THREADS=1 python benchmarks/narrow.py [--epochs 30] [--deadband 0.005]

The plant logs (examples/data/plant_logs.parquet) are stored by exception (each tag only when it moves past
``deadband`` x its range, its own jittered timestamps, PI-like CompMax of 8 h; :func:`deadband_narrow`), written
as parquet, and learned by ``indgan.app.fit`` exactly as ``indgan fit`` learns them; the wide log is learned the same
way. Both are scored against the **wide** real log (the narrow model's sample is aligned back by its model): rows
(sdmetrics quality, every pair), step-change score and autocorrelation error. A fixed number of epochs (not the time
budget) makes the two fits comparable on a loaded machine; the same seed for both.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indgan import app, evaluate, read_table  # noqa: E402
from indgan.adapters.historian import deadband_narrow, to_wide  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--deadband", type=float, default=0.005)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="indgan-narrow-"))
    wide = read_table(ROOT / "examples/data/plant_logs.parquet")
    narrow = deadband_narrow(wide, "timestamp", deadband=args.deadband, jitter=0.5, seed=args.seed)
    narrow.to_parquet(work / "narrow.parquet", index=False)
    wide.to_parquet(work / "wide.parquet", index=False)
    print(
        f"plant logs: {len(wide)} steps x {wide.shape[1] - 1} tags; narrow: {len(narrow)} rows "
        f"({len(narrow) / (len(wide) * (wide.shape[1] - 1)):.1%} of the cells stored)"
    )
    rows = {}
    for name in ("wide", "narrow"):
        t0 = time.perf_counter()
        done = app.fit(
            work / f"{name}.parquet",
            output=work / f"{name}.indgan",
            epochs=args.epochs,
            time_budget=None,
            seed=args.seed,
            eval_rows=0,
            verbose=False,
        )
        synthetic = done.model.sample(random_state=args.seed)  # the aligned (wide) training shape
        report = evaluate(wide, synthetic)
        if name == "narrow":  # what the model learned from: the narrow table aligned (held values, not the log)
            aligned = evaluate(to_wide(narrow)[0], synthetic)
            held = evaluate(wide, to_wide(narrow)[0])
            print(
                f"  (the aligned narrow table itself against the wide log: rows {held.quality_score:.4f}, steps "
                f"{held.temporal.step_change:.4f}, acf error {held.temporal.autocorrelation_error:.4f}; the narrow "
                f"model against the aligned table: rows {aligned.quality_score:.4f}, steps "
                f"{aligned.temporal.step_change:.4f}, acf error {aligned.temporal.autocorrelation_error:.4f})"
            )
        rows[name] = (
            report.quality_score,
            report.temporal.step_change,
            report.temporal.autocorrelation_error,
            time.perf_counter() - t0,
        )
        print(
            f"{name:>7}: rows {rows[name][0]:.4f}  steps {rows[name][1]:.4f}  acf error {rows[name][2]:.4f}  "
            f"({rows[name][3]:.0f} s)"
        )
    d = [abs(a - b) for a, b in zip(rows["wide"][:3], rows["narrow"][:3], strict=True)]
    print(
        f"|narrow - wide|: rows {d[0]:.4f}  steps {d[1]:.4f}  acf error {d[2]:.4f}  "
        f"(target: within 0.01) -> {'met' if max(d) <= 0.01 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
