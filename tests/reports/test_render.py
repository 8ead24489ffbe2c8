"""Renderers: formula-injection safety, control characters, Markdown, CSV, CLI."""

from __future__ import annotations

import csv
import io

import openpyxl
import polars as pl
import pytest
from click.testing import CliRunner

from survey.cli import cli
from survey.reports import clean_text, csv_text, is_risky, to_csv, to_markdown, write_xlsx
from survey.tables import crosstabs

FORMULA = '=HYPERLINK("http://x","y")'
RISKY = [FORMULA, "+1 555", "-5%", "@SUM(A1)", "\tx", "\rx", "\uff1dcmd"]


@pytest.fixture(scope="module")
def tables():
    answers = [FORMULA] * 12 + ["plain\x07 text"] * 12 + ["+1 555"] * 12
    df = pl.DataFrame({"answer": answers, "g": ["x", "y"] * 18})
    return crosstabs(df, ["answer"], banner=["g"], title="=cmd|' /C calc'!A0")


def test_free_text_formula_is_written_and_read_back_as_text(tables, tmp_path):
    out = write_xlsx(tables, tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(out)
    ws = wb["Table_1"]
    labels = {c.value: c for c in ws["A"] if c.value}
    cell = labels[FORMULA]
    assert cell.data_type == "s" and cell.value == FORMULA
    assert cell.quotePrefix  # Excel keeps it text even when edited
    assert labels["+1 555"].data_type == "s"
    assert "plain text" in labels  # control character stripped
    cover = wb["Cover"]["A1"]
    assert cover.data_type == "s" and cover.value == "=cmd|' /C calc'!A0"
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for c in row:
                assert c.data_type != "f", (sheet.title, c.coordinate, c.value)


def test_numbers_stay_numeric_with_percent_formats(tables, tmp_path):
    wb = openpyxl.load_workbook(write_xlsx(tables, tmp_path / "t.xlsx"))
    ws = wb["Table_1"]
    r = next(c.row for c in ws["A"] if c.value == FORMULA)
    total = ws.cell(r, 2)
    assert total.data_type == "n" and total.number_format == "0%"
    assert total.value == pytest.approx(1 / 3)


@pytest.mark.parametrize("text", RISKY)
def test_risky_prefixes(text):
    assert is_risky(text)
    assert csv_text(text) == "'" + text


def test_clean_text_strips_control_characters():
    assert clean_text("a\x00\x08\x0b\x1fb\tc\n") == "ab\tc\n"
    assert len(clean_text("x" * 40_000)) == 32_767


def test_csv_neutralises_formulas(tables):
    rows = list(csv.reader(io.StringIO(to_csv(tables))))
    header, body = rows[0], rows[1:]
    labels = {r[header.index("row_label")] for r in body}
    assert "'" + FORMULA in labels and FORMULA not in labels
    assert "'+1 555" in labels
    values = [r[header.index("value")] for r in body if r[header.index("statistic")] == "proportion"]
    assert all(v == "" or 0 <= float(v) <= 1 for v in values)


def test_markdown_escapes_pipes_and_tags():
    df = pl.DataFrame({"answer": ["a|b <script>"] * 12 + ["c"] * 12, "g": ["x", "y"] * 12})
    md = to_markdown(crosstabs(df, ["answer"], banner=["g"]))
    assert "a\\|b &lt;script&gt;" in md
    assert "<script>" not in md
    assert "| Base: all answering | 24 |" in md


def test_suppressed_cells_are_markers_without_reasons(tmp_path):
    df = pl.DataFrame({"q": ["a"] * 30 + ["b"] * 3 + ["a"] * 20 + ["b"] * 20,
                       "g": ["x"] * 33 + ["y"] * 40})
    t = crosstabs(df, ["q"], banner=["g"])
    wb = openpyxl.load_workbook(write_xlsx(t, tmp_path / "s.xlsx"))
    values = [c.value for row in wb["Table_1"].iter_rows() for c in row]
    assert "[c]" in values
    assert not any(isinstance(v, str) and v in ("primary", "secondary", "complement")
                   for v in values)


def test_cli_markdown_with_where_and_weight(tmp_path):
    df = pl.DataFrame({"q": ["a", "b"] * 40, "g": ["x"] * 40 + ["y"] * 40,
                       "k": [1, 2] * 40, "w": [1.0, 2.0, 3.0, 4.0] * 20})
    data = tmp_path / "d.parquet"
    df.write_parquet(data)
    schema = tmp_path / "s.yaml"
    schema.write_text(
        "survey: t\nversion: '1'\nquestions:\n"
        "  - {id: q, type: single, column: q, options: [{code: a, label: a}, {code: b, label: b}]}\n"
        "  - {id: g, type: single, column: g, options: [{code: x, label: x}, {code: y, label: y}]}\n"
        "  - {id: k, type: integer, column: k}\n  - {id: w, type: number, column: w, role: weight}\n",
        encoding="utf-8")
    out = tmp_path / "r.md"
    r = CliRunner().invoke(cli, ["crosstab", str(data), "-s", str(schema), "--rows", "q,k",
                                 "--banner", "g", "--weight", "w", "--where", "k = 1",
                                 "--out", str(out)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    text = out.read_text(encoding="utf-8")
    assert "Effective base" in text and "Weighted base" in text
    assert "| Base: all answering | 40 |" in text


def test_cli_errors_are_one_line(tmp_path):
    df = pl.DataFrame({"q": ["a", "b"] * 20, "g": ["x", "y"] * 20})
    data = tmp_path / "d.parquet"
    df.write_parquet(data)
    schema = tmp_path / "s.yaml"
    schema.write_text("survey: t\nversion: '1'\nquestions:\n"
                      "  - {id: q, type: single, column: q, options: [{code: a, label: a}]}\n",
                      encoding="utf-8")
    r = CliRunner().invoke(cli, ["crosstab", str(data), "-s", str(schema), "--rows", "q",
                                 "--banner", "nope", "--out", str(tmp_path / "x.xlsx")])
    assert r.exit_code == 2 and "nope" in r.output and "Traceback" not in r.output
    r = CliRunner().invoke(cli, ["crosstab", str(data), "-s", str(schema), "--rows", "q",
                                 "--banner", "g", "--out", str(tmp_path / "x.txt")])
    assert r.exit_code == 2
