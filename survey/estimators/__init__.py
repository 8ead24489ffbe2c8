"""Design-based estimators: means, totals, ratios, proportions, multiple choice, tests."""

from survey.estimators._basic import categories, mean, proportion, ratio, total
from survey.estimators._compare import chisq, contrast, difference, differences
from survey.estimators._multichoice import multiple_choice, option_columns
from survey.estimators._results import Estimates, TestResult

__all__ = [
    "Estimates",
    "TestResult",
    "categories",
    "chisq",
    "contrast",
    "difference",
    "differences",
    "mean",
    "multiple_choice",
    "option_columns",
    "proportion",
    "ratio",
    "total",
]
