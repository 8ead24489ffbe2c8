"""``survey stats gini|percentile-ratio`` reproduce the R fixtures (repstats.json)."""

from __future__ import annotations

import math

import pytest

from tests.clirun import stats, stats_json
from tests.estimators._rfixtures import FIXTURES, cases

CASES = {c["id"]: c for c in cases("repstats.json")}
API1 = str(FIXTURES / "apiclus1.csv")
JK = str(FIXTURES / "apiclus1_jk.csv")


@pytest.mark.parametrize(("cid", "args"), [
    ("gini_clus1_nofpc", ["gini", API1, "--var", "api00", "--psu", "dnum", "--weight", "pw"]),
    ("gini_jk1", ["gini", API1, "--var", "api00", "--psu", "dnum", "--weight", "pw",
                  "--replicate", "jk1"]),
    ("gini_where_clus1", ["gini", API1, "--var", "api00", "--psu", "dnum", "--weight", "pw",
                          "--fpc", "fpc", "--where", "api99 > 600"]),
    ("p90p10_jk1", ["percentile-ratio", API1, "--var", "api00", "--ratio", "90/10", "--psu",
                    "dnum", "--weight", "pw", "--replicate", "jk1"]),
    ("p90p10_jk1_cols", ["percentile-ratio", JK, "--var", "api00", "--weight", "pw",
                         "--replicate-weights", "jw*", "--replicate", "jk1",
                         "--scale", str(14 / 15)]),
])
def test_cli_reproduces_r(cid: str, args: list[str]) -> None:
    rows = stats_json(*args)["estimates"]
    assert len(rows) == 1
    want = CASES[cid]
    assert math.isclose(rows[0]["estimate"], want["estimate"], rel_tol=1e-6)
    assert math.isclose(rows[0]["std_error"], want["std_error"], rel_tol=1e-6)


def test_percentile_ratio_without_replicates_names_the_flag() -> None:
    r = stats("percentile-ratio", API1, "--var", "api00", "--psu", "dnum", "--weight", "pw")
    assert r.exit_code != 0 and "--replicate" in r.output
    assert "Traceback" not in r.output


def test_a_malformed_ratio_is_a_usage_error() -> None:
    r = stats("percentile-ratio", API1, "--var", "api00", "--ratio", "90-10")
    assert r.exit_code == 2 and "HIGH/LOW" in r.output
