"""Logs to tensors for the sequence GAN: steps encoded in ``[0, 1]``, per-condition scaling, and the windows (or
whole entities) the game draws from, all on the device.

The grid itself (one regular grid per entity, the sampling interval, windows and padding) is the shared
:mod:`indgan.timegrid`; :func:`prepare_windows` encodes it (:class:`~indgan.encoding.RangeEncoder`), scales each tag
per condition (:class:`ConditionScaler`), finds the sampled-and-held tags and cuts the training windows;
:class:`WindowData` draws batches ``(batch, T, ·)`` of values, observed mask, conditions and the valid-step flag.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from torch import Tensor

from ..encoding import RangeEncoder, RangeSpan, observed_mean_std
from ..errors import DataError
from ..schema import CATEGORICAL, CONTINUOUS, Schema
from ..timegrid import LogInput, detect_sample_hold, make_windows, pad_entities, window_starts
from ..training import to_device


@dataclass
class WindowData:
    """The training windows on the device: grid rows ``x``, ``mask`` (observed cells), ``cond`` (conditions),
    ``valid`` ``(n, 1)`` (real, not padded, steps), and the first rows of the windows ``starts`` with the offsets
    ``steps`` of their steps."""

    x: Tensor
    mask: Tensor
    cond: Tensor
    valid: Tensor
    starts: Tensor
    steps: Tensor

    def draw(self, batch: int) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """A batch of windows ``(batch, T, ·)`` each: values, observed mask, conditions, valid steps."""
        pick = torch.randint(self.starts.shape[0], (batch,), device=self.starts.device)
        idx = self.starts[pick, None] + self.steps
        return self.x[idx], self.mask[idx], self.cond[idx], self.valid[idx]


@dataclass
class SequenceData:
    """What :func:`prepare_windows` makes of a log: encoders, scaler, arrays (laid out for :class:`WindowData`),
    and what the estimator records."""

    encoder: RangeEncoder
    cond_encoder: RangeEncoder
    scaler: ConditionScaler | None
    x: np.ndarray
    mask: np.ndarray
    cond: np.ndarray
    valid: np.ndarray
    starts: np.ndarray
    seq_len: int
    whole: bool
    held: list
    static: list
    encoded_stats: tuple
    shift: np.ndarray
    scale: np.ndarray
    condition_grid: np.ndarray

    def tensors(self, device, starts: np.ndarray | None = None) -> WindowData:
        """The arrays on ``device``, with the windows that start at ``starts`` (default all)."""
        starts = self.starts if starts is None else starts
        arrays = (self.x, self.mask, self.cond, self.valid[..., None], starts)
        return WindowData(*(to_device(a, device) for a in arrays), torch.arange(self.seq_len, device=device))


def standardisation(x: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Shift and scale of the embedder's inputs: observed mean and standard deviation (floored at 0.01, so a
    near-constant feature is not blown up), float32 ``(dim,)`` each."""
    mean, std = observed_mean_std(x, mask)
    return mean.astype(np.float32), np.maximum(std, 1e-2).astype(np.float32)


def _role(schema: Schema, column: str) -> str:
    """Role of a model-view column (status columns are categorical)."""
    try:
        return schema[column].role
    except KeyError:
        return CATEGORICAL


