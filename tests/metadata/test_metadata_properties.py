"""Property: whatever a REDCap dictionary or an XLSForm says, and however the export
disagrees with it, the draft from the metadata loads and ingests every respondent.

Generated forms hold radio/select_one, checkbox/select_multiple, integer (with a range),
date and text fields with hostile labels (commas, HTML, NBSP, duplicates, Korean, codes
that are not identifiers); the exports leave out fields, add columns, hold codes the form
does not list, blanks in required fields, numbers out of range and text in date fields.
"""

from __future__ import annotations

import csv
from pathlib import Path
import tempfile

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey.codebook import parse_codebook
from survey.frames import draft_from_metadata, read_survey
from survey.io import read_metadata, read_table

import yaml

_LABEL = st.sampled_from(["Yes", "No", "Yes, often", "<b>Maybe</b>", "Don\u00a0t know", "  padded  ", "매우 그렇다",
                          "Other (please specify)", "Agree", "agree", "N/A", "1", "2"])
_CODE = st.one_of(st.integers(-9, 12).map(str), st.sampled_from(["a", "B", "x y", "opt-1", "ABC", "é"]))
_KIND = st.sampled_from(["single", "multiple", "integer", "date", "text"])


@st.composite
def _form(draw: st.DrawFn) -> list[dict]:
    fields = []
    for i in range(draw(st.integers(1, 6))):
        kind = draw(_KIND)
        codes = draw(st.lists(_CODE, min_size=1, max_size=5, unique=True))
        if kind == "multiple":  # REDCap checkbox codes become column names: keep them plain
            codes = [c for c in codes if c.replace("-", "").isalnum()] or ["1"]
        choices = [(c, draw(_LABEL)) for c in codes]
        fields.append({"name": f"f{i}", "kind": kind, "choices": choices, "required": draw(st.booleans()),
                       "in_export": draw(st.integers(0, 5)) > 0})
    return fields


@st.composite
def _cell(draw: st.DrawFn, field: dict) -> str:
    kind = field["kind"]
    roll = draw(st.integers(0, 9))
    if roll == 0:
        return ""
    if kind == "single":
        return draw(st.sampled_from([c for c, _ in field["choices"]])) if roll > 2 else draw(_CODE)
    if kind == "integer":
        return str(draw(st.integers(-50, 500))) if roll > 1 else "about ten"
    if kind == "date":
        return f"2024-0{1 + roll % 9}-1{roll}" if roll > 1 else "last week"
    return draw(st.text(alphabet="ab ,;\"'\n\u00a0가", max_size=12))


def _rc_dictionary(path: Path, fields: list[dict]) -> None:
    head = ["Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
            "Choices, Calculations, OR Slider Labels", "Field Note", "Text Validation Type OR Show Slider Number",
            "Text Validation Min", "Text Validation Max", "Identifier?", "Branching Logic (Show field only if...)",
            "Required Field?", "Custom Alignment", "Question Number (surveys only)", "Matrix Group Name",
            "Matrix Ranking?", "Field Annotation"]
    rows = [head, ["record_id", "f", "", "text", "Record ID", *[""] * 13]]
    for f in fields:
        ftype, valid, lo, hi = {"single": ("radio", "", "", ""), "multiple": ("checkbox", "", "", ""),
                                "integer": ("text", "integer", "0", "100"), "date": ("text", "date_ymd", "", ""),
                                "text": ("text", "", "", "")}[f["kind"]]
        choices = " | ".join(f"{c}, {lab}" for c, lab in f["choices"]) if f["kind"] in ("single", "multiple") else ""
        rows.append([f["name"], "f", "", ftype, f"Question {f['name']}", choices, "", valid, lo, hi, "", "",
                     "y" if f["required"] else "", "", "", "", "", ""])
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fields=_form(), data=st.data(), n=st.integers(1, 12), extra=st.booleans())
def test_redcap_draft_always_ingests_every_record(fields: list[dict], data: st.DataObject, n: int,
                                                  extra: bool) -> None:
    d = Path(tempfile.mkdtemp())
    _rc_dictionary(d / "dict.csv", fields)
    head = ["record_id"]
    for f in fields:
        if not f["in_export"]:
            continue
        if f["kind"] == "multiple":
            head += [f"{f['name']}___{c.lower().replace('-', '_')}" for c, _ in f["choices"]]
        else:
            head.append(f["name"])
    if extra:
        head += ["unknown_col", f"{fields[0]['name']}___99"]
    rows = [head]
    for r in range(n):
        row = [str(r + 1)]
        for f in fields:
            if not f["in_export"]:
                continue
            if f["kind"] == "multiple":
                row += [data.draw(st.sampled_from(["0", "1", ""])) for _ in f["choices"]]
            else:
                row.append(data.draw(_cell(f)))
        if extra:
            row += ["x", "1"]
        rows.append(row)
    with open(d / "records.csv", "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    _check(d / "records.csv", d / "dict.csv", n)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fields=_form(), data=st.data(), n=st.integers(1, 12), labels=st.booleans())
def test_xlsform_draft_always_ingests_every_submission(fields: list[dict], data: st.DataObject, n: int,
                                                       labels: bool) -> None:
    d = Path(tempfile.mkdtemp())
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "survey"
    ws.append(["type", "name", "label", "required"])
    ch = wb.create_sheet("choices")
    ch.append(["list_name", "name", "label"])
    for f in fields:
        xtype = {"single": f"select_one l{f['name']}", "multiple": f"select_multiple l{f['name']}",
                 "integer": "integer", "date": "date", "text": "text"}[f["kind"]]
        ws.append([xtype, f["name"], f"Question {f['name']}", "yes" if f["required"] else "no"])
        for c, lab in f["choices"]:
            ch.append([f"l{f['name']}", c, lab])
    wb.save(d / "form.xlsx")
    head = ["_uuid"]
    for f in fields:
        if f["in_export"]:
            stem = f"Question {f['name']}" if labels else f["name"]
            head.append(stem)
            if f["kind"] == "multiple":
                head += [f"{stem}/{lab if labels else c}" for c, lab in f["choices"]]
    rows = [head]
    for r in range(n):
        row = [f"uuid-{r}"]
        for f in fields:
            if not f["in_export"]:
                continue
            if f["kind"] == "multiple":
                ticks = [data.draw(st.booleans()) for _ in f["choices"]]
                row.append(" ".join((lab if labels else c) for (c, lab), t in zip(f["choices"], ticks) if t))
                row += ["1" if t else "0" for t in ticks]
            elif f["kind"] == "single" and labels:
                code = data.draw(_cell(f))
                row.append(dict(f["choices"]).get(code, code))
            else:
                row.append(data.draw(_cell(f)))
        rows.append(row)
    with open(d / "data.csv", "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=";", quoting=csv.QUOTE_ALL).writerows(rows)
    _check(d / "data.csv", d / "form.xlsx", n)


def _check(export: Path, meta: Path, n: int) -> None:
    drafted = draft_from_metadata(read_table(export), read_metadata(meta))
    cb = parse_codebook(yaml.safe_load(drafted.to_yaml()))
    typed = read_survey(export, cb)
    assert typed.report.ok, typed.report.to_text()
    assert typed.frame.height == n
