"""Interrupted commands never leave a damaged output: ``indgan fit``, ``sample`` and ``impute`` (file and folder) are
stopped with SIGINT or SIGTERM at random moments; every output that existed before is byte for byte as it was, or
the new one is complete, and the exit status says the command did not finish."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from indgan import load_model


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def _start(args, cwd):
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONUNBUFFERED="1")
    return subprocess.Popen([sys.executable, "-m", "indgan", *map(str, args)], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _interrupt(args, cwd, delay, sig):
    proc = _start(args, cwd)
    time.sleep(delay)
    proc.send_signal(sig)
    try:
        out, _ = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    return proc.returncode, out.decode(errors="replace")


@pytest.fixture(scope="module")
def log_file(tmp_path_factory, plant):
    path = tmp_path_factory.mktemp("irq") / "log.parquet"
    plant[["timestamp", "tag0", "tag1", "tag5", "tag48", "tag70"]].iloc[:1200].to_parquet(path, index=False)
    return path


def _check(target, before, code, out, complete):
    if code == 0:  # it finished before the signal: the new output must be whole
        assert complete(target), out
        return
    assert code != 0
    if before is not None:
        assert _digest(target) == before or complete(target), out  # the old output, byte for byte
    else:
        assert not target.exists() or complete(target), out
    leftovers = [p.name for p in target.parent.iterdir() if p.name.startswith(".partial-")]
    assert not leftovers, leftovers  # SIGTERM ends the command as Ctrl-C does: partial files are removed


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_commands_keep_every_earlier_output(tmp_path, log_file, sig):
    rng = random.Random(int(sig))
    model = tmp_path / "m.indgan"
    r = subprocess.run([sys.executable, "-m", "indgan", "fit", log_file, "-o", model, "--epochs", "2",
                        "--batch-size", "100", "--quiet", "--eval-rows", "0", "-c", "quick"],
                       cwd=tmp_path, capture_output=True, env=dict(os.environ, OMP_NUM_THREADS="1"))
    assert r.returncode == 0, r.stdout.decode() + r.stderr.decode()

    def loads(p):
        try:
            load_model(p)
            return True
        except Exception:  # noqa: BLE001 (any failure to load is a damaged file)
            return False

    def reads(p):
        try:
            return len(pd.read_parquet(p)) > 0
        except Exception:  # noqa: BLE001
            return False

    # fit over an existing model file
    before = _digest(model)
    code, out = _interrupt(["fit", log_file, "-o", model, "--time-budget", "30", "--quiet", "-c", "quick"], tmp_path,
                           rng.uniform(3, 8), sig)
    _check(model, before, code, out, loads)
    # sample over an existing output, in parts (a large -n)
    syn = tmp_path / "syn.parquet"
    pd.DataFrame({"x": [1.0]}).to_parquet(syn)
    before = _digest(syn)
    code, out = _interrupt(["sample", model, "-n", "3000000", "-o", syn, "--part-rows", "20000"], tmp_path,
                           rng.uniform(4, 8), sig)
    _check(syn, before, code, out, reads)
    # impute over an existing output
    filled = tmp_path / "filled.parquet"
    pd.DataFrame({"x": [1.0]}).to_parquet(filled)
    before = _digest(filled)
    code, out = _interrupt(["impute", log_file, "-o", filled, "--time-budget", "30", "--quiet"], tmp_path,
                           rng.uniform(3, 8), sig)
    _check(filled, before, code, out, reads)
