"""The application layer for databases: fill the NULL cells of a SQL table in place, audited and undoable, with
the imputer given or the default :class:`indgan.imputation.GANImputer` (the SQL adapter,
:mod:`indgan.adapters.sql`, chooses no model), and undo a run."""

from __future__ import annotations

from typing import Any

from ..adapters.sql import ImputeReport, undo_run
from ..adapters.sql import impute_table as _impute_table

__all__ = ["impute_table", "undo_run"]


def impute_table(
    url_or_engine,
    table: str = "readings",
    key: str = "id",
    imputer: Any = None,
    columns: list[str] | None = None,
    dry_run: bool = False,
    db_schema: str | None = None,
    audit_table: str = "indgan_audit",
    random_state: int | None = None,
    verbose: bool = True,
) -> ImputeReport:
    """Fill the NULL cells of a SQL table in place with an imputer, audited and undoable.

    Parameters
    ----------
    url_or_engine : str, sqlalchemy.URL or sqlalchemy.Engine
        ``sqlite:///plant.db``, ``postgresql+psycopg://user:password@host:5432/plant``, or an Engine (left
        open; an engine made from a URL is disposed before returning).
    table : str
        The table (its name as stored; SQLAlchemy quotes it, so spaces and reserved words are fine).
    key : str
        A column that identifies each row (unique, never NULL), e.g. the primary key.
    imputer : scikit-learn style transformer, optional
        Takes and returns a DataFrame ``(n_rows, n_features)`` with missing cells as NaN/None and filled
        cells in the result. Used with ``transform`` if already fitted (``__sklearn_is_fitted__()``), else
        with ``fit_transform``. Default: ``GANImputer(random_state=random_state, verbose=verbose)``.
    columns : list of str, optional
        Columns that may be filled; default every column but the key. Every other column of a numeric,
        boolean, text or date/time type is still given to the imputer as a feature.
    dry_run : bool
        Write nothing at all (not even the audit table); the report says what would change.
    db_schema : str, optional
        The schema (PostgreSQL) holding the table and the audit table; default the connection's default.
    audit_table : str
        The audit table, created (in the same transaction) if missing.
    random_state : int, optional
        Seed of the default imputer.
    verbose : bool
        Progress of the default imputer; a summary is logged either way.

    Returns
    -------
    ImputeReport
        Counts, the run id and ``changes`` (``key``, ``column``, ``value`` of each cell written).

    Raises
    ------
    DatabaseError
        As :func:`indgan.adapters.sql.impute_table` says, and before anything is written: a bad URL or table,
        a table that cannot be written (checked by a rolled-back write before any fit), keys that are NULL or
        repeat, a column of a type the imputer cannot produce; while writing, any database error (all rolled
        back). The adapter's Notes say how the one write transaction works.
    """
    if imputer is None:
        from ..imputation import GANImputer

        imputer = GANImputer(random_state=random_state, verbose=verbose)
    return _impute_table(
        url_or_engine,
        table=table,
        key=key,
        imputer=imputer,
        columns=columns,
        dry_run=dry_run,
        db_schema=db_schema,
        audit_table=audit_table,
    )
