"""The large-sample fast paths give the numbers of the general ones.

* Plain formulas: the design matrix filled from polars equals patsy's, bit for bit
  (columns, names, order, term slices, response).
* Above ``_LARGE`` rows the IRLS steps are normal equations in Newton form: forced on
  the small R cases, they still match R at the fixtures' tolerance.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

import survey.models._design_matrix as dm
import survey.models._formula as formula_mod
import survey.models._glm as glm_mod
from survey.design import svydesign
from survey.models._formula import model_frame
from tests.estimators._rfixtures import dataset
from tests.models._rmodels import cases, check, run

PLAIN = [
    "api00 ~ api99 + meals",
    "api00 ~ api99 + C(stype)",
    "api00 ~ api99 + stype",
    "api00 ~ meals * C(stype, Treatment('M'))",
    "api00 ~ C(stype):C(awards) + api99:meals - 1",
    "api00 ~ C(stype) * C(awards) + Q('sch.wide')",
    "api00 ~ q__sch + meals:q__awards + C(q__comp)",
    "api00 ~ grade * meals + grade:stype",
    "Q('enroll') ~ 0 + stype + meals",
    "y ~ api99 + stype",
]

NOT_PLAIN = [
    "api00 ~ np.log(api99) + meals",
    "api00 ~ I(meals ** 2) + stype",
    "api00 ~ C(api99 > 600) + stype",
    "api00 ~ C(stype, levels=['M', 'H', 'E'])",
    "api00 ~ C(snum) + meals",
]


@pytest.fixture(scope="module")
def sf():
    df = dataset("apistrat").with_columns(
        grade=pl.when(pl.col("enroll") < 400).then(pl.lit("low"))
        .when(pl.col("enroll") < 900).then(pl.lit("mid")).otherwise(pl.lit("high"))
        .cast(pl.Enum(["low", "mid", "high"])),
        y=pl.col("api00") > 650)
    return svydesign(df, strata="stype", weights="pw", fpc="fpc")


def _both(sf, formula: str, monkeypatch, **kw):
    fast = model_frame(sf, formula, **kw)
    monkeypatch.setattr(formula_mod, "FAST_PATH", False)
    slow = model_frame(sf, formula, **kw)
    monkeypatch.setattr(formula_mod, "FAST_PATH", True)
    return fast, slow


@pytest.mark.parametrize("formula", PLAIN)
def test_plain_formula_matrix_is_patsys(sf, formula, monkeypatch) -> None:
    calls = []
    fill = dm.fill_design
    monkeypatch.setattr(formula_mod, "fill_design", lambda *a: calls.append(1) or fill(*a))
    fast, slow = _both(sf, formula, monkeypatch, where=pl.col("api99") > 500)
    assert calls, "the fast path was not taken"
    assert fast.names == slow.names
    assert fast.term_slices == slow.term_slices
    np.testing.assert_array_equal(fast.X, slow.X)
    np.testing.assert_array_equal(fast.y, slow.y)
    assert fast.X.flags.f_contiguous


@pytest.mark.parametrize("formula", NOT_PLAIN)
def test_other_formulas_go_through_patsy(sf, formula, monkeypatch) -> None:
    calls = []
    monkeypatch.setattr(formula_mod, "fill_design", lambda *a: calls.append(1))
    mf = model_frame(sf, formula)
    assert not calls
    assert mf.X.shape[0] == mf.y.shape[0]


def test_non_finite_predictor_goes_through_patsy(monkeypatch) -> None:
    df = pl.DataFrame({"y": [0, 1, 0, 1], "x": [1.0, float("nan"), 2.0, 3.0]})
    with pytest.raises(Exception, match="design matrix"):
        model_frame(svydesign(df), "y ~ x")


def test_profiles_predicted_with_the_fast_design_info(sf, monkeypatch) -> None:
    from survey.models import svyglm
    f = "y ~ meals * C(stype, Treatment('M')) + grade"
    profiles = pl.DataFrame({"meals": [10.0, 60.0], "stype": ["E", "H"],
                             "grade": pl.Series(["low", "high"], dtype=pl.Enum(["low", "mid", "high"]))})
    fast = svyglm(sf, f)
    monkeypatch.setattr(formula_mod, "FAST_PATH", False)
    slow = svyglm(sf, f)
    assert fast.terms["term"].to_list() == slow.terms["term"].to_list()
    np.testing.assert_allclose(fast.coef, slow.coef, rtol=1e-12)
    np.testing.assert_allclose(fast.predict(profiles)["estimate"].to_numpy(),
                               slow.predict(profiles)["estimate"].to_numpy(), rtol=1e-12)


GLM_CASES = [c for c in cases() if c["fn"] == "svyglm" and "jk" not in c["id"]]


@pytest.mark.parametrize("case", GLM_CASES, ids=[c["id"] for c in GLM_CASES])
def test_large_sample_irls_matches_r(case, monkeypatch) -> None:
    monkeypatch.setattr(glm_mod, "_LARGE", 0)
    assert check(case, run(case)) > 0


def test_large_sample_irls_agrees_with_qr_steps(sf, monkeypatch) -> None:
    from survey.models import svyglm
    f = "y ~ api99 + meals * C(stype) + enroll"
    qr = svyglm(sf, f)
    monkeypatch.setattr(glm_mod, "_LARGE", 0)
    normal = svyglm(sf, f)
    np.testing.assert_allclose(normal.coef, qr.coef, rtol=1e-9)
    np.testing.assert_allclose(normal.std_error, qr.std_error, rtol=1e-9)


def test_psu_totals_sorted_and_unsorted_agree() -> None:
    rng = np.random.default_rng(3)
    psu = rng.integers(0, 40, 2000)
    psu[psu == 7] = 8  # a PSU code with no row
    values, factor = rng.normal(size=(2000, 4)), rng.normal(size=2000)
    order = np.argsort(psu, kind="stable")
    unsorted = glm_mod._psu_sums(psu, values, 40, factor)
    sorted_ = glm_mod._psu_sums(psu[order], values[order], 40, factor[order])
    np.testing.assert_allclose(sorted_, unsorted, rtol=1e-12, atol=1e-12)
    assert not sorted_[7].any()
