"""Drafting decisions on hand-made RawTables: ids, groups, refs, SPSS metadata."""

from __future__ import annotations

from survey.codebook import codebook_to_dict, draft_codebook, parse_codebook
from survey.codebook._draft_infer import infer_column, split_delimited
from tests.draft.helpers import covered_columns, make_raw


def _draft(raw):  # type: ignore[no-untyped-def]
    cb = draft_codebook(raw, survey_name="t")
    parse_codebook(codebook_to_dict(cb))
    claims = covered_columns(cb, raw)
    assert all(len(v) == 1 for v in claims.values()), claims
    return cb


def test_no_id_when_the_id_column_repeats() -> None:
    cb = _draft(make_raw({"record_id": ["1", "1", "2", "2"],
                          "redcap_event_name": ["base_arm_1", "fu_arm_1"] * 2,
                          "age": ["30", "31", "40", "41"]}))
    assert cb.id_question is None
    assert cb.question("record_id").type in ("integer", "text")


def test_no_id_when_a_value_is_blank_or_name_is_not_id_like() -> None:
    assert _draft(make_raw({"id": ["a1", None, "a3"], "x": ["1", "2", "3"]})).id_question is None
    assert _draft(make_raw({"serial": ["a1", "a2", "a3"]})).id_question is None


def test_id_priority_prefers_uuid_over_server_id() -> None:
    cb = _draft(make_raw({"_id": ["1", "2", "3"], "_uuid": ["u1", "u2", "u3"]}))
    assert cb.id_question is not None and cb.id_question.column == "_uuid"


def test_ten_digit_ids_and_leading_zero_codes_are_not_integers() -> None:
    assert infer_column(["1143234567", "1143234568", "1143234569"]).type == "text"
    inf = infer_column(["007", "012", "007", "012", "007"])
    assert inf.type == "single" and [o.code for o in inf.options] == ["007", "012"]


def test_integer_with_sentinels_and_text_missing() -> None:
    inf = infer_column(["3", "-99", "N/A", "12", None, "4"])
    assert inf.type == "integer"
    assert [m.code for m in inf.missing] == ["-99", "N/A"]
    # negative values elsewhere: -99 is a real value then
    assert infer_column(["-3", "-99", "5"]).missing == ()


def test_number_and_dates() -> None:
    assert infer_column(["1.5", "2", "1,250.75"]).type == "number"
    assert infer_column(["2024-01-05", "2023-12-31"]).type == "date"
    assert infer_column(["1/18/2024 14:18", "1/18/2024 9:05:33"]).type == "datetime"
    assert infer_column(["2024. 3. 5. 오후 2:30:00", "2024. 3. 6. 오전 9:00:00"]).type == "datetime"
    assert infer_column(["2021.03.05", "2020.11.30"]).type == "date"
    assert infer_column(["2024-05-01T08:57:57.907-04:00"] * 3).type == "datetime"


def test_free_text_with_commas_is_not_a_multiple() -> None:
    vals = ["Great survey, thanks", "I liked it, mostly", "No, not really", "Shorter, please",
            "Fine, I guess", "More time, less pressure"]
    assert infer_column(vals).type == "text"


def test_label_containing_delimiter_rebuilt() -> None:
    vals = ["Salt, pepper,Sugar", "Sugar", "Salt, pepper", "Honey,Salt, pepper", "Honey", "Sugar,Honey"]
    delim, labels = split_delimited(vals) or ("", [])
    assert delim == ","
    assert set(labels) == {"Salt, pepper", "Sugar", "Honey"}


def test_options_never_chosen_alone_stay_apart_without_a_continuation_hint() -> None:
    vals = ["Apple|Banana", "Cherry", "Cherry|Apple|Banana", "Cherry", "Apple|Banana"]
    assert set(split_delimited(vals)[1]) == {"Apple", "Banana", "Cherry"}  # type: ignore[index]


