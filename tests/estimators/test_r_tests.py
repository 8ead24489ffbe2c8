"""t-tests, rank tests, variances, correlations and Cronbach's alpha against R's survey.

Fixtures: scripts/r/make_tests_fixtures.R -> tests/fixtures/r/tests.json (svyttest,
svyranktest, svyvar, svycontrast on svyvar, svycralpha).
"""

from __future__ import annotations

import math

import pytest

from survey.estimators import Estimates, RankTest, TTest
from tests.estimators._rfixtures import cases, check, header, run

FILE = "tests.json"
CASES = cases(FILE)


def _close(a: float | None, b: float | None, tol: float) -> bool:
    if b is None:
        return a is None or math.isnan(a)
    return a is not None and math.isclose(a, b, rel_tol=tol, abs_tol=1e-12)


def _check_test(case: dict, got: TTest | RankTest) -> int:
    want = case["rows"][0]
    compared = 0
    for field in ("estimate", "statistic", "df", "ddf", "p_value", "conf_low", "conf_high"):
        if field not in want:
            continue
        value = getattr(got, field)
        assert _close(value, want[field], case["tol"]), (
            f"{case['id']} {field}: python {value!r} vs R {want[field]!r}")
        compared += want[field] is not None
    return compared


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_matches_r(case: dict) -> None:
    got = run(case)
    if isinstance(got, Estimates):
        assert check(case, got) >= 2 * len(case["rows"])
    else:
        assert _check_test(case, got) >= 3


def test_alpha_estimate_is_svycralpha_and_the_delta_method_agrees() -> None:
    for case in (c for c in CASES if c["fn"] == "cronbach_alpha"):
        row = case["rows"][0]
        assert math.isclose(row["estimate"], row["delta_estimate"], rel_tol=1e-12)


def test_every_item_has_fixtures() -> None:
    fns = {c["fn"] for c in CASES}
    assert fns == {"ttest", "ranktest", "variance", "std_dev", "correlation", "cronbach_alpha"}
    tests = {c["args"]["test"] for c in CASES if c["fn"] == "ranktest"}
    assert tests == {"wilcoxon", "vanderwaerden", "median", "kruskalwallis"}
    h = header(FILE)
    assert h["survey_version"] == "4.1.1" and all(c["call"] and c["design_r"] for c in CASES)
