"""Crosstabs over rows left where they are (a LazyFrame, a Parquet scan, a lazy design)
equal the crosstabs of the same rows in memory, to 1e-9 relative: cells, letters,
whole-table tests, notes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from survey.bind import DesignSpec, bind, scan_parquet
from survey.design import Design, LazySurveyFrame, ReplicateDesign, as_replicate, svydesign
from survey.errors import NotStreamable
from survey.tables import CrosstabSet, Disclosure, Significance, crosstab, crosstabs
from tests.tables.test_crosstab import LIKERT, _codebook, _frame

ROWS = ["s", "m", "v"]
WHERE = pl.col("v") > 3


def assert_same(a: CrosstabSet, b: CrosstabSet, tol: float = 1e-9) -> None:
    """Equal crosstab sets: floats to ``tol`` relative, everything else exactly."""
    assert a.meta == b.meta and a.notes == b.notes
    assert len(a.tables) == len(b.tables)
    for ta, tb in zip(a.tables, b.tables, strict=True):
        assert (ta.question, ta.rows, ta.columns, ta.notes) == (tb.question, tb.rows,
                                                                 tb.columns, tb.notes)
        for x, y in ((ta.cells, tb.cells), (ta.tests, tb.tests)):
            assert x.columns == y.columns and x.height == y.height
            for c in x.columns:
                if x[c].dtype.is_float():
                    assert np.allclose(x[c].to_numpy(), y[c].to_numpy(), rtol=tol, atol=0,
                                       equal_nan=True), (ta.question, c)
                else:
                    assert x[c].to_list() == y[c].to_list(), (ta.question, c)


def _letters(s: CrosstabSet) -> int:
    return sum(t.cells["sig"].drop_nulls().len() for t in s.tables)


@pytest.fixture(scope="module")
def data() -> tuple[pl.DataFrame, object]:
    """The crosstab test frame with a design (4 strata of 6 PSUs, fpc), columns that
    differ by ``g`` (so letters are drawn) and 20 bootstrap-like replicate weights."""
    df, cb = _frame(n=480, seed=11), _codebook()
    rng = np.random.default_rng(3)
    shifted = pl.when(pl.col("g") == "x").then(pl.col("v") + 1.2).otherwise(pl.col("v"))
    top = pl.when((pl.col("g") == "x") & pl.col("s").is_not_null()
                  & (pl.Series(rng.random(df.height)) < 0.35)).then(pl.lit(LIKERT[4]))
    df = df.with_columns(
        v=shifted.round(1),
        s=top.otherwise(pl.col("s").cast(pl.String)).cast(pl.Enum(LIKERT)),
        st=pl.Series(np.repeat(np.arange(4), 120)),
        psu=pl.Series(np.repeat(np.arange(48), 10)),
        fpc=pl.lit(400),
        region=pl.Series(rng.choice(["north", "south", "east"], df.height)),
        **{f"rep{i}": pl.col("w") * pl.Series(rng.uniform(0.4, 1.6, df.height))
           for i in range(1, 21)})
    return df, cb


def test_a_weighted_lazy_frame_equals_the_rows_in_memory(data) -> None:
    df, cb = data
    opts = dict(banner=["g", "region"], codebook=cb, weight="w", where=WHERE)
    memory = crosstabs(df, ROWS, **opts)
    assert _letters(memory) > 0
    assert_same(memory, crosstabs(df.lazy(), ROWS, **opts))


def test_an_unweighted_lazy_frame_equals_the_rows_in_memory(data) -> None:
    df, cb = data
    opts = dict(banner=["g"], codebook=cb, disclosure=None,
                cells=["row_pct", "count", "column_pct"])
    assert_same(crosstabs(df, ROWS, **opts), crosstabs(df.lazy(), ROWS, **opts))


def test_a_stratified_cluster_design_with_fpc_streams_with_its_tests(data) -> None:
    df, cb = data
    sf = svydesign(df, ids="psu", strata="st", weights="w", fpc="fpc")
    lsf = LazySurveyFrame(df.lazy(), Design(ids="psu", strata="st", weights="w", fpc="fpc"))
    memory = crosstabs(sf, ROWS, banner=["g", "region"], codebook=cb, where=WHERE)
    assert _letters(memory) > 0 and memory.tables[0].tests.height == 2
    assert_same(memory, crosstabs(lsf, ROWS, banner=["g", "region"], codebook=cb,
                                  where=WHERE))


def test_a_supplied_replicate_design_streams_with_its_tests(data) -> None:
    df, cb = data
    reps = tuple(f"rep{i}" for i in range(1, 21))
    sf = bind(df, DesignSpec(weights="w", replicate_weights="rep*", replicate="bootstrap"))
    lsf = LazySurveyFrame(df.lazy(), ReplicateDesign(weights="w", repweights=reps,
                                                     type="bootstrap"))
    memory = crosstabs(sf, ROWS, banner=["g", "region"], codebook=cb, where=WHERE)
    assert _letters(memory) > 0
    assert_same(memory, crosstabs(lsf, ROWS, banner=["g", "region"], codebook=cb,
                                  where=WHERE))


def test_replicates_made_from_the_psus_stream(data) -> None:
    df, cb = data
    sf = as_replicate(svydesign(df, ids="psu", strata="st", weights="w"), type="JKn")
    lsf = LazySurveyFrame(df.lazy(), Design(ids="psu", strata="st", weights="w")
                          ).as_replicate(type="JKn")
    assert_same(crosstabs(sf, ["s"], banner=["g"], codebook=cb),
                crosstabs(lsf, ["s"], banner=["g"], codebook=cb))


def test_a_parquet_directory_of_hive_partitions_streams(data, tmp_path: Path) -> None:
    df, cb = data
    for (g,), part in df.with_columns(pl.col("g").cast(pl.String)).group_by("g"):
        d = tmp_path / f"g={g}"
        d.mkdir()
        part.drop("g").write_parquet(d / "part-0.parquet")
    scan = scan_parquet(tmp_path)  # hive partitions: g comes back as a text column
    plain = df.with_columns(pl.col("g").cast(pl.String))
    opts = dict(banner=["g"], codebook=cb, weight="w", where=WHERE)
    assert_same(crosstabs(plain, ["s", "v"], **opts), crosstabs(scan, ["s", "v"], **opts))


def test_grouped_medians_keep_r_rule_with_ties() -> None:
    rng = np.random.default_rng(8)
    df = pl.DataFrame({"x": rng.integers(0, 5, 300).astype(float),
                       "g": rng.choice(["a", "b", "c"], 300),
                       "w": rng.choice([1.0, 2.0, 3.0], 300)})
    small = pl.DataFrame({"x": [1.0, 1.0, 2.0], "g": ["a"] * 3, "w": [1.0] * 3})
    heavy = pl.DataFrame({"x": [1.0, 2.0], "g": ["a"] * 2, "w": [3.0, 1.0]})  # R: the 2nd
    for frame, weight in ((df, "w"), (df, None), (small, None), (small.head(1), None),
                          (heavy, "w")):
        opts = dict(banner=["g"], weight=weight, disclosure=None, significance=None)
        a, b = crosstab(frame, "x", **opts), crosstab(frame.lazy(), "x", **opts)
        assert a.cells.filter(pl.col("row") == "median")["value"].to_list() == \
            b.cells.filter(pl.col("row") == "median")["value"].to_list()


def test_an_ordinal_rank_test_needs_the_rows(data) -> None:
    df, cb = data
    lsf = LazySurveyFrame(df.lazy(), Design(ids="psu", strata="st", weights="w"))
    with pytest.raises(NotStreamable, match="rank test"):
        crosstabs(lsf, ["s"], banner=["g"], codebook=cb,
                  significance=Significance(ordinal="wilcoxon"))


def test_rows_read_are_reported_as_they_stream(data) -> None:
    df, cb = data
    seen = []
    crosstabs(df.lazy(), ["s"], banner=["g"], codebook=cb, disclosure=Disclosure(),
              scan_progress=seen.append)
    assert {p.step for p in seen} == {"banner", "s"}
    assert seen[-1].rows == seen[-1].total == df.height


def test_a_two_stage_design_with_fpc_at_both_stages_streams() -> None:
    from survey.bind import scan_design

    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "r" / "apiclus2.csv"
    df = pl.read_csv(fixture).with_columns(pl.col("stype", "sch.wide").cast(pl.String))
    spec = DesignSpec(ids=("dnum", "snum"), fpc=("fpc1", "fpc2"), weights="pw")
    opts = dict(banner=["stype"], disclosure=None)
    memory = crosstabs(bind(df, spec), ["sch.wide", "api00"], **opts)
    assert memory.tables[0].tests["p_value"][0] < 0.01
    assert_same(memory, crosstabs(scan_design(df.lazy(), spec), ["sch.wide", "api00"], **opts))
