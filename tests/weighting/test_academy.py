"""The academy 2025 wave post-stratified to division x gender, against R."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from survey.codebook import load_codebook
from survey.design import SurveyFrame, svydesign
from survey.estimators import proportion
from survey.frames import read_survey
from survey.weighting import poststratify, read_margins, weight_diagnostics
from tests.estimators._rfixtures import FIXTURES, check

ROOT = Path(__file__).resolve().parents[2]
FIX = json.loads((FIXTURES / "weighting_academy.json").read_text())
COLS = ["division", "gender", "offer_received", "offer_countries__china", "offer_countries__us"]


@cache
def wave() -> pl.DataFrame:
    cb = load_codebook(ROOT / "schemas/academy_member_survey.yaml")
    return read_survey(ROOT / "sample_data/academy_2025.xlsx", cb).frame


@cache
def design(kind: str) -> SurveyFrame:
    sf = svydesign(wave())
    if kind == "unweighted":
        return sf
    margins = read_margins(ROOT / "sample_data/population_2025.csv").select("division:gender")
    return poststratify(sf, margins)


def test_fixture_data_is_the_wave_as_read() -> None:
    csv = pl.read_csv(FIXTURES / "weighting_academy.csv", infer_schema_length=None)
    got = wave().select(pl.col(c).cast(pl.String).str.to_lowercase() for c in COLS)
    want = csv.select(pl.col(c).cast(pl.String).str.to_lowercase() for c in COLS)
    assert got.equals(want)


@pytest.mark.parametrize("case", FIX["cases"], ids=[c["id"] for c in FIX["cases"]])
def test_matches_r(case: dict) -> None:
    sf = design(case["weighting"])
    args = dict(case["args"])
    where = pl.sql_expr(args.pop("where")) if "where" in args else None
    assert check(case, proportion(sf, args.pop("var"), where=where)) > 0
    if case.get("weights"):
        np.testing.assert_allclose(sf.frame["weight"].to_numpy(), case["weights"], rtol=1e-12)


def test_tiny_cells() -> None:
    """Two respondents stand for 10 and 15 members: weights 5 and 7.5, no failure."""
    d = weight_diagnostics(design("poststratified")).to_frame()
    tiny = d.filter(pl.col("n") == 2)
    assert sorted(tiny["category"].to_list()) == ["Agriculture & Fisheries:Female",
                                                  "Policy Research:Female"]
    w = design("poststratified").frame.filter(pl.col("gender") == "Female")
    w = dict(w.group_by(pl.col("division").cast(pl.String)).agg(pl.col("weight").first()).iter_rows())
    assert w["Agriculture & Fisheries"] == pytest.approx(5.0)
    assert w["Policy Research"] == pytest.approx(7.5)


def test_dispositions_to_nonresponse_then_poststratify_give_rs_weights() -> None:
    """The invited sample (AAPOR dispositions, stratified by division) adjusted for
    nonresponse within division, then post-stratified to division x gender: division
    classes nest in the post-strata, so the weights are R's post-stratified ones and the
    SE that of post-stratifying the respondents' stratified design directly."""
    from survey.weighting import adjust_nonresponse

    invited = pl.read_csv(ROOT / "sample_data/dispositions_2025.csv",
                          schema_overrides={"member_no": pl.String, "disposition": pl.String})
    pop = read_margins(ROOT / "sample_data/population_2025.csv").select("division").margins[0]
    sizes = pl.DataFrame({"division": [c[0] for c in pop.categories],
                          "members": list(pop.population)})
    answers = wave().with_columns(pl.col("member_no").cast(pl.String)).drop("division")
    frame = invited.join(sizes, on="division").join(answers, on="member_no", how="left")
    sf = svydesign(frame, strata="division", fpc="members")
    # partials (1.2) left no usable answers in this export: nonrespondents here
    nr = adjust_nonresponse(sf, "disposition", classes="division",
                            codes={"1.2": "nonrespondent"})
    assert nr.n == 200
    margins = read_margins(ROOT / "sample_data/population_2025.csv").select("division:gender")
    final = poststratify(nr, margins)
    r = next(c for c in FIX["cases"] if c["id"] == "poststratified_offer")
    got = final.frame.join(wave().select(pl.col("member_no").cast(pl.String)).with_row_index(),
                           on="member_no").sort("index")["weight"]
    np.testing.assert_allclose(got.to_numpy(), r["weights"], rtol=1e-12)
    est = proportion(final, "offer_received").to_frame().filter(pl.col("category") == "Yes")
    assert est["estimate"][0] == pytest.approx(r["rows"][0]["estimate"], rel=1e-12)
    direct = poststratify(svydesign(frame.filter(pl.col("disposition") == "1.1"),
                                    strata="division", fpc="members"), margins)
    want = proportion(direct, "offer_received").to_frame().filter(pl.col("category") == "Yes")
    assert est["std_error"][0] == pytest.approx(want["std_error"][0], rel=1e-12)
    assert "nonresponse" in weight_diagnostics(final).method
