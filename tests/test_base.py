"""The shared model base: the registry of kinds, one read per model file, capabilities instead of names."""

from __future__ import annotations

import pytest
import torch

import indgan.persist as persist
from indgan import GANImputer, LogGAN, SequenceGAN, TabularGAN, load_model
from indgan.base import FitInfo, FittedModel, registered_kinds
from indgan.errors import ModelFileError, NotFittedError
from indgan.image import DCGAN, ConditionalDCGAN


def test_every_family_is_registered_with_its_capabilities():
    kinds = registered_kinds()
    assert set(kinds) == {
        "TabularGAN",
        "SequenceGAN",
        "LogGAN",
        "GANImputer",
        "DCGAN",
        "ConditionalDCGAN",
        "SuperResolutionGAN",
        "CycleGAN",
    }
    for kind, cls in kinds.items():
        assert cls.kind == kind and issubclass(cls, FittedModel)
        assert issubclass(cls.fit_info_class, FitInfo)
        assert (
            sum(
                [
                    cls.generates_rows or cls.generates_sequences,
                    cls.generates_images,
                    cls.imputes,
                    cls.upsamples,
                    cls.translates,
                ]
            )
            == 1
        ), kind
    assert TabularGAN.generates_rows and LogGAN.generates_sequences and SequenceGAN.generates_sequences
    assert GANImputer.imputes and DCGAN.generates_images and ConditionalDCGAN.generates_images
    assert LogGAN.family == "log" and TabularGAN.count_option == "epochs"


def test_load_model_reads_a_file_once_and_picks_its_class(tiny_model, tmp_path, monkeypatch):
    path = tiny_model.save(tmp_path / "m.indgan")
    calls = []
    real = torch.load
    monkeypatch.setattr(persist.torch, "load", lambda *a, **k: calls.append(a) or real(*a, **k))
    model = load_model(path)
    assert type(model) is TabularGAN and len(calls) == 1
    calls.clear()
    TabularGAN.load(path)
    assert len(calls) == 1
    with pytest.raises(ModelFileError, match="holds a TabularGAN model, not a SequenceGAN"):
        SequenceGAN.load(path)


def test_unknown_kind_and_unfitted_models(tmp_path):
    path = persist.save_model_file(tmp_path / "x.indgan", "Teleporter", {}, {})
    with pytest.raises(ModelFileError, match="'Teleporter' model, which this indgan cannot load"):
        load_model(path)
    for cls in registered_kinds().values():
        with pytest.raises(NotFittedError, match="not fitted"):
            cls().save(tmp_path / "unfitted.indgan")


def test_fit_info_from_other_versions_loads():
    info = TabularGAN.fit_info_class.from_dict({"fit_seconds": 2.5, "a_field_from_the_future": 1})
    assert info.fit_seconds == 2.5 and not hasattr(info, "a_field_from_the_future")
    assert info.to_dict()["fit_seconds"] == 2.5


def _import_graph() -> dict[str, set[str]]:
    """``{module: modules it imports}`` inside indgan, from the source (imports inside functions included)."""
    import ast
    from pathlib import Path

    import indgan

    root = Path(indgan.__file__).parent

    def name(p):
        parts = list(p.relative_to(root.parent).with_suffix("").parts)
        return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)

    mods = {name(p): p for p in root.rglob("*.py")}
    edges: dict[str, set[str]] = {m: set() for m in mods}
    for m, p in mods.items():
        for node in ast.walk(ast.parse(p.read_text())):
            if isinstance(node, ast.ImportFrom):
                base = m.split(".") if p.name == "__init__.py" else m.split(".")[:-1]
                target = (
                    ".".join(base[: len(base) - node.level + 1] + ([node.module] if node.module else []))
                    if node.level
                    else node.module or ""
                )
                subs = {f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in mods}
                plain = any(f"{target}.{a.name}" not in mods for a in node.names)
                edges[m] |= {t for t in subs | ({target} if plain else set()) if t in mods and t != m}
            elif isinstance(node, ast.Import):
                edges[m] |= {a.name for a in node.names if a.name in mods and a.name != m}
    return edges


def test_the_import_graph_has_no_cycle_and_the_base_knows_no_family():
    """One registry derived from the family classes (indgan.families); indgan.base imports no family."""
    from indgan.families import FAMILIES, FAMILY_PACKAGES, families

    edges = _import_graph()
    assert not any(t.split(".")[1] in FAMILY_PACKAGES for t in edges["indgan.base"] if t.count("."))
    state: dict[str, int] = {}

    def visit(u, path):
        state[u] = 1
        for v in edges[u]:
            assert state.get(v) != 1, " -> ".join(path + [u, v])  # a cycle
            if not state.get(v):
                visit(v, path + [u])
        state[u] = 2

    for m in edges:
        if not state.get(m):
            visit(m, [])
    assert FAMILIES == tuple(families()) and {c.family for c in families().values()} == set(FAMILIES)
    assert set(FAMILIES) >= {"log", "tabular", "sequence", "super-resolution", "cyclegan"}


