"""Weighting: post-stratification, raking, calibration and trimming, as R's survey.

Each function takes a bound design and returns a new one whose weights meet the
population margins and whose estimators use the calibration residuals in their
variances, as R's ``svyrecvar`` does.
"""

from survey.weighting._adjust import poststratify, rake, trim_weights
from survey.weighting._calibrate import CalFun, calibrate
from survey.weighting._diagnostics import WeightDiagnostics, weight_diagnostics
from survey.weighting._margins import Margin, Margins, read_margins
from survey.weighting._metadata import META_WEIGHTING, from_metadata, to_metadata

__all__ = [
    "CalFun",
    "META_WEIGHTING",
    "Margin",
    "Margins",
    "WeightDiagnostics",
    "calibrate",
    "from_metadata",
    "poststratify",
    "rake",
    "read_margins",
    "to_metadata",
    "trim_weights",
    "weight_diagnostics",
]
