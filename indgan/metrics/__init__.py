"""Scores of synthetic data against real data.

- :mod:`indgan.metrics.report`: sdmetrics' quality and diagnostic reports (every column pair counted, and the
  default thresholds), the scores over time of a log, TimeGAN's protocol on windows;
- :mod:`indgan.metrics.sequences`: TimeGAN's discriminative and predictive scores, autocorrelation and
  step-change statistics;
- :mod:`indgan.metrics.images`: a classifier's Frechet distance and conditional accuracy for the image GANs.
"""

from .report import EvaluationReport, SequenceReport, TemporalReport, evaluate, evaluate_sequences, temporal_fidelity

__all__ = [
    "evaluate",
    "evaluate_sequences",
    "temporal_fidelity",
    "EvaluationReport",
    "TemporalReport",
    "SequenceReport",
]
