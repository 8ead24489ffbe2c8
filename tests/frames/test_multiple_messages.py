"""A multiple-choice cell with an unknown entry is reported by that entry, with the cell."""

from __future__ import annotations

from survey.codebook import parse_codebook
from survey.frames import type_table
from tests.draft.helpers import make_raw

LANGS = ["HTML/CSS", "JavaScript", "Python"]


def _report(cells: list[str | None], delimiter: str = ";", other: bool = False):  # type: ignore[no-untyped-def]
    q = {"id": "languages", "type": "multiple", "column": "Languages", "layout": "delimited",
         "delimiter": delimiter, "options": [{"code": f"o{i}", "label": lab} for i, lab in enumerate(LANGS)]}
    if other:
        q["options"].append({"code": "other", "label": "Other"})
        q["other"] = {"option": "other", "column": "Languages"}
    cb = parse_codebook({"survey": "t", "version": "1", "questions": [q]})
    return type_table(make_raw({"Languages": cells}), cb).report


def test_message_names_the_unknown_entry_and_quotes_the_cell() -> None:
    msg = _report(["HTML/CSS;JavaScript;Rust", "Python"]).problems["message"].to_list()
    assert msg == ["'Rust' is not an option of languages (cell 'HTML/CSS;JavaScript;Rust'; "
                   "options: HTML/CSS, JavaScript, Python)"]


def test_message_names_every_unknown_entry_of_a_comma_joined_cell() -> None:
    problems = _report(["Go, Python, Zig"], delimiter=",").problems
    assert problems["message"][0].startswith("'Go', 'Zig' are not options of languages (cell 'Go, Python, Zig'")
    assert problems["value"].to_list() == ["Go, Python, Zig"]


def test_an_unknown_entry_taken_as_other_text_is_no_problem() -> None:
    assert _report(["Python;Rust"], other=True).n_errors == 0
