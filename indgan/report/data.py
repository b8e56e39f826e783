"""What the report plots, computed with pandas and NumPy (no plotting here).

Every function takes model views (:meth:`indgan.schema.Schema.view`: continuous tags as float64 with their
``":status"`` column beside them) and returns small arrays or DataFrames, so that the page stays small however
long the log is:

- :func:`minmax_indices`: the rows a trend keeps on a page, the first, last, smallest and largest value (and the
  first gap) of each of ``n_buckets`` buckets of consecutive rows ("min/max per pixel bucket": a line drawn
  through them touches every extreme the full line touches, at the page's resolution);
- :func:`choose_tags`: the tags the trend plots show (largest real variance first, then the worst-matching);
- :func:`histograms`, :func:`status_rates`, :func:`correlations`, :func:`autocorrelations`,
  :func:`daily_profile`, :func:`condition_segments`: the data of each section.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ConfigError
from ..schema import CATEGORICAL, CONTINUOUS, ENTITY, TIME, Schema

#: Points kept per trend line: buckets of consecutive rows, up to 5 points each (first, last, min, max, a gap).
DEFAULT_BUCKETS = 1000
#: Tags in the correlation heatmaps at most (the largest real variance first).
MAX_HEATMAP_TAGS = 120
#: Steps of each log the autocorrelation plots use at most (the first ones; the scores use the whole log).
MAX_ACF_STEPS = 200_000
#: Condition segments shaded at most per scenario (later ones are left unshaded and the page says so).
MAX_SEGMENTS = 300


def minmax_indices(values, n_buckets: int = DEFAULT_BUCKETS) -> np.ndarray:
    """Rows to keep so that a trend of ``values`` drawn through them keeps every extreme: ``values`` is cut into
    at most ``n_buckets`` buckets of ``ceil(n_rows / n_buckets)`` consecutive rows (the last may be shorter) and
    each keeps its first and last row, its smallest and largest finite value and its first missing value (so
    that a gap still breaks the line). O(n_rows), no sort.

    Parameters
    ----------
    values : array-like
        ``(n_rows,)`` numbers in plotting order; NaN for a gap.
    n_buckets : int, default 1000
        About the plot's width in pixels.

    Returns
    -------
    numpy.ndarray
        int64 ``(n_kept,)`` sorted row positions, ``n_kept <= 5 * n_buckets`` (all rows when there are fewer
        than that).

    Raises
    ------
    ConfigError
        ``n_buckets`` not a positive integer.
    """
    if isinstance(n_buckets, bool) or not isinstance(n_buckets, (int, np.integer)) or n_buckets < 1:
        raise ConfigError(f"n_buckets must be a positive integer, got {n_buckets!r}.")
    y = np.asarray(values, dtype=np.float64).ravel()
    n = y.size
    if n <= 5 * n_buckets:
        return np.arange(n, dtype=np.int64)
    size = -(-n // n_buckets)  # rows per bucket (the last one may be shorter)
    nb = -(-n // size)
    pad = nb * size - n
    finite = np.isfinite(y)
    fin = np.concatenate([finite, np.zeros(pad, bool)]).reshape(nb, size)
    base = np.arange(nb, dtype=np.int64) * size
    lo = np.argmin(np.concatenate([np.where(finite, y, np.inf), np.full(pad, np.inf)]).reshape(nb, size), axis=1)
    hi = np.argmax(np.concatenate([np.where(finite, y, -np.inf), np.full(pad, -np.inf)]).reshape(nb, size), axis=1)
    has = fin.any(axis=1)
    gap = np.concatenate([~finite, np.zeros(pad, bool)]).reshape(nb, size)
    has_gap = gap.any(axis=1)
    first_gap = np.argmax(gap, axis=1)
    ends = np.minimum(base + size, n) - 1
    return np.unique(np.concatenate([base, ends, (base + lo)[has], (base + hi)[has], (base + first_gap)[has_gap]]))


def downsample(x, y, n_buckets: int = DEFAULT_BUCKETS) -> tuple[np.ndarray, np.ndarray]:
    """``(x, y)`` at :func:`minmax_indices` of ``y``: a trend that keeps its extremes in at most ``5 *
    n_buckets`` points."""
    x, y = np.asarray(x), np.asarray(y, dtype=np.float64)
    keep = minmax_indices(y, n_buckets)
    return x[keep], y[keep]


def continuous_tags(schema: Schema, view: pd.DataFrame) -> list[str]:
    """The schema's continuous tags present in ``view``, in table order."""
    return [c.name for c in schema.columns if c.role == CONTINUOUS and c.name in view.columns]


