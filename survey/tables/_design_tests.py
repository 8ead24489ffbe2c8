"""Column tests under a survey design: variances of differences from the design's
covariance of the column estimates (``survey.estimators.mean``, Taylor or replicates)
and the whole-table test from ``survey.estimators.chisq``."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
from scipy import stats

from survey.design import LazySurveyFrame, SurveyFrame
from survey.errors import EstimationError
from survey.estimators import RankTest, TestResult, chisq, mean, ranktest
from survey.tables._questions import RowQuestion

__all__ = ["design_chisq", "design_pvalues", "design_ranktest", "row_expressions"]


def row_expressions(q: RowQuestion, row_keys: Sequence[str]) -> dict[str, pl.Expr]:
    """A numeric column per tested row: the 0/1 indicator (null outside the base) of a
    percentage row, or the score of a mean row; keyed by row key."""
    out: dict[str, pl.Expr] = {}
    if q.kind in ("single", "ordinal"):
        x = pl.col(q.id).cast(pl.String)
        miss = (pl.col(q.missing_column).cast(pl.String) if q.missing else
                pl.lit(None, pl.String))
        label = pl.coalesce(x, miss)
        inbase = label.is_not_null()
        for key in row_keys:
            kind, _, lab = key.partition(":")
            if kind in ("cat", "missing"):
                out[key] = pl.when(inbase).then((label == lab).cast(pl.Float64))
            elif kind == "net":
                idx = dict(q.nets)[lab]
                members = [q.options[i] for i in idx]
                out[key] = pl.when(inbase).then(label.is_in(members).cast(pl.Float64))
            elif key == "mean" and q.scores is not None:
                out[key] = x.replace_strict(list(q.options), list(q.scores), default=None,
                                            return_dtype=pl.Float64)
    elif q.kind == "multiple":
        anyans = pl.any_horizontal([pl.col(c).is_not_null() for c in q.columns])
        for key in row_keys:
            kind, _, lab = key.partition(":")
            if kind == "cat":
                col = q.columns[q.options.index(lab)]
                out[key] = pl.when(anyans).then(pl.col(col).fill_null(False).cast(pl.Float64))
            elif kind == "net":
                idx = dict(q.nets)[lab]
                out[key] = pl.when(anyans).then(pl.any_horizontal(
                    [pl.col(q.columns[i]).fill_null(False) for i in idx]).cast(pl.Float64))
    elif q.kind == "numeric":
        if "mean" in row_keys:
            out["mean"] = pl.col(q.id).cast(pl.Float64)
    return out


def design_pvalues(sf: SurveyFrame | LazySurveyFrame, where: pl.Expr | None, q: RowQuestion,
                   row_keys: Sequence[str], banner: str, categories: Sequence[str],
                   i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """p-values ``(len(row_keys), pairs)`` of design-based Wald tests of the difference
    between the banner categories ``categories[i]`` and ``categories[j]``, t on the
    design's degrees of freedom (as R's ``svyttest``)."""
    exprs = row_expressions(q, row_keys)
    out = np.full((len(row_keys), len(i)), np.nan)
    if not exprs or len(i) == 0:
        return out
    names = {key: (f"__xt{n}", None) for n, key in enumerate(exprs)}
    parts = []
    if isinstance(sf, LazySurveyFrame) and q.kind in ("single", "ordinal"):
        # streamed: the answers' shares as one categorical variable, whose categories
        # are keys of the pass (one sum per replicate), not a numeric column each
        labels = [*q.options, *q.missing]
        shares = [k for k in exprs if k.partition(":")[0] in ("cat", "missing")]
        names.update({k: ("__xt_lab", k.partition(":")[2]) for k in shares})
        parts.append((sf.with_columns(_answer(q).cast(pl.Enum(labels)).alias("__xt_lab")),
                      ["__xt_lab"]))
        exprs = {k: e for k, e in exprs.items() if k not in shares}
    if exprs:
        parts.append((sf.with_columns(**{names[k][0]: e for k, e in exprs.items()}),
                      [names[k][0] for k in exprs]))
    V, e, pos = _estimates(parts, banner, where)
    df = max(sf.df, 1)
    for r, key in enumerate(row_keys):
        if key not in names:
            continue
        v = names[key]
        for p, (a, b) in enumerate(zip(i.tolist(), j.tolist(), strict=True)):
            ia, ib = pos.get((categories[a], *v)), pos.get((categories[b], *v))
            if ia is None or ib is None:
                continue
            var = V[ia, ia] + V[ib, ib] - 2 * V[ia, ib]
            if not np.isfinite(var) or var <= 0:
                out[r, p] = 1.0 if e[ia] == e[ib] else np.nan
                continue
            out[r, p] = 2 * stats.t.sf(abs(e[ia] - e[ib]) / np.sqrt(var), df)
    return out


def _answer(q: RowQuestion) -> pl.Expr:
    """A single or ordinal question's label, or its "don't know" code's."""
    x = pl.col(q.id).cast(pl.String)
    miss = pl.col(q.missing_column).cast(pl.String) if q.missing else pl.lit(None, pl.String)
    return pl.coalesce(x, miss)


def _estimates(parts: list[tuple[SurveyFrame | LazySurveyFrame, list[str]]], banner: str,
               where: pl.Expr | None
               ) -> tuple[np.ndarray, np.ndarray, dict[tuple[str, str, str | None], int]]:
    """Means by ``banner`` of each part's variables: the joint covariance (parts are
    estimated apart, so only covariances within a part are filled: a test compares one
    variable across columns), estimates, and the position of each (column, variable,
    category)."""
    blocks = [mean(frame, names, by=banner, where=where) for frame, names in parts]
    size = sum(len(b.estimate) for b in blocks)
    V, e = np.full((size, size), np.nan), np.empty(size)
    pos: dict[tuple[str, str, str | None], int] = {}
    at = 0
    for est in blocks:
        k = len(est.estimate)
        V[at:at + k, at:at + k], e[at:at + k] = est.vcov, est.estimate
        t = est.table.select(pl.col(banner).cast(pl.String), "variable", "category")
        pos.update({(b, v, c): at + n for n, (b, v, c) in enumerate(t.iter_rows())})
        at += k
    return V, e, pos


def design_chisq(sf: SurveyFrame | LazySurveyFrame, where: pl.Expr | None, q: RowQuestion,
                 banner: str) -> TestResult | None:
    """Rao-Scott F of the question (categories and "don't know") by a banner variable."""
    x = pl.col(q.id).cast(pl.String)
    miss = pl.col(q.missing_column).cast(pl.String) if q.missing else pl.lit(None, pl.String)
    labels = [*q.options, *q.missing]
    sf2 = sf.with_columns(pl.coalesce(x, miss).cast(pl.Enum(labels)).alias("__xt_row"))
    try:
        return chisq(sf2, "__xt_row", banner, where=where)
    except (EstimationError, np.linalg.LinAlgError):
        return None


def design_ranktest(sf: SurveyFrame, where: pl.Expr | None, q: RowQuestion, banner: str,
                    test: str) -> RankTest | None:
    """A design-based rank test of an ordinal question (its answers in order, "don't
    know" left out) across a banner variable, as R's ``svyranktest``."""
    ordered = pl.col(q.id).cast(pl.String).cast(pl.Enum(list(q.options)))
    try:
        return ranktest(sf.with_columns(ordered.alias("__xt_ord")), "__xt_ord", by=banner,
                        test=test, where=where)  # type: ignore[arg-type]
    except (EstimationError, np.linalg.LinAlgError):
        return None
