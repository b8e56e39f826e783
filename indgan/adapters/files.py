"""Reading and writing tables: parquet and CSV through pyarrow / pandas.

The first stop of the data path (see ``shared/design.md``): every entry point, CLI or Python, reads its
input here so that bad files give the same clear error everywhere.
"""

from __future__ import annotations

import csv
import logging
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..atomic import atomic_output
from .memory import _encoding_bytes, default_max_memory, format_bytes, parse_memory
from ..errors import DataError, first_line

log = logging.getLogger(__name__)

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
            f"{path}: duplicate column name(s) {sorted(set(dupes))!r}; rename them so that every column name is unique."
        )


#: Delimiters a CSV export may use (the sniffer picks only among these; a one-column file has none).
CSV_DELIMITERS = ",;\t|"
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+([eE][+-]?\d+)?$")
_DECIMAL_POINT = re.compile(r"^[+-]?\d*\.\d+([eE][+-]?\d+)?$")
_THOUSANDS_COMMA = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")  # 1,234,567.5
_THOUSANDS_POINT = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")  # 1.234.567,5


def _csv_encoding(path: Path) -> str:
    """UTF-8 (with or without a byte-order mark) when the file's first 4 MB decode as such, else Windows-1252 (what
    Excel and many historians on Windows write), with a warning; latin-1 decodes any byte. (:func:`_read_csv`
    retries in Windows-1252 when a byte further on is not UTF-8.)"""
    opener = _opener(path)
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            with opener(path, "rt", encoding=encoding, newline="") as f:
                f.read(1 << 22)
            if encoding != "utf-8-sig":
                log.warning(
                    "%s: not UTF-8; read as %s (Windows). Save it as UTF-8 to be sure of the characters.",
                    path,
                    encoding,
                )
            return encoding
        except UnicodeDecodeError:
            continue
    log.warning("%s: neither UTF-8 nor Windows-1252; read as latin-1. Save it as UTF-8.", path)
    return "latin-1"


def _opener(path: Path):
    import bz2
    import gzip
    import lzma

    return {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}.get(path.suffix.lower(), open)


def _csv_dialect(path: Path, suffix: str, encoding: str) -> tuple[str, str, list[str]]:
    """(delimiter, decimal mark, first lines) of a CSV file: the delimiter among :data:`CSV_DELIMITERS` that
    splits the header and the first rows into the same number of fields (``,`` for a one-column file); a decimal
    comma when the delimiter is not a comma and numbers such as ``3,14`` are common and ``3.14`` absent."""
    with _opener(path)(path, "rt", encoding=encoding, newline="") as f:
        lines = [ln for ln in (f.readline() for _ in range(200)) if ln]
    if not lines:
        raise pd.errors.EmptyDataError("no header")
    if suffix == ".tsv":
        sep = "\t"
    else:
        sep = ","
        best = 0
        for cand in CSV_DELIMITERS:
            counts = [len(next(csv.reader([ln], delimiter=cand))) for ln in lines[:50] if ln.strip()]
            # the header's field count in (nearly) every line: a stray short line does not hide the delimiter
            if (
                counts
                and counts[0] > 1
                and sum(c == counts[0] for c in counts) >= 0.9 * len(counts)
                and counts[0] > best
            ):
                sep, best = cand, counts[0]
    decimal = "."
    if sep != ",":
        fields = [v.strip() for ln in lines[1:] for v in next(csv.reader([ln], delimiter=sep))]
        comma = sum(bool(_DECIMAL_COMMA.match(v)) for v in fields)
        point = sum(bool(_DECIMAL_POINT.match(v)) for v in fields)
        if comma and not point:
            decimal = ","
    return sep, decimal, lines


def _is_number(text: str, decimal: str) -> bool:
    t = text.strip()
    if decimal == ",":
        t = t.replace(",", ".")
    try:
        float(t)
        return True
    except ValueError:
        return False