def prepare_windows(
    log: LogInput, seq_len: int | None, stride: int, max_missing: float, sample_hold: bool, condition_scaling: bool
) -> SequenceData:
    """Encode a log and cut its training windows.

    ``seq_len=None`` with an entity column learns **whole entities** (padded to the longest, with the batch
    progress ``t / (T - 1)`` as an extra condition); otherwise sliding windows of ``seq_len`` steps (default 24)
    with ``stride``, leaving out those with more than ``max_missing`` missing cells. ``"auto"``: whole entities
    when there is an entity column, else windows of 24 steps.

    Raises
    ------
    DataError
        No column left to model, ``seq_len`` longer than every entity, or no window with enough observed data.
    """
    schema, view, grid, conditions, source = log.schema, log.view, log.grid, log.conditions, log.source
    time_col, entity_col = schema.time_column, schema.entity_column
    if seq_len == "auto":
        seq_len = None if entity_col else 24
    features = [c for c in view.columns if c not in (time_col, entity_col) and c not in conditions]
    cont = [c for c in features if pd.api.types.is_numeric_dtype(view[c]) and _role(schema, c) == CONTINUOUS]
    cat = [c for c in features if c not in cont]
    if not features:
        raise DataError(f"{source}: no column left to model once time, entity and conditions are set aside.")
    encoder = RangeEncoder(cont, cat).fit(grid.frame.loc[grid.observed])
    x, mask = encoder.transform(grid.frame, grid.observed)
    cond_cat = [c for c in conditions if _role(schema, c) != CONTINUOUS]
    cond_cont = [c for c in conditions if c not in cond_cat]
    cond_encoder = RangeEncoder(cond_cont, cond_cat).fit(log.condition_frame)
    c, _ = cond_encoder.transform(log.condition_frame)
    condition_grid = c.copy()
    encoded_stats = standardisation(x, mask)
    held = detect_sample_hold(x[:, : len(cont)], mask[:, : len(cont)], grid.offsets, cont) if sample_hold else []
    scaler = None
    if condition_scaling and ConditionScaler.applies(cond_encoder.spans(), len(cont)):
        scaler = ConditionScaler(cond_encoder.spans(), len(cont)).fit(x, mask, c)
        x = np.where(mask > 0, scaler.transform(x, c), 0.0).astype(np.float32)
    shift, scale = standardisation(x, mask)
    keys = np.repeat(np.arange(len(grid.entities)), grid.lengths)
    static = [col for col in conditions if (log.condition_frame.groupby(keys)[col].nunique() <= 1).all()]

    whole = seq_len is None and entity_col is not None
    lengths = grid.lengths
    if whole:
        x, _ = pad_entities(x, grid.offsets)
        mask, _ = pad_entities(mask, grid.offsets)
        c, _ = pad_entities(c, grid.offsets)
        seq_len = x.shape[1]
        steps = np.arange(seq_len)
        valid = (steps[None, :] < lengths[:, None]).astype(np.float32)
        progress = np.where(valid > 0, steps[None, :] / np.maximum(lengths[:, None] - 1, 1), 0.0).astype(np.float32)
        c = np.concatenate([c, progress[..., None]], -1)
        n_e = len(lengths)
        x, mask, c, valid = (a.reshape((n_e * seq_len,) + a.shape[2:]) for a in (x, mask, c, valid))
        starts = np.arange(n_e, dtype=np.int64) * seq_len
    else:
        seq_len = seq_len or 24
        if lengths.max() < seq_len:
            raise DataError(
                f"{source}: seq_len {seq_len} is longer than every {'entity' if entity_col else 'log'} "
                f"(the longest has {int(lengths.max())} steps at the sampling interval); lower --seq-len."
            )
        starts = window_starts(grid.offsets, seq_len, stride)
        valid = np.ones(len(x), dtype=np.float32)
        missing = 1.0 - make_windows(mask.mean(1) if mask.shape[1] else np.ones(len(mask)), starts, seq_len).mean(1)
        starts = starts[missing <= max_missing]
        if starts.size == 0:
            raise DataError(
                f"{source}: every window of {seq_len} steps has more than {max_missing:.0%} "
                "missing cells; nothing to learn from."
            )
    return SequenceData(
        encoder,
        cond_encoder,
        scaler,
        x,
        mask,
        c,
        valid,
        starts,
        int(seq_len),
        bool(whole),
        held,
        static,
        encoded_stats,
        shift,
        scale,
        condition_grid,
    )


