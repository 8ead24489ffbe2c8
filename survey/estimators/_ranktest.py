"""Design-based rank tests, as R's ``svyranktest``.

Each row gets an estimate of its rank in the population, the mid-point of its
weight in the weighted cumulative distribution, ``rank_i = sum_{y_j < y_i} w_j +
w_i / 2``, averaged over tied values (R: ``ave(cumsum(w) - w/2, y)``). A score
``f(rank / N)`` (``N``: the weight total) is then compared between the groups by a
design-based regression on the group, its coefficients' covariance from the
linearised influence values ``x_i r_i (X'WX)^{-1}`` (R's ``svytotal(infn, design)``
and ``svy.varcoef``). The scores: ``wilcoxon`` and ``kruskalwallis`` the rank
itself, ``vanderwaerden`` its normal quantile, ``median`` whether it is above the
population median.

Two groups give a t statistic on ``degf - 1`` degrees of freedom (whatever the
test's name, as R); more give R's Wald chi-square ``beta' V^{-1} beta`` referred,
divided by its ``df = groups - 1``, to F on ``(df, degf - df)``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
import polars as pl

from survey._display import format_number, html_table, p_text
from survey.design import SurveyFrame
from survey.design._frame import W
from survey.errors import EstimationError
from survey.estimators._basic import total
from survey.estimators._dist import f_sf
from survey.estimators._engine import domain_counts, make_domains
from survey.estimators._ttest import _numeric, group_levels, t_test

__all__ = ["RANK_TESTS", "RankTest", "RankTestName", "ranktest"]

RankTestName = Literal["wilcoxon", "vanderwaerden", "median", "kruskalwallis"]
RANK_TESTS: tuple[str, ...] = ("wilcoxon", "vanderwaerden", "median", "kruskalwallis")
_NAMES = {"wilcoxon": "Wilcoxon rank-sum", "kruskalwallis": "Kruskal-Wallis",
          "vanderwaerden": "van der Waerden", "median": "median"}
_INF = "__rank_infn"


@dataclass(frozen=True)
class RankTest:
    """A design-based rank test (R's ``svyranktest``).

    Attributes
    ----------
    test
        ``wilcoxon``, ``vanderwaerden``, ``median`` or ``kruskalwallis``.
    method
        A description, e.g. ``"Design-based Kruskal-Wallis test"`` (R names the
        wilcoxon test ``KruskalWallis`` too).
    variable, by
        The ranked column and the grouping column.
    groups
        The groups, in R's factor order.
    statistic
        Two groups: the t statistic of the difference in mean rank score. More
        groups: the Wald chi-square (R prints it as ``Chisq``).
    df, ddf
        Two groups: ``df`` of the t statistic, ``ddf`` None. More groups: the
        chi-square's ``df`` (groups - 1) and the F denominator's ``ddf``.
    p_value
        Two-sided (t), or upper tail of F at ``statistic / df``.
    estimate, std_error
        Two groups: the second group's mean rank score minus the first's, and its
        standard error (None for more groups).
    n
        Rows ranked.
    """

    __test__ = False  # not a pytest class

    test: str
    method: str
    variable: str
    by: str
    groups: tuple[str, ...]
    statistic: float
    df: float
    ddf: float | None
    p_value: float
    estimate: float | None
    std_error: float | None
    n: int

    def to_dict(self) -> dict[str, Any]:
        """Plain data."""
        d = asdict(self)
        d["groups"] = list(self.groups)
        return d

    def to_frame(self) -> pl.DataFrame:
        """One-row polars frame."""
        d = self.to_dict()
        d["groups"] = [d["groups"]]
        return pl.DataFrame({k: [v] if k != "groups" else v for k, v in d.items()})

    def _repr_html_(self) -> str:
        """Jupyter: one row, as ``survey stats ranktest`` prints it (two groups: the
        difference in mean rank score and t; more: the chi-square with df and ddf)."""
        two = self.ddf is None
        heads = ["variable", "by", *(["estimate", "std_error", "t", "df"] if two
                                     else ["Chisq", "df", "ddf"]), "p_value", "n"]
        nums = ([format_number(self.estimate), format_number(self.std_error),
                 format_number(self.statistic), format_number(self.df)] if two else
                [format_number(self.statistic), format_number(self.df),
                 format_number(self.ddf)])
        row = [self.variable, self.by, *nums, p_text(self.p_value), self.n]
        what = (f"estimate: {self.groups[1]} - {self.groups[0]}, the difference in mean rank "
                "score" if two else f"groups: {', '.join(self.groups)}; p from F on (df, ddf)")
        return html_table(heads, [row], title=self.method, caption=what,
                          numeric=[False, False] + [True] * (len(heads) - 2))


def _scores(y: np.ndarray, w: np.ndarray, test: str) -> np.ndarray:
    """Each row's rank score: mid-rank in the weighted distribution, ties averaged."""
    order = np.argsort(y, kind="stable")
    ys, ws = y[order], w[order]
    mid = np.cumsum(ws) - ws / 2
    first = np.r_[True, ys[1:] != ys[:-1]]  # runs of tied values
    run = np.cumsum(first) - 1
    avg = np.bincount(run, weights=mid) / np.bincount(run)  # R's ave(): unweighted mean
    rank = np.empty_like(mid)
    rank[order] = avg[run]
    r = rank / w.sum()
    if test == "vanderwaerden":
        from scipy.special import ndtri  # vectorised normal quantile (R's qnorm)

        return np.asarray(ndtri(r), dtype=float)
    if test == "median":
        return (r > 0.5).astype(float)
    return r


def ranktest(sf: SurveyFrame, var: str, *, by: str, test: RankTestName = "wilcoxon",
             where: pl.Expr | None = None) -> RankTest:
    """Design-based rank test of ``var`` across the groups of ``by``, as R's ``svyranktest``.

    Parameters
    ----------
    sf
        The bound design. Replicate weights serve two groups (the influence values'
        total under the replicates, as R); more groups need a linearisation design, as
        R's ``svyranktest`` fails there.
    var
        Numeric (or ordered: an Enum's codes) column to rank.
    by
        Grouping column, two or more values.
    test
        ``"wilcoxon"`` (default; the Wilcoxon/Mann-Whitney test, Kruskal-Wallis for
        more groups), ``"vanderwaerden"`` (normal scores), ``"median"`` (Mood's
        median test), ``"kruskalwallis"`` (same scores as wilcoxon).
    where
        Subpopulation: ranks are estimated within it, as ``svyranktest(...,
        subset(design, ...))``.

    Rows missing ``var`` or ``by`` are left out (R drops them from the design).

    Examples
    --------
    >>> import polars as pl
    >>> from survey.design import svydesign
    >>> sf = svydesign(pl.DataFrame({"y": [1.0, 2.0, 3.0, 5.0, 6.0, 7.0, 4.0, 8.0],
    ...                              "g": ["a", "a", "a", "b", "b", "b", "a", "b"]}))
    >>> r = ranktest(sf, "y", by="g")
    >>> r.groups, round(r.estimate, 3), r.df
    (('a', 'b'), 0.5, 6.0)
    """
    if test not in RANK_TESTS:
        raise EstimationError(f"unknown rank test {test!r}", location="test",
                              hint=f"one of {', '.join(RANK_TESTS)}")
    if sf.calibration is not None:
        raise EstimationError("rank tests on calibrated weights are not supported",
                              location="design", hint="test on the design before weighting")
    dt = sf.frame[var].dtype if var in sf.frame.columns else None
    y = (pl.col(var).to_physical().cast(pl.Float64) if isinstance(dt, pl.Enum)
         else _numeric(sf, var, "var"))
    dom = sf.in_domain_expr() if where is None else sf.in_domain_expr() & where.fill_null(False)
    inside = dom & y.is_not_null() & pl.col(by).is_not_null()
    levels = group_levels(sf, by, inside)
    k = len(levels)
    if k < 2:
        raise EstimationError(f"by={by!r} has {k} value among the ranked rows; a rank test "
                              "compares two or more groups", location=by)
    if k > 2 and sf.is_replicate:
        raise EstimationError(f"a rank test of {k} groups needs a linearisation design (R's "
                              "svyranktest fails on replicate weights beyond two groups)",
                              location="design", hint="give the design's strata, clusters and "
                              "weights instead of replicate weights, or compare two groups")
    try:
        rows = (sf._data.with_row_index("__i")
                .filter(inside)
                .select("__i", y.alias("y"), pl.col(W),
                        pl.col(by).cast(pl.String).alias("g")))
    except pl.exceptions.PolarsError as exc:
        raise EstimationError(f"cannot evaluate the domain: {exc}", location="where") from exc
    y_, w = rows["y"].to_numpy(), rows[W].to_numpy()
    names = [str(v) for v in levels]
    g = rows["g"].replace_strict(names, list(range(k)), return_dtype=pl.Int64).to_numpy()
    score = _scores(y_, w, test)
    # weighted least squares of the score on the group (intercept = first group)
    Nk = np.bincount(g, weights=w, minlength=k)
    means = np.bincount(g, weights=w * score, minlength=k) / Nk
    resid = score - means[g]
    X = np.zeros((k, k))  # each group's design row: intercept, then its indicator
    X[:, 0] = 1.0
    X[np.arange(1, k), np.arange(1, k)] = 1.0
    Ainv = np.linalg.inv(X.T @ (Nk[:, None] * X))
    beta = means[1:] - means[0]
    infn = resid[:, None] * (X @ Ainv)[g]  # rows x k influence values
    full = np.zeros((sf._data.height, k))
    full[rows["__i"].to_numpy()] = infn
    cols = [f"{_INF}{j}" for j in range(k)]
    tot = total(sf.with_columns(pl.Series(c, full[:, j]) for j, c in enumerate(cols)), cols)
    V = tot.vcov[1:, 1:]
    _, ddf_, _ = domain_counts(sf, make_domains(sf, by=None, where=inside), [])
    degf = float(ddf_[0])
    name = "kruskalwallis" if k > 2 and test == "wilcoxon" else test
    method = f"Design-based {_NAMES[name]} test"
    if k == 2:
        est, se = float(beta[0]), float(np.sqrt(V[0, 0]))
        t, p, _, _ = t_test(est, se, degf - 1, 0.95)
        return RankTest(test, method, var, by, tuple(names), t, degf - 1, None, p, est, se,
                        rows.height)
    chisq = float(beta @ np.linalg.solve(V, beta))
    ndf, ddf = float(k - 1), degf - (k - 1)
    p = f_sf(chisq / ndf, ndf, ddf)
    return RankTest(test, method, var, by, tuple(names), chisq, ndf, ddf, p, None, None,
                    rows.height)
