"""``survey stats marginpred``: predictions standardised to the sample's margins by raking,
as R's ``marginpred(model, adjustfor, predictat)`` on a ``svyglm``.

A thin shell over :func:`survey.models.marginpred`: read the columns of the formula and
the adjustment variables, bind the design (the shared design flags), fit the glm, rake,
predict at the ``--predict-at`` points. The models load patsy and scipy, so they are
imported inside the command (the ``stats`` group loads this module only when run).
"""

from __future__ import annotations

import math
import sys
from typing import Any

import click
import polars as pl

from survey.bind import formula_columns
from survey.cli._boxes import Column, box_table
from survey.cli._design_opts import (
    DesignArgs,
    design_caption,
    design_options,
    design_summary,
    open_data,
    parse_where,
    read_design,
    where_option,
)
from survey.cli._output import json_doc
from survey.errors import ModelError

__all__ = ["marginpred_cmd"]

_FAMILIES = ("gaussian", "binomial", "quasibinomial", "poisson", "quasipoisson", "gamma",
             "inverse-gaussian")
_LINKS = ("logit", "probit", "cloglog", "cauchit", "log", "identity", "inverse", "sqrt",
          "1/mu^2")


def _adjust_formula(spec: str) -> str:
    """``--adjust-for``: comma-separated variables, or a right-hand side ``"~ a + C(b)"``."""
    if "~" in spec:
        return spec
    names = [v.strip() for v in spec.split(",") if v.strip()]
    if not names:
        raise ModelError("no adjustment variables", location="--adjust-for",
                        hint="--adjust-for age_band,institution_type")
    return "~ " + " + ".join(names)


@click.command("marginpred")
@click.option("--formula", "-f", required=True,
              help="The model, in R's spelling, without the adjustment variables: "
                   "\"api00 ~ meals + C(stype)\".")
@click.option("--adjust-for", "adjust", required=True, metavar="VARS",
              help="Variables the predictions are standardised over (not in --formula): "
                   "comma-separated, \"yr.rnd,both\", or a right-hand side \"~ a + C(b)\".")
@click.option("--predict-at", "predict_at", required=True, metavar="FILE|SPEC",
              help="The prediction points: a csv with a column per model variable, one row "
                   "a point, or \"meals=20,50,80; stype=E,H,M\" (lists zipped into rows, a "
                   "single value repeated).")
@click.option("--family", type=click.Choice(_FAMILIES, case_sensitive=False),
              default="gaussian", show_default=True, help="As `survey stats glm --family`.")
@click.option("--link", type=click.Choice(_LINKS), help="Default: the family's R default.")
@click.option("--type", "pred_type", type=click.Choice(["link", "response"]), default="link",
              show_default=True,
              help="link: the linear predictor (R's predict default); response: the mean, "
                   "its SE by the delta method (R's type='response').")
@where_option
@click.option("--conf", "level", type=click.FloatRange(0, 1, min_open=True, max_open=True),
              default=0.95, show_default=True, help="Confidence level.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]),
              default="table", show_default=True)
