"""The model families: the one registry, derived from the family classes, and the rule that picks one for a table.

Each family is a package whose model classes subclass :class:`~indgan.base.FittedModel` and register themselves
by their ``kind`` when defined; a class with a ``family`` name is learned through ``indgan fit --model NAME``.
**Adding a family is one new package and one line in** :data:`FAMILY_PACKAGES`; nothing else lists them.
:func:`choose_family` picks a family for a schema. :mod:`indgan.base` imports no family, and no family imports
this module, so the import graph has no cycle.
"""

from __future__ import annotations

import importlib

from .base import registered_kinds

#: The packages of the model families, in the order ``indgan fit --model`` lists them.
FAMILY_PACKAGES = ("log", "sequence", "tabular", "superres", "cyclegan", "image", "imputation")

for _package in FAMILY_PACKAGES:
    importlib.import_module(f"{__package__}.{_package}")


def models() -> dict[str, type]:
    """``{kind: class}`` of every model (``"LogGAN"``, ``"GANImputer"``, ...)."""
    return registered_kinds()


def families() -> dict[str, type]:
    """``{family name: class}`` of the models ``indgan fit --model`` learns, in :data:`FAMILY_PACKAGES` order."""
    out = {}
    for package in FAMILY_PACKAGES:
        for cls in models().values():
            if cls.family and cls.__module__.startswith(f"{__package__}.{package}.") and cls.family not in out:
                out[cls.family] = cls
    return out


#: ``indgan fit --model`` names, from the classes' ``family``.
FAMILIES = tuple(families())


def family_class(name: str):
    """The estimator class of a family name (:data:`FAMILIES`).

    Raises
    ------
    KeyError
        An unknown family name.
    """
    return families()[name]


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
        return "log", (
            f"{schema.time_column!r} is a time column; --model tabular learns rows only, --model sequence "
            "learns with TimeGAN"
        )
    return "tabular", "no time column; --model log or sequence needs one"
