"""t-tests, rank tests, variances and alpha: behaviour beyond the R fixtures."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey.design import svydesign
from survey.errors import EstimationError
from survey.estimators import (
    correlation,
    cronbach_alpha,
    difference,
    mean,
    ranktest,
    std_dev,
    ttest,
    variance,
)
from tests.estimators._rfixtures import dataset


def _strat():
    return svydesign(dataset("apistrat"), strata="stype", weights="pw", fpc="fpc")


def test_two_group_ttest_is_the_difference_of_domain_means() -> None:
    sf = _strat()
    t = ttest(sf, "api00", by="sch.wide")
    d = difference(mean(sf, "api00", by="sch.wide"), {"sch.wide": "Yes"}, {"sch.wide": "No"})
    assert math.isclose(t.estimate, float(d.estimate[0]), rel_tol=1e-12)
    assert math.isclose(t.std_error, float(d.std_error[0]), rel_tol=1e-12)


def test_where_and_subset_give_the_same_test() -> None:
    sf = _strat()
    cond = pl.col("stype") == "E"
    a = ttest(sf, "api00", by="sch.wide", where=cond)
    b = ttest(sf.subset(cond), "api00", by="sch.wide")
    assert (a.estimate, a.std_error, a.df) == pytest.approx((b.estimate, b.std_error, b.df))


def test_paired_test_is_the_one_sample_test_of_the_difference() -> None:
    sf = _strat()
    a = ttest(sf, "api00", paired="api99", mu=10)
    b = ttest(sf.with_columns((pl.col("api00") - pl.col("api99")).alias("gain")), "gain", mu=10)
    assert (a.statistic, a.p_value, a.conf_low) == pytest.approx((b.statistic, b.p_value,
                                                                  b.conf_low))


@settings(max_examples=15, deadline=None)
@given(st.sampled_from(["wilcoxon", "vanderwaerden", "median", "kruskalwallis"]),
       st.sampled_from(["sch.wide", "stype"]))
def test_rank_tests_see_only_the_order_of_the_values(test: str, by: str) -> None:
    sf = _strat()
    a = ranktest(sf, "api00", by=by, test=test)  # type: ignore[arg-type]
    b = ranktest(sf.with_columns((pl.col("api00") ** 3 / 1e6).alias("api00")), "api00", by=by,
                 test=test)  # type: ignore[arg-type]
    assert a.statistic == pytest.approx(b.statistic, rel=1e-12)


def test_a_shift_between_groups_is_detected() -> None:
    rng = np.random.default_rng(1)
    y = rng.normal(size=400)
    g = np.repeat(["a", "b"], 200)
    sf = svydesign(pl.DataFrame({"y": y + (g == "b") * 1.0, "g": g}))
    assert ranktest(sf, "y", by="g").p_value < 1e-6
    assert ttest(sf, "y", by="g").p_value < 1e-6


def test_unweighted_variance_and_correlation_are_the_textbook_ones() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(size=50)
    y = x + rng.normal(size=50)
    sf = svydesign(pl.DataFrame({"x": x, "y": y}))
    v = variance(sf, ["x", "y"]).to_frame()
    want = np.cov(x, y)
    assert v["estimate"].to_list() == pytest.approx([want[0, 0], want[0, 1], want[1, 1]])
    assert float(correlation(sf, ["x", "y"]).estimate[0]) == pytest.approx(
        np.corrcoef(x, y)[0, 1])
    assert float(std_dev(sf, "x").estimate[0]) == pytest.approx(np.std(x, ddof=1))


def test_alpha_of_identical_items_is_one() -> None:
    sf = _strat().with_columns(pl.col("api00").alias("copy"), pl.col("api00").alias("copy2"))
    assert float(cronbach_alpha(sf, ["api00", "copy", "copy2"]).estimate[0]) == pytest.approx(1)


def test_domains_come_back_in_one_table_with_their_covariance() -> None:
    r = correlation(_strat(), ["api00", "meals", "api99"], by="stype")
    assert r.to_frame().height == 9 and r.vcov.shape == (9, 9)
    assert set(r.to_frame()["variable"]) == {"api00:meals", "api00:api99", "meals:api99"}


@pytest.mark.parametrize(("call", "needle"), [
    (lambda sf: ttest(sf, "api00", by="stype"), "two groups"),
    (lambda sf: ttest(sf, "api00", by="sch.wide", mu=1), "by= alone"),
    (lambda sf: ranktest(sf, "api00", by="stype", test="sign"), "unknown rank test"),
    (lambda sf: ranktest(sf, "api00", by="stype", where=pl.col("stype") == "E"), "1 value"),
    (lambda sf: correlation(sf, ["api00"]), "at least 2"),
    (lambda sf: variance(sf, ["api00", "api00"]), "twice"),
    (lambda sf: variance(sf, "stype"), "not numeric"),
])
def test_bad_requests_raise_estimation_errors(call, needle: str) -> None:
    with pytest.raises(EstimationError, match=needle):
        call(_strat())


def test_ordered_categories_are_scored_by_their_position() -> None:
    levels = ["low", "mid", "high"]
    frame = pl.DataFrame({"a": [1, 2, 3, 2, 1, 3], "b": [1, 3, 3, 2, 2, 3],
                          "c": [2, 2, 3, 1, 1, 3]})
    typed = frame.with_columns(pl.col(c).replace_strict([1, 2, 3], levels,
                                                        return_dtype=pl.Enum(levels))
                               for c in ("a", "b", "c"))
    want = cronbach_alpha(svydesign(frame), ["a", "b", "c"])
    got = cronbach_alpha(svydesign(typed), ["a", "b", "c"])
    assert float(got.estimate[0]) == pytest.approx(float(want.estimate[0]), rel=1e-12)
    assert float(got.std_error[0]) == pytest.approx(float(want.std_error[0]), rel=1e-12)
