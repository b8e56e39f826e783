"""Conditional tabular GAN: the CTGAN method.

Xu, Skoularidou, Cuesta-Infante, Veeramachaneni, "Modeling Tabular Data using Conditional GAN",
NeurIPS 2019. The parts of the method, each in one place:

- **mode-specific normalisation** of continuous columns: :mod:`indgan.transform`;
- **conditional vector and training-by-sampling**: :class:`ConditionSampler` picks a categorical column
  uniformly, a level of it with probability proportional to the log of its frequency, and a real row with
  that level, so that rare operating states are learned as well as common ones;
- **generator**: residual fully-connected blocks (:class:`Generator`); continuous ``alpha`` outputs through
  tanh, every one-hot group (modes and categories) through Gumbel-softmax (:class:`OutputActivation`);
  a cross-entropy term makes the generated row carry the level the conditional vector asked for;
- **critic**: PacGAN (Lin et al., NeurIPS 2018) packs ``pac`` rows into one critic input
  (:class:`Critic`), trained as a WGAN-GP critic by default; the original GAN losses (minimax,
  non-saturating) and feature matching are options (:mod:`indgan.losses`).

Unlike the reference implementation, everything per batch stays on the device and is vectorised: the
conditional vectors, the row sampling, the activations of all one-hot groups and the conditional loss are a
handful of tensor operations, with no Python loop over rows or columns.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from sklearn.base import BaseEstimator
from torch import Tensor, nn

from .. import threads
from ..errors import (ConditionError, ConfigError, DataError, ModelFileError, NotFittedError, check_fraction,
                      check_positive_float, check_positive_int)
from ..losses import LOSSES, AdversarialLoss
from ..persist import load_model_file, save_model_file, split_state
from ..schema import CONTINUOUS, Schema, infer_schema, match_level
from ..budget import budget_seconds
from ..training import AdversarialTrainer, TrainingSummary, make_generator, resolve_device, seed_everything
from ..transform import DataTransformer, Span

log = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------- networks
class Residual(nn.Module):
    """``[relu(bn(linear(x))), x]``: CTGAN's residual block (the input is concatenated, not added)."""

    def __init__(self, in_dim: int, out_dim: int):
        super().__init__()
        self.fc = nn.Linear(in_dim, out_dim)
        self.bn = nn.BatchNorm1d(out_dim)

    def forward(self, x: Tensor) -> Tensor:
        return torch.cat([F.relu(self.bn(self.fc(x))), x], dim=1)


class Generator(nn.Module):
    """``(batch, latent_dim + cond_dim)`` -> raw outputs ``(batch, data_dim)`` (activate with
    :class:`OutputActivation`)."""

    def __init__(self, in_dim: int, hidden: tuple[int, ...], data_dim: int):
        super().__init__()
        layers, dim = [], in_dim
        for h in hidden:
            layers.append(Residual(dim, h))
            dim += h
        layers.append(nn.Linear(dim, data_dim))
        self.net = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x)


class Dropout(nn.Module):
    """Inverted dropout drawn from a uniform tensor: the same as ``nn.Dropout``, but ``bernoulli_`` costs
    about 4x ``uniform_`` on CPUs and was a quarter of a training step on small tables."""

    def __init__(self, p: float):
        super().__init__()
        self.p = p

    def forward(self, x: Tensor) -> Tensor:
        if not self.training or self.p == 0:
            return x
        keep = torch.rand_like(x) >= self.p
        return x * keep * (1.0 / (1.0 - self.p))


class Critic(nn.Module):
    """PacGAN critic: ``(batch, dim)`` -> ``(batch // pac,)`` scores (logits).

    ``features`` maps the packed input to the last hidden layer (used by feature matching), ``head`` maps
    it to the score.
    """

    def __init__(self, in_dim: int, hidden: tuple[int, ...], pac: int, dropout: float = 0.5):
        super().__init__()
        self.pac = pac
        layers, dim = [], in_dim * pac
        for h in hidden:
            layers += [nn.Linear(dim, h), nn.LeakyReLU(0.2), Dropout(dropout)]
            dim = h
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(dim, 1)

    def features(self, x: Tensor) -> Tensor:
        return self.body(x.reshape(-1, x.shape[1] * self.pac))

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.features(x)).squeeze(1)


def _padded_groups(spans: list[Span], device) -> tuple[Tensor, Tensor]:
    """Index ``(n_groups, max_width)`` of the softmax groups (padding repeats the group's first index) and
    a boolean mask of the real entries."""
    width = max((s.width for s in spans), default=1)
    idx = torch.zeros(len(spans), width, dtype=torch.long)
    mask = torch.zeros(len(spans), width, dtype=torch.bool)
    for g, s in enumerate(spans):
        idx[g] = s.start
        idx[g, : s.width] = torch.arange(s.start, s.start + s.width)
        mask[g, : s.width] = True
    return idx.to(device), mask.to(device)


