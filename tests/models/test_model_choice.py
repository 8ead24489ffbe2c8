"""Design-based AIC, BIC and pseudo-R squared against R (tests/fixtures/r/modelchoice.json:
AIC.svyglm with survey >= 4.2-1's linear-regression formula, BIC.svyglm, psrsq)."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import polars as pl
import pytest

from survey.design import svydesign
from survey.errors import ModelError
from survey.models import aic, bic, model_choice, pseudo_r2, svyglm, svyolr
from tests.estimators._rfixtures import FIXTURES, bind

DOC = json.loads((FIXTURES / "modelchoice.json").read_text())
CASES = [c for c in DOC["cases"] if "formula" in c["args"]]  # the rest: plans


def _fit(case: dict[str, Any], formula: str) -> Any:
    args = case["args"]
    kw: dict[str, Any] = {"family": args["family"]}
    if "link" in args:
        kw["link"] = args["link"]
    if "where" in args:
        kw["where"] = pl.sql_expr(args["where"])
    return svyglm(bind(case["design"]), formula, **kw)


def _close(got: float, want: float | None, tol: float) -> bool:
    if want is None:
        return math.isnan(got)
    return math.isclose(got, want, rel_tol=tol, abs_tol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_matches_r(case: dict[str, Any]) -> None:
    m = _fit(case, case["args"]["formula"])
    tol = case["tol"]
    assert _close(m.deviance, case["deviance"], tol)
    a = aic(m)
    for field in ("aic", "eff_p", "deltabar"):
        assert _close(getattr(a, field), case["aic"][field], tol), (field, a, case["aic"])
    big = _fit(case, case["args"]["maximal"]) if "maximal" in case["args"] else None
    b = bic(m, maximal=big)
    assert b.p == case["bic"]["p"]
    assert _close(b.bic, case["bic"]["bic"], tol), (b, case["bic"])
    assert _close(b.neff, case["bic"]["neff"], tol), (b, case["bic"])
    r2 = pseudo_r2(m)
    if case["pseudo_r2"] is None:
        assert r2 is None
    else:
        assert r2 is not None
        for field in ("cox_snell", "nagelkerke"):
            assert _close(r2[field], case["pseudo_r2"][field], tol), (field, r2)


def test_fixture_provenance() -> None:
    h = DOC["header"]
    assert h["survey_version"] == "4.1.1" and "4.5" in h["daic_source"]
    assert {c["args"]["family"] for c in CASES} >= {"binomial", "poisson", "gaussian"}


def _toy() -> Any:
    rng = np.random.default_rng(7)
    x = rng.normal(size=60)
    z = rng.normal(size=60)
    y = (rng.uniform(size=60) < 1 / (1 + np.exp(-x))).astype(float)
    return svydesign(pl.DataFrame({"y": y, "x": x, "z": z, "w": rng.uniform(1, 3, 60)}),
                     weights="w")


def test_a_simple_random_sample_has_no_design_effect_in_aic_penalty() -> None:
    # equal weights, no clusters: V is the sandwich, close to the model covariance, so the
    # effective number of parameters is near the count of non-intercept coefficients
    rng = np.random.default_rng(1)
    x = rng.normal(size=4000)
    y = (rng.uniform(size=4000) < 1 / (1 + np.exp(-0.5 * x))).astype(float)
    m = svyglm(svydesign(pl.DataFrame({"y": y, "x": x})), "y ~ x")
    assert aic(m).eff_p == pytest.approx(1.0, abs=0.1)


def test_bic_needs_the_model_inside_the_maximal_model() -> None:
    sf = _toy()
    small, other = svyglm(sf, "y ~ x"), svyglm(sf, "y ~ z")
    with pytest.raises(ModelError, match="maximal"):
        bic(small, maximal=other)


def test_bic_against_itself_is_p_log_n_plus_deviance() -> None:
    m = svyglm(_toy(), "y ~ x + z")
    assert bic(m).bic == pytest.approx(3 * math.log(60) + m.deviance, rel=1e-12)


def test_pseudo_r2_is_none_for_continuous_families() -> None:
    sf = _toy()
    assert pseudo_r2(svyglm(sf, "x ~ z", family="gaussian")) is None
    r2 = pseudo_r2(svyglm(sf, "y ~ x"))
    assert r2 is not None and 0 < r2["cox_snell"] < r2["nagelkerke"] < 1


def test_model_choice_of_an_ordinal_model_is_empty() -> None:
    sf = bind({"data": "apistrat", "strata": "stype", "weights": "pw"})
    cat = (pl.when(pl.col("api00") < 600).then(pl.lit("low")).when(pl.col("api00") < 750)
           .then(pl.lit("mid")).otherwise(pl.lit("high")).cast(pl.Enum(["low", "mid", "high"])))
    m = svyolr(sf, "~ meals", outcome=cat)
    assert model_choice(m) == {"aic": None, "bic": None, "pseudo_r2": None}
    with pytest.raises(ModelError, match="svyglm"):
        aic(m)
