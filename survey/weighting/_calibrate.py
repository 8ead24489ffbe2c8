"""Generalised regression calibration, as R's ``calibrate`` (``regcalibrate``/``grake``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np

from survey.design import SurveyFrame
from survey.errors import DesignError, EstimationError
from survey.weighting._adjust import MarginsLike, as_margins
from survey.weighting._common import (
    DEFAULT_WEIGHT,
    base_weights,
    calibration_of,
    record,
    reweighted,
)
from survey.weighting._margins import Margins, check_totals, match
from survey.weighting._replicate import calibrated_replicates, replicate_weights
from survey.weighting._variance import dense_step

__all__ = ["CalFun", "calibrate"]

CalFun = Literal["linear", "raking", "logit", "sinh"]
"""Calibration distance functions, as R's ``calfun``."""

_EPS = np.finfo(float).eps


def calibrate(sf: SurveyFrame, margins: MarginsLike, *, calfun: CalFun = "linear",
              bounds: tuple[float, float] = (-np.inf, np.inf), maxit: int = 50,
              epsilon: float = 1e-7, force: bool = False, aggregate_stage: int | None = None,
              weight_column: str = DEFAULT_WEIGHT) -> SurveyFrame:
    """Calibrate weights to population margins and totals, as R's ``calibrate``.

    The new weights are ``g w`` with ``g = 1 + F(x' eta)`` solving
    ``sum g w x = X`` for the auxiliary vector ``x``: an intercept and indicators of
    every category but the first of each categorical margin, then each numeric
    column with a total (``"api99": 3914069``). A numeric-only calibration has no
    intercept (R's ``~0 + x``).

    Parameters
    ----------
    calfun
        ``"linear"`` (GREG, default as R: closed form without bounds; ``g`` may be
        negative), ``"raking"`` (``g = exp(u)``: positive, the raking-ratio
        solution), ``"logit"`` (``g`` kept inside finite ``bounds``), ``"sinh"`` (R's
        ``cal.sinh``: ``g = (p + sqrt(p^2 + 4)) / 2`` with ``p = asinh(2u)``, the
        hyperbolic-sine distance of Deville and Sarndal, clipped to finite ``bounds``).
    bounds
        Limits on ``g`` (R's ``bounds``), not on the weights.
    maxit, epsilon
        Newton iterations and relative misfit tolerance, R's defaults (50, 1e-7).
    force
        Return the last iterate when calibration fails instead of raising (R's
        ``force``).
    aggregate_stage
        ``1``: integrated calibration (R's ``aggregate.stage=1``), e.g. of household
        and person: the auxiliary values and the weights are averaged within each
        first-stage cluster, so every member of a cluster gets the same ``g`` and the
        cluster's weighted totals meet the margins.

    Variances use the GREG residuals of R's ``svyrecvar``; on a replicate-weight
    design every replicate is calibrated to the same totals (R's method for
    ``svyrep.design``), so replicate SEs reflect the calibration.

    Examples
    --------
    >>> import polars as pl
    >>> from survey.design import svydesign
    >>> df = pl.DataFrame({"a": ["x", "x", "y"], "z": [1.0, 2.0, 3.0]})
    >>> c = calibrate(svydesign(df), {"a": {"x": 20, "y": 10}, "z": 60})
    >>> [round(w, 6) for w in c.frame["weight"].to_list()]
    [10.0, 10.0, 10.0]
    """
    ms = as_margins(margins)
    if calfun not in ("linear", "raking", "logit", "sinh"):
        raise DesignError(f"calfun={calfun!r} is not linear|raking|logit|sinh",
                          location="calfun")
    lo, hi = float(bounds[0]), float(bounds[1])
    if calfun in ("logit", "sinh") and not (np.isfinite(lo) and np.isfinite(hi)):
        raise DesignError(f"{calfun} calibration needs finite bounds", location="bounds",
                          hint="e.g. bounds=(0.5, 2.5)")
    if not lo < 1 < hi:
        raise DesignError(f"bounds={bounds} must enclose 1 (g = 1 leaves a weight unchanged)",
                          location="bounds")
    w0 = base_weights(sf, "calibrate", replicates=True)
    mm, pop = _model(sf, ms)
    w_orig = w0
    if aggregate_stage is not None:
        mm, w0 = _aggregate(sf, aggregate_stage, mm, w0)
    linear = calfun == "linear" and not (np.isfinite(lo) or np.isfinite(hi))
    if linear:
        g = _linear_g(mm, w0, pop)
        iterations = 1
    else:
        g, failed, iterations = _grake(mm, w0, calfun, lo, hi, pop, epsilon, maxit)
        if failed is not None and not force:
            raise EstimationError(
                f"calibration did not converge in {maxit} iterations (relative misfit "
                f"{failed:.3g} >= epsilon {epsilon:g})",
                hint="widen the bounds, raise maxit, or collapse sparse categories")
    extra = {} if aggregate_stage is None else {"aggregate_stage": aggregate_stage}
    history = record("calibrate", sf, margins=ms.to_rows(), calfun=calfun, bounds=[lo, hi],
                     maxit=maxit, epsilon=epsilon, iterations=iterations, initial=w_orig,
                     **extra)
    if sf.is_replicate:  # R's calibrate.svyrep.design: each replicate calibrated alike
        reps = replicate_weights(sf)
        for r in range(reps.shape[1]):  # R keeps a replicate's last iterate, failed or not
            reps[:, r] *= (_linear_g(mm, reps[:, r], pop) if linear else
                           _grake(mm, reps[:, r], calfun, lo, hi, pop, epsilon, maxit)[0])
        return calibrated_replicates(sf, g * w0, reps, history, weight_column)
    ww = mm * w0[:, None]
    M = _ginv(mm.T @ ww, tol=1e-12)  # the projection of R's qr.resid
    U = np.divide(mm, g[:, None], out=np.zeros_like(mm), where=g[:, None] != 0)
    cal = calibration_of(sf).then([dense_step(U, ww * g[:, None], M)], [0], history)
    return reweighted(sf, g * w_orig, cal, weight_column)


