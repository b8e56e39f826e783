"""The ``indgan`` command line: a thin layer over the Python API.

    indgan fit plant_logs.parquet --out plant.indgan
    indgan sample plant.indgan -n 5000 -o synthetic.parquet [--condition mode=B]
    indgan evaluate plant_logs.parquet synthetic.parquet --json report.json
    indgan info plant.indgan

Every error a user can cause is printed as one line (``Error: ...``) with exit status 1 (2 for bad usage),
never as a traceback.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from .errors import ConfigError, IndganError

MODELS = ("tabular",)


class _Group(click.Group):
    """Turns indgan's errors into one-line click errors."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except IndganError as exc:
            raise click.ClickException(str(exc)) from None
        except MemoryError:
            raise click.ClickException("out of memory; lower --batch-size or sample fewer rows.") from None


def _setup_logging(quiet: bool) -> None:
    logging.basicConfig(level=logging.ERROR if quiet else logging.WARNING, format="indgan: %(levelname)s: %(message)s",
                        stream=sys.stderr, force=True)


def _parse_conditions(values: tuple[str, ...]) -> dict:
    out = {}
    for v in values:
        col, sep, val = v.partition("=")
        if not sep or not col:
            raise click.BadParameter(f"{v!r}: write conditions as COLUMN=VALUE, e.g. mode=B.", param_hint="--condition")
        out[col.strip()] = val.strip()
    return out


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="indgan")
def cli():
    """indgan: generative adversarial networks for industrial data (plant historian logs)."""


