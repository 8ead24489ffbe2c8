"""Design-based proportional-odds (ordinal logistic) regression, as R's ``svyolr``.

The model is MASS's ``polr``: ``logit P(Y <= k) = zeta_k - x'beta`` for the first
``K - 1`` levels, so ``exp(beta)`` is the odds ratio of a *higher* level. The
weighted likelihood is maximised by Newton's method with the exact Hessian (R uses
BFGS and a numerical Hessian; the fixtures tighten R's tolerances to compare).

Variance, linearisation: R's ``svyolr`` influence functions, the per-row scores
times the inverse Hessian, through the one-stage design variance. Replicate
weights: refits per replicate (R's ``svyolr.svyrep.design``). Residual degrees of
freedom, as R: ``degf(design) - length(beta)``. Intervals: normal quantiles, as R's
``confint`` on an ``svyolr`` fit (``confint.default``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import math
from typing import Literal

import numpy as np
import polars as pl
from scipy import special

from survey.design import SurveyFrame
from survey.errors import ModelError
from survey.estimators._dist import expit
from survey.estimators._engine import svr_var
from survey.models._formula import ModelFrame, drop_terms, model_frame
from survey.models._glm import (
    check_rank,
    irls,
    replicate_df,
    replicate_weights,
    sandwich,
)
from survey.models._families import family_of
from survey.models._results import ModelResult, build_result

__all__ = ["OrdinalLink", "svyolr"]


OrdinalLink = Literal["logit", "probit", "cloglog", "cauchit"]

_BOUND = 100.0
"""R's svyolr closes the outer categories at cut points -100 and 100, not at
infinity; for the logit, probit and cloglog links the difference is below rounding,
for the cauchit link (heavy tails) it is not, so the likelihood here is R's."""


