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

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import polars as pl
from scipy import linalg

from survey.design import LazySurveyFrame, SurveyFrame, subset_df
from survey.design._frame import PSU, SSU, W, unit_column
from survey.estimators._engine import svr_var, taylor_vcov
from survey.errors import ModelError
from survey.models._families import Fam, family_of
from survey.models._negbin import joint_scores, theta_ml
from survey.models._formula import ModelFrame, drop_terms, model_frame
from survey.models._results import ModelResult, build_result
from survey.models._separation import raise_if_separated

__all__ = ["Family", "Link", "svyglm"]

Family = Literal["binomial", "quasibinomial", "gaussian", "poisson", "quasipoisson", "gamma",
                 "inverse_gaussian", "negative_binomial"]
Link = Literal["logit", "probit", "cauchit", "cloglog", "log", "identity", "inverse", "sqrt",
               "1/mu^2"]


def state(fam: Fam, eta: np.ndarray, y: np.ndarray, w: np.ndarray, *,
          binary: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """``mu``, ``dmu/deta``, ``V(mu)`` and the deviance at ``eta``.

    The logit link with a 0/1 outcome takes one exponential: with ``e = exp(-|eta|)``,
    ``mu`` is ``1/(1+e)`` or ``e/(1+e)`` by the sign of ``eta``, ``dmu/deta = V(mu) =
    e/(1+e)^2``, and each row's deviance is ``2 w (log1p(e) + |eta|)`` when the sign of
    ``eta`` disagrees with ``y``, ``2 w log1p(e)`` when it agrees (R's values, to rounding).
    """
    if binary:  # in place where possible: each temporary of
        a = np.abs(eta)  # a million rows costs as much as the arithmetic
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
    mu = fam.linkinv(eta)
    return mu, fam.mu_eta(eta), fam.variance(mu), fam.deviance(y, mu, w)


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
                             hint="check for separation; refit with --firth") from None

    def solve(self, b: np.ndarray) -> np.ndarray:
        return linalg.cho_solve(self.cho, b / self.d) / self.d


