"""What every fitted indgan model shares.

:class:`FittedModel` is the small base of every model family (tabular, sequence, log, imputation, image):

- parameters as in scikit-learn (``__init__`` only stores them; ``get_params`` / ``set_params``);
- **one safe model file** (:mod:`indgan.persist`): :meth:`FittedModel.save` writes the parameters, the family's
  state (:meth:`FittedModel._state`) and its tensors; :meth:`FittedModel.load` reads a file **once** and hands it
  to the class that wrote it, through a **registry of kinds** filled as each family's class is defined;
- fitted checks (:meth:`FittedModel._check_fitted`, ``__sklearn_is_fitted__``) and the random stream a model
  samples from;
- **capabilities** the command line asks about instead of comparing class names: ``generates_rows``,
  ``generates_sequences``, ``generates_images``, ``imputes``, ``upsamples``;
- a typed fit summary: each family's ``fit_info_`` is a :class:`FitInfo` dataclass (attributes, not string keys),
  stored in the model file as a dict.

A new family subclasses it, sets ``kind``, and implements ``_state`` / ``_restore`` (see CONTRIBUTING.md, "How the
code is organised").
"""

from __future__ import annotations

import dataclasses
from time import perf_counter
from typing import Any, ClassVar

import torch
from sklearn.base import BaseEstimator

from . import threads
from .errors import ModelFileError, NotFittedError, first_line
from .persist import load_model_file, save_model_file
from .training import resolve_device, seed_everything

_REGISTRY: dict[str, type] = {}


@dataclasses.dataclass
class FitInfo:
    """What a fit learned and how long it took; each family extends it with its own fields.

    ``to_dict`` / ``from_dict`` give the JSON form kept in the model file; ``from_dict`` ignores keys it does not
    know and leaves fields a file lacks at their defaults, so files written by other versions load.
    """

    fit_seconds: float = 0.0

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> FitInfo:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})


