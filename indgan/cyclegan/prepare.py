"""Logs to tensors for CycleGAN regime transfer, and translated windows back to a log.

The grid is the shared :mod:`indgan.timegrid` (one regular grid per entity at the sampling interval, gaps kept as
missing); the model view and the status strings come from :mod:`indgan.schema`. :func:`prepare_domains` encodes
the grid (:class:`~indgan.encoding.RangeEncoder`: the continuous tags are translated, categorical columns, such as
the status of a tag, and the other conditions form the step's context), finds the sampled-and-held tags
(:func:`~indgan.timegrid.detect_sample_hold`) and each domain's stuck tags, and cuts the windows of each domain: a
window belongs to domain A when the domain column equals A on each of its steps. :class:`DomainWindows` draws
batches. :func:`overlap_add` puts translated windows back into a log without seams.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from torch import Tensor

from ..encoding import RangeEncoder, observed_mean_std
from ..errors import ConditionError, ConfigError, DataError
from ..schema import CONTINUOUS, match_level
from ..timegrid import LogInput, detect_sample_hold, make_windows, window_starts
from ..training import to_device

#: Tags whose observed values within a domain spread by no more than this (encoded units, a share of the tag's
#: range) are stuck there: translated into that domain, they come out exactly at their value.
STUCK_TOL = 1e-6


def parse_domains(domains) -> tuple[str, object, object]:
    """``("fault", 0, 4)`` (or a list) -> ``(column, a, b)``.

    Raises
    ------
    ConfigError
        Not a column and two different values.
    """
    if not isinstance(domains, (tuple, list)) or len(domains) != 3 or not isinstance(domains[0], str):
        raise ConfigError(f"domains must be (column, value_a, value_b), e.g. ('fault', 0, 4); got {domains!r}.")
    column, a, b = domains
    if str(a) == str(b):
        raise ConfigError(f"domains: the two values of {column!r} are the same ({a!r}); give two different ones.")
    return column, a, b


def domain_labels(
    values: pd.Series, column: str, a, b, source: str, require: tuple = (True, True), matched: list | None = None
) -> np.ndarray:
    """Per row: 0 where ``values`` is domain ``a``, 1 where it is ``b``, -1 elsewhere (``(n,)`` int8). ``"4"``
    matches ``4`` (:func:`~indgan.schema.match_level`); ``matched``, when given, receives the two values as the data
    holds them (None for one that does not occur).

    Raises
    ------
    ConditionError
        ``a`` or ``b`` does not occur in the column though ``require`` says it must (naming the values it has).
    """
    levels = pd.unique(values.dropna()).tolist()
    values = pd.Series(values).reset_index(drop=True)
    out = np.full(len(values), -1, dtype=np.int8)
    for k, v in enumerate((a, b)):
        i = match_level(levels, v)
        if matched is not None:
            matched.append(None if i is None else levels[i])
        if i is None and not require[k]:
            continue
        if i is None:
            shown = ", ".join(map(str, sorted(levels, key=str)[:25]))
            raise ConditionError(f"{source}: domain {column}={v!r} does not occur in the data; {column} has: {shown}.")
        out[(values == levels[i]).to_numpy()] = k
    return out


@dataclass
class DomainWindows:
    """The training windows on the device: grid rows of the encoded tags ``x``, their ``mask``, the context ``ctx``
    (categorical columns and other conditions), per domain the first rows of its windows (``starts_a``,
    ``starts_b``) and the update phase of each sample-and-hold group at each window's first step (``phase_a``,
    ``phase_b``, ``(n_windows, n_groups)``)."""

    x: Tensor
    mask: Tensor
    ctx: Tensor
    starts_a: Tensor
    starts_b: Tensor
    phase_a: Tensor
    phase_b: Tensor
    seq_len: int

    def draw(self, domain: str, batch: int) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """A batch of windows ``(batch, seq_len, ·)`` of domain ``"a"`` or ``"b"``: tags, mask, context, and the
        hold phases ``(batch, n_groups)``."""
        starts, phase = (self.starts_a, self.phase_a) if domain == "a" else (self.starts_b, self.phase_b)
        pick = torch.randint(starts.shape[0], (batch,), device=starts.device)
        idx = starts[pick, None] + torch.arange(self.seq_len, device=starts.device)
        return self.x[idx], self.mask[idx], self.ctx[idx], phase[pick]


@dataclass
class DomainData:
    """What :func:`prepare_domains` makes of the logs."""

    encoder: RangeEncoder
    cond_encoder: RangeEncoder
    n_tags: int
    x: np.ndarray
    mask: np.ndarray
    ctx: np.ndarray
    starts: dict
    phases: dict
    held: list
    shift: np.ndarray
    scale: np.ndarray
    stuck: dict
    domain_values: tuple
    offset: np.ndarray
    noise_start: dict

    def tensors(self, device, seq_len: int) -> DomainWindows:
        arrays = (self.x, self.mask, self.ctx, self.starts["a"], self.starts["b"], self.phases["a"], self.phases["b"])
        return DomainWindows(*(to_device(a, device) for a in arrays), seq_len)


def _role(schema, column: str) -> str:
    try:
        return schema[column].role
    except KeyError:
        return "categorical"  # status columns of the model view


def feature_columns(log: LogInput, domain_column: str) -> tuple[list[str], list[str]]:
    """(continuous tags to translate, categorical context columns) of the model view."""
    schema, view = log.schema, log.view
    skip = {schema.time_column, schema.entity_column, domain_column, *log.conditions}
    features = [c for c in view.columns if c not in skip]
    cont = [c for c in features if pd.api.types.is_numeric_dtype(view[c]) and _role(schema, c) == CONTINUOUS]
    return cont, [c for c in features if c not in cont]


def encode(
    log: LogInput, encoder: RangeEncoder, cond_encoder: RangeEncoder, n_tags: int, conditions: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The grid of a log -> encoded tags ``(n_steps, n_tags)``, their mask, and the context ``(n_steps, ctx_dim)``
    (the categorical columns' one-hots, then the encoded other conditions), float32."""
    values, observed = encoder.transform(log.grid.frame, log.grid.observed)
    c, _ = (
        cond_encoder.transform(log.condition_frame[conditions])
        if conditions
        else (np.zeros((len(values), 0), np.float32), None)
    )
    ctx = np.concatenate([values[:, n_tags:], c], 1).astype(np.float32)
    return values[:, :n_tags], observed[:, :n_tags], ctx


