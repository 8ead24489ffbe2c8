"""Running the plan's analyses: estimates, comparisons, models, crosstabs.

Each returns a tidy polars frame in the estimators' vocabulary (``estimate``,
``std_error``, ``conf_low``, ``conf_high``, ...) with a ``weighted`` column, so the
outputs of a weighted and an unweighted run sit in one table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from survey.bind import open_source, parse_sql, parse_where
from survey.design import SurveyFrame
from survey.estimators import (
    BoxStats,
    Estimates,
    Histogram,
    ResponseRates,
    WeightedECDF,
    box_stats,
    codebook_dispositions,
    cronbach_alpha,
    difference,
    differences,
    ecdf,
    gini,
    histogram,
    mean,
    multiple_choice,
    nlcontrast,
    panel_link,
    proportion,
    quantile,
    response_rates,
    std_dev,
    total,
    variance,
)
from survey.models import (
    ModelResult,
    firth,
    marginpred,
    model_choice,
    prediction_points,
    predictive_margins,
    svyglm,
    svyolr,
)
from survey.plans._data import Data
from survey.plans._model import (
    ComparisonSpec,
    CrosstabSpec,
    EstimateSpec,
    ModelSpec,
    ResponseRatesSpec,
)

__all__ = ["DistributionRun", "ModelRun", "run_comparison", "run_crosstab", "run_distribution",
           "run_estimate", "run_model", "run_response_rates"]

ESTIMATE_COLUMNS = ("estimate", "std_error", "conf_low", "conf_high", "cv", "n", "df")


def _where(sql: str | None, data: Data) -> pl.Expr | None:
    """A plan's ``where``: the SQL the CLI's ``--where`` takes, by the same translator."""
    return None if sql is None else parse_where(sql, data.frame.columns)


def _tidy(t: pl.DataFrame, by: tuple[str, ...], weighted: bool, method: str,
          level: float, waves: tuple[str, ...]) -> pl.DataFrame:
    front = [pl.lit(weighted).alias("weighted")]
    if "wave" not in by:
        front.append(pl.lit(",".join(waves)).alias("wave"))
    cols = [*front, *(pl.col(b).cast(pl.String) for b in by),
            pl.col("variable"), pl.col("category").cast(pl.String),
            *(pl.col(c) for c in ESTIMATE_COLUMNS if c in t.columns),
            pl.lit(method).alias("method"), pl.lit(level).alias("level")]
    return t.select(cols)


def run_estimate(data: Data, spec: EstimateSpec) -> pl.DataFrame:
    """One ``[[estimate]]``: a table with one row per category and domain (and weighting)."""
    waves = data.waves(spec.waves)
    by = spec.by or None
    parts = []
    for weighted in spec.weighted:
        sf = data.design(waves, weighted)
        where = _where(spec.where, data)
        if spec.contrast is not None:
            r = _contrast(sf, spec, by, where)
        elif spec.statistic == "proportion":
            r = proportion(sf, spec.variable, by=by, where=where, method=spec.ci,  # type: ignore[arg-type]
                           level=spec.level)
        elif spec.statistic == "mean":
            r = mean(sf, spec.variable, by=by, where=where, level=spec.level)
        elif spec.statistic == "total":
            r = total(sf, spec.variable, by=by, where=where, level=spec.level)
        elif spec.statistic in ("variance", "std_dev"):
            fn = variance if spec.statistic == "variance" else std_dev
            r = fn(sf, spec.variable, by=by, where=where, level=spec.level)
        elif spec.statistic == "alpha":
            r = cronbach_alpha(sf, list(spec.items), by=by, where=where, level=spec.level)
            r = type(r)(r.statistic, r.table.with_columns(pl.lit(spec.variable).alias("variable")),
                        r.vcov, r.level, r.by, r.method)
        elif spec.statistic == "gini":  # convey's svygini (the checker refuses a by)
            r = gini(sf, spec.variable, where=where, level=spec.level)
        elif spec.statistic == "quantile":
            r = quantile(sf, spec.variable, quantiles=spec.quantiles, by=by, where=where,
                         interval=spec.ci, qrule=spec.qrule, level=spec.level)  # type: ignore[arg-type]
        else:
            q = data.codebook.question(spec.variable)
            cols = [q.option_column(o) for o in q.options]
            r = multiple_choice(sf, cols, by=by, where=where, method=spec.ci,  # type: ignore[arg-type]
                                level=spec.level, sort=spec.sort)  # type: ignore[arg-type]
            r = type(r)(r.statistic, r.table.with_columns(pl.lit(spec.variable).alias("variable")),
                        r.vcov, r.level, r.by, r.method)
        t = r.to_frame()
        if spec.statistic == "quantile":  # the probability names the row: "median", "quantile 0.25"
            t = t.with_columns(pl.when(pl.col("quantile") == 0.5).then(pl.lit("median"))
                               .otherwise(pl.format("quantile {}", pl.col("quantile")))
                               .alias("category"))
        if spec.categories:
            t = t.filter(pl.col("category").cast(pl.String).is_in(list(spec.categories)))
        parts.append(_tidy(t, spec.by, weighted, r.method, spec.level, waves))
    return pl.concat(parts, how="vertical")


def _contrast(sf: SurveyFrame, spec: EstimateSpec, by: tuple[str, ...] | None,
              where: pl.Expr | None) -> Estimates:
    """``contrast = "a / b - 1"``: the function of the means (totals) of the columns it
    names, on the rows answering all of them, with its delta-method standard error (R's
    ``svycontrast(svymean(~a+b, design, na.rm=TRUE), quote(a/b - 1))``); ``n`` is the
    respondents in the base."""
    from survey.estimators._nlcon import parse_expression

    names = list(parse_expression(spec.contrast or "").names)
    answered = pl.all_horizontal(pl.col(n).is_not_null() for n in names)
    where = answered if where is None else where & answered
    fn = mean if spec.statistic == "mean" else total
    base = fn(sf, names, by=by, where=where, level=spec.level)
    r = nlcontrast(base, spec.contrast or "", level=spec.level)
    keys = list(by or [])
    n = base.table.filter(pl.col("variable") == names[0]).select(*keys, "n")
    t = (r.table.join(n, on=keys, how="left", nulls_equal=True, maintain_order="left") if keys
         else r.table.with_columns(pl.lit(n["n"][0]).alias("n")))
    return type(r)(r.statistic, t.with_columns(pl.lit(spec.variable).alias("variable")),
                   r.vcov, r.level, r.by, r.method)


@dataclass(frozen=True)
class DistributionRun:
    """What an estimate's distribution plots draw (R's svyhist, svyboxplot, svycdf), on
    its first weighting: the histogram of everyone in the base, a box (and an ECDF) per
    group of its by-variable."""

    spec: EstimateSpec
    weighted: bool
    histogram: Histogram | None
    boxes: BoxStats | None
    ecdf: WeightedECDF | None


def run_distribution(data: Data, spec: EstimateSpec) -> DistributionRun:
    """The numbers behind ``plot = "histogram" | "boxplot" | "ecdf"`` of an estimate."""
    weighted = spec.weighted[0]
    sf = data.design(data.waves(spec.waves), weighted)
    where = _where(spec.where, data)
    by = spec.by[0] if spec.by else None
    kinds = set(spec.distribution)
    return DistributionRun(
        spec, weighted,
        histogram(sf, spec.variable, where=where) if "histogram" in kinds else None,
        box_stats(sf, spec.variable, by=by, where=where) if "boxplot" in kinds else None,
        ecdf(sf, spec.variable, by=by, where=where) if "ecdf" in kinds else None)


def run_response_rates(spec: ResponseRatesSpec) -> ResponseRates:
    """``[response_rates]``: AAPOR rates from the dispositions file, read as
    ``survey response-rates`` reads it (survey.bind)."""
    source = open_source(spec.file)
    disposition, codes = codebook_dispositions(source.codebook, spec.disposition)
    return response_rates(source.read(), disposition=disposition, by=spec.by, e=spec.e,
                          codes=codes)


def run_comparison(data: Data, spec: ComparisonSpec) -> pl.DataFrame:
    """One ``[[comparison]]``: the two estimates and their difference (first - second),
    or with ``relative = true`` the relative change ``first / second - 1``.

    Between two waves that members answered both of (the data's panel key links them),
    a last row ``"first - second, panel"`` gives the difference on one design over both
    waves with each member as a cluster (R's ``svydesign(ids=~member)``), so its standard
    error carries the covariance between a member's answers; ``panel_members`` counts
    the members in both waves among the compared rows. ``panel = false`` leaves it out.
    """
    waves = data.waves((spec.first, spec.second) if spec.by == "wave" else ())
    where = _where(spec.where, data)
    cat = spec.category
    if cat is None and spec.statistic == "proportion":
        cat = "True"
    keys: dict[str, Any] = {} if cat is None else {"category": cat}
    first, second = {spec.by: spec.first, **keys}, {spec.by: spec.second, **keys}
    linked = spec.panel and spec.by == "wave" and data.panel_key is not None
    parts = []
    for weighted in spec.weighted:
        sf = data.design(waves, weighted)
        r = _compared(sf, spec, where)
        t = r.to_frame()
        rows = []
        for label, k in ((spec.first, first), (spec.second, second)):
            rec = t.row(r.find(**k), named=True)
            rows.append({"row": label, **{c: rec[c] for c in ESTIMATE_COLUMNS if c != "df"},
                         "p_value": None})
        change = (f"{spec.first} / {spec.second} - 1" if spec.relative
                  else f"{spec.first} - {spec.second}")
        rows.append(_difference_row(change, r, first, second, spec))
        if linked:
            answered = pl.col(spec.variable).is_not_null()
            link = panel_link(sf.frame, data.panel_key, "wave", spec.first,  # type: ignore[arg-type]
                              spec.second, strata=data.plan.design.strata if weighted else None,
                              where=answered if where is None else where & answered)
            if link.members_in_both:
                rp = _compared(data.panel_design(waves, weighted, spec.first), spec, where)
                rows.append({**_difference_row(f"{change}, panel", rp, first, second, spec),
                             "panel_members": link.members_in_both})
        frame = pl.DataFrame(rows, schema={"row": pl.String, "estimate": pl.Float64,
                                           "std_error": pl.Float64, "conf_low": pl.Float64,
                                           "conf_high": pl.Float64, "cv": pl.Float64,
                                           "n": pl.Int64, "p_value": pl.Float64,
                                           "panel_members": pl.Int64})
        if not linked:
            frame = frame.drop("panel_members")
        parts.append(frame.select(
            pl.lit(weighted).alias("weighted"), pl.lit(spec.by).alias("by"),
            pl.lit(spec.variable).alias("variable"),
            pl.lit(cat, dtype=pl.String).alias("category"), pl.all(),
            pl.lit(r.method).alias("method"), pl.lit(spec.level).alias("level")))
    return pl.concat(parts, how="diagonal_relaxed")


def _compared(sf: SurveyFrame, spec: ComparisonSpec, where: pl.Expr | None) -> Estimates:
    if spec.statistic == "proportion":
        return proportion(sf, spec.variable, by=spec.by, where=where, method=spec.ci,  # type: ignore[arg-type]
                          level=spec.level)
    return mean(sf, spec.variable, by=spec.by, where=where, level=spec.level)


def _difference_row(label: str, r: Estimates, first: dict[str, Any], second: dict[str, Any],
                    spec: ComparisonSpec) -> dict[str, Any]:
    """``first - second``, or with ``relative`` the relative change ``first / second - 1``
    (delta method, R's ``svycontrast(..., quote(`first`/`second` - 1))``)."""
    if spec.relative:
        d = differences(r, spec.by, spec.first, spec.second, level=spec.level, relative=True)
        drec = d.table.row(d.find(**{k: v for k, v in first.items() if k != spec.by}),
                           named=True)
    else:
        drec = difference(r, first, second, level=spec.level).to_frame().row(0, named=True)
    return {"row": label, **{c: drec.get(c) for c in ESTIMATE_COLUMNS if c != "df"},
            "n": None, "p_value": drec["p_value"]}


@dataclass(frozen=True)
class ModelRun:
    """A fitted ``[[model]]``: its results (one per weighting), the tidy terms table and
    the predictive margins (``weighted``, ``variable``, ``level``, ``estimate``...; None
    when the plan asks for none)."""

    spec: ModelSpec
    results: tuple[tuple[bool, ModelResult], ...]
    terms: pl.DataFrame
    margins: pl.DataFrame | None = None
    choice: tuple[dict[str, Any], ...] = ()  # per result: aic, bic, pseudo_r2 (models.json)
    marginpred: pl.DataFrame | None = None  # ``weighted``, the points, estimate, std_error...


def _glm(spec: ModelSpec, sf: SurveyFrame, formula: str, outcome: pl.Expr | None,
         where: pl.Expr | None) -> ModelResult:
    """A ``logit``, ``linear`` or ``glm`` model's svyglm fit."""
    family = ("binomial" if spec.type == "logit" else "gaussian" if spec.type == "linear"
              else spec.family or "gaussian")
    return svyglm(sf, formula, family=family,  # type: ignore[arg-type]
                  link=spec.link if spec.type == "glm" else None,  # type: ignore[arg-type]
                  theta=spec.theta, outcome=outcome, where=where, level=spec.level)


def run_model(data: Data, spec: ModelSpec) -> ModelRun:
    """One ``[[model]]``: logistic, Firth, ordinal, linear or any GLM, and its margins."""
    waves = data.waves(spec.waves)
    formula = " ".join(spec.formula.split())
    if spec.offset:
        formula = f"{formula} + offset({spec.offset})"
    outcome = None if spec.outcome is None else parse_sql(spec.outcome, data.frame.columns,
                                                                field="outcome")
    results, choice = [], []
    for weighted in spec.weighted:
        sf = data.design(waves, weighted)
        where = _where(spec.where, data)

        if spec.type in ("logit", "linear", "glm"):
            m = _glm(spec, sf, formula, outcome, where)
            big = None
            if spec.maximal:  # BIC against it (R's BIC(model, maximal=))
                big = _glm(spec, sf, " ".join(spec.maximal.split())
                           + (f" + offset({spec.offset})" if spec.offset else ""), outcome, where)
            choice.append(model_choice(m, maximal=big))
        elif spec.type == "firth":
            m = firth(sf, formula, outcome=outcome, where=where, level=spec.level)
        else:
            m = svyolr(sf, formula, outcome=outcome, where=where, level=spec.level,
                       levels=list(spec.levels) or None,
                       link=spec.link or "logit")  # type: ignore[arg-type]
        results.append((weighted, m))
    terms = pl.concat([m.terms.select(pl.lit(w).alias("weighted"), pl.all())
                       for w, m in results], how="vertical")
    margins = None
    if spec.margins:
        margins = pl.concat([predictive_margins(m, v).table.select(
            pl.lit(w).alias("weighted"), pl.all()) for w, m in results for v in spec.margins],
            how="vertical")
    return ModelRun(spec, tuple(results), terms, margins, tuple(choice),
                    _marginpred(spec, results, data.frame.schema))


def _marginpred(spec: ModelSpec, results: list[tuple[bool, ModelResult]],
                schema: pl.Schema) -> pl.DataFrame | None:
    """The ``marginpred`` table of each fit (R's marginpred): the points, zipped as R's
    ``data.frame`` (a single value repeated), then estimate, std_error, conf_low, conf_high."""
    mp = spec.marginpred
    if mp is None:
        return None
    at = prediction_points(dict(mp.at), schema=schema)
    adjust = "~ " + " + ".join(mp.adjust_for)
    return pl.concat([marginpred(m, adjust, at, scale=mp.type).select(  # type: ignore[arg-type]
        pl.lit(w).alias("weighted"), pl.all()) for w, m in results], how="vertical")


def run_crosstab(data: Data, spec: CrosstabSpec) -> Any:
    """The ``[crosstab]`` tables (a ``survey.tables.CrosstabSet``)."""
    from survey.tables import Disclosure, Significance, crosstabs

    waves = data.waves(spec.waves)
    sf = data.design(waves, spec.weighted)
    sig = None if spec.significance is None else Significance(
        levels=spec.significance, correction=spec.correction,  # type: ignore[arg-type]
        min_base=spec.min_base, ordinal=spec.ordinal_test)
    return crosstabs(sf, spec.rows if spec.rows == "all" else list(spec.rows),
                     banner=list(spec.banner), codebook=data.codebook, where=_where(spec.where, data),
                     cells=spec.cells, significance=sig,  # type: ignore[arg-type]
                     disclosure=Disclosure(min_cell=spec.min_cell), title=data.plan.title)
