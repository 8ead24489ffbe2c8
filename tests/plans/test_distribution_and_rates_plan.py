"""Plans: weighted distribution plots of a numeric estimate and AAPOR response rates."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from survey.estimators import quantile
from survey.plans import load_plan, plan_store, run_plan
from survey.plans._analyses import run_distribution
from survey.plans._data import load_data
from tests.plans.test_validation import GOOD, ROOT, line_of, problems, write

PLOTS = GOOD.replace('''[[model]]''', '''[[estimate]]
id = "salary"
statistic = "quantile"
variable = "salary_multiple"
where = "offer_received = 'Yes'"
by = ["age_band"]
plot = ["histogram", "boxplot", "ecdf"]

[response_rates]
file = "{root}/sample_data/dispositions_2025.csv"
by = "division"

[[model]]'''.format(root=ROOT), 1)


def test_plot_kinds_and_response_rates_load(tmp_path: Path) -> None:
    plan = load_plan(write(tmp_path, PLOTS))
    spec = plan.estimates[1]
    assert spec.distribution == ("histogram", "boxplot", "ecdf") and spec.plot is False
    assert plan.response_rates is not None and plan.response_rates.by == "division"


@pytest.mark.parametrize("old,new,expect", [
    ('plot = ["histogram", "boxplot", "ecdf"]', 'plot = "histogramm"', "is not true, false or one of"),
    ('variable = "salary_multiple"', 'variable = "division"', "draws a numeric question"),
    ('by = ["age_band"]', 'by = ["age_band", "gender"]', "at most one by-variable"),
])
def test_plot_mistakes_are_named_with_their_line(tmp_path: Path, old: str, new: str, expect: str) -> None:
    text = PLOTS.replace(old, new, 1).replace('statistic = "quantile"\nvariable = "division"',
                                              'statistic = "proportion"\nvariable = "division"')
    got = problems(write(tmp_path, text))
    want = line_of(text, "plot =")
    assert any(m.startswith(f"plan.toml:{want}: ") and expect in m for m in got), got


def test_report_draws_the_plots_and_states_the_response_rates(tmp_path: Path) -> None:
    path = write(tmp_path, PLOTS)
    run_plan(path, tmp_path / "out")
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    for kind in ("histogram", "boxplot", "ecdf"):
        png = tmp_path / "out" / "plots" / f"estimate-salary-{kind}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Response rates" in html and "Response rate (AAPOR RR1): 41.9%" in html
    # the boxes drawn sit at the design's quartiles, by age band
    plan = load_plan(path)
    spec = plan.estimates[1]
    data = load_data(plan, plan_store(plan))
    dist = run_distribution(data, spec)
    sf = data.design(data.waves(spec.waves), True)
    q = quantile(sf, "salary_multiple", quantiles=[0.25, 0.5, 0.75], by="age_band",
                 where=pl.sql_expr(spec.where))
    np.testing.assert_array_equal(dist.boxes.table.select("q1", "median", "q3").to_numpy().ravel(),
                                  q.table["estimate"].to_numpy())


def test_missing_dispositions_file_is_named(tmp_path: Path) -> None:
    text = PLOTS.replace("dispositions_2025.csv", "nope.csv")
    got = problems(write(tmp_path, text))
    assert any("nope.csv" in m for m in got), got
