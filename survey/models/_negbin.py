"""The negative binomial's shape ``theta`` by weighted (pseudo-) maximum likelihood.

``MASS::glm.nb`` alternates a GLM fit at fixed ``theta`` with ``theta.ml``, the
Newton solution of the likelihood score in ``theta``; weighted by the sampling
weights (rescaled to mean 1: the estimate does not depend on the scale), this is
the pseudo-maximum-likelihood estimate of ``theta`` and ``beta`` together. Here the
two steps alternate to full convergence, so the estimate is R's
``MASS::glm.nb(formula, weights = w / mean(w))$theta`` at tight controls; the
design-based model is then ``svyglm(formula, design, family =
MASS::negative.binomial(theta))``, which treats ``theta`` as known (its sampling
variation does not enter the coefficients' standard errors).
"""

from __future__ import annotations

import numpy as np
from scipy import special

from survey.errors import ModelError

__all__ = ["theta_ml"]


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
