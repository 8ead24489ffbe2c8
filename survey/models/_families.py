"""GLM families and links, as R's ``family`` objects (``stats::family``, ``MASS``).

A :class:`Link` is R's ``make.link``: ``linkfun``, ``linkinv``, ``mu.eta`` and
``valideta``, with R's guards (the inverse logit, probit, cauchit, cloglog and log
keep ``mu`` a machine epsilon away from the boundary, as R's C code does), so the
iterations replay R's. A :class:`Fam` is a family with its variance function,
deviance residuals (R's ``dev.resids``), starting values (``initialize``, with
the prior weights as ``glm.fit`` passes them) and ``validmu``.

Families: ``gaussian``, ``binomial`` (= ``quasibinomial``: the same fit and the same
design-based SEs), ``poisson`` (= ``quasipoisson``), ``gamma`` (R's ``Gamma``),
``inverse_gaussian`` and ``negative_binomial`` (``MASS::negative.binomial(theta)``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy import special

from survey.errors import ModelError

__all__ = ["DEFAULT_LINK", "FAMILY_NAMES", "LINKS", "Fam", "Link", "family_of", "link_of"]

_EPS = float(np.finfo(float).eps)
_PROBIT_T = 8.125890664701906  # -qnorm(DBL_EPSILON)
_CAUCHIT_T = 1.0 / math.tan(math.pi * _EPS)  # -qcauchy(DBL_EPSILON)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)

Arr = np.ndarray


@dataclass(frozen=True)
class Link:
    """R's ``make.link(name)``."""

    name: str
    linkfun: Callable[[Arr], Arr] = field(repr=False)
    linkinv: Callable[[Arr], Arr] = field(repr=False)
    mu_eta: Callable[[Arr], Arr] = field(repr=False)
    valideta: Callable[[Arr], bool] = field(repr=False, default=lambda eta: True)


def _expit(eta: Arr) -> Arr:
    # R's C logit_linkinv: beyond +-30, exp(eta) is taken as eps or 1/eps
    t = np.where(eta < -30.0, _EPS, np.where(eta > 30.0, 1.0 / _EPS, np.exp(np.clip(eta, -30, 30))))
    return t / (1.0 + t)


def _logit_mu_eta(eta: Arr) -> Arr:
    e = np.exp(-np.abs(eta))
    return np.where(np.abs(eta) > 30.0, _EPS, e / (1.0 + e) ** 2)


def _probit_inv(eta: Arr) -> Arr:
    return special.ndtr(np.clip(eta, -_PROBIT_T, _PROBIT_T))


def _dnorm(x: Arr) -> Arr:
    return _INV_SQRT_2PI * np.exp(-0.5 * x * x)


def _cauchit_inv(eta: Arr) -> Arr:
    """R's ``pcauchy``: in the tails from ``atan(1/x)``, where ``1/2 + atan(x)/pi``
    would cancel."""
    x = np.clip(eta, -_CAUCHIT_T, _CAUCHIT_T)
    with np.errstate(divide="ignore"):
        tail = np.arctan(1.0 / np.where(x == 0, 1.0, x)) / math.pi
    return np.where(x > 1, 1.0 - tail, np.where(x < -1, -tail, 0.5 + np.arctan(x) / math.pi))


def _dcauchy(x: Arr) -> Arr:
    return 1.0 / (math.pi * (1.0 + x * x))


def _cloglog_inv(eta: Arr) -> Arr:
    return np.clip(-np.expm1(-np.exp(eta)), _EPS, 1.0 - _EPS)


def _cloglog_mu_eta(eta: Arr) -> Arr:
    e = np.minimum(eta, 700.0)
    return np.maximum(np.exp(e) * np.exp(-np.exp(e)), _EPS)


