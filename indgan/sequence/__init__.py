"""The sequence GAN (TimeGAN): operating scenarios over time, conditioned on per-step conditions.

- ``networks.py``: embedder, recovery, generator and supervisor, discriminator, condition classifier;
- ``game.py``: the losses of TimeGAN's three phases (:class:`~indgan.sequence.game.TimeGANGame` for the joint one);
- ``prepare.py``: the log's steps encoded, scaled per condition and cut into training windows;
- ``model.py``: the estimator, :class:`~indgan.sequence.model.SequenceGAN`.
"""

from .model import SequenceFitInfo, SequenceGAN

__all__ = ["SequenceGAN", "SequenceFitInfo"]
