"""What the readers hand to the typing layer: a raw all-text table and its column map."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import polars as pl

__all__ = ["Layout", "Limits", "RawTable", "SourceColumn", "ROW_COLUMN"]

Layout = Literal["single", "surveymonkey", "qualtrics"]
ROW_COLUMN = "__row__"
"""Name of the UInt32 column holding each record's 1-based spreadsheet row (csv: record line)."""


@dataclass(frozen=True)
class Limits:
    """Resource limits applied before and while reading; each has a CLI flag to raise it.

    Defaults fit any real survey export while refusing decompression bombs.
    """

    max_file_bytes: int = 500 * 1024**2
    max_uncompressed_bytes: int = 4 * 1024**3
    max_compression_ratio: float = 200.0
    max_rows: int = 2_000_000
    max_columns: int = 5_000
    max_memory_bytes: int | None = None
    """Memory the xlsx reader may use (its estimated peak, see ``survey.io._memory``);
    None: half of the memory available to this process when the file is read."""


@dataclass(frozen=True)
class SourceColumn:
    """One column of the source file.

    ``block`` is the primary header: the single header row; SurveyMonkey's row 1
    forward-filled across a question block; Qualtrics' row 1 (column id).
    ``sub`` is SurveyMonkey's row-2 label (None when it is ``Response``,
    ``Open-Ended Response`` or blank). ``alt`` is another name the column answers
    to: Qualtrics' row-2 question text.  ``name`` is the column's unique name in
    :attr:`RawTable.frame` (``block``, then ``block__2`` ... for repeats).
    ``import_id`` is Qualtrics' row-3 ImportId (``QID5_2``), stable across exports
    when export tags are renamed; None for other layouts.
    """

    index: int
    letter: str
    header: tuple[str, ...]
    block: str
    sub: str | None
    alt: str | None
    name: str
    import_id: str | None = None


@dataclass(frozen=True)
class RawTable:
    """A source file read as text, every cell a string (or null when blank).

    ``frame`` has one Utf8 column per source column (named by ``SourceColumn.name``)
    and the UInt32 column ``__row__`` with each record's 1-based spreadsheet row.
    Wholly blank records are removed and counted in ``blank_rows``.
    ``date1904`` is true when an xlsx workbook uses the 1904 date system, so Excel
    serial numbers in it count days from 1904-01-01 rather than 1899-12-30.
    """

    frame: pl.DataFrame
    columns: tuple[SourceColumn, ...]
    path: str
    file_format: Literal["xlsx", "xls", "csv", "sav", "dta", "xpt", "sas7bdat"]
    layout: Layout
    header_rows: int
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    blank_rows: int = 0
    notes: tuple[str, ...] = ()
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    user_missing: dict[str, tuple[str, ...]] = field(default_factory=dict)
    variable_labels: dict[str, str] = field(default_factory=dict)
    date_columns: frozenset[str] = frozenset()
    text_columns: frozenset[str] = frozenset()
    """sav/dta/xpt/sas7bdat: variables stored as strings (text, whatever their cells look like)."""
    date1904: bool = False
    visible_sheets: tuple[str, ...] = ()
    """Workbooks: the visible sheets (the reader chose ``sheet`` among them)."""

    @property
    def n_rows(self) -> int:
        return self.frame.height
