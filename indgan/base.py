"""What every fitted indgan model shares.

:class:`FittedModel` is the small base of every model family (tabular, sequence, log, imputation, image):

- parameters as in scikit-learn (``__init__`` only stores them; ``get_params`` / ``set_params``);
- **two templates**: :meth:`FittedModel.fit` checks the parameters and the data (a DataFrame, not a path: models
  do not read files), seeds, picks the device and the CPU threads, then calls the family's ``_fit``;
  :meth:`FittedModel.sample` (``sample(n, *, conditions, random_state, **shape)``) checks the model is fitted
  and the family's shape keywords (``sample_shape_options``), then calls its ``_sample``. Each family's ``fit``
  and ``sample`` carry the signature and docstring of its ``_fit`` / ``_sample`` (``help(LogGAN.fit)``);
- **one safe model file** (:mod:`indgan.persist`): :meth:`FittedModel.save` writes the parameters, the family's
  state (:meth:`FittedModel._state`) and its tensors; :meth:`FittedModel.load` reads a file **once** and hands it
  to the class that wrote it, through a **registry of kinds** filled as each family's class is defined;
- fitted checks (:meth:`FittedModel._check_fitted`, ``__sklearn_is_fitted__``) and the random stream a model
  samples from;
- **capabilities** the command line asks about instead of comparing class names: ``generates_rows``,
  ``generates_sequences``, ``generates_images``, ``imputes``, ``upsamples``;
- a typed fit summary: each family's ``fit_info_`` is a :class:`FitInfo` dataclass (attributes, not string keys),
  stored in the model file as a dict.
- where the data came from: ``source_layout_`` (set by :func:`indgan.app.fit.fit`; a dict or None) records a
  narrow historian source's columns and grid step and the database table a model learned from, and is kept in the
  model file, so that ``sample`` writes narrow rows back and never writes into that table.

A new family subclasses it, sets ``kind``, and implements ``_fit`` (and ``_sample`` if it generates), ``_state`` /
``_restore`` (see CONTRIBUTING.md, "How the code is organised").
"""

from __future__ import annotations

import dataclasses
import inspect
import os
from time import perf_counter
from typing import Any, ClassVar

import pandas as pd
import torch
from sklearn.base import BaseEstimator

from . import threads
from .errors import DataError, ModelFileError, NotFittedError, first_line
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


def require_in_memory(data, what: str, read_with: str = "indgan.read_table(path)") -> None:
    """Refuse a path (``str`` or ``os.PathLike``) or a pyarrow dataset or table where a model wants data in
    memory: models do not read files (``indgan.read_table`` does, within a memory bound).

    Raises
    ------
    DataError
        Naming ``what`` was given and how to read it.
    """
    if isinstance(data, (str, os.PathLike)):
        raise DataError(
            f"{what} is a path ({os.fspath(data)!r}); models take data in memory, not files: "
            f"read it first with {read_with}."
        )
    if type(data).__module__.startswith("pyarrow"):
        raise DataError(
            f"{what} is a pyarrow {type(data).__name__}; models take a pandas DataFrame: "
            "read it first with indgan.read_table(dataset) (within a memory bound)."
        )


def require_frame(data, what: str) -> None:
    """Refuse anything but a pandas DataFrame, a path or a dataset with how to read it.

    Raises
    ------
    DataError
        Naming ``what`` was given.
    """
    require_in_memory(data, what)
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"{what} must be a pandas DataFrame, got {type(data).__name__}.")


