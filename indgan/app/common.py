"""What the jobs share: how they speak (``say``), how they name a stop, a duration, a list of columns."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from ..losses import LOSSES

#: How a job speaks: one line at a time. The command line passes ``click.echo``; the default logs at INFO on
#: ``indgan.app`` (silent unless a handler asks for INFO).
Say = Callable[[str], None]

_log = logging.getLogger("indgan.app")


class Lines:
    """A ``say`` that also keeps every line (a job result's ``lines``)."""

    def __init__(self, say: Say | None):
        self.lines: list[str] = []
        self._say = say if say is not None else _log.info

    def __call__(self, line: str) -> None:
        self.lines.append(line)
        self._say(line)


def duration(seconds: float) -> str:
    """``600`` -> ``"10 min"``, ``95.4`` -> ``"95 s"``."""
    return f"{seconds / 60:g} min" if seconds >= 60 and seconds % 60 == 0 else f"{seconds:.0f} s"


def names(items: list[str], k: int = 6) -> str:
    """The first ``k`` names and how many more."""
    return ", ".join(items[:k]) + (f" and {len(items) - k} more" if len(items) > k else "")


def stop_words(model) -> str:
    """Why a fit stopped, in words."""
    reason = model.summary_.stop_reason
    return {
        "completed": "every step asked for",
        "time budget": "the time budget ran out",
        "early stop": "the held-out score stopped improving",
    }.get(reason, reason)


def critic_scores(loss: str, record: dict) -> str:
    """The critic's mean outputs of a training record, named by what they are: probabilities D(x) for the
    probabilistic losses, raw critic scores otherwise (a WGAN critic's are not probabilities)."""
    if not is_probabilistic(loss):
        return f"critic score on real {record['d_real']:.3f}, on generated {record['d_fake']:.3f}"
    return f"D(x) {record['d_real']:.3f}, D(G(z)) {record['d_fake']:.3f}"


def model_of(model, device: str = "auto"):
    """``model`` itself when it is a fitted model, else the model file it names, loaded on ``device``.

    Raises
    ------
    ModelFileError
        A missing, damaged or foreign model file.
    """
    from ..base import FittedModel, load_model

    if model is None or isinstance(model, FittedModel):
        return model
    return load_model(model, device=device)


def model_name(model) -> str:
    """How messages name a model argument: the file given, or ``the model (LogGAN)`` for an object."""
    return str(model) if isinstance(model, (str, Path)) else f"the model ({model.kind})"


def input_paths(**named) -> dict:
    """The arguments that are paths (files a job reads), by the name messages give them: what an output must never
    overwrite (:func:`indgan.atomic.check_output`). DataFrames and fitted models are left out."""
    return {k: v for k, v in named.items() if isinstance(v, (str, Path))}


def is_probabilistic(loss: str) -> bool:
    """Whether the critic's outputs under ``loss`` are probabilities (D(x)) rather than raw scores (C(x))."""
    return loss not in LOSSES or LOSSES[loss].probabilistic
