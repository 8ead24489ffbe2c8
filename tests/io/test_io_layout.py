"""Header layouts: one row, SurveyMonkey's two, Qualtrics' three (and legacy two)."""

from __future__ import annotations

import pytest

from survey.io import ROW_COLUMN, SourceColumn, detect_layout, read_table

META = ["Respondent ID", "Collector ID", "Start Date"]
SURVEYMONKEY = [
    [*META, "소속 분과", "제안 국가", None, None, "의견"],
    [None, None, None, "Response", "China", "United States"]
    + ["Other (please specify)", "Open-Ended Response"],
    ["11460284753", "431222", "2025-03-01 10:05:00", "공학부", "China", None, "Vietnam", "좋음"],
    ["11460284754", "431222", "2025-03-02 11:00", "의약학부", None, "United States", None, None],
]

QUALTRICS = [
    ["StartDate", "ResponseId", "Q1", "Q2_1", "Q2_2", "Q2_4_TEXT"],
    ["Start Date", "Response ID", "How old are you?"]
    + ["Countries - China", "Countries - USA", "Countries - Other - Text"],
    [
        '{"ImportId":"startDate","timeZone":"America/Denver"}',
        '{"ImportId":"_recordId"}',
        '{"ImportId":"QID1"}',
        '{"ImportId":"QID2_1"}',
        '{"ImportId":"QID2_2"}',
        '{"ImportId":"QID2_4_TEXT"}',
    ],
    ["2023-05-01 09:00:00", "R_1abc", "34", "1", None, None],
    ["2023-05-01 09:10:00", "R_2def", "51", None, "1", "Qatar"],
]


def names(table) -> list[str]:
    return [c.name for c in table.columns]


def test_surveymonkey_xlsx_with_merged_block(write_xlsx) -> None:
    path = write_xlsx({"Responses": SURVEYMONKEY}, merges={"Responses": ["E1:G1"]})
    table = read_table(path)
    assert (table.layout, table.header_rows) == ("surveymonkey", 2)
    assert names(table) == [
        "Respondent ID",
        "Collector ID",
        "Start Date",
        "소속 분과",
        "제안 국가 / China",
        "제안 국가 / United States",
        "제안 국가 / Other (please specify)",
        "의견",
    ]
    other = table.columns[6]
    assert (other.block, other.sub) == ("제안 국가", "Other (please specify)")
    assert (other.letter, other.index) == ("G", 6)
    assert table.columns[3].sub is None and table.columns[7].sub is None
    assert table.frame.get_column(ROW_COLUMN).to_list() == [3, 4]
    assert table.frame.get_column("Respondent ID").to_list() == ["11460284753", "11460284754"]
    other_text = table.frame.get_column("제안 국가 / Other (please specify)")
    assert other_text.to_list() == ["Vietnam", None]


def test_surveymonkey_block_without_response_labels(write_csv) -> None:
    rows = [
        ["RespondentID", "StartDate", "Which fruits?", None, None],
        ["\x00", "\x00", "Apple", "Banana", "Cherry"],
        ["1", "03/01/2025 10:05:00", "Apple", None, "Cherry"],
    ]
    table = read_table(write_csv(rows))
    assert (table.layout, table.header_rows) == ("surveymonkey", 2)
    assert names(table)[2:] == [f"Which fruits? / {f}" for f in ("Apple", "Banana", "Cherry")]


@pytest.mark.parametrize("quote", ["double", "single"])
def test_qualtrics_three_rows_csv(write_csv, quote: str) -> None:
    rows = [list(r) for r in QUALTRICS]
    if quote == "single":
        rows[2] = [c.replace('"', "'").replace(":", ": ") for c in rows[2]]
    table = read_table(write_csv(rows))
    assert (table.layout, table.header_rows) == ("qualtrics", 3)
    assert names(table) == QUALTRICS[0]
    q21 = table.columns[3]
    assert (q21.block, q21.alt, q21.sub) == ("Q2_1", "Countries - China", None)
    assert q21.header == tuple(r[3] for r in rows[:3])
    assert [c.import_id for c in table.columns] == [
        "startDate", "_recordId", "QID1", "QID2_1", "QID2_2", "QID2_4_TEXT"
    ]
    assert table.frame.get_column(ROW_COLUMN).to_list() == [4, 5]
    assert table.frame.get_column("Q2_4_TEXT").to_list() == [None, "Qatar"]


