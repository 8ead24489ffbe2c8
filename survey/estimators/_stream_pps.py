"""The variance of a streamed PPS design whose rows are its PSUs, from sums.

With ``z_i = J (w_i x_i)`` a row's influence values, per stratum ``h`` of ``n`` rows the
pass gives ``S1 = sum z z'``, ``Sp = sum pi z z'``, ``T = sum z``, ``A = sum pi z`` (each
through the Jacobian ``J`` from the sums of ``w^2 x x'``, ``pi w^2 x x'``, ``w x`` and
``pi w x`` by stratum and domain), and binding gives ``Pi = sum pi``. Then, as R's
``svydesign(pps=...)`` (:mod:`survey.design._pps`):

* Brewer: ``n / (n - 1) sum (1 - pi) (z - zbar)(z - zbar)'`` with ``zbar = T / n``, that
  is ``Q - zbar U' - U zbar' + (n - Pi) zbar zbar'`` with ``Q = S1 - Sp`` and
  ``U = T - A``; lonely strata as R's ``survey.lonely.psu``.
* Overton, Horvitz-Thompson: ``z' D z`` with ``D_ii = 1 - pi_i`` and, within a stratum,
  ``D_ij = (fbar - 1) / (n - 1)``, ``fbar = (pi_i + pi_j) / 2``:
  ``Q + ((A T' + T A') / 2 - T T' + Q) / (n - 1)``.
* Yates-Grundy subtracts ``sum_j c_j z_j z_j'`` with ``c_j`` the column sums of ``D``,
  ``(Pi - pi_j) / (2 (n - 1)) - pi_j / 2``: ``Pi / (2 (n - 1)) S1 - n / (2 (n - 1)) Sp``.

A stratum of one row: ``Q`` (Horvitz-Thompson; Yates-Grundy 0). The expansion loses
digits to the subtraction as the rows-as-PSUs Taylor variance does (docs/scale.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from survey.estimators._engine import Fit, ratio_jacobian

if TYPE_CHECKING:
    from survey.design import LazySurveyFrame

__all__ = ["pps_rows_fit"]


def pps_rows_fit(lsf: LazySurveyFrame, P: np.ndarray, S: np.ndarray | None, Sp: np.ndarray,
                 Up: np.ndarray, num: np.ndarray, den: np.ndarray) -> Fit:
    """Estimates and covariance: ``P (H, D, k)`` stratum x domain totals of ``w x``,
    ``S``/``Sp (H, D, k, k)`` sums of ``w^2 x x'`` (times pi), ``Up (H, D, k)`` of
    ``pi w x`` (see the module docstring)."""
    pps, st = lsf.pps_rows, lsf.row_strata
    assert pps is not None and st is not None and S is not None
    est, J, T = ratio_jacobian(P, num, den)
    H, D, k = P.shape
    Jd = J.reshape(J.shape[0], D, k)
    with np.errstate(invalid="ignore"):
        S1 = np.einsum("mda,hdab,ndb->hmn", Jd, S, Jd)
        Spi = np.einsum("mda,hdab,ndb->hmn", Jd, Sp, Jd)
        Th = P.reshape(H, -1) @ J.T  # (H, m)
        Ah = Up.reshape(H, -1) @ J.T
    n = st.n_psu
    Q = S1 - Spi  # sum (1 - pi) z z'
    one = n == 1
    n1 = np.maximum(n - 1, 1)[:, None, None]
    mult = 1.0
    with np.errstate(invalid="ignore", divide="ignore"):
        if pps.overton:
            AT = np.einsum("hm,hn->hmn", Ah, Th)
            TT = np.einsum("hm,hn->hmn", Th, Th)
            per = Q + ((AT + AT.transpose(0, 2, 1)) / 2 - TT + Q) / n1
            per[one] = Q[one]
            if pps.yg:
                c = (pps.pi_sum[:, None, None] * S1 - n[:, None, None] * Spi) / (2 * n1)
                c[one] = Q[one]
                per = per - c
        else:
            zbar = Th / np.maximum(n, 1)[:, None]
            U = Th - Ah  # sum (1 - pi) z
            zU = np.einsum("hm,hn->hmn", zbar, U)
            cen = (Q - zU - zU.transpose(0, 2, 1)
                   + (n - pps.pi_sum)[:, None, None] * np.einsum("hm,hn->hmn", zbar, zbar))
            per = cen * np.where(one, 1.0, n / np.maximum(n - 1, 1))[:, None, None]
            lonely = one & ~pps.census
            how = lsf.design.lonely_psu  # type: ignore[union-attr]
            if lonely.any():
                if how == "adjust":  # centred on the population mean (0)
                    per[lonely] = Q[lonely]
                else:  # remove, certainty: centred on itself; average: left out, scaled
                    per[lonely] = 0.0
                    if how == "average":
                        mult = H / (H - int(lonely.sum()))
            per[pps.census] = 0.0
    v = per.sum(axis=0) * mult
    diag = np.einsum("ii->i", v)  # a variance that is 0 but for rounding stays >= 0
    diag[:] = np.where(diag < 0, 0.0, diag)
    return Fit(est, v, T)
