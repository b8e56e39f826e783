"""Angles: tags in degrees that wrap around (wind direction, nacelle or yaw position, a rotating part's phase).

Such a tag jumps from 359.9 to 0.1 when it turns past north, and a tag computed from two others (absolute wind
direction = nacelle position + vane angle) holds only modulo 360. A model that treats the number as a line sees a
jump across the whole range and can never turn past north smoothly: on La Haute Borne's SCADA log the direction
tags alone let a classifier tell synthetic 4-hour windows from real ones (discriminative score 0.19 on those 12
tags, 0.01-0.08 on the other groups). So the log model learns an angle as the point ``(sin, cos)`` on the circle,
two ordinary continuous tags, and turns it back into degrees with ``atan2`` in the tag's own range
(``[0, 360)`` or ``[-180, 180)``). Missing cells stay missing; an angle with historian status strings is left as
it is.

Detection (``circular="auto"``): a continuous tag whose values lie within ``[-180.5, 360.5]``, span at least 300
degrees, and jump by more than half their span between consecutive samples on at least 0.05 % of the steps (a
process value on a line does not jump across its whole range; an angle that turns past north does).

**Angles computed from two others** (always on; :func:`find_angle_sums`): a SCADA system logs a turbine's wind
direction as its nacelle position plus its vane angle, modulo 360. On La Haute Borne's log the identity is exact
(within 0.5 degrees on 99.9% of the rows) wherever the nacelle held still through the 10-minute interval, and off by
the averaging of a moving sum (2.5 degrees median) where it turned. The row model drew the three apart, 12-22
degrees off the identity on the median row, and the turbines' directions 18-26 degrees from each other (real 4-13).
Such a tag is now generated from its two inputs plus its residual's real law on each kind of row (an input held
still, or none). Default fits, one thread, seeds 0 / 1 / 2 (``benchmarks/mainjob.py``'s scores; before: the same
code without it): seed 0 cross-correlation error 0.0395 -> 0.0274, top-50 pair error 0.0371 -> 0.0289,
autocorrelation error 0.0488 -> 0.0339; seed 1 0.0485 -> 0.0326, 0.0452 -> 0.0304, 0.0583 -> 0.0454; seed 2 0.0462
-> 0.0289, 0.0464 -> 0.0316, 0.0728 -> 0.0579; rows within 0.0003 at each seed, step-change 0.003 lower (0.950 /
0.950 / 0.939); discriminative score 0.126 -> 0.125, 0.122 -> 0.095, 0.112 -> 0.132 (seed 2 with classifier seed 1:
0.110 -> 0.118). The other logs measured have no such tags and are unchanged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..schema import CONTINUOUS, STATUS_SUFFIX, ColumnSpec, Schema

#: Suffixes of the two model columns of an angle.
SIN, COS = "~sin", "~cos"
#: Least share of steps with a jump over half the span for a tag to be an angle.
WRAP_SHARE = 5e-4


def find_angles(x: np.ndarray, names: list[str], segments: np.ndarray) -> list[str]:
    """The tags of ``x (n_steps, n_tags)`` (NaN missing, steps on the grid entity after entity, ``segments`` the
    entity of each step) that are angles in degrees (see the module docstring)."""
    out = []
    same = segments[1:] == segments[:-1]
    for j, name in enumerate(names):
        v = x[:, j]
        finite = v[np.isfinite(v)]
        if finite.size < 100:
            continue
        lo, hi = float(finite.min()), float(finite.max())
        if lo < -180.5 or hi > 360.5 or hi - lo < 300:
            continue
        d = np.abs(np.diff(v))[same]
        d = d[np.isfinite(d)]
        if d.size and (d > 0.5 * (hi - lo)).mean() >= WRAP_SHARE:
            out.append(name)
    return out


def angle_origin(spec: ColumnSpec) -> float:
    """Lower end of an angle's range: -180 for a signed angle, else 0."""
    return -180.0 if (spec.minimum is not None and spec.minimum < -90) else 0.0


