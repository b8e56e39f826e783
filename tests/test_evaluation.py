import numpy as np
import pytest

from indgan import DataError, evaluate


def test_identical_data_scores_one_and_noise_scores_less(small):
    same = evaluate(small, small.sample(frac=1.0, random_state=0))
    assert same.quality_score == pytest.approx(1.0, abs=1e-6)
    noisy = small.copy()
    rng = np.random.default_rng(0)
    noisy["tag0"] = rng.permutation(noisy["tag0"].to_numpy()) + 3.0
    noisy["tag63"] = noisy["tag63"].iloc[0]
    worse = evaluate(small, noisy)
    assert worse.quality_score < same.quality_score - 0.02
    assert {"Column Shapes", "Column Pair Trends", "Data Validity", "Data Structure"} <= set(
        worse.properties["property"]
    )
    assert worse.column_shapes.iloc[0]["column"] in {"tag0", "tag63"}  # worst first
    assert "quality score" in str(worse)


def test_status_strings_are_scored_as_status(small):
    syn = small.copy()
    syn["tag70"] = syn["tag70"].where(syn["tag70"] != "Bad", "0.0")  # the model forgot the bad values
    report = evaluate(small, syn)
    shapes = report.column_shapes.set_index("column")["score"]
    assert shapes["tag70:status"] < 1.0


def test_schema_mismatch_is_named(small):
    with pytest.raises(DataError, match="tag70"):
        evaluate(small, small.drop(columns=["tag70"]))
    with pytest.raises(DataError, match="no rows"):
        evaluate(small, small.head(0))


def test_the_statistics_are_pure_and_models_import_no_scorer():
    """indgan.stats needs numpy, pandas and scipy only; no model imports indgan.metrics (they score their
    candidates with indgan.stats), and the metrics' old names are the same functions."""
    import ast
    from pathlib import Path

    import indgan
    from indgan import stats
    from indgan.metrics import images, report, sequences

    root = Path(indgan.__file__).parent

    def imported(path):
        """Absolute top-level packages, and indgan modules, that ``path`` imports (inside functions too)."""
        out = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                out |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                pkg = ".".join(path.relative_to(root.parent).with_suffix("").parts[: -node.level])
                out.add(f"{pkg}.{node.module}" if node.level else node.module)
        return out

    allowed = {"__future__", "numpy", "pandas", "scipy", "warnings"}
    assert {m.split(".")[0] for m in imported(root / "stats.py")} <= allowed
    for family in sorted({p.parent for p in root.glob("*/model.py")} | {root / "log"}):
        for path in family.glob("*.py"):
            assert not any(m.startswith("indgan.metrics") for m in imported(path)), path
    assert report.row_fidelity is stats.row_fidelity and images.frechet_distance is stats.frechet_distance
    for name in ("log_autocorrelation", "log_cross_correlation", "step_change_scores", "top_correlated_pairs"):
        assert getattr(sequences, name) is getattr(stats, name)


def test_the_complements_of_ks_and_tv():
    """ks_complement and tv_complement: 1 for the same sample, 0 for disjoint ones, NaN with nothing to compare."""
    import pandas as pd

    from indgan.stats import ks_complement, tv_complement

    a = np.array([0.0, 1.0, 2.0, np.nan])
    assert ks_complement(a, a[::-1].copy()) == 1.0
    assert ks_complement(a, a + 10.0) == 0.0
    assert ks_complement(np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 2.0])) == 0.5
    assert np.isnan(ks_complement(a, np.array([np.nan])))
    assert tv_complement(pd.Series(["a", "b"]), pd.Series(["b", "a"])) == 1.0
    assert tv_complement(pd.Series(["a", "a"]), pd.Series(["a", "b"])) == 0.5
