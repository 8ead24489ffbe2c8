"""`--metadata` accepts a plain codebook table: variable names beside question text, with
value labels in one cell or as long rows; types are drafted from the data."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from survey.errors import UnreadableInputError
from survey.frames import draft_from_metadata, type_table
from survey.io import read_metadata, read_table

DATA = ("ResponseId,MainBranch,LanguageHaveWorkedWith,YearsCode,Sex\n"
        "1,I am a developer by profession,Python;SQL,12,1\n"
        "2,I am learning to code,HTML/CSS;JavaScript,2,2\n"
        "3,I am a developer by profession,Python;Rust;SQL,20,1\n"
        "4,I code primarily as a hobby,JavaScript,5,2\n"
        "5,I am a developer by profession,Python,8,1\n"
        "6,I am learning to code,Rust;Python,1,2\n")
MAIN = "Which of the following options best describes you today?"
LANG = "Which <b>programming, scripting, and markup languages</b> have you done extensive development work in?"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _draft(tmp_path: Path, meta: Path):  # type: ignore[no-untyped-def]
    raw = read_table(_write(tmp_path, "survey_results_public.csv", DATA))
    drafted = draft_from_metadata(raw, read_metadata(meta))
    return raw, drafted


def test_stack_overflow_schema_gives_question_text_and_data_gives_types(tmp_path: Path) -> None:
    meta = _write(tmp_path, "survey_results_schema.csv",
                  "qid,qname,question,force_resp,type,selector\n"
                  f'QID2,MainBranch,"{MAIN}",TRUE,MC,SAVR\n'
                  f'QID233,LanguageHaveWorkedWith,"{LANG}",FALSE,MC,MAVR\n'
                  "QID9,NotInTheExport,Gone?,FALSE,TE,SL\n")
    assert read_metadata(meta).kind == "table"
    raw, drafted = _draft(tmp_path, meta)
    cb = drafted.codebook
    assert cb.question("mainbranch").text_en == MAIN
    assert cb.question("mainbranch").type == "single"
    langs = cb.question("languagehaveworkedwith")
    assert langs.text_en == ("Which programming, scripting, and markup languages have you done "
                             "extensive development work in?")
    assert langs.type == "multiple" and langs.delimiter == ";"
    assert any("NotInTheExport" in w for w in drafted.warnings)
    assert type_table(raw, cb).report.n_errors == 0


def test_column_questiontext_table_is_read(tmp_path: Path) -> None:
    meta = _write(tmp_path, "schema.csv", f'Column,QuestionText\nMainBranch,"{MAIN}"\nYearsCode,Years coding\n')
    _, drafted = _draft(tmp_path, meta)
    assert drafted.codebook.question("yearscode").text_en == "Years coding"
    assert drafted.codebook.question("yearscode").type == "integer"


def test_long_value_label_rows_label_the_codes(tmp_path: Path) -> None:
    meta = _write(tmp_path, "codebook.csv",
                  "variable,value,label\nSex,,Sex of respondent\n,1,Male\n,2,Female\n")
    raw, drafted = _draft(tmp_path, meta)
    sex = drafted.codebook.question("sex")
    assert (sex.type, sex.text_en, sex.labels) == ("single", "Sex of respondent", ("Male", "Female"))
    typed = type_table(raw, drafted.codebook)
    assert typed.report.n_errors == 0
    assert typed.frame.get_column("sex").cast(str).to_list() == ["Male", "Female"] * 3


def test_value_labels_in_one_cell_label_the_codes(tmp_path: Path) -> None:
    meta = _write(tmp_path, "codebook.csv", 'variable,label,values\nSex,Sex of respondent,"1=Male; 2=Female"\n')
    _, drafted = _draft(tmp_path, meta)
    assert drafted.codebook.question("sex").labels == ("Male", "Female")


def test_labels_covering_only_some_numbers_keep_the_question_numeric(tmp_path: Path) -> None:
    meta = _write(tmp_path, "codebook.csv", "variable,value,label\nYearsCode,1,Less than a year\n")
    _, drafted = _draft(tmp_path, meta)
    assert drafted.codebook.question("yearscode").type == "integer"
    assert any("yearscode" in w and "labels left out" in w for w in drafted.warnings)


def test_workbook_without_a_survey_sheet_is_a_codebook_table(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Codebook"
    for row in [("Variable", "Label"), ("MainBranch", MAIN), ("YearsCode", "Years coding")]:
        ws.append(row)
    path = tmp_path / "codebook.xlsx"
    wb.save(path)
    meta = read_metadata(path)
    assert meta.kind == "table" and [q.text for q in meta.questions] == [MAIN, "Years coding"]


def test_a_table_that_is_not_a_codebook_is_refused_naming_the_shapes(tmp_path: Path) -> None:
    meta = _write(tmp_path, "other.csv", "Respondent,Q1\n1,Yes\n")
    with pytest.raises(UnreadableInputError, match="codebook table"):
        read_metadata(meta)


def test_table_of_short_names_for_question_headers_names_the_questions(tmp_path: Path) -> None:
    # rstudio/r-community-survey: the export is headed by the question text, and
    # a table (Question_text,Question_name) gives each question its short name
    data = _write(tmp_path, "responses.csv", f'"{MAIN}",Years\nI am learning to code,2\nI code,5\nI code,9\n')
    meta = _write(tmp_path, "questions.csv", f'Question_text,Question_name\n"{MAIN}",Qmain\nYears,Qyears\n')
    drafted = draft_from_metadata(read_table(data), read_metadata(meta))
    assert [q.id for q in drafted.codebook.questions] == ["qmain", "qyears"]
    assert drafted.codebook.question("qmain").text_en == MAIN


def test_a_row_naming_the_stem_of_several_columns_gives_each_its_text(tmp_path: Path) -> None:
    data = _write(tmp_path, "so.csv", "LanguageHaveWorkedWith,LanguageWantToWorkWith\n"
                  "Python;SQL,Rust\nRust,Python;Rust\nSQL,SQL\nPython,Rust;SQL\n")
    meta = _write(tmp_path, "schema.csv", "qname,question\nLanguage,Which languages?\n")
    drafted = draft_from_metadata(read_table(data), read_metadata(meta))
    texts = [q.text_en for q in drafted.codebook.questions]
    assert texts == ["Which languages? (have worked with)", "Which languages? (want to work with)"]
    assert drafted.warnings == ()


def test_columns_drafted_from_the_data_keep_their_check_lines(tmp_path: Path) -> None:
    rows = "".join(f"{i},{i % 30}\n" for i in range(1, 80)) + "80,Less than 1 year\n"
    raw = read_table(_write(tmp_path, "export.csv", "ResponseId,YearsCode\n" + rows))
    meta = _write(tmp_path, "schema.csv", "Column,QuestionText\nYearsCode,Years coding\n")
    drafted = draft_from_metadata(raw, read_metadata(meta))
    assert drafted.codebook.question("yearscode").type == "integer"
    assert any("'Less than 1 year'" in c for c in drafted.checks["yearscode"])
    text = drafted.to_yaml()
    check = next(i for i, line in enumerate(text.splitlines()) if line.lstrip().startswith("# CHECK yearscode"))
    assert text.splitlines()[check + 1].strip() == "- id: yearscode"
