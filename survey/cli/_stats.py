"""``survey stats ...``: design-based estimates, as R's survey package, from the shell.

``stats`` is a click group: other layers add subcommands to it (``survey stats logit``)
with ``@stats.command(...)`` and :func:`~survey.cli._design_opts.design_options`.
Only polars, numpy and the estimators load here; tables are drawn without rich.
"""

from __future__ import annotations

import os

# Return freed memory to the system within a second (polars' bundled jemalloc keeps it
# for ~10 s by default): a one-shot command on a million rows then peaks lower. Not at
# once (0 ms): a streamed pass frees and takes the same row-group buffers again and again,
# and returning each costs system time (0.9 s of 1.7 s CPU on 1M x 80 replicates). Takes
# effect only if polars is not loaded yet, as when run from the shell; a user's wins.
os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:1000,muzzy_decay_ms:0")

import sys  # noqa: E402
from collections.abc import Callable, Sequence
from pathlib import Path
from dataclasses import dataclass, field, replace
from typing import Any

import click  # noqa: E402
import polars as pl  # noqa: E402

from survey._display import format_number  # noqa: E402
from survey.bind import (  # noqa: E402
    Source,
    codes_as_categories,
    find_variables,
    quote_names,
    small_integer_codes,
)
from survey.cli._app import LazyGroup  # noqa: E402
from survey.cli._boxes import Column, box_table  # noqa: E402
from survey.cli._compare_opts import (  # noqa: E402
    CompareArgs,
    Panel,
    combine_imputations,
    compare_options,
    imputation_files,
    panel,
)
from survey.cli._design_opts import (  # noqa: E402
    DesignArgs,
    bind_design,
    design_options,
    design_caption,
    design_summary,
    open_data,
    parse_where,
    read,
    resolve_columns,
    split_option,
    where_option,
)
from survey.cli._output import json_doc, p_text  # noqa: E402
from survey.cli._scale import EngineArgs, engine_options, lazy_design, read_instead  # noqa: E402
from survey.design import SurveyFrame  # noqa: E402
from survey.errors import NotStreamable, SpecError  # noqa: E402
from survey.estimators import Estimates, TestResult  # noqa: E402
from survey.estimators._quantile import QUANTILE_INTERVALS, QUANTILE_RULES  # noqa: E402

__all__ = ["stats"]

CI_METHODS = ("logit", "likelihood", "asin", "beta", "mean", "xlogit",
              "wilson", "clopper-pearson", "jeffreys", "agresti-coull")


class _Stats(LazyGroup):
    """``survey stats``: the model and test commands load their modules only when run
    (or listed by --help), so an estimate's start-up does not pay for them."""

    lazy = {"logit": ("survey.cli._models", "logit_cmd", None),  # noqa: RUF012
            "ologit": ("survey.cli._models", "ologit_cmd", None),
            "glm": ("survey.cli._models", "glm_cmd", None),
            "gini": ("survey.cli._repstats", "gini_cmd", None),
            "percentile-ratio": ("survey.cli._repstats", "percentile_ratio_cmd", None),
            "gof": ("survey.cli._gof", "gof_cmd", None),
            "marginpred": ("survey.cli._marginpred", "marginpred_cmd", None),
            "ranktest": ("survey.cli._stattests", "ranktest_cmd", None),
            "ttest": ("survey.cli._stattests", "ttest_cmd", None),
            "km": ("survey.cli._survival", "km_cmd", None),
            "logrank": ("survey.cli._survival", "logrank_cmd", None),
            "cox": ("survey.cli._survival", "cox_cmd", None),
            "pca": ("survey.cli._dims", "pca_cmd", None),
            "factor": ("survey.cli._dims", "factor_cmd", None)}


@click.group(cls=_Stats)
def stats() -> None:
    """Design-based estimates with standard errors and confidence intervals.

    Every number agrees with R's survey package (svymean, svytotal, svyratio, svyciprop,
    svyquantile, svyby, svychisq, svyttest, svyranktest, svyvar, svycralpha, svykm, svylogrank,
    svycoxph, svyprcomp, svyfactanal). DATA is a typed
    Parquet file from `survey ingest`, a csv or xlsx
    (typed with --schema, else read as-is).

    \b
    Examples:
      survey stats proportion wave.parquet --var offer_received
      survey stats proportion wave.parquet --var offer_countries --where "offer_received = 'Yes'"
      survey stats mean apistrat.csv --var api00 --by stype --strata stype --weight pw --fpc fpc
      survey stats chisq wave.parquet --row division --col offer_received
    """


