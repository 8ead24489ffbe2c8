"""Loading a codebook checks it and reports every mistake with its location."""

from __future__ import annotations

import pytest

from survey.codebook import dump_codebook, load_codebook, parse_codebook
from survey.errors import CodebookError

GOOD = {
    "survey": "s", "version": 2,
    "questions": [
        {"id": "rid", "type": "text", "role": "id", "column": "ID"},
        {"id": "q1", "type": "single", "column": "Q1", "text": {"en": "Offer?", "ko": "제안?"},
          "options": [{"code": 1, "label": "Yes"}, {"code": 2, "label": {"en": "No", "ko": "아니오"}}],
          "missing_codes": [{"code": 9, "label": "Refused"}], "required": True},
        {"id": "m", "type": "multiple", "column": "M", "delimiter": "|",
         "options": [{"code": "a", "label": "A"}, {"code": "o", "label": "Other"}],
         "other": {"option": "o", "column": "M_other"}},
        {"id": "n", "type": "number", "column": "N", "range": [0, 10]},
    ],
}


def test_good_codebook_loads_with_types_and_outputs():
    cb = parse_codebook(GOOD)
    assert cb.version == "2"
    assert cb.id_question.id == "rid"
    assert cb.question("q1").options[1].label_ko == "아니오"
    assert cb.question("m").layout == "delimited"
    assert cb.output_columns() == ("rid", "q1", "q1__missing", "m__a", "m__o", "m__other_text", "n")


def test_every_mistake_is_listed_with_its_location():
    bad = {
        "survey": "s",
        "questions": [
            {"id": "q 1", "type": "single", "column": "Q"},
            {"id": "q2", "type": "choice", "column": "Q2"},
            {"id": "q3", "type": "single", "column": "Q3",
             "options": [{"code": 1, "label": "Yes"}, {"code": 1, "label": "yes "}]},
            {"id": "q4", "type": "number", "range": [5, 1]},
            {"id": "q3", "type": "text", "column": "X", "colour": "red"},
        ],
    }
    with pytest.raises(CodebookError) as err:
        parse_codebook(bad, path="bad.yaml")
    text = str(err.value)
    for fragment in [
        "version: required key is missing",
        "questions[0].id: 'q 1' must be an identifier",
        "needs at least one option",
        "questions[1] (q2).type: 'choice' is not one of",
        "questions[2] (q3).options[1].code: '1' repeats options[0]",
        "'yes' also names options[0]",
        "questions[3] (q4).range: min 5.0 is above max 1.0",
        "questions[3] (q4).column: required",
        "questions[4] (q3).colour: unknown key",
        "questions[4].id: 'q3' repeats questions[2]",
    ]:
        assert fragment in text, fragment
    assert err.value.location == "bad.yaml"


def test_yaml_syntax_error_names_line(tmp_path):
    p = tmp_path / "cb.yaml"
    p.write_text("survey: s\nquestions:\n  - id: [unclosed\n", encoding="utf-8")
    with pytest.raises(CodebookError, match=r"cb.yaml:\d+:\d+"):
        load_codebook(p)


def test_dump_and_load_round_trip(tmp_path):
    cb = parse_codebook(GOOD)
    path = tmp_path / "cb.yaml"
    text = dump_codebook(cb, path)
    assert "제안?" in text  # Korean kept readable
    again = load_codebook(path)
    assert again.questions == cb.questions
    assert again.version == cb.version


def test_population_section_is_checked_against_questions_and_options():
    raw = {**GOOD, "population": {"q1": {"Yes": 10, "Maybe": 3}, "nowhere": {"x": 1}, "q1:n": {"Yes": 4}}}
    with pytest.raises(CodebookError) as err:
        parse_codebook(raw)
    text = str(err.value)
    assert "population.q1.Maybe: 'Maybe' is not an option of q1" in text
    assert "population.nowhere: no question 'nowhere'" in text
    assert "population.q1:n.Yes: a category of q1:n has 2 part(s)" in text
    ok = parse_codebook({**GOOD, "population": {"q1": {"Yes": 10, "No": 5}}})
    assert ok.population == (("q1", "Yes", 10.0), ("q1", "No", 5.0))
