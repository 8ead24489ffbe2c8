"""`survey run PLAN [--out DIR]`: run an analysis plan into a report folder (docs/plans.md).

Exit codes: 0 the report was written; 1 an input file failed validation; 2 the plan has
mistakes (every one listed with its line; nothing is written) or an analysis failed.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import click

from survey.plans import Progress, load_plan, run_plan

__all__ = ["run_cmd"]


@contextlib.contextmanager
def _bar(enabled: bool) -> Iterator[Progress | None]:
    """A rich progress bar over the run's steps, on stderr and only on a terminal."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn, \
        TimeElapsedColumn

    err = Console(stderr=True)
    if not enabled or not err.is_terminal:
        yield None
        return
    with Bar(TextColumn("{task.description:<36}"), BarColumn(), MofNCompleteColumn(),
             TimeElapsedColumn(), console=err, transient=True) as bar:
        task = bar.add_task("validating the plan", total=None)

        def update(step: str, done: int, total: int) -> None:
            bar.update(task, description=step, completed=done, total=total)

        yield update


@click.command("run")
@click.argument("plan", type=click.Path(dir_okay=False))
@click.option("--out", "out", type=click.Path(file_okay=False),
              help="Report folder (default: the plan's [outputs] dir, else reports/<plan name>).")
@click.option("--check", is_flag=True, help="Validate the plan only; run nothing, write nothing.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="What to print when done.")
@click.option("--no-progress", is_flag=True, help="No progress bar (it shows only on a terminal).")
def run_cmd(plan: str, out: str | None, check: bool, fmt: str, no_progress: bool) -> None:
    """Run an analysis plan: ingest, estimate, model, and write the report folder.

    \b
    Example:
      survey run analyses/brain_drain_2025.toml --out demo-output/brain_drain_2025
    """
    p = load_plan(plan)
    if check:
        click.echo(f"{Path(plan).name}: the plan is valid ({len(p.estimates)} estimates, "
                   f"{len(p.comparisons)} comparisons, {len(p.models)} models"
                   f"{', crosstabs' if p.crosstab else ''})")
        return
    with _bar(not no_progress) as progress:
        result = run_plan(p, out, progress=progress)
    if fmt == "json":
        click.echo(json.dumps({"out_dir": str(result.out_dir),
                               "report": str(result.report) if result.report else None,
                               "files": list(result.files)}, indent=2))
        return
    click.echo(f"report folder: {result.out_dir} ({len(result.files)} files)")
    if result.report is not None:
        click.echo(f"open: {result.report}")
    sys.stdout.flush()
