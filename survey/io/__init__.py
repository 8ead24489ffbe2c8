"""File to raw table: xlsx, csv, sav and dta exports read as text with their header map.

>>> from survey.io import read_table  # doctest: +SKIP
>>> table = read_table("wave_2025.xlsx")  # doctest: +SKIP
>>> table.layout, table.header_rows, table.frame.columns[:2]  # doctest: +SKIP
('surveymonkey', 2, ['__row__', 'Respondent ID'])
"""

from __future__ import annotations

from survey.io._layout import detect_layout
from survey.io._metadata import FormMetadata, MetaChoice, MetaQuestion, read_metadata
from survey.io._model import ROW_COLUMN, Layout, Limits, RawTable, SourceColumn
from survey.io._read import read_table

__all__ = [
    "FormMetadata",
    "Layout",
    "Limits",
    "MetaChoice",
    "MetaQuestion",
    "ROW_COLUMN",
    "RawTable",
    "SourceColumn",
    "detect_layout",
    "read_metadata",
    "read_table",
]
