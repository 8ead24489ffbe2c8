"""Survival under a design: behaviour (the R agreement is in test_survival_r.py)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from survey.design import as_replicate, svydesign
from survey.errors import ModelError
from survey.estimators._engine import taylor_vcov
from survey.models import _km, svycoxph, svykm, svylogrank
from survey.models._cox import parse_surv


def _frame(n: int = 400, seed: int = 3) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    t = np.round(rng.exponential(1 / np.exp(0.5 * x)) * 20)  # rounded: tied times
    c = np.round(rng.exponential(2.0, size=n) * 20)
    return pl.DataFrame({
        "time": np.minimum(t, c) + 1, "event": (t <= c).astype(int), "x": x,
        "g": rng.choice(["a", "b", "c"], size=n), "stratum": np.repeat(np.arange(8), n // 8),
        "psu": np.arange(n) // 5, "w": rng.uniform(1, 4, size=n),
        "fpc": np.repeat(np.full(8, 300.0), n // 8)})


def _brute_varlog(sf, frame: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """R's km.stderr written out: every row's influence on H at every event time,
    its PSU totals, and the engine's one-stage variance."""
    t, e, w = frame["time"].to_numpy(), frame["event"].to_numpy(), frame["w"].to_numpy()
    u = np.unique(t[e == 1])
    at_risk = (t[:, None] >= u[None, :]).astype(float)
    dN = ((t[:, None] == u[None, :]) & (e[:, None] == 1)).astype(float)
    Y, d = w @ at_risk, w @ dN
    infl = np.cumsum(dN / Y - at_risk * d / Y**2, axis=1) * w[:, None]
    psu = sf._data["__svy_psu"].to_numpy()
    Z = np.zeros((sf.n_psu, u.shape[0]))
    np.add.at(Z, psu, infl)
    return u, np.diag(taylor_vcov(sf, Z))


@pytest.mark.parametrize("lonely", ["adjust", "average", "remove"])
def test_kaplan_meier_variance_equals_the_psu_totals_written_out(lonely):
    frame = _frame()
    frame = frame.with_columns(  # one PSU alone in the last stratum
        pl.when(pl.col("stratum") == 7).then(999).otherwise(pl.col("psu")).alias("psu"))
    sf = svydesign(frame, ids="psu", strata="stratum", weights="w", fpc="fpc",
                   lonely_psu=lonely)  # type: ignore[arg-type]
    u, want = _brute_varlog(sf, frame)
    got = svykm(sf, "time", "event").to_frame()
    assert np.array_equal(got["time"].to_numpy(), u)
    np.testing.assert_allclose(got["std_error_log"].to_numpy() ** 2, want, rtol=1e-9)


def test_kaplan_meier_variance_is_the_same_when_strata_are_walked_in_blocks(monkeypatch):
    sf = svydesign(_frame(), ids="psu", strata="stratum", weights="w")
    whole = svykm(sf, "time", "event").to_frame()
    monkeypatch.setattr(_km, "_CELLS", 50)  # one stratum at a time
    blocks = svykm(sf, "time", "event").to_frame()
    np.testing.assert_allclose(blocks["std_error"].to_numpy(), whole["std_error"].to_numpy(),
                               rtol=1e-12)


def test_a_group_is_a_domain_of_the_full_design():
    frame = _frame()
    sf = svydesign(frame, ids="psu", strata="stratum", weights="w")
    by = svykm(sf, "time", "event", by="g").to_frame().filter(pl.col("g") == "b")
    domain = svykm(sf, "time", "event", where=pl.col("g") == "b").to_frame()
    np.testing.assert_allclose(by["std_error"].to_numpy(), domain["std_error"].to_numpy(),
                               rtol=1e-12)


def test_status_coded_one_two_or_logical_reads_as_zero_one():
    frame = _frame().with_columns((pl.col("event") + 1).alias("status12"),
                                  (pl.col("event") == 1).alias("dead"))
    sf = svydesign(frame, weights="w")
    want = svykm(sf, "time", "event").to_frame()
    for status in ("status12", "dead", pl.col("status12") == 2):
        assert svykm(sf, "time", status).to_frame().equals(want)


def test_curve_at_times_takes_the_last_step_and_is_one_before_the_first_event():
    frame = pl.DataFrame({"t": [2.0, 3, 3, 5, 8], "e": [1, 1, 0, 1, 0], "w": [1.0] * 5})
    km = svykm(svydesign(frame, weights="w"), "t", "e")
    at = km.at([1.0, 3.0, 4.0, 10.0])
    assert at["estimate"][0] == 1.0 and at["std_error"][0] == 0.0
    curve = km.to_frame()
    assert at["estimate"][1] == at["estimate"][2] == curve["estimate"][1]
    assert at["estimate"][3] == curve["estimate"][2]
    # the hazard curve: exp(-(1/5 + 1/4 + 1/2))
    assert curve["estimate"][2] == pytest.approx(np.exp(-(1 / 5 + 1 / 4 + 1 / 2)), rel=1e-14)


