"""Two-stage designs with an fpc at each stage (R's multistage); R's numbers are in
the fixtures (clus2_fpc*, lonely2_*), these are the checks and errors around them."""

from __future__ import annotations

import polars as pl
import pytest

from survey.design import svydesign
from survey.errors import DesignError, EstimationError
from survey.estimators import mean
from survey.weighting import poststratify
from tests.estimators._rfixtures import dataset

IDS, FPC = ("dnum", "snum"), ("fpc1", "fpc2")


@pytest.fixture(scope="module")
def clus2() -> pl.DataFrame:
    return dataset("apiclus2")


def test_second_stage_adds_variance_to_the_first(clus2) -> None:
    both = mean(svydesign(clus2, ids=IDS, fpc=FPC), "api00")
    # the same first stage without the second stage's term: R's ultimate cluster with fpc1
    first = mean(svydesign(clus2, ids="dnum", fpc="fpc1", weights="pw"), "api00")
    assert both.estimate[0] == pytest.approx(first.estimate[0], rel=1e-12)
    assert both.std_error[0] > first.std_error[0]


def test_without_weights_the_stage_probabilities_multiply(clus2) -> None:
    sf = svydesign(clus2, ids=IDS, fpc=FPC)
    w = sf._data["__svy_w"]
    assert w.to_list() == pytest.approx(clus2["pw"].to_list(), rel=1e-9)


def test_second_stage_fpc_needs_two_stages_of_ids(clus2) -> None:
    with pytest.raises(DesignError, match="2 stages needs as many stages of ids"):
        svydesign(clus2, ids="dnum", fpc=FPC)


def test_three_stages_of_fpc_need_three_stages_of_ids(clus2) -> None:
    with pytest.raises(DesignError, match="3 stages needs as many stages of ids"):
        svydesign(clus2.with_columns(pl.lit(3.0).alias("f3")), ids=IDS, fpc=(*FPC, "f3"))


def test_second_stage_fpc_varying_within_a_district_names_it(clus2) -> None:
    district = clus2.group_by("dnum").len().filter(pl.col("len") > 1)["dnum"].min()
    first_row = (pl.col("dnum") == district) & (pl.int_range(pl.len()).over("dnum") == 0)
    bad = clus2.with_columns(pl.when(first_row).then(999.0).otherwise(pl.col("fpc2"))
                             .alias("fpc2"))
    with pytest.raises(DesignError) as err:
        svydesign(bad, ids=IDS, fpc=FPC)
    assert f"varies within first-stage units {district}" in str(err.value.problems)


@pytest.mark.parametrize("how", ["fail", "average"])
def test_one_school_of_several_in_a_district_fails_unless_told(clus2, how) -> None:
    with pytest.raises(DesignError, match="only one second-stage unit"):
        svydesign(clus2, ids=IDS, fpc=("fpc1", "fpc2_lone"), weights="pw", lonely_psu=how)


def test_calibrating_a_two_stage_design_is_refused_when_estimating(clus2) -> None:
    sf = svydesign(clus2, ids=IDS, fpc=FPC, weights="pw")
    with pytest.raises(EstimationError, match="second-stage fpc"):
        mean(poststratify(sf, {"stype": {"E": 4421, "H": 755, "M": 1018}}), "api00")
