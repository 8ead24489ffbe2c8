"""Variances, covariances, standard deviations and correlations, as R's ``svyvar``.

R's ``svyvar`` is a design-based mean: ``svymean((x - xbar)(y - ybar) n / (n - 1))``
with ``xbar`` the design-based mean and ``n`` the sampled rows of non-zero weight
(every such row of the (sub)design, even one missing ``x``). Its standard error is
that mean's, the means held fixed (their derivative vanishes at ``xbar``). Under
replicate weights R recomputes ``xbar`` in each replicate and ``n`` counts the rows
answering. Both are reproduced here, by domain.

Standard deviations, correlations and Cronbach's alpha are smooth functions of the
covariance matrix; their standard errors are the delta method on ``svyvar``'s
covariance, which is what R's ``svycontrast`` gives on ``svyvar``'s estimates
(``svycontrast(v, quote(c12 / sqrt(c11 * c22)))``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from survey.design import SurveyFrame
from survey.design._frame import DOM
from survey.estimators._basic import _frame
from survey.estimators._engine import Domains, domain_counts, fit_ratios, make_domains, svr_var
from survey.estimators._intervals import wald
from survey.estimators._results import Estimates
from survey.errors import EstimationError

__all__ = ["correlation", "cronbach_alpha", "std_dev", "variance"]

Vars = str | Sequence[str]
By = str | Sequence[str] | None


@dataclass(frozen=True)
class _Cov:
    """Per domain, the covariance matrix entries ``(a, b)``, ``a <= b``, and their covariance."""

    names: tuple[str, ...]
    pairs: tuple[tuple[int, int], ...]
    estimate: np.ndarray  # (D * m,): domain-major, pairs within
    vcov: np.ndarray
    dom: Domains
    n: np.ndarray  # (D,) rows answering every variable
    df: np.ndarray  # (D,) design degrees of freedom


def _columns(sf: SurveyFrame, var: Vars, least: int) -> list[str]:
    names = [var] if isinstance(var, str) else list(var)
    if len(names) < least:
        raise EstimationError(f"give at least {least} columns, got {len(names)}",
                              location="var")
    if len(set(names)) != len(names):
        raise EstimationError(f"a column is listed twice in {names}", location="var")
    for v in names:
        if v not in sf.frame.columns:
            raise EstimationError(f"column {v!r} is not in the frame", location=v)
        dt = sf.frame[v].dtype
        if not (dt.is_numeric() or dt == pl.Boolean or isinstance(dt, pl.Enum)):
            raise EstimationError(f"column {v!r} is {dt}, not numeric", location=v,
                                  hint="variances and correlations need numeric columns "
                                       "(or ordered categories, scored 1, 2, ...)")
    return names


def _value(sf: SurveyFrame, name: str) -> pl.Expr:
    """A column as numbers; an ordered category (Enum) by its position, 1 to k."""
    if isinstance(sf.frame[name].dtype, pl.Enum):
        return pl.col(name).to_physical().cast(pl.Float64) + 1.0
    return pl.col(name).cast(pl.Float64)


def _by_domain(values: np.ndarray) -> pl.Expr:
    """A per-row value taken from ``values[domain]``."""
    return pl.col(DOM).replace_strict(list(range(values.shape[0])), values.tolist(),
                                      return_dtype=pl.Float64)


def _cov(sf: SurveyFrame, names: list[str], by: By, where: pl.Expr | None) -> _Cov:
    """R's ``svyvar(~a + b + ..., design, na.rm=TRUE)`` in every domain (complete cases)."""
    xs = [_value(sf, v) for v in names]
    valid = pl.all_horizontal([x.is_not_null() for x in xs])
    dom = make_domains(sf, by=by, where=where)
    D, p = dom.count, len(names)
    k = p + 1
    num = np.array([d * k + j for d in range(D) for j in range(p)])
    den = np.array([d * k + p for d in range(D) for _ in range(p)])
    fit1 = fit_ratios(sf, dom, [*(pl.when(valid).then(x).otherwise(0.0) for x in xs), valid],
                      num, den)
    xbar = fit1.estimate.reshape(D, p)
    n, ddf, rows = domain_counts(sf, dom, [valid])
    # R: n = rows of non-zero weight in the (sub)design (linearisation); rows answering
    # (replicate designs, which drop the missing rows first)
    nn = (n[:, 0] if sf.is_replicate else rows).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = nn / (nn - 1)
    pairs = tuple((a, b) for a in range(p) for b in range(a, p))
    m = len(pairs)
    cen = [_by_domain(xbar[:, j]) for j in range(p)]
    c = _by_domain(scale)
    z = [pl.when(valid).then((xs[a] - cen[a]) * (xs[b] - cen[b]) * c).otherwise(0.0)
         for a, b in pairs]
    k2 = m + 1
    num2 = np.array([d * k2 + j for d in range(D) for j in range(m)])
    den2 = np.array([d * k2 + m for d in range(D) for _ in range(m)])
    fit2 = fit_ratios(sf, dom, [*z, valid], num2, den2)
    est, vcov = fit2.estimate, fit2.vcov
    if sf.is_replicate:  # R recomputes the means in each replicate
        assert fit1.replicates is not None and fit2.replicates is not None
        dev = fit1.replicates - fit1.estimate  # (R, D * p)
        thetas = fit2.replicates.copy()
        for d in range(D):
            for j, (a, b) in enumerate(pairs):
                thetas[:, d * m + j] -= dev[:, d * p + a] * dev[:, d * p + b] * scale[d]
        vcov = svr_var(thetas, est, sf)
    return _Cov(tuple(names), pairs, est, vcov, dom, n[:, 0], ddf)