def prepare_domains(
    logs: list[LogInput],
    labels: list[np.ndarray],
    domain: tuple,
    conditions: list[str],
    seq_len: int,
    stride: int,
    max_missing: float,
    sample_hold: bool,
    min_windows: int,
) -> DomainData:
    """Encode the logs (one, or one per domain) and cut each domain's training windows.

    Parameters
    ----------
    logs : list of LogInput
        The logs, read by :func:`~indgan.timegrid.prepare_log` with one schema.
    labels : list of numpy.ndarray
        Per log, the domain of each grid row (:func:`domain_labels`: 0 A, 1 B, -1 neither).
    domain : (column, a, b)
    conditions : list of str
        The other condition columns (the step's context).

    Raises
    ------
    DataError
        No tag to translate, or a domain with fewer than ``min_windows`` windows of ``seq_len`` steps (with at most
        ``max_missing`` missing cells), naming the domain and what to do.
    """
    column = domain[0]
    cont, cat = feature_columns(logs[0], column)
    source = logs[0].source
    if not cont:
        raise DataError(
            f"{source}: no continuous tag to translate once time, entity, {column!r} and the conditions are set aside."
        )
    frames = pd.concat([lg.grid.frame.loc[lg.grid.observed] for lg in logs], ignore_index=True)
    encoder = RangeEncoder(cont, cat).fit(frames)
    cond_cat = [c for c in conditions if _role(logs[0].schema, c) != CONTINUOUS]
    cond_encoder = RangeEncoder([c for c in conditions if c not in cond_cat], cond_cat).fit(
        pd.concat([lg.condition_frame[conditions] for lg in logs], ignore_index=True)
    )
    n_tags = len(cont)
    xs, ms, cs, offsets, labs = [], [], [], [0], []
    for lg, lab in zip(logs, labels):
        x, m, c = encode(lg, encoder, cond_encoder, n_tags, conditions)
        xs.append(x), ms.append(m), cs.append(c), labs.append(lab)
        offsets += (lg.grid.offsets[1:] + offsets[-1]).tolist()
    x, mask, ctx, lab = np.concatenate(xs), np.concatenate(ms), np.concatenate(cs), np.concatenate(labs)
    offsets = np.asarray(offsets, dtype=np.int64)
    held = detect_sample_hold(x, mask, offsets, cont) if sample_hold else []
    mean, std = observed_mean_std(x, mask)
    shift, scale = mean.astype(np.float32), np.maximum(std, 1e-2).astype(np.float32)
    all_starts = window_starts(offsets, seq_len, stride)
    win_lab = make_windows(lab, all_starts, seq_len)
    missing = 1.0 - make_windows(mask.mean(1), all_starts, seq_len).mean(1)
    starts, phases, stuck, means = {}, {}, {}, {}
    for k, (d, value) in enumerate(zip("ab", domain[1:])):
        pick = all_starts[(win_lab == k).all(1) & (missing <= max_missing)]
        if len(pick) < min_windows:
            rows = int((lab == k).sum())
            raise DataError(
                f"{source}: domain {column}={value!r} has {len(pick)} window(s) of {seq_len} steps "
                f"({rows} rows, {max_missing:.0%} missing at most) and the model needs at least "
                f"{min_windows}; give more data of that domain or lower seq_len."
            )
        starts[d] = pick
        phases[d] = (
            np.stack([g.start_phase(pick, offsets) for g in held], 1)
            if held
            else np.zeros((len(pick), 0), dtype=np.int64)
        )
        rows = lab == k
        m_d = mask[rows]
        means[d] = observed_mean_std(x[rows], m_d)[0]
        v_d = np.where(m_d > 0, x[rows], np.nan)
        with np.errstate(all="ignore"):
            lo, hi = np.nanmin(v_d, 0), np.nanmax(v_d, 0)
        is_stuck = np.isfinite(lo) & (hi - lo <= STUCK_TOL) & (m_d.sum(0) >= seq_len)
        stuck[d] = (is_stuck, np.where(is_stuck, lo, 0.0).astype(np.float32))
    offset = ((means["b"] - means["a"]) / scale).astype(np.float32)
    noise_start = variability_start(x / scale, mask, lab, offsets)
    return DomainData(
        encoder,
        cond_encoder,
        n_tags,
        x,
        mask,
        ctx,
        starts,
        phases,
        held,
        shift,
        scale,
        stuck,
        tuple(domain[1:]),
        offset,
        noise_start,
    )


