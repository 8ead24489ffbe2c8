"""Cox regression under a design, as R's ``svycoxph``.

Coefficients maximise the weighted partial likelihood (R's ``coxph`` with the sampling
weights), ties by Efron's method as R's default (``ties="breslow"`` as R's
``method = "breslow"``); Newton-Raphson from zero with step halving, to full
convergence. Every risk-set sum is a reverse cumulative sum over the rows sorted by
time once, and the information is one weighted cross-product: Efron's tied events
enter it through their risk sets' coefficients, so no per-time loop.

Variance, linearisation (R's ``svycoxph``): the weighted score residuals times the
inverse information (R's ``resid(fit, "dfbeta", weighted = TRUE)``), their PSU totals
through the design's one-stage variance (R's ``svyrecvar``). Replicate weights (R's
``svycoxph.svyrep.design``): the model refitted with each replicate's weights from the
full-sample coefficients, and R's ``svrVar``. Intervals and p-values use the normal
distribution, as R's ``confint`` and ``summary`` of a ``svycoxph``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import polars as pl
from scipy import special

from survey._display import html_frame
from survey.design import SurveyFrame
from survey.estimators._engine import svr_var
from survey.errors import ModelError
from survey.models._formula import ModelFrame, model_frame
from survey.models._glm import gram, replicate_weights, sandwich
from survey.models._results import Coefficients
from survey.models._surv import status_values

__all__ = ["CoxResult", "RiskSets", "parse_surv", "split_strata", "svycoxph"]

Ties = Literal["efron", "breslow"]

_SURV = re.compile(r"^\s*Surv\s*\((?P<args>.*)\)\s*$", re.S)
_HINT = '--formula "Surv(TIME, STATUS) ~ x + z"'


def _column(arg: str) -> str:
    """A column as the formula names it: bare, ``Q("a.b")`` or back-quoted."""
    arg = arg.strip()
    m = re.fullmatch(r"Q\(\s*(['\"])(.+)\1\s*\)|`(.+)`", arg)
    return (m[2] or m[3]) if m else arg


def parse_surv(formula: str) -> tuple[str, str, str]:
    """``"Surv(T, E) ~ x + z"`` -> ``("T", "E", "x + z")``; ``Q("a.b")`` and
    back-quoted names give the column ``a.b``."""
    if "~" not in formula:
        raise ModelError(f"the formula {formula!r} has no '~'", location="formula", hint=_HINT)
    lhs, rhs = formula.split("~", 1)
    m = _SURV.match(lhs)
    parts: list[str] = []
    if m:
        depth, cur = 0, ""
        for ch in m["args"]:
            depth += ch in "(["
            depth -= ch in ")]"
            if ch == "," and depth == 0:
                parts.append(cur)
                cur = ""
            else:
                cur += ch
        parts.append(cur)
    if len(parts) != 2 or not all(p.strip() for p in parts):
        raise ModelError(f"the left-hand side {lhs.strip()!r} is not Surv(time, status)",
                         location="formula", hint=_HINT)
    return _column(parts[0]), _column(parts[1]), rhs.strip()


@dataclass(frozen=True, eq=False)
class CoxResult(Coefficients):
    """A fitted design-based Cox model.

    Attributes
    ----------
    terms
        One row per coefficient: ``term``, ``estimate`` (the log hazard ratio),
        ``std_error``, ``statistic`` (z), ``p_value``, ``conf_low``, ``conf_high``,
        ``ratio`` (the hazard ratio), ``ratio_low``, ``ratio_high``.
    coef, vcov
        Coefficients and their design covariance.
    formula, ties, method, level
        The model, the ties method, the variance (``linearisation`` or
        ``replicate (TYPE)``) and the intervals' level.
    n, events
        Rows fitted and events among them.
    loglik
        The weighted log partial likelihood at the estimate (weights rescaled to
        mean 1, as R's).
    """

    terms: pl.DataFrame
    coef: np.ndarray = field(repr=False)
    vcov: np.ndarray = field(repr=False)
    formula: str
    ties: str
    method: str
    level: float
    n: int
    events: int
    loglik: float

    def _repr_html_(self) -> str:
        """Jupyter: the Cox regression as the other results show theirs."""
        return html_frame(self.to_frame(), title="Cox regression")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the model and its ``terms``."""
        return {"model": "coxph", "formula": self.formula, "ties": self.ties,
                "method": self.method, "level": self.level, "n": self.n,
                "events": self.events, "terms": self.terms.to_dicts()}


def _revcum(a: np.ndarray) -> np.ndarray:
    return np.cumsum(a[::-1], axis=0)[::-1]


@dataclass(frozen=True)
class RiskSets:
    """Rows sorted by (stratum,) time and their distinct event times, for risk-set sums.

    ``order`` sorts the rows by stratum, then time; event time ``l`` (a distinct
    (stratum, time) with an event) has its risk set in sorted rows
    ``start[l]:stop[l]`` (every later row of its stratum). ``tie[e]`` and ``frac[e]``
    give each event (sorted) its event time and Efron's ``r / d`` share.
    ``at_rows(v)`` sums a per-event-time ``v`` over each row's stratum's event times at
    or before the row's time (``level``, less ``base``: the earlier strata's)."""

    order: np.ndarray
    start: np.ndarray  # (m,) first sorted row of each event time's risk set
    stop: np.ndarray  # (m,) one past the last row of its stratum
    level: np.ndarray  # (n,) sorted rows: event times (all strata) at or before the row
    base: np.ndarray  # (n,) sorted rows: event times of the earlier strata
    ev_rows: np.ndarray  # (E,) sorted positions of the events
    tie: np.ndarray  # (E,) the event's event-time index 0..m-1
    frac: np.ndarray  # (E,) r / d_l (Efron) or 0 (Breslow)
    d: np.ndarray  # (m,) number of events at each time

    @classmethod
    def build(cls, time: np.ndarray, event: np.ndarray, ties: str,
              strata: np.ndarray | None = None) -> RiskSets:
        n = time.shape[0]
        s = np.zeros(n, dtype=np.int64) if strata is None else strata.astype(np.int64)
        tt, tr = np.unique(time, return_inverse=True)
        key = s * (tt.shape[0] + 1) + tr.astype(np.int64)  # (stratum, time) as one integer
        order = np.argsort(key, kind="stable")
        key_s, e, s_s = key[order], event[order] > 0, s[order]
        ev_rows = np.flatnonzero(e)
        gkey = np.unique(key_s[ev_rows])  # the event times, in order
        level = np.searchsorted(gkey, key_s, side="right")
        base = np.searchsorted(gkey, s_s * (tt.shape[0] + 1), side="left")
        start = np.searchsorted(key_s, gkey, side="left")
        stop = np.searchsorted(key_s, (gkey // (tt.shape[0] + 1) + 1) * (tt.shape[0] + 1),
                               side="left")
        tie = level[ev_rows] - 1
        d = np.bincount(tie, minlength=gkey.shape[0])
        first = np.r_[0, np.cumsum(d)[:-1]]
        rank = np.arange(ev_rows.shape[0]) - first[tie]
        frac = rank / d[tie] if ties == "efron" else np.zeros(ev_rows.shape[0])
        return cls(order, start, stop, level, base, ev_rows, tie, frac, d)

    def at_rows(self, v: np.ndarray) -> np.ndarray:
        """Per sorted row: ``v`` summed over its stratum's event times up to its time."""
        C = np.concatenate([np.zeros((1, *v.shape[1:])), np.cumsum(v, axis=0)])
        return C[self.level] - C[self.base]

    def risk_sums(self, a: np.ndarray) -> np.ndarray:
        """Per event time: ``a`` (sorted rows) summed over its risk set."""
        R = _revcum(a)
        R = np.concatenate([R, np.zeros((1, *a.shape[1:]))])
        return R[self.start] - R[self.stop]


def partial_likelihood(rs: RiskSets, X: np.ndarray, w: np.ndarray, beta: np.ndarray,
                       *, need: str = "info") -> dict[str, Any]:
    """Efron's (or Breslow's) weighted log partial likelihood, score and information
    at ``beta``, as R's ``coxph.fit`` (``X``, ``w`` sorted by ``rs.order``).

    Efron's ``r``-th of ``d`` tied events at time ``l`` sees the risk set
    ``S0 - (r/d) E0`` (``E0``: the tied events' own sum) with mean
    ``(S1 - (r/d) E1) / d2``; every sum over the events reduces to a few per-time
    coefficients (``a``, ``b``, ``c0..c2``, ``q0``, ``q1``) times the per-time sums
    ``S1``, ``E1``, so only scalars are formed per event.
    """
    eta = X @ beta
    r = np.exp(eta)
    wr = w * r
    m = rs.d.shape[0]
    S0 = rs.risk_sums(wr)  # (m,) risk-set sums
    S1 = rs.risk_sums(X * wr[:, None])  # (m, p)
    ev, le, f = rs.ev_rows, rs.tie, rs.frac
    first = np.r_[0, np.cumsum(rs.d)[:-1]]  # events are sorted: each time's run
    E0 = np.add.reduceat(wr[ev], first)
    Xe, we = X[ev], w[ev]
    E1 = np.add.reduceat(Xe * wr[ev][:, None], first, axis=0)
    meanwt = np.add.reduceat(we, first) / rs.d
    d2 = S0[le] - f * E0[le]  # (E,)
    mw = meanwt[le]
    inv = 1.0 / d2

    def per_time(v: np.ndarray) -> np.ndarray:
        return np.bincount(le, weights=v, minlength=m)

    a, b = per_time(mw * inv), per_time(mw * f * inv)
    loglik = float(np.dot(we, eta[ev]) - np.dot(mw, np.log(d2)))
    score = we @ Xe - (a @ S1 - b @ E1)
    out: dict[str, Any] = {"loglik": loglik, "score": score, "r": r, "S1": S1, "E1": E1,
                           "a": a, "b": b}
    inv2 = mw * inv * inv
    out["c0"], out["c1"], out["c2"] = per_time(inv2), per_time(inv2 * f), per_time(inv2 * f * f)
    out["q0"], out["q1"] = per_time(inv), per_time(f * inv)
    if need == "info":
        acum = rs.at_rows(a)  # sum of a over the stratum's event times <= t
        v = wr * acum
        v[ev] -= wr[ev] * b[le]
        c0, c1, c2 = out["c0"], out["c1"], out["c2"]
        cross = (S1 * c1[:, None]).T @ E1
        M = (S1 * c0[:, None]).T @ S1 - cross - cross.T + (E1 * c2[:, None]).T @ E1
        out["info"] = gram(X, v) - M
    return out


def time_means(rs: RiskSets, fit: dict[str, Any]) -> np.ndarray:
    """R's ``coxph.detail`` means: per event time, the average over Efron's tied
    events of the risk-set means."""
    return ((fit["S1"] * fit["q0"][:, None] - fit["E1"] * fit["q1"][:, None])
            / rs.d[:, None])


def newton(rs: RiskSets, X: np.ndarray, w: np.ndarray, beta: np.ndarray, *,
           maxit: int = 100, tol: float = 1e-12) -> tuple[np.ndarray, dict[str, Any]]:
    """Newton-Raphson with step halving (R's ``coxph.fit``), until the coefficients
    change by less than ``tol`` (relative), then once more."""
    cur = partial_likelihood(rs, X, w, beta)
    for _ in range(maxit):
        try:
            step = np.linalg.solve(cur["info"], cur["score"])
        except np.linalg.LinAlgError:
            raise ModelError("the Cox model's information matrix is singular",
                             location="formula", hint="drop aliased terms") from None
        new = beta + step
        nxt = partial_likelihood(rs, X, w, new)
        halvings = 0
        while not (nxt["loglik"] >= cur["loglik"] - 1e-10 * abs(cur["loglik"])) and halvings < 30:
            new = (new + beta) / 2
            nxt = partial_likelihood(rs, X, w, new)
            halvings += 1
        done = np.all(np.abs(new - beta) <= tol * (1 + np.abs(new)))
        beta, cur = new, nxt
        if done:
            return beta, cur
    raise ModelError(f"the Cox model did not converge in {maxit} iterations",
                     location="formula", hint="check for a covariate that separates the "
                     "events (an infinite hazard ratio)")


def score_residuals(rs: RiskSets, X: np.ndarray, fit: dict[str, Any]) -> np.ndarray:
    """R's ``residuals(fit, "score")`` (``coxscore``), sorted rows: each row's share
    of the score, Efron's tied events down-weighted as R."""
    p = X.shape[1]
    S1, E1, a, b = fit["S1"], fit["E1"], fit["a"], fit["b"]
    c0, c1, c2 = fit["c0"][:, None], fit["c1"][:, None], fit["c2"][:, None]
    G = c0 * S1 - c1 * E1  # per time: sum of hazard x mean over its tied events
    Hc = rs.at_rows(a)
    Gc = rs.at_rows(G)
    r = fit["r"]
    res = X * Hc[:, None]
    res -= Gc
    res *= -r[:, None]
    ev, le = rs.ev_rows, rs.tie
    if ev.size:  # an event's own time: Efron's shares instead of the full hazard
        Hd = a - b
        Gd = (c0 - c1) * S1 - (c1 - c2) * E1
        mbar = time_means(rs, fit)
        xe, re_ = X[ev], r[ev][:, None]
        res[ev] += re_ * (xe * (a - Hd)[le][:, None] - (G - Gd)[le]) + (xe - mbar[le])
    return res


def split_strata(rhs: str) -> tuple[str, list[str]]:
    """``"x + strata(g, h) + z"`` -> ``("x + z", ["g", "h"])``: R's ``strata()`` terms."""
    terms, depth, cur = [], 0, ""
    for ch in rhs:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "+" and depth == 0:
            terms.append(cur.strip())
            cur = ""
        else:
            cur += ch
    terms.append(cur.strip())
    strata: list[str] = []
    kept = []
    for term in terms:
        m = re.fullmatch(r"strata\s*\((.*)\)", term, re.S)
        if m:
            strata += [_column(c) for c in m[1].split(",") if c.strip()]
        else:
            kept.append(term)
    return " + ".join(kept), strata


def _condition(text: str) -> pl.Expr:
    """``Surv(time, status > 0)``: the status as a SQL condition (R's ``==`` too)."""
    try:
        return pl.sql_expr(re.sub(r"==", "=", text))
    except Exception as exc:  # polars raises several kinds for a bad expression
        raise ModelError(f"the status {text!r} is neither a column nor a condition: {exc}",
                         location="formula", hint="Surv(TIME, STATUS) with a 0/1 column, "
                         "or a condition such as status > 0") from None


def _names(mf: ModelFrame) -> tuple[list[int], list[str]]:
    keep = [j for j, n in enumerate(mf.names) if n != "Intercept"]
    return keep, [mf.names[j] for j in keep]


def svycoxph(
    sf: SurveyFrame,
    formula: str,
    *,
    where: pl.Expr | None = None,
    ties: Ties = "efron",
    level: float = 0.95,
) -> CoxResult:
    """Design-based Cox regression, as R's ``svycoxph``.

    Parameters
    ----------
    sf
        The bound design (linearisation or replicate weights).
    formula
        ``"Surv(time, status) ~ x + C(g) + x:z"``: the time and event columns on the
        left (the status logical, 0/1, or 1/2 with 2 the event, as R's ``Surv``), a
        patsy right-hand side (no intercept is fitted; factors are coded against
        their first level, as R's). ``strata(g)`` (or ``strata(g, h)``) terms give
        each stratum its own baseline hazard, as R's.
    where
        A subpopulation (domain), as R's ``svycoxph(..., subset = )``.
    ties
        ``"efron"`` (default, R's ``coxph`` default) or ``"breslow"``.
    level
        Confidence level of the intervals (normal quantiles, as R's ``confint``).

    Examples
    --------
    >>> import polars as pl
    >>> from survey.design import svydesign
    >>> df = pl.DataFrame({"t": [1., 2, 3, 4, 5, 6, 7, 8], "e": [1, 1, 0, 1, 1, 0, 1, 1],
    ...                    "x": [3., 1, 2, 5, 1, 0, 2, 1], "w": [1., 2, 1, 2, 1, 2, 1, 2]})
    >>> fit = svycoxph(svydesign(df, weights="w"), "Surv(t, e) ~ x")
    >>> fit.terms["term"].to_list()
    ['x']
    """
    if ties not in ("efron", "breslow"):
        raise ModelError(f"ties={ties!r} is not efron or breslow", location="ties")
    time, status, rhs = parse_surv(formula)
    if time not in sf.frame.columns:
        raise ModelError(f"column {time!r} is not in the frame", location="formula")
    rhs, strata = split_strata(rhs)
    missing = [c for c in strata if c not in sf.frame.columns]
    if missing:
        raise ModelError(f"strata() names columns the frame lacks: {missing}",
                         location="formula")
    status_expr = pl.col(status) if status in sf.frame.columns else _condition(status)
    present = pl.all_horizontal([status_expr.is_not_null(),
                                 *(pl.col(c).is_not_null() for c in strata)])
    outcome = pl.when(present).then(pl.col(time).cast(pl.Float64))
    mf = model_frame(sf, f"~ {rhs}", outcome=outcome, where=where)
    event = status_values(sf._data.select(status_expr.alias("s"))["s"].gather(mf.rows),
                          status)
    codes = None
    if strata:  # R's strata(): a baseline hazard per combination of the columns
        codes = (sf._data.select(pl.struct(strata).rank("dense").alias("k"))["k"]
                 .gather(mf.rows).to_numpy())
    keep, names = _names(mf)
    if not keep:
        raise ModelError("the Cox model has no covariate", location="formula")
    X = np.ascontiguousarray(mf.X[:, keep])
    w = mf.w / mf.w.mean()  # R's rescaled weights (the fit and its SEs are scale-free)
    rs = RiskSets.build(mf.y, event, ties, codes)
    if rs.ev_rows.size == 0:
        raise ModelError("no event among the fitted rows", location="formula")
    Xs = X[rs.order] - np.average(X, axis=0, weights=w)  # centred, as coxph
    ws = w[rs.order]
    beta, fit = newton(rs, Xs, ws, np.zeros(len(keep)))
    try:
        Iinv = np.linalg.inv(fit["info"])
    except np.linalg.LinAlgError:
        raise ModelError("the Cox model's information matrix is singular",
                         location="formula") from None
    if sf.is_replicate:
        wr = replicate_weights(sf, mf)[rs.order]
        thetas = np.empty((wr.shape[1], beta.shape[0]))
        for k in range(wr.shape[1]):  # R refits from the full-sample coefficients
            wk = wr[:, k] / wr[:, k].mean()
            thetas[k] = newton(rs, Xs, wk, beta)[0]
        vcov = svr_var(thetas, beta, sf)
        method = f"replicate ({sf.design.type})"  # type: ignore[union-attr]
    else:
        res = np.empty_like(Xs)
        res[rs.order] = score_residuals(rs, Xs, fit) * ws[:, None]
        vcov = sandwich(sf, mf, res, Iinv)
        method = "linearisation"
    se = np.sqrt(np.diag(vcov))
    zq = float(-special.ndtri((1 - level) / 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        zs = beta / se
    lo, hi = beta - zq * se, beta + zq * se
    terms = pl.DataFrame({
        "term": names, "estimate": beta, "std_error": se, "statistic": zs,
        "p_value": 2 * special.ndtr(-np.abs(zs)), "conf_low": lo, "conf_high": hi,
        "ratio": np.exp(beta), "ratio_low": np.exp(lo), "ratio_high": np.exp(hi)})
    return CoxResult(terms, beta, vcov, formula, ties, method, level, int(mf.w.shape[0]),
                     int(rs.ev_rows.shape[0]), fit["loglik"])

