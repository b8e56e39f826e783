"""Reading and writing tables: parquet and CSV through pyarrow / pandas.

The first stop of the data path (see ``shared/design.md``): every entry point, CLI or Python, reads its
input here so that bad files give the same clear error everywhere.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import DataError

#: File name suffixes indgan reads and writes.
SUPPORTED_SUFFIXES = (".parquet", ".pq", ".csv", ".tsv", ".txt")


def _suffix(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in (".gz", ".bz2", ".zip", ".xz", ".zst") and len(suffixes) > 1:
        return suffixes[-2]
    return suffixes[-1] if suffixes else ""


def _check_duplicates(names: list[str], path: Path) -> None:
    dupes = [n for n, count in Counter(names).items() if count > 1]
    if dupes:
        raise DataError(
            f"{path}: duplicate column name(s) {sorted(set(dupes))!r}; rename them so that every column "
            "name is unique."
        )


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a parquet or CSV file into a DataFrame.

    Parameters
    ----------
    path : str or Path
        A ``.parquet``/``.pq`` file, or a ``.csv``/``.tsv``/``.txt`` file (optionally ``.gz``/``.bz2``/...
        compressed). CSV cells are read as written: a column that mixes numbers and historian status
        strings ("Bad", "Scan Timeout") stays a string column; :func:`indgan.schema.infer_schema` sorts it
        out.

    Returns
    -------
    pandas.DataFrame
        ``(n_rows, n_columns)``, one column per file column, in file order.

    Raises
    ------
    DataError
        If the file does not exist, is a directory, has an unsupported suffix, cannot be parsed, has
        duplicate column names, or holds no rows or no columns.
    """
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: no such file; check the path.")
    if path.is_dir():
        raise DataError(f"{path}: is a directory; give a .parquet or .csv file.")
    suffix = _suffix(path)
    if suffix not in SUPPORTED_SUFFIXES:
        raise DataError(
            f"{path}: unsupported file type {suffix or '(no suffix)'!r}; indgan reads "
            f"{', '.join(SUPPORTED_SUFFIXES)} files. Convert it with pandas first."
        )
    try:
        if suffix in (".parquet", ".pq"):
            names = list(pq.read_schema(path).names)
            _check_duplicates(names, path)
            df = pq.read_table(path).to_pandas()
        else:
            sep = "\t" if suffix == ".tsv" else None
            header = pd.read_csv(path, nrows=1, header=None, sep=sep, engine="python", dtype=str)
            names = [str(v) for v in header.iloc[0].tolist()] if len(header) else []
            _check_duplicates(names, path)
            df = pd.read_csv(path, sep=sep, engine="python" if sep is None else "c")
    except DataError:
        raise
    except (pa.ArrowInvalid, pa.ArrowException, OSError) as exc:
        raise DataError(f"{path}: cannot read it as {suffix[1:]}: {str(exc).splitlines()[0]}") from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, csv.Error) as exc:
        if isinstance(exc, pd.errors.EmptyDataError):
            raise DataError(f"{path}: the file is empty; it needs a header row and at least one data row.") from exc
        raise DataError(f"{path}: cannot parse it as CSV: {str(exc).splitlines()[0]}") from exc
    if df.shape[1] == 0:
        raise DataError(f"{path}: the table has no columns.")
    if len(df) == 0:
        raise DataError(f"{path}: the table has no rows; indgan needs data to learn from.")
    df.attrs["source"] = str(path)  # named in later error messages
    return df


def check_output_path(path: str | Path) -> Path:
    """Refuse an output path indgan cannot write, before any work is done: an unsupported suffix, or a folder
    that exists as a file.

    Raises
    ------
    DataError
        Naming the path and what to use instead.
    """
    path = Path(path)
    suffix = _suffix(path)
    if suffix not in SUPPORTED_SUFFIXES:
        raise DataError(f"{path}: unsupported output type {suffix or '(no suffix)'!r}; use .parquet or .csv.")
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if parent.exists() and not parent.is_dir():
        raise DataError(f"{path}: {parent} is a file, not a folder; choose another output path.")
    return path


def write_table(df: pd.DataFrame, path: str | Path) -> Path:
    """Write ``df`` ``(n_rows, n_columns)`` to ``path`` as parquet (``.parquet``/``.pq``) or CSV (any CSV
    suffix), without the index; missing parent folders are created.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    DataError
        If the suffix is unsupported or the file cannot be written.
    """
    path = Path(path)
    suffix = _suffix(path)
    if suffix not in SUPPORTED_SUFFIXES:
        raise DataError(
            f"{path}: unsupported output type {suffix or '(no suffix)'!r}; use .parquet or .csv."
        )
    try:
        if path.parent and not path.parent.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
        if suffix in (".parquet", ".pq"):
            df.to_parquet(path, index=False)
        else:
            df.to_csv(path, index=False, sep="\t" if suffix == ".tsv" else ",")
    except OSError as exc:
        raise DataError(f"{path}: cannot write it: {exc.strerror or exc}") from exc
    except (pa.ArrowException, ValueError, TypeError) as exc:
        raise DataError(f"{path}: cannot write the table as {suffix[1:]}: {str(exc).splitlines()[0][:200]}") from exc
    return path
