"""The codebook's harmonize section: checks with locations, round-trip, merged options."""

from __future__ import annotations

import polars as pl
import pytest

from survey.codebook import codebook_to_dict, parse_codebook
from survey.errors import CodebookError
from survey.frames import type_table
from survey.store import WaveStore, load
from tests.rawtables import raw_table
from tests.store.conftest import codebook_2025


def test_harmonize_section_round_trips():
    cb = codebook_2025()
    again = parse_codebook(codebook_to_dict(cb))
    assert again.harmonize == cb.harmonize and again.panel_key == "member_no"
    m = cb.harmonize.version("2023.1")
    assert m.question("salary_multiple").source == "salary_ratio"
    assert dict(m.question("offer_countries").recode) == {"usa": "us"}


def test_every_harmonize_mistake_is_listed_with_its_location():
    raw = codebook_to_dict(codebook_2025())
    raw["harmonize"]["panel_key"] = "nope"
    v = raw["harmonize"]["from"][0]
    v["questions"]["age_band"]["recode"]["80+"] = "90+"
    v["questions"]["ghost"] = {}
    v["questions"]["salary_multiple"]["match"] = "fuzzy"
    v["not_asked"].append("intent")
    raw["harmonize"]["from"].append({"version": "2025.1"})
    with pytest.raises(CodebookError) as err:
        parse_codebook(raw, path="cb.yaml")
    text = str(err.value)
    for fragment in [
        "harmonize.panel_key: 'nope' is not a question id",
        "harmonize.from[0] (2023.1).questions.age_band.recode['80+']: '90+' is not an option",
        "harmonize.from[0] (2023.1).questions.ghost: 'ghost' is not a question",
        "harmonize.from[0] (2023.1).questions.salary_multiple.match: 'fuzzy'",
        "harmonize.from[0] (2023.1).not_asked: 'intent' is also mapped",
        "harmonize.from[1] (2025.1).version: '2025.1' is this codebook's own version",
    ]:
        assert fragment in text, fragment
    assert "7 mistake(s)" in text  # fuzzy match on a number question counts twice


OLD = {"survey": "t", "version": "1", "questions": [
    {"id": "rid", "type": "text", "role": "id", "column": "ID"},
    {"id": "where", "type": "multiple", "column": "W", "delimiter": ";",
     "options": [{"code": "uk", "label": "UK"}, {"code": "fr", "label": "France"},
                 {"code": "de", "label": "Germany"}]},
    {"id": "score", "type": "integer", "column": "S"}]}
NEW = {"survey": "t", "version": "2", "questions": [
    {"id": "rid", "type": "text", "role": "id", "column": "ID"},
    {"id": "where", "type": "multiple", "column": "W", "delimiter": ";",
     "options": [{"code": "uk", "label": "United Kingdom"}, {"code": "eu", "label": "EU"},
                 {"code": "us", "label": "USA"}]},
    {"id": "points", "type": "number", "column": "P"}],
    "harmonize": {"from": [{"version": "1", "questions": {
        "where": {"recode": {"UK": "uk", "fr": "eu", "de": "EU"}},
        "points": {"from": "score"}}}]}}


def test_merged_options_are_or_ed_and_new_options_not_asked(tmp_path):
    store = WaveStore(tmp_path / "s")
    old = type_table(raw_table({"ID": ["a", "b", "c"], "W": ["UK", "France;Germany", None],
                                "S": ["1", "2", None]}), parse_codebook(OLD))
    new = type_table(raw_table({"ID": ["a", "d"], "W": ["USA", "EU"], "P": ["2.5", "3"]}),
                     parse_codebook(NEW))
    store.add(old, wave="w1", source_name="1.csv", source_sha256="1" * 64)
    store.add(new, wave="w2", source_name="2.csv", source_sha256="2" * 64)
    h = load(store)
    f = h.frame
    assert f.columns == ["wave", "rid", "where__uk", "where__eu", "where__us", "points", "panel"]
    w1 = f.filter(pl.col("wave") == "w1")
    assert w1["where__uk"].to_list() == [True, False, None]
    assert w1["where__eu"].to_list() == [False, True, None]
    assert w1["where__us"].to_list() == [None, None, None]
    assert w1["points"].to_list() == [1.0, 2.0, None]
    assert h.not_asked["w1"] == ("where__us",)
    assert f["panel"].to_list() == [True, False, False, True, False]  # 'a' in both waves (hashed)
