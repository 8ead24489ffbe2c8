"""The command line, invoked in-process for the CLI tests."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner, Result

from survey.cli import cli

__all__ = ["run", "run_json", "stats", "stats_json"]


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
