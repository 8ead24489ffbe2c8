"""The sinh calibration distance, integrated cluster-level calibration (aggregate_stage)
and trimming followed by recalibration, against R's survey.

Fixtures: scripts/r/make_calibration_extras_fixtures.R -> weighting_extras.json (R's
calibrate(calfun=cal.sinh), calibrate(aggregate.stage=1), calibrate(trimWeights(...)),
iterative calibrations at epsilon=1e-12).
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import numpy as np
import polars as pl
import pytest

from survey import estimators
from survey.design import SurveyFrame, svydesign
from survey.errors import DesignError
from survey.weighting import calibrate, read_margins
from tests.estimators._rfixtures import FIXTURES, bind, check, dataset
from tests.weighting._rweights import apply_steps

DATA = json.loads((FIXTURES / "weighting_extras.json").read_text())
WEIGHTINGS = {w["id"]: w for w in DATA["weightings"]}
CASES = DATA["cases"]


@cache
def _weighted(key: str) -> SurveyFrame:
    w = WEIGHTINGS[key]
    return apply_steps(bind(w["design"]), w["steps"])


def test_provenance() -> None:
    assert DATA["header"]["script"] == "scripts/r/make_calibration_extras_fixtures.R"
    assert {"sinh_clus1", "agg_linear_clus1", "trim_recal_clus1"} <= set(WEIGHTINGS)


@pytest.mark.parametrize("key", list(WEIGHTINGS))
def test_weights_match_r(key: str) -> None:
    want = np.asarray(WEIGHTINGS[key]["weights"])
    np.testing.assert_allclose(_weighted(key).frame["weight"].to_numpy(), want, rtol=1e-9)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_estimates_match_r(case: dict[str, Any]) -> None:
    sf = _weighted(case["weighting"])
    args = dict(case["args"])
    if "where" in args:
        args["where"] = pl.sql_expr(args["where"])
    res = getattr(estimators, case["fn"])(sf, args.pop("var"), **args)
    assert check(case, res) > 0


def test_aggregate_stage_gives_each_cluster_one_ratio() -> None:
    sf = _weighted("agg_linear_clus1")
    g = sf.frame["weight"] / sf.frame["pw"]
    assert sf.frame.with_columns(g=g).group_by("dnum").agg(
        pl.col("g").n_unique()).get_column("g").max() == 1


def test_sinh_needs_finite_bounds() -> None:
    sf = svydesign(dataset("apiclus1"), ids="dnum", weights="pw", fpc="fpc")
    ms = read_margins(FIXTURES / "weighting_margins.csv").select("stype")
    with pytest.raises(DesignError, match="finite bounds"):
        calibrate(sf, ms, calfun="sinh")


def test_aggregate_stage_needs_clusters() -> None:
    sf = svydesign(dataset("apistrat"), strata="stype", weights="pw", fpc="fpc")
    ms = read_margins(FIXTURES / "weighting_margins.csv").select("sch.wide")
    with pytest.raises(DesignError, match="no clusters"):
        calibrate(sf, ms, aggregate_stage=1)


def _cli_weights(tmp_path: Any, *extra: str) -> np.ndarray:
    from tests.clirun import run

    out = tmp_path / "w.parquet"
    r = run("weight", "calibrate", str(FIXTURES / "apiclus1.csv"), "--ids", "dnum", "--weights",
            "pw", "--fpc", "fpc", "-m", str(FIXTURES / "weighting_margins.csv"), "--margin",
            "stype", "--margin", "api99", *extra, "-o", str(out))
    assert r.exit_code == 0, r.output
    return pl.read_parquet(out)["weight"].to_numpy()


def test_cli_sinh_matches_r(tmp_path: Any) -> None:
    got = _cli_weights(tmp_path, "--calfun", "sinh", "--bounds", "0.5,2", "--epsilon", "1e-12")
    np.testing.assert_allclose(got, WEIGHTINGS["sinh_clus1"]["weights"], rtol=1e-9)


def test_cli_aggregate_stage_matches_r(tmp_path: Any) -> None:
    got = _cli_weights(tmp_path, "--aggregate-stage", "1")
    np.testing.assert_allclose(got, WEIGHTINGS["agg_linear_clus1"]["weights"], rtol=1e-9)


def test_cli_trim_then_recalibrate_matches_r(tmp_path: Any) -> None:
    got = _cli_weights(tmp_path, "--trim-lower", "28", "--trim-upper", "38", "--recalibrate")
    np.testing.assert_allclose(got, WEIGHTINGS["trim_recal_clus1"]["weights"], rtol=1e-9)
