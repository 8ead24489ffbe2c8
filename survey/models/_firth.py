"""Firth's bias-reduced logistic regression, as R's ``brglm2`` (``type = "AS_mean"``).

Firth (1993) penalises the log-likelihood by half the log-determinant of the
Fisher information; for the logit link this is mean bias reduction, and the
estimate always exists, even under separation. It solves the adjusted score

    sum_i x_i [ w_i (y_i - p_i) + h_i (1/2 - p_i) ] = 0,

``h_i`` the leverages of the weighted fit, by the quasi-Fisher scoring of brglm2.

Variance: ``model`` is the inverse Fisher information at the estimate, brglm2's
(Wald intervals with normal quantiles, as its ``confint``); ``design`` is the
sandwich of the adjusted scores linearised over the design, with t quantiles on
the residual design degrees of freedom, as :func:`svyglm`.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import polars as pl

from survey.design import Design, SurveyFrame
from survey.errors import ModelError
from survey.estimators._dist import expit
from survey.models._formula import model_frame
from survey.models._glm import check_rank, sandwich
from survey.models._results import ModelResult, build_result

__all__ = ["firth"]

FirthVariance = Literal["auto", "model", "design"]


def firth_fit(X: np.ndarray, y: np.ndarray, w: np.ndarray, *, tol: float = 1e-12,
              maxit: int = 200) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Solve the adjusted score; returns (coefficients, inverse information, adjusted scores)."""
    beta = np.zeros(X.shape[1])
    for _ in range(maxit):
        p = expit(X @ beta)
        W = w * p * (1 - p)
        info = (X * W[:, None]).T @ X
        inv = np.linalg.inv(info)
        h = W * np.einsum("ij,jk,ik->i", X, inv, X)
        u = w * (y - p) + h * (0.5 - p)
        step = inv @ (X.T @ u)
        beta = beta + step
        if np.max(np.abs(step)) < tol * (1 + np.max(np.abs(beta))):
            p = expit(X @ beta)
            W = w * p * (1 - p)
            inv = np.linalg.inv((X * W[:, None]).T @ X)
            h = W * np.einsum("ij,jk,ik->i", X, inv, X)
            scores = X * (w * (y - p) + h * (0.5 - p))[:, None]
            return beta, inv, scores
    raise ModelError(f"Firth's fit did not converge in {maxit} iterations")


def _plain(sf: SurveyFrame) -> bool:
    d = sf.design
    return (isinstance(d, Design) and d.weights is None and d.strata is None
            and not d.stage_ids and not d.stage_fpc)


def firth(
    sf: SurveyFrame,
    formula: str,
    *,
    outcome: pl.Expr | None = None,
    where: pl.Expr | None = None,
    variance: FirthVariance = "auto",
    level: float = 0.95,
) -> ModelResult:
    """Firth's penalised-likelihood logistic regression (R's ``brglm2``, ``AS_mean``).

    Parameters
    ----------
    sf, formula, outcome, where
        As :func:`svyglm`.
    variance
        ``"model"``: inverse Fisher information, normal Wald intervals, as
        brglm2; ``"design"``: linearised over the design (t on the design
        degrees of freedom); ``"auto"`` (default): ``model`` for an unweighted,
        unclustered, unstratified design (where brglm2 is the reference),
        ``design`` otherwise.
    level
        Confidence level.

    Notes
    -----
    Sampling weights enter as prior weights rescaled to mean 1, as ``svyglm``
    rescales them; the penalty is then on the scale of the sample size.

    Examples
    --------
    >>> import polars as pl
    >>> from survey.design import svydesign
    >>> df = pl.DataFrame({"y": [0, 0, 0, 1, 1, 1], "x": [1., 2, 3, 4, 5, 6]})
    >>> fit = firth(svydesign(df), "y ~ x")   # separated: the ML estimate is infinite
    >>> bool(abs(fit.coef[1]) < 10)
    True
    """
    mf = model_frame(sf, formula, outcome=outcome, where=where)
    if ((mf.y < 0) | (mf.y > 1)).any():
        raise ModelError("a binary outcome must lie in [0, 1]", location="outcome")
    check_rank(mf.X, mf.w, mf.names)
    w = mf.w / mf.w.mean()
    beta, inv, scores = firth_fit(mf.X, mf.y, w)
    if variance == "auto":
        variance = "model" if _plain(sf) and not sf.is_replicate else "design"
    p = mf.X.shape[1]
    if variance == "model":
        return build_result(model="firth", family="binomial", link="logit", formula=formula,
                            mf=mf, coef=beta, vcov=inv, df_resid=float("inf"), level=level,
                            method="model (Firth)", ci_dist="normal")
    if variance != "design":
        raise ModelError(f"variance={variance!r} is not auto|model|design", location="variance")
    if sf.is_replicate:
        raise ModelError("Firth's fit with replicate weights is not supported",
                         hint="bind the linearisation design")
    vcov = sandwich(sf, mf, scores, inv)
    return build_result(model="firth", family="binomial", link="logit", formula=formula,
                        mf=mf, coef=beta, vcov=vcov, df_resid=float(mf.df + 1 - p),
                        level=level, method="linearisation (Firth)", ci_dist="t")
