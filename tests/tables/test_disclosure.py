"""Small-cell suppression: primary, complement, secondary, small columns, protection."""

from __future__ import annotations

import itertools

import numpy as np
import polars as pl
import pytest
from scipy.optimize import linprog

from survey.tables import Disclosure, crosstab
from survey.tables._disclosure import SuppressionPlan, grid_lines, suppress


def _frame(counts: dict[tuple[str, str], int]) -> pl.DataFrame:
    q, g = [], []
    for (row, col), k in counts.items():
        q += [row] * k
        g += [col] * k
    return pl.DataFrame({"q": q, "g": g})


def test_one_small_cell_forces_secondary_suppression():
    # rows a/b/c by columns x/y/z; only (a, x) = 4 is small, no complement is small
    counts = {("a", "x"): 4, ("a", "y"): 30, ("a", "z"): 25,
              ("b", "x"): 40, ("b", "y"): 35, ("b", "z"): 45,
              ("c", "x"): 50, ("c", "y"): 60, ("c", "z"): 12}
    t = crosstab(_frame(counts), "q", banner=["g"], significance=None)
    supp = {(r["row"], r["column"]): r["suppressed"]
            for r in t.cells.iter_rows(named=True) if r["suppressed"]}
    assert supp[("cat:a", "g=x")] == "primary"
    # row a (x + y + z = Total) would give (a, x) away: its smallest other cell,
    # (a, z) = 25, goes too; column x then needs a second cell: the smallest, (b, x) = 40;
    # column z needs one: (b, z) closes row b's gap as well (preferred to the smaller
    # (c, z) = 12, which would open row c): a rectangle of four cells
    assert supp[("cat:a", "g=z")] == "secondary"
    assert supp[("cat:b", "g=x")] == "secondary"
    assert supp[("cat:b", "g=z")] == "secondary"
    assert len(supp) == 4
    cell = t.cell("cat:a", "g=x")
    assert cell["n"] is None and cell["value"] is None and cell["count"] is None
    assert "4 cells suppressed" in " ".join(t.notes)
    _assert_protected(t)


def test_complement_is_suppressed():
    counts = {("a", "x"): 35, ("b", "x"): 3, ("a", "y"): 20, ("b", "y"): 20}
    t = crosstab(_frame(counts), "q", banner=["g"], significance=None)
    assert t.cell("cat:b", "g=x")["suppressed"] == "primary"
    assert t.cell("cat:a", "g=x")["suppressed"] == "complement"  # 38 - 35 = 3 people


@pytest.mark.parametrize("min_cell", [0, 1, 10])
def test_a_column_of_one_person_is_never_published(min_cell):
    counts = {("a", "x"): 30, ("b", "x"): 30, ("a", "y"): 1, ("a", "z"): 20, ("b", "z"): 25}
    t = crosstab(_frame(counts), "q", banner=["g"], significance=None,
                 disclosure=Disclosure(min_cell=min_cell))
    col = t.cells.filter(pl.col("column") == "g=y")
    assert col["suppressed"].is_not_null().all()
    assert col["n"].is_null().all() and col["value"].is_null().all()
    # its base could be recovered from Total minus the other columns: one more column goes
    other = t.cells.filter((pl.col("row") == "base") & (pl.col("column") != "total")
                           & pl.col("suppressed").is_not_null())
    assert other.height >= 2


def test_disclosure_none_keeps_small_cells():
    counts = {("a", "x"): 30, ("b", "x"): 3, ("a", "y"): 20, ("b", "y"): 20}
    t = crosstab(_frame(counts), "q", banner=["g"], significance=None, disclosure=None)
    assert t.cell("cat:b", "g=x")["n"] == 3


def test_letters_never_point_at_suppressed_cells():
    counts = {("a", "x"): 80, ("b", "x"): 20, ("a", "y"): 20, ("b", "y"): 80,
              ("a", "z"): 95, ("b", "z"): 5}
    t = crosstab(_frame(counts), "q", banner=["g"])
    assert t.cell("cat:b", "g=z")["suppressed"] is not None
    for rec in t.cells.iter_rows(named=True):
        if rec["sig"]:
            assert "C" not in rec["sig"].upper()


