"""The fit job: learn normal operation from a table, a log, images or gaps, and write one model file.

:func:`fit` is what ``indgan fit`` does, for a Python user too: read the data (within a memory bound), infer the
column roles, pick the family, build the model from a config and the options, train, save, and close with a score
of a synthetic sample against the data (and an HTML report when asked).
"""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from ..atomic import check_output, default_output
from ..errors import ConfigError
from .common import Lines, Say, critic_scores, duration, names, stop_words

#: Largest training shape the closing score samples whole (larger: 20,000 rows).
CLOSING_MAX_ROWS = 200_000
#: Image sources :func:`indgan.adapters.images.load_images` knows by name.
IMAGE_SOURCES = ("fashion-mnist", "digits")
_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp")


@dataclasses.dataclass
class FitResult:
    """What :func:`fit` did.

    Attributes
    ----------
    model : FittedModel
        The fitted model.
    family : str
        Its family (``indgan fit --model`` name) and ``reason``, why it was chosen.
    path : pathlib.Path or None
        The model file written (None when ``output`` was None for a DataFrame).
    scores : EvaluationReport or None
        The closing score of a synthetic sample against the data (None when skipped or not a generator).
    report : pathlib.Path or None
        The HTML report written.
    holdout, holdout_path, privacy
        With ``holdout``: the real rows set aside before training, the file they were written to (beside the model:
        ``<model>.holdout.parquet``) and the privacy check of the closing sample against them
        (:class:`~indgan.metrics.privacy.PrivacyReport`).
    lines : list of str
        Everything the job said, in order (what ``indgan fit`` prints).
    """

    model: Any
    family: str
    reason: str
    path: Path | None = None
    scores: Any = None
    report: Path | None = None
    lines: list[str] = dataclasses.field(default_factory=list)
    holdout: pd.DataFrame | None = None
    holdout_path: Path | None = None
    privacy: Any = None


def parse_domains(text: str | tuple) -> tuple[str, str, str]:
    """``"fault=0,4"`` -> ``("fault", "0", "4")``; a tuple is returned as it is.

    Raises
    ------
    ConfigError
        Not ``COLUMN=A,B``.
    """
    if isinstance(text, tuple):
        return text
    column, _, values = str(text).partition("=")
    parts = [v.strip() for v in values.split(",")]
    if not column.strip() or len(parts) != 2 or not all(parts):
        raise ConfigError(f"--domains {text!r}: write COLUMN=A,B, e.g. fault=0,4.")
    return column.strip(), parts[0], parts[1]


def is_image_source(data) -> bool:
    """Whether ``data`` names images: fashion-mnist, digits, an ``.npz`` file or a folder holding image files."""
    if isinstance(data, pd.DataFrame):
        return False
    name = str(data)
    if name in IMAGE_SOURCES or name.lower().endswith(".npz"):
        return True
    path = Path(name)
    if not path.is_dir():
        return False
    for _, _, files in os.walk(path):
        if any(f.lower().endswith(_IMAGE_SUFFIXES) for f in files):
            return True
    return False


