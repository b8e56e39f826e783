"""Adapters between indgan and where the data live: files (parquet, CSV; :mod:`indgan.adapters.files`), SQL tables
through SQLAlchemy (:mod:`indgan.adapters.sql`: sources and new tables, imputation in place, audited and undoable),
narrow historian tables (:mod:`indgan.adapters.historian`: time, tag, value, quality rows aligned on a grid and
back) and images (:mod:`indgan.adapters.images`)."""

from .files import check_output_path, read_table, write_table
from .historian import NarrowLayout, deadband_narrow, detect_layout, to_narrow, to_wide

__all__ = [
    "read_table",
    "write_table",
    "check_output_path",
    "NarrowLayout",
    "detect_layout",
    "to_wide",
    "to_narrow",
    "deadband_narrow",
]