def _estimates(statistic: str, cov: _Cov, labels: list[str], value: np.ndarray,
               V: np.ndarray, level: float, df: float | None) -> Estimates:
    """Rows: domain-major, ``labels`` within each domain."""
    D = cov.dom.count
    se = np.sqrt(np.clip(np.diag(V), 0, None))
    lo, hi = wald(value, se, level, df)
    L = len(labels)
    d_idx = np.repeat(np.arange(D), L)
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = se / np.abs(value)
    rows: dict[str, list] = {"_d": d_idx.tolist(), "variable": labels * D,
                             "category": [None] * (D * L), "estimate": value, "std_error": se,
                             "conf_low": lo, "conf_high": hi, "cv": cv, "n": cov.n[d_idx],
                             "df": cov.df[d_idx]}
    return Estimates(statistic, _frame(cov.dom, rows), V, level, cov.dom.by,
                     "wald" if df is None else "wald-t")


def _delta(cov: _Cov, fn: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]
           ) -> tuple[np.ndarray, np.ndarray]:
    """Values ``fn(c_d)`` per domain and their delta-method covariance.

    ``fn`` maps one domain's pair entries ``(m,)`` to ``(values (L,), jacobian (L, m))``.
    """
    D, m = cov.dom.count, len(cov.pairs)
    vals, blocks = [], []
    for d in range(D):
        v, J = fn(cov.estimate[d * m:(d + 1) * m])
        vals.append(v)
        blocks.append(J)
    L = blocks[0].shape[0]
    J = np.zeros((D * L, D * m))
    for d, b in enumerate(blocks):
        J[d * L:(d + 1) * L, d * m:(d + 1) * m] = b
    return np.concatenate(vals), J @ cov.vcov @ J.T


def variance(sf: SurveyFrame, var: Vars, *, by: By = None, where: pl.Expr | None = None,
             level: float = 0.95, df: float | None = None) -> Estimates:
    """Design-based variances (and covariances), as R's ``svyvar``.

    Parameters
    ----------
    sf
        The bound design (linearisation or replicate weights).
    var
        One numeric column, or several: then every variance and covariance
        (rows ``"a"`` for a variance, ``"a:b"`` for a covariance), on the rows
        answering all of them, as ``svyvar(~a + b, design, na.rm=TRUE)``.
    by, where
        Domains and subpopulation, as :func:`~survey.estimators.mean`
        (``svyby(~a, ~g, design, svyvar)``).
    level, df
        Intervals: Wald, normal quantiles by default (R's ``confint``); ``df`` for t.

    The variance uses divisor ``n - 1`` with ``n`` the domain's sampled rows, as R.

    Examples
    --------
    >>> import polars as pl
    >>> from survey.design import svydesign
    >>> sf = svydesign(pl.DataFrame({"y": [1.0, 2.0, 3.0, 6.0]}))
    >>> round(float(variance(sf, "y").estimate[0]), 4)
    4.6667
    """
    names = _columns(sf, var, 1)
    cov = _cov(sf, names, by, where)
    labels = [names[a] if a == b else f"{names[a]}:{names[b]}" for a, b in cov.pairs]
    return _estimates("variance", cov, labels, cov.estimate, cov.vcov, level, df)


