"""Learn normal operation of a real plant: a synthetic log (row by row and over time), then operating points.

    python examples/plant_logs.py [--time-budget 2m]

Data: examples/data/plant_logs.parquet (bibmon real process data, 3,169 five-minute samples of 108 tags,
with the historian's "Bad" / "Scan Timeout" / "Inp OutRange" status strings kept as exported).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from indgan import LogGAN, evaluate, read_table

DATA = Path(__file__).resolve().parent / "data" / "plant_logs.parquet"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--time-budget", default="auto")
    parser.add_argument("--out", type=Path, default=Path("plant.indgan"))
    args = parser.parse_args()

    df = read_table(DATA)
    model = LogGAN(time_budget=args.time_budget, random_state=0).fit(df)
    model.save(args.out)

    synthetic = model.sample()  # a synthetic log of the training shape: 3,169 steps every 5 minutes
    report = evaluate(df, synthetic, schema=model.schema_)
    print(report)

    # How often is tag70 "Bad" in the real log and in the synthetic one, and for how long at a time?
    for name, frame in (("real", df), ("synthetic", synthetic)):
        bad = frame["tag70"] == "Bad"
        runs = (bad & ~bad.shift(fill_value=False)).sum()
        print(f"{name:>9}: tag70 'Bad' in {bad.mean():.1%} of the steps, in {runs} stretch(es)")

    # Operating points from the row model: one state of the step-like tag63, and rows where tag70 reads "Bad".
    rows = model.rows_
    state = rows.condition_candidates()["tag63"][-1]
    in_state = rows.sample(500, conditions={"tag63": state})
    print(
        f"tag63 = {state}: mean of tag0 {in_state['tag0'].mean():.3f} "
        f"(real: {df.loc[df['tag63'] == state, 'tag0'].mean():.3f})"
    )
    bad = rows.sample(200, conditions={"tag70:status": "Bad"})
    print(f"conditioned on tag70 'Bad': {(bad['tag70'] == 'Bad').mean():.0%} of 200 rows are 'Bad'")


if __name__ == "__main__":
    main()
