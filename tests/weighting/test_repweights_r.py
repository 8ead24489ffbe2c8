"""Weighted replicate designs, R's replicate types and deff="replace" against R.

Fixture: tests/fixtures/r/repweights.json (scripts/r/make_repweight_fixtures.R).
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import numpy as np
import pytest

from survey import estimators
from survey.design import SurveyFrame, as_replicate
from survey.design._frame import PSU
from survey.design._replicates import with_factors
from survey.estimators import mean, total
from survey.weighting import calibrate, poststratify, rake, read_margins
from tests.estimators._rfixtures import FIXTURES, bind

TOL = 1e-6


@cache
def fixture() -> dict[str, Any]:
    return json.loads((FIXTURES / "repweights.json").read_text())


def _ids(entries: list[dict[str, Any]]) -> list[str]:
    return [e["id"] for e in entries]


def close(got: Any, want: Any, atol: float = 0.0) -> None:
    np.testing.assert_allclose(np.asarray(got, dtype=float), np.asarray(want, dtype=float),
                               rtol=TOL, atol=atol)


def check_stats(sf: SurveyFrame, want: dict[str, Any]) -> None:
    """svymean(~api00), svytotal(~enroll), svymean(~sch.wide), svyby(~api00, ~stype)."""
    m, t = mean(sf, "api00"), total(sf, "enroll")
    close(m.estimate, [want["mean"]["estimate"]])
    close(m.std_error, [want["mean"]["std_error"]])
    close(t.estimate, [want["total"]["estimate"]])
    close(t.std_error, [want["total"]["std_error"]])
    p = mean(sf, "sch.wide")
    close(p.estimate, want["prop"]["estimate"])
    # calibrated to sch.wide, its shares have SE ~1e-10: rounding noise, compared absolutely
    close(p.std_error, want["prop"]["std_error"], atol=1e-9)
    b = mean(sf, "api00", by="stype").to_frame().sort("stype")
    assert b["stype"].to_list() == want["by"]["stype"]
    close(b["estimate"], want["by"]["estimate"])
    close(b["std_error"], want["by"]["std_error"])
    assert sf.df == want["df"]


def test_provenance() -> None:
    h = fixture()["header"]
    assert h["survey_version"] == "4.1.1" and h["script"].endswith("make_repweight_fixtures.R")


# -- item: weighting replicate designs --------------------------------------------------


@pytest.mark.parametrize("case", fixture()["weighted"], ids=_ids(fixture()["weighted"]))
def test_weighted_replicate_design_matches_r(case: dict[str, Any]) -> None:
    sf = bind(case["design"])
    assert sf.is_replicate
    step = dict(case["step"])
    ms = read_margins(FIXTURES / case["margins"]).select(*step.pop("select"))
    fn = {"poststratify": poststratify, "rake": rake, "calibrate": calibrate}[step.pop("method")]
    w = fn(sf, ms, **step)
    assert w.is_replicate
    close(w.frame["weight"], case["weights"])
    # R's first replicate (its first PSU dropped) is one of ours (ours are in PSU order)
    first = np.asarray(case["repweights_first"])
    reps = w.frame.select(w.design.repweights).to_numpy()  # type: ignore[union-attr]
    assert np.isclose(reps, first[:, None], rtol=TOL, atol=1e-9).all(axis=0).sum() == 1
    check_stats(w, case)


def test_replicate_se_reflects_the_calibration() -> None:
    """Post-stratifying on stype removes the between-stype variation from a total: the
    replicate SE must fall, as R's (not stay at the unweighted design's)."""
    case = next(c for c in fixture()["weighted"] if c["id"] == "jk1_poststratify")
    sf = bind(case["design"])
    before = total(sf, "enroll").std_error[0]
    after = total(poststratify(sf, read_margins(FIXTURES / case["margins"]).select("stype")),
                  "enroll").std_error[0]
    assert after < 0.9 * before


# -- item: replicate types --------------------------------------------------------------


RANDOM = [t for t in fixture()["types"] if t["random"]]
SUPPLIED = [t for t in fixture()["types"] if not t["random"]]


@pytest.mark.parametrize("case", RANDOM, ids=_ids(RANDOM))
def test_random_replicates_from_r_weights_match_r(case: dict[str, Any]) -> None:
    """R's own replicate multipliers, under our type's scale and rscales, give R's SEs."""
    base = bind(case["design"])
    rows = np.asarray(case["multipliers"], dtype=float).T  # (n rows, R)
    psu = base._data[PSU].to_numpy().astype(np.int64)
    factors = np.zeros((base.n_psu, rows.shape[1]))
    factors[psu] = rows
    ours = as_replicate(base, type=case["type"], replicates=rows.shape[1], seed=1) \
        if case["type"] != "bootstrap" else None
    sf = with_factors(base, factors, type=case["type"])
    assert sf._reps is not None
    close([sf._reps.scale], [case["scale"]])
    close(sf._reps.rscales, np.broadcast_to(case["rscales"], (rows.shape[1],)))
    if ours is not None:
        assert ours._reps is not None and ours._reps.scale == sf._reps.scale
    check_stats(sf, {**case, "df": sf.df})


