"""Plans: `relative = true` in [[comparison]] (the relative change between waves) and
`contrast = "a / b - 1"` in [[estimate]], against R (tests/fixtures/r/plans_academy.json
from scripts/r/make_plan_fixtures.R) at 1e-6, and their mistakes named with their line."""

from __future__ import annotations

import json
import math
from pathlib import Path

import polars as pl
import pytest

from survey.plans import RunResult, run_plan
from tests.plans._academy import ACADEMY_DESIGN, plan_head
from tests.plans.test_validation import (
    COMPARISON,
    GOOD,
    assert_mistake_at,
    line_of,
    problems,
    write,
)

ROOT = Path(__file__).resolve().parents[2]
R = {c["id"]: c for c in json.loads(
    (ROOT / "tests/fixtures/r/plans_academy.json").read_text())["cases"]}

PLAN = plan_head("relative change and contrast", "2023", "2025") + f'''
[derive]
pay = {{ score = "push_seniority_pay" }}
infra = {{ score = "push_infrastructure" }}
''' + ACADEMY_DESIGN + f'''
[[estimate]]
id = "pay_over_infra"
statistic = "mean"
contrast = "pay / infra - 1"
where = "offer_received = 'Yes'"
weighted = "both"

[[comparison]]
id = "offer_rate_rise"
variable = "offer_received"
category = "Yes"
first = "2025"
second = "2023"
relative = true
weighted = "both"
'''


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    tmp = tmp_path_factory.mktemp("relative")
    return run_plan(write(tmp, PLAN), tmp / "out")


def _close(got: dict, case: str) -> None:
    want = R[case]
    for field in ("estimate", "std_error"):
        assert math.isclose(got[field], want[field], rel_tol=1e-6), (case, field)


@pytest.mark.parametrize("weighted", [True, False])
@pytest.mark.parametrize("panel", [False, True])
def test_relative_change_between_waves_matches_r(run: RunResult, weighted: bool,
                                                 panel: bool) -> None:
    t = run.comparisons["offer_rate_rise"].filter(weighted=weighted)
    assert t["row"].to_list() == ["2025", "2023", "2025 / 2023 - 1", "2025 / 2023 - 1, panel"]
    rec = t.row(3 if panel else 2, named=True)
    _close(rec, f"relative_{'weighted' if weighted else 'unweighted'}_"
                f"{'panel' if panel else 'independent'}")
    e25, e23 = t["estimate"][0], t["estimate"][1]
    assert rec["estimate"] == pytest.approx(e25 / e23 - 1, rel=1e-12)
    assert rec["conf_low"] < rec["estimate"] < rec["conf_high"]
    assert rec["panel_members"] == (40 if panel else None)


def test_relative_change_in_the_files_and_the_report(run: RunResult) -> None:
    out = run.out_dir
    csv = pl.read_csv(out / "estimates" / "offer_rate_rise.csv")
    assert "2025 / 2023 - 1, panel" in csv["row"].to_list()
    doc = json.loads((out / "estimates.json").read_text())
    rows = next(c for c in doc["comparisons"] if c["id"] == "offer_rate_rise")["rows"]
    assert [r["row"] for r in rows][2:4] == ["2025 / 2023 - 1", "2025 / 2023 - 1, panel"]
    html = (out / "report.html").read_text()
    assert "relative change 2025 / 2023 - 1" in html
    panel = run.comparisons["offer_rate_rise"].filter(weighted=True).row(3, named=True)
    assert f"{panel['estimate'] * 100:+.1f}%" in html  # the headline: +26.9%


@pytest.mark.parametrize("weighted", [True, False])
def test_contrast_of_two_means_matches_r(run: RunResult, weighted: bool) -> None:
    t = run.estimates["pay_over_infra"].filter(weighted=weighted)
    assert t.height == 1 and t["variable"][0] == "pay / infra - 1"
    _close(t.row(0, named=True), f"contrast_{'weighted' if weighted else 'unweighted'}")
    assert t["n"][0] > 0


def test_contrast_by_domain_gives_one_row_per_domain(tmp_path: Path) -> None:
    text = GOOD.replace('[[model]]', '''[[estimate]]
id = "ratio_by_gender"
variable = "salary relative to autonomy"
statistic = "mean"
contrast = "salary_multiple / autonomy"
by = ["gender"]
weighted = false

[[model]]''')
    res = run_plan(write(tmp_path, text), tmp_path / "out")
    t = res.estimates["ratio_by_gender"]
    assert sorted(t["gender"].to_list()) == ["Female", "Male"]
    assert t["variable"].unique().to_list() == ["salary relative to autonomy"]
    assert (t["std_error"] > 0).all()


@pytest.mark.parametrize(("old", "new", "needle", "expect"), [
    ('variable = "offer_received"', 'variable = "offer_received"\ncontrast = "a / b"',
     "contrast =", 'statistic = "mean" or "total"'),
    ('statistic = "proportion"\nvariable = "offer_received"',
     'statistic = "mean"\ncontrast = "salary_multiple / autonomy -"', "contrast =",
     "cannot parse the contrast"),
    ('statistic = "proportion"\nvariable = "offer_received"',
     'statistic = "mean"\ncontrast = "salary_multiple / autonmy"', "contrast =",
     "'autonmy' (did you mean 'autonomy'?)"),
    ('statistic = "proportion"\nvariable = "offer_received"',
     'statistic = "total"\ncontrast = "salary_multiple / division"', "contrast =",
     "'division' is single, not numeric"),
    ('statistic = "proportion"\nvariable = "offer_received"',
     'statistic = "mean"\ncontrast = "__import__(1)"', "contrast =", "not allowed"),
    ('statistic = "proportion"\nvariable = "offer_received"',
     'statistic = "mean"\ncontrast = "salary_multiple / autonomy"\ncategories = ["Yes"]',
     "categories =", "has no categories"),
])
def test_contrast_mistakes_have_their_line(tmp_path: Path, old: str, new: str, needle: str,
                                           expect: str) -> None:
    assert_mistake_at(tmp_path, old, new, needle, expect)


def test_relative_must_be_true_or_false(tmp_path: Path) -> None:
    text = GOOD + COMPARISON + 'relative = "yes"\n'
    got = problems(write(tmp_path, text))
    want = line_of(text, 'relative = "yes"')
    assert any(m.startswith(f"plan.toml:{want}: ") and "relative" in m
               and "true or false" in m for m in got), got


@pytest.mark.parametrize("weighted", [True, False])
def test_flagship_reports_the_relative_change_as_r(flagship: RunResult, weighted: bool) -> None:
    t = flagship.comparisons["offer_rate_relative_change"].filter(weighted=weighted)
    kind = "weighted" if weighted else "unweighted"
    _close(t.row(2, named=True), f"relative_{kind}_independent")
    _close(t.row(3, named=True), f"relative_{kind}_panel")
