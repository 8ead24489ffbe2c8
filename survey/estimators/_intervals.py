"""Confidence intervals: Wald (normal or t), R's ``svyciprop`` methods, and SRS methods."""

from __future__ import annotations

import numpy as np

from survey.errors import EstimationError
from survey.estimators._dist import expit, norm_ppf, t_ppf

# scipy is imported inside the functions that need more than normal and t quantiles
# (beta, the SRS methods, likelihood): importing scipy.stats costs over a second of
# start-up, more than a whole `survey stats` run on a small file.

__all__ = ["DESIGN_METHODS", "SRS_METHODS", "ciprop", "quantile", "wald"]

DESIGN_METHODS = ("logit", "likelihood", "asin", "beta", "mean", "xlogit")
SRS_METHODS = ("wilson", "clopper-pearson", "jeffreys", "agresti-coull")


def quantile(level: float, df: float | np.ndarray | None) -> np.ndarray:
    """Two-sided quantile: normal when ``df`` is None or infinite, else Student t."""
    if not 0 < level < 1:
        raise EstimationError(f"level={level} must lie strictly between 0 and 1", location="level")
    if df is None:
        return norm_ppf(0.5 + level / 2)
    d = np.asarray(df, dtype=float)
    return np.where(d > 0, t_ppf(0.5 + level / 2, np.where(d > 0, d, 1)), np.nan)


def wald(est: np.ndarray, se: np.ndarray, level: float,
         df: float | np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """``est -/+ q se``, as R's ``confint.svystat`` (``df=Inf`` by default: normal)."""
    q = quantile(level, df)
    return est - q * se, est + q * se


def ciprop(method: str, p: np.ndarray, var: np.ndarray, level: float, df: np.ndarray,
           nrow: np.ndarray, x: np.ndarray | None = None,
           n: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Interval ends for proportions ``p`` with design variance ``var``.

    ``df``: degrees of freedom per estimate (R's ``degf`` of the domain); ``nrow``:
    rows of the domain (the ``beta`` method's effective-size correction). ``x`` and
    ``n`` (unweighted successes and trials) serve the SRS methods.
    """
    p = np.asarray(p, dtype=float)
    se = np.sqrt(var)
    a = 1.0 - level
    if method == "mean":
        return wald(p, se, level, df)
    if method in ("logit", "xlogit"):
        # svyglm(y ~ 1, quasibinomial) has var(logit p) = var(p) / (p (1 - p))^2
        q = quantile(level, df)
        with np.errstate(divide="ignore", invalid="ignore"):
            eta = np.log(p / (1 - p))
            h = q * se / (p * (1 - p))
        return expit(eta - h), expit(eta + h)
    if method == "asin":
        q = quantile(level, df)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.arcsin(np.sqrt(p))
            h = q * se / (2 * np.sqrt(p * (1 - p)))
        return np.sin(t - h) ** 2, np.sin(t + h) ** 2
    if method == "beta":
        from scipy import stats

        with np.errstate(divide="ignore", invalid="ignore"):
            n_eff = p * (1 - p) / var
            n_eff = n_eff * (stats.t.ppf(a / 2, nrow - 1) / stats.t.ppf(a / 2, df)) ** 2
            lo = stats.beta.ppf(a / 2, n_eff * p, n_eff * (1 - p) + 1)
            hi = stats.beta.ppf(1 - a / 2, n_eff * p + 1, n_eff * (1 - p))
        return lo, hi
    if method == "likelihood":
        raise EstimationError("method='likelihood' is handled by the proportion estimator")
    if method in SRS_METHODS:
        assert x is not None and n is not None
        return _srs(method, x.astype(float), n.astype(float), level)
    raise EstimationError(
        f"unknown interval method {method!r}",
        hint=f"one of {', '.join(DESIGN_METHODS + SRS_METHODS)}", location="method")


def _srs(method: str, x: np.ndarray, n: np.ndarray, level: float) -> tuple[np.ndarray,
                                                                               np.ndarray]:
    from scipy import stats

    a = 1.0 - level
    z = float(norm_ppf(1 - a / 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "wilson":
            centre = (x + z * z / 2) / (n + z * z)
            half = z / (n + z * z) * np.sqrt(x * (n - x) / n + z * z / 4)
            return centre - half, centre + half
        if method == "agresti-coull":
            nt = n + z * z
            pt = (x + z * z / 2) / nt
            half = z * np.sqrt(pt * (1 - pt) / nt)
            return np.clip(pt - half, 0, 1), np.clip(pt + half, 0, 1)
        if method == "clopper-pearson":
            lo = np.where(x > 0, stats.beta.ppf(a / 2, x, n - x + 1), 0.0)
            hi = np.where(x < n, stats.beta.ppf(1 - a / 2, x + 1, n - x), 1.0)
            return lo, hi
        # jeffreys
        lo = np.where(x > 0, stats.beta.ppf(a / 2, x + 0.5, n - x + 0.5), 0.0)
        hi = np.where(x < n, stats.beta.ppf(1 - a / 2, x + 0.5, n - x + 0.5), 1.0)
        return lo, hi


def likelihood_interval(p: float, var: float, level: float, df: float, sw: float,
                        swy: float, nrow: float, pearson: float) -> tuple[float, float]:
    """Profile-likelihood interval of R's ``svyciprop(method="likelihood")``.

    R profiles the quasibinomial deviance of ``svyglm(y ~ 1)`` on a grid and
    interpolates a spline; here the same scaled deviance is solved exactly for the
    cut-off ``t_{df} sqrt(lambda)`` with ``lambda`` the design effect of the logit.
    ``sw``/``swy``: rescaled weight total and weighted successes; ``pearson``: the
    quasibinomial dispersion.
    """
    from scipy.optimize import brentq

    q = float(quantile(level, df))
    naive = 1.0 / (sw * p * (1 - p))
    lam = (var / (p * (1 - p)) ** 2) / naive
    cut = q * np.sqrt(lam)
    b0 = np.log(p / (1 - p))

    def dev(b: float) -> float:
        mu = expit(np.asarray(b))
        return float(-2 * (swy * np.log(mu) + (sw - swy) * np.log(1 - mu)))

    d0 = dev(b0)

    def z(b: float) -> float:
        return float(np.sign(b - b0) * np.sqrt(max(dev(b) - d0, 0.0) / pearson))

    step = 1.0 / np.sqrt(sw * p * (1 - p)) + 1e-12
    lo_b = b0 - step
    while z(lo_b) > -cut:
        lo_b -= step
    hi_b = b0 + step
    while z(hi_b) < cut:
        hi_b += step
    lo = brentq(lambda b: z(b) + cut, lo_b, b0)
    hi = brentq(lambda b: z(b) - cut, b0, hi_b)
    return float(expit(np.asarray(lo))), float(expit(np.asarray(hi)))
