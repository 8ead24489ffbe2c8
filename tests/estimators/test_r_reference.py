"""Every estimate, SE, interval end, design effect and df against R's survey package."""

from __future__ import annotations

import pytest

from tests.estimators._rfixtures import cases, check, header, run

FILES = ["taylor.json", "domains.json", "ciprop.json", "replicates.json", "multichoice.json",
         "compare.json"]
CASES = [(f, c) for f in FILES for c in cases(f)]


@pytest.mark.parametrize(("file", "case"), CASES, ids=[f"{f[:-5]}:{c['id']}" for f, c in CASES])
def test_matches_r(file: str, case: dict) -> None:
    assert check(case, run(case)) > 0


@pytest.mark.parametrize("file", FILES)
def test_fixture_provenance(file: str) -> None:
    h = header(file)
    assert h["survey_version"] == "4.1.1" and h["r_version"].startswith("R version 4.2")
    assert all(c["call"] and c["design_r"] for c in cases(file))
