"""The sentences that go with a table: base, statistics, tests, suppression."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from survey.tables._grid import Grid
from survey.tables._questions import RowQuestion

if TYPE_CHECKING:  # pragma: no cover
    from survey.tables._context import Context as _Context

__all__ = ["set_notes", "table_notes"]

_CORRECTION_NAMES = {"none": "no correction for multiple comparisons",
                     "bonferroni": "Bonferroni correction",
                     "holm": "Holm's step-down correction",
                     "bh": "Benjamini-Hochberg false-discovery-rate correction"}


def _fmt_p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def test_sentence(ctx: _Context) -> str | None:
    s = ctx.significance
    if s is None:
        return None
    a_lo, a_hi = s.alphas
    if ctx.sf is not None:
        how = ("design-based tests of the difference (variance from the survey design, "
               f"t on {ctx.sf.df} design degrees of freedom)")
    elif ctx.weighted:
        how = ("column proportions: pooled two-proportion z-test on effective bases; "
               "means: Welch t-test on effective bases")
    else:
        how = "column proportions: pooled two-proportion z-test; means: Welch t-test"
    return (f"Significance: {how}, two-sided, between the columns of each banner group "
            f"(never against Total). A letter marks a column that is significantly lower: "
            f"lower case p < {a_lo:g}, UPPER case p < {a_hi:g}, after "
            f"{_CORRECTION_NAMES[s.correction]} within each row and banner group. "
            f"Columns with an effective base below {s.min_base:g} are flagged [u] "
            "and not tested.")


def table_notes(ctx: _Context, q: RowQuestion, g: Grid, reason: np.ndarray,
                tests: pl.DataFrame) -> tuple[str, ...]:
    notes = [g.rows[0].label + "."]
    if q.kind == "multiple":
        notes.append("Multiple answers allowed: % of respondents (share of the base "
                     "choosing each option) sums to more than 100%"
                     + ("; % of mentions is each option's share of all mentions."
                        if ctx.mentions else "."))
        if g.unasked:
            notes.append(f"Not asked of every respondent (a wave without the option): "
                         f"{', '.join(g.unasked)}. Its % of respondents is of those asked; "
                         "[z] where no one in the column was asked.")
    elif q.kind != "numeric":
        notes.append("Column percentages of the base; rounded percentages need not add "
                     "to 100%.")
    if q.scores is not None or q.kind == "numeric":
        excl = f", excluding {', '.join(q.missing)}" if q.missing else ""
        what = "scale codes" if q.scores is not None else "values"
        notes.append(f"Mean of the {what}{excl}; standard deviation with divisor n - 1."
                     + (" Median: the smallest value whose (weighted) share reaches one half "
                        "(R's svyquantile rule)." if q.kind == "numeric" else ""))
    if ctx.weighted:
        notes.append(f"Weighted ({ctx.weight_label or 'design weights'}); effective base "
                     "(Kish) = (sum of weights)^2 / sum of squared weights, per column.")
    t = test_sentence(ctx)
    if t:
        notes.append(t)
    for rec in tests.iter_rows(named=True):
        if rec["statistic"] is None or not np.isfinite(rec["statistic"]):
            notes.append(f"Whole-table test by {rec['group']}: not computable.")
            continue
        if rec["method"].startswith("Design-based"):  # a rank test (Significance.ordinal)
            stat = (f"t = {rec['statistic']:.2f} on {rec['ddf']:.0f} df" if rec["ndf"] is None
                    or not np.isfinite(rec["ndf"]) else f"chi-square = {rec['statistic']:.2f} "
                    f"on {rec['ndf']:.0f} df, F denominator {rec['ddf']:.0f} df")
        else:
            stat = f"F = {rec['statistic']:.2f} on ({rec['ndf']:.2f}, {rec['ddf']:.1f}) df"
        notes.append(f"Whole-table test by {rec['group']} ({rec['method']}): {stat}, "
                     f"{_fmt_p(rec['p_value'])}.")
    notes.append(_disclosure_sentence(ctx, reason))
    return tuple(notes)


def _disclosure_sentence(ctx: _Context, reason: np.ndarray) -> str:
    k = ctx.disclosure.min_cell
    flat = reason.ravel()
    counts = {name: int((flat == code).sum()) for code, name in
              ((1, "primary"), (2, "complement"), (3, "small column"), (4, "secondary"),
               (5, "dependent mean"))}
    total = int((flat > 0).sum())
    rule = (f"cells of fewer than {k} respondents, and cells whose column holds fewer "
            f"than {k} other respondents, are suppressed [c], as are columns with a base "
            f"below {ctx.disclosure.min_column}; further cells are suppressed so that no "
            "suppressed value can be recovered from the totals" if k > 0 else
            "off, except that a column of one respondent is never published")
    if total == 0:
        return f"Disclosure control: {rule}. No cell needed suppression."
    # which cells are primary is itself disclosive: the published note gives the total only
    del counts
    return f"Disclosure control: {rule}. {total} cells suppressed."


def set_notes(ctx: _Context, n_tables: int) -> tuple[str, ...]:
    """Notes for the whole report."""
    out = [f"{n_tables} tables; banner: Total, "
           + ", ".join(f"{b.label} ({', '.join(c.letter or '' for c in ctx.columns if c.group == b.name)})"
                       for b in ctx.banner) + "."]
    out.append("Percentages are stored as proportions and formatted as percentages.")
    t = test_sentence(ctx)
    if t:
        out.append(t)
    out.append(_disclosure_sentence(ctx, np.zeros(1, dtype=np.int8)).split(". No cell")[0]
               + ".")
    out.append("Symbols: [c] suppressed for confidentiality; [u] low base, not tested; "
               "[z] not applicable (no respondents).")
    return tuple(out)