def condition_columns(schema: Schema, view: pd.DataFrame, model=None, max_levels: int = 50) -> list[str]:
    """The columns that set the operating state: the model's ``condition`` parameter when it has one, else the
    categorical columns with 2..``max_levels`` levels (operating modes, fault ids, step-like states)."""
    given = getattr(model, "condition", None) if model is not None else None
    if given:
        names = [given] if isinstance(given, str) else list(given)
        return [c for c in names if c in view.columns]
    out = []
    for c in schema.columns:
        if c.role == CATEGORICAL and c.name in view.columns and 2 <= view[c.name].nunique() <= max_levels:
            out.append(c.name)
    return out


def choose_tags(
    real: pd.DataFrame, tags: list[str], k: int = 6, worst: list[str] | None = None, n_worst: int = 2
) -> list[str]:
    """The tags a trend plot shows: the ``k - n_worst`` with the largest real variance, then up to ``n_worst``
    of ``worst`` (tags in the order they match worst, e.g. by column-shape score) not already chosen, then more
    by variance until ``k``. Tags without a finite variance (all missing, constant) are never chosen.

    Parameters
    ----------
    real : pandas.DataFrame
        Model view of the real table ``(n_rows, ...)`` holding ``tags`` as numbers.
    tags : list of str
    k : int, default 6
    worst : list of str, optional
        Tags ordered worst match first.

    Returns
    -------
    list of str
        At most ``k`` tags, no repeats.
    """
    var = real[tags].apply(pd.to_numeric, errors="coerce").var()
    var = var[np.isfinite(var) & (var > 0)]
    by_var = list(var.sort_values(ascending=False, kind="stable").index)
    n_worst = min(max(n_worst, 0), k)
    chosen = by_var[: k - n_worst]
    for t in worst or []:  # at most n_worst of them: chosen holds k - n_worst so far
        if len(chosen) >= k:
            break
        if t in var.index and t not in chosen:
            chosen.append(t)
    for t in by_var:
        if len(chosen) >= k:
            break
        if t not in chosen:
            chosen.append(t)
    return chosen[:k]


@dataclass
class Histograms:
    """Distributions of tags on shared bins: ``edges[tag]`` ``(bins + 1,)``, ``real[tag]`` and
    ``synthetic[tag]`` ``(bins,)`` densities (each integrates to 1 over its observed values)."""

    edges: dict
    real: dict
    synthetic: dict


def histograms(real: pd.DataFrame, synthetic: pd.DataFrame, tags: list[str], bins: int = 40) -> Histograms:
    """Real and synthetic distributions of ``tags`` on shared bins spanning both (missing cells left out)."""
    edges, hr, hs = {}, {}, {}
    for t in tags:
        a = pd.to_numeric(real[t], errors="coerce").to_numpy(np.float64)
        b = pd.to_numeric(synthetic[t], errors="coerce").to_numpy(np.float64)
        a, b = a[np.isfinite(a)], b[np.isfinite(b)]
        both = np.concatenate([a, b])
        if both.size == 0:
            continue
        lo, hi = float(both.min()), float(both.max())
        if hi <= lo:
            hi = lo + 1.0
        e = np.linspace(lo, hi, bins + 1)
        edges[t] = e
        hr[t] = np.histogram(a, e, density=True)[0] if a.size else np.zeros(bins)
        hs[t] = np.histogram(b, e, density=True)[0] if b.size else np.zeros(bins)
    return Histograms(edges, hr, hs)


