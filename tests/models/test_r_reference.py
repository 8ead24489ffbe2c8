"""Coefficients, SEs, intervals, p-values, df and Wald tests against R (survey, brglm2)."""

from __future__ import annotations

import pytest

from tests.models._rmodels import cases, check, header, run

CASES = cases()


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_matches_r(case: dict) -> None:
    assert check(case, run(case)) > 0


def test_fixture_provenance() -> None:
    h = header()
    assert h["survey_version"] == "4.1.1" and h["r_version"].startswith("R version 4.2")
    assert h["brglm2_version"]
    assert all(c["call"] and c["design_r"] for c in CASES)
    kinds = {c["fn"] for c in CASES}
    assert kinds == {"svyglm", "svyolr", "firth"}