def _deff_value(ctx: click.Context, param: click.Parameter, value: str | None) -> bool | str:
    """``--deff`` -> True (R's deff=TRUE), ``--deff replace`` -> "replace", absent -> False."""
    return False if value is None else (True if value == "srs" else value)


def _output_options(f: Callable[..., Any]) -> Callable[..., Any]:
    for deco in reversed([
        click.option("--by", callback=split_option, help="Domains: estimates for each value (comma list: "
                                                   "each combination), as R's svyby."),
        where_option,
        click.option("--deff", type=click.Choice(["srs", "replace"]), is_flag=False,
                     flag_value="srs", default=None, callback=_deff_value,
                     help="Add design effects and their square roots (deft): --deff as R's "
                          "deff=TRUE (against sampling without replacement), --deff replace "
                          "as R's deff=\"replace\" (with replacement)."),
        compare_options,
        click.option("--conf", "level", type=click.FloatRange(0, 1, min_open=True, max_open=True),
                     default=0.95, show_default=True, help="Confidence level."),
        click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]),
                     default="table", show_default=True),
    ]):
        f = deco(f)
    return f


_VAR = click.option("--var", "-v", "variables", required=True, multiple=True, callback=split_option,
                    help="Analysis variable(s); repeat or comma-separate.")
_CATEGORICAL = click.option(
    "--categorical", "categorical", multiple=True, callback=split_option, metavar="COL",
    help="Read these --var columns of integer codes as categories, without a codebook: "
         "a total counts each category, a mean gives its share (R's svytotal(~factor(COL))).")


# -- the plan: which columns, which variables are multiple-choice questions -------------


@dataclass(frozen=True)
class _Plan:
    frame: pl.DataFrame  # the analysis and design columns
    source: Source
    plain: list[str]
    multiple: dict[str, list[str]]  # question -> option columns
    labels: dict[str, str]  # option column -> option label
    where: pl.Expr | None
    codes: dict[str, dict[str, str]] = field(default_factory=dict)  # 0/1 codes' labels


def _plan(design: DesignArgs, variables: Sequence[str], extra: Sequence[str],
          where: str | None, *, allow_multiple: bool = False) -> _Plan:
    """Find each variable (a column, or a multiple-choice question) and read what is needed."""
    source = open_data(design)
    found = find_variables(source, variables)
    if found.multiple and not allow_multiple:
        raise click.BadParameter(f"{', '.join(found.multiple)} is a multiple-choice question: "
                                 "use `survey stats proportion`", param_hint="--var")
    resolve_columns(found.plain, source.columns, param="--var")
    resolve_columns(extra, source.columns, param="--by")
    expr = parse_where(where, source.columns) if where else None
    wanted = [*found.columns, *extra, *(expr.meta.root_names() if expr is not None else [])]
    frame = read(source, wanted, design)
    found = found.chosen(frame)
    return _Plan(frame, source, list(found.plain), found.multiple, found.labels, expr)


def _as_categories(frame: pl.DataFrame, column: str) -> tuple[pl.DataFrame, dict[str, str]]:
    """Integer codes as categories (the library's), with the hint in command words."""
    try:
        return codes_as_categories(frame, column)
    except SpecError as exc:
        raise SpecError(exc.message, field="--var", hint="use `survey stats mean`") from None


def _relabel(est: Estimates, labels: dict[str, dict[str, str]]) -> Estimates:
    """Estimates with the categories of some variables renamed (0/1 codes)."""
    if not labels:
        return est
    cat = pl.col("category")
    for var, names in labels.items():
        cat = pl.when(pl.col("variable") == var).then(cat.replace(names)).otherwise(cat)
    table = est.table.with_columns(cat.alias("category"))
    return Estimates(est.statistic, table, est.vcov, est.level, est.by, est.method, est.replicates)


# -- commands -------------------------------------------------------------------------


