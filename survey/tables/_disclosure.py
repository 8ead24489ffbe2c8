"""Small-cell suppression of one table: primary, complementary and secondary cells.

The table is a grid of cells (stub rows x banner columns) each holding the number of
respondents it describes. Published totals tie cells together in *lines*: the
categories of a column add up to its base, a banner group's columns add up to the
Total column, a net is the sum of its parts. A suppressed cell that is alone in a line
is recovered by subtraction, so the classic heuristic (as sdcTable's simple
heuristic in spirit) gives every such line a second suppressed cell and repeats until
no line changes. The cell chosen is the one exposing the fewest new lines (ideally one
that closes another line's gap), then the smallest non-zero one: the fewest respondents
hidden, the frequency cost of the ESSnet handbook's heuristics (tau-ARGUS). A column's
base counts as the whole column it hides (its percentages give the base away): with
every line that column meets, and with its base as its size. So a small cell is never
protected by hiding a large column when cells around it will do.
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
    skip_rows
        Rows not subject to the threshold (their count is not a count of people, such
        as the weighted base).
    linked_rows
        ``(row, source)``: the row is hidden wherever the source is (the same people
        shown again, or an SD that needs its mean).
    moments
        ``(row, source rows, coefficients (sources x columns))``: while the row's cell
        of a column is published, ``sum coefficient * source cell`` is known in that
        column (a mean m gives ``sum (code - m) n = 0``; an SD s adds
        ``sum ((code - m)^2 - s^2) n = -s^2``).
    priority
        Order in which cells are hidden to break an exact recovery (default 2).
    """

    counts: np.ndarray
    base_row: int
    complements: dict[int, int]
    lines: tuple[Line, ...]
    skip_rows: tuple[int, ...] = ()
    linked_rows: tuple[tuple[int, int], ...] = ()  # (row, follows row): same cells shown twice
    moments: tuple[tuple[int, tuple[int, ...], np.ndarray], ...] = ()
    priority: tuple[tuple[int, int], ...] = ()  # (row, rank): lower ranks are hidden first