class FittedModel(BaseEstimator):
    """Base of every indgan model (see the module docstring)."""

    #: Registry key written into model files; set by each family.
    kind: ClassVar[str] = ""
    #: The attribute that exists once the model is fitted.
    fitted_attribute: ClassVar[str] = "generator_"
    #: What the model can do (the command line asks these).
    generates_rows: ClassVar[bool] = False
    generates_sequences: ClassVar[bool] = False
    generates_images: ClassVar[bool] = False
    imputes: ClassVar[bool] = False
    #: ``upsample(coarse)`` makes fine histories from coarse data (``indgan upsample`` accepts the model).
    upsamples: ClassVar[bool] = False
    #: ``translate(frame, to=...)`` carries a log into another regime (``indgan translate`` accepts the model).
    translates: ClassVar[bool] = False
    #: The class of ``fit_info_``.
    fit_info_class: ClassVar[type] = FitInfo
    #: For ``indgan fit``: the family's ``--model`` name, its method in a few words, the fit options it takes, the
    #: option that counts its training (epochs or iterations), and whether a held-out score can stop it early.
    family: ClassVar[str] = ""
    method_name: ClassVar[str] = ""
    fit_options: ClassVar[frozenset] = frozenset()
    count_option: ClassVar[str | None] = None
    stops_early: ClassVar[bool] = False
    #: Name of the extra generator loss in the training history (``indgan info``).
    extra_loss_name: ClassVar[str] = "extra"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("kind"):
            _REGISTRY[cls.kind] = cls

    # ------------------------------------------------------------------ fitting
    def _start_fit(self) -> tuple[torch.device, float]:
        """The prelude every family's ``fit`` shares once its parameters are checked, in this order: seed Python,
        numpy and torch with ``random_state``, resolve ``device`` (``"auto"``: CUDA when present), start the CPU
        thread control (:mod:`indgan.threads`); returns the device and the start time
        (``time.perf_counter()``) that ``fit_seconds`` and the time budget count from."""
        seed_everything(self.random_state)
        device = resolve_device(self.device)
        threads.start()
        return device, perf_counter()

    def _learning_problem(self, condition, entity, time) -> tuple:
        """``(condition, entity, time)`` of a fit: ``fit``'s arguments where given, else the constructor's
        parameters of the same names (so that ``sklearn.base.clone`` keeps the learning problem)."""
        return tuple(
            getattr(self, name) if value is None else value
            for name, value in (("condition", condition), ("entity", entity), ("time", time))
        )

    # ------------------------------------------------------------------ fitted state
    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, self.fitted_attribute)

    def _check_fitted(self) -> None:
        if not self.__sklearn_is_fitted__():
            raise NotFittedError(f"this {self.kind} is not fitted yet; call fit(...) or {self.kind}.load(path).")

    def new_generator(self, seed: int | None) -> torch.Generator:
        """A random stream on the model's device, seeded with ``seed`` (a fresh seed when None)."""
        from .training import make_generator

        return make_generator(self.device_, seed)

    def condition_candidates(self) -> dict:
        """``{column: levels}`` for categorical conditions, ``{column: (min, max)}`` for continuous ones: what
        the model can be conditioned on. Families whose conditions pass through a fitted
        :class:`~indgan.encoding.RangeEncoder` ``cond_encoder_`` (the sequence and log models) get them from
        it; a family without conditions has none."""
        self._check_fitted()
        encoder = getattr(self, "cond_encoder_", None)
        return {} if encoder is None else encoder.candidates()

    def fit_lines(self) -> list[str]:
        """What the fit learned, in a line or two, for ``indgan fit``."""
        return []

    def training_lines(self) -> list[str]:
        """How the model was trained, for ``indgan info``."""
        return []

    # ------------------------------------------------------------------ persistence
    def _state(self) -> tuple[dict, dict[str, torch.Tensor]]:
        """The fitted state as ``(JSON-able metadata, tensors)``, without the parameters."""
        raise NotImplementedError

    def _restore(self, meta: dict, tensors: dict[str, torch.Tensor], device: torch.device, source) -> None:
        """Inverse of :meth:`_state` on a model built from the file's parameters."""
        raise NotImplementedError

    def to_state(self) -> tuple[dict, dict[str, torch.Tensor]]:
        """The fitted model as ``(metadata with the parameters, tensors)``: what :meth:`save` writes, and what a
        model that holds another (the log model's row model) keeps inside its own file."""
        self._check_fitted()
        meta, tensors = self._state()
        params = {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.get_params().items()}
        return {"params": params, **meta}, tensors

    def save(self, path):
        """Write the fitted model to one file (JSON config + tensors; see :mod:`indgan.persist`).

        Returns
        -------
        pathlib.Path
            The file written (conventionally ``*.indgan``), loadable with :meth:`load` on any device.

        Raises
        ------
        NotFittedError
            The model has not been fitted.
        ModelFileError
            The file cannot be written.
        """
        meta, tensors = self.to_state()
        return save_model_file(path, self.kind, meta, tensors)

    @classmethod
    def from_state(cls, meta: dict, tensors: dict[str, torch.Tensor], device: str = "auto", source: Any = "model"):
        """Inverse of :meth:`to_state`: a model of this class on ``device`` (a GPU-trained model loads on a CPU).

        Raises
        ------
        ModelFileError
            Metadata or weights that do not fit this class (a damaged file).
        """
        from .training import resolve_device

        try:
            params = dict(meta["params"])
            names = set(cls._get_param_names())
            for k, v in params.items():
                if isinstance(v, list) and k.endswith("_dim"):
                    params[k] = tuple(v)
            params["device"] = device
            model = cls(**{k: v for k, v in params.items() if k in names})
            dev = resolve_device(device)
            model.device_ = dev
            model._restore(meta, tensors, dev, source)
        except ModelFileError:
            raise
        except (KeyError, TypeError, ValueError, RuntimeError) as exc:
            raise ModelFileError(
                f"{source}: the model file is damaged or does not match this indgan "
                f"({type(exc).__name__}: {first_line(exc)})."
            ) from exc
        model._rng_ = model.new_generator(model.random_state)
        return model

    @classmethod
    def load(cls, path, device: str = "auto"):
        """Load a model file written by :meth:`save` (read once, on ``device``).

        Called on a family's class, the file must hold that family; called on :class:`FittedModel` (or through
        :func:`load_model`), any family.

        Raises
        ------
        ModelFileError
            Missing, empty, corrupt, unsafe or foreign file, or one of another family.
        """
        kind, meta, tensors = load_model_file(path)
        target = _REGISTRY.get(kind)  # every family is imported with the package (indgan/__init__.py)
        if target is None:
            raise ModelFileError(f"{path}: holds a {kind!r} model, which this indgan cannot load.")
        if cls is not FittedModel and target is not cls:
            raise ModelFileError(
                f"{path}: holds a {kind} model, not a {cls.kind}; load it with {kind}.load (or indgan.load_model)."
            )
        return target.from_state(meta, tensors, device, source=path)


def load_model(path, device: str = "auto") -> FittedModel:
    """Load any indgan model file with the class that wrote it (the file is read once).

    Raises
    ------
    ModelFileError
        Missing, corrupt, unsafe or unknown file.
    """
    return FittedModel.load(path, device=device)


def registered_kinds() -> dict[str, type]:
    """``{kind: class}`` of every model family: each class registers itself when it is defined, and the package
    (``indgan/__init__.py``, through :mod:`indgan.families`) defines them all; this module imports none."""
    return dict(_REGISTRY)
