"""Normal and Student t quantiles without scipy.

``scipy.stats`` takes over a second to import, longer than the rest of a
``survey stats`` run on a small file; every Wald, logit, asin and xlogit interval
needs only these two quantiles. Both are exact to a few ulps: a close start
(Wichura's AS 241 for the normal, the Cornish-Fisher expansion for t) refined by
Newton steps on the exact distribution function (``erfc``; the regularised
incomplete beta function for t). The tests check them against scipy.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["expit", "f_sf", "norm_ppf", "t_ppf", "t_sf2"]

_SQRT2 = math.sqrt(2.0)
_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)


def _poly(coef: tuple[float, ...], x: float) -> float:
    out = 0.0
    for c in reversed(coef):
        out = out * x + c
    return out


# Wichura (1988), AS 241 PPND16
_A = (3.3871328727963666080e0, 1.3314166789178437745e2, 1.9715909503065514427e3,
      1.3731693765509461125e4, 4.5921953931549871457e4, 6.7265770927008700853e4,
      3.3430575583588128105e4, 2.5090809287301226727e3)
_B = (1.0, 4.2313330701600911252e1, 6.8718700749205790830e2, 5.3941960214247511077e3,
      2.1213794301586595867e4, 3.9307895800092710610e4, 2.8729085735721942674e4,
      5.2264952788528545610e3)
_C = (1.42343711074968357734e0, 4.63033784615654529590e0, 5.76949722146069140550e0,
      3.64784832476320460504e0, 1.27045825245236838258e0, 2.41780725177450611770e-1,
      2.27238449892691845833e-2, 7.74545014278341407640e-4)
_D = (1.0, 2.05319162663775882187e0, 1.67638483018380384940e0, 6.89767334985100004550e-1,
      1.48103976427480074590e-1, 1.51986665636164571966e-2, 5.47593808499534494600e-4,
      1.05075007164441684324e-9)
_E = (6.65790464350110377720e0, 5.46378491116411436990e0, 1.78482653991729133580e0,
      2.96560571828504891230e-1, 2.65321895265761230930e-2, 1.24266094738807843860e-3,
      2.71155556874348757815e-5, 2.01033439929228813265e-7)
_F = (1.0, 5.99832206555887937690e-1, 1.36929880922735805310e-1, 1.48753612908506148525e-2,
      7.86869131145613259100e-4, 1.84631831751005468180e-5, 1.42151175831644588870e-7,
      2.04426310338993978564e-15)


def _norm_ppf1(p: float) -> float:
    if not 0.0 < p < 1.0:
        return -math.inf if p == 0.0 else (math.inf if p == 1.0 else math.nan)
    q = p - 0.5
    if abs(q) <= 0.425:
        r = 0.180625 - q * q
        x = q * _poly(_A, r) / _poly(_B, r)
    else:
        r = math.sqrt(-math.log(min(p, 1.0 - p)))
        x = (_poly(_C, r - 1.6) / _poly(_D, r - 1.6) if r <= 5.0
             else _poly(_E, r - 5.0) / _poly(_F, r - 5.0))
        x = -x if q < 0 else x
    # one Newton step on the lower tail of the smaller side (erfc keeps tails exact)
    lower, target, s = (x, p, 1.0) if x <= 0 else (-x, 1.0 - p, -1.0)
    cdf = 0.5 * math.erfc(-lower / _SQRT2)
    pdf = math.exp(-0.5 * lower * lower - _LOG_SQRT_2PI)
    if pdf > 0:
        lower -= (cdf - target) / pdf
    return lower * s


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 100_000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-16:
            break
    return h


def _betainc(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta function ``I_x(a, b)``."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    lbt = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
           + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(lbt) * _betacf(a, b, x) / a
    return 1.0 - math.exp(lbt) * _betacf(b, a, 1.0 - x) / b


def _t_upper(t: float, nu: float) -> float:
    """``P(T > t)`` for ``t >= 0``."""
    return 0.5 * _betainc(nu / 2.0, 0.5, nu / (nu + t * t))


def t_sf2(t: float, nu: float) -> float:
    """Two-sided Student t tail ``P(|T| > |t|)`` (R's ``2 * pt(-abs(t), nu)``).

    >>> round(t_sf2(2.0, 10), 12)
    0.073388034770
    """
    if not nu > 0 or math.isnan(t):
        return math.nan
    return 2.0 * _t_upper(abs(t), nu)


def f_sf(x: float, d1: float, d2: float) -> float:
    """Upper tail of F(d1, d2) at ``x`` (R's ``pf(x, d1, d2, lower.tail=FALSE)``).

    >>> round(f_sf(3.0, 2, 20), 12)
    0.072538150286
    """
    if not (d1 > 0 and d2 > 0) or math.isnan(x):
        return math.nan
    if x <= 0:
        return 1.0
    return _betainc(d2 / 2.0, d1 / 2.0, d2 / (d2 + d1 * x))


def _t_pdf(t: float, nu: float) -> float:
    lc = math.lgamma((nu + 1) / 2) - math.lgamma(nu / 2) - 0.5 * math.log(nu * math.pi)
    return math.exp(lc - (nu + 1) / 2 * math.log1p(t * t / nu))


def _t_ppf1(p: float, nu: float) -> float:
    if not nu > 0 or not 0.0 <= p <= 1.0:
        return math.nan
    if p == 0.5:
        return 0.0
    if p < 0.5:
        return -_t_isf(p, nu)
    return _t_isf(1.0 - p, nu)


def _t_isf(tail: float, nu: float) -> float:
    """The ``t > 0`` with ``P(T > t) = tail`` (``0 <= tail < 0.5``): no ``1 - p`` in tails."""
    if tail == 0.0:
        return math.inf
    if math.isinf(nu):
        return -_norm_ppf1(tail)
    if nu == 1.0:
        return 1.0 / math.tan(math.pi * tail)
    if nu == 2.0:
        return (1.0 - 2.0 * tail) / math.sqrt(2.0 * tail * (1.0 - tail))
    z = -_norm_ppf1(tail)  # Cornish-Fisher start (Abramowitz & Stegun 26.7.5)
    z2 = z * z
    g1 = (z2 + 1) * z / 4
    g2 = ((5 * z2 + 16) * z2 + 3) * z / 96
    g3 = (((3 * z2 + 19) * z2 + 17) * z2 - 15) * z / 384
    g4 = ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) * z / 92160
    t = z + g1 / nu + g2 / nu**2 + g3 / nu**3 + g4 / nu**4
    if nu >= 1e4:  # the expansion's error is far below double precision
        return t
    lo, hi = 0.0, math.inf  # safeguarded Newton on the upper tail
    if not t > 0 or not math.isfinite(t):
        t = 1.0
    for _ in range(100):
        f = _t_upper(t, nu) - tail
        if f > 0:
            lo = t
        else:
            hi = t
        step = f / _t_pdf(t, nu)
        new = t + step
        if not (lo < new < hi) or not math.isfinite(new):
            new = (lo + hi) / 2 if math.isfinite(hi) else 2 * t + 1
        if abs(new - t) <= 1e-15 * max(abs(new), 1.0):
            return new
        t = new
    return t


def norm_ppf(p: float | np.ndarray) -> np.ndarray:
    """Standard normal quantile (as ``scipy.stats.norm.ppf``).

    >>> round(float(norm_ppf(0.975)), 12)
    1.959963984540
    """
    arr = np.asarray(p, dtype=float)
    return np.vectorize(_norm_ppf1, otypes=[float])(arr) if arr.ndim else np.asarray(
        _norm_ppf1(float(arr)))


def t_ppf(p: float | np.ndarray, df: float | np.ndarray) -> np.ndarray:
    """Student t quantile (as ``scipy.stats.t.ppf``); ``nan`` where ``df <= 0``.

    >>> round(float(t_ppf(0.975, 10)), 10)
    2.2281388520
    """
    pa, da = np.broadcast_arrays(np.asarray(p, dtype=float), np.asarray(df, dtype=float))
    cache: dict[tuple[float, float], float] = {}
    out = np.empty(pa.shape)
    for idx in np.ndindex(pa.shape):
        key = (float(pa[idx]), float(da[idx]))
        if key not in cache:
            cache[key] = _t_ppf1(*key)
        out[idx] = cache[key]
    return out


def expit(x: np.ndarray) -> np.ndarray:
    """The logistic function ``1 / (1 + exp(-x))``: 0 and 1 at the extremes, quietly."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-x))
