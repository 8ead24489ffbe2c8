"""`survey stats glm`, `ologit --link`, `--test-method lrt` and `--margins`: R's numbers
(tests/fixtures/r/glm.json, scripts/r/make_glm_fixtures.R) through the command line."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from tests.clirun import modules_loaded, stats as run, stats_json as run_json
from tests.models._rmodels import _cut, canonical

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "tests" / "fixtures" / "r"
STRAT = ["--strata", "stype", "--weight", "pw", "--fpc", "fpc"]


def _case(case_id: str) -> dict[str, Any]:
    cases = json.loads((FIX / "glm.json").read_text())["cases"]
    return next(c for c in cases if c["id"] == case_id)


def _same_terms(doc: dict[str, Any], case: dict[str, Any]) -> None:
    ours = {canonical(t["term"]): t for t in doc["terms"]}
    for want in case["terms"]:
        got = ours[canonical(want["term"])]
        for key in ("estimate", "std_error", "conf_low", "conf_high", "p_value"):
            assert got[key] == pytest.approx(want[key], rel=1e-6), (want["term"], key)


def test_glm_gamma_log_matches_r_with_ratios_and_lrt():
    case = _case("strat_gamma_log")
    doc = run_json("glm", str(FIX / "apistrat.csv"), "-f", "api00 ~ meals + C(stype)",
                   "--family", "gamma", "--link", "log", *STRAT, "--test", "C(stype)",
                   "--test-method", "lrt")
    assert (doc["family"], doc["link"]) == ("gamma", "log")
    _same_terms(doc, case)
    meals = next(t for t in doc["terms"] if t["term"] == "meals")
    assert meals["exp_estimate"] == pytest.approx(math.exp(meals["estimate"]), rel=1e-12)
    assert meals["exp_conf_high"] == pytest.approx(math.exp(meals["conf_high"]), rel=1e-12)
    assert meals["odds_ratio"] is None
    (test,) = doc["tests"]
    want = case["lrt"][0]
    assert test["statistic"] == pytest.approx(want["chisq"], rel=1e-6)
    assert test["p_value"] == pytest.approx(want["p_value"], rel=1e-6)


def test_glm_offset_option_is_the_formula_offset():
    case = _case("strat_quasipoisson_offset")
    doc = run_json("glm", str(FIX / "apistrat.csv"), "-f", "enroll ~ meals + C(stype)",
                   "--family", "quasipoisson", "--offset", "log(api00)", *STRAT)
    _same_terms(doc, case)


def test_glm_negative_binomial_with_fixed_theta_matches_r():
    doc = run_json("glm", str(FIX / "apistrat.csv"), "-f", "enroll ~ meals + C(stype)",
                   "--family", "negative-binomial", "--theta", "2", *STRAT)
    assert doc["theta"] == 2
    _same_terms(doc, _case("strat_negbin_theta2"))


def test_glm_margins_match_svypredmeans():
    case = _case("strat_predmeans_gamma_log")
    doc = run_json("glm", str(FIX / "apistrat.csv"), "-f", "api00 ~ meals + C(stype)",
                   "--family", "gamma", "--link", "log", *STRAT, "--margins", "stype")
    got = {m["level"]: m for m in doc["margins"][0]["margins"]}
    for want in case["margins"]:
        assert got[want["level"]]["estimate"] == pytest.approx(want["estimate"], rel=1e-6)
        assert got[want["level"]]["std_error"] == pytest.approx(want["std_error"], rel=1e-6)


def test_ologit_probit_link_matches_r(tmp_path):
    case = _case("strat_olr_probit")
    data = pl.read_csv(FIX / "apistrat.csv").with_columns(cat=_cut(case["args"]["cut"]))
    path = tmp_path / "strat.csv"
    data.write_csv(path)
    doc = run_json("ologit", str(path), "-f", "cat ~ meals + C(stype)", "--link", "probit",
                   "--levels", "low,mid,high,top", *STRAT)
    assert doc["link"] == "probit"
    _same_terms(doc, case)


def test_ologit_takes_integer_codes_in_numeric_order(tmp_path):
    cut = {"var": "api00", "breaks": [550, 650, 750], "labels": ["1", "2", "3", "4"]}
    data = pl.read_csv(FIX / "apistrat.csv").with_columns(
        code=_cut(cut).cast(pl.String).cast(pl.Int64))
    path = tmp_path / "coded.csv"
    data.write_csv(path)
    plain = run_json("ologit", str(path), "-f", "code ~ meals + C(stype)", *STRAT)
    ordered = run_json("ologit", str(path), "-f", "code ~ meals + C(stype)",
                       "--levels", "1,2,3,4", *STRAT)
    assert [t["term"] for t in plain["terms"]][-3:] == ["1|2", "2|3", "3|4"]
    for a, b in zip(plain["terms"], ordered["terms"], strict=True):
        assert a["estimate"] == pytest.approx(b["estimate"], rel=1e-9)


@pytest.mark.parametrize("argv, message", [
    (["glm", str(FIX / "apistrat.csv"), "-f", "api00 ~ meals", "--family", "poisson",
      "--link", "logit"], "--link log | identity | sqrt"),
    (["glm", str(FIX / "apistrat.csv"), "-f", "api00 ~ meals", "--theta", "2"],
     "--family negative_binomial"),
    (["glm", str(FIX / "apistrat.csv"), "-f", "api00 ~ meals", "--margins", "meals"],
     "not a categorical predictor"),
    (["glm", str(FIX / "apistrat.csv"), "-f", "api00 ~ meals", "--test", "meals",
      "--test-method", "lrt", "--replicate", "jk1"], None),
])
def test_glm_errors_name_the_flags(argv, message):
    r = run(*argv)
    if message is None:  # a replicate design's LRT works (R's regTermTest does too)
        assert r.exit_code == 0, r.output
        return
    assert r.exit_code == 2, r.output
    assert message in r.output and "Traceback" not in r.output


def test_glm_help_loads_no_model_libraries():
    assert modules_loaded(["stats", "glm", "--help"],
                          among=("scipy", "statsmodels", "patsy", "pandas")) == []


def test_glm_forest_plot_of_ratios(tmp_path):
    png = tmp_path / "ratios.png"
    r = run("glm", str(FIX / "apistrat.csv"), "-f", "api00 ~ meals + C(stype)", "--family",
            "gamma", "--link", "log", *STRAT, "--forest-plot", str(png))
    assert r.exit_code == 0, r.output
    assert png.read_bytes()[:4] == b"\x89PNG"
    r = run("glm", str(FIX / "apistrat.csv"), "-f", "api00 ~ meals", "--forest-plot",
            str(tmp_path / "x.png"))
    assert r.exit_code == 2 and "--link log" in r.output


def test_glm_negative_binomial_theta_variance_choices_match_r():
    base = ["glm", str(FIX / "apistrat.csv"), "-f", "enroll ~ meals + C(stype)",
            "--family", "negative-binomial", *STRAT]
    joint = run_json(*base)
    fixed = run_json(*base, "--theta-variance", "fixed")
    want_joint, want_fixed = _case("strat_negbin_joint"), _case("strat_negbin_estimated")
    assert joint["theta"] == pytest.approx(want_joint["theta"], rel=1e-7)
    assert joint["theta_std_error"] == pytest.approx(want_joint["theta_std_error"], rel=1e-6)
    _same_terms(fixed, want_fixed)
    ours = {canonical(t["term"]): t for t in joint["terms"]}
    for want in want_joint["terms"]:
        assert ours[canonical(want["term"])]["std_error"] == pytest.approx(
            want["std_error"], rel=1e-6)


def test_a_model_on_three_stages_of_fpc_takes_every_stage_as_r() -> None:
    doc = run_json("glm", str(FIX / "apiclus3.csv"), "-f", "api00 ~ api99", "--family", "gaussian",
                   "--psu", "dnum,stype,snum", "--fpc", "fpc1,fpc2,fpc3", "--lonely-psu", "adjust")
    want = next(c for c in json.loads((FIX / "stage3_models.json").read_text())["cases"]
                if c["id"] == "stage3_adjust_gaussian")
    ours = {canonical(t["term"]): t for t in doc["terms"]}
    for term in want["terms"]:
        assert ours[canonical(term["term"])]["std_error"] == pytest.approx(term["std_error"], rel=1e-6)
