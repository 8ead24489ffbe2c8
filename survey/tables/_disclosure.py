"""Small-cell suppression of one table: primary, complementary and secondary cells.

The table is a grid of cells (stub rows x banner columns) each holding the number of
respondents it describes. Published totals tie cells together in *lines*: the
categories of a column add up to its base, a banner group's columns add up to the
Total column, a net is the sum of its parts. A suppressed cell that is alone in a line
is recovered by subtraction, so the classic heuristic (as sdcTable's simple
heuristic in spirit) gives every such line a second suppressed cell and repeats until
no line changes. The cell chosen is the one exposing the fewest new lines (ideally one
that closes another line's gap), then the smallest non-zero one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["REASONS", "Line", "SuppressionPlan", "suppress"]

REASONS: dict[int, str] = {
    1: "primary",      # fewer than min_cell respondents
    2: "complement",   # the rest of its column is fewer than min_cell respondents
    3: "column",       # the column's base is below the publishable minimum
    4: "secondary",    # protects another suppressed cell from subtraction
    5: "dependent",    # a mean or SD computed from suppressed cells
}


@dataclass(frozen=True)
class Line:
    """A published relation: ``cells`` (flat grid indices) add up to ``total``."""

    cells: tuple[int, ...]
    total: int


@dataclass(frozen=True)
class SuppressionPlan:
    """Everything :func:`suppress` needs to know about one table's grid.

    Attributes
    ----------
    counts
        ``(rows, columns)`` respondents behind each cell.
    base_row
        The grid row holding the column bases; suppressing one of its cells hides the
        whole column.
    complements
        ``row -> base row``: rows whose complement in the column (base minus cell) is
        also checked.
    lines
        Additive relations between published cells.
    depends
        ``(row, source rows)``: the cell of ``row`` is suppressed in every column where
        any source row's cell is (a mean hides nothing only if its scale cells show).
    skip_rows
        Rows not subject to the threshold (their count is not a count of people, such
        as the weighted base).
    """

    counts: np.ndarray
    base_row: int
    complements: dict[int, int]
    lines: tuple[Line, ...]
    depends: tuple[tuple[int, tuple[int, ...]], ...] = ()
    skip_rows: tuple[int, ...] = ()
    linked_rows: tuple[tuple[int, int], ...] = ()  # (row, follows row): same cells shown twice


def suppress(plan: SuppressionPlan, *, min_cell: int, min_column: int) -> np.ndarray:
    """Reason codes (:data:`REASONS`, 0 = published) for every cell of the grid."""
    counts = plan.counts
    R, C = counts.shape
    reason = np.zeros((R, C), dtype=np.int8)
    rows = np.array([r for r in range(R) if r not in plan.skip_rows], dtype=np.int64)
    if min_cell > 0:
        sub = counts[rows]
        small = (sub > 0) & (sub < min_cell)
        reason[rows] = np.where(small, 1, 0)
        for r, b in plan.complements.items():
            rest = counts[b] - counts[r]
            comp = (rest > 0) & (rest < min_cell) & (reason[r] == 0)
            reason[r] = np.where(comp, 2, reason[r])
    base = counts[plan.base_row]
    small_col = (base > 0) & (base < min_column)
    reason[:, small_col] = 3
    _follow(plan, reason)
    if not reason.any():
        return reason
    M = np.zeros((len(plan.lines), R * C), dtype=bool)
    totals = np.zeros(len(plan.lines), dtype=np.int64)
    for li, line in enumerate(plan.lines):
        M[li, list(line.cells)] = True
        M[li, line.total] = True
        totals[li] = line.total
    flat_counts = counts.ravel()
    Mi = M.astype(np.int64)
    for _ in range(10 * R * C):  # each pass suppresses at least one more cell
        flat = reason.ravel() > 0
        hidden = Mi @ flat
        alone = np.flatnonzero(hidden == 1)
        if alone.size == 0:
            break
        li = int(alone[0])
        cand = np.flatnonzero(M[li] & ~flat)
        parts = cand[cand != totals[li]]
        pool = parts if parts.size else cand
        if pool.size == 0:
            break
        # fewest new exposed lines first (a cell closing another line's gap is best),
        # then the smallest cell, preferring non-zero cells (a hidden zero protects little)
        effect = (hidden == 0).astype(np.int64) - (hidden == 1)
        cost = Mi[:, pool].T @ effect + 1  # +1: the line being fixed is not a cost
        size = flat_counts[pool]
        order = np.lexsort((size, size == 0, cost))
        pick = int(pool[order[0]])
        r, col = divmod(pick, C)
        if r == plan.base_row:
            reason[:, col] = np.where(reason[:, col] == 0, 4, reason[:, col])
        else:
            reason[r, col] = 4
        _follow(plan, reason)
    return reason


def _follow(plan: SuppressionPlan, reason: np.ndarray) -> None:
    for row, sources in plan.depends:
        hit = (reason[list(sources)] > 0).any(axis=0) & (reason[row] == 0)
        reason[row] = np.where(hit, 5, reason[row])
    for row, src in plan.linked_rows:
        hit = (reason[src] > 0) & (reason[row] == 0)
        reason[row] = np.where(hit, reason[src], reason[row])


def grid_lines(*, n_rows: int, n_cols: int, groups: Sequence[Sequence[int]],
               across_rows: Sequence[int], columns: Sequence[tuple[Sequence[int], int]]
               ) -> list[Line]:
    """Lines of a banner table: every row in ``across_rows`` adds up across each banner
    group to the Total column (column 0); every ``(parts, total_row)`` adds up down
    each column."""
    out: list[Line] = []
    for r in across_rows:
        for g in groups:
            if len(g):
                out.append(Line(tuple(r * n_cols + c for c in g), r * n_cols))
    for parts, total in columns:
        for c in range(n_cols):
            out.append(Line(tuple(p * n_cols + c for p in parts), total * n_cols + c))
    return out
