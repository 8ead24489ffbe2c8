"""`survey stats chisq --statistic Wald|adjWald|lincom|saddlepoint` and `survey stats gof`:
R's numbers (tests/fixtures/r/tabletests.json) through the command line."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from tests.clirun import stats as run, stats_json as run_json

FIX = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "r"
CASES = {c["id"]: c for c in json.loads((FIX / "tabletests.json").read_text())["cases"]}
CLUS1 = [str(FIX / "apiclus1.csv"), "--psu", "dnum", "--weight", "pw", "--fpc", "fpc"]


@pytest.mark.parametrize("statistic", ["Wald", "adjWald", "lincom", "saddlepoint"])
def test_chisq_statistics_reproduce_r(statistic: str) -> None:
    got = run_json("chisq", *CLUS1, "--row", "sch.wide", "--col", "stype",
                   "--statistic", statistic)
    want = CASES[f"clus1_{statistic}"]["rows"][0]
    assert math.isclose(got["statistic"], want["statistic"], rel_tol=1e-6)
    assert math.isclose(got["p_value"], want["p_value"], rel_tol=1e-6)


def test_gof_reads_shares_from_a_margins_file(tmp_path: Path) -> None:
    f = tmp_path / "shares.csv"
    f.write_text("variable,category,population\nstype,E,70\nstype,H,12\nstype,M,18\n")
    got = run_json("gof", *CLUS1, "--var", "stype", "--expected", str(f))
    want = CASES["clus1_gof_stype"]["rows"][0]
    assert math.isclose(got["statistic"], want["statistic"], rel_tol=1e-6)
    assert math.isclose(got["p_value"], want["p_value"], rel_tol=1e-6)
    assert math.isclose(got["df"][0], want["df"][0], rel_tol=1e-6)


def test_gof_without_the_variable_in_the_file_is_one_line(tmp_path: Path) -> None:
    f = tmp_path / "shares.csv"
    f.write_text("variable,category,population\nawards,Yes,1\nawards,No,1\n")
    r = run("gof", *CLUS1, "--var", "stype", "--expected", str(f))
    assert r.exit_code in (1, 2) and "Traceback" not in r.output
