"""The median row of a numeric question's crosstab: R's svyquantile median per column."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from survey.design import svydesign
from survey.estimators import quantile
from survey.tables import Disclosure, crosstab

OFF = Disclosure(min_cell=0)


def _data(weighted: bool) -> pl.DataFrame:
    rng = np.random.default_rng(7)
    n = 301
    return pl.DataFrame({
        "x": np.round(rng.gamma(2.0, 1.5, n), 1).tolist(),
        "g": rng.choice(["a", "b", "c"], n).tolist(),
        "w": (rng.uniform(0.5, 3.0, n) if weighted else np.ones(n)).tolist(),
    }).with_columns(pl.when(pl.int_range(pl.len()) % 17 == 0).then(None)
                    .otherwise(pl.col("x")).alias("x"))


@pytest.mark.parametrize("weighted", [False, True])
def test_median_row_is_each_columns_svyquantile_median(weighted: bool) -> None:
    df = _data(weighted)
    t = crosstab(df, "x", banner=["g"], weight="w" if weighted else None, disclosure=OFF)
    want = quantile(svydesign(df, weights="w"), "x", by="g").to_frame()
    for rec in want.iter_rows(named=True):
        assert t.cell("median", f"g={rec['g']}")["value"] == rec["estimate"]
    total = quantile(svydesign(df, weights="w"), "x").estimate[0]
    assert t.cell("median", "total")["value"] == total


def test_median_of_an_odd_unweighted_column_is_its_middle_value() -> None:
    df = pl.DataFrame({"x": [5.0, 1.0, 9.0, 3.0, 7.0], "g": ["a"] * 5})
    t = crosstab(df, "x", banner=["g"], disclosure=OFF)
    assert t.cell("median", "total")["value"] == 5.0
    assert t.cell("median", "g=a")["value"] == 5.0
