"""Delimited text: encodings, delimiters, quoting, row numbers, ragged records."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from survey.io import ROW_COLUMN, read_table

KOREAN = [
    ["응답자 ID", "소속 분과", "의견"],
    ["0000012345", "공학부", "연구비 부족 · 인프라"],
]


def cells(path: Path, **kwargs: object) -> list[tuple[object, ...]]:
    return read_table(path, **kwargs).frame.drop(ROW_COLUMN).rows()  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("cp949", "cp949"),
        ("euc-kr", "cp949"),
        ("utf-16", "utf-16"),
    ],
)
def test_korean_encodings_detected(write_csv, encoding: str, expected: str) -> None:
    table = read_table(write_csv(KOREAN, encoding=encoding))
    assert table.encoding == expected
    assert [c.name for c in table.columns] == KOREAN[0]
    assert table.frame.drop(ROW_COLUMN).rows() == [tuple(KOREAN[1])]
    assert any(expected in n for n in table.notes)


def test_cp1252_fallback_is_reported(write_csv) -> None:
    rows = [["Name", "Comment"], ["Zoë", "café, naïve – “quoted”"]]
    table = read_table(write_csv(rows, encoding="cp1252"))
    assert table.encoding == "cp1252"
    assert table.frame.drop(ROW_COLUMN).rows() == [tuple(rows[1])]
    assert any("encoding cp1252 (detected" in n for n in table.notes)


def test_explicit_encoding_overrides(write_csv) -> None:
    path = write_csv([["a"], ["é"]], encoding="cp1252")
    table = read_table(path, encoding="latin-1")
    assert table.encoding == "iso8859-1"
    assert cells(path, encoding="latin-1") == [("é",)]


def test_bom_not_in_first_header(write_csv) -> None:
    table = read_table(write_csv([["Respondent ID", "Q1"], ["1", "x"]], encoding="utf-8-sig"))
    assert table.columns[0].name == "Respondent ID"


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters_sniffed(write_csv, delimiter: str) -> None:
    rows = [
        ["id", "text, with comma; and semicolon", "q"],
        ["007", "a; b, c", "3"],
        ["008", "", "4"],
    ]
    path = write_csv(rows, delimiter=delimiter)
    table = read_table(path)
    assert table.delimiter == delimiter
    assert [c.name for c in table.columns] == rows[0]
    assert table.frame.drop(ROW_COLUMN).rows() == [("007", "a; b, c", "3"), ("008", None, "4")]


def test_pipe_not_chosen_when_comma_present(write_csv) -> None:
    path = write_csv("id,choices\n1,a|b|c\n2,b|c\n")
    assert read_table(path).delimiter == ","


def test_explicit_delimiter(write_csv) -> None:
    path = write_csv("a;b\n1,5;2\n")
    assert cells(path, delimiter=";") == [("1,5", "2")]


def test_embedded_newlines_and_row_numbers(write_csv) -> None:
    path = write_csv('id,comment\n1,"line one\nline two"\n2,"say ""hi"""\r\n3,plain\n')
    table = read_table(path)
    assert table.frame.rows() == [
        (2, "1", "line one\nline two"),
        (3, "2", 'say "hi"'),
        (4, "3", "plain"),
    ]
    assert table.frame.schema[ROW_COLUMN] == pl.UInt32


def test_leading_zeros_and_long_ids_stay_text(write_csv) -> None:
    rows = [
        ["Respondent ID", "code", "zip"],
        ["11460284753", "007", "01234"],
        ["1234567890", "1.50", "0"],
    ]
    assert cells(write_csv(rows)) == [tuple(rows[1]), tuple(rows[2])]


def test_blank_rows_removed_and_counted_whitespace_kept(write_csv) -> None:
    path = write_csv("\n\nid,x\n1,  \n,\n\n2,b\n,,\n")
    table = read_table(path)
    assert table.frame.rows() == [(4, "1", "  "), (7, "2", "b")]
    assert table.blank_rows == 3


