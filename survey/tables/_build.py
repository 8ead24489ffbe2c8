"""``crosstabs``: banner tables with bases, tests, letters and disclosure control."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

import numpy as np
import polars as pl

from survey._options import unticked_is_false
from survey.codebook import Codebook, QuestionGroup
from survey.design import LazySurveyFrame, Progress, SurveyFrame
from survey.errors import EstimationError
from survey.tables._context import Context, FrameRows, frame_context, stream_context
from survey.tables._design_tests import design_chisq, design_pvalues, design_ranktest
from survey.tables._disclosure import SuppressionPlan, grid_lines, suppress
from survey.tables._disclosure import REASONS
from survey.tables._grid import Grid, build_grid
from survey.tables._model import CELL_SCHEMA, Column, Crosstab, CrosstabSet
from survey.tables._notes import set_notes, table_notes
from survey.tables._options import CELL_STATISTICS, CellStatistic, Disclosure, Significance
from survey.tables._questions import RowQuestion
from survey.tables._sig import (
    adjust_pvalues,
    letters_from_pvalues,
    pairs,
    rao_scott_f,
    welch_t,
    z_pooled,
)
from survey.tables._stream import StreamRows, is_streamed
from survey.tables._tabulate import BannerVar, Tabulator

__all__ = ["crosstab", "crosstabs"]

TableProgress = Callable[[int, int, str], None]


def crosstabs(
    data: pl.DataFrame | pl.LazyFrame | SurveyFrame | LazySurveyFrame,
    rows: Sequence[str] | str,
    *,
    banner: Sequence[str],
    codebook: Codebook | None = None,
    weight: str | None = None,
    where: pl.Expr | str | None = None,
    nets: Mapping[str, Mapping[str, Sequence[str]]] | None = None,
    cells: Sequence[CellStatistic] = ("column_pct",),
    significance: Significance | None = Significance(),
    disclosure: Disclosure | None = Disclosure(),
    mentions: bool = True,
    title: str | None = None,
    progress: TableProgress | None = None,
    scan_progress: Callable[[Progress], None] | None = None,
) -> CrosstabSet:
    """Banner tables of ``rows`` (question ids, or ``"all"``) against ``banner``.

    Parameters
    ----------
    data
        A typed frame (:func:`survey.frames.read_survey`), or a
        :class:`~survey.design.SurveyFrame`: then columns are compared with the
        design's variance (Taylor linearisation or replicates) and t on its degrees
        of freedom, and the whole-table test is :func:`survey.estimators.chisq`.
        Rows left where they are stream (docs/scale.md): a polars ``LazyFrame``
        (``pl.scan_parquet``, :func:`survey.store.scan`), a Spark DataFrame, or a
        :class:`~survey.design.LazySurveyFrame`; each table is one GROUP BY of its
        question by the banner, and the figures are those of the rows in memory. An
        ordinal rank test needs the rows (:class:`~survey.errors.NotStreamable`).
    rows
        Question ids, or ``"all"``: every single, ordinal, multiple-choice and numeric
        answer question of the codebook.
    banner
        Single-choice variables across the top, after the Total column.
    codebook
        Question texts, options and "don't know" codes (needed for ``"all"``).
    weight
        Weight column (plain frames; a design carries its own).
    where
        A subpopulation: only its respondents are tabulated (a domain of the design).
        On a Spark DataFrame (or a design over one), a Spark SQL condition.
    nets
        Extra nets, ``{question: {label: [option labels or codes]}}``; rating scales
        (5 or 7 consecutive codes) always get top-2 and bottom-2 boxes.
    cells
        Statistics shown for percentage rows, the first being the main one:
        ``column_pct`` (default), ``row_pct``, ``count``, ``unweighted_count``.
    significance
        Test settings (:class:`Significance`); ``None`` skips testing.
    disclosure
        Small-cell suppression (:class:`Disclosure`, on by default: threshold 10).
        ``None`` keeps every cell except columns of one respondent, which are never
        published.
    mentions
        Multiple choice: add the ``% of mentions`` block and total mentions.
    progress
        Called as ``progress(done, total, question)`` after each table.
    scan_progress
        Streamed rows (a LazyFrame or Spark DataFrame; a lazy design reports through
        its own): called with a :class:`~survey.design.Progress` as rows are read.

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"q": ["a", "b"] * 30, "g": ["x"] * 40 + ["y"] * 20})
    >>> ct = crosstabs(df, ["q"], banner=["g"], disclosure=None).tables[0]
    >>> round(ct.cell("cat:a", "g=x")["value"], 3)
    0.5
    """
    cells = tuple(cells)
    bad = [c for c in cells if c not in CELL_STATISTICS]
    if bad or not cells:
        raise EstimationError(f"cells={cells!r}: choose from {', '.join(CELL_STATISTICS)}",
                              location="cells")
    source: FrameRows | StreamRows
    if is_streamed(data):
        ctx, source, height = stream_context(data, banner, codebook, weight, where,
                                              significance, disclosure, cells, mentions,
                                              scan_progress)
    else:
        ctx, frame, tab = frame_context(data, banner, codebook, weight, where, significance,
                                   disclosure, cells, mentions)
        source, height = FrameRows(frame, tab), frame.height
    order: list[RowQuestion | QuestionGroup]
    if isinstance(rows, str) and rows == "all":
        order = list(source.questions(rows, codebook, nets))
    else:
        names = [rows] if isinstance(rows, str) else list(rows)
        blocks = {g.id: g for g in codebook.groups} if codebook is not None else {}
        plain = iter(source.questions([r for r in names if r not in blocks], codebook, nets))
        order = [blocks[r] if r in blocks else next(plain) for r in names]
    tables = []
    for done, item in enumerate(order, start=1):
        if isinstance(item, QuestionGroup):
            tables.append(_block_table(ctx, item, source, codebook))
        else:
            tab, fr = source.tabulator(item, weighted=ctx.weighted)
            tables.append(_table(ctx, item, _arrays(item, fr), tab))
        if progress is not None:
            progress(done, len(order), item.id)
    name = title or (codebook.title_en if codebook is not None and codebook.title_en
                     else "Crosstabs")
    return CrosstabSet(name, tuple(tables), set_notes(ctx, len(tables)), _meta(ctx, height))


def crosstab(data: pl.DataFrame | pl.LazyFrame | SurveyFrame | LazySurveyFrame, row: str, *,
             banner: Sequence[str],
             **options: object) -> Crosstab:
    """One banner table: :func:`crosstabs` for a single question (same options).

    >>> import polars as pl
    >>> df = pl.DataFrame({"q": ["a", "b"] * 30, "g": ["x", "y", "y"] * 20})
    >>> crosstab(df, "q", banner=["g"]).cell("base", "total")["n"]
    60
    """
    return crosstabs(data, [row], banner=banner, **options).tables[0]  # type: ignore[arg-type]


def _arrays(q: RowQuestion, frame: pl.DataFrame) -> dict[str, np.ndarray]:
    if q.kind == "multiple":
        opts = frame.select(q.columns)
        inbase = opts.select(pl.any_horizontal(pl.all().is_not_null())).to_series().to_numpy()
        chosen = opts.select(pl.all().fill_null(False)).to_numpy().astype(bool)
        chosen &= inbase[:, None]
        out = {f"{q.id}__chosen": chosen, f"{q.id}__base": inbase}
        if unticked_is_false(opts, q.columns):  # a null beside answers: not asked
            out[f"{q.id}__asked"] = opts.select(pl.all().is_not_null()).to_numpy() & inbase[:, None]
        return out
    if q.kind == "numeric":
        return {q.id: frame[q.id].cast(pl.Float64).fill_nan(None).to_numpy()
                .astype(float)}
    return {q.id: q.row_codes(frame)}


def _table(ctx: Context, q: RowQuestion, data: dict[str, np.ndarray], tab: Tabulator
           ) -> Crosstab:
    g = build_grid(q, tab, data, weighted=ctx.weighted, mentions=ctx.mentions)
    R, C = g.n.shape
    plan = SuppressionPlan(
        g.n, 0, g.complements,
        tuple(grid_lines(n_rows=R, n_cols=C, groups=ctx.groups, across_rows=g.across,
                         columns=g.down)),
        tuple(g.skip), tuple(g.linked), tuple(g.moments), tuple(g.priority))
    reason = suppress(plan, min_cell=ctx.disclosure.min_cell,
                      min_column=ctx.disclosure.min_column)
    sig, low, tests = _significance(ctx, q, g, reason)
    frame = _cells(ctx, g, reason, sig, low)
    notes = table_notes(ctx, q, g, reason, tests)
    return Crosstab(q.id, q.title, q.kind, g.rows[0].label, ctx.columns, tuple(g.rows),
                    frame, tests, notes, ctx.show, ctx.weighted)


def _block_table(ctx: Context, group: QuestionGroup, source: FrameRows | StreamRows,
                 codebook: Codebook | None) -> Crosstab:
    """A grid or ranking block as one table: its rows (items) across, the shared answers
    down; each column is that item's Total column of its own table (same bases, nets,
    means and disclosure control), so the block reads as the questionnaire showed it."""
    questions = source.questions(list(group.questions), codebook, None)
    kinds = {q.kind for q in questions}
    if len(kinds) != 1 or kinds <= {"multiple"} or len({q.options for q in questions}) != 1:
        raise EstimationError(
            f"group {group.id!r}: its questions do not share one answer set, so they cannot "
            "be shown as one table", location=group.id,
            hint=f"list its questions ({', '.join(group.questions)}) as rows instead")
    total = replace(ctx, columns=(ctx.columns[0],), groups=(), banner=(), significance=None)
    stem = group.text_en or group.text_ko or group.id
    columns, cells = [], []
    tables = []
    for q in questions:
        tab, fr = source.tabulator(q, weighted=ctx.weighted)
        tables.append(_table(total, q, _arrays(q, fr), tab.total_only()))
    for q, t in zip(questions, tables, strict=True):
        key = f"{group.id}={q.id}"
        label = _item_label(q.title, stem, q.id, group.id)
        columns.append(Column(key, group.id, label, label))
        cells.append(t.cells.with_columns(pl.lit(key).alias("column")))
    rows = tables[0].rows
    keys = [r.key for r in rows]
    if any([r.key for r in t.rows] != keys for t in tables):
        raise EstimationError(f"group {group.id!r}: its questions' tables have different rows "
                              "(missing codes differ)", location=group.id,
                              hint="give every question of the group the same missing_codes")
    order = {k: i for i, k in enumerate(keys)}
    cell_frame = (pl.concat(cells).with_columns(pl.col("row").replace_strict(order).alias("_r"))
                  .sort("_r", maintain_order=True).drop("_r"))
    notes = (f"One column per {'ranked item' if group.kind == 'ranking' else 'row'} of the "
             f"{group.kind} {group.id!r}.", *tables[0].notes)
    return Crosstab(group.id, stem, tables[0].kind, tables[0].base_label, tuple(columns), rows,
                    cell_frame, pl.DataFrame(schema=_TEST_SCHEMA), notes, ctx.show, ctx.weighted)


def _item_label(title: str, stem: str, qid: str, gid: str) -> str:
    """The row label of a grid question: its text after the stem, else its id's tail."""
    if stem and title.startswith(stem):
        rest = title[len(stem):].strip(" -:–—|[]")
        if rest:
            return rest
    return qid.removeprefix(gid + "_")


