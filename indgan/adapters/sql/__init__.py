"""Fill the NULL cells of a SQL table in place, audited and undoable (SQLAlchemy: SQLite, PostgreSQL...).

    from indgan import GANImputer
    from indgan.adapters.sql import impute_table, undo_run
    report = impute_table("postgresql+psycopg://user@host/plant", table="readings", key="id", imputer=GANImputer())
    print(report)                      # what was filled, and the run id
    undo_run("postgresql+psycopg://user@host/plant", report.run_id)

The path of the data (``shared/design.md``): the table is read through SQLAlchemy (reflection, one
``SELECT`` ordered by the key), handed to the imputer the caller gives (the adapter chooses no model:
:func:`indgan.impute_table`, in :mod:`indgan.app.database`, gives a :class:`indgan.imputation.GANImputer` by
default) as a DataFrame of its numeric, boolean and text columns (and its date/time columns, as features only), and the
filled values are written back with bound ``UPDATE`` statements. Only cells that were NULL are written:

- everything a run writes (cells and audit rows) is one transaction, so a failure leaves the table as it was;
- each written cell gets one row in the audit table (``indgan_audit`` by default, created in the same
  transaction): run id, table, key (its text and its type, so that a column holding keys of several types, as
  SQLite allows, finds each row again), column, the value as stored, the imputer, the time;
- :func:`undo_run` sets a run's cells back to NULL, except cells changed since or whose row is gone, which it
  reports as conflicts and leaves in the run (a later undo retries them);
- ``dry_run=True`` writes nothing at all and reports what would change.

Every problem a user can cause (a missing table or key column, duplicate or NULL keys, a column of a type
the imputer cannot produce, an empty table, an unreachable database) is refused with a
:class:`DatabaseError` before anything is written. A run that could not write its result (a read-only or
locked database, no ``UPDATE`` privilege on the table, no right to create or write the audit table) is
refused before the table is read for the imputer and before any fit: a write transaction is opened, tried
and rolled back first (``dry_run`` skips this and needs read access only).

A **narrow** historian table (time, tag, value, quality rows) has no NULL cells: its gaps are silences. It is
filled by inserting rows (:func:`insert_rows` in :mod:`.narrow`: one per filled grid cell, with indgan's
substituted quality, audited in the same way; :func:`undo_run` deletes them again).

Modules: :mod:`.engine` (engines, transactions, column types, reflection) <- :mod:`.audit` (the audit table,
keys, :func:`undo_run`) <- :mod:`.impute` (:func:`impute_table`, its write check and its write) and
:mod:`.narrow` (rows inserted into a narrow table); :mod:`.tables` reads and writes whole tables.
"""

from .audit import UndoReport, undo_run
from .engine import DatabaseError
from .impute import ImputeReport, impute_table
from .impute import _check_writable as _check_writable  # for the tests
from .impute import _is_fitted as _is_fitted  # for the tests
from .narrow import NarrowFillReport, check_insertable, insert_rows
from .tables import is_database_url, read_sql, write_sql

__all__ = [
    "impute_table",
    "undo_run",
    "ImputeReport",
    "insert_rows",
    "check_insertable",
    "NarrowFillReport",
    "UndoReport",
    "DatabaseError",
    "read_sql",
    "write_sql",
    "is_database_url",
]
