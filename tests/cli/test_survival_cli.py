"""`survey stats km|logrank|cox`: R's numbers (tests/fixtures/r/survival.json) through
the command line, output shapes and errors."""

from __future__ import annotations

import math

import pytest

from tests.clirun import stats as run, stats_json as run_json
from tests.estimators._rfixtures import FIXTURES, cases_by_id

PBC = str(FIXTURES / "pbc.csv")
STRAT = ["--strata", "edema", "--weight", "wt"]
CASES = cases_by_id("survival.json")


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-12)


def test_km_at_times_gives_r_confint_by_group():
    case = CASES["km_strat_death_by_sex"]
    times = ",".join(str(t) for t in case["args"]["times"])
    doc = run_json("km", PBC, "--time", "time", "--status", "death", "--by", "sex",
                   "--times", times, *STRAT)
    rows = doc["rows"]
    assert len(rows) == 2 * len(case["args"]["times"])
    for curve in case["curves"]:
        mine = [r for r in rows if r["sex"] == curve["level"]]
        for want, got in zip(curve["at"], mine, strict=True):
            assert got["time"] == want["time"]
            assert _close(got["estimate"], want["estimate"])
            assert _close(got["conf_low"], want["conf_low"])
            assert _close(got["conf_high"], want["conf_high"])


def test_km_status_condition_equals_the_indicator_column():
    a = run_json("km", PBC, "--time", "time", "--status", "status > 0", *STRAT)
    b = run_json("km", PBC, "--time", "time", "--status", "event", *STRAT)
    assert a["rows"] == b["rows"]
    want = CASES["km_strat"]["curves"][0]["rows"]
    assert len(a["rows"]) == len(want)
    assert _close(a["rows"][-1]["std_error_log"] ** 2, want[-1]["varlog"])


def test_logrank_gives_r_chisq_on_groups_minus_one_df():
    case = CASES["logrank_strat_agegrp_rho1"]
    doc = run_json("logrank", PBC, "--time", "time", "--status", "death", "--by", "agegrp",
                   "--rho", "1", *STRAT)
    assert doc["df"] == 2
    assert _close(doc["statistic"], case["statistic"])
    assert _close(doc["p_value"], case["p_value"])


def test_cox_gives_r_log_hazard_ratios_and_ratios():
    case = CASES["cox_clus"]
    doc = run_json("cox", PBC, "--formula", case["args"]["formula"], "--psu", "clus",
                   "--weight", "wt")
    got = {t["term"].replace("[T.", "").rstrip("]"): t for t in doc["terms"]}
    for want in case["terms"]:
        mine = got[want["term"]]
        for key in ("estimate", "std_error", "ratio"):
            assert _close(mine[key], want[key]), (want["term"], key)


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_every_survival_command_renders_table_and_csv(fmt):
    for argv in (["km", PBC, "--time", "time", "--status", "event", "--times", "1000"],
                 ["logrank", PBC, "--time", "time", "--status", "event", "--by", "sex"],
                 ["cox", PBC, "--formula", "Surv(time, event) ~ age"]):
        r = run(*argv, *STRAT, "--format", fmt)
        assert r.exit_code == 0, r.output
        assert r.output.strip()


def test_cox_without_surv_is_a_one_line_error():
    r = run("cox", PBC, "--formula", "time ~ age", *STRAT)
    assert r.exit_code != 0
    assert "Surv(time, status)" in r.output
    assert "Traceback" not in r.output


def test_an_unknown_status_column_names_the_flag():
    r = run("km", PBC, "--time", "time", "--status", "nosuch", *STRAT)
    assert r.exit_code == 2
    assert "--status" in r.output and "nosuch" in r.output