def _significance(ctx: Context, q: RowQuestion, g: Grid, reason: np.ndarray
                  ) -> tuple[list[list[str]], np.ndarray, pl.DataFrame]:
    R, C = g.n.shape
    sig = [["" for _ in range(C)] for _ in range(R)]
    low = np.zeros((R, C), dtype=bool)
    tests: dict[str, list] = {"group": [], "method": [], "statistic": [], "ndf": [],
                              "ddf": [], "p_value": []}
    s = ctx.significance
    if s is None or not ctx.groups:
        return sig, low, pl.DataFrame(tests, schema=_TEST_SCHEMA)
    banner_cols = np.concatenate([np.asarray(c, dtype=np.int64) for c in ctx.groups])
    for rows in (g.test_rows, g.mean_rows):
        if rows:
            ne = g.neff[rows][:, banner_cols]
            low[np.asarray(rows)[:, None], banner_cols[None, :]] = ~(np.nan_to_num(ne) >= s.min_base)
    I, J, fam, pos = _all_pairs(ctx.groups)
    letters = [c.letter or "" for c in ctx.columns]
    for rows, is_mean in ((g.test_rows, False), (g.mean_rows, True)):
        if not rows or I.size == 0:
            continue
        est, ne = g.value[rows], g.neff[rows]
        if ctx.sf is not None:
            keys = [g.rows[r].key for r in rows]
            pv = np.full((len(rows), I.size), np.nan)
            for gi, (b, cols) in enumerate(zip(ctx.banner, ctx.groups, strict=True)):
                sel = np.flatnonzero(fam == gi)
                if sel.size:
                    i_loc = I[sel] - cols[0]
                    j_loc = J[sel] - cols[0]
                    pv[:, sel] = design_pvalues(ctx.sf, ctx.where, q, keys, b.name,
                                                b.categories, i_loc, j_loc)
        elif is_mean:
            var = g.var[rows]
            pv = welch_t(est[:, I], var[:, I], ne[:, I], est[:, J], var[:, J], ne[:, J])
        else:
            pv = z_pooled(est[:, I], ne[:, I], est[:, J], ne[:, J])
        untested = low[rows] | np.isnan(est)
        pv = np.where(untested[:, I] | untested[:, J], np.nan, pv)
        adj = _adjust_families(pv, fam, pos, len(ctx.groups), s.correction)
        hidden = reason[rows] > 0
        adj = np.where(hidden[:, I] | hidden[:, J], np.nan, adj)
        marks = letters_from_pvalues(est, adj, I, J, letters, s.alphas)
        for a, r in enumerate(rows):
            sig[r] = [m or x for m, x in zip(marks[a], sig[r], strict=True)]
    if g.table_rows and g.sums is not None:
        for b, cols in zip(ctx.banner, ctx.groups, strict=True):
            _whole_table(ctx, q, g, b, np.asarray(cols), tests)
    return sig, low, pl.DataFrame(tests, schema=_TEST_SCHEMA)


