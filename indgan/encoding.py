"""Reversible encodings of a table to float32: mode-specific normalisation and one-hot (:class:`DataTransformer`,
for the tabular and log models), and min-max scaling and one-hot (:class:`RangeEncoder`, for the sequence model
and the imputer).

Third stop of the data path. Each continuous column (and a numeric time column) is encoded with the
**mode-specific normalisation** of CTGAN (Xu, Skoularidou, Cuesta-Infante, Veeramachaneni, "Modeling
Tabular Data using Conditional GAN", NeurIPS 2019, section 4.2):

1. a variational Gaussian mixture (Dirichlet-process prior, at most ``n_modes`` components) is fitted to the
   column; components with weight below ``weight_threshold`` are dropped;
2. each value ``x`` draws a mode ``k`` from its posterior over the kept components;
3. ``x`` becomes ``[alpha, one_hot(k)]`` with ``alpha = (x - mu_k) / (4 sigma_k)``; a mode is only drawn
   where ``|alpha| < 0.99``. Unlike CTGAN, alpha is not clipped: an outlier beyond every mode's 4 sigma
   keeps its exact value (in its nearest mode), so that the encoding is exactly reversible.

Beyond CTGAN, a value that a large share of the rows hold exactly (a flat-lined or clamped tag, a quantised
reading: common in historian data) is a *point mass*, a mode of its own that decodes to that exact value.

With ``continuous_encoding="quantile"`` a continuous column is instead one scalar: its **normal score**
``Phi^-1(F(x))`` through the column's empirical quantiles (``n_quantiles`` of them, linear between), scaled into
the generator's tanh range, and decoded through the same quantiles. There is no mode to draw, so tags that move
together stay together under a generator that maps one latent vector to the whole row (a Gaussian-copula view
of the row, Liu, Lafferty and Wasserman's nonparanormal, JMLR 2009; CTGAN's mode draws are independent per
column and break such pairs: on the plant logs the 50 most correlated tag pairs lose 0.65 of their correlation
under the log model with modes). A run of equal quantiles (a point mass) decodes to its value exactly.

Categorical columns (including entity ids and the status / missing-indicator columns of the model view) are
one-hot. The encoding of ``n_rows`` rows is a float32 array ``(n_rows, output_dim)``;
:meth:`DataTransformer.output_spans` says which slices are ``tanh`` scalars and which are ``softmax``
groups, so generators can apply the right activation.

Speed: CTGAN fits its mixtures column by column with scikit-learn and assigns modes column by column. Here
all mixtures are fitted together (:func:`indgan.mixture.fit_mixtures`, the same variational inference as
tensor operations over all columns) on at most ``max_fit_rows`` rows, and the posterior of every value
under every mode of every column is computed in one vectorised numpy expression.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import Tensor, nn

from .errors import DataError, NotFittedError
from .mixture import fit_mixtures
from .schema import CATEGORICAL, CONTINUOUS, ENTITY, MISSING, TIME, Schema, jsonable, time_values


#: Encodings of a continuous column (:class:`DataTransformer`'s ``continuous_encoding``).
QUANTILE_ENCODINGS = ("mode", "quantile")
#: Normal scores are divided by this to sit inside the generator's tanh range (|score| <= 3.5 maps to |a| <= 1).
SCORE_SCALE = 3.5


def _robust_std(d: np.ndarray) -> float:
    """The standard deviation of ``d`` at any magnitude (a tag around 1e300 squares to infinity): computed on ``d``
    divided by its largest absolute value, then scaled back; 1.0 for a column without spread."""
    with np.errstate(all="ignore"):
        top = float(np.max(np.abs(d))) if d.size else 0.0
        if not np.isfinite(top) or top == 0.0:
            return 1.0
        out = float(np.std(d / top)) * top
    return out if np.isfinite(out) and out > 0 else 1.0


def quantile_scores(x: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Normal scores ``Phi^-1(F(x)) / SCORE_SCALE`` of ``x`` through the sorted quantile table ``q`` (``n_q``
    values at probabilities ``0, 1/(n_q - 1), ..., 1``): linear between neighbouring quantiles, the middle of a run
    of equal quantiles for a value equal to them (a point mass). NaN stays NaN."""
    from scipy.special import ndtri

    n_q = len(q)
    lo = np.clip(np.searchsorted(q, x, "right") - 1, 0, n_q - 2)
    width = q[lo + 1] - q[lo]
    with np.errstate(all="ignore"):
        frac = np.clip(np.where(width > 0, (x - q[lo]) / width, 0.5), 0.0, 1.0)
    pos = lo + frac
    a, b = np.searchsorted(q, x, "left"), np.searchsorted(q, x, "right")
    pos = np.where(b - a > 1, 0.5 * (a + b - 1), pos)
    u = (pos + 0.5) / n_q  # in [0.5 / n_q, 1 - 0.5 / n_q]: finite scores, the extremes included
    return np.where(np.isfinite(x), ndtri(u) / SCORE_SCALE, np.nan)


