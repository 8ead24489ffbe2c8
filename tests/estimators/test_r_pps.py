"""Without-replacement PPS designs, fpc at three stages and R's domain lonely-PSU
adjustment, against R's survey.

Fixtures: scripts/r/make_pps_fixtures.R -> tests/fixtures/r/pps.json (svytotal, svymean,
svyratio, svyby on svydesign(pps="brewer"), pps="overton", pps=ppsmat(election_jointprob),
variance="YG"; svydesign(id=~dnum+stype+snum, fpc=~fpc1+fpc2+fpc3); and
options(survey.adjust.domain.lonely=TRUE)).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import polars as pl
import pytest

from survey import estimators
from survey.design import PPSMatrix, SurveyFrame, as_replicate, svydesign
from survey.errors import DesignError
from tests.estimators._rfixtures import FIXTURES, cases, check, dataset, header

FILE = "pps.json"
CASES = cases(FILE)


@cache
def _joint(name: str) -> PPSMatrix:
    return PPSMatrix(np.loadtxt(FIXTURES / f"{name}.csv", delimiter=","))


def _bind(spec: dict[str, Any]) -> SurveyFrame:
    kw = {k: v for k, v in spec.items() if k not in ("data", "joint")}
    for k in ("ids", "fpc"):
        if isinstance(kw.get(k), list):
            kw[k] = tuple(kw[k])
    if "joint" in spec:
        kw["pps"] = _joint(spec["joint"])
    return svydesign(dataset(spec["data"]), **kw)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_matches_r(case: dict) -> None:
    sf = _bind(case["design"])
    args = dict(case["args"])
    if "where" in args:
        args["where"] = pl.sql_expr(args["where"])
    fn = getattr(estimators, case["fn"])
    if case["fn"] == "ratio":
        got = fn(sf, args.pop("numerator"), args.pop("denominator"), **args)
    else:
        got = fn(sf, args.pop("var"), **args)
    assert check(case, got) >= 2


def test_fixture_provenance() -> None:
    h = header(FILE)
    assert h["survey_version"] and h["script"] == "scripts/r/make_pps_fixtures.R"
    assert len(CASES) >= 30


def _election(**kw: Any) -> SurveyFrame:
    return svydesign(dataset("election_pps"), fpc="p", **kw)


def test_brewer_weights_are_inverse_inclusion_probabilities() -> None:
    sf = _election(pps="brewer")
    df = dataset("election_pps")
    want = float((df["Bush"] / df["p"]).sum())
    assert estimators.total(sf, "Bush").estimate[0] == pytest.approx(want, rel=1e-12)


def test_brewer_with_every_probability_one_has_no_variance() -> None:
    df = pl.DataFrame({"y": [1.0, 5.0, 9.0], "p": [1.0, 1.0, 1.0]})
    se = estimators.total(svydesign(df, fpc="p", pps="brewer"), "y").std_error[0]
    assert se == 0.0


def test_yates_grundy_needs_joint_probabilities() -> None:
    with pytest.raises(DesignError, match="YG"):
        _election(pps="brewer", variance="YG")


def test_pps_fpc_must_be_probabilities() -> None:
    df = pl.DataFrame({"y": [1.0, 2.0, 3.0], "N": [10.0, 10.0, 12.0]})
    with pytest.raises(DesignError, match="inclusion probabilities"):
        svydesign(df, fpc="N", pps="brewer")


def test_joint_matrix_must_match_rows() -> None:
    with pytest.raises(DesignError, match="40 rows"):
        svydesign(dataset("election_pps").head(40), fpc="p",
                  pps=PPSMatrix(np.eye(3) * 0.5))


def test_pps_design_refuses_created_replicates() -> None:
    with pytest.raises(DesignError, match="PPS"):
        as_replicate(_election(pps="overton"), type="JK1")


def test_three_stage_needs_three_stages_of_ids() -> None:
    with pytest.raises(DesignError, match="3 stages"):
        svydesign(dataset("apiclus3"), ids=("dnum", "snum"), fpc=("fpc1", "fpc2", "fpc3"))


def test_domain_lonely_adjustment_changes_only_lonely_domains() -> None:
    base = {"ids": "psu2", "strata": "stype", "weights": "pw", "fpc": "fpc",
            "lonely_psu": "adjust"}
    plain = svydesign(dataset("apistrat"), **base)
    adjusted = svydesign(dataset("apistrat"), **base, adjust_domain_lonely=True)
    both = pl.col("stype") == "E"  # both PSUs of the stratum present: no change
    one = pl.col("psu2") == 1  # one PSU of each stratum: each is domain-lonely
    assert (estimators.mean(plain, "api00", where=both).std_error[0]
            == pytest.approx(estimators.mean(adjusted, "api00", where=both).std_error[0]))
    assert (estimators.mean(plain, "api00", where=one).std_error[0]
            != pytest.approx(estimators.mean(adjusted, "api00", where=one).std_error[0]))
