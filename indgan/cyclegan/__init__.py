"""CycleGAN regime transfer: translate windows of a plant log between two unpaired regimes (normal <-> fault k,
line A <-> line B, grade A <-> grade B); Zhu et al., ICCV 2017.

- ``networks.py``: the two temporal-convolution generators and the two patch discriminators;
- ``game.py``: CycleGAN's losses of one training step (:class:`~indgan.cyclegan.game.CycleGANGame`);
- ``prepare.py``: the domains' windows through the shared time grid, and overlap-add back to a log;
- ``model.py``: the estimator, :class:`~indgan.cyclegan.model.CycleGAN` (``fit``, ``translate``, ``save``/``load``).
"""

from .model import CycleFitInfo, CycleGAN

__all__ = ["CycleFitInfo", "CycleGAN"]
