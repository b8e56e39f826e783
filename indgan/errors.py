"""Errors raised by indgan.

Every error a user can cause is an :class:`IndganError` whose message names the file, column or row
at fault and says what to do. The CLI prints that message on one line and exits non-zero.
"""

from __future__ import annotations

import numpy as np
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


def first_line(exc: BaseException, limit: int | None = 200, unwrap: bool = False) -> str:
    """The first line of an exception's message (its type name when the message is empty), for one-line errors.

    ``limit``: at most this many characters (None: the whole line). ``unwrap``: the message of the driver's error
    that an exception wraps in its ``orig`` (a SQLAlchemy ``DBAPIError``), where it has one.
    """
    if unwrap:
        exc = getattr(exc, "orig", None) or exc
    lines = str(exc).strip().splitlines()
    return lines[0][:limit] if lines else type(exc).__name__


def check_positive_int(name: str, value, optional: bool = False, minimum: int = 1):
    """``value`` as an int if it is a whole number >= ``minimum`` (default 1; None passes when ``optional``).

    Raises
    ------
    ConfigError
        Naming the parameter and what it got (booleans are refused).
    """
    if optional and value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        what = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise ConfigError(f"{name} must be {what}{' or None' if optional else ''}, got {value!r}.")
    return int(value)


def check_positive_float(name: str, value, allow_zero: bool = False, optional: bool = False):
    """``value`` as a float if it is a finite number > 0 (>= 0 with ``allow_zero``; None passes when ``optional``).

    Raises
    ------
    ConfigError
        Naming the parameter and what it got (booleans, NaN, infinities and non-numbers are refused).
    """
    if optional and value is None:
        return None
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if ok:
        v = float(value)
        ok = np.isfinite(v) and (v >= 0 if allow_zero else v > 0)
    if not ok:
        raise ConfigError(
            f"{name} must be a {'number >= 0' if allow_zero else 'positive number'}"
            f"{' or None' if optional else ''}, got {value!r}."
        )
    return float(value)


def check_fraction(name: str, value, upper: float = 1.0):
    """``value`` as a float in ``[0, upper]``.

    Raises
    ------
    ConfigError
        Naming the parameter and what it got.
    """
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if not ok or not 0.0 <= float(value) <= upper:
        raise ConfigError(f"{name} must be a number within [0, {upper:g}], got {value!r}.")
    return float(value)
