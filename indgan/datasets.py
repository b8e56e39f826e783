"""Synthetic benchmark data sets.

:func:`sines` is the multivariate sine benchmark of TimeGAN (J. Yoon, D. Jarrett and M. van der Schaar,
"Time-series Generative Adversarial Networks", NeurIPS 2019), generated as in the authors' code
(``data_loading.sine_data_generation``); :func:`sines_frame` is the same data as a long table for the
sequence models, one row per time step.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def sines(
    n_sequences: int = 10_000,
    seq_len: int = 24,
    n_features: int = 5,
    random_state: int | np.random.Generator | None = None,
) -> np.ndarray:
    """Independent sine waves with random frequency and phase, the TimeGAN "Sines" data set.

    For every sequence ``i`` and feature ``k`` a frequency ``f ~ U(0, 0.1)`` and a phase ``p ~ U(0, 0.1)``
    are drawn, and ``x[i, t, k] = (sin(f * t + p) + 1) / 2`` for ``t = 0 .. seq_len - 1``: the sine
    scaled from [-1, 1] to [0, 1] as TimeGAN does (Yoon, Jarrett and van der Schaar, NeurIPS 2019).

    With the default ``seq_len=24`` the argument ``f * t + p`` stays below 2.4, so the values actually
    lie in [0.5, 1]; longer sequences reach below 0.5.

    Parameters
    ----------
    n_sequences : int, default 10_000
        Number of sequences (TimeGAN uses 10,000).
    seq_len : int, default 24
        Time steps per sequence (TimeGAN uses 24).
    n_features : int, default 5
        Sine waves per sequence, each with its own frequency and phase (TimeGAN uses 5).
    random_state : int, numpy.random.Generator or None, default None
        Seed passed to :func:`numpy.random.default_rng`; the same seed gives the same array.

    Returns
    -------
    numpy.ndarray of shape (n_sequences, seq_len, n_features), dtype float32
        Values in [0, 1].

    Notes
    -----
    The draws are made as one array of frequencies and one of phases, each of shape
    (n_sequences, n_features), so a seed does not reproduce the exact numbers of TimeGAN's loop over the
    global NumPy generator, only their distribution.

    References
    ----------
    J. Yoon, D. Jarrett and M. van der Schaar, "Time-series Generative Adversarial Networks",
    NeurIPS 2019.
    """
    for name, value in (("n_sequences", n_sequences), ("seq_len", seq_len), ("n_features", n_features)):
        if int(value) != value or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    rng = np.random.default_rng(random_state)
    freq = rng.uniform(0.0, 0.1, size=(n_sequences, 1, n_features))
    phase = rng.uniform(0.0, 0.1, size=(n_sequences, 1, n_features))
    t = np.arange(seq_len, dtype=np.float64).reshape(1, seq_len, 1)
    return ((np.sin(freq * t + phase) + 1.0) * 0.5).astype(np.float32)


def sines_frame(
    n_sequences: int = 10_000,
    seq_len: int = 24,
    n_features: int = 5,
    random_state: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """The :func:`sines` data as a long table, one row per sequence and time step.

    Fit a sequence model on it with entity column ``sequence`` and time column ``step``.

    Parameters
    ----------
    n_sequences, seq_len, n_features, random_state
        As for :func:`sines`; the same arguments give the same values.

    Returns
    -------
    pandas.DataFrame of shape (n_sequences * seq_len, 2 + n_features)
        Columns ``sequence`` (int64, 0 .. n_sequences - 1), ``step`` (int64, 0 .. seq_len - 1) and
        ``s1`` .. ``s{n_features}`` (float32, in [0, 1]). Rows are ordered by sequence, then step, so
        ``frame[["s1", ...]].to_numpy().reshape(n_sequences, seq_len, n_features)`` gives back
        ``sines(...)``.

    References
    ----------
    J. Yoon, D. Jarrett and M. van der Schaar, "Time-series Generative Adversarial Networks",
    NeurIPS 2019.
    """
    data = sines(n_sequences, seq_len, n_features, random_state)
    frame = pd.DataFrame(
        data.reshape(n_sequences * seq_len, n_features), columns=[f"s{k}" for k in range(1, n_features + 1)]
    )
    frame.insert(0, "sequence", np.repeat(np.arange(n_sequences, dtype=np.int64), seq_len))
    frame.insert(1, "step", np.tile(np.arange(seq_len, dtype=np.int64), n_sequences))
    return frame