class OutputActivation(nn.Module):
    """tanh on the ``alpha`` scalars and Gumbel-softmax (temperature ``tau``) on every one-hot group, in
    a few vectorised operations. Input and output ``(batch, data_dim)``."""

    def __init__(self, spans: list[Span], tau: float = 0.2):
        super().__init__()
        self.tau = tau
        tanh = [s.start for s in spans if s.kind == "tanh"]
        groups = [s for s in spans if s.kind == "softmax"]
        idx, mask = _padded_groups(groups, "cpu")
        self.register_buffer("tanh_idx", torch.tensor(tanh, dtype=torch.long), persistent=False)
        self.register_buffer("group_idx", idx, persistent=False)
        self.register_buffer("group_mask", mask, persistent=False)
        self.register_buffer("flat_idx", idx[mask], persistent=False)

    def forward(self, raw: Tensor, generator: torch.Generator | None = None) -> Tensor:
        out = torch.empty_like(raw)
        out[:, self.tanh_idx] = torch.tanh(raw[:, self.tanh_idx])
        if self.flat_idx.numel():
            logits = raw[:, self.group_idx]                                  # (batch, groups, width)
            u = torch.rand(logits.shape, device=raw.device, generator=generator).clamp_(1e-10, 1 - 1e-7)
            g = (logits - torch.log(-torch.log(u))) / self.tau
            g = g.masked_fill(~self.group_mask, float("-inf"))
            # softmax over the short last axis, written out (torch.softmax is slow there on CPUs)
            e = torch.exp(g - g.amax(dim=2, keepdim=True))
            out[:, self.flat_idx] = (e / e.sum(dim=2, keepdim=True))[:, self.group_mask]
        return out


# ---------------------------------------------------------------------------------------------- sampling
class ConditionSampler:
    """Conditional vectors and training-by-sampling (CTGAN section 4.3), all on the device.

    Built from the encoded training matrix ``(n_rows, data_dim)`` and its discrete spans. The conditional
    vector is the concatenation of the one-hots of all categorical columns, ``(batch, cond_dim)``, with a
    single 1 in the chosen column's group.
    """

    def __init__(self, data: Tensor, discrete: list[Span]):
        device = data.device
        self.n_rows = data.shape[0]
        self.discrete = discrete
        self.n_columns = len(discrete)
        self.cond_dim = sum(s.width for s in discrete)
        if not discrete:
            return
        widths = torch.tensor([s.width for s in discrete], device=device)
        self.widths = widths
        self.cond_offset = torch.cumsum(widths, 0) - widths                     # (n_columns,)
        max_w = int(widths.max())
        idx, mask = _padded_groups(discrete, device)
        codes = torch.where(mask[None], data[:, idx], torch.tensor(-1.0, device=device)).argmax(dim=2)  # (n, n_columns)
        counts = torch.zeros(self.n_columns, max_w, device=device)
        counts.scatter_add_(1, codes.T.contiguous(), torch.ones_like(codes.T, dtype=torch.float))
        self.freq = counts / self.n_rows                                       # original frequencies
        log_freq = torch.log(counts + 1) * mask
        self.log_prob = log_freq / log_freq.sum(dim=1, keepdim=True)           # training-by-sampling
        # rows of every (column, level): rows sorted by level, with the start of each level
        self.sorted_rows = torch.argsort(codes.T, dim=1, stable=True)          # (n_columns, n)
        self.level_start = torch.cumsum(counts, 1) - counts                     # (n_columns, max_w)
        self.level_count = counts
        self.group_idx, self.group_mask = idx, mask

    @classmethod
    def for_generation(cls, freq: list, discrete: list[Span], device) -> ConditionSampler:
        """A sampler that only generates (level frequencies, no training rows), as rebuilt from a model
        file, which does not hold the training data."""
        s = cls.__new__(cls)
        s.discrete, s.n_columns = discrete, len(discrete)
        s.cond_dim = sum(sp.width for sp in discrete)
        if discrete:
            widths = torch.tensor([sp.width for sp in discrete], device=device)
            s.widths = widths
            s.cond_offset = torch.cumsum(widths, 0) - widths
            s.freq = torch.tensor(freq, device=device)
            s.group_idx, s.group_mask = _padded_groups(discrete, device)
        return s

    def sample_train(self, batch: int) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """Training-by-sampling: ``(cond (batch, cond_dim), column (batch,), level (batch,), rows (batch,))``
        where ``rows`` are real rows holding the chosen level."""
        device = self.log_prob.device
        col = torch.randint(self.n_columns, (batch,), device=device)
        level = torch.multinomial(self.log_prob[col], 1).squeeze(1)
        cond = torch.zeros(batch, self.cond_dim, device=device)
        cond[torch.arange(batch, device=device), self.cond_offset[col] + level] = 1.0
        count = self.level_count[col, level]
        pos = self.level_start[col, level] + torch.floor(torch.rand(batch, device=device) * count)
        rows = self.sorted_rows[col, pos.long()]
        return cond, col, level, rows

    def sample_original(self, batch: int, generator: torch.Generator | None = None) -> Tensor:
        """Conditional vectors for unconditional sampling: a column uniformly, a level with its frequency."""
        device = self.freq.device
        col = torch.randint(self.n_columns, (batch,), device=device, generator=generator)
        level = torch.multinomial(self.freq[col] + 1e-12, 1, generator=generator).squeeze(1)
        cond = torch.zeros(batch, self.cond_dim, device=device)
        cond[torch.arange(batch, device=device), self.cond_offset[col] + level] = 1.0
        return cond

    def condition(self, batch: int, column: int, level: int) -> Tensor:
        cond = torch.zeros(batch, self.cond_dim, device=self.freq.device)
        cond[:, int(self.cond_offset[column]) + level] = 1.0
        return cond


