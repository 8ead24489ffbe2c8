"""Davies' algorithm (Applied Statistics AS 155, 1980) for the distribution of a linear
combination of central chi-squares, ``Q = sum_j lb_j chi2_{n_j}``.

``P(Q < c)`` by numerical inversion of the characteristic function (Gil-Pelaez),
with Davies' bounds fixing the truncation point, the integration interval and an
optional convergence factor so that the error stays below ``acc``. R's
``svychisq(statistic="lincom")`` reaches it through ``CompQuadForm::davies`` (via
``pFsum``) at ``acc=1e-7``; its answer carries that method's own error (about 1e-9 on
a p-value of 1e-6), so reproducing R's numbers to 1e-6 needs the same algorithm,
written here from the published description (no noncentrality, no normal term: the
cases ``svychisq`` asks for).
"""

from __future__ import annotations

import numpy as np

__all__ = ["davies"]

_PI = 3.14159265358979  # the algorithm's constant, as published
_LOG28 = 0.0866  # log(2) / 8


class _Limit(Exception):
    """More than ``lim`` evaluations of the bounds (AS 155's fault 4)."""


def _log1(x: np.ndarray | float, first: bool) -> np.ndarray:
    """``log(1 + x)`` (first) or ``log(1 + x) - x``."""
    v = np.log1p(x)
    return v if first else v - x


def _exp1(x: np.ndarray | float) -> np.ndarray:
    return np.where(np.asarray(x) < -50.0, 0.0, np.exp(np.minimum(x, 700.0)))


class _QF:
    def __init__(self, lb: np.ndarray, n: np.ndarray, c: float, lim: int) -> None:
        self.lb, self.n, self.c, self.lim = lb, n.astype(float), c, lim
        self.sigsq = 0.0
        self.count = 0
        self.fail = False
        self.intl = 0.0
        self.ersm = 0.0
        self.th = np.argsort(-np.abs(lb), kind="stable")  # largest |lb| first
        self.lmax = max(0.0, float(lb.max()))
        self.lmin = min(0.0, float(lb.min()))
        self.mean = float(np.sum(lb * self.n))

    def counter(self) -> None:
        self.count += 1
        if self.count > self.lim:
            raise _Limit

    def errbd(self, u: float) -> tuple[float, float]:
        """Bound on the tail probability from the mgf; the cutoff point."""
        self.counter()
        xconst = u * self.sigsq
        sum1 = u * xconst
        x = 2.0 * u * self.lb
        y = 1.0 - x
        xconst += float(np.sum(self.lb * self.n / y))
        sum1 += float(np.sum(self.n * (x ** 2 / y + _log1(-x, False))))
        return float(_exp1(-0.5 * sum1)), xconst

    def ctff(self, accx: float, upn: float) -> tuple[float, float]:
        """A cutoff with P(Q > c) < accx (upn > 0) or P(Q < c) < accx; and the new upn."""
        u2, u1, c1 = upn, 0.0, self.mean
        rb = 2.0 * (self.lmax if u2 > 0.0 else self.lmin)
        while True:
            e, c2 = self.errbd(u2 / (1.0 + u2 * rb))
            if e <= accx:
                break
            u1, c1, u2 = u2, c2, 2.0 * u2
        u = (c1 - self.mean) / (c2 - self.mean)
        while u < 0.9:
            u = (u1 + u2) / 2.0
            e, xconst = self.errbd(u / (1.0 + u * rb))
            if e > accx:
                u1, c1 = u, xconst
            else:
                u2, c2 = u, xconst
            u = (c1 - self.mean) / (c2 - self.mean)
        return c2, u2

    def truncation(self, u: float, tausq: float) -> float:
        """Bound on the integration error from truncating at u."""
        self.counter()
        sum2 = (self.sigsq + tausq) * u * u
        prod1 = 2.0 * sum2
        x = (2.0 * u * self.lb) ** 2
        big = x > 1.0
        prod2 = float(np.sum(self.n[big] * np.log(x[big])))
        prod3 = float(np.sum(self.n[big] * _log1(x[big], True)))
        s = float(np.sum(self.n[big]))
        prod1 += float(np.sum(self.n[~big] * _log1(x[~big], True)))
        sum1 = 0.0
        prod2, prod3 = prod1 + prod2, prod1 + prod3
        xx = float(_exp1(-sum1 - 0.25 * prod2)) / _PI
        y = float(_exp1(-sum1 - 0.25 * prod3)) / _PI
        err1 = 1.0 if s == 0 else xx * 2.0 / s
        err2 = 2.5 * y if prod3 > 1.0 else 1.0
        err1 = min(err1, err2)
        half = 0.5 * sum2
        err2 = 1.0 if half <= y else y / half
        return min(err1, err2)

    def findu(self, utx: float, accx: float) -> float:
        """u with truncation(u) < accx and truncation(u / 1.2) > accx."""
        ut = utx
        u = ut / 4.0
        if self.truncation(u, 0.0) > accx:
            u = ut
            while self.truncation(u, 0.0) > accx:
                ut *= 4.0
                u = ut
        else:
            ut = u
            u = u / 4.0
            while self.truncation(u, 0.0) <= accx:
                ut = u
                u = u / 4.0
        for d in (2.0, 1.4, 1.2, 1.1):
            u = ut / d
            if self.truncation(u, 0.0) <= accx:
                ut = u
        return ut

    def integrate(self, nterm: int, interv: float, tausq: float, mainx: bool) -> None:
        u = (np.arange(nterm, -1, -1) + 0.5) * interv  # the published order, k = nterm..0
        x = 2.0 * np.outer(u, self.lb)
        sum1 = -2.0 * u * self.c
        sum2 = np.abs(sum1)
        sum3 = -0.5 * self.sigsq * u ** 2
        z = self.n * np.arctan(x)
        sum1 = sum1 + z.sum(axis=1)
        sum2 = sum2 + np.abs(z).sum(axis=1)
        sum3 = sum3 - 0.25 * (self.n * _log1(x ** 2, True)).sum(axis=1)
        w = (interv / _PI) * _exp1(sum3) / u
        if not mainx:
            w = w * (1.0 - _exp1(-0.5 * tausq * u ** 2))
        self.intl += float(np.sum(np.sin(0.5 * sum1) * w))
        self.ersm += float(np.sum(0.5 * sum2 * w))

    def cfe(self, x: float) -> float:
        """Coefficient of tausq in the error of the convergence factor at x."""
        self.counter()
        axl = abs(x)
        sxl = 1.0 if x > 0.0 else -1.0
        sum1 = 0.0
        th = self.th
        for j in range(th.shape[0] - 1, -1, -1):
            t = th[j]
            if self.lb[t] * sxl > 0.0:
                lj = abs(self.lb[t])
                axl1 = axl - lj * self.n[t]
                axl2 = lj / _LOG28
                if axl1 > axl2:
                    axl = axl1
                else:
                    axl = min(axl, axl2)
                    sum1 = (axl - axl1) / lj + float(np.sum(self.n[th[:j]]))
                    break
        if sum1 > 100.0:
            self.fail = True
            return 1.0
        return float(2.0 ** (sum1 / 4.0) / (_PI * axl * axl))


