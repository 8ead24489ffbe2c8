"""Crosstab computation: banner tables, bases, significance letters, disclosure control.

No file IO here; :mod:`survey.reports` renders the tables.
"""

from survey.tables._build import crosstab, crosstabs
from survey.tables._disclosure import REASONS
from survey.tables._model import Column, Crosstab, CrosstabSet, Row, RowKind
from survey.tables._options import CellStatistic, Correction, Disclosure, Significance
from survey.tables._sig import adjust_pvalues

__all__ = [
    "REASONS",
    "CellStatistic",
    "Column",
    "Correction",
    "Crosstab",
    "CrosstabSet",
    "Disclosure",
    "Row",
    "RowKind",
    "Significance",
    "adjust_pvalues",
    "crosstab",
    "crosstabs",
]
