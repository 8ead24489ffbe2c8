"""The log-rank family under a design, as R's ``svylogrank`` (its default
``method = "small"``).

R's statistic is the score test of a Cox model at zero: each row's score contribution
(the group's indicator columns minus their Efron risk-set means at the row's event,
minus what the row accumulates while at risk, R's ``.logrank``), weighted by the
Fleming-Harrington ``G(rho, gamma)`` weight ``S(t-)^rho (1 - S(t-))^gamma`` with ``S``
the design-weighted product-limit curve just before ``t``; the design total ``U`` of
the contributions and its design covariance ``V`` (R's ``svytotal``) give
``U' V^-1 U`` on ``k - 1`` degrees of freedom (chi-square). ``rho = gamma = 0`` is
the log-rank test, ``rho = 1`` Prentice's (Peto-Peto's) Wilcoxon.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from scipy import special

from survey._display import html_frame
from survey.design import SurveyFrame
from survey.estimators._engine import svr_var, taylor_vcov
from survey.errors import ModelError
from survey.models._cox import RiskSets, partial_likelihood, time_means
from survey.models._km import _product_limit
from survey.models._surv import surv_rows

__all__ = ["LogRankTest", "svylogrank"]


@dataclass(frozen=True, eq=False)
class LogRankTest:
    """A design-based log-rank (``G(rho, gamma)``) test.

    Attributes
    ----------
    statistic, df, p_value
        The chi-square ``U' V^-1 U``, its degrees of freedom (groups - 1) and p-value.
    terms
        Per group after the first: ``term`` (the level), ``score`` (R's ``score``: the
        design total of the observed minus expected events, weighted), ``std_error``,
        ``statistic`` (z) and ``p_value``.
    by, levels, rho, gamma, method
        The grouping column and its levels, the weights' parameters, and the variance
        (``linearisation`` or ``replicate (TYPE)``).
    """

    statistic: float
    df: int
    p_value: float
    terms: pl.DataFrame
    by: str
    levels: tuple[object, ...]
    rho: float
    gamma: float
    method: str

    def to_frame(self) -> pl.DataFrame:
        """The per-group scores."""
        return self.terms

    def _repr_html_(self) -> str:
        """Jupyter: the log-rank test as the other results show theirs."""
        return html_frame(self.to_frame(), title="log-rank test")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"test": "logrank", "by": self.by, "levels": list(self.levels),
                "rho": self.rho, "gamma": self.gamma, "statistic": self.statistic,
                "df": self.df, "p_value": self.p_value, "method": self.method,
                "terms": self.terms.to_dicts()}


def svylogrank(
    sf: SurveyFrame,
    time: str,
    status: str | pl.Expr,
    by: str,
    *,
    rho: float = 0.0,
    gamma: float = 0.0,
    where: pl.Expr | None = None,
) -> LogRankTest:
    """Design-based log-rank test across the groups of ``by``, as R's ``svylogrank``.

    Parameters
    ----------
    sf
        The bound design (linearisation or replicate weights).
    time, status
        Follow-up time and event indicator (logical, 0/1 or 1/2, as R's ``Surv``; or
        an expression such as ``pl.col("status") == 2``).
    by
        The grouping column (two or more levels, R's factor order: its indicator
        columns against the first level, as R's model matrix).
    rho, gamma
        Fleming-Harrington weights ``S(t-)^rho (1 - S(t-))^gamma`` (R's defaults 0, 0:
        the log-rank test; ``rho=1``: Prentice's Wilcoxon; ``gamma=1``: late differences).
    where
        A subpopulation (domain).

    Examples
    --------
    >>> import polars as pl
    >>> from survey.design import svydesign
    >>> df = pl.DataFrame({"t": [1., 2, 3, 4, 5, 6, 7, 8], "e": [1, 1, 0, 1, 1, 0, 1, 1],
    ...                    "g": ["a", "b"] * 4, "w": [1., 2, 1, 2, 1, 2, 1, 2]})
    >>> svylogrank(svydesign(df, weights="w"), "t", "e", "g").df
    1
    """
    data = surv_rows(sf, time, status, by=by, where=where)
    k = len(data.levels)
    if k < 2:
        raise ModelError(f"{by!r} has {k} level among the rows: nothing to compare",
                         location=by)
    assert data.group is not None
    X = (data.group[:, None] == np.arange(1, k)[None, :]).astype(float)
    rs = RiskSets.build(data.time, data.event, "efron")
    if rs.ev_rows.size == 0:
        raise ModelError("no event among the rows", location="status")
    o = rs.order
    Xs, ws, ts = X[o], data.w[o], data.time[o]
    fit = partial_likelihood(rs, Xs, ws, np.zeros(k - 1), need="score")
    l_e = rs.tie
    haz, E = fit["a"], time_means(rs, fit)  # coxph.detail at beta = 0: hazard and means
    u = ts[rs.start]
    wt = _fh_weights(ts, data.event[o], ws, u, rho, gamma)
    A = rs.at_rows(wt * haz)
    B = rs.at_rows(E * (wt * haz)[:, None])
    U = -(Xs * A[:, None] - B)
    ev = rs.ev_rows
    U[ev] += wt[l_e][:, None] * (Xs[ev] - E[l_e])
    scores = np.empty_like(U)
    scores[o] = U * ws[:, None]  # each row's weighted contribution, frame order
    total = scores.sum(axis=0)
    if sf.is_replicate:
        reps = sf._reps
        assert reps is not None
        if reps.factors is not None:
            wr = data.w[:, None] * reps.factors[data.psu]
        else:
            wr = sf._data[list(reps.columns)].to_numpy()[data.rows].astype(float)
            if not reps.combined:
                wr = wr * data.w[:, None]
        U_f = np.empty_like(U)
        U_f[o] = U
        vcov = svr_var(wr.T @ U_f, total, sf)
        method = f"replicate ({sf.design.type})"  # type: ignore[union-attr]
    else:
        Z = np.zeros((sf.n_psu, k - 1))
        np.add.at(Z, data.psu, scores)
        Z2 = None
        if sf.has_stage2:
            raise ModelError("the log-rank test needs a one-stage design",
                             hint="bind the first stage only")
        if sf.calibration is not None:
            raise ModelError("the log-rank test does not take calibrated weights",
                             hint="use the uncalibrated design")
        vcov = taylor_vcov(sf, Z, Z2)
    try:
        stat = float(total @ np.linalg.solve(vcov, total))
    except np.linalg.LinAlgError:
        raise ModelError("the scores' covariance is singular", location=by) from None
    se = np.sqrt(np.diag(vcov))
    z = total / se
    terms = pl.DataFrame({"term": [str(v) for v in data.levels[1:]], "score": total,
                          "std_error": se, "statistic": z,
                          "p_value": 2 * special.ndtr(-np.abs(z))})
    return LogRankTest(stat, k - 1, float(special.chdtrc(k - 1, stat)), terms, by,
                       data.levels, rho, gamma,
                       "linearisation" if not sf.is_replicate else method)


def _fh_weights(t: np.ndarray, e: np.ndarray, w: np.ndarray, u: np.ndarray, rho: float,
                gamma: float) -> np.ndarray:
    """``S(u-)^rho (1 - S(u-))^gamma`` at the event times ``u``, ``S`` R's
    product-limit curve (``svykm(se = FALSE)``) just before ``u``."""
    if rho == 0 and gamma == 0:
        return np.ones(u.shape[0])
    times, surv = _product_limit(t, e, w)  # time 0 and every distinct time
    before = surv[np.maximum(np.searchsorted(times, u, side="left") - 1, 0)]
    return before**rho * (1.0 - before) ** gamma
