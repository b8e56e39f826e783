"""The ``indgan`` command line: a thin layer over the Python API.

    indgan fit plant_logs.parquet --out plant.indgan          # sequence model (time column found)
    indgan fit plant_logs.parquet --model tabular            # rows, CTGAN
    indgan sample plant.indgan -n 5000 -o synthetic.parquet [--condition mode=B]
    indgan scenario tep.indgan --condition fault=0:160,5:320 -n 20 -o fault5.parquet
    indgan evaluate plant_logs.parquet synthetic.parquet [--sequences] --json report.json
    indgan report plant_logs.parquet synthetic.parquet --model plant.indgan -o report.html [--png DIR]
    indgan info plant.indgan
    indgan impute plant_logs.parquet -o filled.parquet       # or --db URL --table T --key K
    indgan images fit fashion-mnist --conditional --out fashion.indgan
    indgan fit tep.parquet --model super-resolution --factor 8 --out tep_sr.indgan
    indgan upsample tep_sr.indgan coarse.parquet -o fine.parquet [--draws 20]
    indgan fit tep.parquet --model cyclegan --domains fault=0,4 --out tep_0to4.indgan
    indgan translate tep_0to4.indgan normal_week.parquet --to 4 -o week_under_fault4.parquet

Every error a user can cause is printed as one line (``Error: ...``) with exit status 1 (2 for bad usage),
never as a traceback.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

import click

from .atomic import check_output, default_output
from .budget import describe_auto
from .errors import ConfigError, IndganError

from .families import FAMILIES
from .losses import LOSSES

#: A random seed: what numpy and torch accept (0 .. 2**63 - 1), checked before any work.
SEED = click.IntRange(0, 2**63 - 1)


class _Group(click.Group):
    """Turns indgan's errors into one-line click errors."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except IndganError as exc:
            raise click.ClickException(str(exc)) from None
        except MemoryError:
            raise click.ClickException("out of memory; lower --batch-size or sample fewer rows.") from None
        except RuntimeError as exc:  # torch.OutOfMemoryError is a RuntimeError; so are CUDA's own
            if "out of memory" not in str(exc).lower():
                raise
            raise click.ClickException(
                "out of memory on the device ("
                + str(exc).strip().splitlines()[0][:120]
                + "); lower --batch-size, or use --device cpu."
            ) from None


def _setup_logging() -> None:
    # --quiet silences progress bars, not warnings about the data
    logging.basicConfig(
        level=logging.WARNING, format="indgan: %(levelname)s: %(message)s", stream=sys.stderr, force=True
    )


def _conditions(values: tuple[str, ...], schedules: bool = True) -> dict:
    """``--condition COLUMN=VALUE`` options through the one parser (:func:`indgan.scenarios.parse_conditions`);
    one without ``=`` is a usage error (exit status 2), a bad value or schedule an indgan error (exit 1)."""
    from .scenarios import parse_conditions

    for v in values:
        if "=" not in v:
            raise click.BadParameter(f"{v!r}: write conditions as COLUMN=VALUE, e.g. mode=B.", param_hint="--condition")
    return parse_conditions(values, schedules=schedules)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="indgan")
def cli():
    """indgan: generative adversarial networks for industrial data (plant historian logs)."""