def _wls(A: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Least-squares solution of ``A x = b`` (QR: the small-sample path)."""
    return np.linalg.lstsq(A, b, rcond=None)[0]


def aliased(G: np.ndarray, names: Sequence[str]) -> list[str]:
    """The columns a cross-product ``X' diag(w) X`` finds linear combinations of the
    others: pivoted Cholesky of the scaled cross-product (LAPACK dpstrf)."""
    scale = np.sqrt(np.diag(G))
    scale[scale == 0] = 1.0
    _, piv, rank, _ = linalg.lapack.dpstrf(G / np.outer(scale, scale), tol=1e-10)
    return [names[k] for k in sorted(piv[rank:] - 1)]


def raise_rank(bad: Sequence[str]) -> None:
    """Refuse a rank-deficient design matrix, naming the aliased columns ``bad``."""
    if bad:
        raise ModelError(f"the design matrix is rank deficient: {', '.join(bad)} "
                         "are linear combinations of other columns (or empty in the domain)",
                         location="formula", hint="drop or merge those terms or levels")


def check_rank(X: np.ndarray, w: np.ndarray, names: tuple[str, ...]) -> None:
    """Refuse a rank-deficient design matrix, naming the aliased columns."""
    if X.shape[0] > _LARGE:
        bad = aliased(gram(X, w), names)
    else:
        Xw = X * np.sqrt(w)[:, None]
        _, R, piv = linalg.qr(Xw, mode="economic", pivoting=True)
        d = np.abs(np.diag(R))
        tol = d[0] * max(Xw.shape) * np.finfo(float).eps * 1e3 if d.size else 0.0
        bad = [names[piv[k]] for k in range(d.shape[0]) if d[k] <= tol]
    raise_rank(bad)


@dataclass(frozen=True)
class IRLSFit:
    """An IRLS fit as R's ``glm.fit`` leaves it.

    ``work_w`` are the working weights of the last iteration, evaluated at the
    coefficients that iteration started from, as R returns ``glm$weights``; R's
    ``svyglm`` builds its sandwich from them, so they are kept for the variance,
    with ``info = X' diag(work_w) X`` (the information R's ``summary.glm`` inverts).
    ``eta`` is the linear predictor at ``coef`` (offset included); ``deviance`` R's
    ``deviance(fit)`` with the prior weights given.
    """

    coef: np.ndarray
    work_w: np.ndarray
    converged: bool
    iterations: int
    eta: np.ndarray
    info: np.ndarray
    deviance: float = float("nan")


def irls(X: np.ndarray, y: np.ndarray, w: np.ndarray, fam: Fam,
         start: np.ndarray | None = None, *, offset: np.ndarray | None = None,
         epsilon: float = 1e-8, maxit: int = 25) -> IRLSFit:
    """Weighted GLM by iteratively reweighted least squares, step for step R's ``glm.fit``.

    Same starting values (``family$initialize``), same update, same stopping rule
    (``|dev - dev_old| / (|dev| + 0.1) < epsilon``, R's ``glm.control``), so the
    coefficients and the working weights agree with R's to rounding. Rows with
    zero weight take no part, as in R. A non-finite deviance, or a linear predictor
    or mean outside the family's range (R's ``valideta``/``validmu``), halves the
    step, as R. ``offset`` is added to the linear predictor (R's ``offset``).
    Up to ``_LARGE`` rows each step is a QR least-squares fit, as R's; above, the
    normal equations of the step (see ``_LARGE``).
    """
    good = w > 0
    off = np.zeros(X.shape[0]) if offset is None else offset
    large = X.shape[0] > _LARGE
    binary = (fam.name == "binomial" and fam.link == "logit"
              and bool(np.all((y == 0) | (y == 1))))
    if start is None:
        eta = fam.lk.linkfun(fam.mustart(y, w))
        coef = None
    else:
        coef = start.astype(float).copy()
        eta = X @ coef + off
    mu, me, var, devold = state(fam, eta, y, w, binary=binary)
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
                z = eta - off + resid
                new = normal.solve(X.T @ (work * z))
                new = new + normal.solve(X.T @ (work * (z - X @ new)))
            else:
                new = coef + normal.solve(X.T @ (work * resid))
        else:
            z = (eta - off)[g] + (y[g] - mu[g]) / me[g]
            sw = np.sqrt(w[g] * me[g] ** 2 / var[g])
            new = _wls(X[g] * sw[:, None], z * sw)
            work = np.zeros_like(w)
            work[g] = sw**2
        eta_new = X @ new + off
        mu_new, me_new, var_new, dev = state(fam, eta_new, y, w, binary=binary)
        halvings = 0
        while coef is not None and halvings < maxit and not (
                np.isfinite(dev) and fam.valid(eta_new, mu_new)):
            new = (new + coef) / 2
            eta_new = X @ new + off
            mu_new, me_new, var_new, dev = state(fam, eta_new, y, w, binary=binary)
            halvings += 1
        if not (np.isfinite(dev) and fam.valid(eta_new, mu_new)):
            raise ModelError("no valid set of coefficients: the fitted means leave the "
                             f"{fam.name} family's range with the {fam.link} link",
                             location="link", hint="try another --link (e.g. log)")
        coef, eta, mu, me, var = new, eta_new, mu_new, me_new, var_new
        if abs(dev - devold) / (abs(dev) + 0.1) < epsilon:
            return IRLSFit(coef, work, True, it, eta, gram(X, work) if G is None else G, dev)
        devold = dev
    assert coef is not None
    return IRLSFit(coef, work, False, maxit, eta, gram(X, work) if G is None else G, devold)


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
    deeper: list[np.ndarray] = []
    if sf.has_stage2:  # R's multistage: the units' totals of stage 2, 3, ... too
        ssu = sf._data[SSU].to_numpy()[mf.rows].astype(np.int64)
        Z2 = _psu_sums(ssu, scores, sf.n_ssu, factor) @ Ainv
        for i, stage in enumerate(sf._deeper):
            unit = sf._data[unit_column(i + 3)].to_numpy()[mf.rows].astype(np.int64)
            deeper.append(_psu_sums(unit, scores, stage.ssu_psu.shape[0], factor) @ Ainv)
    if sf.calibration is not None:  # R's svyrecvar: residuals on the calibration variables
        values = scores if factor is None else scores * factor[:, None]
        totals = sf.calibration.residual_row_totals(sf._data, values, mf.rows, totals)
    return taylor_vcov(sf, totals @ Ainv, Z2, deeper=deeper)


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


def _r_weight_mean(sf: SurveyFrame, mf: ModelFrame) -> float:
    """The mean weight svyglm divides by: over the domain's rows *before* rows with a
    missing model variable are dropped (R rescales, then ``glm`` drops them), so the
    deviance, and the working LRT's statistic and AIC, are on R's scale. R's subset of a
    calibrated design keeps the rows outside the domain at weight zero, so there the mean
    runs over every row of the design."""
    w = sf._data[W].to_numpy()
    if mf.domain_rows is not None and sf.calibration is not None and not sf.is_replicate:
        return float(w[mf.domain_rows].sum()) / max(int(np.count_nonzero(w > 0)), 1)
    w = w[w > 0] if mf.domain_rows is None else w[mf.domain_rows]
    return float(w.mean()) if w.size else float(mf.w.mean())


def estimate_theta(X: np.ndarray, y: np.ndarray, w: np.ndarray, link: str,
                   offset: np.ndarray | None, *, tol: float = 1e-11, maxit: int = 100) -> float:
    """The negative binomial's ``theta`` as ``MASS::glm.nb`` (see :mod:`._negbin`):
    a Poisson start, then the GLM at ``theta`` and ``theta.ml`` in turn, to ``tol``."""
    fit = irls(X, y, w, Fam("poisson", link), offset=offset, epsilon=1e-12, maxit=100)
    theta = theta_ml(y, Fam("poisson", link).linkinv(fit.eta), w)
    for _ in range(maxit):
        fam = Fam("negative_binomial", link, theta)
        fit = irls(X, y, w, fam, fit.coef, offset=offset, epsilon=1e-14, maxit=100)
        new = theta_ml(y, fam.linkinv(fit.eta), w)
        if abs(new - theta) <= tol * new:
            return new
        theta = new
    raise ModelError("the negative binomial's theta did not converge", location="theta",
                     hint="give --theta VALUE")


def svyglm(
    sf: SurveyFrame | LazySurveyFrame,
    formula: str,
    *,
    family: Family = "binomial",
    link: Link | None = None,
    theta: float | None = None,
    theta_variance: Literal["joint", "fixed"] = "joint",
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
        The bound design (linearisation or replicate weights), or a lazy design
        (:class:`~survey.design.LazySurveyFrame`, linearisation): its rows are read in
        streamed passes of sums, one per IRLS iteration (binomial and gaussian families
        with their canonical links, terms that are columns; the rest raises
        :class:`~survey.errors.NotStreamable`, see docs/scale.md).
    formula
        A patsy formula: ``"y ~ x + C(g, Treatment('b')) + x:z"``. Columns whose
        names are not Python identifiers go through ``Q("sch.wide")``. Leave out
        the left-hand side when ``outcome`` is given. ``offset(log(exposure))``
        adds an offset to the linear predictor, as R's.
    family
        ``"binomial"`` (default; logistic regression, the same fit and standard
        errors as R's ``quasibinomial``, which svyglm recommends), ``"gaussian"``,
        ``"poisson"`` (= ``"quasipoisson"``), ``"gamma"`` (R's ``Gamma``),
        ``"inverse_gaussian"`` or ``"negative_binomial"``. The quasi families give
        the same coefficients and design-based SEs as their likelihood twins.
    link
        ``logit``, ``probit``, ``cauchit``, ``cloglog``, ``log``, ``identity``,
        ``inverse``, ``sqrt`` or ``1/mu^2``, as R's family objects accept them;
        default the family's R default (``gamma``: ``inverse``, as R's ``Gamma()``).
    theta
        The negative binomial's shape, as ``MASS::negative.binomial(theta)``; left
        out, it is estimated as ``MASS::glm.nb`` with the sampling weights (rescaled
        to mean 1), see ``survey.models._negbin``.
    theta_variance
        With ``theta`` estimated: ``"joint"`` (default) takes the SEs from the joint
        sandwich of the coefficients and ``theta``, as R's ``svymle`` over the negative
        binomial likelihood (and svy); ``"fixed"`` holds ``theta`` known, as
        ``svyglm(family = negative.binomial(glm.nb(...)$theta))``. Replicate designs
        hold it fixed in the replicate refits.
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
    if isinstance(sf, LazySurveyFrame):  # streamed passes (it reuses this module's solver)
        from survey.models._glm_stream import svyglm_lazy

        return svyglm_lazy(sf, formula, family=family, link=link, theta=theta,
                           outcome=outcome, where=where, level=level, epsilon=epsilon,
                           maxit=maxit)
    mf = model_frame(sf, formula, outcome=outcome, where=where)
    fam = family_of(family, link, theta=theta)
    fam.check_outcome(mf.y)
    check_rank(mf.X, mf.w, mf.names)
    prior = mf.w / _r_weight_mean(sf, mf)  # R's rescaled weights (the fit is scale-free)
    joint = False
    if fam.name == "negative_binomial" and fam.theta is None:
        fam = replace(fam, theta=estimate_theta(mf.X, mf.y, prior, fam.link, mf.offset))
        if theta_variance not in ("joint", "fixed"):
            raise ModelError(f"theta_variance={theta_variance!r} is not joint or fixed",
                             location="theta_variance")
        joint = theta_variance == "joint" and not sf.is_replicate
    if joint:  # the joint maximum likelihood, as svymle: converged fully, not at glm's stop
        epsilon, maxit = min(epsilon, 1e-13), max(maxit, 100)
    fit = irls(mf.X, mf.y, prior, fam, offset=mf.offset, epsilon=epsilon, maxit=maxit)
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
            rfit = irls(mf.X, mf.y, wr[:, r] / wr[:, r].sum(), fam, beta, offset=mf.offset,
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
    theta_se = None
    if joint:  # R's svymle: the joint sandwich of (beta, theta), theta estimated
        assert fam.theta is not None
        S, H = joint_scores(mf.X, mf.y, prior, eta, fam.theta, fam.link)
        V = sandwich(sf, mf, S, np.linalg.inv(-H))
        vcov, theta_se = V[:p, :p], float(np.sqrt(V[p, p]))
    naive = Ainv  # R's naive.cov (model-based, rescaled weights)

    def refit(drop: Sequence[str], design: SurveyFrame | None = None) -> ModelResult:
        """The model without ``drop``, on ``design`` (default the same; marginpred's
        reweighted design)."""
        return svyglm(sf if design is None else design, drop_terms(formula, drop),
                      family=fam.name, link=fam.link,
                      theta=fam.theta, outcome=outcome, where=where, level=level,
                      epsilon=epsilon, maxit=maxit)

    res = build_result(
        model="glm", family=fam.name, link=fam.link, formula=formula, mf=mf, coef=beta,
        vcov=vcov, df_resid=float(degf + 1 - p), level=level, method=method,
        ci_dist="t", naive_vcov=naive)
    return replace(res, deviance=fit.deviance, theta=fam.theta, theta_std_error=theta_se,
                   _design=sf, _refit=refit)
