"""Plausible values combined by Rubin's rules against R's MIcombine(withPV(...)) on a
generated PISA-like frame with Fay replicate weights (tests/fixtures/r/pv.json)."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import polars as pl
import pytest

from survey.design import ReplicateDesign, SurveyFrame, svydesign
from survey.errors import EstimationError
from survey.estimators import mean, parse_pv, total, with_pv
from survey.models import svyglm
from tests.estimators._rfixtures import FIXTURES, dataset

DOC = json.loads((FIXTURES / "pv.json").read_text())
CASES = DOC["cases"]


def design(spec: dict[str, Any]) -> SurveyFrame:
    if "supplied" in spec:
        s = spec["supplied"]
        df = dataset(s["data"])
        cols = tuple(c for c in df.columns if c.startswith(s["prefix"]))
        return SurveyFrame(df, ReplicateDesign(weights=s["weights"], repweights=cols,
                                               type=s["type"], rho=s["rho"], mse=s["mse"]))
    return svydesign(dataset(spec["data"]), ids=spec["ids"], strata=spec["strata"],
                     weights=spec["weights"])


def run(case: dict[str, Any]) -> Any:
    a = case["args"]
    sf = design(case["design"])
    if case["fn"] == "glm":
        return with_pv(sf, a["pv"], lambda d: svyglm(d, a["formula"], family=a["family"]))
    fn = {"mean": mean, "total": total}[case["fn"]]
    return with_pv(sf, a["pv"], lambda d: fn(d, a["var"], by=a.get("by")))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_matches_r(case: dict[str, Any]) -> None:
    est = run(case)
    t = est.to_frame()
    assert t.height == len(case["estimate"])
    # rows in R's order: svyglm's terms by name (patsy names them otherwise)
    rename = {"Intercept": "(Intercept)", "C(gender)[T.male]": "gendermale", "read": "PV1READ"}
    names = [rename.get(v, v) for v in t["variable"].to_list()]
    order = (list(range(t.height)) if case["fn"] != "glm"
             else [names.index(n) for n in case["names"]])
    for col in ("estimate", "std_error", "df", "missinfo"):
        got = t[col].to_numpy()[order]
        for g, w in zip(got, case[col], strict=True):
            assert math.isclose(g, w, rel_tol=case["tol"]), (col, g, w)


def test_fixture_provenance() -> None:
    h = DOC["header"]
    assert h["survey_version"] == "4.1.1" and h["mitools_version"] == "2.4"
    assert {c["fn"] for c in CASES} == {"mean", "glm", "total"}


def test_parse_pv_rejects_a_single_column() -> None:
    with pytest.raises(EstimationError, match="at least"):
        parse_pv("math=PV1MATH")


def test_pv_sets_of_different_length_are_refused() -> None:
    sf = svydesign(pl.DataFrame({"a": [1.0, 2], "b": [2.0, 3], "c": [1.0, 1]}))
    with pytest.raises(EstimationError, match="differ in length"):
        with_pv(sf, {"x": ["a", "b"], "y": ["c"]}, lambda d: mean(d, "x"))


def test_a_name_that_is_a_column_is_refused() -> None:
    sf = svydesign(pl.DataFrame({"a": [1.0, 2], "b": [2.0, 3]}))
    with pytest.raises(EstimationError, match="column already"):
        with_pv(sf, {"a": ["a", "b"]}, lambda d: mean(d, "a"))


def test_identical_plausible_values_have_no_missing_information() -> None:
    y = np.arange(1.0, 11.0)
    sf = svydesign(pl.DataFrame({"p1": y, "p2": y, "p3": y}))
    est = with_pv(sf, {"v": ["p1", "p2", "p3"]}, lambda d: mean(d, "v"))
    assert est.std_error[0] == pytest.approx(mean(sf.with_columns(v=pl.col("p1")), "v")
                                             .std_error[0])
    assert est.to_frame()["missinfo"][0] == 0
