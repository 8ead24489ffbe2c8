"""`survey schema draft` then `survey ingest` on every real export in the shared folder
(``../shared/real_exports`` beside the repository; CI has it; ``SURVEY_REAL_EXPORTS``
names another place).  The files are never copied into the repository; each quirk met
in them is reproduced in a generated file (tests/cli/test_front_door.py,
tests/draft/hostile.py), so the guarantee holds without them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from survey.frames import read_typed_parquet
from survey.io import read_table
from tests.clirun import ROOT, run

_CANDIDATES = [os.environ.get("SURVEY_REAL_EXPORTS", ""), ROOT.parent / "shared" / "real_exports",
               ROOT.parent.parent / "shared" / "real_exports"]
FOLDER = next((Path(p) for p in _CANDIDATES if p and (Path(p) / "MANIFEST.md").is_file()), None)
# Questionnaires, not data: the --metadata side of the front door.
_METADATA = (".qsf", "datadictionary.csv")
FILES = sorted(p.name for p in FOLDER.iterdir()
               if p.name != "MANIFEST.md" and not p.name.endswith(_METADATA)) if FOLDER else []

# Respondents per file as MANIFEST.md counts them (Python's csv module, zipfile, pyreadstat).
MANIFEST_RESPONDENTS = {
    "gf_r_community_survey_2019_es.xlsx": 338, "ko_traditional_liquor_coded_cp949.csv": 363,
    "ko_traditional_liquor_gforms_utf8bom.csv": 182, "kobo_dam_and_you_labels.csv": 138,
    "ls_artifact_eval_survey_codes.xlsx": 257, "ls_unit_test_quality_fulltext.csv": 70,
    "qx_norms_cogsci19_choicetext.tsv": 200, "qx_porter2016_pilot_numeric.csv": 5,
    "rc_testredcapapi_records.csv": 40, "sav_kossda_climate_euckr.sav": 500,
    "sav_latvian_relationships_gforms.sav": 103, "sm_538_steak_risk_survey.csv": 550,
    "sm_michelin_recommender.xlsx": 44,
}

pytestmark = pytest.mark.skipif(
    FOLDER is None, reason="../shared/real_exports is not beside the repository (CI has it; "
                           "or set SURVEY_REAL_EXPORTS)")


@pytest.mark.parametrize("name", FILES or ["<none>"])
def test_unedited_draft_ingests_every_respondent_of_a_real_export(tmp_path: Path, name: str) -> None:
    assert FOLDER is not None
    path = FOLDER / name
    respondents = MANIFEST_RESPONDENTS.get(name, read_table(path).n_rows)
    schema, out = tmp_path / "draft.yaml", tmp_path / "wave.parquet"
    d = run("schema", "draft", str(path), "--out", str(schema))
    assert d.exit_code == 0, d.output
    i = run("ingest", str(path), "--schema", str(schema), "--out", str(out))
    assert i.exit_code == 0, i.output
    frame, _ = read_typed_parquet(out)
    assert frame.height == respondents > 0


def test_the_real_exports_are_all_there() -> None:
    assert len(FILES) >= 13, FILES
