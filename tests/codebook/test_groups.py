"""The codebook's ``groups`` section: grid and ranking blocks load, round-trip and are checked."""

from __future__ import annotations

import pytest

from survey.codebook import QuestionGroup, codebook_to_dict, parse_codebook
from survey.errors import CodebookError

SCALE = [{"code": 1, "label": "Very unfavorably"}, {"code": 2, "label": "Very favorably"}]


def _cb(groups: object) -> dict:
    return {
        "survey": "s", "version": 1,
        "questions": [
            {"id": "fav_han", "type": "ordinal", "column": "A", "options": SCALE},
            {"id": "fav_leia", "type": "ordinal", "column": "B", "options": SCALE},
            {"id": "rank_one", "type": "integer", "column": "C", "range": [1, 2]},
            {"id": "rank_two", "type": "integer", "column": "D", "range": [1, 2]},
            {"id": "comment", "type": "text", "column": "E"},
        ],
        "groups": groups,
    }


def test_grid_and_ranking_groups_load_and_round_trip() -> None:
    raw = _cb([
        {"id": "favorability", "kind": "grid", "text": "How do you view them?",
         "questions": ["fav_han", "fav_leia"]},
        {"id": "rank", "kind": "ranking", "text": {"ko": "순위를 매겨 주세요"},
         "questions": ["rank_one", "rank_two"]},
    ])
    cb = parse_codebook(raw)
    assert cb.group("favorability") == QuestionGroup(
        id="favorability", kind="grid", questions=("fav_han", "fav_leia"),
        text_en="How do you view them?")
    assert cb.group("rank").text_ko == "순위를 매겨 주세요"
    again = parse_codebook(codebook_to_dict(cb))
    assert again.groups == cb.groups
    assert codebook_to_dict(again)["groups"][0]["questions"] == ["fav_han", "fav_leia"]


def test_codebook_without_groups_writes_no_groups_key() -> None:
    raw = _cb(None)
    assert "groups" not in codebook_to_dict(parse_codebook(raw))


@pytest.mark.parametrize(("groups", "message"), [
    ([{"id": "g", "kind": "grid", "questions": ["nope"]}], "'nope' is not a question id"),
    ([{"id": "fav_han", "kind": "grid", "questions": ["fav_leia"]}], "is also a question id"),
    ([{"id": "g", "kind": "matrix", "questions": ["fav_han"]}], "'matrix' is not one of"),
    ([{"id": "g", "kind": "grid", "questions": []}], "non-empty list"),
    ([{"id": "g", "questions": ["fav_han"]}, {"id": "h", "questions": ["fav_han"]}],
     "already in group 'g'"),
    ([{"id": "g", "questions": ["fav_han"]}, {"id": "g", "questions": ["fav_leia"]}],
     "'g' repeats groups[0]"),
    ([{"id": "r", "kind": "ranking", "questions": ["comment"]}], "a rank is an integer question"),
    ([{"id": "g", "questions": ["fav_han"], "stem": "x"}], "stem: unknown key"),
    ({"id": "g"}, "groups: must be a list"),
])
def test_group_mistakes_are_listed(groups: object, message: str) -> None:
    with pytest.raises(CodebookError) as err:
        parse_codebook(_cb(groups))
    assert any(message in p for p in err.value.problems), err.value.problems
