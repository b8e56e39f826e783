"""SDV metadata to and from indgan's schema (indgan.schema.sdv): the dict and JSON forms always; real SDV objects
where SDV is installed (those tests alone skip without it)."""

from __future__ import annotations

import json
import logging

import numpy as np
import pandas as pd
import pytest

from indgan import ConfigError, DataError, Schema, infer_schema, read_table
from indgan.schema.sdv import (
    SPECS,
    from_sdv_metadata,
    load_sdv_metadata,
    save_sdv_metadata,
    sdv_overrides,
    sdv_table,
    to_sdv_metadata,
)

from .conftest import CONSTANT_TAGS, DATA, STATUS_TAGS


@pytest.fixture(scope="module")
def dryer() -> pd.DataFrame:
    """The batch dryer: entity ``batch_id``, numeric time ``ClockTime``."""
    return read_table(DATA / "dryer.parquet")


@pytest.fixture(scope="module")
def tep_runs() -> pd.DataFrame:
    """Four Tennessee Eastman runs: text entity ``run``, datetime ``time`` repeating across runs."""
    tep = read_table(DATA / "tep.parquet")
    return tep[tep["run"].isin(["d00", "d01", "d01_te", "d06"])].reset_index(drop=True)


def _roles(schema: Schema) -> dict[str, str]:
    return {c.name: c.role for c in schema.columns}


def _table(meta: dict) -> dict:
    return meta["tables"]["table"]


# ---------------------------------------------------------------------------------------------- indgan -> SDV
def test_plant_logs_to_sdv(plant):
    schema = infer_schema(plant)
    meta = schema.to_sdv_metadata()
    assert json.loads(json.dumps(meta)) == meta  # JSON-safe
    assert meta["METADATA_SPEC_VERSION"] == "V2" and meta["relationships"] == []
    table = _table(meta)
    assert list(table["columns"]) == list(plant.columns)
    # one log, no entity: no sequence_index (SDV refuses one without a sequence_key), the time stays a column
    assert set(table) == {"columns"}
    cols = table["columns"]
    assert cols["timestamp"] == {"sdtype": "datetime"}  # datetime64: no format to give
    for tag in STATUS_TAGS:  # "Bad" among the numbers: SDV's numerical would refuse the raw export
        assert cols[tag] == {"sdtype": "categorical"}
    for tag in ("tag3", "tag63", "tag64"):
        assert cols[tag] == {"sdtype": "categorical"}
    for tag in CONSTANT_TAGS:
        assert cols[tag] == {"sdtype": "numerical"}
    assert cols["tag0"] == {"sdtype": "numerical"}

    v1 = to_sdv_metadata(schema, spec="V1")
    assert v1["METADATA_SPEC_VERSION"] == "V1"
    assert _table(v1)["columns"]["tag0"] == {"sdtype": "numerical", "computer_representation": "Float"}
    flat = to_sdv_metadata(schema, spec="SINGLE_TABLE_V1")
    assert flat["METADATA_SPEC_VERSION"] == "SINGLE_TABLE_V1" and flat["columns"] == _table(v1)["columns"]
    assert set(to_sdv_metadata(schema, table_name="plant")["tables"]) == {"plant"}
    with pytest.raises(ConfigError, match="spec"):
        schema.to_sdv_metadata(spec="V9")


def test_entity_and_time_become_sequence_key_and_index(dryer, tep_runs):
    table = _table(infer_schema(dryer).to_sdv_metadata(spec="V1"))
    assert table["sequence_key"] == "batch_id" and table["sequence_index"] == "ClockTime"
    assert table["columns"]["batch_id"] == {"sdtype": "id"}
    assert table["columns"]["ClockTime"] == {"sdtype": "numerical", "computer_representation": "Int64"}
    table = _table(infer_schema(tep_runs).to_sdv_metadata())
    assert table["sequence_key"] == "run" and table["sequence_index"] == "time"
    assert table["columns"]["run"] == {"sdtype": "id"}
    assert table["columns"]["time"] == {"sdtype": "datetime"}


def test_text_time_keeps_its_format_and_bools_are_boolean():
    times = pd.date_range("2024-03-14", periods=10, freq="15min").strftime("%d.%m.%Y %H:%M")
    df = pd.DataFrame(
        {
            "unit": ["A"] * 10 + ["B"] * 10,
            "when": list(times) * 2,
            "flow": np.linspace(0, 1, 20).round(3),
            "running": [True, False] * 10,
            "blob": [[1, 2]] * 20,  # nested: ignored
        }
    )
    schema = infer_schema(df)
    assert schema["blob"].role == "ignored"
    cols = _table(schema.to_sdv_metadata())["columns"]
    assert cols["when"] == {"sdtype": "datetime", "datetime_format": "%d.%m.%Y %H:%M"}
    assert cols["running"] == {"sdtype": "boolean"}
    assert cols["blob"] == {"sdtype": "unknown", "pii": True}
    assert Schema.from_sdv_metadata(schema.to_sdv_metadata(), df) == schema


