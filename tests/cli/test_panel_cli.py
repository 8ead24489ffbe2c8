"""`survey stats` with --panel-id, --relative, --contrast and --imputations against R
(tests/fixtures/r/panel.json)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.clirun import stats, stats_json
from tests.estimators._rfixtures import cases

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "r"
WAVES = str(FIX / "panel_waves.csv")
CASES = {c["id"]: c for c in cases("panel.json")}
DESIGN = ("--strata", "stype", "--weight", "pw")


@pytest.mark.parametrize(("cid", "flags"), [
    ("change_mean_panel", ("--panel-id", "snum")),
    ("change_mean_independent", ()),
    ("relative_change_panel", ("--panel-id", "snum", "--relative")),
    ("relative_change_independent", ("--relative",)),
])
def test_wave_change_matches_r(cid: str, flags: tuple[str, ...]) -> None:
    doc = stats_json("mean", WAVES, "--var", "y", "--by", "wave", "--compare", "2000,1999",
                     *DESIGN, *flags)
    (row,) = doc["differences"]
    assert row["estimate"] == pytest.approx(CASES[cid]["estimate"][0], rel=1e-6)
    assert row["std_error"] == pytest.approx(CASES[cid]["std_error"][0], rel=1e-6)
    if "--panel-id" in flags:
        assert doc["panel"]["members_in_both"] == 100


def test_the_stratum_rule_keeps_each_members_stratum_in_the_first_wave() -> None:
    case = CASES["change_mean_panel_moved_strata"]
    doc = stats_json("mean", WAVES, "--var", "y", "--by", "wave", "--compare", "2000,1999",
                     "--strata", "stratum", "--weight", "pw", "--panel-id", "snum")
    assert doc["differences"][0]["std_error"] == pytest.approx(case["std_error"][0], rel=1e-6)
    assert doc["panel"]["moved_strata"] == 10 and "first wave" in doc["panel"]["strata_rule"]


def test_contrast_by_domain_matches_svycontrast() -> None:
    case = CASES["contrast_by_domain"]
    doc = stats_json("mean", str(FIX / "apistrat.csv"), "--var", "api00,api99", "--by", "stype",
                     "--strata", "stype", "--weight", "pw", "--fpc", "fpc",
                     "--contrast", "api00 / api99 - 1")
    rows = doc["contrasts"]
    assert [r["by"]["stype"] for r in rows] == case["names"]
    assert [r["std_error"] for r in rows] == pytest.approx(case["std_error"], rel=1e-6)


def test_imputations_combine_as_micombine_with_df_and_missing_information() -> None:
    case = CASES["mi_mean"]
    doc = stats_json("mean", "--imputations", str(FIX / "apistrat_imp*.csv"),
                     "--var", "api00,api99", "--strata", "stype", "--weight", "pw", "--fpc", "fpc")
    api00 = doc["estimates"][0]
    assert api00["estimate"] == pytest.approx(case["estimate"][0], rel=1e-6)
    assert api00["std_error"] == pytest.approx(case["std_error"][0], rel=1e-6)
    assert api00["df"] == pytest.approx(case["df"][0], rel=1e-6)
    assert api00["missinfo"] == pytest.approx(case["missinfo"][0], rel=1e-6)
    assert doc["estimates"][1]["df"] is None  # no missing values: infinite df


@pytest.mark.parametrize(("args", "message"), [
    (("--compare", "2000,1999", "--panel-id", "snum", "--independent"), "not both"),
    (("--panel-id", "snum"), "go with --compare"),
    (("--compare", "2000,1999", "--panel-id", "nosuch"), "nosuch"),
    (("--contrast", "y.__class__"), "not allowed"),
])
def test_bad_panel_or_contrast_options_are_usage_errors(args: tuple[str, ...], message: str) -> None:
    r = stats("mean", WAVES, "--var", "y", "--by", "wave", *DESIGN, *args)
    assert r.exit_code == 2 and message in r.output


def test_imputations_glob_matching_one_file_is_refused() -> None:
    r = stats("mean", "--imputations", str(FIX / "apistrat_imp1.csv"), "--var", "api00")
    assert r.exit_code == 2 and "at least two" in r.output


def test_a_logistic_model_over_imputations_matches_micombine() -> None:
    case = CASES["mi_logit"]
    doc = stats_json("logit", "--imputations", str(FIX / "apistrat_imp*.csv"),
                     "-f", "~ meals + enroll", "--outcome", "high = 'yes'",
                     "--strata", "stype", "--weight", "pw", "--fpc", "fpc")
    rows = doc["estimates"]
    assert [r["estimate"] for r in rows] == pytest.approx(case["estimate"], rel=1e-6)
    assert [r["std_error"] for r in rows] == pytest.approx(case["std_error"], rel=1e-6)
    assert [r["df"] for r in rows] == pytest.approx(case["df"], rel=1e-6)
    assert [r["missinfo"] for r in rows] == pytest.approx(case["missinfo"], rel=1e-6)


def test_a_panel_on_a_clustered_design_names_the_flags_to_use() -> None:
    r = stats("mean", WAVES, "--var", "y", "--by", "wave", "--compare", "2000,1999",
              "--psu", "stype", "--weight", "pw", "--panel-id", "snum")
    assert r.exit_code == 2 and "--independent" in r.output
