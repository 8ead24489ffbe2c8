"""The negative binomial's shape ``theta`` by weighted (pseudo-) maximum likelihood.

``MASS::glm.nb`` alternates a GLM fit at fixed ``theta`` with ``theta.ml``, the
Newton solution of the likelihood score in ``theta``; weighted by the sampling
weights (rescaled to mean 1: the estimate does not depend on the scale), this is
the pseudo-maximum-likelihood estimate of ``theta`` and ``beta`` together. Here the
two steps alternate to full convergence, so the estimate is R's
``MASS::glm.nb(formula, weights = w / mean(w))$theta`` at tight controls; the
standard errors come either from the joint sandwich of ``(beta, theta)`` (the default,
``theta_variance="joint"``: R's ``svymle`` over the negative binomial likelihood, and the
Python peer svy's choice) or with ``theta`` held known (``"fixed"``: R's
``svyglm(formula, design, family = MASS::negative.binomial(theta))``).
"""

from __future__ import annotations

import numpy as np
from scipy import special

from survey.errors import ModelError

__all__ = ["joint_scores", "theta_ml"]


def theta_ml(y: np.ndarray, mu: np.ndarray, w: np.ndarray, *, tol: float = 1e-13,
             maxit: int = 100) -> float:
    """R's ``MASS::theta.ml``: Newton on the weighted score in ``theta``, to ``tol``."""
    n = w.sum()
    t = n / np.sum(w * (y / mu - 1.0) ** 2)
    for _ in range(maxit):
        t = abs(t)
        score = np.sum(w * (special.digamma(t + y) - special.digamma(t) + np.log(t) + 1.0
                            - np.log(t + mu) - (y + t) / (mu + t)))
        info = np.sum(w * (-special.polygamma(1, t + y) + special.polygamma(1, t) - 1.0 / t
                           + 2.0 / (mu + t) - (y + t) / (mu + t) ** 2))
        step = score / info
        t = t + step
        if abs(step) <= tol * max(1.0, abs(t)):
            if not (np.isfinite(t) and t > 0):
                break
            return float(t)
    raise ModelError("the negative binomial's theta did not converge (the counts may not be "
                     "over-dispersed)", location="theta",
                     hint="give --theta VALUE, or use --family quasipoisson")


def _mu_derivs(eta: np.ndarray, link: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``mu``, ``dmu/deta`` and ``d2mu/deta2`` of the negative binomial's links."""
    if link == "log":
        mu = np.exp(eta)
        return mu, mu, mu
    if link == "sqrt":
        return eta**2, 2.0 * eta, np.full_like(eta, 2.0)
    return eta.copy(), np.ones_like(eta), np.zeros_like(eta)  # identity


def joint_scores(X: np.ndarray, y: np.ndarray, w: np.ndarray, eta: np.ndarray, theta: float,
                 link: str) -> tuple[np.ndarray, np.ndarray]:
    """Per-row weighted scores ``(n, p + 1)`` and the Hessian of the weighted negative
    binomial log-likelihood in ``(beta, theta)``, exact (R's ``svymle`` differentiates
    numerically)."""
    mu, d1, d2 = _mu_derivs(eta, link)
    t = theta
    l_mu = (y - mu) * t / (mu * (mu + t))
    l_mumu = -y / mu**2 + (y + t) / (mu + t) ** 2
    l_t = (special.digamma(y + t) - special.digamma(t) + np.log(t) + 1.0 - np.log(mu + t)
           - (y + t) / (mu + t))
    l_tt = (special.polygamma(1, y + t) - special.polygamma(1, t) + 1.0 / t - 2.0 / (mu + t)
            + (y + t) / (mu + t) ** 2)
    l_mut = (y - mu) / (mu + t) ** 2
    s_eta = w * l_mu * d1
    S = np.column_stack([X * s_eta[:, None], w * l_t])
    h_ee = w * (l_mumu * d1**2 + l_mu * d2)
    p = X.shape[1]
    H = np.empty((p + 1, p + 1))
    H[:p, :p] = (X * h_ee[:, None]).T @ X
    H[:p, p] = H[p, :p] = X.T @ (w * l_mut * d1)
    H[p, p] = float(np.sum(w * l_tt))
    return S, H
