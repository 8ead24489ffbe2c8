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