# ---------------------------------------------------------------------------------------------- fit
@cli.command()
@click.argument("data", type=click.Path(path_type=Path))
@click.option(
    "--output",
    "--out",
    "-o",
    "out",
    type=click.Path(path_type=Path),
    help="Model file to write [default: DATA stem + .indgan]; --out is the older name.",
)
@click.option(
    "--config",
    "-c",
    type=click.Path(path_type=Path),
    help=(
        "TOML config: [columns] roles, [model] parameters; or a preset's name: quick, default, tabular, sequence, "
        "plant_logs."
    ),
)
@click.option(
    "--model",
    "requested",
    type=click.Choice(("auto",) + FAMILIES),
    default="auto",
    show_default=True,
    help="Model family: log (a synthetic log: CTGAN rows with smooth latent dynamics) when the data has a "
    "time column, else tabular (CTGAN rows); sequence is TimeGAN; super-resolution (SRGAN) learns "
    "fine history from coarse archives (indgan upsample).",
)
@click.option(
    "--time-budget",
    help="How long training may take: seconds or a duration (90s, 3m, 1h) [default: "
    f"{describe_auto()}; training stops earlier when a held-out score stops improving].",
)
@click.option(
    "--condition",
    "fit_conditions",
    multiple=True,
    metavar="COLUMN",
    help="Log and sequence models: condition on this column (repeatable), e.g. fault, mode or a setpoint.",
)
@click.option(
    "--seq-len",
    type=int,
    help="Sequence model: steps per training window [default: whole entities when there is an entity column, else 24].",
)
@click.option(
    "--factor", type=click.IntRange(min=2), help="Super-resolution model: fine steps per coarse step [default: 8]."
)
@click.option(
    "--coarse",
    type=click.Choice(["mean", "sample"]),
    help="Super-resolution model: the coarse data hold block means or every factor-th sample [default: mean].",
)
@click.option(
    "--domains",
    metavar="COLUMN=A,B",
    help="CycleGAN model: the column that tells the two regimes apart and their values, e.g. fault=0,4.",
)
@click.option("--entity", help="Log and sequence models: the entity column (batch, run, unit) [default: inferred].")
@click.option("--time", "time_col", help="The time column [default: inferred].")
@click.option(
    "--duplicate-times",
    type=click.Choice(["first", "mean", "error"]),
    help=(
        "Log model: rows that repeat a timestamp within an entity (a clock change, a re-sent sample): keep the first "
        "(with a warning), average their numbers, or refuse [default: first]."
    ),
)
@click.option(
    "--iterations", type=int, help="Sequence model: most adversarial iterations [default: as the time budget allows]."
)
@click.option(
    "--epochs", type=int, help="Tabular and log models: most passes over the rows [default: as the time budget allows]."
)
@click.option("--batch-size", type=int, help="Rows (tabular, log) or windows (sequence) per step [default: 500 / 128].")
@click.option(
    "--loss",
    type=click.Choice(tuple(LOSSES)),
    help="Adversarial loss [default: wgan-gp (tabular, log), non-saturating (sequence), least-squares (cyclegan)].",
)
@click.option(
    "--critic-steps", type=int, help="Tabular and sequence models: critic updates per generator update [default: 1]."
)
@click.option("--device", default=None, help="auto (CUDA when present), cpu, cuda, cuda:N [default: auto].")
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    help="CPU threads [default: the cores other processes leave free, re-checked while training].",
)
@click.option(
    "--max-memory",
    help=(
        "Bound on the data and its encoding in memory while learning (2GB, 500MB): a larger parquet file or folder is "
        "learned from its most recent rows (a log) or a random sample (a table) that fits; with torch the fit peaks "
        "about 0.4 GB above it [default: 1.5GB, or a quarter of RAM if less]."
    ),
)
@click.option(
    "--seed",
    type=SEED,
    default=0,
    show_default=True,
    help=(
        "Random seed (with --epochs or --iterations and no time budget, the same seed on the same device gives the "
        "same model)."
    ),
)
@click.option(
    "--eval-rows",
    type=click.IntRange(min=0),
    default=None,
    help="Rows of the closing score's synthetic sample [default: the training shape, at most 20000 rows]; 0 skips it.",
)
@click.option(
    "--report",
    "report_path",
    is_flag=False,
    flag_value="",
    default=None,
    metavar="[PATH]",
    type=click.Path(path_type=str),
    help="End with an HTML report of the closing sample against DATA [default PATH: report.html beside the model].",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def fit(
    data,
    out,
    config,
    requested,
    time_budget,
    fit_conditions,
    seq_len,
    factor,
    coarse,
    domains,
    entity,
    time_col,
    duplicate_times,
    iterations,
    epochs,
    batch_size,
    loss,
    critic_steps,
    device,
    threads,
    max_memory,
    seed,
    eval_rows,
    report_path,
    quiet,
):
    """Learn normal operation from DATA (parquet or CSV) and write a model file.

    \b
    indgan fit plant_logs.parquet                     # a few minutes; writes plant_logs.indgan
    indgan fit big_log.parquet --time-budget 20m
    indgan fit tep.parquet --condition fault          # fault ids as conditions
    """
    from . import threads as thread_control
    from .adapters.files import read_table
    from .families import choose_family, family_class
    from .metrics import evaluate
    from .schema import condition_overrides, infer_schema, load_config
    from .budget import budget_seconds
    from .training import resolve_device

    _setup_logging()
    _once("--condition", fit_conditions)
    out = out or default_output(data, ".indgan")
    check_output(out, {"DATA": data, "--config": config}, "--output")
    if report_path:
        check_output(report_path, {"DATA": data, "--config": config}, "--report")
    from . import distributed

    if distributed.init_from_env(device) and not distributed.is_main():  # torchrun: rank 0 speaks and writes
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (for the life of this rank)
        quiet = True
    if report_path is not None:  # refuse a bad report path before any work
        from .report.html import check_report_path

        if eval_rows == 0:
            raise ConfigError("--report needs the closing sample; drop --eval-rows 0.")
        report_path = Path(report_path) if report_path else Path(out or ".").parent / "report.html"
        check_report_path(report_path)
    if time_budget is not None:  # refuse a bad budget before any work
        budget_seconds(time_budget, "cpu")
    if threads:
        thread_control.set_threads(threads)
    cfg = load_config(config) if config else {}
    params = dict(cfg.get("model", {}))
    overrides = {k: ([v] if isinstance(v, str) else list(v)) for k, v in (cfg.get("columns") or {}).items()}
    if entity:
        overrides["entity"] = [entity]
    if time_col:
        overrides["time"] = [time_col]
    from .adapters.files import default_max_memory, parse_memory

    df = read_table(data, max_memory=parse_memory(max_memory) or default_max_memory(), random_state=seed)
    for col, what in ((entity, "--entity"), (time_col, "--time"), *((c, "--condition") for c in fit_conditions)):
        if col and col not in df.columns:
            raise ConfigError(
                f"{what} {col!r}: no such column in {data}; columns: {', '.join(map(str, df.columns[:15]))}"
                f"{' ...' if df.shape[1] > 15 else ''}."
            )
    schema_cfg = cfg.get("schema", {})
    cfg_kind = params.pop("kind", None)
    if cfg_kind not in (None,) + FAMILIES:
        raise ConfigError(f"{config}: [model] kind = {cfg_kind!r}; use one of {', '.join(FAMILIES)}.")
    if requested == "auto" and cfg_kind:  # the config's [model] kind when --model is left at auto
        requested = cfg_kind
    domain = _domains(domains) if domains is not None else None
    overrides = condition_overrides(df, list(fit_conditions) + ([domain[0]] if domain else []), overrides)
    schema = infer_schema(
        df,
        overrides=overrides or None,
        source=str(data),
        max_discrete_levels=schema_cfg.get("max_discrete_levels", params.get("max_discrete_levels", 10)),
        max_categories=schema_cfg.get("max_categories", 1000),
    )
    family, reason = choose_family(schema, requested)
    cls = family_class(family)
    given = {
        "epochs": epochs,
        "critic_steps": critic_steps,
        "iterations": iterations,
        "seq_len": seq_len,
        "factor": factor,
        "coarse": coarse,
        "domains": domains,
        "condition": fit_conditions or None,
        "entity": entity,
        "duplicate_times": duplicate_times,
    }
    wrong = [k for k, v in given.items() if v is not None and k not in cls.fit_options]
    if wrong:
        names = ", ".join("--" + k.replace("_", "-") for k in wrong)
        hint = (
            " (it conditions on any categorical column at sample time: indgan sample --condition)"
            if "condition" in wrong
            else ""
        )
        raise ConfigError(
            f"{names}: not an option of the {family} model{hint}; it takes "
            f"{', '.join('--' + k.replace('_', '-') for k in sorted(cls.fit_options))}."
        )
    for key, value in (
        ("epochs", epochs),
        ("iterations", iterations),
        ("batch_size", batch_size),
        ("loss", loss),
        ("critic_steps", critic_steps),
        ("device", device),
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
    if time_budget is not None:
        params["time_budget"] = time_budget
    elif epochs is not None or iterations is not None:  # a count asked for and no budget: train exactly that
        params.setdefault("time_budget", None)
    params.setdefault("device", "auto")
    params["random_state"] = seed
    params["verbose"] = not quiet
    for key in ("generator_dim", "critic_dim"):
        if key in params:
            params[key] = tuple(params[key])
    try:
        model = cls(**params)
    except TypeError as exc:
        raise ConfigError(f"{config or 'options'}: setting not known to the {family} model: {exc}") from None

    roles = {}
    for c in schema.columns:
        roles.setdefault(c.role, []).append(c.name)
    click.echo(
        f"{data}: {len(df)} rows x {df.shape[1]} columns; "
        + ", ".join(
            f"{len(v)} {k}" + (f" ({_names(v)})" if k in ("ignored", "constant", "time", "entity") else "")
            for k, v in roles.items()
        )
    )
    with_status = [c.name for c in schema.columns if c.statuses]
    if with_status:
        click.echo(f"  status strings in: {', '.join(with_status)} (learned as missing values with a status)")
    dev = resolve_device(model.device)
    grows = family == "log" and isinstance(model.time_budget, str)
    budget = budget_seconds(model.time_budget, dev, n_rows=len(df) if grows else None)
    limit = f"time budget {_duration(budget)} on {dev}" if budget is not None else f"no time budget, on {dev}"
    if grows and budget != budget_seconds(model.time_budget, dev):
        limit += f" (grown with the {len(df):,} rows)"
    elif family == "sequence" and isinstance(model.time_budget, str) and dev.type == "cpu":
        limit += " (grows with the training windows: 10 min from 10,000)"
    count = getattr(model, cls.count_option) if cls.count_option else None
    if count:
        limit += f", at most {count} {cls.count_option}"
    click.echo(
        f"  model: {family} ({cls.method_name}; {reason}), {limit}"
        + ("; stops earlier when its held-out score stops improving" if cls.stops_early else "")
    )
    model.fit(df, schema=schema, **({"condition": list(fit_conditions)} if "condition" in cls.fit_options else {}))
    main_rank = distributed.is_main()
    distributed.finish()
    if not main_rank:
        return
    for line in model.fit_lines():
        click.echo("  " + line)
    last = model.summary_.history[-1]
    click.echo(
        f"  last epoch: generator loss {last['generator_loss']:.4f}, critic loss {last['critic_loss']:.4f}, "
        + _scores(model.summary_.loss, last)
    )
    model.save(out)
    click.echo(
        f"wrote {out} ({Path(out).stat().st_size / 1e6:.1f} MB); fit {model.fit_info_.fit_seconds:.1f} s on "
        f"{dev} ({_stop_words(model)})"
    )
    if eval_rows == 0 or not (model.generates_rows or model.generates_sequences):
        if report_path is not None:
            click.echo(f"no report: a {model.kind} does not generate rows to compare with {data}.")
        return
    synthetic = model.sample(eval_rows, random_state=seed)  # None: the training shape, as `indgan sample` writes it
    same_as_sample = eval_rows is None
    if eval_rows is None and len(synthetic) > CLOSING_MAX_ROWS:
        synthetic = model.sample(20_000, random_state=seed)
        same_as_sample = False
    report = evaluate(df, synthetic, schema=schema, temporal=None if model.generates_sequences else False)
    click.echo(
        f"closing score: {len(synthetic)} synthetic rows ("
        + (f"what indgan sample {out} --seed {seed} writes" if same_as_sample else f"-n {len(synthetic)}")
        + f") against {data}"
        + (f"; indgan evaluate {data} on that file prints the same" if same_as_sample else "")
    )
    for line in str(report).splitlines():
        click.echo("  " + line)
    if report_path is not None:
        from .report import synthetic_report

        result = synthetic_report(
            df,
            synthetic,
            report_path,
            model=model,
            schema=schema,
            scores=report,
            real_name=str(data),
            synthetic_name=f"sample of {out}",
        )
        click.echo(f"wrote {result.path} ({result.n_plots} plots, {result.seconds:.1f} s): open it in a browser")


def _domains(text: str) -> tuple[str, str, str]:
    """``--domains fault=0,4`` -> ``("fault", "0", "4")`` (a usage error otherwise)."""
    column, _, values = text.partition("=")
    parts = [v.strip() for v in values.split(",")]
    if not column.strip() or len(parts) != 2 or not all(parts):
        raise click.BadParameter(f"{text!r}: write COLUMN=A,B, e.g. fault=0,4.", param_hint="--domains")
    return column.strip(), parts[0], parts[1]


def _scores(loss: str, record: dict) -> str:
    """The critic's mean outputs of a training record, named by what they are: probabilities D(x) for the
    probabilistic losses, raw critic scores otherwise (a WGAN critic's are not probabilities)."""
    if loss in LOSSES and not LOSSES[loss].probabilistic:
        return f"critic score on real {record['d_real']:.3f}, on generated {record['d_fake']:.3f}"
    return f"D(x) {record['d_real']:.3f}, D(G(z)) {record['d_fake']:.3f}"


def _duration(seconds: float) -> str:
    return f"{seconds / 60:g} min" if seconds >= 60 and seconds % 60 == 0 else f"{seconds:.0f} s"


def _stop_words(model) -> str:
    reason = model.summary_.stop_reason
    return {
        "completed": "every step asked for",
        "time budget": "the time budget ran out",
        "early stop": "the held-out score stopped improving",
    }.get(reason, reason)


#: Largest training shape the closing score of ``indgan fit`` samples whole (larger: 20,000 rows).
CLOSING_MAX_ROWS = 200_000
#: Rows per part of ``indgan sample`` to a file or folder (~100 MB for a log of 100 tags).
PART_ROWS = 100_000


def _once(option: str, values: tuple) -> None:
    """Refuse an option given twice with the same value or, for single-valued ones, given twice at all."""
    seen = [v for i, v in enumerate(values) if v in values[:i]]
    if seen:
        raise click.UsageError(f"{option} {seen[0]} is given twice; give it once.")
    if option == "--key" and len(values) > 1:
        raise click.UsageError(
            f"--key is given {len(values)} times ({', '.join(values)}); give the one unique key "
            "column (composite keys: add a key column, e.g. an autoincrement id)."
        )


def _names(names: list[str], k: int = 6) -> str:
    return ", ".join(names[:k]) + (f" and {len(names) - k} more" if len(names) > k else "")


# ---------------------------------------------------------------------------------------------- impute
@cli.command()
@click.argument("data", required=False, type=click.Path(path_type=Path))
@click.option(
    "--output", "-o", type=click.Path(path_type=Path), help="File to write the filled table to (parquet or CSV)."
)
@click.option(
    "--db",
    "db_url",
    help=(
        "SQLAlchemy URL of a database (sqlite:///plant.db, postgresql+psycopg://user@host/db): fill the NULL cells of "
        "--table in place."
    ),
)
@click.option("--table", help="Database table to fill.")
@click.option(
    "--key", multiple=True, help="Unique key column of --table (identifies each written row in the audit table)."
)
@click.option(
    "--column",
    "fill_columns",
    multiple=True,
    metavar="COLUMN",
    help="Database: fill only this column (repeatable) [default: all but the key].",
)
@click.option("--dry-run", is_flag=True, help="Database: write nothing; report what would change.")
@click.option(
    "--undo",
    "undo_id",
    metavar="RUN_ID",
    help="Database: restore the NULLs written by run RUN_ID (from the audit table).",
)
@click.option(
    "--model",
    "model_path",
    type=click.Path(path_type=Path),
    help="Fill with this fitted imputer (indgan impute ... --save) instead of fitting one.",
)
@click.option(
    "--save",
    "save_path",
    type=click.Path(path_type=Path),
    help="Save the fitted imputer to this model file, to fill new data later with --model.",
)
@click.option(
    "--iterations", type=click.IntRange(min=1), help="Most generator updates [default: the imputer's, by mode]."
)
@click.option(
    "--time-budget", help=f"How long training may take: seconds or a duration (90s, 3m) [default: {describe_auto()}]."
)
@click.option("--time", "time_col", help="Time column for time-aware imputation [default: inferred].")
@click.option("--entity", help="Entity column (batch, run, unit) [default: inferred].")
@click.option("--rows", "row_wise", is_flag=True, help="Impute row by row even when there is a time column.")
@click.option(
    "--condition",
    "conditions",
    multiple=True,
    metavar="COLUMN",
    help="Operating-mode column the imputations follow (repeatable).",
)
@click.option("--max-gap", help="Leave outages longer than this missing: steps (e.g. 24) or a time span (e.g. 2h).")
@click.option(
    "--duplicate-times",
    type=click.Choice(["first", "error"]),
    help=(
        "Time-aware: rows that repeat a timestamp within an entity, as fit reads them: the first row of each time is "
        "the log and the repeats' missing cells take its filled values (with a warning), or refuse [default: first]."
    ),
)
@click.option(
    "--max-memory",
    help=(
        "DATA a folder of parquet files: fit on its most recent rows (a log) or a random sample (a table) within this "
        "bound (2GB), then fill every row part by part [default: 1.5GB, or a quarter of RAM if less]."
    ),
)
@click.option("--device", default="auto", show_default=True, help="auto, cpu, cuda, cuda:N.")
@click.option(
    "--seed", type=SEED, default=0, show_default=True, help="Random seed (same seed, same device -> same fill)."
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(path_type=Path),
    help="Files: also write an HTML report of where and how the gaps were filled.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def impute(
    data,
    output,
    db_url,
    table,
    key,
    fill_columns,
    dry_run,
    undo_id,
    model_path,
    save_path,
    iterations,
    time_budget,
    time_col,
    entity,
    row_wise,
    conditions,
    max_gap,
    duplicate_times,
    max_memory,
    device,
    seed,
    report_path,
    quiet,
):
    """Fill missing cells (NaN, NULL, status strings such as "Bad") with GAIN, never touching an observed cell.

    \b
    indgan impute plant_logs.parquet -o filled.parquet --save imp.indgan
    indgan impute todays_log.parquet -o filled.parquet --model imp.indgan   # fit once, fill each day in seconds
    indgan impute --db sqlite:///plant.db --table readings --key id [--dry-run] [--model imp.indgan]
    indgan impute --undo RUN_ID --db sqlite:///plant.db
    """
    from .imputation import GANImputer

    _setup_logging()
    _once("--key", key)
    _once("--condition", conditions)
    _once("--column", fill_columns)
    key = key[0] if key else None
    if undo_id:
        if not db_url:
            raise click.UsageError("--undo needs --db (the database whose audit table holds the run).")
        ctx = click.get_current_context()
        extra = [
            f"--{name.replace('_', '-')}"
            for name in ctx.params
            if name not in ("undo_id", "db_url", "quiet", "device", "seed")
            and ctx.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE
        ]
        if data is not None or extra:
            raise click.UsageError(
                f"--undo restores a run as recorded in the audit table (its table and key); "
                f"{', '.join(extra) or 'DATA'} cannot change it: drop {'them' if len(extra) > 1 else 'it'}."
            )
        from .adapters.sql import undo_run

        click.echo(str(undo_run(db_url, undo_id)))
        return
    if (data is None) == (db_url is None):
        raise click.UsageError("give either a DATA file (with -o) or --db URL --table T --key K.")
    if data is not None:  # refuse a bad output, or one that is an input, before any work
        from .adapters.files import check_output_path

        output = output or default_output(
            data, "" if Path(data).is_dir() else (Path(data).suffix or ".parquet"), "_filled"
        )
        check_output_path(output, allow_folder=Path(data).is_dir())
        inputs = {"DATA": data, "--model": model_path}
        check_output(output, inputs, folder_ok=Path(data).is_dir())
        check_output(save_path, inputs, "--save")
        check_output(report_path, inputs, "--report")
    elif save_path is not None:
        check_output(save_path, {"--model": model_path}, "--save")
    gap = None
    if max_gap is not None:
        gap = int(max_gap) if max_gap.strip().isdigit() else max_gap
    if model_path is not None:
        fitting = {
            "--iterations": iterations,
            "--time-budget": time_budget,
            "--time": time_col,
            "--entity": entity,
            "--rows": row_wise or None,
            "--condition": conditions or None,
            "--save": save_path,
        }
        given = [k for k, v in fitting.items() if v is not None]
        if given:
            raise click.UsageError(
                f"{', '.join(given)}: options of fitting an imputer; with --model the imputer is "
                "already fitted (refit without --model to change them)."
            )
        from .base import load_model

        imputer = load_model(model_path, device=device)
        if not imputer.imputes:
            raise ConfigError(
                f"{model_path} holds a {imputer.kind}, not an imputer; save one with indgan impute DATA "
                "--save imp.indgan."
            )
        if gap is not None:
            imputer.set_params(max_gap=gap)
        if duplicate_times is not None:
            imputer.set_params(duplicate_times=duplicate_times)
    else:
        params = dict(
            random_state=seed,
            verbose=not quiet,
            device=device,
            max_gap=gap,
            condition=list(conditions) or None,
            duplicate_times=duplicate_times or "first",
        )
        if iterations is not None:
            params["iterations"] = iterations
        if time_budget is not None:
            params["time_budget"] = time_budget
        if row_wise:
            params["time"] = None
        elif time_col:
            params["time"] = time_col
        if entity:
            params["entity"] = entity
        imputer = GANImputer(**params)
    fitted = model_path is not None
    if db_url:
        if not table or not key:
            raise click.UsageError("--db needs --table and --key.")
        if report_path is not None:
            raise click.UsageError("--report is for files (indgan impute DATA -o FILLED --report fill.html).")
        from .adapters.sql import impute_table

        report = impute_table(
            db_url,
            table=table,
            key=key,
            imputer=imputer,
            columns=list(fill_columns) or None,
            dry_run=dry_run,
            random_state=seed,
            verbose=not quiet,
        )
        click.echo(str(report))
        if save_path is not None and imputer.__sklearn_is_fitted__():
            imputer.save(save_path)
            click.echo(f"saved the imputer to {save_path} (fill new NULLs with --model {save_path})")
        return
    if fill_columns or dry_run:
        raise click.UsageError("--column and --dry-run are database options (with --db).")
    if report_path is not None:  # refuse a bad report path before any work
        from .report.html import check_report_path

        check_report_path(report_path)
    from .adapters.files import read_table, write_table

    if Path(data).is_dir():  # a folder of parquet files: fit on a bounded sample, fill every row part by part
        _impute_folder(imputer, fitted, Path(data), output, max_memory, seed, save_path)
        return
    df = read_table(data)
    filled = imputer.transform(df) if fitted else imputer.fit_transform(df)
    before = imputer.schema_.view(df)
    n_missing = int(sum(before[c].isna().sum() for c in imputer.encoder_.continuous + imputer.encoder_.categorical))
    gaps = imputer.gaps_left(df)
    left = sum(g.steps for g in gaps)
    mode = (
        f"time-aware on {imputer.time_column_!r}"
        + (f" per {imputer.entity_column_!r}" if imputer.entity_column_ else "")
        if imputer.temporal_
        else "row by row"
    )
    how = (
        f"the imputer of {model_path}"
        if fitted
        else f"{imputer.n_iterations_} iterations, fit {imputer.fit_seconds_:.1f} s on {imputer.summary_.device}"
    )
    click.echo(f"{data}: {len(df)} rows x {df.shape[1]} columns; {n_missing} missing cells; GAIN {mode}, {how}")
    click.echo(
        f"filled {n_missing - left} cells"
        + (f"; left {left} cells missing in {len(gaps)} outage(s) longer than --max-gap {max_gap}" if left else "")
    )
    for g in gaps[:10]:
        click.echo(
            f"  {g.column}: {g.steps} steps from row {g.first_row} to {g.last_row}"
            + (f" ({imputer.entity_column_} {g.entity})" if g.entity is not None else "")
        )
    write_table(filled, output)
    click.echo(f"wrote {output}")
    if save_path is not None:
        imputer.save(save_path)
        click.echo(f"saved the imputer to {save_path} (fill new data with --model {save_path})")
    if report_path is not None:
        from .report import imputation_report

        result = imputation_report(df, filled, imputer, report_path, random_state=seed, name=str(data))
        click.echo(f"wrote {result.path} ({result.n_plots} plots, {result.seconds:.1f} s)")


def _impute_folder(imputer, fitted: bool, data: Path, output: Path | None, max_memory, seed, save_path) -> None:
    """``indgan impute FOLDER``: the imputer learns from a sample bounded by ``--max-memory`` (unless given with
    ``--model``), then fills every row, one record batch at a time (time-aware models see the previous batch's last
    window as context, so a gap across two batches is filled as in one), written in parts."""
    from .adapters.files import PartsWriter, iter_table, read_table

    if not fitted:
        imputer.fit(read_table(data, max_memory=max_memory, random_state=seed))
    context = imputer.seq_len if imputer.temporal_ else 0
    n_rows = n_filled = 0
    with PartsWriter(output) as writer:
        for part, skip in iter_table(data, rows=PART_ROWS, overlap=context):
            filled = imputer.transform(part)
            view = imputer.schema_.view(part.iloc[skip:])
            n_filled += int(
                sum(view[c].isna().sum() for c in imputer.encoder_.continuous + imputer.encoder_.categorical)
            )
            writer.write(filled.iloc[skip:])
            n_rows += len(part) - skip
    click.echo(
        f"{data}: {n_rows} rows in {writer.parts} part(s); {n_filled} missing cells filled"
        + (f" (but outages longer than --max-gap {imputer.max_gap})" if imputer.max_gap is not None else "")
        + f"; wrote {output}"
    )
    if save_path is not None:
        imputer.save(save_path)
        click.echo(f"saved the imputer to {save_path} (fill new data with --model {save_path})")


# ---------------------------------------------------------------------------------------------- sample
@cli.command()
@click.argument("model_path", metavar="MODEL", type=click.Path(path_type=Path))
@click.option(
    "-n",
    "--rows",
    "n",
    type=int,
    help="Rows to generate [default: the training data's shape: as many "
    "rows; for a log, one synthetic log per training entity with its "
    "length, start and sampling interval].",
)
@click.option(
    "--sequences", type=int, help="Log and sequence models: this many sequences (scenarios) of --steps steps."
)
@click.option(
    "--steps",
    type=int,
    help="With --sequences: steps per sequence [default: the training window or a training entity's length].",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    help="Output .parquet or .csv, or a folder of parquet parts [default: CSV on stdout].",
)
@click.option(
    "--condition",
    "conditions",
    multiple=True,
    metavar="COLUMN=VALUE",
    help="Fix a condition (repeatable), e.g. mode=B or tag70:status=Bad; log and sequence models also take "
    "schedules, fault=0:160,5:320.",
)
@click.option("--seed", type=SEED, default=None, help="Random seed of the draw.")
@click.option(
    "--fill-gaps",
    is_flag=True,
    help="Log model, training shape: generate the training log's outages too "
    "(a gapless grid) [default: the training timestamps, outages kept].",
)
@click.option(
    "--part-rows",
    type=click.IntRange(min=1),
    default=PART_ROWS,
    show_default=True,
    help=(
        "Rows (or, with --sequences, about as many rows of whole sequences) generated and written per part: the "
        "memory bound of a large -n."
    ),
)
@click.option("--device", default="auto", show_default=True)
def sample(model_path, n, sequences, steps, output, conditions, seed, fill_gaps, part_rows, device):
    """Generate synthetic data from a model file: by default a table (or log) of the training data's shape."""
    from .base import load_model

    _setup_logging()
    for name, value in (("-n", n), ("--sequences", sequences), ("--steps", steps)):
        if value is not None and value < (2 if name == "--steps" else 1):
            raise click.BadParameter(
                f"{value} is not a positive number{' of at least 2 steps' if name == '--steps' else ''}.",
                param_hint=name,
            )
    if output is not None:  # refuse a bad output before generating anything
        from .adapters.files import check_output_path

        check_output_path(output, allow_folder=True)
        check_output(output, {"MODEL": model_path}, folder_ok=True)
    model = load_model(model_path, device=device)
    sequential = getattr(model, "generates_sequences", False)
    if not sequential and (sequences is not None or steps is not None):
        raise ConfigError(
            f"--sequences and --steps apply to log and sequence models; {model_path} holds a "
            f"{model.kind} (use -n ROWS)."
        )
    if sequences is None and steps is not None:
        raise ConfigError("--steps needs --sequences N (-n counts rows).")
    if fill_gaps and not getattr(model, "keeps_outages", False):
        raise ConfigError(f"--fill-gaps applies to log models; {model_path} holds a {model.kind}.")
    parts, total = _sample_parts(
        model, n, sequences, steps, _conditions(conditions, schedules=sequential), seed, part_rows, fill_gaps
    )
    _check_sample_size(model, total, output, seed)
    from tqdm.auto import tqdm

    from .adapters.files import CsvStdoutWriter, PartsWriter

    cols = 0
    with (
        PartsWriter(output) if output is not None else CsvStdoutWriter() as writer,
        tqdm(
            total=total, unit="rows", desc="sample", disable=output is None or total <= part_rows, file=sys.stderr
        ) as bar,
    ):
        for df in parts:
            writer.write(df)
            cols = df.shape[1]
            bar.update(len(df))
    what = (
        f"{sequences} sequences ({writer.rows} rows)"
        if sequences
        else f"{writer.rows} rows" + ("" if n else " (the training shape)")
    )
    if output is not None:
        click.echo(
            f"wrote {what} x {cols} columns to {output}" + (f" in {writer.parts} parts" if writer.parts > 1 else ""),
            err=True,
        )


#: Most rows ``indgan sample`` generates in one command (10^10: more than a day at the generators' speed).
MAX_SAMPLE_ROWS = 10**10


def _sample_parts(model, n, sequences, steps, conds, seed, part_rows, fill_gaps):
    """``(parts, total rows)``: the sample as an iterator of frames, so that memory holds one part whatever its
    size. A log model yields one log part by part (its latent state carried, :meth:`LogGAN.sample_parts`); a
    sequence model whole sequences per part (ids numbered on across parts); a row model rows per part, each part
    its own seed (``seed + i``)."""
    import pandas as pd

    sequential = getattr(model, "generates_sequences", False)
    lengths = getattr(getattr(model, "fit_info_", None), "lengths", None) or []
    if sequential and sequences is not None:
        total = sequences * (steps or getattr(model, "seq_len", None) or (max(lengths) if lengths else 1))
    elif n is not None:
        total = n
    else:
        total = int(sum(lengths)) if sequential else int(getattr(model.fit_info_, "n_rows", 0) or 0)
    if hasattr(model, "sample_parts"):  # the log model: one log, part by part
        return model.sample_parts(
            n,
            sequences=sequences,
            steps=steps,
            conditions=conds,
            random_state=seed,
            fill_gaps=fill_gaps,
            part_rows=part_rows,
        ), total

    def parts():
        if sequential and sequences is not None:
            per = max(1, part_rows // max(1, steps or getattr(model, "seq_len", None) or 1))
            done = 0
            for i, size in enumerate(min(per, sequences - k) for k in range(0, sequences, per)):
                df = model.sample(
                    sequences=size, steps=steps, conditions=conds, random_state=None if seed is None else seed + i
                )
                if done and "sequence" in df.columns:
                    df["sequence"] = pd.to_numeric(df["sequence"], errors="coerce") + done
                done += size
                yield df
        elif not sequential and n is not None:
            for i, size in enumerate(min(part_rows, n - k) for k in range(0, n, part_rows)):
                yield model.sample(size, conditions=conds, random_state=None if seed is None else seed + i)
        elif sequential:
            yield model.sample(n, sequences=sequences, steps=steps, conditions=conds, random_state=seed)
        else:
            yield model.sample(n, conditions=conds, random_state=seed)

    return parts(), total


def _check_sample_size(model, total: int, output, seed) -> None:
    """Refuse, before generating anything, a sample that is absurd (more than :data:`MAX_SAMPLE_ROWS`) or that
    cannot fit the output's disk (bytes estimated from a 200-row trial in the output's format)."""
    import shutil

    if total > MAX_SAMPLE_ROWS:
        raise ConfigError(
            f"{total:,} rows asked: more than indgan samples in one command ({MAX_SAMPLE_ROWS:,}, "
            "more than a day of generation); ask for fewer rows."
        )
    if output is None or total <= 10_000:
        return
    from .adapters.files import format_bytes, is_folder_output

    trial = model.sample(200, random_state=seed)
    csv = not is_folder_output(output) and Path(output).suffix.lower() not in (".parquet", ".pq")
    per_row = (len(trial.to_csv(index=False).encode()) if csv else trial.memory_usage(index=False).sum()) / len(trial)
    need = per_row * total
    parent = Path(output).resolve().parent
    while not parent.exists():
        parent = parent.parent
    free = shutil.disk_usage(parent).free
    if need > free:
        raise ConfigError(
            f"{total:,} rows of {trial.shape[1]} columns need about {format_bytes(need)} as "
            f"{'CSV' if csv else 'parquet'} (from a 200-row trial); {parent} has {format_bytes(free)} free. "
            "Ask for fewer rows or write elsewhere."
        )


# ---------------------------------------------------------------------------------------------- scenario
@cli.command()
@click.argument("model_path", metavar="MODEL", type=click.Path(path_type=Path))
@click.option(
    "-n", "--scenarios", "n", type=click.IntRange(min=1), default=1, show_default=True, help="Scenarios to generate."
)
@click.option(
    "--steps",
    type=click.IntRange(min=2),
    help="Steps per scenario [default: the schedule's length, else the training window or a training batch's length].",
)
@click.option(
    "--condition",
    "conditions",
    multiple=True,
    metavar="COLUMN=SCHEDULE",
    help="A condition for the whole scenario (fault=5) or a schedule of VALUE:STEPS segments "
    "(fault=0:160,5:320: normal for 160 steps, then fault 5 for 320). Repeatable.",
)
@click.option(
    "--schedule", type=click.Path(path_type=Path), help="CSV/parquet: one column per condition, one row per step."
)
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True, help="Output .parquet or .csv.")
@click.option("--seed", type=SEED, default=None, help="Random seed of the draw.")
@click.option("--device", default="auto", show_default=True)
def scenario(model_path, n, steps, conditions, schedule, output, seed, device):
    """Generate synthetic operating scenarios (long sequences, condition schedules) from a log or sequence model."""
    check_output(output, {"MODEL": model_path, "--schedule": schedule})
    from .adapters.files import write_table
    from .base import load_model
    from .scenarios import generate_scenarios

    _setup_logging()
    model = load_model(model_path, device=device)
    if not getattr(model, "generates_sequences", False):
        raise ConfigError(
            f"{model_path} holds a {model.kind}; scenarios need a log or sequence model "
            "(indgan fit DATA with a time column)."
        )
    result = generate_scenarios(
        model, n, steps=steps, conditions=_conditions(conditions), schedule=schedule, random_state=seed
    )
    write_table(result.frame, output)
    df = result.frame
    click.echo(f"wrote {n} scenario(s), {len(df)} steps x {df.shape[1]} columns, to {output}")
    r = result.ranges
    if len(r):
        pinned = r[r.at_limit > 0.05].sort_values("at_limit", ascending=False)
        click.echo(
            f"  every tag within its training range (clipped); {len(pinned)} of {len(r)} tag(s) spend more "
            "than 5% of the steps within 1% of a limit" + (":" if len(pinned) else ".")
        )
        for row in pinned.head(8).itertuples():
            click.echo(f"    {row.tag}: {row.at_limit:.0%} at a limit (range {row.train_min:g} .. {row.train_max:g})")


# ---------------------------------------------------------------------------------------------- upsample
@cli.command()
@click.argument("model_path", metavar="MODEL", type=click.Path(path_type=Path))
@click.argument("coarse", type=click.Path(path_type=Path))
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    required=True,
    help="File to write the fine history to (parquet or CSV).",
)
@click.option(
    "--draws",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Fine histories per coarse history (a 'draw' column numbers them); their spread is reported per tag.",
)
@click.option("--seed", type=SEED, default=0, show_default=True, help="Random seed of the draw.")
@click.option("--device", default="auto", show_default=True)
def upsample(model_path, coarse, output, draws, seed, device):
    """Fine history from COARSE data (block means or samples at the model's factor x its fine interval) with a
    super-resolution model (indgan fit DATA --model super-resolution)."""
    check_output(output, {"MODEL": model_path, "COARSE": coarse})
    from .adapters.files import read_table, write_table
    from .base import load_model

    _setup_logging()
    model = load_model(model_path, device=device)
    if not model.upsamples:
        raise ConfigError(
            f"{model_path} holds a {model.kind}; upsampling needs a super-resolution model "
            "(indgan fit DATA --model super-resolution --factor 8)."
        )
    fine = model.upsample(read_table(coarse), draws=draws, random_state=seed)
    write_table(fine, output)
    fi = model.fit_info_
    click.echo(
        f"wrote {output}: {draws} fine histor{'y' if draws == 1 else 'ies'} of {len(fine) // draws} steps x "
        f"{len(fi.tags)} tag(s) (x{fi.factor}, consistent with the coarse {fi.coarse}s)"
    )
    if draws > 1:
        spread = model.draw_spread(fine)
        click.echo("  spread of the draws per tag (std across draws, mean over steps, user units), largest first:")
        for tag, value in spread.head(10).items():
            click.echo(f"    {tag}: {value:.4g}")
        if len(spread) > 10:
            click.echo(f"    ... and {len(spread) - 10} more (median {spread.median():.4g})")


# ---------------------------------------------------------------------------------------------- translate
@cli.command()
@click.argument("model_path", metavar="MODEL", type=click.Path(path_type=Path))
@click.argument("frame", type=click.Path(path_type=Path))
@click.option("--to", "to", required=True, help="The domain to translate into: one of the model's two values (e.g. 4).")
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    required=True,
    help="File to write the translated log to (parquet or CSV).",
)
@click.option("--device", default="auto", show_default=True)
def translate(model_path, frame, to, output, device):
    """Translate the log FRAME into another regime with a CycleGAN model (indgan fit DATA --model cyclegan
    --domains fault=0,4): "this week, under fault 4"."""
    from .adapters.files import check_output_path, read_table, write_table
    from .base import load_model

    _setup_logging()
    check_output_path(output)
    check_output(output, {"MODEL": model_path, "FRAME": frame})
    model = load_model(model_path, device=device)
    if not model.translates:
        raise ConfigError(
            f"{model_path} holds a {model.kind}; translating needs a CycleGAN model "
            "(indgan fit DATA --model cyclegan --domains COLUMN=A,B)."
        )
    source = read_table(frame)
    out = model.translate(source, to=to)
    write_table(out, output)
    fi = model.fit_info_
    changed = int((out[fi.domain_column] != source[fi.domain_column]).sum()) if fi.domain_column in source else len(out)
    click.echo(
        f"wrote {output}: {len(out)} rows, {changed} translated to {fi.domain_column}={to} "
        f"({fi.n_tags} tags; missing cells, status strings and the other columns as in {frame})"
    )


