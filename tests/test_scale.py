"""Larger-than-memory input and streamed output (issue 18)."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pyarrow.dataset as pads
import pytest
from click.testing import CliRunner

from indgan import infer_schema, read_table
from indgan.adapters.files import parse_memory
from indgan.cli import cli
from indgan.errors import DataError

from .conftest import DATA


def _run(args):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=True)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """The plant logs as 4 parquet files (3169 rows), with an extreme planted in the last file."""
    d = read_table(DATA / "plant_logs.parquet")
    d.loc[3100, "tag5"] = 1e6  # only in the last part: a sample can miss it, the schema must not
    out = tmp_path_factory.mktemp("hist") / "historian"
    out.mkdir()
    for i, part in enumerate(np.array_split(np.arange(len(d)), 4)):
        d.iloc[part].to_parquet(out / f"part{i}.parquet", index=False)
    return out, d


def test_folder_under_a_memory_bound_gives_the_in_memory_schema(folder, caplog):
    path, whole = folder
    in_memory = infer_schema(whole)
    with caplog.at_level(logging.WARNING):
        sample = read_table(path, max_memory="8MB")  # the log and its encoding take about 33 MB
    assert len(sample) < len(whole) / 4  # far below the data's in-memory size
    assert any("the most recent" in r.getMessage() for r in caplog.records)
    schema = infer_schema(sample)
    assert [(c.name, c.role, c.dtype) for c in schema.columns] == [(c.name, c.role, c.dtype) for c in in_memory.columns]
    assert schema["tag5"].maximum == 1e6  # the range of the whole data, from the parquet statistics
    # a log keeps one stretch of consecutive rows, the most recent: no holes for its time grid
    pd.testing.assert_frame_equal(
        sample.reset_index(drop=True), whole.iloc[len(whole) - len(sample) :].reset_index(drop=True), check_dtype=False
    )


def _fit_bounded(path, out):
    """indgan fit of PATH with the tabular model, one epoch, under an 8 MB memory bound."""
    return _run(
        [
            "fit",
            path,
            "--model",
            "tabular",
            "--epochs",
            "1",
            "--max-memory",
            "8MB",
            "--eval-rows",
            "0",
            "--quiet",
            "--out",
            out,
        ]
    )


def test_fit_on_a_folder_with_a_memory_bound(folder, tmp_path):
    path, whole = folder
    r = _fit_bounded(path, tmp_path / "h.indgan")
    assert r.exit_code == 0, r.output
    from indgan import load_model

    m = load_model(tmp_path / "h.indgan")
    assert list(m.sample(10).columns) == list(whole.columns)


def test_a_dataset_object_is_read_too(folder):
    path, whole = folder
    dataset = pads.dataset(str(path), format="parquet")
    d = read_table(dataset)
    assert d.shape == whole.shape
    from indgan import TabularGAN

    from .conftest import TINY

    model = TabularGAN(random_state=0, **TINY)
    with pytest.raises(DataError, match="pyarrow .*indgan.read_table"):  # models take frames: the caller reads
        model.fit(dataset)
    assert model.fit(d).sample(5).shape == (5, whole.shape[1])  # the Python API


def test_sample_into_a_folder_writes_the_rows_in_parts(tmp_path, tiny_model):
    tiny_model.save(tmp_path / "m.indgan")
    r = _run(
        ["sample", tmp_path / "m.indgan", "-n", "2500", "--part-rows", "1000", "-o", tmp_path / "out", "--seed", "3"]
    )
    assert r.exit_code == 0, r.output
    parts = sorted((tmp_path / "out").glob("part-*.parquet"))
    assert len(parts) == 3 and pads.dataset(str(tmp_path / "out")).count_rows() == 2500
    r = _run(["sample", tmp_path / "m.indgan", "-n", "2500", "--part-rows", "1000", "-o", tmp_path / "one.parquet"])
    import pyarrow.parquet as pq

    md = pq.ParquetFile(tmp_path / "one.parquet").metadata
    assert r.exit_code == 0 and md.num_rows == 2500 and md.num_row_groups == 3


def test_memory_sizes_parse_or_refuse():
    assert (
        parse_memory("2GB") == 2 << 30
        and parse_memory("500 MB") == 500 << 20
        and parse_memory("1.5g") == int(1.5 * 2**30)
    )
    with pytest.raises(DataError, match="--max-memory"):
        parse_memory("lots")


def test_impute_a_folder_fills_every_row_in_parts(folder, tmp_path):
    path, whole = folder
    r = _run(["impute", path, "-o", tmp_path / "filled", "--iterations", "5", "--max-memory", "8MB", "--quiet"])
    assert r.exit_code == 0, r.output
    out = pd.read_parquet(tmp_path / "filled")
    assert out.shape == whole.shape and list(out.columns) == list(whole.columns)
    num = whole.select_dtypes("number").columns
    seen = whole[num].notna()
    assert (out[num][seen].fillna(0) == whole[num][seen].fillna(0)).all().all()  # observed cells as given
    status = pd.to_numeric(whole["tag2"], errors="coerce").isna()
    assert status.any() and pd.to_numeric(out["tag2"], errors="coerce").notna().all()  # "Bad" cells filled


def test_a_folder_output_under_a_file_is_refused_before_sampling(tmp_path, tiny_model):
    tiny_model.save(tmp_path / "m.indgan")
    (tmp_path / "afile").write_text("")
    r = _run(["sample", tmp_path / "m.indgan", "-n", "10", "-o", tmp_path / "afile" / "parts"])
    assert r.exit_code == 1 and "is a file, not a folder" in r.output and "wrote" not in r.output


def test_a_large_file_is_bounded_for_learning_and_read_whole_otherwise(folder, tmp_path, caplog):
    """fit bounds a single parquet file as it bounds a folder; reading a file to fill or score it never drops
    rows (no bound unless one is given)."""
    _, whole = folder
    path = tmp_path / "one.parquet"
    whole.to_parquet(path, index=False)
    assert len(read_table(path)) == len(whole)
    with caplog.at_level(logging.WARNING):
        part = read_table(path, max_memory="8MB")
    assert len(part) < len(whole) / 4 and "the most recent" in caplog.text
    assert part["timestamp"].iloc[-1] == whole["timestamp"].iloc[-1]
    r = _fit_bounded(path, tmp_path / "one.indgan")
    assert r.exit_code == 0 and f"{len(part)} rows x" in r.output, r.output
