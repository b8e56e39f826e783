"""Images -> the arrays the image GANs train on: checked shapes, dtype and labels.

Files are read by :mod:`indgan.adapters.images` (:func:`~indgan.adapters.images.load_images`); this module only
checks and unpacks what a model is given.
"""

from __future__ import annotations

import numpy as np

from ..adapters.images import SIZES, ImageData
from ..errors import DataError

__all__ = ["SIZES", "ImageData", "training_images"]


def training_images(images, labels, conditional: bool, kind: str) -> tuple[np.ndarray, np.ndarray | None, list[str]]:
    """``(images, labels, classes)`` of a fit: uint8 images ``(n, channels, size, size)`` with ``size`` in
    :data:`SIZES`, labels int64 ``(n,)`` (required when ``conditional``) or None, and the class names.

    Raises
    ------
    DataError
        Another shape or dtype, fewer than two images, missing or mismatched labels for a conditional model.
    """
    if isinstance(images, ImageData):
        labels = images.labels if labels is None else labels
        classes = images.classes
        images = images.images
    else:
        classes = []
    images = np.asarray(images)
    if (
        images.ndim != 4
        or images.shape[1] not in (1, 3)
        or images.shape[2] != images.shape[3]
        or images.shape[2] not in SIZES
    ):
        raise DataError(f"images of shape {images.shape}: expected (n, 1 or 3, size, size) with size in {SIZES}.")
    if images.dtype != np.uint8:
        raise DataError(f"images are {images.dtype}; give uint8 0-255 (indgan.adapters.images.load_images does).")
    if len(images) < 2:
        raise DataError(f"{len(images)} image(s): too few to learn from.")
    if conditional:
        if labels is None:
            raise DataError(f"{kind} needs a label per image (class sub-folders, 'labels' in the .npz).")
        labels = np.asarray(labels, dtype=np.int64)
        if len(labels) != len(images):
            raise DataError(f"{len(labels)} labels for {len(images)} images.")
    return images, labels, list(classes)
