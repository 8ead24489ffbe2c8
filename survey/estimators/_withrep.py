"""Any statistic over replicate weights (R's ``withReplicates``), the Gini coefficient
(convey's ``svygini``) and percentile ratios.

:func:`with_replicates` evaluates a statistic ``theta(frame, weights)`` once with the
full-sample (sampling) weights and once per replicate with the replicate analysis
weights, and takes R's ``svrVar`` of the replicate values: ``scale * sum_r rscales_r
(theta_r - centre)^2``, centred on the replicates' mean, or on the full-sample value
with ``mse`` (the design's). Supplied replicate columns and replicates created with
:func:`~survey.design.as_replicate` both work; a linearisation design has no
replicates, so the statistic needs one of those.

:func:`gini` is convey's ``svygini`` (Langel and Tille 2013): on replicate designs its
replicate variance, on linearisation designs convey's influence function, summed by
PSU into R's ``svyrecvar`` (strata, fpc, lonely PSUs, calibration residuals as the
other estimators). :func:`percentile_ratio` is a ratio of two ``svyquantile`` points
(rule ``math``, R's default), replicate designs only (R has no linearised variance
of it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import polars as pl

from survey._typing import QuantileRule
from survey.design import SurveyFrame, subset_df
from survey.design._frame import DOM, PSU, SSU, W
from survey.errors import EstimationError
from survey.estimators._engine import make_domains, svr_var, taylor_vcov
from survey.estimators._intervals import wald
from survey.estimators._qrules import QRULES, qrule
from survey.estimators._results import Estimates

__all__ = ["gini", "percentile_ratio", "with_replicates"]

Statistic = Callable[[pl.DataFrame, np.ndarray], Any]


class _Rows:
    """The rows a statistic sees: the domain's rows (R's ``subset`` of a replicate design
    drops the others), their sampling weights and their replicate analysis weights."""

    __slots__ = ("frame", "psu", "rows", "w")

    def __init__(self, sf: SurveyFrame, where: pl.Expr | None, valid: pl.Expr | None) -> None:
        dom = make_domains(sf, by=None, where=where if valid is None else
                           (valid if where is None else where.fill_null(False) & valid))
        inside = dom.data[DOM].is_not_null() & (dom.data[W] != 0)
        self.rows = inside.arg_true().to_numpy()
        if self.rows.shape[0] == 0:
            raise EstimationError("no row with a non-zero weight passes where= and has a "
                                  "value", location="where")
        self.frame = sf.frame[self.rows]
        self.w = dom.data[W].to_numpy()[self.rows].astype(np.float64)
        self.psu = dom.data[PSU].to_numpy()[self.rows].astype(np.int64)

    def replicate_weights(self, sf: SurveyFrame) -> np.ndarray:
        """R's ``weights(design, "analysis")`` at these rows, ``(rows, R)``."""
        reps = sf._reps
        assert reps is not None
        if reps.factors is not None:
            return self.w[:, None] * reps.factors[self.psu]
        cols = sf._data.select(reps.columns)[self.rows].to_numpy().astype(np.float64)
        return cols if reps.combined else cols * self.w[:, None]

    def df(self, sf: SurveyFrame) -> int:
        return subset_df(sf, np.unique(self.psu))


def _need_replicates(sf: SurveyFrame, what: str) -> None:
    if not sf.is_replicate:
        raise EstimationError(
            f"{what} needs replicate weights: the design has none", location="design",
            hint="make them with survey.design.as_replicate(sf, type=...) (CLI: --replicate "
                 "jk1|jkn|brr|fay|bootstrap) or supply them (--replicate-weights)")


def _result(statistic: str, names: Sequence[str], value: np.ndarray, V: np.ndarray,
            n: int, df: int, level: float, ci_df: float | None,
            replicates: np.ndarray | None) -> Estimates:
    se = np.sqrt(np.clip(np.diag(V), 0, None))
    lo, hi = wald(value, se, level, ci_df)
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = se / np.abs(value)
    k = len(names)
    table = pl.DataFrame({"variable": list(names), "category": [None] * k,
                          "estimate": value.tolist(), "std_error": se.tolist(),
                          "conf_low": np.asarray(lo).tolist(), "conf_high": np.asarray(hi).tolist(),
                          "cv": cv.tolist(), "n": [n] * k, "df": [df] * k},
                         schema_overrides={"category": pl.String, "n": pl.Int64, "df": pl.Int64,
                                           "estimate": pl.Float64, "std_error": pl.Float64,
                                           "conf_low": pl.Float64, "conf_high": pl.Float64,
                                           "cv": pl.Float64})
    return Estimates(statistic, table, V, level, (), "wald" if ci_df is None else "wald-t",
                     replicates)


