"""Every platform export drafts a valid codebook that covers every column exactly once."""

from __future__ import annotations

from pathlib import Path

import pytest

from survey._text import normalize_key
from survey.codebook import Codebook, codebook_to_dict, draft_codebook, dump_codebook, load_codebook
from survey.codebook._draft import draft_codebook_yaml
from survey.io._model import RawTable
from tests.draft.helpers import covered_columns
from survey.io import read_table
from tests.platforms import (
    BUILDERS,
    COUNTRIES,
    GF_SOURCES,
    KO_FIELDS,
    KOBO_CROPS,
    REDCAP_RACE,
    Built,
)


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Built, RawTable, Codebook]]:
    out = {}
    for name, build in BUILDERS.items():
        built = build(tmp_path_factory.mktemp(name))
        raw = read_table(built.path)
        out[name] = (built, raw, draft_codebook(raw, survey_name=name))
    return out


def test_builders_are_sorted_and_deterministic(tmp_path: Path) -> None:
    assert list(BUILDERS) == sorted(BUILDERS)
    for name, build in BUILDERS.items():
        a, b = tmp_path / f"a_{name}", tmp_path / f"b_{name}"
        a.mkdir()
        b.mkdir()
        built_a, built_b = build(a), build(b)
        assert built_a.respondents == built_b.respondents
        if built_a.path.suffix != ".xlsx":        # xlsx zips carry a creation time
            assert _timeless(built_a.path) == _timeless(built_b.path), name


# The .sav file header: rec_type (4), prod_name (60), layout_code, nominal_case_size, compression,
# weight_index, ncases (4 each), bias (8), then creation_date "dd mmm yy" (9) and creation_time
# "hh:mm:ss" (8): bytes 92 to 109.
_SAV_STAMP = slice(92, 109)


def _timeless(path: Path) -> bytes:
    """The file's bytes without the creation time a .sav or .dta header holds (two builds
    may straddle a second or a minute)."""
    data = path.read_bytes()
    if path.suffix == ".sav":
        return data[:_SAV_STAMP.start] + data[_SAV_STAMP.stop:]
    if path.suffix == ".dta":
        import re

        return re.sub(rb"<timestamp>.*?</timestamp>", b"<timestamp/>", data, count=1, flags=re.S)
    return data


def test_timeless_ignores_only_the_creation_stamp(tmp_path: Path) -> None:
    built = BUILDERS["spss_sav"](tmp_path)
    data = built.path.read_bytes()
    assert data[_SAV_STAMP].decode("ascii")[2] == " " and data[101 + 2 : 101 + 3] == b":"
    restamped = tmp_path / "restamped.sav"
    restamped.write_bytes(data[:92] + b"31 Dec 9923:59:59" + data[109:])
    assert _timeless(restamped) == _timeless(built.path)
    changed = tmp_path / "changed.sav"   # a byte outside the stamp (the file label) still counts
    changed.write_bytes(data[:109] + b"X" + data[110:])
    assert _timeless(changed) != _timeless(built.path)


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_draft_round_trips_through_yaml(name: str, exports: dict, tmp_path: Path) -> None:
    built, raw, cb = exports[name]
    assert raw.n_rows == built.respondents
    path = tmp_path / f"{name}.yaml"
    dump_codebook(cb, path)
    loaded = load_codebook(path)
    assert codebook_to_dict(loaded) == codebook_to_dict(cb)
    assert all(not q.required for q in loaded.questions)
    yaml_text = draft_codebook_yaml(raw, survey_name=name)
    (tmp_path / "commented.yaml").write_text(yaml_text, encoding="utf-8")
    assert codebook_to_dict(load_codebook(tmp_path / "commented.yaml")) == codebook_to_dict(cb)


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_every_column_claimed_by_exactly_one_question(name: str, exports: dict) -> None:
    _, raw, cb = exports[name]
    claims = covered_columns(cb, raw)
    names = {c.index: c.name for c in raw.columns}
    bad = {names[i]: qs for i, qs in claims.items() if len(qs) != 1}
    assert not bad


