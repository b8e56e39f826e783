"""The ``indgan`` command line: one short module per command, each of which only parses its options, calls one job
of the application layer (:mod:`indgan.app`) and prints what the job says. The Python API and the command line do
the same thing by the same code.

    indgan fit plant_logs.parquet -o plant.indgan           # log model (time column found)
    indgan fit plant_logs.parquet --model tabular            # rows, CTGAN
    indgan sample plant.indgan -n 5000 -o synthetic.parquet [--condition mode=B]
    indgan scenario tep.indgan --condition fault=0:160,5:320 -n 20 -o fault5.parquet
    indgan evaluate plant_logs.parquet synthetic.parquet [--sequences] --json report.json
    indgan report plant_logs.parquet synthetic.parquet --model-file plant.indgan -o report.html [--png DIR]
    indgan info plant.indgan
    indgan impute plant_logs.parquet -o filled.parquet       # or --db URL --table T --key K
    indgan fit fashion-mnist --model image --conditional -o fashion.indgan
    indgan fit tep.parquet --model super-resolution --factor 8 -o tep_sr.indgan
    indgan upsample tep_sr.indgan coarse.parquet -o fine.parquet [--draws 20]
    indgan fit tep.parquet --model cyclegan --domains fault=0,4 -o tep_0to4.indgan
    indgan translate tep_0to4.indgan normal_week.parquet --to 4 -o week_under_fault4.parquet

Every error a user can cause is printed as one line (``Error: ...``) with exit status 1 (2 for bad usage),
never as a traceback.
"""

from __future__ import annotations

import os
import sys

from .evaluate import evaluate_cmd
from .fit import fit
from .group import cli
from .images import images
from .impute import impute
from .info import info
from .report import report_cmd
from .sample import sample
from .scenario import scenario
from .translate import translate
from .upsample import upsample

__all__ = [
    "cli",
    "main",
    "fit",
    "impute",
    "sample",
    "scenario",
    "upsample",
    "translate",
    "evaluate_cmd",
    "report_cmd",
    "info",
    "images",
]


def _terminate(signum, frame) -> None:
    """SIGTERM (a scheduler's stop, ``kill``) ends the command as Ctrl-C does: half-written outputs are removed
    and every earlier file stays as it was (:mod:`indgan.atomic`); the exit status is 143."""
    raise SystemExit(128 + signum)


def main() -> None:
    """Console-script entry point."""
    import signal

    signal.signal(signal.SIGTERM, _terminate)
    try:
        cli(prog_name="indgan")
    except BrokenPipeError:  # the reader of stdout went away (indgan sample M | head): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(141)


if __name__ == "__main__":
    main()