def to_circle(data: pd.DataFrame, schema: Schema, angles: list[str]) -> tuple[pd.DataFrame, Schema]:
    """Replace each angle column of ``data`` (degrees) by its ``~sin`` and ``~cos`` columns, in place of it, and the
    schema likewise. ``data`` is not modified."""
    cols, specs = {}, []
    by_name = {c.name: c for c in schema.columns}
    for name in data.columns:
        if name in angles:
            rad = np.deg2rad(pd.to_numeric(data[name], errors="coerce").to_numpy(np.float64))
            cols[name + SIN], cols[name + COS] = np.sin(rad), np.cos(rad)
        else:
            cols[name] = data[name]
    for c in schema.columns:
        if c.name in angles:
            for suffix in (SIN, COS):
                specs.append(
                    ColumnSpec(
                        name=c.name + suffix,
                        role=CONTINUOUS,
                        dtype="float64",
                        has_missing=c.has_missing,
                        minimum=-1.0,
                        maximum=1.0,
                    )
                )
        else:
            specs.append(by_name[c.name])
    out = pd.DataFrame(cols, index=data.index)
    out.attrs = dict(data.attrs)
    return out, Schema(specs, max_condition_levels=schema.max_condition_levels)


def from_circle(view: pd.DataFrame, schema: Schema, angles: list[str]) -> pd.DataFrame:
    """The inverse of :func:`to_circle` on a model view: each angle back in degrees in its range (its status column
    taken from the ``~sin`` column's), in ``schema``'s column order. ``view`` is modified and returned."""
    for name in angles:
        s, c = view.pop(name + SIN).to_numpy(np.float64), view.pop(name + COS).to_numpy(np.float64)
        lo = angle_origin(schema[name])
        view[name] = wrap_into(np.rad2deg(np.arctan2(s, c)), lo)
        status = name + SIN + STATUS_SUFFIX
        if status in view:
            view[name + STATUS_SUFFIX] = view.pop(status)
        if name + COS + STATUS_SUFFIX in view:
            del view[name + COS + STATUS_SUFFIX]
    return view


#: Largest gap (degrees) between an angle and the sum of two others for a row to match it exactly.
SUM_TOLERANCE = 0.5
#: Least share of the rows (all three observed) matching exactly for an angle to count as computed (a random triple
#: matches on 0.3% of its rows).
SUM_SHARE = 0.5
#: Quantiles kept of the computed angle's residual.
SUM_QUANTILES = 101


def wrap_into(x: np.ndarray, origin: float) -> np.ndarray:
    """Degrees ``x`` in ``[origin, origin + 360)``, ``(n,)`` float64 (NaN stays NaN)."""
    return np.mod(x - origin, 360.0) + origin


def _gap(y: np.ndarray, a: np.ndarray, b: np.ndarray, sign: float) -> np.ndarray:
    """``y - (a + sign * b)`` within half a turn, degrees."""
    return np.mod(y - a - sign * b + 180.0, 360.0) - 180.0


def _still(x: np.ndarray, segments: np.ndarray) -> np.ndarray:
    """``(n_steps,)`` bool: the step into each row is exactly 0 (False at a sequence's first step)."""
    out = np.zeros(len(x), bool)
    out[1:] = (np.diff(x) == 0) & (segments[1:] == segments[:-1])
    return out


