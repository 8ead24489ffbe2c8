"""Design-based estimators: means, totals, ratios, proportions, quantiles, multiple choice,
variances, correlations, scale reliability, tests."""

from survey.estimators._basic import categories, mean, proportion, ratio, total
from survey.estimators._compare import chisq, contrast, difference, differences
from survey.estimators._mi import mi_combine, rubin
from survey.estimators._distribution import (
    BoxStats,
    Histogram,
    WeightedECDF,
    box_stats,
    ecdf,
    histogram,
)
from survey.estimators._multichoice import multiple_choice, option_columns
from survey.estimators._nlcon import nlcontrast, parse_expression
from survey.estimators._panel import PanelLink, panel_design, panel_link
from survey.estimators._quantile import quantile
from survey.estimators._ranktest import RankTest, ranktest
from survey.estimators._response import ResponseRates, disposition_category, response_rates
from survey.estimators._results import Estimates, TestResult
from survey.estimators._ttest import TTest, ttest
from survey.estimators._variance import correlation, cronbach_alpha, std_dev, variance

__all__ = [
    "BoxStats",
    "Estimates",
    "Histogram",
    "PanelLink",
    "RankTest",
    "ResponseRates",
    "TTest",
    "TestResult",
    "WeightedECDF",
    "box_stats",
    "categories",
    "chisq",
    "contrast",
    "correlation",
    "cronbach_alpha",
    "difference",
    "differences",
    "disposition_category",
    "ecdf",
    "histogram",
    "mean",
    "mi_combine",
    "multiple_choice",
    "nlcontrast",
    "option_columns",
    "panel_design",
    "panel_link",
    "parse_expression",
    "proportion",
    "quantile",
    "ranktest",
    "ratio",
    "response_rates",
    "rubin",
    "std_dev",
    "total",
    "ttest",
    "variance",
]
