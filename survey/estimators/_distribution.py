"""What a weighted distribution plot draws: histogram bars, box-plot statistics, the
empirical distribution function. The numbers only; :mod:`survey.reports` draws them.

* :func:`histogram`, as R's ``svyhist``: Sturges' number of classes at round break points
  (R's ``hist(breaks = "Sturges")``, which calls ``pretty``), right-closed classes with the
  lowest included, each bar's density the weighted share of the class (R's
  ``svymean(~cut(x, breaks))``) over its width;
* :func:`box_stats`, as R's ``svyboxplot``: the design-based quartiles
  (:func:`~survey.estimators.quantile`, R's ``svyquantile(..., ci = FALSE)``, rule
  ``math``) and whiskers at the extremes or 1.5 IQR from the box, whichever is nearer, with
  the extremes beyond the whiskers as the outliers drawn;
* :func:`ecdf`, as R's ``svycdf``: the weighted share of values at or below each value.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from survey._display import html_frame
from survey.design import SurveyFrame
from survey.errors import EstimationError
from survey.estimators._engine import make_domains
from survey.estimators._quantile import _split, quantile

__all__ = ["BoxStats", "Histogram", "WeightedECDF", "box_stats", "ecdf", "histogram", "pretty_breaks"]


def pretty_breaks(lo: float, hi: float, n: int) -> np.ndarray:
    """About ``n`` classes between ``lo`` and ``hi`` at round values (1, 2, 5 or 10 times
    a power of ten): R's ``pretty(c(lo, hi), n, min.n = 1)``, which ``hist`` uses (the
    algorithm of R's ``R_pretty``, high.u.bias 1.5, u5.bias 0.5 + 1.5 * 1.5).

    >>> pretty_breaks(355.0, 999.0, 9).tolist()[:3]
    [300.0, 400.0, 500.0]
    """
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise EstimationError("cannot draw a histogram of values that are not finite")
    h, h5, eps = 1.5, 0.5 + 1.5 * 1.5, 1e-10
    ndiv = max(n, 1)
    dx = hi - lo
    cell = max(abs(lo), abs(hi))
    u = 1 + (1 / (1 + h) if h5 >= 1.5 * h + 0.5 else 1.5 / (1 + h5))
    u *= ndiv * np.finfo(float).eps
    if dx == 0 and hi == 0:
        cell, small = 1.0, True
    else:
        small = dx < cell * u * 3
    if small:
        if cell > 10:
            cell = 9 + cell / 10
        cell *= 0.7  # R's shrink.sml
    else:
        cell = dx / ndiv if ndiv > 1 else dx
    base = 10.0 ** math.floor(math.log10(cell))
    unit = base
    if 2 * base - cell < h * (cell - unit):
        unit = 2 * base
        if 5 * base - cell < h5 * (cell - unit):
            unit = 5 * base
            if 10 * base - cell < h * (cell - unit):
                unit = 10 * base
    ns = math.floor(lo / unit + eps)
    nu = math.ceil(hi / unit - eps)
    while ns * unit > lo + eps * unit:
        ns -= 1
    while nu * unit < hi - eps * unit:
        nu += 1
    k = int(0.5 + nu - ns)
    if k < 1:  # min.n = 1
        k = 1 - k
        if ns >= 0:
            nu += k // 2
            ns -= k // 2 + k % 2
        else:
            ns -= k // 2
            nu += k // 2 + k % 2
    return np.arange(ns, nu + 1, dtype=float) * unit


@dataclass(frozen=True, eq=False)
class Histogram:
    """Weighted histogram of one variable: ``breaks`` (class limits), ``density`` (the
    weighted share of each class over its width, so the bars' area is 1), ``share`` and
    ``counts`` (weighted counts: the share times the weight total)."""

    variable: str
    breaks: np.ndarray
    density: np.ndarray
    share: np.ndarray
    counts: np.ndarray
    n: int

    def to_frame(self) -> pl.DataFrame:
        """One row per class: ``low``, ``high``, ``density``, ``share``, ``count``."""
        return pl.DataFrame({"variable": [self.variable] * self.density.size,
                             "low": self.breaks[:-1], "high": self.breaks[1:],
                             "density": self.density, "share": self.share, "count": self.counts})

    def to_dict(self) -> dict[str, object]:
        """Plain data."""
        return {"variable": self.variable, "breaks": self.breaks.tolist(),
                "density": self.density.tolist(), "n": self.n}

    def _repr_html_(self) -> str:
        """Jupyter: one row per class, its weighted share and density."""
        return html_frame(self.to_frame().drop("variable"), pct=["share"],
                          title=f"Weighted histogram of {self.variable}",
                          caption=f"{self.n} respondents; classes (low, high], the lowest "
                                  "closed (R's svyhist)")


def _values(sf: SurveyFrame, v: str, by: str | Sequence[str] | None,
            where: pl.Expr | None) -> tuple[pl.DataFrame | None, list]:
    if v not in sf.frame.columns:
        raise EstimationError(f"no column {v!r}", location=v, hint="name a numeric question")
    if not sf.frame[v].dtype.is_numeric():
        raise EstimationError(f"{v!r} is {sf.frame[v].dtype}, not numeric", location=v,
                              hint="a distribution plot needs a numeric question")
    valid = pl.col(v).is_not_null()
    if sf.frame[v].dtype.is_float():
        valid = valid & pl.col(v).is_not_nan()
    dom = make_domains(sf, by=by, where=valid if where is None else where & valid)
    parts = _split(sf, dom, v)
    return (dom.levels if dom.by else None), parts


def histogram(sf: SurveyFrame, var: str, *, breaks: int | Sequence[float] | None = None,
              where: pl.Expr | None = None) -> Histogram:
    """Weighted histogram of ``var``, as R's ``svyhist`` (``probability = TRUE``).

    ``breaks``: the class limits, or a number of classes; default Sturges'
    ``ceiling(log2(n) + 1)`` at round values.
    """
    _, parts = _values(sf, var, None, where)
    x, w = parts[0].x, parts[0].w
    if x.size == 0:
        raise EstimationError(f"{var!r} has no values to draw", location=var)
    if breaks is None or isinstance(breaks, int):
        k = breaks if isinstance(breaks, int) else math.ceil(math.log2(x.size) + 1)
        edges = pretty_breaks(float(x.min()), float(x.max()), k)
    else:
        edges = np.asarray(breaks, dtype=float)
        if edges.size < 2 or np.any(np.diff(edges) <= 0) or x.min() < edges[0] or x.max() > edges[-1]:
            raise EstimationError("the breaks must increase and cover every value", location=var)
    # right-closed classes (a, b], the lowest [a, b] included, as R's cut(right = TRUE)
    idx = np.clip(np.searchsorted(edges, x, side="left") - 1, 0, edges.size - 2)
    totals = np.bincount(idx, weights=w, minlength=edges.size - 1)
    share = totals / w.sum()
    return Histogram(var, edges, share / np.diff(edges), share, share * w.sum(), int(x.size))


@dataclass(frozen=True, eq=False)
class BoxStats:
    """Box-plot statistics per group: ``table`` has the ``by`` columns, ``low`` (lower
    whisker), ``q1``, ``median``, ``q3``, ``high`` (upper whisker), ``lowest`` and
    ``highest`` (the 0 and 1 quantiles) and ``n``; :meth:`outliers` gives the extremes
    beyond the whiskers (R's ``svyboxplot`` with ``all.outliers = FALSE``)."""

    variable: str
    table: pl.DataFrame
    by: tuple[str, ...] = ()

    def to_frame(self) -> pl.DataFrame:
        """The statistics, one row per group."""
        return self.table

    def to_dict(self) -> dict[str, object]:
        """Plain data."""
        return {"variable": self.variable, "by": list(self.by), "groups": self.table.to_dicts()}

    def _repr_html_(self) -> str:
        """Jupyter: the box statistics, one row per group."""
        return html_frame(self.table, title=f"Box plot statistics of {self.variable}",
                          caption="design-based quartiles; whiskers at the extremes or 1.5 IQR "
                                  "(R's svyboxplot)")

    def outliers(self, row: int) -> list[float]:
        """The points drawn beyond the whiskers of group ``row``."""
        r = self.table.row(row, named=True)
        return [v for v, edge in ((r["highest"], r["high"]), (r["lowest"], r["low"])) if v != edge]


def box_stats(sf: SurveyFrame, var: str, *, by: str | Sequence[str] | None = None,
              where: pl.Expr | None = None) -> BoxStats:
    """Box-plot statistics of ``var`` (by group), as R's ``svyboxplot``: the quantiles 0,
    0.25, 0.5, 0.75 and 1 of :func:`~survey.estimators.quantile` (rule ``math``; its 0
    quantile, like R's, need not be the smallest value), whiskers at the 0 and 1
    quantiles or 1.5 IQR from the box, whichever is nearer."""
    q = quantile(sf, var, quantiles=[0.0, 0.25, 0.5, 0.75, 1.0], by=by, where=where, interval="mean")
    qs = q.table["estimate"].to_numpy().reshape(-1, 5)
    iqr = qs[:, 3] - qs[:, 1]
    low = np.maximum(qs[:, 0], qs[:, 1] - 1.5 * iqr)
    high = np.minimum(qs[:, 4], qs[:, 3] + 1.5 * iqr)
    by_cols = list(q.by)
    levels = q.table.select(by_cols).gather_every(5) if by_cols else None
    table = pl.DataFrame({"variable": [var] * qs.shape[0], "low": low, "q1": qs[:, 1],
                          "median": qs[:, 2], "q3": qs[:, 3], "high": high, "lowest": qs[:, 0],
                          "highest": qs[:, 4], "n": q.table["n"].gather_every(5)})
    if levels is not None:
        table = levels.hstack(table)
    return BoxStats(var, table, tuple(by_cols))


@dataclass(frozen=True, eq=False)
class WeightedECDF:
    """The weighted empirical distribution function: ``values`` (sorted, distinct) and
    ``share`` (the weighted share at or below each), per group."""

    variable: str
    table: pl.DataFrame
    by: tuple[str, ...] = ()

    def to_frame(self) -> pl.DataFrame:
        """One row per group and distinct value: ``value``, ``share``."""
        return self.table

    def _repr_html_(self) -> str:
        """Jupyter: the weighted share at or below each value (long tables shortened)."""
        return html_frame(self.table, pct=["share"], max_rows=20,
                          title=f"Weighted ECDF of {self.variable}")

    def __call__(self, x: float | Sequence[float], row: int = 0) -> np.ndarray:
        """The function at ``x`` (of the ``row``-th group), as R's stepfun."""
        t = self.table
        if self.by:
            key = t.select(self.by).unique(maintain_order=True).row(row)
            mask = pl.all_horizontal(pl.col(c) == k for c, k in zip(self.by, key, strict=True))
            t = t.filter(mask)
        v, s = t["value"].to_numpy(), t["share"].to_numpy()
        i = np.searchsorted(v, np.asarray(x, dtype=float), side="right") - 1
        return np.where(i >= 0, s[np.clip(i, 0, None)], 0.0)


def ecdf(sf: SurveyFrame, var: str, *, by: str | Sequence[str] | None = None,
         where: pl.Expr | None = None) -> WeightedECDF:
    """Weighted ECDF of ``var`` (by group), as R's ``svycdf``."""
    levels, parts = _values(sf, var, by, where)
    frames = []
    for k, p in enumerate(parts):
        if not p.x.size:
            continue
        xs, cw = p.x, np.cumsum(p.w) / p.w.sum()  # sorted by value
        last = np.r_[xs[1:] != xs[:-1], True]  # the share after the last tie
        f = pl.DataFrame({"variable": [var] * int(last.sum()), "value": xs[last], "share": cw[last]})
        if levels is not None:
            f = levels[[k] * f.height].hstack(f)
        frames.append(f)
    if not frames:
        raise EstimationError(f"{var!r} has no values to draw", location=var)
    return WeightedECDF(var, pl.concat(frames), tuple(levels.columns) if levels is not None else ())
