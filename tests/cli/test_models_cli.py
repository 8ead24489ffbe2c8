"""`survey stats logit|ologit`: R's numbers and the academy model through the command line."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from click.testing import CliRunner

from survey.cli import cli
from tests.clirun import modules_loaded, stats as run, stats_json as run_json
from tests.models._rmodels import canonical

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "tests" / "fixtures" / "r"
POPULATION = str(ROOT / "sample_data" / "population_2025.csv")
SEP = str(FIX / "models_sep.csv")
TERM_KEYS = {"term", "estimate", "std_error", "conf_low", "conf_high", "odds_ratio",
             "odds_ratio_low", "odds_ratio_high", "p_value"}
LIKERT = {f"{i} {t}": float(i) for i, t in enumerate(
    ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"], 1)}
ACADEMY_FORMULA = ("~ C(division, Treatment('Engineering')) + age_band + institution_type"
                   " + salary_multiple + autonomy + seniority_pay + china")
GOING = "intent IN ('Accepted', 'Seriously considering')"
INTENT_LEVELS = "Did not consider,Considered and declined,Seriously considering,Accepted"


def _case(case_id: str) -> dict[str, Any]:
    cases = json.loads((FIX / "models.json").read_text())["cases"]
    return next(c for c in cases if c["id"] == case_id)


def _argv(case: dict[str, Any]) -> list[str]:
    """The `survey stats logit` command line of a models.json case."""
    spec, args = case["design"], case["args"]
    argv = ["logit", str(FIX / f"{spec['data']}.csv"), "--formula", args["formula"]]
    flags = {"strata": "--strata", "weights": "--weight", "fpc": "--fpc", "ids": "--psu"}
    argv += [x for k, f in flags.items() if k in spec for x in (f, spec[k])]
    if "replicate" in spec:
        argv += ["--replicate", spec["replicate"]["type"].lower()]
    for key, flag in (("where", "--where"), ("outcome", "--outcome")):
        if key in args:
            argv += [flag, args[key]]
    if case["fn"] == "firth":
        argv.append("--firth")
    for t in case.get("tests", []):
        if t["statistic_kind"] == "F":
            argv += ["--test", ",".join(t["terms"])]
    return argv


@pytest.mark.parametrize("case_id", ["strat_logit", "clus1_logit_domain",
                                     "strat_logit_outcome_expr", "jkn_logit", "sep_firth"])
def test_cli_reproduces_r(case_id):
    case = _case(case_id)
    doc = run_json(*_argv(case))
    ours = {canonical(t["term"]): t for t in doc["terms"]}
    assert len(ours) == len(case["terms"])
    for want in case["terms"]:
        got = ours[canonical(want["term"])]
        for field in ("estimate", "std_error", "conf_low", "conf_high", "p_value"):
            assert math.isclose(got[field], want[field], rel_tol=1e-6, abs_tol=1e-12), (
                want["term"], field)
        assert got["odds_ratio"] == pytest.approx(math.exp(want["estimate"]), rel=1e-6)
        assert got["odds_ratio_high"] == pytest.approx(math.exp(want["conf_high"]), rel=1e-6)
    assert doc["df_resid"] == case["df_resid"]
    wanted_tests = [t for t in case.get("tests", []) if t["statistic_kind"] == "F"]
    assert len(doc["tests"]) == len(wanted_tests)
    for got_t, want_t in zip(doc["tests"], wanted_tests, strict=True):
        assert got_t["statistic"] == pytest.approx(want_t["statistic"], rel=1e-6)
        assert got_t["p_value"] == pytest.approx(want_t["p_value"], rel=1e-6)


def test_json_vocabulary():
    doc = run_json(*_argv(_case("strat_logit")))
    assert {"terms", "df_resid", "n", "method", "design", "where", "formula", "outcome"} <= set(doc)
    assert all(TERM_KEYS <= set(t) for t in doc["terms"])
    assert doc["design"]["strata"] == "stype"


# -- the academy model ------------------------------------------------------------------


@pytest.fixture(scope="module")
def academy(tmp_path_factory) -> str:
    """The 2025 wave through `survey ingest`, plus the model's derived columns (Likert
    scores of the push questions; the China offer as its own column), as docs/models.md."""
    tmp = tmp_path_factory.mktemp("academy")
    wave = tmp / "wave.parquet"
    r = CliRunner().invoke(cli, ["ingest", str(ROOT / "sample_data/academy_2025.xlsx"),
                                 "--schema", str(ROOT / "schemas/academy_member_survey.yaml"),
                                 "--out", str(wave)])
    assert r.exit_code == 0, r.output
    meta = {k: v for k, v in pl.read_parquet_metadata(wave).items() if k.startswith("survey.")}
    score = {c: pl.col(f"push_{c}").cast(pl.String).replace_strict(
        LIKERT, default=None, return_dtype=pl.Float64) for c in ("autonomy", "seniority_pay")}
    out = tmp / "academy_model.parquet"
    (pl.read_parquet(wave).with_columns(**score, china=pl.col("offer_countries__china"))
     .write_parquet(out, metadata=meta))
    return str(out)


ACADEMY_ARGS = ["--formula", ACADEMY_FORMULA, "--outcome", GOING, "--where",
                "offer_received = 'Yes'", "--strata", "division", "--fpc-file", POPULATION]


def test_academy_model_matches_the_library(academy):
    from survey.design import svydesign
    from survey.models import svyglm

    doc = run_json("logit", academy, *ACADEMY_ARGS, "--test",
                   "C(division, Treatment('Engineering'))")
    frame = pl.read_parquet(academy)
    pop = (pl.read_csv(POPULATION).filter(pl.col("variable") == "division")
           .select(pl.col("category").alias("division_s"), pl.col("population").alias("N")))
    frame = frame.with_columns(division_s=pl.col("division").cast(pl.String)).join(
        pop, on="division_s", how="left", maintain_order="left")
    m = svyglm(svydesign(frame, strata="division", fpc="N"), ACADEMY_FORMULA,
               outcome=pl.col("intent").is_in(["Accepted", "Seriously considering"]),
               where=pl.col("offer_received") == "Yes")
    want = m.terms.to_dicts()
    assert [t["term"] for t in doc["terms"]] == [t["term"] for t in want]
    for got, exp in zip(doc["terms"], want, strict=True):
        for field in TERM_KEYS - {"term"}:
            assert got[field] == pytest.approx(exp[field], rel=1e-9), (got["term"], field)
    assert (doc["n"], doc["df_resid"]) == (115, 97)
    assert doc["outcome"] == GOING
    # R (survey 4.1.1), tests/models/test_academy.py: salary multiple and the division test
    salary = next(t for t in doc["terms"] if t["term"] == "salary_multiple")
    assert salary["estimate"] == pytest.approx(1.60978174925273, rel=1e-6)
    assert salary["std_error"] == pytest.approx(0.474396103979105, rel=1e-6)
    assert doc["tests"][0]["p_value"] == pytest.approx(0.381906061718527, rel=1e-6)


def test_academy_table_and_forest_plot(academy, tmp_path):
    png = tmp_path / "or.png"
    r = run("logit", academy, *ACADEMY_ARGS, "--forest-plot", str(png))
    assert r.exit_code == 0, r.output
    assert "division: Natural Sciences" in r.stdout and "salary_multiple" in r.stdout
    assert "t on 97 df" in r.stdout and "n = 115" in r.stdout
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_ologit_json_shape(academy):
    doc = run_json("ologit", academy, "--formula", "intent ~ age_band + salary_multiple + autonomy",
                   "--levels", INTENT_LEVELS, "--where", "offer_received = 'Yes'",
                   "--strata", "division", "--fpc-file", POPULATION)
    assert doc["model"] == "ordinal" and doc["outcome"] == "intent"
    assert all(TERM_KEYS <= set(t) for t in doc["terms"])
    terms = [t["term"] for t in doc["terms"]]
    cuts = terms[-3:]
    assert cuts == ["Did not consider|Considered and declined",
                    "Considered and declined|Seriously considering",
                    "Seriously considering|Accepted"]
    assert all(t["odds_ratio"] is None for t in doc["terms"][-3:])
    salary = doc["terms"][terms.index("salary_multiple")]
    assert salary["odds_ratio"] == pytest.approx(math.exp(salary["estimate"]))
    assert salary["odds_ratio"] > 1  # higher = more likely to go, with --levels reversed
    assert isinstance(doc["df_resid"], float | int)


# -- separation --------------------------------------------------------------------------


def test_separation_exits_2_naming_the_predictor_and_suggesting_firth():
    r = run("logit", SEP, "--formula", "y ~ x + C(g)")
    assert r.exit_code == 2
    lines = r.output.strip().splitlines()
    assert lines[0].startswith("note: no --weight: every respondent weighs 1")  # no --weight
    assert len(lines) == 2, r.output
    assert "separation by C(g)[T.c]" in lines[1] and "--firth" in lines[1]
    assert "Traceback" not in r.output


def test_firth_fits_the_separated_data():
    doc = run_json("logit", SEP, "--formula", "y ~ x + C(g)", "--firth")
    assert doc["model"] == "firth" and doc["df_resid"] is None
    gc = next(t for t in doc["terms"] if t["term"] == "C(g)[T.c]")
    assert gc["estimate"] == pytest.approx(3.60848594738648, rel=1e-6)  # R brglm2, sep_firth


@pytest.mark.parametrize("argv, message", [
    (["logit", SEP, "--formula", "y ~ x + C(nosuch)"], "nosuch"),
    (["logit", SEP, "--formula", "~ x", "--outcome", "nosuch = 1"], "no column 'nosuch'"),
    (["ologit", SEP, "--formula", "y ~ x"], "3 or more levels"),
    (["ologit", SEP, "--formula", "g ~ x"], "--levels"),
])
def test_model_errors_exit_2(argv, message):
    r = run(*argv)
    assert r.exit_code == 2, r.output
    assert message in r.output and "Traceback" not in r.output


def test_help_loads_no_model_libraries():
    assert modules_loaded(["--help"], ["stats", "--help"], ["stats", "logit", "--help"],
                          among=("scipy", "statsmodels", "patsy", "pandas", "pyreadstat")) == []
