"""The thread governor: torch's thread count follows what other processes leave free; explicit choices win."""

import pytest
import torch

from indgan import threads


@pytest.fixture
def governor(monkeypatch):
    before = torch.get_num_threads()
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.delenv("INDGAN_THREADS", raising=False)
    monkeypatch.setattr(threads, "available_cpus", lambda: 4)
    monkeypatch.setitem(threads._state, "fixed", None)
    yield monkeypatch
    threads._state.update(fixed=None, last=None, initialised=False)
    torch.set_num_threads(before)


def _feed(monkeypatch, samples):
    it = iter(samples)
    monkeypatch.setattr(threads, "_sample", lambda: next(it))


def test_threads_drop_when_other_processes_are_busy_and_come_back(governor):
    # (monotonic seconds, system busy CPU-seconds, this process's CPU-seconds)
    _feed(governor, [(0.0, 0.0, 0.0), (10.0, 30.0, 10.0), (20.0, 70.0, 50.0)])
    governor.setattr(threads.os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    assert threads.start() == 4
    assert threads.adapt(interval=0) == 2  # others kept 2 of 4 cores busy over those 10 s
    assert torch.get_num_threads() == 2
    assert threads.adapt(interval=0) == 4  # then all the busy time was ours


def test_start_reads_the_load_average(governor):
    _feed(governor, [(0.0, 0.0, 0.0)])
    governor.setattr(threads.os, "getloadavg", lambda: (3.2, 0.0, 0.0))
    assert threads.start() == 1  # at least one thread


def test_explicit_choices_win(governor):
    governor.setenv("OMP_NUM_THREADS", "3")
    assert threads.start() == 3 and threads.adapt(interval=0) == torch.get_num_threads() == 3
    governor.delenv("OMP_NUM_THREADS")
    threads.set_threads(1)
    assert threads.start() == 1 and threads.adapt(interval=0) == 1