def status_rates(real: pd.DataFrame, synthetic: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    """Share of rows of each historian status (``"Bad"``, ``"Scan Timeout"``, and ``"<missing>"``) per tag
    that has any, real and synthetic.

    Returns
    -------
    pandas.DataFrame
        Columns ``tag``, ``status``, ``real``, ``synthetic`` (shares in [0, 1]); one row per (tag, status other
        than ``"<ok>"``), the largest real share first.
    """
    from ..schema import OK

    rows = []
    for c in schema.columns:
        col = c.status_column
        if not col or col not in real.columns or col not in synthetic.columns or c.role != CONTINUOUS:
            continue
        pr = real[col].astype(str).value_counts(normalize=True)
        ps = synthetic[col].astype(str).value_counts(normalize=True)
        for level in sorted(set(pr.index) | set(ps.index)):
            if level == OK:
                continue
            rows.append(
                {
                    "tag": c.name,
                    "status": level,
                    "real": float(pr.get(level, 0.0)),
                    "synthetic": float(ps.get(level, 0.0)),
                }
            )
    out = pd.DataFrame(rows, columns=["tag", "status", "real", "synthetic"])
    return out.sort_values("real", ascending=False, ignore_index=True, kind="stable")


def correlations(
    real: pd.DataFrame, synthetic: pd.DataFrame, tags: list[str], max_tags: int = MAX_HEATMAP_TAGS
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Pearson correlation matrices ``(n, n)`` of real and synthetic over at most ``max_tags`` of ``tags``
    (the largest real variance; pairwise complete rows; NaN where a tag does not vary)."""
    num_r = real[tags].apply(pd.to_numeric, errors="coerce")
    var = num_r.var()
    keep = [t for t in tags if np.isfinite(var[t]) and var[t] > 0]
    if len(keep) > max_tags:
        top = set(var[keep].sort_values(ascending=False).index[:max_tags])
        keep = [t for t in keep if t in top]
    num_s = synthetic[keep].apply(pd.to_numeric, errors="coerce")
    return keep, num_r[keep].corr().to_numpy(), num_s.corr().to_numpy()


def log_arrays(view: pd.DataFrame, schema: Schema, tags: list[str], source: str):
    """``(values (n_steps, n_tags) on the time grid, segment id per step)`` for :func:`autocorrelations`; rows
    repeating a time are dropped (the first is kept)."""
    from ..timegrid import to_grid

    entity = schema.entity_column if schema.entity_column in view else None
    keys = [entity, schema.time_column] if entity else [schema.time_column]
    v = view.sort_values(keys, kind="stable")
    v = v[~v.duplicated(keys)]
    grid = to_grid(v, schema.time_column, entity, source=source)
    x = grid.frame[tags].to_numpy(dtype=np.float64)
    x[~grid.observed] = np.nan
    return x, np.repeat(np.arange(len(grid.lengths)), grid.lengths)


def autocorrelations(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    schema: Schema,
    tags: list[str],
    max_lag: int = 48,
    sources=("real", "synthetic"),
) -> tuple[np.ndarray, np.ndarray]:
    """Autocorrelations ``(max_lag, n_tags)`` of real and synthetic at lags ``1..max_lag`` on the time grid
    (:func:`indgan.stats.log_autocorrelation`), over the first :data:`MAX_ACF_STEPS` steps of each."""
    from ..stats import log_autocorrelation

    xr, sr = log_arrays(real, schema, tags, sources[0])
    xs, ss = log_arrays(synthetic, schema, tags, sources[1])
    k = MAX_ACF_STEPS
    return log_autocorrelation(xr[:k], sr[:k], max_lag), log_autocorrelation(xs[:k], ss[:k], max_lag)


def spans_days(view: pd.DataFrame, time: str | None, min_days: float = 2.0) -> bool:
    """Whether ``time`` is a datetime column spanning at least ``min_days`` days (a daily profile is then
    meaningful)."""
    if time is None or time not in view or not pd.api.types.is_datetime64_any_dtype(view[time]):
        return False
    t = view[time].dropna()
    return len(t) > 1 and (t.max() - t.min()) >= pd.Timedelta(days=min_days)


def daily_profile(view: pd.DataFrame, time: str, tags: list[str]) -> pd.DataFrame:
    """Per hour of the day (0..23) the mean and the 10th and 90th percentiles of ``tags``.

    Returns
    -------
    pandas.DataFrame
        Index ``hour``; columns a MultiIndex ``(tag, stat)`` with ``stat`` in ``mean``, ``q10``, ``q90``.
    """
    hour = view[time].dt.hour.rename("hour")
    g = view[tags].apply(pd.to_numeric, errors="coerce").groupby(hour)
    out = pd.concat({"mean": g.mean(), "q10": g.quantile(0.1), "q90": g.quantile(0.9)}, axis=1)
    return out.swaplevel(axis=1).sort_index(axis=1)


def condition_segments(values, max_segments: int = MAX_SEGMENTS) -> tuple[np.ndarray, np.ndarray, list, bool]:
    """Runs of equal consecutive values of a condition column.

    Returns
    -------
    (starts, ends, labels, truncated)
        Row positions (``ends`` inclusive) and the value of each run, at most ``max_segments`` of them;
        ``truncated`` says whether runs were left out.
    """
    s = pd.Series(values).astype(str).to_numpy()
    if s.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), [], False
    starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
    ends = np.r_[starts[1:], s.size] - 1
    truncated = starts.size > max_segments
    starts, ends = starts[:max_segments], ends[:max_segments]
    return starts, ends, [s[i] for i in starts], truncated


def first_entity(view: pd.DataFrame, entity: str | None) -> tuple[pd.DataFrame, object]:
    """The rows of the first entity of ``view`` (the whole view without an entity column) and its id."""
    if entity is None or entity not in view:
        return view, None
    first = view[entity].iloc[0]
    return view[view[entity] == first], first


def spread_ratio(real: pd.DataFrame, synthetic: pd.DataFrame, tags: list[str]) -> float:
    """Median over ``tags`` of ``std(synthetic) / std(real)``: about 1 when the synthetic data vary as much as
    the real data, towards 0 when the generator has collapsed onto a few modes."""
    sr = real[tags].apply(pd.to_numeric, errors="coerce").std()
    ss = synthetic[tags].apply(pd.to_numeric, errors="coerce").std()
    ratio = (ss / sr)[(sr > 0) & np.isfinite(sr)]
    return float(ratio.median()) if len(ratio) else float("nan")


def level_coverage(real: pd.DataFrame, synthetic: pd.DataFrame, schema: Schema) -> float | None:
    """Share of the real levels of the categorical columns that the synthetic data hold (None without
    categorical columns): a collapsed generator drops rare levels."""
    have = want = 0
    for c in schema.columns:
        if c.role in (CATEGORICAL, ENTITY) and c.name in real and c.name in synthetic:
            r = set(map(str, pd.unique(real[c.name].dropna())))
            s = set(map(str, pd.unique(synthetic[c.name].dropna())))
            want += len(r)
            have += len(r & s)
    return have / want if want else None


def time_axis(view: pd.DataFrame, schema: Schema):
    """The x values of a trend: the time column when the schema has one in ``view``, else the row number."""
    t = schema.time_column
    if t is not None and t in view and schema[t].role == TIME:
        return view[t].to_numpy()
    return np.arange(len(view))
