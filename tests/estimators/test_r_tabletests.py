"""svychisq's Wald, adjWald, lincom and saddlepoint statistics and svygofchisq, against R.

Fixtures: scripts/r/make_tabletests_fixtures.R -> tests/fixtures/r/tabletests.json (R's
survey with CompQuadForm installed, so `lincom` is Davies' algorithm on linearisation
designs and Farebrother's series on replicate designs, as R computes it).
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from scipy import stats

from survey.design import svydesign
from survey.errors import EstimationError
from survey.estimators import chisq, gof
from survey.estimators._davies import davies
from survey.estimators._tabletests import lincom_pvalue, saddlepoint_pvalue
from tests.estimators._rfixtures import cases, check, dataset, header, run

FILE = "tabletests.json"
CASES = cases(FILE)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_matches_r(case: dict) -> None:
    assert check(case, run(case)) >= 2


def test_fixtures_were_made_with_compquadform() -> None:
    h = header(FILE)
    assert h["compquadform_version"] and h["script"] == "scripts/r/make_tabletests_fixtures.R"
    ids = {c["id"] for c in CASES}
    for st in ("Wald", "adjWald", "lincom", "saddlepoint"):
        assert f"strat_{st}" in ids and f"jk1_{st}" in ids
    assert sum("gof" in i for i in ids) >= 10


def test_one_eigenvalue_is_a_scaled_chi_square() -> None:
    assert lincom_pvalue(3.0, np.array([1.5])) == pytest.approx(stats.chi2.sf(2.0, 1), rel=1e-12)


def test_equal_eigenvalues_are_a_chi_square_on_their_number() -> None:
    p = lincom_pvalue(7.0, np.array([2.0, 2.0, 2.0]))
    assert p == pytest.approx(stats.chi2.sf(3.5, 3), rel=1e-12)


def test_against_the_denominator_df_it_is_an_f_tail() -> None:
    # one eigenvalue a: P(a chi2_1 > x chi2_m / m) = P(F(1, m) > x / a)
    p = lincom_pvalue(4.0, np.array([2.0]), ddf=30.0)
    assert p == pytest.approx(stats.f.sf(2.0, 1, 30), rel=1e-6)


def test_davies_reproduces_the_chi_square_distribution() -> None:
    cdf, fault = davies(5.0, np.array([1.0, 1.0, 1.0, 1.0]), np.ones(4, dtype=np.int64), acc=1e-7)
    assert fault in (0, 2)
    assert cdf == pytest.approx(stats.chi2.cdf(5.0, 4), abs=1e-7)


def test_saddlepoint_is_close_to_the_exact_tail() -> None:
    a = np.array([2.0, 1.0, 0.5])
    assert saddlepoint_pvalue(9.0, a) == pytest.approx(lincom_pvalue(9.0, a), rel=0.05)


def test_gof_needs_every_category() -> None:
    sf = svydesign(dataset("apistrat"), strata="stype", weights="pw", fpc="fpc")
    with pytest.raises(EstimationError, match="lack categories"):
        gof(sf, "awards", {"Yes": 0.5})


def test_chisq_refuses_an_unknown_statistic() -> None:
    sf = svydesign(dataset("apistrat"), strata="stype", weights="pw", fpc="fpc")
    with pytest.raises(EstimationError, match="lincom"):
        chisq(sf, "sch.wide", "stype", statistic="exact")  # type: ignore[arg-type]


def test_gof_of_the_sample_shares_is_zero() -> None:
    sf = svydesign(pl.DataFrame({"g": ["a", "b", "b", "a", "b", "b"]}))
    assert gof(sf, "g", {"a": 1, "b": 2}).statistic == pytest.approx(0.0, abs=1e-12)
