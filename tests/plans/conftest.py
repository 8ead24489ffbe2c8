"""Shared runs of the flagship plan (each run takes a few seconds: run it once)."""

from __future__ import annotations

from pathlib import Path

import pytest

from survey.plans import RunResult, run_plan

ROOT = Path(__file__).resolve().parents[2]
FLAGSHIP = ROOT / "analyses" / "brain_drain_2025.toml"


@pytest.fixture(scope="session")
def flagship(tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    run = tmp_path_factory.mktemp("run1")  # the store too: never beside the plan in the tree
    return run_plan(FLAGSHIP, run / "report", store=run / "brain_drain_2025.store")
