"""Means, totals, ratios and proportions, overall and by domain."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import polars as pl

from survey._typing import CIMethod, SortOrder
from survey.design import Design, LazySurveyFrame, SurveyFrame
from survey.design._frame import DOM, W
from survey.estimators._engine import (
    Domains,
    Fit,
    centred_ss,
    domain_counts,
    fit_ratios,
    make_domains,
    svr_var,
)
from survey.estimators._items import _Item, _layout
from survey.estimators._intervals import (
    DESIGN_METHODS,
    SRS_METHODS,
    ciprop,
    likelihood_interval,
    wald,
)
from survey.estimators._joined import warn_if_joined
from survey.estimators._results import Estimates, sort_rows
from survey.estimators._stream import fit_lazy, lazy_items, lazy_ratio_item, reduce_lazy
from survey.errors import EstimationError

__all__ = ["categories", "mean", "proportion", "ratio", "total"]

Vars = str | Sequence[str]
By = str | Sequence[str] | None
Frame = SurveyFrame | LazySurveyFrame
"""A design bound to rows in memory, or to rows that stay where they are (streamed
Parquet, Spark): totals, means, proportions and ratios take either, with equal results."""
Deff = bool | Literal["replace"]
"""``True``: R's ``deff=TRUE`` (against simple random sampling without replacement);
``"replace"``: R's ``deff="replace"`` (with replacement: no finite population factor)."""


def _check_deff(deff: object) -> None:
    if deff not in (True, False, "replace"):
        raise EstimationError(f"deff={deff!r} is not True, False or 'replace'", location="deff")


def _names(var: Vars) -> list[str]:
    return [var] if isinstance(var, str) else list(var)


def categories(sf: SurveyFrame, column: str) -> list[object] | None:
    """Categories of a categorical column in R's factor order, or None if numeric.

    Enum: its declared order (unobserved categories included, as factor levels);
    Boolean: ``False, True``; String/Categorical: sorted distinct values.
    """
    s = sf.frame[column]
    dt = s.dtype
    if isinstance(dt, pl.Enum):
        return list(dt.categories.to_list())
    if dt == pl.Boolean:
        return [False, True]
    if dt in (pl.String, pl.Categorical) or isinstance(dt, pl.Categorical):
        return sorted(s.drop_nulls().cast(pl.String).unique().to_list())
    if dt.is_numeric():
        return None
    raise EstimationError(f"column {column!r} is {dt}: neither numeric nor categorical",
                          location=column)


def _items(sf: SurveyFrame, var: Vars) -> list[_Item]:
    out = []
    for v in _names(var):
        if v not in sf.frame.columns:
            raise EstimationError(f"column {v!r} is not in the frame", location=v)
        cats = categories(sf, v)
        x = pl.col(v)
        valid = x.is_not_null()
        if cats is None:
            cols: tuple[pl.Expr, ...] = (x.fill_null(0), valid)
            out.append(_Item(v, None, cols, valid, x))
        else:
            dt = sf.frame[v].dtype
            # Enum, String and Boolean compare natively (an Enum on its codes); casting
            # to text first would cost a string column per category
            xs = x if dt == pl.Boolean or dt == pl.String or isinstance(dt, pl.Enum) \
                else x.cast(pl.String)
            ind = tuple((xs == (c if isinstance(c, bool) else str(c))).fill_null(False)
                        for c in cats)
            out.append(_Item(v, tuple(cats), (*ind, valid), valid, None))
    return out


def _frame(dom: Domains, rows: dict[str, list]) -> pl.DataFrame:
    d_idx = rows.pop("_d")
    # small tables: from Python lists, as building polars columns from numpy arrays
    # imports numpy.ma (~20 ms of every command's start-up)
    rows = {k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in rows.items()}
    out = pl.DataFrame(rows, schema_overrides={"category": pl.String, "n": pl.Int64,
                                               "df": pl.Int64})
    if dom.by:
        out = dom.levels[d_idx].hstack(out)
    return out


def _linear(sf: Frame, var: Vars, statistic: str, *, by: By, where: pl.Expr | None,
            deff: Deff, level: float, df: float | None) -> Estimates:
    return _linear_fit(sf, var, statistic, by=by, where=where, deff=deff, level=level,
                       df=df)[0]


def _by_names(by: By) -> tuple[str, ...]:
    return () if by is None else ((by,) if isinstance(by, str) else tuple(by))


