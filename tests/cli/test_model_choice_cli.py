"""Model JSON carries aic, bic and pseudo_r2 (R's AIC.svyglm, BIC.svyglm, psrsq), with
--maximal for BIC; numbers from tests/fixtures/r/modelchoice.json."""

from __future__ import annotations

import json
import math

from tests.clirun import stats, stats_json
from tests.estimators._rfixtures import FIXTURES

CASES = {c["id"]: c for c in json.loads((FIXTURES / "modelchoice.json").read_text())["cases"]}
STRAT = [str(FIXTURES / "apistrat.csv"), "--strata", "stype", "--weight", "pw", "--fpc", "fpc"]
BIG = "Q('sch.wide') ~ api99 + meals + C(stype)"


def test_logit_json_has_aic_bic_and_pseudo_r2_as_r() -> None:
    doc = stats_json("logit", STRAT[0], "-f", BIG, *STRAT[1:])
    want = CASES["strat_logit"]
    assert math.isclose(doc["aic"], want["aic"]["aic"], rel_tol=1e-6)
    assert math.isclose(doc["bic"], want["bic"]["bic"], rel_tol=1e-6)
    for k in ("nagelkerke", "cox_snell"):
        assert math.isclose(doc["pseudo_r2"][k], want["pseudo_r2"][k], rel_tol=1e-6)


def test_maximal_formula_sets_the_bic_reference() -> None:
    doc = stats_json("logit", STRAT[0], "-f", "Q('sch.wide') ~ meals", "--maximal", BIG,
                     *STRAT[1:])
    assert math.isclose(doc["bic"], CASES["strat_logit_small"]["bic"]["bic"], rel_tol=1e-6)


def test_gaussian_glm_has_no_pseudo_r2() -> None:
    doc = stats_json("glm", STRAT[0], "-f", "api00 ~ meals + C(stype)", *STRAT[1:])
    assert math.isclose(doc["aic"], CASES["strat_gaussian"]["aic"]["aic"], rel_tol=1e-6)
    assert doc["pseudo_r2"] is None


def test_table_output_names_the_criteria() -> None:
    r = stats("glm", STRAT[0], "-f", "enroll ~ meals + C(stype)", "--family", "quasipoisson",
              *STRAT[1:])
    assert r.exit_code == 0 and "design-based AIC" in r.output and "Nagelkerke" in r.output


def test_a_maximal_model_missing_a_term_is_an_error_not_a_traceback() -> None:
    r = stats("logit", STRAT[0], "-f", BIG, "--maximal", "Q('sch.wide') ~ meals", *STRAT[1:])
    assert r.exit_code != 0 and "maximal" in r.output and "Traceback" not in r.output
