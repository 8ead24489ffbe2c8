"""R's quantile rules for weighted data (``survey:::qrule_*``, survey >= 4.1).

Every rule takes the values sorted ascending (ties in data order), their positive
weights in the same order, and an array of probabilities. Sums and cumulative sums
run in extended precision, as R's ``sum`` and ``cumsum`` do, so that a probability
landing exactly on a cumulative weight (``p n`` whole in an unweighted sample)
picks the same order statistic as R.

Two quirks of R are kept, since the point is to agree with it: when ``p`` lies
below the first cumulative share, R's ``qs`` takes the first position and then
the *second* value under ``math``/``school`` (``last()`` of nothing is 1); and
``shahvaish`` accumulates the normalised weights but subtracts half the raw one.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["QRULES", "qrule"]

Rule = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def _cumsum(w: np.ndarray) -> np.ndarray:
    return np.cumsum(w, dtype=np.longdouble).astype(np.float64)


def _qs(x: np.ndarray, cumw: np.ndarray, p: np.ndarray
        ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """R's ``qs``: positions below/above ``p`` and the weight shares either side."""
    n = x.shape[0]
    total = float(cumw[-1])
    pos = np.searchsorted(cumw, p * total, side="right") - 1  # last cumw <= p total
    pos = np.maximum(pos, 0)  # R's last() of nothing: the first
    nxt = np.minimum(pos + 1, n - 1)
    wlow = p - cumw[pos] / total
    wup = cumw[nxt] / total - p
    return pos, nxt, wlow, wup, cumw


def _math(x: np.ndarray, w: np.ndarray, p: np.ndarray) -> np.ndarray:
    pos, nxt, wlow, _, _ = _qs(x, _cumsum(w), p)
    return np.where(wlow == 0, x[pos], x[nxt])


def _school(x: np.ndarray, w: np.ndarray, p: np.ndarray) -> np.ndarray:
    pos, nxt, wlow, _, _ = _qs(x, _cumsum(w), p)
    return np.where(wlow == 0, (x[pos] + x[nxt]) / 2, x[nxt])


def _hf3(x: np.ndarray, w: np.ndarray, p: np.ndarray) -> np.ndarray:
    start = np.flatnonzero(np.r_[True, x[1:] != x[:-1]])
    ux = x[start]
    uw = np.add.reduceat(w, start)  # R's rowsum(w, x): weight per distinct value
    cw = _cumsum(uw)
    pos, nxt, wlow, _, _ = _qs(ux, cw, p)
    even = (pos + 1) % 2 == 0  # R's 1-based position
    return np.where((wlow == 0) & even, ux[pos], ux[nxt])


def _hf4(x: np.ndarray, w: np.ndarray, p: np.ndarray) -> np.ndarray:
    pos, nxt, wlow, wup, _ = _qs(x, _cumsum(w), p)
    with np.errstate(divide="ignore", invalid="ignore"):
        gamma = wlow / (wup + wlow)
    return x[pos] * (1 - gamma) + x[nxt] * gamma


def _approx(pk: np.ndarray, y: np.ndarray, p: np.ndarray, *, constant: bool) -> np.ndarray:
    """R's ``approx(pk, y, p, rule=2)`` (linear, or constant with ``f=0``); tied ``pk``
    collapse to the mean of their ``y`` and unsorted ``pk`` are sorted, as
    ``regularize.values`` does."""
    if np.any(pk[1:] <= pk[:-1]):
        o = np.argsort(pk, kind="stable")
        pk, y = pk[o], y[o]
        start = np.flatnonzero(np.r_[True, pk[1:] != pk[:-1]])
        if start.shape[0] < pk.shape[0]:
            counts = np.diff(np.r_[start, pk.shape[0]])
            y = np.add.reduceat(y, start) / counts
            pk = pk[start]
    n = pk.shape[0]
    i = np.searchsorted(pk, p, side="right") - 1
    inside = (i >= 0) & (i < n - 1)
    ii = np.clip(i, 0, n - 1)
    jj = np.clip(i + 1, 0, n - 1)
    if constant:
        mid = y[ii]
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            mid = y[ii] + (y[jj] - y[ii]) * ((p - pk[ii]) / (pk[jj] - pk[ii]))
        mid = np.where(p == pk[ii], y[ii], mid)
    return np.where(i < 0, y[0], np.where(inside, mid, y[n - 1]))


def _prev(cumw: np.ndarray) -> np.ndarray:
    return np.r_[0.0, cumw[:-1]]


def _hf5(x: np.ndarray, w: np.ndarray, p: np.ndarray) -> np.ndarray:
    cumw = _cumsum(w)
    return _approx((cumw - w / 2) / cumw[-1], x, p, constant=False)


def _hf6(x: np.ndarray, w: np.ndarray, p: np.ndarray) -> np.ndarray:
    cumw = _cumsum(w)
    return _approx(cumw / (cumw[-1] + w[-1]), x, p, constant=False)


def _hf7(x: np.ndarray, w: np.ndarray, p: np.ndarray) -> np.ndarray:
    if x.shape[0] == 1:
        return np.full(p.shape, x[0])
    cumw = _cumsum(w)
    return _approx(_prev(cumw) / cumw[-2], x, p, constant=False)


def _hf8(x: np.ndarray, w: np.ndarray, p: np.ndarray) -> np.ndarray:
    cumw = _cumsum(w)
    pk = (_prev(cumw) * 1 / 3 + cumw * 2 / 3) / (cumw[-1] + w[-1] / 3)
    return _approx(pk, x, p, constant=False)


def _hf9(x: np.ndarray, w: np.ndarray, p: np.ndarray) -> np.ndarray:
    cumw = _cumsum(w)
    pk = (_prev(cumw) * 3 / 8 + cumw * 5 / 8) / (cumw[-1] + w[-1] / 4)
    return _approx(pk, x, p, constant=False)


def _r_mean(w: np.ndarray) -> float:
    """R's ``mean``: an extended-precision sum, then one correction pass."""
    n = w.shape[0]
    s = np.sum(w.astype(np.longdouble)) / n
    s = s + np.sum(w.astype(np.longdouble) - s) / n
    return float(s)


def _shahvaish(x: np.ndarray, w: np.ndarray, p: np.ndarray) -> np.ndarray:
    n = x.shape[0]
    s = _cumsum(w / _r_mean(w))
    pk = (s + 0.5 - w / 2) / (n + 1)
    return _approx(pk, x, p, constant=True)


QRULES: dict[str, Rule] = {
    "math": _math, "school": _school, "shahvaish": _shahvaish,
    "hf1": _math, "hf2": _school, "hf3": _hf3, "hf4": _hf4, "hf5": _hf5, "hf6": _hf6,
    "hf7": _hf7, "hf8": _hf8, "hf9": _hf9,
}


def qrule(name: str, x: np.ndarray, w: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Quantiles ``p`` of sorted ``x`` with weights ``w`` (zero weights are dropped, as R).

    The weight total is summed in sorted order (R sums in data order; both in extended
    precision, so the two round to the same double but in contrived cases).
    """
    keep = w != 0
    if not keep.all():
        x, w = x[keep], w[keep]
    p = np.asarray(p, dtype=float)
    if x.shape[0] == 0:
        return np.full(p.shape, np.nan)
    return QRULES[name](x, w, p)
