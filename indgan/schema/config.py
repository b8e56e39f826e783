"""TOML configs and presets: :func:`load_config`, the presets shipped with indgan (:data:`PRESETS`), and
:func:`condition_overrides`, the one rule for which condition columns are categories.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd

from ..errors import ConfigError


#: The presets shipped with indgan (``configs/`` in the repository): ``load_config("quick")`` reads one by name.
PRESETS = Path(__file__).resolve().parent.parent / "presets"  # indgan/presets, next to this package


def load_config(path: str | Path) -> dict:
    """Read a TOML config: ``[columns]`` overrides the inferred roles, ``[model]`` sets model parameters,
    ``[schema]`` sets inference thresholds (``max_discrete_levels``, ``max_categories``). ``path`` may name a
    preset shipped with indgan (``"quick"``, ``"default"``, ``"tabular"``, ``"sequence"``, ``"plant_logs"``).

    Raises
    ------
    ConfigError
        Missing file (and no preset of that name), TOML syntax error, or unknown section.
    """
    path = Path(path)
    if not path.exists() and path.name == str(path) and (PRESETS / f"{path.stem}.toml").exists():
        path = PRESETS / f"{path.stem}.toml"  # a preset shipped with indgan: --config quick
    if not path.exists():
        names = ", ".join(sorted(p.stem for p in PRESETS.glob("*.toml")))
        raise ConfigError(f"{path}: no such config file (presets shipped with indgan: {names}).")
    try:
        cfg = tomllib.loads(path.read_text())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    unknown = set(cfg) - {"columns", "model", "schema"}
    if unknown:
        raise ConfigError(f"{path}: unknown section(s) {sorted(unknown)}; use [columns], [model], [schema].")
    return cfg


def condition_overrides(
    df: pd.DataFrame, conditions: list[str], overrides: dict | None = None, max_levels: int = 50
) -> dict:
    """The one rule for which condition columns are categories: a condition column of integers with at most
    ``max_levels`` distinct values (a fault id, an operating-mode number) is categorical; text and boolean ones
    are categorical anyway; other numbers are continuous conditions (setpoints). Returns ``overrides`` (role ->
    columns, as in the ``[columns]`` config) with those columns added under ``"categorical"``; columns the
    user already gave a role keep it."""
    out = {k: list([v] if isinstance(v, str) else v) for k, v in (overrides or {}).items()}
    given = {c for cols in out.values() for c in cols}
    for c in conditions:
        if (
            c in df.columns
            and c not in given
            and pd.api.types.is_integer_dtype(df[c])
            and df[c].nunique() <= max_levels
        ):
            out.setdefault("categorical", []).append(c)
    return out