def davies(c: float, lb: np.ndarray, n: np.ndarray, *, acc: float = 1e-4, lim: int = 10000
           ) -> tuple[float, int]:
    """``P(Q < c)`` for ``Q = sum lb_j chi2_{n_j}`` and AS 155's fault code (0: fine,
    1: accuracy not reached, 2: round-off possibly significant, 4: bounds not found)."""
    lb = np.asarray(lb, dtype=float)
    q = _QF(lb, np.asarray(n, dtype=np.int64), float(c), lim)
    try:
        return _run(q, acc)
    except _Limit:
        return -1.0, 4


def _run(q: _QF, acc: float) -> tuple[float, int]:
    sd = float(np.sum(q.lb ** 2 * 2 * q.n))
    if sd == 0.0:
        return (1.0 if q.c > 0.0 else 0.0), 0
    sd = np.sqrt(sd)
    almx = max(q.lmax, -q.lmin)
    utx, up = 16.0 / sd, 4.5 / sd
    un = -up
    acc1 = acc
    xlim = float(q.lim)
    utx = q.findu(utx, 0.5 * acc1)
    if q.c != 0.0 and almx > 0.07 * sd:
        tausq = 0.25 * acc1 / q.cfe(q.c)
        if q.fail:
            q.fail = False
        elif q.truncation(utx, tausq) < 0.2 * acc1:
            q.sigsq += tausq
            utx = q.findu(utx, 0.25 * acc1)
    acc1 = 0.5 * acc1
    while True:
        cu, up = q.ctff(acc1, up)
        d1 = cu - q.c
        if d1 < 0.0:
            return 1.0, 0
        cl, un = q.ctff(acc1, un)
        d2 = q.c - cl
        if d2 < 0.0:
            return 0.0, 0
        intv = 2.0 * _PI / max(d1, d2)
        xnt = utx / intv
        xntm = 3.0 / np.sqrt(acc1)
        if xnt > xntm * 1.5:
            if xntm > xlim:
                return -1.0, 1
            ntm = int(np.floor(xntm + 0.5))
            intv1 = utx / ntm
            x = 2.0 * _PI / intv1
            if x <= abs(q.c):
                break
            tausq = 0.33 * acc1 / (1.1 * (q.cfe(q.c - x) + q.cfe(q.c + x)))
            if q.fail:
                break
            acc1 = 0.67 * acc1
            q.integrate(ntm, intv1, tausq, False)
            xlim -= xntm
            q.sigsq += tausq
            utx = q.findu(utx, 0.25 * acc1)
            acc1 = 0.75 * acc1
            continue
        break
    if xnt > xlim:
        return -1.0, 1
    nt = int(np.floor(xnt + 0.5))
    q.integrate(nt, intv, 0.0, True)
    qfval = 0.5 - q.intl
    fault = 0
    up = q.ersm
    x = up + acc / 10.0
    if any(r * x == r * up for r in (1, 2, 4, 8)):
        fault = 2
    return qfval, fault