class _CTGANProblem:
    """The CTGAN game for :class:`indgan.training.AdversarialTrainer`.

    It receives the networks, not the estimator: ``generator`` maps ``[z, cond, context]`` to raw outputs,
    ``activation`` turns them into an encoded row. ``context`` ``(n_rows, n_context)`` (optional) holds
    per-row continuous conditions (setpoints, batch progress, scaled to [0, 1]) that the generator and the
    critic both see: a generated row gets the context of the real row that training-by-sampling picked, so
    the game learns the rows given their context (a conditional GAN with continuous labels).
    """

    def __init__(self, generator: nn.Module, activation: nn.Module, latent_dim: int, data: Tensor,
                 sampler: ConditionSampler, batch: int, need_real: bool, context: Tensor | None = None):
        self.generator, self.activation, self.latent_dim = generator, activation, latent_dim
        self.data, self.sampler, self.batch, self.need_real, self.context = data, sampler, batch, need_real, context
        self.device = data.device

    def _z(self) -> Tensor:
        return torch.randn(self.batch, self.latent_dim, device=self.device)

    def _draw(self):
        """(cond, column, level, real rows, generator condition input [cond, context])."""
        s, b = self.sampler, self.batch
        if s.n_columns:
            cond, col, level, rows = s.sample_train(b)
        else:
            rows = torch.randint(self.data.shape[0], (b,), device=self.device)
            cond, col, level = self.data.new_zeros(b, 0), None, None
        given = cond if self.context is None else torch.cat([cond, self.context[rows]], 1)
        return col, level, rows, given

    def critic_batch(self):
        _, _, rows, given = self._draw()
        with torch.no_grad():  # the critic step does not train the generator
            fake = self.activation(self.generator(torch.cat([self._z(), given], 1)))
        perm = torch.randperm(self.batch, device=self.device)      # real packs independent of fake packs
        real = torch.cat([self.data[rows[perm]], given[perm]], 1)
        return real, torch.cat([fake, given], 1)

    def generator_batch(self):
        col, level, rows, given = self._draw()
        raw = self.generator(torch.cat([self._z(), given], 1))
        fake = torch.cat([self.activation(raw), given], 1)
        extra = None
        s = self.sampler
        if s.n_columns:
            # conditional loss: cross-entropy of the chosen column's logits against the asked level
            logits = raw[:, s.group_idx].masked_fill(~s.group_mask[None], float("-inf"))  # (b, cols, w)
            extra = F.cross_entropy(logits[torch.arange(self.batch, device=self.device), col], level)
        real = torch.cat([self.data[rows], given], 1) if self.need_real else None
        return fake, real, extra


class _ValidationStop:
    """Early stopping on held-out rows: every ``every`` epochs, ``score()`` (higher is better) rates the
    averaged generator; the best weights are kept and training stops after ``patience`` scores without an
    improvement of at least ``min_delta``."""

    def __init__(self, score, net, every: int, patience: int, min_delta: float = 1e-3):
        self.score, self.net, self.every, self.patience, self.min_delta = score, net, every, patience, min_delta
        self.best, self.best_epoch, self.state, self.bad = -float("inf"), 0, None, 0

    def __call__(self, stats: dict) -> bool:
        if stats["epoch"] % self.every:
            return False
        net = self.net()
        value = self.score(net)
        net.train()
        stats["score"] = value
        if value > self.best + self.min_delta or self.state is None:
            self.best, self.best_epoch, self.bad = max(value, self.best), stats["epoch"], 0
            self.state = {k: v.detach().clone() for k, v in net.state_dict().items()}
        else:
            self.bad += 1
        return self.bad >= self.patience


