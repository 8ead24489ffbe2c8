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
