"""`survey stats quantile`: R's svyquantile numbers through the command line, and its errors."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from tests.cli import test_stats as stats_tests
from tests.clirun import modules_loaded
from tests.clirun import stats as run
from tests.clirun import stats_json as run_json

FIX = stats_tests.FIX
STRAT = stats_tests.STRAT
STRAT_DESIGN = stats_tests.STRAT_DESIGN


def _cases(ids: list[str]) -> list[dict[str, Any]]:
    cases = {c["id"]: c for c in json.loads((FIX / "quantiles.json").read_text())["cases"]}
    return [cases[i] for i in ids]


REPLAY = _cases(["strat_mean", "clus1_score", "srs_beta", "strat_school_beta", "strat_tails",
                 "clus1_level90", "jk1_quantile", "jk1_cols_mean", "strat_median_by",
                 "jk1_quantile_by", "clus1_where", "strat_meals_hf7"])


def _argv(case: dict[str, Any]) -> list[str]:
    args = dict(case["args"])
    var = args.pop("var")
    design = stats_tests._argv({**case, "fn": "mean", "args": {"var": "x"}})[1:-2]
    argv = ["quantile", *design, "--var", var if isinstance(var, str) else ",".join(var),
            "--quantiles", ",".join(str(p) for p in args.pop("quantiles"))]
    for key, flag in (("interval", "--ci"), ("qrule", "--qrule"), ("level", "--conf"),
                      ("where", "--where"), ("by", "--by")):
        if key in args:
            argv += [flag, str(args.pop(key))]
    assert not args, f"unmapped arguments {args}"
    return argv


@pytest.mark.parametrize("case", REPLAY, ids=[c["id"] for c in REPLAY])
def test_cli_matches_r(case: dict[str, Any]) -> None:
    doc = run_json(*_argv(case))
    assert doc["statistic"] == "quantile"
    got = {(e["variable"], e["quantile"], json.dumps(e["by"] or None)): e for e in doc["estimates"]}
    assert len(got) == len(case["rows"])
    for row in case["rows"]:
        e = got[(row["variable"], row["quantile"], json.dumps(row["by"]))]
        assert set(e) >= {"variable", "quantile", "by", "estimate", "std_error", "conf_low",
                          "conf_high", "n"}
        for field in ("estimate", "std_error", "conf_low", "conf_high"):
            if row[field] is None:
                assert e[field] is None
            else:
                assert math.isclose(e[field], row[field], rel_tol=1e-6), (case["id"], field)


def test_table_shows_each_probability() -> None:
    r = run("quantile", STRAT, *STRAT_DESIGN, "--var", "api00", "--quantiles", "0.25,0.75")
    assert r.exit_code == 0, r.output
    assert "0.25" in r.output and "0.75" in r.output and "565" in r.output


@pytest.mark.parametrize(("argv", "message"), [
    (["--quantiles", "half"], "--quantiles"),
    (["--quantiles", "1.5"], "quantiles must lie in [0, 1]"),
    (["--ci", "quantile"], "needs replicate weights"),
    (["--var", "stype"], "numeric"),
])
def test_bad_input_exits_2_with_a_message(argv: list[str], message: str) -> None:
    var = [] if "--var" in argv else ["--var", "api00"]
    r = run("quantile", STRAT, *STRAT_DESIGN, *var, *argv)
    assert r.exit_code == 2 and message in r.output, r.output


def test_score_interval_on_replicates_is_refused_with_a_hint() -> None:
    r = run("quantile", str(FIX / "apiclus1.csv"), "--psu", "dnum", "--weight", "pw",
            "--replicate", "jk1", "--var", "api00", "--ci", "score")
    assert r.exit_code == 2 and "'mean'" in r.output and "'quantile'" in r.output


def test_woodruff_median_loads_no_scipy() -> None:
    assert modules_loaded(["stats", "quantile", STRAT, *STRAT_DESIGN, "--var", "api00"],
                          among=("scipy", "statsmodels", "rich")) == []