LINKS: dict[str, Link] = {
    "logit": Link("logit", lambda mu: np.log(mu / (1.0 - mu)), _expit, _logit_mu_eta),
    "probit": Link("probit", special.ndtri, _probit_inv,
                   lambda eta: np.maximum(_dnorm(eta), _EPS)),
    "cauchit": Link("cauchit", lambda mu: np.tan(math.pi * (mu - 0.5)), _cauchit_inv,
                    lambda eta: np.maximum(_dcauchy(eta), _EPS)),
    "cloglog": Link("cloglog", lambda mu: np.log(-np.log1p(-mu)), _cloglog_inv,
                    _cloglog_mu_eta),
    "log": Link("log", np.log, lambda eta: np.maximum(np.exp(eta), _EPS),
                lambda eta: np.maximum(np.exp(eta), _EPS)),
    "identity": Link("identity", lambda mu: np.asarray(mu, dtype=float).copy(),
                     lambda eta: eta, np.ones_like),
    "inverse": Link("inverse", lambda mu: 1.0 / mu, lambda eta: 1.0 / eta,
                    lambda eta: -1.0 / eta**2,
                    lambda eta: bool(np.all(np.isfinite(eta)) and np.all(eta != 0))),
    "sqrt": Link("sqrt", np.sqrt, lambda eta: eta**2, lambda eta: 2.0 * eta,
                 lambda eta: bool(np.all(np.isfinite(eta)) and np.all(eta > 0))),
    "1/mu^2": Link("1/mu^2", lambda mu: 1.0 / mu**2, lambda eta: 1.0 / np.sqrt(eta),
                   lambda eta: -1.0 / (2.0 * eta**1.5),
                   lambda eta: bool(np.all(np.isfinite(eta)) and np.all(eta > 0))),
}

FAMILY_NAMES = ("gaussian", "binomial", "quasibinomial", "poisson", "quasipoisson", "gamma",
                "inverse_gaussian", "negative_binomial")
"""Accepted family names (``Gamma``, ``inverse.gaussian``, ``negative-binomial`` are
spelled as R and read the same)."""

DEFAULT_LINK = {"gaussian": "identity", "binomial": "logit", "poisson": "log",
                "gamma": "inverse", "inverse_gaussian": "1/mu^2", "negative_binomial": "log"}
"""R's default (canonical) link of each family (``Gamma()`` is ``inverse``)."""

_ALLOWED = {"gaussian": ("identity", "log", "inverse"),
            "binomial": ("logit", "probit", "cauchit", "log", "cloglog"),
            "poisson": ("log", "identity", "sqrt"),
            "gamma": ("inverse", "identity", "log"),
            "inverse_gaussian": ("1/mu^2", "inverse", "identity", "log"),
            "negative_binomial": ("log", "sqrt", "identity")}
"""The links R's family constructors accept."""