def test_kobo_details_only_groups_and_plain_groups_do_not() -> None:
    cb = _draft(make_raw({
        "hh/name": ["A B", "C D", "E F", "G H"],
        "hh/size": ["1", "0", "1", "1"],
        "assets/radio": ["1", "0", "0", "1"],
        "assets/phone": ["0", "1", "1", "1"],
    }))
    multiple = [q for q in cb.questions if q.type == "multiple"]
    assert [q.id for q in multiple] == ["assets"]
    assert cb.question("size").type == "integer"


def test_surveymonkey_matrix_block_becomes_one_question_per_row() -> None:
    raw = make_raw([
        (("Respondent ID", ""), ["11432345678", "11432345679", "11432345680"]),
        (("Rate each factor", "Funding"), ["Agree", "Disagree", "Agree"]),
        (("", "Autonomy"), ["Disagree", "Agree", "Agree"]),
        (("Pick one", "Response"), ["A", "B", "A"]),
    ], layout="surveymonkey")
    cb = _draft(raw)
    assert cb.id_question is not None
    assert {q.column for q in cb.questions} >= {"Rate each factor / Funding",
                                                "Rate each factor / Autonomy"}
    assert not any(q.type == "multiple" for q in cb.questions)


def test_qualtrics_duplicate_ids_and_texts_fall_back_to_unique_names() -> None:
    raw = make_raw([
        (("Q1", "Same text", '{"ImportId":"QID1"}'), ["1", "2", "3"]),
        (("Q1", "Same text", '{"ImportId":"QID2"}'), ["x", "y", "z"]),
    ], layout="qualtrics")
    cb = _draft(raw)
    assert [q.column for q in cb.questions] == ["Q1", "Q1__2"]


def test_spss_value_labels_unlabelled_values_and_user_missing() -> None:
    raw = make_raw({"q1": ["1", "2", "3", "9", None], "age": ["30", "-9", "45", "51", "62"]},
                   value_labels={"q1": {"1": "Yes", "2": "No", "9": "Refused"},
                                 "age": {"-9": "Not asked"}},
                   user_missing={"q1": ("9",), "age": ("-9",)},
                   variable_labels={"q1": "Offer received"})
    cb = _draft(raw)
    q1 = cb.question("q1")
    assert [(o.code, o.label) for o in q1.options] == [("1", "Yes"), ("2", "No"), ("3", "3")]
    assert [(m.code, m.label) for m in q1.missing_codes] == [("9", "Refused")]
    assert q1.text_en == "Offer received"
    age = cb.question("age")
    assert age.type == "integer" and [m.label for m in age.missing_codes] == ["Not asked"]


def test_korean_headers_number_ids_and_keep_text() -> None:
    cb = _draft(make_raw({"성별": ["남", "여", "남", "여"], "나이": ["31", "42", "53", "64"],
                          "Q3. 지역": ["서울", "부산", "서울", "부산"]}))
    assert [q.id for q in cb.questions] == ["q01", "q02", "q03"]
    assert cb.question("q01").text_ko == "성별"


def test_all_blank_column_is_text_and_pii_columns_are_never_categories() -> None:
    cb = _draft(make_raw({"x": [None, None, None], "First Name": ["Kim", "Lee", "Kim", "Lee"][:3]}))
    assert cb.question("x").type == "text"
    fn = cb.question("first_name")
    assert fn.type == "text" and fn.pii


def test_sheet_argument_is_recorded() -> None:
    cb = draft_codebook(make_raw({"a": ["1", "2"]}, sheet="Sheet1"), survey_name="t", sheet="members")
    assert cb.source.sheet == "members" and cb.version == "draft"


def test_single_answers_containing_a_space_or_comma_stay_whole() -> None:
    assert infer_column(["A", "A AA", "A", "A AA"]).type == "single"
    assert infer_column(["Yes, definitely", "No, never", "Yes, definitely", "No, never"]).type == "single"
