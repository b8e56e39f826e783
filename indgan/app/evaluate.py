"""The evaluate, report and info jobs: scores and pages of synthetic data against real data, and what a model
file holds."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd

from ..atomic import check_output
from .common import Lines, Say, input_paths, is_probabilistic, model_of


def _read(data) -> pd.DataFrame:
    """A table to score: a file, a DataFrame or a database URL's table; a narrow historian table aligned on its grid
    (:func:`indgan.app.data.load`), so that narrow samples are scored against narrow sources as logs."""
    from .data import load

    return load(data).frame


def evaluate(
    real,
    synthetic,
    *,
    json_path: str | Path | None = None,
    model_file=None,
    metadata=None,
    holdout=None,
    max_rows: int = 20_000,
    over_time: bool | None = None,
    sequences: bool = False,
    seq_len: int = 24,
    by: tuple | list = (),
    repeats: int = 10,
    post_hoc_iterations: tuple[int, int] = (2000, 5000),
    say: Say | None = None,
):
    """Score ``synthetic`` against ``real`` (paths or DataFrames): what ``indgan evaluate`` does.

    Rows with sdmetrics' quality and diagnostic reports and, for logs, over time
    (:func:`indgan.metrics.evaluate`); with ``sequences`` TimeGAN's discriminative and predictive scores
    (:func:`indgan.metrics.evaluate_sequences`). ``model_file``: use its column roles instead of inferring them;
    ``metadata``: SDV metadata (object, dict or JSON file) whose roles to use (:meth:`indgan.Schema.from_sdv_metadata`).
    ``holdout``: real rows the model never saw (a path or a DataFrame; ``fit --holdout`` writes them): adds the
    privacy check (:func:`indgan.metrics.privacy.privacy_report`) as the report's ``privacy`` attribute.

    Returns
    -------
    EvaluationReport or SequenceReport
    """
    lines = Lines(say)
    check_output(json_path, input_paths(REAL=real, SYNTHETIC=synthetic, HOLDOUT=holdout), "--json")
    from ..metrics import evaluate as evaluate_rows
    from ..metrics import evaluate_sequences

    model = model_of(model_file, "cpu")
    schema = model.schema_ if model is not None else None
    real_df, syn_df = _read(real), _read(synthetic)
    if metadata is not None:
        from ..errors import ConfigError
        from ..schema import Schema

        if schema is not None:
            raise ConfigError("give the column roles once: --model-file or --metadata, not both.")
        schema = Schema.from_sdv_metadata(metadata, real_df, source=str(real))
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
        report = evaluate_rows(real_df, syn_df, schema=schema, max_rows=max_rows, temporal=over_time)
    lines(str(report))
    report.privacy = _privacy(real_df, syn_df, holdout, schema, lines)
    if json_path:
        report.to_json(json_path)
        lines(f"wrote {json_path}")
    return report


def _privacy(real_df, syn_df, holdout, schema, lines):
    """The privacy section, with a holdout; without one, a line saying how to get it."""
    if holdout is None:
        lines("privacy: not checked; give --holdout FILE (fresh real rows; indgan fit --holdout 0.2 writes them)")
        return None
    from ..metrics.privacy import privacy_report

    found = privacy_report(real_df, syn_df, _read(holdout), schema=schema)
    for line in str(found).splitlines():
        lines(line)
    return found


def report(
    real,
    synthetic,
    *,
    output: str | Path = "report.html",
    model_file=None,
    png: str | Path | None = None,
    holdout=None,
    max_rows: int = 20_000,
    n_tags: int = 6,
    discriminative: bool = False,
    say: Say | None = None,
):
    """One self-contained HTML page of ``synthetic`` against ``real``: what ``indgan report`` does
    (:func:`indgan.report.synthetic_report`). Returns its result (``path``, ``n_plots``, ``pngs``, ``notes``); with
    ``holdout`` (fresh real rows) the privacy check is printed as well."""
    lines = Lines(say)
    inputs = input_paths(REAL=real, SYNTHETIC=synthetic, HOLDOUT=holdout, **{"--model-file": model_file})
    check_output(output, inputs)
    check_output(png, inputs, "--png", folder_ok=True)
    from ..report import synthetic_report
    from ..report.html import check_report_path

    check_report_path(output)  # refuse a bad output before any work
    real_df, syn_df = _read(real), _read(synthetic)
    model = model_of(model_file, "cpu")
    privacy = _privacy(real_df, syn_df, holdout, model.schema_ if model is not None else None, lines)
    result = synthetic_report(
        real_df,
        syn_df,
        output,
        model=model,
        png=png,
        max_rows=max_rows,
        n_tags=n_tags,
        discriminative=discriminative,
        real_name=str(real) if isinstance(real, (str, Path)) else "real",
        synthetic_name=str(synthetic) if isinstance(synthetic, (str, Path)) else "synthetic",
    )
    result.privacy = privacy
    for note in result.notes:
        lines(f"note: {note}")
    lines(
        f"wrote {result.path} ({result.path.stat().st_size / 1e6:.1f} MB, {result.n_plots} plots, "
        f"{result.seconds:.1f} s)" + (f" and {len(result.pngs)} PNGs to {png}" if png else "")
    )
    return result


@dataclasses.dataclass
class ModelInfo:
    """What a model file holds: ``as_dict`` (kind, parameters, schema, conditions, fit, training summary) and
    ``lines``, the same in words (``indgan info``)."""

    as_dict: dict
    lines: list[str]

    def to_json(self) -> str:
        return json.dumps(self.as_dict, indent=2, default=str)


def info(model_file) -> ModelInfo:
    """A model file's schema, config and training summary: what ``indgan info`` prints."""
    model = model_of(model_file, "cpu")
    summary = model.summary_
    schema = getattr(model, "schema_", None)
    as_dict = {
        "kind": model.kind,
        "params": model.get_params(),
        "schema": schema.to_dict() if schema is not None else None,
        "conditions": model.condition_candidates(),
        "fit": model.fit_info_.to_dict() if hasattr(model, "fit_info_") else {},
        "summary": summary.to_dict(),
    }
    out = [f"{model_file}: {model.kind}"]
    params = model.get_params()
    out.append("config: " + ", ".join(f"{k}={v}" for k, v in params.items() if k not in ("verbose", "columns")))
    if schema is not None:
        out.append(f"schema: {len(schema.columns)} columns")
        table = schema.describe()
        for role in ("time", "entity", "categorical", "continuous", "constant", "ignored"):
            names = table.loc[table.role == role, "column"].tolist()
            if names:
                shown = ", ".join(names[:12]) + (f" ... (+{len(names) - 12})" if len(names) > 12 else "")
                out.append(f"  {role:<11} {len(names):>4}: {shown}")
        for c in schema.columns:
            if c.statuses:
                out.append(f"  status strings in {c.name}: {', '.join(c.statuses)}")
    conds = as_dict["conditions"]
    if conds:
        out.append("conditions (sample --condition COLUMN=VALUE):")
        for col, levels in conds.items():
            shown = ", ".join(map(str, levels[:8])) + (" ..." if len(levels) > 8 else "")
            out.append(f"  {col}: {shown}")
    out.extend(model.training_lines())
    hist = summary.history
    if hist:
        real_label, fake_label = ("D(x)", "D(G(z))") if is_probabilistic(summary.loss) else ("C(x)", "C(G(z))")
        out.append(
            f"  {'epoch':>6} {'G loss':>10} {'D loss':>10} {model.extra_loss_name:>9} {real_label:>8} {fake_label:>8}"
        )
        picks = sorted({0, len(hist) // 4, len(hist) // 2, 3 * len(hist) // 4, len(hist) - 1})
        for i in picks:
            h = hist[i]
            out.append(
                f"  {h['epoch']:>6} {h['generator_loss']:>10.4f} {h['critic_loss']:>10.4f} "
                f"{h['extra_loss']:>9.4f} {h['d_real']:>8.3f} {h['d_fake']:>8.3f}"
            )
    return ModelInfo(as_dict, out)
