"""Property tests: any table of text round-trips through read_table cell for cell."""

from __future__ import annotations

import tempfile
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey.io import ROW_COLUMN, read_table

AUTO_ENCODINGS = ("utf-8", "utf-8-sig", "utf-16")
EXPLICIT_ENCODINGS = ("cp949", "cp1252")
PUNCT = st.sampled_from([",", ";", "\t", '"', "\n", " ", "|", "'"])


def cell_text(codec: str | None) -> st.SearchStrategy[str]:
    chars = st.characters(codec=codec, exclude_categories=("Cs", "Cc", "Co", "Cn"))
    return st.text(st.one_of(chars, PUNCT), max_size=12)


@st.composite
def tables(draw: st.DrawFn, codec: str | None) -> list[list[str]]:
    n_cols = draw(st.integers(1, 4))
    n_rows = draw(st.integers(0, 6))
    return [[draw(cell_text(codec)) for _ in range(n_cols)] for _ in range(n_rows)]


def expected(rows: list[list[str]]) -> list[tuple[str | None, ...]]:
    kept = [r for r in rows if any(c != "" for c in r)]
    return [tuple(c if c != "" else None for c in r) for r in kept]


def write_delimited(rows: list[list[str]], header: list[str], delimiter: str) -> str:
    def quote(c: str) -> str:
        if any(ch in c for ch in (delimiter, '"', "\n")):
            return '"' + c.replace('"', '""') + '"'
        return c

    return "".join(delimiter.join(quote(c) for c in r) + "\n" for r in [header, *rows])


@st.composite
def csv_case(draw: st.DrawFn) -> tuple[str, str, list[list[str]]]:
    encoding = draw(st.sampled_from(AUTO_ENCODINGS + EXPLICIT_ENCODINGS))
    codec = None if encoding.startswith("utf") else encoding
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    return encoding, delimiter, draw(tables(codec))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(csv_case())
def test_csv_round_trip(case: tuple[str, str, list[list[str]]]) -> None:
    encoding, delimiter, rows = case
    width = max((len(r) for r in rows), default=1)
    header = [f"h{j}" for j in range(width)]
    text = write_delimited(rows, header, delimiter)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.csv"
        path.write_bytes(text.encode(encoding))
        auto = encoding in AUTO_ENCODINGS
        table = read_table(
            path,
            header_rows=1,
            encoding="auto" if auto else encoding,
            delimiter="auto" if width > 1 else delimiter,
        )
    assert [c.name for c in table.columns] == header
    assert table.frame.drop(ROW_COLUMN).rows() == expected(rows)
    if auto:
        assert table.encoding == encoding
    assert table.delimiter == delimiter


XLSX_TEXT = st.text(
    st.one_of(st.characters(exclude_categories=("Cs", "Cc", "Co", "Cn")), PUNCT), max_size=12
).filter(lambda s: not s.startswith("=") and (s == "" or s.strip() != ""))
# openpyxl turns "=..." into formulas and writes whitespace-only text without
# xml:space="preserve" (so any XML reader returns ""); Excel itself preserves it.


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(XLSX_TEXT, min_size=3, max_size=3), max_size=5))
def test_xlsx_round_trip(rows: list[list[str]]) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "a", "b"])
    for r in rows:
        ws.append([c if c != "" else None for c in r])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.xlsx"
        wb.save(path)
        table = read_table(path, header_rows=1)
    assert table.frame.drop(ROW_COLUMN).rows() == expected(rows)
    rows_kept = [i + 2 for i, r in enumerate(rows) if any(c != "" for c in r)]
    assert table.frame.get_column(ROW_COLUMN).to_list() == rows_kept