def suppress(plan: SuppressionPlan, *, min_cell: int, min_column: int) -> np.ndarray:
    """Reason codes (:data:`REASONS`, 0 = published) for every cell of the grid.

    Primary cells first (threshold, complement, small column); then, repeatedly, the
    line heuristic, and a linear-algebra check that no hidden cell is determined by
    the published relations (lines and the moments of means and SDs: a hidden cell
    is determined when its unit vector lies in the row space of the relations
    restricted to the hidden cells). A determined cell gets one more hidden cell in
    a relation with it: an SD first, then a mean, then the cell exposing the fewest
    lines.
    """
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
    A, owner = _relations(plan, R, C)
    M = A != 0
    M[owner >= 0, owner[owner >= 0]] = True
    Mi = M.astype(np.int64)
    totals = np.array([ln.total for ln in plan.lines], dtype=np.int64)
    flat_counts = counts.ravel()
    prio = np.full(R, 2, dtype=np.int64)
    for r, p in plan.priority:
        prio[r] = p
    prio_flat = np.repeat(prio, C)
    n_lines = len(plan.lines)
    for _ in range(10 * R * C):  # each pass hides at least one more cell
        flat = reason.ravel() > 0
        hidden = Mi[:n_lines] @ flat
        alone = np.flatnonzero(hidden == 1)
        if alone.size:
            li = int(alone[0])
            cand = np.flatnonzero(M[li] & ~flat)
            parts = cand[cand != totals[li]]
            pool = parts if parts.size else cand
            first_key = np.zeros(pool.size, dtype=np.int64)
        else:
            active = (owner < 0) | ~flat[np.maximum(owner, 0)]
            x = _determined(A[active], flat)
            if x is None:
                break
            cand = np.flatnonzero(M[active & M[:, x]].any(axis=0) & ~flat)
            pool = cand
            first_key = prio_flat[pool]
        if pool.size == 0:
            break
        # fewest new exposed lines first (a cell closing another line's gap is best; a
        # base cell takes its whole column, so it counts every line that column meets),
        # then a non-zero cell (a hidden zero protects little), then the smallest (the
        # fewest respondents hidden; a base: its column's). When only bases can close
        # the line (a small column's base), the smallest column goes.
        size = flat_counts[pool]
        cost = _exposed(pool, flat, hidden, M[:n_lines], plan.base_row, C)
        if (pool // C == plan.base_row).all():
            cost[:] = 0
        order = np.lexsort((size, size == 0, cost, first_key))
        pick = int(pool[order[0]])
        r, col = divmod(pick, C)
        if r == plan.base_row:
            reason[:, col] = np.where(reason[:, col] == 0, 4, reason[:, col])
        else:
            reason[r, col] = 4
        _follow(plan, reason)
    return reason


def _exposed(pool: np.ndarray, flat: np.ndarray, hidden: np.ndarray, lines: np.ndarray,
             base_row: int, C: int) -> np.ndarray:
    """For each candidate, the lines it would leave with one hidden cell minus those whose
    gap it closes. A base cell hides its whole column (its percentages give the base
    away), so it is counted with every cell of that column still published."""
    gone = np.zeros((flat.size, pool.size), dtype=bool)
    gone[pool, np.arange(pool.size)] = True
    for k in np.flatnonzero(pool // C == base_row):
        gone[int(pool[k]) % C::C, k] = True
    gone &= ~flat[:, None]
    meets = lines.astype(np.int64) @ gone
    opened = ((hidden == 0)[:, None] & (meets == 1)).sum(axis=0)
    closed = ((hidden == 1)[:, None] & (meets >= 1)).sum(axis=0)
    return (opened - closed).astype(np.int64)


def _relations(plan: SuppressionPlan, R: int, C: int) -> tuple[np.ndarray, np.ndarray]:
    """One row per relation over the flat grid: lines (parts +1, total -1), then each
    moment per column; and the flat index of the moment cell owning each row (-1 for
    lines): a moment relation holds only while its cell is published."""
    n_mom = sum(1 for _ in plan.moments) * C
    A = np.zeros((len(plan.lines) + n_mom, R * C))
    owner = np.full(A.shape[0], -1, dtype=np.int64)
    for li, line in enumerate(plan.lines):
        A[li, list(line.cells)] = 1.0
        A[li, line.total] = -1.0
    k = len(plan.lines)
    for row, sources, coef in plan.moments:
        for c in range(C):
            if np.all(np.isfinite(coef[:, c])):
                A[k, [s * C + c for s in sources]] = coef[:, c]
                owner[k] = row * C + c
            k += 1
    return A, owner


def _determined(A: np.ndarray, hidden: np.ndarray) -> int | None:
    """A hidden cell the relations pin down exactly (None if every one is free).

    Reduced row echelon form of the relations restricted to the hidden cells: a cell
    is determined when it is a pivot whose row has no free (non-pivot) entries, i.e.
    its unit vector lies in the row space. Plain numpy elimination: the systems are
    small, and LAPACK's thread start-up costs more than the work here.
    """
    H = np.flatnonzero(hidden)
    m = A[:, H]
    m = m[np.any(m != 0, axis=1)].copy()
    if m.shape[0] == 0:
        return None
    scale = np.abs(m).max(axis=1, keepdims=True)
    m /= scale
    tol = 1e-9
    pivots: list[int] = []
    r = 0
    for c in range(m.shape[1]):
        if r == m.shape[0]:
            break
        p = r + int(np.argmax(np.abs(m[r:, c])))
        if abs(m[p, c]) <= tol:
            continue
        if p != r:
            m[[r, p]] = m[[p, r]]
        m[r] /= m[r, c]
        col = m[:, c].copy()
        col[r] = 0.0
        nz = np.abs(col) > tol
        if nz.any():
            m[nz] -= np.outer(col[nz], m[r])
        pivots.append(c)
        r += 1
    free = np.ones(m.shape[1], dtype=bool)
    free[pivots] = False
    for i, c in enumerate(pivots):
        if not (np.abs(m[i, free]) > tol).any():
            return int(H[c])
    return None


def _follow(plan: SuppressionPlan, reason: np.ndarray) -> None:
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
