"""The application layer for databases: fill the NULL cells of a SQL table in place, audited and undoable, with
the imputer given or the default :class:`indgan.imputation.GANImputer` (the SQL adapter,
:mod:`indgan.adapters.sql`, chooses no model), or the silences of a narrow historian table by inserting rows; and
undo a run."""

from __future__ import annotations

from typing import Any

from ..adapters.sql import undo_run
from ..adapters.sql import impute_table as _impute_table

__all__ = ["impute_table", "undo_run"]


def impute_table(
    url_or_engine,
    table: str = "readings",
    key: str | None = "id",
    imputer: Any = None,
    columns: list[str] | None = None,
    dry_run: bool = False,
    db_schema: str | None = None,
    audit_table: str = "indgan_audit",
    random_state: int | None = None,
    verbose: bool = True,
    *,
    where: str | None = None,
    layout: str = "auto",
    tag_column: str | None = None,
    value_column: str | None = None,
    quality_column: str | None = None,
    interval=None,
    staleness=None,
    say=None,
):
    """Fill the NULL cells of a SQL table in place with an imputer, audited and undoable; or the gaps of a narrow
    historian table, by inserting rows.

    With ``key=None`` (as ``indgan impute --db`` without ``--key``) or ``layout="narrow"`` the table is read and,
    when it is a **narrow** historian table (time, tag, value[, quality] rows; :func:`indgan.app.data.load` detects
    and aligns it, ``where`` and the narrow options as there), its missing grid cells (silences past the staleness
    limit, cells before a tag's first row) are filled and **inserted** as rows, one per filled cell (so no filled
    stretch is ever silent past the staleness limit, and a second run finds nothing left to fill), at the grid
    times with the quality :data:`~indgan.adapters.historian.IMPUTED_QUALITY` (when the table has a quality
    column), audited and undone like cells (:mod:`indgan.adapters.sql.narrow`); the write is checked (a
    rolled-back insert) before the fit. The report is then a :class:`~indgan.adapters.sql.NarrowFillReport`. A
    wide table found with ``key=None`` is filled by its column ``id``.

    Parameters
    ----------
    url_or_engine : str, sqlalchemy.URL or sqlalchemy.Engine
        ``sqlite:///plant.db``, ``postgresql+psycopg://user:password@host:5432/plant``, or an Engine (left
        open; an engine made from a URL is disposed before returning).
    table : str
        The table (its name as stored; SQLAlchemy quotes it, so spaces and reserved words are fine).
    key : str or None
        A column that identifies each row (unique, never NULL), e.g. the primary key. Wide tables only; None: find
        out whether the table is narrow.
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
    ImputeReport or NarrowFillReport
        Counts, the run id and ``changes`` (``key``, ``column``, ``value`` of each cell written), or for a narrow
        table the ``rows`` inserted.

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
    if key is None or layout == "narrow":
        from .data import load

        loaded = load(
            url_or_engine,
            table=table,
            where=where,
            layout=layout,
            tag_column=tag_column,
            value_column=value_column,
            quality_column=quality_column,
            interval=interval,
            staleness=staleness,
            say=say,
        )
        if loaded.narrow is not None:
            return _fill_narrow(url_or_engine, table, loaded, imputer, dry_run, db_schema, audit_table)
        key = "id"
    elif where is not None:
        from ..errors import ConfigError

        raise ConfigError("--where reads part of a narrow table; a wide table is filled whole (pick --column).")
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


def _fill_narrow(url_or_engine, table, loaded, imputer, dry_run, db_schema, audit_table):
    """A narrow table's missing grid cells filled and inserted as rows (checked writable before the fit)."""
    from time import perf_counter

    from ..adapters.historian import IMPUTED_QUALITY, to_narrow
    from ..adapters.sql import check_insertable, insert_rows
    from ..adapters.sql.impute import _is_fitted, _model_text

    start = perf_counter()
    layout = loaded.narrow
    good = loaded.align.good_quality
    if layout.quality is not None and isinstance(good, int) and not isinstance(good, bool):
        from ..adapters.sql import DatabaseError

        raise DatabaseError(
            f"table {table!r}: quality column {layout.quality!r} holds integer codes, and indgan marks the rows it "
            f"fills with the text {IMPUTED_QUALITY!r}; fill into a file instead (indgan impute DATA -o FILLED) or "
            "give a text --quality-column; nothing was fitted or written."
        )
    if not dry_run:
        check_insertable(url_or_engine, table, layout, audit_table, db_schema)
    df = loaded.frame
    tags = [c for c in df.columns if c != layout.time]
    missing = df[tags].isna().to_numpy()
    if not missing.any():  # nothing to fill: no fit
        filled = df
    else:
        filled = imputer.transform(df) if _is_fitted(imputer) else imputer.fit_transform(df)
    got = filled[tags].notna().to_numpy() & missing
    only = filled[tags].astype(object).where(got)  # the filled cells alone: every other cell is no row
    only.insert(0, layout.time, df[layout.time])
    marker = IMPUTED_QUALITY if layout.quality is not None else None
    rows = to_narrow(only, layout, loaded.align, changes_only=False, quality_marker=marker)  # a row per cell
    report = insert_rows(
        url_or_engine,
        table,
        rows,
        layout,
        marker=marker,
        model=_model_text(imputer),
        n_rows_read=loaded.align.n_rows_in,
        n_missing=int(missing.sum()),
        n_filled=int(got.sum()),
        dry_run=dry_run,
        audit_table=audit_table,
        db_schema=db_schema,
    )
    report.seconds = perf_counter() - start
    return report
