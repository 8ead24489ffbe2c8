"""Quantiles with design-based intervals, as R's ``svyquantile`` (survey >= 4.1).

The point estimate is a quantile rule (:mod:`survey.estimators._qrules`) of the
weighted values of each domain. The interval is made on the probability scale
and mapped back through the same rule:

* ``mean``, ``beta``, ``xlogit``, ``asin`` (Woodruff): the design-based interval of
  the estimated share ``F(q) = mean(x <= q)``, by the proportion method of that
  name (as R's ``woodruffCI``), read back as quantiles of its two ends;
* ``score`` (Francisco and Fuller): the values ``theta`` where the score test of
  ``F(theta) = p`` reaches the critical value, found by R's ``uniroot`` (Brent's
  ``zeroin``, ported step by step so the root lands on the same side of each jump
  of the step function), read back through the unweighted share below it;
* ``quantile`` (replicate designs): the quantile recomputed under every replicate
  weight, its replicate variance, and a symmetric interval.

The standard error is R's: the interval width over twice the critical value.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence

import numpy as np
import polars as pl

from survey._typing import QuantileInterval, QuantileRule
from survey.design import SurveyFrame
from survey.design._frame import DOM, PSU, W
from survey.errors import EstimationError
from survey.estimators._engine import (
    Domains,
    domain_counts,
    fit_ratios,
    make_domains,
    svr_var,
    taylor_vcov,
)
from survey.estimators._intervals import ciprop
from survey.estimators._intervals import quantile as critical
from survey.estimators._qrules import QRULES, qrule
from survey.estimators._results import Estimates

__all__ = ["QUANTILE_INTERVALS", "QUANTILE_RULES", "quantile"]

QUANTILE_INTERVALS = ("mean", "beta", "xlogit", "asin", "score", "quantile")
QUANTILE_RULES = tuple(QRULES)
_REPLICATE_INTERVALS = ("mean", "quantile")


def _check(sf: SurveyFrame, names: list[str], probs: np.ndarray, interval: str,
           rule: str) -> None:
    if interval not in QUANTILE_INTERVALS:
        raise EstimationError(f"unknown interval type {interval!r}", location="interval",
                              hint=f"one of {', '.join(QUANTILE_INTERVALS)}")
    if sf.is_replicate and interval not in _REPLICATE_INTERVALS:
        raise EstimationError(
            f"interval={interval!r} needs a linearisation design; with replicate weights "
            "use 'mean' (Woodruff) or 'quantile' (replicate quantiles)", location="interval",
            hint="R's svyquantile on replicate weights computes the Woodruff 'mean' "
                 "interval for beta, xlogit and asin")
    if interval == "quantile" and not sf.is_replicate:
        raise EstimationError("interval='quantile' needs replicate weights",
                              location="interval", hint="use 'mean', 'beta', 'xlogit', "
                              "'asin' or 'score' on a linearisation design")
    if rule not in QRULES:
        raise EstimationError(f"unknown quantile rule {rule!r}", location="qrule",
                              hint=f"one of {', '.join(QRULES)}")
    if probs.size == 0 or not np.all((probs >= 0) & (probs <= 1)):
        raise EstimationError(f"quantiles must lie in [0, 1], got {probs.tolist()}",
                              location="quantiles", hint="e.g. 0.25, 0.5, 0.75")
    for v in names:
        if v not in sf.frame.columns:
            raise EstimationError(f"column {v!r} is not in the frame", location=v)
        dt = sf.frame[v].dtype
        if not dt.is_numeric():
            raise EstimationError(f"quantiles need a numeric column; {v!r} is {dt}",
                                  location=v, hint="choose a numeric variable")


def quantile(sf: SurveyFrame, var: str | Sequence[str], *,
             quantiles: float | Sequence[float] = 0.5, by: str | Sequence[str] | None = None,
             where: pl.Expr | None = None, interval: QuantileInterval = "mean",
             qrule: QuantileRule = "math", level: float = 0.95,
             df: float | None = None) -> Estimates:
    """Design-based quantiles with confidence intervals, as R's ``svyquantile``
    (and ``svyby(..., svyquantile)`` with ``by``).

    Parameters
    ----------
    sf
        The bound design.
    var
        Numeric column(s). Rows with a null value are left out (R's ``na.rm=TRUE``).
    quantiles
        Probabilities in [0, 1] (default the median).
    by, where
        Domains and subpopulation, as :func:`~survey.estimators.mean`; each domain's
        quantile and interval are those of R's ``svyquantile`` on the design's subset.
    interval
        ``"mean"`` (default, R's: Woodruff's interval from the Wald interval of the
        share below the quantile), ``"beta"``, ``"xlogit"``, ``"asin"`` (the share's
        interval by those ``svyciprop`` methods), ``"score"`` (Francisco-Fuller
        test inversion) on linearisation designs; ``"mean"`` or ``"quantile"``
        (replicate quantiles) on replicate designs.
    qrule
        ``"math"`` (default, R's: the smallest value whose weighted share reaches
        ``p``), ``"school"`` (the midpoint on an exact tie), ``"shahvaish"``, or
        ``"hf1"``...``"hf9"`` (Hyndman and Fan's types, weighted as R).
    level
        Confidence level.
    df
        Degrees of freedom of the critical values; ``None`` (default): the domain's
        design degrees of freedom, as R (``degf`` of the subset); ``math.inf``:
        normal quantiles.

    Returns
    -------
    Estimates
        One row per domain, variable and probability: the ``by`` columns,
        ``variable``, ``quantile`` (the probability), ``estimate``, ``std_error``
        (interval width over twice the critical value, as R), ``conf_low``,
        ``conf_high`` (null where R gives NaN: the share's interval leaves [0, 1]),
        ``n`` and ``df``. ``vcov`` is diagonal (R keeps no covariances of quantiles).

    Examples
    --------
    >>> import polars as pl
    >>> from survey.design import svydesign
    >>> sf = svydesign(pl.DataFrame({"y": [1.0, 2.0, 3.0, 4.0, 10.0]}))
    >>> float(quantile(sf, "y").estimate[0])
    3.0
    """
    names = [var] if isinstance(var, str) else list(var)
    probs = np.atleast_1d(np.asarray(quantiles, dtype=float))
    _check(sf, names, probs, interval, qrule)
    frames = [_one(sf, v, probs, by, where, interval, qrule, level, df) for v in names]
    table = pl.concat(frames, how="vertical_relaxed")
    se = table["std_error"].to_numpy()
    vcov = np.diag(np.where(np.isfinite(se), se, np.nan) ** 2)
    by_t = () if by is None else ((by,) if isinstance(by, str) else tuple(by))
    return Estimates("quantile", table, vcov, level, by_t, interval)


class _Domain:
    """One domain's answering rows, sorted by value (ties in data order, as R's
    ``order``): values, the rules' sampling weights, row positions in the bound data,
    PSU codes and the engine's weights (for variances)."""

    __slots__ = ("psu", "rows", "w", "we", "x")

    def __init__(self, rows: np.ndarray, x: np.ndarray, w: np.ndarray, psu: np.ndarray,
                 we: np.ndarray) -> None:
        self.rows, self.x, self.w, self.psu, self.we = rows, x, w, psu, we

    def q(self, rule: str, p: np.ndarray) -> np.ndarray:
        return qrule(rule, self.x, self.w, p)


def _one(sf: SurveyFrame, v: str, probs: np.ndarray, by: str | Sequence[str] | None,
         where: pl.Expr | None, interval: str, rule: str, level: float,
         df: float | None) -> pl.DataFrame:
    valid = pl.col(v).is_not_null()
    if sf.frame[v].dtype.is_float():
        valid = valid & pl.col(v).is_not_nan()
    dom = make_domains(sf, by=by, where=valid if where is None else where & valid)
    n, ddf, nrow = domain_counts(sf, dom, [valid])
    D, P = dom.count, probs.shape[0]
    doms = _split(sf, dom, v)
    qhat = np.array([d.q(rule, probs) if d.x.size else np.full(P, np.nan) for d in doms])
    dfs = np.full(D, float(df)) if df is not None else ddf.astype(float)
    crit_df = None if df is not None and math.isinf(df) else dfs
    crit = np.broadcast_to(np.asarray(critical(level, crit_df), dtype=float), (D,))
    lo = np.full((D, P), np.nan)
    hi = np.full((D, P), np.nan)
    if interval == "quantile":
        se_rep = _replicate_se(sf, dom, doms, v, rule, probs, qhat)
        lo, hi = qhat - se_rep * crit[:, None], qhat + se_rep * crit[:, None]
    elif interval == "score":
        for d, dd in enumerate(doms):
            for j, p in enumerate(probs):
                lo[d, j], hi[d, j] = _score(sf, dom, d, dd, v, float(p), rule, float(crit[d]))
    else:
        plo, phi = _share_interval(sf, dom, doms, v, qhat, interval, level, ddf, crit_df,
                                   nrow)
        for d, dd in enumerate(doms):
            if not dd.x.size:
                continue
            okl = np.isfinite(plo[d]) & (plo[d] >= 0)
            okh = np.isfinite(phi[d]) & (phi[d] <= 1)
            ends = dd.q(rule, np.r_[np.where(okl, plo[d], 0.5), np.where(okh, phi[d], 0.5)])
            lo[d] = np.where(okl, ends[:P], np.nan)
            hi[d] = np.where(okh, ends[P:], np.nan)
    with np.errstate(invalid="ignore"):
        se = (hi - lo) / (2 * crit[:, None])
    rows = {
        "variable": [v] * (D * P), "quantile": np.tile(probs, D).tolist(),
        "estimate": _nulls(qhat.ravel()), "std_error": _nulls(se.ravel()),
        "conf_low": _nulls(lo.ravel()), "conf_high": _nulls(hi.ravel()),
        "n": np.repeat(n[:, 0], P).tolist(), "df": np.repeat(ddf, P).tolist(),
    }
    out = pl.DataFrame(rows, schema_overrides={"n": pl.Int64, "df": pl.Int64,
                                               "estimate": pl.Float64, "std_error": pl.Float64,
                                               "conf_low": pl.Float64, "conf_high": pl.Float64})
    if dom.by:
        out = dom.levels[np.repeat(np.arange(D), P)].hstack(out)
    return out


def _nulls(a: np.ndarray) -> list[float | None]:
    return [float(x) if np.isfinite(x) else None for x in a]


def _sampling_weights(sf: SurveyFrame, w: np.ndarray) -> np.ndarray:
    """The weights R's rules see: ``1 / prob`` of a linearisation design (the design
    stores probabilities), the weights as given with supplied replicate columns."""
    reps = sf._reps
    if reps is not None and reps.factors is None:
        return w
    with np.errstate(divide="ignore"):
        return 1.0 / (1.0 / w)


def _split(sf: SurveyFrame, dom: Domains, v: str) -> list[_Domain]:
    """Each domain's rows sorted by value, ties in data order: a stable sort of the
    values, then a stable (radix) sort of their domain codes."""
    t = (dom.data.lazy()
         .select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("__row"), pl.col(DOM),
                 pl.col(v).cast(pl.Float64).alias("__x"), pl.col(W), pl.col(PSU))
         .filter(pl.col(DOM).is_not_null()).collect())
    x = t["__x"].to_numpy()
    o = np.argsort(x, kind="stable")
    d = t[DOM].to_numpy()[o]
    small = np.uint8 if dom.count <= 256 else np.uint16 if dom.count <= 65536 else np.uint32
    by_domain = np.argsort(d.astype(small), kind="stable")  # radix sort for 8 and 16 bits
    o = o[by_domain]
    bounds = np.searchsorted(d[by_domain], np.arange(dom.count + 1))
    rows, x, psu = t["__row"].to_numpy()[o], x[o], t[PSU].to_numpy()[o]
    we = t[W].to_numpy()[o]
    w = _sampling_weights(sf, we)
    return [_Domain(rows[a:b], x[a:b], w[a:b], psu[a:b], we[a:b])
            for a, b in itertools.pairwise(bounds)]


def _plain(sf: SurveyFrame) -> bool:
    """A linearisation design whose variances numpy takes straight from PSU totals (no
    calibration residuals, no second-stage term)."""
    return not sf.is_replicate and sf.calibration is None and not sf.has_stage2


def _prefix_shares(sf: SurveyFrame, dd: _Domain, ks: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_mean_var` of the indicators ``x <= qhat``: each is 1 on the first ``k``
    rows of the sorted domain, so its PSU totals are those of a prefix."""
    ones = np.ones_like(dd.we)
    sw = float(dd.we @ ones)
    every = np.bincount(dd.psu, weights=dd.we, minlength=sf.n_psu)
    m = np.array([float(dd.we[:k] @ ones[:k]) for k in ks]) / sw
    Z = np.column_stack([np.bincount(dd.psu[:k], weights=dd.we[:k], minlength=sf.n_psu)
                         - mj * every for k, mj in zip(ks, m, strict=True)]) / sw
    return m, np.diag(taylor_vcov(sf, Z))


def _mean_var(sf: SurveyFrame, dd: _Domain, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Domain means of the columns of ``u`` (rows in the domain's order) and their
    linearisation variances, as the engine's ratio of totals (R's ``svymean`` on the
    design's subset): influence values ``w (u - mean) / sum w`` summed by PSU."""
    # one dot product per column, summed as the total: a share of 1 stays exactly 1
    sw = float(dd.we @ np.ones_like(dd.we))
    m = np.array([dd.we @ np.ascontiguousarray(u[:, j]) for j in range(u.shape[1])]) / sw
    Z = np.column_stack([np.bincount(dd.psu, weights=dd.we * (u[:, j] - m[j]) / sw,
                                     minlength=sf.n_psu) for j in range(u.shape[1])])
    return m, np.diag(taylor_vcov(sf, Z))


def _share_interval(sf: SurveyFrame, dom: Domains, doms: list[_Domain], v: str,
                    qhat: np.ndarray, method: str,
                    level: float, design_df: np.ndarray, crit_df: np.ndarray | None,
                    nrow: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Interval of each domain's share ``mean(x <= qhat)`` (R's ``woodruffCI``).

    ``crit_df``: degrees of freedom of the critical values (None: normal); the ``beta``
    method's effective-size correction uses the domain's design df whatever they are,
    as R's (``degf(design)``).
    """
    D, P = qhat.shape
    if _plain(sf):
        share, var = np.full((D, P), np.nan), np.full((D, P), np.nan)
        for d, dd in enumerate(doms):
            if dd.x.size:
                share[d], var[d] = _prefix_shares(sf, dd, np.searchsorted(dd.x, qhat[d],
                                                                          side="right"))
        p_hat, p_var = share.ravel(), var.ravel()
    else:
        x = pl.col(v).cast(pl.Float64)
        cols = [x <= pl.col(DOM).replace_strict(list(range(D)), np.nan_to_num(
            qhat[:, j], nan=-np.inf).tolist(), return_dtype=pl.Float64) for j in range(P)]
        cols.append(pl.lit(True))
        k = P + 1
        num = (np.arange(D)[:, None] * k + np.arange(P)[None, :]).ravel()
        den = np.repeat(np.arange(D) * k + P, P)
        fit = fit_ratios(sf, dom, cols, num, den)
        p_hat, p_var = fit.estimate, np.diag(fit.vcov)
    if method == "beta":
        df_rows: np.ndarray | None = np.repeat(design_df, P).astype(float)
    else:
        df_rows = None if crit_df is None else np.repeat(crit_df, P)
    lo, hi = ciprop(method, p_hat, p_var, level, df_rows,  # type: ignore[arg-type]
                    np.repeat(nrow, P).astype(float))
    return np.asarray(lo, dtype=float).reshape(D, P), np.asarray(hi, dtype=float).reshape(D, P)


def _replicate_se(sf: SurveyFrame, dom: Domains, doms: list[_Domain], v: str, rule: str,
                  probs: np.ndarray, qhat: np.ndarray) -> np.ndarray:
    """Replicate standard errors of the quantiles (R's ``repCI``)."""
    reps = sf._reps
    assert reps is not None
    D, P = qhat.shape
    n_rep = reps.rscales.shape[0]
    thetas = np.full((n_rep, D * P), np.nan)
    for d, dd in enumerate(doms):
        if not dd.x.size:
            continue
        wr = _replicate_weights(sf, dom, dd)  # (rows, R), rows in the domain's value order
        for r in range(n_rep):
            thetas[r, d * P:(d + 1) * P] = qrule(rule, dd.x, wr[:, r], probs)
    return np.sqrt(np.clip(np.diag(svr_var(thetas, qhat.ravel(), sf)), 0, None)).reshape(D, P)


def _replicate_weights(sf: SurveyFrame, dom: Domains, dd: _Domain) -> np.ndarray:
    """R's ``weights(design, "analysis")`` at a domain's rows."""
    reps = sf._reps
    assert reps is not None
    if reps.factors is not None:
        psu = dom.data[PSU].gather(dd.rows).to_numpy().astype(np.int64)
        return dd.w[:, None] * reps.factors[psu]
    cols = dom.data.select(reps.columns)[dd.rows].to_numpy().astype(np.float64)
    return cols if reps.combined else cols * dd.w[:, None]


# -- the score interval (R's ffullerCI) ------------------------------------------------


def _score(sf: SurveyFrame, dom: Domains, d: int, dd: _Domain, v: str, p: float, rule: str,
           q: float) -> tuple[float, float]:
    """``q``: the critical value (normal or t on the domain's degrees of freedom)."""
    if dd.x.size < 2:
        return math.nan, math.nan
    z = _score_test(sf, dom, d, dd, v, p)
    x_all = dd.x  # sorted
    iqr = _r_quantile7(x_all, 0.75) - _r_quantile7(x_all, 0.25)
    lower, upper = x_all[0] + iqr / 100, x_all[-1] - iqr / 100
    tol = 1 / (100 * math.sqrt(dd.x.size))
    cache: dict[float, float] = {}

    def score(theta: float) -> float:
        if theta not in cache:
            cache[theta] = z(theta)
        return cache[theta]

    def test_at(limit: float) -> Callable[[float], float]:
        return lambda theta: score(theta) - limit

    ends = []
    for limit in (q, -q):
        root = zeroin(test_at(limit), lower, upper, tol)
        share = float(np.mean(dd.x <= root))
        ends.append(float(dd.q(rule, np.array([share]))[0]))
    return ends[0], ends[1]


def _score_test(sf: SurveyFrame, dom: Domains, d: int, dd: _Domain, v: str,
                p: float) -> Callable[[float], float]:
    """``theta -> mean(U) / SE(mean(U))`` with ``U = (x > theta) - (1 - p)`` over the
    domain (R's ``svymean(U(theta), design)``): the domain's influence values summed by
    PSU in numpy (one pass over the domain's rows per call), or through the engine when
    the design is calibrated or has a second-stage term."""
    if _plain(sf):

        def fast(theta: float) -> float:
            m, var = _mean_var(sf, dd, ((dd.x > theta) - (1 - p))[:, None])
            return float(m[0] / math.sqrt(var[0]))

        return fast
    x = pl.col(v).cast(pl.Float64)
    num, den = np.array([d * 2]), np.array([d * 2 + 1])

    def engine(theta: float) -> float:
        u = (x > theta).cast(pl.Float64) - (1 - p)
        fit = fit_ratios(sf, dom, [u, pl.lit(True)], num, den)
        return float(fit.estimate[0] / math.sqrt(fit.vcov[0, 0]))

    return engine


def _r_quantile7(xs: np.ndarray, p: float) -> float:
    """R's ``quantile(x, p, type=7)`` of sorted ``xs``."""
    index = 1 + (xs.shape[0] - 1) * p
    lo, hi = math.floor(index), math.ceil(index)
    q = float(xs[lo - 1])
    h = index - lo
    if index > lo and xs[hi - 1] != q:
        q = (1 - h) * q + h * float(xs[hi - 1])
    return q


_EPS = np.finfo(float).eps


def zeroin(f: Callable[[float], float], ax: float, bx: float, tol: float,
           maxiter: int = 1000) -> float:
    """R's ``uniroot(f, c(ax, bx), tol=tol)$root``: Brent's method as R's ``R_zeroin2``.

    A port of the algorithm's steps (not scipy's ``brentq``, whose steps differ): on a
    step function the root found depends on the path taken.
    """
    fa, fb = f(ax), f(bx)
    if not (math.isfinite(fa) and math.isfinite(fb)):
        raise EstimationError("the score interval's test is undefined at the ends of the "
                              "data range", location="interval",
                              hint="use interval='mean' (Woodruff)")
    if fa * fb > 0:
        raise EstimationError("the score interval's test has the same sign at both ends "
                              "of the data range", location="interval",
                              hint="use interval='mean' (Woodruff)")
    a, b = ax, bx
    c, fc = a, fa
    if fa == 0.0:
        return a
    if fb == 0.0:
        return b
    for _ in range(maxiter + 1):
        prev_step = b - a
        if abs(fc) < abs(fb):
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol_act = 2 * _EPS * abs(b) + tol / 2
        new_step = (c - b) / 2
        if abs(new_step) <= tol_act or fb == 0.0:
            return b
        if abs(prev_step) >= tol_act and abs(fa) > abs(fb):
            cb = c - b
            if a == c:
                t1 = fb / fa
                pp = cb * t1
                qq = 1.0 - t1
            else:
                qq = fa / fc
                t1 = fb / fc
                t2 = fb / fa
                pp = t2 * (cb * qq * (qq - t1) - (b - a) * (t1 - 1.0))
                qq = (qq - 1.0) * (t1 - 1.0) * (t2 - 1.0)
            if pp > 0:
                qq = -qq
            else:
                pp = -pp
            if pp < (0.75 * cb * qq - abs(tol_act * qq) / 2) and pp < abs(prev_step * qq / 2):
                new_step = pp / qq
        if abs(new_step) < tol_act:
            new_step = tol_act if new_step > 0 else -tol_act
        a, fa = b, fb
        b += new_step
        fb = f(b)
        if (fb > 0 and fc > 0) or (fb < 0 and fc < 0):
            c, fc = a, fa
    return b
