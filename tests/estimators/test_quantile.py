"""Quantiles against R's svyquantile (tests/fixtures/r/quantiles.json), and their edges."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey.design import svydesign
from survey.errors import EstimationError
from survey.estimators import quantile
from survey.estimators._qrules import qrule
from tests.estimators._rfixtures import bind, bind_weighted, cases, header

FILE = "quantiles.json"
CASES = cases(FILE)


def _run(case: dict) -> pl.DataFrame:
    args = dict(case["args"])
    if "where" in args:
        args["where"] = pl.sql_expr(args["where"])
    if "df" in args:  # "Inf": normal critical values
        args["df"] = float(args["df"])
    return quantile(bind_weighted(case["design"]), args.pop("var"), **args).to_frame()


def _same(got: float | None, want: float | None, tol: float) -> bool:
    if want is None:  # R's NaN: the share's interval left [0, 1]
        return got is None
    return got is not None and math.isclose(got, want, rel_tol=tol, abs_tol=1e-9)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_matches_r(case: dict) -> None:
    table = _run(case)
    assert table.height == len(case["rows"])
    for row in case["rows"]:
        mask = (pl.col("variable") == row["variable"]) & (pl.col("quantile") == row["quantile"])
        for k, v in (row["by"] or {}).items():
            mask = mask & (pl.col(k).cast(pl.String) == v)
        got = table.filter(mask)
        assert got.height == 1
        g = got.row(0, named=True)
        for field in ("estimate", "std_error", "conf_low", "conf_high"):
            assert _same(g[field], row[field], case["tol"]), (
                f"{case['id']} p={row['quantile']} {row['by']} {field}: "
                f"python {g[field]!r} vs R {row[field]!r}")


def test_fixture_provenance() -> None:
    h = header(FILE)
    assert h["survey_version"] == "4.1.1" and h["r_version"].startswith("R version 4.2")
    assert all(c["call"] and c["design_r"] for c in CASES)


def _srs(y: list[float], w: list[float] | None = None) -> object:
    df = pl.DataFrame({"y": y, "w": w if w is not None else [1.0] * len(y)})
    return svydesign(df, weights="w")


def test_median_of_odd_sample_is_middle_value() -> None:
    assert quantile(_srs([5.0, 1.0, 3.0]), "y").estimate.tolist() == [3.0]


def test_school_rule_averages_on_an_exact_tie() -> None:
    sf = _srs([1.0, 2.0, 3.0, 4.0])
    assert quantile(sf, "y", qrule="math").estimate.tolist() == [2.0]
    assert quantile(sf, "y", qrule="school").estimate.tolist() == [2.5]


def test_weights_move_the_median() -> None:
    assert quantile(_srs([1.0, 2.0, 3.0], [1.0, 1.0, 10.0]), "y").estimate.tolist() == [3.0]


def test_hf7_unweighted_matches_numpy_linear() -> None:
    rng = np.random.default_rng(1)
    x = np.sort(rng.normal(size=41))
    p = np.array([0.1, 0.33, 0.5, 0.9])
    got = qrule("hf7", x, np.ones_like(x), p)
    np.testing.assert_allclose(got, np.quantile(x, p), rtol=1e-12)


def test_nulls_are_left_out() -> None:
    sf = _srs([1.0, None, 3.0, 5.0, None])  # type: ignore[list-item]
    res = quantile(sf, "y")
    assert res.estimate.tolist() == [3.0] and res.to_frame()["n"].to_list() == [3]


def test_by_gives_one_row_per_domain_and_probability() -> None:
    df = pl.DataFrame({"y": [float(i) for i in range(20)], "g": ["a", "b"] * 10})
    res = quantile(svydesign(df), "y", quantiles=[0.25, 0.75], by="g")
    assert res.to_frame().select("g", "quantile").rows() == [
        ("a", 0.25), ("a", 0.75), ("b", 0.25), ("b", 0.75)]
    assert res.to_dict()["estimates"][0]["by"] == {"g": "a"}
    assert "category" not in res.to_dict()["estimates"][0]


@pytest.mark.parametrize(("kwargs", "where"), [
    ({"interval": "wald"}, "interval"), ({"qrule": "hf10"}, "qrule"),
    ({"quantiles": [1.5]}, "quantiles"), ({"interval": "quantile"}, "interval")])
def test_bad_options_name_the_option(kwargs: dict, where: str) -> None:
    with pytest.raises(EstimationError) as err:
        quantile(_srs([1.0, 2.0, 3.0]), "y", **kwargs)
    assert err.value.location == where


def test_text_column_is_refused() -> None:
    sf = svydesign(pl.DataFrame({"a": ["x", "y"]}))
    with pytest.raises(EstimationError, match="numeric"):
        quantile(sf, "a")


def test_a_domain_three_ways_gives_one_interval() -> None:
    sf = bind({"data": "apistrat", "strata": "stype", "weights": "pw", "fpc": "fpc"})
    by = quantile(sf, "api00", quantiles=[0.25, 0.5], by="stype").to_frame().filter(stype="H")
    where = quantile(sf, "api00", quantiles=[0.25, 0.5], where=pl.col("stype") == "H").to_frame()
    sub = quantile(sf.subset(pl.col("stype") == "H"), "api00", quantiles=[0.25, 0.5]).to_frame()
    cols = ["estimate", "std_error", "conf_low", "conf_high", "n", "df"]
    assert by.select(cols).equals(where.select(cols)) and where.select(cols).equals(sub.select(cols))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20), st.floats(0.1, 10.0)), min_size=1, max_size=40),
       st.floats(0.0, 1.0))
def test_math_rule_is_the_first_value_whose_share_reaches_p(pairs: list, p: float) -> None:
    x = np.array([float(a) for a, _ in pairs])
    w = np.array([b for _, b in pairs])
    o = np.argsort(x, kind="stable")
    q = qrule("math", x[o], w[o], np.array([p]))[0]
    share = w[x <= q].sum() / w.sum()
    below = w[x < q].sum() / w.sum()
    assert q in x
    # R's rule: the share reaches p at q (up to rounding), and not before it - except
    # R's quirk below the first cumulative share, where it takes the second value
    assert share >= p - 1e-12 or q == np.unique(x)[0]
    assert below <= p + 1e-12 or (len(x) > 1 and q == x[o][1])
