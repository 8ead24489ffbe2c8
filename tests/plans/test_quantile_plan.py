"""`statistic = "quantile"` in plans: the flagship's median salary multiple against R, and
mistakes named with their line."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from survey.plans import RunResult
from tests.plans.test_validation import GOOD, line_of, problems, write

ROOT = Path(__file__).resolve().parents[2]
R_CASES = {c["id"]: c for c in json.loads(
    (ROOT / "tests/fixtures/r/quantiles.json").read_text())["cases"]}

MEDIAN = '''
[[estimate]]
id = "salary_median"
statistic = "quantile"
variable = "salary_multiple"
quantiles = [0.5]
where = "offer_received = 'Yes'"
'''


@pytest.mark.parametrize(("weighted", "case"), [(True, "academy_weighted_median_mean"),
                                                (False, "academy_unweighted_median_mean")])
def test_flagship_median_salary_multiple_matches_r(flagship: RunResult, weighted: bool,
                                                   case: str) -> None:
    t = flagship.estimates["salary_multiple_median"].filter(weighted=weighted)
    assert t.height == 1 and t["category"][0] == "median"
    want = R_CASES[case]["rows"][0]
    for field in ("estimate", "std_error", "conf_low", "conf_high"):
        assert math.isclose(t[field][0], want[field], rel_tol=1e-6), field


@pytest.mark.parametrize(("old", "new", "needle", "expect"), [
    ('variable = "salary_multiple"', 'variable = "division"', 'statistic = "quantile"',
     "a quantile needs a numeric column"),
    ("quantiles = [0.5]", "quantiles = [0.5, 1.5]", "quantiles =",
     "must be probabilities between 0 and 1"),
    ("quantiles = [0.5]", 'quantiles = [0.5]\nci = "logit"', "ci =", "'logit' is not one of"),
    ("quantiles = [0.5]", 'quantiles = [0.5]\nqrule = "hf10"', "qrule =",
     "'hf10' is not one of"),
])
def test_quantile_mistakes_have_their_line(tmp_path: Path, old: str, new: str, needle: str,
                                           expect: str) -> None:
    text = (GOOD + MEDIAN).replace(old, new, 1)
    got = problems(write(tmp_path, text))
    want = line_of(text, needle)
    assert any(m.startswith(f"plan.toml:{want}: ") and expect in m for m in got), got
