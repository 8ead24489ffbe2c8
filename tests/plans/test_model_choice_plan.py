"""Plans: each [[model]] fit's design-based AIC, BIC (against `maximal = FORMULA`) and
pseudo-R squared in models.json, and `statistic = "gini"`, on the academy sample with the
flagship plan's designs, against R (tests/fixtures/r/modelchoice.json, repstats.json) at
1e-6; the mistakes named with their line."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from survey.plans import RunResult, run_plan
from tests.plans._academy import ACADEMY_DESIGN, plan_head
from tests.plans.test_validation import GOOD, assert_mistake_at, write

ROOT = Path(__file__).resolve().parents[2]
R = {c["id"]: c for c in json.loads(
    (ROOT / "tests/fixtures/r/modelchoice.json").read_text())["cases"]}
GINI = {c["id"]: c for c in json.loads(
    (ROOT / "tests/fixtures/r/repstats.json").read_text())["cases"]}
FULL = """~ C(division, Treatment('Engineering')) + age_band + institution_type
             + salary_multiple + autonomy + seniority_pay + china"""

PLAN = plan_head("model choice", "2023", "2025") + f'''
[derive]
autonomy = {{ score = "push_autonomy" }}
seniority_pay = {{ score = "push_seniority_pay" }}
china = "offer_countries__china"
going = "intent IN ('Accepted', 'Seriously considering')"
''' + ACADEMY_DESIGN + f'''
[[estimate]]
id = "salary_gini"
statistic = "gini"
variable = "salary_multiple"
where = "offer_received = 'Yes'"
waves = ["2025"]

[[model]]
id = "intent_logit"
type = "logit"
formula = """{FULL}"""
outcome = "going"
where = "offer_received = 'Yes'"
weighted = "both"
maximal = """{FULL}"""

[[model]]
id = "intent_logit_small"
type = "logit"
formula = "~ salary_multiple + autonomy + seniority_pay"
outcome = "going"
where = "offer_received = 'Yes'"
weighted = "both"
maximal = """{FULL}"""
'''


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    tmp = tmp_path_factory.mktemp("choice")
    return run_plan(write(tmp, PLAN), tmp / "out")


@pytest.mark.parametrize("model", ["intent_logit", "intent_logit_small"])
@pytest.mark.parametrize("weighted", [True, False])
def test_models_json_has_r_aic_bic_and_pseudo_r2(run: RunResult, model: str,
                                                 weighted: bool) -> None:
    doc = json.loads((run.out_dir / "models.json").read_text())
    fit = next(f for m in doc["models"] if m["id"] == model for f in m["fits"]
               if f["weighted"] is weighted)
    key = ("academy_weighted" if weighted else "academy_unweighted") + (
        "_intent_full" if model == "intent_logit" else "_intent_small")
    want = R[key]
    assert math.isclose(fit["aic"], want["aic"]["aic"], rel_tol=1e-6), (fit["aic"], want["aic"])
    assert math.isclose(fit["bic"], want["bic"]["bic"], rel_tol=1e-6), (fit["bic"], want["bic"])
    for k in ("cox_snell", "nagelkerke"):
        assert math.isclose(fit["pseudo_r2"][k], want["pseudo_r2"][k], rel_tol=1e-6)


def test_gini_estimate_matches_convey(run: RunResult) -> None:
    row = run.estimates["salary_gini"].row(0, named=True)
    want = GINI["gini_academy_weighted"]
    assert math.isclose(row["estimate"], want["estimate"], rel_tol=1e-6)
    assert math.isclose(row["std_error"], want["std_error"], rel_tol=1e-6)


def test_maximal_on_an_ordinal_model_is_named(tmp_path: Path) -> None:
    assert "[[model]]" in GOOD and 'type = "logit"' in GOOD
    assert_mistake_at(tmp_path, 'type = "logit"', 'type = "ologit"\nmaximal = "~ x"',
                      "maximal", "maximal model (for BIC)")


def test_gini_of_a_categorical_question_is_named(tmp_path: Path) -> None:
    assert_mistake_at(tmp_path, 'statistic = "proportion"', 'statistic = "gini"',
                      'statistic = "gini"', "a gini needs a numeric column")


def test_gini_by_a_group_is_named(tmp_path: Path) -> None:
    assert_mistake_at(tmp_path, 'statistic = "proportion"\nvariable = "offer_received"',
                      'statistic = "gini"\nvariable = "salary_multiple"\nby = ["division"]',
                      "by = [", "give where = instead of by")
