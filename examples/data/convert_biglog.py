"""Build a large real multivariate log: the La Haute Borne wind farm SCADA data (ENGIE), as shipped by OpenOA.

Run once, by hand, on any machine with pandas + pyarrow and access to PyPI (nothing else is reached):

    python examples/data/convert_biglog.py                      # writes ~/.cache/indgan/biglog.parquet
    python examples/data/convert_biglog.py /some/where/log.parquet
    python examples/data/convert_biglog.py OUT --wheel /tmp/dl/openoa-3.2-py3-none-any.whl   # reuse a wheel

The output is written outside the repository (about 7 MB); nothing is downloaded at run time by indgan.

Source
    PyPI package ``openoa==3.2`` (NREL's Open Operational Assessment, BSD-3-Clause), wheel
    ``openoa-3.2-py3-none-any.whl`` (54 MB), member ``examples/data/la_haute_borne.zip``, and inside that zip
    ``la-haute-borne-data-2014-2015.csv`` (420,480 rows = 4 turbines x 105,120 ten-minute records).
Licence of the data
    Published by ENGIE (opendata-renewables.engie.com, "La Haute Borne" data set, version of 9 October 2019)
    under the Etalab Open Licence 2.0 (Licence Ouverte v2.0, CC-BY-compatible): reuse is free, attribute
    "ENGIE - La Haute Borne open data" and say that the data were modified (reshaped, as below).
What it is
    Real SCADA averages of the four Senvion MM82 turbines (2,050 kW, 80 m hub) of the La Haute Borne wind farm
    (Meuse, France), 2014-01-01 .. 2015-12-31, one row every 10 minutes.

Output: 105,120 rows x 29 columns

- ``timestamp`` (datetime64, naive UTC), a complete 10-minute grid from 2014-01-01 00:00 to 2015-12-31 23:50;
- 28 float32 columns ``<turbine>_<signal>`` for turbines R80711, R80721, R80736, R80790 and signals
  ``Ba_avg`` pitch angle (deg), ``P_avg`` active power (kW), ``Ws_avg`` wind speed (m/s), ``Va_avg`` vane
  position = wind direction relative to the nacelle (deg), ``Ot_avg`` outdoor temperature (deg C), ``Ya_avg``
  nacelle angle (deg), ``Wa_avg`` absolute wind direction (deg).

Values are kept as exported (no outlier filtering, no stuck-sensor removal, unlike OpenOA's own importer), so
the historian's faults stay in: ``R80721_Ot_avg`` holds -273.2 (an absolute-zero fault value) 34 times, pitch
runs to 262.6 (R80711, 3 records) and -121.3 (R80736, 18 records), and stuck repeated values occur. None of the
28 columns is constant.
The CSV prints float32 values with float64 digits (``7.119999900000001``), so float32 loses nothing: every
value round-trips to within float32 resolution (relative error < 6e-8). About 0.6 % of the cells are empty in
the source (mostly whole records of one turbine).

Time stamps. The CSV labels its local wall-clock times with +01:00 in winter and +02:00 in summer, but the
logger clock does not follow daylight saving: every day has exactly 144 records, the spring-forward days
(2014-03-30, 2015-03-29) carry 03:00 .. 03:50 twice with different values and no 02:xx, the fall-back days
have each wall-clock hour once, and the diurnal temperature cycle lags the hourly ERA5 reanalysis shipped in
the same zip by one hour more in every April-October month than in winter when the labels are taken at face
value (after the fix below, 22 of the 24 months show the same lag). So the wall-clock digits are read as fixed
CET (UTC+1) and one hour is subtracted all year. On each spring-forward day the two copies of every 03:x0 record
(one is really 02:x0 CET) cannot be told apart, so both are dropped: the 12 ten-minute slots 01:00 .. 02:50 UTC
of those two days, 24 grid rows in all, hold no values.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

PACKAGE, VERSION = "openoa", "3.2"
WHEEL = f"{PACKAGE}-{VERSION}-py3-none-any.whl"
ZIP_MEMBER = "examples/data/la_haute_borne.zip"
CSV_MEMBER = "la-haute-borne-data-2014-2015.csv"
TURBINES = ["R80711", "R80721", "R80736", "R80790"]
SIGNALS = ["Ba_avg", "P_avg", "Ws_avg", "Va_avg", "Ot_avg", "Ya_avg", "Wa_avg"]
STEP = pd.Timedelta(minutes=10)
CET_TO_UTC = pd.Timedelta(hours=1)
DEFAULT_OUT = Path.home() / ".cache" / "indgan" / "biglog.parquet"


def download_wheel(dest: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
         f"{PACKAGE}=={VERSION}", "-d", str(dest), "-q"],
        check=True,
    )
    return dest / WHEEL


def read_scada(wheel: Path) -> pd.DataFrame:
    with zipfile.ZipFile(wheel) as whl:
        inner = zipfile.ZipFile(io.BytesIO(whl.read(ZIP_MEMBER)))
    with inner.open(CSV_MEMBER) as fh:
        return pd.read_csv(fh, dtype={"Wind_turbine_name": str, "Date_time": str})


def convert(raw: pd.DataFrame) -> pd.DataFrame:
    offsets = raw["Date_time"].str.slice(19)
    assert set(offsets) <= {"+01:00", "+02:00"}, set(offsets)
    wall = pd.to_datetime(raw["Date_time"].str.slice(0, 19), format="%Y-%m-%dT%H:%M:%S")
    df = raw.assign(timestamp=wall - CET_TO_UTC)
    # The spring-forward repeats (2 days x 6 slots per turbine) cannot be placed: drop both copies.
    dup = df.duplicated(["Wind_turbine_name", "timestamp"], keep=False)
    assert dup.sum() == 2 * 2 * 6 * len(TURBINES), dup.sum()
    df = df[~dup]
    wide = df.pivot(index="timestamp", columns="Wind_turbine_name", values=SIGNALS)
    wide.columns = [f"{turbine}_{signal}" for signal, turbine in wide.columns]
    grid = pd.date_range(wide.index.min(), wide.index.max(), freq=STEP, name="timestamp")
    columns = [f"{t}_{s}" for t in TURBINES for s in SIGNALS]
    wide = wide.reindex(index=grid, columns=columns)
    for col in columns:
        x = wide[col].to_numpy()
        y = x.astype(np.float32)
        ok = np.isnan(x) | (np.abs(y.astype(np.float64) - x) <= 6e-8 * np.abs(x))
        assert ok.all(), col
        wide[col] = y
    return wide.reset_index().sort_values("timestamp", ignore_index=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--wheel", type=Path, help=f"an already downloaded {WHEEL}")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or download_wheel(Path(tmp))
        out = convert(read_scada(wheel))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    out.to_parquet(args.out, index=False)
    print(f"{args.out}: {out.shape[0]} rows x {out.shape[1]} columns, "
          f"{out['timestamp'].min()} .. {out['timestamp'].max()}")


if __name__ == "__main__":
    main()