_PV = click.option("--pv", "pv", multiple=True, metavar="NAME=COL1,COL2,...",
                   help="Plausible values: the analysis runs once with NAME standing for each "
                        "column and is combined by Rubin's rules, as R's MIcombine(withPV(...)); "
                        "use NAME as the --var (or in the --formula). Repeatable.")


def _linear_command(name: str, doc: str) -> click.Command:
    @stats.command(name, help=doc)
    @_VAR
    @_PV
    @_CATEGORICAL
    @click.option("--contrast", "contrasts", multiple=True, metavar="EXPRESSION",
                  help="A function of the estimates with its delta-method SE, as R's "
                       "svycontrast: e.g. \"api00 / api99 - 1\" over --var api00,api99 "
                       "(per --by domain); names in `backticks` for other text. Repeatable.")
    @_output_options
    @engine_options
    @design_options
    def cmd(variables: tuple[str, ...], pv: tuple[str, ...], categorical: tuple[str, ...],
            contrasts: tuple[str, ...],
            by: tuple[str, ...], where: str | None, deff: bool | str, compare: CompareArgs,
            level: float, fmt: str, engine: EngineArgs, design: DesignArgs) -> None:
        from survey import estimators

        fn = getattr(estimators, name)

        def compute(plan: _Plan, sf: Any) -> list[Estimates]:
            if name == "total":
                _note_codes(plan, categorical)
            est = fn(sf, plan.plain, by=list(by) or None, where=plan.where, deff=deff,
                     level=level)
            return [_relabel(est, {k: v for k, v in plan.codes.items() if v})]

        results, pnl = _run(design, compare, variables, by, where, compute,
                            categorical=_categorical(categorical, variables), pv=pv,
                            engine=engine, deff=deff, fmt=fmt)
        _emit(results, fmt, design, where, compare, pnl, contrasts)

    return cmd


mean_cmd = _linear_command("mean", """Design-based means (category shares for a categorical VAR), as svymean.

    \b
    Example:
      survey stats mean apistrat.csv --var api00 --by stype --strata stype --weight pw --fpc fpc
      survey stats mean apiclus1.csv --var api00 --psu dnum --weight pw --replicate jk1
    """)
total_cmd = _linear_command("total", """Design-based totals (category counts for a categorical VAR), as svytotal.

    \b
    Example:
      survey stats total apistrat.csv --var enroll --strata stype --weight pw --fpc fpc --deff
    """)


def _categorical(columns: tuple[str, ...], variables: Sequence[str]) -> tuple[str, ...]:
    """``--categorical`` columns, each one of the --var columns."""
    stray = [c for c in columns if c not in variables]
    if stray:
        raise click.BadParameter(f"{', '.join(stray)} is not among --var "
                                 f"({', '.join(variables)})", param_hint="--categorical")
    return columns


def _note_codes(plan: _Plan, categorical: Sequence[str]) -> None:
    """A total of a few small integer codes adds up the codes: say so (once per column)."""
    for v in plan.plain:
        if v not in plan.frame.columns:  # streamed: the rows are not at hand
            continue
        codes = None if v in categorical else small_integer_codes(plan.frame[v])
        if codes is not None:
            shown = ", ".join(map(str, codes))
            click.echo(f"note: {v} holds {len(codes)} distinct small integers ({shown}): its "
                       f"total adds them up; if they are codes, --categorical {v} counts each "
                       f"category (as R's svytotal(~factor({v})))", err=True)


@stats.command("proportion")
@_VAR
@_CATEGORICAL
@click.option("--ci", "method", type=click.Choice(CI_METHODS), default="logit", show_default=True,
              help="Interval method (logit as R's svyciprop; wilson, clopper-pearson, jeffreys, "
                   "agresti-coull for simple random samples only).")
@click.option("--share", type=click.Choice(["respondents", "mentions"]), default="respondents",
              show_default=True, help="Multiple choice: share of the base, or of all mentions.")
@click.option("--sort", type=click.Choice(["none", "descending", "ascending"]), default="none",
              show_default=True, help="Order each question's categories (or options) by their share.")