def _values(out: Any) -> np.ndarray:
    return np.atleast_1d(np.asarray(out, dtype=np.float64)).ravel()


def with_replicates(sf: SurveyFrame, statistic: Statistic, *,
                    names: str | Sequence[str] = "theta", where: pl.Expr | None = None,
                    level: float = 0.95, df: float | None = None) -> Estimates:
    """Any statistic of (data, weights) with its replicate variance, as R's
    ``withReplicates(design, theta)``.

    Parameters
    ----------
    sf
        A replicate design: supplied replicate columns, or created by
        :func:`~survey.design.as_replicate` (a linearisation design raises
        :class:`~survey.errors.EstimationError`).
    statistic
        ``statistic(frame, weights)``: the frame's rows (those in ``where``; R's subset
        of a replicate design) and a weight per row; returns a number or a 1-D array.
        It is called once with the sampling weights (R's ``pweights``) and once per
        replicate with that replicate's analysis weights.
    names
        The ``variable`` label of each value the statistic returns.
    where
        Subpopulation: the statistic sees only its rows (R's ``subset``).
    level, df
        Wald intervals, normal by default (R's ``confint`` on ``svrepstat``); ``df``
        for t.

    Returns
    -------
    Estimates
        Statistic ``"theta"``: one row per value, ``estimate``, ``std_error`` (R's
        ``svrVar`` with the design's ``scale``, ``rscales`` and ``mse``), intervals,
        ``n`` (rows seen) and ``df`` (the design's degrees of freedom); ``replicates``
        holds the replicate values.

    Examples
    --------
    >>> import numpy as np, polars as pl
    >>> from survey.design import as_replicate, svydesign
    >>> sf = as_replicate(svydesign(pl.DataFrame({"y": [1.0, 2.0, 4.0, 7.0]})))
    >>> est = with_replicates(sf, lambda d, w: np.sum(w * d["y"].to_numpy()) / np.sum(w))
    >>> round(float(est.estimate[0]), 4), round(float(est.std_error[0]), 4)
    (3.5, 1.3229)
    """
    _need_replicates(sf, "with_replicates()")
    rows = _Rows(sf, where, None)
    full = _values(statistic(rows.frame, rows.w))
    wr = rows.replicate_weights(sf)
    thetas = np.vstack([_values(statistic(rows.frame, wr[:, r])) for r in range(wr.shape[1])])
    labels = [names] if isinstance(names, str) else list(names)
    if len(labels) != full.shape[0]:
        k = full.shape[0]
        labels = [f"theta{j + 1}" for j in range(k)] if k > 1 else labels[:1]
    return _result("theta", labels, full, _svr(thetas, full, sf), rows.rows.shape[0],
                   rows.df(sf), level, df, thetas)


def _svr(thetas: np.ndarray, full: np.ndarray, sf: SurveyFrame) -> np.ndarray:
    """R's ``svrVar``, which drops replicates giving NA (``na.omit``)."""
    ok = np.all(np.isfinite(thetas), axis=1)
    if ok.all():
        return svr_var(thetas, full, sf)
    if not ok.any():
        raise EstimationError("every replicate gave a missing value", location="statistic")
    reps = sf._reps
    assert reps is not None
    rs = reps.rscales[ok]
    centre = full if reps.mse else thetas[ok][rs > 0].mean(axis=0)
    D = (thetas[ok] - centre) * np.sqrt(rs)[:, None]
    return (D.T @ D) * reps.scale


# -- the Gini coefficient (convey's svygini) ------------------------------------------------