# ---------------------------------------------------------------------------------------------- round trips
@pytest.mark.parametrize("data", ["plant", "dryer", "tep_runs"])
@pytest.mark.parametrize("spec", SPECS)
def test_round_trip_keeps_every_role(data, spec, request):
    df = request.getfixturevalue(data)
    schema = infer_schema(df)
    back = Schema.from_sdv_metadata(schema.to_sdv_metadata(spec=spec), data=df)
    assert _roles(back) == _roles(schema)
    assert back == schema  # and what the data taught: status strings, ranges, time grid


def test_round_trip_through_a_json_file(plant, tmp_path):
    schema = infer_schema(plant)
    path = save_sdv_metadata(schema, tmp_path / "plant.json")
    assert json.loads(path.read_text()) == schema.to_sdv_metadata()
    assert load_sdv_metadata(path) == schema.to_sdv_metadata() == load_sdv_metadata(str(path))
    back = Schema.from_sdv_metadata(str(path), plant)
    assert back == schema
    assert sorted(c.name for c in back.columns if c.statuses) == sorted(STATUS_TAGS)


def test_duck_typed_sdv_object(dryer):
    class FakeMetadata:  # what indgan reads of SDV's Metadata / SingleTableMetadata
        def __init__(self, d):
            self.d = d

        def to_dict(self):
            return json.loads(json.dumps(self.d))

    schema = infer_schema(dryer)
    obj = FakeMetadata(schema.to_sdv_metadata())
    assert load_sdv_metadata(obj) == schema.to_sdv_metadata()
    assert Schema.from_sdv_metadata(obj, dryer) == schema


# ---------------------------------------------------------------------------------------------- SDV -> indgan
def test_metadata_as_sdv_detects_it(plant, dryer, tep_runs):
    """Metadata the way SDV 2's detection writes it (no keys, ranges, ordinal constants): sensible roles."""
    cols = {c: {"sdtype": "numerical", "range_min": 0.0, "range_max": 1.0} for c in plant.columns}
    cols["timestamp"] = {"sdtype": "datetime", "range_min": "2017-12-24 00:00:00"}
    for tag in STATUS_TAGS:
        cols[tag] = {"sdtype": "categorical", "high_cardinality": True}
    for tag in CONSTANT_TAGS:
        cols[tag] = {"sdtype": "ordinal", "range_values": [0.0]}
    schema = from_sdv_metadata({"METADATA_SPEC_VERSION": "V2", "tables": {"table": {"columns": cols}}}, plant)
    own = infer_schema(plant)
    assert schema.time_column == "timestamp" and schema.entity_column is None
    assert sorted(c.name for c in schema.by_role("constant")) == sorted(CONSTANT_TAGS)
    for tag in STATUS_TAGS:  # numbers with status strings: continuous, the statuses learned
        assert schema[tag].role == "continuous" and schema[tag].statuses == own[tag].statuses
    # SDV says numerical where indgan would see operating states: SDV's role wins
    assert {schema[t].role for t in ("tag3", "tag63", "tag64")} == {"continuous"}
    assert not schema.by_role("ignored")

    dryer_meta = {"columns": {c: {"sdtype": "numerical"} for c in dryer.columns}}
    dryer_meta["columns"]["batch_id"] = {"sdtype": "id"}  # SDV: an "id" name, not unique, so no primary key
    schema = from_sdv_metadata(dryer_meta, dryer)
    assert schema.entity_column == "batch_id"  # a repeating id, no sequence_key: the entity
    assert schema.time_column == "ClockTime"  # no sequence_index: indgan's own time (numerical says nothing)
    assert {c.role for c in schema.columns if c.name not in ("batch_id", "ClockTime")} == {"continuous"}

    tep_meta = {"columns": {c: {"sdtype": "numerical"} for c in tep_runs.columns}}
    tep_meta["columns"].update(run={"sdtype": "categorical"}, time={"sdtype": "datetime"})
    schema = from_sdv_metadata(tep_meta, tep_runs)
    assert schema.entity_column == "run" and schema.time_column == "time"


