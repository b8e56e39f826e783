import pandas as pd
import pytest

from indgan import DataError, read_table, write_table


def test_parquet_keeps_status_strings(plant):
    assert plant.shape == (3169, 109)
    assert plant["tag70"].dtype == object
    assert (plant["tag70"] == "Bad").sum() == 326
    assert (plant["tag2"] == "Inp OutRange").sum() == 156
    assert pd.api.types.is_datetime64_any_dtype(plant["timestamp"])


def test_csv_round_trip(tmp_path, small):
    path = write_table(small, tmp_path / "x.csv")
    back = read_table(path)
    assert list(back.columns) == list(small.columns)
    assert (back["tag70"].astype(str) == small["tag70"].astype(str)).all()


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("missing.parquet", None, "no such file"),
        ("data.xlsx", b"x", "unsupported file type"),
        ("empty.csv", b"", "empty"),
        ("header_only.csv", b"a,b\n", "no rows"),
        ("dupes.csv", b"a,b,a\n1,2,3\n", "duplicate column"),
        ("corrupt.parquet", b"PAR1 not really parquet", "cannot read"),
    ],
)
def test_bad_files_give_clear_errors(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(DataError, match=message) as info:
        read_table(path)
    assert name in str(info.value)


def test_write_rejects_unknown_suffix(tmp_path, small):
    with pytest.raises(DataError, match="unsupported output type"):
        write_table(small, tmp_path / "out.xlsx")
