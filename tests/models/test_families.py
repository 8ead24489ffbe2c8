"""GLM families and links, offsets, the working LRT's distribution and predictive margins:
behaviour that needs no R (R's numbers are in test_glm_reference.py)."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from scipy import special

from survey.design import svydesign
from survey.errors import ModelError
from survey.models import predictive_margins, svyglm
from survey.models._families import LINKS, family_of
from survey.models._formula import drop_terms
from survey.models._lrt import pchisqsum, pfsum


@pytest.mark.parametrize("name", sorted(LINKS))
def test_link_inverse_undoes_the_link_and_mu_eta_is_its_derivative(name: str) -> None:
    lk = LINKS[name]
    mu = np.array([0.05, 0.3, 0.5, 0.8, 0.95])
    assert lk.linkinv(lk.linkfun(mu)) == pytest.approx(mu, rel=1e-10)
    eta = lk.linkfun(mu)
    h = 1e-6 * np.maximum(1.0, np.abs(eta))
    numeric = (lk.linkinv(eta + h) - lk.linkinv(eta - h)) / (2 * h)
    assert lk.mu_eta(eta) == pytest.approx(numeric, rel=1e-6)


def test_cauchit_tail_keeps_its_digits() -> None:
    p = LINKS["cauchit"].linkinv(np.array([-1e6]))
    assert p[0] == pytest.approx(1 / (math.pi * 1e6), rel=1e-9)


@pytest.mark.parametrize("family, link, hint", [
    ("poisson", "logit", "--link log | identity | sqrt"),
    ("gamma", "probit", "--link inverse | identity | log"),
    ("tweedie", None, "--family gaussian"),
])
def test_unavailable_family_or_link_is_refused_with_the_choices(family, link, hint) -> None:
    with pytest.raises(ModelError) as exc:
        family_of(family, link)
    assert hint in (exc.value.hint or "")


@pytest.fixture
def counts() -> pl.DataFrame:
    rng = np.random.default_rng(7)
    n = 400
    x = rng.normal(size=n)
    g = rng.choice(["a", "b", "c"], n)
    mu = np.exp(1 + 0.4 * x + (g == "b") * 0.5)
    return pl.DataFrame({"y": rng.poisson(mu).astype(float), "x": x, "g": g,
                         "amount": rng.gamma(2.0, mu / 2.0), "two": np.full(n, 2.0),
                         "w": rng.uniform(1, 3, n), "h": rng.choice(["s1", "s2"], n)})


def test_a_constant_offset_moves_only_the_intercept(counts) -> None:
    sf = svydesign(counts, strata="h", weights="w")
    plain = svyglm(sf, "y ~ x + C(g)", family="poisson")
    off = svyglm(sf, "y ~ x + C(g) + offset(log(two))", family="poisson")
    assert off.coef[0] == pytest.approx(plain.coef[0] - math.log(2), rel=1e-8)
    assert off.coef[1:] == pytest.approx(plain.coef[1:], rel=1e-8)
    assert off.std_error == pytest.approx(plain.std_error, rel=1e-8)


def test_quasi_families_fit_as_their_twins(counts) -> None:
    sf = svydesign(counts, strata="h", weights="w")
    a = svyglm(sf, "y ~ x + C(g)", family="poisson")
    b = svyglm(sf, "y ~ x + C(g)", family="quasipoisson")
    assert a.coef == pytest.approx(b.coef, rel=1e-12)
    assert a.std_error == pytest.approx(b.std_error, rel=1e-12)


def test_gamma_refuses_a_non_positive_outcome(counts) -> None:
    sf = svydesign(counts.with_columns(amount=pl.col("amount") - 1e3), weights="w")
    with pytest.raises(ModelError, match="must be positive"):
        svyglm(sf, "amount ~ x", family="gamma", link="log")


def test_log_link_terms_carry_ratios_and_no_odds_ratios(counts) -> None:
    m = svyglm(svydesign(counts, weights="w"), "amount ~ x", family="gamma", link="log")
    row = m.terms.row(1, named=True)
    assert row["exp_estimate"] == pytest.approx(math.exp(row["estimate"]))
    assert row["exp_conf_low"] == pytest.approx(math.exp(row["conf_low"]))
    assert row["odds_ratio"] is None


def test_margins_of_the_only_factor_are_the_weighted_group_means(counts) -> None:
    sf = svydesign(counts, strata="h", weights="w")
    m = predictive_margins(svyglm(sf, "amount ~ C(g)", family="gaussian"), "g")
    want = counts.group_by("g").agg((pl.col("amount") * pl.col("w")).sum() / pl.col("w").sum())
    want_d = dict(want.iter_rows())
    for r in m.table.iter_rows(named=True):
        assert r["estimate"] == pytest.approx(want_d[r["level"]], rel=1e-10)
        assert r["conf_low"] < r["estimate"] < r["conf_high"]


def test_margins_need_a_categorical_predictor(counts) -> None:
    m = svyglm(svydesign(counts, weights="w"), "y ~ x + C(g)", family="poisson")
    with pytest.raises(ModelError, match="not a categorical predictor"):
        predictive_margins(m, "x")


def test_lrt_drops_whole_terms_only(counts) -> None:
    m = svyglm(svydesign(counts, weights="w"), "y ~ x + C(g)", family="poisson")
    with pytest.raises(ModelError, match="whole model terms"):
        m.lrt_test("C(g)[T.b]")
    t = m.lrt_test(["C(g)"])
    assert t.df == 2 and t.statistic > 0 and 0 <= t.p_value <= 1


def test_equal_scale_factors_make_a_scaled_chi_square() -> None:
    # 3 chi^2_1 each times 2 is 2 chi^2_3: Satterthwaite is then exact, the saddlepoint close
    for x in (1.0, 6.0, 20.0):
        exact = float(special.chdtrc(3, x / 2))
        assert pchisqsum(x, [2, 2, 2], method="satterthwaite") == pytest.approx(exact, rel=1e-12)
        assert pchisqsum(x, [2, 2, 2]) == pytest.approx(exact, rel=0.02)
    # against an F: x / 3 on (3, 50) when the scale factors are all 1
    exact_f = float(special.fdtrc(3, 50, 9.0 / 3))
    assert pfsum(9.0, [1, 1, 1], 50, method="satterthwaite") == pytest.approx(exact_f, rel=1e-12)
    assert pfsum(9.0, [1, 1, 1], 50) == pytest.approx(exact_f, rel=0.05)


def test_drop_terms_keeps_offsets_and_the_intercept() -> None:
    assert drop_terms("y ~ x + C(g) + offset(log(e))", ["C(g)"]) == "y ~ x + offset(log(e))"
    assert drop_terms("y ~ x", ["x"]) == "y ~ 1"
    with pytest.raises(ModelError, match="not terms"):
        drop_terms("y ~ x", ["z"])


@pytest.mark.parametrize("link", ["log", "sqrt", "identity"])
def test_negative_binomial_joint_hessian_is_the_derivative_of_its_scores(link) -> None:
    from survey.models._negbin import joint_scores

    rng = np.random.default_rng(3)
    X = np.column_stack([np.ones(30), rng.uniform(0, 1, 30)])
    y = rng.poisson(4.0, 30).astype(float)
    w = rng.uniform(0.5, 2.0, 30)
    beta, theta = np.array([2.0 if link == "identity" else 1.2, 0.5]), 3.0

    def eta_of(b: np.ndarray) -> np.ndarray:
        return X @ b

    S, H = joint_scores(X, y, w, eta_of(beta), theta, link)
    params = np.r_[beta, theta]
    for k in range(3):
        h = np.zeros(3)
        h[k] = 1e-6
        up, _ = joint_scores(X, y, w, eta_of((params + h)[:2]), (params + h)[2], link)
        dn, _ = joint_scores(X, y, w, eta_of((params - h)[:2]), (params - h)[2], link)
        numeric = (up.sum(axis=0) - dn.sum(axis=0)) / 2e-6
        assert H[:, k] == pytest.approx(numeric, rel=1e-5, abs=1e-6)


def test_ordinal_lrt_does_not_depend_on_the_weights_scale() -> None:
    # R's regTermTest(svyolr, method = "LRT") does (p 0.22 with apistrat's pw, 1.1e-15 with
    # pw / mean(pw)); ours puts the Hessian on the deviance's scale, so both give R's 1.1e-15
    from survey.models import svyolr
    from tests.estimators._rfixtures import dataset
    from tests.models._rmodels import _cut

    df = dataset("apistrat").with_columns(pw2=pl.col("pw") * 1000)
    cut = _cut({"var": "api00", "breaks": [550, 650, 750], "labels": ["a", "b", "c", "d"]})
    p = [svyolr(svydesign(df, strata="stype", weights=w, fpc="fpc"), "~ meals + C(stype)",
                outcome=cut).lrt_test("C(stype)").p_value for w in ("pw", "pw2")]
    assert p[0] == pytest.approx(p[1], rel=1e-8)
    assert p[0] == pytest.approx(1.1291e-15, rel=2e-3)  # R, weights rescaled, default optim