class ConditionScaler:
    """Per-condition standardisation of the continuous tags (condition-wise normalisation).

    For each combination ``k`` of the categorical condition levels (a fault id, an operating mode) and each
    continuous tag ``j``, the encoded value ``x`` (in ``[0, 1]``) becomes ``r = (x - mean[k, j]) / std[k, j]``,
    clipped to ``[-clip, clip]`` and min-max scaled to ``[0, 1]`` over all conditions. A recurrent generator
    then models how the tags move around the condition's operating point, and the condition's level and spread
    come back exactly through the inverse. It is the conditional counterpart of mode-specific normalisation
    (CTGAN, Xu et al. 2019): a fault that shifts one tag (TEP's step faults) or widens its spread (the random
    variation faults) is represented by construction, instead of having to be discovered by the adversarial
    game among the dozens of tags that do not move.

    The statistics come from the observed cells. A combination seen on fewer than ``min_count`` observed cells
    of a tag uses the tag's overall mean and standard deviation; a spread is floored at ``floor`` times the
    tag's overall one (a valve stuck at one position has none), and a tag whose observed values under a
    combination spread by no more than ``constant_tol`` (encoded units, a fraction of the tag's range) is
    inverted to exactly its value there: a stuck valve comes back stuck, not with a generator's small jitter.

    Parameters
    ----------
    spans : list of RangeSpan
        The condition encoder's spans; only the categorical ones define combinations.
    n_cont : int
        Continuous tags: the first ``n_cont`` dims of the encoded steps.
    """

    max_combinations = 4096
    constant_tol = 1e-6

    def __init__(
        self, spans: list[RangeSpan], n_cont: int, clip: float = 5.0, floor: float = 0.02, min_count: int = 10
    ):
        self.cat = [(s.start, s.width) for s in spans if s.kind == "categorical"]
        self.n_cont, self.clip, self.floor, self.min_count = n_cont, clip, floor, min_count

    @classmethod
    def applies(cls, spans: list[RangeSpan], n_cont: int) -> bool:
        widths = [s.width for s in spans if s.kind == "categorical"]
        return n_cont > 0 and bool(widths) and int(np.prod(widths)) <= cls.max_combinations

    def key(self, c):
        """Encoded conditions ``(..., cond_dim)`` (NumPy or torch) -> combination index ``(...)``."""
        out = 0
        for a, w in self.cat:
            out = out * w + c[..., a : a + w].argmax(-1)
        return out

    def fit(self, x: np.ndarray, observed: np.ndarray, c: np.ndarray) -> ConditionScaler:
        """``x``, ``observed`` ``(n_steps, dim)`` encoded steps and mask, ``c`` ``(n_steps, cond_dim)``."""
        k = self.n_cont
        n_keys = int(np.prod([w for _, w in self.cat]))
        key = self.key(c)
        v, o = x[:, :k].astype(np.float64), observed[:, :k].astype(np.float64)
        count = np.zeros((n_keys, k))
        total = np.zeros((n_keys, k))
        square = np.zeros((n_keys, k))
        np.add.at(count, key, o)
        np.add.at(total, key, v * o)
        np.add.at(square, key, v * v * o)
        mean_all, std_all = observed_mean_std(v, o)
        std_all = np.where(std_all > 0, std_all, 1.0)
        ok = count >= self.min_count
        mean = np.where(ok, total / np.maximum(count, 1), mean_all)
        std = np.sqrt(np.maximum(np.where(ok, square / np.maximum(count, 1) - mean**2, std_all**2), 0.0))
        self.mean = mean
        self.std = np.maximum(std, self.floor * std_all)
        # a tag that does not move at all under a combination (a valve stuck at one position, a tag switched off
        # in a mode) is generated as exactly that constant
        self.constant = ok & (std <= self.constant_tol)
        r = np.clip((v - self.mean[key]) / self.std[key], -self.clip, self.clip)
        seen = o > 0
        lo = np.where(seen, r, np.inf).min(0)
        hi = np.where(seen, r, -np.inf).max(0)
        self.lo = np.where(np.isfinite(lo), lo, -1.0)
        self.hi = np.where(np.isfinite(hi) & (hi > self.lo), hi, self.lo + 1.0)
        return self

    def transform(self, x: np.ndarray, c: np.ndarray) -> np.ndarray:
        """Encoded steps ``(n_steps, dim)`` -> the same with the continuous tags standardised per condition."""
        key = self.key(c)
        out = x.copy()
        r = np.clip((x[:, : self.n_cont] - self.mean[key]) / self.std[key], -self.clip, self.clip)
        out[:, : self.n_cont] = (r - self.lo) / (self.hi - self.lo)
        return out

    def inverse(self, v, c):
        """Torch tensors ``(..., dim)`` standardised steps and ``(..., cond_dim)`` conditions -> encoded steps
        (differentiable; the categorical dims pass through)."""
        import torch

        dev, k = v.device, self.n_cont
        if getattr(self, "_dev", None) != dev:
            t = lambda a: torch.as_tensor(a, dtype=torch.float32, device=dev)  # noqa: E731
            self._tables = (
                t(self.mean),
                t(self.std),
                t(self.lo),
                t(self.hi),
                torch.as_tensor(self.constant, dtype=torch.bool, device=dev),
            )
            self._dev = dev
        mean, std, lo, hi, constant = self._tables
        key = self.key(c)
        x = mean[key] + std[key] * (lo + v[..., :k] * (hi - lo))
        x = torch.where(constant[key], mean[key], x)
        return torch.cat([x, v[..., k:]], -1)

    def to_dict(self) -> dict:
        return {
            "cat": self.cat,
            "n_cont": self.n_cont,
            "clip": self.clip,
            "floor": self.floor,
            "min_count": self.min_count,
            "mean": self.mean.tolist(),
            "std": self.std.tolist(),
            "lo": self.lo.tolist(),
            "hi": self.hi.tolist(),
            "constant": self.constant.tolist(),
        }

    @classmethod
    def from_dict(cls, d: dict) -> ConditionScaler:
        out = cls([], d["n_cont"], d["clip"], d["floor"], d["min_count"])
        out.cat = [tuple(p) for p in d["cat"]]
        out.mean, out.std = np.asarray(d["mean"]), np.asarray(d["std"])
        out.lo, out.hi = np.asarray(d["lo"]), np.asarray(d["hi"])
        # files written before constant tags were kept exact have none
        out.constant = np.asarray(d.get("constant", np.zeros(out.mean.shape, dtype=bool)), dtype=bool)
        return out


