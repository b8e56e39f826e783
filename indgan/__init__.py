"""indgan: generative adversarial networks for industrial data.

Learn normal operating patterns from plant historian logs, generate synthetic operating points and
scenarios, and score them. The path of the data: :mod:`indgan.io` -> :mod:`indgan.schema` ->
:mod:`indgan.transform` -> :mod:`indgan.models` (:class:`LogGAN` for whole logs, :class:`TabularGAN` for
rows, :class:`SequenceGAN` for TimeGAN sequences, :class:`GANImputer` for gaps; trained by :mod:`indgan.training` with
:mod:`indgan.losses`) -> :mod:`indgan.evaluation`.
"""

from .errors import ConditionError, ConfigError, DataError, IndganError, ModelFileError, NotFittedError
from .evaluation import EvaluationReport, evaluate
from .io import read_table, write_table
from .imputation import GANImputer
from .models.image import DCGAN, ConditionalDCGAN
from .models.log import LogGAN
from .models.recurrent import SequenceGAN
from .models.tabular import TabularGAN
from .schema import Schema, infer_schema

__version__ = "0.1.0"

__all__ = [
    "LogGAN", "TabularGAN", "SequenceGAN", "GANImputer", "DCGAN", "ConditionalDCGAN", "evaluate", "EvaluationReport", "read_table", "write_table", "infer_schema", "Schema",
    "IndganError", "DataError", "ConfigError", "ConditionError", "ModelFileError", "NotFittedError",
]