def _header_rows(lines: list[str], sep: str, decimal: str) -> int:
    """How many rows under the header are more header (units, descriptions: ``degC``, ``bar``), as historian
    and Excel exports write them: text in at least half of the columns that hold numbers below them."""
    rows = [next(csv.reader([ln], delimiter=sep)) for ln in lines[1:] if ln.strip()]
    width = len(rows[0]) if rows else 0
    for k in range(min(5, max(0, len(rows) - 3))):
        below = [r for r in rows[k + 1 :] if len(r) == width]
        numeric_cols = [
            j
            for j in range(width)
            if below
            and sum(_is_number(r[j], decimal) for r in below if r[j].strip())
            >= 0.9 * max(1, sum(bool(r[j].strip()) for r in below))
            and any(r[j].strip() for r in below)
        ]
        if not numeric_cols or len(rows[k]) != width:
            return k
        # text that recurs below it is data (a status string such as "Bad"), not a unit
        seen = {v.strip() for r in below for v in r}
        text = sum(
            bool(rows[k][j].strip()) and not _is_number(rows[k][j], decimal) and rows[k][j].strip() not in seen
            for j in numeric_cols
        )
        if text < max(1, len(numeric_cols) / 2):
            return k
    return 0


def _read_csv(path: Path, suffix: str) -> pd.DataFrame:
    """A CSV export as the plant wrote it: delimiter and decimal comma detected, UTF-8 or Windows-1252, unit rows
    under the header set aside (``df.attrs["units"]``), numbers parsed exactly (each cell is the float64 nearest
    its text, as Python's ``float`` reads it, so writing it back gives the same number)."""
    encoding = _csv_encoding(path)
    sep, decimal, lines = _csv_dialect(path, suffix, encoding)
    names = next(csv.reader([lines[0].lstrip("\ufeff")], delimiter=sep))
    _check_duplicates([n.strip() for n in names], path)
    skip = _header_rows(lines, sep, decimal)
    units = {}
    if skip:
        extra = [next(csv.reader([ln], delimiter=sep)) for ln in lines[1 : 1 + skip]]
        units = {n: " ".join(r[j].strip() for r in extra if j < len(r) and r[j].strip()) for j, n in enumerate(names)}
        log.warning(
            "%s: row(s) %s under the header hold text such as %r where the rows below hold numbers "
            "(units?); read as more header (df.attrs['units']).",
            path,
            ", ".join(str(i + 2) for i in range(skip)),
            next((u for u in units.values() if u), ""),
        )
    read = dict(sep=sep, decimal=decimal, skiprows=range(1, 1 + skip), float_precision="round_trip", engine="c")
    try:
        df = pd.read_csv(path, encoding=encoding, **read)
    except UnicodeDecodeError:
        if encoding == "latin-1":
            raise
        log.warning(
            "%s: not UTF-8 further on; read as cp1252 (Windows). Save it as UTF-8 to be sure of the characters.", path
        )
        df = pd.read_csv(path, encoding="cp1252", **read)
    # text columns (numbers with status strings, or with thousands separators as spreadsheets write them): their
    # numbers become plain decimal-point text, which the schema reads as numbers
    thousands = _THOUSANDS_POINT if decimal == "," else _THOUSANDS_COMMA
    for c in df.select_dtypes(include=["object"]).columns:
        text = df[c]
        grouped = text.str.match(thousands.pattern, na=False)
        if grouped.any():
            text = text.where(~grouped, text.str.replace("." if decimal == "," else ",", "", regex=False))
        if decimal == ",":
            is_num = text.str.match(_DECIMAL_COMMA.pattern, na=False) | grouped
            text = text.where(~is_num, text.str.replace(",", ".", regex=False))
        df[c] = text
    if units:
        df.attrs["units"] = {k: v for k, v in units.items() if v}
    return df


#: Streaming reads hold one record batch at a time (pyarrow's default read-ahead would hold dozens).
_STREAM = dict(batch_readahead=0, fragment_readahead=1)


def _release() -> None:
    """Give the memory of batches already dropped back to the system (pyarrow's pool keeps it otherwise)."""
    pa.default_memory_pool().release_unused()


