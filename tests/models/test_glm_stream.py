"""svyglm on a lazy design (streamed IRLS passes) equals svyglm on the rows in memory.

Each design's rows are written to Parquet and scanned (``pl.scan_parquet``); the
streamed fit's coefficients, standard errors, residual degrees of freedom, names and
row counts are checked against the in-memory fit of the same design (never against
itself), to 1e-9 relative.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from survey.design import Design, LazySurveyFrame, SurveyFrame
from survey.errors import ModelError, NotStreamable
from survey.models import ModelResult, svyglm
from tests.estimators._rfixtures import dataset

TOL = 1e-9


def _data(name: str) -> pl.DataFrame:
    """A fixture dataset with a 0/1 outcome ``y`` (``sch.wide == "Yes"``)."""
    return dataset(name).with_columns(y=(pl.col("sch.wide") == "Yes").cast(pl.Int64))


def _scan(df: pl.DataFrame, tmp_path: Path) -> pl.LazyFrame:
    path = tmp_path / "rows.parquet"
    df.write_parquet(path)
    return pl.scan_parquet(path)


def _both(df: pl.DataFrame, design: Design, tmp_path: Path, formula: str,
          **kw: Any) -> tuple[ModelResult, ModelResult]:
    mem = svyglm(SurveyFrame(df, design), formula, **kw)
    lazy = svyglm(LazySurveyFrame(_scan(df, tmp_path), design), formula, **kw)
    return mem, lazy


def _rel(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


def _assert_same(mem: ModelResult, lazy: ModelResult) -> None:
    assert lazy.names == mem.names
    assert lazy.df_resid == mem.df_resid
    assert lazy.n == mem.n
    assert _rel(np.array([lazy.n_weighted]), np.array([mem.n_weighted])) < TOL
    assert _rel(lazy.coef, mem.coef) < TOL, (lazy.coef, mem.coef)
    se_l, se_m = (r.terms["std_error"].to_numpy() for r in (lazy, mem))
    assert _rel(se_l, se_m) < TOL, (se_l, se_m)
    assert _rel(lazy.vcov, mem.vcov) < 1e-8
    assert abs(lazy.deviance - mem.deviance) <= TOL * abs(mem.deviance)


STRAT = Design(strata="stype", weights="pw", fpc="fpc")
CLUS1 = Design(ids="dnum", weights="pw", fpc="fpc")


def test_stratified_logistic_with_fpc_matches_memory(tmp_path: Path) -> None:
    mem, lazy = _both(_data("apistrat"), STRAT, tmp_path, "y ~ meals + enroll + api99")
    _assert_same(mem, lazy)
    assert mem.df_resid == 200 - 3 + 1 - 4  # rows - strata + 1 - p


def test_clustered_logistic_with_categorical_term_matches_memory(tmp_path: Path) -> None:
    mem, lazy = _both(_data("apiclus1"), CLUS1, tmp_path, "y ~ meals + stype")
    _assert_same(mem, lazy)
    assert lazy.names == ("Intercept", "stype[T.H]", "stype[T.M]", "meals")


def test_gaussian_with_categorical_terms_matches_memory(tmp_path: Path) -> None:
    mem, lazy = _both(_data("apistrat"), STRAT, tmp_path,
                      "api00 ~ meals + C(stype, Treatment('M')) + comp.imp",
                      family="gaussian")
    _assert_same(mem, lazy)
    assert "C(stype, Treatment('M'))[T.E]" in lazy.names


def test_gaussian_clustered_in_strata_matches_memory(tmp_path: Path) -> None:
    design = Design(ids="psu2", strata="stype", weights="pw", fpc="fpc")
    mem, lazy = _both(_data("apistrat"), design, tmp_path, "api00 ~ meals + yr.rnd",
                      family="gaussian")
    _assert_same(mem, lazy)


def test_enum_and_boolean_terms_and_no_intercept_match_memory(tmp_path: Path) -> None:
    df = _data("apistrat").with_columns(pl.col("stype").cast(pl.Enum(["M", "H", "E"])))
    mem, lazy = _both(df, STRAT, tmp_path, "y ~ 0 + stype + q__comp + meals")
    _assert_same(mem, lazy)
    assert lazy.names[:3] == ("stype[M]", "stype[H]", "stype[E]")


@pytest.mark.parametrize(("formula", "family"), [
    ("y ~ 1", "binomial"), ("api00 ~ 1", "gaussian"),
    ("y ~ Q('yr.rnd') + C(comp.imp)", "quasibinomial")])
def test_intercept_only_dotted_names_and_quasibinomial_match_memory(
        tmp_path: Path, formula: str, family: str) -> None:
    _assert_same(*_both(_data("apistrat"), STRAT, tmp_path, formula, family=family))


def test_weights_from_the_fpc_match_memory(tmp_path: Path) -> None:
    design = Design(strata="stype", fpc="fpc")
    mem, lazy = _both(_data("apistrat"), design, tmp_path, "y ~ meals")
    _assert_same(mem, lazy)


def test_two_stage_ids_with_a_first_stage_fpc_match_memory(tmp_path: Path) -> None:
    design = Design(ids=("dnum", "snum"), fpc="fpc1", weights="pw")
    _assert_same(*_both(_data("apiclus2"), design, tmp_path, "y ~ meals + stype"))


def test_many_rows_match_the_in_memory_normal_equations(tmp_path: Path) -> None:
    """Above 50,000 rows the in-memory IRLS also solves normal equations."""
    rng = np.random.default_rng(7)
    n = 60_000
    st = rng.integers(0, 6, n)
    x = rng.normal(size=n)
    g = rng.choice(["a", "b", "c"], n)
    eta = -0.3 + 0.7 * x + 0.5 * (g == "b") - 0.4 * (g == "c")
    df = pl.DataFrame({"st": st, "psu": st * 50 + rng.integers(0, 30, n), "x": x, "g": g,
                       "y": (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(np.int8),
                       "w": rng.uniform(1.0, 4.0, n)})
    design = Design(ids="psu", strata="st", weights="w")
    _assert_same(*_both(df, design, tmp_path, "y ~ x + g"))


@pytest.mark.parametrize("how", ["adjust", "average", "remove", "certainty"])
@pytest.mark.parametrize("ids", [None, "snum"])
def test_lonely_psu_options_match_memory(tmp_path: Path, how: str, ids: str | None) -> None:
    design = Design(ids=ids, strata="lone", weights="pw", lonely_psu=how)
    mem, lazy = _both(_data("apistrat"), design, tmp_path, "y ~ meals + stype")
    _assert_same(mem, lazy)


def test_rows_with_a_missing_model_variable_are_dropped_as_in_memory(tmp_path: Path) -> None:
    df = _data("apiclus1").with_row_index("i").with_columns(
        meals=pl.when(pl.col("i") % 7 == 0).then(None).otherwise(pl.col("meals")),
        y=pl.when(pl.col("i") % 11 == 3).then(None).otherwise(pl.col("y")),
        stype=pl.when(pl.col("i") % 13 == 5).then(None).otherwise(pl.col("stype")),
        enroll=pl.when(pl.col("i") % 5 == 1).then(None).otherwise(pl.col("enroll")),
    ).drop("i")
    mem, lazy = _both(df, CLUS1, tmp_path, "y ~ meals + stype")  # enroll: not a model variable
    _assert_same(mem, lazy)
    assert lazy.n < df.height
    for design in (STRAT, Design(strata="stype", weights="pw")):
        df = _data("apistrat").with_row_index("i").with_columns(
            api99=pl.when(pl.col("i") % 4 == 0).then(None).otherwise(pl.col("api99"))).drop("i")
        _assert_same(*_both(df, design, tmp_path, "api00 ~ api99 + stype", family="gaussian"))


def test_streamed_fit_needs_no_rows_in_memory_for_its_result(tmp_path: Path) -> None:
    lsf = LazySurveyFrame(_scan(_data("apiclus1"), tmp_path), CLUS1)
    fit = svyglm(lsf, "y ~ meals")
    assert fit.method == "linearisation"
    with pytest.raises(ModelError, match="no model frame"):
        fit.predict({"meals": [10]})


def _refused(df: pl.DataFrame, design: Any, tmp_path: Path, formula: str, match: str,
             **kw: Any) -> None:
    lsf = LazySurveyFrame(_scan(df, tmp_path), design)
    with pytest.raises(NotStreamable, match=match):
        svyglm(lsf, formula, **kw)


def test_replicate_design_is_refused(tmp_path: Path) -> None:
    lsf = LazySurveyFrame(_scan(_data("apiclus1"), tmp_path), CLUS1).as_replicate(type="JK1")
    with pytest.raises(NotStreamable, match="replicate"):
        svyglm(lsf, "y ~ meals")


@pytest.mark.parametrize(("formula", "kw", "match"), [
    ("y ~ meals * enroll", {}, "interaction"),
    ("y ~ log(enroll)", {}, "function of columns"),
    ("y ~ C(dnum)", {}, "C\\(\\) of a numeric"),
    ("enroll ~ meals + offset(log(api00))", {"family": "poisson"}, "poisson"),
    ("y ~ meals + offset(log(api00))", {}, "offset"),
    ("api00 ~ meals", {"family": "gaussian", "link": "log"}, "log link"),
    ("y ~ meals", {"where": pl.col("stype") == "E"}, "domain"),
    ("~ meals", {"outcome": pl.col("y") == 1}, "outcome"),
    ("sch.wide ~ meals", {}, "outcome that is not one numeric column"),
])
def test_what_needs_the_rows_is_refused(tmp_path: Path, formula: str, kw: dict[str, Any],
                                        match: str) -> None:
    _refused(_data("apistrat"), STRAT, tmp_path, formula, match, **kw)


def test_later_stage_fpc_is_refused(tmp_path: Path) -> None:
    design = Design(ids=("dnum", "snum"), fpc=("fpc1", "fpc2"))
    _refused(_data("apiclus2"), design, tmp_path, "y ~ meals", "later stages")


def test_proportion_outcome_is_refused_and_out_of_range_outcome_is_an_error(
        tmp_path: Path) -> None:
    df = _data("apistrat").with_columns(share=pl.col("meals") / 100.0)
    _refused(df, STRAT, tmp_path, "share ~ enroll", "between 0 and 1")
    lsf = LazySurveyFrame(_scan(df, tmp_path), STRAT)
    with pytest.raises(ModelError, match=r"lie in \[0, 1\]"):
        svyglm(lsf, "meals ~ enroll")


def test_rank_deficient_design_is_an_error_as_in_memory(tmp_path: Path) -> None:
    df = _data("apistrat").with_columns(meals2=pl.col("meals") * 2)
    lsf = LazySurveyFrame(_scan(df, tmp_path), STRAT)
    with pytest.raises(ModelError, match="rank deficient"):
        svyglm(lsf, "y ~ meals + meals2")
    with pytest.raises(ModelError, match="rank deficient"):
        svyglm(SurveyFrame(df, STRAT), "y ~ meals + meals2")


def test_levels_and_weights_come_from_the_fitted_rows_as_in_memory(tmp_path: Path) -> None:
    """A level seen only on rows dropped for a missing value is no column; rows of zero
    weight take no part (and not in R's mean weight)."""
    df = _data("apiclus1").with_row_index("i").with_columns(
        meals=pl.when(pl.col("stype") == "H").then(None).otherwise(pl.col("meals")),
        pw=pl.when(pl.col("i") % 9 == 2).then(0.0).otherwise(pl.col("pw"))).drop("i")
    mem, lazy = _both(df, CLUS1, tmp_path, "y ~ meals + stype")
    _assert_same(mem, lazy)
    assert lazy.names == ("Intercept", "stype[T.M]", "meals")


def test_quasi_separation_is_refused_and_complete_separation_fails_as_in_memory(
        tmp_path: Path) -> None:
    """Every high school answering 1: memory names the separation on the rows, the
    streamed fit refuses; a predictor separating every row fails alike in both."""
    df = _data("apistrat").with_columns(y=((pl.col("sch.wide") == "Yes")
                                           | (pl.col("stype") == "H")).cast(pl.Int64))
    with pytest.raises(ModelError, match="separation"):
        svyglm(SurveyFrame(df, STRAT), "y ~ meals + stype")
    _refused(df, STRAT, tmp_path, "y ~ meals + stype", "separation")
    df = _data("apistrat").with_columns(y=(pl.col("meals") > 50).cast(pl.Int64))
    for sf in (SurveyFrame(df, STRAT), LazySurveyFrame(_scan(df, tmp_path), STRAT)):
        with pytest.raises(ModelError, match="no valid set of coefficients"):
            svyglm(sf, "y ~ meals")
