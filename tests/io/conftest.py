"""Fixture builders for the io tests: every input file is generated here, none is committed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
import struct
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


def _dir_entry(name: str, kind: int, child: int = 0xFFFFFFFF, right: int = 0xFFFFFFFF) -> bytes:
    raw = (name + "\x00").encode("utf-16-le") if name else b""
    entry = raw.ljust(64, b"\x00") + struct.pack("<HBB", len(raw), kind, 1 if kind else 0)
    entry += struct.pack("<III", 0xFFFFFFFF, right, child) + b"\x00" * 36
    entry += struct.pack("<IQ", 0xFFFFFFFE if kind == 5 else 0, 0)
    return entry.ljust(128, b"\x00")


@pytest.fixture
def write_encrypted(tmp_path: Path) -> Callable[[str], Path]:
    """Write a minimal OLE compound file shaped like an encrypted OOXML workbook.

    Office stores a password-protected xlsx as a CFB container holding the streams
    ``EncryptionInfo`` and ``EncryptedPackage`` (MS-OFFCRYPTO); the streams are
    left empty here, which is all the reader looks at.
    """

    def write(name: str = "locked.xlsx") -> Path:
        header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16
        header += struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\x00" * 6
        header += struct.pack("<IIII", 0, 1, 1, 0)  # dir sectors, FAT sectors, first dir, txn
        header += struct.pack("<IIIII", 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
        header += struct.pack("<I", 0) + b"\xff" * (4 * 108)  # DIFAT: FAT in sector 0
        fat = struct.pack("<II", 0xFFFFFFFD, 0xFFFFFFFE).ljust(512, b"\xff")
        directory = (
            _dir_entry("Root Entry", 5, child=1)
            + _dir_entry("EncryptionInfo", 2, right=2)
            + _dir_entry("EncryptedPackage", 2)
            + _dir_entry("", 0)
        )
        path = tmp_path / name
        path.write_bytes(header + fat + directory)
        return path

    return write
