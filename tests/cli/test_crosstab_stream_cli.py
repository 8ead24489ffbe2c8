"""`survey crosstab --engine`: Parquet files, directories and stores streamed give the
tables of the rows read into memory; what needs the rows says so in one line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from tests.clirun import run

ROOT = Path(__file__).resolve().parents[2]
XLSX = str(ROOT / "sample_data" / "academy_2025.xlsx")
SCHEMA = str(ROOT / "schemas" / "academy_member_survey.yaml")
TABLE = ["--rows", "offer_received,offer_countries,intent,salary_multiple",
         "--banner", "division,age_band", "--schema", SCHEMA]
CLUSTER = ["--strata", "division", "--psu", "psu", "--fpc", "fpc", "--weight", "w"]
REPLICATES = ["--weight", "w", "--replicate-weights", "rep*", "--replicate", "bootstrap"]


@pytest.fixture(scope="module")
def wave(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 2025 wave, typed, with clusters of 4 respondents, an fpc, weights and 12
    bootstrap-like replicate weights."""
    from survey.frames import read_typed_parquet

    root = tmp_path_factory.mktemp("wave")
    typed = root / "typed.parquet"
    r = run("ingest", XLSX, "--schema", SCHEMA, "--out", str(typed))
    assert r.exit_code == 0, r.output
    frame = read_typed_parquet(str(typed))[0]
    rng = np.random.default_rng(4)
    n = frame.height
    frame = frame.with_columns(
        psu=pl.Series(np.arange(n) // 4), fpc=pl.lit(5000),
        w=pl.Series(rng.uniform(1, 3, n)),
        **{f"rep{i}": pl.Series(rng.uniform(0.5, 4, n)) for i in range(1, 13)})
    out = root / "wave.parquet"
    frame.write_parquet(out, row_group_size=50)
    return out


def _tables(tmp_path: Path, name: str, *args: str) -> pl.DataFrame:
    out = tmp_path / f"{name}.csv"
    r = run("crosstab", *args, *TABLE, "--out", str(out))
    assert r.exit_code == 0, r.output
    assert "rows read" not in r.output  # progress is drawn on a terminal only
    return pl.read_csv(out)


def _number(x: object) -> float | None:
    try:
        return float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _same(a: pl.DataFrame, b: pl.DataFrame) -> None:
    """Equal tables: numbers (also in text columns mixing them with labels) to 1e-9."""
    assert a.columns == b.columns and a.height == b.height
    for c in a.columns:
        for x, y in zip(a[c].to_list(), b[c].to_list(), strict=True):
            fx, fy = _number(x), _number(y)
            if fx is not None and fy is not None:
                assert np.isclose(fx, fy, rtol=1e-9, atol=0, equal_nan=True), (c, x, y)
            else:
                assert x == y, (c, x, y)


@pytest.mark.parametrize("design", [CLUSTER, REPLICATES, ["--weight", "w"]],
                         ids=["cluster-fpc", "supplied-replicates", "weight-only"])
def test_a_streamed_parquet_file_gives_the_tables_in_memory(wave: Path, tmp_path: Path,
                                                            design: list[str]) -> None:
    args = [str(wave), *design, "--where", "gender = 'Female' OR salary_multiple > 1.2"]
    memory = _tables(tmp_path, "memory", *args, "--engine", "memory")
    assert (memory["sig"].fill_null("") != "").any()  # letters drawn: tests compared too
    _same(memory, _tables(tmp_path, "stream", *args, "--engine", "stream"))


def test_a_hive_directory_streams_by_itself(wave: Path, tmp_path: Path) -> None:
    frame = pl.read_parquet(wave)
    for (division,), part in frame.group_by("division"):
        d = tmp_path / "hive" / f"division={division}"
        d.mkdir(parents=True)
        part.drop("division").write_parquet(d / "part-0.parquet")
    args = ["--weight", "w"]  # the partitions' text values take the codebook's order
    _same(_tables(tmp_path, "memory", str(wave), *args, "--engine", "memory"),
          _tables(tmp_path, "hive", str(tmp_path / "hive"), *args))


def test_a_wave_store_streams_as_in_memory(tmp_path: Path) -> None:
    store = tmp_path / "store"
    r = run("ingest", XLSX, "--schema", SCHEMA, "--store", str(store), "--wave", "2025")
    assert r.exit_code == 0, r.output
    args = ["--store", str(store), "--wave", "2025"]
    _same(_tables(tmp_path, "memory", *args, "--engine", "memory"),
          _tables(tmp_path, "stream", *args, "--engine", "stream"))


def test_an_ordinal_test_is_refused_in_one_line_when_streaming(wave: Path,
                                                                tmp_path: Path) -> None:
    r = run("crosstab", str(wave), *TABLE, *CLUSTER, "--ordinal-test", "wilcoxon",
            "--engine", "stream", "--out", str(tmp_path / "x.md"))
    assert r.exit_code == 2
    assert "--engine stream: --ordinal-test ranks the rows" in r.output
    assert "Traceback" not in r.output


def test_rows_read_go_to_the_progress_bar_once_it_is_drawn() -> None:
    from survey.cli._crosstab_stream import RowMeter
    from survey.design import Progress

    meter, seen = RowMeter(), []
    meter(Progress(10, 100, "banner"))  # no bar (not a terminal, or not drawn yet): nothing
    meter.update, meter.done, meter.total = (lambda *a: seen.append(a)), 1, 3
    meter(Progress(2_000_000, 10_000_000, "intent"))
    assert seen == [("intent: 2,000,000 of 10,000,000 rows read", 1, 3)]


def test_design_tests_on_spark_are_refused_before_spark_starts(wave: Path,
                                                               tmp_path: Path) -> None:
    r = run("crosstab", str(wave), *TABLE, *CLUSTER, "--engine", "spark",
            "--out", str(tmp_path / "x.md"))
    assert r.exit_code == 2
    assert "--engine spark: design-based column tests are not there yet on Spark" in r.output
