"""The log model (the main job's default): a synthetic historian log, right row by row and over time.

- ``noise.py``: the smooth latent processes that move the rows over time (its "networks": the row model's
  generator maps each step's noise to a row);
- ``smoothing.py``: each tag's path smoothed at a calibrated width, keeping its values (per-tag motion);
- ``prepare.py``: a log to the rows and contexts its row model learns from;
- ``model.py``: the estimator, :class:`~indgan.log.model.LogGAN` (its game is the tabular GAN's, on the shared
  trainer; the calibration of the motion is in the estimator).
"""

from .model import LogFitInfo, LogGAN

__all__ = ["LogGAN", "LogFitInfo"]
