"""Panel wave changes, nonlinear contrasts and multiple imputation against R
(tests/fixtures/r/panel.json from scripts/r/make_panel_fixtures.R) at 1e-6 relative."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
import pytest

from survey import estimators
from survey.design import svydesign
from survey.estimators import (
    differences,
    mi_combine,
    nlcontrast,
    panel_design,
    panel_link,
)
from tests.estimators._rfixtures import cases, dataset

CASES = {c["id"]: c for c in cases("panel.json")}
TOL = 1e-6


def _bind(name: str, design: dict[str, Any]):  # noqa: ANN202 - a SurveyFrame
    return svydesign(dataset(name), **design)


def _close(got: np.ndarray, want: list[float]) -> None:
    np.testing.assert_allclose(got, np.asarray(want, dtype=float), rtol=TOL, atol=0)


def _estimates(sf, py: dict[str, Any]):  # noqa: ANN001, ANN202
    fn = getattr(estimators, py["fn"])
    return fn(sf, py["var"], by=py.get("by"))


@pytest.mark.parametrize("cid", [c for c in CASES if c.startswith("contrast_")])
def test_nonlinear_contrast_matches_svycontrast(cid: str) -> None:
    case = CASES[cid]
    py = case["py"]
    res = nlcontrast(_estimates(_bind(py["data"], py["design"]), py), py["expr"])
    _close(res.estimate, case["estimate"])
    _close(res.std_error, case["std_error"])
    if res.by:  # one row per domain, in R's order
        assert res.to_frame()[py["by"]].to_list() == case["names"]


@pytest.mark.parametrize("cid", [c for c in CASES if "change" in c])
def test_wave_change_matches_r_with_and_without_the_member_as_cluster(cid: str) -> None:
    case = CASES[cid]
    py = case["py"]
    sf = _bind(py["data"], py["design"])
    if "poststratify" in py:  # weighted on the independent design, as the plans do
        from survey.weighting import poststratify

        sf = poststratify(sf.with_columns(pl.col("wave").cast(pl.String)), py["poststratify"])
    first, second = py["compare"]
    if py["panel"]:
        sf = panel_design(sf, py["panel"], prefer=pl.col("wave").cast(pl.String) == first)
    res = differences(_estimates(sf, py), "wave", first, second,
                      relative=bool(py.get("relative")))
    _close(res.estimate, case["estimate"])
    _close(res.std_error, case["std_error"])


def test_panel_change_has_a_smaller_standard_error_than_independent_waves() -> None:
    assert CASES["change_mean_panel"]["std_error"][0] < 0.6 * CASES[
        "change_mean_independent"]["std_error"][0]


def test_panel_link_counts_members_in_both_waves_and_moved_strata() -> None:
    link = panel_link(dataset("panel_waves"), "snum", "wave", 2000, 1999, strata="stratum")
    assert link.members_in_both == CASES["change_mean_panel"]["members_in_both"]
    assert link.moved_strata == 10


@pytest.mark.parametrize("cid", [c for c in CASES if c.startswith("mi_")])
def test_mi_combine_matches_micombine(cid: str) -> None:
    case = CASES[cid]
    py = case["py"]
    fits = []
    for name in py["data"]:
        sf = _bind(name, py["design"])
        if py["fn"] in ("svyglm", "logit"):
            from survey.models import svyglm

            if py["fn"] == "svyglm":
                fits.append(svyglm(sf, py["formula"], family="gaussian"))
            else:
                fits.append(svyglm(sf, py["formula"], family="binomial",
                                   outcome=pl.sql_expr(py["outcome"])))
        else:
            fits.append(_estimates(sf, py))
    res = mi_combine(fits)
    _close(res.estimate, case["estimate"])
    _close(res.std_error, case["std_error"])
    _close(res.to_frame()["df"].to_numpy(), case["df"])
    _close(res.to_frame()["missinfo"].to_numpy(), case["missinfo"])