#: Shared noise channels of the variability (:meth:`~indgan.cyclegan.networks.CycleGenerators.variability`).
SHARED_NOISE = 4


def variability_start(z: np.ndarray, mask: np.ndarray, lab: np.ndarray, offsets: np.ndarray) -> dict:
    """Where each direction's variability starts, from the step changes of the standardised rows ``z``
    ``(n_steps, n_tags)`` (one entity between consecutive ``offsets``, domain ``lab`` 0 or 1): the covariance of
    the step changes the target domain has in excess of the source's, ``E = C_target - C_source``, as white noise
    that adds it. Its ``SHARED_NOISE`` largest positive eigen-directions become the shared channels' mixing
    (``mix_ab``, ``(n_tags, SHARED_NOISE)``: tags that vary together in the target regime get the same draw) and
    the rest of its diagonal the per-tag gains (``ab``, ``(n_tags,)``); white noise of half a covariance adds all
    of it to the step changes. Steps with a tag unobserved are left out of the covariance (diagonal only, from the
    observed pairs, when fewer than ``2 n_tags`` steps are complete)."""
    n_tags = z.shape[1]
    same = np.ones(len(z) - 1, bool)
    same[offsets[1:-1] - 1] = False
    obs = (mask[1:] > 0) & (mask[:-1] > 0)
    dz = np.diff(z, axis=0)
    cov = {}
    for k, d in enumerate("ab"):
        rows = same & (lab[1:] == k) & (lab[:-1] == k)
        full = rows & obs.all(1)
        if full.sum() >= 2 * n_tags:
            cov[d] = np.cov(dz[full], rowvar=False).reshape(n_tags, n_tags)
        else:
            ok = rows[:, None] & obs
            n = ok.sum(0)
            mean = np.where(ok, dz, 0.0).sum(0) / np.maximum(n, 1)
            var = (np.where(ok, dz - mean, 0.0) ** 2).sum(0) / np.maximum(n - 1, 1)
            cov[d] = np.diag(np.where(n > 1, var, 0.0))
    out = {}
    for key, src, dst in (("ab", "a", "b"), ("ba", "b", "a")):
        excess = 0.5 * (cov[dst] - cov[src])
        vals, vecs = np.linalg.eigh(excess)
        top = np.argsort(vals)[::-1][:SHARED_NOISE]
        lam = np.clip(vals[top], 0.0, None)
        mix = vecs[:, top] * np.sqrt(lam)
        if mix.shape[1] < SHARED_NOISE:
            mix = np.pad(mix, ((0, 0), (0, SHARED_NOISE - mix.shape[1])))
        rest = np.clip(np.diag(excess) - (mix**2).sum(1), 0.0, None)
        out[key] = np.sqrt(rest).astype(np.float32)
        out[f"mix_{key}"] = mix.astype(np.float32)
    return out


