"""``survey stats logit|ologit|glm``: design-based models, as R's svyglm and svyolr.

A thin shell over :mod:`survey.models`: read the columns the formula names, bind
the design (the shared design flags), fit, print the odds ratios. The models load
statsmodels' patsy, pandas and scipy, so they are imported inside the commands:
``survey stats --help`` and the other ``stats`` commands stay fast.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import click
import polars as pl

from survey.bind import formula_columns
from survey.cli._boxes import Column, box_table
from survey.cli._compare_opts import emit_combined_models, emit_imputed_models
from survey.cli._design_opts import (
    DesignArgs,
    design_options,
    design_caption,
    design_summary,
    open_data,
    parse_where,
    read_design,
    where_option,
)
from survey.cli._output import json_doc, p_text

if TYPE_CHECKING:
    from survey.design import SurveyFrame
    from survey.models import ModelResult

__all__ = ["glm_cmd", "logit_cmd", "ologit_cmd"]

def _common(f: Any) -> Any:
    for deco in reversed([
        click.option("--formula", "-f", required=True,
                     help="Model formula in R's spelling: \"y ~ x + C(g, Treatment('ref')) + "
                          "x:z + I(api.stu^2) + offset(log(api.stu))\"; columns and the "
                          "transforms of docs/models.md only (nothing else is evaluated)."),
        where_option,
        click.option("--conf", "level", type=click.FloatRange(0, 1, min_open=True, max_open=True),
                     default=0.95, show_default=True, help="Confidence level."),
        click.option("--test", "tests", multiple=True, metavar="TERM",
                     help="Test that a term's coefficients are all zero, as R's "
                          "regTermTest (repeatable; comma-separate terms to test them jointly)."),
        click.option("--test-method", type=click.Choice(["wald", "lrt"]), default="wald",
                     show_default=True,
                     help="wald: R's regTermTest Wald F; lrt: the Rao-Scott working "
                          "likelihood ratio, as regTermTest(method='LRT') (saddlepoint p)."),
        click.option("--forest-plot", type=click.Path(dir_okay=False),
                     help="Also draw the odds ratios (logit link) or ratios (log link) to this file "
                          "(.png, .pdf, .svg)."),
        click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]),
                     default="table", show_default=True),
    ]):
        f = deco(f)
    return f


def _load(design: DesignArgs, formula: str, exprs: dict[str, str | None],
          extra: Sequence[str] = ()) -> tuple[SurveyFrame, dict[str, pl.Expr | None]]:
    """Read the formula's and conditions' columns (and ``extra``), bind the design, parse
    the conditions."""
    source = open_data(design)
    available = list(source.columns)
    parsed = {k: parse_where(v, available) if v else None for k, v in exprs.items()}
    wanted = [*formula_columns(formula, available), *extra,
              *(n for e in parsed.values() if e is not None for n in e.meta.root_names())]
    return read_design(design, source, wanted), parsed


def _margins_option(f: Any) -> Any:
    return click.option(
        "--margins", multiple=True, metavar="FACTOR",
        help="Predictive margins of a categorical predictor: the mean outcome (or "
             "probability) with every respondent set to each level, as R's svypredmeans "
             "(repeatable).")(f)


def _maximal_option(f: Any) -> Any:
    return click.option(
        "--maximal", metavar="FORMULA",
        help="BIC against this maximal model (holding every term of --formula), as R's "
             "BIC(model, maximal=); default the model itself. Compare models by their BIC "
             "against the same maximal model.")(f)


@click.command("logit")
@_common
@_maximal_option
@click.option("--outcome", metavar="SQL",
              help="The outcome as an SQL condition (the formula then starts with ~), e.g. "
                   "\"intent IN ('Accepted', 'Seriously considering')\".")
@click.option("--firth", is_flag=True,
              help="Firth's penalised likelihood (bias-reduced; finite under separation), "
                   "as R's brglm2.")
@_margins_option
@design_options
def logit_cmd(formula: str, where: str | None, level: float, tests: tuple[str, ...],
              test_method: str, forest_plot: str | None, fmt: str, maximal: str | None,
              outcome: str | None, firth: bool, margins: tuple[str, ...],
              design: DesignArgs) -> None:
    """Design-based logistic regression with odds ratios, as R's svyglm(quasibinomial).

    Intervals use t quantiles on the residual design degrees of freedom (R's
    confint); --where fits the model on a domain of the full design. Under
    separation the fit stops with the predictor named: refit with --firth.

    \b
    Examples:
      survey stats logit apistrat.csv -f "Q('sch.wide') ~ api99 + meals + C(stype)" \\
          --strata stype --weight pw --fpc fpc
      survey stats logit wave.parquet \\
          -f "~ C(division, Treatment('Engineering')) + salary_multiple" \\
          --outcome "intent IN ('Accepted', 'Seriously considering')" \\
          --where "offer_received = 'Yes'" --strata division --fpc-file population.csv
    """
    from survey.errors import ModelError
    from survey.models import firth as firth_fit
    from survey.models import separation, svyglm

    def fit(design: DesignArgs, formula: str = formula) -> ModelResult:
        sf, cond = _load(design, formula, {"where": where, "outcome": outcome})
        kw = {"outcome": cond["outcome"], "where": cond["where"], "level": level}
        if firth:
            res = firth_fit(sf, formula, **kw)
        else:
            try:
                res = svyglm(sf, formula, family="binomial", **kw)
            except ModelError as exc:
                sep = separation(sf, formula, outcome=cond["outcome"], where=cond["where"])
                if not sep.separated:
                    raise
                raise ModelError(f"{sep.describe()}; refit with --firth (Firth's penalised "
                                 "likelihood) or merge the sparse levels of "
                                 f"{', '.join(sep.terms) or 'the predictors'}",
                                 location=", ".join(sep.terms) or None) from exc
        return replace(res, outcome=outcome) if outcome else res

    if design.imputations:  # one fit per completed data set, Rubin's rules
        return emit_imputed_models(fit, fmt, design, where)
    _emit(fit(design), fmt, design, where, tests, forest_plot, test_method, margins,
          fit(design, maximal) if maximal else None)


@click.command("ologit")
@_common
@click.option("--levels", help="Outcome levels lowest first, comma-separated (default: the "
                               "codebook's order; integer codes in numeric order), e.g. to "
                               "make higher mean more likely to go.")
@click.option("--link", type=click.Choice(["logit", "probit", "cloglog", "cauchit"]),
              default="logit", show_default=True,
              help="Cumulative link, as svyolr(method=): logistic, probit, cloglog (R's "
                   "pgumbel), cauchit.")
@design_options
def ologit_cmd(formula: str, where: str | None, level: float, tests: tuple[str, ...],
               test_method: str, forest_plot: str | None, fmt: str, levels: str | None,
               link: str, design: DesignArgs) -> None:
    """Design-based proportional-odds (ordinal logistic) regression, as R's svyolr.

    logit P(Y <= k) = zeta_k - x'b, so an odds ratio exp(b) is that of a higher
    level; the cut points come last, named "a|b". Intervals are normal, as R's.

    \b
    Example:
      survey stats ologit wave.parquet -f "intent ~ age_band + salary_multiple" \\
          --levels "Did not consider,Considered and declined,Seriously considering,Accepted" \\
          --where "offer_received = 'Yes'" --strata division --fpc-file population.csv
    """
    from survey.models import svyolr

    def fit(design: DesignArgs) -> ModelResult:
        sf, cond = _load(design, formula, {"where": where})
        order = [v.strip() for v in levels.split(",") if v.strip()] if levels else None
        res = svyolr(sf, formula, levels=order, where=cond["where"], level=level,
                     link=link)  # type: ignore[arg-type]
        if order and "~" in formula:  # svyolr relabels the reordered outcome as an expression
            res = replace(res, formula=formula, outcome=formula.split("~", 1)[0].strip())
        return res

    if design.imputations:  # one fit per completed data set, Rubin's rules
        return emit_imputed_models(fit, fmt, design, where)
    _emit(fit(design), fmt, design, where, tests, forest_plot, test_method, ())


_FAMILIES = ("gaussian", "binomial", "quasibinomial", "poisson", "quasipoisson", "gamma",
             "inverse-gaussian", "negative-binomial")
_LINKS = ("logit", "probit", "cloglog", "cauchit", "log", "identity", "inverse", "sqrt",
          "1/mu^2")


@click.command("glm")
@_common
@_maximal_option
@click.option("--family", type=click.Choice(_FAMILIES, case_sensitive=False),
              default="gaussian", show_default=True,
              help="gamma for skewed positive amounts (salary), quasipoisson or "
                   "negative-binomial for counts; quasi families fit as their twins.")
@click.option("--link", type=click.Choice(_LINKS), help="Default: the family's R default "
              "(gamma: inverse, as R's Gamma(); use --link log for ratios).")
@click.option("--offset", metavar="EXPR",
              help="Offset on the link scale, e.g. \"log(exposure)\" (the same as "
                   "+ offset(log(exposure)) in the formula).")
@click.option("--theta", type=click.FloatRange(0, min_open=True),
              help="Negative binomial shape, as MASS::negative.binomial(theta); default: "
                   "estimated as MASS::glm.nb with the sampling weights.")
@click.option("--theta-variance", type=click.Choice(["joint", "fixed"]), default="joint",
              show_default=True,
              help="With theta estimated: SEs from the joint sandwich of the coefficients and "
                   "theta (R's svymle, as svy), or with theta held known (svyglm at glm.nb's "
                   "theta).")
@click.option("--outcome", metavar="SQL",
              help="The outcome as an SQL expression (the formula then starts with ~).")
@click.option("--pv", "pv", multiple=True, metavar="NAME=COL1,COL2,...",
              help="Plausible values: the model is fitted once with NAME (used in --formula) "
                   "standing for each column, combined by Rubin's rules as R's "
                   "MIcombine(withPV(...)). Repeatable.")
@_margins_option
@design_options
def glm_cmd(formula: str, where: str | None, level: float, tests: tuple[str, ...],
            test_method: str, forest_plot: str | None, fmt: str, maximal: str | None,
            family: str,
            link: str | None, offset: str | None, theta: float | None, theta_variance: str,
            outcome: str | None, pv: tuple[str, ...], margins: tuple[str, ...],
            design: DesignArgs) -> None:
    """Design-based generalised linear model, as R's svyglm(family = ...).

    Estimates are on the link scale; with a log or logit link the table also gives
    exp(estimate) and its interval (ratios of means, rates or odds). Intervals use
    t quantiles on the residual design df (R's confint).

    \b
    Examples:
      survey stats glm apistrat.csv -f "api00 ~ meals + C(stype)" --family gamma \\
          --link log --strata stype --weight pw --fpc fpc --test "C(stype)" --test-method lrt
      survey stats glm apistrat.csv -f "enroll ~ meals" --family quasipoisson \\
          --offset "log(api00)" --strata stype --weight pw --margins stype
    """
    from survey.models import svyglm

    if offset:
        formula = f"{formula} + offset({offset})"

    def fit(design: DesignArgs, formula: str = formula, sf: SurveyFrame | None = None
            ) -> ModelResult:
        exprs = {"where": where, "outcome": outcome}
        if sf is None:
            sf, cond = _load(design, formula, exprs)
        else:  # a plausible value's design (--pv), its columns read already
            cond = {k: parse_where(v, sf.frame.columns) if v else None for k, v in exprs.items()}
        res = svyglm(sf, formula, family=family, link=link, theta=theta,  # type: ignore[arg-type]
                     theta_variance=theta_variance,  # type: ignore[arg-type]
                     outcome=cond["outcome"], where=cond["where"], level=level)
        return replace(res, outcome=outcome) if outcome else res

    if pv:  # one fit per plausible value, Rubin's rules
        return _emit_pv(fit, pv, formula, where, outcome, fmt, design)
    if design.imputations:  # one fit per completed data set, Rubin's rules
        return emit_imputed_models(fit, fmt, design, where)
    if maximal and offset:
        maximal = f"{maximal} + offset({offset})"
    _emit(fit(design), fmt, design, where, tests, forest_plot, test_method, margins,
          fit(design, maximal) if maximal else None)


def _emit_pv(fit: Any, pv: Sequence[str], formula: str, where: str | None,
             outcome: str | None, fmt: str, design: DesignArgs) -> None:
    """``--pv``: the model once per plausible value (``fit(design, sf=...)``), combined."""
    from survey.cli._stats import _plausible_values
    from survey.estimators import with_pv

    pvs = _plausible_values(pv, design)
    sf, _ = _load(design, formula, {"where": where, "outcome": outcome},
                  [c for cols in pvs.values() for c in cols])
    fits: list[ModelResult] = []

    def one(d: SurveyFrame) -> ModelResult:
        fits.append(fit(design, sf=d))
        return fits[-1]

    emit_combined_models(fits, with_pv(sf, pvs, one), fmt, design, where)


# -- output ---------------------------------------------------------------------------


def _top_level_split(text: str) -> list[str]:
    """Split at commas outside parentheses: ``"C(g, Treatment('a')), x"`` -> 2 terms."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def _emit(res: ModelResult, fmt: str, design: DesignArgs, where: str | None,
          tests: tuple[str, ...], forest_plot: str | None, test_method: str = "wald",
          margins: Sequence[str] = (), maximal: ModelResult | None = None) -> None:
    from survey.models import model_choice, predictive_margins

    choice = model_choice(res, maximal=maximal)
    wald = []
    for spec in tests:
        terms = _top_level_split(spec)
        if test_method == "lrt":
            wald.append(res.lrt_test(terms).to_dict())
            continue
        t = res.wald_test(terms)
        wald.append({"terms": terms, "method": t.method, "statistic": t.statistic,
                     "df": list(t.df), "p_value": t.p_value})
    pm = [predictive_margins(res, v) for v in margins]
    if forest_plot:
        res.forest_plot(forest_plot, title=res.outcome)
    if fmt == "csv":
        sys.stdout.write(res.terms.write_csv())
    elif fmt == "json":
        doc = {**res.to_dict(), **choice, "design": design_summary(design), "where": where,
               "tests": wald}
        if pm:
            doc["margins"] = [m.to_dict() for m in pm]
        click.echo(json_doc(doc))
    else:
        _render(res, design, where, wald)
        _render_choice(choice, maximal)
        for m in pm:
            _render_margins(m)
    if forest_plot:
        click.echo(f"wrote {forest_plot}", err=True)


