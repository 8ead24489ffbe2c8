"""Design-based estimators: means, totals, ratios, proportions, multiple choice, tests."""

from survey.estimators._basic import categories, mean, proportion, ratio, total
from survey.estimators._compare import chisq, contrast, difference, differences
from survey.estimators._mi import mi_combine, rubin
from survey.estimators._multichoice import multiple_choice, option_columns
from survey.estimators._response import ResponseRates, disposition_category, response_rates
from survey.estimators._nlcon import nlcontrast, parse_expression
from survey.estimators._panel import PanelLink, panel_design, panel_link
from survey.estimators._results import Estimates, TestResult

__all__ = [
    "Estimates",
    "ResponseRates",
    "PanelLink",
    "TestResult",
    "categories",
    "chisq",
    "contrast",
    "difference",
    "disposition_category",
    "differences",
    "mean",
    "mi_combine",
    "multiple_choice",
    "nlcontrast",
    "option_columns",
    "panel_design",
    "panel_link",
    "parse_expression",
    "proportion",
    "ratio",
    "response_rates",
    "rubin",
    "total",
]
