"""Choosing between design-based models: AIC and BIC (Lumley and Scott 2015, R's
``AIC.svyglm`` and ``BIC.svyglm``) and pseudo-R squared (R's ``psrsq``).

* **AIC** (R's ``extractAIC.svyglm``): the deviance plus ``k`` times the effective number
  of parameters, the sum of the design effects ``lambda_j`` of the coefficients (the
  eigenvalues of ``V0^{-1} V``, ``V`` the design covariance, ``V0`` the model-based one,
  R's ``naive.cov``), over every coefficient but the intercept (``null_has_intercept``).
  Linear regression (gaussian family, identity link) has its own formula: ``-2`` times the
  profile log-likelihood ``N log sigma^2 + N + N log 2 pi`` plus ``k`` times the design
  effects of the coefficients and of ``sigma^2``. survey 4.1.1 got that penalty wrong and
  divided by ``sigma^2``; survey 4.2-1 fixed both, and the fixed formula is the one here
  (as in survey 4.4 and 4.5).
* **BIC** (R's ``dBIC``) of a model against a maximal model holding all its
  coefficients: ``Wald + p log n + log det(Delta) + deviance(maximal)``, the Wald
  statistic and design-effect matrix ``Delta`` of the maximal model's coefficients the
  smaller model leaves out, ``n`` the rows fitted. Against itself: ``p log n + deviance``.
* **Pseudo-R squared** (R's ``psrsq.svyglm``, discrete families only): Cox-Snell
  ``1 - exp((D1 - D0) / n)`` with the deviances put on the population scale (times
  ``N / n``, ``N`` the sum of the sampling weights, ``n`` that of the rescaled ones) and
  Nagelkerke's rescaling of it by its maximum ``1 - exp(-D0 / N)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import linalg

from survey.errors import ModelError
from survey.models._families import Fam
from survey.models._glm import _r_weight_mean, irls
from survey.models._results import ModelResult

__all__ = ["AIC", "BIC", "aic", "bic", "model_choice", "pseudo_r2"]

_DISCRETE = ("binomial", "quasibinomial", "poisson", "quasipoisson")


@dataclass(frozen=True)
class AIC:
    """Design-based AIC: ``aic``, the effective number of parameters ``eff_p`` and their
    mean design effect ``deltabar`` (R's ``eff.p``, ``AIC``, ``deltabar``)."""

    aic: float
    eff_p: float
    deltabar: float

    def to_dict(self) -> dict[str, float]:
        return {"aic": self.aic, "eff_p": self.eff_p, "deltabar": self.deltabar}


@dataclass(frozen=True)
class BIC:
    """Design-based BIC against a maximal model: ``bic``, the coefficients ``p`` and the
    effective sample size ``neff`` (NaN when the model is its own maximal model)."""

    bic: float
    p: int
    neff: float

    def to_dict(self) -> dict[str, float]:
        return {"bic": self.bic, "p": self.p, "neff": self.neff}


def _glm(model: ModelResult, what: str) -> None:
    if model.model != "glm" or model._mf is None or model.naive_vcov is None:
        raise ModelError(f"{what} needs a design-based GLM (svyglm), not a {model.model} "
                         "model", location="model",
                         hint="R defines it for svyglm fits only")


def _prior(model: ModelResult) -> np.ndarray:
    """R's ``prior.weights``: the sampling weights over the mean weight svyglm divides by."""
    assert model._mf is not None
    return model._mf.w / _r_weight_mean(model._design, model._mf)


def _has_intercept(model: ModelResult) -> bool:
    return "Intercept" in model.names


def aic(model: ModelResult, *, k: float = 2.0, null_has_intercept: bool = True) -> AIC:
    """Design-based AIC of a :func:`~survey.models.svyglm` fit, as R's ``AIC(model)``
    (``extractAIC.svyglm``; linear regression by the formula of survey >= 4.2-1).

    Parameters
    ----------
    model
        A fitted :func:`~survey.models.svyglm` (linearisation or replicate weights).
    k
        The penalty per effective parameter (2: AIC).
    null_has_intercept
        The null model keeps the intercept, so it is not counted (R's default).

    Examples
    --------
    >>> import polars as pl
    >>> from survey.design import svydesign
    >>> from survey.models import svyglm
    >>> df = pl.DataFrame({"y": [0, 1, 0, 1, 1, 0, 1, 1], "x": [1., 2, 3, 4, 5, 6, 7, 8]})
    >>> a = aic(svyglm(svydesign(df), "y ~ x"))
    >>> round(a.aic, 3), round(a.eff_p, 3)
    (11.064, 0.897)
    """
    _glm(model, "AIC")
    names = model.names
    keep = [j for j, t in enumerate(names) if not (null_has_intercept and t == "Intercept")]
    if null_has_intercept and not _has_intercept(model):
        raise ModelError("the model has no intercept, so the null model cannot have one",
                         location="null_has_intercept", hint="null_has_intercept=False")
    assert model.naive_vcov is not None and model._mf is not None
    V = model.vcov[np.ix_(keep, keep)]
    V0 = model.naive_vcov[np.ix_(keep, keep)]
    if model.family == "gaussian" and model.link == "identity":
        mf = model._mf
        w = _prior(model)
        y = mf.y
        mu = mf.X @ model.coef + (0.0 if mf.offset is None else mf.offset)
        n_hat = float(w.sum())
        s2 = float(np.sum((y - mu) ** 2 * w)) / n_hat
        m2ll = n_hat * math.log(s2) + n_hat + n_hat * math.log(2 * math.pi)
        delta_mu = np.diag(np.linalg.solve(V0 * s2, V)) if keep else np.zeros(0)
        info = n_hat / (2 * s2**2)
        u = -1 / (2 * s2) + (y - mu) ** 2 / (2 * s2**2)
        delta_s2 = info / float(np.sum(w * u**2))  # as survey >= 4.2-1 writes it
        eff_p = float(delta_mu.sum()) + delta_s2
        return AIC(m2ll + k * eff_p, eff_p, float(np.mean([*delta_mu, delta_s2])))
    if not keep:
        return AIC(model.deviance, 0.0, math.nan)
    lam = linalg.eigh(V, V0, eigvals_only=True)
    eff_p = float(lam.sum())
    return AIC(model.deviance + k * eff_p, eff_p, float(lam.mean()))


def bic(model: ModelResult, *, maximal: ModelResult | None = None) -> BIC:
    """Design-based BIC of a :func:`~survey.models.svyglm` fit against a maximal model, as
    R's ``BIC(model, maximal=maximal)`` (Lumley and Scott 2015).

    Parameters
    ----------
    model
        A fitted :func:`~survey.models.svyglm`.
    maximal
        A fit on the same rows, family and design whose coefficients include all of
        ``model``'s; default the model itself. Compare models by their BIC against the
        same maximal model.

    Examples
    --------
    >>> import polars as pl
    >>> from survey.design import svydesign
    >>> from survey.models import svyglm
    >>> df = pl.DataFrame({"y": [0, 1, 0, 1, 1, 0, 1, 1], "x": [1., 2, 3, 4, 5, 6, 7, 8]})
    >>> round(bic(svyglm(svydesign(df), "y ~ x")).bic, 3)
    13.43
    """
    _glm(model, "BIC")
    big = model if maximal is None else maximal
    _glm(big, "BIC")
    small_names, big_names = model.names, big.names
    missing = [t for t in small_names if t not in big_names]
    if missing:
        raise ModelError(f"coefficients {missing} are in the model but not in the maximal "
                         "model", location="maximal",
                         hint="the maximal model must hold every term of the model")
    assert model._mf is not None and big._mf is not None and big.naive_vcov is not None
    if not np.array_equal(model._mf.rows, big._mf.rows):
        raise ModelError(f"the model is fitted on {model._mf.rows.shape[0]} rows and the "
                         f"maximal model on {big._mf.rows.shape[0]}: BIC compares fits on the "
                         "same rows", location="maximal",
                         hint="restrict both to the rows answering every variable of the "
                              "maximal model (where=)")
    p = len(small_names)
    n = int(np.count_nonzero(model._mf.w > 0))  # R's 1 + df.null
    n = n if _has_intercept(model) else n + 1
    idx = [j for j, t in enumerate(big_names) if t not in small_names]
    if idx:
        b = big.coef[idx]
        V = big.vcov[np.ix_(idx, idx)]
        wald = float(b @ np.linalg.solve(V, b))
        det = float(np.linalg.det(np.linalg.solve(big.naive_vcov[np.ix_(idx, idx)], V)))
        neff = n / det ** (1 / (len(big_names) - p))
    else:
        wald, det, neff = 0.0, 1.0, math.nan
    return BIC(wald + p * math.log(n) + math.log(det) + big.deviance, p, neff)


def _null_deviance(model: ModelResult) -> float:
    """R's ``null.deviance`` (``glm.fit``): the intercept-only fit with the same offset
    and prior weights (the weighted mean without an offset)."""
    assert model._mf is not None
    mf = model._mf
    w = _prior(model)
    fam = Fam(model.family, model.link)
    if not _has_intercept(model):
        eta = np.zeros_like(mf.y) if mf.offset is None else mf.offset
        return fam.deviance(mf.y, fam.linkinv(eta), w)
    if mf.offset is None:
        mu = np.full_like(mf.y, float(np.sum(w * mf.y) / np.sum(w)))
        return fam.deviance(mf.y, mu, w)
    fit = irls(np.ones((mf.y.shape[0], 1)), mf.y, w, fam, offset=mf.offset, epsilon=1e-10,
               maxit=100)
    return fit.deviance


def pseudo_r2(model: ModelResult) -> dict[str, float] | None:
    """Cox-Snell and Nagelkerke pseudo-R squared, as R's ``psrsq(model, method=)``.

    Returns ``{"cox_snell": ..., "nagelkerke": ...}`` for the binomial and Poisson
    families (and their quasi twins); ``None`` for the others, where R's ``psrsq``
    refuses ("Only implemented for discrete data").

    >>> import polars as pl
    >>> from survey.design import svydesign
    >>> from survey.models import svyglm
    >>> df = pl.DataFrame({"y": [0, 1, 0, 1, 1, 0, 1, 1], "x": [1., 2, 3, 4, 5, 6, 7, 8]})
    >>> round(pseudo_r2(svyglm(svydesign(df), "y ~ x"))["nagelkerke"], 4)
    0.2065
    """
    _glm(model, "psrsq")
    if model.family not in _DISCRETE:
        return None
    assert model._mf is not None
    big_n = float(model._mf.w.sum())
    n = float(_prior(model).sum())
    d0 = _null_deviance(model) * big_n / n
    d1 = model.deviance * big_n / n
    cs = 1 - math.exp((d1 - d0) / big_n)
    return {"cox_snell": cs, "nagelkerke": cs / (1 - math.exp(-d0 / big_n))}


def model_choice(model: ModelResult, *, maximal: ModelResult | None = None) -> dict[str, Any]:
    """``aic``, ``bic`` (against ``maximal``, default the model itself) and ``pseudo_r2``
    (an object, or None) of a GLM, as the command line's JSON carries them; ``None``
    values for models R defines none of these for (ordinal, Firth)."""
    if model.model != "glm" or model.naive_vcov is None:
        return {"aic": None, "bic": None, "pseudo_r2": None}
    return {"aic": aic(model).aic, "bic": bic(model, maximal=maximal).bic,
            "pseudo_r2": pseudo_r2(model)}
