"""One table's numbers before testing and suppression: stub rows x banner columns."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from survey.estimators._qrules import qrule
from survey.tables._model import Row
from survey.tables._questions import RowQuestion
from survey.tables._tabulate import Sums, Tabulator

__all__ = ["Grid", "build_grid"]


@dataclass
class Grid:
    """Numbers of one table, row by row, with what the tests and suppression need.

    ``n`` respondents behind each cell; ``value`` the statistic shown; ``count``
    weighted counts (percentage rows); ``var`` per-cell variance of a mean row;
    ``neff`` effective base behind each cell (tests); ``test_rows`` rows compared
    with the proportion test, ``mean_rows`` with the t-test.
    """

    rows: list[Row]
    n: np.ndarray
    value: np.ndarray
    count: np.ndarray
    neff: np.ndarray
    var: np.ndarray
    test_rows: list[int] = field(default_factory=list)
    mean_rows: list[int] = field(default_factory=list)
    complements: dict[int, int] = field(default_factory=dict)
    across: list[int] = field(default_factory=list)
    down: list[tuple[list[int], int]] = field(default_factory=list)
    moments: list[tuple[int, tuple[int, ...], np.ndarray]] = field(default_factory=list)
    priority: list[tuple[int, int]] = field(default_factory=list)
    skip: list[int] = field(default_factory=list)
    linked: list[tuple[int, int]] = field(default_factory=list)
    table_rows: list[int] = field(default_factory=list)  # rows of the whole-table test
    sums: Sums | None = None  # cell sums of table_rows (whole-table test)
    unasked: list[str] = field(default_factory=list)  # options some columns were not asked


class _Builder:
    def __init__(self, C: int) -> None:
        self.C = C
        self.rows: list[Row] = []
        self.n: list[np.ndarray] = []
        self.value: list[np.ndarray] = []
        self.count: list[np.ndarray] = []
        self.neff: list[np.ndarray] = []
        self.var: list[np.ndarray] = []

    def add(self, row: Row, n: np.ndarray, value: np.ndarray, *,
            count: np.ndarray | None = None, neff: np.ndarray | None = None,
            var: np.ndarray | None = None) -> int:
        nan = np.full(self.C, np.nan)
        self.rows.append(row)
        self.n.append(np.asarray(n, dtype=float))
        self.value.append(np.asarray(value, dtype=float))
        self.count.append(nan if count is None else count)
        self.neff.append(nan if neff is None else neff)
        self.var.append(nan if var is None else var)
        return len(self.rows) - 1

    def grid(self) -> Grid:
        return Grid(self.rows, np.rint(np.vstack(self.n)).astype(np.int64),
                    np.vstack(self.value), np.vstack(self.count), np.vstack(self.neff),
                    np.vstack(self.var))


def _div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b > 0, a / np.where(b > 0, b, 1.0), np.nan)


def _base_rows(b: _Builder, base: Sums, weighted: bool, label: str) -> tuple[int, np.ndarray]:
    neff = _div(base.sw[0] ** 2, base.sw2[0])
    r0 = b.add(Row("base", label, "base"), base.n[0], base.n[0])
    if weighted:
        b.add(Row("base_weighted", "Weighted base", "weighted_base"), base.n[0], base.sw[0])
        b.add(Row("base_effective", "Effective base", "effective_base"), base.n[0], neff)
    return r0, neff


def _mean_rows(b: _Builder, g: Grid | None, n: np.ndarray, sw: np.ndarray, sw2: np.ndarray,
               swx: np.ndarray, swx2: np.ndarray, label: str) -> tuple[int, int]:
    mean = _div(swx, sw)
    with np.errstate(divide="ignore", invalid="ignore"):
        pop_var = np.clip(_div(swx2, sw) - mean * mean, 0, None)
        var = np.where(n > 1, pop_var * n / np.maximum(n - 1, 1), np.nan)
    neff = _div(sw * sw, sw2)
    rm = b.add(Row("mean", label, "mean"), n, mean, neff=neff, var=var)
    rs = b.add(Row("sd", "Standard deviation", "sd"), n, np.sqrt(var))
    return rm, rs


def build_grid(q: RowQuestion, tab: Tabulator, frame_cols: dict[str, np.ndarray],
               *, weighted: bool, mentions: bool) -> Grid:
    """Sums -> rows of a table for one question (no tests, no suppression yet)."""
    if q.kind == "multiple":
        return _multiple(q, tab, frame_cols, weighted=weighted, mentions=mentions)
    if q.kind == "numeric":
        return _numeric(q, tab, frame_cols, weighted=weighted)
    return _single(q, tab, frame_cols, weighted=weighted)


def _single(q: RowQuestion, tab: Tabulator, data: dict[str, np.ndarray], *,
            weighted: bool) -> Grid:
    k, m = len(q.options), len(q.missing)
    sums, _ = tab.tabulate(data[q.id], k + m)
    base = sums.total()
    b = _Builder(tab.n_columns)
    dk = f" (incl. {', '.join(q.missing)})" if q.missing else ""
    r0, neff = _base_rows(b, base, weighted, f"Base: all answering{dk}")
    pct_rows, cat_rows, miss_rows, net_rows = [], [], [], []
    for i, lab in enumerate([*q.options, *q.missing]):
        kind = "category" if i < k else "missing"
        key = f"cat:{lab}" if i < k else f"missing:{lab}"
        r = b.add(Row(key, lab, kind), sums.n[i], _div(sums.sw[i], base.sw[0]),
                  count=sums.sw[i], neff=neff)
        pct_rows.append(r)
        (cat_rows if i < k else miss_rows).append(r)
    nets = []
    for label, idx in q.nets:
        s = sums.rows(list(idx)).total()
        r = b.add(Row(f"net:{label}", label, "net"), s.n[0], _div(s.sw[0], base.sw[0]),
                  count=s.sw[0], neff=neff)
        pct_rows.append(r)
        net_rows.append(r)
        nets.append(([cat_rows[i] for i in idx], r))
    mean_rows: list[int] = []
    rmb = None
    if q.scores is not None:
        sc = np.asarray(q.scores, dtype=float)
        opt = sums.rows(range(k))
        mb = opt.total()
        rm, rs = _mean_rows(b, None, mb.n[0], mb.sw[0], mb.sw2[0], sc @ opt.sw,
                            (sc * sc) @ opt.sw, f"Mean ({q.scores[0]:g}-{q.scores[-1]:g})")
        excl = f" (excl. {', '.join(q.missing)})" if q.missing else ""
        rmb = b.add(Row("mean_base", f"Mean base{excl}", "mean_base"), mb.n[0], mb.n[0])
        mean_rows = [rm]
    g = b.grid()
    g.test_rows, g.mean_rows = pct_rows, mean_rows
    g.complements = {r: r0 for r in pct_rows}
    g.across = [r0, *pct_rows]
    g.down = [([*cat_rows, *miss_rows], r0), *nets]
    g.skip = [r for r, row in enumerate(g.rows) if row.kind in ("weighted_base", "effective_base")]
    g.linked = [(r, r0) for r in g.skip]
    if mean_rows:
        rm, rs = mean_rows[0], mean_rows[0] + 1
        assert rmb is not None
        g.complements[rmb] = r0
        g.across += [rm, rs, rmb]
        g.down += [(cat_rows, rmb), ([*miss_rows, rmb], r0)]
        dev = sc[:, None] - g.value[rm][None, :]  # code - column mean
        g.moments = [(rm, tuple(cat_rows), dev),
                     (rs, tuple(cat_rows), dev * dev - g.value[rs][None, :] ** 2)]
        g.priority = [(rs, 0), (rm, 1)]
        g.linked.append((rs, rm))
    g.table_rows = [*cat_rows, *miss_rows]
    g.sums = sums
    return g


def _multiple(q: RowQuestion, tab: Tabulator, data: dict[str, np.ndarray], *,
              weighted: bool, mentions: bool) -> Grid:
    k = len(q.columns)
    chosen = data[f"{q.id}__chosen"]  # (n, k) bool, False outside the base
    inbase = data[f"{q.id}__base"]
    base, _ = tab.tabulate(np.where(inbase, 0, -1), 1)
    who, opt = np.nonzero(chosen)
    sums, _ = tab.tabulate(opt.astype(np.int64), k, obs=who)
    # an option some respondents were not asked (a wave without it) is a share of those
    # asked; a column where no one was asked has none
    denom = np.broadcast_to(base.sw[0], (k, tab.n_columns))
    unasked = np.zeros((k, tab.n_columns), dtype=bool)
    partial = np.zeros(k, dtype=bool)
    if (asked := data.get(f"{q.id}__asked")) is not None and not asked[inbase].all():
        partial = ~asked[inbase].all(axis=0)
        wa, oa = np.nonzero(asked)
        asked_sums, _ = tab.tabulate(oa.astype(np.int64), k, obs=wa)
        denom = asked_sums.sw
        unasked = (asked_sums.n == 0) & (base.n[0] > 0)
    b = _Builder(tab.n_columns)
    r0, neff = _base_rows(b, base, weighted, "Base: all answering (at least one option)")
    sec = "% of respondents"
    opt_rows, net_rows = [], []
    for i, lab in enumerate(q.options):
        opt_rows.append(b.add(Row(f"cat:{lab}", lab, "category", sec), sums.n[i],
                              _div(sums.sw[i], denom[i]), count=sums.sw[i], neff=neff))
    for label, idx in q.nets:
        anyof = chosen[:, list(idx)].any(axis=1)
        s, _ = tab.tabulate(np.where(anyof, 0, -1), 1)
        net_rows.append(b.add(Row(f"net:{label}", label, "net", sec), s.n[0],
                              _div(s.sw[0], base.sw[0]), count=s.sw[0], neff=neff))
    g_down: list[tuple[list[int], int]] = []
    linked: list[tuple[int, int]] = []
    across = [r0, *opt_rows, *net_rows]
    if mentions:
        tot = sums.total()
        msec = "% of mentions"
        m_rows = []
        for i, lab in enumerate(q.options):
            r = b.add(Row(f"mentions:{lab}", lab, "mentions", msec), sums.n[i],
                      np.where(unasked[i], np.nan, _div(sums.sw[i], tot.sw[0])),
                      count=sums.sw[i])
            m_rows.append(r)
            linked.append((r, opt_rows[i]))
        rt = b.add(Row("total_mentions", "Total mentions", "total_mentions", msec),
                   tot.n[0], tot.sw[0] if weighted else tot.n[0])
        g_down.append((opt_rows, rt))
        across.append(rt)
    g = b.grid()
    g.unasked = [lab for i, lab in enumerate(q.options) if partial[i]]
    g.test_rows = [*opt_rows, *net_rows]
    g.complements = {r: r0 for r in g.test_rows}
    g.across, g.down, g.linked = across, g_down, linked
    g.skip = [r for r, row in enumerate(g.rows)
              if row.kind in ("weighted_base", "effective_base", "total_mentions")]
    g.linked += [(r, r0) for r in g.skip if g.rows[r].kind != "total_mentions"]
    return g


def _numeric(q: RowQuestion, tab: Tabulator, data: dict[str, np.ndarray], *,
             weighted: bool) -> Grid:
    x = data[q.id]
    ok = ~np.isnan(x)
    xv = np.where(ok, x, 0.0)
    base, (swx, swx2) = tab.tabulate(np.where(ok, 0, -1), 1, values=[xv, xv * xv])
    b = _Builder(tab.n_columns)
    r0, _ = _base_rows(b, base, weighted, "Base: all answering")
    rm, rs = _mean_rows(b, None, base.n[0], base.sw[0], base.sw2[0], swx[0], swx2[0], "Mean")
    rq = b.add(Row("median", "Median", "median"), base.n[0], _medians(tab, x, ok))
    g = b.grid()
    g.mean_rows = [rm]
    g.across = [r0, rm, rs, rq]
    g.skip = [r for r, row in enumerate(g.rows) if row.kind in ("weighted_base", "effective_base")]
    g.linked = [(r, r0) for r in g.skip] + [(rs, rm), (rq, rm)]
    return g


def _medians(tab: Tabulator, x: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """The (weighted) median of every banner column, by R's ``svyquantile`` rule
    (``qrule="math"``: the smallest value whose weighted share reaches one half)."""
    order = np.argsort(np.where(ok, x, np.inf), kind="stable")[: int(ok.sum())]
    xs = x[order]
    ew = tab.entry_weights()
    ws = np.ones_like(xs) if ew is None else ew[order]
    cs = None if tab.counts is None else tab.counts[order]
    out = np.full(tab.n_columns, np.nan)
    members = [(0, np.ones(xs.shape[0], dtype=bool))]
    for i, bv in enumerate(tab.banner):
        codes = bv.codes[order]
        members += [(int(tab.offsets[i]) + j, codes == j) for j in range(len(bv.categories))]
    half = np.array([0.5])
    for col, mask in members:
        if mask.any():
            out[col] = (qrule("math", xs[mask], ws[mask], half)[0] if cs is None
                        else _grouped_median(xs[mask], ws[mask], cs[mask]))
    return out


def _grouped_median(x: np.ndarray, w: np.ndarray, c: np.ndarray) -> float:
    """The ``"math"`` median of respondents grouped by value (``x`` sorted, ``w`` each
    group's weight, ``c`` its respondents), as :func:`qrule` on the rows would give: the
    first value whose cumulative share reaches one half. R's rule takes the second row's
    value when the first row alone outweighs half the total; grouped, that is known only
    when the smallest value has one respondent (with ties there, a row holding more than
    half a column's weight would be missed)."""
    keep = w != 0
    x, w, c = x[keep], w[keep], c[keep]
    if x.shape[0] == 0:
        return float("nan")
    cum = np.cumsum(w, dtype=np.longdouble).astype(np.float64)
    total = float(cum[-1])
    if c[0] == 1 and 0.5 * total < cum[0]:  # R's qs: the first position, the next value
        return float(x[min(1, x.shape[0] - 1)])
    j = int(np.argmax(0.5 - cum / total <= 0))
    return float(x[j])