def fit(
    data,
    *,
    output: str | Path | None = None,
    model: str = "auto",
    config: str | Path | None = None,
    metadata=None,
    time_budget: float | str | None = None,
    condition: tuple | list = (),
    seq_len: int | None = None,
    factor: int | None = None,
    coarse: str | None = None,
    domains: str | tuple | None = None,
    entity: str | None = None,
    time: str | None = None,
    duplicate_times: str | None = None,
    iterations: int | None = None,
    epochs: int | None = None,
    batch_size: int | None = None,
    loss: str | None = None,
    critic_steps: int | None = None,
    conditional: bool | None = None,
    size: int | None = None,
    features: int | None = None,
    device: str | None = None,
    threads: int | None = None,
    max_memory: str | int | None = None,
    seed: int = 0,
    eval_rows: int | None = None,
    report: str | Path | None = None,
    holdout: float | None = None,
    table: str | None = None,
    where: str | None = None,
    query: str | None = None,
    layout: str = "auto",
    tag_column: str | None = None,
    value_column: str | None = None,
    quality_column: str | None = None,
    interval=None,
    staleness=None,
    verbose: bool = True,
    say: Say | None = None,
) -> FitResult:
    """Learn ``data`` and write a model file: what ``indgan fit`` does.

    Parameters
    ----------
    data : str, pathlib.Path or pandas.DataFrame
        A parquet/CSV file or a folder of parquet files (read within ``max_memory``), a DataFrame, a database URL
        (with ``table`` [``where``] or ``query``, read in chunks), or for ``model="image"`` an image source
        (``"fashion-mnist"``, ``"digits"``, a folder of images, an ``.npz``). A narrow historian table (time, tag,
        value, quality) is detected and aligned on a grid (:func:`indgan.app.data.load`; ``layout``,
        ``tag_column``, ``value_column``, ``quality_column``, ``interval``, ``staleness``), and the model keeps
        the layout so that ``sample`` writes narrow rows back.
    output : path, optional
        The model file; default ``DATA stem + .indgan`` for a path, nothing written for a DataFrame.
    model : str
        ``"auto"`` (log when there is a time column, tabular otherwise, image for an image source) or a family of
        :data:`indgan.families.FAMILIES` (``"log"``, ``"sequence"``, ``"tabular"``, ``"super-resolution"``,
        ``"cyclegan"``, ``"image"``, ``"imputer"``).
    config : path or preset name, optional
        TOML: ``[columns]`` roles, ``[schema]`` inference settings, ``[model]`` parameters (and ``kind``).
    metadata : SDV metadata, optional
        An SDV ``Metadata`` object, its dict or its JSON file: its column roles are used
        (:meth:`indgan.Schema.from_sdv_metadata`); ``--entity``, ``--time`` and ``[columns]`` still win.
    time_budget, condition, seq_len, factor, coarse, domains, entity, time, duplicate_times, iterations, epochs, \
batch_size, loss, critic_steps, conditional, size, features, device, threads, max_memory, seed, eval_rows
        The options of ``indgan fit`` (see ``indgan fit --help``); an option the family does not take is refused.
    report : path or "", optional
        Also write an HTML report of the closing sample against the data (``""``: ``report.html`` beside the model).
    holdout : float, optional
        Set this share of the real rows aside before training (:func:`indgan.metrics.privacy.holdout_split`:
        alternate blocks of a log, whole entities, or random rows of a table), write them beside the model and close
        with a privacy check: synthetic rows and windows against the training rows, compared with the held-out ones.
    verbose : bool
        Progress bars.
    say : callable, optional
        Called with each line the job reports (default: logged at INFO on ``indgan.app``).

    Returns
    -------
    FitResult

    Raises
    ------
    ConfigError, DataError, ModelFileError
        Before any training: unknown columns or options, outputs that cannot be written or are inputs.
    """
    lines = Lines(say)
    condition = tuple(condition or ())
    seen = [v for i, v in enumerate(condition) if v in condition[:i]]
    if seen:
        raise ConfigError(f"--condition {seen[0]} is given twice; give it once.")
    from .data import is_url, load

    url = is_url(data)
    source = "the DataFrame" if isinstance(data, pd.DataFrame) else str(data)
    if output is None and not isinstance(data, pd.DataFrame):
        output = Path(f"{table or 'query'}.indgan") if url else default_output(data, ".indgan")
    inputs = {
        "DATA": None if isinstance(data, pd.DataFrame) or url else data,
        "--config": config,
        "--metadata": metadata if isinstance(metadata, (str, Path)) else None,
    }
    check_output(output, inputs, "--output")
    if report is not None:
        check_output(report or None, inputs, "--report")
    holdout_path = None
    if holdout is not None:
        if eval_rows == 0:
            raise ConfigError("--holdout is checked on the closing sample; drop --eval-rows 0.")
        if output is not None:
            holdout_path = Path(output).with_name(Path(output).stem + ".holdout.parquet")
            check_output(holdout_path, inputs, "--holdout")
    from .. import distributed

    if distributed.init_from_env(device) and not distributed.is_main():  # torchrun: rank 0 speaks and writes
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (for the life of this rank)
        verbose = False
    if report is not None:  # refuse a bad report path before any work
        from ..report.html import check_report_path

        if eval_rows == 0:
            raise ConfigError("--report needs the closing sample; drop --eval-rows 0.")
        report = Path(report) if report else Path(output or ".").parent / "report.html"
        check_report_path(report)
    from ..budget import budget_seconds

    if time_budget is not None:  # refuse a bad budget before any work
        budget_seconds(time_budget, "cpu")
    if threads:
        from .. import threads as thread_control

        thread_control.set_threads(threads)
    from ..schema import load_config

    cfg = load_config(config) if config else {}
    params = dict(cfg.get("model", {}))
    cfg_kind = params.pop("kind", None)
    from ..families import FAMILIES

    if cfg_kind not in (None,) + FAMILIES:
        raise ConfigError(f"{config}: [model] kind = {cfg_kind!r}; use one of {', '.join(FAMILIES)}.")
    requested = cfg_kind if model == "auto" and cfg_kind else model
    if requested not in ("auto",) + FAMILIES:
        raise ConfigError(f"model={requested!r}: use auto or one of {', '.join(FAMILIES)}.")
    given = {
        "epochs": epochs,
        "critic_steps": critic_steps,
        "iterations": iterations,
        "seq_len": seq_len,
        "factor": factor,
        "coarse": coarse,
        "domains": domains,
        "condition": condition or None,
        "entity": entity,
        "duplicate_times": duplicate_times,
        "conditional": conditional or None,
        "size": size,
        "features": features,
    }
    common = dict(time_budget=time_budget, batch_size=batch_size, loss=loss, device=device, seed=seed, verbose=verbose)
    if requested == "image" or (requested == "auto" and is_image_source(data)):
        reason = "asked for" if requested == "image" else "an image source"
        return _fit_images(data, source, output, params, given, common, reason, lines)
    loaded = load(
        data,
        table=table,
        where=where,
        query=query,
        layout=layout,
        tag_column=tag_column,
        value_column=value_column,
        quality_column=quality_column,
        interval=interval,
        staleness=staleness,
        max_memory=max_memory,
        bounded=True,
        seed=seed,
        say=lines,
    )
    df = loaded.frame
    if loaded.url is not None:
        source = loaded.name
    for col, what in ((entity, "--entity"), (time, "--time"), *((c, "--condition") for c in condition)):
        if col and col not in df.columns:
            raise ConfigError(
                f"{what} {col!r}: no such column in {source}; columns: {', '.join(map(str, df.columns[:15]))}"
                f"{' ...' if df.shape[1] > 15 else ''}."
            )
    if requested == "imputer":
        return _fit_imputer(df, source, output, params, given, common, time, lines, loaded.layout_record())
    from ..families import choose_family, family_class
    from ..schema import condition_overrides, infer_schema

    overrides = {k: ([v] if isinstance(v, str) else list(v)) for k, v in (cfg.get("columns") or {}).items()}
    if entity:
        overrides["entity"] = [entity]
    if time:
        overrides["time"] = [time]
    schema_cfg = cfg.get("schema", {})
    levels = schema_cfg.get("max_discrete_levels", params.get("max_discrete_levels", 10))
    if metadata is not None:  # SDV's roles first; the user's own overrides win
        from ..schema.sdv import sdv_overrides

        mine = {c for cols in overrides.values() for c in cols}
        from_sdv = sdv_overrides(
            metadata,
            df,
            source=source,
            max_discrete_levels=levels,
            max_categories=schema_cfg.get("max_categories", 1000),
        )
        merged = {
            role: [c for c in cols if c not in mine and not (role in ("time", "entity") and role in overrides)]
            for role, cols in from_sdv.items()
        }
        for role, cols in overrides.items():
            merged.setdefault(role, []).extend(cols)
        overrides = {role: cols for role, cols in merged.items() if cols}
    domain = parse_domains(domains) if domains is not None else None
    overrides = condition_overrides(df, list(condition) + ([domain[0]] if domain else []), overrides)
    schema = infer_schema(
        df,
        overrides=overrides or None,
        source=source,
        max_discrete_levels=levels,
        max_categories=schema_cfg.get("max_categories", 1000),
    )
    family, reason = choose_family(schema, requested)
    cls = family_class(family)
    _check_options(family, cls, given)
    held = None
    if holdout is not None:
        from ..metrics.privacy import holdout_split

        df, held = holdout_split(df, holdout, schema, random_state=seed)
    for key, value in (
        ("epochs", epochs),
        ("iterations", iterations),
        ("critic_steps", critic_steps),
        ("seq_len", seq_len),
        ("factor", factor),
        ("coarse", coarse),
        ("domains", domain),
        ("duplicate_times", duplicate_times),
    ):
        if value is not None:
            params[key] = value
    if "domains" in cls.fit_options and params.get("domains") is None:
        raise ConfigError(
            f"the {family} model needs --domains COLUMN=A,B (e.g. --domains fault=0,4): the column that "
            "tells the two regimes apart and their two values."
        )
    estimator = _build(cls, family, params, common, epochs is not None or iterations is not None, config)

    roles: dict[str, list[str]] = {}
    for c in schema.columns:
        roles.setdefault(c.role, []).append(c.name)
    lines(
        f"{source}: {len(df)} rows x {df.shape[1]} columns; "
        + ", ".join(
            f"{len(v)} {k}" + (f" ({names(v)})" if k in ("ignored", "constant", "time", "entity") else "")
            for k, v in roles.items()
        )
    )
    if held is not None:
        lines(f"  held out of training: {len(held)} rows ({holdout:.0%}), for the closing privacy check")
    with_status = [c.name for c in schema.columns if c.statuses]
    if with_status:
        lines(f"  status strings in: {', '.join(with_status)} (learned as missing values with a status)")
    from ..schema import code_label

    with_codes = [f"{c.name} ({', '.join(code_label(v) for v in c.codes)})" for c in schema.columns if c.codes]
    if with_codes:
        lines(f"  status codes in: {', '.join(with_codes)} (a failed reading's number, learned as a status)")
    from ..training import resolve_device

    dev = resolve_device(estimator.device)
    grows = family == "log" and isinstance(estimator.time_budget, str)
    budget = budget_seconds(estimator.time_budget, dev, n_rows=len(df) if grows else None)
    limit = f"time budget {duration(budget)} on {dev}" if budget is not None else f"no time budget, on {dev}"
    if grows and budget != budget_seconds(estimator.time_budget, dev):
        limit += f" (grown with the {len(df):,} rows)"
    elif family == "sequence" and isinstance(estimator.time_budget, str) and dev.type == "cpu":
        limit += " (grows with the training windows: 10 min from 10,000)"
    count = getattr(estimator, cls.count_option) if cls.count_option else None
    if count:
        limit += f", at most {count} {cls.count_option}"
    lines(
        f"  model: {family} ({cls.method_name}; {reason}), {limit}"
        + ("; stops earlier when its held-out score stops improving" if cls.stops_early else "")
    )
    estimator.fit(df, schema=schema, **({"condition": list(condition)} if "condition" in cls.fit_options else {}))
    estimator.source_layout_ = loaded.layout_record()
    result = FitResult(estimator, family, reason, lines=lines.lines, holdout=held)
    main_rank = distributed.is_main()
    distributed.finish()
    if not main_rank:
        return result
    for line in estimator.fit_lines():
        lines("  " + line)
    last = estimator.summary_.history[-1]
    lines(
        f"  last epoch: generator loss {last['generator_loss']:.4f}, critic loss {last['critic_loss']:.4f}, "
        + critic_scores(estimator.summary_.loss, last)
    )
    _save(estimator, output, dev, result, lines)
    if held is not None and holdout_path is not None:
        from ..adapters.files import write_table

        write_table(held, holdout_path)
        result.holdout_path = holdout_path
        lines(f"wrote {holdout_path} ({len(held)} real rows held out of training, the privacy check's yardstick)")
    if eval_rows == 0 or not (estimator.generates_rows or estimator.generates_sequences):
        if report is not None:
            lines(f"no report: a {estimator.kind} does not generate rows to compare with {source}.")
        return result
    _closing_score(estimator, df, schema, source, output, seed, eval_rows, report, result, lines)
    return result


