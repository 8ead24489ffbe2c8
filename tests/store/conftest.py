"""Fixtures: the sample codebooks, a small synthetic wave, and a store with both sample waves."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest
import yaml

from survey.codebook import Codebook, load_codebook, parse_codebook
from survey.store import WaveStore
from tests.store.helpers import SMALL, small_survey  # noqa: F401  (re-exported)

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "sample_data"
SCHEMAS = ROOT / "schemas"
XLSX_2025 = DATA / "academy_2025.xlsx"
CSV_2023 = DATA / "academy_2023.csv"


def codebook_2025() -> Codebook:
    """The 2025 codebook with its harmonize section (from the fixture while the schema has none)."""
    path = SCHEMAS / "academy_member_survey.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if "harmonize" not in raw:
        raw.update(yaml.safe_load((Path(__file__).parent / "harmonize_2023.yaml").read_text("utf-8")))
    return parse_codebook(raw, path=str(path))


@pytest.fixture(scope="session")
def cb25() -> Codebook:
    return codebook_2025()


@pytest.fixture(scope="session")
def cb23() -> Codebook:
    return load_codebook(SCHEMAS / "academy_member_survey_2023.yaml")


@pytest.fixture(scope="session")
def _sample_store(tmp_path_factory: pytest.TempPathFactory, cb23: Codebook, cb25: Codebook) -> Path:
    base = tmp_path_factory.mktemp("sample")
    store = WaveStore(base / "store")
    store.ingest(XLSX_2025, cb25, wave="2025")
    store.ingest(CSV_2023, cb23, wave="2023")
    return base


@pytest.fixture()
def sample_store(_sample_store: Path, tmp_path: Path) -> WaveStore:
    """A fresh copy of a store holding both sample waves (and its key beside it)."""
    shutil.copytree(_sample_store / "store", tmp_path / "store")
    shutil.copy2(_sample_store / "store.key", tmp_path / "store.key")
    return WaveStore(tmp_path / "store")


def frame_of(store: WaveStore, wave: str) -> pl.DataFrame:
    return pl.read_parquet(store.path(wave))
