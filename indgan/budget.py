"""Time budgets: how long a fit may train.

Every model that trains takes ``time_budget``: seconds, a duration (``"90s"``, ``"3m"``, ``"1.5h"``), ``"auto"``
(:data:`AUTO_BUDGET` for the device) or None (train for the given epochs or iterations). This module has no
heavy imports, so the command line can read the defaults for its help without loading torch.
"""

from __future__ import annotations

import numpy as np

from .errors import ConfigError, check_positive_int

#: The time budget ``"auto"`` means, in seconds, per device type: a few minutes on a CPU (the main job finishes
#: in about two minutes on a 2-core laptop), more on a GPU.
AUTO_BUDGET = {"cpu": 120.0, "cuda": 600.0}


def describe_auto() -> str:
    """``"2 min on a CPU, 10 min on a GPU"``: the ``"auto"`` budget in words."""
    return f"{AUTO_BUDGET['cpu'] / 60:g} min on a CPU, {AUTO_BUDGET['cuda'] / 60:g} min on a GPU"


def parse_time_budget(value) -> float | None:
    """A time budget in seconds from ``120``, ``"90s"``, ``"3m"``, ``"1.5h"``, ``"20min"`` (None passes).

    Raises
    ------
    ConfigError
        Not a positive duration.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ConfigError(f"time budget {value!r}: give seconds (e.g. 180) or a duration such as '3m' or '1h'.")
    if isinstance(value, (int, float, np.integer, np.floating)):
        seconds = float(value)
    else:
        text = str(value).strip().lower()
        units = {
            "h": 3600.0,
            "hr": 3600.0,
            "hour": 3600.0,
            "hours": 3600.0,
            "m": 60.0,
            "min": 60.0,
            "mins": 60.0,
            "minute": 60.0,
            "minutes": 60.0,
            "s": 1.0,
            "sec": 1.0,
            "secs": 1.0,
            "second": 1.0,
            "seconds": 1.0,
            "": 1.0,
        }
        number = text.rstrip("abcdefghijklmnopqrstuvwxyz ")
        unit = text[len(number) :].strip()
        try:
            seconds = float(number) * units[unit]
        except (ValueError, KeyError):
            raise ConfigError(
                f"time budget {value!r}: give seconds (e.g. 180) or a duration such as '90s', '3m' or '1.5h'."
            ) from None
    if not np.isfinite(seconds) or seconds <= 0:
        raise ConfigError(f"time budget {value!r}: it must be a positive duration, e.g. 180 (seconds) or '3m'.")
    return seconds


#: The ``"auto"`` budget grows with the training data on a CPU, per family: :data:`AUTO_BUDGET` up to the first size,
#: then linearly to :data:`GROWTH_MAX` seconds at the second and beyond, in the family's own units. A log model's
#: rows (a 100,000-row log gets 10 minutes), a sequence model's training windows (Sines' 10,000 windows: 0.078
#: discriminative score at 2 minutes, 0.024 at 10), an image GAN's images (Fashion-MNIST's 60,000: conditional
#: accuracy 0.734 at 2 minutes, 0.892 at 8).
GROWTH = {"rows": (20_000, 100_000), "windows": (1_000, 10_000), "images": (5_000, 50_000)}
GROWTH_MAX = 600.0


def budget_seconds(value, device, n_rows: int | None = None, unit: str = "rows") -> float | None:
    """A model's ``time_budget`` parameter in seconds: ``"auto"`` -> :data:`AUTO_BUDGET` for the device
    (``torch.device`` or its type name), grown on a CPU with the data's size ``n_rows`` in ``unit`` when given
    (``"rows"``, ``"windows"`` or ``"images"``: see :data:`GROWTH`), else :func:`parse_time_budget`.

    Raises
    ------
    ConfigError
        Not a positive duration.
    """
    if isinstance(value, str) and value.strip().lower() == "auto":
        kind = getattr(device, "type", None) or str(device).split(":")[0]
        base = AUTO_BUDGET.get(kind, AUTO_BUDGET["cuda"])
        if n_rows is not None and kind == "cpu":
            lo, hi = GROWTH[unit]
            share = float(np.clip((n_rows - lo) / (hi - lo), 0.0, 1.0))
            base = round(base + share * (GROWTH_MAX - base))
        return base
    return parse_time_budget(value)


def check_training_length(count_name: str, count, time_budget) -> None:
    """Check a model's training length: ``count`` (its ``epochs`` or ``iterations`` parameter, a positive int or
    None) and ``time_budget`` (see :func:`budget_seconds`); at least one of them must bound the training.

    Raises
    ------
    ConfigError
        A count that is not a positive integer, a bad budget, or both None.
    """
    check_positive_int(count_name, count, optional=True)
    budget_seconds(time_budget, "cpu")
    if count is None and time_budget is None:
        raise ConfigError(f"give {count_name} or a time_budget (both are None): training would never stop.")