#: Fewest held-out windows worth scoring; with fewer, every window trains and there is no held-out stop.
MIN_HELD_WINDOWS = 16
#: Entities at which whole entities are held out (fewer: blocks of time within each entity).
MIN_HELD_ENTITIES = 20
#: Length of the blocks of time held out within a log, in windows.
HELD_BLOCK_WINDOWS = 10


def holdout_windows(
    starts: np.ndarray, offsets: np.ndarray, seq_len: int, whole: bool, share: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Split the training windows' first rows ``starts`` into (training, held-out) so that no step is in both.

    With at least :data:`MIN_HELD_ENTITIES` entities a random ``share`` of the entities is held out (whole
    entities learned as sequences: with fewer, none). Otherwise each entity's steps are cut into blocks of
    :data:`HELD_BLOCK_WINDOWS` x ``seq_len`` steps and ``round(share x blocks)`` blocks evenly spaced over the
    log (from a random phase) are held out: held-out windows lie inside a held-out block, training windows touch
    none (the windows that straddle a boundary are left out of both), so a score on the held-out windows is one
    on history the networks never saw, spread over the whole log rather than its last stretch.

    Parameters
    ----------
    starts : numpy.ndarray
        ``(n_windows,)`` int64 first rows (:func:`~indgan.timegrid.window_starts`; for whole entities the
        padded layout's ``entity * seq_len``).
    offsets : numpy.ndarray
        ``(n_entities + 1,)`` first row of each entity and the total (ignored for whole entities).
    seq_len : int
    whole : bool
    share : float
        In [0, 0.5]; 0 holds nothing out.
    seed : int

    Returns
    -------
    tuple of numpy.ndarray
        (training starts, held-out starts), int64. The held-out part is empty when it would have fewer than
        :data:`MIN_HELD_WINDOWS` windows, no block (a log shorter than ``1 / share`` blocks) or more
        held-out windows than training ones; the training starts are then ``starts``.
    """
    none = (starts, starts[:0])
    if share <= 0 or len(starts) < 2 * MIN_HELD_WINDOWS:
        return none
    rng = np.random.default_rng(seed)
    entity = np.arange(len(starts)) if whole else np.searchsorted(offsets, starts, side="right") - 1
    ids = np.unique(entity)
    if len(ids) >= MIN_HELD_ENTITIES:
        held_ids = rng.choice(ids, size=max(1, round(share * len(ids))), replace=False)
        held = np.isin(entity, held_ids)
        train = ~held
    elif whole:  # too few entities to hold any out, and an entity is not cut
        return none
    else:
        block = HELD_BLOCK_WINDOWS * seq_len
        pos = starts - offsets[entity]
        # blocks numbered over the whole log, entity after entity; a window touches one or two
        first_in = np.concatenate([[0], np.cumsum((offsets[1:] - offsets[:-1] + block - 1) // block)])
        first = first_in[entity] + pos // block
        last = first_in[entity] + (pos + seq_len - 1) // block
        blocks = np.unique(np.concatenate([first, last]))
        k = round(share * len(blocks))
        if k < 1:
            return none
        spacing = len(blocks) / k  # every spacing-th block, from a random phase: spread over the log
        held_blocks = blocks[np.floor(rng.uniform(0, spacing) + spacing * np.arange(k)).astype(np.int64)]
        held_first, held_last = np.isin(first, held_blocks), np.isin(last, held_blocks)
        held = (first == last) & held_first
        train = ~held_first & ~held_last
    if held.sum() < MIN_HELD_WINDOWS or train.sum() < held.sum():  # too few to score, or to train on
        return none
    return starts[train], starts[held]
