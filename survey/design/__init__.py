"""Survey designs: column-name specifications bound to a polars frame."""

from survey.design._design import Design, ReplicateDesign
from survey.design._frame import SurveyFrame, svydesign
from survey.design._replicates import as_replicate, hadamard, subset_df

__all__ = ["Design", "ReplicateDesign", "SurveyFrame", "as_replicate", "hadamard", "subset_df",
           "svydesign"]
