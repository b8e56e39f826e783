"""Shared fixtures: small slices of the real plant logs and one tiny fitted model per test session."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from indgan import TabularGAN, read_table

DATA = Path(__file__).resolve().parents[1] / "examples" / "data"
STATUS_TAGS = ["tag2", "tag34", "tag36", "tag70", "tag72"]
CONSTANT_TAGS = [
    "tag4",
    "tag13",
    "tag14",
    "tag43",
    "tag45",
    "tag47",
    "tag49",
    "tag50",
    "tag51",
    "tag52",
    "tag53",
    "tag54",
    "tag66",
    "tag92",
]

# Small networks and few epochs: the tests check behaviour, not quality.
TINY = dict(
    epochs=2,
    time_budget=None,
    batch_size=100,
    latent_dim=16,
    generator_dim=(32, 32),
    critic_dim=(32, 32),
    verbose=False,
)


@pytest.fixture(scope="session")
def plant() -> pd.DataFrame:
    """The whole real plant log (3,169 rows x 109 columns)."""
    return read_table(DATA / "plant_logs.parquet")


@pytest.fixture(scope="session")
def plant_slice(plant) -> pd.DataFrame:
    """Every 5th row plus every row where a tag holds a status string (~650 rows, all 109 columns)."""
    has_status = pd.concat([pd.to_numeric(plant[c], errors="coerce").isna() for c in STATUS_TAGS], axis=1).any(axis=1)
    keep = (plant.index % 5 == 0) | has_status
    return plant[keep].reset_index(drop=True)


@pytest.fixture(scope="session")
def small(plant_slice) -> pd.DataFrame:
    """A narrow slice: time, two status tags, a step-like state tag, a constant and some continuous tags."""
    cols = ["timestamp", "tag0", "tag1", "tag2", "tag5", "tag4", "tag63", "tag70", "tag95"]
    return plant_slice[cols].copy()


@pytest.fixture(scope="session")
def tiny_model(small) -> TabularGAN:
    return TabularGAN(random_state=0, **TINY).fit(small)


@pytest.fixture(scope="session")
def small_parquet(tmp_path_factory, small) -> Path:
    path = tmp_path_factory.mktemp("data") / "small.parquet"
    small.to_parquet(path, index=False)
    return path


# ---------------------------------------------------------------------------------------------- PostgreSQL
# A throwaway PostgreSQL server for tests/test_database.py: initdb in a temporary directory, started on
# 127.0.0.1 at a free port, removed at the end of the session. INDGAN_TEST_POSTGRES_URL (a
# postgresql+psycopg:// URL of a database the tests may create schemas in) uses an existing server instead.


def _find_pg_bindir() -> Path | None:
    import glob
    import shutil

    candidates = []
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    candidates += [Path("/usr/local/bin"), Path("/usr/local/pgsql/bin")]
    for d in candidates:
        if (d / "initdb").is_file() and (d / "pg_ctl").is_file():
            return d
    return None


@pytest.fixture(scope="session")
def postgres_url():
    """URL (``postgresql+psycopg://``) of an empty database on a throwaway PostgreSQL server."""
    import os
    import pwd
    import shutil
    import socket
    import subprocess
    import tempfile

    env_url = os.environ.get("INDGAN_TEST_POSTGRES_URL")
    if env_url:
        yield env_url
        return
    bindir = _find_pg_bindir()
    if bindir is None:
        pytest.fail(
            "PostgreSQL server binaries (initdb, pg_ctl) not found on PATH, in /usr/lib/postgresql/*/bin or "
            "/usr/local/bin: install Debian's postgresql package (apt-get install postgresql), or set "
            "INDGAN_TEST_POSTGRES_URL=postgresql+psycopg://user:password@host:port/dbname."
        )
    run_as: dict = {}
    base = Path(tempfile.mkdtemp(prefix="indgan-pg-"))
    if os.geteuid() == 0:  # initdb and postgres refuse to run as root: use an unprivileged user
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            user = pwd.getpwnam("nobody")
        os.chown(base, user.pw_uid, user.pw_gid)
        run_as = dict(user=user.pw_uid, group=user.pw_gid, extra_groups=[])
    data, log = base / "data", base / "server.log"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

    def run(*cmd):
        proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, cwd=base, **run_as)
        if proc.returncode:
            server_log = log.read_text(errors="replace")[-3000:] if log.exists() else ""
            pytest.fail(
                f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}\n{server_log}"
            )

    started = False
    try:
        run(bindir / "initdb", "-D", data, "-U", "indgan", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
        opts = (
            f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={base} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        run(bindir / "pg_ctl", "-D", data, "-l", log, "-o", opts, "-w", "-t", "60", "start")
        started = True
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=port, user="indgan", dbname="postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE indgan_test")
        yield f"postgresql+psycopg://indgan@127.0.0.1:{port}/indgan_test"
    finally:
        if started:
            subprocess.run(
                [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                capture_output=True,
                cwd=base,
                **run_as,
            )
        shutil.rmtree(base, ignore_errors=True)
