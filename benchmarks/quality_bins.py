"""sdmetrics' QualityReport as shipped against the same report with the synthetic table binned on the real bins.

The report's Column Pair Trends compare a continuous column with a categorical one (a tag with a ``:status``
column) after binning the continuous column into 10 equal-width bins. sdmetrics 0.32 bins the real table on the
real range and the synthetic table on the synthetic range, each on its own; its maintainers state the intended
behaviour as the real table's bins for both, with open outer edges (SDMetrics pull request #368). A synthetic tag
that does not reach one real outlier then scores near 0 on every such pair, however close the two laws are. This
script measures how much that moves the score: it runs the report twice on the same tables, once as shipped and
once with the synthetic table binned on the real bins (a patch of the report object for this run only; indgan's
``evaluate`` reports sdmetrics as shipped). Every row is used (no subsample).

Usage::

    python benchmarks/quality_bins.py REAL.parquet SYNTHETIC.parquet [SYNTHETIC2.parquet ...]
"""

import sys
import warnings

import numpy as np
import pandas as pd
from sdmetrics.reports.single_table import QualityReport
from sdmetrics.reports.single_table._properties import column_pair_trends

from indgan.metrics.report import sdmetrics_metadata
from indgan.schema import infer_schema


def quality(real_view: pd.DataFrame, synthetic_view: pd.DataFrame, metadata: dict, real_bins: bool) -> dict:
    """The report's score and properties, every pair counted; ``real_bins``: the synthetic table binned on the
    real table's bins (outer edges open)."""
    cls = column_pair_trends.ColumnPairTrends
    shipped = cls._generate_details

    def on_real_bins(self, real_data, synthetic_data, metadata, progress_bar=None, column_pairs=None):
        edges: dict[str, np.ndarray] = {}
        discretize = self._discretize_column

        def by_real(name, data, bin_edges=None):
            if name in edges:  # the synthetic table: the real table's bins, open at both ends
                e = edges[name].copy()
                e[0], e[-1] = -np.inf, np.inf
                return discretize(name, data, e)
            out, e = discretize(name, data, bin_edges)  # the real table comes first
            edges[name] = np.asarray(e, float)
            return out, e

        self._discretize_column = by_real
        try:
            return shipped(self, real_data, synthetic_data, metadata, progress_bar, column_pairs)
        finally:
            del self._discretize_column

    if real_bins:
        cls._generate_details = on_real_bins
    try:
        report = QualityReport()
        report.real_correlation_threshold = 1e-12  # every pair counted, as indgan.evaluate does
        report.real_association_threshold = 1e-12
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            report.generate(real_view, synthetic_view, metadata, verbose=False)
        props = report.get_properties()
        return {"score": float(report.get_score()), **dict(zip(props["Property"], props["Score"].astype(float)))}
    finally:
        cls._generate_details = shipped


def main(argv: list[str]) -> None:
    if len(argv) < 2:
        raise SystemExit(__doc__)
    real = pd.read_parquet(argv[0])
    schema = infer_schema(real, source=argv[0])
    real_view = schema.view(real).reset_index(drop=True)
    metadata = sdmetrics_metadata(schema, real_view)
    for path in argv[1:]:
        synthetic_view = schema.view(pd.read_parquet(path)).reset_index(drop=True)
        a, b = (quality(real_view, synthetic_view, metadata, real_bins) for real_bins in (False, True))
        print(
            f"{path}: as shipped {a['score']:.4f} (pairs {a['Column Pair Trends']:.4f}); "
            f"real bins for both {b['score']:.4f} (pairs {b['Column Pair Trends']:.4f}); "
            f"column shapes {a['Column Shapes']:.4f}"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
