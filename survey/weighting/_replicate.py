"""Weighting a replicate-weight design, as R's ``postStratify``, ``rake`` and
``calibrate`` methods for ``svyrep.design``.

Each replicate is re-weighted the way the full sample is: post-stratified to the
same counts, raked through the same sweeps, calibrated to the same totals. Its
replicate estimates then vary with the calibration, so replicate SEs reflect it
(no residual step is needed, unlike linearisation). The result is a replicate
design whose replicate weights are row-level columns ``{weight_column}_rep1`` ...,
combined with the full-sample weights (R's ``combined.weights=TRUE``); created
replicates (per-PSU multipliers) become such columns too, as R's re-weighted
designs carry an uncompressed matrix.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import polars as pl
import scipy.sparse as sp

from survey.design import ReplicateDesign, SurveyFrame
from survey.design._frame import PSU, W
from survey.errors import DesignError, EstimationError
from survey.weighting._common import calibration_of
from survey.weighting._margins import Matched

__all__ = ["calibrated_replicates", "cell_scaled", "replicate_weights"]


def replicate_weights(sf: SurveyFrame) -> np.ndarray:
    """The ``(n, R)`` replicate weights combined with the full-sample weights (R's
    ``weights(design, "analysis")``)."""
    reps = sf._reps
    assert reps is not None
    w = sf._data[W].to_numpy().astype(float)
    if reps.factors is not None:
        return reps.factors[sf._data[PSU].to_numpy().astype(np.int64)] * w[:, None]
    m = np.asarray(sf._data.select(reps.columns).to_numpy(), dtype=float)
    return m if reps.combined else m * w[:, None]


def cell_scaled(m: Matched, weights: np.ndarray, what: str) -> np.ndarray:
    """``weights (n, k)`` with every column post-stratified to the margin: each row
    times ``N_c / (column's weighted count of its cell c)``."""
    p = m.population.shape[0]
    n = m.codes.shape[0]
    ind = sp.csr_matrix((np.ones(n), (m.codes, np.arange(n))), shape=(p, n))
    have = np.asarray(ind @ weights)
    empty = have <= 0
    if empty.any():
        cell, col = (int(v[0]) for v in np.nonzero(empty))
        raise EstimationError(
            f"{what}: replicate {col} has no weight in cell {m.labels[cell]!r} of margin "
            f"{m.margin.name!r}, so it cannot be re-weighted", location=m.margin.name,
            hint="collapse sparse categories of the margin (a replicate that drops a "
            "PSU must keep respondents in every cell)")
    return weights * (m.population[:, None] / have)[m.codes]


def calibrated_replicates(sf: SurveyFrame, weights: np.ndarray, repweights: np.ndarray,
                          record: dict[str, Any], weight_column: str, *,
                          rows: np.ndarray | None = None) -> SurveyFrame:
    """The replicate design with the new full-sample and replicate weights (of the
    ``rows`` kept, a boolean mask, if given)."""
    design = sf.design
    assert isinstance(design, ReplicateDesign)
    reps = sf._reps
    assert reps is not None
    if not (np.isfinite(weights).all() and np.isfinite(repweights).all()):
        raise EstimationError("re-weighting the replicates gave non-finite weights",
                              hint="collapse sparse categories of the margins")
    if weight_column.startswith("__svy_"):
        raise DesignError(f"weight_column {weight_column!r} uses the reserved prefix '__svy_'")
    width = len(str(repweights.shape[1]))
    names = [f"{weight_column}_rep{r + 1:0{width}d}" for r in range(repweights.shape[1])]
    replaced = set(reps.columns) | ({design.weights} if design.weights else set())
    clash = [c for c in [weight_column, *names] if c in sf.frame.columns and c not in replaced]
    if clash:
        raise DesignError(f"columns {', '.join(map(repr, clash[:5]))} already exist",
                          location="weight_column", hint="choose another weight_column")
    keep = [c for c in sf.frame.columns if c not in names]
    frame = sf.frame.select(keep)
    if rows is not None:
        frame, weights, repweights = frame.filter(pl.Series(rows)), weights[rows], repweights[rows]
    frame = frame.with_columns(
        pl.Series(weight_column, weights, dtype=pl.Float64),
        *(pl.Series(nm, repweights[:, r], dtype=pl.Float64) for r, nm in enumerate(names)))
    new = dataclasses.replace(design, weights=weight_column, repweights=tuple(names),
                              scale=reps.scale, rscales=tuple(reps.rscales.tolist()),
                              combined_weights=True)
    cal = calibration_of(sf).recorded(record)
    return SurveyFrame._calibrated_replicates(frame, new, cal)