_TEST_SCHEMA = {"group": pl.String, "method": pl.String, "statistic": pl.Float64,
                "ndf": pl.Float64, "ddf": pl.Float64, "p_value": pl.Float64}


def _all_pairs(groups: tuple[tuple[int, ...], ...]) -> tuple[np.ndarray, ...]:
    """Column pairs within each banner group: global indices, group, position in group."""
    I, J, fam, pos = [], [], [], []
    for gi, cols in enumerate(groups):
        i, j = pairs(len(cols))
        I.append(np.asarray(cols)[i] if i.size else i)
        J.append(np.asarray(cols)[j] if j.size else j)
        fam.append(np.full(i.size, gi))
        pos.append(np.arange(i.size))
    return tuple(np.concatenate(x).astype(np.int64) for x in (I, J, fam, pos))


def _adjust_families(pv: np.ndarray, fam: np.ndarray, pos: np.ndarray, n_groups: int,
                     method: str) -> np.ndarray:
    """Adjust p-values within each (row, banner group) family at once."""
    if method == "none":
        return pv
    rows = pv.shape[0]
    width = int(pos.max()) + 1
    pad = np.full((rows, n_groups, width), np.nan)
    pad[:, fam, pos] = pv
    adj = adjust_pvalues(pad.reshape(rows * n_groups, width), method)
    return adj.reshape(rows, n_groups, width)[:, fam, pos]


