"""Load the R reference fixtures and replay each case in Python (a mixin-style helper)."""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl

from survey import estimators
from survey.design import ReplicateDesign, SurveyFrame, as_replicate, svydesign
from survey.weighting import poststratify, read_margins

FIXTURES = Path(__file__).parents[1] / "fixtures" / "r"


@cache
def dataset(name: str) -> pl.DataFrame:
    return pl.read_csv(FIXTURES / f"{name}.csv", null_values=[""], infer_schema_length=None)


def cases(file: str) -> list[dict[str, Any]]:
    return json.loads((FIXTURES / file).read_text())["cases"]


def header(file: str) -> dict[str, Any]:
    return json.loads((FIXTURES / file).read_text())["header"]


@cache
def _cases(file: str) -> list[dict[str, Any]]:
    return cases(file)


def cases_of(file: str, kind: str) -> list[dict[str, Any]]:
    """The cases of one ``kind`` in a fixture file (read once per file)."""
    return [c for c in _cases(file) if c["kind"] == kind]


def cases_by_id(file: str) -> dict[str, dict[str, Any]]:
    """A fixture file's cases by their ``id``."""
    return {c["id"]: c for c in cases(file)}


def where_of(args: dict[str, Any]) -> pl.Expr | None:
    """A case's R subset condition (``where``, with R's ``==``) as a polars expression."""
    return pl.sql_expr(args["where"].replace("==", "=")) if args.get("where") else None


def bind(spec: dict[str, Any]) -> SurveyFrame:
    if "supplied" in spec:
        s = spec["supplied"]
        df = dataset(s["data"])
        cols = tuple(c for c in df.columns if c.startswith(s["prefix"]))
        return SurveyFrame(df, ReplicateDesign(weights=s["weights"], repweights=cols,
                                               type=s["type"], scale=s.get("scale")))
    kw = {k: spec[k] for k in ("ids", "strata", "weights", "fpc", "lonely_psu") if k in spec}
    if isinstance(kw.get("ids"), list):
        kw["ids"] = tuple(kw["ids"])
    sf = svydesign(dataset(spec["data"]), **kw)
    if "replicate" in spec:
        sf = as_replicate(sf, **spec["replicate"])
    return sf


def bind_weighted(spec: dict[str, Any]) -> SurveyFrame:
    """:func:`bind`, then post-stratified to the academy population's margins named by
    ``spec["poststratify"]`` when given (sample_data/population_2025.csv)."""
    if "poststratify" not in spec:
        return bind(spec)
    margins = read_margins(FIXTURES.parents[2] / "sample_data/population_2025.csv")
    plain = {k: v for k, v in spec.items() if k != "poststratify"}
    return poststratify(bind(plain), margins.select(spec["poststratify"]))


def run(case: dict[str, Any]) -> Any:
    args = dict(case["args"])
    if "where" in args:
        args["where"] = pl.sql_expr(args["where"])
    fn = getattr(estimators, case["fn"])
    sf = bind(case["design"])
    if case["fn"] == "difference":
        first, second = args.pop("first"), args.pop("second")
        return fn(estimators.mean(sf, args.pop("var"), **args), first, second)
    if case["fn"] == "multiple_choice":
        return fn(sf, args.pop("question"), **args)
    if "var" in args:
        return fn(sf, args.pop("var"), **args)
    return fn(sf, **args)


def _close(a: float, b: float, tol: float) -> bool:
    return math.isclose(a, b, rel_tol=tol, abs_tol=1e-12)


def check(case: dict[str, Any], result: Any) -> int:
    """Assert every R row is matched; return the number of numbers compared."""
    if isinstance(result, estimators.TestResult):
        want = case["rows"][0]
        assert _close(result.statistic, want["statistic"], case["tol"]), case["id"]
        assert _close(result.p_value, want["p_value"], case["tol"]), case["id"]
        wdf = want["df"] if isinstance(want["df"], list) else [want["df"]]
        assert len(result.df) == len(wdf)
        assert all(_close(a, b, case["tol"]) for a, b in zip(result.df, wdf, strict=True))
        return 2 + len(result.df)
    table = result.to_frame()
    compared = 0
    for row in case["rows"]:
        keys: dict[str, object] = {"variable": row["variable"]}
        if row["category"] is not None:
            keys["category"] = row["category"]
        keys.update(row.get("by") or {})
        mask = pl.lit(True)
        for k, v in keys.items():
            mask = mask & (pl.col(k).cast(pl.String) == str(v))
        got = table.filter(mask)
        assert got.height == 1, f"{case['id']}: {got.height} rows match {keys}"
        g = got.row(0, named=True)
        for field in ("estimate", "std_error", "conf_low", "conf_high", "deff", "df"):
            want = row.get(field)
            if want is None:
                continue
            assert field in g, f"{case['id']}: no {field} column"
            assert _close(float(g[field]), float(want), case["tol"]), (
                f"{case['id']} {keys} {field}: python {g[field]!r} vs R {want!r}")
            compared += 1
    return compared
