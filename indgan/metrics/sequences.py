"""Scores for synthetic time series: TimeGAN's discriminative and predictive scores, ACF and correlation gaps.

The two learned scores follow the evaluation protocol of Yoon, Jarrett and van der Schaar, "Time-series
Generative Adversarial Networks", NeurIPS 2019 (section 5, "Evaluation and analysis"):

- :func:`discriminative_score` ("post-hoc classification"): a small GRU classifier learns to tell real
  sequences (label 1) from synthetic ones (label 0); the score is ``|0.5 - test accuracy|``. 0 means the two
  sets cannot be told apart, 0.5 that they always can. Lower is better.
- :func:`predictive_score` ("train on synthetic, test on real"): a small GRU learns next-step prediction on
  the synthetic sequences; the score is its mean absolute error on the real ones. Lower is better; compare
  it with the same score for real training data (``synthetic=real``) as the reference.

Two cheaper, model-free statistics complement them:

- :func:`autocorrelation_difference`: per feature, the mean absolute gap between the real and the synthetic
  autocorrelation functions over lags ``1..max_lag`` (temporal dynamics).
- :func:`cross_correlation_difference`: per feature, the mean absolute gap between the real and the
  synthetic Pearson correlations with the other features (dependence between features).

The statistics of whole logs (step changes, autocorrelation and cross-correlation over segments, the most
correlated tag pairs) live in :mod:`indgan.stats` and are re-exported here under their old names.

Inputs are arrays or tensors of shape ``(n_sequences, seq_len, n_features)``, scaled to [0, 1] (min-max
scaling with the *real* data's per-feature minimum and maximum, applied to both sets). Variable-length data
is passed padded to a common ``seq_len`` with a ``lengths`` vector; whatever lies beyond a sequence's length
is ignored. Real and synthetic sets may have different ``seq_len`` and different numbers of sequences.

Implementation: the ``n_repeats`` independent classifiers / predictors of a score are trained in one pass
as one block-diagonal GRU (the weights between repeats are zero and stay zero: their gradients are
masked), so a repeat costs about as much as a single model while each repeat keeps its own
initialisation, data split and minibatches and is numerically the model it would be on its own.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn
from tqdm.auto import tqdm

from ..errors import ConfigError, DataError, check_positive_int
from ..stats import (  # noqa: F401  (re-exported: the statistics of whole logs, now in indgan.stats)
    log_autocorrelation,
    log_cross_correlation,
    pair_correlation_error,
    step_change_scores,
    step_changes,
    step_scale,
    top_correlated_pairs,
)
from ..training import resolve_device

__all__ = [
    "ScoreStats",
    "discriminative_score",
    "predictive_score",
    "autocorrelation_difference",
    "cross_correlation_difference",
]

TRAIN_FRACTION = 0.8  # TimeGAN's train/test split of each set for the discriminative score
MIN_SEQUENCES = 4  # an 80/20 split needs at least 4 sequences to leave one for testing
_EVAL_CHUNK_ELEMENTS = 1 << 23  # input elements per evaluation chunk (bounds memory on large sets)


@dataclass(frozen=True)
class ScoreStats:
    """Mean and spread of a score over repeated trainings.

    Attributes
    ----------
    mean : float
        Mean of ``values``.
    std : float
        Standard deviation of ``values`` (population, ``ddof=0``; 0 for a single repeat).
    values : list of float
        The score of each repeat, in order.
    """

    mean: float
    std: float
    values: list[float]

    @classmethod
    def from_values(cls, values) -> ScoreStats:
        values = [float(v) for v in values]
        return cls(mean=float(np.mean(values)), std=float(np.std(values)), values=values)

    def to_dict(self) -> dict:
        """``{"mean": ..., "std": ..., "values": [...]}`` (JSON-serialisable)."""
        out = asdict(self)
        out["values"] = list(self.values)
        return out

    def __str__(self) -> str:
        return f"{self.mean:.3f} ± {self.std:.3f}"


# --------------------------------------------------------------------------------------------------------
# Input validation


@dataclass
class _Sequences:
    """A validated set of sequences: ``data`` (n, seq_len, n_features) with zeros beyond each length."""

    data: Tensor
    lengths: Tensor  # (n,) int64, 1 <= lengths <= seq_len
    name: str

    @property
    def n(self) -> int:
        return self.data.shape[0]

    @property
    def seq_len(self) -> int:
        return self.data.shape[1]

    @property
    def n_features(self) -> int:
        return self.data.shape[2]

    @property
    def mask(self) -> Tensor:
        """(n, seq_len) bool: True at the valid steps."""
        return torch.arange(self.seq_len) < self.lengths[:, None]


_SHAPE_HINT = "pass a float array of shape (n_sequences, seq_len, n_features)"


def _to_tensor(x, name: str) -> Tensor:
    if isinstance(x, Tensor):
        t = x.detach().cpu()
        if t.is_complex() or t.dtype == torch.bool:
            raise DataError(f"{name} has dtype {t.dtype}; {_SHAPE_HINT} of real numbers.")
        return t
    try:
        arr = np.asarray(x)
    except Exception as exc:  # ragged nested lists and the like
        raise DataError(
            f"{name} cannot be read as an array ({exc}); {_SHAPE_HINT}, padded to a common "
            "seq_len, with a lengths vector for variable-length sequences."
        ) from exc
    if arr.dtype.kind not in "iuf":
        raise DataError(
            f"{name} has dtype {arr.dtype}; {_SHAPE_HINT} of real numbers "
            "(convert status strings or dates to numbers first)."
        )
    return torch.from_numpy(np.ascontiguousarray(arr))


def _lengths(lengths, name: str, n: int) -> Tensor:
    what = f"{name}_lengths must be a 1-D vector of {n} integers (the valid steps of each sequence of {name})"
    try:
        lens = lengths.detach().cpu() if isinstance(lengths, Tensor) else torch.from_numpy(np.asarray(lengths))
    except Exception as exc:
        raise DataError(f"{what}; got {type(lengths).__name__}.") from exc
    if lens.ndim != 1 or lens.shape[0] != n:
        raise DataError(f"{what}, got shape {tuple(lens.shape)}.")
    integer = (torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64)
    if not (lens.is_floating_point() or lens.dtype in integer):
        raise DataError(f"{what}, got dtype {lens.dtype}.")
    if lens.is_floating_point() and not torch.all(lens == torch.round(lens)):
        raise DataError(f"{what}; it holds non-integer values.")
    return lens.to(torch.long)


def _sequences(x, lengths, name: str, dtype: torch.dtype, min_sequences: int = 1) -> _Sequences:
    """Validate one set; the result is on the CPU with ``dtype`` and zeros beyond each sequence's length."""
    t = _to_tensor(x, name)
    if t.ndim != 3:
        raise DataError(
            f"{name} has shape {tuple(t.shape)} ({t.ndim}-D); {_SHAPE_HINT}. A single sequence "
            "needs a leading axis of 1; a single feature needs a trailing axis of 1."
        )
    n, seq_len, n_features = t.shape
    if n < min_sequences:
        why = " (to train a model on some and test it on others)" if min_sequences > 1 else ""
        raise DataError(
            f"{name} holds {n} sequences; this score needs at least {min_sequences}{why}; pass more sequences."
        )
    if seq_len < 1 or n_features < 1:
        raise DataError(f"{name} has shape {tuple(t.shape)}: no steps or no features; {_SHAPE_HINT}.")
    t = t.to(dtype)
    if lengths is None:
        lens = torch.full((n,), seq_len, dtype=torch.long)
    else:
        lens = _lengths(lengths, name, n)
        bad = (lens < 1) | (lens > seq_len)
        if bad.any():
            i = int(bad.nonzero()[0, 0])
            raise DataError(
                f"{name}_lengths[{i}] = {int(lens[i])}, but lengths must lie in 1..{seq_len} "
                f"(the seq_len of {name}); drop empty sequences and pad the others to seq_len."
            )
    seqs = _Sequences(t, lens, name)
    valid = seqs.mask[..., None]
    bad = ~torch.isfinite(t) & valid
    if bad.any():
        i, s, f = (int(v) for v in bad.nonzero()[0])
        raise DataError(
            f"{name} holds {int(bad.sum())} NaN or infinite values within the valid steps (the "
            f"first at sequence {i}, step {s}, feature {f}); fill or drop gaps before scoring, e.g. "
            "interpolate along time, or cut the sequence at the gap and pass lengths."
        )
    seqs.data = torch.where(valid, t, torch.zeros((), dtype=dtype))
    return seqs


