"""Shared fixtures: small slices of the real plant logs and one tiny fitted model per test session."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from indgan import TabularGAN, read_table

DATA = Path(__file__).resolve().parents[1] / "examples" / "data"
STATUS_TAGS = ["tag2", "tag34", "tag36", "tag70", "tag72"]
CONSTANT_TAGS = ["tag4", "tag13", "tag14", "tag43", "tag45", "tag47", "tag49", "tag50", "tag51", "tag52",
                 "tag53", "tag54", "tag66", "tag92"]

# Small networks and few epochs: the tests check behaviour, not quality.
TINY = dict(epochs=2, batch_size=100, latent_dim=16, generator_dim=(32, 32), critic_dim=(32, 32), verbose=False)


@pytest.fixture(scope="session")
def plant() -> pd.DataFrame:
    """The whole real plant log (3,169 rows x 109 columns)."""
    return read_table(DATA / "plant_logs.parquet")


@pytest.fixture(scope="session")
def plant_slice(plant) -> pd.DataFrame:
    """Every 5th row plus every row where a tag holds a status string (~650 rows, all 109 columns)."""
    has_status = pd.concat([pd.to_numeric(plant[c], errors="coerce").isna() for c in STATUS_TAGS], axis=1).any(axis=1)
    keep = (plant.index % 5 == 0) | has_status
    return plant[keep].reset_index(drop=True)


@pytest.fixture(scope="session")
def small(plant_slice) -> pd.DataFrame:
    """A narrow slice: time, two status tags, a step-like state tag, a constant and some continuous tags."""
    cols = ["timestamp", "tag0", "tag1", "tag2", "tag5", "tag4", "tag63", "tag70", "tag95"]
    return plant_slice[cols].copy()


@pytest.fixture(scope="session")
def tiny_model(small) -> TabularGAN:
    return TabularGAN(random_state=0, **TINY).fit(small)


@pytest.fixture(scope="session")
def small_parquet(tmp_path_factory, small) -> Path:
    path = tmp_path_factory.mktemp("data") / "small.parquet"
    small.to_parquet(path, index=False)
    return path