# ---------------------------------------------------------------------------------------------- fit
@cli.command()
@click.argument("data", type=click.Path(path_type=Path))
@click.option("--out", "-o", type=click.Path(path_type=Path), help="Model file to write [default: DATA stem + .indgan].")
@click.option("--config", "-c", type=click.Path(path_type=Path), help="TOML config: [columns] roles, [model] parameters (presets in configs/).")
@click.option("--model", "model_kind", type=click.Choice(MODELS), default="tabular", show_default=True, help="Model family.")
@click.option("--epochs", type=int, help="Passes over the data [default: 300].")
@click.option("--batch-size", type=int, help="Rows per step [default: 500].")
@click.option("--loss", type=click.Choice(["wgan-gp", "minimax", "non-saturating", "feature-matching"]), help="Adversarial loss [default: wgan-gp].")
@click.option("--critic-steps", type=int, help="Critic updates per generator update [default: 1].")
@click.option("--device", default=None, help="auto (CUDA when present), cpu, cuda, cuda:N [default: auto].")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed (same seed, same device -> same model).")
@click.option("--eval-rows", type=int, default=None, help="Rows sampled for the closing quality score [default: as many as the data, at most 20000]; 0 skips it.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def fit(data, out, config, model_kind, epochs, batch_size, loss, critic_steps, device, seed, eval_rows, quiet):
    """Learn normal operation from DATA (parquet or CSV) and write a model file."""
    from .evaluation import evaluate
    from .io import read_table
    from .models.tabular import TabularGAN
    from .schema import infer_schema, load_config
    from .training import resolve_device

    _setup_logging(quiet)
    cfg = load_config(config) if config else {}
    params = dict(cfg.get("model", {}))
    for key, value in (("epochs", epochs), ("batch_size", batch_size), ("loss", loss),
                       ("critic_steps", critic_steps), ("device", device)):
        if value is not None:
            params[key] = value
    params.setdefault("device", "auto")
    params["random_state"] = seed
    params["verbose"] = not quiet
    for key in ("generator_dim", "critic_dim"):
        if key in params:
            params[key] = tuple(params[key])
    try:
        model = TabularGAN(**params)
    except TypeError as exc:
        raise ConfigError(f"{config}: unknown [model] setting: {exc}") from None

    df = read_table(data)
    schema_cfg = cfg.get("schema", {})
    schema = infer_schema(df, overrides=cfg.get("columns"), source=str(data),
                          max_discrete_levels=schema_cfg.get("max_discrete_levels", model.max_discrete_levels),
                          max_categories=schema_cfg.get("max_categories", 1000))
    roles = {}
    for c in schema.columns:
        roles.setdefault(c.role, []).append(c.name)
    click.echo(f"{data}: {len(df)} rows x {df.shape[1]} columns; " + ", ".join(f"{len(v)} {k}" for k, v in roles.items()))
    with_status = [c.name for c in schema.columns if c.statuses]
    if with_status:
        click.echo(f"  status strings in: {', '.join(with_status)} (learned as missing values with a status)")
    click.echo(f"  model: {model_kind} (CTGAN), {model.epochs} epochs, loss {model.loss}, "
               f"device {resolve_device(model.device)}")
    model.fit(df, schema=schema)
    out = out or Path(Path(data).name.split(".")[0] + ".indgan")
    model.save(out)
    info = model.fit_info_
    last = model.summary_.history[-1]
    click.echo(f"wrote {out} ({Path(out).stat().st_size / 1e6:.1f} MB); fit {info['fit_seconds']:.1f} s "
               f"(transform {info['transform_seconds']:.1f} s) on {model.summary_.device}")
    click.echo(f"  last epoch: generator loss {last['generator_loss']:.4f}, critic loss {last['critic_loss']:.4f}, "
               f"D(x) {last['d_real']:.3f}, D(G(z)) {last['d_fake']:.3f}")
    n_eval = min(len(df), 20_000) if eval_rows is None else eval_rows
    if n_eval > 0:
        synthetic = model.sample(n_eval, random_state=seed)
        report = evaluate(df, synthetic, schema=schema)
        click.echo(f"quality score (sdmetrics QualityReport, {n_eval} synthetic rows vs the training data): "
                   f"{report.quality_score:.4f}")
        for r in report.properties.itertuples():
            if r.report == "quality":
                click.echo(f"  {r.property}: {r.score:.4f}")


# ---------------------------------------------------------------------------------------------- sample
@cli.command()
@click.argument("model_path", metavar="MODEL", type=click.Path(path_type=Path))
@click.option("-n", "--rows", "n", type=click.IntRange(min=1), default=1000, show_default=True, help="Rows to generate.")
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Output .parquet or .csv [default: CSV on stdout].")
@click.option("--condition", "conditions", multiple=True, metavar="COLUMN=VALUE",
              help="Fix a categorical column (repeatable), e.g. mode=B or tag70:status=Bad.")
@click.option("--seed", type=int, default=None, help="Random seed of the draw.")
@click.option("--device", default="auto", show_default=True)
def sample(model_path, n, output, conditions, seed, device):
    """Generate synthetic rows from a model file."""
    from .io import write_table
    from .models.tabular import TabularGAN

    _setup_logging(False)
    model = TabularGAN.load(model_path, device=device)
    df = model.sample(n, conditions=_parse_conditions(conditions), random_state=seed)
    if output is None:
        df.to_csv(sys.stdout, index=False)
        return
    write_table(df, output)
    click.echo(f"wrote {n} rows x {df.shape[1]} columns to {output}", err=True)


# ---------------------------------------------------------------------------------------------- evaluate
@cli.command("evaluate")
@click.argument("real", type=click.Path(path_type=Path))
@click.argument("synthetic", type=click.Path(path_type=Path))
@click.option("--json", "json_path", type=click.Path(path_type=Path), help="Also write the report as JSON.")
@click.option("--model", "model_path", type=click.Path(path_type=Path), help="Use this model file's column roles instead of inferring them.")
@click.option("--max-rows", type=int, default=20_000, show_default=True, help="Subsample each table to this many rows.")
def evaluate_cmd(real, synthetic, json_path, model_path, max_rows):
    """Score SYNTHETIC against REAL with sdmetrics (quality and diagnostic reports)."""
    from .evaluation import evaluate
    from .io import read_table

    _setup_logging(False)
    schema = None
    if model_path:
        from .models.tabular import TabularGAN
        schema = TabularGAN.load(model_path, device="cpu").schema_
    report = evaluate(read_table(real), read_table(synthetic), schema=schema, max_rows=max_rows)
    click.echo(str(report))
    if json_path:
        report.to_json(json_path)
        click.echo(f"wrote {json_path}")


# ---------------------------------------------------------------------------------------------- info
@cli.command()
@click.argument("model_path", metavar="MODEL", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print everything as JSON.")
def info(model_path, as_json):
    """Show a model file's schema, config and training summary."""
    from .models.tabular import TabularGAN

    model = TabularGAN.load(model_path, device="cpu")
    summary = model.summary_
    if as_json:
        click.echo(json.dumps({"kind": model.kind, "params": model.get_params(), "schema": model.schema_.to_dict(),
                               "conditions": model.condition_candidates(), "fit": model.fit_info_,
                               "summary": summary.to_dict()}, indent=2, default=str))
        return
    click.echo(f"{model_path}: {model.kind}")
    params = model.get_params()
    click.echo("config: " + ", ".join(f"{k}={v}" for k, v in params.items() if k not in ("verbose", "columns")))
    schema = model.schema_
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
    fi = model.fit_info_
    click.echo(f"training: {summary.epochs} epochs x {fi['steps_per_epoch']} steps, batch {fi['batch_size']}, "
               f"loss {summary.loss}, {summary.seconds:.1f} s on {summary.device}, {fi['n_rows']} rows")
    hist = summary.history
    if hist:
        click.echo(f"  {'epoch':>6} {'G loss':>10} {'D loss':>10} {'cond CE':>9} {'D(x)':>8} {'D(G(z))':>8}")
        picks = sorted({0, len(hist) // 4, len(hist) // 2, 3 * len(hist) // 4, len(hist) - 1})
        for i in picks:
            h = hist[i]
            click.echo(f"  {h['epoch']:>6} {h['generator_loss']:>10.4f} {h['critic_loss']:>10.4f} "
                       f"{h['extra_loss']:>9.4f} {h['d_real']:>8.3f} {h['d_fake']:>8.3f}")


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="indgan")


if __name__ == "__main__":
    main()
