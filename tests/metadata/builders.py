"""Small exports with their platform's metadata file, written in each platform's format.

Each builder writes a questionnaire file and a data export of it into a directory and
returns :class:`Pair`.  Every pair carries the disagreements real projects have: a
question in the form that the export lacks, a code in the data that the form does not
list, a required question left blank by branching.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import NamedTuple

import openpyxl

__all__ = ["Pair", "kobo_labels", "kobo_xml", "qualtrics", "redcap", "spss"]

N = 12
SEX = ["1", "2", "1", "2", "2", "1", "3", "1", "2", "1", "2", "1"]  # 3 is not in the dictionary


class Pair(NamedTuple):
    metadata: Path
    export: Path
    respondents: int


def _csv(path: Path, rows: list[list[str]], *, delimiter: str = ",", quoting: int = csv.QUOTE_MINIMAL) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=delimiter, quoting=quoting).writerows(rows)
    return path


# --------------------------------------------------------------------------- REDCap

_RC_HEADER = ["Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
              "Choices, Calculations, OR Slider Labels", "Field Note",
              "Text Validation Type OR Show Slider Number", "Text Validation Min", "Text Validation Max",
              "Identifier?", "Branching Logic (Show field only if...)", "Required Field?", "Custom Alignment",
              "Question Number (surveys only)", "Matrix Group Name", "Matrix Ranking?", "Field Annotation"]


def _rc_row(name: str, form: str, ftype: str, label: str, choices: str = "", valid: str = "",
            lo: str = "", hi: str = "", required: str = "", section: str = "", ident: str = "",
            matrix: str = "") -> list[str]:
    return [name, form, section, ftype, label, choices, "", valid, lo, hi, ident, "", required, "", "", matrix,
            "", ""]


def redcap(d: Path, *, labels: bool = False) -> Pair:
    """A REDCap dictionary and a raw (codes) or label records export."""
    rows = [
        _RC_HEADER,
        _rc_row("record_id", "baseline", "text", "Record ID"),
        _rc_row("sex", "baseline", "radio", "Sex at birth", "1, Female | 2, Male", required="y",
                section="Demographics"),
        _rc_row("age", "baseline", "text", "Age in years", valid="integer", lo="18", hi="99"),
        _rc_row("visit_date", "baseline", "text", "Date of visit", valid="date_ymd"),
        _rc_row("sports", "baseline", "checkbox", "Which sports do you do, <b>weekly</b>?",
                "1, Running | 2, Swimming, open water | -1, Don't know"),
        _rc_row("smoker", "baseline", "yesno", "Do you smoke?", required="y"),
        _rc_row("weight", "baseline", "text", "Weight, kg", valid="number"),  # not in the export
        _rc_row("intro", "baseline", "descriptive", "Thank you"),
        _rc_row("mood", "followup", "dropdown", "How is your mood?", "1, Good | 2, Fair | 3, Poor",
                required="y", section="Follow-up"),
        _rc_row("sat_pay", "followup", "radio", "Pay", "1, Low | 2, High", matrix="satisfaction"),
        _rc_row("sat_hours", "followup", "radio", "Hours", "1, Low | 2, High", matrix="satisfaction"),
    ]
    meta = _csv(d / "dictionary.csv", rows, quoting=csv.QUOTE_ALL)
    names = {"1": "Female", "2": "Male", "3": "3"}
    head = ["record_id", "sex", "age", "visit_date", "sports___1", "sports___2", "sports____1", "sports___9",
            "smoker", "baseline_complete", "mood", "sat_pay", "sat_hours", "followup_complete"]
    data = [head]
    for i in range(N):
        ticks = [str(int(i % 2 == 0)), str(int(i % 3 == 0)), str(int(i == 5)), str(int(i == 7))]
        if labels:
            ticks = ["Checked" if t == "1" else "Unchecked" for t in ticks]
        mood = "" if i % 4 == 3 else str(1 + i % 3)  # required, but blank where branching hid it
        row = [str(100 + i), names[SEX[i]] if labels else SEX[i], str(20 + 3 * i), f"2024-03-{i + 1:02d}",
               *ticks, ("Yes" if i % 2 else "No") if labels else str(i % 2),
               "Complete" if labels else "2",
               {"1": "Good", "2": "Fair", "3": "Poor", "": ""}[mood] if labels else mood,
               *[({"1": "Low", "2": "High"}[v] if labels else v) for v in (str(1 + i % 2), str(2 - i % 2))],
               ("Incomplete" if labels else "0") if mood == "" else ("Complete" if labels else "2")]
        data.append(row)
    export = _csv(d / ("records_labels.csv" if labels else "records.csv"), data)
    return Pair(meta, export, N)


# --------------------------------------------------------------------------- XLSForm / Kobo

FRUITS = [("apple", "Apple"), ("banana", "Banana split"), ("kiwi", "Kiwi")]


_KO = {"Welcome to the household survey": "가구 조사에 오신 것을 환영합니다", "Household": "가구",
       "Do you consent?": "동의하십니까?", "How many people live here?": "몇 명이 살고 있습니까?",
       "Which fruit do you eat?": "어떤 과일을 드십니까?", "Yes": "예", "No": "아니오", "Apple": "사과",
       "Banana split": "바나나", "Kiwi": "키위"}


def _xlsform(path: Path, *, korean: bool = False) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "survey"
    for row in [
        ["type", "name", "label::English (en)", "required", "relevant"],
        ["start", "start", "", "", ""],
        ["end", "end", "", "", ""],
        ["note", "welcome", "Welcome to the household survey", "", ""],
        ["begin_group", "hh", "Household", "", ""],
        ["select_one yn", "consent", "Do you consent?", "yes", ""],
        ["integer", "members", "How many people live here?", "true", ""],
        ["select_multiple fruit", "fruits", "Which fruit do you eat?", "", ""],
        ["date", "visit", "Date of visit", "", ""],
        ["end_group", "", "", "", ""],
        ["select_one level", "water", "How often do you drink river water?", "", ""],
        ["text", "comment", "Any comment?", "", ""],
        ["begin_repeat", "person", "Person", "", ""],
        ["text", "pname", "Name", "", ""],
        ["end_repeat", "", "", "", ""],
        ["decimal", "income", "Monthly income", "", ""],  # not in the export
    ]:
        ws.append([*row, "label::한국어 (ko)" if row[0] == "type" else _KO.get(row[2], "")] if korean else row)
    ch = wb.create_sheet("choices")
    for row in [["list_name", "name", "label::English (en)"], ["yn", "yes", "Yes"], ["yn", "no", "No"],
                *[["fruit", n, lab] for n, lab in FRUITS],
                ["level", "never", "Never"], ["level", "rarely", "Rarely"], ["level", "always", "Always"]]:
        ch.append([*row, "label::한국어 (ko)" if row[0] == "list_name" else _KO.get(row[2], "")] if korean else row)
    st = wb.create_sheet("settings")
    st.append(["form_title", "form_id", "default_language"])
    st.append(["Household survey 2024", "hh2024", "English (en)"])
    wb.save(path)
    return path


_WATER = ["never", "rarely", "always", "sometimes"]  # "sometimes" is not in the form


def _kobo(d: Path, labels: bool, korean: bool = False) -> Pair:
    meta = _xlsform(d / "form.xlsx", korean=korean)
    lab = dict(FRUITS)
    yn = {"yes": "Yes", "no": "No"}
    wat = {"never": "Never", "rarely": "Rarely\u00a0", "always": "Always", "sometimes": "sometimes"}
    if labels:
        head = ["start", "end", "Do you consent?", "How many people live here?", "Which fruit do you eat?",
                *[f"Which fruit do you eat?/{x}" for _, x in FRUITS], "Date of visit",
                "How often do you drink river water?", "Any comment?", "_id", "_uuid", "_submission_time",
                "_index"]
    else:
        head = ["start", "end", "hh/consent", "hh/members", "hh/fruits", *[f"hh/fruits/{n}" for n, _ in FRUITS],
                "hh/visit", "water", "comment", "_id", "_uuid", "_submission_time", "_index"]
    data = [head]
    for i in range(N):
        chosen = [n for j, (n, _) in enumerate(FRUITS) if (i + j) % 3 == 0]
        consent = "yes" if i % 5 else "no"
        water = _WATER[i % 4]
        row = [f"2024-05-{i + 1:02d}T10:00:00.000+02:00", f"2024-05-{i + 1:02d}T10:20:00.000+02:00",
               yn[consent] if labels else consent, str(1 + i % 6),
               " ".join(lab[c] for c in chosen) if labels else " ".join(chosen),
               *["1" if n in chosen else "0" for n, _ in FRUITS], f"2024-05-{i + 1:02d}",
               wat[water] if labels else water, "" if i % 3 else f"comment {i}",
               str(9000 + i), f"uuid-{i:04d}", f"2024-05-{i + 1:02d}T10:21:00", str(i + 1)]
        data.append(row)
    export = _csv(d / ("kobo_labels.csv" if labels else "kobo_xml.csv"), data, delimiter=";",
                  quoting=csv.QUOTE_ALL)
    return Pair(meta, export, N)


def kobo_xml(d: Path, *, korean: bool = False) -> Pair:
    """An XLSForm (optionally with Korean labels too) and a Kobo export with XML values and group paths."""
    return _kobo(d, labels=False, korean=korean)


def kobo_labels(d: Path) -> Pair:
    """An XLSForm and a Kobo export with labels as headers and values."""
    return _kobo(d, labels=True)


# --------------------------------------------------------------------------- Qualtrics


def _sq(qid: str, tag: str, qtype: str, selector: str, text: str, sub: str | None = None,
        choices: dict | None = None, order: list | None = None, **extra: object) -> dict:
    payload = {"QuestionID": qid, "DataExportTag": tag, "QuestionType": qtype, "Selector": selector,
               "SubSelector": sub, "QuestionText": text,
               "Validation": {"Settings": {"ForceResponse": extra.pop("force", "OFF")}}}
    if choices is not None:
        payload["Choices"] = {k: {"Display": v} for k, v in choices.items()}
        payload["ChoiceOrder"] = order or list(choices)
    payload.update(extra)
    return {"SurveyID": "SV_1", "Element": "SQ", "PrimaryAttribute": qid, "Payload": payload}


def qualtrics(d: Path, *, text_values: bool = False) -> Pair:
    """A .qsf and a three-row Qualtrics CSV export (numeric values or choice text)."""
    sat = {"1": "Very satisfied", "2": "Satisfied", "3": "Dissatisfied", "4": "Very dissatisfied"}
    elements = [
        {"Element": "BL", "Payload": [
            {"Type": "Default", "Description": "About you", "ID": "BL_1",
             "BlockElements": [{"Type": "Question", "QuestionID": q} for q in ("QID1", "QID2", "QID3", "QID9")]},
            {"Type": "Standard", "Description": "Work", "ID": "BL_2",
             "BlockElements": [{"Type": "Question", "QuestionID": q}
                               for q in ("QID4", "QID5", "QID6", "QID7", "QID8")]}]},
        _sq("QID1", "Q1", "MC", "SAVR", "What is your <b>division</b>?", "TX",
            {"1": "Natural Sciences", "2": "Engineering", "3": "Medicine"}, [1, 2, 3],
            RecodeValues={"1": "10", "2": "20", "3": "30"}, force="ON"),
        _sq("QID2", "Q2", "MC", "MAVR", "Which countries made you an offer?", "TX",
            {"1": "China", "2": "United States", "3": "Europe, incl. UK", "4": "Other"}, [1, 2, 3, 4]),
        _sq("QID3", "age", "TE", "SL", "How old are you?",
            Validation={"Settings": {"ForceResponse": "OFF", "ContentType": "ValidNumber",
                                     "ValidNumber": {"Min": "18", "Max": "99"}}}),
        _sq("QID4", "Q4", "Matrix", "Likert", "How satisfied are you with:", "SingleAnswer",
            {"1": "Salary", "2": "Research funding", "3": "Autonomy"}, [1, 2, 3],
            Answers={k: {"Display": v} for k, v in sat.items()}, AnswerOrder=[1, 2, 3, 4]),
        _sq("QID5", "Q5", "Slider", "HSLIDER", "Percent of time on research", None, {"1": "Research"}, [1]),
        _sq("QID6", "Q6", "DB", "TB", "Thank you!"),
        _sq("QID7", "Q7", "TE", "ML", "Comments"),
        _sq("QID8", "Q8", "RO", "DND", "Rank the reasons to move abroad", "TX",
            {"1": "Pay", "2": "Funding", "3": "Family"}, [1, 2, 3]),
        _sq("QID9", "Q9", "MC", "SAVR", "Were you born abroad?", "TX", {"1": "Yes", "2": "No"}),  # not exported
    ]
    qsf = {"SurveyEntry": {"SurveyID": "SV_1", "SurveyName": "Member survey 2025", "SurveyLanguage": "EN"},
           "SurveyElements": elements}
    meta = d / "survey.qsf"
    meta.write_text(json.dumps(qsf), encoding="utf-8")
    cols = [("ResponseId", "Response ID", "_recordId"), ("Finished", "Finished", "finished"),
            ("Q1", "What is your division?", "QID1"),
            *[(f"Q2_{k}", f"Which countries made you an offer? - Selected Choice - {v}", f"QID2_{k}")
              for k, v in (("1", "China"), ("2", "United States"), ("3", "Europe, incl. UK"), ("4", "Other"))],
            ("age", "How old are you?", "QID3_TEXT"),
            *[(f"Q4_{k}", f"How satisfied are you with: - {v}", f"QID4_{k}")
              for k, v in (("1", "Salary"), ("2", "Research funding"), ("3", "Autonomy"))],
            ("Q5_1", "Percent of time on research - Research", "QID5_1"), ("Q7", "Comments", "QID7_TEXT"),
            *[(f"Q8_{k}", f"Rank the reasons to move abroad - {v}", f"QID8_{k}")
              for k, v in (("1", "Pay"), ("2", "Funding"), ("3", "Family"))]]
    rows = [[c[0] for c in cols], [c[1] for c in cols], ['{"ImportId":"%s"}' % c[2] for c in cols]]
    div = {"10": "Natural Sciences", "20": "Engineering", "30": "Medicine", "40": "40"}
    for i in range(N):
        code = ["10", "20", "30", "40"][i % 4] if i != 3 else ""  # 40 is not a recode of the form
        offers = ["1" if (i + j) % 3 == 0 else "" for j in range(4)]
        labels = ["China", "United States", "Europe, incl. UK", "Other"]
        sats = [str(1 + (i + j) % 4) for j in range(3)]
        rows.append([f"R_{i:05d}", "1", div[code] if text_values and code else code,
                     *[(labels[j] if o and text_values else o) for j, o in enumerate(offers)],
                     str(25 + 3 * i), *[sat[s] if text_values else s for s in sats],
                     str(10 * (i % 10)), "" if i % 2 else "fine",
                     *[str(1 + (i + j) % 3) for j in range(3)]])
    export = _csv(d / ("qx_text.csv" if text_values else "qx_numeric.csv"), rows)
    return Pair(meta, export, N)


# --------------------------------------------------------------------------- SPSS


def spss(d: Path) -> Pair:
    """A .sav whose labels are the metadata, and a CSV of its codes as the export."""
    import pandas as pd
    import pyreadstat

    frame = pd.DataFrame({
        "id": [float(1000 + i) for i in range(N)],
        "q1": [float(x) for x in (1, 2, 3, 1, 2, 9, 1, 2, 3, 1, 8, 2)],
        "q2": [float(1 + i % 5) for i in range(N)],
        "wt": [1.0 + i / 10 for i in range(N)],
    })
    meta = d / "labels.sav"
    pyreadstat.write_sav(
        frame, str(meta),
        column_labels={"id": "Respondent id", "q1": "Satisfaction with your job", "q2": "Trust in science",
                       "wt": "Weight"},
        variable_value_labels={"q1": {1.0: "Satisfied", 2.0: "Neutral", 3.0: "Dissatisfied",
                                      8.0: "Don't know", 9.0: "Refused"},
                               "q2": {1.0: "None", 2.0: "Little", 3.0: "Some", 4.0: "Much", 5.0: "Complete"}},
        missing_ranges={"q1": [8.0, 9.0]},
        variable_measure={"q2": "ordinal", "q1": "nominal", "id": "scale", "wt": "scale"},
        variable_format={"id": "F8.0", "q1": "F1.0", "q2": "F1.0", "wt": "F8.2"},
    )
    rows = [["id", "q1", "q2", "wt"]] + [[str(int(r.id)), str(int(r.q1)), str(int(r.q2)), f"{r.wt:.2f}"]
                                         for r in frame.itertuples()]
    export = _csv(d / "codes.csv", rows)
    return Pair(meta, export, N)
