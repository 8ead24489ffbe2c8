"""A formula reaching outside its namespace (imports, attributes, builtins, lambdas,
subscripts) is refused before anything is evaluated: the payload never runs.

Each payload would create a sentinel file if it ran; the tests assert the error and that
the file does not exist.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from survey.errors import ModelError
from survey.models import svyglm
from survey.models._namespace import TRANSFORMS, check_formula, r_names
from tests.clirun import stats
from tests.estimators._rfixtures import FIXTURES, bind

DESIGN = {"data": "apistrat", "strata": "stype", "weights": "pw", "fpc": "fpc"}


def payloads(sentinel: Path) -> list[str]:
    s = str(sentinel)
    return [
        f"api00 ~ meals + I(__import__('os').system('touch {s}'))",
        f"api00 ~ meals + __import__('os').system('touch {s}')",
        f"api00 ~ meals + I(open('{s}', 'w'))",
        f"api00 ~ meals + I(eval(\"open('{s}', 'w')\"))",
        f"api00 ~ meals + I(exec(\"open('{s}', 'w')\"))",
        f"api00 ~ meals + I((lambda: open('{s}', 'w'))())",
        f"api00 ~ meals + I([open('{s}', 'w') for _ in meals])",
        f"api00 ~ meals + I(meals.__class__.__init__.__globals__['os'].system('touch {s}'))",
        f"api00 ~ meals + I(log.__globals__['__builtins__']['open']('{s}', 'w'))",
        f"api00 ~ meals + C(stype, __import__('os').system('touch {s}'))",
        f"api00 ~ meals + offset(__import__('os').system('touch {s}'))",
        f"__import__('os').system('touch {s}') ~ meals",
        f"api00 ~ meals + I(getattr(meals, 'x') or open('{s}', 'w'))",
        f"api00 ~ meals + I(f\"{{open('{s}', 'w')}}\")",
        f"api00 ~ meals + I(np.os.system('touch {s}'))",
        f"api00 ~ meals + I(meals[0:1] or open('{s}', 'w'))",
        f"api00 ~ meals + I(*[open('{s}', 'w')])",
    ]


@pytest.mark.parametrize("k", range(len(payloads(Path("x")))))
def test_payload_is_refused_before_it_runs(tmp_path: Path, k: int) -> None:
    sentinel = tmp_path / "ran"
    formula = payloads(sentinel)[k]
    with pytest.raises(ModelError, match=r"formula") as info:
        svyglm(bind(DESIGN), formula, family="gaussian")
    assert not sentinel.exists()
    assert "not allowed" in info.value.message or "not an allowed transform" in info.value.message


@pytest.mark.parametrize("formula,term", [
    ("y ~ I(__import__('os'))", "__import__"),
    ("y ~ x + meals.__class__", "__class__"),
    ("y ~ x + I(open('f'))", "open()"),
    ("y ~ x + I(x[0])", "subscript"),
    ("y ~ x + I((lambda: 1)())", "not allowed"),
    ("y ~ x + I(10 ** 10 ** 10)", "power"),
    ("y ~ x + I(len('a' * 10 ** 9))", "len()"),
    ("y ~ x + I(('a',) * 10 ** 9)", "repeats"),
])
def test_error_names_the_term(formula: str, term: str) -> None:
    with pytest.raises(ModelError) as info:
        check_formula(formula, {"y", "x", "meals"})
    assert term in info.value.message
    assert "the formula term" in info.value.message or "names" in info.value.message


def test_cli_refuses_with_one_line_and_exit_2(tmp_path: Path) -> None:
    sentinel = tmp_path / "ran"
    r = stats("glm", str(FIXTURES / "apistrat.csv"), "-f",
              f"api00 ~ meals + I(__import__('os').system('touch {sentinel}'))",
              "--strata", "stype", "--weight", "pw")
    assert r.exit_code == 2, r.output
    assert not sentinel.exists()
    lines = r.stderr.splitlines()
    assert lines[0].startswith("error: formula: the formula term"), r.stderr
    assert "Traceback" not in r.output + r.stderr
    assert all(line.startswith(("error:", "hint:")) for line in lines), r.stderr


def test_cli_offset_option_is_checked_too(tmp_path: Path) -> None:
    sentinel = tmp_path / "ran"
    r = stats("glm", str(FIXTURES / "apistrat.csv"), "-f", "enroll ~ meals",
              "--offset", f"__import__('os').system('touch {sentinel}')",
              "--family", "quasipoisson", "--strata", "stype", "--weight", "pw")
    assert r.exit_code == 2, r.output
    assert not sentinel.exists()


def test_dotted_words_become_quoted_names_outside_strings() -> None:
    assert r_names("sch.wide ~ api.stu:meals + C(stype, Treatment('a.b')) + I(x^2) + 1.5e-3") \
        == "Q(\"sch.wide\") ~ Q(\"api.stu\"):meals + C(stype, Treatment('a.b')) + I(x**2) + 1.5e-3"


def test_np_functions_are_aliases_of_the_math_transforms() -> None:
    got = check_formula("api00 ~ np.log(api99) + sqrt(meals)", {"api00", "api99", "meals"})
    assert got.columns == ("api00", "api99", "meals")


def test_transforms_are_documented() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "models.md").read_text(encoding="utf-8")
    missing = [name for name in TRANSFORMS if f"`{name}" not in doc]
    assert missing == []


def test_examples_in_the_docstrings_run() -> None:
    import doctest

    import survey.models._namespace as mod

    assert doctest.testmod(mod).failed == 0
