"""indgan: generative adversarial networks for industrial data.

Learn normal operating patterns from plant historian logs, generate synthetic logs, operating points and
scenarios, fill gaps, and score the results. The path of the data: :mod:`indgan.adapters` (files, SQL) ->
:mod:`indgan.schema` (column roles) -> :mod:`indgan.timegrid` (one regular grid per entity) and
:mod:`indgan.encoding` -> a model family (:mod:`indgan.log`, :mod:`indgan.tabular`, :mod:`indgan.sequence`,
:mod:`indgan.imputation`, :mod:`indgan.image`; each trained by :mod:`indgan.training` with :mod:`indgan.losses`
and saved through :mod:`indgan.base` / :mod:`indgan.persist`) -> :mod:`indgan.metrics`.
"""

from .adapters.files import read_table, write_table
from .base import FittedModel, load_model
from .errors import ConditionError, ConfigError, DataError, IndganError, ModelFileError, NotFittedError
from .image import DCGAN, ConditionalDCGAN
from .imputation import GANImputer
from .log import LogGAN
from .metrics import EvaluationReport, evaluate
from .schema import Schema, infer_schema
from .sequence import SequenceGAN
from .tabular import TabularGAN

__version__ = "0.1.0"

__all__ = [
    "LogGAN", "TabularGAN", "SequenceGAN", "GANImputer", "DCGAN", "ConditionalDCGAN", "FittedModel", "load_model",
    "evaluate", "EvaluationReport", "read_table", "write_table", "infer_schema", "Schema",
    "IndganError", "DataError", "ConfigError", "ConditionError", "ModelFileError", "NotFittedError",
]
