"""The tabular GAN (CTGAN): rows of a table, conditioned on any categorical column.

- ``networks.py``: the residual generator, its output activation and the PacGAN discriminator;
- ``game.py``: the CTGAN game of one training step (:class:`~indgan.tabular.game.CTGANGame`);
- ``prepare.py``: encoded rows, the held-out split and training-by-sampling
  (:class:`~indgan.tabular.prepare.ConditionSampler`);
- ``model.py``: the estimator, :class:`~indgan.tabular.model.TabularGAN`.
"""

from .model import TabularFitInfo, TabularGAN

__all__ = ["TabularGAN", "TabularFitInfo"]
