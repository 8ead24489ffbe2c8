"""Comparisons: contrasts between estimates (covariances included) and Rao-Scott tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import polars as pl

from survey._typing import ChisqStatistic
from survey.design import LazySurveyFrame, Sum, SurveyFrame, subset_df
from survey.design._frame import DOM, H, PSU, W
from survey.estimators._basic import categories, mean
from survey.estimators._engine import make_domains
from survey.estimators._intervals import wald
from survey.estimators._results import Estimates, TestResult
from survey.estimators._stream import lazy_categories
from survey.errors import EstimationError, NotStreamable

__all__ = ["chisq", "contrast", "difference", "differences"]


def _combine(est: Estimates, C: np.ndarray, level: float, df: float | None
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Linear combinations ``C @ estimate``: values, covariance, SEs, interval ends and
    two-sided p-values (normal, or t on ``df``)."""
    value = C @ est.estimate
    V = C @ est.vcov @ C.T
    return (value, V, *_summarise(value, V, level, df))


def _summarise(value: np.ndarray, V: np.ndarray, level: float, df: float | None
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """SEs, interval ends and two-sided p-values (normal, or t on ``df``) of values with
    covariance ``V``."""
    from scipy import stats  # lazily: scipy.stats costs a second of start-up

    se = np.sqrt(np.clip(np.diag(V), 0, None))
    lo, hi = wald(value, se, level, df)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.abs(value / se)
    tail = stats.norm.sf(z) if df is None else stats.t.sf(z, df)
    p = np.where(se > 0, 2 * tail, np.nan)
    return se, lo, hi, p


def _table(keys: pl.DataFrame, value: np.ndarray, se: np.ndarray, lo: np.ndarray,
           hi: np.ndarray, p: np.ndarray, df: float | None) -> pl.DataFrame:
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = np.where(value != 0, se / np.abs(value), np.nan)
    return keys.hstack([
        pl.Series("estimate", value, dtype=pl.Float64), pl.Series("std_error", se),
        pl.Series("conf_low", lo), pl.Series("conf_high", hi), pl.Series("cv", cv),
        pl.Series("p_value", p),
        pl.Series("df", [None if df is None else int(df)] * keys.height, dtype=pl.Int64)])


def contrast(est: Estimates, weights: Sequence[float], *, level: float = 0.95,
             df: float | None = None, label: str = "contrast") -> Estimates:
    """A linear combination ``sum_i weights[i] * estimate[i]`` of the rows of ``est``.

    Its standard error uses the full covariance matrix (as R's ``svycontrast`` on
    ``svyby(..., covmat=TRUE)``), so domains sharing PSUs are compared correctly.
    The interval and the two-sided ``p_value`` use normal quantiles (``df=None``), as
    R's ``confint``; pass ``df`` (e.g. the design's ``sf.df``) for t quantiles.

    >>> import polars as pl
    >>> from survey.design import svydesign
    >>> sf = svydesign(pl.DataFrame({"y": [1.0, 2.0, 3.0, 5.0], "g": ["a", "a", "b", "b"]}))
    >>> from survey.estimators import mean
    >>> float(contrast(mean(sf, "y", by="g"), [-1, 1]).estimate[0])
    2.5
    """
    c = np.asarray(weights, dtype=float)
    if c.shape != (len(est),):
        raise EstimationError(f"{c.shape[0]} weights for {len(est)} estimates",
                              location="weights")
    value, V, se, lo, hi, p = _combine(est, c[None, :], level, df)
    keys = pl.DataFrame({"variable": [label], "category": pl.Series([None], dtype=pl.String)})
    return Estimates("contrast", _table(keys, value, se, lo, hi, p, df), V, level, (),
                     "wald" if df is None else "wald-t")


def difference(est: Estimates, first: Mapping[str, object], second: Mapping[str, object], *,
               level: float = 0.95, df: float | None = None) -> Estimates:
    """``first - second`` for two rows of ``est`` picked by column values.

    >>> import polars as pl
    >>> from survey.design import svydesign
    >>> from survey.estimators import mean
    >>> sf = svydesign(pl.DataFrame({"y": [1.0, 2.0, 3.0, 5.0], "g": ["a", "a", "b", "b"]}))
    >>> float(difference(mean(sf, "y", by="g"), {"g": "b"}, {"g": "a"}).estimate[0])
    2.5
    """
    c = np.zeros(len(est))
    c[est.find(**first)] += 1.0
    c[est.find(**second)] -= 1.0
    label = f"{_label(first)} - {_label(second)}"
    return contrast(est, c, level=level, df=df, label=label)


def differences(est: Estimates, by: str, first: object, second: object, *,
                level: float | None = None, df: float | None = None,
                relative: bool = False) -> Estimates:
    """Every estimate of the domain ``by == first`` minus its counterpart in
    ``by == second``: one difference per variable, category and other ``by`` value.

    A wave comparison (``by="wave"``) or a subgroup one. Standard errors use the
    full covariance, as :func:`difference` (R's ``svycontrast`` on
    ``svyby(..., covmat=TRUE)``); intervals and two-sided ``p_value`` are normal
    unless ``df`` is given. The result's ``by`` column holds the label
    ``"first - second"``. Values are matched as text, so ``first="2025"`` finds an
    integer wave 2025. ``relative=True``: the relative change ``first / second - 1``
    with its delta-method standard error (R's ``svycontrast(..., quote(first/second - 1))``),
    labelled ``"first / second - 1"``.

    >>> import polars as pl
    >>> from survey.design import svydesign
    >>> from survey.estimators import proportion
    >>> sf = svydesign(pl.DataFrame({"a": ["y", "n", "y", "y"], "g": ["u", "u", "v", "v"]}))
    >>> d = differences(proportion(sf, "a", by="g"), "g", "v", "u")
    >>> d.to_frame().select("g", "category", "estimate").rows()
    [('v - u', 'n', -0.5), ('v - u', 'y', 0.5)]
    """
    if by not in est.by:
        raise EstimationError(f"{by!r} is not a by= column of these estimates",
                              location="by", hint=f"by= columns: {', '.join(est.by) or 'none'}")
    if str(first) == str(second):
        raise EstimationError(f"compare two different values of {by}, got {first!r} twice",
                              location="by")
    level = est.level if level is None else level
    keys = [*(c for c in est.by if c != by), "variable", "category"]
    t = est.table.with_row_index("__i").with_columns(pl.col(by).cast(pl.String).alias("__g"))
    sides = []
    for value in (first, second):
        side = t.filter(pl.col("__g") == str(value))
        if side.height == 0:
            seen = t["__g"].drop_nulls().unique(maintain_order=True).to_list()
            raise EstimationError(f"no estimates for {by} = {value!r}", location="by",
                                  hint=f"{by} has {', '.join(map(str, seen))}")
        sides.append(side.select(*keys, "__i"))
    pairs = sides[0].join(sides[1].rename({"__i": "__j"}), on=keys, how="inner",
                          nulls_equal=True, maintain_order="left")
    rows = np.arange(pairs.height)
    i, j = pairs["__i"].to_numpy(), pairs["__j"].to_numpy()
    C = np.zeros((pairs.height, len(est)))
    if relative:  # a / b - 1: gradient 1 / b and -a / b^2
        a, b = est.estimate[i], est.estimate[j]
        with np.errstate(divide="ignore", invalid="ignore"):
            value = a / b - 1
            C[rows, i] = 1 / b
            C[rows, j] -= a / b**2
        V = C @ est.vcov @ C.T
        se, lo, hi, p = _summarise(value, V, level, df)
    else:
        C[rows, i] = 1.0
        C[rows, j] -= 1.0
        value, V, se, lo, hi, p = _combine(est, C, level, df)
    text = f"{first} / {second} - 1" if relative else f"{first} - {second}"
    label = pl.lit(text, dtype=pl.String).alias(by)
    head = pairs.with_columns(label).select(*est.by, "variable", "category")
    return Estimates("relative_change" if relative else "difference",
                     _table(head, value, se, lo, hi, p, df), V, level, est.by,
                     "wald" if df is None else "wald-t")


def _label(keys: Mapping[str, object]) -> str:
    return ", ".join(f"{k}={v}" for k, v in keys.items())


def chisq(sf: SurveyFrame | LazySurveyFrame, row: str, col: str, *,
          statistic: ChisqStatistic = "F", where: pl.Expr | None = None) -> TestResult:
    """Rao-Scott test of independence in a two-way table, as R's ``svychisq``.

    Parameters
    ----------
    statistic
        ``"F"`` (default, as R): Pearson's X^2 divided by the mean generalised
        design effect, referred to F with ``d0`` and ``d0 * df`` degrees of freedom
        (second-order correction). ``"Chisq"``: X^2 over the mean design effect
        referred to chi-square on ``(r-1)(c-1)`` df (first order); the reported
        statistic is Pearson's X^2, as R. ``"lincom"``: X^2 referred to its
        asymptotic exact distribution, the linear combination of chi-squares with
        the design effects' eigenvalues (against the ``d0 * df`` denominator df on
        linearisation designs; R with CompQuadForm installed); ``"saddlepoint"``:
        its saddlepoint approximation (both with ``df`` empty, as R). ``"Wald"`` and
        ``"adjWald"``: R's design-based Wald tests of association, F on
        ``((r-1)(c-1), df)`` and ``((r-1)(c-1), df - (r-1)(c-1) + 1)``.
    where
        Subpopulation, as a domain of the full design.

    Rows missing either variable are left out of the cell proportions (R's
    ``na.rm=TRUE``). On replicate designs the cell covariance comes from the
    replicates and the denominator degrees of freedom from R's ``degf()`` of the
    (sub)design, as R's ``svychisq.svyrep.design``.

    On a lazy design (:class:`~survey.design.LazySurveyFrame`) the cell proportions and
    their covariance stream (:func:`mean` of the cell), the denominator degrees of
    freedom are the domain's counted among rows of non-zero weight (as every streamed
    estimate), and the Wald tests need the rows (:class:`~survey.errors.NotStreamable`).
    """
    from scipy import stats  # lazily: scipy.stats costs a second of start-up

    if statistic not in ("F", "Chisq", "Wald", "adjWald", "lincom", "saddlepoint"):
        raise EstimationError(f"statistic={statistic!r} is not F, Chisq, Wald, adjWald, "
                              "lincom or saddlepoint")
    lazy = isinstance(sf, LazySurveyFrame)
    rl, cl = ((lazy_categories(sf, row), lazy_categories(sf, col)) if lazy
              else (categories(sf, row), categories(sf, col)))  # type: ignore[arg-type]
    if rl is None or cl is None:
        raise EstimationError("chisq() needs two categorical columns",
                              location=row if rl is None else col)
    nu = 0.0
    if isinstance(sf, LazySurveyFrame):
        if statistic in ("Wald", "adjWald"):
            raise NotStreamable(f"statistic={statistic!r} needs the rows in memory",
                                hint="use statistic='F' (Rao-Scott)")
        seen = sf.backend.aggregate([row, col], [Sum("__rows", (("one", ""),))],
                                    where=where, step="chisq")
        rs, cs = (seen[c].drop_nulls().unique().to_list() for c in (row, col))
        N = float(seen["__rows"].sum())
    else:
        dom = make_domains(sf, by=None, where=where)
        inside = dom.data.filter(pl.col(DOM).is_not_null())
        rs = inside[row].drop_nulls().unique().to_list()
        cs = inside[col].drop_nulls().unique().to_list()
        N = float(inside.height)
    rl = [v for v in rl if v in rs]
    cl = [v for v in cl if v in cs]
    nr, nc = len(rl), len(cl)
    if nr < 2 or nc < 2:
        raise EstimationError(f"the table is {nr} x {nc}: each variable needs two values")
    if isinstance(sf, SurveyFrame):
        if sf.is_replicate:  # R's degf() of the subset design
            nu = float(subset_df(sf, inside.filter(pl.col(W) != 0)[PSU].unique().to_numpy()))
        else:
            nu = float(inside.select(pl.col(PSU).n_unique() - pl.col(H).n_unique()).item())
        if statistic in ("Wald", "adjWald"):
            from survey.estimators._tabletests import wald_independence

            return wald_independence(sf, row, col, rl, cl, where, nu,
                                     adjusted=statistic == "adjWald")
    # cells in R's interaction order: row level fastest
    labels = [f"{r}\x1f{c}" for c in cl for r in rl]
    cell = (pl.when(pl.col(row).is_not_null() & pl.col(col).is_not_null())
            .then(pl.col(row).cast(pl.String) + "\x1f" + pl.col(col).cast(pl.String))
            .cast(pl.Enum(labels)).alias("__cell"))
    m = mean(sf.with_columns(cell), "__cell", where=where)
    p = m.estimate
    V = m.vcov
    if lazy:  # the domain's degrees of freedom, from the same pass
        nu = float(m.table["df"][0])
    # Pearson X^2 on the weighted table scaled to N
    tab = (p * N).reshape(nc, nr).T
    expct = np.outer(tab.sum(1), tab.sum(0)) / N
    with np.errstate(divide="ignore", invalid="ignore"):
        pearson = float(np.nansum((tab - expct) ** 2 / expct))
    rr, cc = np.meshgrid(np.arange(nr), np.arange(nc), indexing="xy")
    rr, cc = rr.ravel(), cc.ravel()  # row index fastest
    X1 = np.column_stack([np.ones(nr * nc)] + [(rr == i) * 1.0 for i in range(1, nr)]
                         + [(cc == j) * 1.0 for j in range(1, nc)])
    X2 = np.column_stack([(rr == i) * (cc == j) * 1.0 for j in range(1, nc)
                          for i in range(1, nr)])
    C = X2 - X1 @ np.linalg.lstsq(X1, X2, rcond=None)[0]
    with np.errstate(divide="ignore"):
        ip = np.where(p == 0, 0.0, 1.0 / p)
    iD = np.diag(ip)
    denom = C.T @ (iD / N) @ C
    numr = C.T @ iD @ V @ iD @ C
    delta = np.linalg.solve(denom, numr)
    tr, tr2 = float(np.trace(delta)), float(np.trace(delta @ delta))
    if statistic in ("lincom", "saddlepoint"):
        from survey.estimators._tabletests import lincom_pvalue, saddlepoint_pvalue

        a = np.linalg.eigvals(delta).real
        ddf = None if sf.is_replicate else tr * tr / tr2 * nu  # R: pchisqsum, or pFsum
        if statistic == "lincom":
            return TestResult("Pearson's X^2: asymptotic exact distribution", pearson, (),
                              lincom_pvalue(pearson, a, ddf), pearson)
        return TestResult("Pearson's X^2: saddlepoint approximation", pearson, (),
                          saddlepoint_pvalue(pearson, a, ddf), pearson)
    if statistic == "F":
        d0 = tr * tr / tr2
        f = pearson / tr
        return TestResult("Rao-Scott F (second order)", f, (d0, d0 * nu),
                          float(stats.f.sf(f, d0, d0 * nu)), pearson)
    k = delta.shape[1]
    return TestResult("Rao-Scott chi-square (first order)", pearson, (float(k),),
                      float(stats.chi2.sf(pearson / (tr / k), k)), pearson)
