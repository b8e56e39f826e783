"""The image GANs: DCGAN and the conditional DCGAN.

- ``networks.py``: DCGAN's generator and discriminator, the conditional GAN's label inputs;
- ``game.py``: the game of one training step (:class:`~indgan.image.game.ImageGame`);
- ``prepare.py``: image data (Fashion-MNIST from Debian, scikit-learn's digits, folders, .npz) and grids;
- ``model.py``: the estimators, :class:`~indgan.image.model.DCGAN` and :class:`~indgan.image.model.ConditionalDCGAN`.
"""

from .model import DCGAN, ConditionalDCGAN, ImageFitInfo

__all__ = ["DCGAN", "ConditionalDCGAN", "ImageFitInfo"]
