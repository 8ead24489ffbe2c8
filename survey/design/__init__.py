"""Survey designs: column-name specifications bound to a polars frame; planning a wave's size
(loaded on first use)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from survey.design._backend import Progress, Sum
from survey.design._design import Design, PPSMatrix, ReplicateDesign
from survey.design._frame import SurveyFrame, svydesign
from survey.design._lazy import LazySurveyFrame
from survey.design._replicates import as_replicate, hadamard, subset_df
from survey.design._sample import DrawnSample, draw_sample, pps_probabilities, simulate_inclusion

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs
    from survey.design._size import (
        Allocation,
        ChangePower,
        MarginOfError,
        SampleSize,
        allocate,
        margin_of_error,
        power_change,
        read_strata,
        sample_size,
        sample_size_change,
    )

_SIZE = ("Allocation", "ChangePower", "MarginOfError", "SampleSize", "allocate", "margin_of_error",
         "power_change", "read_strata", "sample_size", "sample_size_change")

__all__ = ["Allocation", "ChangePower", "Design", "DrawnSample", "LazySurveyFrame",
           "MarginOfError", "PPSMatrix", "Progress", "ReplicateDesign", "SampleSize", "Sum",
           "SurveyFrame", "allocate", "as_replicate", "draw_sample", "hadamard",
           "margin_of_error", "power_change", "pps_probabilities", "read_strata", "sample_size",
           "sample_size_change", "simulate_inclusion", "subset_df", "svydesign"]


def __getattr__(name: str) -> Any:
    if name not in _SIZE:
        raise AttributeError(f"module 'survey.design' has no attribute {name!r}")
    value = getattr(importlib.import_module("survey.design._size"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_SIZE])