# ---------------------------------------------------------------------------------------------- model
class TabularGAN(BaseEstimator):
    """Conditional tabular GAN for plant logs (CTGAN, Xu et al., NeurIPS 2019).

    Learns the joint distribution of the rows of a table (operating points) and samples new rows in the
    input's schema, optionally conditioned on a categorical column (operating mode, fault, a tag's status).

    Parameters
    ----------
    epochs : int or None, default None
        Most passes over the data (``n_rows // batch_size`` generator steps each). None: as many as the time
        budget allows, until the held-out score stops improving.
    time_budget : float, str or None, default "auto"
        Seconds (or ``"90s"``, ``"3m"``, ``"1h"``) the training may take; "auto" is :data:`indgan.budget.AUTO_BUDGET`. Training also stops when the held-out score stops improving (``validation_share``,
        ``patience``). None trains for ``epochs``. With a time budget the number of steps depends on the
        machine's speed; give ``epochs`` and ``time_budget=None`` for a fit that repeats step for step.
    validation_share : float, default 0.1
        Share of the rows held out of training to score the averaged generator every ~50 steps
        (:func:`indgan.evaluation.row_fidelity`: column shapes and correlations, like sdmetrics' quality
        score); the best weights are kept. 0 turns it off. Tables of fewer than 500 rows are not split.
    patience : int, default 8
        Scores without an improvement of at least 0.001 before training stops.
    batch_size : int, default 500
        Rows per step; a multiple of ``pac`` (smaller tables use the largest multiple of ``pac`` that fits).
    latent_dim : int, default 128
        Size of the noise vector z.
    generator_dim, critic_dim : tuple of int, default (256, 256)
        Hidden sizes of the residual generator and of the critic.
    loss : {"wgan-gp", "minimax", "non-saturating", "feature-matching"}, default "wgan-gp"
    critic_steps : int, default 1
        Critic updates per generator update (k of Goodfellow et al. 2014).
    pac : int, default 1
        Rows per critic pack (PacGAN, Lin et al. 2018; CTGAN uses 10). Measured on the plant logs (300
        epochs, same seed): pac 10, 5, 2, 1 gave quality 0.822, 0.839, 0.843, 0.859: with a few thousand
        rows a packed critic sees too few samples per step, so packing is off by default and one argument
        away when mode collapse shows (categories missing from samples).
    generator_lr, critic_lr : float, default 2e-4 and 1e-3
        Adam learning rates. The critic learns faster than the generator (two time-scale update rule,
        Heusel et al., NeurIPS 2017): on plant logs this beats CTGAN's equal 2e-4 at the same cost, where
        extra critic steps would double it.
    generator_decay, critic_decay : float, default 1e-6
        Adam weight decay.
    ema_decay : float or None, default 0.995
        The generator used for sampling is the exponential moving average of its weights over the
        generator steps (Yazici et al., ICLR 2019); None samples from the last iterate, as CTGAN does.
    n_modes : int, default 5
        Most Gaussian modes per continuous column. Measured on the plant logs (150 epochs, same seed): 10
        modes, 863 encoded dims, quality 0.925 in 88 s; 5 modes, 589 dims, 0.929 in 67 s; 3 modes 0.922 in 52
        s. The generator's output layer grows with the encoded width, so fewer modes are faster.
    gp_every : int, default 4
        Lazy gradient penalty (WGAN-GP only): the penalty on every ``gp_every``-th critic step, ``gp_every``
        times as heavy (:class:`~indgan.losses.AdversarialLoss`).
    max_discrete_levels : int, default 10
        Numeric columns with at most this many values are categorical.
    columns : dict, optional
        Column-role overrides, e.g. ``{"time": "timestamp", "categorical": ["mode"]}``.
    device : str, default "auto"
        ``"auto"`` (CUDA when present, else CPU), ``"cpu"``, ``"cuda"``, ``"cuda:1"``...
    random_state : int or None, default None
        Seed of the transform, the weights and the training batches (same seed, same device -> same model).
    verbose : bool, default True
        Progress bar per epoch with the losses.

    Attributes
    ----------
    schema_ : Schema
    transformer_ : DataTransformer
    summary_ : TrainingSummary
        Per-epoch generator/critic losses and mean D(x), D(G(z)).
    """

    kind = "TabularGAN"

    def __init__(self, epochs: int | None = None, time_budget: float | str | None = "auto",
                 validation_share: float = 0.1, patience: int = 8, batch_size: int = 500, latent_dim: int = 128,
                 generator_dim: tuple[int, ...] = (256, 256), critic_dim: tuple[int, ...] = (256, 256),
                 loss: str = "wgan-gp", critic_steps: int = 1, pac: int = 1,
                 generator_lr: float = 2e-4, critic_lr: float = 1e-3,
                 generator_decay: float = 1e-6, critic_decay: float = 1e-6,
                 ema_decay: float | None = 0.995,
                 n_modes: int = 5, gp_every: int = 4, max_discrete_levels: int = 10, columns: dict | None = None,
                 device: str = "auto", random_state: int | None = None, verbose: bool = True):
        self.epochs = epochs
        self.time_budget = time_budget
        self.validation_share = validation_share
        self.patience = patience
        self.batch_size = batch_size
        self.latent_dim = latent_dim
        self.generator_dim = generator_dim
        self.critic_dim = critic_dim
        self.loss = loss
        self.critic_steps = critic_steps
        self.pac = pac
        self.generator_lr = generator_lr
        self.critic_lr = critic_lr
        self.generator_decay = generator_decay
        self.critic_decay = critic_decay
        self.ema_decay = ema_decay
        self.n_modes = n_modes
        self.gp_every = gp_every
        self.max_discrete_levels = max_discrete_levels
        self.columns = columns
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ checks
    def _validate_params(self):
        for name in ("batch_size", "latent_dim", "critic_steps", "pac", "n_modes", "gp_every", "patience"):
            check_positive_int(name, getattr(self, name))
        check_positive_int("epochs", self.epochs, optional=True)
        budget_seconds(self.time_budget, "cpu")
        if self.epochs is None and self.time_budget is None:
            raise ConfigError("give epochs or a time_budget (both are None): training would never stop.")
        check_fraction("validation_share", self.validation_share, upper=0.5)
        for name in ("generator_lr", "critic_lr"):
            check_positive_float(name, getattr(self, name))
        for name in ("generator_decay", "critic_decay"):
            check_positive_float(name, getattr(self, name), allow_zero=True)
        if self.loss not in LOSSES:
            raise ConfigError(f"unknown loss {self.loss!r}; choose one of {', '.join(LOSSES)}.")
        if self.batch_size % self.pac:
            raise ConfigError(f"batch_size ({self.batch_size}) must be a multiple of pac ({self.pac}).")

    def _check_fitted(self):
        if not hasattr(self, "generator_"):
            raise NotFittedError("this TabularGAN is not fitted yet; call fit(df) or TabularGAN.load(path).")

    # ------------------------------------------------------------------ fit
    def fit(self, data: pd.DataFrame, schema: Schema | None = None, context: np.ndarray | None = None) -> TabularGAN:
        """Learn the table.

        Parameters
        ----------
        data : pandas.DataFrame or str or Path
            ``(n_rows, n_columns)`` training table, or a parquet/CSV path. Not modified.
        schema : Schema, optional
            Column roles; inferred (with ``columns`` overrides) when omitted.
        context : numpy.ndarray, optional
            ``(n_rows, n_context)`` continuous conditions of each row, scaled to [0, 1] (setpoints, batch
            progress): the generator and the critic see them, and :meth:`sample` then needs them. Used by
            :class:`~indgan.models.log.LogGAN` for its row model.

        Returns
        -------
        self

        Raises
        ------
        DataError
            Bad table (see :func:`indgan.schema.infer_schema`), or fewer than ``max(10, pac)`` rows.
        ConfigError
            Invalid parameters.
        """
        from ..evaluation import row_fidelity
        from ..io import read_table

        self._validate_params()
        if not isinstance(data, pd.DataFrame):
            data = read_table(data)
        source = data.attrs.get("source", "table")
        seed_everything(self.random_state)
        device = resolve_device(self.device)
        threads.start()
        t0 = time.perf_counter()
        schema = schema or infer_schema(data, overrides=self.columns, max_discrete_levels=self.max_discrete_levels,
                                        source=source)
        view = schema.view(data)
        n = len(view)
        min_rows = max(10, self.pac)
        if n < min_rows:
            raise DataError(f"{source}: {n} row(s); TabularGAN needs at least {min_rows} rows to learn from.")
        if context is not None:
            context = np.asarray(context, dtype=np.float32).reshape(n, -1)
        # rows held out of training to score the generator (early stopping)
        rng = np.random.default_rng(0 if self.random_state is None else self.random_state)
        held = np.zeros(n, dtype=bool)
        if self.validation_share and n >= 500:
            held[rng.choice(n, int(round(self.validation_share * n)), replace=False)] = True
        transformer = DataTransformer(schema, n_modes=self.n_modes, device=device,
                                      random_state=0 if self.random_state is None else self.random_state)
        transformer.fit(view[~held])
        encoded = transformer.transform(view[~held])
        transform_seconds = time.perf_counter() - t0
        n_train = encoded.shape[0]
        batch = min(self.batch_size, (n_train // self.pac) * self.pac)
        steps = max(1, n_train // batch)

        spans = transformer.output_spans()
        discrete = [s for s in spans if s.discrete]
        self.schema_, self.transformer_ = schema, transformer
        self.context_dim_ = 0 if context is None else context.shape[1]
        self._build(transformer.output_dim, spans, discrete, device)
        data_t = torch.from_numpy(encoded).to(device)
        # The encoding keeps outliers exact (|alpha| > 1 beyond every mode's 4 sigma); the generator's tanh
        # cannot reach them, so the critic would win on them alone: it sees them at the edge, as in CTGAN.
        tanh_idx = torch.tensor([s.start for s in spans if s.kind == "tanh"], dtype=torch.long, device=device)
        data_t[:, tanh_idx] = data_t[:, tanh_idx].clamp(-0.99, 0.99)
        self.sampler_ = ConditionSampler(data_t, discrete)
        ctx_t = None if context is None else torch.from_numpy(context[~held]).to(device)

        loss = AdversarialLoss(self.loss, pac=self.pac, gp_every=self.gp_every)
        g_opt = torch.optim.Adam(self.generator_.parameters(), lr=self.generator_lr, betas=(0.5, 0.9),
                                 weight_decay=self.generator_decay)
        d_opt = torch.optim.Adam(self.critic_.parameters(), lr=self.critic_lr, betas=(0.5, 0.9),
                                 weight_decay=self.critic_decay)
        trainer = AdversarialTrainer(self.generator_, self.critic_, loss, g_opt, d_opt,
                                     critic_steps=self.critic_steps, ema_decay=self.ema_decay,
                                     verbose=self.verbose, desc="TabularGAN")
        problem = _CTGANProblem(self.generator_, self.activation_, self.latent_dim, data_t, self.sampler_, batch,
                                need_real=self.loss == "feature-matching", context=ctx_t)
        stop = None
        if held.any():
            real_held = view[held]
            held_ctx = None if context is None else torch.from_numpy(context[held]).to(device)
            cont = [c.name for c in schema.columns if c.role == CONTINUOUS]
            cats = [b["column"] for b in transformer.to_dict()["blocks"] if b["kind"] == "categorical"]
            gen = make_generator(device, 0)

            def score(net) -> float:
                m = len(real_held) * 4
                ctx = None if held_ctx is None else held_ctx[torch.randint(len(held_ctx), (m,), device=device,
                                                                             generator=gen)]
                out = self.generate_encoded(m, [], gen, ctx, net=net)
                return row_fidelity(real_held, transformer.inverse_transform(out), cont, cats)

            stop = _ValidationStop(score, lambda: trainer.ema_generator or self.generator_,
                                   every=max(1, round(50 / steps)), patience=self.patience)
        budget = budget_seconds(self.time_budget, device)
        summary = trainer.fit(problem, self.epochs or 100_000, steps, device, on_epoch_end=stop,
                              time_budget=None if budget is None else max(1.0, budget - (time.perf_counter() - t0)))
        if stop is not None and stop.state is not None:  # the best weights seen on the held-out rows
            self.generator_.load_state_dict(stop.state)
        elif trainer.ema_generator is not None:  # sample from the averaged weights
            self.generator_.load_state_dict(trainer.ema_generator.state_dict())
        self.generator_.eval()
        self.summary_ = summary
        self.fit_info_ = {"n_rows": n, "n_train": int(n_train), "batch_size": batch, "steps_per_epoch": steps,
                          "transform_seconds": transform_seconds, "fit_seconds": time.perf_counter() - t0,
                          "data_dim": transformer.output_dim, "cond_dim": self.sampler_.cond_dim,
                          "context_dim": self.context_dim_,
                          "level_freq": self.sampler_.freq.tolist() if discrete else [],
                          "stop_reason": summary.stop_reason, "time_budget": budget,
                          "validation_score": None if stop is None else stop.best,
                          "best_epoch": None if stop is None else stop.best_epoch}
        self._rng_ = self._new_generator(self.random_state)
        return self

    def _build(self, data_dim: int, spans: list[Span], discrete: list[Span], device: torch.device):
        cond_dim = sum(s.width for s in discrete)
        self.device_ = device
        given = cond_dim + getattr(self, "context_dim_", 0)
        self.generator_ = Generator(self.latent_dim + given, tuple(self.generator_dim), data_dim).to(device)
        self.critic_ = Critic(data_dim + given, tuple(self.critic_dim), self.pac).to(device)
        self.activation_ = OutputActivation(spans).to(device)

    def _new_generator(self, seed: int | None) -> torch.Generator:
        return make_generator(self.device_, seed)

    # ------------------------------------------------------------------ sample
    def sample(self, n: int, conditions: dict[str, Any] | None = None, random_state: int | None = None,
               batch_size: int = 10_000, context: np.ndarray | None = None) -> pd.DataFrame:
        """Generate ``n`` synthetic rows.

        Parameters
        ----------
        n : int
            Number of rows.
        conditions : dict, optional
            ``{column: value}`` for categorical model-view columns (see
            :meth:`condition_candidates`), e.g. ``{"mode": "B"}`` or ``{"tag70:status": "Bad"}``. Values may
            be given as strings (``"1.0501"`` matches the level ``1.0501``). Every returned row has these
            values; the other columns are generated given them.
        random_state : int, optional
            Seed of this draw; without it successive calls continue one seeded stream.
        batch_size : int
            Rows generated per forward pass.
        context : numpy.ndarray, optional
            ``(n, n_context)`` continuous conditions in [0, 1], for a model fitted with ``context``.

        Returns
        -------
        pandas.DataFrame
            ``(n, n_columns)`` in the training table's column order and dtypes.

        Raises
        ------
        ConditionError
            Unknown column, a column that cannot be a condition, or a value never seen in training.
        ConfigError
            ``n`` not a positive integer, or ``context`` missing or of the wrong shape.
        """
        self._check_fitted()
        n = check_positive_int("n", n)
        fixed = self._resolve_conditions(conditions or {})
        g = self._rng_ if random_state is None else self._new_generator(random_state)
        ctx = None
        if self.context_dim_:
            if context is None or np.shape(context) != (n, self.context_dim_):
                raise ConfigError(f"this model was fitted with {self.context_dim_} context column(s): give context "
                                  f"as an array of shape ({n}, {self.context_dim_}).")
            ctx = torch.as_tensor(np.asarray(context, np.float32), device=self.device_)
        chunks = [self.generate_encoded(min(batch_size, n - a), fixed, g, None if ctx is None else ctx[a:a + batch_size])
                  for a in range(0, n, batch_size)]
        view = self.transformer_.inverse_transform(np.concatenate(chunks))
        return self.schema_.unview(view)

    @torch.no_grad()
    def generate_encoded(self, b: int, fixed: list, g: torch.Generator, context: Tensor | None = None,
                         net: nn.Module | None = None) -> np.ndarray:
        """``b`` encoded rows ``(b, data_dim)`` float32 from the generator (or ``net``): the noise and the
        conditional vector drawn as in CTGAN's sampling, with the ``fixed`` levels (from
        ``_resolve_conditions``) and ``context`` ``(b, context_dim)`` when the model has one. Decode them with
        ``transformer_.inverse_transform``."""
        net = net or self.generator_
        net.eval()
        z = torch.randn(b, self.latent_dim, device=self.device_, generator=g)
        parts = [z]
        if self.sampler_.n_columns:
            if fixed:
                col, level, _ = fixed[0]
                parts.append(self.sampler_.condition(b, col, level))
            else:
                parts.append(self.sampler_.sample_original(b, generator=g))
        if context is not None:
            parts.append(context)
        out = self.activation_(net(torch.cat(parts, 1)), generator=g)
        for _, level, span in fixed:  # every row carries the asked levels
            out[:, span.start:span.start + span.width] = 0.0
            out[:, span.start + level] = 1.0
        return out.cpu().numpy()

    extra_loss_name = "cond CE"

    def training_lines(self) -> list[str]:
        """How the model was trained, for ``indgan info``."""
        fi, summary = self.fit_info_, self.summary_
        score = fi.get("validation_score")
        return [f"training: {summary.epochs} epochs x {fi['steps_per_epoch']} steps, batch {fi['batch_size']}, "
                f"loss {summary.loss}, {summary.seconds:.1f} s on {summary.device} ({summary.stop_reason}), "
                f"{fi['n_rows']} rows" + (f", held-out score {score:.3f} at epoch {fi['best_epoch']}"
                                           if score is not None else "")]

    def condition_candidates(self) -> dict[str, list]:
        """``{model-view column: levels}`` that :meth:`sample` accepts as conditions."""
        self._check_fitted()
        return {s.column: self.transformer_.categories(s.column) for s in self.sampler_.discrete}

    def _resolve_conditions(self, conditions: dict) -> list[tuple[int, int, Span]]:
        fixed = []
        names = [s.column for s in self.sampler_.discrete]
        for column, value in conditions.items():
            if column not in names:
                if column in self.schema_.names and self.schema_[column].role == CONTINUOUS:
                    raise ConditionError(
                        f"column {column!r} is continuous; TabularGAN conditions on categorical columns only "
                        f"({', '.join(names[:10]) or 'none'}). Declare it categorical in the config to condition on it."
                    )
                raise ConditionError(
                    f"unknown condition column {column!r}; the model can be conditioned on: "
                    f"{', '.join(names[:20]) or 'nothing (no categorical column)'}."
                )
            j = names.index(column)
            levels = self.transformer_.categories(column)
            level = match_level(levels, value)
            if level is None:
                raise ConditionError(
                    f"condition {column}={value!r}: this value never occurs in the training data; known values: "
                    f"{', '.join(map(str, levels[:20]))}{' ...' if len(levels) > 20 else ''}."
                )
            fixed.append((j, level, self.sampler_.discrete[j]))
        return fixed

    # ------------------------------------------------------------------ persistence
    def save(self, path) -> Any:
        """Write the fitted model to one file (JSON config + tensors; see :mod:`indgan.persist`).

        Returns
        -------
        pathlib.Path
            The file written (conventionally ``*.indgan``), loadable with :meth:`load` on any device.

        Raises
        ------
        NotFittedError
            The model has not been fitted.
        ModelFileError
            The file cannot be written.
        """
        self._check_fitted()
        meta, tensors = self.to_state()
        return save_model_file(path, self.kind, meta, tensors)

    def to_state(self) -> tuple[dict, dict[str, Tensor]]:
        """The fitted model as ``(JSON-able metadata, tensors)``: what :meth:`save` writes, and what a model that
        holds a TabularGAN (:class:`~indgan.models.log.LogGAN`'s row model) stores inside its own file."""
        meta = {
            "params": {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.get_params().items()},
            "schema": self.schema_.to_dict(),
            "transformer": self.transformer_.to_dict(),
            "summary": self.summary_.to_dict(),
            "fit_info": self.fit_info_,
        }
        tensors = {f"generator.{k}": v for k, v in self.generator_.state_dict().items()}
        tensors.update({f"critic.{k}": v for k, v in self.critic_.state_dict().items()})
        return meta, tensors

    @classmethod
    def load(cls, path, device: str = "auto") -> TabularGAN:
        """Load a model file written by :meth:`save` onto ``device`` (a GPU-trained model loads on a CPU).

        Raises
        ------
        ModelFileError
            Missing, corrupt, unsafe or foreign file.
        """
        _, meta, tensors = load_model_file(path, expected_kind=cls.kind)
        return cls.from_state(meta, tensors, device, source=path)

    @classmethod
    def from_state(cls, meta: dict, tensors: dict[str, Tensor], device: str = "auto", source="model") -> TabularGAN:
        """Inverse of :meth:`to_state`.

        Raises
        ------
        ModelFileError
            Weights that do not match the config.
        """
        params = dict(meta["params"])
        for k in ("generator_dim", "critic_dim"):
            params[k] = tuple(params[k])
        params["device"] = device
        model = cls(**{k: v for k, v in params.items() if k in cls._get_param_names()})
        model.schema_ = Schema.from_dict(meta["schema"])
        model.transformer_ = DataTransformer.from_dict(meta["transformer"], model.schema_)
        model.summary_ = TrainingSummary.from_dict(meta["summary"])
        model.fit_info_ = meta["fit_info"]
        model.context_dim_ = meta["fit_info"].get("context_dim", 0)
        spans = model.transformer_.output_spans()
        discrete = [s for s in spans if s.discrete]
        dev = resolve_device(device)
        model._build(model.transformer_.output_dim, spans, discrete, dev)
        try:
            model.generator_.load_state_dict(split_state(tensors, "generator"))
            model.critic_.load_state_dict(split_state(tensors, "critic"))
        except (RuntimeError, KeyError) as exc:
            raise ModelFileError(f"{source}: the weights do not match the model's config (damaged file?).") from exc
        model.generator_.eval()
        model.critic_.eval()
        # Sampling needs the level frequencies, not the training rows (which the file does not hold).
        model.sampler_ = ConditionSampler.for_generation(meta["fit_info"]["level_freq"], discrete, dev)
        model._rng_ = model._new_generator(model.random_state)
        return model

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "generator_")
