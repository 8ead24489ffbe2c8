"""More tests of tables: the Wald tests and the exact (``lincom``) and saddlepoint
distributions of Pearson's X^2 under a design (R's ``svychisq`` statistics beyond
Rao-Scott), and goodness of fit to known shares (R's ``svygofchisq``).

The distribution of a linear combination of chi-squares ``sum_j a_j chi2_1`` is
computed exactly by Ruben's series (the method of Farebrother's AS 204, which R's
CompQuadForm implements): with ``b = min a``,
``P(Q > q) = sum_k c_k P(chi2_{n+2k} > q / b)``, the mixing weights from the
recurrence ``k c_k = sum_m d_m c_{k-m}``, ``d_m = 1/2 sum_j (1 - b / a_j)^m``,
``c_0 = prod (b / a_j)^(1/2)``. Against a chi-square on the denominator degrees of
freedom (R's ``pFsum``), each term is an F tail instead.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import polars as pl

from survey.design import SurveyFrame
from survey.estimators._basic import categories, total
from survey.estimators._results import TestResult
from survey.errors import EstimationError

__all__ = ["gof", "lincom_pvalue", "saddlepoint_pvalue", "wald_independence"]


def _mixture(a: np.ndarray, tol: float = 1e-14, max_terms: int = 20_000
             ) -> tuple[np.ndarray, float]:
    """Ruben's mixing weights ``c_k`` of ``sum_j a_j chi2_1`` (all ``a_j > 0``) over
    ``chi2_{n+2k}`` scaled by ``b = min a``, until the weights left are below ``tol``."""
    b = float(a.min())
    g = 1.0 - b / a
    c = [float(np.prod(np.sqrt(b / a)))]
    d: list[float] = []
    total_w = c[0]
    k = 0
    while 1.0 - total_w > tol and k < max_terms:  # the weights sum to 1
        k += 1
        d.append(0.5 * float(np.sum(g ** k)))
        ck = float(np.dot(d, c[::-1])) / k
        c.append(ck)
        total_w += ck
        if ck == 0.0 and g.max() == 0.0:
            break
    return np.asarray(c), b


def _positive(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a, dtype=float)
    a = a[np.abs(a) > 1e-12 * np.abs(a).max()]
    if (a < 0).any():
        raise EstimationError("the design effects' eigenvalues are not all positive: the "
                              "exact distribution is not available", hint="use statistic F")
    return a


def lincom_pvalue(x: float, a: np.ndarray, ddf: float | None = None) -> float:
    """``P(sum_j a_j chi2_1 > x)`` (R's ``pchisqsum(method="integration")``: Farebrother's
    exact series, here Ruben's), or, with ``ddf``, ``P(sum_j a_j chi2_1 > x chi2_m / ddf)``
    with ``m`` the integer part of ``ddf``, as R's ``pFsum(method="integration")``:
    Davies' algorithm at ``acc=1e-7`` (1e-5 where that fails), whose degrees of freedom
    CompQuadForm reads as integers."""
    from scipy import stats

    lam = _positive(a)
    if ddf is not None and np.isfinite(ddf):
        from survey.estimators._davies import davies

        coef = np.concatenate([lam, [-x / ddf]])
        dfs = np.concatenate([np.ones(lam.shape[0], dtype=np.int64), [int(ddf)]])
        cdf, fault = davies(0.0, coef, dfs, acc=1e-7)
        if fault not in (0, 2):
            cdf, _ = davies(0.0, coef, dfs, acc=1e-5)
        return 1.0 - cdf
    c, b = _mixture(lam)
    n = lam.shape[0] + 2 * np.arange(c.shape[0])
    return float(np.dot(c, stats.chi2.sf(x / b, n)))


def _saddle(x: float, lam: np.ndarray) -> float | None:
    """R's ``saddle``: Lugannani-Rice tail ``P(sum lam_j chi2_1 > x)`` (None: R's NA)."""
    from scipy import optimize, stats

    d = float(lam.max())
    lam = lam / d
    x = x / d

    def k0(z: float) -> float:
        return float(-np.sum(np.log(1 - 2 * z * lam)) / 2)

    def k1(z: float) -> float:
        return float(np.sum(lam / (1 - 2 * z * lam)))

    def k2(z: float) -> float:
        return float(2 * np.sum(lam ** 2 / (1 - 2 * z * lam) ** 2))

    if (lam < 0).any():
        lmin = float(np.max(1 / (2 * lam[lam < 0]))) * 0.99999
    elif x > lam.sum():
        lmin = -0.01
    else:
        lmin = -lam.shape[0] / (2 * x)
    lmax = float(np.min(1 / (2 * lam[lam > 0]))) * 0.99999
    zeta = optimize.brentq(lambda z: k1(z) - x, lmin, lmax, xtol=1e-15, rtol=1e-15,
                           maxiter=500)
    if abs(zeta) < 1e-4:
        return None
    w = np.sign(zeta) * np.sqrt(2 * (zeta * x - k0(zeta)))
    v = zeta * np.sqrt(k2(zeta))
    return float(stats.norm.sf(w + np.log(v / w) / w))


def saddlepoint_pvalue(x: float, a: np.ndarray, ddf: float | None = None) -> float:
    """R's ``pchisqsum``/``pFsum(method="saddlepoint")``: the saddlepoint tail, or the
    Satterthwaite one where R's ``saddle`` gives NA."""
    from scipy import stats

    a = np.asarray(a, dtype=float)
    tr = a.mean()
    tr2 = (a ** 2).mean() / tr ** 2
    scale, ndf = tr * tr2, a.shape[0] / tr2
    if ddf is None or not np.isfinite(ddf):
        s = _saddle(x, a)
        return float(stats.chi2.sf(x / scale, ndf)) if s is None else s
    lam = np.concatenate([a, np.full(int(ddf), -x / ddf)])  # R's rep(a, df): whole times
    s = _saddle(0.0, lam)
    return float(stats.f.sf(x / ndf / scale, ndf, ddf)) if s is None else s