# ---------------------------------------------------------------------------------------------- evaluate
@cli.command("evaluate")
@click.argument("real", type=click.Path(path_type=Path))
@click.argument("synthetic", type=click.Path(path_type=Path))
@click.option("--json", "json_path", type=click.Path(path_type=Path), help="Also write the report as JSON.")
@click.option(
    "--model",
    "model_path",
    type=click.Path(path_type=Path),
    help="Use this model file's column roles instead of inferring them.",
)
@click.option(
    "--max-rows",
    type=int,
    default=20_000,
    show_default=True,
    help="Subsample each table to this many rows for sdmetrics.",
)
@click.option(
    "--time/--no-time",
    "over_time",
    default=None,
    help=(
        "Score over time too: step changes, autocorrelation, discriminative score on non-overlapping windows "
        "[default: when there is a time column]."
    ),
)
@click.option(
    "--sequences",
    is_flag=True,
    help=(
        "Also score sequences: TimeGAN's discriminative and predictive scores, autocorrelation and cross-correlation "
        "differences."
    ),
)
@click.option(
    "--seq-len", type=click.IntRange(min=2), default=24, show_default=True, help="With --sequences: window length."
)
@click.option(
    "--by",
    multiple=True,
    metavar="COLUMN",
    help=(
        "With --sequences: compare with real windows of the synthetic data's values of this condition [default: "
        "condition-like columns whose synthetic values are a subset of the real ones]."
    ),
)
@click.option(
    "--repeats",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="With --sequences: repeats of each post-hoc model (TimeGAN: 10).",
)
@click.option(
    "--post-hoc-iterations",
    type=(click.IntRange(min=1), click.IntRange(min=1)),
    default=(2000, 5000),
    show_default=True,
    metavar="DISC PRED",
    help="With --sequences: training iterations of the post-hoc classifier and predictor (TimeGAN: 2000 5000).",
)
def evaluate_cmd(
    real, synthetic, json_path, model_path, max_rows, over_time, sequences, seq_len, by, repeats, post_hoc_iterations
):
    """Score SYNTHETIC against REAL: rows (sdmetrics quality and diagnostic reports) and, for logs, over time."""
    check_output(json_path, {"REAL": real, "SYNTHETIC": synthetic}, "--json")
    from .adapters.files import read_table
    from .metrics import evaluate, evaluate_sequences

    _setup_logging()
    schema = None
    if model_path:
        from .base import load_model

        schema = load_model(model_path, device="cpu").schema_
    real_df, syn_df = read_table(real), read_table(synthetic)
    if sequences:
        report = evaluate_sequences(
            real_df,
            syn_df,
            schema=schema,
            seq_len=seq_len,
            by=list(by),
            n_repeats=repeats,
            iterations=post_hoc_iterations,
        )
    else:
        report = evaluate(real_df, syn_df, schema=schema, max_rows=max_rows, temporal=over_time)
    click.echo(str(report))
    if json_path:
        report.to_json(json_path)
        click.echo(f"wrote {json_path}")


