"""The runnable examples in the public docstrings stay true."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "survey.design._design",
    "survey.design._frame",
    "survey.design._lazy",
    "survey.design._replicates",
    "survey.design._size",
    "survey.estimators._basic",
    "survey.estimators._compare",
    "survey.estimators._mi",
    "survey.estimators._multichoice",
    "survey.estimators._nlcon",
    "survey.estimators._panel",
    "survey.estimators._pv",
    "survey.estimators._response",
    "survey.estimators._ranktest",
    "survey.estimators._ttest",
    "survey.estimators._variance",
    "survey.estimators._withrep",
    "survey.models._choice",
    "survey.models._marginpred",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
