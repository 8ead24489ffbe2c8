"""The acceptance-intent model of docs/models.md, on the academy 2025 sample.

R cross-check (survey 4.1.1), on the same prepared data written to CSV:
    d <- svydesign(id=~1, strata=~division, fpc=~N_division, data=a)
    m <- svyglm(I(intent %in% c("Accepted","Seriously considering")) ~ division + age_band +
                institution_type + salary_multiple + autonomy + seniority_pay + china,
                design=subset(d, offer_received=="Yes"), family=quasibinomial())
with division releveled to Engineering and china logical.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import survey
from survey.design import svydesign
from survey.models import separation, svyglm

ROOT = Path(__file__).parents[2]
LIKERT = {f"{i} {t}": float(i) for i, t in enumerate(
    ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"], 1)}
FORMULA = ("~ C(division, Treatment('Engineering')) + age_band + institution_type"
           " + salary_multiple + autonomy + seniority_pay + china")
OFFERED = pl.col("offer_received") == "Yes"
GOING = pl.col("intent").is_in(["Accepted", "Seriously considering"])
R = {  # term: (estimate, std_error, conf_low, conf_high)
    "salary_multiple": (1.60978174925273, 0.474396103979105, 0.668236802330693,
                        2.55132669617476),
    "autonomy": (-1.24344378793193, 0.294941040617695, -1.82882010975296, -0.658067466110897),
    "seniority_pay": (0.913339359730335, 0.354332883429664, 0.210086670420291,
                      1.61659204904038),
    "china[T.True]": (0.554846332841028, 0.87954899410605, -1.19081494899653,
                      2.30050761467858),
}


@pytest.fixture(scope="module")
def design():
    cb = survey.load_codebook(ROOT / "schemas/academy_member_survey.yaml")
    df = survey.read_survey(ROOT / "sample_data/academy_2025.xlsx", cb).frame
    pop = (pl.read_csv(ROOT / "sample_data/population_2025.csv")
           .filter(pl.col("variable") == "division")
           .select(pl.col("category").alias("division_s"),
                   pl.col("population").alias("N_division")))
    df = df.with_columns(division_s=pl.col("division").cast(pl.String)).join(
        pop, on="division_s", how="left")
    score = {c: pl.col(f"push_{c}").cast(pl.String).replace_strict(
        LIKERT, default=None, return_dtype=pl.Float64) for c in ("autonomy", "seniority_pay")}
    df = df.with_columns(**score, china=pl.col("offer_countries__china"))
    return svydesign(df, strata="division", fpc="N_division")


def test_acceptance_intent_matches_r(design) -> None:
    assert not separation(design, FORMULA, outcome=GOING, where=OFFERED).separated
    m = svyglm(design, FORMULA, outcome=GOING, where=OFFERED)
    assert m.n == 115 and m.df_resid == 97
    t = {r["term"]: r for r in m.terms.iter_rows(named=True)}
    for term, want in R.items():
        got = t[term]
        for field, w in zip(("estimate", "std_error", "conf_low", "conf_high"), want, strict=True):
            assert got[field] == pytest.approx(w, rel=1e-6), (term, field)
    assert m.wald_test("C(division, Treatment('Engineering'))").p_value == pytest.approx(
        0.381906061718527, rel=1e-6)
