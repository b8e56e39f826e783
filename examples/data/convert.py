"""Convert the real plant data shipped in PyPI wheels into the files under examples/data/.

Run once, by hand, from the repository root (the wheels are fetched from PyPI, nothing else is needed):

    pip download --no-deps bibmon==1.2.0 process-improve==2.2.0 -d /tmp/wheels
    python examples/data/convert.py /tmp/wheels                # all files
    python examples/data/convert.py /tmp/wheels tep            # only some: plant_logs, dryer, nylon, tep

A wheel is a zip file, so the CSVs are read straight out of it. The values are kept exactly as exported:
historian status strings stay in their columns, which therefore stay string columns.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent


def _read_csv_from_wheel(wheel: Path, member: str, **kwargs) -> pd.DataFrame:
    with zipfile.ZipFile(wheel) as zf, zf.open(member) as fh:
        return pd.read_csv(fh, **kwargs)


def convert_plant_logs(wheel_dir: Path) -> None:
    wheel = wheel_dir / "bibmon-1.2.0-py3-none-any.whl"
    # dtype=str keeps every cell as exported; numbers are restored below column by column.
    raw = _read_csv_from_wheel(wheel, "bibmon/real_process_data/real_process_data.csv", dtype=str)
    raw = raw.rename(columns={raw.columns[0]: "timestamp"})
    columns = {"timestamp": pd.to_datetime(raw["timestamp"], format="%Y-%m-%d %H:%M:%S")}
    for col in raw.columns[1:]:
        numbers = pd.to_numeric(raw[col], errors="coerce")
        # A column that holds any status string stays a string column, as the historian exported it.
        columns[col] = numbers if numbers.notna().all() else raw[col]
    out = pd.DataFrame(columns)
    out.to_parquet(HERE / "plant_logs.parquet", index=False)


def convert_dryer(wheel_dir: Path) -> None:
    wheel = wheel_dir / "process_improve-2.2.0-py3-none-any.whl"
    df = _read_csv_from_wheel(wheel, "process_improve/datasets/batch/dryer.csv")
    df.to_parquet(HERE / "dryer.parquet", index=False)


def convert_nylon(wheel_dir: Path) -> None:
    """The nylon batches: the CSV has no time column; each batch's sample index becomes ``ClockTime``, as the dryer
    has. Values are whole numbers in the CSV and stay int64."""
    wheel = wheel_dir / "process_improve-2.2.0-py3-none-any.whl"
    df = _read_csv_from_wheel(wheel, "process_improve/datasets/batch/nylon.csv")
    df.insert(1, "ClockTime", df.groupby("batch_id", sort=False).cumcount())
    df.to_parquet(HERE / "nylon.parquet", index=False)


TEP_FAULTS = range(22)  # d00 (normal operation) .. d21
TEP_VARIABLES = [f"xmeas_{i}" for i in range(1, 42)] + [f"xmv_{i}" for i in range(1, 12)]
TEP_ROWS = {"train": 480, "d00": 500, "test": 960}
TEP_FAULT_START = 160  # test runs: the fault is introduced after sample 160 (8 h of 3-minute samples)
TEP_START = pd.Timestamp("2000-01-01 00:00:00")
TEP_STEP = pd.Timedelta(minutes=3)


def convert_tep(wheel_dir: Path) -> None:
    """Tennessee Eastman process, the 22 training + 22 test runs of Braatz et al., in one long table."""
    wheel = wheel_dir / "bibmon-1.2.0-py3-none-any.whl"
    frames = []
    for fault in TEP_FAULTS:
        for test in (False, True):
            run = f"d{fault:02d}" + ("_te" if test else "")
            values = _read_csv_from_wheel(wheel, f"bibmon/tennessee_eastman/{run}.dat",
                                          sep=r"\s+", header=None, dtype=np.float64).to_numpy()
            if run == "d00":
                values = values.T  # d00.dat alone is stored variables x samples
            expected = (TEP_ROWS["test"] if test else TEP_ROWS["d00"] if fault == 0 else TEP_ROWS["train"],
                        len(TEP_VARIABLES))
            if values.shape != expected:
                raise ValueError(f"{run}.dat: expected {expected[0]} samples x {expected[1]} variables "
                                 f"(after transposing d00), got shape {values.shape}")
            n = len(values)
            labels = np.full(n, fault, dtype=np.int64)
            if test:
                labels[:TEP_FAULT_START] = 0
            head = pd.DataFrame({
                "run": np.full(n, run, dtype=object),
                "fault": labels,
                "time": pd.date_range(TEP_START, periods=n, freq=TEP_STEP).as_unit("ns"),
            })
            frames.append(pd.concat([head, pd.DataFrame(values.astype(np.float32), columns=TEP_VARIABLES)],
                                    axis=1))
    out = pd.concat(frames, ignore_index=True)
    # The files print 5 significant digits; float32 (about 7) prints every value back unchanged.
    out.to_parquet(HERE / "tep.parquet", index=False, compression="zstd")


CONVERTERS = {"plant_logs": convert_plant_logs, "dryer": convert_dryer, "nylon": convert_nylon, "tep": convert_tep}


if __name__ == "__main__":
    wheels = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/wheels")
    names = sys.argv[2:] or list(CONVERTERS)
    unknown = sorted(set(names) - set(CONVERTERS))
    if unknown:
        sys.exit(f"unknown file(s) {unknown}; choose from {list(CONVERTERS)}")
    for name in names:
        CONVERTERS[name](wheels)
