"""Training on several processes, GPUs or machines through ``torch.distributed``.

Launched by ``torchrun`` (which sets ``WORLD_SIZE``, ``RANK``, ``LOCAL_RANK``, ``MASTER_ADDR``/``MASTER_PORT``),
``indgan fit`` joins the process group itself: NCCL on GPUs, gloo on CPUs, with a timeout
(``INDGAN_DIST_TIMEOUT`` seconds, default 300) so that a rank that dies makes the others fail instead of waiting
for ever. What every rank does (data parallelism, as ``DistributedDataParallel`` does it):

- **the same start**: the networks' weights are broadcast from rank 0 before the first step;
- **its own data**: rank ``r`` of ``w`` trains on rows ``r, r + w, r + 2w, ...`` of the encoded table, with a
  batch of ``batch_size / w`` rows, so the total batch per step and hence the learning rate are those of one
  process (the linear scaling rule then needs no change); the encodings (mode-specific normalisation) are fitted
  on the same rows, with the same seed, on every rank, so they are identical;
- **the same step**: after each backward pass the gradients are averaged over the ranks (one ``all_reduce`` of
  the flattened gradients per network and step, what DDP's buckets do) and every rank applies the same update,
  so the weights stay identical; the gradient penalty's double backward needs no special care this way (it is
  why StyleGAN2-ADA averages gradients by hand too);
- **the same statistics**: batch-norm running statistics are averaged over the ranks after every record;
- **the same decisions**: held-out scores are averaged over the ranks, and a stop (time budget, early stop) on
  any rank stops all of them after the same step;
- rank 0 alone prints progress and writes the model file.

Everything is a no-op in a single process. Every collective below raises :class:`RankError` (one line: which rank,
what the backend said) when another rank has died or stopped answering within the timeout.
"""

from __future__ import annotations

import datetime
import os

import torch
import torch.distributed as dist
from torch import nn

from .errors import ConfigError, IndganError


class RankError(IndganError):
    """Another rank of a distributed run failed or stopped answering."""


def _collective(fn):
    """A collective whose failure (a peer that crashed, a timeout) is one line naming what happened."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except RuntimeError as exc:  # torch.distributed.DistBackendError and gloo/NCCL errors are RuntimeErrors
            raise RankError(
                f"rank {rank()} of {world_size()}: another rank failed or stopped answering "
                f"({str(exc).strip().splitlines()[0][:160]}); see that rank's log for the cause."
            ) from exc

    return wrapper


def launched() -> bool:
    """Whether this process was started by torchrun (or another launcher) as one of several."""
    return int(os.environ.get("WORLD_SIZE", "1")) > 1


def active() -> bool:
    """Whether a process group of more than one rank is set up."""
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def rank() -> int:
    return dist.get_rank() if active() else 0


def world_size() -> int:
    return dist.get_world_size() if active() else 1


def is_main() -> bool:
    """Rank 0 (or the only process): the one that prints and writes files."""
    return rank() == 0


def local_rank() -> int:
    return int(os.environ.get("LOCAL_RANK", "0"))


def init_from_env(device: str | None = None) -> bool:
    """Join the process group torchrun describes in the environment (once); returns whether training is
    distributed. NCCL when the device is CUDA, gloo otherwise.

    Raises
    ------
    ConfigError
        A launcher's environment that is incomplete or a process group that cannot be formed.
    """
    if active():
        return True
    if not launched():
        return False
    if not dist.is_available():
        raise ConfigError("WORLD_SIZE > 1 but this torch has no torch.distributed; run a single process.")
    want_cuda = (device or "auto").startswith("cuda") or ((device or "auto") == "auto" and torch.cuda.is_available())
    backend = "nccl" if want_cuda and torch.cuda.is_available() else "gloo"
    if backend == "nccl":
        torch.cuda.set_device(local_rank())
    timeout = datetime.timedelta(seconds=float(os.environ.get("INDGAN_DIST_TIMEOUT", "300")))
    try:
        dist.init_process_group(backend=backend, timeout=timeout)
    except (RuntimeError, ValueError) as exc:
        raise ConfigError(
            f"cannot form the torch.distributed process group ({backend}): "
            f"{str(exc).strip().splitlines()[0][:200]}; check MASTER_ADDR/MASTER_PORT and that every "
            "rank was started."
        ) from exc
    return True


@_collective
def broadcast_module(module: nn.Module) -> None:
    """Give every rank rank 0's parameters and buffers."""
    if not active():
        return
    with torch.no_grad():
        for t in list(module.parameters()) + list(module.buffers()):
            dist.broadcast(t.data, src=0)


@_collective
def average_buffers(module: nn.Module) -> None:
    """Average floating-point buffers (batch-norm running statistics) over the ranks: each rank's statistics
    follow its own batches; their mean is the statistics of the total batch, and every rank ends equal."""
    if not active():
        return
    with torch.no_grad():
        for b in module.buffers():
            if b.is_floating_point():
                dist.all_reduce(b, op=dist.ReduceOp.SUM)
                b /= dist.get_world_size()


@_collective
def broadcast_parameters(params) -> None:
    """Give every rank rank 0's values of these tensors (an optimizer's parameters)."""
    if not active():
        return
    with torch.no_grad():
        for t in params:
            dist.broadcast(t.data, src=0)


@_collective
def average_gradients(module) -> None:
    """Average the gradients of ``module`` (or of an iterable of parameters) over the ranks (missing gradients
    count as zero), in one all_reduce."""
    if not active():
        return
    params = [p for p in (module.parameters() if isinstance(module, nn.Module) else module) if p.requires_grad]
    if not params:
        return
    grads = [p.grad if p.grad is not None else torch.zeros_like(p) for p in params]
    flat = torch.cat([g.reshape(-1) for g in grads])
    dist.all_reduce(flat, op=dist.ReduceOp.SUM)
    flat /= dist.get_world_size()
    offset = 0
    for p in params:
        n = p.numel()
        p.grad = flat[offset : offset + n].view_as(p).clone()
        offset += n


@_collective
def mean(value: float, device: torch.device | str = "cpu") -> float:
    """The mean of a number over the ranks (the number itself in one process)."""
    if not active():
        return float(value)
    t = torch.tensor([float(value)], dtype=torch.float64, device=_collective_device(device))
    dist.all_reduce(t, op=dist.ReduceOp.SUM)
    return float(t.item()) / dist.get_world_size()


@_collective
def any_rank(flag: bool, device: torch.device | str = "cpu") -> bool:
    """True on every rank when ``flag`` is true on at least one."""
    if not active():
        return bool(flag)
    t = torch.tensor([1.0 if flag else 0.0], device=_collective_device(device))
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return bool(t.item() > 0)


def shard(n: int) -> slice:
    """This rank's rows of ``n``: ``rank, rank + world, ...``."""
    return slice(rank(), n, world_size())


def _collective_device(device) -> torch.device:
    backend = dist.get_backend() if active() else "gloo"
    return torch.device(device) if backend == "nccl" else torch.device("cpu")


@_collective
def finish() -> None:
    """Leave the process group (after the last collective); a no-op in one process."""
    if active():
        dist.barrier()
        dist.destroy_process_group()
