"""The ``survey`` command line: a thin shell over the library.

Exit codes: 0 ok; 1 the data failed validation; 2 usage error or unreadable input.
Each command lives in a private module that registers itself on :data:`cli`.
"""

from __future__ import annotations

from survey.cli import _data  # noqa: F401  (registers validate, ingest, describe, schema)
from survey.cli import _store  # noqa: F401  (registers waves list|show|remove|prune|verify|load)
from survey.cli._app import cli

__all__ = ["cli", "main"]


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    cli.main(args=argv, prog_name="survey")
