"""Model families: :class:`~indgan.models.log.LogGAN` (a whole log: CTGAN rows driven by smooth latent
dynamics; the main job's default), :class:`~indgan.models.tabular.TabularGAN` (rows),
:class:`~indgan.models.recurrent.SequenceGAN` (TimeGAN sequences), the GAIN networks of the imputer
(:mod:`~indgan.models.gain`) and the image GANs (:class:`~indgan.models.image.DCGAN`,
:class:`~indgan.models.image.ConditionalDCGAN`)."""

from __future__ import annotations

#: ``indgan fit --model`` names of the families that learn tables and logs.
FAMILIES = ("log", "sequence", "tabular")


def family_class(name: str):
    """The estimator class of a family name (:data:`FAMILIES`)."""
    from .log import LogGAN
    from .recurrent import SequenceGAN
    from .tabular import TabularGAN

    return {"log": LogGAN, "sequence": SequenceGAN, "tabular": TabularGAN}[name]


def choose_family(schema, requested: str = "auto") -> tuple[str, str]:
    """The model family for a table and why: ``requested`` unless it is ``"auto"``; then the log model when the
    schema has a time column (a synthetic log, right row by row and over time), else the tabular model.

    Returns
    -------
    (family, reason) : tuple of str
    """
    if requested != "auto":
        return requested, "asked for"
    if schema.time_column:
        return "log", (f"{schema.time_column!r} is a time column; --model tabular learns rows only, --model sequence "
                       "learns with TimeGAN")
    return "tabular", "no time column; --model log or sequence needs one"


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
    from .log import LogGAN
    from .recurrent import SequenceGAN
    from .tabular import TabularGAN

    kind, _, _ = load_model_file(path)
    classes = {cls.kind: cls for cls in (TabularGAN, SequenceGAN, LogGAN, DCGAN, ConditionalDCGAN)}
    if kind not in classes:
        raise ModelFileError(f"{path}: holds a {kind!r} model, which this indgan cannot load.")
    return classes[kind].load(path, device=device)
