"""Memory sizes: the default bound on what a fit reads, ``--max-memory`` amounts, sizes in words, and the bytes a
table's encoding needs per row. Shared by the file and database adapters."""

from __future__ import annotations

import os
import re

from ..errors import DataError

#: The default bound on a fit's data and its encoding in memory (bytes): with torch and the libraries (about
#: 0.4 GB) a fit at defaults peaks under 2 GB whatever the rows (benchmarks/scale.py measures it).
FIT_MEMORY = 1.5e9


def default_max_memory() -> int:
    """The default bound on what a fit reads into memory, in bytes: :data:`FIT_MEMORY` (1.5 GB), or a quarter of
    this machine's RAM when that is less."""
    try:
        quarter = int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 4)
    except (ValueError, OSError, AttributeError):
        quarter = 4 << 30
    return int(min(FIT_MEMORY, quarter))


def parse_memory(text: str | int | None) -> int | None:
    """``"2GB"``, ``"500MB"``, ``"1.5G"``, ``2147483648`` -> bytes; None stays None.

    Raises
    ------
    DataError
        An amount that is not a positive size.
    """
    if text is None or isinstance(text, int):
        if isinstance(text, int) and text <= 0:
            raise DataError(f"--max-memory {text}: give a positive size such as 2GB.")
        return text
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([kmgt]?)(i?b)?\s*", str(text), re.I)
    if not m or float(m.group(1)) <= 0:
        raise DataError(f"--max-memory {text!r}: give a size such as 2GB, 500MB or 1.5G.")
    return int(float(m.group(1)) * 1024 ** "_kmgt".index(m.group(2).lower() or "_"))


def format_bytes(n: float) -> str:
    """A size in bytes in words, in powers of 1000: ``8388608`` -> ``"8.4 MB"``."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1000:
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} PB"


def _encoding_bytes(n_numeric: int, n_columns: int) -> float:
    """Bytes per row of a table's encoding and the work arrays that build it: 16 per encoded number, about 11
    numbers per numeric column (mode-specific normalisation) and 10 per other. Measured on the plant logs: a fit
    holds about 18 KB per row of 109 columns besides torch itself."""
    return 16.0 * (11 * n_numeric + 10 * (n_columns - n_numeric))