def _pair(real, synthetic, real_lengths, synthetic_lengths, dtype, min_sequences=1) -> tuple[_Sequences, _Sequences]:
    r = _sequences(real, real_lengths, "real", dtype, min_sequences)
    s = _sequences(synthetic, synthetic_lengths, "synthetic", dtype, min_sequences)
    if r.n_features != s.n_features:
        raise DataError(
            f"real has {r.n_features} features but synthetic has {s.n_features}; pass the same "
            "features, in the same order, in both (axis 2)."
        )
    return r, s


def _warn_if_not_unit_range(*sets: _Sequences) -> None:
    for s in sets:
        valid = s.data[s.mask]
        lo, hi = float(valid.min()), float(valid.max())
        if lo < -1e-6 or hi > 1 + 1e-6:
            warnings.warn(
                f"{s.name} values span [{lo:.3g}, {hi:.3g}], but the TimeGAN scores assume data "
                "scaled to [0, 1]; min-max scale both sets with the real data's per-feature minimum "
                "and maximum for scores comparable with published ones.",
                UserWarning,
                stacklevel=3,
            )


def _pad_to(s: _Sequences, seq_len: int) -> Tensor:
    if s.seq_len == seq_len:
        return s.data
    return F.pad(s.data, (0, 0, 0, seq_len - s.seq_len))


