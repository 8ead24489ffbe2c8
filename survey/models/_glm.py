"""Design-based generalised linear models, as R's ``svyglm``.

Coefficients are pseudo-maximum-likelihood: a GLM weighted by the sampling weights
(iteratively reweighted least squares, converged tighter than R's ``glm``).

Variance, linearisation (R's ``svy.varcoef``): the influence of each row on the
coefficients is ``x_i w_i (y_i - mu_i) mu'_i / V(mu_i)`` times ``A^{-1}``, the
inverse weighted information; its PSU totals go through the same one-stage
variance as a total (:func:`~survey.estimators._engine.taylor_vcov`).

Variance, replicate weights (R's ``svrepglm``): the model is refitted with each
replicate's weights, from the full-sample coefficients, and the spread of the
replicate coefficients is R's ``svrVar``.

Residual degrees of freedom, as R: ``degf(design) + 1 - p``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import polars as pl
from scipy import linalg

from survey.design import SurveyFrame, subset_df
from survey.design._frame import PSU, SSU
from survey.estimators._dist import expit
from survey.estimators._engine import svr_var, taylor_vcov
from survey.errors import ModelError
from survey.models._formula import ModelFrame, model_frame
from survey.models._results import ModelResult, build_result
from survey.models._separation import raise_if_separated

__all__ = ["Family", "svyglm"]

Family = Literal["binomial", "quasibinomial", "gaussian", "poisson"]


@dataclass(frozen=True)
class _Fam:
    name: str
    link: str

    def linkinv(self, eta: np.ndarray) -> np.ndarray:
        if self.link == "logit":
            return expit(eta)
        if self.link == "log":
            return np.exp(eta)
        return eta

    def mu_eta(self, eta: np.ndarray) -> np.ndarray:
        if self.link == "logit":
            e = np.exp(-np.abs(eta))
            return e / (1.0 + e) ** 2
        if self.link == "log":
            return np.exp(eta)
        return np.ones_like(eta)

    def variance(self, mu: np.ndarray) -> np.ndarray:
        if self.name == "binomial":
            return mu * (1.0 - mu)
        if self.name == "poisson":
            return mu
        return np.ones_like(mu)

    def state(self, eta: np.ndarray, y: np.ndarray, w: np.ndarray, *,
              binary: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        """``mu``, ``dmu/deta``, ``V(mu)`` and the deviance at ``eta``.

        The logit link with a 0/1 outcome takes one exponential: with ``e = exp(-|eta|)``,
        ``mu`` is ``1/(1+e)`` or ``e/(1+e)`` by the sign of ``eta``, ``dmu/deta = V(mu) =
        e/(1+e)^2``, and each row's deviance is ``2 w (log1p(e) + |eta|)`` when the sign of
        ``eta`` disagrees with ``y``, ``2 w log1p(e)`` when it agrees (R's values, to rounding).
        """
        if self.link == "logit" and binary:  # in place where possible: each temporary of
            a = np.abs(eta)                   # a million rows costs as much as the arithmetic
            e = np.negative(a)
            np.exp(e, out=e)
            q = e + 1.0
            np.reciprocal(q, out=q)
            eq = e * q
            pos = eta >= 0
            mu = np.where(pos, q, eq)
            me = np.multiply(eq, q, out=eq)
            nll = np.log1p(e, out=e)
            a *= pos != (y > 0.5)  # |eta| where the sign of eta disagrees with y
            nll += a
            nll *= w
            return mu, me, me, float(2.0 * nll.sum())
        mu = self.linkinv(eta)
        return mu, self.mu_eta(eta), self.variance(mu), self.deviance(y, mu, w)

    def start(self, y: np.ndarray) -> np.ndarray:
        """Starting linear predictor, as R's ``family$initialize`` (unit weights)."""
        if self.name == "binomial":
            mu = (y + 0.5) / 2.0
            return np.log(mu / (1.0 - mu))
        if self.name == "poisson":
            return np.log(y + 0.1)
        return y.astype(float)

    def deviance(self, y: np.ndarray, mu: np.ndarray, w: np.ndarray) -> float:
        """R's ``sum(dev.resids(y, mu, w))``."""
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.name == "binomial":
                d = 2 * w * (np.where(y > 0, y * np.log(y / mu), 0.0)
                             + np.where(y < 1, (1 - y) * np.log((1 - y) / (1 - mu)), 0.0))
            elif self.name == "poisson":
                d = 2 * w * (np.where(y > 0, y * np.log(y / mu), 0.0) - (y - mu))
            else:
                d = w * (y - mu) ** 2
        return float(np.sum(d))


FAMILIES = {"binomial": _Fam("binomial", "logit"), "quasibinomial": _Fam("binomial", "logit"),
            "gaussian": _Fam("gaussian", "identity"), "poisson": _Fam("poisson", "log")}


def family_of(name: str) -> _Fam:
    try:
        return FAMILIES[name]
    except KeyError:
        raise ModelError(f"family={name!r} is not one of {', '.join(FAMILIES)}",
                         location="family") from None


_LARGE = 50_000
"""Above this many rows, least squares go through the (column-scaled) normal equations
instead of a QR of the tall weighted matrix: ten times faster, and as accurate, since
each IRLS step solves for the small change of the coefficients (Newton's form), so the
``cond(X)^2 * eps`` of the normal equations is relative to the step, not the solution."""

_BLOCK_FLOPS = 200_000
"""Multiply-adds per block of a cross-product. The weighted block stays in cache (no
``n x p`` temporary), and OpenBLAS runs a product this small on one thread: above
``4 * 65536`` it starts threads, which on a loaded machine made the cross-product ten
times slower (1 s instead of 0.07 s for a million rows and 15 columns)."""


def gram(X: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``X' diag(v) X``, by blocks of rows."""
    n, p = X.shape
    block = min(max(_BLOCK_FLOPS // (p * p), 256), 8192)
    G = np.zeros((p, p))
    for s in range(0, n, block):
        Xb = X[s:s + block]
        G += Xb.T @ (Xb * v[s:s + block, None])
    return (G + G.T) / 2


class _Normal:
    """Cholesky factor of a cross-product scaled to unit diagonal, for solves."""

    def __init__(self, G: np.ndarray) -> None:
        d = np.sqrt(np.diag(G))
        d[d == 0] = 1.0
        self.d = d
        try:
            self.cho = linalg.cho_factor(G / np.outer(d, d))
        except np.linalg.LinAlgError:
            raise ModelError("the weighted cross-product of the design matrix is singular: "
                             "the working weights vanish (fitted values at the boundary)",
                             location="formula",
                             hint="check for separation (survey.models.separation)") from None

    def solve(self, b: np.ndarray) -> np.ndarray:
        return linalg.cho_solve(self.cho, b / self.d) / self.d


def _wls(A: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Least-squares solution of ``A x = b`` (QR: the small-sample path)."""
    return np.linalg.lstsq(A, b, rcond=None)[0]


def check_rank(X: np.ndarray, w: np.ndarray, names: tuple[str, ...]) -> None:
    """Refuse a rank-deficient design matrix, naming the aliased columns."""
    if X.shape[0] > _LARGE:  # pivoted Cholesky of the scaled cross-product (LAPACK dpstrf)
        G = gram(X, w)
        scale = np.sqrt(np.diag(G))
        scale[scale == 0] = 1.0
        _, piv, rank, _ = linalg.lapack.dpstrf(G / np.outer(scale, scale), tol=1e-10)
        bad = [names[k] for k in sorted(piv[rank:] - 1)]
    else:
        Xw = X * np.sqrt(w)[:, None]
        _, R, piv = linalg.qr(Xw, mode="economic", pivoting=True)
        d = np.abs(np.diag(R))
        tol = d[0] * max(Xw.shape) * np.finfo(float).eps * 1e3 if d.size else 0.0
        bad = [names[piv[k]] for k in range(d.shape[0]) if d[k] <= tol]
    if bad:
        raise ModelError(f"the design matrix is rank deficient: {', '.join(bad)} "
                         "are linear combinations of other columns (or empty in the domain)",
                         location="formula", hint="drop or merge those terms or levels")


@dataclass(frozen=True)
class IRLSFit:
    """An IRLS fit as R's ``glm.fit`` leaves it.

    ``work_w`` are the working weights of the last iteration, evaluated at the
    coefficients that iteration started from, as R returns ``glm$weights``; R's
    ``svyglm`` builds its sandwich from them, so they are kept for the variance,
    with ``info = X' diag(work_w) X`` (the information R's ``summary.glm`` inverts).
    ``eta`` is the linear predictor at ``coef``.
    """

    coef: np.ndarray
    work_w: np.ndarray
    converged: bool
    iterations: int
    eta: np.ndarray
    info: np.ndarray


def irls(X: np.ndarray, y: np.ndarray, w: np.ndarray, fam: _Fam,
         start: np.ndarray | None = None, *, epsilon: float = 1e-8,
         maxit: int = 25) -> IRLSFit:
    """Weighted GLM by iteratively reweighted least squares, step for step R's ``glm.fit``.

    Same starting values (``family$initialize``), same update, same stopping rule
    (``|dev - dev_old| / (|dev| + 0.1) < epsilon``, R's ``glm.control``), so the
    coefficients and the working weights agree with R's to rounding. Rows with
    zero weight take no part, as in R. Non-finite deviance halves the step, as R.
    Up to ``_LARGE`` rows each step is a QR least-squares fit, as R's; above, the
    normal equations of the step (see ``_LARGE``).
    """
    good = w > 0
    large = X.shape[0] > _LARGE
    binary = fam.name == "binomial" and bool(np.all((y == 0) | (y == 1)))
    if start is None:
        if fam.name == "binomial":
            mu0 = (w * y + 0.5) / (w + 1.0)
            eta = np.log(mu0 / (1.0 - mu0))
        elif fam.name == "poisson":
            eta = np.log(y + 0.1)
        else:
            eta = y.astype(float).copy()
        coef = None
    else:
        coef = start.astype(float).copy()
        eta = X @ coef
    mu, me, var, devold = fam.state(eta, y, w, binary=binary)
    work = np.zeros_like(w)
    new = coef
    G: np.ndarray | None = None  # X' diag(work) X of the large path's last step
    for it in range(1, maxit + 1):
        g = good & (me != 0)
        if large:
            with np.errstate(divide="ignore", invalid="ignore"):
                work = w * me if var is me else w * me**2 / var  # canonical logit: V = dmu/deta
                resid = (y - mu) / me  # working residual z - eta
            if not g.all():
                work[~g] = 0.0
                resid[~g] = 0.0
            G = gram(X, work)
            normal = _Normal(G)
            if coef is None:  # from the starting eta, not X @ coef: solve, then refine once
                z = eta + resid
                new = normal.solve(X.T @ (work * z))
                new = new + normal.solve(X.T @ (work * (z - X @ new)))
            else:
                new = coef + normal.solve(X.T @ (work * resid))
        else:
            z = eta[g] + (y[g] - mu[g]) / me[g]
            sw = np.sqrt(w[g] * me[g] ** 2 / var[g])
            new = _wls(X[g] * sw[:, None], z * sw)
            work = np.zeros_like(w)
            work[g] = sw**2
        eta_new = X @ new
        mu_new, me_new, var_new, dev = fam.state(eta_new, y, w, binary=binary)
        halvings = 0
        while not np.isfinite(dev) and coef is not None and halvings < maxit:
            new = (new + coef) / 2
            eta_new = X @ new
            mu_new, me_new, var_new, dev = fam.state(eta_new, y, w, binary=binary)
            halvings += 1
        coef, eta, mu, me, var = new, eta_new, mu_new, me_new, var_new
        if abs(dev - devold) / (abs(dev) + 0.1) < epsilon:
            return IRLSFit(coef, work, True, it, eta, gram(X, work) if G is None else G)
        devold = dev
    assert coef is not None
    return IRLSFit(coef, work, False, maxit, eta, gram(X, work) if G is None else G)


def _psu_sums(psu: np.ndarray, values: np.ndarray, n_psu: int,
              factor: np.ndarray | None = None) -> np.ndarray:
    """PSU totals of each column of ``values`` (times ``factor`` per row, if given).

    Rows sorted by PSU (survey files often are) are summed by segments, four times
    faster than ``bincount``.
    """
    def col(j: int) -> np.ndarray:
        return values[:, j] if factor is None else values[:, j] * factor

    p = values.shape[1]
    if psu.shape[0] > 1 and bool(np.all(psu[1:] >= psu[:-1])):
        starts = np.flatnonzero(np.r_[True, psu[1:] != psu[:-1]])
        out = np.zeros((n_psu, p))
        for j in range(p):
            out[psu[starts], j] = np.add.reduceat(col(j), starts)
        return out
    return np.column_stack([np.bincount(psu, weights=col(j), minlength=n_psu) for j in range(p)])


def sandwich(sf: SurveyFrame, mf: ModelFrame, scores: np.ndarray,
             Ainv: np.ndarray, *, factor: np.ndarray | None = None) -> np.ndarray:
    """Linearisation variance of an M-estimator: PSU totals of ``scores @ Ainv``.

    ``factor``: the scores are ``scores * factor[:, None]`` (a design matrix times a
    residual per row), formed column by column instead of as an ``n x p`` matrix.
    The totals are taken first and multiplied by ``Ainv`` after (the same numbers,
    on ``n_psu`` rows instead of ``n``).
    """
    totals = _psu_sums(mf.psu, scores, sf.n_psu, factor)
    Z2 = None
    if sf.has_stage2:  # R's multistage: second-stage unit totals too
        ssu = sf._data[SSU].to_numpy()[mf.rows].astype(np.int64)
        Z2 = _psu_sums(ssu, scores, sf.n_ssu, factor) @ Ainv
    if sf.calibration is not None:  # R's svyrecvar: residuals on the calibration variables
        values = scores if factor is None else scores * factor[:, None]
        totals = sf.calibration.residual_row_totals(sf._data, values, mf.rows, totals)
    return taylor_vcov(sf, totals @ Ainv, Z2)


def replicate_weights(sf: SurveyFrame, mf: ModelFrame) -> np.ndarray:
    """Replicate weights ``(n, R)`` of the fitted rows."""
    reps = sf._reps
    assert reps is not None
    if reps.factors is not None:
        return mf.w[:, None] * reps.factors[mf.psu]
    mat = sf._data[reps.columns].to_numpy()[mf.rows].astype(float)
    if not reps.combined:
        mat = mat * mf.w[:, None]
    return mat


def replicate_df(sf: SurveyFrame, mf: ModelFrame) -> int:
    """R's ``degf`` of a replicate design, recomputed on a domain as R's subset does."""
    if mf.domain_rows is None:
        return sf.df
    return subset_df(sf, sf._data[PSU].gather(mf.domain_rows).unique().to_numpy())


def svyglm(
    sf: SurveyFrame,
    formula: str,
    *,
    family: Family = "binomial",
    outcome: pl.Expr | None = None,
    where: pl.Expr | None = None,
    level: float = 0.95,
    epsilon: float = 1e-8,
    maxit: int = 25,
) -> ModelResult:
    """Design-based generalised linear model, as R's ``svyglm``.

    Parameters
    ----------
    sf
        The bound design (linearisation or replicate weights).
    formula
        A patsy formula: ``"y ~ x + C(g, Treatment('b')) + x:z"``. Columns whose
        names are not Python identifiers go through ``Q("sch.wide")``. Leave out
        the left-hand side when ``outcome`` is given.
    family
        ``"binomial"`` (default; logistic regression, the same fit and standard
        errors as R's ``quasibinomial``, which svyglm recommends), ``"gaussian"``
        or ``"poisson"``; canonical links.
    outcome
        The response as a polars expression, e.g.
        ``pl.col("intent").is_in(["Accepted", "Seriously considering"])``; rows
        where it is null are left out, as missing.
    where
        A subpopulation (domain): rows outside weigh zero but the design is kept,
        as R's ``svyglm(..., design = subset(d, ...))``. Combined with ``sf.subset``.
    level
        Confidence level; intervals use t quantiles on the residual degrees of
        freedom ``degf - p + 1`` as R's ``confint.svyglm``.
    epsilon, maxit
        R's ``glm.control``: the fit stops, as R's, when the deviance changes by
        less than ``epsilon`` relative, and R's sandwich uses the working weights
        of that last step; the defaults (R's) reproduce R's numbers. A smaller
        ``epsilon`` (say 1e-12) gives the fully converged estimator, which differs
        from R's default output by about the last step (1e-5 relative in the SEs
        is typical).

    Returns
    -------
    ModelResult
        Coefficients, design covariance, a tidy ``terms`` frame (with odds ratios
        for the binomial family), predictions and marginal effects.

    Examples
    --------
    >>> import polars as pl
    >>> from survey.design import svydesign
    >>> df = pl.DataFrame({"y": [0, 1, 0, 1, 1, 0, 1, 1], "x": [1., 2, 3, 4, 5, 6, 7, 8],
    ...                    "w": [1., 2, 1, 2, 1, 2, 1, 2]})
    >>> fit = svyglm(svydesign(df, weights="w"), "y ~ x")
    >>> fit.terms["term"].to_list()
    ['Intercept', 'x']
    """
    fam = family_of(family)
    mf = model_frame(sf, formula, outcome=outcome, where=where)
    if fam.name == "binomial" and ((mf.y < 0) | (mf.y > 1)).any():
        raise ModelError("a binomial outcome must lie in [0, 1]", location="outcome",
                         hint="give a Boolean outcome, e.g. pl.col(q).is_in([...])")
    if fam.name == "poisson" and (mf.y < 0).any():
        raise ModelError("a Poisson outcome must be non-negative", location="outcome")
    check_rank(mf.X, mf.w, mf.names)
    prior = mf.w / mf.w.mean()  # R's rescaled weights (the fit does not depend on the scale)
    fit = irls(mf.X, mf.y, prior, fam, epsilon=epsilon, maxit=maxit)
    beta = fit.coef
    if fam.name == "binomial":
        raise_if_separated(mf, beta, converged=fit.converged)
    if not fit.converged:
        raise ModelError(f"the model did not converge in {maxit} iterations",
                         location="formula", hint="raise maxit=")
    eta = fit.eta
    mu = fam.linkinv(eta)
    me = fam.mu_eta(eta)
    Ainv = np.linalg.inv(fit.info)
    p = mf.X.shape[1]
    if sf.is_replicate:
        wr = replicate_weights(sf, mf)
        thetas = np.empty((wr.shape[1], p))
        for r in range(wr.shape[1]):
            rfit = irls(mf.X, mf.y, wr[:, r] / wr[:, r].sum(), fam, beta,
                        epsilon=epsilon, maxit=maxit)
            if not rfit.converged:
                raise ModelError(f"the model did not converge on replicate {r + 1}",
                                 hint="a replicate may separate the outcome; try Taylor "
                                 "linearisation")
            thetas[r] = rfit.coef
        vcov = svr_var(thetas, beta, sf)
        degf = replicate_df(sf, mf)
        method = f"replicate ({sf.design.type})"  # type: ignore[union-attr]
    else:  # R's svy.varcoef: x * working residual * working weight, times A^-1
        vcov = sandwich(sf, mf, mf.X, Ainv, factor=(mf.y - mu) / me * fit.work_w)
        degf = mf.df
        method = "linearisation"
    naive = Ainv  # R's naive.cov (model-based, rescaled weights)
    return build_result(
        model="glm", family=fam.name, link=fam.link, formula=formula, mf=mf, coef=beta,
        vcov=vcov, df_resid=float(degf + 1 - p), level=level, method=method,
        ci_dist="t", naive_vcov=naive)
