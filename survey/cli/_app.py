"""The command group and its error handling.

Exit codes: 0 ok; 1 the data failed validation; 2 usage error or unreadable input.
"""

from __future__ import annotations

import os
from typing import Any

import click

from survey.errors import SurveyError

__all__ = ["cli"]


class _Group(click.Group):
    """Turns the toolkit's errors into a one-line message and their exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
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
    """


