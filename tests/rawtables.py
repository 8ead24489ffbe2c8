"""Build RawTables by hand for typing-layer tests (no file reading involved)."""

from __future__ import annotations

import polars as pl

from survey.io._model import ROW_COLUMN, RawTable, SourceColumn
from survey.io._util import column_letter


def raw_table(columns: dict[str, list[str | None]], *, subs: dict[str, str] | None = None,
              header_rows: int = 1, path: str = "test.csv") -> RawTable:
    """One column per key; ``subs`` gives SurveyMonkey-style row-2 labels ("block / sub" keys)."""
    cols = []
    data = {}
    for i, name in enumerate(columns):
        block, _, sub = name.partition(" / ")
        cols.append(SourceColumn(i, column_letter(i), (block, sub) if sub else (block,), block,
                                 sub or None, None, name))
        data[name] = pl.Series(name, columns[name], dtype=pl.String)
    n = len(next(iter(columns.values()))) if columns else 0
    frame = pl.DataFrame(data).with_columns(
        pl.Series(ROW_COLUMN, range(header_rows + 1, header_rows + 1 + n), dtype=pl.UInt32))
    layout = "surveymonkey" if header_rows == 2 else "single"
    return RawTable(frame, tuple(cols), path, "csv", layout, header_rows)
