"""`survey weight ...`: exit codes, diagnostics, and a Parquet file that keeps the design."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from survey.estimators import mean, proportion
from survey.frames import read_typed_parquet
from survey.weighting import META_WEIGHTING, from_metadata
from tests.clirun import run
from tests.estimators._rfixtures import FIXTURES
from tests.weighting._rweights import fixture, weighted

ROOT = Path(__file__).resolve().parents[2]
X2025 = str(ROOT / "sample_data/academy_2025.xlsx")
S2025 = str(ROOT / "schemas/academy_member_survey.yaml")
POP = str(ROOT / "sample_data/population_2025.csv")
API = str(FIXTURES / "apiclus1.csv")
MARGINS = str(FIXTURES / "weighting_margins.csv")


def reopen(path: Path):
    frame, codebook = read_typed_parquet(path)
    meta = pl.read_parquet_metadata(path)[META_WEIGHTING]
    return from_metadata(frame, meta), codebook


def test_poststratify_academy_then_reread_gives_r_se(tmp_path: Path) -> None:
    out = tmp_path / "w.parquet"
    r = run("weight", "poststratify", X2025, "-s", S2025, "-m", POP, "--margin",
            "division:gender", "-o", str(out))
    assert r.exit_code == 0, r.output
    assert "Kish design effect 1.029" in r.output and "Policy Research:Female" in r.output
    sf, codebook = reopen(out)
    assert codebook is not None and "weight" in sf.frame.columns
    want = json.loads((FIXTURES / "weighting_academy.json").read_text())["cases"]
    row = next(c for c in want if c["id"] == "poststratified_offer")["rows"][0]
    got = proportion(sf, "offer_received").to_frame().filter(pl.col("category") == "Yes")
    assert got["std_error"][0] == pytest.approx(row["std_error"], rel=1e-9)


def test_rake_api_json_and_stored_design(tmp_path: Path) -> None:
    out = tmp_path / "r.parquet"
    r = run("weight", "rake", API, "--ids", "dnum", "--weights", "pw", "--fpc", "fpc",
            "-m", MARGINS, "--margin", "stype", "--margin", "sch.wide", "-o", str(out),
            "--format", "json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert d["method"] == ["rake"] and len(d["margins"]) == 5
    sf, _ = reopen(out)
    case = next(c for c in fixture()["cases"] if c["id"] == "rake_clus1_mean")
    assert mean(sf, "api00").std_error[0] == pytest.approx(case["rows"][0]["std_error"], rel=1e-9)


def test_calibrate_logit_with_trim(tmp_path: Path) -> None:
    out = tmp_path / "c.parquet"
    r = run("weight", "calibrate", API, "--ids", "dnum", "--weights", "pw", "--fpc", "fpc",
            "-m", MARGINS, "--margin", "stype", "--margin", "api99", "--calfun", "logit",
            "--bounds", "0.7,1.7", "--trim-upper", "55", "-o", str(out))
    assert r.exit_code == 0, r.output
    sf, _ = reopen(out)
    assert sf.frame["weight"].max() <= 55 + 1e-9
    assert [h["method"] for h in sf.calibration.history] == ["calibrate", "trim"]
    ref = weighted("cal_logit")
    assert sf.frame["weight"].sum() == pytest.approx(ref.frame["weight"].sum())


@pytest.mark.parametrize(("args", "needle"), [
    (["poststratify", API, "-m", MARGINS, "--margin", "stype", "-o", "x.csv"], "must end in .parquet"),
    (["poststratify", API, "-m", MARGINS, "--margin", "stype", "--margin", "sch.wide", "-o",
      "x.parquet"], "one margin"),
    (["rake", API, "-m", MARGINS, "-o", "x.parquet"], "need calibrate"),
    (["rake", API, "-m", MARGINS, "--margin", "nope", "-o", "x.parquet"], "no margin named 'nope'"),
    (["calibrate", API, "-m", MARGINS, "--margin", "stype", "--bounds", "a", "-o", "x.parquet"],
     "LOW,HIGH"),
])
def test_errors_exit_2(tmp_path: Path, args: list[str], needle: str, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    r = run("weight", *args)
    assert r.exit_code == 2 and needle in r.output
    assert not list(tmp_path.glob("*.parquet"))


def test_sample_categories_absent_from_margins(tmp_path: Path) -> None:
    m = tmp_path / "m.csv"
    m.write_text("variable,category,population\nstype,E,4421\nstype,H,755\n")
    r = run("weight", "poststratify", API, "-m", str(m), "-o", str(tmp_path / "x.parquet"))
    assert r.exit_code == 2 and "'M' (25 rows)" in r.output
