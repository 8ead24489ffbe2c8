"""Margins, errors, diagnostics, domains and storage of weighted designs."""

from __future__ import annotations

import doctest
import importlib
import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from survey.design import svydesign
from survey.errors import DesignError, EstimationError
from survey.estimators import mean, total
from survey.weighting import (
    Margins,
    calibrate,
    from_metadata,
    poststratify,
    rake,
    read_margins,
    to_metadata,
    trim_weights,
    weight_diagnostics,
)
from tests.estimators._rfixtures import dataset
from tests.weighting._rweights import weighted

ROOT = Path(__file__).resolve().parents[2]
POP = ROOT / "sample_data/population_2025.csv"


@pytest.mark.parametrize("name", ["_adjust", "_calibrate", "_diagnostics", "_margins",
                                  "_metadata"])
def test_docstring_examples(name: str) -> None:
    mod = importlib.import_module(f"survey.weighting.{name}")
    assert doctest.testmod(mod, optionflags=doctest.ELLIPSIS).failed == 0


def _clus1():
    return svydesign(dataset("apiclus1"), ids="dnum", weights="pw", fpc="fpc")


STYPE = {"stype": {"E": 4421, "H": 755, "M": 1018}}
SCHWIDE = {"sch.wide": {"No": 1072, "Yes": 5122}}


# -- margins ----------------------------------------------------------------------------

def test_read_population_file() -> None:
    ms = read_margins(POP)
    assert [m.name for m in ms.margins] == ["division", "division:gender"]
    cross = ms.margins[1]
    assert cross.variables == ("division", "gender")
    assert cross.categories[2] == ("Engineering", "Male") and cross.population[2] == 350
    assert cross.total == ms.margins[0].total == 1100


def test_dict_and_rows_round_trip() -> None:
    ms = Margins.from_dict({("a", "b"): {("x", "u"): 3, ("y", "u"): 4}, "z": 10.5})
    assert ms.margins[0].name == "a:b" and ms.totals == (("z", 10.5),)
    assert Margins.from_rows(ms.to_rows()) == ms
    assert ms.to_frame().height == 3


def test_malformed_file_lists_every_problem(tmp_path: Path) -> None:
    f = tmp_path / "m.csv"
    f.write_text("variable,category,population\na,x,1\na,x,2\nb,y,-3\na:b,x,4\nc,z,lots\n")
    with pytest.raises(DesignError) as e:
        read_margins(f)
    msg = str(e.value)
    assert "m.csv:3" in msg and "given twice" in msg
    assert "negative" in msg and "2 parts" not in msg and "1 parts" in msg
    assert "'lots' is not a number" in msg


def test_missing_columns_in_file(tmp_path: Path) -> None:
    f = tmp_path / "m.csv"
    f.write_text("var,cat,n\na,x,1\n")
    with pytest.raises(DesignError, match="variable,category,population"):
        read_margins(f)


def test_category_mismatches_are_named() -> None:
    sf = _clus1()
    with pytest.raises(DesignError) as e:
        poststratify(sf, {"stype": {"E": 4421, "H": 755, "X": 5}})
    msg = str(e.value)
    assert "'M' (25 rows)" in msg  # in the sample, absent from the margin
    assert "no respondents: 'X'" in msg  # in the margin, absent from the sample


def test_partial_drops_empty_population_cells() -> None:
    ps = poststratify(_clus1(), {"stype": {**STYPE["stype"], "X": 5}}, partial=True)
    assert ps.frame["weight"].sum() == pytest.approx(6194)


def test_nulls_in_a_margin_variable_are_refused() -> None:
    df = pl.DataFrame({"g": ["a", None, "b"]})
    with pytest.raises(DesignError, match="1 missing values"):
        poststratify(svydesign(df), {"g": {"a": 1, "b": 2}})


def test_margins_must_agree_on_the_total() -> None:
    with pytest.raises(DesignError, match="disagree on the population size"):
        rake(_clus1(), {**STYPE, "sch.wide": {"No": 1072, "Yes": 5000}})


def test_poststratify_takes_one_margin_and_no_totals() -> None:
    with pytest.raises(DesignError, match="one margin"):
        poststratify(_clus1(), {**STYPE, **SCHWIDE})
    with pytest.raises(DesignError, match="need calibrate"):
        rake(_clus1(), {**STYPE, "api99": 3914069})


# -- algorithms -------------------------------------------------------------------------

def test_rake_meets_every_margin() -> None:
    d = weight_diagnostics(rake(_clus1(), {**STYPE, **SCHWIDE}))
    assert d.margins.height == 5
    assert float(d.margins["difference"].abs().max()) < 1.0  # R's epsilon
    assert d.method == ("rake",)


def test_rake_non_convergence_names_the_margins() -> None:
    with pytest.raises(EstimationError) as e:
        rake(_clus1(), {**STYPE, **SCHWIDE}, maxit=1, epsilon=1e-9)
    assert "stype" in str(e.value) and "sch.wide" in str(e.value)
    assert "raking did not converge in 1 sweeps" in str(e.value)


def test_calibration_failure_is_an_error_unless_forced() -> None:
    ms = {**STYPE, "api99": 3914069}
    with pytest.raises(EstimationError, match="did not converge"):
        calibrate(_clus1(), ms, bounds=(0.9, 1.1))
    forced = calibrate(_clus1(), ms, bounds=(0.9, 1.1), force=True)
    g = forced.frame["weight"] / forced.frame["pw"]
    assert g.min() >= 0.9 - 1e-12 and g.max() <= 1.1 + 1e-12


def test_calibrate_options_are_checked() -> None:
    with pytest.raises(DesignError, match="finite bounds"):
        calibrate(_clus1(), STYPE, calfun="logit")
    with pytest.raises(DesignError, match="enclose 1"):
        calibrate(_clus1(), STYPE, bounds=(1.2, 2))


