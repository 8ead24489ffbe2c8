"""Design-based estimators: means, totals, ratios, proportions, multiple choice, tests."""

from survey.estimators._basic import categories, mean, proportion, ratio, total
from survey.estimators._results import Estimates, TestResult

__all__ = ["Estimates", "TestResult", "categories", "mean", "proportion", "ratio", "total"]