@_output_options
@engine_options
@design_options
def proportion_cmd(variables: tuple[str, ...], categorical: tuple[str, ...], method: str,
                   share: str, sort: str, by: tuple[str, ...], where: str | None,
                   deff: bool | str, compare: CompareArgs, level: float, fmt: str,
                   engine: EngineArgs, design: DesignArgs) -> None:
    """Proportions of every category with R's svyciprop intervals (logit by default).

    A multiple-choice question (options stored as Boolean columns QUESTION__option)
    gives the share of its base choosing each option; the base is everyone who answered
    it, within --where. Integer codes are read as categories (--categorical is implied).

    \b
    Example:
      survey stats proportion wave.parquet --var offer_received --strata division --fpc-file population.csv
      survey stats proportion wave.parquet --var offer_countries --where "offer_received = 'Yes'" --sort descending
    """
    _categorical(categorical, variables)
    results, pnl = _run(design, compare, variables, by, where,
                        lambda plan, sf: _proportions(plan, sf, method, share, sort, by, deff,
                                                      level), categorical=True,
                        engine=engine, deff=deff, fmt=fmt)
    _emit(results, fmt, design, where, compare, pnl)


def _proportions(plan: _Plan, sf: SurveyFrame, method: str, share: str, sort: str,
                 by: tuple[str, ...], deff: bool | str, level: float) -> list[Estimates]:
    from survey.estimators import multiple_choice, proportion

    labels = plan.codes
    results: list[Estimates] = []
    by_ = list(by) or None
    if plan.plain:
        est = proportion(sf, plan.plain, method=method, by=by_,  # type: ignore[arg-type]
                         where=plan.where, deff=deff, level=level, sort=sort)  # type: ignore[arg-type]
        results.append(_relabel(est, {k: v for k, v in labels.items() if v}))
    for question, cols in plan.multiple.items():
        if deff:
            raise click.UsageError("--deff is not available for multiple-choice questions")
        est = multiple_choice(sf, cols, share=share, where=plan.where, by=by_,  # type: ignore[arg-type]
                              method=method, level=level, sort=sort)  # type: ignore[arg-type]
        table = est.table.with_columns(
            pl.lit(question).alias("variable"),
            pl.Series("category", [plan.labels.get(c, c.split("__", 1)[-1])
                                   for c in _option_of(est, cols)], dtype=pl.String))
        results.append(Estimates(est.statistic, table, est.vcov, est.level, est.by, est.method,
                                 est.replicates))
    return results


def _option_of(est: Estimates, cols: list[str]) -> list[str]:
    """The option column of each row (multiple_choice names options by column suffix)."""
    by_suffix = {c.split("__", 1)[-1] if "__" in c else c: c for c in cols}
    return [by_suffix.get(c, c) for c in est.table["category"].to_list()]


@stats.command("ratio")
@click.option("--var", "-v", "numerator", required=True, help="Numerator column.")
@click.option("--var2", "denominator", required=True, help="Denominator column.")
@_output_options
@engine_options
@design_options
def ratio_cmd(numerator: str, denominator: str, by: tuple[str, ...], where: str | None,
              deff: bool | str, compare: CompareArgs, level: float, fmt: str,
              engine: EngineArgs, design: DesignArgs) -> None:
    """Ratio of two totals, sum(VAR) / sum(VAR2), as svyratio.

    \b
    Example:
      survey stats ratio apistrat.csv --var api00 --var2 api99 --strata stype --weight pw --fpc fpc
    """
    from survey.estimators import ratio

    results, pnl = _run(design, compare, [numerator, denominator], by, where, lambda plan, sf: [
        ratio(sf, numerator, denominator, by=list(by) or None, where=plan.where, deff=deff,
              level=level)], engine=engine, deff=deff, fmt=fmt)
    _emit(results, fmt, design, where, compare, pnl)


@stats.command("quantile")
@_VAR
@click.option("--quantiles", "probs", default="0.5", show_default=True, metavar="P[,P...]",
              callback=split_option, help="Probabilities in [0, 1], e.g. 0.25,0.5,0.75.")
@click.option("--ci", "interval", type=click.Choice(QUANTILE_INTERVALS), default="mean",
              show_default=True,
              help="Interval type, as R's interval.type: mean (Woodruff, R's default), beta, "
                   "xlogit, asin, score; with replicate weights mean or quantile.")
@click.option("--qrule", type=click.Choice(QUANTILE_RULES), default="math", show_default=True,
              help="Quantile rule, as R's qrule (school: the midpoint on an exact tie; "
                   "hf1-hf9: Hyndman and Fan's types).")
