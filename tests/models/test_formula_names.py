"""Formulas in R's spelling (dotted names in terms, interactions, C(), I() powers, scale(),
poly(), bs(), offsets) give R's svyglm coefficients on R's api data.

Fixtures: tests/fixtures/r/formulas.json and apistrat_formula.csv
(R: scripts/r/make_formula_fixtures.R).
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import pytest

from survey.models import svyglm
from tests.estimators._rfixtures import FIXTURES, bind
from tests.models._rmodels import close

FILE = FIXTURES / "formulas.json"


@cache
def _load() -> dict[str, Any]:
    return json.loads(FILE.read_text())


CASES = _load()["cases"]


def _part(name: str) -> str:
    """One factor of a coefficient name, patsy's or R's, in R's spelling."""
    name = re.sub(r"""Q\(["'](.+?)["']\)""", r"\1", name).replace(" ", "").replace("**", "^")
    m = re.fullmatch(r"C\(([\w.]+)\)\[T\.(.+)\]", name)
    if m:
        return m.group(1) + m.group(2)
    m = re.fullmatch(r"(.+\))\[(\d+)\]", name)  # patsy's poly(x, 2)[0] is R's poly(x, 2)1
    return f"{m.group(1)}{int(m.group(2)) + 1}" if m else name


def _key(term: str) -> frozenset[str]:
    if term in ("Intercept", "(Intercept)"):
        return frozenset({"(Intercept)"})
    term = term.replace("splines::", "")
    return frozenset(_part(p) for p in re.split(r":(?![^()]*\))", term))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_dotted_formula_matches_svyglm(case: dict[str, Any]) -> None:
    sf = bind(_load()["header"]["design"]["py"])
    res = svyglm(sf, case["formula"], family=case["family"])
    ours = {_key(r["term"]): r for r in res.terms.iter_rows(named=True)}
    assert set(ours) == {_key(t["term"]) for t in case["terms"]}, case["id"]
    for want in case["terms"]:
        got = ours[_key(want["term"])]
        for key in ("estimate", "std_error", "conf_low", "conf_high", "p_value"):
            assert close(got[key], want[key], 1e-6), (
                f"{case['id']} {want['term']} {key}: python {got[key]!r} vs R {want[key]!r}")
    assert res.df_resid == case["df_resid"]


def test_dotted_term_can_be_tested_by_its_r_name() -> None:
    sf = bind(_load()["header"]["design"]["py"])
    res = svyglm(sf, "api00 ~ ell + api.stu + comp.imp", family="gaussian")
    by_r_name = res.wald_test(["api.stu", "comp.imp"])
    by_patsy_name = res.wald_test(['Q("api.stu")', 'Q("comp.imp")'])
    assert by_r_name.statistic == pytest.approx(by_patsy_name.statistic, rel=1e-12)


def test_fixture_provenance() -> None:
    header = _load()["header"]
    assert header["script"] == "scripts/r/make_formula_fixtures.R"
    assert header["r_version"].startswith("R version")


def test_dotted_names_are_shown_as_written() -> None:
    sf = bind(_load()["header"]["design"]["py"])
    res = svyglm(sf, "api00 ~ api.stu + C(comp.imp) + I(api.stu^2) + sch.wide:meals",
                 family="gaussian")
    assert set(res.names) == {"Intercept", "api.stu", "C(comp.imp)[T.Yes]",
                              "I(api.stu ** 2)", "sch.wide[No]:meals", "sch.wide[Yes]:meals"}
    quoted = svyglm(sf, "api00 ~ Q('api.stu') + C(Q('comp.imp')) + I(Q('api.stu')**2) "
                        "+ Q('sch.wide'):meals", family="gaussian")
    assert quoted.names == res.names
    assert quoted.coef.tolist() == res.coef.tolist()
