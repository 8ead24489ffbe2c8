"""Codebooks: the questionnaire model, loading with full checking, and writing."""

from survey.codebook._draft import draft_codebook, draft_codebook_checked, draft_codebook_yaml, with_check_comments
from survey.codebook._load import codebook_to_dict, dump_codebook, load_codebook, parse_codebook
from survey.codebook._model import (
    Codebook,
    Harmonize,
    MissingCode,
    Option,
    OtherSpec,
    Question,
    QuestionGroup,
    QuestionMap,
    QuestionType,
    SourceSpec,
    VersionMap,
)

__all__ = [
    "Codebook",
    "Harmonize",
    "MissingCode",
    "Option",
    "OtherSpec",
    "Question",
    "QuestionGroup",
    "QuestionMap",
    "QuestionType",
    "SourceSpec",
    "VersionMap",
    "codebook_to_dict",
    "draft_codebook",
    "draft_codebook_checked",
    "draft_codebook_yaml",
    "dump_codebook",
    "load_codebook",
    "parse_codebook",
    "with_check_comments",
]