def _xlogy_ratio(y: Arr, mu: Arr) -> Arr:
    """``y log(y / mu)``, 0 where ``y`` is 0 (R's ``y_log_y``)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(y > 0, y * np.log(np.where(y > 0, y, 1.0) / mu), 0.0)


@dataclass(frozen=True)
class Fam:
    """A GLM family with a link, as R's ``family(link = ...)`` object.

    ``name`` is the likelihood (``binomial`` for ``quasibinomial`` too); ``theta``
    is the negative binomial's shape (``MASS::negative.binomial(theta)``).
    """

    name: str
    link: str
    theta: float | None = None

    @property
    def lk(self) -> Link:
        return LINKS[self.link]

    def linkinv(self, eta: Arr) -> Arr:
        return self.lk.linkinv(eta)

    def mu_eta(self, eta: Arr) -> Arr:
        return self.lk.mu_eta(eta)

    def variance(self, mu: Arr) -> Arr:
        if self.name == "binomial":
            return mu * (1.0 - mu)
        if self.name == "poisson":
            return mu
        if self.name == "gamma":
            return mu**2
        if self.name == "inverse_gaussian":
            return mu**3
        if self.name == "negative_binomial":
            assert self.theta is not None
            return mu + mu**2 / self.theta
        return np.ones_like(mu)

    def dev_resids(self, y: Arr, mu: Arr, w: Arr) -> Arr:
        """R's ``family$dev.resids``."""
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.name == "binomial":
                return 2 * w * (_xlogy_ratio(y, mu) + _xlogy_ratio(1 - y, 1 - mu))
            if self.name == "poisson":
                return 2 * w * (_xlogy_ratio(y, mu) - (y - mu))
            if self.name == "gamma":
                return -2 * w * (np.log(np.where(y == 0, 1.0, y / mu)) - (y - mu) / mu)
            if self.name == "inverse_gaussian":
                return w * ((y - mu) ** 2) / (y * mu**2)
            if self.name == "negative_binomial":
                th = self.theta
                assert th is not None
                return 2 * w * (y * np.log(np.maximum(1.0, y) / mu)
                                - (y + th) * np.log((y + th) / (mu + th)))
            return w * (y - mu) ** 2

    def deviance(self, y: Arr, mu: Arr, w: Arr) -> float:
        """R's ``sum(dev.resids(y, mu, w))``."""
        return float(np.sum(self.dev_resids(y, mu, w)))

    def mustart(self, y: Arr, w: Arr) -> Arr:
        """R's ``family$initialize`` (prior weights ``w``)."""
        if self.name == "binomial":
            return (w * y + 0.5) / (w + 1.0)
        if self.name == "poisson":
            return y + 0.1
        if self.name == "negative_binomial":
            return y + (y == 0) / 6.0
        return y.astype(float).copy()

    def valid(self, eta: Arr, mu: Arr) -> bool:
        """R's ``valideta(eta) && validmu(mu)``."""
        if not self.lk.valideta(eta):
            return False
        if self.name == "binomial":
            return bool(np.all(np.isfinite(mu)) and np.all((mu > 0) & (mu < 1)))
        if self.name in ("poisson", "gamma", "inverse_gaussian", "negative_binomial"):
            return bool(np.all(np.isfinite(mu)) and np.all(mu > 0))
        return True

    def check_outcome(self, y: Arr) -> None:
        """Refuse outcomes outside the family's support, as R's ``initialize``."""
        bad = None
        if self.name == "binomial" and ((y < 0) | (y > 1)).any():
            bad = "a binomial outcome must lie in [0, 1]"
        elif self.name in ("poisson", "negative_binomial") and (y < 0).any():
            bad = f"a {self.name.replace('_', ' ')} outcome must be non-negative"
        elif self.name == "gamma" and (y <= 0).any():
            bad = "a gamma outcome must be positive"
        elif self.name == "inverse_gaussian" and (y <= 0).any():
            bad = "an inverse gaussian outcome must be positive"
        if bad:
            raise ModelError(bad, location="outcome",
                             hint="choose another --family, or filter the rows with --where")

    @property
    def label(self) -> str:
        """R's family name: ``Gamma``, ``Negative Binomial(2.5)``..."""
        if self.name == "negative_binomial":
            return f"negative_binomial({self.theta:.6g})"
        return self.name


def _norm(name: str) -> str:
    return name.strip().lower().replace(".", "_").replace("-", "_").replace(" ", "_")


def family_of(name: str, link: str | None = None, *, theta: float | None = None) -> Fam:
    """The family ``name`` with ``link`` (default: R's), checked as R's constructors do."""
    fam = _norm(name)
    fam = {"quasibinomial": "binomial", "quasipoisson": "poisson", "negbin": "negative_binomial",
           "inverse_gaussian": "inverse_gaussian"}.get(fam, fam)
    if fam not in DEFAULT_LINK:
        raise ModelError(f"family={name!r} is not one of {', '.join(FAMILY_NAMES)}",
                         location="family", hint=f"--family {' | '.join(FAMILY_NAMES)}")
    lk = DEFAULT_LINK[fam] if link is None else link_of(link)
    if lk not in _ALLOWED[fam]:
        raise ModelError(f"link={link!r} is not available for the {fam} family",
                         location="link", hint=f"--link {' | '.join(_ALLOWED[fam])}")
    if fam == "negative_binomial" and theta is not None and not theta > 0:
        raise ModelError(f"theta must be positive, got {theta}", location="theta")
    if theta is not None and fam != "negative_binomial":
        raise ModelError("theta is the negative binomial's shape", location="theta",
                         hint="--family negative_binomial --theta VALUE")
    return Fam(fam, lk, theta)


def link_of(name: str) -> str:
    """A link's canonical name (``1/mu^2`` also read as ``inverse_squared``)."""
    lk = name.strip().lower()
    lk = {"inverse_squared": "1/mu^2", "inverse-squared": "1/mu^2"}.get(lk, lk)
    if lk not in LINKS:
        raise ModelError(f"link={name!r} is not one of {', '.join(LINKS)}", location="link",
                         hint=f"--link {' | '.join(LINKS)}")
    return lk