def test_qualtrics_three_rows_xlsx(write_xlsx) -> None:
    table = read_table(write_xlsx(QUALTRICS))
    assert (table.layout, table.header_rows) == ("qualtrics", 3)
    assert table.frame.get_column("Q1").to_list() == ["34", "51"]


def test_qualtrics_legacy_two_rows(write_csv) -> None:
    rows = [
        ["V1", "V8", "Q1", "Q2_1"],
        ["ResponseID", "StartDate", "How old are you?", "Which countries?-China"],
        ["R_1abc", "2016-05-01 09:00:00", "34", "1"],
    ]
    table = read_table(write_csv(rows))
    assert (table.layout, table.header_rows) == ("qualtrics", 2)
    assert table.columns[2].alt == "How old are you?"
    assert table.frame.rows() == [(3, "R_1abc", "2016-05-01 09:00:00", "34", "1")]


def test_single_header_not_mistaken(write_csv) -> None:
    rows = [
        ["Timestamp", "Name", "Fruits"],
        ["1/18/2024 14:18", "Kim", "Apple, Banana"],
        ["1/18/2024 14:19", "", "Cherry"],
    ]
    table = read_table(write_csv(rows))
    assert (table.layout, table.header_rows) == ("single", 1)
    expected = SourceColumn(0, "A", ("Timestamp",), "Timestamp", None, None, "Timestamp")
    assert table.columns[0] == expected


def test_r_write_csv_row_numbers_are_not_read(write_csv) -> None:
    table = read_table(write_csv('"","age","sex"\n"1",34,"F"\n"2",51,"M"\n'))
    assert table.layout == "single"
    assert names(table) == ["age", "sex"]
    assert table.columns[0].letter == "B"
    assert any("row numbers written by R's write.csv" in n for n in table.notes)


def test_blank_first_header_over_other_values_is_kept(write_csv) -> None:
    table = read_table(write_csv('"","age","sex"\n"7",34,"F"\n"2",51,"M"\n'))
    assert names(table) == ["column_A", "age", "sex"]


def test_explicit_header_rows_override(write_csv) -> None:
    rows = [["a", "b"], ["c", "d"], ["1", "2"]]
    table = read_table(write_csv(rows), header_rows=2)
    assert (table.layout, table.header_rows) == ("surveymonkey", 2)
    assert names(table) == ["a / c", "b / d"]
    table = read_table(write_csv(rows), header_rows=3)
    assert (table.layout, table.header_rows, table.n_rows) == ("qualtrics", 3, 0)
    with pytest.raises(ValueError, match="header_rows"):
        read_table(write_csv(rows), header_rows=4)


def test_duplicate_and_blank_headers(write_csv) -> None:
    header = ["Q1", "Q1", "", "Q1__2", "__row__", "Q1"]
    table = read_table(write_csv([header, ["1", "2", "3", "4", "5", "6"]]))
    assert names(table) == ["Q1", "Q1__2", "column_C", "Q1__2__2", "__row____2", "Q1__3"]
    assert any("duplicate" in n for n in table.notes)
    assert table.frame.columns[0] == ROW_COLUMN


def test_header_found_below_blank_rows_and_right_of_blank_columns(write_xlsx) -> None:
    table = read_table(write_xlsx([["id", "q"], ["1", "x"]], origin="C3"))
    assert [(c.letter, c.index) for c in table.columns] == [("C", 2), ("D", 3)]
    assert table.frame.rows() == [(4, "1", "x")]


def test_detect_layout_top_rows_only() -> None:
    assert detect_layout([["a"]]) == ("single", 1)
    assert detect_layout([["Q1"], ["text"], ["{'ImportId': 'QID1'}"]]) == ("qualtrics", 3)
    assert detect_layout([["id", "y"], [None, "Response"]]) == ("surveymonkey", 2)


def test_single_response_value_is_not_a_surveymonkey_row() -> None:
    assert detect_layout([["id", "outcome", "note"], ["1", "Response", "x"]]) == ("single", 1)
    assert detect_layout([["a", "b"], ["Response", "Open-Ended Response"]]) == ("surveymonkey", 2)
