"""Where a job's data comes from and goes: files, folders, DataFrames and database tables, wide or narrow.

:func:`load` reads a source (a parquet/CSV file or folder, a DataFrame, or a SQLAlchemy URL with a table or a
query) and, when it is a **narrow historian table** (time, tag, value, quality: one row per tag per stored change),
aligns it on a regular grid with the historian's semantics (:mod:`indgan.adapters.historian`) and says so. What it
found (:class:`Loaded`) lets the job write its output back in the input's layout (:func:`narrow_back`) and refuse
to overwrite the table a model learned from.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd

from ..errors import ConfigError
from .common import Say

#: ``layout`` values of :func:`load`.
LAYOUTS = ("auto", "wide", "narrow")


@dataclasses.dataclass
class Loaded:
    """A source as a job sees it: the wide ``frame``, its ``name`` for messages, and where it came from:
    ``narrow`` (the :class:`~indgan.adapters.historian.NarrowLayout` of a narrow table, None for a wide one) with
    its alignment (``align``: :class:`~indgan.adapters.historian.AlignInfo`), and the database ``url`` and
    ``table`` it was read from (None for files)."""

    frame: pd.DataFrame
    name: str
    narrow: Any = None
    align: Any = None
    url: str | None = None
    table: str | None = None

    def layout_record(self) -> dict | None:
        """What a model keeps of its source (``FittedModel.source_layout_``): the narrow columns and interval, and
        the database table (so that ``sample --db`` never writes into it)."""
        if self.narrow is None and self.table is None:
            return None
        out: dict = {"table": self.table}
        if self.narrow is not None:
            out["narrow"] = dataclasses.asdict(self.narrow)
            out["interval"] = str(getattr(self.align, "interval", "")) or None
        return out


def is_url(data) -> bool:
    """Whether ``data`` is a database URL (``sqlite:///plant.db``, ``postgresql+psycopg://...``)."""
    if isinstance(data, pd.DataFrame):
        return False
    from ..adapters.sql import is_database_url

    return is_database_url(str(data))


def load(
    data,
    *,
    table: str | None = None,
    where: str | None = None,
    query: str | None = None,
    layout: str = "auto",
    tag_column: str | None = None,
    value_column: str | None = None,
    quality_column: str | None = None,
    interval=None,
    staleness=None,
    max_memory=None,
    bounded: bool = False,
    seed: int = 0,
    say: Say | None = None,
) -> Loaded:
    """Read ``data`` and align it if it is a narrow historian table.

    Parameters
    ----------
    data : path, URL or DataFrame
        A parquet/CSV file or a folder of parquet files, a SQLAlchemy URL (with ``table`` [``where``] or
        ``query``), or a DataFrame.
    table, where, query : str, optional
        Database sources only: the table (and a SQL WHERE clause, the user's own SQL), or a whole query.
    layout : {"auto", "wide", "narrow"}
        ``auto`` detects a narrow table (:func:`~indgan.adapters.historian.detect_layout`); ``narrow`` insists.
    tag_column, value_column, quality_column : str, optional
        The narrow table's columns, when the data cannot say.
    interval, staleness
        The grid step (default: inferred from the tags' spacing) and how long a stored value holds.
    max_memory, bounded
        With ``bounded`` (fitting), read at most ``max_memory`` (default 1.5 GB): the most recent rows.

    Raises
    ------
    ConfigError
        Database options for a file, or an unknown layout.
    DataError, DatabaseError
        Unreadable sources, ambiguous narrow tables (one line naming the columns and the options to set).
    """
    if layout not in LAYOUTS:
        raise ConfigError(f"--layout {layout!r}: use one of {', '.join(LAYOUTS)}.")
    from ..adapters.files import default_max_memory, parse_memory

    bound = (parse_memory(max_memory) or default_max_memory()) if bounded else parse_memory(max_memory)
    url = None
    if isinstance(data, pd.DataFrame):
        frame, name = data, "the DataFrame"
    elif is_url(data):
        from ..adapters.files import read_table

        url = str(data)
        frame = read_table(url, bound, table=table, where=where, query=query)
        name = frame.attrs.get("source", url)
    else:
        given = [o for o, v in (("--table", table), ("--where", where), ("--query", query)) if v is not None]
        if given:
            raise ConfigError(f"{', '.join(given)}: options of a database source; {data} is a file.")
        from ..adapters.files import read_table

        frame = read_table(data, max_memory=bound, random_state=seed) if bounded else read_table(data)
        name = str(data)
    loaded = Loaded(frame, name, url=url, table=table)
    if layout == "wide":
        return loaded
    from ..adapters.historian import detect_layout, to_wide

    narrow = detect_layout(
        frame,
        tag=tag_column,
        value=value_column,
        quality=quality_column,
        layout=None if layout == "auto" else "narrow",
    )
    if narrow is None:
        return loaded
    wide, align = to_wide(frame, narrow, interval=interval, staleness=staleness)
    if say is not None:
        say(
            f"{name}: a narrow historian table (time {narrow.time!r}, tag {narrow.tag!r}, value {narrow.value!r}"
            + (f", quality {narrow.quality!r}" if narrow.quality else "")
            + f"); {align.describe()}"
        )
    wide.attrs.update(frame.attrs)
    return dataclasses.replace(loaded, frame=wide, narrow=narrow, align=align)


def narrow_back(wide: pd.DataFrame, record: dict | None, marker: str | None = None) -> pd.DataFrame:
    """``wide`` in the layout a model learned from: narrow rows (one per tag per change) for a narrow source,
    with ``marker`` as every row's quality when given; ``wide`` itself otherwise."""
    if not record or not record.get("narrow"):
        return wide
    from ..adapters.historian import NarrowLayout, to_narrow

    return to_narrow(wide, NarrowLayout(**record["narrow"]), quality_marker=marker)
