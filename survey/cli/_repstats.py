"""``survey stats gini|percentile-ratio``: statistics whose standard errors come from
replicate weights (R's ``withReplicates``) or, for the Gini coefficient on a
linearisation design, from convey's influence function.

A thin shell over :func:`survey.estimators.gini` and
:func:`~survey.estimators.percentile_ratio`: read, bind the design (the shared design and
replicate flags), estimate, print one row.
"""

from __future__ import annotations

import click

from survey.cli._design_opts import (
    DesignArgs,
    bind_design,
    design_options,
    format_option,
    where_option,
)
from survey.cli._stats import _emit, _plan
from survey.estimators._quantile import QUANTILE_RULES

__all__ = ["gini_cmd", "percentile_ratio_cmd"]

_LEVEL = click.option("--conf", "level", type=click.FloatRange(0, 1, min_open=True, max_open=True),
                      default=0.95, show_default=True, help="Confidence level (Wald, normal).")


@click.command("gini")
@click.option("--var", "-v", "variable", required=True, help="Numeric variable (an amount).")
@where_option
@_LEVEL
@format_option
@design_options
def gini_cmd(variable: str, where: str | None, level: float, fmt: str,
             design: DesignArgs) -> None:
    """The Gini coefficient with its standard error, as the convey package's svygini.

    With replicate weights (--replicate, --replicate-weights) the coefficient is
    recomputed under every replicate; otherwise its influence function is linearised
    over the design (strata, clusters, fpc, weighting), as convey does.

    \b
    Example:
      survey stats gini apiclus1.csv --var api00 --psu dnum --weight pw
      survey stats gini apiclus1.csv --var api00 --psu dnum --weight pw --replicate jk1
    """
    from survey.estimators import gini

    plan = _plan(design, [variable], (), where)
    sf = bind_design(plan.frame, design, plan.source)
    _emit([gini(sf, variable, where=plan.where, level=level)], fmt, design, where)


def _ratio(ctx: click.Context, param: click.Parameter, value: str) -> tuple[float, float]:
    parts = value.split("/")
    try:
        hi, lo = (float(p) for p in parts)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not two percentiles HIGH/LOW, e.g. 90/10",
                                 param_hint="--ratio") from None
    return hi, lo


@click.command("percentile-ratio")
@click.option("--var", "-v", "variable", required=True, help="Numeric variable (an amount).")
@click.option("--ratio", default="90/10", show_default=True, callback=_ratio, metavar="HIGH/LOW",
              help="The two percentiles, e.g. 90/10, 80/20, 50/10.")
@click.option("--qrule", type=click.Choice(QUANTILE_RULES), default="math", show_default=True,
              help="Quantile rule, as svyquantile's qrule (math: R's default).")
@where_option
@_LEVEL
@format_option
@design_options
def percentile_ratio_cmd(variable: str, ratio: tuple[float, float], qrule: str,
                         where: str | None, level: float, fmt: str, design: DesignArgs) -> None:
    """A ratio of two percentiles (P90/P10) with its replicate standard error, as R's
    withReplicates over svyquantile's rule. Needs replicate weights: --replicate
    (created from the design) or --replicate-weights (supplied).

    \b
    Example:
      survey stats percentile-ratio apiclus1.csv --var api00 --ratio 90/10 \\
          --psu dnum --weight pw --replicate jk1
    """
    from survey.estimators import percentile_ratio

    plan = _plan(design, [variable], (), where)
    sf = bind_design(plan.frame, design, plan.source)
    _emit([percentile_ratio(sf, variable, ratio=ratio, qrule_name=qrule,  # type: ignore[arg-type]
                            where=plan.where, level=level)], fmt, design, where)
