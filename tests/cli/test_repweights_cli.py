"""Replicate designs weighted on the command line, R's replicate names, --deff replace,
and `survey stats proportion` reading the same inputs as `proportion()`."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from survey.design import svydesign
from survey.estimators import proportion
from tests.clirun import run, stats_json

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "tests" / "fixtures" / "r"
R = json.loads((FIX / "repweights.json").read_text())
MARGINS = str(FIX / "weighting_margins.csv")


def _r(section: str, key: str) -> dict:
    return next(c for c in R[section] if c["id"] == key)


@pytest.mark.parametrize("key, design", [
    ("jk1_rake", ["--psu", "dnum", "--fpc", "fpc", "--replicate", "jk1"]),
    ("supplied_rake", ["--replicate", "jk1", "--replicate-weights", "jw*",
                       "--scale", str(14 / 15)]),
])
def test_rake_of_a_replicate_design_matches_r(key: str, design: list[str]) -> None:
    want = _r("weighted", key)
    data = "apiclus1.csv" if key.startswith("jk1") else "apiclus1_jk.csv"
    doc = stats_json("mean", str(FIX / data), "--var", "api00", "--weight", "pw", *design,
                     "--rake", MARGINS, "--margin", "stype", "--margin", "sch.wide")
    got = doc["estimates"][0]
    assert got["estimate"] == pytest.approx(want["mean"]["estimate"], rel=1e-6)
    assert got["std_error"] == pytest.approx(want["mean"]["std_error"], rel=1e-6)


def test_supplied_successive_difference_replicates_match_r() -> None:
    want = _r("types", "successive-difference")
    doc = stats_json("total", str(FIX / "apistrat_jk2_sdr.csv"), "--var", "enroll", "--weight",
                     "pw", "--replicate", "successive-difference", "--replicate-weights", "sdr_*")
    assert doc["estimates"][0]["std_error"] == pytest.approx(want["total"]["std_error"], rel=1e-6)


def test_deff_flag_alone_and_replace_match_r() -> None:
    argv = [str(FIX / "apistrat.csv"), "--var", "api00", "--strata", "stype", "--weight", "pw",
            "--fpc", "fpc"]
    srs = stats_json("mean", *argv, "--deff")["estimates"][0]
    rep = stats_json("mean", *argv, "--deff", "replace")["estimates"][0]
    assert srs["deff"] == pytest.approx(_r("deff", "strat_mean_TRUE")["deff"], rel=1e-6)
    assert rep["deff"] == pytest.approx(_r("deff", "strat_mean_replace")["deff"], rel=1e-6)
    assert rep["deft"] == pytest.approx(np.sqrt(rep["deff"]), rel=1e-12)


def test_library_and_cli_proportion_accept_the_same_01_column(tmp_path) -> None:
    frame = pl.read_csv(FIX / "apistrat.csv").with_columns(
        (pl.col("sch.wide") == "Yes").cast(pl.Int64).alias("wide01"))
    path = tmp_path / "strat01.csv"
    frame.write_csv(path)
    doc = stats_json("proportion", str(path), "--var", "wide01", "--strata", "stype",
                     "--weight", "pw", "--fpc", "fpc")
    lib = proportion(svydesign(frame, strata="stype", weights="pw", fpc="fpc"), "wide01")
    t = lib.to_frame()
    assert [e["category"] for e in doc["estimates"]] == t["category"].to_list() == ["0", "1"]
    for e, row in zip(doc["estimates"], t.iter_rows(named=True), strict=True):
        for k in ("estimate", "std_error", "conf_low", "conf_high"):
            assert e[k] == pytest.approx(row[k], rel=1e-12)


def test_supplied_only_type_without_columns_is_a_usage_error() -> None:
    r = run("stats", "mean", str(FIX / "apistrat.csv"), "--var", "api00", "--replicate", "jk2")
    assert r.exit_code == 2 and "--replicate-weights" in r.output


def test_weight_adjust_then_poststratify_matches_r(tmp_path) -> None:
    frame = pl.read_csv(FIX / "apistrat.csv").with_columns(
        pl.Series("status", R["nonresponse"]["status"]))
    data, out = tmp_path / "sample.csv", tmp_path / "nr.parquet"
    frame.write_csv(data)
    r = run("weight", "adjust", str(data), "--weights", "pw", "--strata", "stype", "--fpc", "fpc",
            "--status", "status", "--classes", "stype", "--then", "poststratify",
            "-m", MARGINS, "--margin", "sch.wide", "-o", str(out), "--format", "json")
    assert r.exit_code == 0, r.output
    diag = json.loads(r.stdout)
    assert diag["method"] == ["nonresponse", "poststratify"]
    factors = {row["class"]: row["factor"] for row in diag["nonresponse"]
               if row["step"] == "nonresponse"}
    assert set(factors) == {"E", "H", "M"}
    want = R["nonresponse"]["poststratified"]["mean"]
    got = stats_json("mean", str(out), "--var", "api00")["estimates"][0]
    assert got["estimate"] == pytest.approx(want["estimate"], rel=1e-6)
    assert got["std_error"] == pytest.approx(want["std_error"], rel=1e-6)


def test_weight_adjust_bad_code_is_a_usage_error(tmp_path) -> None:
    r = run("weight", "adjust", str(FIX / "apistrat.csv"), "--status", "stype",
            "--code", "E=responded", "-o", str(tmp_path / "x.parquet"))
    assert r.exit_code == 2 and "--code" in r.output


def test_weight_standardize_matches_r_svystandardize(tmp_path) -> None:
    out = tmp_path / "st.parquet"
    r = run("weight", "standardize", str(FIX / "apiclus1.csv"), "--ids", "dnum", "--weights",
            "pw", "--fpc", "fpc", "-m", MARGINS, "--by", "stype", "--over", "sch.wide",
            "-o", str(out), "--format", "json")
    assert r.exit_code == 0, r.output
    assert max(abs(m["difference"]) for m in json.loads(r.stdout)["margins"]) < 1e-6
    want = R["standardize"]["over"]["mean"]
    got = stats_json("mean", str(out), "--var", "api00")["estimates"][0]
    assert got["estimate"] == pytest.approx(want["estimate"], rel=1e-6)
    assert got["std_error"] == pytest.approx(want["std_error"], rel=1e-6)


# -- guard rails: where the tool cannot know, it asks ------------------------------------

SDR = str(FIX / "apistrat_jk2_sdr.csv")


def test_replicate_weights_without_a_type_is_a_one_line_usage_error() -> None:
    r = run("stats", "total", SDR, "--var", "enroll", "--weight", "pw",
            "--replicate-weights", "sdr_*")
    assert r.exit_code == 2
    assert len(r.output.strip().splitlines()) == 1, r.output
    line = r.output.strip()
    assert line.startswith("error: --replicate-weights: 'sdr_*' need their replicate type, "
                           "--replicate TYPE (or a --scale): ")
    for choice in ("--replicate acs (scale 4/R; --mse", "--replicate jk1", "--replicate brr",
                   "--replicate fay (with --fay-rho)", "--replicate bootstrap",
                   "--replicate jkn (with --rscales)", "--replicate other (with --scale)"):
        assert choice in line, choice


@pytest.mark.parametrize("rtype", ["acs", "successive-difference", "ACS"])
def test_once_the_type_is_given_the_acs_figures_are_rs_and_the_columns_counted(rtype) -> None:
    want = _r("types", "ACS")
    doc = stats_json("total", SDR, "--var", "enroll", "--weight", "pw", "--replicate", rtype,
                     "--replicate-weights", "sdr_*")
    got = doc["estimates"][0]
    assert got["estimate"] == pytest.approx(want["total"]["estimate"], rel=1e-6)
    assert got["std_error"] == pytest.approx(want["total"]["std_error"], rel=1e-6)
    assert doc["design"]["replicate_columns"] == 80 and "notes" not in doc["design"]
    text = run("stats", "total", SDR, "--var", "enroll", "--weight", "pw", "--replicate", rtype,
               "--replicate-weights", "sdr_*")
    assert "replicate_weights sdr_* (80 columns)" in text.stdout


def test_a_scale_without_a_type_is_taken_as_given() -> None:
    doc = stats_json("total", SDR, "--var", "enroll", "--weight", "pw", "--scale", "0.05",
                     "--replicate-weights", "sdr_*")
    want = _r("types", "ACS")  # 4/80 and rscales 1: the successive-difference figures
    assert doc["estimates"][0]["std_error"] == pytest.approx(want["total"]["std_error"], rel=1e-6)
    assert doc["design"]["replicate"] == "other"


def test_a_design_without_weights_says_every_respondent_weighs_1() -> None:
    argv = ["mean", str(FIX / "apistrat.csv"), "--var", "api00", "--strata", "stype"]
    r = run("stats", *argv)
    note = "note: no --weight: every respondent weighs 1 (as R warns: equal probability assumed)"
    assert r.exit_code == 0 and r.stderr.strip() == note
    assert "notes" not in r.stdout  # the table's design line stays the design
    doc = stats_json(*argv)
    assert doc["design"]["notes"] == [note.removeprefix("note: ")]
    weighted = run("stats", *argv, "--weight", "pw")
    assert weighted.exit_code == 0 and weighted.stderr == ""
    assert "notes" not in stats_json(*argv, "--weight", "pw")["design"]


def test_a_design_with_fpc_and_no_weights_says_its_weights_come_from_the_fpc() -> None:
    """R's svydesign takes 1/weights(fpc) without a warning: the note must not say 1."""
    argv = ["mean", str(FIX / "apiclus2.csv"), "--var", "api00", "--psu", "dnum,snum",
            "--fpc", "fpc1,fpc2"]
    r = run("stats", *argv)
    assert r.exit_code == 0 and "weighs 1" not in r.stderr
    assert r.stderr.strip() == ("note: no --weight: each respondent weighs the inverse of its "
                                "sampling fraction from --fpc (as R's svydesign)")
    by_fpc = stats_json(*argv)["estimates"][0]
    weighted = stats_json(*argv, "--weight", "pw")["estimates"][0]  # pw = 1/(f1 f2)
    assert by_fpc["estimate"] == pytest.approx(weighted["estimate"], rel=1e-12)
    assert by_fpc["std_error"] == pytest.approx(weighted["std_error"], rel=1e-12)