def test_raking_calibration_equals_raking() -> None:
    """calfun='raking' to two margins and IPF reach the same weights (to IPF's tolerance)."""
    a = calibrate(_clus1(), {**STYPE, **SCHWIDE}, calfun="raking").frame["weight"].to_numpy()
    b = rake(_clus1(), {**STYPE, **SCHWIDE}, epsilon=1e-10, maxit=200).frame["weight"]
    np.testing.assert_allclose(a, b.to_numpy(), rtol=1e-8)


def test_trim_keeps_the_total_and_the_bounds_when_strict() -> None:
    sf = weighted("rake_clus1")
    t = trim_weights(sf, lower=25, upper=40, strict=True)
    w = t.frame["weight"]
    assert w.sum() == pytest.approx(sf.frame["weight"].sum())
    assert w.min() >= 25 - 1e-9 and w.max() <= 40 + 1e-9
    assert t.calibration is not None and len(t.calibration.history) == 2


def test_weighting_refuses_subsets_and_replicates_of_calibrated_weights() -> None:
    from survey.design import as_replicate
    with pytest.raises(DesignError, match="whole sample"):
        rake(_clus1().subset(pl.col("api99") > 600), STYPE)
    with pytest.raises(DesignError, match="whole sample"):
        rake(as_replicate(_clus1()).subset(pl.col("api99") > 600), STYPE)
    with pytest.raises(DesignError, match="make the replicates first"):
        as_replicate(weighted("rake_clus1"))
    with pytest.raises(DesignError, match="before making replicates"):
        trim_weights(as_replicate(_clus1()), upper=40)


def test_weight_column_clash() -> None:
    with pytest.raises(DesignError, match="already exists"):
        rake(_clus1(), STYPE, weight_column="api00")
    assert "w2" in rake(_clus1(), STYPE, weight_column="w2").frame.columns


# -- variance -----------------------------------------------------------------------------

@pytest.mark.parametrize("key", ["rake_clus1", "cal_logit", "ps_strat_cross", "ps_then_cal"])
def test_domain_se_three_ways(key: str) -> None:
    sf = weighted(key)
    where = pl.col("comp.imp") == "Yes"
    by = mean(sf, "api00", by="comp.imp")
    a = by.std_error[by.find(**{"comp.imp": "Yes"})]
    b = mean(sf, "api00", where=where).std_error[0]
    c = mean(sf.subset(where), "api00").std_error[0]
    assert a == pytest.approx(b, rel=1e-12) and b == pytest.approx(c, rel=1e-12)


def test_calibrated_totals_have_no_variance() -> None:
    """A calibration variable's total is known: its SE is zero, as in R."""
    sf = weighted("cal_linear99")
    r = total(sf, ["stype", "api99"])
    assert np.allclose(r.std_error, 0, atol=1e-6 * np.abs(r.estimate).max())


# -- diagnostics and storage ----------------------------------------------------------------

def test_diagnostics_numbers() -> None:
    sf = weighted("ps_clus1")
    w = sf.frame["weight"].to_numpy()
    d = weight_diagnostics(sf)
    assert d.kish_deff == pytest.approx(len(w) * (w**2).sum() / w.sum() ** 2)
    assert d.n_effective == pytest.approx(len(w) / d.kish_deff)
    assert d.ratio == pytest.approx(w.max() / w.min())
    m = d.to_frame()
    assert m["initial"].to_list() == pytest.approx(
        [33.847 * k for k in m["n"].to_list()], rel=1e-4)
    assert json.dumps(d.to_dict()) and "Kish design effect" in d.summary()


def test_metadata_round_trip_gives_the_same_ses() -> None:
    for key in ("rake_clus1", "cal_logit", "trim_rake", "ps_then_cal"):
        sf = weighted(key)
        meta = json.loads(json.dumps(to_metadata(sf)))
        back = from_metadata(sf.frame, meta)
        assert mean(back, "api00").std_error[0] == pytest.approx(
            mean(sf, "api00").std_error[0], rel=1e-10)


def test_metadata_detects_changed_weights() -> None:
    sf = weighted("rake_clus1")
    meta = to_metadata(sf)
    changed = sf.frame.with_columns(pl.col("weight") * 1.01)
    with pytest.raises(DesignError, match="changed after weighting"):
        from_metadata(changed, meta)


def test_linear_calibration_may_give_negative_weights() -> None:
    """As R: GREG weights are not kept positive (use calfun='raking' or bounds for that)."""
    df = pl.DataFrame({"a": ["x", "x", "y"], "z": [1.0, 2.0, 3.0]})
    c = calibrate(svydesign(df), {"a": {"x": 20, "y": 10}, "z": 75})
    assert c.frame["weight"].to_list() == pytest.approx([-5.0, 25.0, 10.0])
    assert np.isfinite(mean(c, "z").std_error[0])
    assert weight_diagnostics(c).ratio == float("inf")


def test_public_names_sorted_and_importable() -> None:
    import survey.weighting as w
    assert w.__all__ == sorted(w.__all__)
    assert all(hasattr(w, n) for n in w.__all__)


def test_margins_from_the_codebook_equal_the_population_csv():
    from pathlib import Path

    from survey.codebook import load_codebook
    from survey.weighting import Margins, read_margins

    root = Path(__file__).resolve().parents[2]
    cb = load_codebook(root / "schemas/academy_member_survey.yaml")
    from_cb = Margins.from_codebook(cb).to_frame().sort("variable", "category")
    from_csv = read_margins(root / "sample_data/population_2025.csv").to_frame().sort("variable", "category")
    assert from_cb.equals(from_csv)