def test_ragged_rows_padded_and_reported(write_csv) -> None:
    path = write_csv("a,b,c\n1,2\n3,4,5,6\n7\n")
    table = read_table(path)
    assert [c.name for c in table.columns] == ["a", "b", "c", "column_D"]
    assert table.frame.drop(ROW_COLUMN).rows() == [
        ("1", "2", None, None),
        ("3", "4", "5", "6"),
        ("7", None, None, None),
    ]
    assert any("more fields" in n for n in table.notes)


def test_irregular_quotes_read_leniently(write_csv) -> None:
    path = write_csv('a,b\n"x"y,2\nz "w" v,3\n')
    assert cells(path) == [("xy", "2"), ('z "w" v', "3")]


def test_nul_bytes_stripped(write_csv) -> None:
    path = write_csv("Respondent ID,Q1\n\x00,Response\n1,yes\n")
    table = read_table(path)
    assert table.layout == "surveymonkey"
    assert table.frame.drop(ROW_COLUMN).rows() == [("1", "yes")]
    assert any("NUL" in n for n in table.notes)


def test_mac_line_endings(write_csv) -> None:
    assert cells(write_csv("a,b\r1,2\r")) == [("1", "2")]


def test_trailing_empty_columns_dropped(write_csv) -> None:
    table = read_table(write_csv("a,b,,\n1,2,,\n"))
    assert [c.name for c in table.columns] == ["a", "b"]


def test_header_only_file_has_no_rows(write_csv) -> None:
    table = read_table(write_csv("a,b\n"))
    assert table.n_rows == 0 and [c.name for c in table.columns] == ["a", "b"]


def test_text_named_xlsx_read_by_content(write_csv) -> None:
    table = read_table(write_csv("a,b\n1,2\n", name="export.xlsx"))
    assert table.file_format == "csv"
    assert any("by content" in n for n in table.notes)


def test_long_record_beyond_sniffed_records_uses_lenient_parser(write_csv) -> None:
    body = "".join(f"{i},x\n" for i in range(40))
    path = write_csv("id,v\n" + body + "99,y,extra\n")
    table = read_table(path)
    assert table.n_rows == 41
    assert table.frame.row(-1) == (42, "99", "y", "extra")
    assert [c.letter for c in table.columns] == ["A", "B", "C"]
    assert any("more fields" in n for n in table.notes)


def test_google_sheets_crlf_without_final_newline(write_csv) -> None:
    rows = [
        ["Timestamp", "Which fruits?"],
        ["1/18/2024 14:18:03", "Apple, Banana"],
        ["1/18/2024 14:19:00", "Cherry"],
    ]
    table = read_table(write_csv(rows, newline="\r\n"))
    assert table.frame.drop(ROW_COLUMN).rows() == [tuple(rows[1]), tuple(rows[2])]
    path = write_csv("a,b\r\n1,2", name="nofinal.csv")
    assert cells(path) == [("1", "2")]


def test_sheet_argument_ignored_for_text(write_csv) -> None:
    table = read_table(write_csv("a\n1\n"), sheet="Data")
    assert any("ignored" in n for n in table.notes)


def test_inch_marks_inside_plain_fields(write_csv) -> None:
    path = write_csv('id;screen;price\n1;27" monitor;300\n2;24" monitor;200\n3;"a; b";5\n')
    table = read_table(path)
    assert table.delimiter == ";"
    assert cells(path) == [
        ("1", '27" monitor', "300"),
        ("2", '24" monitor', "200"),
        ("3", "a; b", "5"),
    ]


def test_doubled_quotes_do_not_confuse_the_sniffer(write_csv) -> None:
    path = write_csv('"say ""hi"", then; go";b;c\n"x ""y"", z";2;3\n')
    table = read_table(path)
    assert table.delimiter == ";"
    assert [c.name for c in table.columns] == ['say "hi", then; go', "b", "c"]
