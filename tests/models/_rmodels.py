"""Replay the model cases of tests/fixtures/r/models.json (R: scripts/r/make_model_fixtures.R)."""

from __future__ import annotations

import json
import math
import re
from functools import cache
from typing import Any

import polars as pl

from survey.models import ModelResult, firth, svyglm, svyolr
from tests.estimators._rfixtures import FIXTURES, bind

FILE = FIXTURES / "models.json"


@cache
def _load() -> dict[str, Any]:
    return json.loads(FILE.read_text())


def cases() -> list[dict[str, Any]]:
    return _load()["cases"]


def header() -> dict[str, Any]:
    return _load()["header"]


def _cut(spec: dict[str, Any]) -> pl.Expr:
    """R's ``cut(x, c(0, b1, b2, ..., Inf), labels)`` as an ordered Enum expression."""
    x = pl.col(spec["var"])
    breaks, labels = spec["breaks"], spec["labels"]
    expr = pl.when(x <= breaks[0]).then(pl.lit(labels[0]))
    for b, lab in zip(breaks[1:], labels[1:-1], strict=True):
        expr = expr.when(x <= b).then(pl.lit(lab))
    return expr.otherwise(pl.lit(labels[-1])).cast(pl.Enum(labels))


def run(case: dict[str, Any]) -> ModelResult:
    args = dict(case["args"])
    sf = bind(case["design"])
    kw: dict[str, Any] = {}
    if "where" in args:
        kw["where"] = pl.sql_expr(args["where"])
    if "outcome" in args:
        kw["outcome"] = pl.sql_expr(args["outcome"])
    if case["fn"] == "svyglm":
        return svyglm(sf, args["formula"], family=args["family"], **kw)
    if case["fn"] == "svyolr":
        return svyolr(sf, args["formula"], outcome=_cut(args["cut"]), **kw)
    return firth(sf, args["formula"], **kw)


def _part(name: str) -> str:
    """One factor of a coefficient name, patsy's or R's, in one spelling: ``stypeH``."""
    name = re.sub(r"^Q\('(.+)'\)", r"\1", name)
    m = re.fullmatch(r"C\((\w+)(?:,.*)?\)\[T\.(.+)\]", name)
    if m:
        return m.group(1) + m.group(2)
    m = re.fullmatch(r"(\w+)\[T\.(.+)\]", name)
    if m:
        return m.group(1) + m.group(2)
    m = re.fullmatch(r"relevel\((\w+), .+\)(.+)", name)
    if m:
        return m.group(1) + m.group(2)
    return name


def canonical(term: str) -> frozenset[str]:
    """A coefficient name as the set of its factors (interaction order differs)."""
    if term in ("Intercept", "(Intercept)"):
        return frozenset({"(Intercept)"})
    return frozenset(_part(p) for p in re.split(r":(?![^()]*\))", term))


def close(a: float, b: float, tol: float) -> bool:
    return math.isclose(a, b, rel_tol=tol, abs_tol=1e-12)


def check(case: dict[str, Any], res: ModelResult) -> int:
    """Assert every R coefficient, SE, interval end, p-value and test; count them."""
    tol = case["tol"]
    ours = {canonical(r["term"]): r for r in res.terms.iter_rows(named=True)}
    assert len(ours) == len(case["terms"]), (case["id"], sorted(map(sorted, ours)))
    n = 0
    for want in case["terms"]:
        got = ours.get(canonical(want["term"]))
        assert got is not None, f"{case['id']}: no term for R's {want['term']}"
        for field in ("estimate", "std_error", "conf_low", "conf_high", "p_value"):
            assert close(got[field], want[field], tol), (
                f"{case['id']} {want['term']} {field}: python {got[field]!r} vs R {want[field]!r}")
            n += 1
    if case["df_resid"] is not None:
        assert res.df_resid == case["df_resid"], case["id"]
        n += 1
    for t in case.get("tests", []):
        got_t = res.wald_test(t["terms"], statistic=t["statistic_kind"])
        assert close(got_t.statistic, t["statistic"], tol), (case["id"], t["call"])
        assert close(got_t.p_value, t["p_value"], tol), (case["id"], t["call"])
        want_df = t["df"] if isinstance(t["df"], list) else [t["df"]]
        assert list(got_t.df) == [float(d) for d in want_df], (case["id"], t["call"])
        n += 3
    return n
