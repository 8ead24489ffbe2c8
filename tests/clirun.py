"""The command line, invoked in-process for the CLI tests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from survey.cli import cli

__all__ = ["modules_loaded", "run", "run_json", "stats", "stats_json"]

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> Result:
    """``survey ARGS``; exceptions propagate (the CLI must turn errors into messages)."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def run_json(*args: str) -> dict[str, Any]:
    """``survey ARGS --format json``, which must succeed, parsed."""
    r = run(*args, "--format", "json")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def stats(*args: str) -> Result:
    """``survey stats ARGS``."""
    return run("stats", *args)


def stats_json(*args: str) -> dict[str, Any]:
    """``survey stats ARGS --format json``, parsed."""
    return run_json("stats", *args)


def modules_loaded(*argvs: list[str], among: tuple[str, ...]) -> list[str]:
    """Which of ``among`` a fresh interpreter has imported after running each command
    line of ``argvs`` (each must exit 0): start-up checks."""
    code = ("import json, sys; from survey.cli import main\n"
            f"for argv in {[list(a) for a in argvs]!r}:\n"
            "    try:\n        main(argv)\n"
            "    except SystemExit as e:\n        assert e.code in (0, None), e.code\n"
            f"print(json.dumps([m for m in {list(among)!r} if m in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         check=True).stdout
    return json.loads(out.strip().splitlines()[-1])