def std_dev(sf: SurveyFrame, var: Vars, *, by: By = None, where: pl.Expr | None = None,
            level: float = 0.95, df: float | None = None) -> Estimates:
    """Design-based standard deviations: the square roots of :func:`variance`.

    The standard error is the delta method, ``SE(var) / (2 sd)``, as R's
    ``svycontrast(svyvar(~a, design), quote(sqrt(a)))``; several columns use the rows
    answering all of them. Options as :func:`variance`.

    >>> import polars as pl
    >>> from survey.design import svydesign
    >>> sf = svydesign(pl.DataFrame({"y": [1.0, 3.0, 5.0, 7.0]}))
    >>> round(float(std_dev(sf, "y").estimate[0]), 4)
    2.582
    """
    names = _columns(sf, var, 1)
    cov = _cov(sf, names, by, where)
    diag = [j for j, (a, b) in enumerate(cov.pairs) if a == b]

    def fn(c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        sd = np.sqrt(c[diag])
        J = np.zeros((len(diag), c.shape[0]))
        with np.errstate(divide="ignore"):
            J[np.arange(len(diag)), diag] = 0.5 / sd
        return sd, J

    value, V = _delta(cov, fn)
    return _estimates("std_dev", cov, names, value, V, level, df)


def correlation(sf: SurveyFrame, var: Sequence[str], *, by: By = None,
                where: pl.Expr | None = None, level: float = 0.95,
                df: float | None = None) -> Estimates:
    """Design-based (Pearson) correlations of every pair of columns, rows ``"a:b"``.

    ``r = c_ab / sqrt(c_aa c_bb)`` from :func:`variance`'s covariance matrix (rows
    answering every column). The standard error is the delta method on ``svyvar``'s
    covariance, as R's ``svycontrast(v, quote(c12 / sqrt(c11 * c22)))`` with ``v``
    the estimates of ``svyvar(~a + b, design)`` named ``c11, c21, c12, c22`` (the
    linearised correlation: the means' derivatives vanish). Options as :func:`variance`.

    >>> import polars as pl
    >>> from survey.design import svydesign
    >>> sf = svydesign(pl.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": [2.0, 4.0, 6.0, 8.5]}))
    >>> round(float(correlation(sf, ["x", "y"]).estimate[0]), 4)
    0.9984
    """
    names = _columns(sf, var, 2)
    cov = _cov(sf, names, by, where)
    at = {pr: j for j, pr in enumerate(cov.pairs)}
    off = [(a, b) for a, b in cov.pairs if a < b]

    def fn(c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        r = np.empty(len(off))
        J = np.zeros((len(off), c.shape[0]))
        for i, (a, b) in enumerate(off):
            caa, cbb, cab = c[at[a, a]], c[at[b, b]], c[at[a, b]]
            s = np.sqrt(caa * cbb)
            r[i] = cab / s
            J[i, at[a, b]] = 1 / s
            J[i, at[a, a]] = -r[i] / (2 * caa)
            J[i, at[b, b]] = -r[i] / (2 * cbb)
        return r, J

    value, V = _delta(cov, fn)
    return _estimates("correlation", cov, [f"{names[a]}:{names[b]}" for a, b in off], value, V,
                      level, df)


def cronbach_alpha(sf: SurveyFrame, items: Sequence[str], *, by: By = None,
                   where: pl.Expr | None = None, level: float = 0.95,
                   df: float | None = None) -> Estimates:
    """Cronbach's alpha of a scale under the design, as R's ``svycralpha``.

    ``alpha = K / (K - 1) * (1 - sum of the items' variances / variance of their
    sum)``, from :func:`variance` of the ``K`` items (rows answering every item; the
    sum's variance is the sum of the covariance matrix). R's ``svycralpha`` gives the
    estimate only; the standard error here is the delta method on ``svyvar``'s
    covariance (R: ``svycontrast`` of the same expression on ``svyvar``'s estimates).
    One row, variable ``"q1+q2+q3"``, per domain. Items may be numeric or ordered
    categories (Enum: a Likert item from the codebook), scored by their position 1 to
    k. Options as :func:`variance`.

    >>> import polars as pl
    >>> from survey.design import svydesign
    >>> sf = svydesign(pl.DataFrame({"a": [1.0, 2.0, 4.0, 5.0], "b": [2.0, 2.0, 5.0, 4.0],
    ...                              "c": [1.0, 3.0, 4.0, 5.0]}))
    >>> round(float(cronbach_alpha(sf, ["a", "b", "c"]).estimate[0]), 4)
    0.9457
    """
    names = _columns(sf, items, 2)
    cov = _cov(sf, names, by, where)
    K = len(names)
    is_diag = np.array([a == b for a, b in cov.pairs])
    mult = np.where(is_diag, 1.0, 2.0)  # an off-diagonal entry counts twice in the sum

    def fn(c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        S, T = float(c[is_diag].sum()), float((mult * c).sum())
        f = K / (K - 1)
        alpha = f * (1 - S / T)
        J = f * (S / T**2) * mult - f * is_diag / T
        return np.array([alpha]), J[None, :]

    value, V = _delta(cov, fn)
    return _estimates("alpha", cov, ["+".join(names)], value, V, level, df)
