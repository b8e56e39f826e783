"""Which model family learns a table: the one rule, below the command line.

:data:`FAMILIES` are the ``indgan fit --model`` names of the families that learn tables and logs (and
``super-resolution``, which learns fine logs to upsample coarse archives);
:func:`choose_family` picks one for a schema; :func:`family_class` gives its estimator. This module imports no
model (and no torch), so the command line can build its help from it.
"""

from __future__ import annotations

#: ``indgan fit --model`` names of the families that learn tables and logs.
FAMILIES = ("log", "sequence", "tabular", "super-resolution", "cyclegan")


def family_class(name: str):
    """The estimator class of a family name (:data:`FAMILIES`)."""
    from .cyclegan import CycleGAN
    from .log import LogGAN
    from .sequence import SequenceGAN
    from .superres import SuperResolutionGAN
    from .tabular import TabularGAN

    return {"log": LogGAN, "sequence": SequenceGAN, "tabular": TabularGAN,
            "super-resolution": SuperResolutionGAN, "cyclegan": CycleGAN}[name]


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
