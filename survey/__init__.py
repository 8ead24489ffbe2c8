"""survey: from raw survey spreadsheet to published table.

The public API is re-exported here; everything else is private.

>>> import survey
>>> cb = survey.load_codebook("schemas/academy_member_survey.yaml")  # doctest: +SKIP
>>> wave = survey.read_survey("sample_data/academy_2025.xlsx", cb)  # doctest: +SKIP
>>> wave.report.ok  # doctest: +SKIP
True
"""

from importlib.metadata import PackageNotFoundError, version

from survey.codebook import Codebook, Question, dump_codebook, load_codebook
from survey.errors import (
    CodebookError,
    IngestError,
    SurveyError,
    SurveyWarning,
    UnreadableInputError,
    ValidationError,
)
from survey.frames import (
    TypedSurvey,
    ValidationReport,
    describe,
    read_survey,
    read_typed_parquet,
    type_table,
    write_typed_parquet,
)
from survey.io import Limits, RawTable, read_table

try:
    __version__ = version("survey")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+source"

__all__ = [
    "Codebook",
    "CodebookError",
    "IngestError",
    "Limits",
    "Question",
    "RawTable",
    "SurveyError",
    "SurveyWarning",
    "TypedSurvey",
    "UnreadableInputError",
    "ValidationError",
    "ValidationReport",
    "__version__",
    "describe",
    "dump_codebook",
    "load_codebook",
    "read_survey",
    "read_table",
    "read_typed_parquet",
    "type_table",
    "write_typed_parquet",
]
