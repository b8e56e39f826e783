"""Historian adapter benchmark: align a narrow table of 10^7 rows (time, tag, value, quality) on its grid.

Run from the repository root::

    OMP_NUM_THREADS=1 python benchmarks/historian.py [--rows 10000000] [--tag-copies 10] [--json PATH]

Protocol: the real plant logs (``examples/data/plant_logs.parquet``, 3,169 steps of 5 minutes x 108 tags) are stored
by exception with :func:`indgan.adapters.historian.deadband_narrow` (0.5% deadband, 8-hour CompMax, every row up to
0.9 step early, seeded: about 108,000 rows with their own irregular times and the log's status strings as
qualities). That table is copied ``--tag-copies`` times under new tag names (``tag0~1`` ...) and tiled in time
(each tile one log span later) until it has ``--rows`` rows, sorted by time (a time-ordered export), tag and quality
columns as Python strings (what a CSV or SQL read gives). Timed, each once, on that table:

- :func:`detect_layout` (the columns found from the data);
- :func:`to_wide` with the layout given and everything else inferred (interval, staleness), the figure asked for;
- :func:`to_narrow` of the result (back to one row per change);

then ``to_wide`` again under ``tracemalloc`` for the peak of the memory it allocates (numpy and pandas report their
buffers to it), and the process's peak resident memory (``ru_maxrss``, input table included). The aligned frame
is checked against the plant log on the first tile (every cell within the deadband, status cells equal).

Results (2026-12-06, this shared 2-core CPU VM, ``OMP_NUM_THREADS=1``, Python 3.11.7, numpy 2.4.6, pandas 2.3.3;
the command above, three runs while other jobs shared the machine, load average 1.2-1.4):

| step | figure |
|---|---|
| narrow table | 10,000,000 rows, 1,080 tags (108 plant tags x 10), 102 days |
| detect_layout | 0.4-0.55 s |
| to_wide (interval and staleness inferred) | 4.8-6.5 s: 1.5-2.1 million rows/s -> 29,362 steps x 1,080 tags |
| cells | 10,000,000 stored, 21,710,960 held, 0 stale (default limit 16h10min), 46,190 status |
| check | worst first-tile cell 0.00500 x range (deadband 0.005); status cells equal |
| to_narrow | 5.1-8.8 s -> 9,914,210 rows (the CompMax re-stores of unchanged values drop out) |
| to_wide peak allocations (tracemalloc) | 1,341 MiB (the wide frame itself: 242 MiB of float64) |
| process peak RSS | 3,184 MiB (input table, wide frame, the traced second run) |
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "examples" / "data"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from indgan.adapters.historian import deadband_narrow, detect_layout, to_narrow, to_wide  # noqa: E402

DEADBAND = 0.005


def build(rows: int, tag_copies: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(narrow table of ``rows`` rows, the plant log it came from)."""
    plant = pd.read_parquet(DATA / "plant_logs.parquet")
    base = deadband_narrow(plant, "timestamp", deadband=DEADBAND, jitter=0.9, seed=0)
    span = plant["timestamp"].iloc[-1] - plant["timestamp"].iloc[0] + pd.Timedelta("5min")
    per_tile = len(base) * tag_copies
    tiles = -(-rows // per_tile)
    codes, names = pd.factorize(base["tag"])
    qcodes, qnames = pd.factorize(base["quality"])
    n_names = len(names)
    all_names = np.array([f"{n}~{m}" if m else n for m in range(tag_copies) for n in names], dtype=object)
    t0 = base["timestamp"].to_numpy().view(np.int64)
    t = np.concatenate([t0 + k * span.value for k in range(tiles) for _ in range(tag_copies)])
    tag = np.concatenate([codes + m * n_names for _ in range(tiles) for m in range(tag_copies)])
    value = np.tile(base["value"].to_numpy(), tiles * tag_copies)
    quality = np.tile(qcodes, tiles * tag_copies)
    order = np.argsort(t, kind="stable")[:rows]
    narrow = pd.DataFrame(
        {
            "timestamp": t[order].view("datetime64[ns]"),
            "tag": all_names[tag[order]],
            "value": value[order],
            "quality": np.asarray(qnames, dtype=object)[quality[order]],
        }
    )
    return narrow, plant


def check(wide: pd.DataFrame, plant: pd.DataFrame) -> float:
    """Largest |aligned - log| / range over the first tile's numeric cells (must be <= the deadband); asserts the
    status cells."""
    worst = 0.0
    n = min(len(wide) - 1, len(plant))  # the last step of a table cut short may miss rows past the cut
    first = wide.iloc[:n]
    assert (first["timestamp"].to_numpy() == plant["timestamp"].iloc[:n].to_numpy()).all()
    for tag in plant.columns[1:]:
        full = pd.to_numeric(plant[tag], errors="coerce")
        span = float(full.max() - full.min())  # the deadband's range: the whole log's
        log, got = full.iloc[:n], pd.to_numeric(first[tag], errors="coerce")
        ok = log.notna()
        if span > 0:
            worst = max(worst, float((got[ok] - log[ok]).abs().max()) / span)
        if (~ok).any():
            assert first[tag][~ok].tolist() == plant[tag].iloc[:n][~ok].str.strip().tolist(), tag
    return worst


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--tag-copies", type=int, default=10)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    t = time.perf_counter()
    narrow, plant = build(args.rows, args.tag_copies)
    build_s = time.perf_counter() - t
    print(f"narrow table: {len(narrow):,} rows, {narrow['tag'].nunique():,} tags (built in {build_s:.1f} s)")

    t = time.perf_counter()
    layout = detect_layout(narrow)
    detect_s = time.perf_counter() - t
    print(f"detect_layout: {detect_s:.2f} s -> {layout}")

    t = time.perf_counter()
    wide, info = to_wide(narrow, layout)
    wide_s = time.perf_counter() - t
    print(f"to_wide: {wide_s:.2f} s, {len(narrow) / wide_s:,.0f} rows/s -> {wide.shape[0]:,} x {wide.shape[1]:,}")
    print(f"  {info.describe()}")
    worst = check(wide, plant)
    print(f"  first tile vs the plant log: worst |aligned - log| = {worst:.5f} x range (deadband {DEADBAND})")
    assert worst <= DEADBAND + 1e-12

    t = time.perf_counter()
    back = to_narrow(wide, layout, info)
    narrow_s = time.perf_counter() - t
    print(f"to_narrow: {narrow_s:.2f} s -> {len(back):,} rows (one per change)")
    del back

    del wide
    tracemalloc.start()
    to_wide(narrow, layout)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    input_mb = narrow.memory_usage(deep=False).sum() / 2**20
    print(
        f"to_wide peak allocations (tracemalloc): {peak / 2**20:,.0f} MiB; input table {input_mb:,.0f} MiB "
        f"(object columns: pointers only); process peak RSS {maxrss_mb:,.0f} MiB"
    )

    result = {
        "rows": len(narrow),
        "tags": info.n_tags,
        "steps": info.n_steps,
        "detect_s": round(detect_s, 3),
        "to_wide_s": round(wide_s, 3),
        "rows_per_s": round(len(narrow) / wide_s),
        "to_narrow_s": round(narrow_s, 3),
        "to_wide_peak_mib": round(peak / 2**20, 1),
        "max_rss_mib": round(maxrss_mb, 1),
        "worst_over_range": worst,
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
    }
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
