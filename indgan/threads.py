"""How many CPU threads torch uses while indgan trains.

torch runs its CPU kernels on an OpenMP pool whose threads spin while they wait for work. On a machine whose
cores are shared with other CPU-heavy processes (a second fit, a test run, a browser) the spinning threads
of each process fight for the same cores: two fits with two threads each on a 2-core machine took 76 s each
where one alone took 19.5 s (measured with a 25-epoch TabularGAN on the plant logs; with one thread each the
pair took 30 s, and OpenMP's passive wait policy cost a lone fit 40%).

So indgan picks the thread count from what the machine has free, and adapts it while it trains:
:func:`adapt` is called by the trainer between epochs; at most every ``interval`` seconds it measures how
many cores other processes kept busy since the last look (Linux ``/proc/stat`` minus this process's own CPU
time) and sets ``torch.set_num_threads(cores - busy)`` (at least 1). An explicit choice always wins:
``OMP_NUM_THREADS`` or ``INDGAN_THREADS`` in the environment, or :func:`set_threads` (the CLI's
``--threads``) fix the count and turn adaptation off.
"""

from __future__ import annotations

import os
import time

import torch

_state = {"fixed": None, "last": None, "initialised": False}


def available_cpus() -> int:
    """CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _explicit() -> int | None:
    for var in ("INDGAN_THREADS", "OMP_NUM_THREADS"):
        value = os.environ.get(var, "").strip()
        if value.isdigit() and int(value) > 0:
            return int(value)
    return None


def set_threads(n: int | None) -> None:
    """Fix torch's thread count to ``n`` (None: back to automatic choice)."""
    _state["fixed"] = n
    if n is not None:
        torch.set_num_threads(int(n))


def _busy_jiffies() -> float | None:
    try:
        with open("/proc/stat") as f:
            fields = f.readline().split()[1:]
    except OSError:
        return None
    v = [float(x) for x in fields[:8]]  # user nice system idle iowait irq softirq steal
    return v[0] + v[1] + v[2] + v[5] + v[6] + v[7]


def _sample() -> tuple[float, float, float] | None:
    busy = _busy_jiffies()
    if busy is None:
        return None
    t = os.times()
    return time.monotonic(), busy / os.sysconf("SC_CLK_TCK"), t.user + t.system


def start() -> int:
    """Choose the thread count at the start of a fit (from the 1-minute load average) and return it."""
    fixed = _state["fixed"] or _explicit()
    if fixed:
        torch.set_num_threads(fixed)
        return fixed
    cpus = available_cpus()
    try:
        others = os.getloadavg()[0]
    except (AttributeError, OSError):
        others = 0.0
    n = max(1, min(cpus, int(round(cpus - others))))
    torch.set_num_threads(n)
    _state["last"] = _sample()
    _state["initialised"] = True
    return n


def adapt(interval: float = 2.0) -> int:
    """Re-check the cores other processes keep busy (at most every ``interval`` s) and set the thread count
    to the rest; returns the count in use. No-op when the count was fixed."""
    if _state["fixed"] or _explicit():
        return torch.get_num_threads()
    if not _state["initialised"]:
        return start()
    last, now = _state["last"], None
    if last is not None and time.monotonic() - last[0] < interval:
        return torch.get_num_threads()
    now = _sample()
    if now is None or last is None:
        return torch.get_num_threads()
    wall = now[0] - last[0]
    others = max(0.0, (now[1] - last[1]) - (now[2] - last[2])) / max(wall, 1e-9)
    cpus = available_cpus()
    n = max(1, min(cpus, int(round(cpus - others + 0.25))))  # a core counts as busy above ~0.75 use
    if n != torch.get_num_threads():
        torch.set_num_threads(n)
    _state["last"] = now
    return n
