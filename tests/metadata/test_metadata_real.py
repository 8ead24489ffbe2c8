"""`--metadata` on real exports and their real metadata (shared/real_exports, MANIFEST.md).

The files are not in the repository; these tests run where the directory is (CI has it,
or set SURVEY_REAL_EXPORTS) and say why they skip where it is not.  The Kobo export has no
published form, so an XLSForm for part of it is written here by hand from the
questionnaire's wording (names are ours; labels and choices as the export shows them).
"""

from __future__ import annotations

import os
from pathlib import Path

import openpyxl
import pytest

from survey.frames import draft_from_metadata, read_survey
from survey.io import read_metadata, read_table

ROOT = Path(__file__).resolve().parents[2]
_CANDIDATES = [os.environ.get("SURVEY_REAL_EXPORTS", ""), ROOT.parent / "shared" / "real_exports",
               ROOT.parent.parent / "shared" / "real_exports"]
REAL = next((Path(p) for p in _CANDIDATES if p and (Path(p) / "MANIFEST.md").is_file()), None)
pytestmark = pytest.mark.skipif(REAL is None, reason="shared/real_exports is not here (set SURVEY_REAL_EXPORTS)")


def _ingest(export: Path, meta: Path) -> tuple[object, object]:
    drafted = draft_from_metadata(read_table(export), read_metadata(meta))
    typed = read_survey(export, drafted.codebook)
    assert typed.report.ok, typed.report.to_text()
    return drafted, typed


def test_qualtrics_qsf_labels_a_numeric_export() -> None:
    assert REAL is not None
    drafted, typed = _ingest(REAL / "qx_porter2016_pilot_numeric.csv", REAL / "qx_porter2016_survey.qsf")
    cb = drafted.codebook
    assert typed.frame.height == 5
    assert cb.survey == "psych_251"
    assert cb.question("race").labels[:2] == ("White", "Black or African American")
    assert cb.question("conserv").labels[0] == "Strongly disagree"
    assert cb.question("num_surveys").text_en.startswith("Approximately how many surveys")
    assert typed.frame["race"].to_list()[2] == "White"
    assert any("'ID' (What is your Prolific ID?" in w for w in drafted.warnings)


def test_redcap_dictionary_types_the_raw_records() -> None:
    assert REAL is not None
    drafted, typed = _ingest(REAL / "rc_testredcapapi_records.csv", REAL / "rc_testredcapapi_datadictionary.csv")
    cb = drafted.codebook
    assert typed.frame.height == 40  # 20 records x (base row + repeating-instrument row)
    assert [o.column for o in cb.question("prereq_checkbox").options] == [
        "prereq_checkbox___1", "prereq_checkbox___2", "prereq_checkbox___abc", "prereq_checkbox___4"]
    assert cb.question("radio_test").labels == ("Carnation", "Tulip", "Daffodil")
    assert cb.question("number_1dp_comma_test").type == "number"
    assert cb.question("record_id").role == "meta"  # repeats: a record has two rows
    assert any("record_id: the id repeats" in w for w in drafted.warnings)


@pytest.mark.parametrize("name,rows", [("sav_kossda_climate_euckr", 500), ("sav_latvian_relationships_gforms", 103)])
def test_spss_file_labels(name: str, rows: int) -> None:
    assert REAL is not None
    path = REAL / f"{name}.sav"
    drafted, typed = _ingest(path, path)
    assert typed.frame.height == rows
    if name.startswith("sav_kossda"):
        assert drafted.codebook.question("sq1").text_ko == "응답자 성별"
        assert drafted.codebook.question("sq1").labels == ("남성", "여성")
        assert set(typed.frame["sq1"].unique().drop_nulls().to_list()) == {"남성", "여성"}
    else:  # A2's value labels skip 4 and the data hold 5: reported, kept as an option
        assert any(w.startswith("a2: 1 value(s) in the data not among the form's choices") for w in drafted.warnings)


