"""Predictions standardised to the sample's margins by raking, against R's marginpred at
tight raking controls (tests/fixtures/r/marginpred.json)."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import polars as pl
import pytest

from survey.design import as_replicate, svydesign
from survey.errors import ModelError
from survey.models import marginpred, svyglm
from tests.estimators._rfixtures import FIXTURES, bind

DOC = json.loads((FIXTURES / "marginpred.json").read_text())
CASES = DOC["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_matches_r(case: dict[str, Any]) -> None:
    a = case["args"]
    m = svyglm(bind(case["design"]), a["formula"], family=a["family"])
    at = pl.DataFrame({"meals": [float(v) for v in case["predictat"]["meals"]],
                       "stype": case["predictat"]["stype"]})
    got = marginpred(m, a["adjustfor"], at, scale=a["scale"])
    for g, want in zip(got["estimate"].to_list(), case["estimate"], strict=True):
        assert math.isclose(g, want, rel_tol=case["tol"]), (g, want)
    for g, want in zip(got["std_error"].to_list(), case["std_error"], strict=True):
        assert math.isclose(g, want, rel_tol=case["tol"]), (g, want)


def test_fixture_provenance() -> None:
    assert DOC["header"]["survey_version"] == "4.1.1"
    assert all("marginpred_tight" in c["marginpred_call"] for c in CASES)


def _toy() -> Any:
    rng = np.random.default_rng(5)
    x = rng.normal(size=80)
    z = (x + rng.normal(size=80) > 0).astype(float)
    y = 1 + x + 2 * z + rng.normal(size=80)
    return svydesign(pl.DataFrame({"y": y, "x": x, "z": z}))


def test_an_adjustment_variable_uncorrelated_with_the_model_changes_little() -> None:
    sf = _toy()
    m = svyglm(sf.with_columns(u=pl.Series(np.tile([0.0, 1.0], 40))), "y ~ x",
               family="gaussian")
    at = pl.DataFrame({"x": [0.0]})
    plain = m.predict(at, scale="link")["estimate"][0]
    assert marginpred(m, "~ u", at)["estimate"][0] == pytest.approx(plain, abs=0.2)


def test_adjustment_inside_the_model_is_refused() -> None:
    m = svyglm(_toy(), "y ~ x + z", family="gaussian")
    with pytest.raises(ModelError, match="all in the model"):
        marginpred(m, "~ z", pl.DataFrame({"x": [0.0], "z": [1.0]}))


def test_replicate_designs_are_refused() -> None:
    m = svyglm(as_replicate(_toy()), "y ~ x", family="gaussian")
    with pytest.raises(ModelError, match="linearisation design"):
        marginpred(m, "~ z", pl.DataFrame({"x": [0.0]}))