def _check_file_schemas(ds, name: str) -> None:
    """Refuse a folder whose parquet files disagree: a column one file has and another lacks, or a column stored
    as another type (a tag written as text in one month), naming both files. Read as one table, pyarrow would keep
    the first file's columns, drop the others' extra ones and cast without a word.

    Raises
    ------
    DataError
        Naming the files, the column and what to do.
    """
    files = getattr(ds, "files", None) or []
    if len(files) < 2:
        return
    import pyarrow.parquet as pq_

    first = pq_.read_schema(files[0])
    want = {f.name: f.type for f in first}
    for path in files[1:]:
        schema = pq_.read_schema(path)
        got = {f.name: f.type for f in schema}
        extra = [c for c in got if c not in want]
        lacking = [c for c in want if c not in got]
        if extra or lacking:
            what = (
                f"has column(s) {extra[:5]!r} that {files[0]} lacks"
                if extra
                else f"lacks column(s) {lacking[:5]!r} that {files[0]} has"
            )
            raise DataError(
                f"{name}: {path} {what}; every file of a folder must have the same columns (move the "
                "odd file out, or add the columns as empty to the others)."
            )
        for col, typ in got.items():
            if (
                typ != want[col]
                and not (pa.types.is_floating(typ) and pa.types.is_floating(want[col]))
                and not (pa.types.is_integer(typ) and pa.types.is_integer(want[col]))
            ):
                raise DataError(
                    f"{name}: column {col!r} is {typ} in {path} but {want[col]} in {files[0]}; store it "
                    "as one type in every file (e.g. numbers with status strings as text everywhere)."
                )


def _learning_bytes(n_rows: int, schema: pa.Schema) -> float:
    """A quick upper estimate of a table's bytes while a model learns it, from its arrow schema: 8 bytes per cell
    plus its encoding (:func:`_encoding_bytes`), as :func:`_read_dataset` estimates from its first rows."""
    numeric = sum(pa.types.is_integer(f.type) or pa.types.is_floating(f.type) for f in schema)
    return n_rows * (8.0 * len(schema) + _encoding_bytes(numeric, len(schema)))


def _tail_fragments(ds, skip: int):
    """The row groups of ``ds`` (in file order) from the one holding row ``skip`` on, as a dataset, and the rows to
    skip in it: the most recent rows of a large log are read without decoding the rest."""
    import pyarrow.dataset as pads

    groups = []
    for frag in ds.get_fragments():
        try:
            groups += frag.split_by_row_group()
        except (AttributeError, pa.ArrowException):  # not a parquet fragment: whole
            groups.append(frag)
    counts = np.array([g.count_rows() for g in groups], dtype=np.int64)
    before = np.concatenate([[0], np.cumsum(counts)])
    start = max(0, int(np.searchsorted(before, skip, "right")) - 1)
    return pads.FileSystemDataset(groups[start:], ds.schema, ds.format, ds.filesystem), int(skip - before[start])


