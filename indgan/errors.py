"""Errors raised by indgan.

Every error a user can cause is an :class:`IndganError` whose message names the file, column or row
at fault and says what to do. The CLI prints that message on one line and exits non-zero.
"""

from __future__ import annotations

from sklearn.exceptions import NotFittedError as _SklearnNotFittedError


class IndganError(Exception):
    """Base class of every error indgan raises on purpose."""


class DataError(IndganError, ValueError):
    """The input table cannot be used as given (missing file, empty table, bad column...)."""


class ConfigError(IndganError, ValueError):
    """A config file or a parameter is invalid."""


class ConditionError(IndganError, ValueError):
    """A condition names a column or a value the model never saw in training."""


class ModelFileError(IndganError):
    """A model file is missing, corrupt, from an incompatible version, or not a safe indgan model file."""


class NotFittedError(IndganError, _SklearnNotFittedError):
    """A model was used before ``fit``."""
