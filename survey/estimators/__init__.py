"""Design-based estimators: means, totals, ratios, proportions, multiple choice, tests."""

from survey.estimators._basic import categories, mean, proportion, ratio, total
from survey.estimators._compare import chisq, contrast, difference, differences
from survey.estimators._multichoice import multiple_choice, option_columns
from survey.estimators._response import ResponseRates, disposition_category, response_rates
from survey.estimators._results import Estimates, TestResult

__all__ = [
    "Estimates",
    "ResponseRates",
    "TestResult",
    "categories",
    "chisq",
    "contrast",
    "difference",
    "disposition_category",
    "differences",
    "mean",
    "multiple_choice",
    "option_columns",
    "proportion",
    "ratio",
    "response_rates",
    "total",
]
