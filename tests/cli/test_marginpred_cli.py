"""`survey stats marginpred`: R's marginpred at tight raking controls
(tests/fixtures/r/marginpred.json, scripts/r/make_marginpred_fixtures.R) through the
command line, and its refusals."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from survey.models import prediction_points
from tests.clirun import modules_loaded, run, stats as stats_run, stats_json

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "tests" / "fixtures" / "r"
CASES = {c["id"]: c for c in json.loads((FIX / "marginpred.json").read_text())["cases"]}
STRAT = str(FIX / "apistrat.csv")
AT = "meals=20,50,80; stype=E,H,M"


def _flags(design: dict[str, Any]) -> list[str]:
    """The fixture's design as the command's flags."""
    spell = {"strata": "--strata", "weights": "--weight", "ids": "--psu", "fpc": "--fpc"}
    out = [str(FIX / f"{design['data']}.csv")]
    for key, flag in spell.items():
        if key in design:
            value = design[key]
            out += [flag, ",".join(value) if isinstance(value, list) else value]
    return out


def _inline(predictat: dict[str, list[Any]]) -> str:
    return "; ".join(f"{k}={','.join(map(str, v))}" for k, v in predictat.items())


def _matches(doc: dict[str, Any], case: dict[str, Any]) -> None:
    rows = doc["predictions"]
    assert [r["stype"] for r in rows] == case["predictat"]["stype"]
    for key in ("estimate", "std_error"):
        for got, want in zip([r[key] for r in rows], case[key], strict=True):
            assert math.isclose(got, want, rel_tol=case["tol"]), (case["id"], key, got, want)


@pytest.mark.parametrize("case_id", ["strat_logit_yr_rndresponse",
                                     "strat_nofpc_gaussian_yr_rndlink",
                                     "clus2_fpc_logit_comp_implink", "strat_poisson_response"])
def test_matches_r_with_inline_points(case_id):
    case = CASES[case_id]
    a = case["args"]
    doc = stats_json("marginpred", *_flags(case["design"]), "-f", a["formula"],
                     "--family", a["family"], "--adjust-for", a["adjustfor"],
                     "--type", a["scale"], "--predict-at", _inline(case["predictat"]))
    assert (doc["type"], doc["family"]) == (a["scale"], a["family"])
    _matches(doc, case)
    for r in doc["predictions"]:
        assert r["conf_low"] < r["estimate"] < r["conf_high"]


def test_comma_separated_adjustment_and_a_csv_of_points_match_r(tmp_path):
    case = CASES["clus1_logit_comp_imp_bothresponse"]
    points = tmp_path / "points.csv"
    pl.DataFrame(case["predictat"]).write_csv(points)
    doc = stats_json("marginpred", *_flags(case["design"]), "-f", case["args"]["formula"],
                     "--family", "binomial", "--adjust-for", "comp.imp,both",
                     "--type", "response", "--predict-at", str(points))
    assert doc["adjust_for"] == "~ comp.imp + both"
    _matches(doc, case)


def test_csv_output_has_the_points_and_the_vocabulary():
    r = stats_run("marginpred", STRAT, "-f", "api00 ~ meals + C(stype)", "--adjust-for",
                  "yr.rnd", "--predict-at", AT, "--strata", "stype", "--weight", "pw",
                  "--format", "csv")
    assert r.exit_code == 0, r.output
    frame = pl.read_csv(r.stdout.encode())
    assert frame.columns == ["meals", "stype", "estimate", "std_error", "conf_low", "conf_high"]
    assert frame.height == 3


def test_table_output_names_the_adjustment():
    r = stats_run("marginpred", STRAT, "-f", "api00 ~ meals + C(stype)", "--adjust-for",
                  "yr.rnd", "--predict-at", AT, "--strata", "stype", "--weight", "pw")
    assert r.exit_code == 0, r.output
    assert "standardised over yr.rnd" in r.stdout and "792.7" in r.stdout


def test_inline_points_zip_lists_and_repeat_a_single_value():
    assert prediction_points("meals=20,50; stype=E").rows() == [(20.0, "E"), (50.0, "E")]
    coded = prediction_points("dnum=401,637", schema={"dnum": pl.Int64})
    assert coded["dnum"].dtype == pl.Int64 and coded["dnum"].to_list() == [401, 637]


BASE = [STRAT, "-f", "api00 ~ meals + C(stype)", "--strata", "stype", "--weight", "pw"]


@pytest.mark.parametrize("argv,message", [
    (["--adjust-for", "yr.rnd", "--predict-at", AT, "--replicate", "jk1"],
     "drop --replicate/--replicate-weights"),
    (["--adjust-for", "yr.rnd", "--predict-at", AT, "--rake",
      str(FIX / "weighting_margins.csv"), "--margin", "stype"], "drop --rake/--poststratify"),
    (["--adjust-for", "stype", "--predict-at", AT], "--adjust-for: the adjustment variables are "
                                                     "all in the model"),
    (["--adjust-for", "yr.rnd", "--predict-at", "meals=20"],
     "--predict-at: the points lack the model variables ['stype']"),
    (["--adjust-for", "yr.rnd", "--predict-at", "meals=20,50; stype=E,H,M"],
     "different numbers of values: meals 2, stype 3"),
    (["--adjust-for", "yr.rnd", "--predict-at", "nosuch.csv"], "neither a file nor"),
    (["--adjust-for", "yr.rnd", "--predict-at", "meals=many; stype=E"],
     "the values of meals (many) are not of the data's type"),
])
def test_refusals_exit_2_with_one_message(argv, message):
    r = stats_run("marginpred", *BASE, *argv)
    assert r.exit_code == 2, r.output
    assert message in r.output
    assert "Traceback" not in r.output and "unexpected" not in r.output


def test_replicate_and_calibrated_refusals_are_one_line(tmp_path):
    r = stats_run("marginpred", *BASE, "--adjust-for", "yr.rnd", "--predict-at", AT,
                  "--replicate", "bootstrap")
    assert r.exit_code == 2 and len(r.stderr.strip().splitlines()) == 1, r.output
    stored = tmp_path / "w.parquet"
    w = run("weight", "rake", STRAT, "-m", str(FIX / "weighting_margins.csv"), "--margin",
            "stype", "--margin", "sch.wide", "-w", "pw", "--strata", "stype", "-o", str(stored))
    assert w.exit_code == 0, w.output
    r = stats_run("marginpred", str(stored), "-f", "api00 ~ meals + C(stype)", "--adjust-for",
                  "yr.rnd", "--predict-at", AT)
    assert r.exit_code == 2, r.output
    lines = [ln for ln in r.stderr.strip().splitlines() if not ln.startswith("note:")]
    assert lines == [ln for ln in lines if ln.startswith("error: marginpred needs the sampling")]
    assert len(lines) == 1


def test_other_stats_commands_do_not_load_it():
    loaded = modules_loaded(["stats", "mean", STRAT, "--var", "api00"],
                            among=("survey.cli._marginpred",))
    assert loaded == []


def test_where_fits_on_a_domain_as_r_on_a_subset_design():
    case = next(c for c in json.loads((FIX / "marginpred_cli.json").read_text())["cases"]
                if c["id"] == "strat_domain_E")
    cli = case["cli"]
    doc = stats_json("marginpred", STRAT, "-f", cli["formula"], "--adjust-for", cli["adjust_for"],
                     "--where", cli["where"], "--predict-at", _inline(case["predictat"]),
                     "--strata", "stype", "--weight", "pw")
    assert doc["n"] == 100
    for key in ("estimate", "std_error"):
        got = [r[key] for r in doc["predictions"]]
        for g, want in zip(got, case[key], strict=True):
            assert math.isclose(g, want, rel_tol=case["tol"]), (key, g, want)
