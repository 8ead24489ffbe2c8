"""A plan's [crosstab] rows may name a codebook group (a grid shown as one table)."""

from __future__ import annotations

from pathlib import Path

import pytest

from survey.codebook import draft_codebook, dump_codebook
from survey.errors import PlanError
from survey.io import read_table
from survey.plans import load_plan
from tests.grid_exports import surveymonkey_grids_csv


def _plan(tmp_path: Path, rows: str) -> Path:
    built = surveymonkey_grids_csv(tmp_path)
    schema = tmp_path / "draft.yaml"
    dump_codebook(draft_codebook(read_table(built.path), survey_name="sm"), schema)
    plan = tmp_path / "plan.toml"
    plan.write_text(f'''[plan]
title = "grids"

[[inputs.wave]]
id = "w1"
file = "{built.path}"
codebook = "{schema}"

[crosstab]
rows = {rows}
banner = ["gender"]
file = "crosstabs.xlsx"
''', encoding="utf-8")
    return plan


def test_crosstab_rows_accept_group_ids(tmp_path: Path) -> None:
    plan = load_plan(_plan(tmp_path, '["favorability", "rank", "gender"]'))
    assert plan.crosstab is not None and plan.crosstab.rows[:2] == ("favorability", "rank")


def test_unknown_row_name_is_still_refused(tmp_path: Path) -> None:
    with pytest.raises(PlanError) as info:
        load_plan(_plan(tmp_path, '["favourability_typo"]'))
    assert any("favourability_typo" in p for p in info.value.problems)
