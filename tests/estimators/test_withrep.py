"""Any statistic over replicate weights, the Gini coefficient and percentile ratios against
R's withReplicates and convey's svygini (tests/fixtures/r/repstats.json), and their edges."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from survey.design import SurveyFrame, as_replicate, svydesign
from survey.errors import EstimationError
from survey.estimators import gini, percentile_ratio, with_replicates
from tests.estimators._rfixtures import bind, bind_weighted, cases, header

FILE = "repstats.json"
CASES = cases(FILE)


def _ratio_of_means(d: pl.DataFrame, w: np.ndarray) -> float:
    return float(np.sum(w * d["api00"].to_numpy()) / np.sum(w * d["api99"].to_numpy()))


def _weighted_sd(d: pl.DataFrame, w: np.ndarray) -> float:
    x = d["enroll"].to_numpy()
    m = np.sum(w * x) / np.sum(w)
    return float(np.sqrt(np.sum(w * (x - m) ** 2) / np.sum(w)))


STATISTICS = {"ratio_of_means": _ratio_of_means, "weighted_sd": _weighted_sd}


def _run(case: dict) -> tuple[float, float]:
    args = dict(case["args"])
    if "where" in args:
        args["where"] = pl.sql_expr(args["where"])
    sf = bind_weighted(case["design"])
    if case["fn"] == "gini":
        est = gini(sf, args.pop("var"), **args)
    elif case["fn"] == "percentile_ratio":
        est = percentile_ratio(sf, args.pop("var"), ratio=tuple(args.pop("ratio")), **args)
    else:
        est = with_replicates(sf, STATISTICS[args.pop("statistic")], **args)
    return float(est.estimate[0]), float(est.std_error[0])


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_matches_r(case: dict) -> None:
    value, se = _run(case)
    assert math.isclose(value, case["estimate"], rel_tol=case["tol"]), (value, case["estimate"])
    assert math.isclose(se, case["std_error"], rel_tol=case["tol"]), (se, case["std_error"])


def test_fixture_provenance() -> None:
    h = header(FILE)
    assert h["survey_version"] == "4.1.1" and h["convey_version"] == "1.0.1"
    assert {c["fn"] for c in CASES} == {"gini", "percentile_ratio", "with_replicates"}
    assert all(c["call"] and c["design_r"] for c in CASES)


def _srs(y: list[float], w: list[float] | None = None) -> SurveyFrame:
    df = pl.DataFrame({"y": y, "w": w if w is not None else [1.0] * len(y)})
    return svydesign(df, weights="w")


def test_gini_of_equal_values_is_zero() -> None:
    assert gini(_srs([3.0] * 6), "y").estimate[0] == pytest.approx(0.0, abs=1e-12)


def test_gini_matches_the_mean_absolute_difference_with_weights() -> None:
    # convey's estimator (2 sum r x w - sum x w) / (N Y) - 1, r the cumulative weight,
    # is the weighted mean absolute difference over 2 N Y plus sum w^2 x / (N Y) - 1 / N
    rng = np.random.default_rng(3)
    y, w = rng.gamma(2.0, 1.0, 40), rng.uniform(1, 5, 40)
    big_n, big_y = w.sum(), (w * y).sum()
    mad = (w[:, None] * w[None, :] * np.abs(y[:, None] - y[None, :])).sum()
    want = mad / (2 * big_n * big_y) + (w * w * y).sum() / (big_n * big_y) - 1 / big_n
    assert gini(_srs(y.tolist(), w.tolist()), "y").estimate[0] == pytest.approx(want, rel=1e-12)


def test_gini_is_scale_invariant_and_ignores_null_values() -> None:
    sf = _srs([1.0, 2.0, None, 7.0, 4.0], [1.0, 2.0, 5.0, 1.0, 3.0])  # type: ignore[list-item]
    a = gini(sf, "y")
    b = gini(sf.with_columns(y=pl.col("y") * 1000), "y")
    assert b.estimate[0] == pytest.approx(a.estimate[0], rel=1e-12)
    assert b.std_error[0] == pytest.approx(a.std_error[0], rel=1e-10)
    assert int(a.to_frame()["n"][0]) == 4


def test_with_replicates_of_a_weighted_mean_is_the_replicate_mean() -> None:
    from survey.estimators import mean

    sf = as_replicate(bind({"data": "apiclus1", "ids": "dnum", "weights": "pw"}))
    got = with_replicates(sf, lambda d, w: np.sum(w * d["api00"].to_numpy()) / np.sum(w), names="api00")
    want = mean(sf, "api00")
    assert got.estimate[0] == pytest.approx(want.estimate[0], rel=1e-12)
    assert got.std_error[0] == pytest.approx(want.std_error[0], rel=1e-10)
    assert got.to_frame()["variable"][0] == "api00"


def test_with_replicates_takes_several_values() -> None:
    sf = as_replicate(bind({"data": "apiclus1", "ids": "dnum", "weights": "pw"}))
    got = with_replicates(sf, lambda d, w: [np.sum(w), np.sum(w * d["enroll"].to_numpy())],
                          names=["n", "enroll"])
    assert got.to_frame()["variable"].to_list() == ["n", "enroll"]
    assert got.vcov.shape == (2, 2) and got.replicates is not None


def test_replicate_statistics_need_replicate_weights() -> None:
    sf = _srs([1.0, 2.0, 3.0])
    with pytest.raises(EstimationError, match="replicate weights"):
        with_replicates(sf, lambda d, w: float(np.sum(w)))
    with pytest.raises(EstimationError, match="replicate"):
        percentile_ratio(sf, "y")


def test_percentile_ratio_rejects_percentiles_outside_0_100() -> None:
    sf = as_replicate(_srs([1.0, 2.0, 3.0, 4.0]))
    with pytest.raises(EstimationError, match="between 0 and 100"):
        percentile_ratio(sf, "y", ratio=(100, 10))


def test_gini_needs_a_numeric_column() -> None:
    sf = svydesign(pl.DataFrame({"g": ["a", "b"]}))
    with pytest.raises(EstimationError, match="not numeric"):
        gini(sf, "g")
