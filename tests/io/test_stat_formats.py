"""SAS transport (.xpt), SAS .sas7bdat and Stata .dta written by other software: extended
missing values become missing codes with their labels, variable labels become question
texts, and the unedited draft validates and ingests.

Fixtures: tests/fixtures/stat/ (sources and licences in its README.md).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pyreadstat
import pytest
from click.testing import CliRunner

from survey.cli import cli
from survey.codebook import load_codebook
from survey.frames import read_typed_parquet
from survey.io import read_table

STAT = Path(__file__).parents[1] / "fixtures" / "stat"


def _draft_validate_ingest(path: Path, tmp_path: Path) -> tuple[pl.DataFrame, Path]:
    """``survey schema draft``, ``validate`` and ``ingest`` with the unedited draft."""
    runner = CliRunner()
    schema, out = tmp_path / f"{path.name}.yaml", tmp_path / f"{path.name}.parquet"
    r = runner.invoke(cli, ["schema", "draft", str(path), "--out", str(schema)],
                      catch_exceptions=False)
    assert r.exit_code == 0, r.output
    v = runner.invoke(cli, ["validate", str(path), "--schema", str(schema)],
                      catch_exceptions=False)
    assert v.exit_code == 0, v.output
    i = runner.invoke(cli, ["ingest", str(path), "--schema", str(schema), "--out", str(out)],
                      catch_exceptions=False)
    assert i.exit_code == 0, i.output
    frame, _ = read_typed_parquet(out)
    return frame, schema


def _missing(schema: Path, qid: str) -> dict[str, str]:
    q = next(q for q in load_codebook(schema).questions if q.id == qid)
    return {m.code: m.label for m in q.missing_codes}


def test_stata_extended_missing_values_are_codes_with_their_labels(tmp_path: Path) -> None:
    path = STAT / "haven_tagged-na-double.dta"
    table = read_table(path)
    assert table.file_format == "dta"
    assert table.frame["x"].to_list() == ["1", "2", "3", "4", "5", ".a", ".h", ".z"]
    assert table.user_missing["x"] == (".a", ".h", ".z")
    assert table.value_labels["x"] == {".a": "apple", ".z": ".zebra"}
    frame, schema = _draft_validate_ingest(path, tmp_path)
    assert _missing(schema, "x") == {".a": "apple", ".h": ".h", ".z": ".zebra"}
    assert frame["x"].to_list() == [1, 2, 3, 4, 5, None, None, None]
    assert frame["x__missing"].to_list() == [None] * 5 + ["apple", ".h", ".zebra"]


def test_stata_every_letter_and_a_wholly_missing_variable(tmp_path: Path) -> None:
    path = STAT / "pyreadstat_missing_test.dta"
    table = read_table(path)
    row = table.frame.row(0, named=True)
    assert [row[f"var{k}"] for k in range(1, 7)] == [".a", ".b", ".c", ".x", ".y", ".z"]
    assert row["var7"] is None and row["var9"] == "1"
    frame, schema = _draft_validate_ingest(path, tmp_path)
    assert _missing(schema, "var1") == {".a": "missing"}
    assert frame.row(0, named=True)["var1__missing"] == "missing"
    assert frame.row(0, named=True)["var6__missing"] == ".z"


def test_sas_special_missing_values_with_the_formats_catalog(tmp_path: Path) -> None:
    path = STAT / "pyreadstat_missing_test.sas7bdat"
    table = read_table(path)
    assert table.file_format == "sas7bdat"
    row = table.frame.row(0, named=True)
    assert [row[f"var{k}"] for k in range(1, 8)] == [".A", ".B", ".C", ".X", ".Y", ".Z", "._"]
    assert table.value_labels == {"var1": {".A": "missing"}}  # from NAME.sas7bcat beside it
    assert any("sas7bcat" in n for n in table.notes)
    frame, schema = _draft_validate_ingest(path, tmp_path)
    assert _missing(schema, "var1") == {".A": "missing"}
    assert _missing(schema, "var7") == {"._": "._"}
    assert frame.row(0, named=True)["var1__missing"] == "missing"


def test_sas_transport_labels_become_question_texts(tmp_path: Path) -> None:
    path = STAT / "pyreadstat_dates_xpt_v8.xpt"
    table = read_table(path)
    assert table.file_format == "xpt"
    assert table.variable_labels["missings"] == "a variable with some values missing"
    frame, schema = _draft_validate_ingest(path, tmp_path)
    texts = {q.id: q.text_en for q in load_codebook(schema).questions}
    assert texts["dt"] == "a very long label for testing accuracy of transformations"
    assert texts["seconds"] == "this variable counts the number of seconds since 1960-01-01T00:00:00"
    assert frame.schema["dt"] == pl.Datetime("us") and frame.schema["dates"] == pl.Date
    assert frame.height == 19


def test_sas_transport_version_5(tmp_path: Path) -> None:
    path = STAT / "pyreadstat_sample.xpt"
    frame, _ = _draft_validate_ingest(path, tmp_path)
    assert frame["mychar"].to_list() == ["a", "b", "c", "d", "e"]
    assert frame["mynum"].to_list() == [1.1, 1.2, -1000.3, -1.4, 1000.3]
    assert frame["mydate"].to_list()[:2] == [dt.date(2018, 5, 6), dt.date(1880, 5, 6)]


def test_an_xpt_we_write_with_pyreadstat_reads_with_labels(tmp_path: Path) -> None:
    path = tmp_path / "demo.xpt"
    pyreadstat.write_xport(
        pl.DataFrame({"SEQN": [93703.0, 93704.0, 93705.0], "RIAGENDR": [2.0, 1.0, 2.0],
                      "RIDAGEYR": [2.0, 2.0, 66.0], "WTINT2YR": [9246.49, 37338.77, 8614.57]}
                     ).to_pandas(),
        str(path), file_label="DEMO", table_name="DEMO",
        column_labels={"SEQN": "Respondent sequence number", "RIAGENDR": "Gender",
                       "RIDAGEYR": "Age in years at screening",
                       "WTINT2YR": "Full sample 2 year interview weight"})
    frame, schema = _draft_validate_ingest(path, tmp_path)
    ids = {q.column: q for q in load_codebook(schema).questions}
    assert ids["WTINT2YR"].text_en == "Full sample 2 year interview weight"
    assert ids["RIDAGEYR"].text_en == "Age in years at screening"
    assert frame[ids["WTINT2YR"].id].to_list() == [9246.49, 37338.77, 8614.57]


def test_sas_metadata_file_gives_labels_and_missing_codes() -> None:
    from survey.io import read_metadata

    meta = read_metadata(STAT / "pyreadstat_missing_test.sas7bdat")
    q = {m.name: m for m in meta.questions}
    assert meta.kind == "sas7bdat"
    assert [(c.code, c.label) for c in q["var1"].missing] == [(".A", "missing")]
    stata = read_metadata(STAT / "haven_tagged-na-double.dta")
    assert [(c.code, c.label) for c in stata.questions[0].missing] == [
        (".a", "apple"), (".z", ".zebra")]
    xpt = read_metadata(STAT / "pyreadstat_dates_xpt_v8.xpt")
    assert xpt.title == "dataset label for the dates test dataset"


def test_corrupt_sas_file_is_unreadable_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xpt"
    bad.write_bytes((STAT / "pyreadstat_sample.xpt").read_bytes()[:700])
    r = CliRunner().invoke(cli, ["schema", "draft", str(bad), "--out", str(tmp_path / "d.yaml")])
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output


LOCAL = sorted((STAT / "local").glob("*.[xX][pP][tT]")) if (STAT / "local").is_dir() else []


@pytest.mark.skipif(not LOCAL, reason="no public-use .xpt in tests/fixtures/stat/local/ "
                                      "(e.g. NHANES DEMO_J.XPT; not committed)")
@pytest.mark.parametrize("path", LOCAL, ids=[p.name for p in LOCAL])
def test_local_public_use_xpt(path: Path, tmp_path: Path) -> None:
    frame, schema = _draft_validate_ingest(path, tmp_path)
    _, meta = pyreadstat.read_xport(str(path), metadataonly=True)
    assert frame.height == meta.number_rows
    texts = {q.column: q.text_en for q in load_codebook(schema).questions}  # by variable
    labelled = {k: v for k, v in meta.column_names_to_labels.items() if v}
    assert all(texts.get(k) == v for k, v in labelled.items())


def test_sas_cport_file_is_named_and_refused(tmp_path: Path) -> None:
    cport = tmp_path / "demo.xpt"
    cport.write_bytes(b"**COMPRESSED** **COMPRESSED** **COMPRESSED** " + b"\x00" * 200)
    r = CliRunner().invoke(cli, ["schema", "draft", str(cport), "--out", str(tmp_path / "d.yaml")])
    assert r.exit_code == 2, r.output
    assert "CPORT" in r.output