# ---------------------------------------------------------------------------------------------- report
@cli.command("report")
@click.argument("real", type=click.Path(path_type=Path))
@click.argument("synthetic", type=click.Path(path_type=Path))
@click.option(
    "--model",
    "model_path",
    type=click.Path(path_type=Path),
    help="The model that generated SYNTHETIC: its column roles, training curves and conditions.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    default=Path("report.html"),
    show_default=True,
    help="The HTML page to write.",
)
@click.option(
    "--png",
    "png_dir",
    type=click.Path(path_type=Path),
    help="Also write every figure as a PNG into this folder (needs matplotlib).",
)
@click.option(
    "--max-rows",
    type=int,
    default=20_000,
    show_default=True,
    help="Subsample each table to this many rows for the sdmetrics scores.",
)
@click.option(
    "--tags",
    "n_tags",
    type=click.IntRange(min=1),
    default=6,
    show_default=True,
    help="Tags on the trend, autocorrelation and daily-profile plots.",
)
@click.option(
    "--discriminative", is_flag=True, help="Add TimeGAN's discriminative score (trains a classifier; tens of seconds)."
)
def report_cmd(real, synthetic, model_path, output, png_dir, max_rows, n_tags, discriminative):
    """Write one self-contained HTML page of SYNTHETIC against REAL (scores, distributions, trends, correlations,
    training curves), readable offline in any browser."""
    check_output(output, {"REAL": real, "SYNTHETIC": synthetic, "--model": model_path})
    check_output(png_dir, {"REAL": real, "SYNTHETIC": synthetic, "--model": model_path}, "--png", folder_ok=True)
    from .adapters.files import read_table
    from .report import synthetic_report
    from .report.html import check_report_path

    _setup_logging()
    check_report_path(output)  # refuse a bad output before any work
    model = None
    if model_path:
        from .base import load_model

        model = load_model(model_path, device="cpu")
    result = synthetic_report(
        read_table(real),
        read_table(synthetic),
        output,
        model=model,
        png=png_dir,
        max_rows=max_rows,
        n_tags=n_tags,
        discriminative=discriminative,
        real_name=str(real),
        synthetic_name=str(synthetic),
    )
    for note in result.notes:
        click.echo(f"note: {note}")
    click.echo(
        f"wrote {result.path} ({result.path.stat().st_size / 1e6:.1f} MB, {result.n_plots} plots, "
        f"{result.seconds:.1f} s)" + (f" and {len(result.pngs)} PNGs to {png_dir}" if png_dir else "")
    )