def _read_dataset(source, max_memory: int | None, random_state: int) -> pd.DataFrame:
    """A folder of parquet files, a large parquet file (or a ``pyarrow.dataset.Dataset``) read in record batches;
    when the table would take more than ``max_memory`` bytes in memory, a part that fits: with a time column the
    most recent rows in file order, one stretch (a log keeps its dynamics and its time grid has no holes that
    sampling made: random blocks of a 10-million-row log made a grid of 9.8 million steps for 1.6 million rows),
    else a random sample of rows (Bernoulli sampling per batch, so memory never holds more than one batch beyond
    the sample). Column ranges
    and missing counts of the whole data come from the parquet statistics, without reading it
    (``df.attrs["column_stats"]``), so the schema's ranges are the whole data's."""
    import pyarrow.dataset as pads

    ds = source if isinstance(source, pads.Dataset) else pads.dataset(str(source), format="parquet")
    name = getattr(source, "name", None) or str(source)
    _check_file_schemas(ds, name)
    _check_duplicates(list(ds.schema.names), Path(name))
    n_rows = ds.count_rows()
    if n_rows == 0:
        raise DataError(f"{name}: the dataset has no rows; indgan needs data to learn from.")
    batches = ds.to_batches(batch_size=min(n_rows, 10_000), **_STREAM)
    head = next(batches, None)
    head = head.take(pa.array(np.arange(head.num_rows)))  # a copy: the slice would keep its whole row group alive
    del batches
    head_df = pa.Table.from_batches([head]).to_pandas()
    # bytes per row while learning: the table's own (pandas) plus its encoding
    numeric = sum(pd.api.types.is_numeric_dtype(t) for t in head_df.dtypes)
    per_row = max(1.0, head_df.memory_usage(deep=True, index=False).sum() / max(1, len(head_df)))
    per_row += _encoding_bytes(numeric, head_df.shape[1])
    need = per_row * n_rows
    bound = default_max_memory() if max_memory is None else max_memory
    if need <= bound:
        df = ds.to_table().to_pandas(self_destruct=True, split_blocks=True)  # arrow buffers freed as converted
    else:
        from ..schema import infer_schema

        keep = max(1, int(bound / per_row))
        share = keep / n_rows
        schema_log = logging.getLogger("indgan.schema.inference")
        level = schema_log.level
        schema_log.setLevel(logging.ERROR)  # only the time column is wanted: the roles are inferred (and said) later
        try:
            time_col = infer_schema(head_df, source=name).time_column
        finally:
            schema_log.setLevel(level)
        rng = np.random.default_rng(random_state)
        parts, kept = [], 0
        if time_col is not None:  # the last `keep` rows: row groups before them are not read at all
            tail, skip = _tail_fragments(ds, n_rows - keep)
            seen = 0
            for batch in tail.to_batches(batch_size=65_536, **_STREAM):
                end = seen + batch.num_rows
                if end > skip:  # a copy: a slice would keep the whole row group it came from alive
                    first = max(0, skip - seen)
                    parts.append(batch.take(pa.array(np.arange(first, batch.num_rows))))
                    kept += batch.num_rows - first
                seen = end
        else:
            for batch in ds.to_batches(batch_size=65_536, **_STREAM):
                mask = rng.random(batch.num_rows) < share
                if mask.any():
                    parts.append(batch.filter(pa.array(mask)))
                    kept += int(mask.sum())
                if kept >= keep:
                    break
        if not parts:  # the draw missed every row: the first rows, within the bound
            parts = [head.slice(0, keep)]
        _release()  # the decoded row groups' buffers, before the frame is built
        df = pa.Table.from_batches(parts, schema=ds.schema).to_pandas(self_destruct=True, split_blocks=True)
        if time_col is not None:
            span = f"the most recent {len(df):,} rows in file order, {df[time_col].iloc[0]} to {df[time_col].iloc[-1]}"
        else:
            span = f"a random sample of {len(df):,} rows"
        log.warning(
            "%s: %s rows (~%s in memory while learning) exceed the memory bound of %s (--max-memory): "
            "learning from %s; a larger --max-memory learns from more.",
            name,
            f"{n_rows:,}",
            format_bytes(need),
            format_bytes(bound),
            span,
        )
    _release()
    df.attrs["source"] = name
    df.attrs["n_rows_total"] = int(n_rows)
    df.attrs["column_stats"] = _parquet_stats(ds)
    if len(df) < n_rows:
        df.attrs["distinct_values"] = _distinct_counts(ds)
    return df


def _distinct_counts(ds, cap: int = 1001) -> dict[str, int]:
    """Distinct non-null values per column over every row, counted up to ``cap`` (one streaming pass, one record
    batch in memory): what decides whether a numeric column is an operating state and a text column free text,
    which a sample could get wrong."""
    import pyarrow.compute as pc

    seen: dict[str, set] = {c: set() for c in ds.schema.names}
    batches = ds.to_batches(**_STREAM)
    for batch in batches:
        open_cols = [c for c in seen if len(seen[c]) < cap]
        if not open_cols:
            break
        for c in open_cols:
            col = batch.column(batch.schema.get_field_index(c))
            if pa.types.is_nested(col.type):
                continue
            seen[c].update(pc.unique(col.drop_null()).slice(0, cap).to_pylist())
    batch = col = batches = None  # the scan's decoded row groups, released below
    _release()
    return {c: min(len(v), cap) for c, v in seen.items()}


