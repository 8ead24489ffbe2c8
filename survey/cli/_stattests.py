"""``survey stats ttest|ranktest``: design-based t-tests and rank tests, as R's svyttest
and svyranktest.

A thin shell over :func:`survey.estimators.ttest` and :func:`~survey.estimators.ranktest`:
read the named columns, bind the design (the shared design flags), test, print.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import click
import polars as pl

from survey.cli._design_opts import (
    DesignArgs,
    design_options,
    design_summary,
    format_option,
    open_data,
    read_design_where,
    resolve_columns,
    where_caption,
    where_option,
)
from survey.cli._output import json_doc, p_text

__all__ = ["ranktest_cmd", "ttest_cmd"]


def _load(design: DesignArgs, columns: Sequence[str], where: str | None
          ) -> tuple[Any, pl.Expr | None]:
    """Read ``columns`` and the condition's, bind the design, parse the condition."""
    source = open_data(design)
    resolve_columns(list(columns), source.columns, param="--var")
    return read_design_where(design, source, columns, where)


def _emit(doc: dict[str, Any], fmt: str, lines: list[str]) -> None:
    if fmt == "json":
        click.echo(json_doc(doc))
    elif fmt == "csv":
        flat = {k: (" ".join(map(str, v)) if isinstance(v, list) else v)
                for k, v in doc.items() if not isinstance(v, dict)}
        sys.stdout.write(pl.DataFrame([flat]).write_csv())
    else:
        for line in lines:
            click.echo(line)


def _caption(design: DesignArgs, where: str | None) -> str:
    return "  " + where_caption(design, where)


@click.command("ttest")
@click.option("--var", "-v", "variable", required=True, help="Numeric analysis variable.")
@click.option("--by", help="A column with two values: test the difference of their means.")
@click.option("--mu", type=float, help="One sample: test mean(VAR) = MU (default 0).")
@click.option("--paired", metavar="VAR2", help="Paired: test the mean of VAR - VAR2 (minus --mu).")
@where_option
@click.option("--conf", "level", type=click.FloatRange(0, 1, min_open=True, max_open=True),
              default=0.95, show_default=True, help="Confidence level of the interval.")
@format_option
@design_options
def ttest_cmd(variable: str, by: str | None, mu: float | None, paired: str | None,
              where: str | None, level: float, fmt: str, design: DesignArgs) -> None:
    """Design-based t-test of a mean, as R's svyttest: two groups (--by), one sample
    (--mu) or paired (--paired).

    The estimate is the second group's mean minus the first's (groups in R's order:
    sorted, or the codebook's), the mean minus MU, or the mean difference VAR - VAR2;
    t on the design's degrees of freedom minus one, as R.

    \b
    Examples:
      survey stats ttest apistrat.csv --var api00 --by sch.wide --strata stype --weight pw --fpc fpc
      survey stats ttest apistrat.csv --var api00 --mu 600 --strata stype --weight pw --fpc fpc
      survey stats ttest apistrat.csv --var api00 --paired api99 --strata stype --weight pw \\
          --fpc fpc
    """
    from survey.estimators import ttest

    if by is not None and (mu is not None or paired is not None):
        raise click.UsageError("give --by (two groups) or --mu/--paired (one sample), not both")
    cols = [variable, *(c for c in (by, paired) if c is not None)]
    sf, expr = _load(design, cols, where)
    res = ttest(sf, variable, by=by, mu=mu, paired=paired, where=expr, level=level)
    doc = {"test": "t", **res.to_dict(), "by": by, "design": design_summary(design),
           "where": where}
    pct = f"{level * 100:g}%"
    lines = [f"Design-based {res.method} t-test: {res.variable}"
             + (f" by {by}" if by else ""),
             f"  estimate ({res.contrast}) = {res.estimate:.6g}, std_error = {res.std_error:.4g}",
             f"  t = {res.statistic:.4f}, df = {res.df:g}, p-value = {p_text(res.p_value)}",
             f"  {pct} interval: {res.conf_low:.6g} to {res.conf_high:.6g}; n = {res.n}",
             _caption(design, where)]
    _emit(doc, fmt, lines)


@click.command("ranktest")
@click.option("--var", "-v", "variable", required=True,
              help="Variable to rank (numeric, or an ordered category).")
@click.option("--by", required=True, help="Grouping column (two or more values).")
@click.option("--test", type=click.Choice(["wilcoxon", "vanderwaerden", "median",
                                           "kruskalwallis"]), default="wilcoxon",
              show_default=True, help="Rank scores: ranks (wilcoxon, kruskalwallis), normal "
                                      "scores (vanderwaerden), above the median (median).")
@where_option
@format_option
@design_options
def ranktest_cmd(variable: str, by: str, test: str, where: str | None, fmt: str,
                 design: DesignArgs) -> None:
    """Design-based rank test across groups, as R's svyranktest.

    Two groups: t statistic of the difference in mean rank score (df = design df - 1).
    More groups: a Wald chi-square on df = groups - 1, its p-value from F(df, ddf)
    with ddf = design df - df (R prints the chi-square as Chisq).

    \b
    Examples:
      survey stats ranktest apistrat.csv --var api00 --by sch.wide --strata stype --weight pw \\
          --fpc fpc
      survey stats ranktest apistrat.csv --var meals --by stype --test kruskalwallis \\
          --strata stype --weight pw --fpc fpc
    """
    from survey.estimators import ranktest

    sf, expr = _load(design, [variable, by], where)
    res = ranktest(sf, variable, by=by, test=test, where=expr)  # type: ignore[arg-type]
    doc = {**res.to_dict(), "design": design_summary(design), "where": where}
    groups = ", ".join(res.groups)
    if res.ddf is None:
        stat = f"t = {res.statistic:.4f}, df = {res.df:g}"
        est = [f"  difference in mean rank score ({res.groups[1]} - {res.groups[0]}) = "
               f"{res.estimate:.4g}, std_error = {res.std_error:.4g}"]
    else:
        stat = f"Chisq = {res.statistic:.4f}, df = {res.df:g}, ddf = {res.ddf:g}"
        est = []
    lines = [f"{res.method}: {variable} by {by} ({groups})", *est,
             f"  {stat}, p-value = {p_text(res.p_value)}; n = {res.n}", _caption(design, where)]
    _emit(doc, fmt, lines)
