"""The validation report: every problem with file, sheet, row, column, value and reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from survey._display import html_frame
from survey.errors import ValidationError

__all__ = ["PROBLEM_SCHEMA", "REASONS", "ValidationReport"]

REASONS: dict[str, str] = {
    "unknown_option": "not one of the question's options",
    "not_a_number": "text in a number column",
    "not_an_integer": "a fraction in an integer column",
    "out_of_range": "outside the codebook's range",
    "not_a_date": "not a recognisable date",
    "required_missing": "a required answer is blank",
    "duplicate_id": "the respondent id repeats",
    "missing_column": "a codebook column is not in the file",
    "extra_column": "a file column is not in the codebook",
    "ambiguous_sheet": "several visible sheets and the codebook names none",
    "no_respondents": "header rows but no data rows",
}

PROBLEM_SCHEMA: dict[str, pl.DataType] = {
    "file": pl.String(),
    "sheet": pl.String(),
    "row": pl.UInt32(),
    "column": pl.String(),
    "cell": pl.String(),
    "question": pl.String(),
    "value": pl.String(),
    "reason": pl.String(),
    "severity": pl.String(),
    "message": pl.String(),
}


@dataclass(frozen=True)
class ValidationReport:
    """Everything validation found in one source file.

    ``problems`` is a frame with the columns of :data:`PROBLEM_SCHEMA`: ``row`` is the
    1-based spreadsheet row (null for problems of a whole column), ``reason`` a stable
    slug (:data:`REASONS`), ``severity`` ``error`` or ``warning``.
    """

    file: str
    sheet: str | None
    file_format: str
    layout: str
    header_rows: int
    encoding: str | None
    n_rows: int
    n_columns: int
    blank_rows: int = 0
    notes: tuple[str, ...] = ()
    problems: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=PROBLEM_SCHEMA))

    @property
    def n_errors(self) -> int:
        return int((self.problems["severity"] == "error").sum())

    @property
    def n_warnings(self) -> int:
        return int((self.problems["severity"] == "warning").sum())

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return self.n_errors == 0

    def to_frame(self) -> pl.DataFrame:
        """The problems, one row each."""
        return self.problems

    def _repr_html_(self) -> str:
        """Jupyter: the file in a title, the problems (long lists shortened) below."""
        where = self.file + (f" [sheet {self.sheet}]" if self.sheet else "")
        cols = [c for c in ("severity", "reason", "row", "column", "value", "message")
                if c in self.problems.columns]
        return html_frame(self.problems.select(cols),
                          title=f"{where}: {self.n_errors} errors, {self.n_warnings} warnings",
                          caption=f"{self.n_rows} rows, {self.n_columns} columns, layout "
                                  f"{self.layout}")

    def counts(self) -> pl.DataFrame:
        """Number of problems by severity and reason."""
        return (
            self.problems.group_by("severity", "reason")
            .len("n")
            .sort("severity", "n", "reason", descending=[False, True, False])
        )

    def summary(self) -> dict[str, Any]:
        """Small summary for manifests: counts, no cell values."""
        return {
            "file": self.file,
            "sheet": self.sheet,
            "format": self.file_format,
            "layout": self.layout,
            "header_rows": self.header_rows,
            "encoding": self.encoding,
            "rows": self.n_rows,
            "columns": self.n_columns,
            "blank_rows_skipped": self.blank_rows,
            "errors": self.n_errors,
            "warnings": self.n_warnings,
            "by_reason": {f"{r['severity']}:{r['reason']}": r["n"] for r in self.counts().to_dicts()},
            "notes": list(self.notes),
            "ok": self.ok,
        }

    def to_dict(self, *, max_problems: int | None = None) -> dict[str, Any]:
        """The summary plus the problems (all, or the first ``max_problems``)."""
        probs = self.problems if max_problems is None else self.problems.head(max_problems)
        return {**self.summary(), "problems": probs.to_dicts()}

    def raise_if_invalid(self) -> None:
        """Raise :class:`ValidationError` carrying this report when there are errors."""
        if not self.ok:
            first = self.problems.filter(pl.col("severity") == "error").head(5)["message"].to_list()
            raise ValidationError(
                f"{self.n_errors} error(s) in validation",
                report=self,
                location=self.file,
                problems=first,
                hint="run `survey validate` for the full report; --rejects FILE writes the bad rows",
            )

    def to_text(self, *, max_problems: int = 50) -> str:
        """A readable report (plain text) for terminals and logs."""
        where = self.file + (f" [sheet {self.sheet}]" if self.sheet else "")
        lines = [
            f"{where}: {self.n_rows} rows, {self.n_columns} columns, layout {self.layout} "
            f"({self.header_rows} header row{'s' if self.header_rows > 1 else ''})"
            + (f", encoding {self.encoding}" if self.encoding else ""),
            *(f"note: {n}" for n in self.notes),
        ]
        if self.problems.is_empty():
            lines.append("valid: no problems found")
            return "\n".join(lines)
        lines.append(f"{self.n_errors} error(s), {self.n_warnings} warning(s)")
        for r in self.counts().to_dicts():
            lines.append(f"  {r['n']:>6}  {r['severity']:<7} {r['reason']}")
        shown = self.problems.head(max_problems)
        for p in shown.to_dicts():
            place = f"row {p['row']}" if p["row"] is not None else "header"
            col = f", column {p['column']!r}" if p["column"] else ""
            lines.append(f"{p['severity']}: {place}{col}: {p['message']}")
        if self.problems.height > max_problems:
            lines.append(f"... and {self.problems.height - max_problems} more (use --format json or --rejects)")
        return "\n".join(lines)
