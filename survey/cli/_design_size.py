"""``survey design-size ...``: planning the next wave (sample size, allocation, power)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from survey.cli._boxes import Column, box_table
from survey.cli._output import json_doc

__all__ = ["design_size"]


def _fmt_opt(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
                        show_default=True)(f)


_LEVEL = click.option("--conf", "level", type=click.FloatRange(0, 1, min_open=True, max_open=True),
                      default=0.95, show_default=True, help="Confidence level.")
_DEFF = click.option("--deff", type=click.FloatRange(0, min_open=True), default=1.0, show_default=True,
                     help="Design effect (Kish): the variance against a simple random sample.")
_POP = click.option("--population", "-N", type=click.IntRange(2), default=None,
                    help="Population (frame) size N, for the finite population correction.")
_RR = click.option("--response-rate", type=click.FloatRange(0, 1, min_open=True), default=1.0,
                   show_default=True, help="Expected response rate: invitations = completes / rate.")


def _kv_table(title: str, rows: Sequence[tuple[str, str]], caption: str | None = None) -> str:
    return box_table([Column("quantity"), Column("value", right=True)], [list(r) for r in rows],
                     title=title, caption=caption)


def _pct(x: float | None) -> str:
    return "" if x is None else f"{100 * x:.1f}%"


@click.group("design-size")
def design_size() -> None:
    """Plan a wave: completes and invitations for a target precision, allocation, power.

    \b
    Formulas (Cochran 1977; Kish 1965) and a worked example: docs/design_size.md.
    Examples:
      survey design-size proportion --p 0.6 --moe 0.05 --population 1100 --response-rate 0.4
      survey design-size allocate --n 277 --strata sample_data/population_2025.csv --variable division --min-per-stratum 30
      survey design-size moe --n 200 --p 0.615
      survey design-size power --p1 0.615 --p2 0.494 --n 200 --overlap 0.2 --correlation 0.5
    """


def _size_cmd(kind: str) -> click.Command:
    def cmd(value: float, sd_mean: float | None, moe: float | None, cv: float | None, level: float,
            deff: float, population: int | None, response_rate: float, fmt: str) -> None:
        from survey.design import sample_size

        if kind == "proportion":
            res = sample_size(p=value, moe=moe, cv=cv, level=level, deff=deff, population=population,
                              response_rate=response_rate)
        else:
            res = sample_size(sd=value, mean=sd_mean, moe=moe, cv=cv, level=level, deff=deff,
                              population=population, response_rate=response_rate)
        if fmt == "json":
            click.echo(json_doc(res.to_dict()))
            return
        target = (f"±{100 * moe:.1f} points" if kind == "proportion" else f"±{moe:g}") if moe is not None \
            else f"cv {cv:g}"
        rows = [("target", f"{target} at {100 * level:g}%"),
                ("design effect", f"{deff:g}"),
                ("n before fpc (n0)", f"{res.n0:.1f}"),
                ("population N", "" if population is None else f"{population:,}"),
                ("completes needed (n)", f"{res.n:,}"),
                ("response rate", _pct(response_rate)),
                ("invitations", f"{res.invitations:,}")]
        click.echo(_kv_table(f"Sample size for a {kind}", rows))

    params = [
        click.option("--moe", type=click.FloatRange(0, min_open=True), default=None,
                     help="Target margin of error (half-width): 0.05 is ±5 points for a proportion."),
        click.option("--cv", type=click.FloatRange(0, min_open=True), default=None,
                     help="Target coefficient of variation instead of --moe."),
        _LEVEL, _DEFF, _POP, _RR, _fmt_opt,
    ]
    if kind == "proportion":
        params.insert(0, click.option("--p", "value", type=float, default=0.5, show_default=True,
                                      help="Expected proportion (0.5 is the most conservative)."))
        params.insert(1, click.option("--mean", "sd_mean", hidden=True, type=float, default=None))
        doc = "Completes and invitations for a proportion at a margin of error (Cochran 4.2)."
    else:
        params.insert(0, click.option("--sd", "value", type=float, required=True,
                                      help="Expected standard deviation of the question."))
        params.insert(1, click.option("--mean", "sd_mean", type=float, default=None,
                                      help="Expected mean (needed with --cv)."))
        doc = "Completes and invitations for a mean at a margin of error or CV."
    for p in reversed(params):
        cmd = p(cmd)
    return design_size.command(kind, help=doc)(cmd)


proportion_cmd = _size_cmd("proportion")
mean_cmd = _size_cmd("mean")


@design_size.command("moe")
@click.option("--n", "n", type=click.IntRange(1), required=True, help="Completed interviews.")
@click.option("--p", type=float, default=None, help="Expected proportion (default 0.5, the widest).")
@click.option("--sd", type=float, default=None, help="Standard deviation, for a mean.")
@_LEVEL
@_DEFF
@_POP
@_fmt_opt
def moe_cmd(n: int, p: float | None, sd: float | None, level: float, deff: float,
            population: int | None, fmt: str) -> None:
    """The margin of error a sample of --n completes achieves."""
    from survey.design import margin_of_error

    res = margin_of_error(n, p=p, sd=sd, level=level, deff=deff, population=population)
    if fmt == "json":
        click.echo(json_doc(res.to_dict()))
        return
    scale = 100 if res.statistic == "proportion" else 1
    unit = " points" if res.statistic == "proportion" else ""
    rows = [("completes", f"{n:,}"), ("population N", "" if population is None else f"{population:,}"),
            ("design effect", f"{deff:g}"), ("standard error", f"{scale * res.std_error:.3g}{unit}"),
            (f"margin of error ({100 * level:g}%)", f"±{scale * res.moe:.2f}{unit}")]
    click.echo(_kv_table(f"Margin of error of a {res.statistic}", rows))


@design_size.command("allocate")
@click.option("--n", "n", type=click.IntRange(1), required=True, help="Completes to allocate.")
@click.option("--strata", "strata_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              required=True, help="csv with stratum,population[,sd], or a margins file "
                                  "(variable,category,population) with --variable.")
@click.option("--variable", default=None, help="The margin of a margins file that gives the strata.")
@click.option("--method", type=click.Choice(["proportional", "neyman", "equal"]), default="proportional",
              show_default=True)
@click.option("--sd-column", default=None, help="Column of stratum standard deviations (Neyman).")
@click.option("--min-per-stratum", type=click.IntRange(0), default=0, show_default=True)
@_RR
@_fmt_opt
def allocate_cmd(n: int, strata_file: Path, variable: str | None, method: str, sd_column: str | None,
                 min_per_stratum: int, response_rate: float, fmt: str) -> None:
    """Share --n completes across strata (proportional, Neyman, equal), with a minimum each."""
    from survey.design import allocate

    if method == "neyman" and sd_column is None:
        sd_column = "sd"
    from survey.design import read_strata
    from survey.errors import SpecError

    try:
        pop, sd = read_strata(strata_file, variable=variable, sd_column=sd_column)
    except SpecError as exc:
        raise exc.named({"variable": "--variable", "strata": "--strata",
                         "sd_column": "--sd-column"}) from None
    res = allocate(n, pop, method=method, sd=sd, min_per_stratum=min_per_stratum,  # type: ignore[arg-type]
                   response_rate=response_rate)
    if fmt == "json":
        click.echo(json_doc(res.to_dict()))
        return
    t = res.table
    show_sd = t["sd"].null_count() < t.height
    rows = [[r["stratum"], f"{r['population']:,}", *([f"{r['sd']:g}"] if show_sd else []),
             f"{r['n']:,}", f"{100 * r['n'] / r['population']:.1f}%", f"{r['invitations']:,}"]
            for r in t.iter_rows(named=True)]
    rows.append(["total", f"{int(t['population'].sum()):,}", *([""] if show_sd else []),
                 f"{int(t['n'].sum()):,}", f"{100 * t['n'].sum() / t['population'].sum():.1f}%",
                 f"{int(t['invitations'].sum()):,}"])
    cols = [Column("stratum"), Column("population", right=True),
            *([Column("sd", right=True)] if show_sd else []),
            Column("completes", right=True), Column("sampling fraction", right=True),
            Column("invitations", right=True)]
    click.echo(box_table(cols, rows, title=f"Allocation of {n:,} completes ({method}"
                         f"{f', at least {min_per_stratum} each' if min_per_stratum else ''})",
                         caption=f"invitations at a {100 * response_rate:g}% response rate"))


@design_size.command("power")
@click.option("--p1", type=float, required=True, help="First wave's proportion (or mean with --sd).")
@click.option("--p2", type=float, required=True, help="Second wave's proportion (or mean with --sd).")
@click.option("--n", "n", type=click.IntRange(2), default=None,
              help="Completes per wave: report the power. Without it, the n for --power.")
@click.option("--power", "target", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=0.8,
              show_default=True, help="Target power when --n is not given.")
@click.option("--sd", type=float, default=None, help="Standard deviation, for a change in a mean.")
@click.option("--overlap", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="Share of the members in both waves.")
@click.option("--correlation", type=click.FloatRange(-1, 1), default=0.0, show_default=True,
              help="Correlation of a member's answers between waves.")
@_LEVEL
@_DEFF
@_fmt_opt
def power_cmd(p1: float, p2: float, n: int | None, target: float, sd: float | None, overlap: float,
              correlation: float, level: float, deff: float, fmt: str) -> None:
    """Power to detect a change between two waves, or the completes per wave it needs."""
    from survey.design import power_change, sample_size_change

    kw = dict(sd=sd, level=level, deff=deff, overlap=overlap, correlation=correlation)
    res = power_change(p1, p2, n, **kw) if n is not None else sample_size_change(p1, p2, power=target, **kw)  # type: ignore[arg-type]
    if fmt == "json":
        click.echo(json_doc(res.to_dict()))
        return
    prop = sd is None
    show = _pct if prop else (lambda x: f"{x:g}")
    rows = [("first wave", show(p1)), ("second wave", show(p2)),
            ("change", f"{100 * (p1 - p2):+.1f} points" if prop else f"{p1 - p2:+g}"),
            ("panel overlap / correlation", f"{100 * overlap:g}% / {correlation:g}"),
            ("design effect", f"{deff:g}"),
            ("completes per wave", f"{res.n:,}"),
            ("standard error of the change", f"{100 * res.std_error:.2f} points" if prop else f"{res.std_error:.4g}"),
            (f"power (two-sided, {100 * (1 - level):g}% level)", f"{100 * res.power:.1f}%")]
    click.echo(_kv_table("Power for a change between waves" if n is not None else
                         f"Completes per wave for {100 * target:g}% power", rows))
