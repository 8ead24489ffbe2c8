"""Predictions standardised to the population's margins, as R's ``marginpred``.

R's ``marginpred(model, adjustfor, predictat)`` (survey, ``marginpred.svyglm``) makes the
adjustment variables uncorrelated with the model's predictors in the weighted sample by
raking (R's ``grake`` with ``cal.raking``): every product of a centred adjustment column
and a centred model column is calibrated to total zero. The model is refitted with those
raked weights on the same design (strata, clusters, fpc; R hands the refit the design with
its probabilities divided by the raking factors, without registering the raking as a
calibration, so the variance is the ordinary one of the reweighted design) and predicted
at ``predictat``. R stops its raking at ``epsilon = 1e-4``; here it is solved to
``epsilon`` (default 1e-12) by Newton's method, the raking's unique solution, which is
what R gives at tight controls.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import polars as pl

from survey.design import SurveyFrame
from survey.design._frame import W
from survey.errors import ModelError
from survey.models._formula import model_frame
from survey.models._results import ModelResult

__all__ = ["marginpred"]

_QR_TOL = 1e-7  # R's qr() (LINPACK dqrdc2): a column this small after the others is dropped


def _independent(base: np.ndarray, extra: np.ndarray) -> list[int]:
    """The columns of ``extra`` R's pivoting QR keeps after ``base``: each in turn, unless
    its part orthogonal to everything kept is below ``_QR_TOL`` of its norm."""
    kept: list[int] = []
    Q = np.linalg.qr(base)[0] if base.size else np.zeros((extra.shape[0], 0))
    for j in range(extra.shape[1]):
        col = extra[:, j]
        norm = float(np.linalg.norm(col))
        resid = col - Q @ (Q.T @ col)
        resid -= Q @ (Q.T @ resid)
        r = float(np.linalg.norm(resid))
        if norm > 0 and r > _QR_TOL * norm:
            kept.append(j)
            Q = np.column_stack([Q, resid / r])
    return kept


def _rake(mm: np.ndarray, w: np.ndarray, population: np.ndarray, epsilon: float,
          maxit: int) -> np.ndarray:
    """R's ``grake(mm, w, cal.raking, population)``: factors ``g = exp(mm lambda)`` with
    ``sum w g mm = population``, by Newton's method from ``lambda = 0``."""
    lam = np.zeros(mm.shape[1])
    scale = np.maximum(np.abs(mm * w[:, None]).sum(axis=0), 1e-300)
    for _ in range(maxit):
        g = np.exp(mm @ lam)
        gap = (mm * (w * g)[:, None]).sum(axis=0) - population
        if np.all(np.abs(gap) / scale < epsilon):
            return g
        H = mm.T @ (mm * (w * g)[:, None])
        lam -= np.linalg.lstsq(H, gap, rcond=None)[0]
    raise ModelError(f"the raking did not converge in {maxit} iterations", location="adjustfor",
                     hint="fewer adjustment variables, or merge sparse levels")


def marginpred(model: ModelResult, adjustfor: str,
               predictat: pl.DataFrame | Mapping[str, Sequence[object]], *,
               scale: Literal["link", "response"] = "link", level: float | None = None,
               epsilon: float = 1e-12, maxit: int = 100) -> pl.DataFrame:
    """Predictions of ``model`` at ``predictat``, standardised to the sample's margins of
    ``adjustfor``, as R's ``marginpred(model, adjustfor, predictat)``.

    Parameters
    ----------
    model
        A :func:`~survey.models.svyglm` fit on a linearisation design (R's marginpred
        needs the design's sampling probabilities: replicate designs and calibrated
        designs are refused).
    adjustfor
        A right-hand side, ``"~ age_band + institution_type"``: variables the predictions
        are standardised over (not in the model).
    predictat
        Profiles of the model's variables, one row each.
    scale
        ``"link"`` (R's ``predict`` default) or ``"response"`` (R's ``type="response"``:
        the delta-method SE).
    level
        Interval level (default the model's); intervals as
        :meth:`~survey.models.ModelResult.predict`.
    epsilon, maxit
        The raking's tolerance (relative to each constraint's weighted size) and its
        Newton steps.

    Returns
    -------
    polars.DataFrame
        ``predictat`` with ``estimate``, ``std_error``, ``conf_low``, ``conf_high``.

    Examples
    --------
    >>> import polars as pl
    >>> from survey.design import svydesign
    >>> from survey.models import svyglm
    >>> df = pl.DataFrame({"y": [1.0, 3, 2, 5, 4, 6, 8, 7], "x": [1.0, 2, 3, 4, 5, 6, 7, 8],
    ...                    "z": [0.0, 1, 1, 1, 0, 0, 1, 0]})
    >>> m = svyglm(svydesign(df), "y ~ x", family="gaussian")
    >>> p = marginpred(m, "~ z", pl.DataFrame({"x": [2.0, 6.0]}))
    >>> p["estimate"].round(3).to_list()
    [2.11, 6.026]
    """
    if model.model != "glm" or model._mf is None or model._refit is None:
        raise ModelError(f"marginpred needs a svyglm fit, not a {model.model} model",
                         location="model")
    sf: SurveyFrame = model._design
    if sf.is_replicate or sf.calibration is not None:
        raise ModelError("marginpred reweights the design's sampling weights: it needs a "
                         "linearisation design without calibration", location="model",
                         hint="fit the model on the unweighted design (R's marginpred "
                              "fails on replicate designs too)")
    mf = model._mf
    rows = pl.int_range(pl.len()).is_in(mf.rows.tolist())
    try:
        adj = model_frame(sf, adjustfor if "~" in adjustfor else f"~ {adjustfor}",
                          outcome=pl.lit(0.0), where=rows)
    except ModelError as exc:
        raise ModelError(f"adjustfor: {exc.message}", location="adjustfor") from exc
    if not np.array_equal(adj.rows, mf.rows):
        raise ModelError("the adjustment variables are missing on some of the model's rows",
                         location="adjustfor", hint="R's marginpred stops there too (na.fail)")
    w = mf.w
    total = float(w.sum())
    adjmm = adj.X - (adj.X * w[:, None]).sum(axis=0) / total
    keep = [j for j, t in enumerate(mf.names) if t != "Intercept"]
    modelmm = mf.X[:, keep] - (mf.X[:, keep] * w[:, None]).sum(axis=0) / total
    if np.linalg.matrix_rank(modelmm) < modelmm.shape[1]:
        raise ModelError("the model is singular", location="model")
    chosen = _independent(modelmm, adjmm)
    if not chosen:
        raise ModelError("the adjustment variables are all in the model", location="adjustfor")
    adjmm = adjmm[:, chosen]
    mm = np.column_stack([adjmm * modelmm[:, [i]] for i in range(modelmm.shape[1])])
    pop = np.outer((modelmm * w[:, None]).sum(axis=0) / total,
                   (adjmm * w[:, None]).sum(axis=0)).ravel()
    g = _rake(mm, w, pop, epsilon, maxit)
    factor = np.ones(sf._data.height)
    factor[mf.rows] = g
    new = SurveyFrame._derived(sf)
    new._data = sf._data.with_columns(pl.col(W) * pl.Series(factor))
    refit = model._refit([], new)
    return refit.predict(predictat, level=level, scale=scale)
