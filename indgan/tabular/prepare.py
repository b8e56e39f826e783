"""Rows to tensors for the tabular GAN: the conditional vector and CTGAN's training-by-sampling.

The encoding itself (mode-specific normalisation and one-hot, :class:`~indgan.encoding.DataTransformer`) lives in
the shared core; here the encoded rows become what the game draws from: :class:`ConditionSampler` picks a
categorical column uniformly, a level of it with probability proportional to the log of its frequency, and a
real row with that level (Xu et al. 2019, section 4.3), all on the device.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from torch import Tensor

from .. import distributed
from ..encoding import DataTransformer, Span
from ..errors import DataError
from ..schema import Schema
from ..training import to_device
from .networks import padded_groups


@dataclass
class EncodedRows:
    """A table ready for the CTGAN game (see :func:`encode_rows`)."""

    transformer: DataTransformer
    data: Tensor  # (n_train, data_dim) encoded training rows on the device
    discrete: list  # the one-hot spans of the categorical columns
    context: Tensor | None  # (n_train, context_dim) or None
    held_view: pd.DataFrame | None  # the held-out rows, as a model view
    held_context: Tensor | None
    batch: int
    steps_per_epoch: int
    n_rows: int
    n_train: int
    context_dim: int
    seconds: float


def encode_rows(
    view: pd.DataFrame,
    schema: Schema,
    context: np.ndarray | None,
    n_modes: int,
    validation_share: float,
    pac: int,
    batch_size: int,
    device,
    random_state: int,
    source: str = "table",
    continuous_encoding: str = "mode",
) -> EncodedRows:
    """Hold out ``validation_share`` of the rows (tables of at least 500 rows), fit the mode-specific
    normalisation on the others and encode them; batch size and steps per epoch as CTGAN sets them.

    Parameters
    ----------
    view : pandas.DataFrame
        ``(n_rows, ...)`` model view (:meth:`indgan.schema.Schema.view`).
    context : numpy.ndarray, optional
        ``(n_rows, n_context)`` continuous conditions in [0, 1].

    Raises
    ------
    DataError
        Fewer than ``max(10, pac)`` rows.
    """
    t0 = time.perf_counter()
    n = len(view)
    min_rows = max(10, pac)
    if n < min_rows:
        raise DataError(f"{source}: {n} row(s); TabularGAN needs at least {min_rows} rows to learn from.")
    if context is not None:
        context = np.asarray(context, dtype=np.float32).reshape(n, -1)
    rng = np.random.default_rng(random_state)
    held = np.zeros(n, dtype=bool)
    if validation_share and n >= 500:
        held[rng.choice(n, int(round(validation_share * n)), replace=False)] = True
    transformer = DataTransformer(
        schema, n_modes=n_modes, device=device, random_state=random_state, continuous_encoding=continuous_encoding
    )
    transformer.fit(view[~held])
    encoded = torch.from_numpy(transformer.transform(view[~held])).to(device)
    spans = transformer.output_spans()
    # The encoding keeps outliers exact (|alpha| > 1 beyond every mode's 4 sigma); the generator's tanh cannot
    # reach them, so the discriminator would win on them alone: it sees them at the edge, as in CTGAN.
    tanh_idx = torch.tensor([s.start for s in spans if s.kind == "tanh"], dtype=torch.long, device=device)
    encoded[:, tanh_idx] = encoded[:, tanh_idx].clamp(-0.99, 0.99)
    train_context = None if context is None else context[~held]
    if distributed.active():  # each rank trains on its own rows, with its share of the batch (same total)
        part = distributed.shard(encoded.shape[0])
        encoded = encoded[part]
        train_context = None if train_context is None else train_context[part]
        batch_size = max(pac, batch_size // distributed.world_size() // pac * pac)
    n_train = encoded.shape[0]
    batch = min(batch_size, (n_train // pac) * pac)
    return EncodedRows(
        transformer=transformer,
        data=encoded,
        discrete=[s for s in spans if s.discrete],
        context=to_device(train_context, device),
        held_view=view[held] if held.any() else None,
        held_context=to_device(None if context is None or not held.any() else context[held], device),
        batch=batch,
        steps_per_epoch=max(1, n_train // batch),
        n_rows=n,
        n_train=int(n_train),
        context_dim=0 if context is None else int(context.shape[1]),
        seconds=time.perf_counter() - t0,
    )


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
        self.cond_offset = torch.cumsum(widths, 0) - widths  # (n_columns,)
        max_w = int(widths.max())
        idx, mask = padded_groups(discrete, device)
        codes = torch.where(mask[None], data[:, idx], torch.tensor(-1.0, device=device)).argmax(dim=2)  # (n, n_columns)
        counts = torch.zeros(self.n_columns, max_w, device=device)
        counts.scatter_add_(1, codes.T.contiguous(), torch.ones_like(codes.T, dtype=torch.float))
        self.freq = counts / self.n_rows  # original frequencies
        log_freq = torch.log(counts + 1) * mask
        self.log_prob = log_freq / log_freq.sum(dim=1, keepdim=True)  # training-by-sampling
        # rows of every (column, level): rows sorted by level, with the start of each level
        self.sorted_rows = torch.argsort(codes.T, dim=1, stable=True)  # (n_columns, n)
        self.level_start = torch.cumsum(counts, 1) - counts  # (n_columns, max_w)
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
            s.group_idx, s.group_mask = padded_groups(discrete, device)
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

    def from_uniform(self, u: Tensor) -> Tensor:
        """Conditional vectors ``(batch, cond_dim)`` with the law of :meth:`sample_original` (a column uniformly, a
        level with its frequency), each from one uniform ``u`` ``(batch,)`` through the CDF of the (column, level)
        pairs: a smooth ``u`` over time gives a condition that switches now and then (the log model)."""
        device = self.freq.device
        if getattr(self, "_pair_cdf", None) is None:  # once per sampler: the (column, level) pairs and their CDF
            pairs = torch.nonzero(self.group_mask, as_tuple=False)  # (n_pairs, 2): column, level
            prob = self.freq[pairs[:, 0], pairs[:, 1]] + 1e-12
            cdf = torch.cumsum(prob / prob.sum(), 0)
            cdf[-1] = 1.0
            self._pairs, self._pair_cdf = pairs, cdf
        pairs, cdf = self._pairs, self._pair_cdf
        pick = torch.searchsorted(cdf, u.contiguous()).clamp_max(len(pairs) - 1)
        cond = torch.zeros(len(u), self.cond_dim, device=device)
        cond[torch.arange(len(u), device=device), self.cond_offset[pairs[pick, 0]] + pairs[pick, 1]] = 1.0
        return cond

    def condition(self, batch: int, column: int, level: int) -> Tensor:
        cond = torch.zeros(batch, self.cond_dim, device=self.freq.device)
        cond[:, int(self.cond_offset[column]) + level] = 1.0
        return cond
