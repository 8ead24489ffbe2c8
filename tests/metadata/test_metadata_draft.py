"""`survey schema draft EXPORT --metadata META`: the codebook comes from the platform's form.

Each platform's pair (tests/metadata/builders.py) is drafted, the draft written as YAML and
loaded back, and the same export ingested with it: every respondent kept, answers typed to
the form's labels, question text from the form, disagreements reported as warnings.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from survey.cli import cli
from survey.codebook import Codebook, load_codebook
from survey.errors import UnreadableInputError
from survey.frames import MetadataDraft, draft_from_metadata, read_survey, read_typed_parquet
from survey.io import read_metadata, read_table
from tests.metadata import builders
from tests.metadata.builders import Pair

PAIRS: dict[str, Callable[[Path], Pair]] = {
    "kobo_labels": builders.kobo_labels,
    "kobo_xml": builders.kobo_xml,
    "qualtrics_numeric": builders.qualtrics,
    "qualtrics_text": lambda d: builders.qualtrics(d, text_values=True),
    "redcap_labels": lambda d: builders.redcap(d, labels=True),
    "redcap_raw": builders.redcap,
    "spss_csv": builders.spss,
}


def _group(cb: Codebook, qid: str) -> tuple[str, str | None] | None:
    """(kind, text) of the group holding question ``qid``."""
    return next(((g.kind, g.text_en or g.text_ko) for g in cb.groups if qid in g.questions), None)


def _draft(pair: Pair, tmp_path: Path) -> tuple[MetadataDraft, Codebook]:
    drafted = draft_from_metadata(read_table(pair.export), read_metadata(pair.metadata))
    path = tmp_path / "draft.yaml"
    path.write_text(drafted.to_yaml(), encoding="utf-8")
    return drafted, load_codebook(path)


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_draft_from_metadata_loads_and_keeps_every_respondent(name: str, tmp_path: Path) -> None:
    pair = PAIRS[name](tmp_path)
    _, cb = _draft(pair, tmp_path)
    typed = read_survey(pair.export, cb)
    assert typed.report.ok, typed.report.to_text()
    assert typed.frame.height == pair.respondents
    assert typed.report.problems.filter(typed.report.problems["reason"] == "extra_column").is_empty()


@pytest.mark.parametrize("name", ["redcap_raw", "redcap_labels"])
def test_redcap_codes_typed_to_dictionary_labels(name: str, tmp_path: Path) -> None:
    pair = PAIRS[name](tmp_path)
    drafted, cb = _draft(pair, tmp_path)
    sex = cb.question("sex")
    assert sex.text_en == "Sex at birth"
    assert sex.labels[:2] == ("Female", "Male")
    frame = read_survey(pair.export, cb).frame
    assert frame["sex"].to_list()[:2] == ["Female", "Male"]
    sports = cb.question("sports")
    assert sports.type == "multiple" and sports.text_en == "Which sports do you do, weekly?"
    assert [o.column for o in sports.options] == ["sports___1", "sports___2", "sports____1", "sports___9"]
    assert [o.label for o in sports.options][:3] == ["Running", "Swimming, open water", "Don't know"]
    assert frame["sports__1"].to_list()[:3] == [True, False, True]
    assert cb.question("smoker").labels == ("Yes", "No") and cb.question("smoker").required
    assert cb.question("baseline_complete").role == "meta"
    assert cb.question("baseline_complete").labels == ("Incomplete", "Unverified", "Complete")
    assert cb.id_question is not None and cb.id_question.id == "record_id"
    assert _group(cb, "sex") == ("section", "Demographics") and _group(cb, "mood") == ("section", "Follow-up")
    assert _group(cb, "record_id") == ("section", "baseline") and _group(cb, "baseline_complete") is None
    grid = next(g for g in cb.groups if g.kind == "grid")
    assert grid.questions == ("sat_pay", "sat_hours") and cb.question("sat_hours").labels == ("Low", "High")


def test_redcap_disagreements_are_warnings_not_failures(tmp_path: Path) -> None:
    drafted, cb = _draft(builders.redcap(tmp_path), tmp_path)
    text = "\n".join(drafted.warnings)
    assert "'weight' (Weight, kg)" in text and "not in the export" in text
    assert "sex: 1 value(s) in the data not among the form's choices" in text and "'3' (1 row)" in text
    assert "'sports___9' is not among the form's choices" in text
    assert "mood (3)" in text
    assert "weight" not in {q.id for q in cb.questions}
    assert cb.question("sex").labels == ("Female", "Male", "3")
    assert not cb.question("mood").required


def test_redcap_repeated_record_id_is_not_the_respondent_id(tmp_path: Path) -> None:
    pair = builders.redcap(tmp_path)
    text = pair.export.read_text(encoding="utf-8").splitlines()
    pair.export.write_text("\n".join([*text, text[1]]) + "\n", encoding="utf-8")  # record 100 twice
    drafted, cb = _draft(pair, tmp_path)
    assert cb.question("record_id").role == "meta"
    assert any("id repeats" in w for w in drafted.warnings)
    typed = read_survey(pair.export, cb)
    assert typed.report.ok and typed.frame.height == pair.respondents + 1


@pytest.mark.parametrize("name", ["kobo_xml", "kobo_labels"])
def test_kobo_form_gives_text_labels_groups_and_choice_columns(name: str, tmp_path: Path) -> None:
    pair = PAIRS[name](tmp_path)
    drafted, cb = _draft(pair, tmp_path)
    assert cb.survey == "household_survey_2024" and cb.title_en == "Household survey 2024"
    consent = cb.question("consent")
    assert consent.text_en == "Do you consent?" and consent.labels == ("Yes", "No") and consent.required
    assert cb.question("members").type == "integer"
    fruits = cb.question("fruits")
    assert fruits.type == "multiple" and fruits.layout == "columns"
    assert [o.label for o in fruits.options] == ["Apple", "Banana split", "Kiwi"]
    assert cb.question("fruits_summary").role == "meta"
    assert _group(cb, "consent") == ("section", "Household") and _group(cb, "water") is None
    frame = read_survey(pair.export, cb).frame
    assert frame["consent"].to_list()[:2] == ["No", "Yes"]
    assert frame["fruits__apple"].to_list()[:4] == [True, False, False, True]
    assert frame["water"].to_list()[:3] == ["Never", "Rarely", "Always"]
    assert cb.question("water").labels == ("Never", "Rarely", "Always", "sometimes")
    text = "\n".join(drafted.warnings)
    assert "'income' (Monthly income)" in text and "'sometimes' (3 rows)" in text
    assert any("repeat groups" in n and "pname" in n for n in drafted.notes)


def test_kobo_joined_column_alone_is_a_delimited_multiple(tmp_path: Path) -> None:
    pair = builders.kobo_xml(tmp_path)
    lines = pair.export.read_text(encoding="utf-8").splitlines()
    keep = [i for i, h in enumerate(lines[0].split(";")) if not h.startswith('"hh/fruits/')]
    pair.export.write_text("\n".join(";".join(line.split(";")[i] for i in keep) for line in lines) + "\n",
                           encoding="utf-8")
    _, cb = _draft(pair, tmp_path)
    fruits = cb.question("fruits")
    assert fruits.layout == "delimited" and fruits.delimiter == " " and fruits.column == "hh/fruits"
    frame = read_survey(pair.export, cb).frame
    assert frame["fruits__banana"].to_list()[:4] == [False, False, True, False]


@pytest.mark.parametrize("name", ["qualtrics_numeric", "qualtrics_text"])
def test_qualtrics_recodes_grids_and_blocks_from_the_qsf(name: str, tmp_path: Path) -> None:
    pair = PAIRS[name](tmp_path)
    drafted, cb = _draft(pair, tmp_path)
    q1 = cb.question("q1")
    assert q1.text_en == "What is your division?"
    assert [(o.code, o.label) for o in q1.options][:3] == [("10", "Natural Sciences"), ("20", "Engineering"),
                                                           ("30", "Medicine")]
    assert [o.label for o in cb.question("q2").options] == ["China", "United States", "Europe, incl. UK", "Other"]
    rows = [cb.question(f"q4_{k}") for k in (1, 2, 3)]
    assert [r.text_en for r in rows] == [f"How satisfied are you with: - {x}"
                                         for x in ("Salary", "Research funding", "Autonomy")]
    assert all(r.labels == ("Very satisfied", "Satisfied", "Dissatisfied", "Very dissatisfied") for r in rows)
    grid = next(g for g in cb.groups if g.kind == "grid")
    assert grid.questions == ("q4_1", "q4_2", "q4_3") and grid.text_en == "How satisfied are you with:"
    assert _group(cb, "q1") == ("section", "About you") and _group(cb, "q5_1") == ("section", "Work")
    ranking = next(g for g in cb.groups if g.kind == "ranking")
    assert ranking.questions == ("q8_1", "q8_2", "q8_3") and ranking.text_en == "Rank the reasons to move abroad"
    assert cb.question("q8_2").type == "integer" and (cb.question("q8_2").minimum, cb.question("q8_2").maximum) == (1, 3)
    assert cb.question("q8_2").text_en == "Rank the reasons to move abroad - Funding"
    age = cb.question("age")
    assert age.type == "number" and (age.minimum, age.maximum) == (18.0, 99.0)
    frame = read_survey(pair.export, cb).frame
    assert frame["q1"].to_list()[:3] == ["Natural Sciences", "Engineering", "Medicine"]
    assert frame["q4_1"].to_list()[:2] == ["Very satisfied", "Satisfied"]
    assert frame["q2__1"].to_list()[:4] == [True, False, False, True]
    text = "\n".join(drafted.warnings)
    assert "'Q9' (Were you born abroad?)" in text and "'40' (2 rows)" in text and "q1 (1)" in text


def test_spss_labels_give_options_missing_codes_and_ordinal(tmp_path: Path) -> None:
    pair = builders.spss(tmp_path)
    _, cb = _draft(pair, tmp_path)
    q1 = cb.question("q1")
    assert q1.text_en == "Satisfaction with your job"
    assert q1.labels == ("Satisfied", "Neutral", "Dissatisfied")
    assert [(m.code, m.label) for m in q1.missing_codes] == [("8", "Don't know"), ("9", "Refused")]
    assert cb.question("q2").type == "ordinal"
    assert cb.question("wt").type == "number"
    frame = read_survey(pair.export, cb).frame
    assert frame["q1"].to_list()[4:6] == ["Neutral", None]
    assert frame["q1__missing"].to_list()[5] == "Refused"


def test_spss_file_as_its_own_metadata(tmp_path: Path) -> None:
    pair = builders.spss(tmp_path)
    drafted = draft_from_metadata(read_table(pair.metadata), read_metadata(pair.metadata))
    typed = read_survey(pair.metadata, drafted.codebook)
    assert typed.report.ok and typed.frame.height == pair.respondents
    assert typed.frame["q2"].to_list()[:2] == ["None", "Little"]


def test_values_that_do_not_fit_the_form_type_fall_back_to_the_data(tmp_path: Path) -> None:
    pair = builders.redcap(tmp_path)
    text = pair.export.read_text(encoding="utf-8").replace("2024-03-05", "about March")
    pair.export.write_text(text, encoding="utf-8")
    drafted, cb = _draft(pair, tmp_path)
    assert cb.question("visit_date").type == "text"
    assert any(w.startswith("visit_date: cells do not fit the form's type date") and "'about March'" in w
               for w in drafted.warnings)
    assert read_survey(pair.export, cb).report.ok


def test_values_outside_the_form_range_drop_the_range(tmp_path: Path) -> None:
    pair = builders.redcap(tmp_path)
    lines = pair.export.read_text(encoding="utf-8").splitlines()
    cells = lines[1].split(",")
    cells[2] = "7"
    lines[1] = ",".join(cells)
    pair.export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    drafted, cb = _draft(pair, tmp_path)
    age = cb.question("age")
    assert age.type == "integer" and age.minimum is None and age.maximum is None
    assert any("age: values outside the form's range [18.0, 99.0]" in w for w in drafted.warnings)


def test_cli_draft_with_metadata_then_ingest(tmp_path: Path) -> None:
    pair = builders.redcap(tmp_path)
    schema, out = tmp_path / "s.yaml", tmp_path / "w.parquet"
    runner = CliRunner()
    r = runner.invoke(cli, ["schema", "draft", str(pair.export), "--metadata", str(pair.metadata),
                            "--out", str(schema)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert "warning: 1 question(s) in the form but not in the export" in r.stderr
    assert "# WARNING: sex: 1 value(s)" in schema.read_text(encoding="utf-8")
    i = runner.invoke(cli, ["ingest", str(pair.export), "-s", str(schema), "-o", str(out)], catch_exceptions=False)
    assert i.exit_code == 0, i.output
    frame, cb = read_typed_parquet(out)
    assert frame.height == pair.respondents and cb is not None
    assert cb.question("mood").labels == ("Good", "Fair", "Poor")


def test_cli_metadata_that_is_not_a_form_is_exit_2(tmp_path: Path) -> None:
    pair = builders.redcap(tmp_path)
    r = CliRunner().invoke(cli, ["schema", "draft", str(pair.export), "--metadata", str(pair.export),
                                 "--out", str(tmp_path / "s.yaml")])
    assert r.exit_code == 2
    assert "not a metadata file" in r.output and "Traceback" not in r.output
    assert not (tmp_path / "s.yaml").exists()


@pytest.mark.parametrize("content,why", [
    (b'{"SurveyEntry": {}, "Elements": []}', "no 'SurveyElements'"),
    (b'{"SurveyEntry": {', "not a readable Qualtrics survey file"),
    (b'"Variable / Field Name","Form Name"\nx,y\n', "no 'Variable / Field Name' and 'Field Type'"),
])
def test_broken_metadata_files_are_unreadable_with_a_reason(tmp_path: Path, content: bytes, why: str) -> None:
    path = tmp_path / ("m.qsf" if content.startswith(b"{") else "m.csv")
    path.write_bytes(content)
    with pytest.raises(UnreadableInputError, match=why):
        read_metadata(path)


def test_workbook_without_a_survey_sheet_is_not_an_xlsform(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["a", "b"])
    wb.save(tmp_path / "x.xlsx")
    with pytest.raises(UnreadableInputError, match="no 'survey' sheet"):
        read_metadata(tmp_path / "x.xlsx")


@pytest.mark.parametrize("module", ["survey.io._metadata", "survey.io._meta_redcap"])
def test_docstring_examples(module: str) -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0


def test_qualtrics_columns_found_by_import_id_when_export_tags_were_renamed(tmp_path: Path) -> None:
    pair = builders.qualtrics(tmp_path)
    rows = list(csv.reader(pair.export.read_text(encoding="utf-8").splitlines()))
    renamed = {"Q4_1": "sat pay", "Q4_2": "sat funding", "Q1": "division"}
    rows[0] = [renamed.get(h, h) for h in rows[0]]
    rows[2] = [c.replace('{"ImportId":"', "{'ImportId': '").replace('"}', "'}").replace("QID4_", "QID4-")
               for c in rows[2]]  # 2016-style pseudo-JSON with '-' separators
    with open(pair.export, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    drafted, cb = _draft(pair, tmp_path)
    assert cb.question("q1").column == "division" and cb.question("q1").labels[0] == "Natural Sciences"
    assert cb.question("q4_1").column == "sat pay" and cb.question("q4_2").column == "sat funding"
    frame = read_survey(pair.export, cb).frame
    assert frame["q4_1"].to_list()[:2] == ["Very satisfied", "Satisfied"]


def test_stata_labels_as_metadata(tmp_path: Path) -> None:
    import pandas as pd
    import pyreadstat

    frame = pd.DataFrame({"id": [1.0, 2.0, 3.0, 4.0], "region": [1.0, 2.0, 2.0, 3.0]})
    dta = tmp_path / "labels.dta"
    pyreadstat.write_dta(frame, str(dta), column_labels=["Household id", "Region of residence"],
                         variable_value_labels={"region": {1.0: "North", 2.0: "South"}})
    drafted = draft_from_metadata(read_table(dta), read_metadata(dta))
    cb = drafted.codebook
    assert cb.question("region").text_en == "Region of residence"
    assert cb.question("region").labels == ("North", "South", "3")
    assert any("region: 1 value(s) in the data not among the form's choices" in w for w in drafted.warnings)
    typed = read_survey(dta, cb)
    assert typed.report.ok and typed.frame["region"].to_list() == ["North", "South", "South", "3"]


def test_bilingual_xlsform_gives_english_and_korean_text_and_labels(tmp_path: Path) -> None:
    pair = builders.kobo_xml(tmp_path, korean=True)
    _, cb = _draft(pair, tmp_path)
    consent = cb.question("consent")
    assert (consent.text_en, consent.text_ko) == ("Do you consent?", "동의하십니까?")
    assert [(o.label, o.label_ko) for o in consent.options] == [("Yes", "예"), ("No", "아니오")]
    assert [o.label_ko for o in cb.question("fruits").options] == ["사과", "바나나", "키위"]
    assert cb.question("water").text_ko is None  # no Korean label in the form
    # an export in the Korean language: cells hold the Korean labels
    text = pair.export.read_text(encoding="utf-8").replace('"yes"', '"예"').replace('"no"', '"아니오"')
    pair.export.write_text(text, encoding="utf-8")
    frame = read_survey(pair.export, cb).frame
    assert frame["consent"].to_list()[:2] == ["No", "Yes"]


def test_kobo_choice_column_the_form_does_not_list_becomes_an_option(tmp_path: Path) -> None:
    pair = builders.kobo_xml(tmp_path)
    rows = list(csv.reader(pair.export.read_text(encoding="utf-8").splitlines(), delimiter=";"))
    at = rows[0].index("hh/fruits/kiwi") + 1
    for i, row in enumerate(rows):
        row.insert(at, "hh/fruits/mango" if i == 0 else str(i % 2))
    with open(pair.export, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows(rows)
    drafted, cb = _draft(pair, tmp_path)
    fruits = cb.question("fruits")
    assert [o.code for o in fruits.options] == ["apple", "banana", "kiwi", "mango"]
    assert any("'hh/fruits/mango' is not among the form's choices" in w for w in drafted.warnings)
    assert read_survey(pair.export, cb).report.ok


def test_qualtrics_multiple_choice_in_one_comma_joined_column(tmp_path: Path) -> None:
    pair = builders.qualtrics(tmp_path, text_values=True)
    rows = list(csv.reader(pair.export.read_text(encoding="utf-8").splitlines()))
    split = [i for i, h in enumerate(rows[0]) if h.startswith("Q2_")]
    joined = [["Q2", "Which countries made you an offer? - Selected Choice", '{"ImportId":"QID2"}']] + [
        [",".join(r[i] for i in split if r[i])] for r in rows[3:]]
    out = [[c for i, c in enumerate(r) if i not in split] + j for r, j in
           zip(rows, [[x] for x in joined[0]] + joined[1:])]
    with open(pair.export, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(out)
    _, cb = _draft(pair, tmp_path)
    q2 = cb.question("q2")
    assert q2.layout == "delimited" and q2.delimiter == "," and q2.column == "Q2"
    frame = read_survey(pair.export, cb).frame
    chosen = [(a, b, c) for a, b, c in zip(frame["q2__1"], frame["q2__2"], frame["q2__3"])]
    assert chosen[:3] == [(True, False, False), (False, False, True), (False, True, False)]


def test_qsf_with_odd_shapes_still_reads(tmp_path: Path) -> None:
    """Real QSFs hold lists where dicts are usual (empty Choices, Validation) and blocks as a dict."""
    qsf = {"SurveyEntry": {"SurveyName": "Odd"}, "SurveyElements": [
        {"Element": "BL", "Payload": {"1": {"Type": "Default", "Description": "B1",
                                            "BlockElements": [{"Type": "Question", "QuestionID": "QID1"}]}}},
        {"Element": "SQ", "Payload": {"QuestionID": "QID1", "DataExportTag": "Q1", "QuestionType": "MC",
                                      "Selector": "SAVR", "SubSelector": "TX", "QuestionText": None,
                                      "QuestionDescription": "Plain description", "Choices": {"1": {"Display": "A"}},
                                      "ChoiceOrder": ["1"], "Validation": [], "RecodeValues": []}},
        {"Element": "SQ", "Payload": {"QuestionID": "QID2", "DataExportTag": "Q2", "QuestionType": "TE",
                                      "Selector": "SL", "Choices": [], "QuestionText": "Name?"}},
        {"Element": "SQ", "Payload": {"QuestionID": "QID3", "QuestionType": "HeatMap", "Selector": "X"}},
    ]}
    path = tmp_path / "odd.qsf"
    path.write_text(json.dumps(qsf), encoding="utf-8")
    meta = read_metadata(path)
    assert [(q.name, q.type, q.text, q.group) for q in meta.questions] == [
        ("Q1", "single", "Plain description", "B1"), ("Q2", "text", "Name?", None)]
    assert "QID3 (HeatMap/X)" in meta.notes[0]


def test_blank_markers_in_the_export_become_missing_codes_not_options(tmp_path: Path) -> None:
    """An R write.csv export writes NA for every blank; REDCap writes [not completed]."""
    pair = builders.redcap(tmp_path)
    lines = pair.export.read_text(encoding="utf-8").splitlines()
    body = [ln.replace(",,", ",NA,") for ln in lines[1:]]
    body[0] = body[0].replace(",20,", ",#N/A,", 1)  # age of the first record
    pair.export.write_text("\n".join([lines[0], *body]) + "\n", encoding="utf-8")
    drafted, cb = _draft(pair, tmp_path)
    assert cb.question("mood").labels == ("Good", "Fair", "Poor")
    assert [m.code for m in cb.question("mood").missing_codes] == ["NA"]
    assert cb.question("age").type == "integer" and [m.code for m in cb.question("age").missing_codes] == ["#N/A"]
    assert any("blank markers read as missing codes of 2 question(s)" in n for n in drafted.notes)
    typed = read_survey(pair.export, cb)
    assert typed.report.ok and typed.frame.height == pair.respondents
    assert typed.frame["mood"].null_count() == 3 and typed.frame["age"].null_count() == 1
