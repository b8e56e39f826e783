"""Model families: :class:`~indgan.models.tabular.TabularGAN` (rows),
:class:`~indgan.models.recurrent.SequenceGAN` (sequences), the GAIN networks of the imputer
(:mod:`~indgan.models.gain`) and the image GANs (:class:`~indgan.models.image.DCGAN`,
:class:`~indgan.models.image.ConditionalDCGAN`)."""

from __future__ import annotations


def load_model(path, device: str = "auto"):
    """Load any indgan model file with the class that wrote it.

    Raises
    ------
    ModelFileError
        Missing, corrupt, unsafe or unknown file.
    """
    from ..errors import ModelFileError
    from ..persist import load_model_file
    from .image import DCGAN, ConditionalDCGAN
    from .recurrent import SequenceGAN
    from .tabular import TabularGAN

    kind, _, _ = load_model_file(path)
    classes = {cls.kind: cls for cls in (TabularGAN, SequenceGAN, DCGAN, ConditionalDCGAN)}
    if kind not in classes:
        raise ModelFileError(f"{path}: holds a {kind!r} model, which this indgan cannot load.")
    return classes[kind].load(path, device=device)
