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


def _default_interrupt():
    """In the child before it runs indgan: Ctrl-C's default action. A shell starts a background job (``nohup
    pytest ... &``) with SIGINT ignored, its children inherit that, and Python then never raises
    KeyboardInterrupt: the command would run on after the signal (as it should for a user who started it so)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start(args, cwd):
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONUNBUFFERED="1")
    return subprocess.Popen(
        [sys.executable, "-m", "indgan", *map(str, args)],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        preexec_fn=_default_interrupt,
    )


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
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "indgan",
            "fit",
            log_file,
            "-o",
            model,
            "--epochs",
            "2",
            "--batch-size",
            "100",
            "--quiet",
            "--eval-rows",
            "0",
            "-c",
            "quick",
        ],
        cwd=tmp_path,
        capture_output=True,
        env=dict(os.environ, OMP_NUM_THREADS="1"),
    )
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
    code, out = _interrupt(
        ["fit", log_file, "-o", model, "--time-budget", "30", "--quiet", "-c", "quick"],
        tmp_path,
        rng.uniform(3, 8),
        sig,
    )
    _check(model, before, code, out, loads)
    # sample over an existing output, in parts (a large -n)
    syn = tmp_path / "syn.parquet"
    pd.DataFrame({"x": [1.0]}).to_parquet(syn)
    before = _digest(syn)
    code, out = _interrupt(
        ["sample", model, "-n", "3000000", "-o", syn, "--part-rows", "20000"], tmp_path, rng.uniform(4, 8), sig
    )
    _check(syn, before, code, out, reads)
    # impute over an existing output
    filled = tmp_path / "filled.parquet"
    pd.DataFrame({"x": [1.0]}).to_parquet(filled)
    before = _digest(filled)
    code, out = _interrupt(
        ["impute", log_file, "-o", filled, "--time-budget", "30", "--quiet"], tmp_path, rng.uniform(3, 8), sig
    )
    _check(filled, before, code, out, reads)


# ---------------------------------------------------------------------------------------------- database
# indgan impute --db: the table is written in one transaction (indgan.adapters.sql), so a run stopped at any moment
# leaves it exactly as it was, or completely filled with its audit run recorded (the signal came after the commit).
FILL_TAGS = ["tag0", "tag1", "tag5", "tag48", "tag70"]


def _table(path):
    """Every row of T (values with their Python type, so that 1 and 1.0 differ), and the database's schema."""
    import sqlite3

    con = sqlite3.connect(path)
    try:
        rows = [tuple((type(v).__name__, v) for v in r) for r in con.execute('SELECT * FROM "T" ORDER BY id')]
        schema = sorted(con.execute("SELECT type, name, sql FROM sqlite_master").fetchall())
        audit = (
            []
            if not any(s[1] == "indgan_audit" for s in schema)
            else con.execute("SELECT run_id, key_value, column_name, value, undone_at FROM indgan_audit").fetchall()
        )
    finally:
        con.close()
    return rows, schema, audit


@pytest.fixture(scope="module")
def plant_db(tmp_path_factory, log_file):
    """A SQLite copy of 400 rows of the real log: an integer key (not the row number), ~5% NULL cells in every tag
    (tag70 a text tag of numbers and "Bad"), and an imputer fitted on it (for --model-file: the write comes fast)."""
    import sqlite3

    import numpy as np

    from indgan.app.database import impute_table
    from indgan.imputation import GANImputer

    base = tmp_path_factory.mktemp("irqdb")
    df = pd.read_parquet(log_file).iloc[:400]
    rng = np.random.default_rng(7)
    path = base / "orig.db"
    con = sqlite3.connect(path)
    con.execute(
        'CREATE TABLE "T" (id INTEGER PRIMARY KEY, timestamp TIMESTAMP, tag0 REAL, tag1 REAL, tag5 REAL, '
        "tag48 REAL, tag70 TEXT)"
    )
    rows = []
    for i, r in enumerate(df.itertuples(index=False)):
        values = [
            None if rng.random() < 0.05 else (v if isinstance(v, str) else float(v))
            for v in (r.tag0, r.tag1, r.tag5, r.tag48, r.tag70)
        ]
        rows.append((1000 + 3 * i, r.timestamp.strftime("%Y-%m-%d %H:%M:%S.%f"), *values))
    con.executemany('INSERT INTO "T" VALUES (?, ?, ?, ?, ?, ?, ?)', rows)
    con.commit()
    con.close()
    imputer = GANImputer(iterations=5, random_state=0, verbose=False)
    work = base / "fit.db"
    work.write_bytes(path.read_bytes())
    impute_table(f"sqlite:///{work}", "T", "id", imputer=imputer, dry_run=True, verbose=False)  # fits, writes nothing
    model = base / "imp.indgan"
    imputer.save(model)
    reference = base / "ref.db"  # the table as a finished --model run leaves it
    reference.write_bytes(path.read_bytes())
    impute_table(f"sqlite:///{reference}", "T", "id", imputer=load_model(model), verbose=False)
    return path, model, _table(reference)[0]


