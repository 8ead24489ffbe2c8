"""Behaviour of the model API: domains, separation, Firth, predictions, results, errors."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest

from survey.design import svydesign
from survey.errors import ModelError
from survey.models import firth, separation, svyglm, svyolr
from survey.models._results import TERM_COLUMNS
from tests.estimators._rfixtures import dataset

LOGIT = "Q('sch.wide') ~ api99 + meals + C(stype)"


@pytest.fixture(scope="module")
def strat():
    return svydesign(dataset("apistrat"), strata="stype", weights="pw", fpc="fpc")


@pytest.fixture(scope="module")
def fit(strat):
    return svyglm(strat, LOGIT)


def test_domain_three_ways(strat) -> None:
    """where=, sf.subset() and an outcome expression with where agree; dropping rows does not."""
    where = pl.col("stype") != "E"
    a = svyglm(strat, "Q('sch.wide') ~ api99 + meals", where=where)
    b = svyglm(strat.subset(where), "Q('sch.wide') ~ api99 + meals")
    c = svyglm(strat, "~ api99 + meals", outcome=pl.col("sch.wide") == "Yes", where=where)
    for other in (b, c):
        np.testing.assert_allclose(other.coef, a.coef, rtol=1e-12)
        np.testing.assert_allclose(other.std_error, a.std_error, rtol=1e-12)
    assert a.df_resid == b.df_resid == c.df_resid
    dropped = svyglm(svydesign(dataset("apistrat").filter(where), strata="stype", weights="pw"),
                     "Q('sch.wide') ~ api99 + meals")
    np.testing.assert_allclose(dropped.coef, a.coef, rtol=1e-10)


def test_terms_table_and_dict(fit) -> None:
    assert tuple(fit.terms.columns) == TERM_COLUMNS
    d = fit.to_dict()
    assert d["df_resid"] == 193 and len(d["terms"]) == 5
    json.dumps(d)
    or_ = fit.terms.filter(pl.col("term") == "meals").row(0, named=True)
    assert or_["odds_ratio"] == pytest.approx(np.exp(or_["estimate"]))
    assert or_["odds_ratio_low"] == pytest.approx(np.exp(or_["conf_low"]))
    ci90 = fit.conf_int(0.9)
    assert (ci90["conf_high"] - ci90["conf_low"] < fit.terms["conf_high"] - fit.terms["conf_low"]).all()


def test_two_level_factor_outcome_names_the_level_modelled(strat, fit) -> None:
    """As R's glm, a factor outcome models its second level; the result says which."""
    assert fit.outcome == "Q('sch.wide') = Yes"
    flipped = strat.frame.with_columns(pl.col("sch.wide").cast(pl.Enum(["Yes", "No"])))
    other = svyglm(svydesign(flipped, strata="stype", weights="pw", fpc="fpc"), LOGIT)
    assert other.outcome == "Q('sch.wide') = No"
    np.testing.assert_allclose(other.coef, -fit.coef, rtol=1e-9)


def test_gaussian_has_no_odds_ratio(strat) -> None:
    g = svyglm(strat, "api00 ~ meals", family="gaussian")
    assert g.terms["odds_ratio"].null_count() == 2


def test_predict_and_marginal_effects(fit) -> None:
    prof = pl.DataFrame({"api99": [600.0, 700.0], "meals": [40.0, 40.0], "stype": ["E", "H"]})
    p = fit.predict(prof)
    eta = np.array([[1, 0, 0, 600, 40], [1, 1, 0, 700, 40]]) @ fit.coef
    np.testing.assert_allclose(p["estimate"].to_numpy(), 1 / (1 + np.exp(-eta)), rtol=1e-12)
    assert (p["conf_low"] < p["estimate"]).all() and (p["estimate"] < p["conf_high"]).all()
    ame = fit.marginal_effects("stype")
    assert ame["contrast"].to_list() == ["H vs E", "M vs E"]
    assert (ame["estimate"] < 0).all() and (ame["std_error"] > 0).all()
    num = fit.marginal_effects("meals")
    assert num.height == 1 and np.isfinite(num["std_error"][0])


