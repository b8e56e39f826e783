"""The indgan model file: one file, JSON metadata plus tensors, loaded without running code.

Layout (a ``torch.save`` archive whose content is only strings and tensors)::

    {"format": "indgan-model", "version": 1, "kind": "TabularGAN",
     "meta": "<JSON: config, schema, transformer, training summary>",
     "tensors": {"generator.<param>": Tensor, "critic.<param>": Tensor, ...}}

It is read with ``torch.load(..., weights_only=True, map_location="cpu")``: PyTorch's restricted unpickler
accepts tensors and plain containers and refuses anything else, so a file crafted to run code on load is
rejected, not executed. Tensors are saved from the CPU, so a model trained on a GPU loads anywhere.
"""

from __future__ import annotations

import json
import pickle
import zipfile
from pathlib import Path

import torch

from .atomic import atomic_output
from .errors import DataError, ModelFileError, first_line

FORMAT = "indgan-model"
VERSION = 1


def save_model_file(path: str | Path, kind: str, meta: dict, tensors: dict[str, torch.Tensor]) -> Path:
    """Write a model file. ``meta`` must be JSON-serialisable; tensors are moved to the CPU."""
    path = Path(path)
    payload = {
        "format": FORMAT,
        "version": VERSION,
        "kind": kind,
        "meta": json.dumps(meta, allow_nan=True),
        "tensors": {k: v.detach().to("cpu").contiguous() for k, v in tensors.items()},
    }
    try:
        if path.parent and not path.parent.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_output(path) as tmp:  # complete, or the earlier file untouched
            torch.save(payload, tmp)
    except OSError as exc:
        raise ModelFileError(f"{path}: cannot write the model file: {exc.strerror or exc}") from exc
    except (RuntimeError, DataError) as exc:  # torch.save reports an unwritable file as a RuntimeError
        raise ModelFileError(f"{path}: cannot write the model file: {first_line(exc)}") from exc
    return path


def load_model_file(path: str | Path, expected_kind: str | None = None) -> tuple[str, dict, dict[str, torch.Tensor]]:
    """Read a model file safely; return ``(kind, meta, tensors)`` with tensors on the CPU.

    Raises
    ------
    ModelFileError
        If the file is missing, is not an indgan model file, is corrupt or truncated, holds anything but
        tensors and plain data (e.g. a pickle crafted to run code), or is of another model kind.
    """
    path = Path(path)
    if not path.exists():
        raise ModelFileError(f"{path}: no such model file; check the path (models are written by `indgan fit --out`).")
    if path.is_dir():
        raise ModelFileError(f"{path}: is a directory, not a model file.")
    if path.stat().st_size == 0:
        raise ModelFileError(
            f"{path}: the model file is empty (0 bytes; a fit that was interrupted?); refit the model."
        )
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        raise ModelFileError(
            f"{path}: refused: the file holds objects other than tensors and plain data (it could run code "
            "when loaded); it is not an indgan model file. Only load model files you trust."
        ) from exc
    except (
        RuntimeError,
        EOFError,
        zipfile.BadZipFile,
        ValueError,
        OSError,
        AttributeError,
        KeyError,
        IndexError,
    ) as exc:
        raise ModelFileError(
            f"{path}: not a readable indgan model file (corrupt or truncated?): {first_line(exc)}"
        ) from exc
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not an indgan model file.")
    if payload.get("version") != VERSION:
        raise ModelFileError(
            f"{path}: model file version {payload.get('version')!r}, this indgan reads version {VERSION}; "
            "refit the model with this version."
        )
    kind = payload.get("kind")
    if expected_kind is not None and kind != expected_kind:
        raise ModelFileError(f"{path}: holds a {kind} model, not a {expected_kind}; load it with {kind}.load.")
    try:
        meta = json.loads(payload["meta"])
        tensors = dict(payload["tensors"])
    except (KeyError, TypeError, json.JSONDecodeError) as exc:
        raise ModelFileError(f"{path}: the model file is damaged (metadata unreadable).") from exc
    if not all(isinstance(t, torch.Tensor) for t in tensors.values()):
        raise ModelFileError(f"{path}: the model file is damaged (weights are not tensors).")
    return kind, meta, tensors


def split_state(tensors: dict[str, torch.Tensor], prefix: str) -> dict[str, torch.Tensor]:
    """The entries of ``tensors`` under ``prefix + '.'``, with the prefix removed (a module state dict)."""
    p = prefix + "."
    return {k[len(p) :]: v for k, v in tensors.items() if k.startswith(p)}
