"""Design-based estimators: means, totals, ratios, proportions, quantiles, multiple choice,
variances, correlations, scale reliability, tests.

The less common estimators load on first use (PEP 562): a command that needs a mean or a
proportion does not pay for the tests, quantiles and plots at start-up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from survey.estimators._basic import categories, mean, proportion, ratio, total
from survey.estimators._compare import chisq, contrast, difference, differences
from survey.estimators._multichoice import multiple_choice, option_columns
from survey.estimators._results import Estimates, TestResult

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs
    from survey.estimators._distribution import (
        BoxStats,
        Histogram,
        WeightedECDF,
        box_stats,
        ecdf,
        histogram,
    )
    from survey.estimators._mi import mi_combine, rubin
    from survey.estimators._nlcon import nlcontrast, parse_expression
    from survey.estimators._panel import PanelLink, panel_design, panel_link
    from survey.estimators._pv import parse_pv, with_pv
    from survey.estimators._quantile import quantile
    from survey.estimators._ranktest import RankTest, ranktest
    from survey.estimators._tabletests import gof
    from survey.estimators._response import (
        ResponseRates,
        codebook_dispositions,
        disposition_category,
        response_rates,
    )
    from survey.estimators._ttest import TTest, ttest
    from survey.estimators._variance import correlation, cronbach_alpha, std_dev, variance
    from survey.estimators._withrep import gini, percentile_ratio, with_replicates

_LAZY: dict[str, str] = {
    "BoxStats": "_distribution",
    "Histogram": "_distribution",
    "PanelLink": "_panel",
    "RankTest": "_ranktest",
    "ResponseRates": "_response",
    "TTest": "_ttest",
    "WeightedECDF": "_distribution",
    "box_stats": "_distribution",
    "codebook_dispositions": "_response",
    "correlation": "_variance",
    "cronbach_alpha": "_variance",
    "disposition_category": "_response",
    "ecdf": "_distribution",
    "gini": "_withrep",
    "gof": "_tabletests",
    "histogram": "_distribution",
    "mi_combine": "_mi",
    "nlcontrast": "_nlcon",
    "panel_design": "_panel",
    "panel_link": "_panel",
    "parse_expression": "_nlcon",
    "parse_pv": "_pv",
    "percentile_ratio": "_withrep",
    "quantile": "_quantile",
    "ranktest": "_ranktest",
    "response_rates": "_response",
    "rubin": "_mi",
    "std_dev": "_variance",
    "ttest": "_ttest",
    "variance": "_variance",
    "with_pv": "_pv",
    "with_replicates": "_withrep",
}

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
    "codebook_dispositions",
    "contrast",
    "correlation",
    "cronbach_alpha",
    "difference",
    "differences",
    "disposition_category",
    "ecdf",
    "gini",
    "gof",
    "histogram",
    "mean",
    "mi_combine",
    "multiple_choice",
    "nlcontrast",
    "option_columns",
    "panel_design",
    "panel_link",
    "parse_expression",
    "parse_pv",
    "percentile_ratio",
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
    "with_pv",
    "with_replicates",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'survey.estimators' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"survey.estimators.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
