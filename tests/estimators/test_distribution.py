"""Weighted histogram, box-plot statistics and ECDF against R's svyhist, svyboxplot, svycdf."""

from __future__ import annotations

import numpy as np
import pytest

from survey.errors import EstimationError
from survey.estimators import box_stats, ecdf, histogram, quantile
from survey.estimators._distribution import pretty_breaks
from tests.estimators._rfixtures import bind, cases

CASES = cases("distribution.json")


def _ids(kind: str) -> list:
    return [pytest.param(c, id=f"{c['r'][:60]}") for c in CASES if c["kind"] == kind]


@pytest.mark.parametrize("case", _ids("histogram"))
def test_histogram_breaks_and_densities_match_svyhist(case):
    h = histogram(bind(case["design"]), case["variable"])
    np.testing.assert_allclose(h.breaks, case["breaks"], rtol=1e-12)
    np.testing.assert_allclose(h.density, case["density"], rtol=1e-6)
    assert np.sum(h.density * np.diff(h.breaks)) == pytest.approx(1.0)


@pytest.mark.parametrize("case", _ids("ecdf"))
def test_ecdf_matches_svycdf(case):
    f = ecdf(bind(case["design"]), case["variable"])
    np.testing.assert_allclose(f(case["at"]), case["share"], rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("case", _ids("boxplot"))
def test_box_statistics_match_svyboxplot(case):
    b = box_stats(bind(case["design"]), case["variable"], by=case["by"])
    assert b.table.height == len(case["groups"])
    for i, g in enumerate(case["groups"]):
        row = b.table.row(i, named=True)
        assert str(row[case["by"]]) == g["group"]
        for k in ("low", "q1", "median", "q3", "high"):
            assert row[k] == pytest.approx(g[k], rel=1e-9), k
        assert sorted(b.outliers(i)) == sorted(g["outliers"])


def test_drawn_quartiles_are_the_design_based_quantiles():
    sf = bind(CASES[0]["design"])
    b = box_stats(sf, "api00", by="stype")
    q = quantile(sf, "api00", quantiles=[0.25, 0.5, 0.75], by="stype")
    np.testing.assert_array_equal(b.table.select("q1", "median", "q3").to_numpy().ravel(),
                                  q.table["estimate"].to_numpy())


@pytest.mark.parametrize(("lo", "hi", "n", "expected"), [
    (0.0, 1.0, 5, [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]),    # pretty(c(0, 1), 5)
    (1.0, 1000.0, 10, list(range(0, 1001, 100))),       # pretty(c(1, 1000), 10)
    (-3.2, 7.9, 6, [-4.0, -2.0, 0.0, 2.0, 4.0, 6.0, 8.0]),  # pretty(c(-3.2, 7.9), 6)
])
def test_pretty_breaks_are_rs(lo, hi, n, expected):
    np.testing.assert_allclose(pretty_breaks(lo, hi, n), expected, atol=1e-12)


def test_text_column_is_refused():
    sf = bind(CASES[0]["design"])
    with pytest.raises(EstimationError, match="not numeric"):
        histogram(sf, "stype")
