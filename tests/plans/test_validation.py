"""A broken plan stops before anything runs, naming every mistake with its line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from survey.cli import cli
from survey.errors import PlanError
from survey.plans import load_plan, run_plan
from tests.plans._academy import plan_head

ROOT = Path(__file__).resolve().parents[2]

GOOD = plan_head("test plan") + f'''
[derive]
autonomy = {{ score = "push_autonomy" }}
going = "intent IN ('Accepted', 'Seriously considering')"

[design]
strata = "division"
fpc = {{ population = "{ROOT}/sample_data/population_2025.csv", variable = "division" }}

[[estimate]]
id = "offer_rate"
statistic = "proportion"
variable = "offer_received"

[[model]]
id = "intent"
type = "logit"
formula = "~ salary_multiple + autonomy"
outcome = "going"
where = "offer_received = 'Yes'"
'''


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "plan.toml"
    p.write_text(text, encoding="utf-8")
    return p


def line_of(text: str, needle: str) -> int:
    return next(i for i, s in enumerate(text.splitlines(), start=1) if needle in s)


def problems(path: Path) -> list[str]:
    with pytest.raises(PlanError) as info:
        load_plan(path)
    return list(info.value.problems)


def test_good_plan_loads(tmp_path: Path) -> None:
    plan = load_plan(write(tmp_path, GOOD))
    assert [e.id for e in plan.estimates] == ["offer_rate"]
    assert plan.models[0].outcome == "going"


def test_unknown_question_missing_file_bad_formula_all_named_with_lines(tmp_path: Path) -> None:
    text = (GOOD.replace('variable = "offer_received"', 'variable = "offer_recieved"')
            .replace("academy_2025.xlsx", "academy_2026.xlsx")
            .replace("~ salary_multiple + autonomy", "~ salary_multiple + autonmy + (")
            )
    path = write(tmp_path, text)
    out = tmp_path / "out"
    got = problems(path)
    assert len(got) == 3, got
    assert got[0].startswith(f"plan.toml:{line_of(text, 'academy_2026')}: ")
    assert "no such file" in got[0]
    assert got[1].startswith(f"plan.toml:{line_of(text, 'offer_recieved')}: ")
    assert "unknown question or column 'offer_recieved' (did you mean 'offer_received'?)" in got[1]
    assert got[2].startswith(f"plan.toml:{line_of(text, 'formula =')}: ")
    assert "cannot parse the formula" in got[2]
    with pytest.raises(PlanError):
        run_plan(path, out)
    assert not out.exists()


def test_formula_naming_an_unknown_column(tmp_path: Path) -> None:
    text = GOOD.replace("~ salary_multiple + autonomy", "~ salary_multiple + autonmy")
    (msg,) = problems(write(tmp_path, text))
    assert msg.startswith(f"plan.toml:{line_of(text, 'formula =')}: ")
    assert "'autonmy' (did you mean 'autonomy'?)" in msg


def test_cli_exit_2_and_nothing_written(tmp_path: Path) -> None:
    text = GOOD.replace('variable = "offer_received"', 'variable = "offer_recieved"')
    path, out = write(tmp_path, text), tmp_path / "out"
    r = CliRunner().invoke(cli, ["run", str(path), "--out", str(out)])
    assert r.exit_code == 2, r.output
    assert f"plan.toml:{line_of(text, 'offer_recieved')}:" in r.output
    assert "Traceback" not in r.output
    assert not out.exists()


@pytest.mark.parametrize("old,new,needle,expect", [
    ('title = "test plan"', 'title = "test plan"\ntitel = "x"', "titel", "unknown key"),
    ("[[estimate]]", "[[estimat]]", "[[estimat]]", "unknown section [estimat] (did you mean 'estimate'?)"),
    ('where = "offer_received = \'Yes\'"', 'where = "offer_received = = \'Yes\'"', "where =",
     "cannot read the condition"),
    ('where = "offer_received = \'Yes\'"', 'where = "offered = \'Yes\'"', "where =",
     "no column 'offered' in the data"),
    ('where = "offer_received = \'Yes\'"', 'where = "salary_multiple * 2"', "where =",
     "is not a condition"),
    ('type = "logit"', 'type = "probit"', "type =", "'probit' is not one of"),
    ('statistic = "proportion"', 'statistic = "proportion"\nwave = "2024"', 'wave = "2024"',
     "no wave '2024'"),
    ('variable = "offer_received"', 'variable = "email"', 'variable = "email"', "personal data"),
    ('formula = "~ salary_multiple + autonomy"',
     "formula = \"~ C(division, Treatment('Engneering'))\"", "formula =",
     "division has no level 'Engneering' (did you mean 'Engineering'?)"),
    ('title = "test plan"', 'title = "test plan"\nseed = "x"', "seed =", "must be a whole number"),
    ('id = "intent"', 'id = "offer_rate"', "[[model]]", "used twice"),
    ('outcome = "going"', 'outcome = "going"\nfamily = "gamma"', 'family = "gamma"',
     'family is for type = "glm"'),
    ('type = "logit"', 'type = "glm"\nfamily = "gama"', 'family = "gama"',
     "'gama' is not one of"),
    ('type = "logit"', 'type = "glm"\nlink = "logistic"', 'link = "logistic"',
     "not a link of type"),
    ('outcome = "going"', 'outcome = "going"\nmargins = ["divison"]', "margins =",
     "divison"),
])
def test_each_mistake_has_its_line(tmp_path: Path, old: str, new: str, needle: str,
                                   expect: str) -> None:
    assert_mistake_at(tmp_path, old, new, needle, expect)


def assert_mistake_at(tmp_path: Path, old: str, new: str, needle: str, expect: str) -> None:
    """GOOD with ``old`` replaced by ``new`` fails with ``expect`` on the line of ``needle``."""
    assert old in GOOD
    text = GOOD.replace(old, new, 1)
    got = problems(write(tmp_path, text))
    want = line_of(text, needle)
    assert any(m.startswith(f"plan.toml:{want}: ") and expect in m for m in got), got


def test_toml_syntax_error_has_its_line(tmp_path: Path) -> None:
    text = GOOD.replace('id = "offer_rate"', 'id = "offer_rate')
    (msg,) = problems(write(tmp_path, text))
    want = line_of(text, 'id = "offer_rate')
    assert msg.startswith(f"plan.toml:{want}: not valid TOML"), msg


def test_check_flag_validates_only(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    r = CliRunner().invoke(cli, ["run", str(path), "--check", "--out", str(tmp_path / "o")])
    assert r.exit_code == 0, r.output
    assert "the plan is valid" in r.output
    assert not (tmp_path / "o").exists()


def test_refuses_a_folder_of_other_files(tmp_path: Path) -> None:
    out = tmp_path / "busy"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(PlanError, match="holds other files"):
        run_plan(write(tmp_path, GOOD), out)
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


COMPARISON = '''
[[comparison]]
id = "change"
variable = "offer_received"
category = "Yes"
by = "division"
first = "Engineering"
second = "Natural Sciences"
'''
"""A [[comparison]] of two divisions, for tests to add one key to."""


def test_a_comparison_can_turn_the_panel_row_off(tmp_path: Path) -> None:
    text = GOOD + COMPARISON + "panel = false\n"
    plan = load_plan(write(tmp_path, text))
    assert plan.comparisons[0].panel is False
    bad = write(tmp_path, text.replace("panel = false", 'panel = "yes"'))
    assert any("panel" in p for p in problems(bad))


SCALE = GOOD.replace('going = "intent', '''pay = {{ score = "push_seniority_pay" }}
funding = {{ score = "push_funding" }}
going = "intent''').replace('[[model]]', '''[[estimate]]
id = "push_scale"
statistic = "alpha"
items = ["autonomy", "pay", "funding"]
weighted = "both"

[[estimate]]
id = "salary_sd"
statistic = "std_dev"
variable = "salary_multiple"
by = ["gender"]

[[model]]''').replace("{{", "{").replace("}}", "}")


def test_plan_reports_cronbach_alpha_of_derived_scores(tmp_path: Path) -> None:
    import polars as pl

    run_plan(write(tmp_path, SCALE), tmp_path / "out")
    t = pl.read_csv(tmp_path / "out" / "estimates" / "push_scale.csv")
    assert t["variable"].to_list() == ["autonomy+pay+funding"] * 2
    assert t["weighted"].to_list() == [True, False]
    assert ((t["conf_low"] < t["estimate"]) & (t["estimate"] < t["conf_high"])).all()
    assert t["estimate"][0] != t["estimate"][1] and (t["estimate"].abs() < 1).all()
    sd = pl.read_csv(tmp_path / "out" / "estimates" / "salary_sd.csv")
    assert sd.height == sd["gender"].n_unique() == 2
    assert (sd["estimate"] > 0).all()


@pytest.mark.parametrize(("old", "new", "needle"), [
    ('items = ["autonomy", "pay", "funding"]', 'items = ["autonomy"]', "two or more"),
    ('items = ["autonomy", "pay", "funding"]', 'items = ["autonomy", "division"]',
     "needs numeric columns"),
    ('variable = "salary_multiple"', 'variable = "salary_multiple"\nitems = ["pay", "funding"]',
     "items belong to"),
])
def test_scale_mistakes_are_named(tmp_path: Path, old: str, new: str, needle: str) -> None:
    assert any(needle in p for p in problems(write(tmp_path, SCALE.replace(old, new))))


XT = GOOD.replace("[[model]]", '''[crosstab]
rows = ["push_autonomy"]
banner = ["gender"]
min_cell = 0

[crosstab.significance]
ordinal_test = "wilcoxon"

[[model]]''')


def test_crosstab_ordinal_rows_take_the_rank_test(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    assert load_plan(write(tmp_path, XT)).crosstab.ordinal_test == "wilcoxon"
    run_plan(write(tmp_path, XT), tmp_path / "out")
    book = next((tmp_path / "out").rglob("crosstabs.xlsx"))
    text = " ".join(str(c.value) for ws in load_workbook(book) for row in ws.iter_rows()
                    for c in row if c.value is not None)
    assert "Design-based Wilcoxon rank-sum test" in text
    bad = XT.replace('ordinal_test = "wilcoxon"', 'ordinal_test = "sign"')
    assert any("ordinal_test" in p for p in problems(write(tmp_path, bad)))


def test_supplied_replicate_columns_without_a_type_name_the_plan_keys(tmp_path: Path) -> None:
    text = GOOD.split("[design]")[0] + ('[design.replicates]\ncolumns = "wgtp*"\n\n'
                                         + "[[estimate]]" + GOOD.split("[[estimate]]", 1)[1])
    found = problems(write(tmp_path, text))
    line = line_of(text, 'columns = "wgtp*"')
    want = [p for p in found if p.startswith(f"plan.toml:{line}: [design] replicates columns: "
                                             "'wgtp*' need their replicate type, "
                                             'type = "TYPE" (or a scale): ')]
    assert len(want) == 1, found
    assert 'ACS PUMS and other successive-difference files: type = "ACS" (scale 4/R; mse = true' \
        in want[0] and 'type = "Fay" (with fay_rho)' in want[0]


def test_supplied_replicate_columns_with_a_type_are_checked_against_the_data(tmp_path: Path
                                                                           ) -> None:
    text = GOOD.replace('[[estimate]]', '[design.replicates]\ncolumns = "wgtp*"\ntype = "ACS"\n\n'
                        '[[estimate]]', 1)
    found = problems(write(tmp_path, text))
    line = line_of(text, 'columns = "wgtp*"')
    assert f"plan.toml:{line}: [design.replicates] columns: no column matches 'wgtp*'" in found
    assert any("carry the design already: drop strata" in p for p in found), found
    assert not any("need their replicate type" in p for p in found)
