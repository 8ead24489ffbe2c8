"""Survey designs: column-name specifications bound to a polars frame."""

from survey.design._design import Design, ReplicateDesign
from survey.design._frame import SurveyFrame, svydesign
from survey.design._replicates import as_replicate, hadamard, subset_df
from survey.design._size import (
    Allocation,
    ChangePower,
    MarginOfError,
    SampleSize,
    allocate,
    margin_of_error,
    power_change,
    sample_size,
    sample_size_change,
)

__all__ = ["Allocation", "ChangePower", "Design", "MarginOfError", "ReplicateDesign", "SampleSize",
           "SurveyFrame", "allocate", "as_replicate", "hadamard", "margin_of_error", "power_change",
           "sample_size", "sample_size_change", "subset_df", "svydesign"]