def _check_options(family: str, cls, given: dict) -> None:
    """Refuse the options a family does not take, naming those it does."""
    wrong = [k for k, v in given.items() if v is not None and k not in cls.fit_options]
    if wrong:
        flags = ", ".join("--" + k.replace("_", "-") for k in wrong)
        hint = (
            " (it conditions on any categorical column at sample time: indgan sample --condition)"
            if "condition" in wrong
            else ""
        )
        raise ConfigError(
            f"{flags}: not an option of the {family} model{hint}; it takes "
            f"{', '.join('--' + k.replace('_', '-') for k in sorted(cls.fit_options))}."
        )


def _build(cls, family: str, params: dict, common: dict, counted: bool, config):
    """The estimator from the config's ``[model]`` table and the common options."""
    for key in ("batch_size", "loss", "device"):
        if common[key] is not None:
            params[key] = common[key]
    if common["time_budget"] is not None:
        params["time_budget"] = common["time_budget"]
    elif counted:  # a count asked for and no budget: train exactly that
        params.setdefault("time_budget", None)
    params.setdefault("device", "auto")
    params["random_state"] = common["seed"]
    params["verbose"] = common["verbose"]
    for key in ("generator_dim", "critic_dim"):
        if key in params:
            params[key] = tuple(params[key])
    try:
        return cls(**params)
    except TypeError as exc:
        raise ConfigError(f"{config or 'options'}: setting not known to the {family} model: {exc}") from None


