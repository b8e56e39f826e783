"""Temporal super-resolution GAN: SRGAN (Ledig et al., CVPR 2017) with progressive growing (Karras et al., ICLR
2018), fine-grained history from coarse historian archives.

- ``networks.py``: the generator (residual 1-D convolutions, sub-pixel upsampling in time, the consistency
  projection), the discriminator, the content loss's feature network;
- ``game.py``: the losses of one training step (:class:`~indgan.superres.game.SRGame`, SRResNet's MSE);
- ``prepare.py``: logs to tensors (linear per-tag scaling, windows, coarse data) and :func:`coarsen`;
- ``model.py``: the estimator, :class:`~indgan.superres.model.SuperResolutionGAN`.
"""

from .model import SuperResolutionFitInfo, SuperResolutionGAN
from .prepare import coarsen

__all__ = ["SuperResolutionFitInfo", "SuperResolutionGAN", "coarsen"]