def test_sequence_keys_force_time_and_entity():
    n = 30
    df = pd.DataFrame(
        {
            "step": np.tile(np.arange(10), 3),  # a sample index not named like a time
            "charge": np.repeat([7, 8, 9], 10),  # not named like an entity
            "stamp": pd.date_range("2024-01-01", periods=n, freq="min"),
            "x": np.linspace(0, 3, n) ** 2,
        }
    )
    own = infer_schema(df)
    assert own.time_column == "stamp" and own.entity_column is None
    meta = {
        "sequence_key": "charge",
        "sequence_index": "step",
        "columns": {
            "step": {"sdtype": "numerical"},
            "charge": {"sdtype": "id"},
            "stamp": {"sdtype": "datetime"},
            "x": {"sdtype": "numerical"},
        },
    }
    schema = from_sdv_metadata(meta, df)
    assert schema.time_column == "step" and schema.entity_column == "charge"
    assert schema["stamp"].role != "time"
    assert sdv_overrides(meta, df) == {"time": ["step"], "entity": ["charge"], "continuous": ["x"]}


def test_keys_pii_and_unknown_are_ignored():
    n = 40
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {
            "row_id": np.arange(n),
            "email": [f"op{i}@plant.example" for i in range(n)],
            "operator": ["Ana", "Ben", "Chi", "Dev"] * 10,
            "site": ["Leuna", "Gela"] * 20,
            "note": [f"shift {i % 7}" for i in range(n)],
            "serial": [f"SN{i:04d}" for i in range(n)],
            "temp": rng.normal(80, 2, n).round(2),
            "mode": [0, 1, 2, 1] * 10,
            "grade": ["A", "B"] * 20,
            "ok": [True, False, True, True] * 10,
        }
    )
    meta = {
        "METADATA_SPEC_VERSION": "SINGLE_TABLE_V1",
        "primary_key": "row_id",
        "alternate_keys": ["serial"],
        "columns": {
            "row_id": {"sdtype": "id"},
            "email": {"sdtype": "email", "pii": True},
            "operator": {"sdtype": "first_name", "pii": False},  # SDV learns it: indgan infers it
            "site": {"sdtype": "city"},  # pii by default
            "note": {"sdtype": "unknown", "pii": True},
            "serial": {"sdtype": "id", "regex_format": "SN[0-9]{4}"},
            "temp": {"sdtype": "numerical", "computer_representation": "Float"},
            "mode": {"sdtype": "numerical", "computer_representation": "Int64"},
            "grade": {"sdtype": "categorical"},
            "ok": {"sdtype": "boolean"},
        },
    }
    roles = _roles(from_sdv_metadata(meta, df))
    assert roles == {
        "row_id": "ignored",
        "email": "ignored",
        "operator": "categorical",
        "site": "ignored",
        "note": "ignored",
        "serial": "ignored",
        "temp": "continuous",
        "mode": "continuous",  # SDV says numerical; indgan alone would see 3 operating states
        "grade": "categorical",
        "ok": "categorical",
    }
    assert infer_schema(df)["mode"].role == "categorical"


def test_id_columns_entity_or_ignored():
    df = pd.DataFrame(
        {
            "tank": ["T1", "T2"] * 10,
            "tag": [f"r{i}" for i in range(20)],
            "level": np.linspace(0, 1, 20),
        }
    )
    columns = {"tank": {"sdtype": "id"}, "tag": {"sdtype": "id"}, "level": {"sdtype": "numerical"}}
    roles = _roles(from_sdv_metadata({"columns": columns}, df))
    assert roles == {"tank": "entity", "tag": "ignored", "level": "continuous"}  # unique per row: not learned
    roles = _roles(from_sdv_metadata({"columns": columns, "sequence_key": "tag"}, df))
    assert roles["tag"] == "entity" and roles["tank"] == "ignored"  # the sequence key names the entity


def test_columns_left_to_indgan(plant, caplog):
    cols = ["timestamp", "tag0", "tag2", "tag3", "tag4"]
    df = plant[cols]
    meta = {"columns": {"tag0": {"sdtype": "numerical"}, "tag2": {"sdtype": "categorical"}}}
    with caplog.at_level(logging.WARNING, logger="indgan.schema.sdv"):
        schema = from_sdv_metadata(meta, df)
    assert "not in the SDV metadata" in caplog.text and "tag3" in caplog.text
    assert _roles(schema) == _roles(infer_schema(df))  # inferred where the metadata says nothing

    # a categorical that indgan ignores for its many strings stays ignored, with a warning
    df = pd.DataFrame({"code": [f"c{i}" for i in range(30)] * 2, "x": np.arange(60.0) ** 1.5})
    meta = {"columns": {"code": {"sdtype": "categorical"}, "x": {"sdtype": "numerical"}}}
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="indgan.schema.sdv"):
        schema = from_sdv_metadata(meta, df, max_categories=10)
    assert schema["code"].role == "ignored" and "max_categories" in caplog.text


