"""Weighting on `survey stats`: --rake/--poststratify, and the design `survey weight` stores."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from tests.clirun import run, run_json

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "tests" / "fixtures" / "r"
POP = str(ROOT / "sample_data" / "population_2025.csv")
CLUS1 = str(FIX / "apiclus1.csv")
API_MARGINS = str(FIX / "weighting_margins.csv")
R_ACADEMY = {c["id"]: c["rows"][0] for c in
             json.loads((FIX / "weighting_academy.json").read_text())["cases"]}


def yes(doc: dict[str, Any], category: str = "Yes") -> dict[str, Any]:
    return next(e for e in doc["estimates"] if e["category"] == category)


@pytest.fixture(scope="module")
def wave(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("wave") / "wave2025.parquet"
    r = run("ingest", str(ROOT / "sample_data/academy_2025.xlsx"), "--schema",
            str(ROOT / "schemas/academy_member_survey.yaml"), "--out", str(out))
    assert r.exit_code == 0, r.output
    return str(out)


@pytest.fixture(scope="module")
def weighted(wave, tmp_path_factory) -> str:
    """`survey weight poststratify` to division x gender, written with its design."""
    out = tmp_path_factory.mktemp("weighted") / "w.parquet"
    r = run("weight", "poststratify", wave, "-m", POP, "--margin", "division:gender",
            "-o", str(out))
    assert r.exit_code == 0, r.output
    return str(out)


POST = ["--poststratify", POP, "--margin", "division:gender"]


def test_poststratify_flag_equals_the_library_and_r(wave):
    from survey.design import svydesign
    from survey.estimators import proportion
    from survey.frames import read_typed_parquet
    from survey.weighting import poststratify, read_margins

    doc = run_json("stats", "proportion", wave, "--var", "offer_received", *POST)
    frame, _ = read_typed_parquet(wave)
    sf = poststratify(svydesign(frame), read_margins(POP).select("division:gender"))
    want = proportion(sf, "offer_received").to_frame().filter(pl.col("category") == "Yes")
    got = yes(doc)
    for field in ("estimate", "std_error", "conf_low", "conf_high"):
        assert got[field] == pytest.approx(want[field][0], rel=1e-12), field
        assert got[field] == pytest.approx(R_ACADEMY["poststratified_offer"][field], rel=1e-6)
    assert doc["design"]["weighting"] == f"poststratify to {POP} (division:gender)"


def test_poststratified_domain_matches_r(wave):
    doc = run_json("stats", "proportion", wave, "--var", "offer_countries",
                   "--where", "offer_received = 'Yes'", *POST)
    china = next(e for e in doc["estimates"] if e["category"] in ("China", "china"))
    want = R_ACADEMY["poststratified_china"]
    assert china["estimate"] == pytest.approx(want["estimate"], rel=1e-6)
    assert china["std_error"] == pytest.approx(want["std_error"], rel=1e-6)


def test_survey_weight_file_gives_the_same_se(wave, weighted):
    via_flag = yes(run_json("stats", "proportion", wave, "--var", "offer_received", *POST))
    doc = run_json("stats", "proportion", weighted, "--var", "offer_received")
    stored = yes(doc)
    assert stored["estimate"] == pytest.approx(via_flag["estimate"], rel=1e-12)
    assert stored["std_error"] == pytest.approx(via_flag["std_error"], rel=1e-12)
    assert stored["std_error"] == pytest.approx(R_ACADEMY["poststratified_offer"]["std_error"],
                                                rel=1e-6)
    assert doc["design"]["weights"] == "weight"
    assert "stored by survey weight" in doc["design"]["weighting"]
    # the unweighted SE differs: the calibration residuals are used
    plain = yes(run_json("stats", "proportion", wave, "--var", "offer_received"))
    assert plain["std_error"] == pytest.approx(R_ACADEMY["unweighted_offer"]["std_error"], rel=1e-6)


def test_stored_design_with_by_and_table_caption(weighted):
    r = run("stats", "proportion", weighted, "--var", "offer_received", "--by", "division")
    assert r.exit_code == 0, r.output
    assert "stored by survey weight" in r.output


def test_rake_flag_equals_the_library_and_r():
    from survey.design import svydesign
    from survey.estimators import mean
    from survey.weighting import rake, read_margins

    doc = run_json("stats", "mean", CLUS1, "--var", "api00", "--psu", "dnum", "--weight", "pw",
                   "--fpc", "fpc", "--rake", API_MARGINS, "--margin", "stype",
                   "--margin", "sch.wide")
    frame = pl.read_csv(CLUS1, null_values=["", "NA"], infer_schema_length=10_000)
    sf = rake(svydesign(frame, ids="dnum", weights="pw", fpc="fpc"),
              read_margins(API_MARGINS).select("stype", "sch.wide"))
    want = mean(sf, "api00")
    got = doc["estimates"][0]
    assert got["estimate"] == pytest.approx(float(want.estimate[0]), rel=1e-12)
    assert got["std_error"] == pytest.approx(float(want.std_error[0]), rel=1e-12)
    r = next(c for c in json.loads((FIX / "weighting.json").read_text())["cases"]
             if c["id"] == "rake_clus1_mean")["rows"][0]  # R: svymean(~api00, rake(...))
    assert got["estimate"] == pytest.approx(r["estimate"], rel=1e-6)
    assert got["std_error"] == pytest.approx(r["std_error"], rel=1e-6)


@pytest.mark.parametrize("extra, message", [
    (["--rake", POP, "--poststratify", POP], "not both"),
    (["--margin", "division"], "--margin picks margins"),
    (["--poststratify", POP], "--margin on the command line"),
    (["--poststratify", POP, "--margin", "nosuch"], "no margin named 'nosuch'"),
    (["--rake", POP, "--replicate", "jk2"], "--replicate jk2 needs --replicate-weights"),
])
def test_weighting_flag_errors_exit_2(wave, extra, message):
    r = run("stats", "proportion", wave, "--var", "offer_received", *extra)
    assert r.exit_code == 2, r.output
    assert message in r.output and "Traceback" not in r.output


def test_stored_design_refuses_other_design_flags(weighted):
    r = run("stats", "proportion", weighted, "--var", "offer_received", "--strata", "division")
    assert r.exit_code == 2 and "drop --weight/--strata" in r.output


def test_stored_design_refuses_changed_weights(weighted, tmp_path):
    meta = pl.read_parquet_metadata(weighted)
    changed = tmp_path / "changed.parquet"
    (pl.read_parquet(weighted).with_columns(pl.col("weight") * 2)
     .write_parquet(changed, metadata={k: v for k, v in meta.items() if k.startswith("survey.")}))
    r = run("stats", "proportion", str(changed), "--var", "offer_received")
    assert r.exit_code == 2 and "changed after weighting" in r.output


def test_models_on_a_calibrated_design_equal_the_library(wave):
    from survey.design import svydesign
    from survey.models import svyglm
    from survey.weighting import poststratify, read_margins

    doc = run_json("stats", "logit", wave, "--formula", "~ salary_multiple", "--outcome",
                   "intent = 'Accepted'", *POST)
    frame = pl.read_parquet(wave)
    sf = poststratify(svydesign(frame), read_margins(POP).select("division:gender"))
    want = svyglm(sf, "~ salary_multiple", outcome=pl.col("intent") == "Accepted").to_frame()
    got = {t["term"]: t for t in doc["terms"]}
    assert len(got) == want.height
    for row, term in zip(want.iter_rows(named=True), doc["terms"]):
        assert term["estimate"] == pytest.approx(row["estimate"], rel=1e-9)
        assert term["std_error"] == pytest.approx(row["std_error"], rel=1e-9)


def test_margins_default_to_the_codebook_population(wave, weighted, tmp_path):
    out = tmp_path / "from_codebook.parquet"
    r = run("weight", "poststratify", wave, "--margin", "division:gender", "-o", str(out))
    assert r.exit_code == 0, r.output
    assert pl.read_parquet(out)["weight"].to_list() == pl.read_parquet(weighted)["weight"].to_list()


def test_no_margins_anywhere_is_a_usage_error(tmp_path):
    r = run("weight", "rake", CLUS1, "-o", str(tmp_path / "x.parquet"))
    assert r.exit_code == 2 and "--margins" in r.output


def test_weight_reads_waves_from_a_store(tmp_path):
    store = str(tmp_path / "store")
    r = run("ingest", str(ROOT / "sample_data/academy_2025.xlsx"), "--schema",
            str(ROOT / "schemas/academy_member_survey.yaml"), "--store", store, "--wave", "2025")
    assert r.exit_code == 0, r.output
    out = tmp_path / "w.parquet"
    r = run("weight", "poststratify", "--store", store, "--wave", "2025", "--margin", "division:gender",
            "-o", str(out))
    assert r.exit_code == 0, r.output
    frame = pl.read_parquet(out)
    assert frame.height == 200 and frame["weight"].sum() == pytest.approx(1100)


def test_weight_lonely_psu_hint_names_its_own_flag(tmp_path):
    """`survey weight` spells its design flags --weights/--ids; its hints use them."""
    r = run("weight", "rake", CLUS1, "-m", API_MARGINS, "--margin", "stype", "--weights", "pw",
            "--strata", "dnum", "--ids", "dnum", "-o", str(tmp_path / "w.parquet"))
    assert r.exit_code == 2 and "Traceback" not in r.output, r.output
    assert "--lonely-psu adjust" in r.output and "lonely_psu=" not in r.output, r.output
