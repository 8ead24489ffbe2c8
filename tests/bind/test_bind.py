"""survey.bind: opening sources, the design specification and its binding, the SQL
translator; each against the lower layers it calls."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from survey.bind import (
    DesignSpec,
    Weighting,
    bind,
    join_population,
    open_source,
    parse_where,
    quote_names,
    read_population,
)
from survey.design import ReplicateDesign, svydesign
from survey.errors import DesignError, SpecError
from survey.estimators import mean

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "r"
STRAT = FIX / "apistrat.csv"


@pytest.fixture()
def parquet(tmp_path: Path) -> Path:
    path = tmp_path / "apistrat.parquet"
    pl.read_csv(STRAT).write_parquet(path)
    return path


def test_a_parquet_source_reads_only_the_columns_asked_for(parquet: Path) -> None:
    source = open_source(parquet)
    assert "api00" in source.header and source.codebook is None
    frame = source.read(["api00", "s*"])
    assert frame.columns == ["api00", "stype", "snum", "sch.wide"]


def test_reading_adds_the_design_columns_and_names_a_missing_one_by_its_field(parquet: Path) -> None:
    source = open_source(parquet)
    frame = source.read(["api00"], spec=DesignSpec(strata="stype", weights="pw", fpc="fpc"))
    assert set(frame.columns) == {"api00", "stype", "pw", "fpc"}
    with pytest.raises(SpecError) as info:
        source.read(["api00"], spec=DesignSpec(weights="pww"))
    assert info.value.field == "weights" and "did you mean 'pw'" in info.value.message


def test_load_design_binds_as_svydesign(parquet: Path) -> None:
    spec = DesignSpec(strata="stype", weights="pw", fpc="fpc")
    ours = mean(open_source(parquet).design(spec, columns=["api00"]), "api00")
    direct = mean(svydesign(pl.read_csv(STRAT), strata="stype", weights="pw", fpc="fpc"), "api00")
    assert ours.std_error[0] == pytest.approx(direct.std_error[0], rel=1e-12)


def test_equal_specs_compare_equal_however_spelt() -> None:
    assert DesignSpec(ids="dnum", fpc=["fpc"], fpc_file="p.csv", strata="s") == DesignSpec(
        ids=("dnum",), fpc=("fpc",), fpc_file=Path("p.csv"), strata="s", fpc_by="s")
    assert Weighting("rake", "m.csv", ["a"]) == Weighting("rake", Path("m.csv"), ("a",))


def test_replicate_weights_without_a_type_or_scale_are_refused_in_python_words() -> None:
    with pytest.raises(SpecError) as info:
        DesignSpec(weights="pw", replicate_weights="sdr_*")
    err = info.value
    assert err.field == "replicate_weights" and err.exit_code == 2
    assert 'ACS PUMS and other successive-difference files: `replicate="ACS"`' in err.message
    assert '`replicate="Fay"` (with `fay_rho`)' in err.message
    assert DesignSpec(replicate_weights="sdr_*", replicate="acs").replicate_type == "ACS"
    assert DesignSpec(replicate_weights="sdr_*", scale=0.05).replicate is None  # 'other', scaled
    with pytest.raises(DesignError, match=r"type='ACS' \(scale 4/R; mse=True"):
        ReplicateDesign(weights="pw", repweights=("a", "b"))
    assert ReplicateDesign(repweights=("a", "b"), scale=0.5).type == "other"


def test_describe_counts_the_replicate_columns_and_notes_missing_weights() -> None:
    cols = pl.read_csv(FIX / "apistrat_jk2_sdr.csv", n_rows=1).columns
    d = DesignSpec(weights="pw", replicate="ACS", replicate_weights="sdr_*").describe(columns=cols)
    assert d["replicate_columns"] == 80 and "notes" not in d
    assert DesignSpec(strata="stype").describe()["notes"] == [
        "no `weights`: every respondent weighs 1 (as R warns: equal probability assumed)"]


def test_a_bad_replicate_type_is_refused_at_once() -> None:
    with pytest.raises(SpecError) as info:
        DesignSpec(replicate="jackknife")
    assert info.value.field == "replicate"


def test_spec_errors_are_respelt_for_the_caller() -> None:
    with pytest.raises(SpecError) as info:
        bind(pl.DataFrame({"y": [1.0]}), DesignSpec(fpc_file="p.csv"))
    exc = info.value
    assert exc.message == "`fpc_file` needs `strata` (the sizes are per stratum)"
    flags = exc.named({"fpc_file": "--fpc-file", "strata": "--strata"})
    assert (flags.location, flags.message) == ("--fpc-file", "--fpc-file needs --strata (the "
                                                             "sizes are per stratum)")


def test_population_files_of_both_shapes_give_the_same_sizes(tmp_path: Path) -> None:
    long = tmp_path / "long.csv"
    long.write_text("variable,category,population\nstype,E,4421\nstype,H,755\nstype,M,1018\n"
                    "other,x,1\n")
    wide = tmp_path / "wide.csv"
    wide.write_text("stype,population\nE,4421\nH,755\nM,1018\n")
    assert read_population(long, "stype") == read_population(wide, "stype") == {
        "E": 4421.0, "H": 755.0, "M": 1018.0}


def test_a_stratum_without_a_population_size_is_named(tmp_path: Path) -> None:
    pop = tmp_path / "pop.csv"
    pop.write_text("stype,population\nE,4421\nH,755\n")
    with pytest.raises(SpecError, match="no population size for stype = 'M'"):
        join_population(pl.read_csv(STRAT), DesignSpec(strata="stype", fpc_file=pop))


def test_a_population_file_gives_the_fpc_columns_estimates(tmp_path: Path) -> None:
    pop = tmp_path / "pop.csv"
    pop.write_text("stype,population\nE,4421\nH,755\nM,1018\n")
    df = pl.read_csv(STRAT)
    via_file = mean(bind(df, DesignSpec(strata="stype", weights="pw", fpc_file=pop)), "api00")
    via_col = mean(bind(df, DesignSpec(strata="stype", weights="pw", fpc="fpc")), "api00")
    assert via_file.std_error[0] == pytest.approx(via_col.std_error[0], rel=1e-12)


def test_weighting_steps_run_after_binding_as_the_weighting_layer(tmp_path: Path) -> None:
    from survey.weighting import poststratify, read_margins

    margins = tmp_path / "m.csv"
    margins.write_text("variable,category,population\nstype,E,4421\nstype,H,755\nstype,M,1018\n")
    df = pl.read_csv(STRAT)
    spec = DesignSpec(weights="pw", weighting=(Weighting("poststratify", margins),))
    ours = mean(bind(df, spec), "api00")
    direct = mean(poststratify(svydesign(df, weights="pw"), read_margins(margins)), "api00")
    assert ours.std_error[0] == pytest.approx(direct.std_error[0], rel=1e-12)


def test_separate_samples_are_crossed_with_the_strata() -> None:
    df = pl.read_csv(STRAT).with_columns(
        pl.when(pl.col("snum") % 2 == 0).then(pl.lit("a")).otherwise(pl.lit("b")).alias("wave"))
    sf = bind(df, DesignSpec(strata="stype", weights="pw"), samples_by="wave")
    assert sf.frame[sf.design.strata].n_unique() == 6
    one = bind(df.filter(pl.col("wave") == "a"), DesignSpec(strata="stype"), samples_by="wave")
    assert one.design.strata == "stype"


def test_where_quotes_dotted_names_not_literals_and_checks_columns() -> None:
    cols = ["sch.wide", "api00"]
    assert quote_names("sch.wide = 'sch.wide'", cols) == "\"sch.wide\" = 'sch.wide'"
    frame = pl.read_csv(STRAT)
    expr = parse_where("sch.wide = 'Yes' AND api00 > 600", frame)
    assert frame.filter(expr).height == frame.filter(
        (pl.col("sch.wide") == "Yes") & (pl.col("api00") > 600)).height
    with pytest.raises(SpecError, match="no column 'api0' in the data; did you mean 'api00'"):
        parse_where("api0 > 1", cols)


def test_where_against_a_schema_must_be_a_condition() -> None:
    with pytest.raises(SpecError, match="is not a condition"):
        parse_where("api00 * 2", {"api00": pl.Float64()})


def test_a_weighted_file_written_in_python_is_replayed_by_load_design(tmp_path: Path) -> None:
    """survey.weighting.write_weighted stores the design; survey.bind replays it, as a
    file from `survey weight` is replayed by `survey stats`."""
    from survey.bind import load_design
    from survey.weighting import poststratify, write_weighted

    df = pl.read_csv(STRAT)
    weighted = poststratify(svydesign(df, strata="stype", weights="pw"),
                            {"stype": {"E": 4421, "H": 755, "M": 1018}})
    path = write_weighted(weighted, tmp_path / "w.parquet")
    again = load_design(path, columns=["api00"])
    assert mean(again, "api00").std_error[0] == pytest.approx(
        mean(weighted, "api00").std_error[0], rel=1e-12)
    with pytest.raises(SpecError, match="weighted design `survey weight` stored"):
        load_design(path, DesignSpec(strata="stype"))