@click.option("--by", callback=split_option, help="Domains: quantiles for each value (comma "
                                                  "list: each combination), as R's svyby.")
@where_option
@click.option("--conf", "level", type=click.FloatRange(0, 1, min_open=True, max_open=True),
              default=0.95, show_default=True, help="Confidence level.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True)
@design_options
def quantile_cmd(variables: tuple[str, ...], probs: tuple[str, ...], interval: str, qrule: str,
                 by: tuple[str, ...], where: str | None, level: float, fmt: str,
                 design: DesignArgs) -> None:
    """Quantiles (the median by default) with design-based intervals, as svyquantile.

    The standard error is R's: the interval's width over twice the critical value.

    \b
    Example:
      survey stats quantile apistrat.csv --var api00 --quantiles 0.25,0.5,0.75 --strata stype --weight pw --fpc fpc
      survey stats quantile wave.parquet --var salary_multiple --by division --ci score
    """
    from survey.estimators import quantile

    try:
        p = [float(v) for v in probs]
    except ValueError:
        raise click.BadParameter(f"{', '.join(probs)} are not all numbers",
                                 param_hint="--quantiles") from None
    plan = _plan(design, variables, by, where)
    sf = bind_design(plan.frame, design, plan.source)
    est = quantile(sf, plan.plain, quantiles=p, by=list(by) or None, where=plan.where,
                   interval=interval, qrule=qrule, level=level)  # type: ignore[arg-type]
    _emit([est], fmt, design, where)


@stats.command("chisq")
@click.option("--row", required=True, help="Row variable (categorical).")
@click.option("--col", "column", required=True, help="Column variable (categorical).")
@click.option("--statistic", type=click.Choice(["F", "Chisq", "Wald", "adjWald", "lincom",
                                                "saddlepoint"]), default="F", show_default=True,
              help="Rao-Scott second-order F (R's default) or first-order chi-square; Wald "
                   "or adjusted Wald F; X^2's exact (lincom) or saddlepoint p-value.")
@where_option
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True)
@design_options
def chisq_cmd(row: str, column: str, statistic: str, where: str | None, fmt: str,
              design: DesignArgs) -> None:
    """Rao-Scott test of independence of two categorical variables, as svychisq.

    \b
    Example:
      survey stats chisq wave.parquet --row division --col offer_received
    """
    from survey.estimators import chisq

    plan = _plan(design, [row, column], (), where)
    frame = plan.frame
    for v in (row, column):
        frame, _ = _as_categories(frame, v)
    sf = bind_design(frame, design, plan.source)
    res = chisq(sf, row, column, statistic=statistic, where=plan.where)  # type: ignore[arg-type]
    _emit_test(res, row, column, fmt, where)


def _run(design: DesignArgs, compare: CompareArgs, variables: Sequence[str],
         by: tuple[str, ...], where: str | None,
         compute: Callable[[_Plan, Any], list[Estimates]], *,
         categorical: bool | Sequence[str] = False, pv: Sequence[str] = (),
         engine: EngineArgs | None = None, deff: Any = False, fmt: str = "table"
         ) -> tuple[list[Estimates], Panel | None]:
    """Read, bind and estimate: on each completed data set of --imputations (combined
    by Rubin's rules), on the panel design when --compare links members across waves;
    with --pv once per plausible value (combined by Rubin's rules, as R's withPV);
    streamed where the rows stay (--engine, :mod:`survey.cli._scale`).
    ``categorical``: every plain variable's integer codes read as categories (True), or
    those of the columns named."""
    pvs = _plausible_values(pv, design)
    if engine is not None and (categorical is True or not categorical):
        streamed = []  # each completed data set (or the one), each plausible value streamed
        for args in imputation_files(design):
            runs_of = _run_lazy(args, compare, variables, by, where, compute, engine, deff,
                                fmt, pvs=pvs)
            if runs_of is None:
                break
            streamed += runs_of
        else:
            return combine_imputations(streamed), None
    member = compare.member(design)
    runs, pnl = [], None
    for args in imputation_files(design):
        wanted = [c for v in variables for c in pvs.get(v, (v,))]
        plan = _plan(args, wanted, [*by, *([member] if member else [])], where,
                     allow_multiple=categorical is True)
        if pvs:
            for k in range(len(next(iter(pvs.values())))):
                frame = plan.frame.with_columns(pl.col(c[k]).alias(n) for n, c in pvs.items())
                sf = bind_design(frame, args, plan.source)
                runs.append(compute(replace(plan, frame=frame, plain=list(variables)), sf))
            continue
        frame = plan.frame
        if categorical:
            codes: dict[str, dict[str, str]] = {}
            for v in plan.plain:
                if categorical is True or v in categorical:
                    frame, codes[v] = _as_categories(frame, v)
            plan = replace(plan, codes=codes)
        sf, pnl = panel(bind_design(frame, args, plan.source), compare, member, by, args, plan.where)
        runs.append(compute(plan, sf))
    return combine_imputations(runs), pnl


