"""Learn normal operation of a real plant and generate synthetic operating points.

    python examples/plant_logs.py [--epochs 300]

Data: examples/data/plant_logs.parquet (bibmon real process data, 3,169 five-minute samples of 108 tags,
with the historian's "Bad" / "Scan Timeout" / "Inp OutRange" status strings kept as exported).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from indgan import TabularGAN, evaluate, read_table

DATA = Path(__file__).resolve().parent / "data" / "plant_logs.parquet"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--out", type=Path, default=Path("plant.indgan"))
    args = parser.parse_args()

    df = read_table(DATA)
    model = TabularGAN(epochs=args.epochs, random_state=0).fit(df)
    model.save(args.out)

    synthetic = model.sample(len(df))
    report = evaluate(df, synthetic, schema=model.schema_)
    print(report)

    # How often is tag70 "Bad" in the real logs and in the synthetic ones?
    for name, frame in (("real", df), ("synthetic", synthetic)):
        print(f"{name:>9}: tag70 'Bad' in {(frame['tag70'] == 'Bad').mean():.1%} of the rows")

    # Operating points in one state of the step-like tag63, and rows where tag70 reads "Bad".
    state = model.condition_candidates()["tag63"][-1]
    in_state = model.sample(500, conditions={"tag63": state})
    print(f"tag63 = {state}: mean of tag0 {in_state['tag0'].mean():.3f} "
          f"(real: {df.loc[df['tag63'] == state, 'tag0'].mean():.3f})")
    bad = model.sample(200, conditions={"tag70:status": "Bad"})
    print(f"conditioned on tag70 'Bad': {(bad['tag70'] == 'Bad').mean():.0%} of 200 rows are 'Bad'")


if __name__ == "__main__":
    main()