ID = {
    "google_forms_csv": None,
    "kobo_xlsx": "_uuid",
    "korean_cp949_csv": "ID",
    "korean_webform_xlsx": None,
    "limesurvey_csv": "id",
    "qualtrics_csv": "ResponseId",
    "qualtrics_split_csv": "ResponseId",
    "redcap_csv": "record_id",
    "spss_sav": "resp_id",
    "surveymonkey_xlsx": "Respondent ID",
}


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_id_detected_where_it_exists(name: str, exports: dict) -> None:
    _, _, cb = exports[name]
    idq = cb.id_question
    assert (idq.column if idq else None) == ID[name]
    if idq is not None:
        assert idq.type == "text"


# question id -> expected type, per platform (ids are deterministic slugs of the headers)
TYPES = {
    "google_forms_csv": {"timestamp": "datetime", "what_is_your_division": "single",
                         "how_did_you_hear_about_foreign": "multiple",
                         "how_many_international_collaborators_do": "integer",
                         "when_did_you_receive_your_phd": "date",
                         "comments_suggestions_concerns": "text", "email_address": "text"},
    "kobo_xlsx": {"consent": "single", "hh_head_name": "text", "hh_size": "integer",
                  "tenure": "single", "crops_grown": "multiple", "crops_grown_summary": "text",
                  "planting_date": "datetime", "comments": "text", "uuid": "text"},
    "korean_cp949_csv": {"q01": "single", "q02": "single", "q03": "single", "q04": "multiple",
                         "q05": "integer", "q06": "date", "q07": "text"},
    "korean_webform_xlsx": {"q01": "datetime", "q02": "single", "q03": "multiple",
                            "q04": "integer", "q05": "text", "q06": "text", "q07": "text"},
    "limesurvey_csv": {"submitdate": "datetime", "division": "single", "region": "single",
                       "q3": "multiple", "age": "integer", "phddate": "datetime",
                       "comment": "text"},
    "qualtrics_csv": {"q1": "single", "q5": "multiple", "q3": "integer", "q7": "date",
                      "q7_2": "number", "q8": "text", "startdate": "datetime"},
    "qualtrics_split_csv": {"q1": "single", "q5": "multiple", "q6_1": "integer", "q3": "integer",
                            "q8": "text"},
    "redcap_csv": {"baseline_survey_timestamp": "datetime", "sex": "integer", "age": "integer",
                   "race": "multiple", "enroll_date": "date", "bmi": "number",
                   "comments": "text"},
    "spss_sav": {"division": "single", "offer": "single", "q5": "multiple", "salary": "number",
                 "papers": "integer", "joindate": "date", "comment": "text"},
    "surveymonkey_xlsx": {"what_is_your_division": "single",
                          "which_countries_have_made_you_a_job": "multiple",
                          "how_many_years_have_you_worked_at_your": "integer",
                          "when_did_you_join_the_academy": "date",
                          "any_other_comments_on_research_careers": "text",
                          "start_date": "datetime"},
}


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_expected_types(name: str, exports: dict) -> None:
    _, raw, cb = exports[name]
    got = {q.id: q.type for q in cb.questions}
    assert {k: got.get(k) for k in TYPES[name]} == TYPES[name]
    text = draft_codebook_yaml(raw, survey_name=name)
    for q in cb.questions:
        if q.type == "text" and q.role == "answer" and not q.pii:   # personal data only on evidence
            assert f"# CHECK {q.id}: " in text, q.id    # kept, counted whole or empty: said


def _labels(cb: Codebook, qid: str) -> list[str]:
    return [normalize_key(o.label) for o in cb.question(qid).options]


def _keys(labels: list[str]) -> list[str]:
    return [normalize_key(x) for x in labels]