def test_heuristic_on_a_grid_leaves_no_line_with_one_suppression():
    rng = np.random.default_rng(7)
    for _ in range(50):
        R, C = rng.integers(3, 7), rng.integers(3, 7)
        body = rng.integers(0, 40, size=(R, C))
        body[:, 0] = body[:, 1:].sum(axis=1)  # Total column
        grid = np.vstack([body.sum(axis=0), body])  # base row first
        groups = [list(range(1, C))]
        lines = grid_lines(n_rows=R + 1, n_cols=C, groups=groups,
                           across_rows=list(range(R + 1)),
                           columns=[(list(range(1, R + 1)), 0)])
        plan = SuppressionPlan(grid, 0, {r: 0 for r in range(1, R + 1)}, tuple(lines))
        reason = suppress(plan, min_cell=10, min_column=10).ravel() > 0
        for line in lines:
            k = reason[list(line.cells)].sum() + reason[line.total]
            assert k != 1


def _assert_protected(t) -> None:
    """No suppressed count of a one-banner-group table is pinned down exactly by the
    published counts and the additive relations (row and column totals): linear
    programming bounds on each suppressed cell differ."""
    rows = [r.key for r in t.rows if r.kind in ("category", "missing")]
    cols = [c.key for c in t.columns]
    n = {(r["row"], r["column"]): r["n"] for r in t.cells.iter_rows(named=True)}
    base = {c: n[("base", c)] for c in cols}
    cells = list(itertools.product(rows, cols))
    unknown = [k for k in cells if n[k] is None]
    idx = {k: i for i, k in enumerate(unknown)}
    A, b = [], []

    def relation(members, total_key):
        coef = np.zeros(len(unknown))
        rhs = 0.0
        for m in members:
            if m in idx:
                coef[idx[m]] += 1
            else:
                rhs -= n[m]
        if total_key in idx:
            coef[idx[total_key]] -= 1
        elif isinstance(total_key, tuple):
            rhs += n[total_key]
        else:
            rhs += total_key
        A.append(coef)
        b.append(rhs)

    for c in cols:
        relation([(r, c) for r in rows], base[c])
    for r in rows:
        relation([(r, c) for c in cols[1:]], (r, cols[0]))
    for k, i in idx.items():
        obj = np.zeros(len(unknown))
        obj[i] = 1
        lo = linprog(obj, A_eq=np.array(A), b_eq=b, bounds=(0, None)).fun
        hi = -linprog(-obj, A_eq=np.array(A), b_eq=b, bounds=(0, None)).fun
        assert hi - lo >= 1, f"{k} recoverable: [{lo}, {hi}]"


def test_a_small_cell_of_a_rating_scale_never_takes_a_whole_column():
    """One cell of 4 (Neutral in column y) in a five-point scale with its mean, SD and
    boxes. The previous heuristic took base cells, which cost nothing by its count of
    exposed lines, and so hid every column whole (x: 493 people, y: 471, and the Total
    column) to protect the 4; counting a base as its whole column keeps every base."""
    from tests.tables.test_crosstab import LIKERT, _codebook

    counts = {"x": [84, 35, 81, 104, 189], "y": [164, 43, 4, 171, 89]}
    s = [LIKERT[i] for col in "xy" for i, k in enumerate(counts[col]) for _ in range(k)]
    g = [col for col in "xy" for k in counts[col] for _ in range(k)]
    frame = pl.DataFrame({"g": pl.Series(g).cast(pl.Enum(["x", "y"])),
                          "s": pl.Series(s).cast(pl.Enum(LIKERT)),
                          "s__missing": pl.Series([None] * len(s), dtype=pl.String)})
    t = crosstab(frame, "s", banner=["g"], codebook=_codebook(), significance=None)
    assert t.cell("cat:3 Neutral", "g=y")["suppressed"] == "primary"
    assert t.cells.filter(pl.col("row") == "base")["suppressed"].to_list() == [None] * 3
    assert [t.cell("base", c)["n"] for c in ("total", "g=x", "g=y")] == [964, 493, 471]
    assert [t.cell("cat:4 Agree", "g=y")["n"], t.cell("cat:5 Strongly agree", "g=y")["n"]] == [
        171, 89]
    assert t.cell("net:Top 2 box (4-5)", "g=x")["n"] == 293
    _assert_protected(t)