def _plausible_values(pv: Sequence[str], design: DesignArgs) -> dict[str, tuple[str, ...]]:
    """``--pv NAME=COL1,...`` -> ``{NAME: (COL1, ...)}`` (equal lengths, no --imputations)."""
    if not pv:
        return {}
    from survey.estimators import parse_pv

    if design.imputations:
        raise click.UsageError("--pv and --imputations cannot be combined")
    pvs = dict(parse_pv(s) for s in pv)
    if len({len(c) for c in pvs.values()}) != 1:
        raise click.BadParameter("every NAME needs the same number of columns",
                                 param_hint="--pv")
    return pvs


def _run_lazy(design: DesignArgs, compare: CompareArgs, variables: Sequence[str],
              by: tuple[str, ...], where: str | None,
              compute: Callable[[_Plan, Any], list[Estimates]], engine: EngineArgs,
              deff: Any, fmt: str, *, pvs: dict[str, tuple[str, ...]] | None = None
              ) -> list[list[Estimates]] | None:
    """Estimates on a lazy design (one run per plausible value of ``pvs``: NAME bound
    to each column in turn), or None where the rows are read instead."""
    columns = _lazy_columns(design)
    multiple = any(v not in columns and any(c.startswith(f"{v}__") for c in columns)
                   for v in variables)
    lsf, meter = lazy_design(design, engine, fmt=fmt, deff=deff, compare=compare,
                             multiple=multiple and engine.engine == "spark")
    if lsf is None:
        return None
    try:
        designs = [lsf.with_columns(**{n: pl.col(c[k]) for n, c in pvs.items()})
                   for k in range(len(next(iter(pvs.values()))))] if pvs else [lsf]
    except NotStreamable as exc:
        if engine.engine == "auto" and Path(design.data or "").is_file():
            return None
        raise click.UsageError(f"--engine {engine.engine}: --pv: {exc.message}") from None
    schema = designs[0].schema
    if design.store is not None and any(v not in schema for v in variables):
        if engine.engine == "auto":  # a question's option labels are the codebook's
            return None
        raise click.UsageError("--engine stream: multiple-choice questions of a store are "
                               "read into memory")
    labels: dict[str, str] = {}
    if multiple and design.data is not None and Path(design.data).is_file():
        found = find_variables(open_data(design), variables)  # the codebook's option labels
        plain, labels = list(found.plain), found.labels
        questions = {q: [c for c in cols if schema.get(c) == pl.Boolean]
                     for q, cols in found.multiple.items()}
    else:
        plain = [v for v in variables if v in schema or not multiple]
        questions = {v: [c for c in schema if c.startswith(f"{v}__") and schema[c] == pl.Boolean]
                     for v in variables if v not in plain}
    resolve_columns(plain, list(schema), param="--var")
    resolve_columns(list(by), list(schema), param="--by")
    expr: Any = None
    if where:
        # Spark reads the condition as Spark SQL: dotted names quoted its way
        expr = (quote_names(where, list(schema), mark="`") if engine.engine == "spark"
                else parse_where(where, schema))
    plan = _Plan(pl.DataFrame(), None, plain, questions, labels, expr)  # type: ignore[arg-type]
    try:
        return [compute(plan, one) for one in designs]
    except NotStreamable as exc:  # an estimate that needs the rows: read them (auto)
        one_file = design.store is not None or Path(design.data or "").is_file()
        if engine.engine == "auto" and one_file:
            if design.data is not None:
                read_instead(design.data, exc.message)
            return None
        raise click.UsageError(f"--engine {engine.engine}: {exc.message}" + (
            "" if one_file else " (a directory or glob is only streamed)")) from None
    finally:
        if meter is not None:
            meter.close()


