"""The front door on the quirks met in real exports, each reproduced in a generated file:
`survey schema draft` then `survey ingest` with the unedited draft keeps every respondent."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import xlsxwriter

from survey.codebook import load_codebook
from survey.frames import read_typed_parquet
from tests.clirun import run

MARKERS = ["NA", "N/A", "#N/A", "#NULL!", ".", "NaN", "NULL"]


def _draft_ingest(path: Path, *draft_args: str) -> tuple[object, object, str]:
    """Draft then ingest ``path``; both must exit 0.  Returns (codebook, frame, draft stderr)."""
    schema, out = path.with_suffix(".yaml"), path.with_suffix(".parquet")
    d = run("schema", "draft", str(path), "--out", str(schema), *draft_args)
    assert d.exit_code == 0, d.output
    i = run("ingest", str(path), "--schema", str(schema), "--out", str(out))
    assert i.exit_code == 0, i.output
    frame, _ = read_typed_parquet(out)
    return load_codebook(schema), frame, d.stderr


def _write(path: Path, rows: list[list[str]], *, encoding: str = "utf-8", quote_all: bool = False) -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL).writerows(rows)
    return path


def test_redcap_export_rewritten_by_r_write_csv_declares_na_and_skips_row_numbers(tmp_path: Path) -> None:
    """REDCap records re-written by R: every value quoted, literal NA, a row-number column."""
    rows = [["", "record_id", "age", "sex", "race___1", "race___2", "visit_date", "my_first_form_complete"]]
    sexes = ["Female", "Male", "NA"]
    for i in range(1, 31):
        rows.append([str(i), str(100 + i), "NA" if i % 4 == 0 else str(20 + i), sexes[i % 3],
                     str(i % 2), "NA" if i % 5 == 0 else str((i + 1) % 2),
                     "NA" if i % 7 == 0 else f"2023-02-{i % 28 + 1:02d}", "2"])
    path = tmp_path / "redcap_r.csv"
    path.write_text("\n".join(",".join("NA" if c == "NA" else f'"{c}"' for c in r) for r in rows) + "\n",
                    encoding="utf-8")
    cb, frame, _ = _draft_ingest(path)
    assert cb.missing_values == ("NA",)
    assert frame.height == 30
    assert not any(q.column in ("", "column_A") for q in cb.questions)
    q = {q.id: q for q in cb.questions}
    assert q["age"].type == "integer" and q["visit_date"].type == "date"
    assert [o.label for o in q["sex"].options] == ["Male", "Female"]
    assert frame["age"].null_count() == 7


@pytest.mark.parametrize("marker", MARKERS)
def test_each_tool_missing_marker_is_declared_missing_never_an_option(tmp_path: Path, marker: str) -> None:
    rows = [["id", "score", "colour"]]
    for i in range(12):
        rows.append([f"r{i}", marker if i % 3 == 0 else str(i), marker if i % 4 == 1 else ["Red", "Blue"][i % 2]])
    cb, frame, stderr = _draft_ingest(_write(tmp_path / "m.csv", rows))
    assert marker in cb.missing_values
    q = {q.id: q for q in cb.questions}
    assert q["score"].type == "integer"
    assert q["colour"].type == "single" and {o.label for o in q["colour"].options} == {"Red", "Blue"}
    assert frame.height == 12 and frame["score"].null_count() == 4


def test_option_labels_alike_after_normalising_get_distinct_codes(tmp_path: Path) -> None:
    """Case, padding, NBSP, HTML and long common prefixes must not give two options one code."""
    long = "Please indicate how strongly you agree with the following statement about your work: "
    labels = ["Yes", "No<br>Please explain", "Strongly   agree", "Strongly\u00a0disagree",
              long + "first", long + "second", "A & B", "A / B"]
    rows = [["id", "q_1", "q_2", "q_3", "q_4", "q_5", "q_6", "q_7", "q_8", "answer"]]
    for i in range(16):
        rows.append([f"r{i}", *(lab if (i + j) % 2 else "" for j, lab in enumerate(labels)),
                     labels[i % len(labels)]])
    cb, frame, _ = _draft_ingest(_write(tmp_path / "labels.csv", rows))
    for q in cb.questions:
        codes = [o.code for o in q.options]
        assert len(codes) == len(set(codes)), (q.id, codes)
    assert frame.height == 16


def test_qualtrics_python_dict_import_ids_duplicated_and_spaced_export_tags(tmp_path: Path) -> None:
    """Row 3 written Python-style, a duplicated export tag, export tags with spaces."""
    tags = ["ResponseId", "Q 1", "Q2_1", "Q2_2", "Q2_3", "2.P(A2|N=1)_1", "2.P(A2|N=1)_1", "my tag"]
    texts = ["Response ID", "How old are you?", "Which apply? - Red", "Which apply? - Blue",
             "Which apply? - RED ", "Chance (%)", "Chance (%)", "Comments"]
    import_ids = [f"{{'ImportId': '{q}'}}" for q in
                  ("_recordId", "QID1", "QID2-1", "QID2-2", "QID2-3", "QID3_1", "QID4_1", "QID5_TEXT")]
    rows = [tags, texts, import_ids]
    for i in range(10):
        rows.append([f"R_{i:03d}", str(20 + i), "1" if i % 2 else "", "1" if i % 3 else "",
                     "1" if i % 5 == 0 else "", str(i * 10), str(100 - i * 10), "NULL" if i == 3 else "ok"])
    cb, frame, _ = _draft_ingest(_write(tmp_path / "qualtrics.csv", rows))
    assert cb.source.header_rows == 3
    assert frame.height == 10
    multiple = [q for q in cb.questions if q.type == "multiple"]
    assert len(multiple) == 1 and len({o.code for o in multiple[0].options}) == 3
    assert "NULL" in cb.missing_values


def test_kobo_block_exported_twice_drafts_two_questions(tmp_path: Path) -> None:
    """Kobo 'labels' export: the same select_multiple block twice (duplicate headers)."""
    opts = ["Farming crops", "Fishing", "Livestock"]
    head = ["_uuid"] + [f"Please select all that apply/{o}" for o in opts] * 2
    rows = [head] + [[f"u{i}", *(str((i + j) % 2) for j in range(6))] for i in range(9)]
    cb, frame, _ = _draft_ingest(_write(tmp_path / "kobo.csv", rows))
    multiple = [q for q in cb.questions if q.type == "multiple"]
    assert len(multiple) == 2
    assert all(len({o.code for o in q.options}) == 3 for q in multiple)
    assert frame.height == 9


def _surveymonkey_rows(question: str) -> list[list[str]]:
    rows = [["RespondentID", question, "Do you eat steak?"], ["", "Response", "Response"]]
    rows += [[str(3_000_000 + i), ["Lottery A", "Lottery B"][i % 2], ["Yes", "No"][i % 3 == 0]]
             for i in range(20)]
    return rows


@pytest.mark.parametrize("stray", ["What\u2019s", "risk\u2019\u2019", "\u2018\u2019situations"])
def test_cp1252_file_with_two_stray_characters_is_not_read_as_korean(tmp_path: Path, stray: str) -> None:
    question = f"Consider the following hypothetical situations: {stray} Which would you choose?"
    path = _write(tmp_path / "steak.csv", _surveymonkey_rows(question), encoding="cp1252")
    cb, frame, stderr = _draft_ingest(path)
    assert "encoding cp1252 (detected" in stderr and "not Korean text" in stderr
    assert any(stray in (q.text_en or "") for q in cb.questions)
    assert frame.height == 20


def test_korean_cp949_file_is_still_read_as_cp949(tmp_path: Path) -> None:
    rows = [["ID", "survey_drink_name", "성별"]]
    names = ["내장산 복분자주", "안동소주", "이강주", "한산 소곡주"]
    rows += [[str(i), names[i % 4], ["남", "여"][i % 2]] for i in range(24)]
    cb, frame, stderr = _draft_ingest(_write(tmp_path / "ko.csv", rows, encoding="cp949"))
    assert "encoding cp949 (detected" in stderr and "KS X 1001" in stderr
    assert set(frame["survey_drink_name"].to_list()) == set(names)


def test_encoding_flag_overrides_detection_and_is_recorded(tmp_path: Path) -> None:
    path = _write(tmp_path / "steak.csv", _surveymonkey_rows("What\u2019s your choice?"), encoding="cp1252")
    cb, frame, stderr = _draft_ingest(path, "--encoding", "cp949")
    assert cb.source.encoding == "cp949"
    assert "encoding cp949 (as given)" in stderr
    assert frame.height == 20


def test_header_only_workbook_is_no_respondents(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Responses")
    for j, h in enumerate(["Respondent ID", "Age", "Country"]):
        ws.write_string(0, j, h)
    wb.close()
    schema = tmp_path / "empty.yaml"
    assert run("schema", "draft", str(path), "--out", str(schema)).exit_code == 0
    v = run("validate", str(path), "--schema", str(schema))
    assert v.exit_code == 1 and "no_respondents" in v.output
    out = tmp_path / "empty.parquet"
    i = run("ingest", str(path), "--schema", str(schema), "--out", str(out))
    assert i.exit_code == 1 and "nothing written" in i.stderr
    assert not out.exists()
