"""Scoring synthetic data against real data.

:func:`evaluate` runs sdmetrics' single-table ``QualityReport`` (column shapes: KS complement / TV
complement; column pair trends: correlation and contingency similarity) and ``DiagnosticReport`` (data
validity and structure) on the *model view* of both tables (see :meth:`indgan.schema.Schema.view`), with
sdmetrics metadata built from the inferred schema: historian status strings are scored as a categorical
status column beside the tag's numbers, not as bogus categories of a number column.
"""

from __future__ import annotations

import json
import logging
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import DataError
from .schema import CATEGORICAL, CONTINUOUS, ENTITY, TIME, Schema, infer_schema

log = logging.getLogger(__name__)


@dataclass
class EvaluationReport:
    """Scores of a synthetic table against the real one (all in [0, 1], higher is better).

    Attributes
    ----------
    quality_score : float
        sdmetrics QualityReport overall score (mean of its properties).
    diagnostic_score : float
        sdmetrics DiagnosticReport overall score.
    properties : pandas.DataFrame
        One row per report property: columns ``report``, ``property``, ``score``.
    column_shapes : pandas.DataFrame
        Per-column shape score (``column``, ``metric``, ``score``), worst first.
    n_real, n_synthetic : int
        Rows compared.
    """

    quality_score: float
    diagnostic_score: float
    properties: pd.DataFrame
    column_shapes: pd.DataFrame = field(default_factory=pd.DataFrame)
    n_real: int = 0
    n_synthetic: int = 0

    def to_dict(self) -> dict:
        return {
            "quality_score": self.quality_score,
            "diagnostic_score": self.diagnostic_score,
            "properties": self.properties.to_dict(orient="records"),
            "column_shapes": self.column_shapes.to_dict(orient="records"),
            "n_real": self.n_real,
            "n_synthetic": self.n_synthetic,
        }

    def to_json(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(json.dumps(self.to_dict(), indent=2))
        return path

    def __str__(self) -> str:
        lines = [f"quality score     {self.quality_score:.4f}   (sdmetrics QualityReport, {self.n_synthetic} synthetic vs {self.n_real} real rows)",
                 f"diagnostic score  {self.diagnostic_score:.4f}   (sdmetrics DiagnosticReport)", ""]
        width = max(len(p) for p in self.properties["property"]) if len(self.properties) else 10
        lines.append(f"{'report':<11} {'property':<{width}}  score")
        for r in self.properties.itertuples():
            lines.append(f"{r.report:<11} {r.property:<{width}}  {r.score:.4f}")
        if len(self.column_shapes):
            worst = self.column_shapes.head(5)
            lines.append("")
            lines.append("worst column shapes: " + ", ".join(f"{r.column} {r.score:.3f}" for r in worst.itertuples()))
        return "\n".join(lines)


def sdmetrics_metadata(schema: Schema, view: pd.DataFrame) -> dict:
    """sdmetrics single-table metadata for a model view: numerical, categorical or datetime per column."""
    cols: dict[str, dict] = {}
    for c in schema.modelled:
        if c.role == CONTINUOUS:
            cols[c.name] = {"sdtype": "numerical"}
        elif c.role == TIME:
            dt = pd.api.types.is_datetime64_any_dtype(view[c.name])
            cols[c.name] = {"sdtype": "datetime"} if dt else {"sdtype": "numerical"}
        elif c.role in (CATEGORICAL, ENTITY):
            cols[c.name] = {"sdtype": "categorical"}
        if c.status_column:
            cols[c.status_column] = {"sdtype": "categorical"}
    return {"columns": cols}


def evaluate(real: pd.DataFrame, synthetic: pd.DataFrame, schema: Schema | None = None,
             max_rows: int | None = 20_000, random_state: int = 0) -> EvaluationReport:
    """Score ``synthetic`` against ``real`` with sdmetrics.

    Parameters
    ----------
    real, synthetic : pandas.DataFrame
        ``(n_real, n_columns)`` and ``(n_synthetic, n_columns)`` tables in the same schema (a raw historian
        export and what :meth:`indgan.TabularGAN.sample` returns for it). Not modified.
    schema : Schema, optional
        Column roles; inferred from ``real`` when omitted.
    max_rows : int or None, default 20000
        Each table is subsampled to at most this many rows (pair metrics grow with rows x columns^2).
    random_state : int
        Seed of that subsample.

    Returns
    -------
    EvaluationReport

    Raises
    ------
    DataError
        If ``synthetic`` lacks columns of ``real`` or either table is empty.
    """
    with warnings.catch_warnings():  # sdmetrics >= 0.2x flags the single-table module as deprecated
        warnings.simplefilter("ignore")
        from sdmetrics.reports.single_table import DiagnosticReport, QualityReport

    for name, df in (("real", real), ("synthetic", synthetic)):
        if not isinstance(df, pd.DataFrame):
            raise DataError(f"the {name} data must be a pandas DataFrame, got {type(df).__name__}.")
        if len(df) == 0:
            raise DataError(f"the {name} table has no rows.")
    schema = schema or infer_schema(real, source="real data")
    absent = [c.name for c in schema.modelled if c.name not in synthetic.columns]
    if absent:
        raise DataError(
            f"the synthetic table lacks column(s) {absent[:10]!r} of the real table; compare tables of the same schema."
        )
    if max_rows is not None:
        if len(real) > max_rows:
            real = real.sample(max_rows, random_state=random_state)
        if len(synthetic) > max_rows:
            synthetic = synthetic.sample(max_rows, random_state=random_state)
    real_v = schema.view(real).reset_index(drop=True)
    syn_v = schema.view(synthetic).reset_index(drop=True)
    metadata = sdmetrics_metadata(schema, real_v)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        quality = QualityReport()
        quality.generate(real_v, syn_v, metadata, verbose=False)
        diagnostic = DiagnosticReport()
        diagnostic.generate(real_v, syn_v, metadata, verbose=False)
    props = []
    for label, rep in (("quality", quality), ("diagnostic", diagnostic)):
        for r in rep.get_properties().itertuples(index=False):
            props.append({"report": label, "property": r[0], "score": float(r[1])})
    shapes = quality.get_details("Column Shapes")
    shapes = shapes.rename(columns={"Column": "column", "Metric": "metric", "Score": "score"})
    shapes = shapes[[c for c in ("column", "metric", "score") if c in shapes]].sort_values("score")
    return EvaluationReport(
        quality_score=float(quality.get_score()),
        diagnostic_score=float(diagnostic.get_score()),
        properties=pd.DataFrame(props),
        column_shapes=shapes.reset_index(drop=True),
        n_real=len(real_v),
        n_synthetic=len(syn_v),
    )
