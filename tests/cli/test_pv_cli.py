"""``--pv NAME=COL1,...`` on `survey stats mean|total|glm`: one analysis per plausible value,
combined by Rubin's rules, as R's MIcombine(withPV(...)) (tests/fixtures/r/pv.json)."""

from __future__ import annotations

import json
import math

from tests.clirun import stats, stats_json
from tests.estimators._rfixtures import FIXTURES

CASES = {c["id"]: c for c in json.loads((FIXTURES / "pv.json").read_text())["cases"]}
DATA = str(FIXTURES / "pisa_pv.csv")
MATH = "math=" + ",".join(f"PV{k}MATH" for k in range(1, 6))
READ = "read=" + ",".join(f"PV{k}READ" for k in range(1, 6))
FAY = ["--weight", "W_FSTUWT", "--replicate-weights", "W_FSTURWT*", "--replicate", "fay",
       "--fay-rho", "0.5", "--mse"]
TAYLOR = ["--weight", "W_FSTUWT", "--strata", "stratum", "--psu", "school"]


def _same(rows: list[dict], case: str) -> None:
    want = CASES[case]
    assert len(rows) == len(want["estimate"])
    for r, e, s, d in zip(rows, want["estimate"], want["std_error"], want["df"], strict=True):
        assert math.isclose(r["estimate"], e, rel_tol=1e-6)
        assert math.isclose(r["std_error"], s, rel_tol=1e-6)
        assert math.isclose(r["df"], d, rel_tol=1e-6)


def test_mean_by_gender_with_fay_replicates() -> None:
    doc = stats_json("mean", DATA, "--pv", MATH, "--var", "math", "--by", "gender", *FAY)
    _same(doc["estimates"], "fay_mean_by_gender")
    assert doc["method"] == "mi-t"


def test_total_and_linearisation() -> None:
    _same(stats_json("total", DATA, "--pv", READ, "--var", "read", *FAY)["estimates"],
          "fay_total_read")
    _same(stats_json("mean", DATA, "--pv", MATH, "--var", "math", *TAYLOR)["estimates"],
          "taylor_mean")


def test_glm_with_two_plausible_value_sets() -> None:
    doc = stats_json("glm", DATA, "--pv", MATH, "--pv", READ, "-f", "math ~ read + escs", *FAY)
    want = CASES["fay_glm_two_pv"]
    got = {r["variable"]: r for r in doc["estimates"]}
    for name, e, s in zip(["Intercept", "read", "escs"], want["estimate"], want["std_error"],
                          strict=True):
        assert math.isclose(got[name]["estimate"], e, rel_tol=1e-6)
        assert math.isclose(got[name]["std_error"], s, rel_tol=1e-6)


def test_a_malformed_pv_is_an_error_not_a_traceback() -> None:
    r = stats("mean", DATA, "--pv", "math=PV1MATH", "--var", "math", *FAY)
    assert r.exit_code != 0 and "NAME=COL1" in r.output and "Traceback" not in r.output
