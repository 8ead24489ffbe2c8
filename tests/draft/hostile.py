"""Hypothesis strategies that write hostile survey exports to disk, in every layout the
reader supports: 1, 2 (SurveyMonkey) or 3 (Qualtrics) header rows; csv in UTF-8, UTF-8
with BOM, UTF-16, cp1252 or CP949 with ``,`` ``;`` or tab; or xlsx.

Hostile features (each drawn independently, so any mix occurs):

* headers: exact duplicates, near-duplicates after normalisation (case, padding, NBSP,
  HTML ``<br>``), tabs and newlines inside, NUL bytes, very long text sharing a long
  common prefix;
* Qualtrics: Python-dict ImportIds (``{'ImportId': 'QID2-1'}``), duplicated export tags,
  export tags with spaces;
* option labels: near-duplicates after normalisation, padded, HTML, NBSP, long labels
  sharing their first 60 characters, labels that slug to the same code;
* cells: the missing markers tools write (``NA``, ``N/A``, ``#N/A``, ``#NULL!``, ``.``,
  ``NaN``, ``NULL``), blanks, numbers written ``3.0``;
* an R ``write.csv`` row-number column (empty header, 1..n).

Every respondent answers at least one question, so ``respondents`` is the number of data
rows the reader must keep.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter
from hypothesis import strategies as st

__all__ = ["Export", "exports", "write_export"]

MARKERS = ("NA", "N/A", "#N/A", "#NULL!", ".", "NaN", "NULL")
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "cp1252", "cp949")
_WORDS = ("Yes", "No", "Maybe", "Agree", "Strongly agree", "Disagree", "Red", "Blue",
          "Seoul", "Busan", "Café", "Señor", "국내", "해외", "매우 그렇다", "ok")
_LONG = ("Please indicate how strongly you agree with each of the following statements "
         "about your experience of working abroad during the last five years: ")


@dataclass
class Column:
    """One written column: its header cells (one per header row) and data cells."""

    header: list[str]
    cells: list[str | None]


@dataclass
class Export:
    """A generated export: where it is written, how, and how many respondents it holds."""

    layout: int
    fmt: str
    encoding: str
    delimiter: str
    columns: list[Column] = field(default_factory=list)
    respondents: int = 0
    features: set[str] = field(default_factory=set)

    @property
    def suffix(self) -> str:
        if self.fmt == "xlsx":
            return ".xlsx"
        return ".tsv" if self.delimiter == "\t" else ".csv"


def _mangle(draw: st.DrawFn, text: str, features: set[str], *, header: bool) -> str:
    """Apply one hostile transformation (or none) to a header or label."""
    kinds = ["plain", "upper", "lower", "pad", "nbsp", "html", "long"]
    if header:
        kinds += ["tab", "newline", "nul"]
    kind = draw(st.sampled_from(kinds))
    features.add(kind)
    if kind == "upper":
        return text.upper()
    if kind == "lower":
        return text.lower()
    if kind == "pad":
        return "   " + text.replace(" ", "     ") + "    "
    if kind == "nbsp":
        return text.replace(" ", "\u00a0") + "\u00a0"
    if kind == "html":
        return f"{text}<br>Please explain" if draw(st.booleans()) else f"<b>{text}</b>&nbsp;"
    if kind == "long":
        return _LONG + text
    if kind == "tab":
        return text.replace(" ", "\t") + "\t"
    if kind == "newline":
        return text + " \n(select one)\r\n"
    if kind == "nul":
        return text + "\x00"
    return text


def _label_set(draw: st.DrawFn, features: set[str]) -> list[str]:
    """2-5 option labels, hostile: near-duplicates after normalisation included."""
    base = draw(st.lists(st.sampled_from(_WORDS), min_size=2, max_size=5, unique=True))
    labels = [_mangle(draw, b, features, header=False) for b in base]
    if draw(st.booleans()):                      # a near-duplicate written differently
        features.add("label_near_duplicate")
        labels.append(draw(st.sampled_from([
            labels[0].upper() + " ", "  " + labels[0].replace(" ", "\u00a0"), f"<p>{labels[0]}</p>",
        ])))
    if draw(st.booleans()):                      # labels that agree in their first characters
        features.add("label_common_prefix")
        labels += [_LONG + "first option", _LONG + "second option"]
    if draw(st.booleans()):                      # labels that slug to the same code
        features.add("label_same_slug")
        labels += ["A & B", "A / B", "a-b"]
    return labels


def _marker_or(draw: st.DrawFn, value: str | None, features: set[str]) -> str | None:
    r = draw(st.integers(0, 9))
    if r == 0:
        return None
    if r == 1:
        m = draw(st.sampled_from(MARKERS))
        features.add(f"marker {m}")
        return m
    return value


@st.composite
def exports(draw: st.DrawFn) -> Export:
    """A hostile export (see the module docstring), not yet written."""
    fmt = draw(st.sampled_from(["csv", "xlsx"]))
    exp = Export(
        layout=draw(st.sampled_from([1, 2, 3])),
        fmt=fmt,
        encoding=draw(st.sampled_from(ENCODINGS)) if fmt == "csv" else "utf-8",
        delimiter=draw(st.sampled_from([",", ";", "\t"])) if fmt == "csv" else ",",
    )
    n = draw(st.integers(1, 8))
    exp.respondents = n
    f = exp.features
    qnum = 0

    def add(block: str, sub: str | None, text: str, cells: list[str | None], tag: str | None = None) -> None:
        nonlocal qnum
        qnum += 1
        if exp.layout == 1:
            head = [block]
        elif exp.layout == 2:
            head = [block, sub if sub is not None else "Response"]
        else:
            tag = tag or f"Q{qnum}"
            qid = f"QID{qnum}"
            import_id = (f"{{'ImportId': '{qid}'}}" if draw(st.booleans()) else f'{{"ImportId":"{qid}"}}')
            f.add("python_import_id" if import_id.startswith("{'") else "json_import_id")
            head = [tag, text, import_id]
        exp.columns.append(Column(head, cells))

    if exp.layout == 1 and draw(st.booleans()):
        f.add("r_row_numbers")
        exp.columns.append(Column([""], [str(i) for i in range(1, n + 1)]))
    # the first question is answered by everyone, so no respondent is a blank row
    id_header = {1: "Respondent ID", 2: "Respondent ID", 3: "ResponseId"}[exp.layout]
    ids = [f"R_{i:04d}" for i in range(1, n + 1)]
    if exp.layout == 2:
        exp.columns.append(Column([id_header, ""], ids))
    elif exp.layout == 3:
        exp.columns.append(Column(["ResponseId", "Response ID", '{"ImportId":"_recordId"}'], ids))
    else:
        exp.columns.append(Column([id_header], ids))
    headers_so_far: list[str] = []
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["single", "delimited", "integer", "text", "columns"]))
        if headers_so_far and draw(st.integers(0, 4)) == 0:
            f.add("duplicate_header")
            text = draw(st.sampled_from(headers_so_far))
        else:
            text = _mangle(draw, draw(st.sampled_from(_WORDS)) + " question", f, header=True)
        headers_so_far.append(text)
        tag = None
        if exp.layout == 3:
            tag = draw(st.sampled_from([f"Q{qnum + 1}", f"Q {qnum + 1}", "Q1", "my tag"]))
            if " " in tag:
                f.add("export_tag_with_space")
        if kind == "single":
            labels = _label_set(draw, f)
            cells = [_marker_or(draw, draw(st.sampled_from(labels)), f) for _ in range(n)]
            add(text, None, text, cells, tag)
        elif kind == "delimited":
            labels = _label_set(draw, f)
            cells = []
            for _ in range(n):
                chosen = draw(st.lists(st.sampled_from(labels), min_size=1, max_size=3, unique=True))
                cells.append(_marker_or(draw, "|".join(chosen), f))
            add(text, None, text, cells, tag)
        elif kind == "integer":
            cells = [_marker_or(draw, draw(st.sampled_from(["1", "2", "3.0", "-99", "1,200", "40"])), f)
                     for _ in range(n)]
            add(text, None, text, cells, tag)
        elif kind == "text":
            free = st.one_of(st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=20),
                             st.sampled_from(["\x1f", "a\tb", "line\nbreak", " ", "\u00a0"]))
            cells = [_marker_or(draw, draw(free), f) for _ in range(n)]
            add(text, None, text, cells, tag)
        else:
            labels = _label_set(draw, f)
            tick = draw(st.sampled_from(["1", "label"]))
            stem = tag or f"Q{qnum + 1}"
            for j, lab in enumerate(labels, start=1):
                on = "1" if tick == "1" else lab
                cells = [draw(st.sampled_from([on, None])) for _ in range(n)]
                if exp.layout == 1:
                    pattern = draw(st.sampled_from(["{s}_{j}", "{s}___{j}", "{s}[SQ00{j}]"]))
                    add(pattern.format(s=_slugish(text), j=j), None, text, cells)
                elif exp.layout == 2:
                    add(text if j == 1 else "", lab, text, cells)
                else:
                    add(f"{stem}_{j}", None, f"{text} - {lab}", cells, f"{stem}_{j}")
    return exp


def _slugish(text: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in text.strip())[:20] or "q"


def _rows(exp: Export) -> list[list[str]]:
    depth = exp.layout
    rows = [[c.header[k] for c in exp.columns] for k in range(depth)]
    for i in range(exp.respondents):
        rows.append([c.cells[i] or "" for c in exp.columns])
    return rows


def _encodable(text: str, encoding: str) -> str:
    codec = "utf-8" if encoding.startswith("utf") else encoding
    return text.encode(codec, errors="replace").decode(codec)


def write_export(exp: Export, folder: Path) -> Path:
    """Write ``exp`` into ``folder`` and return its path."""
    path = folder / f"export{exp.suffix}"
    rows = [[_encodable(cell, exp.encoding) for cell in row] for row in _rows(exp)]
    if exp.fmt == "xlsx":
        wb = xlsxwriter.Workbook(str(path))
        ws = wb.add_worksheet("Sheet1")
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                if cell == "":
                    continue
                if r >= exp.layout and cell.isascii() and cell.isdigit() and len(cell) < 6:
                    ws.write_number(r, c, int(cell))
                else:
                    ws.write_string(r, c, cell)
        wb.close()
        return path
    with open(path, "w", encoding=exp.encoding, newline="") as fh:
        writer = csv.writer(fh, delimiter=exp.delimiter, quoting=csv.QUOTE_MINIMAL)
        writer.writerows(rows)
    return path