def test_surveymonkey_checkbox_block(exports: dict) -> None:
    _, _, cb = exports["surveymonkey_xlsx"]
    q = cb.question("which_countries_have_made_you_a_job")
    assert q.layout == "columns" and q.column is not None and q.column.startswith("Which countries")
    assert _labels(cb, q.id) == _keys(["China", "United States", "Hong Kong", "Singapore",
                                       "Option A with two spaces", "Other"])
    assert q.other is not None and q.other.option == "other"
    assert normalize_key(q.other.column) == "other (please specify)"


def test_qualtrics_comma_joined_label_with_comma(exports: dict) -> None:
    _, _, cb = exports["qualtrics_csv"]
    q = cb.question("q5")
    assert (q.layout, q.delimiter, q.column) == ("delimited", ",", "Q5")
    assert sorted(_labels(cb, "q5")) == sorted(_keys(COUNTRIES))
    assert [m.code for m in cb.question("q3").missing_codes] == ["-99"]
    # duplicate export tag Q7: both questions point at a column that is unique
    assert cb.question("q7").column != cb.question("q7_2").column


def test_qualtrics_split_columns(exports: dict) -> None:
    _, _, cb = exports["qualtrics_split_csv"]
    q = cb.question("q5")
    assert q.layout == "columns"
    assert [o.column for o in q.options] == [f"Q5_{i}" for i in range(1, 7)]
    assert _labels(cb, "q5") == _keys([*COUNTRIES, "Other"])
    assert q.other is not None and (q.other.option, q.other.column) == ("6", "Q5_6_TEXT")


def test_google_forms_comma_space(exports: dict) -> None:
    _, _, cb = exports["google_forms_csv"]
    q = cb.question("how_did_you_hear_about_foreign")
    assert q.delimiter == ", "
    assert sorted(_labels(cb, q.id)) == sorted(_keys(GF_SOURCES))


def test_limesurvey_y_columns_and_other(exports: dict) -> None:
    _, _, cb = exports["limesurvey_csv"]
    q = cb.question("q3")
    assert [o.column for o in q.options] == [f"Q3[SQ00{i}]" for i in range(1, 5)]
    assert q.other is not None and q.other.column == "Q3[other]"
    assert [o.code for o in cb.question("region").options] == ["01", "02", "03", "11", "26"]


def test_kobo_both_mode_not_doubled(exports: dict) -> None:
    _, raw, cb = exports["kobo_xlsx"]
    assert cb.source.sheet == "Household survey"
    q = cb.question("crops_grown")
    assert [o.code for o in q.options] == KOBO_CROPS
    summary = cb.question("crops_grown_summary")
    assert (summary.type, summary.role, summary.column) == ("text", "meta", "crops/crops_grown")
    assert sum(qq.type == "multiple" for qq in cb.questions) == 1


def test_redcap_checkboxes_and_not_completed(exports: dict) -> None:
    _, _, cb = exports["redcap_csv"]
    assert [o.code for o in cb.question("race").options] == list(REDCAP_RACE)
    assert [m.code for m in cb.question("baseline_survey_timestamp").missing_codes] == ["[not completed]"]
    assert [m.code for m in cb.question("age").missing_codes] == ["UNK"]


def test_korean_ids_and_text(exports: dict) -> None:
    _, _, cb = exports["korean_webform_xlsx"]
    q = cb.question("q03")
    assert q.delimiter == "|" and _labels(cb, "q03") == _keys(KO_FIELDS)
    assert cb.question("q02").text_ko == "(*) 소속 분과를 선택해 주세요."
    assert cb.source.sheet == "응답"
    assert len(cb.question("q02").options) == 5       # the NBSP variant merged


def test_spss_labels_and_user_missing(exports: dict) -> None:
    _, _, cb = exports["spss_sav"]
    offer = cb.question("offer")
    assert [(o.code, o.label) for o in offer.options] == [("1", "Yes"), ("2", "No")]
    assert [(m.code, m.label) for m in offer.missing_codes] == [("8", "Don't know"), ("9", "Refused")]
    assert [m.label for m in cb.question("salary").missing_codes] == ["Not applicable"]
    assert cb.question("division").text_en == "Division"
    assert _labels(cb, "q5") == _keys(["China", "United States", "Hong Kong", "Singapore"])
