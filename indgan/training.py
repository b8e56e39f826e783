"""The one adversarial trainer every indgan model uses: device choice, seeds, k critic steps per generator
step, the shared losses, time budgets, early stopping, per-record statistics and progress.

A model describes its game through an :class:`AdversarialProblem` (how to draw a real batch and a generated
batch, already on the device) and hands it to :class:`AdversarialTrainer`, which runs the loop of
Goodfellow et al. 2014 (Algorithm 1): ``critic_steps`` discriminator updates, then one generator update, for a
number of steps or a time budget. The non-adversarial phases (TimeGAN's embedding) use :func:`minimise`.

Every ``log_every`` steps (an epoch, or 100 iterations, as the model chooses) it records the generator loss, the
critic loss, any extra generator term the model adds (e.g. CTGAN's conditional cross-entropy) and the batch
means of ``D(x)`` and ``D(G(z))``. These are summed on the device and read once per record, so the loop never
waits on the device between steps. :class:`EarlyStopping` scores the generator on held-out data at the records
and keeps its best weights.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass, field
from typing import Callable, Protocol

import numpy as np
import torch
from torch import Tensor, nn
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn
from tqdm.auto import tqdm

from . import distributed, threads
from .errors import ConfigError, IndganError
from .losses import AdversarialLoss

log = logging.getLogger(__name__)


def resolve_device(device: str | torch.device = "auto") -> torch.device:
    """``"auto"`` -> ``cuda`` when a GPU is visible, else ``cpu``; any torch device string otherwise.

    Raises
    ------
    ConfigError
        If a CUDA device is asked for and none is available, or the string is not a device.
    """
    if isinstance(device, torch.device):
        return device
    if device in (None, "auto"):
        if torch.cuda.is_available():  # under torchrun each rank takes its own GPU
            return torch.device("cuda", distributed.local_rank()) if distributed.launched() else torch.device("cuda")
        return torch.device("cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ConfigError(f"device {device!r} is not a device; use 'auto', 'cpu' or 'cuda[:N]'.") from exc
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ConfigError(f"device {device!r} asked for, but no CUDA GPU is visible; use device='auto' or 'cpu'.")
    return dev


def seed_everything(seed: int | None) -> None:
    """Seed Python, NumPy and torch (CPU and CUDA) so that a fit repeats on the same device. Under
    torch.distributed rank ``r`` uses ``seed + r``: each rank draws its own noise and batches (the weights start
    equal anyway: they are broadcast from rank 0)."""
    if seed is None:
        return
    seed = int(seed) + distributed.rank()
    random.seed(seed)
    np.random.seed(seed % (2**32))
    torch.manual_seed(seed)


def to_device(a: np.ndarray | None, device: torch.device | str) -> Tensor | None:
    """A NumPy array as a tensor on ``device`` (made contiguous first; None stays None): how the families move
    their prepared arrays to the device."""
    return None if a is None else torch.from_numpy(np.ascontiguousarray(a)).to(device)


def make_generator(device: torch.device, seed: int | None) -> torch.Generator:
    """A ``torch.Generator`` on ``device`` seeded with ``seed`` (a fresh random seed when None): the stream a
    model samples from."""
    g = torch.Generator(device=device)
    g.manual_seed(int(seed) if seed is not None else int(torch.randint(2**62, (1,)).item()))
    return g


class AdversarialProblem(Protocol):
    """What a model tells the trainer about its game. Tensors are on the training device."""

    def critic_batch(self) -> tuple[Tensor, Tensor]:
        """A real and a generated critic input, each ``(batch, critic_input_dim)``."""

    def generator_batch(self) -> tuple[Tensor, Tensor | None, Tensor | None]:
        """A generated critic input (with gradients to the generator), the matching real batch (or None
        when the loss does not need it) and an extra generator loss term (or None)."""

    # Optional: ``after_generator_step()`` is called after every generator update when the problem defines
    # it (e.g. TimeGAN's joint update of the embedder and recovery). A game that is not "real batch against
    # generated batch" (GAIN's per-cell game) defines ``critic_loss(critic, loss) -> (loss, d_real, d_fake)``
    # and ``generator_loss(critic, loss) -> (adversarial loss, extra term)`` instead of the two batches.


@dataclass
class TrainingSummary:
    """What happened in ``fit``: kept in the model file and shown by ``indgan info``.

    ``history`` has one dict per epoch with ``epoch``, ``generator_loss``, ``critic_loss``, ``extra_loss``,
    ``d_real`` (mean D(x)), ``d_fake`` (mean D(G(z))) and ``seconds``. ``stop_reason`` is ``"completed"``
    (every step asked for), ``"time budget"`` or ``"early stop"`` (the epoch callback stopped it).
    """

    loss: str
    device: str
    epochs: int = 0
    steps: int = 0
    seconds: float = 0.0
    history: list[dict] = field(default_factory=list)
    stop_reason: str = "completed"

    def to_dict(self) -> dict:
        return {
            "loss": self.loss,
            "device": self.device,
            "epochs": self.epochs,
            "steps": self.steps,
            "seconds": self.seconds,
            "history": self.history,
            "stop_reason": self.stop_reason,
        }

    @classmethod
    def from_dict(cls, d: dict) -> TrainingSummary:
        return cls(**d)


class AdversarialTrainer:
    """Alternating generator / critic updates with the shared losses.

    Parameters
    ----------
    generator, critic : nn.Module
        Already on the device.
    loss : AdversarialLoss
    g_optimizer, d_optimizer : torch.optim.Optimizer
    critic_steps : int, default 1
        Discriminator updates per generator update (k in Goodfellow et al. 2014).
    generator_steps : int, default 1
        Generator updates per round (TimeGAN trains the generator twice per discriminator update).
    critic_threshold : float, optional
        Skip a discriminator update when its loss is already at or below this value, so that it does not
        overpower the generator (TimeGAN uses 0.15 with the minimax loss). Costs one device sync per update.
    ema_decay : float or None
        Keep an exponential moving average of the generator's weights (and batch-norm statistics) with this
        decay per generator step; :attr:`ema_generator` then holds it. Averaging the generator's iterates
        damps the oscillation of adversarial training (Yazici et al., "The Unusual Effectiveness of
        Averaging in GAN Training", ICLR 2019). None keeps only the last iterate.
    verbose : bool
        Show a progress bar with the losses.
    desc : str
        Label of the progress bar.
    """

    def __init__(
        self,
        generator: nn.Module,
        critic: nn.Module,
        loss: AdversarialLoss,
        g_optimizer: torch.optim.Optimizer,
        d_optimizer: torch.optim.Optimizer,
        critic_steps: int = 1,
        ema_decay: float | None = None,
        verbose: bool = True,
        desc: str = "training",
        generator_steps: int = 1,
        critic_threshold: float | None = None,
    ):
        if critic_steps < 1:
            raise ConfigError(f"critic_steps must be at least 1, got {critic_steps}.")
        if generator_steps < 1:
            raise ConfigError(f"generator_steps must be at least 1, got {generator_steps}.")
        if ema_decay is not None and not 0.0 < ema_decay < 1.0:
            raise ConfigError(f"ema_decay must be in (0, 1) or None, got {ema_decay}.")
        self.generator, self.critic, self.loss = generator, critic, loss
        self.g_optimizer, self.d_optimizer = g_optimizer, d_optimizer
        self.critic_steps = critic_steps
        self.generator_steps = generator_steps
        self.critic_threshold = critic_threshold
        self.verbose = verbose
        self.desc = desc
        self._ema = None
        if ema_decay is not None:
            self._ema = AveragedModel(generator, multi_avg_fn=get_ema_multi_avg_fn(ema_decay), use_buffers=True)

    @property
    def ema_generator(self) -> nn.Module | None:
        """The moving average of the generator (None without ``ema_decay``)."""
        return None if self._ema is None else self._ema.module

    def fit(
        self,
        problem: AdversarialProblem,
        steps: int | None,
        device: torch.device,
        log_every: int = 100,
        on_log: Callable[[dict], bool | None] | None = None,
        time_budget: float | None = None,
    ) -> TrainingSummary:
        """Train for ``steps`` generator steps (each after ``critic_steps`` discriminator steps) and return the
        summary.

        Parameters
        ----------
        problem : AdversarialProblem
        steps : int or None
            Generator steps; None trains until ``time_budget`` runs out or ``on_log`` stops it.
        device : torch.device
        log_every : int, default 100
            Steps per record of ``summary.history`` (a model passes its epoch, or 100 iterations); the last record
            may be shorter.
        on_log : callable, optional
            ``on_log(stats)`` after every record: it may add to the stats (a held-out score) and stops training
            by returning True.
        time_budget : float, optional
            Seconds; training stops after the step during which they ran out. The progress bar then counts
            seconds of the budget instead of records.

        Raises
        ------
        ConfigError
            Neither ``steps`` nor ``time_budget``, or ``log_every`` not positive.
        IndganError
            A loss became NaN or infinite.
        """
        if steps is None and time_budget is None:
            raise ConfigError("training needs a number of steps or a time budget.")
        if log_every < 1:
            raise ConfigError(f"log_every must be at least 1, got {log_every}.")
        summary = TrainingSummary(loss=self.loss.name, device=str(device))
        self.generator.train()
        self.critic.train()
        start = time.perf_counter()
        deadline = None if time_budget is None else start + float(time_budget)
        done = 0
        n_records = None if steps is None else -(-steps // log_every)
        bar = _progress(n_records, time_budget, self.desc, self.verbose and distributed.is_main())
        parallel = distributed.active()  # several ranks: the same start, averaged gradients, the same stops
        nets = (self.generator, self.critic) + (() if self._ema is None else (self._ema,))
        if parallel:
            for net in nets:
                distributed.broadcast_module(net)
        after_g = getattr(problem, "after_generator_step", None)
        own_critic_loss = getattr(problem, "critic_loss", None)
        own_generator_loss = getattr(problem, "generator_loss", None)
        record = 0
        while steps is None or done < steps:
            t0 = time.perf_counter()
            acc = torch.zeros(5, device=device)  # g_loss, d_loss, extra, d_real, d_fake
            n_steps = log_every if steps is None else min(log_every, steps - done)
            ran = 0
            for _ in range(n_steps):
                ran += 1
                for _ in range(self.critic_steps):
                    if own_critic_loss is not None:  # a game with its own form (GAIN's per-cell game)
                        d_loss, d_real, d_fake = own_critic_loss(self.critic, self.loss)
                    else:
                        real, fake = problem.critic_batch()
                        d_loss, d_real, d_fake = self.loss.critic_loss(self.critic, real, fake.detach())
                    if self.critic_threshold is not None and distributed.mean(d_loss.item()) <= self.critic_threshold:
                        continue
                    self.d_optimizer.zero_grad(set_to_none=True)
                    d_loss.backward()
                    if parallel:
                        distributed.average_gradients(self.critic)
                    self.d_optimizer.step()
                for _ in range(self.generator_steps):
                    if own_generator_loss is not None:
                        g_loss, extra = own_generator_loss(self.critic, self.loss)
                    else:
                        fake, real, extra = problem.generator_batch()
                        g_loss = self.loss.generator_loss(self.critic, fake, real)
                    total = g_loss if extra is None else g_loss + extra
                    self.g_optimizer.zero_grad(set_to_none=True)
                    total.backward()
                    if parallel:
                        distributed.average_gradients(self.generator)
                    self.g_optimizer.step()
                    if self._ema is not None:
                        self._ema.update_parameters(self.generator)
                    if after_g is not None:
                        after_g()
                acc += torch.stack(
                    [
                        g_loss.detach(),
                        d_loss.detach(),
                        extra.detach() if extra is not None else torch.zeros((), device=device),
                        d_real,
                        d_fake,
                    ]
                )
                if deadline is not None and distributed.any_rank(time.perf_counter() >= deadline, device):
                    break
            done += ran
            record += 1
            values = (acc / ran).tolist()
            if not all(np.isfinite(values)):
                raise IndganError(
                    f"training diverged after {done} steps (a loss became NaN/inf); lower the learning "
                    "rate, or try loss='wgan-gp'."
                )
            if parallel:  # batch-norm statistics: the mean over the ranks, before any score or snapshot
                for net in nets:
                    distributed.average_buffers(net)
            stats = {
                "epoch": record,
                "step": done,
                "generator_loss": values[0],
                "critic_loss": values[1],
                "extra_loss": values[2],
                "d_real": values[3],
                "d_fake": values[4],
                "seconds": time.perf_counter() - t0,
            }
            summary.history.append(stats)
            postfix = dict(G=f"{values[0]:.3f}", D=f"{values[1]:.3f}", Dx=f"{values[3]:.2f}", DGz=f"{values[4]:.2f}")
            log.debug("record %d: %s", record, stats)
            stop = distributed.any_rank(on_log is not None and on_log(stats) is True, device)
            if "score" in stats:
                postfix["score"] = f"{stats['score']:.3f}"
            _advance(bar, start, time_budget)
            bar.set_postfix(**postfix, refresh=False)
            threads.adapt()
            if stop:
                summary.stop_reason = "early stop"
                break
            if deadline is not None and distributed.any_rank(time.perf_counter() >= deadline, device):
                summary.stop_reason = "time budget"
                break
        bar.close()
        summary.epochs = len(summary.history)
        summary.steps = done
        summary.seconds = time.perf_counter() - start
        self.generator.eval()
        self.critic.eval()
        if self._ema is not None:
            self._ema.module.eval()
        return summary


class EarlyStopping:
    """Early stopping on a held-out score, for ``on_log``: every ``every`` records, ``score(net)`` rates the
    network ``net()`` returns (the averaged generator, usually); its best weights are kept, and training stops
    after ``patience`` scores without an improvement of more than ``min_delta``.

    Parameters
    ----------
    score : callable
        ``score(net) -> float``; higher is better with ``mode="max"``, lower with ``"min"``.
    net : callable
        Returns the module to score and whose weights to keep.
    every, patience : int
    min_delta : float, default 0
    mode : {"max", "min"}
    key : str, default "score"
        Name of the score in the records of the training history.

    Attributes
    ----------
    best : float
        The best score seen (``-inf`` / ``inf`` before any).
    best_record : int
        The record (1-based) it was seen at.
    state : dict or None
        The weights at that record.
    """

    def __init__(
        self,
        score: Callable,
        net: Callable[[], nn.Module],
        every: int = 1,
        patience: int = 10,
        min_delta: float = 0.0,
        mode: str = "max",
        key: str = "score",
    ):
        self.score, self.net, self.every, self.patience, self.min_delta = score, net, every, patience, min_delta
        self.sign = 1.0 if mode == "max" else -1.0
        self.key = key
        self.best, self.best_record, self.state, self.bad = -self.sign * float("inf"), 0, None, 0

    def __call__(self, stats: dict) -> bool:
        if stats["epoch"] % self.every:
            return False
        net = self.net()
        value = distributed.mean(float(self.score(net)))  # one score, hence one decision, on every rank
        net.train()
        stats[self.key] = value
        if self.state is None or self.sign * (value - self.best) > self.min_delta:
            self.best, self.best_record, self.bad = value, stats["epoch"], 0
            self.state = {k: v.detach().clone() for k, v in net.state_dict().items()}
        else:
            self.bad += 1
        return self.bad >= self.patience

    def restore(self, module: nn.Module) -> bool:
        """Load the best weights into ``module``; False when there are none."""
        if self.state is None:
            return False
        module.load_state_dict(self.state)
        return True


def log_spectral_distance(fake: Tensor, real: Tensor, dim: int = -1, floor: float = 1e-3) -> Tensor:
    """Mean squared log ratio of two batches' power spectra along ``dim``, per channel: each window is centred,
    Hann-windowed and Fourier-transformed, the squared magnitudes averaged over the batch (dimension 0), and the
    generated spectrum compared with the real one at every frequency and channel (the real one detached). A floor of
    ``floor`` x a channel's mean real power keeps frequencies with no real power from dominating. Shared by the
    super-resolution family (the detail a coarse archive loses) and CycleGAN (the variability of a regime).

    Parameters
    ----------
    fake, real : torch.Tensor
        Same shape, batch first, time along ``dim`` (e.g. ``(batch, channels, T)`` with ``dim=-1``).

    Returns
    -------
    torch.Tensor
        A scalar; 0 when the two spectra agree.
    """

    def power(x: Tensor) -> Tensor:
        x = x.movedim(dim, -1)
        x = x - x.mean(-1, keepdim=True)
        hann = torch.hann_window(x.shape[-1], periodic=False, device=x.device, dtype=x.dtype)
        return torch.fft.rfft(x * hann, dim=-1).abs().pow(2).mean(0)

    s_real = power(real).detach()
    s_fake = power(fake)
    eps = floor * s_real.mean(-1, keepdim=True) + 1e-12
    return (torch.log(s_fake + eps) - torch.log(s_real + eps)).pow(2).mean()


class KernelMMD:
    """The unbiased squared maximum mean discrepancy (Gretton et al., "A Kernel Two-Sample Test", JMLR 2012) of
    samples against fixed real ones, for held-out scores: a sum of Gaussian kernels at :attr:`SCALES` times the
    real samples' median squared distance (fixed with the real samples, so the scores of one fit compare).

    Parameters
    ----------
    real : torch.Tensor
        ``(n, n_features)`` float, at least 2 rows.

    ``mmd(fake)`` -> float for ``fake`` ``(m, n_features)``, m >= 2: lower is better, about 0 (it may be slightly
    negative) when both come from one distribution.
    """

    #: Bandwidths, as multiples of the real samples' median squared distance.
    SCALES = (0.25, 1.0, 4.0)

    def __init__(self, real: Tensor):
        self.real = real
        d2 = torch.cdist(real, real).pow(2)
        off = ~torch.eye(len(d2), dtype=torch.bool, device=d2.device)
        self.bandwidth = float(d2[off].median().clamp_min(1e-8))
        self.k_real = self._mean_off_diagonal(self._kernel(d2))

    def _kernel(self, d2: Tensor) -> Tensor:
        return sum(torch.exp(-d2 / (s * self.bandwidth)) for s in self.SCALES)

    @staticmethod
    def _mean_off_diagonal(k: Tensor) -> Tensor:
        n = k.shape[0]
        return (k.sum() - k.diagonal().sum()) / (n * (n - 1))

    @torch.no_grad()
    def __call__(self, fake: Tensor) -> float:
        k_fake = self._mean_off_diagonal(self._kernel(torch.cdist(fake, fake).pow(2)))
        k_cross = self._kernel(torch.cdist(self.real, fake).pow(2)).mean()
        return float(self.k_real + k_fake - 2.0 * k_cross)


def minimise(
    loss_fn: Callable[[], Tensor],
    optimizer: torch.optim.Optimizer,
    steps: int | None,
    device: torch.device,
    verbose: bool = True,
    desc: str = "pre-training",
    log_every: int = 100,
    time_budget: float | None = None,
) -> list[float]:
    """The non-adversarial phases of a model (e.g. TimeGAN's embedding and supervised phases): ``steps`` optimiser
    steps on ``loss_fn()`` (None: until ``time_budget`` seconds run out), with the same progress bar and divergence
    check as :class:`AdversarialTrainer`.

    Returns
    -------
    list of float
        The mean loss of every ``log_every`` steps (read from the device once per record).

    Raises
    ------
    ConfigError
        Neither ``steps`` nor ``time_budget``.
    IndganError
        If the loss becomes NaN or infinite.
    """
    if steps is None and time_budget is None:
        raise ConfigError("training needs a number of steps or a time budget.")
    history = []
    start = time.perf_counter()
    deadline = None if time_budget is None else start + float(time_budget)
    bar = _progress(
        None if steps is None else -(-steps // log_every), time_budget, desc, verbose and distributed.is_main()
    )
    parallel = distributed.active()
    params = [p for group in optimizer.param_groups for p in group["params"]]
    if parallel:  # the same start and the same steps on every rank
        distributed.broadcast_parameters(params)
    done = 0
    while steps is None or done < steps:
        threads.adapt()
        acc = torch.zeros((), device=device)
        n_steps = log_every if steps is None else min(log_every, steps - done)
        ran = 0
        for _ in range(n_steps):
            loss = loss_fn()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if parallel:
                distributed.average_gradients(params)
            optimizer.step()
            acc += loss.detach()
            ran += 1
            if deadline is not None and distributed.any_rank(time.perf_counter() >= deadline, device):
                break
        done += ran
        value = float(acc) / ran
        if not np.isfinite(value):
            raise IndganError(f"{desc} diverged after {done} steps (the loss became NaN/inf); lower the learning rate.")
        history.append(value)
        _advance(bar, start, time_budget)
        bar.set_postfix(loss=f"{value:.4f}", refresh=False)
        if deadline is not None and distributed.any_rank(time.perf_counter() >= deadline, device):
            break
    bar.close()
    return history


def _progress(records: int | None, time_budget: float | None, desc: str, verbose: bool):
    """A progress bar over the records of a training (epochs, or 100 iterations), or over the seconds of its
    time budget (redrawn at most once a second)."""
    if time_budget is None:
        return tqdm(total=records, desc=desc, disable=not verbose, unit="epoch", dynamic_ncols=True)
    return tqdm(
        total=int(round(time_budget)),
        desc=desc,
        disable=not verbose,
        unit="s",
        dynamic_ncols=True,
        mininterval=1.0,
        bar_format="{l_bar}{bar}| {n:.0f}/{total:.0f} s of the time budget{postfix}",
    )


def _advance(bar, start: float, time_budget: float | None) -> None:
    if time_budget is None:
        bar.update(1)
    else:
        bar.update(min(time.perf_counter() - start, bar.total) - bar.n)  # within the bar (tqdm warns beyond it)
