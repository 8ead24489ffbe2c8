"""`survey crosstab`: banner tables of a survey as xlsx, Markdown or CSV."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import polars as pl

from survey.bind import DesignSpec
from survey.cli._crosstab_stream import Streamed, streamed_input
from survey.cli._data import _limits, limit_options
from survey.cli._design_opts import (
    DesignArgs,
    bind_design,
    design_options,
    open_data,
    parse_where,
    read,
    resolve_columns,
    split_commas,
)
from survey.cli._scale import EngineArgs, engine_options

if TYPE_CHECKING:
    from survey.bind import Source
    from survey.codebook import Codebook
    from survey.design import SurveyFrame

__all__ = ["crosstab_cmd"]

_FILE = click.Path(dir_okay=False)
_FORMATS = {".xlsx": "xlsx", ".md": "md", ".markdown": "md", ".csv": "csv"}


def _read(design: DesignArgs, kw: dict[str, Any]) -> tuple[Source, pl.DataFrame, Codebook]:
    """Every column of DATA (``--rows all`` needs them) and its codebook (--schema wins)."""
    source = open_data(design, limits=_limits(kw))
    frame = read(source)
    if source.codebook is None:
        raise click.UsageError("DATA carries no codebook: give --schema (or ingest it to "
                               "Parquet first)")
    return source, frame, source.codebook


def _source(source: Source, frame: pl.DataFrame, design: DesignArgs
            ) -> tuple[pl.DataFrame | SurveyFrame, str | None]:
    """What to tabulate and its weight column: a plain frame when only --weight is given
    (columns compared on effective bases), else the bound design (its variance, after
    any weighting, or the design a `survey weight` file stored)."""
    if replace(design.spec, weights=None) == DesignSpec() and source.weighting is None:
        weight = design.spec.weights
        if weight is not None:
            resolve_columns([weight], frame.columns, param="--weight")
        return frame, weight
    return bind_design(frame, design, source), None


@click.command("crosstab")
@click.option("--rows", "-r", required=True, help="Question ids, comma-separated, or 'all'.")
@click.option("--banner", "-b", required=True, help="Banner variables, comma-separated.")
@click.option("--where", metavar="SQL",
              help="Subpopulation, as an SQL condition: \"offer_received = 'Yes'\".")
@click.option("--out", "-o", required=True, type=_FILE, help="Report file (.xlsx, .md, .csv).")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "md", "csv"]),
              help="Output format (default: from the --out suffix).")
@click.option("--min-cell", type=click.IntRange(min=0), default=10, show_default=True,
              help="Suppress cells of fewer respondents (0: off; one-person columns never shown).")
@click.option("--cells", default="column_pct", show_default=True,
              help="Cell statistics: column_pct,row_pct,count,unweighted_count (first is main).")
@click.option("--correction", type=click.Choice(["holm", "bonferroni", "bh", "none"]),
              default="holm", show_default=True, help="Multiple-comparison correction.")
@click.option("--sig-levels", default="0.95,0.99", show_default=True,
              help="Confidence levels of lower- and UPPER-case letters.")
@click.option("--min-base", type=click.FloatRange(min=2), default=30.0, show_default=True,
              help="Columns with a smaller effective base are flagged and not tested.")
@click.option("--no-sig", is_flag=True, help="No significance tests.")
@click.option("--ordinal-test", type=click.Choice(["wilcoxon", "vanderwaerden", "median",
                                                   "kruskalwallis"]),
              help="Whole-table test of ordinal questions by a design-based rank test (R's "
                   "svyranktest) instead of Rao-Scott F; needs design flags.")
@click.option("--title", help="Report title (default: the codebook's).")
@limit_options
@engine_options
@design_options
def crosstab_cmd(rows: str, banner: str, where: str | None, out: str, fmt: str | None,
                 min_cell: int, cells: str, correction: str, sig_levels: str, min_base: float,
                 no_sig: bool, ordinal_test: str | None, title: str | None, design: DesignArgs,
                 engine: EngineArgs, **kw: Any) -> None:
    """Banner tables of DATA: every question in --rows by Total and the --banner variables.

    DATA is a typed Parquet file from `survey ingest` (or `survey weight`: its weighted
    design is used), a spreadsheet with --schema, or --store DIR [--wave ID]. The
    design flags, --fpc-file and --rake/--poststratify are those of `survey stats`.
    Cells of fewer than --min-cell respondents are suppressed, with enough further
    cells that none can be recovered from the totals. A Parquet file of a million
    rows or more, a directory or glob of Parquet files, or a large store streams
    (--engine, as `survey stats`: one pass per question; docs/scale.md).

    \b
    Examples:
      survey crosstab sample_data/academy_2025.xlsx -s schemas/academy_member_survey.yaml \\
          --rows all --banner division,age_band,institution_type --out crosstab.xlsx
      survey crosstab wave.parquet --rows intent --banner division --where "offer_received = 'Yes'" \\
          --out intent.md
    """
    from survey.cli._render import progress_bar
    from survey.reports import write_csv, write_markdown, write_xlsx
    from survey.tables import Disclosure, Significance, crosstabs

    started = time.perf_counter()
    kind = fmt or _FORMATS.get(Path(out).suffix.lower())
    if kind is None:
        raise click.BadParameter("give --format, or an --out ending in .xlsx, .md or .csv",
                                 param_hint="--out")
    streamed = streamed_input(design, engine, ordinal=bool(ordinal_test), tests=not no_sig)
    source: Any
    if streamed is None:
        data, frame, codebook = _read(design, kw)
        source, weight = _source(data, frame, design)
        condition = parse_where(where, frame.columns) if where else None
    else:
        source, weight, codebook = streamed.data, streamed.weight, streamed.codebook
        condition = streamed.where(where)
    try:
        lo, hi = (float(x) for x in split_commas(sig_levels))
    except ValueError:
        raise click.BadParameter(f"{sig_levels!r}: give two levels, e.g. 0.95,0.99",
                                 param_hint="--sig-levels") from None
    if ordinal_test and isinstance(source, pl.DataFrame):
        raise click.UsageError("--ordinal-test needs a survey design: give --strata, --psu, "
                               "--fpc or --fpc-file (with --weight)")
    sig = None if no_sig else Significance(levels=(lo, hi), correction=correction,  # type: ignore[arg-type]
                                           min_base=min_base, ordinal=ordinal_test)
    row_ids: list[str] | str = "all" if rows.strip() == "all" else list(split_commas(rows))
    if codebook is None and row_ids == "all":
        raise click.UsageError("--rows all needs a codebook: give --schema")
    n_rows = (len(row_ids) if isinstance(row_ids, list) else
              sum(1 for q in codebook.questions if q.role == "answer"))  # type: ignore[union-attr]
    with progress_bar("crosstab {task.description}", total=n_rows) as update:
        step = None if update is None else (lambda done, n, q: update(q, done, n))
        if streamed is not None and update is not None:  # rows read, on the same bar
            streamed.meter.update, streamed.meter.total = update, n_rows
            step = _counting(step, streamed)
        tables = _tabulate(crosstabs, source, row_ids, banner=list(split_commas(banner)),
                           codebook=codebook, weight=weight, where=condition,
                           cells=list(split_commas(cells)),  # type: ignore[arg-type]
                           significance=sig, disclosure=Disclosure(min_cell=min_cell),
                           title=title, progress=step,
                           scan_progress=None if streamed is None else streamed.meter,
                           streamed=streamed, engine=engine.engine)
    writer = {"xlsx": write_xlsx, "md": write_markdown, "csv": write_csv}[kind]
    if kind == "xlsx":
        name = (Path(design.data).name if design.data
                else f"{design.store} (waves {design.wave or 'all'})")
        write_xlsx(tables, out, source=name)
    else:
        writer(tables, out)  # type: ignore[operator]
    suppressed = sum(t.n_suppressed for t in tables.tables)
    click.echo(f"wrote {out}: {len(tables.tables)} tables, {suppressed} cells suppressed "
               f"({time.perf_counter() - started:.1f} s)")


def _counting(step: Any, streamed: Streamed) -> Any:
    """The table progress, also telling the row meter how many tables are done."""
    def report(done: int, n: int, q: str) -> None:
        streamed.meter.done = done
        step(done, n, q)
    return report


def _tabulate(crosstabs: Any, source: Any, rows: Any, *, streamed: Streamed | None,
              engine: str, **options: Any) -> Any:
    """The tables; a streamed one that needs the rows (a test on Spark, say) says why."""
    from survey.errors import NotStreamable

    try:
        return crosstabs(source, rows, **options)
    except NotStreamable as exc:
        if streamed is None:
            raise
        hint = " (or --no-sig)" if "test" in exc.message else ""
        raise click.UsageError(f"--engine {engine}: {exc.message}{hint}") from None