# ---------------------------------------------------------------------------------------------- info
@cli.command()
@click.argument("model_path", metavar="MODEL", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print everything as JSON.")
def info(model_path, as_json):
    """Show a model file's schema, config and training summary."""
    from .base import load_model

    model = load_model(model_path, device="cpu")
    summary = model.summary_
    if as_json:
        schema = getattr(model, "schema_", None)
        fit = model.fit_info_.to_dict() if hasattr(model, "fit_info_") else {}
        click.echo(
            json.dumps(
                {
                    "kind": model.kind,
                    "params": model.get_params(),
                    "schema": schema.to_dict() if schema is not None else None,
                    "conditions": model.condition_candidates(),
                    "fit": fit,
                    "summary": summary.to_dict(),
                },
                indent=2,
                default=str,
            )
        )
        return
    click.echo(f"{model_path}: {model.kind}")
    params = model.get_params()
    click.echo("config: " + ", ".join(f"{k}={v}" for k, v in params.items() if k not in ("verbose", "columns")))
    schema = getattr(model, "schema_", None)
    if schema is not None:
        click.echo(f"schema: {len(schema.columns)} columns")
        table = schema.describe()
        for role in ("time", "entity", "categorical", "continuous", "constant", "ignored"):
            names = table.loc[table.role == role, "column"].tolist()
            if names:
                shown = ", ".join(names[:12]) + (f" ... (+{len(names) - 12})" if len(names) > 12 else "")
                click.echo(f"  {role:<11} {len(names):>4}: {shown}")
        for c in schema.columns:
            if c.statuses:
                click.echo(f"  status strings in {c.name}: {', '.join(c.statuses)}")
    conds = model.condition_candidates()
    if conds:
        click.echo("conditions (sample --condition COLUMN=VALUE):")
        for col, levels in conds.items():
            shown = ", ".join(map(str, levels[:8])) + (" ..." if len(levels) > 8 else "")
            click.echo(f"  {col}: {shown}")
    for line in model.training_lines():
        click.echo(line)
    extra_name = model.extra_loss_name
    hist = summary.history
    if hist:
        click.echo(f"  {'epoch':>6} {'G loss':>10} {'D loss':>10} {extra_name:>9} {'D(x)':>8} {'D(G(z))':>8}")
        picks = sorted({0, len(hist) // 4, len(hist) // 2, 3 * len(hist) // 4, len(hist) - 1})
        for i in picks:
            h = hist[i]
            click.echo(
                f"  {h['epoch']:>6} {h['generator_loss']:>10.4f} {h['critic_loss']:>10.4f} "
                f"{h['extra_loss']:>9.4f} {h['d_real']:>8.3f} {h['d_fake']:>8.3f}"
            )


# ---------------------------------------------------------------------------------------------- images
@cli.group()
def images():
    """Image GANs: DCGAN and the conditional DCGAN (fit, sample, interpolate, evaluate)."""


@images.command("fit")
@click.argument("source")
@click.option(
    "--output",
    "--out",
    "-o",
    "out",
    type=click.Path(path_type=Path),
    help="Model file [default: SOURCE name + .indgan]; --out is the older name.",
)
@click.option("--conditional", is_flag=True, help="Conditional GAN: learn one generator for every label.")
@click.option("--size", type=click.Choice(["28", "32", "64"]), help="Resize images to this many pixels square.")
@click.option(
    "--epochs", type=click.IntRange(min=1), help="Most passes over the images [default: as the time budget allows]."
)
@click.option(
    "--time-budget",
    help="How long training may take: seconds or a duration (90s, 10m, 1h) [default: "
    f"{describe_auto()}; with --epochs and no budget, exactly that many epochs].",
)
@click.option("--batch-size", type=int, default=128, show_default=True)
@click.option(
    "--features", type=int, default=64, show_default=True, help="Feature maps of the first/last layer (DCGAN's 64)."
)
@click.option("--loss", type=click.Choice(tuple(LOSSES)), default="non-saturating", show_default=True)
@click.option("--critic-steps", type=int, default=1, show_default=True, help="Discriminator steps per generator step.")
@click.option("--device", default="auto", show_default=True)
@click.option("--seed", type=SEED, default=0, show_default=True)
@click.option("--quiet", "-q", is_flag=True)
def images_fit(
    source, out, conditional, size, epochs, time_budget, batch_size, features, loss, critic_steps, device, seed, quiet
):
    """Train a DCGAN (or with --conditional a conditional DCGAN) on SOURCE: fashion-mnist (Debian's
    dataset-fashion-mnist), digits (scikit-learn), a folder of images (class sub-folders as labels) or an .npz."""
    from .image import DCGAN, ConditionalDCGAN
    from .image.prepare import load_images

    _setup_logging()
    out = out or default_output(source, ".indgan")
    check_output(out, {"SOURCE": source}, "--output")  # before any work
    data = load_images(source, size=int(size) if size else None)
    cls = ConditionalDCGAN if conditional else DCGAN
    if conditional and data.labels is None:
        raise ConfigError(f"{source}: --conditional needs labels (class sub-folders, or 'labels' in the .npz).")
    c, h, w = data.shape
    click.echo(
        f"{data.source}: {len(data)} images of {h} x {w} x {c}"
        + (f", {len(data.classes)} classes" if data.labels is not None else "")
    )
    budget = time_budget if time_budget is not None else (None if epochs else "auto")
    model = cls(
        epochs=epochs,
        time_budget=budget,
        batch_size=batch_size,
        features=features,
        loss=loss,
        critic_steps=critic_steps,
        device=device,
        random_state=seed,
        verbose=not quiet,
    )
    from .budget import budget_seconds
    from .training import resolve_device

    seconds = budget_seconds(budget, resolve_device(device), n_rows=len(data), unit="images")
    grown = budget == "auto" and seconds != budget_seconds(budget, resolve_device(device))
    click.echo(
        f"  {cls.kind}: "
        + (f"time budget {_duration(seconds)}" if seconds else "no time budget")
        + (f" (grown with the {len(data):,} images)" if grown else "")
        + (f", at most {epochs} epochs" if epochs else "")
    )
    model.fit(data)
    model.save(out)
    fi, last = model.fit_info_, model.summary_.history[-1]
    click.echo(
        f"wrote {out}; {model.kind}, {model.summary_.epochs} epochs, {fi.seconds_per_epoch:.1f} s per epoch on "
        f"{model.summary_.device} ({_stop_words(model)})"
    )
    click.echo(
        f"  last epoch: G loss {last['generator_loss']:.3f}, D loss {last['critic_loss']:.3f}, "
        + _scores(model.summary_.loss, last)
    )
    cov = f"class coverage {fi.coverage:.2f}, " if fi.coverage is not None else ""
    click.echo(f"  mode-collapse signal: {cov}diversity {fi.diversity:.2f} (1 = as diverse as the data)")


@images.command("sample")
@click.argument("model_path", type=click.Path(path_type=Path))
@click.option("-n", type=int, default=64, show_default=True, help="Number of images.")
@click.option("--label", help="Class to draw (index or name; conditional models).")
@click.option(
    "--output", "-o", type=click.Path(path_type=Path), required=True, help="PNG grid, or .npz for the arrays."
)
@click.option("--seed", type=SEED, default=0, show_default=True)
@click.option("--device", default="auto", show_default=True)
def images_sample(model_path, n, label, output, seed, device):
    """Draw N images from a trained image GAN, as a PNG grid or an .npz of uint8 arrays."""
    import numpy as np

    from .image.prepare import save_grid
    from .base import load_model

    model = load_model(model_path, device=device)
    imgs = model.sample(n, labels=label, random_state=seed)
    if str(output).lower().endswith(".npz"):
        np.savez_compressed(output, images=imgs)
    else:
        save_grid(imgs, output)
    click.echo(
        f"wrote {output}: {n} images of {imgs.shape[2]} x {imgs.shape[3]}" + (f", label {label}" if label else "")
    )


@images.command("interpolate")
@click.argument("model_path", type=click.Path(path_type=Path))
@click.option("--steps", type=int, default=10, show_default=True, help="Images per walk.")
@click.option("--rows", type=int, default=8, show_default=True, help="Number of walks (grid rows).")
@click.option("--label", help="Class of every walk (conditional models) [default: one drawn per walk].")
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True)
@click.option("--seed", type=SEED, default=0, show_default=True)
@click.option("--device", default="auto", show_default=True)
def images_interpolate(model_path, steps, rows, label, output, seed, device):
    """Latent walk: each row moves in equal steps from one z to another."""
    from .image.prepare import save_grid
    from .base import load_model

    model = load_model(model_path, device=device)
    imgs = model.interpolate(steps=steps, n=rows, labels=label, random_state=seed)
    save_grid(imgs, output, nrow=steps)
    click.echo(f"wrote {output}: {rows} walks of {steps} steps")


@images.command("report")
@click.argument("model_path", type=click.Path(path_type=Path))
@click.option("--output", "-o", type=click.Path(path_type=Path), default=Path("report.html"), show_default=True)
@click.option(
    "--png", "png_dir", type=click.Path(path_type=Path), help="Also write every figure as a PNG into this folder."
)
@click.option("--seed", type=SEED, default=0, show_default=True)
def images_report(model_path, output, png_dir, seed):
    """An HTML page of an image GAN: samples, latent walks, training curves, the mode-collapse signal."""
    from .base import load_model
    from .report import image_report
    from .report.html import check_report_path

    check_output(output, {"MODEL": model_path})
    check_output(png_dir, {"MODEL": model_path}, "--png", folder_ok=True)
    check_report_path(output)
    result = image_report(load_model(model_path, device="cpu"), output, png=png_dir, random_state=seed)
    click.echo(
        f"wrote {result.path} ({result.n_plots} plots)"
        + (f" and {len(result.pngs)} PNGs to {png_dir}" if png_dir else "")
    )


@images.command("evaluate")
@click.argument("model_path", type=click.Path(path_type=Path))
@click.argument("source")
@click.option("--size", type=click.Choice(["28", "32", "64"]), help="Resize the real images (as for fit).")
@click.option("-n", type=int, default=2000, show_default=True, help="Generated images to score.")
@click.option("--classifier-epochs", type=int, default=3, show_default=True)
@click.option("--json", "json_path", type=click.Path(path_type=Path), help="Write the scores as JSON.")
@click.option("--seed", type=SEED, default=0, show_default=True)
@click.option("--device", default="auto", show_default=True)
def images_evaluate(model_path, source, size, n, classifier_epochs, json_path, seed, device):
    """Score a model against SOURCE's real images: classifier Frechet distance, conditional accuracy, coverage.

    fashion-mnist uses its test split as held-out images; other sources are split 80/20."""
    from .image.prepare import load_images
    from .metrics.images import evaluate_images
    from .base import load_model

    model = load_model(model_path, device=device)
    sz = int(size) if size else None
    if source == "fashion-mnist":
        train, test = load_images(source, sz, "train"), load_images(source, sz, "test")
    else:
        train, test = load_images(source, sz).split(0.2, seed)
    report = evaluate_images(model, train, test, n=n, classifier_epochs=classifier_epochs, random_state=seed)
    click.echo(str(report))
    if json_path:
        json_path.write_text(json.dumps(report.to_dict(), indent=2))
        click.echo(f"wrote {json_path}")


def _terminate(signum, frame) -> None:
    """SIGTERM (a scheduler's stop, ``kill``) ends the command as Ctrl-C does: half-written outputs are removed
    and every earlier file stays as it was (:mod:`indgan.atomic`); the exit status is 143."""
    raise SystemExit(128 + signum)


def main() -> None:
    """Console-script entry point."""
    import signal

    signal.signal(signal.SIGTERM, _terminate)
    try:
        cli(prog_name="indgan")
    except BrokenPipeError:  # the reader of stdout went away (indgan sample M | head): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(141)


if __name__ == "__main__":
    main()
