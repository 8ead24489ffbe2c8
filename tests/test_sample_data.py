"""The committed sample data: reproducible, with its headline counts, clean against its codebooks.

These tests read the files directly (openpyxl, csv), independently of the importers, so an
importer bug cannot hide a data bug or the reverse.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from survey._text import normalize_key
from survey.codebook import Codebook, Question, load_codebook

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "sample_data"
SCHEMAS = ROOT / "schemas"
XLSX = DATA / "academy_2025.xlsx"
CSV_2023 = DATA / "academy_2023.csv"
POPULATION = DATA / "population_2025.csv"
CB_2025 = SCHEMAS / "academy_member_survey.yaml"
CB_2023 = SCHEMAS / "academy_member_survey_2023.yaml"
OFFER = "지난 5년간 해외 기관으로부터 일자리 제안을 받은 적이 있습니까?"


Sheet = tuple[list[str], list[str], list[tuple[object, ...]]]


@pytest.fixture(scope="module")
def sheet() -> Sheet:
    """2025 wave: (row 1 forward-filled and normalised, row 2 normalised, data rows)."""
    wb = openpyxl.load_workbook(XLSX, read_only=True)
    rows = list(wb["Sheet_1"].iter_rows(values_only=True))
    wb.close()
    block, current = [], ""
    for cell in rows[0]:
        current = normalize_key(cell) if cell is not None else current
        block.append(current)
    return block, [normalize_key(c) for c in rows[1]], rows[2:]


@pytest.fixture(scope="module")
def qualtrics() -> list[list[str]]:
    with CSV_2023.open(encoding="cp949", newline="") as f:
        return list(csv.reader(f))


def test_regeneration_is_byte_identical(tmp_path: Path) -> None:
    script = ROOT / "scripts" / "make_sample_data.py"
    subprocess.run([sys.executable, str(script), "--out", str(tmp_path / "data"),
                    "--schemas", str(tmp_path / "schemas")], check=True, capture_output=True)
    for folder, committed in [("data", XLSX), ("data", CSV_2023), ("data", POPULATION),
                              ("schemas", CB_2025), ("schemas", CB_2023)]:
        fresh = tmp_path / folder / committed.name
        assert fresh.read_bytes() == committed.read_bytes(), f"{committed.name} differs"


def test_workbook_layout() -> None:
    wb = openpyxl.load_workbook(XLSX)
    assert [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"] == ["Sheet_1"]
    assert wb["Lookup"].sheet_state == "hidden"
    ws = wb["Sheet_1"]
    assert [str(r) for r in ws.merged_cells.ranges] == ["O1:W1"]
    assert ws["W2"].value == "Other (please specify)"
    ids = [ws.cell(r, 1).value for r in range(3, ws.max_row + 1)]
    assert len(ids) == 200 and len(set(ids)) == 200
    assert all(isinstance(v, int) and len(str(v)) == 11 for v in ids)
    assert all(ws.cell(r, 3).is_date for r in range(3, ws.max_row + 1))
    headers = [c.value for c in ws[1] if c.value]
    assert any("\u00a0" in h for h in headers) and any("  " in h for h in headers)
    assert any("<br>" in h for h in headers)


def test_2025_headline_counts(sheet: Sheet) -> None:
    block, sub, rows = sheet
    offer = block.index(normalize_key(OFFER))
    china, us = sub.index("china"), sub.index("united states")
    country_cols = [i for i, b in enumerate(block) if b == block[china]]
    yes = [r for r in rows if r[offer] == "Yes"]
    assert (len(rows), len(yes)) == (200, 123)
    assert sum(r[china] is not None for r in yes) == 102
    assert sum(r[us] is not None for r in yes) == 33
    assert all(any(r[i] for i in country_cols) for r in yes)
    assert not any(r[i] for r in rows if r[offer] == "No" for i in country_cols)


def test_2023_layout_and_counts(qualtrics: list[list[str]]) -> None:
    ids, _, import_ids, *rows = qualtrics
    assert len(rows) == 180 and len({len(r) for r in qualtrics}) == 1
    assert all("ImportId" in json.loads(c) for c in import_ids)
    rid = [r[ids.index("ResponseId")] for r in rows]
    assert len(set(rid)) == 180 and all(re.fullmatch(r"R_[A-Za-z0-9]{15}", v) for v in rid)
    for col in (c for c in ids if re.fullmatch(r"Q5_\d", c)):
        assert {r[ids.index(col)] for r in rows} <= {"1", ""}
    with pytest.raises(UnicodeDecodeError):
        CSV_2023.read_text(encoding="utf-8")


def test_panel_members(sheet: Sheet, qualtrics: list[list[str]]) -> None:
    block, _, rows = sheet
    m25 = {r[block.index("member_no")] for r in rows}
    m23 = {r[qualtrics[0].index("member_no")] for r in qualtrics[3:]}
    assert all(re.fullmatch(r"\d{6}", m) for m in m25 | m23)
    assert len(m25 & m23) == 40


def test_population() -> None:
    with POPULATION.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    division = {r["category"]: int(r["population"]) for r in rows if r["variable"] == "division"}
    assert sum(division.values()) == 1100 and division["Engineering"] == 380
    crossed: dict[str, int] = {}
    for r in rows:
        if r["variable"] == "division:gender":
            d, _ = r["category"].split(":")
            crossed[d] = crossed.get(d, 0) + int(r["population"])
    assert crossed == division
    labels = load_codebook(CB_2025).question("division").labels
    assert tuple(division) == labels


def _keys(q: Question) -> set[str]:
    keys = {k for o in q.options for k in o.match_keys()}
    return keys | {k for m in q.missing_codes for k in m.match_keys()}


def test_2025_clean_against_codebook(sheet: Sheet) -> None:
    cb: Codebook = load_codebook(CB_2025)
    block, sub, rows = sheet
    assert {normalize_key(q.column) for q in cb.questions} == set(block)
    for q in cb.questions:
        cols = [i for i, b in enumerate(block) if b == normalize_key(q.column)]
        if q.type == "multiple":
            assert q.other is not None
            assert [sub[i] for i in cols][-1] == normalize_key(q.other.column)
            for o, i in zip(q.options, cols[:-1]):
                assert sub[i] in o.match_keys()
                assert {normalize_key(r[i]) for r in rows} <= {"", sub[i]}
            continue
        (i,) = cols
        values = {normalize_key(r[i]) for r in rows if r[i] is not None}
        if q.required:
            assert all(r[i] is not None for r in rows), q.id
        if q.options:
            assert values <= _keys(q), (q.id, values - _keys(q))
        if q.type == "number":
            assert all(q.minimum <= float(v) <= q.maximum for v in values)


def test_2023_clean_against_codebook(qualtrics: list[list[str]]) -> None:
    cb = load_codebook(CB_2023)
    ids, _, _, *rows = qualtrics
    used = set()
    for q in cb.questions:
        if q.type == "multiple":
            assert q.other is not None
            used.update([o.column for o in q.options] + [q.other.column])
            continue
        used.add(q.column)
        i = ids.index(q.column)
        values = {r[i] for r in rows if r[i] != ""}
        if q.required:
            assert all(r[i] != "" for r in rows), q.id
        if q.options:
            assert values <= _keys(q), (q.id, values - _keys(q))
    assert used == set(ids)
    assert "support_perf_pay" not in {q.id for q in cb.questions}
