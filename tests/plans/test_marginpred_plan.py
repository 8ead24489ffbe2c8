"""Plans: `marginpred = {...}` on a [[model]] (R's marginpred, predictions standardised by
raking) on the academy sample under a stratified design with fpc and under equal weights,
against R (tests/fixtures/r/marginpred_cli.json, scripts/r/make_marginpred_cli_fixtures.R)
at 1e-6; the mistakes named with their line."""

from __future__ import annotations

import json
import math
from pathlib import Path

import polars as pl
import pytest

from survey.plans import RunResult, run_plan
from tests.plans._academy import plan_head
from tests.plans.test_validation import GOOD, assert_mistake_at, line_of, problems, write

ROOT = Path(__file__).resolve().parents[2]
R = {c["id"]: c for c in json.loads(
    (ROOT / "tests/fixtures/r/marginpred_cli.json").read_text())["cases"]}
AT = "{ salary_multiple = [1.0, 1.5, 2.0], autonomy = 3, seniority_pay = 3 }"
MARGINPRED = f'marginpred = {{ adjust_for = ["age_band", "institution_type"], at = {AT}, ' \
             'type = "response" }'

PLAN = plan_head("standardised predictions") + f'''
[derive]
autonomy = {{ score = "push_autonomy" }}
seniority_pay = {{ score = "push_seniority_pay" }}
going = "intent IN ('Accepted', 'Seriously considering')"

[design]
strata = "division"
fpc = {{ population = "{ROOT}/sample_data/population_2025.csv", variable = "division" }}

[[model]]
id = "intent_standardised"
type = "logit"
formula = "~ salary_multiple + autonomy + seniority_pay"
outcome = "going"
where = "offer_received = 'Yes'"
weighted = "both"
{MARGINPRED}
'''


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    tmp = tmp_path_factory.mktemp("marginpred")
    return run_plan(write(tmp, PLAN), tmp / "out")


@pytest.mark.parametrize("weighted", [True, False])
def test_models_json_has_r_marginpred(run: RunResult, weighted: bool) -> None:
    doc = json.loads((run.out_dir / "models.json").read_text())
    (model,) = doc["models"]
    rows = [r for r in model["marginpred"] if r["weighted"] is weighted]
    want = R["academy_weighted_intent" if weighted else "academy_unweighted_intent"]
    assert want["plan"]["weighted"] is weighted
    assert [r["salary_multiple"] for r in rows] == want["predictat"]["salary_multiple"]
    for key in ("estimate", "std_error"):
        for got, exp in zip([r[key] for r in rows], want[key], strict=True):
            assert math.isclose(got, exp, rel_tol=want["tol"]), (key, got, exp)


def test_csv_and_report_section(run: RunResult) -> None:
    table = pl.read_csv(run.out_dir / "models/intent_standardised_marginpred.csv")
    assert table.columns[:4] == ["weighted", "salary_multiple", "autonomy", "seniority_pay"]
    assert table.height == 6
    html = (run.out_dir / "report.html").read_text()
    assert "standardised over age_band, institution_type (R&#x27;s marginpred)" in html \
        or "standardised over age_band, institution_type (R's marginpred)" in html


MODEL_LINE = 'formula = "~ salary_multiple + autonomy"'


def test_marginpred_under_weighting_is_named(tmp_path: Path) -> None:
    weighting = f'''[weighting]
method = "poststratify"
margins = "{ROOT}/sample_data/population_2025.csv"
variables = ["division:gender"]

[[estimate]]'''
    entry = 'marginpred = { adjust_for = "age_band", at = { salary_multiple = 1, autonomy = 2 } }'
    text = GOOD.replace("[[estimate]]", weighting, 1).replace(MODEL_LINE,
                                                              f"{MODEL_LINE}\n{entry}", 1)
    got = problems(write(tmp_path, text))
    want = line_of(text, "marginpred = {")
    assert any(m.startswith(f"plan.toml:{want}: ") and "set weighted = false" in m
               for m in got), got
    assert not problems_of(text.replace(entry, entry + '\nweighted = false'), tmp_path)


def problems_of(text: str, tmp_path: Path) -> list[str]:
    from survey.errors import PlanError
    from survey.plans import load_plan

    try:
        load_plan(write(tmp_path, text))
    except PlanError as exc:
        return list(exc.problems)
    return []


def test_marginpred_on_an_ordinal_model_is_named(tmp_path: Path) -> None:
    assert_mistake_at(tmp_path, 'type = "logit"',
                      'type = "ologit"\nmarginpred = { adjust_for = "age_band", at = { x = 1 } }',
                      "marginpred = {", "marginpred is for logit, linear and glm models")


def test_marginpred_unequal_points_are_named(tmp_path: Path) -> None:
    assert_mistake_at(tmp_path, MODEL_LINE, MODEL_LINE + '\nmarginpred = { adjust_for = '
                      '"age_band", at = { salary_multiple = [1, 2], autonomy = [1, 2, 3] } }',
                      "marginpred = {",
                      "different numbers of values: salary_multiple 2, autonomy 3")


def test_marginpred_unknown_column_is_named(tmp_path: Path) -> None:
    assert_mistake_at(tmp_path, MODEL_LINE, MODEL_LINE + '\nmarginpred = { adjust_for = '
                      '"age_bnd", at = { salary_multiple = 1, autonomy = 2 } }',
                      "marginpred = {", "age_bnd")