def find_angle_sums(
    x: np.ndarray, names: list[str], segments: np.ndarray, computable: np.ndarray | None = None, seed: int = 0
) -> dict[str, dict]:
    """Angles that a historian computes from two others modulo 360, ``tag = a + sign * b``: exactly (within
    :data:`SUM_TOLERANCE` degrees) on at least :data:`SUM_SHARE` of the rows where all three are observed.

    La Haute Borne's SCADA logs each turbine's wind direction as its nacelle position plus its vane angle, averaged
    over ten minutes: exact (99.9% of rows within 0.5 degrees) when the nacelle held still through the interval,
    off by 2.5 degrees (median; 17 at the 90th percentile) when it turned, as the averages of a moving sum do.
    Generated apart, the three broke that identity by 12-22 degrees on the median row. So the computed tag keeps
    the residual ``tag - (a + sign * b)``'s law on each of the two kinds of row: where an input held still (its step
    exactly 0) and where none did.

    Parameters
    ----------
    x : numpy.ndarray
        ``(n_steps, n_tags)`` float degrees (NaN missing) of the candidate tags, steps on the grid.
    names : list of str
        Their names, ``(n_tags,)``.
    segments : numpy.ndarray
        ``(n_steps,)`` the entity of each step (a step across two entities is not a step).
    computable : numpy.ndarray, optional
        ``(n_tags,)`` bool: the tags that may be computed (the angles that wrap, :func:`find_angles`; a vane angle
        that stays within a few degrees of 0 is an input only); default all.
    seed : int
        Seed of the 4,000-row subsample the candidates are screened on (a kept one is checked on every row).

    Returns
    -------
    dict
        ``{tag: {"a", "sign", "b", "still", "moving"}}``: the inputs, and the residual's :data:`SUM_QUANTILES`
        quantiles on each kind of row (JSON-safe lists). No tag is both computed and an input; of three tags that
        sum to each other, the one computed moves most (fewest steps exactly 0, then the widest spread), so a
        nacelle that holds still between yaw moves keeps its own motion.
    """
    n, k = x.shape
    if k < 3 or n < 100:
        return {}
    still = np.stack([_still(x[:, j], segments) for j in range(k)], 1)
    spread = np.nanstd(x, axis=0)
    order = np.lexsort((-np.nan_to_num(spread), still.mean(0)))
    pick = np.sort(np.random.default_rng(seed).choice(n, min(n, 4000), replace=False))

    def matches(rows, j, a, b, sign):
        d = _gap(x[rows, j], x[rows, a], x[rows, b], sign)
        ok = np.isfinite(d)
        return ok.sum() >= 100 and np.mean(np.abs(d[ok]) <= SUM_TOLERANCE) >= SUM_SHARE

    out: dict[str, dict] = {}
    computed: set[int] = set()
    inputs: set[int] = set()
    probs = np.linspace(0.0, 1.0, SUM_QUANTILES)
    computable = np.ones(k, bool) if computable is None else np.asarray(computable, bool)
    for j in order:
        if j in inputs or not computable[j]:
            continue
        for a, b, sign in ((a, b, sign) for a in range(k) for b in range(k) for sign in (1.0, -1.0)):
            if len({a, b, j}) < 3 or {a, b} & computed or (sign > 0 and b < a):
                continue
            if matches(pick, j, a, b, sign) and matches(np.arange(n), j, a, b, sign):
                d = _gap(x[:, j], x[:, a], x[:, b], sign)
                held = still[:, a] | still[:, b]
                laws = {}
                for kind, rows in (("still", held), ("moving", ~held)):
                    r = d[rows & np.isfinite(d)]
                    laws[kind] = np.quantile(r if r.size else d[np.isfinite(d)], probs).tolist()
                out[names[j]] = {"a": names[a], "sign": sign, "b": names[b], **laws}
                computed.add(j)
                inputs.update((a, b))
                break
    return out


def compute_angle_sums(
    view: pd.DataFrame, sums: dict[str, dict], schema: Schema, rng, carry: dict, starts: np.ndarray | None = None
) -> None:
    """Each computed angle of ``view`` (degrees, consecutive steps of one log) from its inputs plus a residual drawn
    from its law on that kind of row (:func:`find_angle_sums`), in its range, in place; NaN where an input is
    missing. ``rng(name)`` gives the tag's numpy generator; ``carry`` holds each input's value at the step before
    ``view`` and is updated to its last step; ``starts`` ``(len(view),)`` bool marks the steps that begin a
    sequence (no step into them; default none)."""
    if not sums or not len(view):
        return
    starts = np.zeros(len(view), bool) if starts is None else np.asarray(starts, bool)
    for name, law in sums.items():
        a, b = view[law["a"]].to_numpy(np.float64), view[law["b"]].to_numpy(np.float64)
        held = np.zeros(len(view), bool)
        for col, v in ((law["a"], a), (law["b"], b)):
            prev = np.r_[carry.get(col, np.nan), v[:-1]]
            held |= (v == prev) & ~starts
            carry[col] = float(v[-1])
        u = rng(name).random(len(view)) * (SUM_QUANTILES - 1)
        e = np.where(
            held,
            np.interp(u, np.arange(SUM_QUANTILES), law["still"]),
            np.interp(u, np.arange(SUM_QUANTILES), law["moving"]),
        )
        view[name] = wrap_into(a + law["sign"] * b + e, angle_origin(schema[name]))
