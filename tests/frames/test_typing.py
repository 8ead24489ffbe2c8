"""Typing raw text by the codebook, and the problems it reports."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey.codebook import parse_codebook
from survey.frames import type_table
from tests.rawtables import raw_table


def book(*questions: dict) -> object:
    return parse_codebook({"survey": "t", "version": "1", "questions": list(questions)})


YESNO = [{"code": 1, "label": "Yes"}, {"code": 2, "label": "No"}]


def reasons(result) -> list[tuple[int | None, str]]:
    return [(r["row"], r["reason"]) for r in result.report.problems.iter_rows(named=True)]


def test_single_choice_becomes_enum_in_codebook_order_matching_loosely():
    raw = raw_table({"Q": ["No", " yes ", "YES\u00a0", "1", "<b>No</b>"]})
    out = type_table(raw, book({"id": "q", "type": "single", "column": "Q", "options": YESNO}))
    assert out.frame.schema["q"] == pl.Enum(["Yes", "No"])
    assert out.frame["q"].to_list() == ["No", "Yes", "Yes", "Yes", "No"]
    assert out.report.ok


def test_unknown_option_is_reported_with_row_column_value_and_kept_null():
    raw = raw_table({"Q": ["Yes", "Maybe"]})
    out = type_table(raw, book({"id": "q", "type": "single", "column": "Q", "options": YESNO}))
    p = out.report.problems.row(0, named=True)
    assert (p["row"], p["column"], p["cell"], p["value"], p["reason"]) == (3, "Q", "A3", "Maybe", "unknown_option")
    assert out.frame["q"].to_list() == ["Yes", None]
    assert not out.report.ok


def test_missing_codes_are_null_and_kept_in_companion_column():
    raw = raw_table({"Q": ["Yes", "Don't know", "9", None]})
    out = type_table(raw, book({"id": "q", "type": "single", "column": "Q", "options": YESNO,
                                "missing_codes": [{"code": 8, "label": "Don't know"},
                                                  {"code": 9, "label": "Refused"}]}))
    assert out.frame["q"].to_list() == ["Yes", None, None, None]
    assert out.frame["q__missing"].to_list() == [None, "Don't know", "Refused", None]
    assert out.report.ok


def test_required_blank_is_an_error():
    raw = raw_table({"Q": ["Yes", None]})
    out = type_table(raw, book({"id": "q", "type": "single", "column": "Q", "options": YESNO, "required": True}))
    assert reasons(out) == [(3, "required_missing")]


def test_numbers_accept_separators_and_report_text_and_range():
    raw = raw_table({"N": ["1,234", "2,5", "3.25", "abc", "99"], "I": ["3", "3.0", "3.5", "x", "-1"]})
    out = type_table(raw, book({"id": "n", "type": "number", "column": "N", "range": [0, 5000]},
                               {"id": "i", "type": "integer", "column": "I", "range": [0, 10]}))
    assert out.frame["n"].to_list() == [1234.0, 2.5, 3.25, None, 99.0]
    assert out.frame["i"].to_list() == [3, 3, None, None, None]
    assert sorted(reasons(out)) == [(4, "not_an_integer"), (5, "not_a_number"), (5, "not_a_number"),
                                    (6, "out_of_range")]


def test_dates_from_iso_text_excel_serials_us_and_korean_forms():
    raw = raw_table({"D": ["2025-03-01", "45717", "3/1/2025", "2025. 3. 1", "2025-03-01 14:05:00", "soon"]})
    out = type_table(raw, book({"id": "d", "type": "date", "column": "D"}))
    assert out.frame["d"].to_list()[:5] == [dt.date(2025, 3, 1)] * 5
    assert reasons(out) == [(7, "not_a_date")]


def test_datetime_keeps_time_and_korean_pm():
    raw = raw_table({"T": ["2025. 3. 1 오후 2:05:00", "45717.5"]})
    out = type_table(raw, book({"id": "t", "type": "datetime", "column": "T"}))
    assert out.frame["t"].to_list() == [dt.datetime(2025, 3, 1, 14, 5), dt.datetime(2025, 3, 1, 12, 0)]


def test_ids_stay_text_and_duplicates_are_reported_on_every_row():
    raw = raw_table({"ID": ["0012345678", "0012345678", "7"]})
    out = type_table(raw, book({"id": "rid", "type": "text", "role": "id", "column": "ID"}))
    assert out.frame["rid"].to_list() == ["0012345678", "0012345678", "7"]
    assert reasons(out) == [(2, "duplicate_id"), (3, "duplicate_id")]


COUNTRIES = [{"code": "china", "label": "China"}, {"code": "us", "label": "United States", "aliases": ["USA"]},
             {"code": "eu", "label": "Europe, incl. UK"}, {"code": "europe", "label": "Europe"}]


def test_delimited_multi_choice_splits_against_the_option_list():
    raw = raw_table({"C": ["China, Europe, incl. UK", "USA", "Europe", None, "Mars, China"]})
    out = type_table(raw, book({"id": "c", "type": "multiple", "column": "C", "delimiter": ", ",
                                "options": COUNTRIES}))
    f = out.frame
    assert f["c__china"].to_list() == [True, False, False, None, True]
    assert f["c__us"].to_list() == [False, True, False, None, False]
    assert f["c__eu"].to_list() == [True, False, False, None, False]
    assert f["c__europe"].to_list() == [False, False, True, None, False]
    assert reasons(out) == [(6, "unknown_option")]


def test_delimited_other_text_appended_by_google_forms_marks_other():
    opts = [{"code": "a", "label": "Apple"}, {"code": "other", "label": "Other"}]
    raw = raw_table({"F": ["Apple, Durian", "Apple"]})
    out = type_table(raw, book({"id": "f", "type": "multiple", "column": "F", "delimiter": ", ",
                                "options": opts, "other": {"option": "other", "column": "F"}}))
    assert out.frame["f__other"].to_list() == [True, False]
    assert out.frame["f__other_text"].to_list() == ["Durian", None]
    assert out.report.ok


def test_per_option_columns_surveymonkey_blank_row_is_not_answered():
    raw = raw_table({"Where / China": ["China", None, None], "Where / USA": [None, "USA", None],
                     "Where / Other (please specify)": [None, "Mongolia", None]}, header_rows=2)
    opts = [{"code": "china", "label": "China"}, {"code": "us", "label": "United States", "aliases": ["USA"]},
            {"code": "other", "label": "Other"}]
    out = type_table(raw, book({"id": "w", "type": "multiple", "column": "Where", "options": opts,
                                "other": {"option": "other", "column": "Other (please specify)"}}))
    f = out.frame
    assert f["w__china"].to_list() == [True, False, None]
    assert f["w__us"].to_list() == [False, True, None]
    assert f["w__other"].to_list() == [False, True, None]
    assert f["w__other_text"].to_list() == [None, "Mongolia", None]
    assert out.report.ok, out.report.to_text()


def test_per_option_columns_with_01_y_and_ticks():
    raw = raw_table({"Q5_1": ["1", "0", None, "Y", "✓"], "Q5_2": ["0", "0", None, None, "maybe"]})
    opts = [{"code": "a", "label": "A", "column": "Q5_1"}, {"code": "b", "label": "B", "column": "Q5_2"}]
    out = type_table(raw, book({"id": "m", "type": "multiple", "options": opts}))
    assert out.frame["m__a"].to_list() == [True, False, None, True, True]
    assert out.frame["m__b"].to_list() == [False, False, None, False, False]
    assert reasons(out) == [(6, "unknown_option")]


def test_missing_column_is_an_error_and_extra_column_a_warning():
    raw = raw_table({"Q": ["Yes"], "Stray": ["x"]})
    out = type_table(raw, book({"id": "q", "type": "single", "column": "Q", "options": YESNO},
                               {"id": "z", "type": "text", "column": "Nowhere"}))
    got = {(r["reason"], r["severity"], r["column"]) for r in out.report.problems.iter_rows(named=True)}
    assert got == {("missing_column", "error", "Nowhere"), ("extra_column", "warning", "Stray")}
    assert out.frame["z"].to_list() == [None]


@settings(max_examples=60, deadline=None)
@given(
    chosen=st.lists(st.lists(st.booleans(), min_size=4, max_size=4), min_size=1, max_size=8),
    sep=st.sampled_from([", ", ",", ";", " | ", "|"]),
)
def test_property_delimited_answers_round_trip(chosen, sep):
    labels = [o["label"] for o in COUNTRIES]
    cells = [sep.join(lbl for lbl, c in zip(labels, row) if c) or None for row in chosen]
    out = type_table(raw_table({"C": cells}), book({"id": "c", "type": "multiple", "column": "C",
                                                    "delimiter": sep, "options": COUNTRIES}))
    for o, j in zip(COUNTRIES, range(4)):
        expect = [row[j] if any(row) else None for row in chosen]
        assert out.frame[f"c__{o['code']}"].to_list() == expect
    assert out.report.ok


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=-10**12, max_value=10**12), min_size=1, max_size=20),
       st.booleans())
def test_property_integers_round_trip_with_or_without_thousands_separators(values, sep):
    cells = [f"{v:,}" if sep else str(v) for v in values]
    out = type_table(raw_table({"N": cells}), book({"id": "n", "type": "integer", "column": "N"}))
    assert out.frame["n"].to_list() == values
    assert out.report.ok


@settings(max_examples=40, deadline=None)
@given(st.lists(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2090, 12, 31)), min_size=1, max_size=10),
       st.sampled_from(["%Y-%m-%d", "%m/%d/%Y", "%Y/%m/%d", "serial"]))
def test_property_dates_round_trip_in_common_forms(values, fmt):
    if fmt == "serial":
        cells = [str((v - dt.date(1899, 12, 30)).days) for v in values]
    else:
        cells = [v.strftime(fmt) for v in values]
    out = type_table(raw_table({"D": cells}), book({"id": "d", "type": "date", "column": "D"}))
    assert out.frame["d"].to_list() == values


@pytest.mark.parametrize("cell", ["=1+1", "+cmd", "@SUM(A1)", "-2"])
def test_text_is_kept_verbatim(cell):
    out = type_table(raw_table({"T": [cell]}), book({"id": "t", "type": "text", "column": "T"}))
    assert out.frame["t"].to_list() == [cell]
