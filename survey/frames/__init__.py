"""Typed frames: raw table + codebook -> typed polars frame, validation report, Parquet."""

from survey.frames._describe import Description, QuestionSummary, describe
from survey.frames._draft_metadata import MetadataDraft, draft_from_metadata
from survey.frames._ingest import TypedSurvey, read_survey, rejects_frame, type_table
from survey.frames._match import ColumnMap, QuestionColumns, match_columns
from survey.frames._parquet import read_typed_parquet, write_typed_parquet
from survey.frames._report import REASONS, ValidationReport

__all__ = [
    "ColumnMap",
    "Description",
    "MetadataDraft",
    "QuestionColumns",
    "QuestionSummary",
    "REASONS",
    "TypedSurvey",
    "ValidationReport",
    "describe",
    "draft_from_metadata",
    "match_columns",
    "read_survey",
    "read_typed_parquet",
    "rejects_frame",
    "type_table",
    "write_typed_parquet",
]
