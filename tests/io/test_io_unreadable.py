"""Unreadable input: one-line UnreadableInputError with the reason, never a traceback."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import pytest

from survey.errors import UnreadableInputError
from survey.io import Limits, read_table

ROWS = [["id", "answer"], *([str(i), "yes"] for i in range(10))]


def fails(path: Path, reason: str, **kwargs: object) -> UnreadableInputError:
    with pytest.raises(UnreadableInputError) as info:
        read_table(path, **kwargs)  # type: ignore[arg-type]
    err = info.value
    assert reason.lower() in err.message.lower()
    assert "\n" not in err.message
    assert err.location == str(path)
    assert err.exit_code == 2
    assert len(str(err).splitlines()) <= 2  # message, then the hint
    return err


def add_entry(path: Path, name: str, data: bytes) -> Path:
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(name, data)
    return path


def replace_part(path: Path, part: str, edit) -> Path:
    out = path.with_name("edited.xlsx")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info, edit(data) if info.filename == part else data)
    return out


def test_missing_file(tmp_path: Path) -> None:
    fails(tmp_path / "nope.xlsx", "not found")


@pytest.mark.parametrize("name", ["empty.csv", "empty.xlsx"])
def test_empty_file(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(b"")
    fails(tmp_path / name, "empty")


def test_blank_lines_only(write_csv) -> None:
    fails(write_csv("\n\r\n  \n"), "empty")


def test_over_size_limit(write_csv) -> None:
    limits = Limits(max_file_bytes=20)
    err = fails(write_csv(ROWS), "over the size limit of 20 bytes", limits=limits)
    assert "limit" in (err.hint or "")


def test_truncated_workbook(write_xlsx) -> None:
    path = write_xlsx(ROWS)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    fails(path, "corrupt or truncated")


def test_corrupt_sheet_stream(write_xlsx) -> None:
    path = write_xlsx({"Data": [[f"cell {i} {j}" for j in range(20)] for i in range(300)]})
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for k in range(start + 50, start + info.compress_size - 50, 7):
        data[k] ^= 0x5A
    path.write_bytes(bytes(data))
    fails(path, "corrupt")


def test_password_protected(write_encrypted) -> None:
    err = fails(write_encrypted(), "password-protected")
    assert "password" in (err.hint or "")


@pytest.mark.parametrize(
    ("magic", "what"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(200), "PNG image"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
    ],
)
def test_not_a_spreadsheet_renamed(tmp_path: Path, magic: bytes, what: str) -> None:
    path = tmp_path / "survey.xlsx"
    path.write_bytes(magic)
    err = fails(path, "not a spreadsheet")
    assert what in err.message


def test_binary_garbage_as_csv(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(random.Random(7).randbytes(4096))
    fails(path, "not a text file")


def test_control_heavy_text_as_csv(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(bytes(range(1, 32)) * 50 + b"a,b\n")
    fails(path, "not a text file")


def test_html_named_xls(tmp_path: Path) -> None:
    path = tmp_path / "export.xls"
    path.write_text("<html><body><table><tr><td>1</td></tr></table></body></html>")
    fails(path, "HTML page")


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
    fails(path, "Word document")


def test_decompression_bomb_total_size(write_xlsx) -> None:
    path = add_entry(write_xlsx(ROWS), "xl/media/padding.bin", bytes(50 * 1024**2))
    limits = Limits(max_uncompressed_bytes=20 * 1024**2, max_compression_ratio=1e6)
    err = fails(path, "decompression bomb", limits=limits)
    assert "expands to 50.0 MiB (limit 20.0 MiB)" in err.message


def test_decompression_bomb_ratio(write_xlsx) -> None:
    path = add_entry(write_xlsx(ROWS), "xl/media/padding.bin", bytes(50 * 1024**2))
    err = fails(path, "decompression bomb")
    assert "padding.bin" in err.message


BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n'
)


@pytest.mark.parametrize(
    "part", ["xl/sharedStrings.xml", "xl/worksheets/sheet1.xml", "xl/workbook.xml"]
)
def test_xml_entity_declaration_refused(write_xlsx, part: str) -> None:
    path = write_xlsx(ROWS)
    if part == "xl/sharedStrings.xml":
        path = add_entry(path, part, BILLION_LAUGHS + b"<sst><si><t>&lol2;</t></si></sst>")
    else:
        path = replace_part(path, part, lambda data: BILLION_LAUGHS + data.split(b"?>", 1)[-1])
    err = fails(path, "DOCTYPE/ENTITY")
    assert part in err.message


def test_rows_over_limit_from_dimension(write_xlsx) -> None:
    fails(write_xlsx(ROWS), "declares 11 rows", limits=Limits(max_rows=5))


def test_rows_over_limit_without_dimension(write_xlsx, write_csv) -> None:
    path = replace_part(
        write_xlsx(ROWS),
        "xl/worksheets/sheet1.xml",
        lambda d: d.replace(b'<dimension ref="A1:B11" />', b""),
    )
    fails(path, "10 data rows, over the limit", limits=Limits(max_rows=5))
    fails(write_csv(ROWS), "10 data rows, over the limit", limits=Limits(max_rows=5))


def test_columns_over_limit(write_xlsx, write_csv) -> None:
    wide = [[f"c{j}" for j in range(12)], ["1"] * 12]
    fails(write_xlsx(wide), "declares 12 columns", limits=Limits(max_columns=10))
    fails(write_csv(wide), "12 fields, over the column limit", limits=Limits(max_columns=10))


def test_explicit_wrong_encoding(write_csv) -> None:
    path = write_csv([["분과"], ["공학부"]], encoding="cp949")
    fails(path, "not valid utf-8", encoding="utf-8")


def test_unknown_encoding(write_csv) -> None:
    fails(write_csv(ROWS), "unknown encoding", encoding="klingon")


def test_corrupt_sav(tmp_path: Path) -> None:
    path = tmp_path / "wave.sav"
    path.write_bytes(b"$FL2@(#) SPSS DATA FILE" + bytes(range(256)) * 2)
    fails(path, "corrupt or unsupported SPSS")


def test_directory_given(tmp_path: Path) -> None:
    fails(tmp_path, "directory")