def _save(estimator, output, dev, result: FitResult, lines: Lines) -> None:
    if output is None:
        lines(f"fit {estimator.fit_info_.fit_seconds:.1f} s on {dev} ({stop_words(estimator)}); not saved")
        return
    estimator.save(output)
    result.path = Path(output)
    lines(
        f"wrote {output} ({Path(output).stat().st_size / 1e6:.1f} MB); fit {estimator.fit_info_.fit_seconds:.1f} s "
        f"on {dev} ({stop_words(estimator)})"
    )


def _closing_score(estimator, df, schema, source, output, seed, eval_rows, report, result, lines) -> None:
    """Score a synthetic sample of the training shape (what ``indgan sample`` writes) against the data."""
    from ..metrics import evaluate

    synthetic = estimator.sample(eval_rows, random_state=seed)
    same_as_sample = eval_rows is None
    if eval_rows is None and len(synthetic) > CLOSING_MAX_ROWS:
        synthetic = estimator.sample(20_000, random_state=seed)
        same_as_sample = False
    scores = evaluate(df, synthetic, schema=schema, temporal=None if estimator.generates_sequences else False)
    result.scores = scores
    lines(
        f"closing score: {len(synthetic)} synthetic rows ("
        + (f"what indgan sample {output} --seed {seed} writes" if same_as_sample else f"-n {len(synthetic)}")
        + f") against {source}"
        + (f"; indgan evaluate {source} on that file prints the same" if same_as_sample else "")
    )
    for line in str(scores).splitlines():
        lines("  " + line)
    if result.holdout is not None:
        from ..metrics.privacy import privacy_report

        result.privacy = privacy_report(df, synthetic, result.holdout, schema=schema, random_state=seed)
        for line in str(result.privacy).splitlines():
            lines("  " + line)
    if report is not None:
        from ..report import synthetic_report

        written = synthetic_report(
            df,
            synthetic,
            report,
            model=estimator,
            schema=schema,
            scores=scores,
            real_name=source,
            synthetic_name=f"sample of {output}",
        )
        result.report = written.path
        lines(f"wrote {written.path} ({written.n_plots} plots, {written.seconds:.1f} s): open it in a browser")


