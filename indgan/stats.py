"""Pure statistics of real against synthetic data, shared by the models' early-stopping scores and
:mod:`indgan.metrics`.

Everything here takes numpy arrays or pandas tables and returns numbers or arrays: no torch, no sdmetrics, no
model and no report, so a model can score its candidates with the very statistics the metrics report, without
importing the scorers (the learned scores, TimeGAN's discriminative and predictive ones, stay in
:mod:`indgan.metrics.sequences`).

Rows (a table's columns, order of the rows ignored):

- :func:`ks_complement`: ``1 - KS`` of two samples of numbers (sdmetrics' KSComplement);
- :func:`tv_complement`: ``1 - TV`` of two samples of categories (sdmetrics' TVComplement);
- :func:`correlation_similarity`: mean ``1 - |r_real - r_synthetic| / 2`` over column pairs (sdmetrics'
  CorrelationSimilarity, Pearson);
- :func:`row_fidelity`: the mean of the shapes (KS / TV) and pairs (correlation) terms, the fast stand-in for
  sdmetrics' quality score that the early stopping uses.

Logs over time (``(n_steps, n_columns)`` values on a regular grid, segment after segment, NaN for missing cells,
with a ``(n_steps,)`` segment id so that lagged pairs never straddle two entities):

- :func:`step_changes`, :func:`step_change_scores` (``1 - KS`` of ``x[t+1] - x[t]``), :func:`step_scale`;
- :func:`log_autocorrelation` (ACF at lags ``1..max_lag``) and :func:`autocorrelation_error`;
- :func:`top_correlated_pairs`, :func:`pair_correlation_error`, :func:`log_cross_correlation`.

Features (images): :func:`frechet_distance` between Gaussians fitted to two feature sets.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

__all__ = [
    "ks_complement",
    "tv_complement",
    "correlation_similarity",
    "row_fidelity",
    "step_changes",
    "step_change_scores",
    "step_scale",
    "log_autocorrelation",
    "autocorrelation_error",
    "top_correlated_pairs",
    "pair_correlation_error",
    "log_cross_correlation",
    "frechet_distance",
]


# ---------------------------------------------------------------------------------------------- rows
def ks_complement(real: np.ndarray, synthetic: np.ndarray) -> float:
    """One minus the two-sample Kolmogorov-Smirnov statistic (sdmetrics' KSComplement), over finite values.

    Parameters
    ----------
    real, synthetic : numpy.ndarray
        ``(n_real,)`` and ``(n_synthetic,)`` float64 samples; NaN and infinite values are left out.

    Returns
    -------
    float
        ``1 - max_x |F_real(x) - F_synthetic(x)|`` in [0, 1] (1 = the same empirical distribution); NaN when
        either side has no finite value.
    """
    a, b = np.sort(real[np.isfinite(real)]), np.sort(synthetic[np.isfinite(synthetic)])
    if a.size == 0 or b.size == 0:
        return float("nan")
    grid = np.concatenate([a, b])
    return float(
        1.0 - np.abs(np.searchsorted(a, grid, "right") / a.size - np.searchsorted(b, grid, "right") / b.size).max()
    )


def tv_complement(real: pd.Series, synthetic: pd.Series) -> float:
    """One minus the total variation distance between two samples of categories (sdmetrics' TVComplement).

    Parameters
    ----------
    real, synthetic : pandas.Series
        ``(n_real,)`` and ``(n_synthetic,)`` categories, compared as strings (a missing cell is its own
        category, ``"nan"`` / ``"None"``).

    Returns
    -------
    float
        ``1 - 0.5 * sum_k |p_real(k) - p_synthetic(k)|`` in [0, 1] (1 = the same frequencies).
    """
    pr = real.astype(str).value_counts(normalize=True)
    ps = synthetic.astype(str).value_counts(normalize=True)
    return float(1.0 - 0.5 * pr.sub(ps, fill_value=0.0).abs().sum())


def correlation_similarity(real: pd.DataFrame, synthetic: pd.DataFrame, columns: list[str]) -> float:
    """Mean over the pairs of ``columns`` of ``1 - |r_real - r_synthetic| / 2`` (sdmetrics'
    CorrelationSimilarity, Pearson).

    Parameters
    ----------
    real, synthetic : pandas.DataFrame
        ``(n_real, ...)`` and ``(n_synthetic, ...)`` tables holding ``columns`` (numbers; cells that are not
        become NaN and each pair's correlation is taken over the rows where both are observed).
    columns : list of str
        At least 2 columns.

    Returns
    -------
    float
        In [0, 1] (1 = the same correlations); a pair with a constant column on one side counts as correlation 0
        there.
    """
    cols = list(columns)

    def corr(df):
        return df[cols].apply(pd.to_numeric, errors="coerce").corr().to_numpy()

    cr, cs = corr(real), corr(synthetic)
    iu = np.triu_indices(len(cols), 1)
    gap = np.abs(np.nan_to_num(cr[iu]) - np.nan_to_num(cs[iu]))
    return float(np.mean(1.0 - gap / 2.0))


def row_fidelity(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    continuous: list[str],
    categorical: list[str],
    max_pair_columns: int = 64,
) -> float:
    """A fast stand-in for sdmetrics' quality score, for early stopping: the mean of a shapes term and a pairs
    term, each in [0, 1] (1 = identical).

    Shapes: per continuous column the complement of the two-sample Kolmogorov-Smirnov statistic, per
    categorical column the complement of the total variation distance (:func:`ks_complement` and
    :func:`tv_complement`, sdmetrics' KSComplement and TVComplement). Pairs: ``1 - |r_real - r_synthetic| / 2``
    over the pairs of continuous columns (:func:`correlation_similarity`, sdmetrics' CorrelationSimilarity,
    Pearson), on at most ``max_pair_columns`` columns (the ones with the largest real standard deviation).
    Missing cells are left out column by column.

    Parameters
    ----------
    real, synthetic : pandas.DataFrame
        Model views ``(n_real, ...)`` and ``(n_synthetic, ...)`` holding ``continuous`` (numbers) and
        ``categorical`` columns.
    continuous, categorical : list of str
        The columns of each kind to score.
    max_pair_columns : int, default 64
        Continuous columns that enter the pairs term (its cost grows with their square).

    Returns
    -------
    float
        The shapes term alone when fewer than 2 continuous columns are left for pairs; 1.0 with no column at all.
    """
    shapes = []
    for c in continuous:
        a = pd.to_numeric(real[c], errors="coerce").to_numpy(np.float64)
        b = pd.to_numeric(synthetic[c], errors="coerce").to_numpy(np.float64)
        score = ks_complement(a, b)
        if np.isnan(score):
            continue
        shapes.append(score)
    for c in categorical:
        shapes.append(tv_complement(real[c], synthetic[c]))
    cols = list(continuous)
    if len(cols) > max_pair_columns:
        spread = real[cols].apply(pd.to_numeric, errors="coerce").std().fillna(0.0)
        cols = list(spread.sort_values(ascending=False).index[:max_pair_columns])
    pairs = correlation_similarity(real, synthetic, cols) if len(cols) > 1 else None
    shape = float(np.mean(shapes)) if shapes else 1.0
    return shape if pairs is None else 0.5 * (shape + pairs)


# ---------------------------------------------------------------------------------------------- logs over time
def step_changes(x: np.ndarray, segments: np.ndarray) -> np.ndarray:
    """Step changes ``x[t+1] - x[t]`` inside each segment.

    Parameters
    ----------
    x : numpy.ndarray
        ``(n_steps, n_columns)`` values on a regular grid, segment after segment; NaN for missing cells.
    segments : numpy.ndarray
        ``(n_steps,)`` segment id of each step.

    Returns
    -------
    numpy.ndarray
        ``(n_pairs, n_columns)`` float64, one row per pair of consecutive steps of one segment (NaN where either
        cell is missing).
    """
    x = np.asarray(x, np.float64)
    segments = np.asarray(segments)
    return np.diff(x, axis=0)[segments[1:] == segments[:-1]]


def step_change_scores(
    real: np.ndarray, synthetic: np.ndarray, real_segments: np.ndarray, synthetic_segments: np.ndarray
) -> np.ndarray:
    """Per column, ``1 - KS`` between the distributions of the real and the synthetic step changes
    (:func:`step_changes`; :func:`ks_complement`, as sdmetrics' KSComplement does for values): whether the log
    moves from one step to the next as the real one does.

    Parameters
    ----------
    real, synthetic : numpy.ndarray
        ``(n_real_steps, n_columns)`` and ``(n_synthetic_steps, n_columns)`` logs (see :func:`step_changes`).
    real_segments, synthetic_segments : numpy.ndarray
        ``(n_real_steps,)`` and ``(n_synthetic_steps,)`` segment ids.

    Returns
    -------
    numpy.ndarray
        ``(n_columns,)`` in [0, 1] (1 best); NaN for a column without step changes on either side.
    """
    dr, ds = step_changes(real, real_segments), step_changes(synthetic, synthetic_segments)
    out = np.full(dr.shape[1], np.nan)
    for j in range(dr.shape[1]):
        out[j] = ks_complement(dr[:, j], ds[:, j])
    return out


def step_scale(x: np.ndarray, segments: np.ndarray) -> np.ndarray:
    """Per column, the robust spread of the step changes (:func:`step_changes`): 1.4826 x their median absolute
    deviation, the standard deviation for Gaussian steps.

    Parameters
    ----------
    x : numpy.ndarray
        ``(n_steps, n_columns)`` log, NaN for missing cells.
    segments : numpy.ndarray
        ``(n_steps,)`` segment ids.

    Returns
    -------
    numpy.ndarray
        ``(n_columns,)``; 0 for a column without any step change.
    """
    return robust_scale(step_changes(x, segments))


def robust_scale(d: np.ndarray) -> np.ndarray:
    """Per column of ``d`` ``(n, n_columns)``, 1.4826 x the median absolute deviation of its finite values (the
    standard deviation for Gaussian values), ``(n_columns,)`` in ``d``'s units; 0 for a column without any."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN column: 0
        med = np.nanmedian(d, axis=0)
        mad = np.nanmedian(np.abs(d - med), axis=0) * 1.4826
    return np.nan_to_num(mad)


def level_bins(levels: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """The bin of each value of ``levels`` ``(n, n_columns)`` among its column's increasing inner ``edges``
    ``(n_columns, n_bins - 1)`` (same units): the number of edges at or below it, ``(n, n_columns)`` int in
    ``0 .. n_bins - 1``; -1 where the value is missing."""
    bins = (levels[:, :, None] >= edges[None]).sum(-1)
    return np.where(np.isfinite(levels), bins, -1)


def step_levels(x: np.ndarray, segments: np.ndarray) -> np.ndarray:
    """Mid level ``(x[t] + x[t+1]) / 2`` of each step change inside each segment, row for row with
    :func:`step_changes`: ``(n_pairs, n_columns)`` float64 in ``x``'s units (NaN where either cell is missing)."""
    x = np.asarray(x, np.float64)
    segments = np.asarray(segments)
    return (0.5 * (x[1:] + x[:-1]))[segments[1:] == segments[:-1]]


def level_step_scale(x: np.ndarray, segments: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Per column and level bin, the robust spread of the step changes (as :func:`step_scale`), each step
    ``x[t] -> x[t+1]`` binned by its mid level ``(x[t] + x[t+1]) / 2``: a tag whose steps are larger at some levels
    than at others (a wind turbine's power moves by hundreds of kW on the steep part of its power curve and by a
    few at idle or at rated power).

    Parameters
    ----------
    x : numpy.ndarray
        ``(n_steps, n_columns)`` log, NaN for missing cells.
    segments : numpy.ndarray
        ``(n_steps,)`` segment ids.
    edges : numpy.ndarray
        ``(n_columns, n_bins - 1)`` inner bin edges of each column's levels (``x``'s units), increasing.

    Returns
    -------
    numpy.ndarray
        ``(n_bins, n_columns)`` in ``x``'s units; 0 for a bin without any step change.
    """
    d, mid = step_changes(x, segments), step_levels(x, segments)
    bins = level_bins(mid, edges)
    return np.stack([robust_scale(np.where(bins == k, d, np.nan)) for k in range(edges.shape[1] + 1)])


def log_autocorrelation(x: np.ndarray, segments: np.ndarray, max_lag: int = 12) -> np.ndarray:
    """Autocorrelation of each column of a log at lags ``1..max_lag``.

    Parameters
    ----------
    x : numpy.ndarray
        ``(n_steps, n_columns)`` values on a regular grid, segment after segment (entities); NaN for missing
        cells.
    segments : numpy.ndarray
        ``(n_steps,)`` segment id of each step: pairs ``(x_t, x_{t+lag})`` count only inside one segment.
    max_lag : int

    Returns
    -------
    numpy.ndarray
        ``(max_lag, n_columns)``: the correlation of the lagged pairs around the column's overall mean and
        variance (pooled over segments); NaN for a column that does not vary.
    """
    x = np.asarray(x, np.float64)
    segments = np.asarray(segments)
    with np.errstate(all="ignore"):
        mu = np.nanmean(x, axis=0)
        var = np.nanvar(x, axis=0)
    c = x - mu
    out = np.full((max_lag, x.shape[1]), np.nan)
    for lag in range(1, max_lag + 1):  # one vectorised product per lag
        if lag >= len(x):
            break
        same = segments[lag:] == segments[:-lag]
        with np.errstate(all="ignore"):
            out[lag - 1] = np.nanmean(c[lag:][same] * c[:-lag][same], axis=0) / var
    out[:, ~(var > 0)] = np.nan
    return out


def autocorrelation_error(real_acf: np.ndarray, synthetic_acf: np.ndarray, axis: int | None = None) -> np.ndarray:
    """Mean ``|ACF_real - ACF_synthetic|`` of two :func:`log_autocorrelation` results, NaN (constant columns) left
    out.

    Parameters
    ----------
    real_acf, synthetic_acf : numpy.ndarray
        ``(max_lag, n_columns)`` autocorrelations.
    axis : int or None, default None
        None: one number over every lag and column; 0: one per column ``(n_columns,)``.

    Returns
    -------
    numpy.ndarray or numpy.float64
        In [0, 2] (0 = the same dynamics); NaN where nothing is left.
    """
    return np.nanmean(np.abs(real_acf - synthetic_acf), axis=axis)


def top_correlated_pairs(x: np.ndarray, k: int = 50, min_observed: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` column pairs of ``x`` with the largest absolute Pearson correlation.

    Parameters
    ----------
    x : numpy.ndarray
        ``(n_rows, n_columns)`` values, NaN for missing cells (status strings, gaps): each pair's correlation is
        taken over the rows where both cells are observed (pairwise, as pandas does).
    k : int, default 50
    min_observed : int, default 30
        Pairs observed together on fewer rows are left out.

    Returns
    -------
    pairs : numpy.ndarray
        ``(m, 2)`` int column indices, most correlated first (``m <= k``; constant columns are left out).
    r : numpy.ndarray
        ``(m,)`` their real correlations.
    """
    r = pd.DataFrame(np.asarray(x, np.float64)).corr(min_periods=min_observed).to_numpy()
    iu = np.triu_indices(r.shape[0], 1)
    vals = r[iu]
    ok = np.isfinite(vals)
    order = np.argsort(-np.abs(vals[ok]), kind="stable")[:k]
    pairs = np.stack([iu[0][ok][order], iu[1][ok][order]], 1)
    return pairs.astype(np.int64), vals[ok][order]


def pair_correlation_error(real: np.ndarray, synthetic: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """``|r_real - r_synthetic|`` of the Pearson correlation (same step) of each column pair: whether redundant
    sensors and control loops move together as in the real log.

    Parameters
    ----------
    real, synthetic : numpy.ndarray
        ``(n_real_rows, n_columns)`` and ``(n_synthetic_rows, n_columns)``, NaN for missing cells (each pair's
        correlation is taken over the rows where both cells are observed).
    pairs : numpy.ndarray
        ``(n_pairs, 2)`` column indices, e.g. from :func:`top_correlated_pairs`.

    Returns
    -------
    numpy.ndarray
        ``(n_pairs,)`` in [0, 2] (0 best); a pair that is constant on the synthetic side counts as correlation 0
        (NaN only where the real side is constant).
    """

    def corr(x):
        x = np.asarray(x, np.float64)
        a, b = x[:, pairs[:, 0]], x[:, pairs[:, 1]]
        ok = np.isfinite(a) & np.isfinite(b)
        n = ok.sum(0).clip(min=1)
        a, b = np.where(ok, a, 0.0), np.where(ok, b, 0.0)
        ma, mb = a.sum(0) / n, b.sum(0) / n
        ca, cb = np.where(ok, a - ma, 0.0), np.where(ok, b - mb, 0.0)
        with np.errstate(all="ignore"):
            return (ca * cb).sum(0) / np.sqrt((ca * ca).sum(0) * (cb * cb).sum(0))

    rr, rs = corr(real), corr(synthetic)
    return np.abs(rr - np.nan_to_num(rs))


def log_cross_correlation(x: np.ndarray, segments: np.ndarray, pairs: np.ndarray, max_lag: int = 12) -> np.ndarray:
    """Cross-correlation ``corr(x_i[t], x_j[t + lag])`` of column pairs of a log at lags ``0..max_lag``, both
    ways round (the leading tag is not known in advance).

    Parameters
    ----------
    x : numpy.ndarray
        ``(n_steps, n_columns)`` values on a regular grid, segment after segment; NaN for missing cells.
    segments : numpy.ndarray
        ``(n_steps,)`` segment id of each step: lagged pairs count only inside one segment.
    pairs : numpy.ndarray
        ``(n_pairs, 2)`` column indices ``(i, j)``.
    max_lag : int, default 12

    Returns
    -------
    numpy.ndarray
        ``(2 * max_lag + 1, n_pairs)``: rows ``max_lag - lag`` hold ``corr(x_i[t + lag], x_j[t])`` and rows
        ``max_lag + lag`` hold ``corr(x_i[t], x_j[t + lag])``, around each column's overall mean and variance
        (pooled over segments, as :func:`log_autocorrelation`); NaN for a pair with a constant column.
    """
    x = np.asarray(x, np.float64)
    segments = np.asarray(segments)
    with np.errstate(all="ignore"):
        mu = np.nanmean(x, axis=0)
        sd = np.sqrt(np.nanvar(x, axis=0))
    z = (x - mu) / np.where(sd > 0, sd, np.nan)
    a, b = z[:, pairs[:, 0]], z[:, pairs[:, 1]]
    out = np.full((2 * max_lag + 1, len(pairs)), np.nan)
    for lag in range(0, max_lag + 1):  # one vectorised product per lag and direction
        if lag >= len(x):
            break
        same = segments[lag:] == segments[:-lag] if lag else np.ones(len(x), bool)
        with np.errstate(all="ignore"):
            out[max_lag + lag] = np.nanmean(a[: len(x) - lag][same] * b[lag:][same], axis=0)
            out[max_lag - lag] = np.nanmean(a[lag:][same] * b[: len(x) - lag][same], axis=0)
    return out


# ---------------------------------------------------------------------------------------------- features
def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to feature sets ``a`` ``(n, d)`` and ``b`` ``(m, d)``:
    ``|mu_a - mu_b|^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2))`` (FID's construction; 0 = the same mean and
    covariance). A ridge of ``1e-6`` is added to both covariances (dead ReLU units make them singular).

    Returns
    -------
    float
        At least 0.
    """
    import warnings

    from scipy import linalg

    mu_a, mu_b = a.mean(0), b.mean(0)
    s_a, s_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    eps = np.eye(len(s_a)) * 1e-6  # dead ReLU units make the covariances singular
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", linalg.LinAlgWarning)
        s_a, s_b = s_a + eps, s_b + eps
        covmean = linalg.sqrtm(s_a @ s_b).real
    return max(0.0, float(((mu_a - mu_b) ** 2).sum() + np.trace(s_a + s_b - 2.0 * covmean)))
