"""Computed crosstabs: frozen records that renderers lay out and never recompute."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import polars as pl

from survey._display import format_number, html_table

__all__ = ["Column", "Crosstab", "CrosstabSet", "Row", "RowKind"]

RowKind = Literal[
    "base", "weighted_base", "effective_base", "category", "missing", "net",
    "mean", "sd", "median", "mean_base", "mentions", "total_mentions",
]
"""What a stub row holds. ``category``/``missing``/``net``: share of the column base
(for multiple choice, of respondents); ``mentions``: share of all mentions."""

PERCENT_KINDS = frozenset({"category", "missing", "net", "mentions"})
COUNT_KINDS = frozenset({"base", "weighted_base", "effective_base", "mean_base",
                         "total_mentions"})

CELL_SCHEMA: dict[str, Any] = {
    "row": pl.String,
    "column": pl.String,
    "n": pl.Int64,
    "value": pl.Float64,
    "count": pl.Float64,
    "row_pct": pl.Float64,
    "sig": pl.String,
    "flag": pl.String,
    "suppressed": pl.String,
}


@dataclass(frozen=True)
class Column:
    """A banner column: ``Total`` or one category of a banner variable.

    ``letter`` names the column in significance letters (None for Total, which is
    never tested against its parts).
    """

    key: str
    group: str
    group_label: str
    label: str
    letter: str | None = None


@dataclass(frozen=True)
class Row:
    """A stub row. ``section`` groups rows under a heading (``% of mentions``)."""

    key: str
    label: str
    kind: RowKind
    section: str | None = None


@dataclass(frozen=True, eq=False)
class Crosstab:
    """One banner table: a question down the side, the banner across the top.

    Attributes
    ----------
    question, title
        The row question's id and its text.
    kind
        ``single``, ``ordinal``, ``multiple`` or ``numeric``.
    base_label
        Who is in the percentage base, in words.
    columns, rows
        The banner columns (Total first) and the stub rows, in display order.
    cells
        Long polars frame, one row per stub row and column: ``row``, ``column``
        (keys), ``n`` (unweighted respondents), ``value`` (the row's statistic: a
        proportion for percentage rows, a mean, an SD or a base), ``count`` (weighted
        count), ``row_pct`` (share of the row's Total), ``sig`` (letters of the
        significantly lower columns), ``flag`` (``low_base``: not tested) and
        ``suppressed`` (the reason; every value of a suppressed cell is null).
    tests
        Whole-table tests, one row per banner group: ``group``, ``method``,
        ``statistic``, ``ndf``, ``ddf``, ``p_value``.
    notes
        Sentences a reader needs: base, test, levels, correction, suppression.
    show
        The cell statistics to display for percentage rows, first is the main one.
    weighted
        Whether weights were used.
    """

    question: str
    title: str
    kind: str
    base_label: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    cells: pl.DataFrame = field(repr=False)
    tests: pl.DataFrame = field(repr=False)
    notes: tuple[str, ...] = ()
    show: tuple[str, ...] = ("column_pct",)
    weighted: bool = False

    def to_frame(self) -> pl.DataFrame:
        """The cells with their row and column labels, one row per cell (long)."""
        rows = pl.DataFrame({"row": [r.key for r in self.rows],
                             "row_label": [r.label for r in self.rows],
                             "row_kind": [r.kind for r in self.rows],
                             "section": pl.Series([r.section for r in self.rows],
                                                  dtype=pl.String)})
        cols = pl.DataFrame({"column": [c.key for c in self.columns],
                             "group": [c.group for c in self.columns],
                             "column_label": [c.label for c in self.columns],
                             "letter": pl.Series([c.letter for c in self.columns],
                                                 dtype=pl.String)})
        out = (self.cells.join(rows, on="row", how="left", maintain_order="left")
               .join(cols, on="column", how="left", maintain_order="left"))
        front = ["row", "row_label", "row_kind", "section", "column", "group",
                 "column_label", "letter"]
        return out.select(pl.lit(self.question).alias("question"), *front,
                          *[c for c in out.columns if c not in front])

    def _repr_html_(self) -> str:
        """Jupyter: the banner table, main statistic per cell with its significance letters
        (``[c]`` suppressed), notes below."""
        C = len(self.columns)
        d = self.cells.to_dict(as_series=False)
        ints = {"base", "weighted_base", "effective_base", "mean_base", "total_mentions"}
        rows = []
        for ri, row in enumerate(self.rows):
            cells: list[object] = [row.label]
            for ci in range(C):
                i = ri * C + ci
                v = d["value"][i]
                if d["suppressed"][i] is not None:
                    cells.append("[c]")
                    continue
                text = ("" if v is None else f"{v:,.0f}" if row.kind in ints
                        else format_number(v) if row.kind in ("mean", "sd", "median")
                        else format_number(v, pct=True))
                cells.append(f"{text} {d['sig'][i]}".strip() if d["sig"][i] else text)
            rows.append(cells)
        heads = ["", *(f"{c.label} ({c.letter})" if c.letter else c.label for c in self.columns)]
        return html_table(heads, rows, title=self.title,
                          caption=" ".join([self.base_label, *self.notes]),
                          numeric=[False] + [True] * C)

    def cell(self, row: str, column: str) -> dict[str, Any]:
        """One cell as a dict (``row`` and ``column`` are keys, e.g. ``"cat:Male"``,
        ``"division=Engineering"``)."""
        hit = self.cells.filter((pl.col("row") == row) & (pl.col("column") == column))
        if hit.height != 1:
            raise KeyError(f"no cell ({row!r}, {column!r})")
        return hit.row(0, named=True)

    @property
    def n_suppressed(self) -> int:
        """Cells suppressed for disclosure control."""
        return int(self.cells["suppressed"].is_not_null().sum())


@dataclass(frozen=True, eq=False)
class CrosstabSet:
    """Crosstabs of several questions against one banner, with report-level notes."""

    title: str
    tables: tuple[Crosstab, ...]
    notes: tuple[str, ...] = ()
    meta: tuple[tuple[str, str], ...] = ()

    def __len__(self) -> int:
        return len(self.tables)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.tables)

    def _repr_html_(self) -> str:
        """Jupyter: every table, one after the other."""
        return "".join(t._repr_html_() for t in self.tables)

    def to_frame(self) -> pl.DataFrame:
        """Every table's cells, stacked (long)."""
        return pl.concat([t.to_frame() for t in self.tables], how="vertical_relaxed")
