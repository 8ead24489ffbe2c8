"""Fixture builders for the io tests: every input file is generated here, none is committed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import openpyxl
import pytest

Cell = object
Rows = Sequence[Sequence[Cell]]


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """Write rows (or raw text) as delimited text in a given encoding; return the path."""

    def write(
        rows: Rows | str,
        name: str = "data.csv",
        *,
        encoding: str = "utf-8",
        delimiter: str = ",",
        newline: str = "\n",
    ) -> Path:
        if isinstance(rows, str):
            text = rows
        else:
            lines = []
            for row in rows:
                cells = []
                for cell in row:
                    s = "" if cell is None else str(cell)
                    if any(ch in s for ch in (delimiter, '"', "\n", "\r")):
                        s = '"' + s.replace('"', '""') + '"'
                    cells.append(s)
                lines.append(delimiter.join(cells))
            text = newline.join(lines) + newline
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return write


@pytest.fixture
def write_xlsx(tmp_path: Path) -> Callable[..., Path]:
    """Write sheets {name: rows} with openpyxl; ``hidden`` names hidden sheets."""

    def write(
        sheets: dict[str, Rows] | Rows,
        name: str = "data.xlsx",
        *,
        hidden: Sequence[str] = (),
        very_hidden: Sequence[str] = (),
        merges: dict[str, Sequence[str]] | None = None,
        date1904: bool = False,
        origin: str = "A1",
    ) -> Path:
        if not isinstance(sheets, dict):
            sheets = {"Sheet1": sheets}
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        if date1904:
            wb.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
        col0, row0 = openpyxl.utils.cell.coordinate_from_string(origin)
        c0 = openpyxl.utils.cell.column_index_from_string(col0)
        for title, rows in sheets.items():
            ws = wb.create_sheet(title)
            for i, row in enumerate(rows):
                for j, value in enumerate(row):
                    if value is not None:
                        ws.cell(row=row0 + i, column=c0 + j, value=value)
            if title in hidden:
                ws.sheet_state = "hidden"
            if title in very_hidden:
                ws.sheet_state = "veryHidden"
            for rng in (merges or {}).get(title, ()):
                ws.merge_cells(rng)
        path = tmp_path / name
        wb.save(path)
        return path

    return write