def _aggregate(sf: SurveyFrame, stage: int, mm: np.ndarray, w: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """R's ``aggregate.stage``: the auxiliary columns and weights averaged within each
    cluster of the stage (``ave(x, cluster)``)."""
    from survey.design._frame import PSU, unit_column

    if sf.is_replicate:
        raise DesignError("aggregate_stage needs a linearisation design with clusters",
                          location="aggregate_stage")
    if stage == 1 and sf.design.stage_ids:  # type: ignore[union-attr]
        col = PSU
    elif stage >= 2 and unit_column(stage) in sf._data.columns:
        col = unit_column(stage)
    else:
        raise DesignError(f"aggregate_stage={stage}: the design has no clusters at stage "
                          f"{stage}", location="aggregate_stage",
                          hint="give the cluster columns (ids) of the households")
    code = sf._data[col].to_numpy().astype(np.int64)
    k = int(code.max()) + 1
    count = np.bincount(code, minlength=k)
    avg = np.column_stack([np.bincount(code, weights=mm[:, j], minlength=k) / count
                           for j in range(mm.shape[1])])
    return avg[code], (np.bincount(code, weights=w, minlength=k) / count)[code]


def _linear_g(mm: np.ndarray, w: np.ndarray, pop: np.ndarray) -> np.ndarray:
    """R's ``regcalibrate``: ``g = 1 + x' T^-1 (X - x'w)``, ``T = sum w x x'``."""
    try:
        return 1.0 + mm @ np.linalg.solve(mm.T @ (mm * w[:, None]), pop - mm.T @ w)
    except np.linalg.LinAlgError:
        raise EstimationError("the calibration variables are collinear",
                              hint="drop a margin that repeats another") from None


def _model(sf: SurveyFrame, ms: Margins) -> tuple[np.ndarray, np.ndarray]:
    """Auxiliary matrix (intercept, category indicators but the first, numeric columns)
    and its population totals."""
    matched = match(sf, ms)
    check_totals(matched)
    n = sf.n
    cols: list[np.ndarray] = []
    pop: list[float] = []
    if matched:
        cols.append(np.ones(n))
        pop.append(float(matched[0].population.sum()))
    for m in matched:
        for c in range(1, m.population.shape[0]):
            cols.append((m.codes == c).astype(float))
            pop.append(float(m.population[c]))
    for v, total in ms.totals:
        cols.append(sf.frame[v].cast(float).to_numpy())
        pop.append(total)
    return np.column_stack(cols), np.asarray(pop)


def _ginv(a: np.ndarray, tol: float = np.sqrt(_EPS)) -> np.ndarray:
    """Moore-Penrose inverse as R's ``MASS::ginv`` (singular values above ``tol * max``)."""
    u, s, vt = np.linalg.svd(a)
    keep = s > max(tol * s[0], 0.0) if s.size else s.astype(bool)
    return (vt[keep].T / s[keep]) @ u[:, keep].T


def _calfun(name: str, lo: float, hi: float) -> tuple[Callable[[np.ndarray], np.ndarray],
                                                        Callable[[np.ndarray], np.ndarray]]:
    """R's ``cal.linear``/``cal.raking``/``cal.logit``/``cal.sinh``: ``F - 1`` and ``dF``."""
    if name == "sinh":
        def fs(u: np.ndarray) -> np.ndarray:
            p = np.arcsinh(2 * u)
            return np.clip((p + np.sqrt(p * p + 4)) / 2, lo, hi) - 1

        def ds(u: np.ndarray) -> np.ndarray:
            p = np.arcsinh(2 * u)
            d = 1 / np.sqrt(1 + (2 * u) ** 2) * (1 + p / np.sqrt(p * p + 4))
            return np.where((u < hi - 1) & (u > lo - 1), d, 0.0)

        return fs, ds
    if name == "linear":
        return (lambda u: np.clip(u + 1, lo, hi) - 1,
                lambda u: ((u < hi - 1) & (u > lo - 1)).astype(float))
    if name == "raking":
        def dfr(u: np.ndarray) -> np.ndarray:
            with np.errstate(over="ignore"):
                return np.where((u < hi - 1) & (u > lo - 1), np.exp(u), 0.0)
        def fr(u: np.ndarray) -> np.ndarray:
            with np.errstate(over="ignore"):
                return np.clip(np.exp(u), lo, hi) - 1
        return fr, dfr
    A = (hi - lo) / ((hi - 1) * (1 - lo))

    def fl(u: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore", invalid="ignore"):
            e = np.exp(A * u)
            return (lo * (hi - 1) + hi * (1 - lo) * e) / (hi - 1 + (1 - lo) * e) - 1

    def dl(u: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore", invalid="ignore"):
            e = np.exp(A * u)
            den = hi - 1 + (1 - lo) * e
            return (hi * (1 - lo) * e * A / den
                    - (lo * (hi - 1) + hi * (1 - lo) * e) * ((1 - lo) * e * A) / den**2)

    return fl, dl


def _grake(mm: np.ndarray, ww: np.ndarray, calfun: str, lo: float, hi: float,
           pop: np.ndarray, epsilon: float, maxit: int) -> tuple[np.ndarray, float | None, int]:
    """R's ``grake``: Newton steps on ``eta`` with step halving; returns ``g``, the
    achieved misfit when it failed (else None) and the iterations used."""
    Fm1, dF = _calfun(calfun, lo, hi)
    sample_total = mm.T @ ww
    eta = np.zeros(mm.shape[1])
    xeta = mm @ eta
    g, deriv = 1 + Fm1(xeta), dF(xeta)
    it = 1
    with np.errstate(divide="ignore"):
        scales = pop / sample_total
    scale = None
    if scales.min() > 20:  # as R: rescale weights far below the population first
        scale = float(scales.mean())
        ww = ww * scale
        sample_total = sample_total * scale
    failed = None
    while True:
        T = (mm * (ww * deriv)[:, None]).T @ mm
        misfit = pop - sample_total - mm.T @ (ww * Fm1(xeta))
        deta = _ginv(T, tol=256 * _EPS) @ misfit
        eta = eta + deta
        xeta = mm @ eta
        g, deriv = 1 + Fm1(xeta), dF(xeta)
        while it < maxit and not (np.isfinite(g).all() and np.isfinite(deriv).all()):
            it += 1
            deta = deta / 2
            eta = eta - deta
            xeta = mm @ eta
            g, deriv = 1 + Fm1(xeta), dF(xeta)
        misfit = pop - sample_total - mm.T @ (ww * Fm1(xeta))
        rel = np.abs(misfit) / (1 + np.abs(pop))
        if (rel < epsilon).all():
            break
        it += 1
        if it > maxit:
            failed = float(rel.max())
            break
    if scale is not None:
        g = g * scale
    return g, failed, it
