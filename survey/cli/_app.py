"""The command group and its error handling.

Exit codes: 0 ok; 1 the data failed validation; 2 usage error or unreadable input.
"""

from __future__ import annotations

import functools
import importlib
import os
import warnings
from typing import Any

import click

from survey.errors import SurveyError, SurveyWarning

__all__ = ["LazyGroup", "cli"]


# Commands load their module only when run, so `survey --help` stays fast:
# name -> (module, attribute, one-line help shown in `survey --help`).
LAZY_COMMANDS: dict[str, tuple[str, str, str]] = {
    "crosstab": ("survey.cli._crosstab", "crosstab_cmd", "Banner tables with significance letters and suppression (xlsx/md/csv)."),
    "design-size": ("survey.cli._design_size", "design_size", "Plan a wave: sample size, margin of error, allocation, power."),
    "describe": ("survey.cli._data", "describe_cmd", "Codebook overview and frequencies of every question."),
    "export": ("survey.cli._export", "export_cmd", "A typed wave as a labelled SPSS .sav, Stata .dta or csv."),
    "ingest": ("survey.cli._data", "ingest", "Validate a file and write it as typed Parquet."),
    "response-rates": ("survey.cli._response", "response_rates_cmd", "Response rates by AAPOR's Standard Definitions (RR1-RR6, COOP, REF, CON)."),
    "run": ("survey.cli._run", "run_cmd", "Run an analysis plan (TOML) into a report folder."),
    "sample": ("survey.cli._sample", "sample_cmd", "Draw the next sample from a frame: SRS, systematic, PPS; inclusion probabilities and weights."),
    "schema": ("survey.cli._data", "schema", "Codebooks: draft one from an export, or check one."),
    "stats": ("survey.cli._stats", "stats", "Design-based estimates with intervals, as R's survey package."),
    "validate": ("survey.cli._data", "validate", "Check a file against a codebook; report every problem."),
    "waves": ("survey.cli._store", "waves", "The wave store: list, show, remove, prune, verify, load."),
    "weight": ("survey.cli._weight", "weight", "Weights meeting population margins: rake, poststratify, calibrate."),
}


class LazyGroup(click.Group):
    """A group whose ``lazy`` commands load their module only when run (or listed by
    --help): name -> (module, attribute, one-line help or None)."""

    lazy: dict[str, tuple[str, str, str | None]] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands or cmd_name not in self.lazy:
            return super().get_command(ctx, cmd_name)
        module, attr, _ = self.lazy[cmd_name]
        cmd: click.Command = getattr(importlib.import_module(module), attr)
        return cmd


class _Group(LazyGroup):
    """Loads commands lazily; turns the toolkit's errors into a message and an exit code."""

    lazy = LAZY_COMMANDS  # type: ignore[assignment]

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):  # lazy ones by their help line, not loaded
            if name in LAZY_COMMANDS and name not in self.commands:
                rows.append((name, LAZY_COMMANDS[name][2]))
            else:
                cmd = self.get_command(ctx, name)
                if cmd is not None and not cmd.hidden:
                    rows.append((name, cmd.get_short_help_str(formatter.width)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            with warnings.catch_warnings():  # the library's warnings, as one line each
                warnings.simplefilter("always", SurveyWarning)
                warnings.showwarning = functools.partial(_show_warning, warnings.showwarning)
                return super().invoke(ctx)
        except SurveyError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except MemoryError:
            click.echo("error: out of memory; lower the input size or raise the machine's memory", err=True)
            ctx.exit(2)
        except Exception as exc:  # noqa: BLE001 - the last line of defence: never a traceback
            if os.environ.get("SURVEY_DEBUG"):
                raise
            click.echo(f"error: unexpected {type(exc).__name__}: {exc} "
                       "(please report it; SURVEY_DEBUG=1 shows the traceback)", err=True)
            ctx.exit(2)


def _show_warning(shown: Any, message: Warning | str, category: type[Warning], filename: str,
                  lineno: int, file: Any = None, line: str | None = None) -> None:
    """The toolkit's warnings as ``note: ...`` lines on stderr; others as Python shows them."""
    if issubclass(category, SurveyWarning):
        click.echo(f"note: {message}", err=True)
    else:
        shown(message, category, filename, lineno, file, line)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="survey")
def cli() -> None:
    """Survey analysis from raw spreadsheet to published table.

    \b
    Examples:
      survey validate sample_data/academy_2025.xlsx --schema schemas/academy_member_survey.yaml
      survey ingest sample_data/academy_2025.xlsx --schema schemas/academy_member_survey.yaml --out wave2025.parquet
      survey describe wave2025.parquet
      survey schema draft export.csv --out schemas/new.yaml
      survey run analyses/brain_drain_2025.toml --out demo-output/brain_drain_2025
    """