def _whole_table(ctx: Context, q: RowQuestion, g: Grid, b: BannerVar, cols: np.ndarray,
                 tests: dict[str, list]) -> None:
    s = ctx.significance
    if ctx.sf is not None and s is not None and s.ordinal and q.kind == "ordinal":
        rk = design_ranktest(ctx.sf, ctx.where, q, b.name, s.ordinal)
        if rk is not None:  # two groups: t on (., df); more: chi-square on (df, ddf)
            tests["group"].append(b.name)
            tests["method"].append(rk.method)
            tests["statistic"].append(rk.statistic)
            tests["ndf"].append(np.nan if rk.ddf is None else rk.df)
            tests["ddf"].append(rk.df if rk.ddf is None else rk.ddf)
            tests["p_value"].append(rk.p_value)
            return
    if ctx.sf is not None:
        res = design_chisq(ctx.sf, ctx.where, q, b.name)
        stat, df, p = ((res.statistic, res.df, res.p_value) if res is not None
                       else (np.nan, (np.nan, np.nan), np.nan))
    else:
        assert g.sums is not None
        rows = np.arange(len(g.table_rows))
        sw = g.sums.sw[np.ix_(rows, cols)]
        sw2 = g.sums.sw2[np.ix_(rows, cols)]
        stat, df, p, _ = rao_scott_f(sw, sw2, ctx.n_rows, ctx.n_rows, ctx.n_rows - 1)
    tests["group"].append(b.name)
    tests["method"].append("Rao-Scott F (second order)")
    tests["statistic"].append(float(stat))
    tests["ndf"].append(float(df[0]))
    tests["ddf"].append(float(df[1]) if len(df) > 1 else np.nan)
    tests["p_value"].append(float(p))


