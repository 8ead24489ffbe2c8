"""Workbooks: sheet choice, visibility, cell text, date system."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest

from survey.errors import UnreadableInputError
from survey.io import ROW_COLUMN, read_table

ROWS = [["id", "answer"], ["1", "yes"]]


def rewrite_part(path: Path, part: str, edit) -> Path:
    """Rewrite one part of an xlsx package with ``edit(text) -> text``."""
    out = path.with_name("edited_" + path.name)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == part:
                data = edit(data.decode("utf-8")).encode("utf-8")
            dst.writestr(info, data)
    return out


def test_cells_arrive_as_text(write_xlsx) -> None:
    rows = [
        ["Respondent ID", "code", "started", "score", "ok", "day"],
        [1234567890, "007", dt.datetime(2025, 3, 1, 10, 5), 45678.5, True, dt.date(2025, 3, 1)],
        [11460284753, "0012", None, 3, False, None],
    ]
    table = read_table(write_xlsx(rows))
    assert table.file_format == "xlsx" and table.sheet == "Sheet1"
    assert table.frame.rows() == [
        (2, "1234567890", "007", "2025-03-01 10:05:00", "45678.5", "true", "2025-03-01 00:00:00"),
        (3, "11460284753", "0012", None, "3", "false", None),
    ]


def test_hidden_sheet_never_read_by_accident(write_xlsx) -> None:
    sheets = {"Secret": [["pii"], ["x"]], "Data": ROWS, "Lookup": [["k"]]}
    path = write_xlsx(sheets, hidden=["Secret"], very_hidden=["Lookup"])
    table = read_table(path)
    assert table.sheet == "Data"
    assert not any("visible sheets" in n for n in table.notes)


def test_hidden_sheet_read_when_named(write_xlsx) -> None:
    path = write_xlsx({"Data": ROWS, "Secret": [["pii"], ["x"]]}, hidden=["Secret"])
    table = read_table(path, sheet="Secret")
    assert table.sheet == "Secret" and table.frame.get_column("pii").to_list() == ["x"]
    assert any("hidden" in n for n in table.notes)


def test_several_visible_sheets_first_read_with_note(write_xlsx) -> None:
    sheets = {"Hidden": [["h"]], "Main": ROWS, "Repeat": [["_index"], ["1"]]}
    path = write_xlsx(sheets, hidden=["Hidden"])
    table = read_table(path)
    assert table.sheet == "Main"
    assert any("2 visible sheets" in n and "'Main'" in n for n in table.notes)
    assert read_table(path, sheet="Repeat").frame.get_column("_index").to_list() == ["1"]


def test_sheet_named_loosely(write_xlsx) -> None:
    path = write_xlsx({"Responses 2025": ROWS, "Other": ROWS})
    assert read_table(path, sheet=" responses  2025").sheet == "Responses 2025"


def test_missing_sheet_lists_visible_sheets(write_xlsx) -> None:
    path = write_xlsx({"Data": ROWS, "Secret": ROWS}, hidden=["Secret"])
    expected = r"no sheet named 'Nope'; visible sheets: 'Data'"
    with pytest.raises(UnreadableInputError, match=expected) as info:
        read_table(path, sheet="Nope")
    assert "Secret" not in str(info.value)


def test_no_visible_sheet(write_xlsx) -> None:
    path = write_xlsx({"A": ROWS, "B": ROWS}, hidden=["B"])
    path = rewrite_part(
        path, "xl/workbook.xml", lambda t: t.replace('state="visible"', 'state="hidden"')
    )
    with pytest.raises(UnreadableInputError, match="no visible sheet"):
        read_table(path)


def test_date1904_flag(write_xlsx) -> None:
    table = read_table(write_xlsx(ROWS, date1904=True))
    assert table.date1904 is True
    assert any("1904" in n for n in table.notes)
    assert read_table(write_xlsx(ROWS, name="b.xlsx")).date1904 is False


def test_empty_sheet(write_xlsx) -> None:
    with pytest.raises(UnreadableInputError, match="empty"):
        read_table(write_xlsx({"Blank": []}))


def test_named_xlsx_holding_csv_and_xlsx_named_csv(write_xlsx) -> None:
    path = write_xlsx(ROWS)
    renamed = path.rename(path.with_suffix(".csv"))
    table = read_table(renamed)
    assert table.file_format == "xlsx" and table.frame.drop(ROW_COLUMN).rows() == [("1", "yes")]