def _documented(template, impl, cls: type):
    """The template ``template`` (:meth:`FittedModel.fit` or :meth:`FittedModel.sample`) as a method of ``cls``
    that shows the signature (less the template's ``device`` and ``t_start``) and the docstring of the family's
    ``impl`` (its ``_fit`` or ``_sample``): what ``help(LogGAN.fit)`` and IDEs show. ``fit`` binds its arguments
    to that signature first, so that they may be named as the family names them (``fit(X=...)``) and a wrong one
    is refused before any work; ``sample``'s layout is the template's own."""
    sig = inspect.signature(impl)
    params = [p for name, p in sig.parameters.items() if name not in ("device", "t_start")]
    fitting = template.__name__ == "fit"
    public = sig.replace(parameters=params, return_annotation=cls.__name__ if fitting else sig.return_annotation)

    def method(self, *args, **kwargs):
        if fitting:
            try:
                bound = public.bind(self, *args, **kwargs)
            except TypeError as exc:
                raise TypeError(f"{type(self).__name__}.fit(): {exc}") from None
            args, kwargs = bound.args[1:], bound.kwargs
        return template(self, *args, **kwargs)

    method.__signature__ = public
    method.__doc__ = impl.__doc__
    method.__name__ = template.__name__
    method.__qualname__ = f"{cls.__qualname__}.{template.__name__}"
    method.__module__ = cls.__module__
    return method


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
    #: The keywords :meth:`sample` takes besides ``n``, ``conditions`` and ``random_state`` (how many sequences,
    #: of how many steps...): the keyword-only parameters of the family's ``_sample``.
    sample_shape_options: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("kind"):
            _REGISTRY[cls.kind] = cls
        for public, private in (("fit", "_fit"), ("sample", "_sample")):
            if private in cls.__dict__ and public not in cls.__dict__:
                setattr(cls, public, _documented(getattr(FittedModel, public), cls.__dict__[private], cls))

    # ------------------------------------------------------------------ fitting
    def fit(self, data, *args, **kwargs):
        """Learn from ``data``; returns ``self``.

        The template of every family's fit (each family's ``fit`` shows the arguments and the docstring of its
        ``_fit``): check the parameters (:meth:`_validate_params`) and the data (:meth:`_check_data`: in memory,
        not a path), seed, pick the device and the threads (:meth:`_start_fit`), call
        ``_fit(data, *args, device=..., t_start=..., **kwargs)``, then time the fit (``fit_info_.fit_seconds``)
        and open the random stream :meth:`sample` continues.
        """
        self._validate_params()
        self._check_data(data)
        device, t_start = self._start_fit()
        self._fit(data, *args, device=device, t_start=t_start, **kwargs)
        if isinstance(getattr(self, "fit_info_", None), FitInfo):
            self.fit_info_.fit_seconds = perf_counter() - t_start
        self._rng_ = self.new_generator(self.random_state)
        return self

    def _fit(self, data, *, device: torch.device, t_start: float) -> None:
        """The family's fit once the template has checked, seeded and chosen ``device`` (``t_start``: the
        ``time.perf_counter()`` the time budget counts from). Its docstring and signature (less ``device`` and
        ``t_start``) are those of the family's public ``fit``."""
        raise NotImplementedError

    def _validate_params(self) -> None:
        """Check the parameters before any work (raise :class:`~indgan.errors.ConfigError`); families override."""

    def _check_data(self, data, name: str = "data") -> None:
        """Refuse, before any work, what :meth:`fit` cannot learn from: by default anything but a DataFrame (a
        path is told to be read first); families that take arrays or images override it."""
        require_frame(data, f"{type(self).__name__}: {name}")

    def _start_fit(self) -> tuple[torch.device, float]:
        """The prelude of :meth:`fit` once the parameters and the data are checked, in this order: seed Python,
        numpy and torch with ``random_state``, resolve ``device`` (``"auto"``: CUDA when present), start the CPU
        thread control (:mod:`indgan.threads`); returns the device and the start time
        (``time.perf_counter()``) that ``fit_seconds`` and the time budget count from."""
        seed_everything(self.random_state)
        device = resolve_device(self.device)
        threads.start()
        return device, perf_counter()

    # ------------------------------------------------------------------ sampling
    def sample(self, n: int | None = None, *, conditions=None, random_state: int | None = None, **shape):
        """Generate ``n`` samples (rows, steps or images; None: the family's default, e.g. the training shape).

        The template of every family's sample (each family's ``sample`` shows the arguments and the docstring
        of its ``_sample``): refuse keywords outside ``sample_shape_options``, check the model is fitted, call
        ``_sample(n, conditions=..., random_state=..., **shape)``.

        Raises
        ------
        TypeError
            A keyword the family does not take (naming the ones it does).
        NotImplementedError
            A family that does not generate (the imputer, super-resolution, CycleGAN).
        NotFittedError
            The model has not been fitted.
        """
        if not (self.generates_rows or self.generates_sequences or self.generates_images):
            raise NotImplementedError(f"{type(self).__name__} does not generate samples.")
        unknown = [k for k in shape if k not in self.sample_shape_options]
        if unknown:
            allowed = ", ".join(("n", "conditions", "random_state", *self.sample_shape_options))
            raise TypeError(
                f"{type(self).__name__}.sample() got an unexpected keyword argument {unknown[0]!r}; it takes {allowed}."
            )
        self._check_fitted()
        return self._sample(n, conditions=conditions, random_state=random_state, **shape)

    def _sample(self, n=None, *, conditions=None, random_state=None, **shape):
        """The family's sample once the template has checked it (its docstring and signature are those of the
        family's public ``sample``)."""
        raise NotImplementedError

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
        if getattr(self, "source_layout_", None):
            meta = {**meta, "source_layout": self.source_layout_}
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
        if meta.get("source_layout"):
            model.source_layout_ = dict(meta["source_layout"])
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
