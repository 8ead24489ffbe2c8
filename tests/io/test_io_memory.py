"""Bounded memory: a workbook whose sheet would inflate beyond the memory budget is refused
before the reader runs, with exit 2 and one line naming --max-memory."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.bench_reader_memory import write_workbook
from survey.errors import UnreadableInputError
from survey.io import Limits, read_table
from survey.io._memory import FACTOR, FIXED_BYTES, default_budget, estimate_peak
from tests.clirun import ROOT, run

_MB = 1024**2


def test_estimate_grows_with_the_sheet_xml() -> None:
    assert estimate_peak(0) == FIXED_BYTES
    assert estimate_peak(100 * _MB) == FIXED_BYTES + int(FACTOR * 100 * _MB)


def test_sheet_over_the_budget_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.xlsx"
    write_workbook(path, 8)
    with pytest.raises(UnreadableInputError) as err:
        read_table(path, limits=Limits(max_memory_bytes=70 * _MB))
    assert "--max-memory" in err.value.message and "sheet 'Sheet1'" in err.value.message
    assert read_table(path, limits=Limits(max_memory_bytes=200 * _MB)).n_rows > 5000


def test_cli_refusal_is_exit_2_and_one_line(tmp_path: Path) -> None:
    path = tmp_path / "big.xlsx"
    write_workbook(path, 8)
    r = run("schema", "draft", str(path), "--out", str(tmp_path / "d.yaml"), "--max-memory", "70")
    assert r.exit_code == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "over the budget" in lines[0] and "--max-memory MB" in lines[0]
    assert not (tmp_path / "d.yaml").exists()


def test_default_budget_is_half_of_what_the_process_may_still_map() -> None:
    """Under ``ulimit -v 2000000`` (about 1.9 GiB) the budget is under 1 GiB."""
    code = ("import resource; resource.setrlimit(resource.RLIMIT_AS, (2_000_000 * 1024,) * 2); "
            "from survey.io._memory import default_budget; print(default_budget())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         check=True).stdout
    assert 0 < int(out) < 1024**3
    budget = default_budget()
    assert budget is None or budget > 0