def _cdf(link: str, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distribution function, density and the density's derivative of the link's
    latent variable: logistic, normal, Gumbel (R's svyolr ``cloglog`` is its
    ``pgumbel``, ``exp(-exp(-x))``) and Cauchy."""
    if link == "logit":
        F = expit(x)
        f = F * (1 - F)
        return F, f, f * (1 - 2 * F)
    if link == "probit":
        f = np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
        return special.ndtr(x), f, -x * f
    if link == "cloglog":
        e = np.exp(-x)
        F = np.exp(-e)
        f = F * e
        return F, f, f * (e - 1)
    f = 1.0 / (math.pi * (1 + x * x))
    return 0.5 + np.arctan(x) / math.pi, f, -2 * x * f * f * math.pi


def _parts(theta: np.ndarray, X: np.ndarray, y: np.ndarray, w: np.ndarray, q: int,
           hessian: bool, link: str = "logit"
           ) -> tuple[float, np.ndarray, np.ndarray | None]:
    """Log-likelihood, per-row scores (n, P) and Hessian (P, P) in (beta, zeta)."""
    n, pc = X.shape
    beta, zeta = theta[:pc], theta[pc:]
    eta = X @ beta
    zext = np.concatenate([[-_BOUND], zeta, [_BOUND]])
    yi = y.astype(np.int64)
    u, lo = zext[yi] - eta, zext[yi - 1] - eta
    Fu, fu, dfu = _cdf(link, u)
    Fl, fl, dfl = _cdf(link, lo)
    pr = Fu - Fl
    if (pr <= 0).any():
        return -np.inf, np.zeros((n, pc + q)), None
    ll = float(np.sum(w * np.log(pr)))
    rows = np.arange(n)
    up, down = yi <= q, yi >= 2  # rows with an estimated upper / lower cut point
    Ju = np.zeros((n, pc + q))
    Jl = np.zeros((n, pc + q))
    Ju[:, :pc] = -X
    Jl[:, :pc] = -X
    Ju[rows[up], pc + yi[up] - 1] = 1.0
    Jl[rows[down], pc + yi[down] - 2] = 1.0
    S = Ju * (fu / pr)[:, None] - Jl * (fl / pr)[:, None]
    H = None
    if hessian:
        luu = dfu / pr - (fu / pr) ** 2
        lll = -dfl / pr - (fl / pr) ** 2
        lul = fu * fl / pr**2
        H = ((Ju * (w * luu)[:, None]).T @ Ju + (Jl * (w * lll)[:, None]).T @ Jl
             + (Ju * (w * lul)[:, None]).T @ Jl + (Jl * (w * lul)[:, None]).T @ Ju)
    return ll, S * w[:, None], H


def _start(X: np.ndarray, y: np.ndarray, w: np.ndarray, q: int,
           link: str = "logit") -> np.ndarray:
    """R's ``svyolr`` start: a binary fit of ``y > K %/% 2``, cut points spread on logits
    (divided by 1.7 for the other links, as R)."""
    q1 = (q + 1) // 2
    Xi = np.column_stack([np.ones(X.shape[0]), X])
    fit = irls(Xi, (y > q1).astype(float), w / w.mean(),
               family_of("binomial", "logit" if link == "logit" else
                         "cauchit" if link == "cauchit" else "probit"))
    spacing = np.log((np.arange(1, q + 1) / (q + 1)) / (1 - np.arange(1, q + 1) / (q + 1)))
    if link != "logit":
        spacing = spacing / 1.7
    gammas = -fit.coef[0] + spacing - spacing[q1 - 1]
    return np.concatenate([fit.coef[1:], gammas])


def olr_fit(X: np.ndarray, y: np.ndarray, w: np.ndarray, q: int,
            start: np.ndarray | None = None, *, link: str = "logit", tol: float = 1e-11,
            maxit: int = 200) -> np.ndarray:
    """Maximise the weighted cumulative-link likelihood by damped Newton steps."""
    theta = _start(X, y, w, q, link) if start is None else start.copy()
    ll, S, H = _parts(theta, X, y, w, q, True, link)
    for _ in range(maxit):
        assert H is not None
        g = S.sum(axis=0)
        A = -H
        low = float(np.linalg.eigvalsh(A)[0])
        if low <= 1e-10 * float(np.abs(np.diag(A)).max()):  # not concave here (cauchit):
            A = A + (abs(low) * 1.5 + 1e-8 * float(np.trace(A))) * np.eye(A.shape[0])  # shift
        try:
            step = np.linalg.solve(A, g)
        except np.linalg.LinAlgError as exc:
            raise ModelError("the ordinal model's information matrix is singular") from exc
        if g @ step <= 0:  # not an ascent direction: fall back to the gradient
            step = g / max(1.0, float(np.abs(g).max()))
        t = 1.0
        while True:
            new = theta + t * step
            ll_new, S_new, H_new = _parts(new, X, y, w, q, True, link)
            if np.all(np.diff(new[X.shape[1]:]) > 0) and ll_new >= ll - 1e-12 * abs(ll):
                break
            t /= 2
            if t < 1e-10:
                raise ModelError("the ordinal model did not converge (line search failed)")
        done = np.max(np.abs(t * step)) < tol * (1 + np.max(np.abs(new)))
        theta, ll, S, H = new, ll_new, S_new, H_new
        if done:
            return theta
    raise ModelError(f"the ordinal model did not converge in {maxit} iterations")


def svyolr(
    sf: SurveyFrame,
    formula: str,
    *,
    outcome: pl.Expr | None = None,
    levels: Sequence[str] | None = None,
    where: pl.Expr | None = None,
    level: float = 0.95,
    link: OrdinalLink = "logit",
) -> ModelResult:
    """Design-based proportional-odds (cumulative-link) regression, as R's ``svyolr``.

    Parameters
    ----------
    sf
        The bound design (linearisation or replicate weights).
    formula
        ``"q ~ x + C(g)"`` with ``q`` an ordered (Enum) column or a column of
        integer codes (ordered by value: 1 < 2 < 3 < 4), or ``"~ x + C(g)"`` with
        ``outcome=`` an Enum or integer expression. The intercept is absorbed in
        the cut points.
    levels
        The outcome's levels, lowest first, when its Enum order is not the one
        wanted (e.g. reversed so that higher means more likely to leave).
    where, level
        As :func:`svyglm`.
    link
        ``"logit"`` (default, R's ``method = "logistic"``), ``"probit"``,
        ``"cloglog"`` or ``"cauchit"``, as R's ``svyolr(method = ...)``. R's
        ``cloglog`` there is its ``pgumbel``, ``P(Y <= k) = exp(-exp(-(zeta_k -
        x'b)))`` (MASS's ``polr`` calls that one ``loglog``); this follows svyolr.

    Returns
    -------
    ModelResult
        ``terms``: the coefficients (odds ratios of a higher level), then the
        ``K - 1`` cut points named ``"a|b"`` (no odds ratio).

    Examples
    --------
    >>> import polars as pl
    >>> from survey.design import svydesign
    >>> lv = pl.Enum(["lo", "mid", "hi"])
    >>> df = pl.DataFrame({"q": pl.Series(["lo", "mid", "hi", "mid", "lo", "hi", "hi", "mid"],
    ...                                    dtype=lv), "x": [1., 2, 3, 4, 2, 5, 4, 1]})
    >>> svyolr(svydesign(df), "q ~ x").terms["term"].to_list()
    ['x', 'lo|mid', 'mid|hi']
    """
    link = _olr_link(link)
    if levels is not None:
        enum = pl.Enum(list(levels))
        if outcome is None:
            lhs, rhs = formula.split("~", 1)
            outcome, formula = pl.col(lhs.strip()).cast(pl.String).cast(enum), "~" + rhs
        else:
            outcome = outcome.cast(pl.String).cast(enum)
    mf = model_frame(sf, formula, outcome=outcome, where=where, response="ordinal")
    if "Intercept" not in mf.names:
        raise ModelError("the ordinal model needs the intercept (the cut points replace it)",
                         location="formula")
    keep = [i for i, nm in enumerate(mf.names) if nm != "Intercept"]
    X = mf.X[:, keep]
    names = [mf.names[i] for i in keep]
    labels = _outcome_levels(sf, mf, outcome, formula, levels)
    K = len(labels)
    if K < 3:
        raise ModelError(f"an ordinal outcome needs 3 or more levels, got {K}",
                         location="outcome", hint="fit a binary outcome with survey stats logit")
    counts = np.bincount(mf.y.astype(np.int64), weights=mf.w, minlength=K + 1)[1:]
    empty = [lab for lab, c in zip(labels, counts, strict=True) if c <= 0]
    if empty:
        raise ModelError(f"outcome levels {empty} have no respondents in the fitted rows",
                         location="outcome", hint="merge or drop those levels (--levels)")
    check_rank(mf.X, mf.w, mf.names)
    q = K - 1
    theta = olr_fit(X, mf.y, mf.w, q, link=link)
    ll, S, H = _parts(theta, X, mf.y, mf.w, q, True, link)
    assert H is not None
    cuts = [f"{labels[k]}|{labels[k + 1]}" for k in range(q)]
    if sf.is_replicate:
        wr = replicate_weights(sf, mf)
        thetas = np.vstack([olr_fit(X, mf.y, wr[:, r], q, theta, link=link)
                            for r in range(wr.shape[1])])
        vcov = svr_var(thetas, theta, sf)
        degf, method = replicate_df(sf, mf), f"replicate ({sf.design.type})"  # type: ignore[union-attr]
    else:
        vcov = sandwich(sf, mf, S, np.linalg.inv(-H))
        degf, method = mf.df, "linearisation"
    def refit(drop: Sequence[str]) -> ModelResult:
        return svyolr(sf, drop_terms(formula, drop), outcome=outcome, levels=None, where=where, level=level,
                      link=link)  # type: ignore[arg-type]

    res = build_result(model="ordinal", family="ordinal", link=link, formula=formula,
                       mf=_without_intercept(mf, X, names), coef=theta, vcov=vcov,
                       df_resid=float(degf - len(names)), level=level, method=method,
                       ci_dist="normal", names=names + cuts, cutpoints=cuts,
                       naive_vcov=np.linalg.inv(-H) * mf.w.mean())
    # R's deviance(svyolr): -2 log-likelihood with the weights rescaled to mean 1; the
    # model-based covariance above is on the same scale (R's regTermTest(method = "LRT")
    # takes solve(Hess) with the raw weights instead, so its svyolr p-value changes when
    # the weights are rescaled: docs/models.md, "Where we differ from R")
    return replace(res, deviance=-2.0 * ll / mf.w.mean(), _design=sf, _refit=refit)


def _olr_link(link: str) -> str:
    lk = {"logistic": "logit"}.get(link, link)
    if lk not in ("logit", "probit", "cloglog", "cauchit"):
        raise ModelError(f"link={link!r} is not one of logit, probit, cloglog, cauchit",
                         location="link", hint="--link logit | probit | cloglog | cauchit")
    return lk


def _outcome_levels(sf: SurveyFrame, mf: ModelFrame, outcome: pl.Expr | None, formula: str,
                    levels: Sequence[str] | None) -> list[str]:
    if levels is not None:
        return [str(v) for v in levels]
    expr = outcome if outcome is not None else pl.col(formula.split("~", 1)[0].strip())
    values = sf._data.select(expr).to_series().gather(mf.rows)
    if values.dtype.is_integer():  # integer codes: ordered by value
        return [str(v) for v in values.unique().sort().to_list()]
    if not isinstance(values.dtype, pl.Enum):
        raise ModelError("the ordinal outcome must be an Enum or integer codes",
                         location="outcome", hint="--levels 'lowest,...,highest'")
    return [str(v) for v in values.dtype.categories.to_list()]


def _without_intercept(mf: ModelFrame, X: np.ndarray, names: list[str]) -> ModelFrame:
    """The model frame as fitted (no intercept column), for predictions and tests."""
    return replace(mf, X=X, names=tuple(names))