def _lazy_columns(design: DesignArgs) -> list[str]:
    """The columns of a Parquet DATA (file, directory or glob), without reading rows."""
    from survey.bind import is_parquet_source, scan_parquet

    if design.data is None or not is_parquet_source(design.data):
        return []
    return scan_parquet(design.data).collect_schema().names()


def _spread_command(name: str, fn: str, least: int, doc: str) -> click.Command:
    """``var``, ``cor`` and ``alpha``: functions of the design-based covariance (svyvar)."""

    @stats.command(name, help=doc)
    @_VAR
    @click.option("--by", callback=split_option, help="Domains (comma list), as R's svyby.")
    @where_option
    @click.option("--conf", "level", type=click.FloatRange(0, 1, min_open=True, max_open=True),
                  default=0.95, show_default=True, help="Confidence level.")
    @click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]),
                  default="table", show_default=True)
    @design_options
    def cmd(variables: tuple[str, ...], by: tuple[str, ...], where: str | None, level: float,
            fmt: str, design: DesignArgs, **extra: bool) -> None:
        from survey import estimators

        if len(variables) < least:
            raise click.BadParameter(f"give at least {least} columns", param_hint="--var")
        plan = _plan(design, variables, by, where)
        sf = bind_design(plan.frame, design, plan.source)
        est = getattr(estimators, "std_dev" if extra.get("sd") else fn)(
            sf, list(variables), by=list(by) or None, where=plan.where, level=level)
        _emit([est], fmt, design, where)

    return cmd


var_cmd = click.option("--sd", is_flag=True, help="Standard deviations instead (delta-method "
                                                  "SEs).")(_spread_command("var", "variance", 1, """\
    Design-based variances (covariances for several VARs), as R's svyvar.

    \b
    Examples:
      survey stats var apistrat.csv --var api00 --by stype --strata stype --weight pw --fpc fpc
      survey stats var apistrat.csv --var api00,api99 --strata stype --weight pw --fpc fpc
      survey stats var apistrat.csv --var api00 --sd --strata stype --weight pw --fpc fpc
    """))
cor_cmd = _spread_command("cor", "correlation", 2, """\
    Design-based correlations of every pair of VARs (delta-method SEs on svyvar).

    \b
    Example:
      survey stats cor apistrat.csv --var api00,meals --by stype --strata stype --weight pw \\
          --fpc fpc
    """)
alpha_cmd = _spread_command("alpha", "cronbach_alpha", 2, """\
    Cronbach's alpha of a scale of items under the design, as R's svycralpha.

    \b
    Example:
      survey stats alpha wave.parquet --var q1,q2,q3 --by division
    """)


# -- output ---------------------------------------------------------------------------


def _differences(results: list[Estimates], compare: CompareArgs) -> list[Estimates]:
    """``--compare FIRST,SECOND``: every estimate's difference (or relative change) across
    the first --by."""
    if not compare.values:
        return []
    if len(compare.values) != 2:
        raise click.BadParameter("give two values, FIRST,SECOND", param_hint="--compare")
    if not results[0].by:
        raise click.UsageError("--compare needs --by: it compares two values of the first "
                               "--by column (e.g. --by wave --compare 2025,2023)")
    from survey.estimators import differences

    first, second = compare.values
    return [differences(r, r.by[0], first, second, relative=compare.relative) for r in results]


