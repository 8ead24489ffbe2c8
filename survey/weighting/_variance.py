"""Calibration residuals for linearisation variances, exactly as R's ``svyrecvar``.

R keeps, per weighting step, what ``svyrecvar`` needs to replace the weighted
influence values ``x`` (rows x estimates) by residuals before summing them by PSU:

* post-stratum (``postStratify``): ``x - psw * rowsum(x oldw / psw) / rowsum(oldw)``
  per cell, ``psw``/``oldw`` the weights after/before the step;
* raking (``rake``): ten sweeps over the margins of ``x - psw_m * ave(x / psw_m)``
  with ``psw_m`` the weights after margin ``m`` in the last raking sweep;
* GREG (``calibrate``): ``qr.resid(qr(mm sqrt(w0)), x / w) * w`` with ``w = g sqrt(w0)``.

Each is ``x <- x - V A`` with ``A = M (U' x)`` for row matrices ``U``, ``V`` (n x p)
and a small ``M`` (p x p), so a chain of steps is a recursion on ``p x m`` arrays:
``U_t' x`` after earlier steps is ``U_t' x0 - sum_s (U_t' V_s) A_s``. Only sparse
products with the data are needed, never an n x m matrix of residuals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
import scipy.sparse as sp

from survey.design._frame import DOM, PSU, W

__all__ = ["LinearCalibration", "Step", "cell_step", "dense_step"]


@dataclass(frozen=True, eq=False)
class Step:
    """One linear residual step ``x <- x - V M U' x``."""

    U: sp.csr_matrix
    V: sp.csr_matrix
    M: np.ndarray


def cell_step(codes: np.ndarray, u: np.ndarray, v: np.ndarray, m: np.ndarray) -> Step:
    """A step on one categorical variable: ``U = onehot * u``, ``V = onehot * v``,
    ``M = diag(m)``."""
    n, p = codes.shape[0], m.shape[0]
    indptr = np.arange(n + 1, dtype=np.int64)  # one entry per row: CSR built directly
    return Step(sp.csr_matrix((u, codes, indptr), shape=(n, p)),
                sp.csr_matrix((v, codes, indptr), shape=(n, p)), np.diag(m))


def dense_step(U: np.ndarray, V: np.ndarray, M: np.ndarray) -> Step:
    """A step with dense row matrices (GREG calibration)."""
    return Step(sp.csr_matrix(U), sp.csr_matrix(V), M)


@dataclass(frozen=True, eq=False)
class LinearCalibration:
    """The calibration information of a weighted design (R's ``design$postStrata``).

    ``steps`` are the distinct residual operators, ``program`` the order R applies
    them in (raking repeats its margins ten times), and ``history`` what was done,
    for diagnostics and for storing the design with its weights.
    """

    steps: tuple[Step, ...] = ()
    program: tuple[int, ...] = ()
    history: tuple[dict[str, Any], ...] = ()
    _cross: dict[tuple[int, int], np.ndarray] = field(default_factory=dict, repr=False)

    def then(self, steps: Sequence[Step], program: Sequence[int],
             record: dict[str, Any]) -> LinearCalibration:
        """This calibration followed by another step (R appends to ``postStrata``)."""
        off = len(self.steps)
        return LinearCalibration((*self.steps, *steps),
                                 (*self.program, *(off + i for i in program)),
                                 (*self.history, record))

    def recorded(self, record: dict[str, Any]) -> LinearCalibration:
        """The same residual steps, one more history entry (e.g. trimming)."""
        return LinearCalibration(self.steps, self.program, (*self.history, record))

    def _uv(self, t: int, s: int) -> np.ndarray:
        key = (t, s)
        if key not in self._cross:
            self._cross[key] = np.asarray((self.steps[t].U.T @ self.steps[s].V).todense())
        return self._cross[key]

    def residual_totals(self, data: pl.DataFrame, cols: Sequence[pl.Expr], domains: int,
                        totals: np.ndarray) -> np.ndarray:
        """PSU totals of the calibration residuals of ``w x_j 1[domain d]``."""
        if not self.program:
            return totals
        n, k = data.height, len(cols)
        X = data.select((pl.col(W) * c.cast(pl.Float64)).fill_null(0.0).alias(f"c{j}")
                        for j, c in enumerate(cols)).to_numpy()
        d = data.select(pl.col(DOM).cast(pl.Int64).fill_null(-1)).to_series().to_numpy()
        inside = np.flatnonzero(d >= 0)
        X0 = sp.csr_matrix((X[inside].ravel(), (np.repeat(inside, k),
                                                (d[inside, None] * k + np.arange(k)).ravel())),
                           shape=(n, domains * k))
        return self._residualise(data, X0, totals)

    def residual_row_totals(self, data: pl.DataFrame, values: np.ndarray, rows: np.ndarray,
                            totals: np.ndarray) -> np.ndarray:
        """PSU totals of the calibration residuals of per-row influence values.

        ``values`` ``(len(rows), k)`` are already weighted (e.g. a model's scores
        ``w x (y - mu)``) for the bound frame's ``rows``; every other row counts 0.
        R's ``svyglm`` residualises its ``estfun`` this way in ``svyrecvar``.
        """
        if not self.program:
            return totals
        n, k = data.height, values.shape[1]
        X0 = sp.csr_matrix((values.ravel(), (np.repeat(rows, k), np.tile(np.arange(k), len(rows)))),
                           shape=(n, k))
        return self._residualise(data, X0, totals)

    def _residualise(self, data: pl.DataFrame, X0: sp.csr_matrix, totals: np.ndarray) -> np.ndarray:
        n = data.height
        k_all = X0.shape[1]
        used = sorted(set(self.program))
        G = {t: np.asarray((self.steps[t].U.T @ X0).todense()) for t in used}
        acc = {t: np.zeros((self.steps[t].M.shape[0], k_all)) for t in used}
        for s in self.program:
            g = G[s].copy()
            for r in used:
                if acc[r].any():
                    g -= self._uv(s, r) @ acc[r]
            acc[s] += self.steps[s].M @ g
        psu = data[PSU].to_numpy().astype(np.int64)
        S = sp.csr_matrix((np.ones(n), (psu, np.arange(n))), shape=(totals.shape[0], n))
        out = totals.copy()
        for t in used:
            out -= np.asarray((S @ self.steps[t].V) @ acc[t])
        return out