def _render(res: ModelResult, design: DesignArgs, where: str | None,
            wald: list[dict[str, Any]]) -> None:
    from survey.models._plot import label  # the forest plot's names, so both agree

    pct = f"{res.level * 100:g}%"
    dist = "normal" if res.ci_dist == "normal" or not math.isfinite(res.df_resid) else \
        f"t on {res.df_resid:g} df"
    caption = (design_caption(design)
               + (f"; where {where}" if where else "")
               + f"; n = {res.n}; {res.method}, {pct} intervals ({dist})")
    rhs = res.formula.split("~", 1)[1].strip()
    title = f"{res.model} {res.family}/{res.link}: {res.outcome} ~ {rhs}"
    ratio = {"logit": "odds ratio", "log": "ratio"}.get(res.link)
    heads = ["term", "estimate", f"{pct} CI", "std_error", "p_value"]
    if ratio:
        heads[1:1] = [ratio, f"{pct} CI"]
    rows = []
    for r in res.terms.iter_rows(named=True):
        row = [label(r["term"])]
        if ratio:
            ex = r["exp_estimate"]
            row += [_num(ex), "" if ex is None else
                    f"{_num(r['exp_conf_low'])} to {_num(r['exp_conf_high'])}"]
        row += [_num(r["estimate"]), f"{_num(r['conf_low'])} to {_num(r['conf_high'])}",
                _num(r["std_error"]), p_text(r["p_value"])]
        rows.append(row)
    click.echo(box_table([Column(h, right=h != "term") for h in heads], rows,
                         title=title, caption=caption))
    for w in wald:
        dfs = ", ".join(f"{d:g}" for d in w["df"])
        scaled = (f" (R's printed 2logLR: {w['scaled_statistic']:.4g})"
                  if "scaled_statistic" in w else "")
        click.echo(f"{w['method']} test of {', '.join(w['terms'])}: statistic = "
                   f"{w['statistic']:.4g}{scaled} on ({dfs}), p = {p_text(w['p_value'])}")


