"""`--pps`, `--pps-variance`, three-stage `--psu/--fpc` and `--adjust-domain-lonely`:
R's numbers (tests/fixtures/r/pps.json) through the command line."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from tests.clirun import stats as run, stats_json as run_json

FIX = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "r"
CASES = {c["id"]: c for c in json.loads((FIX / "pps.json").read_text())["cases"]}
ELECTION = str(FIX / "election_pps.csv")


@pytest.mark.parametrize(("cid", "argv"), [
    ("brewer_total", ["total", ELECTION, "--fpc", "p", "--pps", "brewer", "--var", "Bush"]),
    ("overton_yg_total", ["total", ELECTION, "--fpc", "p", "--pps", "overton",
                          "--pps-variance", "YG", "--var", "Bush"]),
    ("overton_strat_mean", ["mean", ELECTION, "--fpc", "p", "--strata", "half", "--pps",
                            "overton", "--var", "Bush"]),
    ("stage3_mean", ["mean", str(FIX / "apiclus3.csv"), "--psu", "dnum,stype,snum", "--fpc",
                     "fpc1,fpc2,fpc3", "--lonely-psu", "adjust", "--var", "api00"]),
    ("clus1_dom_total", ["total", str(FIX / "apiclus1.csv"), "--psu", "dnum", "--weight", "pw",
                         "--fpc", "fpc", "--lonely-psu", "adjust", "--adjust-domain-lonely",
                         "--var", "enroll", "--where", "dnum = 637"]),
])
def test_cli_reproduces_r(cid: str, argv: list[str]) -> None:
    got = run_json(*argv)["estimates"][0]
    want = CASES[cid]["rows"][0]
    assert math.isclose(got["estimate"], want["estimate"], rel_tol=1e-6)
    assert math.isclose(got["std_error"], want["std_error"], rel_tol=1e-6)


def test_pps_population_sizes_are_refused_in_one_line() -> None:
    r = run("total", str(FIX / "apistrat.csv"), "--fpc", "fpc", "--pps", "brewer",
            "--var", "api00")
    assert r.exit_code in (1, 2) and "Traceback" not in r.output
    assert "inclusion probabilities" in r.output