def _parquet_stats(ds) -> dict:
    """``{column: {"min": .., "max": .., "nulls": ..}}`` of numeric columns over every row group (parquet
    statistics; a column without them is left out)."""
    out: dict = {}
    for frag in ds.get_fragments():
        md = frag.metadata
        for g in range(md.num_row_groups):
            rg = md.row_group(g)
            for j in range(rg.num_columns):
                col = rg.column(j)
                st = col.statistics
                name = col.path_in_schema
                if st is None or not st.has_min_max or not isinstance(st.min, (int, float)) or isinstance(st.min, bool):
                    out[name] = None  # a row group without numeric statistics: the column's range is unknown
                    continue
                cur = out.setdefault(name, {"min": float("inf"), "max": -float("inf"), "nulls": 0})
                if cur is not None:
                    cur["min"], cur["max"] = min(cur["min"], float(st.min)), max(cur["max"], float(st.max))
                    cur["nulls"] += int(st.null_count or 0)
    return {k: v for k, v in out.items() if v is not None}


def iter_table(source, rows: int = 100_000, overlap: int = 0):
    """A folder of parquet files (or a ``pyarrow.dataset.Dataset``) in file order, ``rows`` rows at a time:
    yields ``(frame, skip)`` where the first ``skip`` rows of ``frame`` are the last ``overlap`` rows of the previous
    part (context for time-aware work; write ``frame.iloc[skip:]``). One part in memory at a time.

    Raises
    ------
    DataError
        An unreadable folder or dataset.
    """
    import pyarrow.dataset as pads

    try:
        ds = source if isinstance(source, pads.Dataset) else pads.dataset(str(source), format="parquet")
        _check_file_schemas(ds, str(source))
        tail = None
        for batch in ds.to_batches(batch_size=rows, **_STREAM):
            frame = pa.Table.from_batches([batch]).to_pandas()
            skip = 0
            if tail is not None and overlap:
                skip = len(tail)
                frame = pd.concat([tail, frame], ignore_index=True)
            tail = frame.iloc[-overlap:] if overlap else None
            frame.attrs["source"] = str(source)
            yield frame, skip
    except (pa.ArrowInvalid, pa.ArrowException, OSError) as exc:
        raise DataError(f"{source}: cannot read the parquet files: {first_line(exc)}") from exc