def _render_choice(choice: dict[str, Any], maximal: ModelResult | None) -> None:
    if choice["aic"] is None:
        return
    against = f"maximal model {maximal.formula}" if maximal is not None else "the model itself"
    line = (f"design-based AIC = {_num(choice['aic'])}, BIC = {_num(choice['bic'])} "
            f"(against {against}; R's AIC.svyglm, BIC.svyglm)")
    r2 = choice["pseudo_r2"]
    if r2 is not None:
        line += (f"; pseudo R2 Nagelkerke {r2['nagelkerke']:.4g}, "
                 f"Cox-Snell {r2['cox_snell']:.4g}")
    click.echo(line)


def _render_margins(m: Any) -> None:
    pct = f"{m.level * 100:g}%"
    rows = [[r["level"], _num(r["estimate"]), _num(r["std_error"]),
             f"{_num(r['conf_low'])} to {_num(r['conf_high'])}"]
            for r in m.table.iter_rows(named=True)]
    click.echo(box_table([Column(m.variable), Column("margin", right=True),
                          Column("std_error", right=True), Column(f"{pct} CI", right=True)],
                         rows, title=f"predictive margins of {m.variable} (R's svypredmeans)",
                         caption="mean prediction with every respondent set to the level; "
                                 "normal intervals"))


def _num(v: float | None) -> str:
    if v is None or not math.isfinite(v):
        return "" if v is None else "NA"
    return f"{v:.4g}" if abs(v) < 1000 else f"{v:,.1f}"

