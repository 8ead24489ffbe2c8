"""A crosstab laid out as display rows: the same arrangement for every renderer.

Layout only places numbers the table already holds; it computes no statistic.
"""

from __future__ import annotations

from dataclasses import dataclass

from survey.tables import Crosstab

__all__ = ["DisplayRow", "TableLayout", "layout"]

SUPPRESSED = "[c]"
LOW_BASE = "[u]"
NOT_APPLICABLE = "[z]"

_MAIN = {"column_pct": ("value", "pct"), "row_pct": ("row_pct", "pct"),
         "count": ("count", "int"), "unweighted_count": ("n", "int")}
_EXTRA_LABEL = {"column_pct": "column %", "row_pct": "row %", "count": "count",
                "unweighted_count": "unweighted n"}
_KIND_FMT = {"base": "int", "weighted_base": "int", "effective_base": "int",
             "mean_base": "int", "total_mentions": "int", "mean": "dec2", "sd": "dec2",
             "median": "dec2",
             "mentions": "pct"}


@dataclass(frozen=True)
class DisplayRow:
    """One line of a table: stub label, number format (``pct``, ``int``, ``dec2``;
    ``section`` for a heading line), a value per banner column (a number, or a
    marker such as ``[c]``) and the significance letters per column."""

    label: str
    fmt: str
    values: list[float | str]
    sig: list[str]
    kind: str


@dataclass(frozen=True)
class TableLayout:
    """A table ready to render."""

    title: str
    subtitle: str
    groups: list[str]
    labels: list[str]
    letters: list[str]
    rows: list[DisplayRow]
    notes: tuple[str, ...]
    low_base: list[bool]


def layout(table: Crosstab) -> TableLayout:
    """Display rows of ``table``: the main statistic of each stub row, then any extra
    statistics asked for (``show``), with markers for suppressed, low-base and empty
    cells."""
    C = len(table.columns)
    d = table.cells.to_dict(as_series=False)  # row-major: stub row, then column
    rows: list[DisplayRow] = []
    section = None
    flagged_cols = [False] * C
    for ri, row in enumerate(table.rows):
        lo = ri * C
        flags = d["flag"][lo:lo + C]
        if row.kind in ("category", "missing", "net") and not any(flagged_cols):
            flagged_cols = [f is not None for f in flags]
        if row.section and row.section != section:
            rows.append(DisplayRow(row.section, "section", [], [], "section"))
            section = row.section
        supp = d["suppressed"][lo:lo + C]
        sig = [s or "" for s in d["sig"][lo:lo + C]]
        stats = ([s for s in table.show] if row.kind in ("category", "missing", "net")
                 else [None])
        for k, stat in enumerate(stats):
            if stat is None:
                col, fmt = "value", _KIND_FMT.get(row.kind, "pct")
            else:
                col, fmt = _MAIN[stat]
            raw = d[col][lo:lo + C]
            vals: list[float | str] = [
                SUPPRESSED if s is not None else (NOT_APPLICABLE if v is None else v)
                for v, s in zip(raw, supp, strict=True)]
            label = row.label if k == 0 else f"  {_EXTRA_LABEL[stat or 'column_pct']}"
            marks = sig if k == 0 else [""] * C
            if row.kind == "mean":
                marks = [m or (LOW_BASE if f and not fc and s is None else "")
                         for m, f, fc, s in zip(marks, flags, flagged_cols, supp, strict=True)]
            rows.append(DisplayRow(label, fmt, vals, marks, row.kind))
    base_i = next(i for i, r in enumerate(rows) if r.kind == "base")
    rows[base_i] = DisplayRow(rows[base_i].label, rows[base_i].fmt, rows[base_i].values,
                              [LOW_BASE if f else "" for f in flagged_cols], "base")
    return TableLayout(
        title=table.title,
        subtitle=f"{table.question}. {table.base_label}",
        groups=[c.group_label for c in table.columns],
        labels=[c.label for c in table.columns],
        letters=[f"({c.letter})" if c.letter else "" for c in table.columns],
        rows=rows,
        notes=table.notes,
        low_base=flagged_cols,
    )
