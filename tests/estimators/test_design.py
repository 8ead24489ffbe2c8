"""Binding a design: checks, errors that name the problem, domains, public surface."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

import survey.design as design_mod
import survey.estimators as est_mod
from survey.design import Design, ReplicateDesign, SurveyFrame, as_replicate, hadamard, svydesign
from survey.errors import DesignError, EstimationError
from survey.estimators import (
    chisq,
    mean,
    multiple_choice,
    proportion,
    total,
)
from tests.estimators._rfixtures import dataset


@pytest.mark.parametrize("module", [design_mod, est_mod])
def test_public_names_sorted_and_complete(module: object) -> None:
    names = module.__all__  # type: ignore[attr-defined]
    assert list(names) == sorted(names)
    assert all(hasattr(module, n) for n in names)


def test_lonely_psu_fails_by_default_naming_the_stratum() -> None:
    with pytest.raises(DesignError, match=r"1 strata have only one PSU: L") as err:
        svydesign(dataset("apistrat"), strata="lone", weights="pw")
    assert "lonely_psu" in (err.value.hint or "")


def test_design_errors_list_every_problem() -> None:
    df = pl.DataFrame({"y": [1.0, 2.0], "w": [1.0, None], "h": ["a", None]})
    with pytest.raises(DesignError) as err:
        svydesign(df, weights="w", strata="h")
    assert len(err.value.problems) == 2
    with pytest.raises(DesignError, match="not in the frame"):
        svydesign(df, weights="nope")
    with pytest.raises(DesignError, match="lonely_psu"):
        Design(lonely_psu="drop")  # type: ignore[arg-type]


def test_fpc_fraction_and_population_agree() -> None:
    a = mean(svydesign(dataset("apisrs"), fpc="fpc"), "api00")
    b = mean(svydesign(dataset("apisrs"), fpc="frac"), "api00")
    assert np.allclose(a.std_error, b.std_error, rtol=1e-12)


def test_fpc_mixing_sizes_and_fractions_is_refused() -> None:
    df = pl.DataFrame({"y": [1.0, 2.0, 3.0], "h": ["a", "a", "b"], "f": [0.5, 0.5, 10.0]})
    with pytest.raises(DesignError, match="mixes"):
        svydesign(df, strata="h", fpc="f")


def test_domain_three_ways_keep_the_full_design() -> None:
    sf = svydesign(dataset("apiclus1"), ids="dnum", weights="pw", fpc="fpc")
    by = mean(sf, "api00", by="stype")
    where = mean(sf, "api00", where=pl.col("stype") == "H")
    sub = mean(sf.subset(pl.col("stype") == "H"), "api00")
    i = by.find(stype="H")
    for r in (where, sub):
        assert np.isclose(r.std_error[0], by.std_error[i], rtol=1e-12)
    # dropping rows instead would lose the empty PSUs and change the SE
    dropped = mean(svydesign(dataset("apiclus1").filter(pl.col("stype") == "H"), ids="dnum",
                             weights="pw", fpc="fpc"), "api00")
    assert not np.isclose(dropped.std_error[0], by.std_error[i], rtol=1e-3)


def test_results_vocabulary_and_dict() -> None:
    sf = svydesign(dataset("apistrat"), strata="stype", weights="pw", fpc="fpc")
    r = mean(sf, "sch.wide", by="stype", deff=True)
    assert r.to_frame().columns == ["stype", "variable", "category", "estimate", "std_error",
                                    "conf_low", "conf_high", "cv", "n", "df", "deff", "deft"]
    d = r.to_dict()
    assert d["level"] == 0.95 and d["estimates"][0]["by"] == {"stype": "E"}
    assert r.vcov.shape == (6, 6)


def test_srs_methods_refuse_complex_designs() -> None:
    sf = svydesign(dataset("apistrat"), strata="stype", weights="pw")
    with pytest.raises(EstimationError, match="simple random sample"):
        proportion(sf, "sch.wide", method="wilson")
    with pytest.raises(EstimationError, match="needs categories"):
        proportion(sf, "api00")


def test_replicate_design_from_columns_needs_known_columns() -> None:
    df = dataset("apiclus1_jk")
    with pytest.raises(DesignError, match="not in the frame"):
        SurveyFrame(df, ReplicateDesign(weights="pw", repweights=("jw01", "zz"), type="JK1"))
    with pytest.raises(DesignError, match="rho"):
        ReplicateDesign(repweights=("jw01",), type="Fay")


def test_hadamard_is_sylvester_with_orthogonal_columns() -> None:
    for n in (3, 5, 13, 20):
        h = 2 * hadamard(n) - 1
        assert h.shape[0] > n and (h.T @ h == h.shape[0] * np.eye(h.shape[0])).all()


@pytest.mark.parametrize("kind", ["subbootstrap", "mrbbootstrap"])
def test_bootstrap_replicates_are_reproducible_and_near_taylor(kind: str) -> None:
    sf = svydesign(dataset("apistrat"), strata="stype", weights="pw")
    a = mean(as_replicate(sf, type=kind, replicates=200, seed=1), "api00")
    b = mean(as_replicate(sf, type=kind, replicates=200, seed=1), "api00")
    t = mean(sf, "api00")
    assert np.array_equal(a.std_error, b.std_error)
    assert abs(a.std_error[0] / t.std_error[0] - 1) < 0.25


def test_multiple_choice_sorting_and_mentions_sum_to_one() -> None:
    sf = svydesign(dataset("apistrat"), strata="stype", weights="pw")
    r = multiple_choice(sf, "q", sort="descending")
    assert list(r.estimate) == sorted(r.estimate, reverse=True)
    m = multiple_choice(sf, "q", share="mentions")
    assert np.isclose(m.estimate.sum(), 1.0)
    assert set(m.to_frame()["category"]) == {"awards", "sch", "comp", "both"}


def test_chisq_refuses_numeric_columns_and_totals_of_categories() -> None:
    sf = svydesign(dataset("apistrat"), strata="stype", weights="pw")
    with pytest.raises(EstimationError):
        chisq(sf, "api00", "stype")
    t = total(sf, "stype")
    assert np.isclose(t.estimate.sum(), dataset("apistrat")["pw"].sum())
