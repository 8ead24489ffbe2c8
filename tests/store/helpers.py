"""A small typed wave built in memory (no pytest import: the crash worker uses it too)."""

from __future__ import annotations

from survey.codebook import parse_codebook
from survey.frames import TypedSurvey, type_table
from tests.rawtables import raw_table

SMALL = {
    "survey": "tiny", "version": "1",
    "questions": [
        {"id": "rid", "type": "text", "role": "id", "column": "ID", "required": True},
        {"id": "email", "type": "text", "role": "meta", "column": "Email", "pii": True},
        {"id": "q1", "type": "single", "column": "Q1",
         "options": [{"code": 1, "label": "Yes"}, {"code": 2, "label": "No"}]},
        {"id": "n", "type": "number", "column": "N"},
    ],
}


def small_survey(n: int = 5, *, seed: int = 0, bad: bool = False) -> TypedSurvey:
    """A typed wave built in memory (no file reading); ``bad`` adds an unknown option."""
    ids = [f"r{seed}-{i}" for i in range(n)]
    q1 = ["Yes" if i % 2 else "No" for i in range(n)]
    if bad:
        q1[0] = "Maybe"
    raw = raw_table({"ID": ids, "Email": [f"p{i}@x.org" for i in range(n)], "Q1": q1,
                     "N": [str(i / 2) for i in range(n)]})
    return type_table(raw, parse_codebook(SMALL))