def _interrupt_at_journal(args, cwd, journal, nth, sig, delay=0.0, limit=60.0):
    """Start ``args``; send ``sig`` ``delay`` s after SQLite's rollback journal ``journal`` appears for the ``nth``
    time (1: the write check's rolled-back transaction, just before the table is read and the imputer fitted; 2:
    the write). Returns the exit status, the output and the times (s after the start) the journal appeared."""
    proc = _start(args, cwd)
    start, seen, present = time.monotonic(), [], False
    while proc.poll() is None and time.monotonic() - start < limit:
        now = journal.exists()
        if now and not present:
            seen.append(time.monotonic() - start)
            if len(seen) == nth:
                time.sleep(delay)
                proc.send_signal(sig)
                break
        present = now
        time.sleep(0.0005)
    try:
        out, _ = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    return proc.returncode, out.decode(errors="replace"), seen


def _check_db(db, before, code, out, reference):
    """The table is as before (no audit run), or completely filled as a finished run fills it, with one audit run
    of exactly the changed cells that --undo takes back to the original; no hot journal is left."""
    from click.testing import CliRunner

    from indgan.cli import cli

    assert not db.with_name(db.name + "-journal").exists(), out
    if code != 0:  # an interruption is reported as one, not as a failure of the database
        assert "Error:" not in out and "rolled back" not in out, out
    rows, schema, audit = _table(db)
    if rows == before[0]:
        assert code != 0, out  # exit status 0 means the run finished: it must have written
        assert schema == before[1] and audit == [], out  # no audit table either (its CREATE was rolled back)
        return "unchanged"
    # completely filled: every observed cell kept, the cells a finished run fills filled, nothing else
    cols = ["id", "timestamp", *FILL_TAGS]
    changed = {}
    for b, a, ref in zip(before[0], rows, reference):
        assert a[0] == b[0]
        for j, (vb, va, vr) in enumerate(zip(b, a, ref)):
            if vb[1] is not None:
                assert va == vb, (cols[j], b[0], vb, va)
            assert (va[1] is None) == (vr[1] is None), (cols[j], b[0], va, vr)
            if vb[1] is None and va[1] is not None:
                changed[(str(a[0][1]), cols[j])] = repr(va[1]) if isinstance(va[1], float) else str(va[1])
    assert changed, out
    runs = {r[0] for r in audit}
    assert len(runs) == 1, runs
    assert {(r[1], r[2]): r[3] for r in audit} == changed and len(audit) == len(changed)
    assert all(r[4] is None for r in audit)
    run_id = runs.pop()
    res = CliRunner().invoke(cli, ["impute", "--undo", run_id, "--db", f"sqlite:///{db}"])
    assert res.exit_code == 0 and f"{len(changed)} cell(s) set back to NULL" in res.output, res.output
    assert _table(db)[0] == before[0]  # the original table exactly, NULLs included
    return "filled"


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_database_impute_leaves_the_table_whole(tmp_path, plant_db, sig):
    """impute --db stopped while fitting, and at or near the write (with --model-file it follows the write check
    within a fraction of a second): the table is as it was or completely filled and audited, never half-written."""
    orig, model, reference = plant_db
    before = _table(orig)
    rng = random.Random(100 + int(sig))
    outcomes = []

    def fresh(name):
        path = tmp_path / name
        path.write_bytes(orig.read_bytes())
        return path, ["impute", "--db", f"sqlite:///{path}", "--table", "T", "--key", "id", "-q"]

    # while fitting: a random moment after the write check (the first journal), as the imputer trains
    db, args = fresh("fit.db")
    code, out, _ = _interrupt_at_journal(
        [*args, "--iterations", "40", "--seed", "0"],
        tmp_path,
        db.with_name(db.name + "-journal"),
        1,
        sig,
        delay=rng.uniform(0.3, 2.5),
    )
    outcomes.append((code, _check_db(db, before, code, out, reference)))
    # at the write itself: the signal as the write transaction's journal appears (the second one; the first is
    # the write check's rolled-back transaction)
    db, args = fresh("write.db")
    code, out, seen = _interrupt_at_journal(
        [*args, "--model-file", model], tmp_path, db.with_name(db.name + "-journal"), 2, sig
    )
    outcomes.append((code, _check_db(db, before, code, out, reference)))
    # around the write: a random moment from just before the write check to just after the write
    db, args = fresh("near.db")
    lo, hi = (seen[0] - 0.3, seen[-1] + 0.3) if seen else (2.0, 6.0)
    code, out = _interrupt([*args, "--model-file", model], tmp_path, rng.uniform(max(lo, 0.1), hi), sig)
    outcomes.append((code, _check_db(db, before, code, out, reference)))
    print(sig.name, outcomes, "journal seen at", [round(s, 3) for s in seen])
