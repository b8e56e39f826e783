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
