"""`survey crosstab` with the shared design flags: --store/--wave, --fpc-file, weighting."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from survey.cli import cli
from tests.clirun import run

ROOT = Path(__file__).resolve().parents[2]
POP = str(ROOT / "sample_data" / "population_2025.csv")
XLSX = str(ROOT / "sample_data" / "academy_2025.xlsx")
SCHEMA = str(ROOT / "schemas" / "academy_member_survey.yaml")
TABLE = ["--rows", "offer_received,intent", "--banner", "division,age_band"]
POST = ["--poststratify", POP, "--margin", "division:gender"]


def crosstab_csv(tmp_path: Path, name: str, *args: str) -> pl.DataFrame:
    out = tmp_path / f"{name}.csv"
    r = run("crosstab", *args, *TABLE, "--out", str(out))
    assert r.exit_code == 0, r.output
    return pl.read_csv(out)


def library_csv(tmp_path: Path, source, weight: str | None = None) -> pl.DataFrame:
    """The same tables from survey.tables directly (the CLI's defaults)."""
    from survey.codebook import load_codebook
    from survey.reports import write_csv
    from survey.tables import Disclosure, Significance, crosstabs

    tables = crosstabs(source, ["offer_received", "intent"], banner=["division", "age_band"],
                       codebook=load_codebook(SCHEMA), weight=weight,
                       significance=Significance(levels=(0.95, 0.99), correction="holm",
                                                 min_base=30.0),
                       disclosure=Disclosure(min_cell=10))
    out = tmp_path / "library.csv"
    write_csv(tables, out)
    return pl.read_csv(out)


@pytest.fixture(scope="module")
def wave(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("wave") / "wave2025.parquet"
    r = run("ingest", XLSX, "--schema", SCHEMA, "--out", str(out))
    assert r.exit_code == 0, r.output
    return str(out)


@pytest.fixture(scope="module")
def frame(wave) -> pl.DataFrame:
    from survey.frames import read_typed_parquet

    return read_typed_parquet(wave)[0]


def test_poststratify_flag_equals_the_library(wave, frame, tmp_path):
    from survey.design import svydesign
    from survey.weighting import poststratify, read_margins

    got = crosstab_csv(tmp_path, "cli", wave, *POST)
    sf = poststratify(svydesign(frame), read_margins(POP).select("division:gender"))
    want = library_csv(tmp_path, sf)
    assert got.equals(want)
    total_yes = got.filter((pl.col("row") == "cat:Yes") & (pl.col("column") == "total")
                           & (pl.col("question") == "offer_received"))["value"][0]
    # R: svyciprop after postStratify, tests/fixtures/r/weighting_academy.json
    assert float(total_yes) == pytest.approx(0.608978439860793, rel=1e-6)


def test_survey_weight_file_gives_the_same_tables(wave, tmp_path):
    weighted = tmp_path / "w.parquet"
    r = run("weight", "poststratify", wave, "-m", POP, "--margin", "division:gender",
            "-o", str(weighted))
    assert r.exit_code == 0, r.output
    assert crosstab_csv(tmp_path, "stored", str(weighted)).equals(
        crosstab_csv(tmp_path, "flags", wave, *POST))


def test_fpc_file_binds_the_stratified_design(wave, frame, tmp_path):
    from survey.design import svydesign

    got = crosstab_csv(tmp_path, "cli", wave, "--strata", "division", "--fpc-file", POP)
    sizes = dict(pl.read_csv(POP).filter(pl.col("variable") == "division")
                 .select("category", "population").iter_rows())
    fpc = frame.with_columns(N=pl.col("division").cast(pl.String).replace_strict(
        sizes, return_dtype=pl.Float64))
    want = library_csv(tmp_path, svydesign(fpc, strata="division", fpc="N"))
    assert got.equals(want)


def test_store_and_wave(wave, tmp_path):
    store = tmp_path / "store"
    r = run("ingest", XLSX, "--schema", SCHEMA, "--store", str(store), "--wave", "2025")
    assert r.exit_code == 0, r.output
    via_store = crosstab_csv(tmp_path, "store", "--store", str(store), "--wave", "2025")
    via_file = crosstab_csv(tmp_path, "file", wave)
    assert via_store.equals(via_file)


def test_weight_only_keeps_effective_base_tests(wave, frame, tmp_path):
    weighted = tmp_path / "with_w.parquet"
    meta = {k: v for k, v in pl.read_parquet_metadata(wave).items() if k.startswith("survey.")}
    frame.with_columns(w=pl.Series([1.0, 2.0] * (frame.height // 2))).write_parquet(
        weighted, metadata=meta)
    got = crosstab_csv(tmp_path, "cli", str(weighted), "--weight", "w")
    want = library_csv(tmp_path, pl.read_parquet(weighted), weight="w")
    assert got.equals(want)


@pytest.mark.parametrize("argv, message", [
    (["--rake", POP, "--margin", "nosuch"], "no margin named 'nosuch'"),
    (["--weight", "nosuch"], "nosuch"),
    (["--where", "nosuch = 1"], "no column 'nosuch'"),
])
def test_errors_exit_2(wave, tmp_path, argv, message):
    r = CliRunner().invoke(cli, ["crosstab", wave, *TABLE, "--out", str(tmp_path / "x.md"), *argv])
    assert r.exit_code == 2, r.output
    assert message in r.output and "Traceback" not in r.output
