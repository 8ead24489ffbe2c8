"""GLM families and links, ordinal links, predictive margins and working LRTs against R.

Fixtures: tests/fixtures/r/glm.json (R: scripts/r/make_glm_fixtures.R).
"""

from __future__ import annotations

import json
import math
from functools import cache
from typing import Any

import polars as pl
import pytest

from survey.models import ModelResult, anova, predictive_margins, svyglm, svyolr
from tests.estimators._rfixtures import FIXTURES, bind
from tests.models._rmodels import _cut, canonical, close

FILE = FIXTURES / "glm.json"


@cache
def _load() -> dict[str, Any]:
    return json.loads(FILE.read_text())


CASES = _load()["cases"]


def _fit(case: dict[str, Any]) -> ModelResult:
    args = dict(case["args"])
    sf = bind(case["design"])
    where = pl.sql_expr(args["where"]) if "where" in args else None
    if case["kind"] == "olr":
        lhs, rhs = args["formula"].split("~", 1)
        return svyolr(sf, "~" + rhs, outcome=_cut(args["cut"]), link=args["link"], where=where)
    variance = "fixed" if case["kind"] == "glm_nb" else "joint"  # glm_nb: svyglm at glm.nb's theta
    return svyglm(sf, args["formula"], family=args["family"], link=args.get("link"),
                  theta=args.get("theta"), theta_variance=variance, where=where)


def _key(term: str) -> frozenset[str]:
    """R's and patsy's coefficient names in one spelling (R's logical ``chinaTRUE`` is
    patsy's Boolean ``china[T.True]``)."""
    return frozenset(p.lower() for p in canonical(term))


def _check_terms(case: dict[str, Any], res: ModelResult) -> int:
    tol = case["tol"]
    ours = {_key(r["term"]): r for r in res.terms.iter_rows(named=True)}
    assert len(ours) == len(case["terms"]), case["id"]
    n = 0
    for want in case["terms"]:
        got = ours[_key(want["term"])]
        for key in ("estimate", "std_error", "conf_low", "conf_high", "p_value"):
            assert close(got[key], want[key], tol), (
                f"{case['id']} {want['term']} {key}: python {got[key]!r} vs R {want[key]!r}")
            n += 1
    assert res.df_resid == case["df_resid"], case["id"]
    if case.get("deviance") is not None:
        assert close(res.deviance, case["deviance"], tol), case["id"]
    return n + 1


MODEL_CASES = [c for c in CASES if c["kind"] in ("glm", "glm_nb", "olr")]


@pytest.mark.parametrize("case", MODEL_CASES, ids=[c["id"] for c in MODEL_CASES])
def test_family_and_link_match_r(case: dict[str, Any]) -> None:
    res = _fit(case)
    assert _check_terms(case, res) > 0
    if case["kind"] == "glm_nb":  # theta estimated as MASS::glm.nb with the rescaled weights
        assert close(res.theta, case["theta"], 1e-8)


JOINT_CASES = [c for c in CASES if c["kind"] == "glm_nb_joint"]


@pytest.mark.parametrize("case", JOINT_CASES, ids=[c["id"] for c in JOINT_CASES])
def test_negative_binomial_joint_sandwich_matches_svymle(case: dict[str, Any]) -> None:
    res = _fit(case)  # theta estimated, joint (beta, theta) sandwich: the default
    assert close(res.theta, case["theta"], 1e-7)
    assert close(res.theta_std_error, case["theta_std_error"], 1e-6)
    ours = {_key(r["term"]): r for r in res.terms.iter_rows(named=True)}
    for want in case["terms"]:
        got = ours[_key(want["term"])]
        assert close(got["estimate"], want["estimate"], 1e-6), want["term"]
        assert close(got["std_error"], want["std_error"], 1e-6), want["term"]


LRT_CASES = [(c, t) for c in CASES for t in c.get("lrt", [])]


@pytest.mark.parametrize("case,test", LRT_CASES,
                         ids=[f"{c['id']}:{t['call']}" for c, t in LRT_CASES])
def test_working_lrt_matches_r(case: dict[str, Any], test: dict[str, Any]) -> None:
    res = _fit(case)
    got = res.lrt_test(test["terms"], statistic=test["method"])
    assert close(got.statistic, test["chisq"], 1e-6)
    assert got.df == test["df"]
    assert got.ddf == (math.inf if test["ddf"] is None else test["ddf"])  # JSON: Inf as null
    lam = test["lambda"] if isinstance(test["lambda"], list) else [test["lambda"]]
    assert sorted(got.scale_factors) == pytest.approx(sorted(lam), rel=1e-6)
    assert close(got.p_value, test["p_tight"], 1e-6)  # R with the saddlepoint root to 1e-14
    assert close(got.p_value, test["p_value"], 1e-6)  # R's default uniroot(tol = 1e-8)


def test_anova_of_nested_models_is_the_lrt_of_the_extra_terms() -> None:
    case = next(c for c in CASES if c["id"] == "strat_logit_lrt")
    want = next(t for t in case["lrt"] if t["call"].startswith("anova") and t["method"] == "F")
    big = _fit(case)
    small = svyglm(bind(case["design"]), "Q('sch.wide') ~ api99")
    for a, b in ((small, big), (big, small)):
        got = anova(a, b)
        assert close(got.statistic, want["chisq"], 1e-6)
        assert close(got.p_value, want["p_tight"], 1e-6)


PM_CASES = [c for c in CASES if c["kind"] == "predmeans"]


@pytest.mark.parametrize("case", PM_CASES, ids=[c["id"] for c in PM_CASES])
def test_predictive_margins_match_svypredmeans(case: dict[str, Any]) -> None:
    res = _fit(case)
    m = predictive_margins(res, case["args"]["variable"])
    got = {r["level"]: r for r in m.table.iter_rows(named=True)}
    assert len(got) == len(case["margins"])
    for want in case["margins"]:
        row = got[want["level"]]
        assert close(row["estimate"], want["estimate"], 1e-6), (case["id"], want)
        assert close(row["std_error"], want["std_error"], 1e-6), (case["id"], want)


def test_fixture_provenance() -> None:
    h = _load()["header"]
    assert h["survey_version"] == "4.1.1" and h["script"] == "scripts/r/make_glm_fixtures.R"
    assert all(c["call"] and c["design_r"] for c in CASES)
    assert math.isfinite(len(CASES)) and len(CASES) >= 40