def _generator(random_state) -> torch.Generator:
    g = torch.Generator()
    if random_state is None:
        g.seed()
    elif isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool) and random_state >= 0:
        g.manual_seed(int(random_state))
    else:
        raise ConfigError(f"random_state must be None or a non-negative integer, got {random_state!r}.")
    return g


# --------------------------------------------------------------------------------------------------------
# The models: n_repeats one-layer GRUs + linear heads, trained together as one block-diagonal GRU


class _StackedGRU(nn.Module):
    """``n_models`` independent GRU(input_dim -> hidden_dim) + Linear(hidden_dim -> 1) models in one GRU.

    Input ``(batch, seq_len, n_models * input_dim)``: model ``r`` reads features
    ``r * input_dim : (r + 1) * input_dim``. The GRU weights are block-diagonal (zero between models, with
    their gradients masked so they stay zero), so model ``r``'s output depends on its inputs and weights
    only, and Adam's element-wise updates keep the models independent. Each block is initialised like a
    standalone ``nn.GRU`` / ``nn.Linear`` (uniform in ``±1/sqrt(hidden_dim)``), from ``generator``.
    """

    def __init__(self, n_models: int, input_dim: int, hidden_dim: int, generator: torch.Generator):
        super().__init__()
        self.n_models, self.input_dim, self.hidden_dim = n_models, input_dim, hidden_dim
        self.gru = nn.GRU(n_models * input_dim, n_models * hidden_dim, batch_first=True)
        self.head_weight = nn.Parameter(torch.empty(n_models, hidden_dim))
        self.head_bias = nn.Parameter(torch.empty(n_models))
        models = torch.arange(n_models)
        row = models.repeat_interleave(hidden_dim).repeat(3)  # gate rows, laid out [reset | update | new]
        self.register_buffer("mask_ih", (row[:, None] == models.repeat_interleave(input_dim)[None]).float())
        self.register_buffer("mask_hh", (row[:, None] == models.repeat_interleave(hidden_dim)[None]).float())
        bound = 1.0 / math.sqrt(hidden_dim)
        with torch.no_grad():
            for p in self.parameters():
                p.uniform_(-bound, bound, generator=generator)
            self.gru.weight_ih_l0.mul_(self.mask_ih)
            self.gru.weight_hh_l0.mul_(self.mask_hh)
        self.gru.weight_ih_l0.register_hook(lambda grad: grad * self.mask_ih)
        self.gru.weight_hh_l0.register_hook(lambda grad: grad * self.mask_hh)

    def forward(self, x: Tensor, last: Tensor | None = None) -> Tensor:
        """Logits: ``(batch, n_models)`` at step ``last`` if given, else ``(batch, seq_len, n_models)``."""
        out, _ = self.gru(x)
        batch, seq_len = out.shape[:2]
        out = out.view(batch, seq_len, self.n_models, self.hidden_dim)
        if last is not None:
            index = last[:, None, :, None].expand(batch, 1, self.n_models, self.hidden_dim)
            out = out.gather(1, index).squeeze(1)  # (batch, n_models, hidden)
        return (out * self.head_weight).sum(-1) + self.head_bias


