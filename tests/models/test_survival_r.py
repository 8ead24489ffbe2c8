"""Survival under a design against R (tests/fixtures/r/survival.json, written by
scripts/r/make_survival_fixtures.R): svykm, svylogrank, svycoxph on survival::pbc."""

from __future__ import annotations

import json
import math
import re
from typing import Any

import polars as pl
import pytest

from survey.models import svycoxph, svykm, svylogrank
from tests.estimators._rfixtures import FIXTURES, bind, cases, cases_of, where_of

FILE = FIXTURES / "survival.json"


def _of(kind: str) -> list[dict[str, Any]]:
    return cases_of(FILE.name, kind)


def _close(a: float, b: float, tol: float) -> bool:
    return math.isclose(a, b, rel_tol=tol, abs_tol=1e-12)


def test_header_names_the_r_versions():
    header = json.loads(FILE.read_text())["header"]
    assert header["survey_version"] and header["survival_version"]
    assert len(cases(FILE.name)) == 24


@pytest.mark.parametrize("case", _of("km"), ids=lambda c: c["id"])
def test_kaplan_meier_with_standard_errors_matches_svykm(case):
    a = case["args"]
    res = svykm(bind(case["design"]), a["time"], a["status"], by=a["by"], where=where_of(a))
    table, at = res.to_frame(), res.at(a["times"])
    tol = case["tol"]
    for curve in case["curves"]:
        mine = table if curve["level"] is None else table.filter(pl.col(a["by"]) == curve["level"])
        mine_at = at if curve["level"] is None else at.filter(pl.col(a["by"]) == curve["level"])
        assert mine.height == len(curve["rows"])
        for want, got in zip(curve["rows"], mine.iter_rows(named=True), strict=True):
            assert got["time"] == want["time"]
            assert _close(got["estimate"], want["estimate"], tol), (case["id"], want)
            assert _close(got["std_error_log"] ** 2, want["varlog"], tol), (case["id"], want)
        for want, got in zip(curve["at"], mine_at.iter_rows(named=True), strict=True):
            assert _close(got["estimate"], want["estimate"], tol)
            assert _close(got["conf_low"], want["conf_low"], tol), (case["id"], want)
            assert _close(got["conf_high"], want["conf_high"], tol), (case["id"], want)


@pytest.mark.parametrize("case", _of("km_plain"), ids=lambda c: c["id"])
def test_product_limit_curve_matches_svykm_without_se(case):
    a = case["args"]
    table = svykm(bind(case["design"]), a["time"], a["status"], se=False).to_frame()
    assert table["time"].to_list() == [r["time"] for r in case["rows"]]
    for want, got in zip(case["rows"], table["estimate"].to_list(), strict=True):
        assert _close(got, want["estimate"], case["tol"])


@pytest.mark.parametrize("case", _of("km_rep"), ids=lambda c: c["id"])
def test_replicate_curve_variance_matches_r_with_replicates(case):
    a = case["args"]
    table = svykm(bind(case["design"]), a["time"], a["status"], where=where_of(a)).to_frame()
    assert table["time"].to_list() == [r["time"] for r in case["rows"]]
    for want, got in zip(case["rows"], table.iter_rows(named=True), strict=True):
        assert _close(got["estimate"], want["estimate"], case["tol"])
        assert _close(got["std_error_log"] ** 2, want["varlog"], case["tol"]), want


@pytest.mark.parametrize("case", _of("logrank"), ids=lambda c: c["id"])
def test_logrank_family_matches_svylogrank(case):
    a = case["args"]
    res = svylogrank(bind(case["design"]), a["time"], a["status"], a["by"], rho=a["rho"],
                     gamma=a["gamma"])
    tol = case["tol"]
    assert res.df == case["df"]
    assert _close(res.statistic, case["statistic"], tol)
    assert _close(res.p_value, case["p_value"], tol)
    for want, got in zip(case["terms"], res.terms.iter_rows(named=True), strict=True):
        assert _close(got["score"], want["score"], tol)
        assert _close(got["std_error"], want["std_error"], tol)
        assert _close(got["statistic"], want["z"], tol)


def _r_name(term: str) -> str:
    """patsy's ``sex[T.m]`` in R's spelling ``sexm``."""
    return re.sub(r"\[T\.(.+)\]$", r"\1", term)


@pytest.mark.parametrize("case", _of("cox"), ids=lambda c: c["id"])
def test_cox_regression_matches_svycoxph(case):
    a = case["args"]
    res = svycoxph(bind(case["design"]), a["formula"], where=where_of(a), ties=a["ties"])
    got = {_r_name(r["term"]): r for r in res.terms.iter_rows(named=True)}
    assert set(got) == {t["term"] for t in case["terms"]}
    tol = case["tol"]
    for want in case["terms"]:
        mine = got[want["term"]]
        for key in ("estimate", "std_error", "ratio", "conf_low", "conf_high"):
            assert _close(mine[key], want[key], tol), (case["id"], want["term"], key)
        # p-values far in the tail amplify the SE's last digits (R's replicate refits
        # stop at coxph.control()'s defaults): compare them where they are not tiny
        if want["p_value"] > 1e-12:
            assert _close(mine["p_value"], want["p_value"], 10 * tol), (case["id"], want["term"])