def _fit_images(data, source, output, params, given, common, reason: str, lines: Lines) -> FitResult:
    """``indgan fit SOURCE --model image``: a DCGAN, or with ``conditional`` a conditional DCGAN."""
    from ..budget import budget_seconds
    from ..image import DCGAN, ConditionalDCGAN
    from ..adapters.images import load_images
    from ..training import resolve_device

    if isinstance(data, pd.DataFrame):
        raise ConfigError("model='image' learns images: give fashion-mnist, digits, a folder of images or an .npz.")
    cls = ConditionalDCGAN if given["conditional"] else DCGAN
    _check_options("image", cls, given)
    images = load_images(data, size=given["size"])
    if given["conditional"] and images.labels is None:
        raise ConfigError(f"{source}: --conditional needs labels (class sub-folders, or 'labels' in the .npz).")
    c, h, w = images.shape
    lines(
        f"{images.source}: {len(images)} images of {h} x {w} x {c}"
        + (f", {len(images.classes)} classes" if images.labels is not None else "")
    )
    epochs = given["epochs"]
    if given["features"] is not None:
        params["features"] = given["features"]
    if epochs is not None:
        params["epochs"] = epochs
    if given["critic_steps"] is not None:
        params["critic_steps"] = given["critic_steps"]
    model = _build(cls, "image", params, common, epochs is not None, None)
    budget = model.time_budget
    dev = resolve_device(model.device)
    seconds = budget_seconds(budget, dev, n_rows=len(images), unit="images")
    grown = budget == "auto" and seconds != budget_seconds(budget, dev)
    lines(
        f"  {cls.kind}: "
        + (f"time budget {duration(seconds)}" if seconds else "no time budget")
        + (f" (grown with the {len(images):,} images)" if grown else "")
        + (f", at most {epochs} epochs" if epochs else "")
    )
    model.fit(images)
    result = FitResult(model, "image", reason, lines=lines.lines)
    fi, last = model.fit_info_, model.summary_.history[-1]
    if output is not None:
        model.save(output)
        result.path = Path(output)
    lines(
        (f"wrote {output}; " if output is not None else "")
        + f"{model.kind}, {model.summary_.epochs} epochs, {fi.seconds_per_epoch:.1f} s per epoch on "
        f"{model.summary_.device} ({stop_words(model)})"
    )
    lines(
        f"  last epoch: G loss {last['generator_loss']:.3f}, D loss {last['critic_loss']:.3f}, "
        + critic_scores(model.summary_.loss, last)
    )
    cov = f"class coverage {fi.coverage:.2f}, " if fi.coverage is not None else ""
    lines(f"  mode-collapse signal: {cov}diversity {fi.diversity:.2f} (1 = as diverse as the data)")
    return result