def _cells(ctx: Context, g: Grid, reason: np.ndarray, sig: list[list[str]],
           low: np.ndarray) -> pl.DataFrame:
    R, C = g.n.shape
    hidden = (reason > 0).ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        row_pct = np.where(g.count[:, :1] > 0, g.count / g.count[:, :1], np.nan)
    pct_kind = np.array([r.kind in ("category", "missing", "net") for r in g.rows])
    row_pct = np.where(pct_kind[:, None], row_pct, np.nan)

    def masked(a: np.ndarray) -> pl.Series:
        v = np.where(hidden | ~np.isfinite(a.ravel()), np.nan, a.ravel())
        return pl.Series(v, dtype=pl.Float64, nan_to_null=True)

    names = np.array([None, *REASONS.values()], dtype=object)[reason.ravel()]
    sig_arr = np.array([s or None for row_s in sig for s in row_s], dtype=object)
    sig_arr[hidden] = None
    flag = np.where(low.ravel(), "low_base", None)
    n_out = pl.Series(np.where(hidden, np.nan, g.n.ravel()), nan_to_null=True).cast(pl.Int64)
    return pl.DataFrame({
        "row": np.repeat(np.array([r.key for r in g.rows], dtype=object), C).tolist(),
        "column": [c.key for c in ctx.columns] * R,
        "n": n_out,
        "value": masked(g.value),
        "count": masked(g.count),
        "row_pct": masked(row_pct),
        "sig": sig_arr.tolist(),
        "flag": flag.tolist(),
        "suppressed": names.tolist(),
    }, schema=CELL_SCHEMA)


def _meta(ctx: Context, height: int) -> tuple[tuple[str, str], ...]:
    out = [("Respondents tabulated", f"{height:,}"),
           ("Banner", ", ".join(b.label for b in ctx.banner) or "Total only")]
    out.append(("Weighting", ctx.weight_label or ("design weights" if ctx.weighted
                                                  else "unweighted")))
    if ctx.sf is not None:
        out.append(("Design", repr(ctx.sf.design)))
    return tuple(out)
