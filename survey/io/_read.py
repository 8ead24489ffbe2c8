"""``read_table``: any supported survey export to a :class:`RawTable`."""

from __future__ import annotations

import mmap
import os
from pathlib import Path

import polars as pl

from survey.io._csv import read_csv_grid
from survey.io._layout import HeaderRows, assemble, null_empty
from survey.io._model import ROW_COLUMN, Limits, RawTable, SourceColumn
from survey.io._sniff import sniff
from survey.io._stat import read_stat_file
from survey.io._util import column_letter, unreadable
from survey.io._xlsx import read_workbook_grid

__all__ = ["read_table"]

_EXTENSIONS = {
    "xlsx": (".xlsx", ".xlsm"),
    "xls": (".xls",),
    "csv": (".csv", ".tsv", ".txt", ".tab", ".dat", ""),
    "sav": (".sav", ".zsav"),
    "dta": (".dta",),
    "xpt": (".xpt", ".xport"),
    "sas7bdat": (".sas7bdat",),
}


def read_table(
    path: str | os.PathLike[str],
    *,
    sheet: str | None = None,
    header_rows: HeaderRows = "auto",
    encoding: str = "auto",
    delimiter: str = "auto",
    limits: Limits = Limits(),
) -> RawTable:
    """Read a survey export into an all-text :class:`RawTable` with its column map.

    The format is decided from the content, not the name: xlsx (calamine), legacy
    xls, delimited text (csv/tsv/txt), SPSS ``.sav``, Stata ``.dta`` (extended missing
    values ``.a``-``.z`` kept as codes), SAS transport ``.xpt`` and SAS ``.sas7bdat``
    (special missing values ``.A``-``.Z``, ``._``; value labels from a formats catalog
    beside it), all through pyreadstat.

    Parameters
    ----------
    path
        The file to read.
    sheet
        Workbooks: the sheet to read.  Default: the only visible sheet; with several
        visible sheets the first is read and a note says so.  Hidden sheets are read
        only when named.
    header_rows
        ``"auto"`` (default) detects Qualtrics' three rows (ImportId JSON in row 3),
        Qualtrics' legacy two rows, SurveyMonkey's two rows and else one; or 1, 2, 3.
    encoding
        Text files: ``"auto"`` (default: BOM, UTF-8, CP949, cp1252, reported in
        ``encoding`` and ``notes``) or a codec name used strictly.
    delimiter
        Text files: ``"auto"`` (default: sniffed among ``,`` tab ``;`` then ``|``) or one
        character.
    limits
        Size, row and column limits checked before and while reading.

    Returns
    -------
    RawTable
        Every cell a string (blank cells null) plus ``__row__``, the 1-based
        spreadsheet row (csv: record number; sav/dta/xpt/sas7bdat: case number).

    Raises
    ------
    UnreadableInputError
        The file is missing, empty, over a limit, corrupt, encrypted, not a table,
        a decompression bomb, carries XML entity declarations, or the sheet named
        does not exist.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "w.csv"
    >>> _ = p.write_text("Respondent ID,Age\\n0012345678,34\\n", encoding="utf-8")
    >>> t = read_table(p)
    >>> t.frame.rows(), t.layout, t.encoding
    ([(2, '0012345678', '34')], 'single', 'utf-8')
    """
    location = os.fspath(path)
    kind = sniff(location, limits)
    notes: list[str] = []
    ext = Path(location).suffix.lower()
    if ext not in _EXTENSIONS[kind]:
        named = f"named {ext}" if ext else "named without extension"
        notes.append(f"read as {kind} by content although the file is {named}")
    if sheet is not None and kind not in ("xlsx", "xls"):
        notes.append(f"sheet {sheet!r} ignored: a {kind} file has no sheets")
    if kind in ("sav", "dta", "xpt", "sas7bdat"):
        return _read_stat(location, kind, limits, notes)
    if kind in ("xlsx", "xls"):
        grid = read_workbook_grid(location, kind=kind, sheet=sheet, limits=limits)
        what = f"sheet {grid.sheet!r}"
        parts = assemble(
            grid.frame,
            first_row=1,
            positions=grid.positions,
            header_rows=header_rows,
            limits=limits,
            path=location,
            what=what,
        )
        return RawTable(
            frame=parts.frame,
            columns=parts.columns,
            path=location,
            file_format=kind,  # type: ignore[arg-type]
            layout=parts.layout,
            header_rows=parts.header_rows,
            sheet=grid.sheet,
            blank_rows=parts.blank_rows,
            notes=(*notes, *grid.notes, *parts.notes),
            date1904=grid.date1904,
            visible_sheets=grid.visible,
        )
    try:
        with open(location, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
            text = read_csv_grid(data, path=location, encoding=encoding, delimiter=delimiter,
                                 limits=limits)
    except OSError as exc:
        raise unreadable(f"cannot read the file: {exc.strerror or exc}", location) from None
    parts = assemble(
        text.frame,
        first_row=text.first_row,
        positions=range(text.frame.width),
        header_rows=header_rows,
        limits=limits,
        path=location,
        what="the file",
    )
    return RawTable(
        frame=parts.frame,
        columns=parts.columns,
        path=location,
        file_format="csv",
        layout=parts.layout,
        header_rows=parts.header_rows,
        encoding=text.encoding,
        delimiter=text.delimiter,
        blank_rows=parts.blank_rows,
        notes=(*notes, *text.notes, *parts.notes),
    )


def _read_stat(location: str, kind: str, limits: Limits, notes: list[str]) -> RawTable:
    stat = read_stat_file(location, kind=kind, limits=limits)
    frame = null_empty(stat.frame)
    if frame.width == 0:
        raise unreadable("the file has no variables", location)
    names = frame.columns
    frame = frame.with_columns(
        (pl.int_range(pl.len(), dtype=pl.UInt32) + 1).alias(ROW_COLUMN)
    ).select(ROW_COLUMN, *names)
    keep = pl.any_horizontal(pl.col(names).is_not_null())
    before = frame.height
    frame = frame.filter(keep)
    blank = before - frame.height
    if blank:
        notes.append(f"{blank} wholly blank case(s) skipped")
    columns = tuple(
        SourceColumn(
            index=j,
            letter=column_letter(j),
            header=(name,),
            block=name,
            sub=None,
            alt=stat.variable_labels.get(name),
            name=name,
        )
        for j, name in enumerate(names)
    )
    return RawTable(
        frame=frame,
        columns=columns,
        path=location,
        file_format=kind,  # type: ignore[arg-type]
        layout="single",
        header_rows=1,
        encoding=stat.encoding,
        blank_rows=blank,
        notes=(*notes, *stat.notes),
        value_labels=stat.value_labels,
        user_missing=stat.user_missing,
        variable_labels=stat.variable_labels,
        date_columns=stat.date_columns,
        text_columns=stat.text_columns,
    )
