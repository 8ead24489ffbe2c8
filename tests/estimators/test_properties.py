"""Properties every design-based estimator must keep, whatever the data (hypothesis)."""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from survey.design import svydesign
from survey.estimators import mean, proportion, total

values = st.lists(st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False),
                  min_size=3, max_size=30)
FAST = settings(max_examples=25, deadline=None)


@FAST
@given(values, st.floats(0.1, 50))
def test_equal_weight_mean_is_sample_mean(ys: list[float], w: float) -> None:
    df = pl.DataFrame({"y": ys, "w": [w] * len(ys)})
    r = mean(svydesign(df, weights="w"), "y")
    assert np.isclose(r.estimate[0], np.mean(ys), rtol=1e-9, atol=1e-9)
    # SRS with replacement: s / sqrt(n), with the (n - 1) divisor scaled as R: sqrt(n/(n-1))
    n = len(ys)
    se = np.std(ys, ddof=1) / np.sqrt(n)
    assert np.isclose(r.std_error[0], se, rtol=1e-9, atol=1e-9)


@FAST
@given(values, st.lists(st.floats(0.5, 20), min_size=30, max_size=30), st.floats(0.01, 100))
def test_mean_and_se_invariant_to_weight_scaling(ys: list[float], ws: list[float],
                                                 c: float) -> None:
    n = len(ys)
    df = pl.DataFrame({"y": ys, "w": ws[:n], "g": [i % 2 for i in range(n)]})
    a = mean(svydesign(df, weights="w", ids="g" if n > 3 else None), "y")
    b = mean(svydesign(df.with_columns(pl.col("w") * c), weights="w",
                       ids="g" if n > 3 else None), "y")
    assert np.allclose(a.estimate, b.estimate, rtol=1e-9, atol=1e-9)
    assert np.allclose(a.std_error, b.std_error, rtol=1e-7, atol=1e-9)


@FAST
@given(values, st.lists(st.sampled_from(["a", "b", "c"]), min_size=30, max_size=30))
def test_by_domain_equals_where_and_subset(ys: list[float], gs: list[str]) -> None:
    n = len(ys)
    g = gs[:n]
    df = pl.DataFrame({"y": ys, "g": g, "h": [i % 2 for i in range(n)],
                       "w": [1.0 + (i % 3) for i in range(n)]})
    sf = svydesign(df, strata="h", weights="w", lonely_psu="adjust")
    by = mean(sf, "y", by="g")
    for level in set(g):
        sel = [x == level for x in g]
        if sum(sel) < 1:
            continue
        i = by.find(g=level)
        w = mean(sf, "y", where=pl.col("g") == level)
        s = mean(sf.subset(pl.col("g") == level), "y")
        for r in (w, s):
            assert np.isclose(r.estimate[0], by.estimate[i], rtol=1e-9, atol=1e-9)
            assert np.isclose(r.std_error[0], by.std_error[i], rtol=1e-9, atol=1e-12)


@FAST
@given(st.lists(st.booleans(), min_size=4, max_size=40), st.floats(0.5, 0.99))
def test_proportions_sum_to_one_and_intervals_bracket(xs: list[bool], level: float) -> None:
    sf = svydesign(pl.DataFrame({"x": xs}))
    r = proportion(sf, "x", method="logit", level=level)
    assert np.isclose(r.estimate.sum(), 1.0)
    inside = (r.conf_low <= r.estimate + 1e-12) & (r.estimate <= r.conf_high + 1e-12)
    finite = np.isfinite(r.conf_low) & np.isfinite(r.conf_high)
    assert inside[finite].all()
    assert ((r.conf_low[finite] >= 0) & (r.conf_high[finite] <= 1)).all()


@FAST
@given(values, st.floats(1.0, 100.0))
def test_total_scales_with_weights(ys: list[float], c: float) -> None:
    df = pl.DataFrame({"y": ys, "w": [c] * len(ys)})
    r = total(svydesign(df, weights="w"), "y")
    assert np.isclose(r.estimate[0], c * sum(ys), rtol=1e-9, atol=1e-6)
