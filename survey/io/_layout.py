"""Header layout detection and assembly of the raw all-text frame.

Every reader produces a *grid*: a frame of String columns holding the sheet or
file as it is, header rows included, together with the spreadsheet row of its
first record and the absolute position of each column.  :func:`assemble` finds
the header rows (one; SurveyMonkey's two; Qualtrics' three, or the legacy two),
builds the :class:`SourceColumn` map and returns the data rows with ``__row__``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import polars as pl

from survey._text import normalize_key
from survey.io._model import ROW_COLUMN, Layout, Limits, SourceColumn
from survey.io._util import column_letter, unreadable

__all__ = ["Assembled", "HeaderRows", "assemble", "detect_layout", "null_empty"]

HeaderRows = int | Literal["auto"]

_IMPORT_ID = re.compile(r"""^\s*\{\s*["']ImportId["']\s*:""")
_IMPORT_ID_VALUE = re.compile(r"""["']ImportId["']\s*:\s*["']([^"']*)["']""")
_SM_ANSWER_LABELS = frozenset({"response", "open-ended response"})
_QUALTRICS_ID_HEADERS = frozenset({"responseid", "v1"})
_QUALTRICS_ID_LABELS = frozenset({"response id", "responseid"})
_MAX_LISTED = 5


@dataclass(frozen=True)
class Assembled:
    """The data rows of a grid with their column map (see :func:`assemble`)."""

    frame: pl.DataFrame
    columns: tuple[SourceColumn, ...]
    layout: Layout
    header_rows: int
    blank_rows: int
    notes: tuple[str, ...]


def _blank(cell: str | None) -> bool:
    return cell is None or not cell.replace("\x00", "").strip()


def _clean(cell: str | None) -> str:
    return "" if cell is None else cell.replace("\x00", "").strip()


def _is_import_id_row(row: Sequence[str | None]) -> bool:
    cells = [c for c in row if not _blank(c)]
    hits = sum(1 for c in cells if _IMPORT_ID.match(c or ""))
    return bool(cells) and hits * 2 > len(cells)


def _is_qualtrics_legacy(r1: Sequence[str | None], r2: Sequence[str | None]) -> bool:
    for j, cell in enumerate(r1):
        if normalize_key(cell) in _QUALTRICS_ID_HEADERS and j < len(r2):
            if normalize_key(r2[j]) in _QUALTRICS_ID_LABELS:
                return True
    return False


def _is_surveymonkey(r1: Sequence[str | None], r2: Sequence[str | None]) -> bool:
    answer_labels = sum(1 for c in r2 if not _blank(c) and normalize_key(c) in _SM_ANSWER_LABELS)
    # Metadata columns: a name in row 1 above a blank (or NUL-filled) row-2 cell.
    meta_blank = any(not _blank(a) and _blank(b) for a, b in zip(r1, r2, strict=False))
    # One "Response" could be an answer in a data row; two, or one beside the
    # blank metadata cells of an export, are SurveyMonkey's row 2.
    if answer_labels >= 2 or (answer_labels and meta_blank):
        return True
    if not meta_blank:
        return False
    # A question block: row-1 text written once above several labelled row-2 cells.
    start: int | None = None
    for j, (a, b) in enumerate(zip(r1, r2, strict=False)):
        if not _blank(a):
            start = j if not _blank(b) else None
        elif start is not None and not _blank(b):
            return True
        else:
            start = None
    return False


def detect_layout(rows: Sequence[Sequence[str | None]]) -> tuple[Layout, int]:
    """Return the header layout and the number of header rows of a table's top rows.

    Parameters
    ----------
    rows
        The first (up to) three rows, starting at the first non-blank row.

    Returns
    -------
    tuple
        ``("qualtrics", 3)`` when row 3 holds ImportId JSON (double- or single-quoted);
        ``("qualtrics", 2)`` for the legacy exporter (``ResponseID``/``V1`` above
        ``Response ID``); ``("surveymonkey", 2)`` when row 2 is blank under some
        row-1 name (metadata columns) and holds ``Response`` / ``Open-Ended Response``
        or option labels under a row-1 block (or holds two or more of those labels);
        else ``("single", 1)``.

    >>> detect_layout([["Q1"], ["How old are you?"], ['{"ImportId":"QID1"}']])
    ('qualtrics', 3)
    >>> detect_layout([["Respondent ID", "Age"], [None, "Response"], ["1", "30"]])
    ('surveymonkey', 2)
    >>> detect_layout([["id", "outcome"], ["1", "Response"]])
    ('single', 1)
    """
    if len(rows) >= 3 and _is_import_id_row(rows[2]):
        return "qualtrics", 3
    if len(rows) >= 2 and _is_qualtrics_legacy(rows[0], rows[1]):
        return "qualtrics", 2
    if len(rows) >= 2 and _is_surveymonkey(rows[0], rows[1]):
        return "surveymonkey", 2
    return "single", 1


def _layout_for(
    rows: Sequence[Sequence[str | None]], header_rows: HeaderRows
) -> tuple[Layout, int]:
    if header_rows == "auto":
        return detect_layout(rows)
    if header_rows not in (1, 2, 3):
        raise ValueError(f"header_rows must be 1, 2, 3 or 'auto', got {header_rows!r}")
    if header_rows == 1:
        return "single", 1
    if header_rows == 3:
        return "qualtrics", 3
    if len(rows) >= 2 and _is_qualtrics_legacy(rows[0], rows[1]):
        return "qualtrics", 2
    return "surveymonkey", 2


def _unique_names(bases: Sequence[str]) -> tuple[list[str], list[str]]:
    taken = {ROW_COLUMN}
    names: list[str] = []
    renamed: list[str] = []
    for base in bases:
        name, n = base, 1
        while name in taken:
            n += 1
            name = f"{base}__{n}"
        if name != base:
            renamed.append(f"{base!r} -> {name!r}")
        taken.add(name)
        names.append(name)
    notes = []
    if renamed:
        more = f" and {len(renamed) - _MAX_LISTED} more" if len(renamed) > _MAX_LISTED else ""
        notes.append(
            f"{len(renamed)} duplicate column name(s) made unique: "
            + ", ".join(renamed[:_MAX_LISTED])
            + more
        )
    return names, notes


def build_columns(
    rows: Sequence[Sequence[str | None]],
    layout: Layout,
    positions: Sequence[int],
) -> tuple[list[SourceColumn], list[str]]:
    """Return the column map of the header ``rows`` (one row per header row) and notes."""
    width = len(positions)
    grid = [[(row[j] if j < len(row) else None) for j in range(width)] for row in rows]
    blocks: list[str] = []
    subs: list[str | None] = []
    alts: list[str | None] = []
    current = ""
    for j in range(width):
        first = _clean(grid[0][j]) if grid else ""
        second = _clean(grid[1][j]) if len(grid) > 1 else ""
        if layout == "surveymonkey":
            current = first or current
            blocks.append(current)
            keep = second and normalize_key(second) not in _SM_ANSWER_LABELS
            subs.append(second if keep else None)
            alts.append(None)
        else:
            blocks.append(first)
            subs.append(None)
            alts.append((second or None) if layout == "qualtrics" else None)
    bases = []
    for j, (block, sub) in enumerate(zip(blocks, subs, strict=True)):
        if not block:
            bases.append(f"column_{column_letter(positions[j])}")
        else:
            bases.append(f"{block} / {sub}" if sub else block)
    names, notes = _unique_names(bases)
    import_ids: list[str | None] = [None] * width
    if layout == "qualtrics" and len(grid) > 2:
        for j, cell in enumerate(grid[2]):
            found = _IMPORT_ID_VALUE.search(cell or "")
            import_ids[j] = found.group(1) if found else None
    columns = [
        SourceColumn(
            index=positions[j],
            letter=column_letter(positions[j]),
            header=tuple((row[j] or "") for row in grid),
            block=blocks[j],
            sub=subs[j],
            alt=alts[j],
            name=names[j],
            import_id=import_ids[j],
        )
        for j in range(width)
    ]
    return columns, notes


def null_empty(frame: pl.DataFrame) -> pl.DataFrame:
    """Return ``frame`` with empty strings in its String columns turned into nulls (only
    the columns that hold one are rewritten)."""
    text = [c for c, dtype in frame.schema.items() if dtype == pl.String]
    if not text or frame.height == 0:
        return frame
    shortest = frame.select(pl.col(text).str.len_bytes().min()).row(0)
    exprs = [pl.when(pl.col(c) != "").then(pl.col(c)).alias(c)
             for c, n in zip(text, shortest, strict=True) if n == 0]
    return frame.with_columns(exprs) if exprs else frame


def _is_row_numbers(column: pl.Series, header: Sequence[str | None]) -> bool:
    """A first column with no header whose cells are 1, 2, ..., n in order (R ``write.csv``)."""
    if column.len() == 0 or not all(_blank(h) for h in header):
        return False
    expected = pl.int_range(1, column.len() + 1, eager=True).cast(pl.String)
    return bool((column.str.strip_chars().str.replace(r"\.0+$", "") == expected).fill_null(False).all())


def assemble(
    grid: pl.DataFrame,
    *,
    first_row: int,
    positions: Sequence[int],
    header_rows: HeaderRows,
    limits: Limits,
    path: str,
    what: str,
) -> Assembled:
    """Split a grid into header and data rows and build the raw table parts.

    Parameters
    ----------
    grid
        All-String frame of the table as stored, header rows included.
    first_row
        1-based spreadsheet row (csv: record number) of the grid's first row.
    positions
        0-based absolute column index of each grid column (gives the letter).
    header_rows
        ``"auto"`` or 1, 2, 3 (see :func:`detect_layout`).
    limits
        ``max_rows`` and ``max_columns`` are enforced here.
    path, what
        For messages: the file and the part read (``"sheet 'Data'"``).
    """
    if grid.width == 0 or grid.height == 0:
        raise unreadable(f"{what} is empty: no cells to read", path, "check the file or the sheet")
    if grid.width > limits.max_columns:
        raise unreadable(
            f"{what} has {grid.width} columns, over the limit of {limits.max_columns}",
            path,
            "if this file is genuine, raise the column limit (--max-columns N; Limits(max_columns=N))",
        )
    tmp = [f"_c{j}" for j in range(grid.width)]
    grid = null_empty(grid.rename(dict(zip(grid.columns, tmp, strict=True))))
    has_data = grid.select(pl.any_horizontal(pl.all().is_not_null())).to_series()
    start = has_data.arg_true()
    if start.len() == 0:
        raise unreadable(
            f"{what} is empty: every cell is blank", path, "check the file or the sheet"
        )
    h0 = int(start[0])
    top = grid.slice(h0, 3).rows()
    layout, k = _layout_for(top, header_rows)
    header = top[:k]
    while len(header) < k:
        header.append((None,) * grid.width)
    data = grid.slice(h0 + k)
    keep = has_data.slice(h0 + k)
    offset = first_row + h0 + k
    data = data.with_columns(
        (pl.int_range(pl.len(), dtype=pl.UInt32) + offset).alias(ROW_COLUMN)
    )
    blank_rows = int(keep.len() - keep.sum())
    if blank_rows:
        data = data.filter(keep)
    if data.height > limits.max_rows:
        raise unreadable(
            f"{what} has {data.height} data rows, over the limit of {limits.max_rows}",
            path,
            "if this file is genuine, raise the row limit (--max-rows N; Limits(max_rows=N) in Python)",
        )
    # Trailing columns with no header and no data are formatting debris.
    width = grid.width
    if width:
        counts = data.select(pl.col(tmp).is_not_null().sum()).row(0)
        while width > 1 and counts[width - 1] == 0 and all(_blank(r[width - 1]) for r in header):
            width -= 1
    first = 0
    if width > 1 and _is_row_numbers(data.get_column(tmp[0]), [r[0] for r in header]):
        first = 1                      # R write.csv row names: not a question
    columns, notes = build_columns([r[first:] for r in header], layout, positions[first:width])
    if first:
        notes.insert(0, f"column {column_letter(positions[0])} (no header, 1..{data.height}) "
                        "holds row numbers written by R's write.csv: not read")
    if k > 1 or layout != "single":
        notes.insert(0, f"header layout {layout!r} with {k} header row(s)")
    if blank_rows:
        notes.append(f"{blank_rows} wholly blank row(s) skipped")
    frame = pl.DataFrame([                  # the same buffers, renamed: no copy
        data.get_column(ROW_COLUMN),
        *(data.get_column(tmp[first + j]).alias(col.name) for j, col in enumerate(columns)),
    ])
    return Assembled(frame, tuple(columns), layout, k, blank_rows, tuple(notes))
