"""Differences between domains for every estimate at once (waves, subgroups)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey.design import svydesign
from survey.errors import EstimationError
from survey.estimators import difference, differences, mean, proportion
from tests.estimators._rfixtures import dataset


@pytest.fixture(scope="module")
def strat():
    return svydesign(dataset("apistrat"), strata="stype", weights="pw", fpc="fpc")


def test_each_category_equals_the_r_checked_single_difference(strat) -> None:
    est = proportion(strat, "sch.wide", by="stype")
    d = differences(est, "stype", "M", "H")
    assert d.to_frame()["stype"].unique().to_list() == ["M - H"]
    for cat in ("No", "Yes"):
        one = difference(est, {"stype": "M", "category": cat}, {"stype": "H", "category": cat})
        row = d.to_frame().filter(pl.col("category") == cat).row(0, named=True)
        for f in ("estimate", "std_error", "conf_low", "conf_high", "p_value"):
            assert row[f] == pytest.approx(one.to_frame()[f][0], rel=1e-12)


def test_other_by_columns_stay_as_keys(strat) -> None:
    est = mean(strat, "api00", by=["stype", "sch.wide"])
    d = differences(est, "sch.wide", "Yes", "No").to_frame()
    assert d.select("stype", "sch.wide").rows() == [(s, "Yes - No") for s in ("E", "H", "M")]
    e = d.filter(pl.col("stype") == "E")["estimate"][0]
    rows = est.to_frame().filter(pl.col("stype") == "E")
    want = (rows.filter(pl.col("sch.wide") == "Yes")["estimate"][0]
            - rows.filter(pl.col("sch.wide") == "No")["estimate"][0])
    assert e == pytest.approx(want, rel=1e-12)


def test_integer_groups_are_matched_as_text() -> None:
    sf = svydesign(pl.DataFrame({"y": [1.0, 2.0, 4.0, 8.0], "wave": [2023, 2023, 2025, 2025]}))
    d = differences(mean(sf, "y", by="wave"), "wave", "2025", 2023)
    assert d.estimate.tolist() == [4.5]


def test_t_quantiles_when_df_is_given(strat) -> None:
    est = mean(strat, "api00", by="stype")
    normal = differences(est, "stype", "E", "H").to_frame()
    t = differences(est, "stype", "E", "H", df=5).to_frame()
    assert t["conf_high"][0] - t["conf_low"][0] > normal["conf_high"][0] - normal["conf_low"][0]
    assert t["p_value"][0] > normal["p_value"][0] and t["df"][0] == 5


def test_a_value_not_in_the_domains_is_refused_with_the_values_seen(strat) -> None:
    est = mean(strat, "api00", by="stype")
    with pytest.raises(EstimationError, match="stype = 'X'") as err:
        differences(est, "stype", "X", "H")
    assert "E, H, M" in str(err.value.hint) or "E, H, M" in str(err.value)


def test_a_value_compared_with_itself_is_refused(strat) -> None:
    with pytest.raises(EstimationError, match="two different values"):
        differences(mean(strat, "api00", by="stype"), "stype", "E", "E")


def test_a_column_that_is_not_a_domain_is_refused(strat) -> None:
    with pytest.raises(EstimationError, match="not a by= column"):
        differences(mean(strat, "api00"), "stype", "E", "H")


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(-100, 100, allow_nan=False), min_size=8, max_size=30),
       st.lists(st.floats(0.5, 5), min_size=30, max_size=30))
def test_swapping_the_sides_negates_the_difference(ys: list[float], ws: list[float]) -> None:
    n = len(ys)
    df = pl.DataFrame({"y": ys, "w": ws[:n], "g": ["a", "b"] * (n // 2) + ["a"] * (n % 2)})
    est = mean(svydesign(df, weights="w"), "y", by="g")
    ab, ba = differences(est, "g", "a", "b"), differences(est, "g", "b", "a")
    assert np.allclose(ab.estimate, -ba.estimate, rtol=1e-12, atol=1e-12)
    assert np.allclose(ab.std_error, ba.std_error, rtol=1e-12, atol=1e-12)