def _emit(results: list[Estimates], fmt: str, design: DesignArgs, where: str | None,
          compare: CompareArgs | None = None, pnl: Panel | None = None,
          contrasts: Sequence[str] = ()) -> None:
    compare = compare or CompareArgs()
    diffs = _differences(results, compare)
    if contrasts:
        from survey.estimators import nlcontrast

        cons = [nlcontrast(results[0], e) for e in contrasts]
    else:
        cons = []
    table = pl.concat([r.table for r in results], how="diagonal_relaxed")
    first = results[0]
    if fmt == "csv":  # differences follow as rows whose --by value is "FIRST - SECOND"
        sys.stdout.write(pl.concat([table, *(d.table for d in diffs), *(c.table for c in cons)],
                                   how="diagonal_relaxed").write_csv())
        return
    if fmt == "json":
        rows = [row for r in results for row in r.to_dict()["estimates"]]
        doc = {"statistic": first.statistic, "level": first.level,
               "method": first.method if len(results) == 1 else sorted({r.method for r in results}),
               "design": design_summary(design), "where": where, "estimates": rows}
        if diffs:
            doc["differences"] = [row for d in diffs for row in d.to_dict()["estimates"]]
            doc["panel"] = pnl.to_dict() if pnl else None
        if cons:
            doc["contrasts"] = [row for c in cons for row in c.to_dict()["estimates"]]
        click.echo(json_doc(doc))
        return
    _render_table(table, first, design, where)
    if diffs:
        click.echo()
        a, b = compare.values
        by = diffs[0].by[0]
        what = (f"relative change {by} {a} / {b} - 1" if compare.relative
                else f"difference {by} {a} - {b}")
        _render_table(pl.concat([d.table for d in diffs], how="diagonal_relaxed"), diffs[0],
                      design, where,
                      pct=compare.relative or first.statistic in ("proportion", "multiple_choice"),
                      title=f"{what} (wald {diffs[0].level * 100:g}% "
                            "intervals" + (f"; {pnl.caption()})" if pnl else
                                           "; waves as independent samples)"))
    for c in cons:
        click.echo()
        _render_table(c.table, c, design, where, pct=False,
                      title=f"contrast {c.table['variable'][0]} (delta method, wald "
                            f"{c.level * 100:g}% intervals)")


def _emit_test(res: TestResult, row: str, column: str, fmt: str, where: str | None) -> None:
    doc = {"row": row, "col": column, "where": where, **res.to_dict()}
    if fmt == "json":
        click.echo(json_doc(doc))
    elif fmt == "csv":
        flat = {**doc, "df": " ".join(f"{d:.6g}" for d in res.df)}
        sys.stdout.write(pl.DataFrame([flat]).write_csv())
    else:
        dfs = ", ".join(f"{d:.4g}" for d in res.df)
        click.echo(f"{res.method}: {row} x {column}" + (f" (where {where})" if where else ""))
        click.echo(f"  statistic = {res.statistic:.6g}, df = ({dfs}), p-value = {res.p_value:.4g}"
                   f"  [Pearson X^2 = {res.pearson:.6g}]")


def _render_table(table: pl.DataFrame, est: Estimates, design: DesignArgs,
                  where: str | None, *, pct: bool | None = None, title: str | None = None) -> None:
    pct = est.statistic in ("proportion", "multiple_choice") if pct is None else pct
    level = f"{est.level * 100:g}%"
    caption = design_caption(design)
    if where:
        caption += f"; where {where}"
    by = [c for c in est.by if c in table.columns]
    show_cat = "category" in table.columns and table["category"].null_count() < table.height
    labels = [*by, "variable", *(["category"] if show_cat else []),
              *(["quantile"] if "quantile" in table.columns else [])]
    extra = [c for c in ("n", "deff", "deft", "p_value", "missinfo") if c in table.columns]
    if "missinfo" in extra:  # multiple imputation: Rubin's degrees of freedom
        extra.insert(extra.index("missinfo"), "df")
    heads = [*labels, "estimate", "std_error", f"{level} CI", *extra]
    rows = []
    for rec in table.iter_rows(named=True):
        cells = [_text(rec[c]) for c in by] + [str(rec["variable"])]
        if show_cat:
            cells.append(_text(rec["category"]))
        if "quantile" in rec:
            cells.append(f"{rec['quantile']:g}")
        cells += [_num(rec["estimate"], pct), _num(rec["std_error"], pct),
                  f"{_num(rec['conf_low'], pct)} to {_num(rec['conf_high'], pct)}"]
        cells += [_text(rec[c]) if c == "n" else p_text(rec[c]) if c == "p_value"
                  else _num(rec[c], False) for c in extra]
        rows.append(cells)
    click.echo(box_table([Column(h, right=h not in labels) for h in heads], rows,
                         title=title or f"{est.statistic} ({est.method} {level} intervals)",
                         caption=caption))


def _text(v: object) -> str:
    return "" if v is None else str(v)


def _num(v: float | None, pct: bool) -> str:
    return format_number(v, pct)

