"""Decisions drawn on thin evidence say so: empty columns, free text kept or marked
personal, LimeSurvey timing columns and answer codes without labels, a rating whose end
label carries its number; personal data only on evidence."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from survey.codebook import draft_codebook
from survey.codebook._draft import draft_codebook_yaml
from survey.codebook._draft_check import check_lines
from survey.codebook._draft_decide import infer_column
from survey.frames import type_table
from survey.io import read_table
from tests.draft.helpers import make_raw

_ROOT = Path(__file__).resolve().parents[2]
_REAL = next((p for p in (Path(os.environ.get("SURVEY_REAL_EXPORTS", "/nonexistent")), _ROOT.parent / "shared" / "real_exports", _ROOT.parent.parent / "shared" / "real_exports")
              if p.is_dir()), _ROOT / "absent")       # as tests/cli/test_real_exports.py finds them


def _checks(text: str, qid: str) -> list[str]:
    return re.findall(rf"^\s*# CHECK {re.escape(qid)}: (.*)$", text, re.M)


def test_empty_column_is_text_not_personal_and_checked() -> None:
    raw = make_raw({"id": [str(i) for i in range(30)], "q7": [None] * 30})
    text = draft_codebook_yaml(raw, survey_name="t")
    q = draft_codebook(raw, survey_name="t").question("q7")
    assert (q.type, q.pii) == ("text", False)
    assert _checks(text, "q7") == ["no answers in the file: drafted as text; check the question was "
                                   "asked and exported, and set its type"]


def test_limesurvey_timing_columns_are_meta_numbers() -> None:
    n = 30
    raw = make_raw({"id": [str(i) for i in range(n)], "ae1": ["Yes", "No", "N/A"] * 10,
                    "au1[SQ001]": ["None", "1-5", "5-10"] * 10, "ae1Time": [None] * n,
                    "au1Time": [None] * n, "groupTime7": [f"{i}.5" for i in range(n)],
                    "overtime": [None] * n})
    text = draft_codebook_yaml(raw, survey_name="t")
    cb = draft_codebook(raw, survey_name="t")
    for qid, code in (("ae1time", "ae1"), ("au1time", "au1")):
        q = cb.question(qid)
        assert (q.type, q.role, q.pii) == ("number", "meta", False)
        assert _checks(text, qid) == [f"no answers in the file: LimeSurvey's seconds on question {code}, "
                                      "drafted as number; delete the question if the timings were not recorded"]
    assert (cb.question("grouptime7").type, cb.question("grouptime7").role) == ("number", "meta")
    assert (cb.question("overtime").type, cb.question("overtime").role) == ("text", "answer")
    assert type_table(raw, cb).report.ok


def test_free_text_is_kept_unless_answers_hold_contact_details_or_names() -> None:
    n = 40
    plain = [f"The artifact should run out of the box, point {i}" for i in range(n)]
    contact = plain[:-2] + ["mail me at jo.kim@example.org", "call +82 10 1234 5678"]
    names = [f"{a} {b}" for a in ("Anna", "Jonas", "Mi-rae", "Olaf", "Sven") for b in ("Berg", "Kim", "Lee", "Park",
                                                                                       "Moon", "Hart", "Ng", "Oh")]
    raw = make_raw({"Comments on criteria": plain, "Suggestions": contact, "Who recommended you?": names})
    text = draft_codebook_yaml(raw, survey_name="t")
    cb = draft_codebook(raw, survey_name="t")
    assert not cb.question("comments_on_criteria").pii
    assert _checks(text, "comments_on_criteria") == [
        "free text kept (pii: false): none of its 40 answers holds an e-mail address, a phone number or a "
        "name; set pii: true if they can identify someone"]
    assert cb.question("suggestions").pii
    (line,) = _checks(text, "suggestions")
    assert line.startswith("2 answers hold an e-mail address or phone number ('mail me at jo.kim@example.org'")
    assert cb.question("who_recommended_you").pii
    assert _checks(text, "who_recommended_you")[0].startswith("40 of 40 distinct answers read as people's names")


def test_headers_naming_logins_and_places_are_personal() -> None:
    n = 20
    raw = make_raw({"_submitted_by": ["enumerator_a", "enumerator_b"] * 10, "token": [f"tk{i}x" for i in range(n)],
                    "zipcode": [f"0{2100 + 7 * i}" for i in range(n)],
                    "Where do you live?": [f"Town {i}" for i in range(n)]})
    cb = draft_codebook(raw, survey_name="t")
    assert all(q.pii for q in cb.questions), [(q.id, q.type, q.pii) for q in cb.questions]


def test_answer_codes_without_labels_are_checked() -> None:
    d = infer_column(["A1", "A2", "A3", "A2"] * 8)
    assert d.type == "single"
    assert check_lines(d) == ["the options are bare codes ('A1', 'A2', 'A3') with no labels: give each option "
                              "its label from the questionnaire (or draft with --metadata and a codebook "
                              "table of value, label)"]
    assert check_lines(infer_column(["Yes", "No", "Yes"] * 8)) == []


def test_rating_whose_end_label_carries_its_number_is_ordinal() -> None:
    d = infer_column(["8", "7", "6", "Very helpful10", "9", "5", "Not helpful1", "2"] * 6)
    assert d.type == "ordinal"
    assert [o.code for o in d.options] == ["1", "2", "5", "6", "7", "8", "9", "10"]
    assert [o.label for o in d.options][0] == "Not helpful1" and d.options[-1].label == "Very helpful10"
    assert infer_column(["Version 2", "Version 3", "Version 10"] * 8).type == "single"


@pytest.mark.skipif(not (_REAL / "ls_artifact_eval_survey_codes.xlsx").exists(),
                    reason="the shared real exports are not beside the repository")
def test_limesurvey_codes_export_decides_every_column_with_evidence() -> None:
    raw = read_table(_REAL / "ls_artifact_eval_survey_codes.xlsx")
    text = draft_codebook_yaml(raw, survey_name="ls")
    cb = draft_codebook(raw, survey_name="ls")
    texts = [q for q in cb.questions if q.type == "text"]
    timing = [q for q in cb.questions if q.id.endswith("time") and q.id[:-4] in {p.id for p in cb.questions}
              or q.id.endswith("time") and any(p.id.startswith(q.id[:-4] + "_sq") for p in cb.questions)]
    assert len(timing) == 35 and all((q.type, q.role) == ("number", "meta") for q in timing)
    assert not any(q.pii for q in cb.questions)          # nothing personal in it (MANIFEST.md)
    for q in texts:
        if q.role == "answer":
            assert _checks(text, q.id), q.id
    assert cb.question("g2_sq001").type == "ordinal"
    assert type_table(raw, cb).report.ok


def test_a_non_substantive_answer_kept_as_a_nominal_option_is_checked() -> None:
    d = infer_column(["Entirely internal", "More internal than external", "Do not know",
                      "Entirely external", "Approximately half internal and half external"] * 8)
    assert d.type == "single" and "Do not know" in [o.label for o in d.options]
    assert check_lines(d) == ["'Do not know' kept as an answer: stats count it in every share; if it "
                              "says there is no answer, move it to missing_codes"]
    scale = infer_column(["Agree", "Disagree", "Don't know", "Strongly agree"] * 8)
    assert scale.type == "ordinal" and not any("kept as an answer" in c for c in check_lines(scale))
