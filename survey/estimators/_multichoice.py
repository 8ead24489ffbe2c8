"""Multiple-choice questions: one Boolean column per option, ``question__option``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import polars as pl

from survey._options import unticked_is_false
from survey._typing import CIMethod, SortOrder
from survey.design import LazySurveyFrame, Sum, SurveyFrame
from survey.estimators._basic import proportion
from survey.estimators._engine import Domains, Fit, domain_counts, fit_ratios, make_domains
from survey.estimators._items import LazyCol, _Item
from survey.estimators._intervals import wald
from survey.estimators._results import Estimates, sort_rows
from survey.estimators._stream import Reduced, fit_lazy, reduce_lazy
from survey.errors import EstimationError

__all__ = ["multiple_choice", "option_columns"]

Share = Literal["respondents", "mentions"]


def option_columns(sf: SurveyFrame | LazySurveyFrame, question: str | Sequence[str]) -> list[str]:
    """The option columns of a question: its Boolean ``question__*`` columns, or the names given.

    Companion columns of the typed frame (``question__other_text``, ``question__missing``)
    are not options and are skipped.
    """
    schema = sf.schema if isinstance(sf, LazySurveyFrame) else sf.frame.schema
    if isinstance(question, str):
        cols = [c for c in schema if c.startswith(f"{question}__") and schema[c] == pl.Boolean]
        if not cols:
            raise EstimationError(f"no columns named {question}__<option>", location=question)
    else:
        cols = list(question)
    bad = [c for c in cols if c not in schema or schema[c] != pl.Boolean]
    if bad:
        raise EstimationError(f"option columns must be Boolean columns of the frame: {bad}",
                              location=", ".join(bad))
    return cols


def multiple_choice(
    sf: SurveyFrame | LazySurveyFrame,
    question: str | Sequence[str],
    *,
    share: Share = "respondents",
    where: pl.Expr | None = None,
    by: str | Sequence[str] | None = None,
    method: CIMethod = "logit",
    level: float = 0.95,
    sort: SortOrder = "none",
) -> Estimates:
    """Share choosing each option of a multiple-choice question, with intervals.

    Parameters
    ----------
    question
        The question id (its options are the Boolean columns ``question__option``)
        or the option columns themselves. A row with every option null did not
        answer the question. Where unticked options are False (typed frames), a null
        beside answers means the option was not asked of that row (a wave without
        it): the row leaves that option's base, so an option never asked in a
        domain has no estimate rather than 0%. Where ticks are True and everything
        else null (no False in the data), nulls of answering rows count as "not
        chosen".
    share
        ``"respondents"`` (default): share of the base choosing the option, with a
        ``method`` interval as :func:`~survey.estimators.proportion`.
        ``"mentions"``: share of all mentions (option total over total mentions),
        a ratio with a Wald interval.
    where
        Subpopulation restricting the base (e.g. those who received an offer).
    by
        Domains, as :func:`~survey.estimators.mean`.
    sort
        ``"descending"``/``"ascending"``: options ordered by estimate within each
        domain; ``"none"``: column order.

    The ``variable`` column holds the question and ``category`` the option.

    >>> import polars as pl
    >>> from survey.design import svydesign
    >>> df = pl.DataFrame({"q__a": [True, False, None, True], "q__b": [True, True, None, False]})
    >>> r = multiple_choice(svydesign(df), "q", method="mean")
    >>> [round(x, 3) for x in r.estimate.tolist()]
    [0.667, 0.667]
    """
    cols = option_columns(sf, question)
    qname = question if isinstance(question, str) else _common_prefix(cols)
    options = [c.split("__", 1)[1] if "__" in c else c for c in cols]
    answered = pl.any_horizontal(pl.col(c).is_not_null() for c in cols)
    names = [f"__mc{i}" for i in range(len(cols))]
    if isinstance(sf, LazySurveyFrame):
        falses = sf.backend.aggregate([], [Sum(f"f{i}", (("false", c),))
                                           for i, c in enumerate(cols)])
        explicit = bool(falses.row(0) and sum(falses.row(0)) > 0)
    else:
        explicit = unticked_is_false(sf.frame, cols)  # then a null is an option not asked
    derived = sf.with_columns(
        (pl.col(c) if explicit else pl.when(answered).then(pl.col(c).fill_null(False))).alias(n)
        for c, n in zip(cols, names, strict=True))
    base = answered if where is None else (answered & where.fill_null(False))  # the domain
    if share == "respondents":
        res = proportion(derived, names, method=method, by=by, where=base, level=level)
        keep = res.table.with_row_index("__i").filter(pl.col("category") == "True")
        idx = keep["__i"].to_numpy()
        table = keep.drop("__i")
        vcov = res.vcov[np.ix_(idx, idx)]
        reps = None if res.replicates is None else res.replicates[:, idx]
        kind = method
    elif share == "mentions":
        table, vcov, reps = _mentions(derived, names, answered, by=by, where=base, level=level)
        kind = "wald"
    else:
        raise EstimationError(f"share={share!r} is not 'respondents' or 'mentions'")
    opt = dict(zip(names, options, strict=True))
    table = table.with_columns(
        pl.col("variable").replace_strict(opt, return_dtype=pl.String).alias("category"),
        pl.lit(qname).alias("variable"))
    table, vcov, reps = sort_rows(table, vcov, reps, res_by(by), sort)
    return Estimates("multiple_choice", table, vcov, level, tuple(res_by(by)), kind, reps,
                     sf.describe())


def res_by(by: str | Sequence[str] | None) -> tuple[str, ...]:
    return () if by is None else ((by,) if isinstance(by, str) else tuple(by))


def _common_prefix(cols: list[str]) -> str:
    heads = {c.split("__", 1)[0] for c in cols}
    return heads.pop() if len(heads) == 1 else "options"


def _mentions(sf: SurveyFrame | LazySurveyFrame, names: list[str], answered: pl.Expr, *,
              by: str | Sequence[str] | None, where: pl.Expr | None,
              level: float) -> tuple[pl.DataFrame, np.ndarray, np.ndarray | None]:
    k = len(names)
    if isinstance(sf, LazySurveyFrame):  # the mentions' total is the options' totals summed
        dom, fit, (n, ddf, _) = _lazy_mentions(sf, names, by=by, where=where)
        D = dom.count
    else:
        dom = make_domains(sf, by=by, where=where)
        cols = [pl.col(n).fill_null(False) for n in names]
        cols.append(pl.sum_horizontal(cols))
        D = dom.count
        num = (np.arange(D)[:, None] * (k + 1) + np.arange(k)[None, :]).ravel()
        den = np.repeat(np.arange(D) * (k + 1) + k, k)
        fit = fit_ratios(sf, dom, cols, num, den)
        n, ddf, _ = domain_counts(sf, dom, [answered])
    se = np.sqrt(np.clip(np.diag(fit.vcov), 0, None))
    lo, hi = wald(fit.estimate, se, level, None)
    d_idx = np.repeat(np.arange(D), k)
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = se / np.abs(fit.estimate)
    table = pl.DataFrame({
        "variable": names * D, "category": pl.Series([None] * (D * k), dtype=pl.String),
        "estimate": fit.estimate, "std_error": se, "conf_low": lo, "conf_high": hi, "cv": cv,
        "n": pl.Series(n[d_idx, 0], dtype=pl.Int64),
        "df": pl.Series(ddf[d_idx], dtype=pl.Int64)})
    if dom.by:
        table = dom.levels[d_idx].hstack(table)
    return table, fit.vcov, fit.replicates


def _lazy_mentions(sf: LazySurveyFrame, names: list[str], *, by: str | Sequence[str] | None,
                   where: pl.Expr | None) -> tuple[Domains, Fit, tuple[np.ndarray, ...]]:
    """Share of mentions on a lazy design: the options' totals from one pass, their sum
    added as the mentions' column (a linear function: its PSU, replicate and squared
    sums are the options' summed)."""
    k = len(names)
    item = _Item("mentions", None, (), pl.lit(True), None,
                 tuple(LazyCol("sum", n, factors=(("true", n),)) for n in names))
    red = reduce_lazy(sf, [item], by=res_by(by), where=where)
    P = np.concatenate([red.P, red.P.sum(axis=2, keepdims=True)], axis=2)
    D = P.shape[1]
    Tr = None
    if red.replicates is not None:
        R3 = red.replicates.reshape(-1, D, k)
        Tr = np.concatenate([R3, R3.sum(axis=2, keepdims=True)], axis=2).reshape(-1, D * (k + 1))
    S = None if red.squares is None else _with_sum(red.squares, k)
    pps = None if red.pps is None else (
        _with_sum(red.pps[0], k),
        np.concatenate([red.pps[1], red.pps[1].sum(axis=2, keepdims=True)], axis=2))
    num = (np.arange(D)[:, None] * (k + 1) + np.arange(k)[None, :]).ravel()
    den = np.repeat(np.arange(D) * (k + 1) + k, k)
    stages = tuple(np.concatenate([Z, Z.sum(axis=2, keepdims=True)], axis=2) for Z in red.stages)
    fit = fit_lazy(sf, Reduced(red.dom, P, Tr, S, red.counts, stages=stages,
                               present=red.present, pps=pps), num, den)
    return red.dom, fit, red.counts


def _with_sum(S0: np.ndarray, k: int) -> np.ndarray:
    """Sums of squares ``(..., k, k)`` with the options' sum added as column ``k``."""
    S = np.zeros((*S0.shape[:2], k + 1, k + 1))
    S[..., :k, :k] = S0
    S[..., :k, k] = S0.sum(axis=-1)
    S[..., k, :k] = S0.sum(axis=-2)
    S[..., k, k] = S0.sum(axis=(-1, -2))
    return S
