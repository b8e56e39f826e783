"""Outputs that never leave a half-written file behind, and never land on an input.

Every file or folder indgan writes goes first to a hidden temporary name beside the target
(``.partial-<pid>-<name>``: the same folder, so the final rename is atomic on the same file system, and the same
suffix, so pandas and pyarrow pick the same format) and is renamed over the target only once complete. An
interrupted command (Ctrl-C, SIGTERM, a full disk, an error) leaves any earlier file at the target byte for byte as
it was; a partial file left by a killed process is hidden and named as such.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import DataError


def partial_path(path: str | Path) -> Path:
    """The temporary name ``path`` is written under until it is complete."""
    path = Path(path)
    return path.with_name(f".partial-{os.getpid()}-{path.name}")


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists() or path.is_symlink():
        path.unlink(missing_ok=True)


@contextmanager
def atomic_output(path: str | Path) -> Iterator[Path]:
    """Write ``path`` (a file, or a folder of parts) through a temporary name: the body writes to the yielded
    path; on success it replaces ``path``, on any exception (``KeyboardInterrupt`` included) it is removed and
    ``path`` is left as it was.

    Raises
    ------
    DataError
        The finished output cannot be moved into place (naming the path).
    """
    path = Path(path)
    tmp = partial_path(path)
    _remove(tmp)
    try:
        yield tmp
    except BaseException:
        _remove(tmp)
        raise
    try:
        if tmp.is_dir() and path.exists():  # a folder replaces a folder: move the old one aside first
            old = path.with_name(f".old-{os.getpid()}-{path.name}")
            path.rename(old)
            tmp.rename(path)
            _remove(old)
        else:
            os.replace(tmp, path)
    except OSError as exc:
        _remove(tmp)
        raise DataError(f"{path}: cannot put the finished output in place: {exc.strerror or exc}") from exc


def _same(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def check_writable(output: str | Path, option: str = "-o", folder_ok: bool = False) -> None:
    """Refuse an output indgan could not put in place, before any work is done (not after an hour of training):
    an existing folder where a file is written (unless ``folder_ok``: a folder of parquet parts), or a folder
    it cannot create files in (read-only, no permission, a full or read-only file system). The check writes and
    removes a hidden probe file in the nearest existing folder on the output's path, so it holds for every user,
    root included, and every file system.

    Raises
    ------
    DataError
        Naming the option, the path and the reason.
    """
    out = Path(output)
    if out.is_dir() and not folder_ok:
        raise DataError(f"{option} {out}: that is a folder; give a file name (in it, or beside it).")
    parent = out.parent if str(out.parent) else Path(".")
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise DataError(f"{option} {out}: {parent} is a file, not a folder; choose another output path.")
    probe = parent / f".partial-{os.getpid()}-probe"
    try:
        with open(probe, "wb") as fh:
            fh.write(b"indgan")
    except OSError as exc:
        raise DataError(
            f"{option} {out}: cannot write in {parent} ({exc.strerror or exc}); choose a folder you can write to."
        ) from None
    finally:
        probe.unlink(missing_ok=True)


def check_output(
    output: str | Path | None, inputs: dict[str, str | Path | None], option: str = "-o", folder_ok: bool = False
) -> None:
    """The checks of every output of a command, before any work: not an input (:func:`check_not_an_input`) and
    writable (:func:`check_writable`). ``None``: nothing to check.

    Raises
    ------
    DataError
        The output is an input, lies inside an input folder, or cannot be written (naming the option and why).
    """
    if output is None:
        return
    check_not_an_input(output, inputs, option)
    check_writable(output, option, folder_ok)


def check_not_an_input(output: str | Path | None, inputs: dict[str, str | Path | None], option: str = "-o") -> None:
    """Refuse an output that is one of the command's inputs, or lies inside an input folder, before any work is
    done: ``indgan fit data.parquet -o data.parquet`` would replace the user's data with a model file.

    Parameters
    ----------
    output : path or None
        The output path (None: nothing to check).
    inputs : dict
        ``{what: path}`` of the command's inputs ("DATA", "--model", ...); None values are skipped.
    option : str
        The option that named the output, for the message.

    Raises
    ------
    DataError
        Naming the input and what to do.
    """
    if output is None:
        return
    out = Path(output)
    resolved = out.resolve()
    for what, value in inputs.items():
        if value is None or "://" in str(value):
            continue
        src = Path(value)
        if _same(out, src) or resolved == src.resolve():
            raise DataError(
                f"{option} {out}: that is the input {what} ({src}); writing there would destroy it. "
                "Choose another output path."
            )
        if src.is_dir() and src.resolve() in resolved.parents:
            raise DataError(
                f"{option} {out}: it lies inside the input folder {what} ({src}), which indgan reads "
                "whole; write it elsewhere."
            )


def default_output(source: str | Path, suffix: str, tag: str = "") -> Path:
    """The default output name for ``source``: its name without its last suffix (``plant.2024-01.parquet`` ->
    ``plant.2024-01``), then ``tag`` and ``suffix``, in the current folder; a folder keeps its whole name."""
    src = Path(str(source).rstrip("/\\"))
    stem = src.name if src.is_dir() or not src.suffix else src.stem
    return Path(f"{stem}{tag}{suffix}")