def _stack(data: Tensor, index: Tensor) -> Tensor:
    """``data`` (n, seq_len, f) and ``index`` (n_models, b) -> model inputs (b, seq_len, n_models * f)."""
    x = data[index]  # (n_models, b, seq_len, f)
    n_models, b, seq_len, f = x.shape
    return x.permute(1, 2, 0, 3).reshape(b, seq_len, n_models * f)


class _Minibatches:
    """Minibatch indices for each model: ``size`` distinct rows of its pool, reshuffled after each pass."""

    def __init__(self, pools: Tensor, size: int, generator: torch.Generator, device: torch.device):
        self.pools, self.generator, self.device = pools, generator, device
        self.size = min(size, pools.shape[1])
        self.order = None
        self.pos = 0

    def next(self) -> Tensor:
        if self.order is None or self.pos + self.size > self.pools.shape[1]:
            shuffle = torch.rand(self.pools.shape, generator=self.generator).argsort(dim=1)
            self.order = self.pools.gather(1, shuffle).to(self.device)
            self.pos = 0
        out = self.order[:, self.pos : self.pos + self.size]
        self.pos += self.size
        return out


def _chunk_size(seq_len: int, width: int) -> int:
    return max(1, _EVAL_CHUNK_ELEMENTS // max(1, seq_len * width))


def _progress(iterations: int, desc: str, verbose: bool):
    return tqdm(range(iterations), desc=desc, disable=not verbose, unit="step", dynamic_ncols=True, mininterval=0.5)


def _step(optimizer, loss: Tensor, bar, step: int, iterations: int, n_repeats: int, verbose: bool) -> None:
    """One update of the packed post-hoc models, with the mean loss per repeat on the progress bar."""
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    if verbose and (step % 50 == 0 or step == iterations - 1):
        bar.set_postfix(loss=f"{loss.item() / n_repeats:.4f}")


def _learned_score_setup(n_repeats, iterations, batch_size, hidden_dim, n_features, device, random_state):
    n_repeats = check_positive_int("n_repeats", n_repeats)
    iterations = check_positive_int("iterations", iterations)
    batch_size = check_positive_int("batch_size", batch_size)
    hidden = max(1, n_features // 2) if hidden_dim is None else check_positive_int("hidden_dim", hidden_dim)
    return n_repeats, iterations, batch_size, hidden, resolve_device(device), _generator(random_state)


# --------------------------------------------------------------------------------------------------------
# Public scores


def discriminative_score(
    real,
    synthetic,
    real_lengths=None,
    synthetic_lengths=None,
    n_repeats: int = 10,
    iterations: int = 2000,
    batch_size: int = 128,
    hidden_dim: int | None = None,
    device: str = "cpu",
    random_state: int | None = None,
    verbose: bool = False,
) -> ScoreStats:
    """TimeGAN's discriminative score: how well a post-hoc GRU classifier tells real from synthetic.

    Protocol of Yoon, Jarrett and van der Schaar, "Time-series Generative Adversarial Networks", NeurIPS
    2019 (section 5, "post-hoc" discriminative score), repeated ``n_repeats`` times with fresh splits,
    initialisations and minibatches:

    1. If the sets differ in size, the larger one is subsampled at random to the size of the smaller one.
    2. Real sequences are labelled 1, synthetic ones 0; each set is split at random 80/20 into train/test.
    3. The classifier is a one-layer GRU (hidden size ``hidden_dim``) followed by a linear layer on the
       hidden state at each sequence's last valid step (``lengths - 1``), giving one logit.
    4. It is trained with Adam (default learning rate 1e-3) on the binary cross-entropy for ``iterations``
       steps; each step draws ``batch_size`` real and ``batch_size`` synthetic training sequences at random
       (without replacement within a batch; the training split is reshuffled after each pass).
    5. Accuracy on the test split (both sets), predicting "real" when the sigmoid output is > 0.5.
    6. Score = ``|0.5 - accuracy|``: 0 = indistinguishable, 0.5 = always told apart. Lower is better.

    Parameters
    ----------
    real, synthetic : array-like or torch.Tensor, shape (n, seq_len, n_features), float
        Sequences scaled to [0, 1] (a warning is issued otherwise). The sets may differ in ``n`` and in
        ``seq_len`` (the shorter is padded), not in ``n_features``. Each needs at least 4 sequences. No NaN
        or inf within the valid steps; values beyond a sequence's length are ignored.
    real_lengths, synthetic_lengths : array-like of int, shape (n,), optional
        Number of valid steps of each sequence (1..seq_len) for padded variable-length data. Default: all
        steps are valid.
    n_repeats : int, default 10
        Independent classifiers trained and scored (all in one pass, see the module docstring).
    iterations : int, default 2000
        Training steps per classifier.
    batch_size : int, default 128
        Sequences per set per step (capped at the size of the training split).
    hidden_dim : int, optional
        GRU hidden size; default ``max(1, n_features // 2)`` as in TimeGAN.
    device : str, default "cpu"
        ``"cpu"``, ``"cuda[:N]"`` or ``"auto"``.
    random_state : int, optional
        Seed of a private ``torch.Generator`` that drives the subsampling, splits, initialisation and
        minibatches; the same seed, data and device give the same result. Global RNGs are not touched.
    verbose : bool, default False
        Show a progress bar with the training loss.

    Returns
    -------
    ScoreStats
        ``mean``, ``std`` and the ``values`` of the ``n_repeats`` scores, each in [0, 0.5].

    Raises
    ------
    indgan.errors.DataError
        Inputs not 3-D, feature counts that differ, fewer than 4 sequences, NaN/inf in valid steps, bad
        lengths.
    indgan.errors.ConfigError
        A non-positive ``n_repeats``, ``iterations``, ``batch_size`` or ``hidden_dim``, a bad
        ``random_state`` or device.
    """
    r, s = _pair(real, synthetic, real_lengths, synthetic_lengths, torch.float32, MIN_SEQUENCES)
    _warn_if_not_unit_range(r, s)
    n_repeats, iterations, batch_size, hidden, dev, gen = _learned_score_setup(
        n_repeats, iterations, batch_size, hidden_dim, r.n_features, device, random_state
    )

    seq_len = max(r.seq_len, s.seq_len)
    data = torch.cat([_pad_to(r, seq_len), _pad_to(s, seq_len)]).to(dev)  # real rows first, then synthetic
    last = torch.cat([r.lengths, s.lengths]).to(dev) - 1
    n = min(r.n, s.n)
    n_train = int(n * TRAIN_FRACTION)
    n_test = n - n_train
    # Per repeat: a random subset of n rows of each set, in random order; the first 80% train, the rest test.
    real_rows = torch.rand(n_repeats, r.n, generator=gen).argsort(dim=1)[:, :n]
    synth_rows = torch.rand(n_repeats, s.n, generator=gen).argsort(dim=1)[:, :n] + r.n

    model = _StackedGRU(n_repeats, r.n_features, hidden, gen).to(dev)
    optimizer = torch.optim.Adam(model.parameters())
    real_batches = _Minibatches(real_rows[:, :n_train], batch_size, gen, dev)
    synth_batches = _Minibatches(synth_rows[:, :n_train], batch_size, gen, dev)
    b = real_batches.size
    labels = torch.cat([torch.ones(b, 1), torch.zeros(b, 1)]).expand(2 * b, n_repeats).to(dev)

    model.train()
    bar = _progress(iterations, "discriminative score", verbose)
    for step in bar:
        index = torch.cat([real_batches.next(), synth_batches.next()], dim=1)  # (n_repeats, 2b)
        logits = model(_stack(data, index), last[index].T)
        # Sum over repeats of each repeat's mean loss: every repeat gets its own gradient, unscaled.
        loss = F.binary_cross_entropy_with_logits(logits, labels, reduction="sum") / (2 * b)
        _step(optimizer, loss, bar, step, iterations, n_repeats, verbose)

    model.eval()
    correct = torch.zeros(n_repeats, device=dev)
    real_test, synth_test = real_rows[:, n_train:].to(dev), synth_rows[:, n_train:].to(dev)
    chunk = _chunk_size(seq_len, 2 * n_repeats * r.n_features)
    with torch.no_grad():
        for start in range(0, n_test, chunk):
            ri, si = real_test[:, start : start + chunk], synth_test[:, start : start + chunk]
            k = ri.shape[1]
            index = torch.cat([ri, si], dim=1)
            logits = model(_stack(data, index), last[index].T)  # (2k, n_repeats)
            correct += (logits[:k] > 0).sum(0) + (logits[k:] <= 0).sum(0)
    accuracy = correct / (2 * n_test)
    return ScoreStats.from_values((0.5 - accuracy).abs().cpu().tolist())


def predictive_score(
    real,
    synthetic,
    real_lengths=None,
    synthetic_lengths=None,
    n_repeats: int = 10,
    iterations: int = 5000,
    batch_size: int = 128,
    hidden_dim: int | None = None,
    device: str = "cpu",
    random_state: int | None = None,
    verbose: bool = False,
) -> ScoreStats:
    """TimeGAN's predictive score ("train on synthetic, test on real"): next-step prediction error.

    Protocol of Yoon, Jarrett and van der Schaar, "Time-series Generative Adversarial Networks", NeurIPS
    2019 (section 5, "post-hoc" predictive score), repeated ``n_repeats`` times with fresh initialisations
    and minibatches:

    1. A one-layer GRU (hidden size ``hidden_dim``) + linear layer + sigmoid reads, at every step ``t``,
       all features but the last and predicts the **last feature at step t + 1**: inputs
       ``x[:, :-1, :-1]``, targets ``x[:, 1:, -1]``.
    2. It is trained on the **synthetic** sequences only, with Adam (default learning rate 1e-3) on the
       mean absolute error over the valid step pairs, for ``iterations`` steps of ``batch_size``
       sequences drawn at random (without replacement within a batch; reshuffled after each pass).
    3. Score = its mean absolute error on **all real** sequences: per sequence over its valid step pairs
       (``t + 1 < length``), then averaged over the sequences. Lower is better; the same score with
       ``synthetic=real`` (train on real) is the reference to compare against.

    Parameters
    ----------
    real, synthetic : array-like or torch.Tensor, shape (n, seq_len, n_features), float
        Sequences scaled to [0, 1] (a warning is issued otherwise; the sigmoid output cannot reach targets
        outside). ``n_features`` must be at least 2 and equal in both; ``n`` and ``seq_len`` may differ.
        Each set needs at least 4 sequences. No NaN or inf within the valid steps.
    real_lengths, synthetic_lengths : array-like of int, shape (n,), optional
        Number of valid steps of each sequence (2..seq_len: a sequence needs one step pair). Default: all
        steps are valid.
    n_repeats : int, default 10
        Independent predictors trained and scored (all in one pass, see the module docstring).
    iterations : int, default 5000
        Training steps per predictor.
    batch_size : int, default 128
        Synthetic sequences per step (capped at the number of synthetic sequences).
    hidden_dim : int, optional
        GRU hidden size; default ``max(1, n_features // 2)`` as in TimeGAN.
    device : str, default "cpu"
        ``"cpu"``, ``"cuda[:N]"`` or ``"auto"``.
    random_state : int, optional
        Seed of a private ``torch.Generator`` (initialisation and minibatches); global RNGs are not touched.
    verbose : bool, default False
        Show a progress bar with the training loss.

    Returns
    -------
    ScoreStats
        ``mean``, ``std`` and the ``values`` of the ``n_repeats`` mean absolute errors.

    Raises
    ------
    indgan.errors.DataError
        As :func:`discriminative_score`, and for fewer than 2 features, ``seq_len`` < 2 or a length < 2.
    indgan.errors.ConfigError
        Bad ``n_repeats``, ``iterations``, ``batch_size``, ``hidden_dim``, ``random_state`` or device.
    """
    r, s = _pair(real, synthetic, real_lengths, synthetic_lengths, torch.float32, MIN_SEQUENCES)
    if r.n_features < 2:
        raise DataError(
            f"the predictive score needs at least 2 features (it predicts the last feature from "
            f"the others), got {r.n_features}; use discriminative_score or "
            "autocorrelation_difference for a single feature."
        )
    for seqs in (r, s):
        if int(seqs.lengths.min()) < 2:
            i = int(seqs.lengths.argmin())
            raise DataError(
                f"{seqs.name} sequence {i} has {int(seqs.lengths[i])} valid step(s); the predictive "
                "score needs at least 2 per sequence (one step to read, the next to predict); "
                "drop the shorter sequences."
            )
    _warn_if_not_unit_range(r, s)
    n_repeats, iterations, batch_size, hidden, dev, gen = _learned_score_setup(
        n_repeats, iterations, batch_size, hidden_dim, r.n_features, device, random_state
    )

    def split(seqs: _Sequences):
        """Inputs (n, seq_len-1, n_features-1), targets (n, seq_len-1), pair mask (n, seq_len-1) on the device."""
        return (
            seqs.data[:, :-1, :-1].contiguous().to(dev),
            seqs.data[:, 1:, -1].contiguous().to(dev),
            seqs.mask[:, 1:].to(dev, torch.float32),
        )

    s_in, s_target, s_mask = split(s)
    model = _StackedGRU(n_repeats, r.n_features - 1, hidden, gen).to(dev)
    optimizer = torch.optim.Adam(model.parameters())
    batches = _Minibatches(torch.arange(s.n).expand(n_repeats, s.n), batch_size, gen, dev)

    model.train()
    bar = _progress(iterations, "predictive score", verbose)
    for step in bar:
        index = batches.next()  # (n_repeats, b)
        prediction = torch.sigmoid(model(_stack(s_in, index)))  # (b, seq_len-1, n_repeats)
        target = s_target[index].permute(1, 2, 0)
        mask = s_mask[index].permute(1, 2, 0)
        # Sum over repeats of each repeat's mean absolute error over its valid step pairs.
        loss = (((prediction - target).abs() * mask).sum((0, 1)) / mask.sum((0, 1))).sum()
        _step(optimizer, loss, bar, step, iterations, n_repeats, verbose)

    model.eval()
    r_in, r_target, r_mask = split(r)
    total = torch.zeros(n_repeats, device=dev)
    chunk = _chunk_size(r.seq_len, n_repeats * (r.n_features - 1))
    with torch.no_grad():
        for start in range(0, r.n, chunk):
            x, target, mask = (t[start : start + chunk] for t in (r_in, r_target, r_mask))
            prediction = torch.sigmoid(model(x.repeat(1, 1, n_repeats)))  # (k, seq_len-1, n_repeats)
            per_sequence = ((prediction - target[..., None]).abs() * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
            total += per_sequence.sum(0)
    return ScoreStats.from_values((total / r.n).cpu().tolist())


def _valid_range(seqs: _Sequences) -> tuple[Tensor, Tensor]:
    """Per-feature minimum and maximum over the valid steps."""
    valid = seqs.mask[..., None]
    inf = torch.tensor(math.inf, dtype=seqs.data.dtype)
    return (torch.where(valid, seqs.data, inf).amin((0, 1)), torch.where(valid, seqs.data, -inf).amax((0, 1)))


def _pooled_acf(seqs: _Sequences, max_lag: int) -> Tensor:
    """ACF at lags 1..max_lag of the pooled sequences, shape (max_lag, n_features); 0 for constant features."""
    mask = seqs.mask.to(seqs.data.dtype)[..., None]  # (n, seq_len, 1)
    count = mask.sum()
    mean = (seqs.data * mask).sum((0, 1)) / count
    centred = (seqs.data - mean) * mask  # zero at the padded steps, so products there vanish
    variance = (centred**2).sum((0, 1)) / count
    acf = []
    for lag in range(1, max_lag + 1):
        pairs = (mask[:, :-lag] * mask[:, lag:]).sum()
        if pairs == 0:
            raise DataError(
                f"no {seqs.name} sequence has more than {lag} valid steps, so the autocorrelation at "
                f"lag {lag} is undefined; lower max_lag below the longest length."
            )
        acf.append((centred[:, :-lag] * centred[:, lag:]).sum((0, 1)) / pairs)
    lo, hi = _valid_range(seqs)
    constant = lo == hi
    acf = torch.stack(acf) / torch.where(constant, torch.ones_like(variance), variance)
    return torch.where(constant, torch.zeros_like(acf), acf)


def autocorrelation_difference(
    real, synthetic, max_lag: int = 10, real_lengths=None, synthetic_lengths=None
) -> np.ndarray:
    """Per feature, the mean absolute gap between the real and synthetic autocorrelation functions.

    The ACF of a set is computed on the pooled sequences: for feature ``f`` with mean ``mu`` and variance
    ``var`` over all valid steps of all sequences,
    ``ACF(k) = mean over valid step pairs (t, t + k) of (x[t] - mu) * (x[t + k] - mu) / var``, where only
    pairs of two valid steps of the same sequence count. A constant feature has ACF 0. The result is
    ``mean over k = 1..max_lag of |ACF_real(k) - ACF_synthetic(k)|``, in [0, 2]; 0 = same dynamics.

    Parameters
    ----------
    real, synthetic : array-like or torch.Tensor, shape (n, seq_len, n_features), float
        Sequences (any scale: the ACF is scale-free). ``n`` and ``seq_len`` may differ between the sets;
        ``n_features`` may not. No NaN or inf within the valid steps.
    max_lag : int, default 10
        Largest lag; needs a sequence of each set with more than ``max_lag`` valid steps.
    real_lengths, synthetic_lengths : array-like of int, shape (n,), optional
        Valid steps of each sequence (padded variable-length data); values beyond are ignored.

    Returns
    -------
    numpy.ndarray, shape (n_features,), float64

    Raises
    ------
    indgan.errors.DataError
        Inputs not 3-D, feature counts that differ, NaN/inf, bad lengths, ``max_lag`` too long for the data.
    indgan.errors.ConfigError
        ``max_lag`` not a positive integer.
    """
    max_lag = check_positive_int("max_lag", max_lag)
    r, s = _pair(real, synthetic, real_lengths, synthetic_lengths, torch.float64)
    return (_pooled_acf(r, max_lag) - _pooled_acf(s, max_lag)).abs().mean(0).numpy()


def _pooled_correlation(seqs: _Sequences) -> Tensor:
    """Pearson correlation matrix (n_features, n_features) over all valid steps; 0 for constant features."""
    x = seqs.data[seqs.mask]  # (valid steps, n_features)
    centred = x - x.mean(0)
    cov = centred.T @ centred / x.shape[0]
    lo, hi = _valid_range(seqs)
    varying = lo != hi
    sd = torch.where(varying, cov.diagonal().clamp_min(0).sqrt(), torch.ones_like(lo))
    corr = (cov / (sd[:, None] * sd[None])).clamp(-1.0, 1.0)
    return torch.where(varying[:, None] & varying[None], corr, torch.zeros_like(corr))


def cross_correlation_difference(real, synthetic, real_lengths=None, synthetic_lengths=None) -> np.ndarray:
    """Per feature, the mean absolute gap between real and synthetic correlations with the other features.

    Pearson correlation matrices between features are computed over all valid steps of all sequences
    (pooled), for each set; a constant feature has correlation 0 with every other. The result for feature
    ``i`` is ``mean over j != i of |corr_real[i, j] - corr_synthetic[i, j]|``, in [0, 2]; 0 = same linear
    dependence between the features.

    Parameters
    ----------
    real, synthetic, real_lengths, synthetic_lengths
        As for :func:`autocorrelation_difference` (``(n, seq_len, n_features)`` float sequences of any scale, and
        optional valid lengths ``(n,)``), with at least 2 features.

    Returns
    -------
    numpy.ndarray, shape (n_features,), float64, in [0, 2]

    Raises
    ------
    indgan.errors.DataError
        Inputs not 3-D, feature counts that differ, a single feature, NaN/inf, bad lengths.
    """
    r, s = _pair(real, synthetic, real_lengths, synthetic_lengths, torch.float64)
    n_features = r.n_features
    if n_features < 2:
        raise DataError(
            "the cross-correlation difference needs at least 2 features (it compares the "
            "correlations between features), got 1; use autocorrelation_difference instead."
        )
    gap = (_pooled_correlation(r) - _pooled_correlation(s)).abs()
    return ((gap.sum(1) - gap.diagonal()) / (n_features - 1)).numpy()
