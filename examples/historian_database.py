"""Plant data where it lives: a narrow historian table in a database, learned, filled and sampled beside itself,
with a privacy check before the synthetic table leaves the plant.

    python examples/historian_database.py [--url postgresql+psycopg://me@host/plant] [--time-budget 60]

1. The real plant logs (examples/data/plant_logs.parquet) are stored the way a historian stores them: each tag only
   when it moves past half a percent of its range (report by exception), with its own timestamps and the "Bad"
   readings as quality flags, in a narrow table ``readings (timestamp, tag, value, quality)``. Three tags lose two
   days to an outage of their collector (their rows are deleted).
2. The outage is filled in place: the missing grid cells are inserted as rows with the quality
   "Substituted (indgan)", audited (``indgan impute --undo RUN_ID`` deletes them again).
3. The main job learns from that table straight from the database (aligned on a 5-minute grid, last value held),
   holding out a fifth of the log for the privacy check.
4. The synthetic log is written beside the real one, as a new narrow table ``synthetic_readings``.
5. The privacy verdict: are synthetic rows closer to the training rows than the held-out real rows are?

Without ``--url`` a SQLite file in a temporary folder is used; any SQLAlchemy URL works (PostgreSQL is tested).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from indgan import app, read_table
from indgan.adapters.historian import deadband_narrow
from indgan.adapters.sql import write_sql

DATA = Path(__file__).resolve().parent / "data" / "plant_logs.parquet"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="SQLAlchemy URL of the database [default: a temporary SQLite file]")
    parser.add_argument("--time-budget", default="60s", help="training time (default 60s; the CLI's default is 2m)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="indgan-historian-"))
    url = args.url or f"sqlite:///{work / 'plant.db'}"

    wide = read_table(DATA)
    narrow = deadband_narrow(wide, "timestamp", deadband=0.005, jitter=0.5, seed=0)
    start = narrow["timestamp"].min() + pd.Timedelta("3D")
    down = narrow["timestamp"].between(start, start + pd.Timedelta("2D"))
    outage = narrow["tag"].isin(["tag0", "tag1", "tag5"]) & down
    narrow = narrow[~outage]
    print(f"{len(wide)} steps x {wide.shape[1] - 1} tags stored by exception: {len(narrow)} narrow rows")
    write_sql(narrow, url, "readings", append=False)

    filled = app.impute(db=url, table="readings", time_budget=args.time_budget, seed=0, verbose=False, say=print)
    print(f"run {filled.database.run_id}: {filled.database.n_inserted} rows inserted")

    fitted = app.fit(
        url, table="readings", output=work / "plant.indgan", holdout=0.2, time_budget=args.time_budget, say=print
    )
    done = app.sample(work / "plant.indgan", db=url, table="synthetic_readings", seed=0, say=print)
    with sa.create_engine(url).connect() as conn:
        tables = sa.inspect(conn).get_table_names()
    print(f"tables now: {', '.join(tables)} ({done.rows} synthetic narrow rows)")
    print(fitted.privacy.verdict)


if __name__ == "__main__":
    main()
