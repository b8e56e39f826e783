"""Per-tag motion on top of the latent process: each tag's synthetic path smoothed and given back its own values
in the smoothed order, at a width the calibration chooses per tag.

Why: the latent process moves every tag through the row model's generator, so a tag's step-to-step motion is the
latent motion times the generator's sensitivity to it. Tags the generator maps steeply move far more from one step
to the next than in the real log (on the plant logs the worst tags' median step was 10-40 times the real one; most
of them redundant tags, whose AR(1) residual is rough on its own), and one length scale for all latent channels
cannot slow them down without slowing the whole log and costing row coverage.

How: the path is smoothed by a zero-phase Gaussian filter (:func:`gaussian_smooth`, so no tag is delayed against
the others) and its own values are given back in the smoothed path's rank order (:func:`rank_smooth`): each
sequence keeps exactly its values (point masses included) and they follow the smoothed path, as
:func:`~indgan.log.noise.stratified` does for the latent channels. That needs the whole sequence, which the stream
draws whole when the latent paths are (sequences of up to 200,000 steps); beyond, the smoothed path is mapped
through a monotone table from the smoothed path's quantiles to the path's quantiles, both taken on the
calibration's simulated log (:func:`fit_map`, :func:`apply_map`), and each output step depends only on the steps
within ``radius(width)`` of it, which the stream draws ahead. Either way a log drawn in parts is the log drawn whole.
Measured on the plant logs (one frozen row model, seed 0, widths up to 32): the rank order kept the rows at 0.908
(0.910 without smoothing), the map from one simulated log to another realisation lost 0.012 of them (0.896).

What it costs: a smoothed tag's value at a step comes from its neighbourhood, so a row is no longer exactly one
draw of the row model; the calibration weighs this by choosing, per tag, the width with the best score over time
on the simulated training log (width 0, no smoothing, is a candidate).
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import gaussian_filter1d

#: Candidate widths (standard deviation of the Gaussian filter, in steps) the calibration tries per tag.
SMOOTH_WIDTHS = (0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)
#: Quantiles in each tag's map from smoothed values to values.
MAP_LEVELS = 501
#: A tag whose real steps are exactly 0 at least this often gets deadband-hold candidates (:func:`run_hold`).
HOLD_SHARE = 0.3
#: Candidate deadbands, in standard deviations of the candidate path's step changes (0: no hold).
HOLD_DEADBANDS = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0)


def radius(width: float) -> int:
    """Steps on each side a Gaussian filter of standard deviation ``width`` reads (``gaussian_filter1d``'s
    truncation at 4 standard deviations)."""
    return int(4.0 * float(width) + 0.5) if width > 0 else 0


def gaussian_smooth(x: np.ndarray, width: float, bounds: list[tuple[int, int]]) -> np.ndarray:
    """Zero-phase Gaussian smoothing of each sequence of the path ``x``.

    Parameters
    ----------
    x : numpy.ndarray
        ``(n_steps,)`` float path, sequences laid end to end; NaN cells (missing) are left out of the weighted
        mean (normalised convolution) and stay NaN.
    width : float
        Standard deviation in steps (``scipy.ndimage.gaussian_filter1d``, ``mode="nearest"`` at a sequence's ends);
        each output step reads the ``radius(width)`` steps on either side.
    bounds : list of (int, int)
        ``(first step, end)`` of each sequence; steps outside them are returned as they are.

    Returns
    -------
    numpy.ndarray
        ``(n_steps,)`` float64.
    """
    out = np.array(x, dtype=np.float64, copy=True)
    if width <= 0:
        return out
    for a, b in bounds:
        v = out[a:b]
        ok = np.isfinite(v)
        if not ok.any():
            continue
        num = gaussian_filter1d(np.where(ok, v, 0.0), float(width), mode="nearest")
        den = gaussian_filter1d(ok.astype(np.float64), float(width), mode="nearest")
        v[ok] = num[ok] / np.maximum(den[ok], 1e-300)
    return out


def fit_map(x: np.ndarray, width: float, bounds: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """The map of one tag: ``(levels, values)``, :data:`MAP_LEVELS` quantiles of the smoothed path and of the path
    itself (values are values of the path: ``method="inverted_cdf"``), both ``(MAP_LEVELS,)`` float64."""
    s = gaussian_smooth(x, width, bounds)
    ok = np.isfinite(x)
    p = np.linspace(0.0, 1.0, MAP_LEVELS)
    if not ok.any():
        return np.zeros(MAP_LEVELS), np.zeros(MAP_LEVELS)
    return np.quantile(s[ok], p), np.quantile(x[ok], p, method="inverted_cdf")


def apply_map(
    x: np.ndarray, width: float, bounds: list[tuple[int, int]], levels: np.ndarray, values: np.ndarray
) -> np.ndarray:
    """``x (n_steps,)`` smoothed (:func:`gaussian_smooth`) and mapped through ``(levels, values)``
    (:func:`fit_map`; linear between levels, clamped at the ends); NaN cells stay NaN."""
    s = gaussian_smooth(x, width, bounds)
    return np.where(np.isfinite(x), np.interp(s, levels, values), np.nan)


def rank_smooth(x: np.ndarray, width: float, bounds: list[tuple[int, int]]) -> np.ndarray:
    """``x (n_steps,)`` with each sequence's finite values reordered as its smoothed path (:func:`gaussian_smooth`)
    orders them: exactly the same values per sequence, smoother in time (ties keep their order in time; NaN cells
    stay). What the stream applies when each sequence is drawn whole (up to
    :data:`~indgan.log.stream.STRATIFY_MAX_STEPS` steps); :func:`apply_map` beyond."""
    out = np.array(x, dtype=np.float64, copy=True)
    if width <= 0:
        return out
    s = gaussian_smooth(out, width, bounds)
    for a, b in bounds:
        ok = np.flatnonzero(np.isfinite(out[a:b])) + a
        order = np.argsort(s[ok], kind="stable")
        out[ok[order]] = np.sort(out[ok], kind="stable")
    return out


def run_hold(x: np.ndarray, deadband: float, bounds: list[tuple[int, int]]) -> np.ndarray:
    """Each sequence of ``x`` held while it stays within one bin of width ``deadband``: what a historian's exception
    reporting (deadband) archives, and how a yaw drive or a positioner moves (only when the error exceeds a
    threshold). On La Haute Borne's log the four nacelle yaw positions hold still on 72% of the 10-minute steps;
    the latent process moves them a little at almost every step (2-4%), which scored 0.63 on step changes.

    Parameters
    ----------
    x : numpy.ndarray
        ``(n_steps,)`` float path, sequences laid end to end; NaN cells stay NaN and do not break a run.
    deadband : float
        Bin width in the path's units; 0 returns a copy.
    bounds : list of (int, int)
        ``(first step, end)`` of each sequence.

    Returns
    -------
    numpy.ndarray
        ``(n_steps,)`` float64: runs of equal values. Each run takes the path's value at the run's middle rank among
        the runs (ordered by the value the path had where the run began, weighted by their lengths), so the
        sequence keeps its distribution up to the runs' discreteness (rows unchanged to 4 decimals on that log,
        against -0.006 for holding the run's first value).
    """
    out = np.array(x, dtype=np.float64, copy=True)
    if deadband <= 0:
        return out
    for a, b in bounds:
        ok = np.flatnonzero(np.isfinite(out[a:b])) + a
        if len(ok) < 2:
            continue
        v = out[ok]
        cell = np.floor(v / deadband)
        first = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]])
        lens = np.diff(np.r_[first, len(v)])
        order = np.argsort(v[first], kind="stable")
        middle = (np.cumsum(lens[order]) - lens[order] / 2.0).astype(np.int64)
        run_value = np.empty(len(first))
        run_value[order] = np.sort(v, kind="stable")[np.minimum(middle, len(v) - 1)]
        out[ok] = np.repeat(run_value, lens)
    return out


def choose_widths(
    x: np.ndarray, bounds: list[tuple[int, int]], score, widths: tuple[float, ...] = SMOOTH_WIDTHS
) -> tuple[np.ndarray, np.ndarray, list[dict]]:
    """Per column of ``x (n_steps, n_columns)``, the width in ``widths`` whose smoothing (:func:`rank_smooth`) scores
    best by ``score(candidate (n_steps, n_columns)) -> (n_columns,)`` (higher is better; the first width wins ties,
    so put 0 first to prefer no smoothing), with the map of the chosen width for logs too long to draw whole.

    Returns
    -------
    chosen : numpy.ndarray
        ``(n_columns,)`` widths.
    table : numpy.ndarray
        ``(n_widths, n_columns)`` scores.
    maps : list of dict
        Per column ``{"width", "levels", "values"}`` of its chosen map (``levels``/``values`` lists; empty for 0).
    """
    fitted = {}
    table = []
    for w in widths:
        cols = []
        for j in range(x.shape[1]):
            if w > 0:
                fitted[w, j] = fit_map(x[:, j], w, bounds)
                cols.append(rank_smooth(x[:, j], w, bounds))
            else:
                cols.append(x[:, j])
        table.append(score(np.stack(cols, 1)))
    table = np.stack(table)
    best = np.argmax(np.where(np.isfinite(table), table, -np.inf), axis=0)
    chosen = np.asarray(widths, np.float64)[best]
    maps = [
        {"width": float(w), "levels": fitted[w, j][0].tolist(), "values": fitted[w, j][1].tolist()}
        if w > 0
        else {"width": 0.0, "levels": [], "values": []}
        for j, w in enumerate(chosen)
    ]
    return chosen, table, maps
