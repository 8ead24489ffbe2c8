"""A plan with [design.replicates] and [weighting]: the replicates are made first and each
is re-weighted (R's postStratify of an as.svrepdesign), so the plan runs."""

from __future__ import annotations

import math
from pathlib import Path

from survey.plans import run_plan
from tests.plans.test_validation import GOOD, ROOT, write

REPLICATES = '''
[design.replicates]
type = "JKn"
'''
WEIGHTING = f'''
[weighting]
method = "poststratify"
margins = "{ROOT}/sample_data/population_2025.csv"
variables = ["division:gender"]
'''


def test_replicates_then_weighting_runs_and_agrees_with_linearisation(tmp_path: Path) -> None:
    head, rest = GOOD.split("[[estimate]]", 1)
    rep = run_plan(write(tmp_path, head + REPLICATES + WEIGHTING + "\n[[estimate]]" + rest),
                   tmp_path / "rep")
    (tmp_path / "lin").mkdir()
    lin = run_plan(write(tmp_path / "lin", head + WEIGHTING + "\n[[estimate]]" + rest),
                   tmp_path / "lin_out")
    a = rep.estimates["offer_rate"].filter(category="Yes")
    b = lin.estimates["offer_rate"].filter(category="Yes")
    assert math.isclose(a["estimate"][0], b["estimate"][0], rel_tol=1e-12)
    assert abs(a["std_error"][0] / b["std_error"][0] - 1) < 0.1
