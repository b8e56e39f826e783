"""Scores of synthetic data against real data.

- :mod:`indgan.metrics.report`: sdmetrics' quality and diagnostic reports (every column pair counted, and the
  default thresholds), the scores over time of a log, TimeGAN's protocol on windows;
- :mod:`indgan.metrics.sequences`: TimeGAN's discriminative and predictive scores, autocorrelation and
  step-change statistics;
- :mod:`indgan.metrics.privacy`: distance to closest record of synthetic rows and windows against a holdout of
  fresh real rows, and the share of exact copies (:func:`privacy_report`);
- :mod:`indgan.metrics.images`: a classifier's Frechet distance and conditional accuracy for the image GANs.
"""

from .privacy import PrivacyReport, holdout_split, privacy_report
from .report import EvaluationReport, SequenceReport, TemporalReport, evaluate, evaluate_sequences, temporal_fidelity

__all__ = [
    "privacy_report",
    "holdout_split",
    "PrivacyReport",
    "evaluate",
    "evaluate_sequences",
    "temporal_fidelity",
    "EvaluationReport",
    "TemporalReport",
    "SequenceReport",
]
