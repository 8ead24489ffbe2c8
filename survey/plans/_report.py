"""Composing the HTML report of a run: which tables and plots, in what order.

The numbers come from the analysis tables; :mod:`survey.reports._html` and
:mod:`survey.reports._plots` only draw them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from survey.codebook import Codebook
from survey.estimators import ResponseRates
from survey.models._plot import label as term_label
from survey.plans._analyses import DistributionRun, ModelRun
from survey.plans._model import ComparisonSpec, EstimateSpec, Plan
from survey.reports._html import Figure, Section, format_value, render_html
from survey.reports._plots import boxplot_png, ecdf_png, forest_png, histogram_png, interval_bars_png

__all__ = ["Report", "compose"]

PCT_STATS = ("proportion", "multiple_choice")


@dataclass(frozen=True)
class Report:
    """The rendered page and the plots drawn for it (also written as PNG files)."""

    html: str
    figures: tuple[Figure, ...]


def _weighting(w: bool) -> str:
    return "weighted" if w else "unweighted"


def _option_labels(cb: Codebook, spec: EstimateSpec) -> dict[str, str]:
    if spec.statistic != "multiple_choice":
        return {}
    q = cb.question(spec.variable)
    return {o.code: o.label for o in q.options}


def _ci(level: float) -> str:
    return f"{round(level * 100)}% CI"


def _interval(row: dict, fmt: str) -> str:
    lo, hi = format_value(row["conf_low"], fmt), format_value(row["conf_high"], fmt)
    return f"{lo} to {hi}"


def _estimate_section(spec: EstimateSpec, t: pl.DataFrame, cb: Codebook,
                      dist: DistributionRun | None = None) -> Section:
    fmt = "pct" if spec.statistic in PCT_STATS else "num"
    labels = _option_labels(cb, spec)
    shown = t.with_columns(pl.col("category").replace(labels)) if labels else t
    ci = _ci(spec.level)
    cols: list[pl.Expr] = []
    if len(spec.weighted) > 1:
        cols.append(pl.col("weighted").replace_strict({True: "weighted", False: "unweighted"},
                                                      return_dtype=pl.String).alias("weighting"))
    if "wave" not in spec.by:
        cols.append(pl.col("wave"))
    cols += [pl.col(b) for b in spec.by]
    if shown["category"].null_count() < shown.height:
        cols.append(pl.col("category").alias("answer"))
    cols += [pl.col("estimate"), pl.col("conf_low").alias(f"{ci} low"),
             pl.col("conf_high").alias(f"{ci} high"), pl.col("std_error").alias("std. error"),
             pl.col("n").alias("respondents")]
    table = shown.select(cols)
    formats = {"estimate": fmt, f"{ci} low": fmt, f"{ci} high": fmt, "std. error": fmt,
               "respondents": "int"}
    notes = [f"{spec.statistic.replace('_', ' ')} of {spec.variable}"
             + (f" among rows where {spec.where}" if spec.where else "")
             + f"; intervals: {t['method'][0]}; n is respondents in the base."]
    figures: tuple[Figure, ...] = ()
    if spec.plot:
        figures = (_estimate_figure(spec, shown),)
    if dist is not None:
        figures += _distribution_figures(dist, t)
    return Section(f"estimate-{spec.id}", spec.title or spec.id, notes=tuple(notes),
                   table=table, formats=formats, figures=figures)


def _estimate_figure(spec: EstimateSpec, t: pl.DataFrame) -> Figure:
    by = list(spec.by)
    several_cats = t["category"].n_unique() > 1

    def key(row: dict) -> str:
        parts = [str(row[by[0]])] if by else []
        if several_cats or not by:
            parts.append(str(row["category"]) if row["category"] is not None else row["variable"])
        return ": ".join(parts)

    if len(by) == 2:
        series_of = lambda r: str(r[by[1]])  # noqa: E731
    elif len(spec.weighted) > 1:
        series_of = lambda r: _weighting(r["weighted"])  # noqa: E731
    else:
        series_of = lambda r: "estimate"  # noqa: E731
    rows = t.to_dicts()
    labels = list(dict.fromkeys(key(r) for r in rows))
    series = list(dict.fromkeys(series_of(r) for r in rows))
    shape = (len(labels), len(series))
    est, lo, hi = np.full(shape, np.nan), np.full(shape, np.nan), np.full(shape, np.nan)
    for r in rows:
        i, j = labels.index(key(r)), series.index(series_of(r))
        est[i, j], lo[i, j], hi[i, j] = r["estimate"], r["conf_low"], r["conf_high"]
    pct = spec.statistic in PCT_STATS
    png = interval_bars_png(labels, series, est, lo, hi, title=spec.title, percent=pct,
                            xlabel=f"percent ({_ci(spec.level)})" if pct else
                            f"estimate ({_ci(spec.level)})")
    return Figure(png, alt=f"Bar chart: {spec.title or spec.id}, with {_ci(spec.level)}s",
                  caption=f"{spec.title or spec.id}. Bars: estimates; whiskers: "
                          f"{_ci(spec.level)}s.", name=f"estimate-{spec.id}")


def _distribution_figures(dist: DistributionRun, t: pl.DataFrame) -> tuple[Figure, ...]:
    """The weighted histogram, box plots and ECDF of a numeric estimate (svyhist,
    svyboxplot, svycdf), the design-based median marked."""
    spec = dist.spec
    name = spec.title or spec.id
    how = _weighting(dist.weighted)
    base = f" among rows where {spec.where}" if spec.where else ""
    out = []
    if dist.histogram is not None:
        h = dist.histogram
        med = dist.boxes.table["median"][0] if dist.boxes is not None and not dist.boxes.by else None
        out.append(Figure(histogram_png(h.breaks, h.density, title=f"{name}: distribution ({how})",
                                        xlabel=spec.variable, median=med),
                          alt=f"Weighted histogram of {spec.variable}",
                          caption=f"Histogram of {spec.variable}{base} ({how}, as R's svyhist): "
                                  f"bar areas are weighted shares; {h.n} respondents.",
                          name=f"estimate-{spec.id}-histogram"))
    if dist.boxes is not None:
        b = dist.boxes.table
        labels = [str(r[b.columns[0]]) for r in b.iter_rows(named=True)] if dist.boxes.by else [spec.variable]
        stats = b.select("low", "q1", "median", "q3", "high").to_numpy()
        outliers = [dist.boxes.outliers(i) for i in range(b.height)]
        out.append(Figure(boxplot_png(labels, stats, outliers, title=f"{name}: box plot ({how})",
                                      xlabel=spec.variable),
                          alt=f"Weighted box plot of {spec.variable}",
                          caption=f"Box plot of {spec.variable}{base} ({how}, as R's svyboxplot): "
                                  "boxes at the design-based quartiles (svyquantile), whiskers "
                                  "to the extremes or 1.5 IQR.",
                          name=f"estimate-{spec.id}-boxplot"))
    if dist.ecdf is not None:
        e = dist.ecdf
        groups = (e.table.partition_by(list(e.by), maintain_order=True, as_dict=True)
                  if e.by else {(spec.variable,): e.table})
        out.append(Figure(ecdf_png([str(k[0]) for k in groups],
                                   [g["value"].to_numpy() for g in groups.values()],
                                   [g["share"].to_numpy() for g in groups.values()],
                                   title=f"{name}: cumulative distribution ({how})",
                                   xlabel=spec.variable),
                          alt=f"Weighted cumulative distribution of {spec.variable}",
                          caption=f"Share at or below each value of {spec.variable}{base} "
                                  f"({how}, as R's svycdf).",
                          name=f"estimate-{spec.id}-ecdf"))
    return tuple(out)


_SHOWN_RATES = ("RR1", "RR2", "RR3", "RR4", "RR5", "RR6", "COOP1", "COOP3", "REF1", "CON1")


def _response_section(rr: ResponseRates) -> Section:
    """AAPOR response rates, overall and by group, with the counts they come from."""
    wide = rr.table.pivot(on="rate", index=list(rr.by), values="estimate") if rr.by else \
        pl.DataFrame({r: [v] for r, v in rr.table.select("rate", "estimate").iter_rows()})
    counts = rr.counts.with_columns((pl.col("UH") + pl.col("UO")).alias("U"))
    label = [pl.col(b).cast(pl.String).fill_null("all").alias(b) for b in rr.by] or \
        [pl.lit("all").alias("cases")]
    table = pl.concat([counts.select(*label, pl.col("cases").alias("n"), "I", "P", "R", "NC", "O", "U",
                                     "NE", pl.col("e").round(3)),
                       wide.select(_SHOWN_RATES)], how="horizontal")
    formats = {r: "pct" for r in _SHOWN_RATES} | {k: "int" for k in ("n", "I", "P", "R", "NC", "O", "U", "NE")}
    notes = ("AAPOR Standard Definitions (2023): I complete, P partial, R refusal and break-off, "
             "NC non-contact, O other, U unknown eligibility, NE not eligible. RR1 = I / (I + P + R "
             "+ NC + O + U); RR3 counts only the estimated eligible share e of U; RR5 leaves U out; "
             "even-numbered rates count partials as responses. COOP: of the cases contacted; REF: "
             "refusals; CON: contact.", f"e: {rr.e_method}.")
    return Section("response-rates", "Response rates", notes=notes, table=table, formats=formats)


def _comparison_section(spec: ComparisonSpec, t: pl.DataFrame) -> Section:
    fmt = "pct" if spec.statistic == "proportion" else "num"
    ci = _ci(spec.level)
    table = t.select(
        pl.col("weighted").replace_strict({True: "weighted", False: "unweighted"},
                                          return_dtype=pl.String).alias("weighting"),
        pl.col("row").alias(spec.by), pl.col("estimate"), pl.col("conf_low").alias(f"{ci} low"),
        pl.col("conf_high").alias(f"{ci} high"), pl.col("std_error").alias("std. error"),
        pl.col("n").alias("respondents"), pl.col("p_value").alias("p"))
    what = f"{spec.variable} = {spec.category}" if spec.category else spec.variable
    notes = (f"{spec.statistic} of {what}" + (f" among rows where {spec.where}" if spec.where
                                              else "")
             + (f"; the relative change {spec.first} / {spec.second} - 1 (0.25 is a rise of a "
                "quarter) has a delta-method standard error (R's svycontrast(..., "
                f"quote(`{spec.first}`/`{spec.second}` - 1))) using" if spec.relative else
                f"; the difference {spec.first} - {spec.second} uses")
             + " the full covariance of the two estimates (normal interval, two-sided p).",)
    if "panel_members" in t.columns and t["panel_members"].drop_nulls().len():
        n = int(t["panel_members"].drop_nulls().max())  # type: ignore[arg-type]
        change = (f"{spec.first} / {spec.second} - 1" if spec.relative
                  else f"{spec.first} - {spec.second}")
        notes += (f"{n} members answered both waves. The row \"{change}, "
                  "panel\" analyses both waves as one design with each member as a cluster "
                  "(R's svydesign(ids=~member)), so its standard error carries the covariance "
                  "of a member's two answers; the row above treats the waves as independent "
                  f"samples. A member whose stratum differs between the waves keeps their "
                  f"{spec.first} stratum.",)
    formats = {"estimate": fmt, f"{ci} low": fmt, f"{ci} high": fmt, "std. error": fmt,
               "respondents": "int", "p": "p"}
    return Section(f"comparison-{spec.id}", spec.title or spec.id, notes=notes, table=table,
                   formats=formats)


def _model_section(run: ModelRun) -> Section:
    spec = run.spec
    weighted, first = run.results[0]
    t = run.terms
    ratio = {"logit": "odds ratio", "log": "ratio"}.get(first.link)
    has_or = ratio is not None
    ci = _ci(spec.level)
    shown = t.with_columns(pl.col("term").map_elements(term_label, return_dtype=pl.String))
    cols: list[pl.Expr] = []
    if len(run.results) > 1:
        cols.append(pl.col("weighted").replace_strict({True: "weighted", False: "unweighted"},
                                                      return_dtype=pl.String).alias("weighting"))
    cols.append(pl.col("term"))
    if ratio:
        cols += [pl.col("exp_estimate").alias(ratio),
                 pl.col("exp_conf_low").alias(f"{ci} low"),
                 pl.col("exp_conf_high").alias(f"{ci} high")]
    else:
        cols += [pl.col("estimate").alias("coefficient"), pl.col("conf_low").alias(f"{ci} low"),
                 pl.col("conf_high").alias(f"{ci} high")]
    cols += [pl.col("std_error").alias("std. error"), pl.col("p_value").alias("p")]
    table = shown.select(cols)
    formats = {"odds ratio": "ratio", "ratio": "ratio", "coefficient": "num", f"{ci} low": "num2" if has_or else "num",
               f"{ci} high": "num2" if has_or else "num", "std. error": "num", "p": "p"}
    df = first.df_resid
    kind = (f"{spec.type} ({first.family}, {first.link} link)" if spec.type == "glm"
            else spec.type if first.link == "logit" else f"{spec.type} ({first.link} link)")
    notes = [f"{kind} model, formula {' '.join(spec.formula.split())}"
             + (f" + offset({spec.offset})" if spec.offset else "")
             + (f"; outcome {spec.outcome}" if spec.outcome else "")
             + (f"; among rows where {spec.where}" if spec.where else "")
             + f". {first.n} respondents fitted"
             + (f", {df:g} residual degrees of freedom" if np.isfinite(df) else "")
             + f"; variance: {first.method}."]
    for (w, _), c in zip(run.results, run.choice, strict=False):
        if c.get("aic") is not None:
            notes.append(f"Design-based AIC {format_value(c['aic'], 'num')}, BIC "
                         f"{format_value(c['bic'], 'num')} (against "
                         + (f"the maximal model {' '.join(spec.maximal.split())}" if spec.maximal
                            else "the model itself")
                         + "; R's AIC.svyglm, BIC.svyglm)"
                         + (f", {_weighting(w)}" if len(run.results) > 1 else "") + ".")
    figures: tuple[Figure, ...] = ()
    if spec.plot and ratio:
        skip = {"Intercept", *first.cutpoints}
        rows = [r for r in t.filter(pl.col("weighted") == weighted).to_dicts()
                if r["term"] not in skip]
        if rows:
            png = forest_png([term_label(r["term"]) for r in rows],
                             np.array([r["exp_estimate"] for r in rows]),
                             np.array([r["exp_conf_low"] for r in rows]),
                             np.array([r["exp_conf_high"] for r in rows]),
                             title=spec.title, level=spec.level, xlabel=ratio)
            figures = (Figure(png, alt=f"Forest plot of {ratio}s: {spec.title or spec.id}",
                              caption=f"{ratio.capitalize()}s ({_weighting(weighted)}) with "
                                      f"{ci}s, log scale; the dashed line is no effect.",
                              name=f"model-{spec.id}"),)
    return Section(f"model-{spec.id}", spec.title or spec.id, notes=tuple(notes), table=table,
                   formats=formats, figures=figures)


def _margins_section(run: ModelRun) -> Section | None:
    """The model's predictive margins (R's svypredmeans), beside its coefficients."""
    spec, m = run.spec, run.margins
    if m is None:
        return None
    weighted, first = run.results[0]
    ci = _ci(spec.level)
    pct = first.family == "binomial"
    cols: list[pl.Expr] = []
    if len(run.results) > 1:
        cols.append(pl.col("weighted").replace_strict({True: "weighted", False: "unweighted"},
                                                      return_dtype=pl.String).alias("weighting"))
    cols += [pl.col("variable"), pl.col("level"),
             pl.col("estimate").alias("probability" if pct else "mean"),
             pl.col("conf_low").alias(f"{ci} low"), pl.col("conf_high").alias(f"{ci} high"),
             pl.col("std_error").alias("std. error")]
    fmt = "pct" if pct else "num"
    formats = {"probability" if pct else "mean": fmt, f"{ci} low": fmt, f"{ci} high": fmt,
               "std. error": fmt}
    what = "probability" if pct else "mean"
    notes = (f"Predictive margins (R's svypredmeans): the {what} of {first.outcome} with every "
             f"respondent fitted set to each level of {', '.join(spec.margins)}, the other "
             "predictors as observed, averaged with the weights; the standard error adds the "
             "design variance of that average and the coefficients' (delta method); normal "
             "intervals.",)
    return Section(f"model-{spec.id}-margins", f"{spec.title or spec.id}: adjusted {'probabilities' if pct else 'means'}",
                   notes=notes, table=m.select(cols), formats=formats)


def _marginpred_section(run: ModelRun) -> Section | None:
    """The model's predictions standardised by raking (R's marginpred)."""
    spec, t = run.spec, run.marginpred
    if t is None or spec.marginpred is None:
        return None
    ci, mp = _ci(spec.level), spec.marginpred
    first = run.results[0][1]
    pct = first.family == "binomial" and mp.type == "response"
    cols: list[pl.Expr] = []
    if len(run.results) > 1:
        cols.append(pl.col("weighted").replace_strict({True: "weighted", False: "unweighted"},
                                                      return_dtype=pl.String).alias("weighting"))
    cols += [pl.col(name) for name, _ in mp.at]
    cols += [pl.col("estimate").alias("prediction"), pl.col("conf_low").alias(f"{ci} low"),
             pl.col("conf_high").alias(f"{ci} high"), pl.col("std_error").alias("std. error")]
    fmt = "pct" if pct else "num"
    formats = {k: fmt for k in ("prediction", f"{ci} low", f"{ci} high", "std. error")}
    scale = "the response scale" if mp.type == "response" else "the link scale"
    notes = (f"Predictions of {first.outcome} on {scale}, standardised over "
             f"{', '.join(mp.adjust_for)} (R's marginpred): the sample is raked so that these "
             "are uncorrelated with the model's predictors under the weights, and the model "
             "is refitted with the raked weights; t intervals on the residual design df.",)
    return Section(f"model-{spec.id}-marginpred", f"{spec.title or spec.id}: standardised "
                   "predictions", notes=notes, table=t.select(cols), formats=formats)


def _headlines(plan: Plan, estimates: dict[str, pl.DataFrame],
               comparisons: dict[str, pl.DataFrame], cb: Codebook) -> list[str]:
    out = []
    for spec in plan.estimates:
        t = estimates[spec.id].filter(pl.col("weighted") == spec.weighted[0])
        if spec.by or t.height > 3:
            t = t.head(2) if spec.statistic == "multiple_choice" and not spec.by else None
        if t is None:
            continue
        fmt = "pct" if spec.statistic in PCT_STATS else "num"
        labels = _option_labels(cb, spec)
        bits = []
        for r in t.to_dicts():
            cat = labels.get(r["category"], r["category"])
            bits.append(f"{cat + ' ' if cat else ''}{format_value(r['estimate'], fmt)} "
                        f"({_ci(spec.level)} {_interval(r, fmt)}; n = {r['n']})")
        out.append(f"{spec.title or spec.id} ({_weighting(spec.weighted[0])}): "
                   + ", ".join(bits))
    for spec in plan.comparisons:
        t = comparisons[spec.id].filter(pl.col("weighted") == spec.weighted[0])
        r = t.row(t.height - 1, named=True)
        fmt = ("pct_change" if spec.relative else "pct_diff" if spec.statistic == "proportion"
               else "num")
        panel = (f"; {r['panel_members']} members in both waves as clusters"
                 if r.get("panel_members") else "")
        out.append(f"{spec.title or spec.id} ({_weighting(spec.weighted[0])}): "
                   f"{format_value(r['estimate'], fmt)} ({_ci(spec.level)} "
                   f"{_interval(r, fmt)}; p = {format_value(r['p_value'], 'p')}{panel})")
    return out


def compose(plan: Plan, *, estimates: dict[str, pl.DataFrame],
            comparisons: dict[str, pl.DataFrame], models: Sequence[ModelRun],
            codebook: Codebook, facts: Sequence[tuple[str, str]], data_notes: Sequence[str],
            crosstab_note: str | None, footer: str,
            distributions: Mapping[str, DistributionRun] | None = None,
            response_rates: ResponseRates | None = None) -> Report:
    """Build the report page of a run."""
    sections = [Section("summary", "Summary",
                        bullets=tuple(_headlines(plan, estimates, comparisons, codebook)))]
    dist = distributions or {}
    sections += [_estimate_section(s, estimates[s.id], codebook, dist.get(s.id))
                 for s in plan.estimates]
    sections += [_comparison_section(s, comparisons[s.id]) for s in plan.comparisons]
    for m in models:
        sections.append(_model_section(m))
        margins = _margins_section(m)
        if margins is not None:
            sections.append(margins)
        standardised = _marginpred_section(m)
        if standardised is not None:
            sections.append(standardised)
    if crosstab_note:
        sections.append(Section("crosstabs", "Crosstabs", notes=(crosstab_note,)))
    notes = list(data_notes)
    if response_rates is not None:
        sections.append(_response_section(response_rates))
        notes.append(f"Response rate (AAPOR RR1): {format_value(response_rates.rate('RR1'), 'pct')}; "
                     f"RR3 {format_value(response_rates.rate('RR3'), 'pct')} with e = "
                     f"{response_rates.counts['e'][-1]:.3f} ({response_rates.e_method}); "
                     f"cooperation (COOP1) {format_value(response_rates.rate('COOP1'), 'pct')}.")
    sections.append(Section("data", "Data and method", notes=tuple(notes)))
    figures = tuple(f for s in sections for f in s.figures)
    page = render_html(plan.title, sections, lead=plan.description, facts=facts, footer=footer)
    return Report(page, figures)
