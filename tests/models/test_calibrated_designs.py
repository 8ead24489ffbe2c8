"""Models on raked, post-stratified and calibrated designs agree with R's svyglm, whose
variance uses the residuals of the estimating functions on the calibration variables."""

from __future__ import annotations

import json
import re

import numpy as np
import polars as pl
import pytest

from survey.models import svyglm
from tests.estimators._rfixtures import FIXTURES
from tests.weighting._rweights import weighted

CASES = json.loads((FIXTURES / "models_calibrated.json").read_text())["cases"]

# the same models in our formula dialect
PY = {
    "logit_ps_clus1": dict(formula="~ api99 + meals + enroll", outcome=pl.col("sch.wide") == "Yes",
                           family="binomial"),
    "logit_rake_clus1": dict(formula="~ api99 + meals + enroll", outcome=pl.col("sch.wide") == "Yes",
                             family="binomial"),
    "logit_cal_linear99": dict(formula="~ api99 + C(stype)", outcome=pl.col("both") == "Yes",
                               family="binomial"),
    "gaussian_rake_strat3": dict(formula="api00 ~ api99 + meals + C(stype)", family="gaussian"),
}


def _r_name(term: str) -> str:
    """Our term label in R's spelling: ``C(stype)[T.H]`` -> ``stypeH``."""
    if term == "Intercept":
        return "(Intercept)"
    return re.sub(r"C\((\w+)\)\[T\.(\w+)\]", r"\1\2", term)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_svyglm_on_a_weighted_design_matches_r(case: dict) -> None:
    fit = svyglm(weighted(case["weighting"]), **PY[case["id"]])
    terms = fit.to_frame().with_columns(term=pl.col("term").map_elements(_r_name, pl.String))
    ours = {t["term"]: t for t in terms.iter_rows(named=True)}
    assert sorted(ours) == sorted(case["terms"])
    for name, est, se in zip(case["terms"], case["estimate"], case["std_error"]):
        np.testing.assert_allclose(ours[name]["estimate"], est, rtol=1e-6, err_msg=name)
        np.testing.assert_allclose(ours[name]["std_error"], se, rtol=1e-6, err_msg=name)
    assert fit.df_resid == case["df_resid"]


def test_calibration_residuals_matter() -> None:
    """The comparison above can fail: the same weights without the calibration
    information (a plain weighted design) give other standard errors."""
    from survey.design import svydesign

    case = next(c for c in CASES if c["id"] == "logit_rake_clus1")
    sf = weighted("rake_clus1")
    plain = svydesign(sf.frame, ids="dnum", weights="weight", fpc="fpc")
    se_plain = svyglm(plain, **PY["logit_rake_clus1"]).to_frame()["std_error"].to_numpy()
    assert not np.allclose(se_plain, case["std_error"], rtol=1e-3)
