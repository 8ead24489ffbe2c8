"""The examples in the survey.io docstrings run."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["_csv", "_layout", "_read", "_stat", "_util"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(f"survey.io.{name}")
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
