"""A synthetic log drawn part by part: the log model's generation with memory bounded by the part, whatever the
log's length.

:class:`LogStream` draws the steps of a *plan* (sequences of ``(training entity, steps)`` laid end to end) in
consecutive ranges ``[a, b)``. Everything that carries information from one step to the next is carried across the
ranges, so the log is one log, not parts glued together: the latent, Gumbel and conditional-vector noise processes
(:class:`~indgan.log.noise.SmoothNoise` keeps its filter history), each sampled-and-held group's phase and its last
held value, and each redundant tag's AR(1) residual (:func:`~indgan.log.followers.generate_followers`). Contexts,
calendar features and time stamps are computed for the range from the plan alone. The calibrated smoothing of a
tag (:mod:`indgan.log.smoothing`) reads a few steps on either side, so the stream draws that far ahead. Same seed
and same part size: the same log (the inner batches of the generator follow the parts).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import torch
from torch import Tensor

from ..schema import OK
from .followers import generate_followers
from .noise import SmoothNoise, counter_normal, stratified
from .smoothing import apply_map, radius, rank_smooth, run_hold
from .prepare import cycle_features

#: Longest planned log whose latent paths are stratified (each sequence in one piece, held in memory).
STRATIFY_MAX_STEPS = 200_000
#: Rows generated at once by the row model's generator inside a part.
GENERATOR_BATCH = 8192


class LogStream:
    """The steps of ``plan`` drawn range by range with every carried state (see the module docstring).

    Parameters
    ----------
    model : LogGAN
        A fitted log model.
    plan : list of (int, int)
        ``(training entity, steps)`` per sequence, laid end to end.
    fixed : dict
        Condition schedules ``{column: per-step values}`` (the last value holds), or None.
    g : torch.Generator
        The draw's generator (on the model's device).
    training_phase : bool
        Sampled-and-held groups keep the training entity's phase (the training shape); else a random phase.
    """

    def __init__(
        self, model, plan: list[tuple[int, int]], fixed: dict | None, g: torch.Generator, training_phase: bool
    ):
        self.model, self.plan, self.fixed, self.g = model, plan, fixed or {}, g
        self.lens = np.array([k for _, k in plan], dtype=np.int64)
        self.total = int(self.lens.sum())
        self.starts = np.concatenate([[0], np.cumsum(self.lens)[:-1]]).astype(np.int64)
        rows = model.rows_
        dev = self.device = model.device_
        ell = float(model.length_scale_)
        self.latent = SmoothNoise(rows.latent_dim, ell, g, dev)
        self.whole = None
        if model.stratify and self.total <= STRATIFY_MAX_STEPS:  # each sequence's latent path in one piece
            self.whole = torch.cat([stratified(self.latent.next(int(k), [0])) for k in self.lens.tolist()])
        act = rows.activation_
        n_groups, width = act.group_idx.shape
        self.cond_u = SmoothNoise(1, ell, g, dev, "uniform")
        self.gumbel_u = SmoothNoise(n_groups * width, ell, g, dev, "uniform")
        self.phases = []
        for h in model.held_:
            if training_phase:
                self.phases.append(np.array([h["phase"][e] for e, _ in plan], dtype=np.int64))
            else:
                self.phases.append(torch.randint(h["period"], (len(plan),), generator=g, device=g.device).cpu().numpy())
        # numpy streams per column and purpose: a column's draws over the parts are its draws over the whole log
        self.seed = int(torch.randint(2**31 - 1, (1,), generator=g, device=g.device).item())
        self._rngs: dict[tuple[str, str], np.random.Generator] = {}
        # tags with a share of white latent noise (LogGAN.roughness_): their encoded columns per share
        span = {b["column"]: range(a, a + b["width"]) for a, b in rows.transformer_.block_starts()}
        self.rough: dict[float, list[int]] = {}
        for c, w in model.roughness_.items():
            if c in span:
                self.rough.setdefault(float(w), []).extend(span[c])
        self.held_carry: dict[str, object] = {}
        self.follow_carry: dict[str, float] = {}
        self.pos = 0
        # smoothing reads ``look`` steps on each side: the look-ahead (noised steps drawn ahead, see next())
        self.sum_carry: dict[str, float] = {}  # computed angles' inputs at the last step drawn
        self.look = max((radius(mp["width"]) for mp in model.smoothing_.values()), default=0)
        if self.whole is not None and any(mp.get("hold", 0) > 0 for mp in model.smoothing_.values()):
            self.look = max(self.look, 1)  # a hold alone also needs the whole sequence
        self._noised: pd.DataFrame | None = None
        self._followed: pd.DataFrame | None = None
        self._noised_pos = self._followed_pos = 0

    # ------------------------------------------------------------------ the plan over a range
    def _pieces(self, a: int, b: int) -> list[tuple[int, int, int]]:
        """``(sequence, first local step, n_steps)`` of every sequence overlapping the steps ``[a, b)``."""
        i0 = int(np.searchsorted(self.starts, a, "right")) - 1
        i1 = int(np.searchsorted(self.starts, b - 1, "right")) - 1
        out = []
        for i in range(i0, i1 + 1):
            s, k = int(self.starts[i]), int(self.lens[i])
            lo, hi = max(a, s), min(b, s + k)
            out.append((i, lo - s, hi - lo))
        return out

    def local_steps(self, a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
        """Each step's sequence ``(b - a,)`` and its step within it ``(b - a,)``, both int64."""
        pieces = self._pieces(a, b)
        seq = np.repeat([i for i, _, _ in pieces], [m for _, _, m in pieces]).astype(np.int64)
        local = np.arange(a, b, dtype=np.int64) - self.starts[seq]
        return seq, local

    def contexts(self, a: int, b: int) -> Tensor:
        """Context ``(b - a, context_dim)`` float32 of the steps ``[a, b)``: the training trajectory of each
        sequence's entity (its last step held beyond its length), the fixed schedules, the calendar features and
        the progress."""
        m = self.model
        info, enc = m.fit_info_, m.cond_encoder_
        grid, offsets = m.cond_grid_, m.cond_offsets_.cpu().numpy()
        seq, local = self.local_steps(a, b)
        ent = np.array([e for e, _ in self.plan], dtype=np.int64)[seq]
        idx = np.minimum(offsets[ent] + local, offsets[ent + 1] - 1)
        ctx = (
            grid[torch.from_numpy(np.asarray(idx, np.int64)).to(grid.device)].cpu().clone()
            if b > a
            else torch.zeros(0, info.context_dim)
        )
        if self.fixed:
            frame = pd.DataFrame(index=range(b - a))
            for col, values in self.fixed.items():
                per = np.asarray(values, dtype=object)
                frame[col] = per[np.minimum(local, len(per) - 1)]
            for col in enc.continuous + enc.categorical:
                if col not in self.fixed:
                    frame[col] = 0.0 if col in enc.continuous else enc.levels[col][0]
            enc_fixed = torch.from_numpy(enc.transform(frame[enc.continuous + enc.categorical])[0])
            for span in enc.spans():
                if span.column in self.fixed:
                    ctx[:, span.start : span.start + span.width] = enc_fixed[:, span.start : span.start + span.width]
        if info.cycles:  # the calendar of the generated time axis, also beyond the training log's end
            t = np.asarray(info.starts, np.float64)[ent] + local * info.interval
            ctx[:, enc.dim : enc.dim + 2 * len(info.cycles)] = torch.from_numpy(cycle_features(t, info.cycles))
        if info.progress:
            ctx[:, -1] = torch.from_numpy(local / np.maximum(self.lens[seq] - 1, 1)).float()
        return ctx

    # ------------------------------------------------------------------ drawing
    @torch.no_grad()
    def raw(self, a: int, b: int) -> tuple[pd.DataFrame, np.ndarray, Tensor]:
        """The row model's decoded values of the steps ``[a, b)`` (model view, before sensor noise, holds and
        redundant tags), their encoded rows ``(b - a, output_dim)`` float32 and their context (on the CPU).
        Ranges must be drawn in order: the noise processes carry their history."""
        rows, dev = self.model.rows_, self.device
        sampler, act = rows.sampler_, rows.activation_
        n_groups, width = act.group_idx.shape
        context = self.contexts(a, b).to(dev)
        is_start = np.zeros(b - a, dtype=bool)
        inside = self.starts[(self.starts >= a) & (self.starts < b)] - a
        is_start[inside] = True
        out = np.empty((b - a, rows.transformer_.output_dim), dtype=np.float32)
        for c0 in range(0, b - a, GENERATOR_BATCH):
            c1 = min(b - a, c0 + GENERATOR_BATCH)
            n = c1 - c0
            local = np.flatnonzero(is_start[c0:c1]).tolist()
            parts = [self.latent.next(n, local) if self.whole is None else self.whole[a + c0 : a + c1]]
            if sampler.n_columns:  # the free categorical columns' conditional vector, as CTGAN samples it
                parts.append(sampler.from_uniform(self.cond_u.next(n, local)[:, 0]))
            if context.shape[1]:
                parts.append(context[c0:c1])
            raw = rows.generator_(torch.cat(parts, 1))
            # CTGAN's output activation with held Gumbel noise: modes and categories switch at redraws
            gumbel = self.gumbel_u.next(n, local).view(n, n_groups, width) if act.flat_idx.numel() else None
            out[c0:c1] = act(raw, uniform=gumbel).cpu().numpy()
            if self.rough:  # rough tags: the row model again, with a share of white noise in the latent
                white = torch.from_numpy(counter_normal(self.seed, a + c0, n, rows.latent_dim)).to(parts[0])
                for w, cols in self.rough.items():
                    mixed = [math.sqrt(1.0 - w) * parts[0] + math.sqrt(w) * white, *parts[1:]]
                    o = act(rows.generator_(torch.cat(mixed, 1)), uniform=gumbel).cpu().numpy()
                    out[c0:c1, cols] = o[:, cols]
        self.model.aligned(out)  # the scores' tails (indgan.log.alignment)
        context = context.cpu()
        return self.model._with_trend(rows.transformer_.inverse_transform(out), context), out, context

    def hold(self, values: pd.DataFrame, a: int, carry: dict | None = None) -> None:
        """Hold each sampled-and-held group of ``values`` (the steps ``[a, a + len(values))``) between its
        updates, in place; ``carry`` holds each column's value at step ``a - 1`` and is updated to the last step
        (default: this stream's own carry)."""
        if not self.model.held_:
            return
        carry = self.held_carry if carry is None else carry
        b = a + len(values)
        seq, local = self.local_steps(a, b)
        for h, phase in zip(self.model.held_, self.phases):
            period = h["period"]
            ph = phase[seq]
            last = np.maximum(local - (local - ph) % period, 0) + self.starts[seq]
            before = last < a
            for c in h["columns"]:
                v = values[c].to_numpy()[np.maximum(last - a, 0)]
                if before.any():
                    v = v.copy()
                    v[before] = carry.get(c, np.nan)
                values[c] = v
                if len(v):
                    carry[c] = v[-1]

    def rng(self, column: str, purpose: str) -> np.random.Generator:
        """The numpy stream of one column and purpose, created on first use from the draw's seed."""
        key = (column, purpose)
        if key not in self._rngs:
            words = np.frombuffer(f"{purpose}\0{column}".encode(), dtype=np.uint8).tolist()
            self._rngs[key] = np.random.default_rng([self.seed, *words])
        return self._rngs[key]

    def add_noise(self, values: pd.DataFrame, encoded: np.ndarray) -> None:
        """Each tag's sensor noise, where its value comes from a Gaussian mode, kept in the training range."""
        self.model._add_noise(values, encoded, lambda c: self.rng(c, "noise"))

    def follow(self, values: pd.DataFrame, a: int) -> None:
        """The redundant tags of ``values`` (steps ``[a, a + len(values))``) from their leaders, in place; their
        AR(1) residuals continue from the previous range."""
        m = self.model
        if not m.followers_:
            return
        missing = {}
        for lead in set(m.followers_.values()):
            status = m.model_schema_[lead].status_column
            if status in values:
                missing[lead] = values[status].astype(object).to_numpy() != OK
        b = a + len(values)
        inside = self.starts[(self.starts >= a) & (self.starts < b)] - a
        # the residuals' smoothing needs whole sequences, which the stream holds when it draws them whole
        smooth = (
            {f: m.smoothing_[f]["width"] for f in m.followers_ if f in m.smoothing_} if self.whole is not None else {}
        )
        generate_followers(
            values, m.followers_, m.follower_params_, inside, self.rng, missing, carry=self.follow_carry, smooth=smooth
        )
        for f in m.followers_:  # a leader's extreme plus a wide residual can leave the follower's training range
            spec = m.model_schema_[f]
            if spec.minimum is not None and f in values:
                values[f] = np.clip(values[f].to_numpy(np.float64), spec.minimum, spec.maximum)

    def _smoothed(self, frame: pd.DataFrame, lo: int, a: int, b: int) -> dict[str, np.ndarray]:
        """The smoothed row-model tags of the steps ``[a, b)`` (:mod:`indgan.log.smoothing`) from ``frame``, which
        holds the steps ``[lo, lo + len(frame))``: whole sequences (rank order), or reaching the look-ahead on both
        sides or the log's ends (map). Redundant tags are smoothed through their residual (:meth:`follow`)."""
        m = self.model
        todo = {c: mp for c, mp in m.smoothing_.items() if c not in m.followers_ and c in frame}
        if not todo:
            return {}
        bounds, first = [], 0
        for _, _, k in self._pieces(lo, lo + len(frame)):
            bounds.append((first, first + k))
            first += k
        out = {}
        for c, mp in todo.items():
            x = frame[c].to_numpy(np.float64)
            if self.whole is not None:  # deadband holds too, on sequences drawn whole
                out[c] = run_hold(rank_smooth(x, mp["width"], bounds), mp.get("hold", 0.0), bounds)[a - lo : b - lo]
            elif mp["width"] > 0:  # beyond, the smoothing through its map (no deadband hold)
                out[c] = apply_map(x, mp["width"], bounds, np.asarray(mp["levels"]), np.asarray(mp["values"]))
                out[c] = out[c][a - lo : b - lo]
        return out

    def _noised_until(self, end: int) -> None:
        """Draw the row model's values with sensor noise up to step ``end`` (the look-ahead)."""
        if end > self._noised_pos:
            values, encoded, _ = self.raw(self._noised_pos, end)
            self.add_noise(values, encoded)
            self._noised = values if self._noised is None else pd.concat([self._noised, values], ignore_index=True)
            self._noised_pos = end

    def _followed_until(self, end: int) -> None:
        """The finished steps up to ``end`` (to the end of its sequence when sequences are drawn whole): the row
        model's tags smoothed from the noised steps around them, held, and the redundant tags generated."""
        if end <= self._followed_pos:
            return
        a, look = self._followed_pos, self.look
        if self.whole is not None:  # whole sequences: up to the end of the sequence of step end - 1
            i = int(np.searchsorted(self.starts, end - 1, "right")) - 1
            end, look = int(self.starts[i] + self.lens[i]), 0
        self._noised_until(min(self.total, end + look))
        lo = self._noised_pos - len(self._noised)
        values = self._noised.iloc[a - lo : end - lo].reset_index(drop=True).copy()
        for c, v in self._smoothed(self._noised, lo, a, end).items():
            values[c] = v
        self.hold(values, a)
        self.follow(values, a)
        self._followed = values if self._followed is None else pd.concat([self._followed, values], ignore_index=True)
        self._followed_pos = end
        keep = max(0, end - look) - lo  # the first stage's steps no later step reads
        if keep > 0:
            self._noised = self._noised.iloc[keep:].reset_index(drop=True)

    def next(self, n: int) -> tuple[pd.DataFrame, Tensor, int]:
        """The next ``n`` steps (fewer at the end): ``(values, context, first step)``, finished (sensor noise,
        smoothing, holds, redundant tags). With smoothing the stream draws ahead, so that every step is what the log
        drawn whole has there: to the end of the current sequence when sequences are drawn whole (rank order),
        else ``look`` steps."""
        a = self.pos
        b = min(self.total, a + n)
        if not self.look:
            values, encoded, context = self.raw(a, b)
            self.add_noise(values, encoded)
            self.hold(values, a)
            self.follow(values, a)
        else:
            self._followed_until(b)  # whole sequences extend it to the end of the sequence of step b - 1
            lo = self._followed_pos - len(self._followed)
            values = self._followed.iloc[a - lo : b - lo].reset_index(drop=True).copy()
            self._followed = self._followed.iloc[b - lo :].reset_index(drop=True)
            context = self.contexts(a, b)
        self.pos = b
        return values, context, a
