"""`survey stats --engine`: Parquet files, directories and globs streamed, equal to the rows
read into memory; what cannot stream says so."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from tests.clirun import stats, stats_json

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "r"


@pytest.fixture()
def parts(tmp_path: Path) -> tuple[Path, Path]:
    """apistrat as one Parquet file and as a hive-partitioned directory (by school type)."""
    frame = pl.read_csv(FIX / "apistrat.csv")
    one = tmp_path / "apistrat.parquet"
    frame.write_parquet(one)
    for (stype,), part in frame.group_by("stype"):
        d = tmp_path / "hive" / f"stype={stype}"
        d.mkdir(parents=True)
        part.drop("stype").write_parquet(d / "part-0.parquet")
    return one, tmp_path / "hive"


def _same(a: dict, b: dict, tol: float = 1e-12) -> None:
    ra = sorted(a["estimates"], key=lambda r: (str(r["by"]), str(r["category"])))
    rb = sorted(b["estimates"], key=lambda r: (str(r["by"]), str(r["category"])))
    assert len(ra) == len(rb)
    for x, y in zip(ra, rb, strict=True):
        assert (x["by"], x["category"], x["n"]) == (y["by"], y["category"], y["n"])
        for f in ("estimate", "std_error", "conf_low", "conf_high", "df"):  # Rubin's df: float
            assert np.isclose(x[f], y[f], rtol=tol, atol=0), f


DESIGN = ["--strata", "stype", "--weight", "pw", "--fpc", "fpc"]


@pytest.mark.parametrize("command, var", [("mean", ["--var", "api00"]),
                                          ("proportion", ["--var", "sch.wide"]),
                                          ("total", ["--var", "enroll"]),
                                          ("ratio", ["--var", "api00", "--var2", "api99"])])
def test_streamed_directory_equals_the_file_in_memory(parts: tuple[Path, Path], command: str,
                                                      var: list[str]) -> None:
    one, hive = parts
    args = [*var, *DESIGN, "--by", "stype", "--where", "api00 > 600"]
    memory = stats_json(command, str(one), *args, "--engine", "memory")
    _same(memory, stats_json(command, str(hive), *args))  # a directory streams under auto
    _same(memory, stats_json(command, str(one), *args, "--engine", "stream"))


def test_a_glob_of_files_streams(parts: tuple[Path, Path]) -> None:
    one, hive = parts
    memory = stats_json("total", str(one), "--var", "enroll", *DESIGN, "--engine", "memory")
    _same(memory, stats_json("total", str(hive / "*" / "*.parquet"), "--var", "enroll",
                             "--weight", "pw", "--fpc", "fpc", "--strata", "stype"))


def test_what_needs_the_rows_in_memory_is_refused_by_stream(parts: tuple[Path, Path]) -> None:
    one, hive = parts
    args = ["--var", "api00", *DESIGN, "--compare", "E,H", "--by", "stype", "--panel-id",
            "snum"]
    r = stats("mean", str(one), *args, "--engine", "stream")
    assert r.exit_code == 2 and "panel members needs the rows in memory" in r.output
    # under auto a file's rows are read for it; a directory is only streamed
    assert stats_json("mean", str(one), *args)["differences"]
    r = stats("mean", str(hive), *args)
    assert r.exit_code == 2 and "a directory or glob is only streamed" in r.output


def test_differences_of_independent_domains_stream(parts: tuple[Path, Path]) -> None:
    one, hive = parts
    args = ["--var", "api00", *DESIGN, "--compare", "E,H", "--by", "stype"]
    memory = stats_json("mean", str(one), *args, "--engine", "memory")["differences"]
    streamed = stats_json("mean", str(hive), *args)["differences"]
    assert len(memory) == len(streamed) == 1
    for f in ("estimate", "std_error", "conf_low", "conf_high"):
        assert np.isclose(memory[0][f], streamed[0][f], rtol=1e-12, atol=0)


@pytest.mark.parametrize("command, var", [("mean", ["api00"]), ("total", ["enroll"]),
                                          ("proportion", ["sch.wide"]),
                                          ("ratio", ["api00", "--var2", "api99"])])
def test_design_effects_stream(parts: tuple[Path, Path], command: str, var: list[str]) -> None:
    one, hive = parts
    args = ["--var", *var, *DESIGN, "--by", "stype", "--deff"]
    memory = stats_json(command, str(one), *args, "--engine", "memory")
    streamed = stats_json(command, str(hive), *args)
    _same(memory, streamed)
    for x, y in zip(sorted(memory["estimates"], key=str), sorted(streamed["estimates"], key=str),
                    strict=True):
        assert np.isclose(x["deff"], y["deff"], rtol=1e-10, atol=0)


def test_streaming_is_quiet_when_not_a_terminal(parts: tuple[Path, Path]) -> None:
    _, hive = parts
    r = stats("mean", str(hive), "--var", "api00", *DESIGN)
    assert r.exit_code == 0 and "rows read" not in r.stderr and "api00" in r.stdout


def test_progress_meter_draws_the_rows_read_and_clears(capsys: pytest.CaptureFixture[str]) -> None:
    from survey.cli._scale import _Meter
    from survey.design import Progress

    meter = _Meter()
    meter(Progress(500_000, 1_000_000, "estimate"))
    meter(Progress(1_000_000, 1_000_000, "estimate"))
    meter.close()
    err = capsys.readouterr().err
    assert "estimate: 1,000,000 of 1,000,000 rows read (100%)" in err and err.endswith("\r")


def test_multiple_choice_rates_stream_as_in_memory(tmp_path: Path) -> None:
    rng = np.random.default_rng(9)
    n = 300
    frame = pl.DataFrame({"psu": rng.integers(0, 30, n), "w": rng.uniform(1, 4, n),
                          "g": rng.integers(0, 2, n),
                          "q__a": rng.random(n) < 0.3, "q__b": rng.random(n) < 0.6})
    path = tmp_path / "mc.parquet"
    frame.write_parquet(path)
    args = ["--var", "q", "--psu", "psu", "--weight", "w", "--by", "g"]
    _same(stats_json("proportion", str(path), *args, "--engine", "memory"),
          stats_json("proportion", str(path), *args, "--engine", "stream"))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Both sample waves in a wave store (different codebook versions: harmonised)."""
    from tests.clirun import run

    root = Path(__file__).resolve().parents[2]
    out = tmp_path_factory.mktemp("store") / "store"
    for wave, file, schema in (("2025", "academy_2025.xlsx", "academy_member_survey.yaml"),
                               ("2023", "academy_2023.csv", "academy_member_survey_2023.yaml")):
        r = run("ingest", str(root / "sample_data" / file), "--schema",
                str(root / "schemas" / schema), "--store", str(out), "--wave", wave)
        assert r.exit_code == 0, r.output
    return str(out)


