"""The command line: exit codes 0/1/2, one-line errors, nothing written on failure."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from survey.frames import read_typed_parquet
from tests.clirun import run

ROOT = Path(__file__).resolve().parents[2]
X2025 = str(ROOT / "sample_data/academy_2025.xlsx")
C2023 = str(ROOT / "sample_data/academy_2023.csv")
S2025 = str(ROOT / "schemas/academy_member_survey.yaml")
S2023 = str(ROOT / "schemas/academy_member_survey_2023.yaml")


def no_traceback(result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("file,schema", [(X2025, S2025), (C2023, S2023)])
def test_validate_sample_waves_is_clean(file, schema):
    r = run("validate", file, "--schema", schema)
    assert r.exit_code == 0, r.output
    assert "valid: no problems found" in r.output


def test_validate_json_reports_layout_and_encoding():
    r = run("validate", C2023, "--schema", S2023, "--format", "json")
    data = json.loads(r.output)
    assert (data["rows"], data["layout"], data["encoding"], data["ok"]) == (180, "qualtrics", "cp949", True)


def test_ingest_writes_typed_parquet_with_codebook(tmp_path):
    out = tmp_path / "w.parquet"
    r = run("ingest", X2025, "--schema", S2025, "--out", str(out))
    assert r.exit_code == 0, r.output
    frame, cb = read_typed_parquet(out)
    assert cb is not None and cb.version == "2025.1"
    assert frame.height == 200
    assert frame["respondent_id"].dtype == pl.String and frame["respondent_id"].str.len_chars().min() == 11
    assert isinstance(frame.schema["division"], pl.Enum)
    offered = frame.filter(pl.col("offer_received") == "Yes")
    assert offered.height == 123
    assert offered["offer_countries__china"].sum() == 102
    assert offered["offer_countries__us"].sum() == 33
    assert frame.filter(pl.col("offer_received") == "No")["offer_countries__china"].null_count() == 77


def test_describe_shows_headline_counts(tmp_path):
    out = tmp_path / "w.parquet"
    run("ingest", X2025, "--schema", S2025, "--out", str(out))
    r = run("describe", str(out), "--format", "json", "-q", "offer_received,offer_countries")
    data = json.loads(r.output)
    offer, countries = data["questions"]
    assert [(t["label"], t["n"]) for t in offer["table"]] == [("Yes", 123), ("No", 77)]
    assert countries["base"] == 123
    by = {t["label"]: t["n"] for t in countries["table"]}
    assert (by["China"], by["United States"]) == (102, 33)
    text = run("describe", str(out), "-q", "offer_received")
    assert text.exit_code == 0 and "61.5" in text.output


def _bad_copy(tmp_path: Path) -> Path:
    wb = openpyxl.load_workbook(X2025)
    ws = wb["Sheet_1"]
    header = [c.value for c in ws[1]]
    col = header.index("소속 분과") + 1
    ws.cell(row=5, column=col, value="Astrology")
    ws.cell(row=7, column=1, value=ws.cell(row=6, column=1).value)  # duplicate respondent id
    out = tmp_path / "bad.xlsx"
    wb.save(out)
    return out, openpyxl.utils.get_column_letter(col)


def test_invalid_data_exits_1_writes_nothing_and_rejects_rows(tmp_path):
    bad, letter = _bad_copy(tmp_path)
    out = tmp_path / "w.parquet"
    rej = tmp_path / "rejects.csv"
    r = run("ingest", str(bad), "--schema", S2025, "--out", str(out), "--rejects", str(rej))
    no_traceback(r)
    assert r.exit_code == 1
    assert not out.exists()
    assert "'Astrology' is not an option of division" in r.output
    rows = pl.read_csv(rej, infer_schema=False)
    assert sorted(rows["__row__"].cast(int).to_list()) == [5, 6, 7]
    v = run("validate", str(bad), "--schema", S2025, "--format", "json")
    assert v.exit_code == 1
    probs = json.loads(v.output)["problems"]
    assert {(p["row"], p["reason"], p["cell"].rstrip("0123456789")) for p in probs} >= {(5, "unknown_option", letter), (6, "duplicate_id", "A")}
    assert all(p["file"].endswith("bad.xlsx") and p["sheet"] == "Sheet_1" for p in probs)


def _zip_with(tmp_path: Path, name: str, members: dict[str, bytes]) -> Path:
    p = tmp_path / name
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        for k, v in members.items():
            z.writestr(k, v)
    return p


def unreadable_inputs(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    good = Path(X2025).read_bytes()
    trunc = tmp_path / "truncated.xlsx"
    trunc.write_bytes(good[: len(good) // 2])
    png = tmp_path / "picture.xlsx"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    enc = tmp_path / "locked.xlsx"
    cfb = bytearray(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    cfb += "EncryptionInfo".encode("utf-16-le") + b"\x00" * 100 + "EncryptedPackage".encode("utf-16-le")
    enc.write_bytes(bytes(cfb) + b"\x00" * 2048)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    binary = tmp_path / "noise.csv"
    binary.write_bytes(bytes(range(256)) * 64)
    bomb_buf = io.BytesIO()
    bomb = _zip_with(tmp_path, "bomb.xlsx", {
        "[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>",
        "xl/worksheets/sheet1.xml": b"<a>" + b" " * (60 * 1024 * 1024) + b"</a>",
    })
    del bomb_buf
    xxe = _zip_with(tmp_path, "entities.xlsx", {
        "[Content_Types].xml": b"<Types/>",
        "xl/workbook.xml": b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><workbook>&lol2;</workbook>',
    })
    return {
        "truncated": (trunc, "corrupt"),
        "not a spreadsheet": (png, "not"),
        "password": (enc, "password"),
        "empty": (empty, "empty"),
        "binary": (binary, ""),
        "bomb": (bomb, ""),
        "entities": (xxe, ""),
        "missing": (tmp_path / "nowhere.xlsx", ""),
    }


@pytest.mark.parametrize("case", ["truncated", "not a spreadsheet", "password", "empty", "binary", "bomb",
                                  "entities", "missing"])
@pytest.mark.parametrize("command", ["validate", "ingest"])
def test_unreadable_input_exits_2_one_line_no_traceback_nothing_written(tmp_path, case, command):
    path, word = unreadable_inputs(tmp_path)[case]
    out = tmp_path / "out.parquet"
    extra = ["--out", str(out)] if command == "ingest" else []
    r = run(command, str(path), "--schema", S2025, *extra)
    no_traceback(r)
    assert r.exit_code == 2, r.output
    first = r.output.strip().splitlines()[0]
    assert first.startswith("error:")
    assert word.lower() in r.output.lower()
    assert not out.exists()


def test_row_limit_flag_refuses_then_allows(tmp_path):
    r = run("validate", X2025, "--schema", S2025, "--max-rows", "50")
    assert r.exit_code == 2 and "row" in r.output.lower() and "--max-rows" in r.output
    assert run("validate", X2025, "--schema", S2025, "--max-rows", "500").exit_code == 0


def test_bad_codebook_exits_2_with_locations(tmp_path):
    cb = tmp_path / "cb.yaml"
    cb.write_text("survey: x\nversion: 1\nquestions:\n  - id: q\n    type: single\n    column: Q\n", encoding="utf-8")
    r = run("validate", X2025, "--schema", str(cb))
    assert r.exit_code == 2
    assert "questions[0] (q).options: a single question needs at least one option" in r.output


def test_usage_errors_exit_2():
    assert run("validate", X2025).exit_code == 2  # --schema missing
    assert run("frobnicate").exit_code == 2


def test_schema_check():
    r = run("schema", "check", S2025)
    assert r.exit_code == 0 and "ok" in r.output


def test_several_visible_sheets_need_the_codebook_to_name_one(tmp_path):
    wb = openpyxl.load_workbook(X2025)
    wb.create_sheet("Notes").append(["not data"])
    two = tmp_path / "two_sheets.xlsx"
    wb.save(two)
    unnamed = tmp_path / "cb.yaml"
    unnamed.write_text(Path(S2025).read_text(encoding="utf-8").replace("sheet: Sheet_1", "sheet: null"),
                       encoding="utf-8")
    r = run("validate", str(two), "--schema", str(unnamed))
    assert r.exit_code == 1 and "ambiguous_sheet" in r.output and "Notes" in r.output
    assert run("validate", str(two), "--schema", str(unnamed), "--sheet", "Sheet_1").exit_code == 0
    assert run("validate", str(two), "--schema", S2025).exit_code == 0


def test_describe_reads_harmonised_waves_from_a_store(tmp_path):
    store = str(tmp_path / "store")
    assert run("ingest", C2023, "-s", S2023, "--store", store, "--wave", "2023").exit_code == 0
    assert run("ingest", X2025, "-s", S2025, "--store", store, "--wave", "2025").exit_code == 0
    r = run("describe", "--store", store, "--wave", "2023,2025", "-q", "offer_received", "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.output[r.output.index("{"):])
    assert data["n"] == 380
    assert sum(t["n"] for t in data["questions"][0]["table"]) == 380


def test_describe_an_option_one_wave_did_not_ask_is_a_share_of_those_asked(tmp_path):
    store = str(tmp_path / "store")
    assert run("ingest", C2023, "-s", S2023, "--store", store, "--wave", "2023").exit_code == 0
    assert run("ingest", X2025, "-s", S2025, "--store", store, "--wave", "2025").exit_code == 0
    r = run("describe", "--store", store, "-q", "offer_countries", "--format", "json")
    assert r.exit_code == 0, r.output
    q = json.loads(r.output[r.output.index("{"):])["questions"][0]
    rows = {t["label"]: t for t in q["table"]}
    # Middle East was not offered in 2023: 5 of the 123 asked in 2025, not of all 212
    assert rows["Middle East"]["n"] == 5
    assert rows["Middle East"]["percent"] == pytest.approx(100 * 5 / 123)
    assert rows["China"]["percent"] == pytest.approx(100 * 175 / 212)
    assert any("Middle East (asked of 123)" in n for n in q["notes"])