def test_the_learning_problem_is_a_constructor_parameter_so_clone_keeps_it():
    """condition, entity and time are constructor parameters of every family that takes them in fit."""
    from sklearn.base import clone

    from indgan import CycleGAN, LogGAN, SequenceGAN, SuperResolutionGAN

    for cls in (LogGAN, SequenceGAN, SuperResolutionGAN, CycleGAN):
        model = clone(cls(condition=["fault"], entity="run", time="time"))
        assert (model.condition, model.entity, model.time) == (["fault"], "run", "time"), cls


def test_fit_and_sample_are_templates_that_show_each_familys_signature():
    """``fit`` and ``sample`` are the base's templates; each family's shows its ``_fit`` / ``_sample`` (help())."""
    import inspect

    from sklearn.base import clone

    for kind, cls in registered_kinds().items():
        fit = inspect.signature(cls.fit)
        assert list(fit.parameters)[:2] in (["self", "data"], ["self", "X"], ["self", "images"]), kind
        assert "device" not in fit.parameters and "t_start" not in fit.parameters, kind
        assert cls.fit.__doc__ == cls._fit.__doc__, kind
        sample = inspect.signature(cls.sample)
        shape = [
            name
            for name, p in sample.parameters.items()
            if p.kind is p.KEYWORD_ONLY and name not in ("conditions", "random_state")
        ]
        if cls._sample is not FittedModel._sample:  # a generating family: its shape keywords are its ClassVar
            assert tuple(shape) == cls.sample_shape_options, kind
            assert list(sample.parameters)[:4] == ["self", "n", "conditions", "random_state"], kind
            assert sample.parameters["conditions"].kind is inspect.Parameter.KEYWORD_ONLY, kind
        assert clone(cls()).get_params() == cls().get_params(), kind
    assert "condition : str or list of str" in LogGAN.fit.__doc__
    assert list(inspect.signature(LogGAN.fit).parameters) == ["self", "data", "schema", "condition", "entity", "time"]
    assert list(inspect.signature(GANImputer.fit).parameters) == ["self", "X", "y"]  # scikit-learn's fit(X, y=None)
    with pytest.raises(TypeError, match=r"LogGAN.fit\(\): got an unexpected keyword argument 'context'"):
        LogGAN().fit(None, context=1)  # the family's own signature, checked before any work


def test_sample_takes_conditions_by_keyword_and_names_the_shape_keywords(tiny_model):
    with pytest.raises(TypeError):
        tiny_model.sample(10, {"tag70:status": "Bad"})  # conditions are keyword-only
    with pytest.raises(TypeError, match=r"'sequences'; it takes n, conditions, random_state, batch_size, context"):
        tiny_model.sample(10, sequences=2)
    with pytest.raises(NotFittedError, match="not fitted"):
        TabularGAN().sample(10)
    with pytest.raises(NotImplementedError, match="GANImputer does not generate"):
        GANImputer().sample(10)
    assert len(tiny_model.sample(10, conditions={"tag70:status": "Bad"}, random_state=0, batch_size=4)) == 10


def test_models_take_frames_not_paths(tmp_path, small_parquet):
    """Models do not read files: a path (or a pyarrow dataset) is refused with how to read it."""
    import numpy as np

    from indgan import CycleGAN, SuperResolutionGAN
    from indgan.errors import DataError

    for model in (TabularGAN(), LogGAN(), SequenceGAN(), SuperResolutionGAN(), CycleGAN(domains=("fault", 0, 4))):
        for given in (small_parquet, str(small_parquet)):
            with pytest.raises(DataError, match=r"data is a path .*read it first with indgan\.read_table"):
                model.fit(given)
        with pytest.raises(DataError, match="must be a pandas DataFrame, got ndarray"):
            model.fit(np.zeros((20, 3)))
    with pytest.raises(DataError, match=r"GANImputer: X is a path .*indgan\.read_table"):
        GANImputer().fit(small_parquet)
    with pytest.raises(DataError, match=r"DCGAN: images is a path .*load_images"):
        DCGAN().fit(str(tmp_path))
    import pyarrow.dataset as pads

    with pytest.raises(DataError, match="pyarrow .*indgan.read_table"):
        GANImputer().fit(pads.dataset(str(small_parquet)))