def read_table(
    path,
    max_memory: int | str | None = None,
    random_state: int = 0,
    *,
    table: str | None = None,
    where: str | None = None,
    query: str | None = None,
) -> pd.DataFrame:
    """Read a parquet or CSV file, a folder of parquet files or a database table into a DataFrame.

    Parameters
    ----------
    path : str, Path or pyarrow.dataset.Dataset
        A folder of parquet files or a ``pyarrow.dataset.Dataset`` (read in record batches: see ``max_memory``),
        a ``.parquet``/``.pq`` file, or a ``.csv``/``.tsv``/``.txt`` file (optionally ``.gz``/``.bz2``/...
        compressed). CSV cells are read as written: a column that mixes numbers and historian status
        strings ("Bad", "Scan Timeout") stays a string column; :func:`indgan.schema.infer_schema` sorts it
        out. The delimiter (``, ; tab |``), a decimal comma (``3,14`` with ``;`` delimiters, as European
        locales write), the encoding (UTF-8, else Windows-1252) and unit rows under the header are detected;
        numbers are parsed exactly (round trip).
    max_memory : int or str, optional
        Most bytes the table and its encoding may take in memory while a model learns it (``"2GB"``); estimated
        from the first 10,000 rows' pandas size plus 16 bytes per encoded number (11 per numeric column, 10 per
        other). Folders and datasets: [default: :func:`default_max_memory`, 1.5 GB]; a parquet file is bounded
        only when it is given (``indgan fit`` gives the default), so that reading a file to fill or score it
        never drops rows. A larger table is cut, with a warning: the most recent rows in file order when it has a
        time column, else a random sample of rows; its column ranges still come from the whole data.
    random_state : int
        Seed of that sample.
    table, where, query : str, optional
        ``path`` a SQLAlchemy URL (``sqlite:///plant.db``, ``postgresql+psycopg://user@host/plant``): the table
        (with a SQL WHERE clause, the user's own SQL) or a query, read read-only in chunks by
        :func:`indgan.adapters.sql.read_sql` (``max_memory`` keeps the most recent rows).

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
    max_memory = parse_memory(max_memory)
    from .sql.tables import is_database_url

    if isinstance(path, str) and is_database_url(path):
        from .sql.tables import read_sql

        return read_sql(path, table, where=where, query=query, max_memory=max_memory)
    if table is not None or where is not None or query is not None:
        raise DataError(f"{path}: table=, where= and query= read a database; give a URL such as sqlite:///plant.db.")
    if not isinstance(path, (str, Path)):
        try:
            return _read_dataset(path, max_memory, random_state)
        except (pa.ArrowInvalid, pa.ArrowException, OSError) as exc:
            raise DataError(f"dataset: cannot read it: {first_line(exc)}") from exc
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: no such file; check the path.")
    if path.is_dir():
        if not any(path.rglob("*.parquet")) and not any(path.rglob("*.pq")):
            raise DataError(f"{path}: a folder without parquet files; indgan reads folders of .parquet files.")
        try:
            return _read_dataset(path, max_memory, random_state)
        except (pa.ArrowInvalid, pa.ArrowException, OSError) as exc:
            raise DataError(f"{path}: cannot read the parquet files of this folder: {first_line(exc)}") from exc
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
            meta = pq.read_metadata(path)
            if (
                max_memory is not None
                and meta.num_rows
                and _learning_bytes(meta.num_rows, meta.schema.to_arrow_schema()) > max_memory
            ):
                return _read_dataset(path, max_memory, random_state)  # within the bound, in record batches
            df = pq.read_table(path).to_pandas()
        else:
            df = _read_csv(path, suffix)
    except DataError:
        raise
    except (pa.ArrowInvalid, pa.ArrowException, OSError) as exc:
        raise DataError(f"{path}: cannot read it as {suffix[1:]}: {first_line(exc)}") from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, csv.Error) as exc:
        if isinstance(exc, pd.errors.EmptyDataError):
            raise DataError(f"{path}: the file is empty; it needs a header row and at least one data row.") from exc
        raise DataError(f"{path}: cannot parse it as CSV: {first_line(exc)}") from exc
    if df.shape[1] == 0:
        raise DataError(f"{path}: the table has no columns.")
    if len(df) == 0:
        raise DataError(f"{path}: the table has no rows; indgan needs data to learn from.")
    df.attrs["source"] = str(path)  # named in later error messages
    return df


def is_folder_output(path: str | Path) -> bool:
    """An output path meant as a folder of parquet parts: an existing folder, or a name without a suffix."""
    path = Path(path)
    return path.is_dir() or (not path.suffix and not path.exists())


def check_output_path(path: str | Path, allow_folder: bool = False) -> Path:
    """Refuse an output path indgan cannot write, before any work is done: an unsupported suffix, or a folder
    that exists as a file (``allow_folder``: a folder for parquet parts is fine).

    Raises
    ------
    DataError
        Naming the path and what to use instead.
    """
    path = Path(path)
    suffix = _suffix(path)
    folder = allow_folder and is_folder_output(path)
    if not folder and suffix not in SUPPORTED_SUFFIXES:
        raise DataError(f"{path}: unsupported output type {suffix or '(no suffix)'!r}; use .parquet or .csv.")
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if parent.exists() and not parent.is_dir():
        raise DataError(f"{path}: {parent} is a file, not a folder; choose another output path.")
    return path


class PartsWriter:
    """Write a table in parts, holding one part in memory: to a folder (``part-00000.parquet``, ...), to one
    parquet file (one row group per part) or to one CSV file (appended). Use as a context manager; ``write(df)``
    per part, each with the columns of the first.

    Raises
    ------
    DataError
        Unsupported suffix, or a part that cannot be written.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.folder = is_folder_output(self.path)
        self.suffix = None if self.folder else _suffix(self.path)
        if not self.folder:
            check_output_path(self.path)
        self.parts = 0
        self.rows = 0
        self._writer = None
        self._schema = None
        self._atomic = None
        self._tmp = self.path

    def __enter__(self) -> PartsWriter:
        """Parts go to a temporary file or folder beside the target (:func:`indgan.atomic.atomic_output`), which
        replaces it only when the ``with`` block ends without an exception."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._atomic = atomic_output(self.path)
        self._tmp = self._atomic.__enter__()
        return self

    def write(self, df: pd.DataFrame) -> None:
        try:
            if self.folder:
                self._tmp.mkdir(parents=True, exist_ok=True)
                df.to_parquet(self._tmp / f"part-{self.parts:05d}.parquet", index=False)
            elif self.suffix in (".parquet", ".pq"):
                table = pa.Table.from_pandas(df, preserve_index=False, schema=self._schema)
                if self._writer is None:
                    self._schema = table.schema
                    self._writer = pq.ParquetWriter(self._tmp, table.schema)
                self._writer.write_table(table)
            else:
                df.to_csv(
                    self._tmp,
                    index=False,
                    mode="w" if self.parts == 0 else "a",
                    header=self.parts == 0,
                    sep="\t" if self.suffix == ".tsv" else ",",
                )
        except OSError as exc:
            raise DataError(f"{self.path}: cannot write it: {exc.strerror or exc}") from exc
        except (pa.ArrowException, ValueError, TypeError) as exc:
            raise DataError(f"{self.path}: cannot write part {self.parts}: {first_line(exc)}") from exc
        self.parts += 1
        self.rows += len(df)

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._writer is not None:
            self._writer.close()
        if self._atomic is not None:
            self._atomic.__exit__(exc_type, exc, tb)


class CsvStdoutWriter:
    """:class:`PartsWriter`'s counterpart for standard output: each part is written as CSV (the header once) and
    flushed as soon as it is generated, so a pipe (``indgan sample M -n 100000000 | head``) sees rows at once and
    memory holds one part."""

    def __init__(self, stream=None):
        self.stream = stream if stream is not None else sys.stdout
        self.parts = 0
        self.rows = 0

    def __enter__(self) -> CsvStdoutWriter:
        return self

    def write(self, df: pd.DataFrame) -> None:
        df.to_csv(self.stream, index=False, header=self.parts == 0)
        self.stream.flush()
        self.parts += 1
        self.rows += len(df)

    def __exit__(self, exc_type, exc, tb) -> None:
        return None


def _as_parquet_columns(df: pd.DataFrame) -> pd.DataFrame:
    """Columns parquet can hold: a column of numbers mixed with status strings (a tag with "Bad" cells, as aligned
    from a narrow table) is written as text, as historians export it and as indgan reads it back (numbers with
    status strings); missing cells stay missing. Other columns are untouched (no copy when none is mixed)."""
    mixed = [
        c
        for c in df.columns
        if df[c].dtype == object and pd.api.types.infer_dtype(df[c], skipna=True).startswith("mixed")
    ]
    if not mixed:
        return df
    out = df.copy()
    for c in mixed:
        out[c] = out[c].where(out[c].isna(), out[c].astype(str))
    return out


def write_table(df: pd.DataFrame, path: str | Path) -> Path:
    """Write ``df`` ``(n_rows, n_columns)`` to ``path`` as parquet (``.parquet``/``.pq``) or CSV (any CSV
    suffix), without the index; missing parent folders are created. The table goes to a temporary file beside
    ``path`` first and replaces it only when complete (:func:`indgan.atomic.atomic_output`).

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
        raise DataError(f"{path}: unsupported output type {suffix or '(no suffix)'!r}; use .parquet or .csv.")
    try:
        if path.parent and not path.parent.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_output(path) as tmp:  # complete, or the earlier file untouched
            if suffix in (".parquet", ".pq"):
                _as_parquet_columns(df).to_parquet(tmp, index=False)
            else:
                df.to_csv(tmp, index=False, sep="\t" if suffix == ".tsv" else ",")
    except OSError as exc:
        raise DataError(f"{path}: cannot write it: {exc.strerror or exc}") from exc
    except (pa.ArrowException, ValueError, TypeError) as exc:
        raise DataError(f"{path}: cannot write the table as {suffix[1:]}: {first_line(exc)}") from exc
    return path
