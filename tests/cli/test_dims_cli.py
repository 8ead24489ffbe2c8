"""`survey stats pca|factor`: R's numbers (tests/fixtures/r/dimensions.json) through the
command line, and output shapes."""

from __future__ import annotations

import math

import pytest

from tests.clirun import stats as run, stats_json as run_json
from tests.estimators._rfixtures import FIXTURES, cases_by_id

CLUS2 = str(FIXTURES / "apiclus2_dims.csv")
DESIGN = ["--psu", "dnum,snum", "--fpc", "fpc1,fpc2"]
CASES = cases_by_id("dimensions.json")


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def test_pca_json_gives_r_components_with_loadings_by_variable():
    case = CASES["pca_clus2_scale"]
    doc = run_json("pca", CLUS2, "--var", ",".join(case["args"]["vars"]), "--standardize",
                   *DESIGN)
    assert [c["component"] for c in doc["components"]] == [
        c["component"] for c in case["components"]]
    for mine, want in zip(doc["components"], case["components"], strict=True):
        assert _close(mine["sdev"], want["sdev"])
        sign = math.copysign(1, sum(mine["loadings"][v] * want["loadings"][v]
                                    for v in want["loadings"]))
        assert all(_close(sign * mine["loadings"][v], want["loadings"][v])
                   for v in want["loadings"])


def test_factor_json_gives_r_loadings_and_uniquenesses():
    case = CASES["factor_clus2_2"]
    doc = run_json("factor", CLUS2, "--var", ",".join(case["args"]["vars"]), "--factors", "2",
                   *DESIGN)
    rows = {(r["variable"], r["factor"]): r for r in doc["loadings"]}
    for want in case["loadings"]:
        for k, value in enumerate(want["loadings"]):
            got = rows[(want["variable"], f"Factor{k + 1}")]
            assert _close(got["loading"], value)
            assert _close(got["uniqueness"], want["uniqueness"])


@pytest.mark.parametrize("argv", [["pca", "--standardize"], ["factor", "--factors", "1"]])
@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_pca_and_factor_render_table_and_csv(argv, fmt):
    r = run(argv[0], CLUS2, "--var", "api99,api00,ell,hsg,meals,emer", *argv[1:], *DESIGN,
            "--format", fmt)
    assert r.exit_code == 0, r.output
    assert "api99" in r.output


def test_too_many_factors_is_a_one_line_error():
    r = run("factor", CLUS2, "--var", "api99,api00,ell", "--factors", "2", *DESIGN)
    assert r.exit_code != 0
    assert "too many" in r.output and "Traceback" not in r.output