def test_linear_ame_is_the_coefficient(strat) -> None:
    g = svyglm(strat, "api00 ~ meals + api99", family="gaussian")
    ame = g.marginal_effects("meals").row(0, named=True)
    i = g.names.index("meals")
    assert ame["estimate"] == pytest.approx(g.coef[i], rel=1e-6)
    assert ame["std_error"] == pytest.approx(g.std_error[i], rel=1e-5)


def test_separation_is_named_and_firth_fits() -> None:
    sf = svydesign(dataset("models_sep"))
    sep = separation(sf, "y ~ x + C(g)")
    assert sep.separated and sep.kind == "quasi-complete" and sep.terms == ("C(g)",)
    assert sep.columns == ("C(g)[T.c]",)
    with pytest.raises(ModelError, match=r"C\(g\)\[T\.c\]") as err:
        svyglm(sf, "y ~ x + C(g)")
    assert "firth" in (err.value.hint or "")
    assert not separation(sf, "y ~ x").separated
    f = firth(sf, "y ~ x + C(g)")
    assert f.method == "model (Firth)" and np.isinf(f.df_resid)
    assert np.all(np.isfinite(f.coef)) and f.coef[f.names.index("C(g)[T.c]")] > 2


def test_firth_design_variance(strat) -> None:
    f = firth(strat, LOGIT)
    g = svyglm(strat, LOGIT)
    assert f.method.startswith("linearisation") and f.df_resid == g.df_resid
    np.testing.assert_allclose(f.coef, g.coef, rtol=0.1, atol=0.05)  # shrunk a little


def test_wald_test_forms(fit) -> None:
    by_term = fit.wald_test("C(stype)")
    by_names = fit.wald_test(["C(stype)[T.H]", "C(stype)[T.M]"])
    assert by_term.statistic == pytest.approx(by_names.statistic)
    chisq = fit.wald_test("C(stype)", statistic="Chisq")
    assert chisq.statistic == pytest.approx(2 * by_term.statistic)
    with pytest.raises(ModelError, match="neither a model term"):
        fit.wald_test("nope")


def test_ordinal_predictions_sum_to_one(strat) -> None:
    lv = pl.Enum(["low", "mid", "high"])
    cat = (pl.when(pl.col("api00") <= 600).then(pl.lit("low"))
           .when(pl.col("api00") <= 700).then(pl.lit("mid")).otherwise(pl.lit("high"))).cast(lv)
    m = svyolr(strat, "~ meals", outcome=cat)
    assert m.cutpoints == ("low|mid", "mid|high")
    assert m.terms.filter(pl.col("term") == "low|mid")["odds_ratio"].is_null().all()
    p = m.predict({"meals": [20.0]})
    assert p["estimate"].sum() == pytest.approx(1.0)
    rev = svyolr(strat, "~ meals", outcome=cat, levels=["high", "mid", "low"])
    assert rev.coef[0] == pytest.approx(-m.coef[0], rel=1e-8)


def test_forest_plot(tmp_path, fit) -> None:
    out = fit.forest_plot(str(tmp_path / "or.png"), title="sch.wide")
    assert (tmp_path / "or.png").stat().st_size > 1000 and out.endswith("or.png")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"formula": "Q('sch.wide') ~ meals", "outcome": pl.col("api00") > 1}, "not both"),
    ({"formula": "~ meals"}, "no outcome"),
    ({"formula": "Q('sch.wide') ~ nosuch"}, "lacks|cannot build"),
    ({"formula": "Q('sch.wide') ~ meals", "family": "gamma"}, "family"),
    ({"formula": "api00 ~ meals"}, r"\[0, 1\]"),
])
def test_errors(strat, kwargs, message) -> None:
    with pytest.raises(ModelError, match=message):
        svyglm(strat, **kwargs)


def test_rank_deficiency_is_named(strat) -> None:
    sf = strat.with_columns(meals2=pl.col("meals") * 2)
    with pytest.raises(ModelError, match="meals2|meals"):
        svyglm(sf, "Q('sch.wide') ~ meals + meals2")
