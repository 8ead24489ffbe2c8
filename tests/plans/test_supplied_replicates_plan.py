"""A plan's [design.replicates] columns: supplied replicate weights with their type give
R's svrepdesign numbers (successive-difference / ACS replicates, 80 columns)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from survey.codebook import draft_codebook, dump_codebook
from survey.io import read_table
from survey.plans import run_plan

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "r"
DATA = FIX / "apistrat_jk2_sdr.csv"


def test_plan_with_acs_replicate_columns_matches_r(tmp_path: Path) -> None:
    want = next(c for c in json.loads((FIX / "repweights.json").read_text())["types"]
                if c["id"] == "ACS")
    dump_codebook(draft_codebook(read_table(DATA), survey_name="apistrat"), tmp_path / "cb.yaml")
    plan = tmp_path / "plan.toml"
    plan.write_text(f'''[plan]
title = "ACS-style replicates"

[[inputs.wave]]
id = "2000"
file = "{DATA}"
codebook = "{tmp_path / 'cb.yaml'}"

[design]
weights = "pw"

[design.replicates]
columns = "sdr_*"
type = "ACS"

[[estimate]]
id = "api"
statistic = "mean"
variable = "api00"
''', encoding="utf-8")
    result = run_plan(plan, tmp_path / "out")
    row = result.estimates["api"].filter("weighted").row(0, named=True)
    assert row["estimate"] == pytest.approx(want["mean"]["estimate"], rel=1e-6)
    assert row["std_error"] == pytest.approx(want["mean"]["std_error"], rel=1e-6)
    assert row["df"] == want["df"] == 79
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "replicate weights sdr_* (ACS)" in html
