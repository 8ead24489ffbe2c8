"""A plan's model formula is declarative: one that reaches outside the formula namespace
(imports, attributes, builtins) is a plan error before anything runs, and the payload never
runs; R's dotted names are accepted."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from survey.cli import cli
from survey.errors import PlanError
from survey.plans import load_plan, run_plan
from tests.plans.test_validation import GOOD, line_of, write

FORMULA = 'formula = "~ salary_multiple + autonomy"'


@pytest.mark.parametrize("payload", [
    "I(__import__('os').system('touch {s}'))",
    "I(open('{s}', 'w'))",
    "I(salary_multiple.__class__.__init__.__globals__['os'].system('touch {s}'))",
])
def test_plan_formula_payload_is_a_plan_error_and_never_runs(tmp_path: Path,
                                                             payload: str) -> None:
    sentinel, out = tmp_path / "ran", tmp_path / "out"
    text = GOOD.replace(FORMULA, "formula = \"~ salary_multiple + "
                        + payload.format(s=sentinel).replace('"', '\\"') + '"')
    path = write(tmp_path, text)
    with pytest.raises(PlanError) as info:
        load_plan(path)
    (msg,) = info.value.problems
    assert msg.startswith(f"plan.toml:{line_of(text, 'formula =')}: [[model]] 'intent' formula: ")
    assert "not allowed" in msg or "not an allowed transform" in msg
    with pytest.raises(PlanError):
        run_plan(path, out)
    r = CliRunner().invoke(cli, ["run", str(path), "--out", str(out)])
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    assert not sentinel.exists()
    assert not out.exists()


def test_plan_offset_payload_is_a_plan_error(tmp_path: Path) -> None:
    sentinel = tmp_path / "ran"
    text = GOOD.replace('type = "logit"', 'type = "glm"\nfamily = "quasipoisson"').replace(
        FORMULA, 'formula = "salary_multiple ~ autonomy"\n'
                 f"offset = \"__import__('os').system('touch {sentinel}')\"").replace(
        'outcome = "going"\n', "")
    with pytest.raises(PlanError) as info:
        load_plan(write(tmp_path, text))
    assert any("not allowed" in p for p in info.value.problems), info.value.problems
    assert not sentinel.exists()