def update_phase(x: np.ndarray, offsets: np.ndarray, columns: list[int], period: int) -> np.ndarray:
    """Per entity, the update phase of a sample-and-hold group in a log being translated: the step position
    (modulo ``period``, from the entity's first step) at which the group's tags change most often. ``x`` ``(n_steps,
    n_tags)`` encoded grid rows; returns ``(n_entities,)`` int64."""
    n = len(x)
    ent = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
    local = np.arange(n) - offsets[ent]
    changed = np.r_[False, (x[1:, columns] != x[:-1, columns]).any(1) & (ent[1:] == ent[:-1])]
    table = np.zeros((len(offsets) - 1, period), dtype=np.int64)
    np.add.at(table, (ent[changed], local[changed] % period), 1)
    return table.argmax(1)


def taper(seq_len: int) -> np.ndarray:
    """Overlap-add weights of a window ``(seq_len,)``: ``sin^2(pi (t + 0.5) / seq_len)``, near 0 at both ends (where
    a convolution sees the window's padding) and summing to 1 at a hop of ``seq_len / 2``."""
    t = np.arange(seq_len)
    return (np.sin(np.pi * (t + 0.5) / seq_len) ** 2).astype(np.float32)


def overlap_add(windows: Tensor, starts: np.ndarray, n_steps: int) -> Tensor:
    """Translated windows ``(n_windows, seq_len, n_tags)`` starting at grid rows ``starts`` -> grid rows
    ``(n_steps, n_tags)``: each row the :func:`taper`-weighted mean of the windows that cover it. With windows every
    half window a row is covered twice (every row of an entity at least once, by :func:`window_starts`), and the
    weights fade each window out where the next fades in: no step at window boundaries."""
    n, seq_len, dim = windows.shape
    dev = windows.device
    w = torch.from_numpy(taper(seq_len)).to(dev)
    idx = (torch.from_numpy(starts).to(dev)[:, None] + torch.arange(seq_len, device=dev)).reshape(-1)
    total = torch.zeros(n_steps, dim, device=dev).index_add_(0, idx, (windows * w[None, :, None]).reshape(-1, dim))
    weight = torch.zeros(n_steps, device=dev).index_add_(0, idx, w.repeat(n))
    return total / weight.clamp_min(1e-12)[:, None]
