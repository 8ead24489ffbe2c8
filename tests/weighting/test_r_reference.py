"""Weights, estimates, SEs and intervals on weighted designs against R's survey package."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from survey import estimators
from tests.estimators._rfixtures import check
from tests.weighting._rweights import fixture, weighted, weightings

CASES = fixture()["cases"]


def test_provenance() -> None:
    h = fixture()["header"]
    assert h["survey_version"] == "4.1.1" and h["r_version"].startswith("R version 4.2")
    assert all(c["call"] and c["weighting_r"] for c in CASES)


@pytest.mark.parametrize("key", list(weightings()))
def test_weights_match_r(key: str) -> None:
    want = np.asarray(weightings()[key]["weights"])
    got = weighted(key).frame["weight"].to_numpy()
    np.testing.assert_allclose(got, want, rtol=1e-9)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_estimates_match_r(case: dict) -> None:
    sf = weighted(case["weighting"])
    args = dict(case["args"])
    if "where" in args:
        args["where"] = pl.sql_expr(args["where"])
    fn = getattr(estimators, case["fn"])
    if case["fn"] == "ratio":
        res = fn(sf, args.pop("numerator"), args.pop("denominator"), **args)
    elif "var" in args:
        res = fn(sf, args.pop("var"), **args)
    else:
        res = fn(sf, **args)
    assert check(case, res) > 0