def _linear_fit(sf: Frame, var: Vars, statistic: str, *, by: By, where: pl.Expr | None,
                deff: Deff, level: float, df: float | None, codes: bool = False
                ) -> tuple[Estimates, Domains, list[_Item], tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The estimates, with the domains, items and domain counts they came from."""
    _check_deff(deff)
    xx = None
    if isinstance(sf, LazySurveyFrame):
        items = lazy_items(sf, _names(var), codes=codes)
        red = reduce_lazy(sf, items, by=_by_names(by), where=where, squares=bool(deff))
        xx = red.squares_of
        dom, counts = red.dom, red.counts
        cols, num, den, meta = _layout(items, dom.count, statistic)
        fit = fit_lazy(sf, red, num, den)
    else:
        items = _items(sf, var)
        dom = make_domains(sf, by=by, where=where)
        cols, num, den, meta = _layout(items, dom.count, statistic)
        fit = fit_ratios(sf, dom, cols, num, den)
        counts = domain_counts(sf, dom, [it.valid for it in items])
    n, ddf, _ = counts
    est, se = fit.estimate, np.sqrt(np.clip(np.diag(fit.vcov), 0, None))
    lo, hi = wald(est, se, level, df)
    rows: dict[str, list] = {"_d": [], "variable": [], "category": [], "estimate": est,
                             "std_error": se, "conf_low": lo, "conf_high": hi}
    for d, j, cat, _c in meta:
        rows["_d"].append(d)
        rows["variable"].append(items[j].variable)
        rows["category"].append(None if cat is None else str(cat))
    d_arr = np.array(rows["_d"], dtype=np.int64)
    j_arr = np.array([m[1] for m in meta], dtype=np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        rows["cv"] = se / np.abs(est)
    rows["n"] = n[d_arr, j_arr]
    rows["df"] = ddf[d_arr]
    if deff:
        rows["deff"] = _deff(sf, dom, items, fit, meta, num, den, n, statistic,
                             replace=deff == "replace", xx=xx)
        rows["deft"] = np.sqrt(rows["deff"])
    return (Estimates(statistic, _frame(dom, rows), fit.vcov, level, dom.by,
                      "wald" if df is None else "wald-t", fit.replicates, sf.describe()),
            dom, items, counts)


def _deff(sf: SurveyFrame, dom: Domains, items: list[_Item], fit: Fit, meta: list[tuple],
          num: np.ndarray, den: np.ndarray, n: np.ndarray, statistic: str, *,
          replace: bool = False, xx: dict[int, np.ndarray] | None = None) -> np.ndarray:
    """R's ``deff=TRUE``: variance over the without-replacement SRS variance
    ``s^2 (N - n) / (N n)`` (times ``N^2`` for totals), ``N`` the weight sum and
    ``n`` the respondents of the domain; ``s^2`` has divisor ``n - 1``. R's
    ``deff="replace"`` (``replace=True``): over the with-replacement ``s^2 / n``.

    ``xx`` (a lazy design): per numeric item, each domain's ``sum w x^2``, from which
    the centred sum of squares is ``sum w x^2 - 2 c sum w x + c^2 N`` (no second pass)."""
    T = fit.totals
    k = sum(it.width for it in items)
    offs = np.cumsum([0] + [it.width for it in items])
    m = len(meta)
    d_arr = np.array([x[0] for x in meta])
    j_arr = np.array([x[1] for x in meta])
    N = T[d_arr * k + offs[j_arr] + np.array([items[j].width - 1 for j in j_arr])]
    nn = n[d_arr, j_arr].astype(float)
    if statistic == "total":
        with np.errstate(divide="ignore", invalid="ignore"):
            p = T[num] / N
    else:
        p = fit.estimate
    s2 = np.empty(m)
    numeric = np.array([items[j].labels is None for j in j_arr])
    s2[~numeric] = (p * (1 - p))[~numeric]
    for j, it in enumerate(items):  # one polars pass per numeric variable
        if it.labels is not None:
            continue
        sel = np.flatnonzero(j_arr == j)
        if xx is not None:
            sums = T[d_arr[sel] * k + offs[j]]  # sum w x over the domain's answering rows
            c = p[sel]
            s2[sel] = (xx[j][d_arr[sel]] - 2 * c * sums + c * c * N[sel]) / N[sel]
            continue
        centres = np.zeros((dom.count, 1))
        centres[d_arr[sel], 0] = p[sel]
        ss = centred_ss(dom, [it.value], [it.valid], centres)[:, 0]  # type: ignore[list-item]
        s2[sel] = ss[d_arr[sel]] / N[sel]
    with np.errstate(divide="ignore", invalid="ignore"):
        s2 = s2 * nn / (nn - 1)
        vsrs = s2 / nn if replace else s2 * (N - nn) / (N * nn)
        if statistic == "total":
            vsrs = vsrs * N * N
        return np.diag(fit.vcov) / vsrs


def mean(sf: Frame, var: Vars, *, by: By = None, where: pl.Expr | None = None,
         deff: Deff = False, level: float = 0.95, df: float | None = None) -> Estimates:
    """Design-based means (numeric columns) or category proportions (categorical), as
    R's ``svymean`` / ``svyby(..., svymean)``.

    Parameters
    ----------
    sf
        The bound design.
    var
        Column name(s). A String, Categorical, Enum or Boolean column gives one
        proportion per category (as ``svymean`` on a factor).
    by
        Grouping column(s): one estimate per combination (as ``svyby``), with the
        covariance across domains kept in ``vcov``.
    where
        Subpopulation (a polars expression), estimated as a domain of the full design.
    deff
        Add R's design effect, ``deff``, and its square root, ``deft``:
        ``True`` as R's ``deff=TRUE`` (against simple random sampling without
        replacement, the finite population factor ``(N - n) / N`` included),
        ``"replace"`` as R's ``deff="replace"`` (with replacement).
    level
        Confidence level.
    df
        ``None`` (default): normal quantiles, as R's ``confint(svymean(...))``;
        pass ``sf.df`` (or any number) for t quantiles.

    Rows with a null ``var`` are left out of its domain (R's ``na.rm=TRUE``).

    Examples
    --------
    >>> import polars as pl
    >>> from survey.design import svydesign
    >>> sf = svydesign(pl.DataFrame({"y": [1.0, 2.0, 3.0, 6.0]}))
    >>> float(mean(sf, "y").estimate[0])
    3.0
    """
    return _linear(sf, var, "mean", by=by, where=where, deff=deff, level=level, df=df)


def total(sf: Frame, var: Vars, *, by: By = None, where: pl.Expr | None = None,
          deff: Deff = False, level: float = 0.95, df: float | None = None) -> Estimates:
    """Design-based totals (category counts for categorical columns), as R's ``svytotal``.

    Options as :func:`mean`.

    >>> import polars as pl
    >>> from survey.design import svydesign
    >>> sf = svydesign(pl.DataFrame({"y": [1.0, 2.0], "w": [10.0, 10.0]}), weights="w")
    >>> float(total(sf, "y").estimate[0])
    30.0
    """
    return _linear(sf, var, "total", by=by, where=where, deff=deff, level=level, df=df)


def ratio(sf: Frame, numerator: str, denominator: str, *, by: By = None,
          where: pl.Expr | None = None, deff: Deff = False, level: float = 0.95,
          df: float | None = None) -> Estimates:
    """Ratio of two totals, as R's ``svyratio`` (rows missing either column left out).

    >>> import polars as pl
    >>> from survey.design import svydesign
    >>> sf = svydesign(pl.DataFrame({"y": [1.0, 3.0], "x": [2.0, 2.0]}))
    >>> float(ratio(sf, "y", "x").estimate[0])
    1.0
    """
    _check_deff(deff)
    columns = sf.schema if isinstance(sf, LazySurveyFrame) else sf.frame.columns
    for c in (numerator, denominator):
        if c not in columns:
            raise EstimationError(f"column {c!r} is not in the frame", location=c)
    y, x = pl.col(numerator), pl.col(denominator)
    ok = y.is_not_null() & x.is_not_null()
    if isinstance(sf, LazySurveyFrame):
        item = lazy_ratio_item(numerator, denominator)
        guard = (("notnull", numerator), ("notnull", denominator))
        red = reduce_lazy(sf, [item], by=_by_names(by), where=where, products={
            "yy": (("square", numerator), *guard), "xx": (("square", denominator), *guard),
            "xy": (("col", numerator), ("col", denominator), *guard), "n": guard,
        } if deff else None)
        dom, (n, ddf, _) = red.dom, red.counts
        D = dom.count
        num, den = np.arange(D) * 2, np.arange(D) * 2 + 1
        fit = fit_lazy(sf, red, num, den)
    else:
        item = _Item(f"{numerator}/{denominator}", None,
                     (pl.when(ok).then(y).otherwise(0), pl.when(ok).then(x).otherwise(0)), ok,
                     None)
        dom = make_domains(sf, by=by, where=where)
        D = dom.count
        num, den = np.arange(D) * 2, np.arange(D) * 2 + 1
        fit = fit_ratios(sf, dom, item.cols, num, den)
        n, ddf, _ = domain_counts(sf, dom, [ok])
    est, se = fit.estimate, np.sqrt(np.clip(np.diag(fit.vcov), 0, None))
    lo, hi = wald(est, se, level, df)
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = se / np.abs(est)
    rows: dict[str, list] = {"_d": list(range(D)), "variable": [item.variable] * D,
                             "category": [None] * D, "estimate": est, "std_error": se,
                             "conf_low": lo, "conf_high": hi, "cv": cv, "n": n[:, 0],
                             "df": ddf}
    if deff:
        if isinstance(sf, LazySurveyFrame):  # sum w (y - r x)^2 from the pass's sums
            e = red.extra
            ss = e["yy"] - 2 * est * e["xy"] + est * est * e["xx"]
            N = e["n"]
        else:
            coef = pl.col(DOM).replace_strict(list(range(D)), est.tolist(),
                                              return_dtype=pl.Float64)
            resid = y.cast(pl.Float64) - coef * x.cast(pl.Float64)
            ss = centred_ss(dom, [resid], [ok], np.zeros((D, 1)))[:, 0]
            N = _weight_sums(dom, ok)
        Tx = fit.totals[den]
        nn = n[:, 0].astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            s2 = ss / N * nn / (nn - 1) / Tx**2
            fpc = 1.0 if deff == "replace" else (N - nn) / N
            rows["deff"] = np.diag(fit.vcov) / (s2 * N * N * fpc / nn)
            rows["deft"] = np.sqrt(rows["deff"])
    return Estimates("ratio", _frame(dom, rows), fit.vcov, level, dom.by,
                     "wald" if df is None else "wald-t", fit.replicates, sf.describe())


def _weight_sums(dom: Domains, valid: pl.Expr) -> np.ndarray:
    agg = (dom.data.lazy().filter(pl.col(DOM).is_not_null()).group_by(DOM)
           .agg(pl.when(valid).then(pl.col(W)).otherwise(0.0).sum().alias("N"))
           .sort(DOM).collect())
    out = np.zeros(dom.count)
    out[agg[DOM].to_numpy()] = agg["N"].to_numpy()
    return out


def _is_srs(sf: Frame) -> bool:
    d = sf.design
    if not isinstance(d, Design) or d.strata or d.ids:
        return False
    if d.weights is None:
        return True
    if isinstance(sf, LazySurveyFrame):
        return sf.backend.distinct(d.weights).len() == 1
    return sf.frame[d.weights].n_unique() == 1


def proportion(sf: Frame, var: Vars, *, method: CIMethod = "logit", by: By = None,
               where: pl.Expr | None = None, deff: Deff = False, level: float = 0.95,
               df: float | None = None, sort: SortOrder = "none") -> Estimates:
    """Proportions of every category with R's ``svyciprop`` intervals.

    Parameters
    ----------
    method
        ``"logit"`` (default, as R's ``svyciprop``: stays inside [0, 1] and is
        accurate for small proportions), ``"likelihood"``, ``"asin"``, ``"beta"``
        (Korn-Graubard; conservative, good near 0 or 1), ``"mean"`` (Wald; only
        for middling proportions in large samples), ``"xlogit"``. For simple random
        samples (no strata, no clusters, equal weights) also ``"wilson"``,
        ``"clopper-pearson"``, ``"jeffreys"`` and ``"agresti-coull"`` on the
        unweighted counts.
    var
        Categorical column(s); a numeric column of integer codes (0/1, 1-5, at most
        50 values) counts as categories in numeric order, labelled by the codes, as
        ``survey stats proportion`` reads it.
    df
        Degrees of freedom of the t quantiles; ``None``: the domain's design
        degrees of freedom, as R's ``svyciprop(df=degf(design))``.
    sort
        ``"none"`` (default: categories in their order), ``"descending"`` or
        ``"ascending"``: each variable's categories ordered by their share, within each
        domain (the covariance matrix follows the rows).

    Other options as :func:`mean`. The standard error is that of the mean.  Warns
    (:class:`~survey.errors.DataWarning`) when a text column's cells join several answers
    (``R, Python``): counted whole, each combination would be a category of its own.

    >>> import polars as pl
    >>> from survey.design import svydesign
    >>> sf = svydesign(pl.DataFrame({"a": ["y", "n", "y", "y"]}))
    >>> round(float(proportion(sf, "a").estimate[1]), 2)
    0.75
    """
    if method not in DESIGN_METHODS + SRS_METHODS:
        raise EstimationError(f"unknown interval method {method!r}", location="method",
                              hint=f"one of {', '.join(DESIGN_METHODS + SRS_METHODS)}")
    if method in SRS_METHODS and not _is_srs(sf):
        raise EstimationError(
            f"method={method!r} assumes a simple random sample; this design has strata, "
            "clusters, replicate weights or unequal weights", location="method",
            hint="use 'logit' (default) or 'beta', which use the design variance")
    lazy = isinstance(sf, LazySurveyFrame)
    for v in _names(var):
        if lazy:  # categories and codes are read by the lazy reduction
            continue
        if v in sf.frame.columns and categories(sf, v) is None:
            sf = _codes_as_categories(sf, v)
        elif v in sf.frame.columns:
            warn_if_joined(sf.frame[v])   # a text column of joined lists: counted whole
    res, dom, items, (n, ddf, nrow) = _linear_fit(sf, var, "mean", by=by, where=where,
                                                  deff=deff, level=level, df=None, codes=lazy)
    t = res.table
    d_idx = _domain_index(dom, t)
    j_idx = np.array([[it.variable for it in items].index(v) for v in t["variable"]])
    dfs = np.full(t.height, float(df)) if df is not None else ddf[d_idx].astype(float)
    p, var_ = t["estimate"].to_numpy(), t["std_error"].to_numpy() ** 2
    nn = n[d_idx, j_idx]
    if sf.is_replicate and method == "likelihood":
        raise EstimationError("method='likelihood' needs a linearisation design",
                              location="method", hint="use 'logit' with replicate weights")
    if sf.is_replicate and method == "logit":
        # as R's svyglm on replicate weights: the logit's variance from replicate logits
        reps = res.replicates
        with np.errstate(divide="ignore", invalid="ignore"):
            lg = np.log(reps / (1 - reps))
            v_logit = np.diag(svr_var(lg, np.log(p / (1 - p)), sf))
            var_ = v_logit * (p * (1 - p)) ** 2  # the logit method's delta step, undone
    if method == "likelihood":
        pairs = [likelihood_interval(pi, vi, level, di, ni, pi * ni, ni, ni / (ni - 1))
                 for pi, vi, di, ni in zip(p, var_, dfs, nn.astype(float), strict=True)]
        lo, hi = np.array([a for a, _ in pairs]), np.array([b for _, b in pairs])
    else:
        x = np.rint(p * nn) if method in SRS_METHODS else None
        lo, hi = ciprop(method, p, var_, level, dfs, nrow[d_idx].astype(float), x, nn)
    t = t.with_columns(pl.Series("conf_low", np.asarray(lo, dtype=float).tolist()),
                       pl.Series("conf_high", np.asarray(hi, dtype=float).tolist()),
                       pl.Series("df", dfs.astype(np.int64).tolist(), dtype=pl.Int64))
    t, vcov, reps = sort_rows(t, res.vcov, res.replicates, [*res.by, "variable"], sort)
    return Estimates("proportion", t, vcov, level, res.by, method, reps, sf.describe())


MAX_CODES = 50
"""An integer column with at most this many distinct values counts as category codes."""


def _codes_as_categories(sf: SurveyFrame, column: str) -> SurveyFrame:
    """A numeric column of integer codes (0/1, 1-5 ...) as categories in numeric order,
    labelled by the codes ("0", "1"), as ``survey stats proportion`` reads it."""
    s = sf.frame[column]
    values = s.drop_nulls().unique().sort()
    if values.len() > MAX_CODES or (s.dtype.is_float() and (values != values.round(0)).any()):
        raise EstimationError(f"proportion() needs categories; {column!r} is {s.dtype} with "
                              f"{values.len()} distinct values", location=column,
                              hint="use mean() for a numeric variable")
    ints = [int(v) for v in values.to_list()]
    codes = [str(v) for v in ints]
    return sf.with_columns(pl.col(column).cast(pl.Int64).replace_strict(
        ints, codes, return_dtype=pl.Enum(codes)))


def _domain_index(dom: Domains, t: pl.DataFrame) -> np.ndarray:
    if not dom.by:
        return np.zeros(t.height, dtype=np.int64)
    lv = dom.levels.with_row_index("__d")
    return t.select(dom.by).join(lv, on=list(dom.by), how="left",
                                 maintain_order="left", nulls_equal=True)["__d"].to_numpy()
