"""Fill the gaps of real plant logs with GAIN, score the fill on cells hidden on purpose, then do the same
inside a SQLite table (audited, undoable).

    python examples/impute_plant_logs.py [--iterations 1000]

Data: examples/data/plant_logs.parquet (bibmon real process data, 3,169 five-minute samples of 108 tags; the
historian's "Bad" / "Scan Timeout" / "Inp OutRange" strings count as missing cells).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from indgan import GANImputer, read_table
from indgan.adapters.sql import impute_table, undo_run

DATA = Path(__file__).resolve().parent / "data" / "plant_logs.parquet"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--iterations", type=int, default=None)
    args = parser.parse_args()

    df = read_table(DATA)
    tags = [c for c in df.columns if c != "timestamp"]
    numbers = df[tags].apply(pd.to_numeric, errors="coerce")
    print(f"{DATA.name}: {len(df)} rows, {int(numbers.isna().sum().sum())} missing cells (NaN or status strings)")

    # hide 5% of the observed cells, fill, and score the fill on them (masked RMSE, in units of each tag's range)
    rng = np.random.default_rng(0)
    hide = numbers.notna().to_numpy() & (rng.random(numbers.shape) < 0.05)
    holed = df.copy()
    for j, c in enumerate(tags):
        holed.loc[hide[:, j], c] = np.nan
    imp = GANImputer(iterations=args.iterations, random_state=0, verbose=True)
    filled = imp.fit_transform(holed)
    span = (numbers.max() - numbers.min()).replace(0, 1).to_numpy()
    truth = numbers.to_numpy()
    ours = filled[tags].apply(pd.to_numeric, errors="coerce").to_numpy()
    line = holed[tags].apply(pd.to_numeric, errors="coerce").interpolate(limit_direction="both").to_numpy()
    for name, x in (("GANImputer (time-aware)", ours), ("linear interpolation", line)):
        err = ((x - truth) / span)[hide]
        print(f"  {name:24s} masked RMSE {np.sqrt(np.nanmean(err**2)):.4f}")

    # the same in a database: only NULL cells are written, each one audited; undo puts the NULLs back
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/plant.db"
        table = numbers.assign(id=np.arange(len(df)))
        table.to_sql("readings", url, index=False)
        report = impute_table(
            url, table="readings", key="id", imputer=GANImputer(iterations=args.iterations, random_state=0)
        )
        print(report)
        print(undo_run(url, report.run_id))


if __name__ == "__main__":
    main()
