#!/usr/bin/env bash
# CI step (called at the end of .ci/run; runs on its own too): the lower bounds pyproject.toml declares hold.
# A fresh venv (.venv-lowest) gets torch==2.13.0 first (the one CPU wheel; see README), then indgan with every
# other dependency pinned to its declared lower bound (.ci/lowest-constraints.txt, wheels only: a version that
# would have to be built from source on this Python does not count as installable), then .ci/smoke.py --lowest
# checks the pins match pyproject.toml and goes once through fit / sample / scenario / impute (file and SQLite)
# / evaluate / report / image GANs on small slices of examples/data. About 2-3 minutes; fails when a bound breaks.
# The lowest versions go with the lowest Python (requires-python >= 3.11): python3.11 when there is one; on a
# newer Python some pinned versions have no wheels (numpy 1.24 has none for 3.12), so the pins would not install.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv-lowest
rm -rf "$VENV"
PYTHON=$(command -v python3.11 || command -v python3)
"$PYTHON" -m venv "$VENV"
# --no-compile: no bytecode for the thousands of modules never imported here (halves the install time)
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet --no-compile torch==2.13.0
"$VENV/bin/python" -m pip install --quiet --no-compile --only-binary :all: -c .ci/lowest-constraints.txt -e .
OMP_NUM_THREADS=1 "$VENV/bin/python" .ci/smoke.py --lowest
