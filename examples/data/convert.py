"""Convert the real plant data shipped in PyPI wheels into the files under examples/data/.

Run once, by hand, from the repository root (the wheels are fetched from PyPI, nothing else is needed):

    pip download --no-deps bibmon==1.2.0 process-improve==2.2.0 -d /tmp/wheels
    python examples/data/convert.py /tmp/wheels

A wheel is a zip file, so the CSVs are read straight out of it. The values are kept exactly as exported:
historian status strings stay in their columns, which therefore stay string columns.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

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


if __name__ == "__main__":
    wheels = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/wheels")
    convert_plant_logs(wheels)
    convert_dryer(wheels)
