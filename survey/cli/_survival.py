"""``survey stats km|logrank|cox``: survival under a design, as R's svykm, svylogrank
and svycoxph.

A thin shell over :mod:`survey.models`: read the named columns, bind the design (the
shared design flags), estimate, print. ``--status`` is a 0/1 (or 1/2, or logical)
column, or a condition such as ``"status > 0"``; Cox's ``Surv(T, E)`` is parsed by
the library.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Sequence
from typing import Any

import click
import polars as pl

from survey.bind import formula_columns
from survey.cli._design_opts import (
    DesignArgs,
    design_options,
    design_summary,
    format_option,
    open_data,
    parse_where,
    read_design,
    read_design_where,
    resolve_columns,
    where_caption,
    where_option,
)
from survey.cli._output import emit_frame, json_doc, p_text

__all__ = ["cox_cmd", "km_cmd", "logrank_cmd"]

_TIME = click.option("--time", "time", required=True, help="Follow-up time column.")
_STATUS = click.option("--status", "status", required=True,
                       help="Event indicator: a column (1 = event, 0 = censored; 1/2 or "
                            "logical as R's Surv) or a condition such as \"status > 0\".")


def _times(ctx: click.Context, param: click.Parameter, value: str | None
           ) -> tuple[float, ...] | None:
    if value is None:
        return None
    try:
        return tuple(float(v) for v in value.split(",") if v.strip())
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a comma-separated list of times") from None


def _load(design: DesignArgs, columns: Sequence[str], status: str, where: str | None,
          *, param: str = "--time") -> tuple[Any, pl.Expr | str, pl.Expr | None]:
    """Bind the design over the named columns; the status as a column or a condition."""
    source = open_data(design)
    available = list(source.columns)
    resolve_columns(list(columns), available, param=param)
    status_arg: pl.Expr | str
    if re.fullmatch(r"[A-Za-z_][\w.]*", status):  # a bare name: it must be a column
        resolve_columns([status], available, param="--status")
    if status in available:
        status_arg, extra = status, [status]
    else:
        status_arg = parse_where(status, available)
        extra = status_arg.meta.root_names()
    sf, expr = read_design_where(design, source, [*columns, *extra], where)
    return sf, status_arg, expr


def _num(v: Any) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return ""
    return f"{v:.6g}" if isinstance(v, float) else str(v)


def _table(frame: pl.DataFrame, fmt: str, doc: dict[str, Any], title: str, caption: str) -> None:
    emit_frame(frame, fmt, doc, title=title, caption=caption,
               cell=lambda c, v: p_text(v) if c == "p_value" else _num(v))


@click.command("km")
@_TIME
@_STATUS
@click.option("--by", help="One curve per value of this column (each a domain).")
@click.option("--times", callback=_times, metavar="T1,T2,...",
              help="Report the curve at these times (R's confint.svykm) instead of at "
                   "every event time.")
@click.option("--no-se", "no_se", is_flag=True,
              help="The product-limit curve without standard errors (R's se=FALSE).")
@where_option
@click.option("--conf", "level", type=click.FloatRange(0, 1, min_open=True, max_open=True),
              default=0.95, show_default=True, help="Confidence level.")
@format_option
@design_options
def km_cmd(time: str, status: str, by: str | None, times: tuple[float, ...] | None,
           no_se: bool, where: str | None, level: float, fmt: str, design: DesignArgs) -> None:
    """Survival curves with design-based standard errors, as R's svykm(..., se=TRUE).

    The curve is exp(-cumulative hazard) at each event time, with R's varlog and the
    interval of confint.svykm (on the log scale, upper end capped at 1); std_error is
    the survival's (delta method), std_error_log the cumulative hazard's.

    \b
    Examples:
      survey stats km pbc.csv --time time --status "status > 0" --strata edema --weight wt
      survey stats km pbc.csv --time time --status death --by sex --times 365,1825 \\
          --strata edema --weight wt --format json
    """
    from survey.models import svykm

    cols = [time, *([by] if by else [])]
    sf, status_arg, expr = _load(design, cols, status, where)
    res = svykm(sf, time, status_arg, by=by, where=expr, se=not no_se, level=level)
    frame = res.to_frame() if times is None else res.at(times)
    doc = {**res.to_dict(), "rows": frame.to_dicts(), "time": time, "status": status,
           "design": design_summary(design), "where": where}
    what = "exp(-cumulative hazard)" if res.se else "product-limit"
    _table(frame, fmt, doc, f"survival of {time} ({what}, R's svykm)", where_caption(design, where))


@click.command("logrank")
@_TIME
@_STATUS
@click.option("--by", required=True, help="The groups to compare (two or more values).")
@click.option("--rho", type=float, default=0.0, show_default=True,
              help="Fleming-Harrington weight S(t-)^rho (1: Prentice's Wilcoxon).")
@click.option("--gamma", type=float, default=0.0, show_default=True,
              help="Fleming-Harrington weight (1 - S(t-))^gamma.")
@where_option
@format_option
@design_options
def logrank_cmd(time: str, status: str, by: str, rho: float, gamma: float, where: str | None,
                fmt: str, design: DesignArgs) -> None:
    """Design-based log-rank test across groups, as R's svylogrank.

    Chi-square U' V^-1 U on groups - 1 df from the design total U of the weighted
    observed-minus-expected events and its design covariance V; --rho/--gamma give the
    G(rho, gamma) family (R's defaults 0, 0: the log-rank test).

    \b
    Examples:
      survey stats logrank pbc.csv --time time --status death --by trt --strata edema --weight wt
    """
    from survey.models import svylogrank

    sf, status_arg, expr = _load(design, [time, by], status, where)
    res = svylogrank(sf, time, status_arg, by, rho=rho, gamma=gamma, where=expr)
    doc = {**res.to_dict(), "time": time, "status": status, "design": design_summary(design),
           "where": where}
    if fmt == "csv":
        sys.stdout.write(pl.DataFrame([{k: v for k, v in doc.items()
                                        if not isinstance(v, list | dict)}]).write_csv())
        return
    if fmt == "json":
        click.echo(json_doc(doc))
        return
    name = "log-rank" if rho == 0 and gamma == 0 else f"G(rho={rho:g}, gamma={gamma:g})"
    click.echo(f"Design-based {name} test: {time} by {by} ({', '.join(map(str, res.levels))})")
    click.echo(f"  Chisq = {res.statistic:.4f}, df = {res.df}, p-value = {p_text(res.p_value)}")
    click.echo("  " + where_caption(design, where))


@click.command("cox")
@click.option("--formula", "-f", required=True,
              help="\"Surv(TIME, STATUS) ~ x + C(g)\": time and event on the left (the status "
                   "a 0/1 column or a condition such as status > 0), a patsy right-hand side.")
@click.option("--ties", type=click.Choice(["efron", "breslow"]), default="efron",
              show_default=True, help="Tied event times, as R's coxph (default Efron).")
@where_option
@click.option("--conf", "level", type=click.FloatRange(0, 1, min_open=True, max_open=True),
              default=0.95, show_default=True, help="Confidence level.")
@format_option
@design_options
def cox_cmd(formula: str, ties: str, where: str | None, level: float, fmt: str,
            design: DesignArgs) -> None:
    """Design-based Cox regression, as R's svycoxph: log hazard ratios (estimate), their
    design-based standard errors and the hazard ratios (ratio).

    \b
    Examples:
      survey stats cox pbc.csv --formula "Surv(time, status > 0) ~ log_bili + protime + albumin" \\
          --strata edema --weight wt
    """
    from survey.models import svycoxph

    source = open_data(design)
    available = list(source.columns)
    expr = parse_where(where, available) if where else None
    wanted = [*formula_columns(formula, available),
              *(expr.meta.root_names() if expr is not None else [])]
    sf = read_design(design, source, wanted)
    res = svycoxph(sf, formula, where=expr, ties=ties, level=level)  # type: ignore[arg-type]
    doc = {**res.to_dict(), "design": design_summary(design), "where": where}
    frame = res.terms.select("term", "estimate", "std_error", "ratio", "ratio_low",
                             "ratio_high", "p_value") if fmt == "table" else res.terms
    _table(frame, fmt, doc, f"Cox regression ({ties} ties, R's svycoxph): {formula}",
           f"{res.n} rows, {res.events} events; {res.method}; {where_caption(design, where)}")
