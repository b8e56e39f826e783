"""Column roles: which column is the time, the entity, a condition, continuous or categorical.

Second stop of the data path. :func:`infer_schema` looks at a DataFrame the way a process engineer would:

- a datetime column (or a column of date strings) is the **time** column; an integer column named like
  ``time``/``clock``/``timestamp`` is a numeric time (sample index);
- a column named like ``batch_id``, ``unit``, ``run`` with repeated values is the **entity**;
- a column of numbers that also holds a few historian **status strings** ("Bad", "Scan Timeout",
  "Inp OutRange") is continuous: the strings become missing values and are kept as a status category
  (the column ``"<name>:status"`` in the model view) so that synthetic data reproduces how often a tag is bad;
- a number that a historian writes for a failed reading (-273.2, -9999), repeated exactly and far outside the
  tag's range, is a **status code** (:func:`~indgan.schema.values.status_codes`, ``ColumnSpec.codes``): a level of
  the same status category, written back as the number;
- numbers with at most ``max_discrete_levels`` distinct values (step-like operating states) and strings are
  **categorical**; low-cardinality categoricals are the **condition candidates**;
- **constant** columns are set aside and restored, not modelled;
- any other numeric column is **continuous**. Missing values (NaN) in a continuous column get the same status
  category (level ``"<missing>"``), i.e. a missing-value indicator;
- **infinities** (``inf``/``-inf``, a historian's overflow) in a continuous column are bad values, one rule
  everywhere: missing for learning (never in a range, a mixture or an encoding; the model learns how often the
  tag is missing), filled by the imputer like any other bad value, and counted in a warning naming the column;
- columns of lists or structs (nested parquet) are **ignored** with a warning naming them (flatten them to model
  them): the imputer passes them through unchanged, generated tables hold None there.

Time columns are restored as they came: a tz-aware datetime keeps its zone, a string time its format
(``ColumnSpec.time_format``, checked to write the training strings back exactly, else ISO 8601).

Every role can be overridden (``overrides`` argument, or the ``[columns]`` table of a TOML config).

The package, by concern (each module imports only those above it):

- :mod:`indgan.schema.roles`: the role names, the status levels (``OK``, ``MISSING``, ``STATUS_SUFFIX``),
  :class:`ColumnSpec`, :func:`code_label`, :func:`jsonable`, :func:`match_level`;
- :mod:`indgan.schema.values`: historian status strings among numbers, status codes, exact number parsing,
  infinities;
- :mod:`indgan.schema.times`: time parsing (:func:`parse_times`, :func:`time_values`), zones, text time formats,
  the sampling grid;
- :mod:`indgan.schema.table`: :class:`Schema`, its model view and restore (dtype restoration);
- :mod:`indgan.schema.inference`: :func:`infer_schema`, the long-form entity, the overrides;
- :mod:`indgan.schema.config`: TOML configs, the shipped presets (:data:`PRESETS`), :func:`condition_overrides`.
"""

from .config import PRESETS, condition_overrides, load_config
from .inference import LONG_FORM_REPEATS, LONG_FORM_RESIDUE, infer_schema
from .roles import (
    CATEGORICAL,
    CONSTANT,
    CONTINUOUS,
    ENTITY,
    IGNORED,
    MISSING,
    OK,
    ROLES,
    STATUS_SUFFIX,
    TIME,
    ColumnSpec,
    code_label,
    jsonable,
    match_level,
)
from .table import Schema

# importing sdv attaches Schema.to_sdv_metadata / Schema.from_sdv_metadata
from .sdv import from_sdv_metadata, load_sdv_metadata, save_sdv_metadata, to_sdv_metadata
from .times import parse_times, time_values
from .values import exact_numbers, finite_or_nan

__all__ = [
    "from_sdv_metadata",
    "load_sdv_metadata",
    "save_sdv_metadata",
    "to_sdv_metadata",
    "CATEGORICAL",
    "CONSTANT",
    "CONTINUOUS",
    "ENTITY",
    "IGNORED",
    "LONG_FORM_REPEATS",
    "LONG_FORM_RESIDUE",
    "MISSING",
    "OK",
    "PRESETS",
    "ROLES",
    "STATUS_SUFFIX",
    "TIME",
    "ColumnSpec",
    "Schema",
    "code_label",
    "condition_overrides",
    "exact_numbers",
    "finite_or_nan",
    "infer_schema",
    "jsonable",
    "load_config",
    "match_level",
    "parse_times",
    "time_values",
]
