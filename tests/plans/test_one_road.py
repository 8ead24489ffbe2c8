"""A plan's ``where`` and the CLI's ``--where`` travel one road (survey.bind): the same SQL
gives the same estimates, and the same mistake the same message; a plan's [design] and
the CLI's design flags spell one specification."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from survey.bind import DesignSpec, open_source, parse_where
from survey.cli import cli
from survey.errors import PlanError, SpecError
from survey.plans import load_plan, run_plan

ROOT = Path(__file__).resolve().parents[2]
DATA = str(ROOT / "sample_data/academy_2025.xlsx")
SCHEMA = str(ROOT / "schemas/academy_member_survey.yaml")
POPULATION = str(ROOT / "sample_data/population_2025.csv")
DESIGN_FLAGS = ["--schema", SCHEMA, "--strata", "division", "--fpc-file", POPULATION]

HEAD = f'''[plan]
title = "one road"

[[inputs.wave]]
id = "2025"
file = "{DATA}"
codebook = "{SCHEMA}"

[design]
strata = "division"
fpc = {{ population = "{POPULATION}", variable = "division" }}
'''

GOOD = {  # conditions both accept: plain, a string literal holding dots and a column's name
    "plain": "gender = 'Male' AND division <> 'Engineering'",
    "dotted_literal": "division <> 'offer.received' AND gender <> 'a.b.c'",
    "in_list": "division IN ('Engineering', 'Natural Sciences')",
}
BAD = {  # mistakes both refuse
    "dotted_name": "offer.received = 'Yes'",
    "unknown": "nosuch = 1",
    "unknown_with_dotted_literal": "nosuch = 'a.b' AND division = 'x.y'",
    "unparsable": "offer_received = = 'Yes'",
}


def _plan(tmp_path: Path, conditions: dict[str, str]) -> Path:
    parts = [HEAD]
    for key, sql in conditions.items():
        quoted = json.dumps(sql)  # a TOML basic string
        parts.append(f'''
[[estimate]]
id = "{key}"
statistic = "proportion"
variable = "offer_received"
where = {quoted}
''')
    path = tmp_path / "plan.toml"
    path.write_text("".join(parts), encoding="utf-8")
    return path


def _cli(*args: str):
    return CliRunner().invoke(cli, ["stats", "proportion", DATA, "--var", "offer_received",
                                    *DESIGN_FLAGS, "--format", "json", *args])


def test_plan_and_cli_give_the_same_estimates_for_the_same_where(tmp_path: Path) -> None:
    result = run_plan(_plan(tmp_path, GOOD), tmp_path / "out")
    for key, sql in GOOD.items():
        r = _cli("--where", sql)
        assert r.exit_code == 0, r.output
        cli_rows = {row["category"]: row for row in json.loads(r.stdout)["estimates"]}
        plan_rows = result.estimates[key]
        assert plan_rows.height == len(cli_rows) > 0
        for row in plan_rows.iter_rows(named=True):
            other = cli_rows[row["category"]]
            for col in ("estimate", "std_error", "conf_low", "conf_high", "n"):
                assert row[col] == pytest.approx(other[col], rel=1e-12), (key, col)


def _cli_error(sql: str) -> str:
    r = _cli("--where", sql)
    assert r.exit_code == 2, r.output
    line = next(x for x in r.output.splitlines() if x.startswith("error: "))
    assert line.startswith("error: --where: "), line
    return line.removeprefix("error: --where: ")


@pytest.mark.parametrize("key", sorted(BAD))
def test_plan_and_cli_refuse_the_same_where_with_the_same_message(tmp_path: Path,
                                                                    key: str) -> None:
    with pytest.raises(PlanError) as info:
        load_plan(_plan(tmp_path, {key: BAD[key]}))
    (problem,) = info.value.problems
    plan_message = problem.split(f"[[estimate]] {key!r} where: ", 1)[1]
    cli_message = _cli_error(BAD[key])
    assert plan_message == cli_message
    source = open_source(DATA, schema=SCHEMA)  # and a notebook's call says the same
    with pytest.raises(SpecError) as lib:
        parse_where(BAD[key], source.columns)
    assert lib.value.message == cli_message


def test_a_misspelt_dotted_name_is_named_with_the_near_column() -> None:
    assert _cli_error("offer.received = 'Yes'") == (
        "no column 'offer.received' in the data; did you mean 'offer_received'?")


def test_plan_design_and_cli_flags_spell_one_spec(tmp_path: Path) -> None:
    import click

    from survey.cli._design_opts import DesignArgs, design_options

    plan = load_plan(_plan(tmp_path, {"plain": GOOD["plain"]}))
    seen: list[DesignArgs] = []

    @click.command()
    @design_options
    def cmd(design: DesignArgs) -> None:
        seen.append(design)

    r = CliRunner().invoke(cmd, [DATA, *DESIGN_FLAGS])
    assert r.exit_code == 0, r.output
    (flags,) = seen
    assert plan.design == flags.spec == DesignSpec(strata="division", fpc_file=POPULATION)
    assert flags.spec.fpc_by == "division"


def test_the_notebook_path_in_estimation_md_gives_the_command_lines_numbers(tmp_path, monkeypatch):
    import re
    import shlex

    text = (ROOT / "docs" / "estimation.md").read_text(encoding="utf-8")
    command = re.search(r"```sh\n(.*?)```", text, flags=re.S)[1].replace("\\\n", " ")
    code = re.search(r"```python\n(.*?)```", text, flags=re.S)[1]
    assert len(code.strip().splitlines()) == 3
    wave = tmp_path / "wave2025.parquet"
    r = CliRunner().invoke(cli, ["ingest", DATA, "--schema", SCHEMA, "--out", str(wave)])
    assert r.exit_code == 0, r.output
    monkeypatch.chdir(ROOT)
    args = [str(wave) if a == "wave2025.parquet" else a for a in shlex.split(command)[1:]]
    r = CliRunner().invoke(cli, [*args, "--format", "json"])
    assert r.exit_code == 0, r.output
    scope: dict = {}
    last = code.strip().splitlines()
    body = "\n".join([*last[:-1], f"result = {last[-1]}"]).replace('"wave2025.parquet"', repr(str(wave)))
    exec(compile(body, "docs/estimation.md", "exec"), scope)  # noqa: S102 - our own docs
    ours = scope["result"].to_frame().with_columns(pl.col("category").cast(pl.String)).sort("category")
    theirs = sorted(json.loads(r.stdout)["estimates"], key=lambda row: row["category"])
    assert ours["estimate"].to_list() == pytest.approx([row["estimate"] for row in theirs], rel=1e-12)
    assert ours["std_error"].to_list() == pytest.approx([row["std_error"] for row in theirs], rel=1e-12)
