"""indgan: generative adversarial networks for industrial data.

Learn normal operating patterns from plant historian logs, generate synthetic logs, operating points and
scenarios, fill gaps, and score the results. The path of the data: :mod:`indgan.adapters` (files, SQL) ->
:mod:`indgan.schema` (column roles) -> :mod:`indgan.timegrid` (one regular grid per entity) and
:mod:`indgan.encoding` -> a model family (the packages :data:`indgan.families.FAMILY_PACKAGES` lists: log,
sequence, tabular, super-resolution, CycleGAN, image, imputation; each trained by :mod:`indgan.training` with
:mod:`indgan.losses` and saved through :mod:`indgan.base` / :mod:`indgan.persist`) -> :mod:`indgan.metrics`, on the
statistics of :mod:`indgan.stats`. Above them, :mod:`indgan.app` holds one job per command (what ``indgan fit``,
``sample``, ``impute``, ... do, as functions of frames, paths and URLs) and :mod:`indgan.cli` only parses options
and calls them.
"""

from . import app  # the jobs behind every command: app.fit, app.sample, app.impute, ... (functions of frames and paths)
from ._version import __version__ as __version__
from .adapters.files import read_table, write_table
from .app.database import impute_table, undo_run
from .base import FittedModel, load_model
from .errors import ConditionError, ConfigError, DataError, IndganError, ModelFileError, NotFittedError
from .families import FAMILIES  # imports every family: their classes register themselves
from .cyclegan import CycleGAN
from .image import DCGAN, ConditionalDCGAN
from .imputation import GANImputer
from .log import LogGAN
from .metrics import EvaluationReport, evaluate
from .scenarios import generate_scenarios
from .schema import Schema, infer_schema
from .sequence import SequenceGAN
from .superres import SuperResolutionGAN
from .tabular import TabularGAN


__all__ = [
    "app",
    "LogGAN",
    "TabularGAN",
    "SequenceGAN",
    "SuperResolutionGAN",
    "CycleGAN",
    "GANImputer",
    "DCGAN",
    "ConditionalDCGAN",
    "FittedModel",
    "load_model",
    "FAMILIES",
    "generate_scenarios",
    "impute_table",
    "undo_run",
    "evaluate",
    "EvaluationReport",
    "read_table",
    "write_table",
    "infer_schema",
    "Schema",
    "IndganError",
    "DataError",
    "ConfigError",
    "ConditionError",
    "ModelFileError",
    "NotFittedError",
]