def test_a_wave_store_streams_harmonised_as_in_memory(store: str) -> None:
    args = ["--store", store, "--var", "offer_received", "--by", "wave", "--where",
            "offer_received IS NOT NULL"]
    _same(stats_json("proportion", *args, "--engine", "memory"),
          stats_json("proportion", *args, "--engine", "stream"))


def test_replicates_made_from_psus_stream_as_in_memory(tmp_path: Path) -> None:
    path = tmp_path / "apiclus1.parquet"
    pl.read_csv(FIX / "apiclus1.csv").write_parquet(path)
    args = ["--var", "api00", "--by", "stype", "--psu", "dnum", "--weight", "pw",
            "--replicate", "jk1"]
    _same(stats_json("mean", str(path), *args, "--engine", "memory"),
          stats_json("mean", str(path), *args, "--engine", "stream"))


def _imputed(tmp_path: Path) -> list[Path]:
    """apistrat three times, api00 imputed differently in each (noise of a fixed seed)."""
    frame = pl.read_csv(FIX / "apistrat.csv")
    rng = np.random.default_rng(2)
    out = []
    for m in range(3):
        p = tmp_path / f"imp{m}.parquet"
        frame.with_columns((pl.col("api00") + rng.normal(0, 20, frame.height)).alias("api00"),
                           *[(pl.col("api00") + rng.normal(0, 15, frame.height)
                              .round(0)).alias(f"pv{k}") for k in range(1, 4)]).write_parquet(p)
        out.append(p)
    return out


