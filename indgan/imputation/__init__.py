"""The GAN imputer (GAIN, row by row or time-aware): missing cells filled with values consistent with usual
operation, observed cells exactly as given; a scikit-learn transformer, saved and reused.

- ``networks.py``: the generator and discriminator over (data, mask), the straight-line start and the cross-tag
  bridge of the time-aware generator, and :class:`~indgan.imputation.networks.GAINNetworks`;
- ``game.py``: GAIN's per-cell game of one training step (:class:`~indgan.imputation.game.GAINGame`);
- ``prepare.py``: the table encoded and ordered on the shared time grid, the cells to fill, the outages left;
- ``model.py``: the estimator, :class:`~indgan.imputation.model.GANImputer`.
"""

from .model import GANImputer
from .prepare import Gap

__all__ = ["GANImputer", "Gap"]