def test_metadata_forms(dryer):
    schema = infer_schema(dryer)
    table = _table(schema.to_sdv_metadata())
    flat = {"columns": table["columns"], "sequence_key": "batch_id", "sequence_index": "ClockTime"}  # sdmetrics
    assert from_sdv_metadata(flat, dryer) == schema
    two = {"METADATA_SPEC_VERSION": "V1", "tables": {"other": {"columns": {"a": {"sdtype": "id"}}}, "dryer": table}}
    assert from_sdv_metadata(two, dryer, table_name="dryer") == schema
    with pytest.raises(ConfigError, match="2 tables"):
        from_sdv_metadata(two, dryer)
    with pytest.raises(ConfigError, match="no table 'nope'"):
        sdv_table(two, "nope")
    assert sdv_table(flat) == {
        "columns": table["columns"],
        "primary_key": [],
        "alternate_keys": [],
        "sequence_key": "batch_id",
        "sequence_index": "ClockTime",
    }


def test_bad_metadata_and_data(dryer, tmp_path):
    meta = infer_schema(dryer).to_sdv_metadata()
    with pytest.raises(ConfigError, match="pass the table"):
        Schema.from_sdv_metadata(meta)
    with pytest.raises(ConfigError, match="does not have"):
        from_sdv_metadata(meta, dryer.drop(columns=["ClockTime"]))
    with pytest.raises(DataError, match="DataFrame"):
        from_sdv_metadata(meta, dryer.to_numpy())
    with pytest.raises(ConfigError, match="no such SDV metadata file"):
        load_sdv_metadata(tmp_path / "absent.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ConfigError, match="not a JSON file"):
        load_sdv_metadata(bad)
    with pytest.raises(ConfigError, match="upgrade_metadata"):
        load_sdv_metadata({"fields": {"a": {"type": "numerical"}}})
    with pytest.raises(ConfigError, match="neither"):
        load_sdv_metadata({"name": "x"})
    with pytest.raises(ConfigError, match="expected SDV metadata"):
        load_sdv_metadata(42)
    with pytest.raises(ConfigError, match="no sdtype"):
        sdv_table({"columns": {"a": {"type": "numerical"}}})
    with pytest.raises(ConfigError, match="names no column"):
        sdv_table({"columns": {"a": {"sdtype": "id"}}, "sequence_key": "b"})
    with pytest.raises(ConfigError, match="composite"):
        sdv_table({"columns": {"a": {"sdtype": "id"}, "b": {"sdtype": "id"}}, "sequence_key": ["a", "b"]})
    with pytest.raises(ConfigError, match="both"):
        sdv_table({"columns": {"a": {"sdtype": "numerical"}}, "sequence_key": "a", "sequence_index": "a"})


# ---------------------------------------------------------------------------------------------- real SDV objects
def test_real_sdv_reads_indgan_metadata(plant, dryer):
    Metadata = pytest.importorskip("sdv.metadata").Metadata
    for df in (plant, dryer):
        schema = infer_schema(df)
        for spec in ("V2", "V1"):
            md = Metadata.load_from_dict(schema.to_sdv_metadata(spec=spec))
            md.validate()  # what a synthesizer checks when it is built
            md.validate_data({"table": df})  # the raw export, status strings and all
            assert Schema.from_sdv_metadata(md, df) == schema


def test_real_sdv_detection_gives_sensible_roles(plant, dryer):
    Metadata = pytest.importorskip("sdv.metadata").Metadata

    def detect(df):  # SDV 1.x: detect_from_dataframe; SDV 2.x: detect_from_dataframes only
        if hasattr(Metadata, "detect_from_dataframe"):
            return Metadata.detect_from_dataframe(df)
        return Metadata.detect_from_dataframes({"table": df})

    schema = Schema.from_sdv_metadata(detect(plant), plant)
    assert schema.time_column == "timestamp"
    assert sorted(c.name for c in schema.by_role("constant")) == sorted(CONSTANT_TAGS)
    assert sorted(c.name for c in schema.columns if c.statuses) == sorted(STATUS_TAGS)
    assert not schema.by_role("ignored")
    schema = Schema.from_sdv_metadata(detect(dryer), dryer)
    assert schema.entity_column == "batch_id" and schema.time_column == "ClockTime"