@pytest.mark.parametrize("kind", ["bootstrap", "subbootstrap", "mrbbootstrap"])
def test_created_bootstrap_multipliers_have_r_structure(kind: str) -> None:
    """Per stratum: Canty-Davison draws n_h PSUs, Rao-Wu n_h - 1 (rescaled to n_h),
    Preston's keeps half: the multipliers of a stratum sum to n_h in each replicate."""
    import warnings

    base = bind({"data": "apistrat", "strata": "stype", "weights": "pw"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sf = as_replicate(base, type=kind, replicates=30, seed=3)
    f = sf._reps.factors  # type: ignore[union-attr]
    h = base._psu_h.astype(np.int64)
    sums = np.zeros((base.n_strata, f.shape[1]))
    np.add.at(sums, h, f)
    close(sums, np.broadcast_to(base._strata.n_psu[:, None], sums.shape))
    if kind == "bootstrap":
        assert np.array_equal(f, np.round(f))  # counts of draws


def test_bootstrap_name_warns_of_its_new_meaning() -> None:
    from survey.errors import ChangedNameWarning

    base = bind({"data": "apistrat", "strata": "stype", "weights": "pw"})
    with pytest.warns(ChangedNameWarning, match="subbootstrap"):
        as_replicate(base, type="bootstrap", replicates=5, seed=1)


@pytest.mark.parametrize("case", SUPPLIED, ids=_ids(SUPPLIED))
def test_supplied_types_match_r(case: dict[str, Any]) -> None:
    sf = bind(case["design"])
    assert sf._reps is not None
    close([sf._reps.scale], [case["scale"]])
    check_stats(sf, case)


# -- item: design effects ---------------------------------------------------------------


@pytest.mark.parametrize("case", fixture()["deff"], ids=_ids(fixture()["deff"]))
def test_deff_matches_r(case: dict[str, Any]) -> None:
    sf = bind(case["design"])
    args = dict(case["args"])
    fn = getattr(estimators, case["fn"])
    res = (fn(sf, args.pop("numerator"), args.pop("denominator"), **args)
           if case["fn"] == "ratio" else fn(sf, args.pop("var"), **args))
    t = res.to_frame()
    if "by" in args:
        t = t.sort(args["by"])
    close(t["estimate"], np.atleast_1d(case["estimate"]))
    close(t["deff"], np.atleast_1d(case["deff"]))
    close(t["deft"], np.sqrt(np.atleast_1d(case["deff"])))


def test_deff_refuses_other_values() -> None:
    from survey.errors import EstimationError

    sf = bind({"data": "apistrat", "strata": "stype", "weights": "pw"})
    with pytest.raises(EstimationError, match="replace"):
        mean(sf, "api00", deff="with")  # type: ignore[arg-type]


# -- item: nonresponse adjustment, normalisation, standardisation ------------------------


def _with_status() -> SurveyFrame:
    import polars as pl

    from survey.design import svydesign
    from tests.estimators._rfixtures import dataset

    df = dataset("apistrat").with_columns(pl.Series("status", fixture()["nonresponse"]["status"]))
    return svydesign(df, strata="stype", weights="pw", fpc="fpc")


def _respondents() -> np.ndarray:
    return np.asarray(fixture()["nonresponse"]["status"]) == "respondent"


def test_class_adjustment_matches_r_nonresponse() -> None:
    from survey.weighting import adjust_nonresponse

    want = fixture()["nonresponse"]["class"]
    got = adjust_nonresponse(_with_status(), "status", classes="stype")
    close(got.frame["nr_weight"], np.asarray(want["weights"])[_respondents()])
    check_stats(got, want)


def test_class_adjustment_then_poststratify_matches_r() -> None:
    from survey.weighting import adjust_nonresponse

    want = fixture()["nonresponse"]["poststratified"]
    adjusted = adjust_nonresponse(_with_status(), "status", classes="stype")
    got = poststratify(adjusted, read_margins(FIXTURES / "weighting_margins.csv").select("sch.wide"))
    close(got.frame["weight"], want["weights"])
    check_stats(got, want)


def test_propensity_classes_match_r() -> None:
    from survey.weighting import adjust_nonresponse

    want = fixture()["nonresponse"]["propensity"]
    got = adjust_nonresponse(_with_status(), "status", classes="stype",
                             propensity=["api99", "meals"], n_classes=5)
    close(got.frame["nr_weight"], np.asarray(want["weights"])[_respondents()])
    check_stats(got, want)


def test_nonresponse_codes_and_errors() -> None:
    import polars as pl

    from survey.design import svydesign
    from survey.errors import DesignError, EstimationError
    from survey.weighting import adjust_nonresponse

    df = pl.DataFrame({"s": [1, 2, 1, 4], "g": ["a", "a", "b", "b"], "w": [1.0, 3.0, 2.0, 2.0]})
    sf = svydesign(df, weights="w")
    got = adjust_nonresponse(sf, "s", codes={1: "respondent", 2: "nonrespondent", 4: "unknown"})
    assert got.frame["nr_weight"].sum() == pytest.approx(8.0)  # the whole sample's weight
    with pytest.raises(DesignError, match="'4' \\(1 rows\\)"):
        adjust_nonresponse(sf, "s", codes={1: "respondent", 2: "nonrespondent"})
    with pytest.raises(EstimationError, match="no responding cases"):
        adjust_nonresponse(svydesign(df.with_columns(s2=pl.Series(
            ["respondent", "nonrespondent", "nonrespondent", "nonrespondent"])), weights="w"),
            "s2", classes="g")


def test_normalize_keeps_means_and_scales_totals() -> None:
    from survey.weighting import normalize_weights

    sf = bind({"data": "apistrat", "strata": "stype", "weights": "pw", "fpc": "fpc"})
    n = normalize_weights(sf)
    assert n.frame["weight"].sum() == pytest.approx(sf.n)
    close(mean(n, "api00").std_error, mean(sf, "api00").std_error)
    big = normalize_weights(sf, to=1e6)
    c = 1e6 / sf.frame["pw"].sum()
    close(total(big, "enroll").std_error, total(sf, "enroll").std_error * c)


@pytest.mark.parametrize("key", ["over", "all"])
def test_standardize_matches_r_svystandardize(key: str) -> None:
    from survey.weighting import standardize

    want = fixture()["standardize"][key]
    sf = bind({"data": "apiclus1", "ids": "dnum", "weights": "pw", "fpc": "fpc"})
    pop = fixture()["standardize"]["over"]["population"]
    got = standardize(sf, "stype", pop, over="sch.wide" if key == "over" else None)
    close(got.frame["weight"], want["weights"])
    check_stats(got, want)
    if key == "over":
        b = mean(got, "api00", by="sch.wide").to_frame().sort("sch.wide")
        close(b["estimate"], want["by_schwide"]["estimate"])
        close(b["std_error"], want["by_schwide"]["std_error"])


def test_nonresponse_of_a_replicate_design_adjusts_every_replicate() -> None:
    """Each replicate's adjusted weights are the R-matched class adjustment applied to
    that replicate's weights as if they were the sample's."""
    import polars as pl

    from survey.design import svydesign
    from survey.weighting import adjust_nonresponse

    base = _with_status()
    rep = as_replicate(base, type="JKn")
    got = adjust_nonresponse(rep, "status", classes="stype")
    assert got.is_replicate and got.n == int(_respondents().sum())
    close(got.frame["nr_weight"],
          adjust_nonresponse(base, "status", classes="stype").frame["nr_weight"])
    psu = base._data[PSU].to_numpy()
    for r in (0, 57, 199):
        wr = base.frame["pw"].to_numpy() * rep._reps.factors[psu, r]  # type: ignore[union-attr]
        one = svydesign(base.frame.with_columns(wr=pl.Series(wr)), strata="stype", weights="wr")
        want = adjust_nonresponse(one, "status", classes="stype").frame["nr_weight"]
        close(got.frame[got.design.repweights[r]], want)  # type: ignore[union-attr]
    assert mean(got, "api00").std_error[0] > 0


def test_every_replicate_meets_the_margins_after_raking() -> None:
    """R's rake of a svyrep.design: each replicate's weighted margins reach the targets
    (within raking's epsilon), not only the full sample's."""
    case = next(c for c in fixture()["weighted"] if c["id"] == "supplied_rake")
    sf = bind(case["design"])
    ms = read_margins(FIXTURES / case["margins"]).select("stype", "sch.wide")
    w = rake(sf, ms, epsilon=1e-9, maxit=100)
    reps = w.frame.select(w.design.repweights).to_numpy()  # type: ignore[union-attr]
    for m in ms.margins:
        key = w.frame[m.variables[0]].cast(str).to_numpy()
        for cat, target in zip(m.categories, m.population, strict=True):
            close(reps[key == cat[0]].sum(axis=0), np.full(reps.shape[1], target))


def test_svyglm_on_a_raked_replicate_design_matches_r() -> None:
    """Models refit on every re-raked replicate: R's svyglm of a raked svrep.design."""
    from survey.models import svyglm

    want = fixture()["glm"]
    case = next(c for c in fixture()["weighted"] if c["id"] == "jk1_rake")
    sf = rake(bind(case["design"]),
              read_margins(FIXTURES / case["margins"]).select("stype", "sch.wide"))
    got = svyglm(sf, "api00 ~ api99", family="gaussian").to_frame()
    close(got["estimate"], want["estimate"])
    close(got["std_error"], want["std_error"])
    close(got["p_value"], want["p_value"])