def wald_independence(sf: SurveyFrame, row: str, col: str, rl: list, cl: list,
                      where: pl.Expr | None, nu: float, *, adjusted: bool) -> TestResult:
    """R's ``svychisq(statistic="Wald"|"adjWald")``: the Wald test that the cell totals
    equal the products of their margins over the total (cells with both indices past
    the first), F on ``((r-1)(c-1), nu)`` or, adjusted, on ``nu - (r-1)(c-1) + 1``."""
    from scipy import stats

    nr, nc = len(rl), len(cl)
    both = pl.col(row).is_not_null() & pl.col(col).is_not_null()
    r_s, c_s = pl.col(row).cast(pl.String), pl.col(col).cast(pl.String)
    cols = {f"__c{i}_{j}": ((r_s == str(a)) & (c_s == str(b))).cast(pl.Float64)
            for j, b in enumerate(cl) for i, a in enumerate(rl)}  # row index fastest
    cols |= {f"__r{i}": (r_s == str(a)).cast(pl.Float64) for i, a in enumerate(rl)}
    cols |= {f"__k{j}": (c_s == str(b)).cast(pl.Float64) for j, b in enumerate(cl)}
    cols["__one"] = pl.lit(1.0)
    sf2 = sf.with_columns(**cols)
    est = total(sf2, list(cols), where=both if where is None else (where & both))
    T, V = est.estimate, est.vcov
    cells, rows, colt, N = T[:nr * nc], T[nr * nc:nr * nc + nr], T[nr * nc + nr:-1], T[-1]
    ri = np.tile(np.arange(nr), nc)
    ci = np.repeat(np.arange(nc), nr)
    J = np.zeros((nr * nc, T.shape[0]))
    J[:, :nr * nc] = np.eye(nr * nc)
    J[np.arange(nr * nc), nr * nc + ri] = -colt[ci] / N
    J[np.arange(nr * nc), nr * nc + nr + ci] = -rows[ri] / N
    J[:, -1] = rows[ri] * colt[ci] / N ** 2
    Y = cells - rows[ri] * colt[ci] / N
    VY = J @ V @ J.T
    use = (ri > 0) & (ci > 0)
    stat = float(Y[use] @ np.linalg.solve(VY[np.ix_(use, use)], Y[use]))
    numdf = float((nr - 1) * (nc - 1))
    if adjusted:
        denomdf = nu - numdf + 1
        stat = stat * denomdf / (numdf * nu)
        method = "Design-based adjusted Wald test of association"
    else:
        denomdf = nu
        stat = stat / numdf
        method = "Design-based Wald test of association"
    return TestResult(method, stat, (numdf, denomdf), float(stats.f.sf(stat, numdf, denomdf)))


def gof(sf: SurveyFrame, var: str, expected: Mapping[object, float], *,
        where: pl.Expr | None = None) -> TestResult:
    """Design-based goodness of fit of a categorical variable to known shares, as R's
    ``svygofchisq``.

    Parameters
    ----------
    var
        A categorical column.
    expected
        Each category's population share or count (normalised to shares); every
        category of ``var`` in the (sub)population must be given.
    where
        Subpopulation, as a domain of the full design.

    The statistic is Pearson's ``X^2 = sum (T_k - E_k)^2 / E_k`` of the estimated totals
    ``T_k`` against ``E_k = p_k sum T``; its distribution is ``sum lambda_j chi2_1``
    with ``lambda`` the eigenvalues of the covariance of ``(T_k - E_k) / sqrt(E_k)``
    (delta method, as R's ``svycontrast``), referred, as R, to Satterthwaite's scaled
    chi-square: ``df`` is R's ``ncat / (mean(lambda^2) / mean(lambda)^2)``.

    >>> import polars as pl
    >>> from survey.design import svydesign
    >>> sf = svydesign(pl.DataFrame({"g": ["a", "a", "b", "b", "b", "a"]}))
    >>> round(gof(sf, "g", {"a": 0.5, "b": 0.5}).statistic, 6)
    0.0
    """
    from scipy import stats

    if categories(sf, var) is None:
        raise EstimationError(f"gof() needs a categorical column; {var!r} is numeric",
                              location=var)
    est = total(sf, var, where=where)
    t = est.to_frame()
    labels = [str(c) for c in t["category"].to_list()]
    given = {str(k): float(v) for k, v in expected.items()}
    missing = [c for c in labels if c not in given]
    if missing:
        raise EstimationError(f"the expected shares lack categories {missing} of {var!r}",
                              location=var, hint=f"give a share for each of {labels}")
    p = np.array([given[c] for c in labels])
    if (p <= 0).any():
        raise EstimationError("expected shares must be positive", location=var)
    p = p / p.sum()
    O, V = est.estimate, est.vcov
    N = O.sum()
    E = p * N
    stat = float(np.sum((O - E) ** 2 / E))
    k = O.shape[0]
    J = (np.eye(k) - p[:, None]) / np.sqrt(E)[:, None] \
        - ((O - E) * p / (2 * E ** 1.5))[:, None]
    lam = np.linalg.eigvalsh(J @ V @ J.T)[::-1]
    tr = lam.mean()
    tr2 = (lam ** 2).mean() / tr ** 2
    scale, df = tr * tr2, k / tr2
    return TestResult("Design-based chi-squared test for given probabilities", stat,
                      (float(df),), float(stats.chi2.sf(stat / scale, df)), stat)
