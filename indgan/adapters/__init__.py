"""Adapters between indgan and where the data live: files (parquet, CSV; :mod:`indgan.adapters.files`) and SQL
tables through SQLAlchemy (:mod:`indgan.adapters.sql`: imputation in place, audited and undoable)."""

from .files import check_output_path, read_table, write_table

__all__ = ["read_table", "write_table", "check_output_path"]
