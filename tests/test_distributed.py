"""torch.distributed (issue 18): two gloo ranks on the CPU train one model; a failing rank fails the run."""

from __future__ import annotations

import os
import socket
import time

import numpy as np
import pandas as pd
import pytest
import torch
import torch.multiprocessing as mp

from indgan import TabularGAN, load_model

from .conftest import DATA, TINY


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(rank: int, world: int, port: int) -> None:
    os.environ.update(
        MASTER_ADDR="127.0.0.1",
        MASTER_PORT=str(port),
        RANK=str(rank),
        WORLD_SIZE=str(world),
        LOCAL_RANK=str(rank),
        INDGAN_DIST_TIMEOUT="60",
        OMP_NUM_THREADS="1",
    )
    torch.set_num_threads(1)


def _fit_rank(rank: int, world: int, port: int, data_path: str, out: str, family: str = "tabular") -> None:
    from indgan import SequenceGAN, distributed

    _env(rank, world, port)
    assert distributed.init_from_env("cpu") and distributed.world_size() == world
    data = pd.read_parquet(data_path)
    if family == "sequence":
        model = SequenceGAN(
            seq_len=12,
            iterations=6,
            pretrain_iterations=6,
            hidden_dim=8,
            batch_size=16,
            time_budget=None,
            random_state=0,
            device="cpu",
            verbose=False,
        ).fit(data)
        torch.save(model.to_state()[1], f"{out}/rank{rank}.pt")  # every tensor of the model file
        distributed.finish()
        return
    model = TabularGAN(random_state=0, device="cpu", **{**TINY, "epochs": 3}).fit(data)
    torch.save({k: v.clone() for k, v in model.generator_.state_dict().items()}, f"{out}/rank{rank}.pt")
    torch.save({"n_train": model.fit_info_.n_train, "batch": model.fit_info_.batch_size}, f"{out}/info{rank}.pt")
    if distributed.is_main():
        model.save(f"{out}/model.indgan")
    distributed.finish()


def _failing_rank(rank: int, world: int, port: int) -> None:
    from indgan import distributed

    _env(rank, world, port)
    distributed.init_from_env("cpu")
    if rank == 1:
        raise RuntimeError("rank 1 lost its data")
    model = torch.nn.Linear(3, 1)
    distributed.broadcast_module(model)  # waits for rank 1, which is gone
    distributed.average_gradients(model)


@pytest.fixture(scope="module")
def slice_path(tmp_path_factory):
    d = pd.read_parquet(DATA / "plant_logs.parquet", columns=["tag0", "tag1", "tag5", "tag6", "tag63"]).iloc[:600]
    path = tmp_path_factory.mktemp("dist") / "slice.parquet"
    d.to_parquet(path)
    return path


def test_two_gloo_ranks_end_with_identical_weights_and_a_model_that_loads(slice_path, tmp_path):
    mp.spawn(_fit_rank, args=(2, _free_port(), str(slice_path), str(tmp_path)), nprocs=2, join=True)
    w0, w1 = torch.load(tmp_path / "rank0.pt"), torch.load(tmp_path / "rank1.pt")
    assert w0.keys() == w1.keys() and all(torch.equal(w0[k], w1[k]) for k in w0)
    i0, i1 = torch.load(tmp_path / "info0.pt"), torch.load(tmp_path / "info1.pt")
    assert i0["n_train"] + i1["n_train"] <= 600 and abs(i0["n_train"] - i1["n_train"]) <= 1  # each its shard
    assert i0["batch"] == TINY["batch_size"] // 2  # the total batch of one process
    model = load_model(tmp_path / "model.indgan", device="cpu")
    s = model.sample(100, random_state=0)
    assert s.shape == (100, 5) and np.isfinite(s[["tag5", "tag6"]].astype(float).to_numpy()).all()
    assert torch.equal(model.generator_.state_dict()[next(iter(w0))], w0[next(iter(w0))])


def test_two_ranks_of_the_sequence_model_end_with_identical_weights(tmp_path):
    d = pd.read_parquet(DATA / "plant_logs.parquet", columns=["timestamp", "tag5", "tag6"]).iloc[:300]
    d.to_parquet(tmp_path / "seq.parquet")
    mp.spawn(
        _fit_rank, args=(2, _free_port(), str(tmp_path / "seq.parquet"), str(tmp_path), "sequence"), nprocs=2, join=True
    )
    w0, w1 = torch.load(tmp_path / "rank0.pt"), torch.load(tmp_path / "rank1.pt")
    assert len(w0) > 10 and w0.keys() == w1.keys()
    assert [k for k in w0 if not torch.equal(w0[k], w1[k])] == []  # pre-training, joint phase and embedder alike


def test_a_failing_rank_fails_the_run_without_hanging():
    t0 = time.perf_counter()
    with pytest.raises(Exception, match="rank 1 lost its data|another rank failed or stopped answering"):
        mp.spawn(_failing_rank, args=(2, _free_port()), nprocs=2, join=True)
    assert time.perf_counter() - t0 < 90
