"""``survey stats gof``: goodness of fit of a categorical variable to known population
shares, as R's ``svygofchisq``. A thin shell over :func:`survey.estimators.gof`; the
expected shares come from a margins file (``variable,category,population``)."""

from __future__ import annotations

import click

from survey.cli._design_opts import DesignArgs, bind_design, design_options, where_option
from survey.cli._stats import _as_categories, _emit_test, _plan

__all__ = ["gof_cmd"]


@click.command("gof")
@click.option("--var", "-v", "variable", required=True, help="Categorical variable.")
@click.option("--expected", required=True, type=click.Path(dir_okay=False),
              help="Margins CSV (variable,category,population, as for `survey weight`): the "
                   "variable's population counts or shares.")
@where_option
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True)
@design_options
def gof_cmd(variable: str, expected: str, where: str | None, fmt: str,
            design: DesignArgs) -> None:
    """Design-based chi-squared test that a variable's shares are the population's, as
    R's svygofchisq (Pearson's X^2 on the estimated totals, referred to the design's
    linear combination of chi-squares by Satterthwaite's approximation).

    \b
    Example:
      survey stats gof wave.parquet --var division --expected population_2025.csv
    """
    from survey.estimators import gof
    from survey.weighting import read_margins

    margin = read_margins(expected).select(variable).margins
    if not margin:
        raise click.BadParameter(f"{expected} gives no categories of {variable!r}",
                                 param_hint="--expected")
    shares = {c[0]: p for c, p in zip(margin[0].categories, margin[0].population, strict=True)}
    plan = _plan(design, [variable], (), where)
    frame, _ = _as_categories(plan.frame, variable)
    sf = bind_design(frame, design, plan.source)
    res = gof(sf, variable, shares, where=plan.where)
    _emit_test(res, variable, expected, fmt, where)
