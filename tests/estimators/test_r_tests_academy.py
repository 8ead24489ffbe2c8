"""The academy wave's Likert items, as typed (ordered categories), against R on their codes.

Fixtures: the academy section of scripts/r/make_tests_fixtures.R ->
tests/fixtures/r/tests_academy.json (R read the items' option codes 1-5 from
academy_scales.csv; here they stay Enum columns, scored by position, ranked by order).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import polars as pl
import pytest

from survey import load_codebook, read_survey
from survey.design import SurveyFrame, svydesign
from survey.estimators import Estimates, correlation, cronbach_alpha, ranktest, ttest
from tests.estimators._rfixtures import cases, check
from tests.estimators.test_r_tests import _check_test

ROOT = Path(__file__).resolve().parents[2]
CASES = cases("tests_academy.json")


@cache
def _design(key: str) -> SurveyFrame:
    wave = read_survey(ROOT / "sample_data/academy_2025.xlsx",
                       load_codebook(ROOT / "schemas/academy_member_survey.yaml"))
    pop = (pl.read_csv(ROOT / "sample_data/population_2025.csv")
           .filter(pl.col("variable") == "division")
           .select(pl.col("category").alias("division"), "population"))
    # R read gender and division as text (groups in sorted order); the items stay typed
    frame = (wave.frame.with_columns(pl.col("division", "gender").cast(pl.String))
             .join(pop, on="division", how="left", maintain_order="left"))
    if key == "academy_srs":
        return svydesign(frame)
    return svydesign(frame, strata="division", fpc="population")


def test_the_items_are_ordered_categories() -> None:
    sf = _design("academy")
    assert isinstance(sf.frame["push_autonomy"].dtype, pl.Enum)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_matches_r_on_the_codes(case: dict) -> None:
    sf = _design(case["design"]["data"] if "strata" in case["design"] else "academy_srs")
    args = dict(case["args"])
    fn = {"cronbach_alpha": cronbach_alpha, "ranktest": ranktest, "ttest": ttest,
          "correlation": correlation}[case["fn"]]
    got = fn(sf, args.pop("var"), **args)
    if isinstance(got, Estimates):
        assert check(case, got) == 4 * len(case["rows"])
    else:
        assert _check_test(case, got) >= 3