def _fit_imputer(df, source, output, params, given, common, time, lines: Lines, layout=None) -> FitResult:
    """``indgan fit DATA --model imputer``: a GAIN imputer, saved to fill new data later (``impute --model-file``);
    the same model ``indgan impute DATA --save`` writes."""
    from ..imputation import GANImputer

    _check_options("imputer", GANImputer, given)
    for key in ("iterations", "critic_steps", "entity", "duplicate_times", "seq_len"):
        if given.get(key) is not None:
            params[key] = given[key]
    if given["condition"]:
        params["condition"] = list(given["condition"])
    if time is not None:
        params["time"] = time
    model = _build(GANImputer, "imputer", params, common, given["iterations"] is not None, None)
    model.fit(df)
    model.source_layout_ = layout
    result = FitResult(model, "imputer", "asked for", lines=lines.lines)
    mode = (
        f"time-aware on {model.time_column_!r}" + (f" per {model.entity_column_!r}" if model.entity_column_ else "")
        if model.temporal_
        else "row by row"
    )
    lines(
        f"{source}: {len(df)} rows x {df.shape[1]} columns; GAIN {mode}, {model.n_iterations_} iterations, "
        f"fit {model.fit_seconds_:.1f} s on {model.summary_.device}"
    )
    if output is not None:
        model.save(output)
        result.path = Path(output)
        lines(f"wrote {output} (fill new data with indgan impute DATA --model-file {output})")
    return result