def test_imputations_stream_each_data_set_and_combine_as_in_memory(tmp_path: Path) -> None:
    _imputed(tmp_path)
    args = ["mean", "--imputations", str(tmp_path / "imp*.parquet"), "--var", "api00", "--by",
            "stype", *DESIGN]
    memory = stats_json(*args, "--engine", "memory")
    assert memory["estimates"][0]["std_error"] > 0
    _same(memory, stats_json(*args, "--engine", "stream"))


def test_plausible_values_stream_and_combine_as_in_memory(tmp_path: Path) -> None:
    one = _imputed(tmp_path)[0]
    args = ["total", str(one), "--pv", "score=pv1,pv2,pv3", "--var", "score", "--by",
            "sch.wide", "--where", "enroll > 300", *DESIGN]
    _same(stats_json(*args, "--engine", "memory"), stats_json(*args, "--engine", "stream"))


def test_a_two_stage_design_with_a_population_file_streams(tmp_path: Path) -> None:
    frame = pl.read_csv(FIX / "apiclus2.csv")
    one = tmp_path / "clus2.parquet"
    frame.write_parquet(one)
    args = ["mean", str(one), "--var", "api00", "--by", "stype", "--psu", "dnum,snum",
            "--fpc", "fpc1,fpc2"]
    _same(stats_json(*args, "--engine", "memory"), stats_json(*args, "--engine", "stream"))


def test_auto_says_in_one_line_when_a_large_file_is_read_instead(
        parts: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    import survey.cli._scale as scale

    one, _ = parts
    monkeypatch.setattr(scale, "STREAM_ROWS", 100)  # apistrat's 200 rows count as large
    args = ["mean", str(one), "--var", "api00", "--strata", "stype", "--weight", "pw",
            "--replicate", "jkn"]  # replicates made from every row: one per row
    r = stats(*args)
    notes = [line for line in r.stderr.splitlines() if line.startswith("note: reading")]
    assert r.exit_code == 0 and notes == [
        f"note: reading 200 rows of {one} into memory: replicates made from a design "
        "without clusters need the rows in memory"]
    monkeypatch.setattr(scale, "_available_bytes", lambda: 1000)
    r = stats(*args)
    assert r.exit_code == 2 and "exceed the 0.0 GB available; hint:" in r.output


PPS_CASES = {c["id"]: c for c in json.loads((FIX / "pps.json").read_text())["cases"]}


@pytest.mark.parametrize(("cid", "data", "argv"), [
    ("brewer_total", "election_pps", ["total", "--fpc", "p", "--pps", "brewer", "--var",
                                      "Bush"]),
    ("overton_yg_total", "election_pps", ["total", "--fpc", "p", "--pps", "overton",
                                          "--pps-variance", "YG", "--var", "Bush"]),
    ("overton_strat_mean", "election_pps", ["mean", "--fpc", "p", "--strata", "half", "--pps",
                                            "overton", "--var", "Bush"]),
    ("stage3_mean", "apiclus3", ["mean", "--psu", "dnum,stype,snum", "--fpc",
                                 "fpc1,fpc2,fpc3", "--lonely-psu", "adjust", "--var", "api00"]),
    ("clus1_dom_total", "apiclus1", ["total", "--psu", "dnum", "--weight", "pw", "--fpc", "fpc",
                                     "--lonely-psu", "adjust", "--adjust-domain-lonely",
                                     "--var", "enroll", "--where", "dnum = 637"]),
])
def test_streamed_pps_and_multistage_designs_reproduce_r(tmp_path: Path, cid: str, data: str,
                                                          argv: list[str]) -> None:
    path = tmp_path / f"{data}.parquet"
    pl.read_csv(FIX / f"{data}.csv", null_values=[""]).write_parquet(path)
    got = stats_json(argv[0], str(path), *argv[1:], "--engine", "stream")["estimates"][0]
    want = PPS_CASES[cid]["rows"][0]
    assert np.isclose(got["estimate"], want["estimate"], rtol=1e-6, atol=0)
    assert np.isclose(got["std_error"], want["std_error"], rtol=1e-6, atol=0)