_LEVELS = ["Very important", "Important", "Neutral", "Low importance", "Not at all important"]
_FREQ = ["Always", "Mostly", "Sometimes", "Rarely", "Never"]
_GROUPS = ["Local community", "Local government", "National government", "Regulator", "NGO/Civil Society",
           "Utility provider", "Other (please specify)"]
_WORK = ["Farming crops (for household)", "Farming crops (to sell)", "Fishing (for household)",
         "Fishing (to sell)", "Livestock (for household)", "Livestock (to sell)"]
_ASSETS = ["Bike", "Motorbike/scooter", "Car", "TV", "Radio", "Computer", "Washing machine", "Air conditioning",
           "Fan", "Bed", "Table", "Chairs", "Gas stove", "Microwave", "Fridge", "Freezer", "Pressure cooker",
           "Internet", "Water", "Electricity"]


def _dam_form(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "survey"
    rows = [["type", "name", "label", "required"], ["start", "start", "", ""], ["end", "end", "", ""],
            ["select_multiple grp", "resp_group", "Please select which group the respondent belongs to", "yes"],
            ["text", "resp_group_other", "Other (specify)", ""],
            ["select_one yn", "understand", "Do you understand the purpose of our research?", "yes"],
            ["select_one yn", "consent", "Do you consent to participating in our research?", "yes"],
            ["select_one lvl", "river_imp", "How important is the river for you?", ""],
            ["select_one freq", "river_drink", "Drinking water", ""],
            ["select_one freq", "river_irrigation", "Irrigation", ""],
            ["integer", "age", "What is your age?", ""],
            ["select_one gender", "gender", "What gender do you identify with?", ""],
            ["select_multiple work", "work_now", "Please select all that apply", ""],
            ["select_multiple work", "work_before", "Please select all that apply", ""],
            ["integer", "income_months", "In the last year, how many months have you received a salary or income?", ""],
            ["select_multiple assets", "assets", "Which of these do you have in your household?", ""],
            ["decimal", "land_area", "How much land do you farm (hectares)?", ""]]  # not in the export
    for r in rows:
        ws.append(r)
    ch = wb.create_sheet("choices")
    ch.append(["list_name", "name", "label"])
    lists = {"grp": _GROUPS, "yn": ["Yes", "No"], "lvl": _LEVELS, "freq": _FREQ, "work": _WORK, "assets": _ASSETS,
             "gender": ["Woman", "Man", "Non-binary", "Prefer not to say"]}
    for ln, labels in lists.items():
        for i, lab in enumerate(labels, 1):
            ch.append([ln, f"{ln}{i}", lab])
    wb.create_sheet("settings").append(["form_title"])
    wb["settings"].append(["Dam and You"])
    wb.save(path)
    return path


def test_kobo_labels_export_with_a_form_for_part_of_it(tmp_path: Path) -> None:
    assert REAL is not None
    drafted, typed = _ingest(REAL / "kobo_dam_and_you_labels.csv", _dam_form(tmp_path / "dam_form.xlsx"))
    cb = drafted.codebook
    assert typed.frame.height == 138
    assert cb.question("river_imp").labels == tuple(_LEVELS)
    assert cb.question("river_drink").labels == tuple(_FREQ)  # 'Rarely\xa0' in the data matches 'Rarely'
    assert cb.question("gender").labels == ("Woman", "Man", "Non-binary", "Prefer not to say")
    assets = cb.question("assets")
    assert assets.type == "multiple" and [o.label for o in assets.options][:2] == ["Bike", "Motorbike/scooter"]
    assert typed.frame["assets__assets2"].sum() >= 1
    # the two "Please select all that apply" blocks go to the two questions, in file order
    now, before = cb.question("work_now"), cb.question("work_before")
    assert now.options[0].column == "Please select all that apply/Farming crops (for household)"
    assert before.options[0].column == "Please select all that apply/Farming crops (for household)__2"
    assert cb.question("work_now_summary").column == "Please select all that apply"
    assert cb.question("work_before_summary").column == "Please select all that apply__2"
    assert any("'land_area'" in w for w in drafted.warnings)
