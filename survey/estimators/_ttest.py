"""Design-based t-tests: two groups, one sample, paired, as R's ``svyttest``."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import polars as pl

from survey._display import format_number, html_table, p_text
from survey.design import SurveyFrame
from survey.errors import EstimationError
from survey.estimators._basic import categories, mean
from survey.estimators._dist import t_sf2
from survey.estimators._engine import domain_counts, make_domains
from survey.estimators._intervals import wald

__all__ = ["TTest", "ttest"]

_DIFF = "__ttest_value"  # the tested column of a one-sample or paired test


@dataclass(frozen=True)
class TTest:
    """A design-based t-test (R's ``svyttest``; the rank tests' two-group form too).

    Attributes
    ----------
    method
        ``"two-group"``, ``"one-sample"`` or ``"paired"`` (rank tests: the test's name).
    variable
        The tested column (``"a - b"`` for a paired test).
    contrast
        What ``estimate`` is: ``"Yes - No"`` (second group minus first, in R's factor
        order), ``"mean - 600"``, ``"mean"``.
    estimate, std_error
        The difference (or the mean minus ``mu``) and its design-based standard error.
    statistic, df, p_value
        ``estimate / std_error``, its degrees of freedom (R: ``degf(design) - 1``) and
        the two-sided p-value from Student's t.
    conf_low, conf_high, level
        The t interval of ``estimate``.
    n
        Rows in the test (unweighted, missing values and other domains left out).
    """

    __test__ = False  # not a pytest class

    method: str
    variable: str
    contrast: str
    estimate: float
    std_error: float
    statistic: float
    df: float
    p_value: float
    conf_low: float
    conf_high: float
    level: float
    n: int

    def to_dict(self) -> dict[str, Any]:
        """Plain data."""
        return asdict(self)

    def to_frame(self) -> pl.DataFrame:
        """One-row polars frame."""
        return pl.DataFrame([self.to_dict()])

    def _repr_html_(self) -> str:
        """Jupyter: one row, as ``survey stats ttest`` prints it."""
        ci = f"{format_number(self.conf_low)} to {format_number(self.conf_high)}"
        heads = ["variable", "estimate", "std_error", f"{self.level * 100:g}% CI", "t", "df",
                 "p_value", "n"]
        row = [self.variable, format_number(self.estimate), format_number(self.std_error), ci,
               format_number(self.statistic), format_number(self.df), p_text(self.p_value),
               self.n]
        return html_table(heads, [row], title=f"Design-based t-test ({self.method})",
                          caption=f"estimate: {self.contrast}; two-sided p from Student's t",
                          numeric=[False] + [True] * (len(heads) - 1))


def t_test(estimate: float, se: float, df: float, level: float
           ) -> tuple[float, float, float, float]:
    """``(statistic, p_value, conf_low, conf_high)`` of ``estimate`` on Student's t."""
    t = estimate / se if se > 0 else float("nan")
    p = t_sf2(t, df)  # not scipy.stats: importing it costs a second of start-up
    lo, hi = wald(np.array([estimate]), np.array([se]), level, df)
    return float(t), p, float(lo[0]), float(hi[0])


def _numeric(sf: SurveyFrame, column: str, role: str) -> pl.Expr:
    if column not in sf.frame.columns:
        raise EstimationError(f"column {column!r} is not in the frame", location=column)
    dt = sf.frame[column].dtype
    if not dt.is_numeric():
        raise EstimationError(f"{role} {column!r} is {dt}, not numeric", location=column,
                              hint="a t-test compares means of a numeric column")
    return pl.col(column).cast(pl.Float64)


def group_levels(sf: SurveyFrame, by: str, inside: pl.Expr) -> list[object]:
    """The levels of ``by`` among rows of ``inside``, in R's factor order."""
    if by not in sf.frame.columns:
        raise EstimationError(f"column {by!r} is not in the frame", location=by)
    cats = categories(sf, by)
    seen = sf.frame.filter(inside)[by].drop_nulls().unique()
    if cats is None:
        return sorted(seen.to_list())
    present = set(seen.cast(pl.String).to_list()) if not isinstance(cats[0], bool) else set(
        seen.to_list())
    return [c for c in cats if (c if isinstance(c, bool) else str(c)) in present]


def ttest(sf: SurveyFrame, var: str, *, by: str | None = None, mu: float | None = None,
          paired: str | None = None, where: pl.Expr | None = None,
          level: float = 0.95) -> TTest:
    """Design-based t-test of a mean, as R's ``svyttest``.

    Parameters
    ----------
    sf
        The bound design.
    var
        Numeric column.
    by
        A column with two values: test the difference of the two domain means (the
        second value minus the first, in R's factor order: sorted text, ``False``
        before ``True``, an Enum's declared order), as ``svyttest(var ~ by, design)``.
    mu
        One sample: test ``mean(var) = mu`` (default 0 when ``by`` is not given), as
        ``svyttest(I(var - mu) ~ 0, design)``.
    paired
        A second numeric column: test the mean of ``var - paired`` (minus ``mu``, if
        given), as ``svyttest(I(var - paired) ~ 0, design)``.
    where
        Subpopulation, estimated as a domain of the full design (``subset()`` in R).
    level
        Confidence level of the interval.

    The degrees of freedom are R's: ``degf(design) - 1`` (for two groups, of the
    design without the rows missing ``var`` or ``by``, as ``svyglm`` drops them).

    Examples
    --------
    >>> import polars as pl
    >>> from survey.design import svydesign
    >>> sf = svydesign(pl.DataFrame({"y": [1.0, 2.0, 3.0, 5.0, 6.0, 7.0],
    ...                              "g": ["a", "a", "a", "b", "b", "b"]}))
    >>> r = ttest(sf, "y", by="g")
    >>> r.contrast, r.estimate, r.df
    ('b - a', 4.0, 4.0)
    """
    y = _numeric(sf, var, "var")
    dom = sf.in_domain_expr() if where is None else sf.in_domain_expr() & where.fill_null(False)
    if by is not None:
        if paired is not None or mu is not None:
            raise EstimationError("a two-group test takes by= alone, not mu= or paired=",
                                  location="by", hint="drop mu/paired, or by for a one-sample test")
        inside = dom & y.is_not_null() & pl.col(by).is_not_null()
        levels = group_levels(sf, by, inside)
        if len(levels) != 2:
            raise EstimationError(
                f"by={by!r} has {len(levels)} values among the tested rows "
                f"({', '.join(map(str, levels[:6]))}); a t-test compares two groups",
                location=by,
                hint="compare more groups with a rank test (Kruskal-Wallis) or a model")
        m = mean(sf, var, by=by, where=inside, level=level)
        i0 = m.find(**{by: levels[0]})
        i1 = m.find(**{by: levels[1]})
        est = float(m.estimate[i1] - m.estimate[i0])
        V = m.vcov
        se = float(np.sqrt(max(V[i1, i1] + V[i0, i0] - 2 * V[i0, i1], 0.0)))
        d = make_domains(sf, by=None, where=inside)
        _, ddf, rows = domain_counts(sf, d, [])
        df = float(ddf[0] - 1)
        n = int(m.to_frame()["n"].sum())
        method, label, contrast = "two-group", var, f"{levels[1]} - {levels[0]}"
    else:
        value = y
        label, method = var, "one-sample"
        if paired is not None:
            value = value - _numeric(sf, paired, "paired")
            label, method = f"{var} - {paired}", "paired"
        shift = 0.0 if mu is None else float(mu)
        contrast = "mean" if mu is None else f"mean - {shift:g}"
        sf2 = sf.with_columns((value - shift).alias(_DIFF))
        m = mean(sf2, _DIFF, where=where, level=level)
        est, se = float(m.estimate[0]), float(m.std_error[0])
        df = float(m.to_frame()["df"][0] - 1)  # degf of the (sub)design, as R
        n = int(m.to_frame()["n"][0])
    if n == 0:
        raise EstimationError(f"no rows to test: {var!r} is missing everywhere in the domain",
                              location=var)
    t, p, lo, hi = t_test(est, se, df, level)
    return TTest(method, label, contrast, est, se, t, df, p, lo, hi, level, n)
