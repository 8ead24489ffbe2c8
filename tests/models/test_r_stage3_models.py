"""Models on a design with an fpc at three stages, against R's svyglm (R's multistage
variance of the estimating functions' totals, stages 1, 2 and 3).

Fixtures: scripts/r/make_stage3_model_fixtures.R -> tests/fixtures/r/stage3_models.json
(svydesign(id=~dnum+stype+snum, fpc=~fpc1+fpc2+fpc3, data=apiclus3) under
survey.lonely.psu "adjust" and "remove"; gaussian, quasibinomial and quasipoisson fits).
"""

from __future__ import annotations

import json
import math
from typing import Any

import polars as pl
import pytest

from survey.design import svydesign
from survey.models import svyglm
from tests.estimators._rfixtures import FIXTURES, dataset
from tests.models._rmodels import canonical

CASES = json.loads((FIXTURES / "stage3_models.json").read_text())["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_a_model_on_three_stages_of_fpc_matches_r(case: dict[str, Any]) -> None:
    data = dataset("apiclus3").with_columns(high=(pl.col("sch.wide") == "Yes").cast(pl.Int64))
    sf = svydesign(data, ids=("dnum", "stype", "snum"), fpc=("fpc1", "fpc2", "fpc3"),
                   lonely_psu=case["lonely"])
    res = svyglm(sf, case["formula"], family=case["family"])
    ours = {canonical(r["term"]): r for r in res.terms.iter_rows(named=True)}
    assert len(ours) == len(case["terms"])
    for want in case["terms"]:
        got = ours[canonical(want["term"])]
        assert math.isclose(got["estimate"], want["estimate"], rel_tol=1e-6, abs_tol=1e-12)
        assert math.isclose(got["std_error"], want["std_error"], rel_tol=1e-6, abs_tol=1e-12)


def test_the_third_stage_adds_to_a_models_variance() -> None:
    data = dataset("apiclus3")
    three = svydesign(data, ids=("dnum", "stype", "snum"), fpc=("fpc1", "fpc2", "fpc3"),
                      lonely_psu="adjust")
    two = svydesign(data, ids=("dnum", "stype"), fpc=("fpc1", "fpc2"), lonely_psu="adjust")
    se3 = svyglm(three, "api00 ~ api99", family="gaussian").terms["std_error"].to_list()
    se2 = svyglm(two, "api00 ~ api99", family="gaussian").terms["std_error"].to_list()
    assert all(a != b for a, b in zip(se3, se2, strict=True))