def _numeric(sf: SurveyFrame, var: str) -> None:
    if var not in sf.frame.columns:
        raise EstimationError(f"column {var!r} is not in the frame", location=var)
    dt = sf.frame[var].dtype
    if not dt.is_numeric():
        raise EstimationError(f"column {var!r} is {dt}, not numeric", location=var,
                              hint="the Gini coefficient and percentiles need a numeric "
                                   "variable (an amount, an income, a multiple)")


def _gini_sorted(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """convey's ``CalcGini`` for ``x`` sorted ascending and weights ``w`` ``(n,)`` or
    ``(n, R)``: ``sum((2 r - 1) x w) / (N sum(x w)) - 1`` with ``r`` the cumulative
    weight (zero weights add nothing, as convey's filter)."""
    w2 = w if w.ndim == 2 else w[:, None]
    xc = x[:, None]
    r = np.cumsum(w2, axis=0)
    num = np.sum((2 * r - 1) * xc * w2, axis=0)
    big_n = np.sum(w2, axis=0)
    big_t = np.sum(xc * w2, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = num / (big_n * big_t) - 1
    return g if w.ndim == 2 else g[:1]


def _gini_influence(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """convey's ``CalcGini_IF`` for sorted ``x``: the linearised variable of
    ``(2 T1 - T2) / (T2 T3) - 1`` with ``T1 = sum r x w``, ``T2 = sum x w``,
    ``T3 = sum w`` and their linearised variables ``Y - G + x w + r x``, ``x``, ``1``."""
    r = np.cumsum(w)
    g = np.cumsum(x * w)
    t1, t2, t3 = float(np.sum(r * x * w)), float(g[-1]), float(r[-1])
    lin1 = t2 - g + x * w + r * x
    d1 = 2 / (t2 * t3)
    d2 = -1 / (t2 * t3) - (2 * t1 - t2) / (t2 * t2 * t3)
    d3 = -(2 * t1 - t2) / (t2 * t3 * t3)
    return d1 * lin1 + d2 * x + d3


def gini(sf: SurveyFrame, var: str, *, where: pl.Expr | None = None, level: float = 0.95,
         df: float | None = None) -> Estimates:
    """The Gini coefficient of ``var`` with its design-based standard error, as the convey
    package's ``svygini`` (Langel and Tille 2013).

    Parameters
    ----------
    sf
        The bound design. Replicate weights: the coefficient recomputed under every
        replicate, R's ``svrVar`` (convey's ``svygini.svyrep.design``). Linearisation:
        convey's influence function, weighted and summed by PSU into R's
        ``svyrecvar`` (``svygini.survey.design``), with the design's strata, fpc,
        lonely-PSU rule and calibration residuals.
    var
        A numeric column; rows with a null value are left out (convey's ``na.rm=TRUE``).
    where
        Subpopulation, as R's ``subset`` (the design's PSUs kept).
    level, df
        Wald intervals, normal by default (convey's ``confint``); ``df`` for t.

    Returns
    -------
    Estimates
        Statistic ``"gini"``, one row: ``estimate`` (between 0 and 1 for non-negative
        values), ``std_error``, intervals, ``n``, ``df``.

    Examples
    --------
    >>> import polars as pl
    >>> from survey.design import svydesign
    >>> sf = svydesign(pl.DataFrame({"y": [1.0, 2.0, 3.0, 10.0]}))
    >>> round(float(gini(sf, "y").estimate[0]), 4)
    0.4375
    """
    _numeric(sf, var)
    rows = _Rows(sf, where, pl.col(var).is_not_null())
    x = rows.frame[var].cast(pl.Float64).to_numpy()
    order = np.argsort(x, kind="stable")
    xs, ws = x[order], rows.w[order]
    value = _gini_sorted(xs, ws)
    if sf.is_replicate:
        wr = rows.replicate_weights(sf)[order]
        thetas = _gini_sorted(xs, wr)[:, None]
        return _result("gini", [var], value, _svr(thetas, value, sf), rows.rows.shape[0],
                       rows.df(sf), level, df, thetas)
    lin = np.empty_like(x)
    lin[order] = _gini_influence(xs, ws)
    V = _taylor(sf, rows, (lin * rows.w)[:, None])
    return _result("gini", [var], value, V, rows.rows.shape[0], _taylor_df(sf, rows), level,
                   df, None)


def _taylor(sf: SurveyFrame, rows: _Rows, values: np.ndarray) -> np.ndarray:
    """R's ``svyrecvar`` of per-row weighted influence values at ``rows``."""
    totals = np.column_stack([np.bincount(rows.psu, weights=values[:, j], minlength=sf.n_psu)
                              for j in range(values.shape[1])])
    Z2 = None
    if sf.has_stage2:
        ssu = sf._data[SSU].to_numpy()[rows.rows].astype(np.int64)
        Z2 = np.column_stack([np.bincount(ssu, weights=values[:, j], minlength=sf.n_ssu)
                              for j in range(values.shape[1])])
    if sf.calibration is not None:
        totals = sf.calibration.residual_row_totals(sf._data, values, rows.rows, totals)
    return taylor_vcov(sf, totals, Z2)


def _taylor_df(sf: SurveyFrame, rows: _Rows) -> int:
    """R's ``degf`` of the subset: PSUs minus strata among rows of non-zero weight."""
    psus = np.unique(rows.psu)
    strata = np.unique(sf._psu_h[psus])
    return int(psus.shape[0] - strata.shape[0])


# -- percentile ratios ------------------------------------------------------------------------


def percentile_ratio(sf: SurveyFrame, var: str, *, ratio: tuple[float, float] = (90, 10),
                     qrule_name: QuantileRule = "math", where: pl.Expr | None = None,
                     level: float = 0.95, df: float | None = None) -> Estimates:
    """A ratio of two percentiles (P90/P10 by default) with its replicate standard error,
    as ``withReplicates(design, function(w, data) q(0.9) / q(0.1))`` with ``q`` the
    quantile rule of R's ``svyquantile`` (``qrule="math"``, R's default).

    Parameters
    ----------
    sf
        A replicate design (R has no linearised variance of a percentile ratio: make
        replicates with :func:`~survey.design.as_replicate`).
    var
        A numeric column; rows with a null value are left out (``na.rm=TRUE``).
    ratio
        The two percentiles, upper then lower, in (0, 100): ``(90, 10)``, ``(80, 20)``,
        ``(50, 10)``.
    qrule_name
        The quantile rule (see :func:`~survey.estimators.quantile`).
    where, level, df
        As :func:`with_replicates`.

    Returns
    -------
    Estimates
        Statistic ``"percentile_ratio"``, one row, ``variable`` ``"VAR p90/p10"``.

    Examples
    --------
    >>> import polars as pl
    >>> from survey.design import as_replicate, svydesign
    >>> sf = as_replicate(svydesign(pl.DataFrame({"y": [float(v) for v in range(1, 21)]})))
    >>> float(percentile_ratio(sf, "y").estimate[0])
    9.0
    """
    _numeric(sf, var)
    hi, lo = (float(v) for v in ratio)
    if not (0 < lo < 100 and 0 < hi < 100):
        raise EstimationError(f"percentiles {hi:g}/{lo:g} must lie strictly between 0 and "
                              "100", location="ratio", hint="e.g. 90/10, 80/20, 50/10")
    if qrule_name not in QRULES:
        raise EstimationError(f"unknown quantile rule {qrule_name!r}", location="qrule",
                              hint=f"one of {', '.join(QRULES)}")
    _need_replicates(sf, "a percentile ratio")
    rows = _Rows(sf, where, pl.col(var).is_not_null())
    x = rows.frame[var].cast(pl.Float64).to_numpy()
    order = np.argsort(x, kind="stable")
    xs = x[order]
    p = np.array([hi / 100, lo / 100])

    def one(w: np.ndarray) -> float:
        q = qrule(qrule_name, xs, w, p)
        with np.errstate(divide="ignore", invalid="ignore"):
            return float(q[0] / q[1])

    value = np.array([one(rows.w[order])])
    wr = rows.replicate_weights(sf)[order]
    thetas = np.array([[one(wr[:, r])] for r in range(wr.shape[1])])
    return _result("percentile_ratio", [f"{var} p{hi:g}/p{lo:g}"], value,
                   _svr(thetas, value, sf), rows.rows.shape[0], rows.df(sf), level, df, thetas)
