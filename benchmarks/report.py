"""The HTML report's benchmark: how long ``indgan report`` takes and how big its page is, against sdmetrics'
own visualisation (``sdmetrics.visualization.get_column_plot``, the column plots SDV's users reach for) on the
same data, in one run.

Run from the repository root (nothing to install beyond indgan)::

    OMP_NUM_THREADS=1 nice -n 10 python benchmarks/report.py [--epochs 5] [--big-rows 1000000] [--big-tags 12]

What is measured:

- **plant logs** (3,169 x 109): a LogGAN fitted for ``--epochs`` epochs (quality does not matter here) samples a log
  of the training shape; then the seconds of ``synthetic_report`` with its sdmetrics scores (what ``indgan report``
  does), of the page alone (scores passed in, what ``indgan fit --report`` adds), of ``--png``, and the page's size;
  the peer draws ``get_column_plot`` for every modelled column and writes them to one page with plotly.js embedded
  once (as indgan's page), its seconds and size are printed beside;
- **a long log** (``--big-rows`` rows x ``--big-tags`` tags, the plant log's first tags tiled with noise, 5-minute
  steps): the report without a model, its seconds and page size, and the points its trend lines kept.

Prints a table and the ratios (indgan / peer).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def peer_column_plots(real: pd.DataFrame, synthetic: pd.DataFrame, schema, path: Path) -> tuple[float, int, int]:
    """sdmetrics' column plot of every modelled column of the model view, on one page (plotly.js once)."""
    import plotly.io as pio
    from plotly.offline import get_plotlyjs
    from sdmetrics.visualization import get_column_plot

    t0 = time.perf_counter()
    rv, sv = schema.view(real), schema.view(synthetic)
    divs = []
    for c in rv.columns:
        if c == schema.time_column:
            continue
        try:
            fig = get_column_plot(rv, sv, c)
        except (ValueError, TypeError, KeyError) as exc:  # a column sdmetrics cannot plot
            print(f"  peer: {c}: {type(exc).__name__}: {str(exc)[:80]}")
            continue
        divs.append(pio.to_html(fig, full_html=False, include_plotlyjs=False))
    page = (
        "<html><head><meta charset='utf-8'><script>"
        + get_plotlyjs()
        + "</script></head><body>"
        + "\n".join(divs)
        + "</body></html>"
    )
    path.write_text(page)
    return time.perf_counter() - t0, path.stat().st_size, len(divs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--big-rows", type=int, default=1_000_000)
    ap.add_argument("--big-tags", type=int, default=12)
    ap.add_argument("--out", type=Path, default=Path("/tmp/indgan-report-bench"))
    args = ap.parse_args()
    from indgan import LogGAN, read_table
    from indgan.metrics import evaluate
    from indgan.report import synthetic_report

    args.out.mkdir(parents=True, exist_ok=True)
    real = read_table(ROOT / "examples" / "data" / "plant_logs.parquet")
    t0 = time.perf_counter()
    model = LogGAN(epochs=args.epochs, time_budget=None, random_state=0, verbose=False).fit(real)
    syn = model.sample(random_state=0)
    print(
        f"plant logs: {len(real)} x {real.shape[1]}; LogGAN {args.epochs} epochs + sample "
        f"{time.perf_counter() - t0:.1f} s"
    )

    t0 = time.perf_counter()
    full = synthetic_report(real, syn, args.out / "plant.html", model=model)
    t_full = time.perf_counter() - t0
    t0 = time.perf_counter()
    scores = evaluate(real, syn, schema=model.schema_, discriminative=False)
    t_scores = time.perf_counter() - t0
    t0 = time.perf_counter()
    page = synthetic_report(real, syn, args.out / "plant_page.html", model=model, scores=scores)
    t_page = time.perf_counter() - t0
    t0 = time.perf_counter()
    synthetic_report(real, syn, args.out / "plant_png.html", model=model, scores=scores, png=args.out / "png")
    t_png = time.perf_counter() - t0 - t_page
    t_peer, size_peer, n_peer = peer_column_plots(real, syn, model.schema_, args.out / "peer.html")
    size = full.path.stat().st_size

    n = args.big_rows
    tags = [c for c in real.columns if c.startswith("tag") and pd.api.types.is_float_dtype(real[c])][: args.big_tags]
    rng = np.random.default_rng(0)
    base = real[tags].to_numpy(np.float64)
    reps = -(-n // len(base))
    big = np.tile(base, (reps, 1))[:n] + rng.normal(0, 0.05, (n, len(tags)))
    times = pd.date_range("2018-01-01", periods=n, freq="5min")
    big_real = pd.DataFrame(big, columns=tags).assign(timestamp=times)
    big_syn = pd.DataFrame(np.roll(big, 7919, axis=0) + rng.normal(0, 0.1, big.shape), columns=tags).assign(
        timestamp=times
    )
    t0 = time.perf_counter()
    big_rep = synthetic_report(big_real, big_syn, args.out / "big.html")
    t_big = time.perf_counter() - t0
    trend = next(i.figure for s in big_rep.sections for i in s.items if i.kind == "figure" and i.name == "trends")
    kept = max(len(tr.x) for tr in trend.data if tr.x is not None)
    big_size = big_rep.path.stat().st_size

    print()
    print("| case | what | seconds | page MB | plots |")
    print("|---|---|---|---|---|")
    print(
        (
            f"| plant logs 3169x109 | indgan report (with sdmetrics scores) | {t_full:.1f} | {size / 1e6:.2f} | "
            f"{full.n_plots} |"
        )
    )
    print(f"| | of which sdmetrics scores | {t_scores:.1f} | | |")
    print(f"| | page alone (fit --report) | {t_page:.1f} | {page.path.stat().st_size / 1e6:.2f} | {page.n_plots} |")
    print(f"| | --png (matplotlib) | {t_png:.1f} | | {page.n_plots} PNGs |")
    print(f"| | sdmetrics get_column_plot, every column, one page | {t_peer:.1f} | {size_peer / 1e6:.2f} | {n_peer} |")
    print(
        (
            f"| {n:,} x {len(tags)} log | indgan report (no model) | {t_big:.1f} | {big_size / 1e6:.2f} | "
            f"{big_rep.n_plots} |"
        )
    )
    print()
    print(
        f"ratios: indgan page alone / sdmetrics column plots: {t_page / t_peer:.2f} x the time, "
        f"{page.path.stat().st_size / size_peer:.2f} x the bytes"
    )
    print(
        f"long log: at most {kept:,} points per trend line of {n:,} rows; page {big_size / 1e6:.2f} MB (target < 10 MB)"
    )
    print(f"threads: OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}")


if __name__ == "__main__":
    main()
