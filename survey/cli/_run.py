"""`survey run PLAN [--out DIR]`: run an analysis plan into a report folder (docs/plans.md).

Exit codes: 0 the report was written; 1 an input file failed validation; 2 the plan has
mistakes (every one listed with its line; nothing is written) or an analysis failed.
"""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path

import click

from survey.plans import load_plan, run_plan

__all__ = ["run_cmd"]


@click.command("run")
@click.argument("plan", type=click.Path(dir_okay=False))
@click.option("--out", "out", type=click.Path(file_okay=False),
              help="Report folder (default: the plan's [outputs] dir, else reports/<plan name>).")
@click.option("--store", "store", type=click.Path(file_okay=False),
              help="Where the plan's input files are ingested (respondent-level; default "
                   "<plan stem>.store beside the plan, its key <plan stem>.store.key), kept "
                   "out of the report folder so that it can be shared whole.")
@click.option("--check", is_flag=True, help="Validate the plan only; run nothing, write nothing.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="What to print when done.")
@click.option("--no-progress", is_flag=True, help="No progress bar (it shows only on a terminal).")
def run_cmd(plan: str, out: str | None, store: str | None, check: bool, fmt: str,
            no_progress: bool) -> None:
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
    from survey.cli._render import progress_bar

    bar = (contextlib.nullcontext() if no_progress else
           progress_bar("{task.description:<36}", first="validating the plan", elapsed=True))
    with bar as progress:
        result = run_plan(p, out, store=store, progress=progress)
    key = str(result.key_file) if result.key_file is not None else None
    if fmt == "json":
        click.echo(json.dumps({"out_dir": str(result.out_dir),
                               "report": str(result.report) if result.report else None,
                               "files": list(result.files), "store": str(result.store),
                               "key_file": key}, indent=2))
        return
    click.echo(f"report folder: {result.out_dir} ({len(result.files)} files; safe to share whole)")
    click.echo(f"respondent-level data: {result.store}"
               + (f" (key {key}); keep both private" if key else "; keep it private"))
    if result.report is not None:
        click.echo(f"open: {result.report}")
    sys.stdout.flush()
