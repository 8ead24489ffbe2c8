"""The public surface: sorted, complete, and every name importable."""

from __future__ import annotations

import importlib

import survey
from tests.clirun import modules_loaded


def test_all_is_sorted_and_resolves():
    assert survey.__all__ == sorted(survey.__all__)
    for name in survey.__all__:
        assert getattr(survey, name) is not None


def test_subpackage_all_is_sorted():
    for mod in ("survey.codebook", "survey.io", "survey.frames", "survey.errors"):
        names = importlib.import_module(mod).__all__
        assert list(names) == sorted(names), mod


def test_help_does_not_import_polars():
    assert modules_loaded(["--help"], among=("polars",)) == []