def test_replicate_curve_standard_errors_are_close_to_linearisation():
    sf = svydesign(_frame(), ids="psu", strata="stratum", weights="w")
    lin = svykm(sf, "time", "event").to_frame()
    rep = svykm(as_replicate(sf, type="JKn"), "time", "event").to_frame()
    np.testing.assert_allclose(rep["estimate"].to_numpy(), lin["estimate"].to_numpy())
    ratio = rep["std_error"].to_numpy() / lin["std_error"].to_numpy()
    assert np.all(np.abs(ratio[:-3] - 1) < 0.1)  # the jackknife's tail, few at risk, apart
    assert np.max(np.abs(ratio - 1)) > 1e-4  # not the same computation


def test_efron_and_breslow_agree_without_ties_and_differ_with_them():
    frame = _frame().with_columns((pl.col("time") + pl.int_range(pl.len()) * 1e-6).alias("t_u"))
    sf = svydesign(frame, ids="psu", strata="stratum", weights="w")
    efron = svycoxph(sf, "Surv(t_u, event) ~ x + g")
    breslow = svycoxph(sf, "Surv(t_u, event) ~ x + g", ties="breslow")
    np.testing.assert_allclose(efron.coef, breslow.coef, rtol=1e-10)
    np.testing.assert_allclose(efron.std_error, breslow.std_error, rtol=1e-10)
    tied_e = svycoxph(sf, "Surv(time, event) ~ x + g")
    tied_b = svycoxph(sf, "Surv(time, event) ~ x + g", ties="breslow")
    assert abs(tied_e.coef[0] - tied_b.coef[0]) > 1e-4


def test_cox_terms_carry_the_hazard_ratio_and_its_interval():
    sf = svydesign(_frame(), ids="psu", strata="stratum", weights="w")
    terms = svycoxph(sf, "Surv(time, event) ~ x").to_frame()
    assert terms["term"].to_list() == ["x"]
    row = terms.row(0, named=True)
    assert row["ratio"] == pytest.approx(np.exp(row["estimate"]))
    assert row["ratio_low"] == pytest.approx(np.exp(row["conf_low"]))
    assert row["estimate"] > 0.3  # the simulated log hazard ratio is 0.5


def test_logrank_replicate_and_linearisation_agree_roughly():
    sf = svydesign(_frame(), ids="psu", strata="stratum", weights="w")
    lin = svylogrank(sf, "time", "event", "g")
    rep = svylogrank(as_replicate(sf, type="JKn"), "time", "event", "g")
    assert lin.df == rep.df == 2
    np.testing.assert_allclose(lin.terms["score"].to_numpy(), rep.terms["score"].to_numpy())
    np.testing.assert_allclose(lin.terms["std_error"].to_numpy(),
                               rep.terms["std_error"].to_numpy(), rtol=0.1)


@pytest.mark.parametrize("formula, parsed", [
    ("Surv(time, event) ~ x + z", ("time", "event", "x + z")),
    ("Surv( Q('a.b') , dead )~x", ("a.b", "dead", "x")),
])
def test_surv_formula_is_split_into_time_status_and_right_hand_side(formula, parsed):
    assert parse_surv(formula) == parsed


@pytest.mark.parametrize("formula", ["time ~ x", "Surv(time) ~ x", "Surv(time, event)"])
def test_a_formula_without_surv_on_the_left_is_refused(formula):
    with pytest.raises(ModelError, match="Surv"):
        parse_surv(formula)


def test_cox_status_may_be_a_condition_as_in_r():
    frame = _frame().with_columns((pl.col("event") * 2).alias("status"))
    sf = svydesign(frame, weights="w")
    want = svycoxph(sf, "Surv(time, event) ~ x").coef
    np.testing.assert_allclose(svycoxph(sf, "Surv(time, status > 0) ~ x").coef, want)
    np.testing.assert_allclose(svycoxph(sf, "Surv(time, status == 2) ~ x").coef, want)


@pytest.mark.parametrize("name", ["survey.models._km", "survey.models._logrank",
                                  "survey.models._cox", "survey.models._dims"])
def test_docstring_examples_stay_true(name):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_strata_terms_are_split_from_the_right_hand_side():
    from survey.models._cox import split_strata

    assert split_strata("x + strata(g) + C(h, Treatment('b'))") == (
        "x + C(h, Treatment('b'))", ["g"])
    assert split_strata("strata(a, Q('b.c')) + x") == ("x", ["a", "b.c"])


def test_a_stratified_cox_model_differs_from_the_unstratified_one():
    sf = svydesign(_frame(), ids="psu", strata="stratum", weights="w")
    plain = svycoxph(sf, "Surv(time, event) ~ x")
    strat = svycoxph(sf, "Surv(time, event) ~ x + strata(g)")
    assert strat.terms["term"].to_list() == ["x"]
    assert abs(plain.coef[0] - strat.coef[0]) > 1e-6
