"""Each tag's mean path through its entity, learned apart from the row GAN (trend plus residual).

In batch and run logs (TEP's runs, a dryer's batches) much of what a tag does is a path over the run that depends
on the run's condition: a fault's valve ramps from 40 to 100 over the run, a batch heats up and cools down. The
row model is given the progress ``t / (T - 1)`` and the condition as context, but a GAN learns such conditional
means only roughly: on TEP (seed 0) the generator's per-(fault, 80-step bin) means were 0.25 standard deviations
off, as far as two real runs of the same fault are from each other, and the extreme faults' ramps came out
flat. Those means carry the log's strongest tag correlations (between faults and over the run), so the
cross-correlation error followed.

Diffusion-TS (Yuan and Qiao, "Diffusion-TS: Interpretable Diffusion for General Time Series Generation", ICLR
2024) generates a series as an explicit trend (a regression on a polynomial basis of time) plus seasonal and
residual parts; here the trend of each tag is a regression on the row model's context: an additive model whose
terms are a cubic B-spline basis of the progress (:data:`N_KNOTS` knots, scikit-learn's ``SplineTransformer``)
and every other context feature (condition one-hot, scaled setpoints, calendar cycles) times that basis, fitted
by ridge regression (scikit-learn's ``Ridge``) on the observed cells. The row GAN then learns the residuals
given the same context, and each generated row gets its context's trend back; a quantile map per tag
(:meth:`ContextTrend.fit_map`) then gives the sum the tag's real marginal, point masses included (a valve shut or an
idle pump on 40% of the steps: the map sends the lowest 40% of the sums to exactly that value, and those are the
rows whose context puts the tag there). Angles' sines and cosines get no trend (they stay a point on the circle).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import Ridge
from sklearn.preprocessing import SplineTransformer

#: Knots of the progress basis (cubic: ``N_KNOTS + 2`` functions over ``[0, 1]``).
N_KNOTS = 8
#: Quantile levels of the map from the generated to the real marginal of each trended tag.
MAP_LEVELS = 513
#: Ridge penalty (the basis is bounded in [0, 1]; this only steadies near-empty combinations).
ALPHA = 1e-3


def progress_basis(progress: np.ndarray, n_knots: int = N_KNOTS) -> np.ndarray:
    """Cubic B-spline basis of ``progress`` ``(n,)`` in ``[0, 1]``: ``(n, n_knots + 2)`` float64, rows summing
    to 1."""
    spline = SplineTransformer(n_knots=n_knots, degree=3).fit(np.linspace(0.0, 1.0, 2 * n_knots)[:, None])
    return spline.transform(np.clip(np.asarray(progress, np.float64), 0.0, 1.0)[:, None])


def trend_features(context: np.ndarray, n_knots: int = N_KNOTS) -> np.ndarray:
    """The regression's features of ``context`` ``(n, d)`` whose last column is the progress: the progress basis
    ``B`` and every other context column times ``B``, ``(n, d * (n_knots + 2))`` float64."""
    context = np.asarray(context, np.float64)
    basis = progress_basis(context[:, -1], n_knots)
    other = context[:, :-1]
    inter = (other[:, :, None] * basis[:, None, :]).reshape(len(context), -1)
    return np.concatenate([basis, inter], 1)


def trend_columns(values: np.ndarray, names: list[str], exclude: tuple[str, ...] = ()) -> list[int]:
    """Indices of the tags that get a trend: observed on at least 10 cells and not ending in ``exclude``.
    ``values`` ``(n, k)`` float64 with NaN for missing cells.

    Tags with point masses are trended too: measured with them left out (each tag whose most frequent value held
    5% of its cells kept its exact values in the row model; seed 0, the defaults otherwise, beside another job),
    the nylon batches' top-50 pair error was 0.087 against 0.014 with them in (a tag at 0 for 40% of the steps lost
    its 0.85 correlation with the tags that ramp beside it: 0.66), cross-correlation error 0.086 against 0.013; the
    dryer's 0.060 against 0.056 (seed 1: 0.098 against 0.047); TEP's 0.032 against 0.034."""
    return [
        j
        for j, name in enumerate(names)
        if not (exclude and name.endswith(exclude)) and np.isfinite(values[:, j]).sum() >= 10
    ]


@dataclass
class ContextTrend:
    """Ridge coefficients of each trended tag on :func:`trend_features`.

    Attributes
    ----------
    columns : list of str
        The trended tags.
    coef : numpy.ndarray, shape (n_features, len(columns))
    explained : list of float
        Each tag's share of variance the trend explains on the training rows.
    n_knots : int
    """

    columns: list
    coef: np.ndarray
    explained: list
    n_knots: int = N_KNOTS
    #: ``(2, len(columns), MAP_LEVELS)``: the generated (trend plus residual) and the real quantiles of each tag,
    #: the quantile map (:meth:`fit_map`); None before it is fitted
    quantiles: np.ndarray | None = None

    @classmethod
    def fit(cls, context: np.ndarray, values: np.ndarray, columns: list[str], n_knots: int = N_KNOTS) -> ContextTrend:
        """The trend of ``values`` ``(n, len(columns))`` float64 (tags' units, NaN where missing) given ``context``
        ``(n, d)`` (progress in [0, 1] last), without its quantile map. Tags observed everywhere share one
        multi-output fit; the others get their own on their observed rows (callers pass tags with at least 10
        observed cells: :func:`trend_columns`)."""
        X = trend_features(context, n_knots)
        coef = np.zeros((X.shape[1], len(columns)))
        ok = np.isfinite(values)
        full = ok.all(0)
        if full.any():
            coef[:, full] = (
                Ridge(alpha=ALPHA, fit_intercept=False).fit(X, values[:, full]).coef_.reshape(-1, X.shape[1]).T
            )
        for j in np.flatnonzero(~full):
            coef[:, j] = Ridge(alpha=ALPHA, fit_intercept=False).fit(X[ok[:, j]], values[ok[:, j], j]).coef_
        resid = values - cls(list(columns), coef, [], n_knots).predict(context)
        explained = 1.0 - np.nanvar(resid, 0) / np.maximum(np.nanvar(values, 0), 1e-300)
        return cls(list(columns), coef, [float(e) for e in explained], n_knots)

    def predict(self, context: np.ndarray) -> np.ndarray:
        """The trend of every tag at each ``context`` row: ``(n, len(columns))`` float64. Summed feature by
        feature, so a row's trend does not depend on the rows drawn with it (a log drawn in parts is the log drawn
        whole, to the last bit; a matrix product's blocking would change the last bits with the batch)."""
        X = trend_features(context, self.n_knots)
        out = np.zeros((len(X), len(self.columns)))
        for f in np.flatnonzero(np.any(self.coef != 0, 1)):
            out += X[:, f : f + 1] * self.coef[f]
        return out

    def fit_map(self, generated: np.ndarray, real: np.ndarray) -> None:
        """Fit each tag's quantile map from ``generated`` (trend plus the row model's residual, ``(n, k)``) to
        ``real`` (``(m, k)``; NaN where missing) at :data:`MAP_LEVELS` levels.

        The row model matches the residuals given the context; the marginal of the trend plus a residual is
        right only as far as that conditional law is, while without a trend the quantile encoding makes the
        marginal right whatever the conditional errors. The map gives the tag its real marginal back and keeps
        each row's rank, so the mean path survives it (quantile mapping, as in the bias correction of climate
        model output: Panofsky and Brier 1968; Maraun, J. Climate 2013)."""
        levels = np.linspace(0.0, 1.0, MAP_LEVELS)
        gen = np.stack([np.nanquantile(generated[:, j], levels) for j in range(generated.shape[1])])
        rea = np.stack([np.nanquantile(real[:, j], levels) for j in range(real.shape[1])])
        self.quantiles = np.stack([np.maximum.accumulate(gen, 1), rea])

    def transform(self, residual: np.ndarray, context: np.ndarray) -> np.ndarray:
        """The tags' values ``(n, k)`` float64, in the tags' units: the trend of each ``context`` row (``(n, d)``,
        progress last) plus ``residual`` ``(n, k)``, through the quantile map when it is fitted (NaN stays NaN)."""
        x = residual + self.predict(context)
        if self.quantiles is not None:
            for j in range(x.shape[1]):
                x[:, j] = np.interp(x[:, j], self.quantiles[0, j], self.quantiles[1, j])
        return x

    def real_quantiles(self) -> dict[str, np.ndarray]:
        """``{tag: real quantiles}`` of the map (a value repeated among them is a point mass of the tag)."""
        return {c: self.quantiles[1, j] for j, c in enumerate(self.columns)}

    def to_dict(self) -> dict:
        return {"columns": self.columns, "explained": self.explained, "n_knots": self.n_knots}

    @classmethod
    def from_dict(cls, d: dict, coef: np.ndarray, quantiles: np.ndarray | None = None) -> ContextTrend:
        q = None if quantiles is None else np.asarray(quantiles, np.float64)
        return cls(list(d["columns"]), np.asarray(coef, np.float64), list(d["explained"]), int(d["n_knots"]), q)
