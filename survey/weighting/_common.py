"""Shared steps: the starting weights of a design and a new design with new weights."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import polars as pl

from survey.design import Design, SurveyFrame
from survey.design._frame import W
from survey.errors import DesignError
from survey.weighting._variance import LinearCalibration

__all__ = ["DEFAULT_WEIGHT", "base_weights", "reweighted"]

DEFAULT_WEIGHT = "weight"
"""Column the adjusted weights are written to unless ``weight_column`` says otherwise."""


def base_weights(sf: SurveyFrame, what: str, *, replicates: bool = False) -> np.ndarray:
    """The design's current full-sample weights (R's ``weights(design)``), checked
    weightable; ``replicates``: the step also re-weights replicate designs."""
    if sf.is_replicate and not replicates:
        raise DesignError(f"{what} of a replicate-weight design is not supported",
                          hint=f"{what} before making replicates (as_replicate), or give "
                          "the supplied replicate columns already adjusted")
    if sf.domain is not None:
        raise DesignError(f"{what} needs the whole sample, not a subset",
                          hint=f"{what} first, then take the subset (sf.subset(...))")
    return sf._data[W].to_numpy().astype(float)


def calibration_of(sf: SurveyFrame) -> LinearCalibration:
    """The calibration a design already carries (empty if none)."""
    cal = sf.calibration
    if cal is None:
        return LinearCalibration()
    if not isinstance(cal, LinearCalibration):
        raise DesignError("the design carries calibration information of an unknown kind")
    return cal


def reweighted(sf: SurveyFrame, weights: np.ndarray, calibration: LinearCalibration,
               weight_column: str) -> SurveyFrame:
    """``sf`` with ``weights`` in ``weight_column`` as its design weights and the
    calibration information attached."""
    design = sf.design
    assert isinstance(design, Design)
    if weight_column.startswith("__svy_"):
        raise DesignError(f"weight_column {weight_column!r} uses the reserved prefix '__svy_'")
    if weight_column in sf.frame.columns and weight_column != design.weights:
        raise DesignError(f"column {weight_column!r} already exists and is not the design's "
                          "weight column", location="weight_column",
                          hint="choose another weight_column")
    if weight_column in design.columns and weight_column != design.weights:
        raise DesignError(f"weight_column {weight_column!r} is a design column")
    col = pl.Series(weight_column, weights, dtype=pl.Float64)
    # Strata and PSUs are unchanged: swap the weight column rather than bind again
    # (binding refuses negative weights, which linear calibration may give, as in R).
    new = SurveyFrame._derived(sf, design=dataclasses.replace(design, weights=weight_column),
                               calibration=calibration)
    new.frame = sf.frame.with_columns(col)
    new._data = sf._data.with_columns(col, col.alias(W))
    return new


def record(method: str, sf: SurveyFrame, **options: Any) -> dict[str, Any]:
    """A history entry: what was done, on which design (for storing and diagnostics)."""
    return {"method": method, "base_weights": sf.design.weights, **options}
