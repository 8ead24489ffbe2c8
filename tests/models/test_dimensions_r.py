"""The dimensions of a scale against R (tests/fixtures/r/dimensions.json, written by
scripts/r/make_dimension_fixtures.R): svyprcomp and svyfactanal on the api data."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from survey.models import svyfactanal, svyprcomp
from tests.estimators._rfixtures import FIXTURES, bind, cases_of, where_of

FILE = FIXTURES / "dimensions.json"


def _of(kind: str) -> list[dict[str, Any]]:
    return cases_of(FILE.name, kind)


def _close(a: float, b: float, tol: float) -> bool:
    return math.isclose(a, b, rel_tol=tol, abs_tol=1e-9)


def test_fixture_counts():
    assert len(_of("pca")) == 5 and len(_of("factor")) == 5


@pytest.mark.parametrize("case", _of("pca"), ids=lambda c: c["id"])
def test_principal_components_match_svyprcomp(case):
    a = case["args"]
    res = svyprcomp(bind(case["design"]), a["vars"], scale=a["scale"], where=where_of(a))
    assert res.table["component"].to_list() == [c["component"] for c in case["components"]]
    for k, comp in enumerate(case["components"]):
        assert _close(res.table["sdev"][k], comp["sdev"], case["tol"])
        mine = res.rotation[comp["component"]].to_numpy()
        want = np.array([comp["loadings"][v] for v in a["vars"]])
        mine = mine * np.sign(mine @ want)  # an SVD's signs are arbitrary, R's too
        assert all(_close(x, y, case["tol"]) for x, y in zip(mine, want, strict=True)), comp


@pytest.mark.parametrize("case", _of("factor"), ids=lambda c: c["id"])
def test_factor_analysis_matches_svyfactanal(case):
    a = case["args"]
    res = svyfactanal(bind(case["design"]), a["vars"], factors=a["factors"], where=where_of(a))
    assert res.converged
    L = res.matrix()
    for i, row in enumerate(case["loadings"]):
        assert _close(res.uniquenesses[i], row["uniqueness"], case["tol"]), row["variable"]
        assert all(_close(x, y, case["tol"]) for x, y in zip(L[i], row["loadings"], strict=True))
        # R's optim stops ~1e-6 short of the stationary point the fixture polishes to
        assert _close(res.uniquenesses[i], row["uniqueness_optim"], 1e-4)
