"""Weighting: post-stratification, raking, calibration, trimming, nonresponse
adjustment and standardisation, as R's survey.

Each function takes a bound design and returns a new one whose weights meet the
population margins and whose estimators use the calibration residuals in their
variances, as R's ``svyrecvar`` does.
"""

from survey.weighting._adjust import poststratify, rake, trim_weights
from survey.weighting._calibrate import CalFun, calibrate
from survey.weighting._diagnostics import WeightDiagnostics, weight_diagnostics
from survey.weighting._margins import Margin, Margins, read_margins
from survey.weighting._metadata import META_WEIGHTING, from_metadata, to_metadata, write_weighted
from survey.weighting._nonresponse import (
    Disposition,
    adjust_nonresponse,
    normalize_weights,
    standardize,
)

__all__ = [
    "CalFun",
    "Disposition",
    "META_WEIGHTING",
    "Margin",
    "Margins",
    "WeightDiagnostics",
    "adjust_nonresponse",
    "calibrate",
    "from_metadata",
    "normalize_weights",
    "poststratify",
    "rake",
    "read_margins",
    "standardize",
    "to_metadata",
    "trim_weights",
    "weight_diagnostics",
    "write_weighted",
]