def quantile_values(score: np.ndarray, q: np.ndarray) -> np.ndarray:
    """The inverse of :func:`quantile_scores`: values of scaled normal scores ``(n,)`` through the table ``q``."""
    from scipy.special import ndtr

    n_q = len(q)
    pos = ndtr(np.asarray(score, np.float64) * SCORE_SCALE) * n_q - 0.5
    return np.interp(pos, np.arange(n_q), q)


@dataclass(frozen=True)
class Span:
    """A slice ``[start, start + width)`` of the encoded matrix.

    ``kind`` is ``"tanh"`` (a normalised scalar) or ``"softmax"`` (a one-hot group); ``column`` is the
    model-view column it encodes; ``discrete`` marks the one-hot of a categorical column (the ones the
    conditional vector is built from), as opposed to the mode indicator of a continuous column.
    """

    start: int
    width: int
    kind: str
    column: str
    discrete: bool = False


class DataTransformer:
    """Encode a model view (see :meth:`indgan.schema.Schema.view`) to float32 and back.

    Parameters
    ----------
    schema : Schema
        Column roles.
    n_modes : int, default 10
        Most mixture components per continuous column.
    weight_threshold : float, default 0.005
        Components lighter than this are dropped (as in CTGAN).
    max_fit_rows : int, default 5000
        The mixtures are fitted on a random subset of at most this many rows (all rows are encoded).
    point_mass_fraction : float or None, default 0.05
        A value held by at least this share of a column's rows is a *point mass*: a mode of its own,
        decoded exactly (historian tags that sit at one value, clamped or quantised readings). A Gaussian
        mode cannot reproduce such a spike: its variance prior keeps it wider than the spike, and the
        generated values smear around it. None turns this off (plain CTGAN).
    device : str or torch.device, default "cpu"
        Where the mixtures are fitted.
    random_state : int
        Seed for the subsets, the mixtures and the mode draws.
    continuous_encoding : {"mode", "quantile"}, default "mode"
        "mode": CTGAN's mode-specific normalisation; "quantile": the normal score through the column's empirical
        quantiles (see the module docstring).
    n_quantiles : int, default 1001
        Quantiles kept per continuous column with ``continuous_encoding="quantile"``.

    Attributes (after ``fit``)
    --------------------------
    output_dim : int
        Width of the encoded matrix.
    """

    def __init__(
        self,
        schema: Schema,
        n_modes: int = 10,
        weight_threshold: float = 0.005,
        max_fit_rows: int = 5000,
        point_mass_fraction: float | None = 0.05,
        device: str | torch.device = "cpu",
        random_state: int = 0,
        continuous_encoding: str = "mode",
        n_quantiles: int = 1001,
    ):
        if continuous_encoding not in QUANTILE_ENCODINGS:
            raise DataError(
                f"continuous_encoding must be one of {', '.join(QUANTILE_ENCODINGS)}, got {continuous_encoding!r}."
            )
        self.continuous_encoding = continuous_encoding
        self.n_quantiles = n_quantiles
        self.schema = schema
        self.n_modes = n_modes
        self.weight_threshold = weight_threshold
        self.max_fit_rows = max_fit_rows
        self.point_mass_fraction = point_mass_fraction
        self.device = device
        self.random_state = random_state
        self._blocks: list[dict] | None = None

    # ------------------------------------------------------------------ layout
    def _view_columns(self) -> list[tuple[str, str]]:
        """(model-view column, encoding) pairs: encoding is 'continuous' or 'categorical'."""
        cols = []
        for c in self.schema.modelled:
            if c.role in (CONTINUOUS, TIME):
                cols.append((c.name, "continuous"))
                if c.status_column:
                    cols.append((c.status_column, "categorical"))
            elif c.role in (CATEGORICAL, ENTITY):
                cols.append((c.name, "categorical"))
        return cols

    @property
    def fitted(self) -> bool:
        return self._blocks is not None

    def _check_fitted(self):
        if self._blocks is None:
            raise NotFittedError("this DataTransformer is not fitted yet; call fit first.")

    @property
    def output_dim(self) -> int:
        self._check_fitted()
        return sum(b["width"] for b in self._blocks)

    def output_spans(self) -> list[Span]:
        """The slices of the encoded matrix, in order."""
        self._check_fitted()
        spans, start = [], 0
        for b in self._blocks:
            if b["kind"] == "quantile":
                spans.append(Span(start, 1, "tanh", b["column"]))
            elif b["kind"] == "continuous":
                spans.append(Span(start, 1, "tanh", b["column"]))
                spans.append(Span(start + 1, b["width"] - 1, "softmax", b["column"]))
            else:
                spans.append(Span(start, b["width"], "softmax", b["column"], discrete=True))
            start += b["width"]
        return spans

    def block_starts(self) -> list[tuple[int, dict]]:
        """``(first encoded column, block)`` of every column's block, in order (a block's ``kind`` is "quantile",
        "continuous" or "categorical"; its ``width`` columns follow its first)."""
        self._check_fitted()
        starts = np.cumsum([0] + [b["width"] for b in self._blocks])[:-1]
        return [(int(a), b) for a, b in zip(starts, self._blocks)]

    def quantile_block_scores(self, view: pd.DataFrame, block: dict) -> np.ndarray:
        """The encoded scaled normal scores ``(n_rows,)`` float64 of a "quantile" block's column of ``view``, as
        :meth:`transform` writes them (a missing number encodes as the median: its status column says so)."""
        score = quantile_scores(self._numeric(view[block["column"]], block["column"]), np.asarray(block["quantiles"]))
        return np.nan_to_num(score, nan=0.0)

    def categories(self, column: str) -> list:
        """Levels of a categorical model-view column, in one-hot order."""
        self._check_fitted()
        for b in self._blocks:
            if b["column"] == column and b["kind"] == "categorical":
                return list(b["levels"])
        raise KeyError(column)

    # ------------------------------------------------------------------ fit
    def fit(self, view: pd.DataFrame) -> DataTransformer:
        """Learn the mixtures and category levels from a model view ``(n_rows, n_view_columns)``."""
        rng = np.random.default_rng(self.random_state)
        rows = np.arange(len(view))
        if len(rows) > self.max_fit_rows:
            rows = np.sort(rng.choice(rows, self.max_fit_rows, replace=False))
        blocks: list[dict] = []
        columns, cont_blocks = [], []
        for name, enc in self._view_columns():
            if enc == "continuous" and self.continuous_encoding == "quantile":
                x = self._numeric(view[name], name)
                finite = x[np.isfinite(x)]
                probs = np.linspace(0.0, 1.0, self.n_quantiles)
                q = np.quantile(finite, probs, method="inverted_cdf") if finite.size else np.zeros(self.n_quantiles)
                block = {"column": name, "kind": "quantile", "quantiles": q.tolist(), "width": 1}
            elif enc == "continuous":
                x = self._numeric(view[name], name)
                finite = x[np.isfinite(x)]
                loc = float(np.median(finite)) if finite.size else 0.0
                scale = _robust_std(finite - loc)
                points = self._point_masses(finite)
                block = {"column": name, "kind": "continuous", "loc": loc, "scale": scale, "points": points}
                z = (x[rows] - loc) / scale
                z[np.isin(x[rows], points)] = np.nan  # point masses are modes of their own
                columns.append(z)
                cont_blocks.append(block)
            else:
                s = view[name]
                filled = s.astype(object).where(s.notna(), MISSING)
                counts = filled.value_counts(sort=True)
                levels = [jsonable(v) for v in counts.index]
                block = {"column": name, "kind": "categorical", "levels": levels, "width": len(levels)}
            blocks.append(block)

        if cont_blocks:
            z = torch.from_numpy(np.stack(columns, axis=1)).to(self.device)
            weights, means, stds = (t.cpu().numpy() for t in fit_mixtures(z, n_components=self.n_modes))
            for j, block in enumerate(cont_blocks):
                # the prior switches unneeded modes off: keep the ones that carry weight, sorted by mean
                distinct = np.unique(columns[j][np.isfinite(columns[j])]).size
                if distinct < 2:  # nothing but point masses (and perhaps one other value)
                    rest = columns[j][np.isfinite(columns[j])]
                    block.update(
                        weights=[1.0],
                        means=[float(rest[0]) if rest.size else 0.0],
                        stds=[1.0],
                        width=2 + len(block["points"]),
                    )
                    continue
                keep = weights[j] > self.weight_threshold
                if keep.sum() > distinct:  # never more modes than distinct values
                    keep = weights[j] >= np.sort(weights[j])[-distinct]
                if not keep.any():
                    keep = weights[j] == weights[j].max()
                order = np.argsort(means[j][keep])
                w = weights[j][keep][order]
                block.update(
                    weights=(w / w.sum()).tolist(),
                    means=means[j][keep][order].tolist(),
                    stds=np.maximum(stds[j][keep][order], 1e-6).tolist(),
                    width=1 + len(block["points"]) + int(keep.sum()),
                )
        self._blocks = blocks
        return self

    def _point_masses(self, finite: np.ndarray) -> list[float]:
        """Values held by at least ``point_mass_fraction`` of the rows (a tag stuck at one value, a clamped
        sensor, a quantised reading), most frequent first, at most ``n_modes``."""
        if self.point_mass_fraction is None or finite.size == 0:
            return []
        values, counts = np.unique(finite, return_counts=True)
        heavy = counts >= max(2, self.point_mass_fraction * finite.size)
        if heavy.sum() == len(values):  # every value a point mass: keep one mixture mode to spare
            heavy[np.argmin(np.where(heavy, counts, np.inf))] = False
        order = np.argsort(-counts[heavy], kind="stable")[: self.n_modes]
        return values[heavy][order].tolist()

    @staticmethod
    def _numeric(s: pd.Series, name: str) -> np.ndarray:
        if pd.api.types.is_datetime64_any_dtype(s) or not pd.api.types.is_numeric_dtype(s):
            return time_values(s).to_numpy(dtype="float64")
        return s.to_numpy(dtype="float64", na_value=np.nan)

    # ------------------------------------------------------------------ transform
    def transform(self, view: pd.DataFrame, random_state: int | None = None) -> np.ndarray:
        """Encode a model view to float32 ``(n_rows, output_dim)``.

        Modes are drawn from each value's posterior (seeded by ``random_state``, default the transformer's).
        Missing numbers encode as ``alpha = 0`` in the heaviest mode; their status column says they are
        missing.

        Raises
        ------
        DataError
            If a categorical cell holds a level never seen in ``fit``.
        """
        self._check_fitted()
        rng = np.random.default_rng(self.random_state if random_state is None else random_state)
        n = len(view)
        out = np.zeros((n, self.output_dim), dtype=np.float32)
        cont = [b for b in self._blocks if b["kind"] == "continuous"]
        starts = np.cumsum([0] + [b["width"] for b in self._blocks])[:-1]
        start_of = {id(b): int(s) for b, s in zip(self._blocks, starts)}

        if cont:
            # all continuous columns at once: (n, n_cont, max_modes)
            k = max(len(b["weights"]) for b in cont)
            mu = np.full((len(cont), k), 0.0)
            sd = np.ones((len(cont), k))
            logw = np.full((len(cont), k), -np.inf)
            for j, b in enumerate(cont):
                m = len(b["weights"])
                mu[j, :m], sd[j, :m], logw[j, :m] = b["means"], b["stds"], np.log(b["weights"])
            x = np.stack([self._numeric(view[b["column"]], b["column"]) for b in cont], axis=1)
            loc = np.array([b["loc"] for b in cont])
            scale = np.array([b["scale"] for b in cont])
            # in chunks of rows: the (rows, n_cont, modes) work arrays stay near 64 MB whatever the table's length
            chunk = max(1024, (1 << 26) // (8 * len(cont) * k))
            for i in range(0, n, chunk):
                xc = x[i : i + chunk]
                m = len(xc)
                z = (xc - loc) / scale
                missing = ~np.isfinite(z)
                zf = np.where(missing, 0.0, z)
                dist = (zf[:, :, None] - mu) / sd  # (n, n_cont, k)
                logp = logw - 0.5 * dist**2 - np.log(sd)
                # A mode can only take a value it represents with |alpha| < 1 (the generator's tanh range);
                # an outlier beyond every mode's 4 sigma goes to its nearest mode, unclipped, so that the
                # encoding stays exactly reversible.
                fits = np.abs(dist) < 3.96
                nearest = np.argmin(np.where(np.isfinite(logw), np.abs(dist), np.inf), axis=2)
                logp = np.where(fits, logp, -np.inf)
                logp -= np.max(logp, axis=2, keepdims=True, initial=-1e300)
                p = np.exp(logp)
                total = p.sum(axis=2, keepdims=True)
                p /= np.where(total > 0, total, 1.0)
                u = rng.random((m, len(cont), 1))
                mode = np.minimum((np.cumsum(p, axis=2) < u).sum(axis=2), k - 1)
                mode = np.where(total[:, :, 0] > 0, mode, nearest)
                mode = np.where(missing, np.argmax(logw, axis=1)[None, :], mode)
                mu_k = mu[np.arange(len(cont))[None, :], mode]
                sd_k = sd[np.arange(len(cont))[None, :], mode]
                alpha = (zf - mu_k) / (4 * sd_k)
                alpha[missing] = 0.0
                # point masses come first in each column's mode one-hot; a value equal to one takes it exactly
                n_points = np.array([len(b["points"]) for b in cont])
                mode = mode + n_points[None, :]
                if n_points.any():
                    pts = np.full((len(cont), n_points.max()), np.nan)
                    for j, b in enumerate(cont):
                        pts[j, : n_points[j]] = b["points"]
                    match = xc[:, :, None] == pts[None]  # (n, n_cont, max_points)
                    is_point = match.any(axis=2)
                    mode = np.where(is_point, match.argmax(axis=2), mode)
                    alpha[is_point] = 0.0
                rows = np.arange(m)
                for j, b in enumerate(cont):
                    s0 = start_of[id(b)]
                    out[i : i + m, s0] = alpha[:, j]
                    out[i + rows, s0 + 1 + mode[:, j]] = 1.0

        for b in self._blocks:
            if b["kind"] == "quantile":
                out[:, start_of[id(b)]] = self.quantile_block_scores(view, b)
        rows = np.arange(n)
        for b in self._blocks:
            if b["kind"] != "categorical":
                continue
            s = view[b["column"]]
            filled = s.astype(object).where(s.notna(), MISSING)
            codes = pd.Categorical(filled, categories=pd.Index(b["levels"], dtype=object)).codes.astype(np.int64)
            if (codes < 0).any():
                bad_row = int(np.flatnonzero(codes < 0)[0])
                raise DataError(
                    f"column {b['column']!r}, row {view.index[bad_row]!r}: value {filled.iloc[bad_row]!r} was "
                    f"never seen in training (known: {b['levels'][:10]!r}{'...' if len(b['levels']) > 10 else ''})."
                )
            out[rows, start_of[id(b)] + codes] = 1.0
        return out

    # ------------------------------------------------------------------ inverse
    def inverse_transform(self, data: np.ndarray) -> pd.DataFrame:
        """Decode ``(n_rows, output_dim)`` (one-hot or logits in the softmax groups) to a model view.

        Continuous values are ``mu_k + 4 sigma_k alpha`` with ``k`` the arg-max mode; categorical cells
        are the arg-max level (``"<missing>"`` decodes to NaN outside status columns).
        """
        self._check_fitted()
        data = np.asarray(data)
        if data.dtype not in (np.float32, np.float64):
            data = data.astype(np.float64)
        if data.ndim != 2 or data.shape[1] != self.output_dim:
            raise DataError(f"expected an array of shape (n_rows, {self.output_dim}), got {data.shape}.")
        out: dict[str, object] = {}
        start = 0
        status_cols = {c.status_column for c in self.schema.modelled if c.status_column}
        for b in self._blocks:
            w = b["width"]
            block = data[:, start : start + w]
            if b["kind"] == "quantile":
                x = quantile_values(block[:, 0], np.asarray(b["quantiles"]))
                spec = self.schema[b["column"]]
                if spec.role == TIME:
                    res = spec.resolution or 1.0
                    x = spec.minimum + np.round((x - spec.minimum) / res) * res
                out[b["column"]] = x
            elif b["kind"] == "continuous":
                n_points = len(b["points"])
                mode = block[:, 1:].argmax(axis=1)
                gauss = np.maximum(mode - n_points, 0)
                mu = np.asarray(b["means"])[gauss]
                sd = np.asarray(b["stds"])[gauss]
                alpha = block[:, 0].astype(np.float64)  # float64 from here; the table itself stays as given
                x = (alpha * 4 * sd + mu) * b["scale"] + b["loc"]
                if n_points:
                    x = np.where(mode < n_points, np.asarray(b["points"] + [0.0])[np.minimum(mode, n_points)], x)
                spec = self.schema[b["column"]]
                if spec.minimum is not None:
                    x = np.clip(x, spec.minimum, spec.maximum)
                if spec.role == TIME:
                    res = spec.resolution or 1.0
                    x = spec.minimum + np.round((x - spec.minimum) / res) * res
                out[b["column"]] = x
            else:
                levels = np.empty(len(b["levels"]), dtype=object)
                levels[:] = b["levels"]
                values = levels[block.argmax(axis=1)]
                if b["column"] not in status_cols:
                    values = np.where(values == MISSING, None, values)
                out[b["column"]] = values
            start += w
        return pd.DataFrame(out)

    # ------------------------------------------------------------------ (de)serialisation
    def to_dict(self) -> dict:
        self._check_fitted()
        return {
            "n_modes": self.n_modes,
            "weight_threshold": self.weight_threshold,
            "max_fit_rows": self.max_fit_rows,
            "point_mass_fraction": self.point_mass_fraction,
            "random_state": self.random_state,
            "continuous_encoding": self.continuous_encoding,
            "n_quantiles": self.n_quantiles,
            "blocks": self._blocks,
        }

    @classmethod
    def from_dict(cls, d: dict, schema: Schema) -> DataTransformer:
        t = cls(
            schema,
            n_modes=d["n_modes"],
            weight_threshold=d["weight_threshold"],
            max_fit_rows=d["max_fit_rows"],
            point_mass_fraction=d["point_mass_fraction"],
            random_state=d["random_state"],
            continuous_encoding=d.get("continuous_encoding", "mode"),
            n_quantiles=d.get("n_quantiles", 1001),
        )
        t._blocks = d["blocks"]
        return t


# ---------------------------------------------------------------------------------------------- range encoding
@dataclass
class RangeSpan:
    """Where a column sits in the encoded step vector."""

    column: str
    start: int
    width: int
    kind: str  # "continuous" (one value in [0, 1]) or "categorical" (one-hot)


class RangeEncoder:
    """A row (of a table, or a step of a log) <-> a vector in ``[0, 1]``: continuous columns min-max scaled by the
    training range, categorical ones one-hot with the training levels (an empty categorical cell is the level
    ``"<missing>"``). The encoding of the sequence model and the imputer; the tabular and log models use
    mode-specific normalisation (:class:`DataTransformer`).

    Parameters
    ----------
    continuous, categorical : list of str
        Model-view columns.
    """

    def __init__(self, continuous: list[str], categorical: list[str]):
        self.continuous = list(continuous)
        self.categorical = list(categorical)

    def fit(self, frame: pd.DataFrame) -> RangeEncoder:
        """Learn ranges and levels from ``frame`` (gap rows may be present; they hold NaN)."""
        x = frame[self.continuous].to_numpy(dtype=np.float64) if self.continuous else np.zeros((len(frame), 0))
        with np.errstate(all="ignore"):
            lo, hi = np.nanmin(x, axis=0) if len(x) else np.zeros(0), np.nanmax(x, axis=0) if len(x) else np.zeros(0)
        empty = [c for c, v in zip(self.continuous, lo) if not np.isfinite(v)]
        if empty:
            raise DataError(f"column(s) {empty!r} hold no number at all; drop them or mark them ignored in the config.")
        self.minimum, self.maximum = lo.tolist(), hi.tolist()
        self.levels: dict[str, list] = {}
        for c in self.categorical:
            s = frame[c].dropna()
            levels = sorted(pd.unique(s).tolist(), key=lambda v: (str(type(v)), v))
            if frame[c].isna().any() and MISSING not in levels:
                levels.append(MISSING)
            self.levels[c] = [_py(v) for v in levels]
        return self

    def candidates(self) -> dict[str, list | tuple]:
        """``{column: levels}`` for the categorical columns, ``{column: (min, max)}`` for the continuous ones."""
        out: dict[str, list | tuple] = {c: list(self.levels[c]) for c in self.categorical}
        out.update({c: (lo, hi) for c, lo, hi in zip(self.continuous, self.minimum, self.maximum)})
        return out

    def spans(self) -> list[RangeSpan]:
        out, pos = [], 0
        for c in self.continuous:
            out.append(RangeSpan(c, pos, 1, "continuous"))
            pos += 1
        for c in self.categorical:
            w = len(self.levels[c])
            out.append(RangeSpan(c, pos, w, "categorical"))
            pos += w
        return out

    @property
    def dim(self) -> int:
        return len(self.continuous) + sum(len(v) for v in self.levels.values())

    def transform(self, frame: pd.DataFrame, row_observed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Encode.

        Returns
        -------
        values : numpy.ndarray
            ``(n_steps, dim)`` float32 in ``[0, 1]`` (continuous values outside the training range fall outside).
        observed : numpy.ndarray
            ``(n_steps, dim)`` float32: 1 where the cell was observed, 0 for missing cells and gap rows.
        """
        n = len(frame)
        values = np.zeros((n, self.dim), dtype=np.float32)
        observed = np.zeros((n, self.dim), dtype=np.float32)
        if self.continuous:
            x = frame[self.continuous].to_numpy(dtype=np.float64)
            lo, hi = np.asarray(self.minimum), np.asarray(self.maximum)
            span = np.where(hi > lo, hi - lo, 1.0)
            scaled = (x - lo) / span
            ok = np.isfinite(scaled)
            k = len(self.continuous)
            values[:, :k] = np.where(ok, scaled, 0.0)
            observed[:, :k] = ok
        pos = len(self.continuous)
        for c in self.categorical:  # one vectorised lookup per column
            levels = self.levels[c]
            col = frame[c].astype(object)
            if MISSING in levels:
                col = col.where(col.notna(), MISSING)
            codes = pd.Categorical(col.map(_py), categories=levels).codes.astype(np.int64)  # int8 overflows past 127
            hit = codes >= 0
            rows = np.flatnonzero(hit)
            values[rows, pos + codes[hit]] = 1.0
            observed[rows, pos : pos + len(levels)] = 1.0
            pos += len(levels)
        if row_observed is not None:
            observed[~row_observed] = 0.0
            values[~row_observed] = 0.0
        return values, observed

    def inverse_transform(self, values: np.ndarray, clip: bool = True) -> pd.DataFrame:
        """``(n_steps, dim)`` -> a DataFrame of the columns (continuous clipped to the training range,
        categorical by the largest score)."""
        out: dict[str, Any] = {}
        k = len(self.continuous)
        if k:
            v = values[:, :k].astype(np.float64)
            if clip:
                v = np.clip(v, 0.0, 1.0)
            lo, hi = np.asarray(self.minimum), np.asarray(self.maximum)
            x = lo + v * (hi - lo)
            for j, c in enumerate(self.continuous):
                out[c] = x[:, j]
        pos = k
        for c in self.categorical:
            levels = self.levels[c]
            idx = values[:, pos : pos + len(levels)].argmax(axis=1)
            out[c] = pd.Series(np.asarray(levels, dtype=object)[idx])
            pos += len(levels)
        return pd.DataFrame(out)

    def to_dict(self) -> dict:
        return {
            "continuous": self.continuous,
            "categorical": self.categorical,
            "minimum": self.minimum,
            "maximum": self.maximum,
            "levels": self.levels,
        }

    @classmethod
    def from_dict(cls, d: dict) -> RangeEncoder:
        enc = cls(d["continuous"], d["categorical"])
        enc.minimum, enc.maximum, enc.levels = d["minimum"], d["maximum"], d["levels"]
        return enc


def condition_schedule(encoder: RangeEncoder, column: str, value: Any) -> list:
    """A condition given by a user, as per-step values of ``encoder``'s condition ``column`` (length 1 for a
    constant).

    ``value`` is a constant (``5``, ``"B"``), a schedule of ``(value, n_steps)`` segments
    (``[(0, 160), (5, 320)]``), or a sequence of per-step values. Categorical values are matched to the
    training levels (``"5"`` matches ``5``); continuous ones must be numbers.

    Raises
    ------
    ConditionError
        Unknown condition column, a value never seen in training, a segment of less than one step, or a
        non-number for a continuous condition.
    """
    from .errors import ConditionError
    from .schema import match_level

    if column not in encoder.categorical and column not in encoder.continuous:
        known = encoder.categorical + encoder.continuous
        raise ConditionError(
            f"unknown condition column {column!r}; the model was conditioned on: "
            f"{', '.join(known) or 'nothing (fit with condition=...)'}."
        )
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, tuple) and len(v) == 2 for v in value):
        out = []
        for v, k in value:
            if int(k) < 1:
                raise ConditionError(f"condition {column}: a schedule segment needs at least 1 step, got {k}.")
            out += [v] * int(k)
        values = out
    elif isinstance(value, (list, tuple, np.ndarray, pd.Series)):
        values = list(value)
    else:
        values = [value]
    if column in encoder.categorical:
        levels = encoder.levels[column]
        matched = {}
        for v in set(map(str, values)):
            i = match_level(levels, v)
            if i is None:
                raise ConditionError(
                    f"condition {column}={v!r}: this value never occurs in the training data; known values: "
                    f"{', '.join(map(str, levels[:25]))}{' ...' if len(levels) > 25 else ''}."
                )
            matched[v] = levels[i]
        return [matched[str(v)] for v in values]
    try:
        return [float(v) for v in values]
    except (TypeError, ValueError) as exc:
        raise ConditionError(f"condition {column}: {exc}; give numbers for a continuous condition.") from None


def _py(v: Any) -> Any:
    """NumPy scalars -> Python scalars (JSON-safe, and equal across a save/load)."""
    return v.item() if isinstance(v, np.generic) else v


def observed_mean_std(x: np.ndarray, observed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-feature mean and standard deviation over the observed cells of ``x (n_steps, dim)`` (``observed``:
    1 observed, 0 missing, same shape), as float64 ``(dim,)`` each; a feature with no observed cell gets 0 and 0."""
    x, o = np.asarray(x, np.float64), np.asarray(observed, np.float64)
    n = np.maximum(o.sum(0), 1.0)
    mean = (x * o).sum(0) / n
    return mean, np.sqrt((((x - mean) ** 2) * o).sum(0) / n)


class SpanActivation(nn.Module):
    """Logits ``(..., dim)`` -> values in a :class:`RangeEncoder` layout: sigmoid for the continuous columns (the
    first ``n_cont`` dims), softmax over each categorical column's levels (one op per column). The output layer
    of the sequence model's recovery network and of the imputer's generator."""

    def __init__(self, spans: list[RangeSpan]):
        super().__init__()
        self.n_cont = sum(1 for s in spans if s.kind == "continuous")
        self.cat_spans = [(s.start, s.width) for s in spans if s.kind == "categorical"]

    def forward(self, logits: Tensor) -> Tensor:
        parts = [torch.sigmoid(logits[..., : self.n_cont])]
        parts += [torch.softmax(logits[..., a : a + w], dim=-1) for a, w in self.cat_spans]
        return torch.cat(parts, dim=-1)
