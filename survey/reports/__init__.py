"""Rendering of computed tables: xlsx workbooks, Markdown, CSV. No statistics here."""

from survey.reports._labelled import LabelledExport, export_labelled
from survey.reports._layout import DisplayRow, TableLayout, layout
from survey.reports._safe import clean_text, csv_text, is_risky, markdown_text
from survey.reports._text import to_csv, to_markdown, write_csv, write_markdown
from survey.reports._xlsx import write_xlsx

__all__ = [
    "DisplayRow",
    "LabelledExport",
    "TableLayout",
    "clean_text",
    "csv_text",
    "export_labelled",
    "is_risky",
    "layout",
    "markdown_text",
    "to_csv",
    "to_markdown",
    "write_csv",
    "write_markdown",
    "write_xlsx",
]
