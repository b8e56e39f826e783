import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indgan import infer_schema
from indgan.encoding import DataTransformer


def _round_trip(df):
    schema = infer_schema(df)
    view = schema.view(df)
    t = DataTransformer(schema).fit(view)
    encoded = t.transform(view)
    return schema, t, encoded, schema.restore(t.inverse_transform(encoded))


def _assert_same(df, back):
    assert list(back.columns) == list(df.columns)
    assert (back.dtypes == df.dtypes).all()
    for c in df.columns:
        a, b = df[c], back[c]
        if pd.api.types.is_float_dtype(a):
            # float32 precision relative to the column's magnitude
            atol = 1e-6 * max(1.0, float(np.nanmax(np.abs(a.to_numpy()))))
            np.testing.assert_allclose(b.to_numpy(), a.to_numpy(), rtol=1e-6, atol=atol, equal_nan=True, err_msg=c)
        else:
            # numbers written as text compare as numbers ("-0.0" is 0.0); everything else as text
            na, nb = pd.to_numeric(a, errors="coerce"), pd.to_numeric(b, errors="coerce")
            both = na.notna() & nb.notna()
            assert (na[both] == nb[both]).all(), c
            assert (a[~both].astype(str) == b[~both].astype(str)).all(), c


def test_real_plant_round_trip(plant_slice):
    schema, t, encoded, back = _round_trip(plant_slice)
    assert encoded.dtype == np.float32
    assert encoded.shape[0] == len(plant_slice)
    # one-hot groups hold exactly one 1 per row
    for span in t.output_spans():
        if span.kind == "softmax":
            assert (encoded[:, span.start : span.start + span.width].sum(axis=1) == 1).all()
    _assert_same(plant_slice, back)
    pd.testing.assert_series_equal(back["timestamp"], plant_slice["timestamp"])


def test_modes_are_found():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(-5, 0.1, 500), rng.normal(5, 0.1, 500)])
    df = pd.DataFrame({"x": x})
    schema, t, encoded, back = _round_trip(df)
    block = t.to_dict()["blocks"][0]
    assert len(block["means"]) == 2  # a bimodal tag gets two modes
    means = np.sort(np.asarray(block["means"]) * block["scale"] + block["loc"])
    np.testing.assert_allclose(means, [-5, 5], atol=0.1)


status_cell = st.one_of(
    st.floats(-1e3, 1e3, allow_nan=False).map(lambda v: f"{v:.3f}"), st.sampled_from(["Bad", "Scan Timeout"])
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(8, 40), seed=st.integers(0, 2**16), missing=st.floats(0, 0.4))
def test_round_trip_property(n, seed, missing):
    """Any mix of numbers, NaN, categories and status strings comes back as it went in."""
    rng = np.random.default_rng(seed)
    num = rng.normal(size=n) * 10.0 ** rng.integers(-2, 4)
    num[rng.random(n) < missing] = np.nan
    num[0], num[1] = 0.25, -3.5  # at least two distinct numbers
    cells = np.round(rng.normal(size=n), 3).astype(str).astype(object)
    cells[rng.random(n) < 0.3] = "Bad"
    cells[0] = "1.5"
    df = pd.DataFrame(
        {
            "flow": num,
            "level": np.round(rng.normal(size=n), 4),
            "mode": rng.choice(["A", "B", "C"], n),
            "tag": cells,
            "count": rng.integers(0, 1000, n),
        }
    )
    df.loc[rng.random(n) < missing, "mode"] = None
    _, _, encoded, back = _round_trip(df)
    assert np.isfinite(encoded).all()
    _assert_same(df, back)


def test_unseen_category_is_named(small):
    from indgan import DataError

    schema = infer_schema(small)
    t = DataTransformer(schema).fit(schema.view(small))
    other = small.copy()
    other.loc[other.index[3], "tag63"] = 42.0
    with pytest.raises(DataError, match="tag63"):
        t.transform(schema.view(other))
