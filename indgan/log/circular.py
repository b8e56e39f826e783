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
        view[name] = np.mod(np.rad2deg(np.arctan2(s, c)) - lo, 360.0) + lo
        status = name + SIN + STATUS_SUFFIX
        if status in view:
            view[name + STATUS_SUFFIX] = view.pop(status)
        if name + COS + STATUS_SUFFIX in view:
            del view[name + COS + STATUS_SUFFIX]
    return view
