"""Survival curves under a design, as R's ``svykm``.

With standard errors (``se=True``, R's ``svykm(..., se = TRUE)``, its ``km.stderr``) the
curve is ``exp(-H(t))`` with ``H`` the weighted Nelson-Aalen cumulative hazard
``sum_{u <= t} d(u) / Y(u)`` (``d``: weighted events at ``u``, ``Y``: weighted at
risk), and ``varlog`` the linearisation variance of ``H(t)`` (= of ``log S(t)``):
the influence of row ``j`` on ``H`` at the ``l``-th event time is
``w_j [event_j 1(t_j <= u_l) / Y(t_j) - C(min(u_l, t_j))]`` with
``C(t) = sum_{u <= t} d(u) / Y(u)^2`` (R's totals of the event and at-risk indicators,
through ``svytotal``). R forms the PSU totals of that for every event time (its
``n x events`` matrices, quadratic in the sample size); here each PSU's totals are a
step function of the event time, so their per-stratum sums and sums of squares are
accumulated by differences at the steps and one cumulative sum: ``O(n log n)``.
Intervals are R's ``confint.svykm``: ``exp(log S -+ z sqrt(varlog))``, the upper
end capped at 1.

Without (``se=False``, R's ``svykm.fit``) the curve is the weighted product-limit
(Kaplan-Meier) estimator, at time 0 and every distinct time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from scipy import special

from survey._display import html_frame
from survey.design import SurveyFrame
from survey.models._surv import stratum_variance, surv_rows

__all__ = ["SurvivalCurves", "svykm"]

_CELLS = 4_000_000
"""Stratum-by-event-time cells accumulated at once (the variance walks the strata in
blocks of this many cells, so a design with many strata stays in memory)."""


@dataclass(frozen=True, eq=False)
class SurvivalCurves:
    """Survival curves, one per group (or one), as R's ``svykm`` returns them.

    Attributes
    ----------
    table
        One row per distinct event time and group: the group column (named as
        ``by``, if given), ``time``, ``estimate`` (the survival probability),
        ``std_error`` (delta method, ``estimate * std_error_log``),
        ``std_error_log`` (R's ``sqrt(varlog)``, the SE of the cumulative hazard),
        ``conf_low`` and ``conf_high`` (R's ``confint.svykm``). Without standard
        errors: ``time`` (0 and every distinct time) and ``estimate``, R's
        product-limit curve.
    by
        The grouping column, or None.
    level
        Confidence level of the intervals.
    se
        Whether standard errors were computed (R's ``se=``).
    """

    table: pl.DataFrame
    by: str | None
    level: float
    se: bool

    def to_frame(self) -> pl.DataFrame:
        """The curves as a polars DataFrame."""
        return self.table

    def _repr_html_(self) -> str:
        """Jupyter: the survival curves as the other results show theirs."""
        return html_frame(self.to_frame(), title="survival curves")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the settings and ``rows``."""
        return {"estimator": "exp(-cumulative hazard)" if self.se else "product-limit",
                "by": self.by, "level": self.level, "rows": self.table.to_dicts()}

    def at(self, times: Sequence[float]) -> pl.DataFrame:
        """The curves at ``times``: the last step at or before each time, with R's
        ``confint.svykm`` interval (before the first event: 1, std_error 0; R stops)."""
        q = np.asarray(times, dtype=float)
        keys = [self.by] if self.by else []
        parts = []
        groups = self.table.partition_by(keys, maintain_order=True) if keys else [self.table]
        before = {"estimate": 1.0, "std_error": 0.0, "std_error_log": 0.0, "conf_low": 1.0,
                  "conf_high": 1.0}  # the curve before its first event
        for part in groups:
            idx = np.searchsorted(part["time"].to_numpy(), q, side="right") - 1
            cols: dict[str, Any] = {}
            for key in keys:
                cols[key] = pl.repeat(part[key][0], q.shape[0], eager=True, dtype=part[key].dtype)
            cols["time"] = q
            for c in [c for c in before if c in part.columns]:
                v = part[c].to_numpy()
                cols[c] = np.where(idx >= 0, v[np.maximum(idx, 0)], before[c])
            parts.append(pl.DataFrame(cols))
        return pl.concat(parts)


def svykm(
    sf: SurveyFrame,
    time: str,
    status: str | pl.Expr,
    *,
    by: str | None = None,
    where: pl.Expr | None = None,
    se: bool = True,
    level: float = 0.95,
) -> SurvivalCurves:
    """Survival curves with design-based standard errors, as R's ``svykm``.

    Parameters
    ----------
    sf
        The bound design. Replicate designs: the replicate variance of the cumulative
        hazard (R's ``svykm`` gives none there; this is its ``withReplicates`` for
        the same statistic).
    time
        The follow-up time column.
    status
        The event indicator: a column (logical, 0/1, or 1/2 with 2 the event, as
        R's ``Surv``) or an expression such as ``pl.col("status") > 0``.
    by
        A grouping column: one curve per level (R's ``svykm(Surv(t, e) ~ g)``), each
        a domain of the full design.
    where
        A subpopulation (domain), as R's ``subset(design, ...)``.
    se
        ``True`` (default): R's ``se = TRUE``, the curve ``exp(-H)`` with ``varlog``;
        ``False``: the product-limit curve without standard errors.
    level
        Confidence level of the intervals (R's ``confint.svykm``, on the log scale).

    Examples
    --------
    >>> import polars as pl
    >>> from survey.design import svydesign
    >>> df = pl.DataFrame({"t": [1., 2, 2, 3, 4, 5], "e": [1, 1, 0, 1, 0, 1],
    ...                    "w": [1., 2, 1, 2, 1, 2]})
    >>> km = svykm(svydesign(df, weights="w"), "t", "e")
    >>> km.to_frame()["time"].to_list()
    [1.0, 2.0, 3.0, 5.0]
    """
    data = surv_rows(sf, time, status, by=by, where=where)
    z = float(-special.ndtri((1 - level) / 2))
    frames = []
    groups = [None] if data.group is None else list(range(len(data.levels)))
    for g in groups:
        keep = slice(None) if g is None else data.group == g
        t, e, w, psu = data.time[keep], data.event[keep], data.w[keep], data.psu[keep]
        if se:
            u, surv, varlog = (_replicate_curve(sf, t, e, w, psu, data.rows[keep])
                               if sf.is_replicate else _hazard_curve(sf, t, e, w, psu))
            sd = np.sqrt(varlog)
            with np.errstate(divide="ignore"):
                logs = np.log(surv)
            cols: dict[str, Any] = {
                "time": u, "estimate": surv, "std_error": surv * sd, "std_error_log": sd,
                "conf_low": np.exp(logs - z * sd),
                "conf_high": np.minimum(np.exp(logs + z * sd), 1.0)}
        else:
            u, surv = _product_limit(t, e, w)
            cols = {"time": u, "estimate": surv}
        frame = pl.DataFrame(cols)
        if g is not None:
            label = pl.lit(data.levels[g]).alias(by)  # type: ignore[arg-type]
            frame = frame.select(label, pl.all())
        frames.append(frame)
    return SurvivalCurves(pl.concat(frames), by, level, se)


def _product_limit(t: np.ndarray, e: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """R's ``svykm.fit``: time 0 and every distinct time, ``cumprod(1 - d/N)``."""
    tt, inv = np.unique(t, return_inverse=True)
    d = np.bincount(inv, weights=w * e, minlength=tt.shape[0])
    n_at = np.bincount(inv, weights=w, minlength=tt.shape[0])
    total = w.sum()
    N = np.r_[total, total - np.r_[0.0, np.cumsum(n_at)[:-1]]]
    surv = np.maximum(0.0, np.cumprod(1.0 - np.r_[0.0, d] / N))
    return np.r_[0.0, tt], surv


def _replicate_curve(sf: SurveyFrame, t: np.ndarray, e: np.ndarray, w: np.ndarray,
                     psu: np.ndarray, rows: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Event times, ``exp(-H)`` and the replicate variance of ``H``: the cumulative
    hazard at the full sample's event times recomputed with each replicate's weights
    (a time where a replicate leaves no one at risk adds nothing), then R's ``svrVar``.
    R's ``svykm`` has no standard errors on replicate designs; this is what its
    ``withReplicates`` gives for the same statistic (the fixtures check it)."""
    reps = sf._reps
    assert reps is not None
    ev = e > 0
    u = np.unique(t[ev])
    m = u.shape[0]
    g = np.searchsorted(u, t, side="right")

    def hazard(wr: np.ndarray) -> np.ndarray:
        d = np.bincount(g[ev] - 1, weights=wr[ev], minlength=m)
        Y = np.cumsum(np.bincount(g, weights=wr, minlength=m + 1)[::-1])[::-1][1:]
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.cumsum(np.where(Y > 0, d / Y, 0.0))

    H = hazard(w)
    n_rep = reps.factors.shape[1] if reps.factors is not None else len(reps.columns)
    Hr = np.empty((n_rep, m))
    for r in range(n_rep):  # one vectorised pass over the rows per replicate
        if reps.factors is not None:
            wr = w * reps.factors[psu, r]
        else:
            wr = sf._data[reps.columns[r]].to_numpy()[rows].astype(float)
            if not reps.combined:
                wr = wr * w
        Hr[r] = hazard(wr)
    centre = H if reps.mse else Hr[reps.rscales > 0].mean(axis=0)
    var = reps.scale * (reps.rscales @ (Hr - centre) ** 2)
    return u, np.exp(-H), var


def _hazard_curve(sf: SurveyFrame, t: np.ndarray, e: np.ndarray, w: np.ndarray,
                  psu: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Event times, ``exp(-H)`` and the design variance of ``H`` (R's ``km.stderr``)."""
    ev = e > 0
    u = np.unique(t[ev])
    m = u.shape[0]
    if m == 0:
        return u, np.ones(0), np.zeros(0)
    g = np.searchsorted(u, t, side="right")  # events at or before t_j: 0..m
    d = np.bincount(g[ev] - 1, weights=w[ev], minlength=m)
    Y = np.cumsum(np.bincount(g, weights=w, minlength=m + 1)[::-1])[::-1][1:]
    H = np.cumsum(d / Y)
    C = np.r_[0.0, np.cumsum(d / Y**2)]  # C[l]: at the l-th event time (C[0] = 0)
    Yg = np.r_[np.inf, Y][g]
    c = np.where(ev, w / Yg, 0.0) - w * C[g]  # a row's influence once l >= g_j
    h_row = sf._psu_h[psu].astype(np.int64)
    n_strata = sf._strata.n_psu.shape[0]
    block = max(1, _CELLS // (m + 1))
    var = np.zeros(m)
    for h0 in range(0, n_strata, block):
        h1 = min(h0 + block, n_strata)
        sel = (h_row >= h0) & (h_row < h1)
        S1, S2 = _stratum_sums(g[sel], c[sel], w[sel], psu[sel], h_row[sel] - h0,
                               h1 - h0, m, C[1:])
        var += stratum_variance(sf, S1, S2, slice(h0, h1))
    return u, np.exp(-H), var


def _stratum_sums(g: np.ndarray, c: np.ndarray, w: np.ndarray, psu: np.ndarray,
                  h: np.ndarray, n_h: int, m: int, C: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Per stratum and event time: the sum and the sum of squares over PSUs of the PSU
    totals ``Z[p, l] = alpha_p(l) - C_l W_p(l)``, where ``alpha_p(l)`` sums ``c`` over
    the PSU's rows with ``g <= l`` and ``W_p(l)`` the weights of its rows with ``g > l``
    (still at risk). Both are step functions of ``l``: the squares are accumulated by
    their changes at each PSU's steps."""
    width = m + 1
    cell = h * width + g
    size = n_h * width
    # sums: alpha summed over the stratum's rows with g <= l; W over rows with g > l
    A = np.cumsum(np.bincount(cell, weights=c, minlength=size).reshape(n_h, width), axis=1)
    Wc = np.cumsum(np.bincount(cell, weights=w, minlength=size).reshape(n_h, width), axis=1)
    Wr = Wc[:, -1:] - Wc
    S1 = A[:, 1:] - C * Wr[:, 1:]
    # squares: each PSU's (alpha, W) after each of its steps, in (psu, g) order
    order = np.lexsort((g, psu))
    ps, gs, cs, ws, hs = psu[order], g[order], c[order], w[order], h[order]
    n = ps.shape[0]
    new_psu = np.r_[True, ps[1:] != ps[:-1]]
    first = np.maximum.accumulate(np.where(new_psu, np.arange(n), 0))
    cc, cw = np.cumsum(cs), np.cumsum(ws)
    alpha = cc - cc[first] + cs[first]
    w_in = cw - cw[first] + ws[first]
    starts = np.flatnonzero(new_psu)
    Wp = np.add.reduceat(ws, starts)[np.cumsum(new_psu) - 1]  # each row's PSU total
    W_after = Wp - w_in
    end = np.r_[(ps[1:] != ps[:-1]) | (gs[1:] != gs[:-1]), True]
    a_e, W_e, g_e, h_e, p_e = alpha[end], W_after[end], gs[end], hs[end], ps[end]
    first_run = np.r_[True, p_e[1:] != p_e[:-1]]
    a_prev = np.where(first_run, 0.0, np.r_[0.0, a_e[:-1]])
    W_prev = np.where(first_run, Wp[end], np.r_[0.0, W_e[:-1]])
    at = h_e * width + g_e

    def acc(after: np.ndarray, before: np.ndarray, base: np.ndarray) -> np.ndarray:
        out = np.bincount(at, weights=after - before, minlength=size).reshape(n_h, width)
        out[:, 0] += base
        return np.cumsum(out, axis=1)[:, 1:]

    zero = np.zeros(n_h)
    Wp_run = Wp[end][first_run]
    base_ww = np.bincount(h_e[first_run], weights=Wp_run**2, minlength=n_h)
    Saa = acc(a_e**2, a_prev**2, zero)
    Saw = acc(a_e * W_e, a_prev * W_prev, zero)
    Sww = acc(W_e**2, W_prev**2, base_ww)
    S2 = Saa - 2 * C * Saw + C**2 * Sww
    return S1, S2