@design_options
def marginpred_cmd(formula: str, adjust: str, predict_at: str, family: str, link: str | None,
                   pred_type: str, where: str | None, level: float, fmt: str,
                   design: DesignArgs) -> None:
    """Model predictions standardised to the sample's margins of other variables, as R's
    marginpred(svyglm(...), adjustfor, predictat).

    The sample is raked so that the adjustment variables are uncorrelated with the
    model's predictors under the weights; the model is refitted with the raked weights
    on the same design and predicted at each point. Linearisation designs only (no
    --replicate, --replicate-weights, --rake or --poststratify). Intervals: t on the
    residual design df, built on the link scale.

    \b
    Examples:
      survey stats marginpred apistrat.csv -f "api00 ~ meals + C(stype)" \\
          --adjust-for yr.rnd --predict-at "meals=20,50,80; stype=E,H,M" \\
          --strata stype --weight pw --fpc fpc
      survey stats marginpred apiclus1.csv -f "Q('sch.wide') ~ meals + C(stype)" \\
          --family binomial --type response --adjust-for comp.imp,both \\
          --predict-at points.csv --psu dnum --weight pw --fpc fpc
    """
    from survey.models import marginpred, prediction_points, svyglm

    if design.spec.replicate or design.spec.replicate_weights:
        raise ModelError("marginpred rakes the sampling weights, so it needs a linearisation "
                         "design: drop --replicate/--replicate-weights (R's marginpred fails "
                         "on replicate designs too)")
    if design.spec.weighting:
        raise ModelError("marginpred rakes the sampling weights itself: drop --rake/"
                         "--poststratify and give the design's --weight")
    try:
        points = prediction_points(predict_at)
    except ModelError as exc:
        raise _in_flag_words(exc) from None
    adjustfor = _adjust_formula(adjust)
    source = open_data(design)
    available = list(source.columns)
    cond = parse_where(where, available) if where else None
    wanted = [*formula_columns(formula, available), *formula_columns(adjustfor, available),
              *(cond.meta.root_names() if cond is not None else ())]
    sf = read_design(design, source, wanted)
    if sf.is_replicate or sf.calibration is not None:
        raise ModelError("marginpred needs the sampling weights, not a replicate or "
                         "calibrated design (as a `survey weight` file stores): give the "
                         "unweighted data with --weight and the design flags")
    model = svyglm(sf, formula, family=family, link=link,  # type: ignore[arg-type]
                   where=cond, level=level)
    try:
        points = prediction_points(points, schema=sf.frame.schema)
        table = marginpred(model, adjustfor, points, scale=pred_type,  # type: ignore[arg-type]
                           level=level)
    except ModelError as exc:
        raise _in_flag_words(exc) from None
    if fmt == "csv":
        sys.stdout.write(table.write_csv())
    elif fmt == "json":
        click.echo(json_doc({
            "command": "marginpred", "formula": model.formula, "family": model.family,
            "link": model.link, "adjust_for": adjustfor, "type": pred_type, "level": level,
            "n": model.n, "df_resid": model.df_resid, "design": design_summary(design),
            "where": where, "predictions": table.to_dicts()}))
    else:
        _render(table, model, adjustfor, pred_type, design, where)


_FLAGS = {"adjustfor": "--adjust-for", "profiles": "--predict-at", "predictat": "--predict-at"}


def _in_flag_words(exc: ModelError) -> ModelError:
    """The library's error with the flags for its arguments: ``--adjust-for``, not
    ``adjustfor``; the adjustment variables in the model get a hint."""
    message = exc.message.removeprefix("adjustfor: ").replace("the profiles", "the points")
    hint = exc.hint
    if "all in the model" in message:
        hint = "--adjust-for names variables that are not in --formula"
    return ModelError(message, location=_FLAGS.get(exc.location or "", exc.location),
                      hint=hint, problems=exc.problems)


def _render(table: pl.DataFrame, model: Any, adjustfor: str, scale: str, design: DesignArgs,
            where: str | None) -> None:
    pct = f"{model.level * 100:g}%"
    keys = [c for c in table.columns if c not in ("estimate", "std_error", "conf_low",
                                                  "conf_high")]
    rows = [[*(str(r[k]) for k in keys), _num(r["estimate"]), _num(r["std_error"]),
             f"{_num(r['conf_low'])} to {_num(r['conf_high'])}"]
            for r in table.iter_rows(named=True)]
    heads = [*(Column(k) for k in keys), Column("estimate", right=True),
             Column("std_error", right=True), Column(f"{pct} CI", right=True)]
    caption = (design_caption(design) + (f"; where {where}" if where else "")
               + f"; n = {model.n}; {scale} scale, t on {model.df_resid:g} df")
    click.echo(box_table(heads, rows, caption=caption,
                         title=f"{model.family}/{model.link} {model.formula}, standardised "
                               f"over {adjustfor.lstrip('~ ')} (R's marginpred)"))


def _num(v: float | None) -> str:
    if v is None or not math.isfinite(v):
        return "" if v is None else "NA"
    return f"{v:.4g}" if abs(v) < 1000 else f"{v:,.1f}"
