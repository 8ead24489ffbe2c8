"""Crosstabs as an Excel workbook (XlsxWriter): cover, contents, one table per sheet, notes.

Layout follows the UK Analysis Function's spreadsheet guidance (as gptables and
aftables implement it): title in A1, contents with links, notes on their own sheet,
numbers kept numeric with number formats, significance letters in their own cells,
no merged cells. Every text cell goes through :func:`write_text`: control characters
removed, never a formula.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

from survey.errors import ReportError
from survey.reports._layout import TableLayout, layout
from survey.reports._safe import clean_text, is_risky
from survey.tables import CrosstabSet

__all__ = ["write_text", "write_xlsx"]

_NUM_FORMATS = {"pct": "0%", "int": "#,##0", "dec2": "0.00"}
HEADER_ROWS = 5  # title, subtitle, banner group, column label, column letter


class _Formats:
    def __init__(self, wb: Any) -> None:
        self.title = wb.add_format({"bold": True, "font_size": 13})
        self.bold = wb.add_format({"bold": True})
        self.head = wb.add_format({"bold": True, "text_wrap": True, "valign": "bottom",
                                   "bottom": 1})
        self.head_q = wb.add_format({"bold": True, "text_wrap": True, "valign": "bottom",
                                     "bottom": 1, "quote_prefix": True})
        self.text = wb.add_format({})
        self.text_q = wb.add_format({"quote_prefix": True})
        self.section = wb.add_format({"bold": True, "italic": True})
        self.sig = wb.add_format({"font_color": "#1F4E79", "bold": True, "align": "left"})
        self.marker = wb.add_format({"align": "right", "font_color": "#7F7F7F"})
        self.link = wb.add_format({"font_color": "blue", "underline": 1})
        self.num = {k: wb.add_format({"num_format": v}) for k, v in _NUM_FORMATS.items()}
        self.num_low = {k: wb.add_format({"num_format": v, "font_color": "#7F7F7F"})
                        for k, v in _NUM_FORMATS.items()}


def write_text(ws: Any, row: int, col: int, value: object, fmt: Any = None,
               quoted: Any = None) -> None:
    """Write ``value`` as a text cell: never a formula, control characters removed.

    A value a spreadsheet could read as a formula (``= + - @``, tab, CR) is stored
    unchanged as a string with Excel's quote prefix (the cell shows a leading
    apostrophe in the formula bar and stays text if a user edits it).
    """
    s = clean_text(value)
    if is_risky(s):
        ws.write_string(row, col, s, quoted)
    else:
        ws.write_string(row, col, s, fmt)


def write_xlsx(tables: CrosstabSet, path: str | Path, *, source: str | None = None,
               created: _dt.datetime | None = None) -> Path:
    """Write ``tables`` to an xlsx workbook at ``path`` and return the path.

    ``created`` is the workbook's creation time property; by default a fixed date
    (2000-01-01), so the same tables give a byte-identical workbook.

    >>> write_xlsx(crosstabs(frame, "all", banner=["division"], codebook=cb),
    ...            "report.xlsx")  # doctest: +SKIP
    """
    try:
        import xlsxwriter
    except ImportError as exc:  # pragma: no cover - xlsxwriter is a dependency
        raise ReportError("writing xlsx needs the XlsxWriter package",
                          hint="pip install xlsxwriter") from exc
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise ReportError(f"{target.name}: the workbook must end in .xlsx", location=str(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(target), {"strings_to_formulas": False,
                                           "strings_to_urls": False,
                                           "strings_to_numbers": False,
                                           "constant_memory": True})
    wb.set_properties({"created": created or _dt.datetime(2000, 1, 1)})
    fm = _Formats(wb)
    names = [f"Table_{i}" for i in range(1, len(tables.tables) + 1)]
    layouts = [layout(t) for t in tables.tables]
    _cover(wb, fm, tables, source)
    _contents(wb, fm, layouts, names)
    for name, lay in zip(names, layouts, strict=True):
        _table_sheet(wb, fm, name, lay)
    _notes(wb, fm, tables, layouts, names)
    try:
        wb.close()
    except OSError as exc:
        raise ReportError(f"cannot write {target}: {exc}", location=str(target)) from exc
    return target


def _cover(wb: Any, fm: _Formats, tables: CrosstabSet, source: str | None) -> None:
    ws = wb.add_worksheet("Cover")
    ws.set_column(0, 0, 28)
    ws.set_column(1, 1, 90)
    write_text(ws, 0, 0, tables.title, fm.title, fm.title)
    write_text(ws, 1, 0, "Crosstab tables: every question by the banner below, with bases, "
               "column percentages, significance letters and small-cell suppression.",
               fm.text, fm.text_q)
    r = 3
    meta = [("Produced", _dt.date.today().isoformat()), *tables.meta]
    if source:
        meta.insert(1, ("Source data", source))
    meta.append(("Tables", f"{len(tables.tables)} (see Contents; notes on the Notes sheet)"))
    for k, v in meta:
        write_text(ws, r, 0, k, fm.bold, fm.bold)
        write_text(ws, r, 1, v, fm.text, fm.text_q)
        r += 1


def _contents(wb: Any, fm: _Formats, layouts: list[TableLayout], names: list[str]) -> None:
    ws = wb.add_worksheet("Contents")
    ws.set_column(0, 0, 12)
    ws.set_column(1, 1, 80)
    ws.set_column(2, 2, 60)
    write_text(ws, 0, 0, "Contents", fm.title, fm.title)
    for c, h in enumerate(("Sheet", "Table title", "Base")):
        write_text(ws, 1, c, h, fm.head, fm.head_q)
    for i, (name, lay) in enumerate(zip(names, layouts, strict=True), start=2):
        ws.write_url(i, 0, f"internal:'{name}'!A1", fm.link, string=name)
        write_text(ws, i, 1, lay.title, fm.text, fm.text_q)
        write_text(ws, i, 2, lay.subtitle, fm.text, fm.text_q)
    ws.freeze_panes(2, 0)


def _table_sheet(wb: Any, fm: _Formats, name: str, lay: TableLayout) -> None:
    ws = wb.add_worksheet(name)
    C = len(lay.labels)
    ws.set_column(0, 0, 42)
    ws.set_column(1, 2 * C, 9)
    for c in range(C):
        ws.set_column(2 + 2 * c, 2 + 2 * c, 5)
    write_text(ws, 0, 0, lay.title, fm.title, fm.title)
    write_text(ws, 1, 0, lay.subtitle, fm.text, fm.text_q)
    # constant-memory mode: each row is written completely before the next one
    for r, texts in ((2, lay.groups), (3, lay.labels), (4, lay.letters)):
        write_text(ws, r, 0, "", fm.head, fm.head_q)
        for c in range(C):
            write_text(ws, r, 1 + 2 * c, texts[c], fm.head, fm.head_q)
            sig_head = "sig." if (r == 4 and lay.letters[c]) else ""
            write_text(ws, r, 2 + 2 * c, sig_head, fm.head, fm.head_q)
    ws.freeze_panes(HEADER_ROWS, 1)
    r = HEADER_ROWS
    write_number, write_string = ws.write_number, ws.write_string
    for row in lay.rows:
        if row.fmt == "section":
            write_text(ws, r, 0, row.label, fm.section, fm.section)
            r += 1
            continue
        write_text(ws, r, 0, row.label, fm.text, fm.text_q)
        nf = [fm.num_low[row.fmt] if low else fm.num[row.fmt] for low in lay.low_base]
        for c, (v, s) in enumerate(zip(row.values, row.sig, strict=True)):
            col = 1 + 2 * c
            if isinstance(v, str):
                write_string(r, col, v, fm.marker)
            else:
                write_number(r, col, v, nf[c])
            if s:
                write_string(r, col + 1, s, fm.sig)
        r += 1
    r += 1
    write_text(ws, r, 0, "Notes", fm.bold, fm.bold)
    for note in lay.notes:
        r += 1
        write_text(ws, r, 0, note, fm.text, fm.text_q)


def _notes(wb: Any, fm: _Formats, tables: CrosstabSet, layouts: list[TableLayout],
           names: list[str]) -> None:
    ws = wb.add_worksheet("Notes")
    ws.set_column(0, 0, 12)
    ws.set_column(1, 1, 140)
    write_text(ws, 0, 0, "Notes", fm.title, fm.title)
    write_text(ws, 1, 0, "Sheet", fm.head, fm.head_q)
    write_text(ws, 1, 1, "Note", fm.head, fm.head_q)
    r = 2
    for note in tables.notes:
        write_text(ws, r, 0, "All", fm.text, fm.text_q)
        write_text(ws, r, 1, note, fm.text, fm.text_q)
        r += 1
    for name, lay in zip(names, layouts, strict=True):
        for note in lay.notes:
            write_text(ws, r, 0, name, fm.text, fm.text_q)
            write_text(ws, r, 1, note, fm.text, fm.text_q)
            r += 1
