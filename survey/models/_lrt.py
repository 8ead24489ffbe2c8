"""Working likelihood-ratio tests of design-based models, as R's ``regTermTest(...,
method = "LRT")`` and ``anova.svyglm``.

Rao and Scott's working likelihood ratio: the drop in the (weighted) deviance when
the tested terms leave the model, ``X^2 = deviance(model0) - deviance(model)``. Under
the null it is distributed as ``sum(lambda_j * chi^2_1)``, the ``lambda_j`` being the
eigenvalues of ``V0^{-1} V`` (the design covariance of the tested coefficients ``V``
against the model-based one ``V0``, R's ``naive.cov``; for ``svyolr`` the inverse
Hessian). The p-value is that of the linear combination, as R's defaults:

* finite denominator df (``test = "F"``, R's default): R's ``pFsum``, the saddlepoint
  approximation to ``P(sum lambda_j chi^2_1 - X^2 / ddf * chi^2_ddf > 0)``, falling back
  to the Satterthwaite F where the saddlepoint is undefined;
* ``df = Inf`` (``test = "Chisq"``): R's ``pchisqsum(method = "saddlepoint")`` with the
  Satterthwaite chi-square as fallback.

R solves the saddlepoint equation with ``uniroot(tol = 1e-8)``; here the root is
found to machine precision (``brentq``), which is the p-value R gives with a tighter
tolerance (the fixtures record both; on them R's default output differs from it by at
most 4e-8 relative).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl
from scipy import linalg, special

from survey._display import format_number, html_table, p_text
from survey.errors import ModelError
from survey.models._namespace import term_key

if TYPE_CHECKING:
    from survey.models._results import ModelResult

__all__ = ["LikelihoodRatioTest", "anova", "lrt_test", "pchisqsum", "pfsum"]


@dataclass(frozen=True)
class LikelihoodRatioTest:
    """A working (Rao-Scott) likelihood-ratio test of model terms.

    ``statistic`` is the working ``2 log LR`` (R's ``chisq``), ``df`` the number of
    tested coefficients and ``ddf`` the denominator df (``inf`` for the chi-square
    form), ``scale_factors`` the ``lambda_j`` (R's ``lambda``), ``p_value`` the
    saddlepoint p-value.
    """

    terms: tuple[str, ...]
    statistic: float
    df: int
    ddf: float
    scale_factors: tuple[float, ...]
    p_value: float
    method: str = "working LRT (Rao-Scott)"

    @property
    def scaled_statistic(self) -> float:
        """``statistic * df / sum(lambda)``: the number R prints as "Working 2logLR"."""
        return self.statistic * self.df / sum(self.scale_factors)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (the CLI's JSON)."""
        return {"terms": list(self.terms), "method": self.method, "statistic": self.statistic,
                "scaled_statistic": self.scaled_statistic,
                "df": [float(self.df)] + ([self.ddf] if math.isfinite(self.ddf) else []),
                "scale_factors": list(self.scale_factors), "p_value": self.p_value}

    def to_frame(self) -> pl.DataFrame:
        """One-row polars frame."""
        return pl.DataFrame({"terms": [", ".join(self.terms)], "method": [self.method],
                             "statistic": [self.statistic], "df": [self.df],
                             "ddf": [self.ddf], "p_value": [self.p_value]})

    def _repr_html_(self) -> str:
        """Jupyter: one row, as ``survey glm --lrt`` prints it."""
        return html_table(["terms", "statistic", "scaled", "df", "ddf", "p_value"],
                          [[", ".join(self.terms), format_number(self.statistic),
                            format_number(self.scaled_statistic), self.df,
                            format_number(self.ddf) if math.isfinite(self.ddf) else "Inf",
                            p_text(self.p_value)]],
                          title=self.method, numeric=[False] + [True] * 5,
                          caption="scaled: statistic * df / sum of the scale factors "
                                  "(R's Working 2logLR); saddlepoint p-value")


def saddle(x: float, lam: np.ndarray) -> float | None:
    """R's ``survey:::saddle``: P(sum lam_j chi^2_1 > x) by Lugannani-Rice, or None
    where R gives NA (the saddlepoint within 1e-4 of zero)."""
    d = float(np.max(lam))
    lam = lam / d
    x = x / d

    def k0(z: float) -> float:
        return -float(np.sum(np.log1p(-2 * z * lam))) / 2

    def k1(z: float) -> float:
        return float(np.sum(lam / (1 - 2 * z * lam)))

    neg = lam < 0
    if neg.any():
        lmin = float(np.max(1 / (2 * lam[neg]))) * 0.99999
    elif x > lam.sum():
        lmin = -0.01
    else:
        lmin = -lam.shape[0] / (2 * x)
    lmax = float(np.min(1 / (2 * lam[lam > 0]))) * 0.99999
    from scipy import optimize  # 0.1 s to import: only when a test asks for it

    z = optimize.brentq(lambda t: k1(t) - x, lmin, lmax, xtol=1e-15, rtol=4 * np.finfo(float).eps,
                        maxiter=500)
    if abs(z) < 1e-4:
        return None
    w = math.copysign(math.sqrt(2 * (z * x - k0(z))), z)
    v = z * math.sqrt(2 * float(np.sum(lam**2 / (1 - 2 * z * lam) ** 2)))
    return float(special.ndtr(-(w + math.log(v / w) / w)))


def _satterthwaite(lam: np.ndarray) -> tuple[float, float]:
    tr = float(lam.mean())
    tr2 = float(np.mean(lam**2)) / tr**2
    return tr * tr2, lam.shape[0] / tr2


def pchisqsum(x: float, lam: Sequence[float], *, method: str = "saddlepoint") -> float:
    """Upper tail of ``sum lam_j chi^2_1`` at ``x``, as R's ``pchisqsum(lower.tail = FALSE)``."""
    a = np.asarray(lam, dtype=float)
    scale, df = _satterthwaite(a)
    guess = float(special.chdtrc(df, x / scale))
    if method == "satterthwaite":
        return guess
    sad = saddle(x, a)
    return guess if sad is None else sad


def pfsum(x: float, lam: Sequence[float], ddf: float, *, method: str = "saddlepoint") -> float:
    """R's ``pFsum(lower.tail = FALSE)``: ``sum lam_j chi^2_1`` against ``x / ddf chi^2_ddf``."""
    if not math.isfinite(ddf):
        return pchisqsum(x, lam, method=method)
    a = np.asarray(lam, dtype=float)
    scale, ndf = _satterthwaite(a)
    rval = float(special.fdtrc(ndf, ddf, x / ndf / scale))
    if method == "saddlepoint":
        s = saddle(0.0, np.concatenate([a, np.full(int(ddf), -x / ddf)]))
        if s is not None:
            rval = s
    return rval


def lrt_test(model: ModelResult, terms: str | Sequence[str], *,
             statistic: str = "F") -> LikelihoodRatioTest:
    """Working likelihood-ratio test that the coefficients of ``terms`` are zero.

    As R's ``regTermTest(model, ~terms, method = "LRT")``: the model is refitted
    without the terms (on the same design, as R's ``update``), ``statistic="F"``
    uses the model's residual df as denominator df (R's default), ``"Chisq"`` is
    R's ``df = Inf``.
    """
    wanted = [terms] if isinstance(terms, str) else list(terms)
    slices = {} if model._mf is None else model._mf.term_slices
    wanted = [t if t in slices else term_key(t) for t in wanted]  # Q('api.stu') is api.stu
    if model._refit is None or model.naive_vcov is None:
        raise ModelError(f"a likelihood-ratio test needs a svyglm or svyolr fit, not {model.model}",
                         location="terms", hint="use the Wald test (--test-method wald)")
    if statistic not in ("F", "Chisq"):
        raise ModelError(f"statistic={statistic!r} is not F or Chisq", location="statistic")
    idx = model._term_index(wanted)
    drop = [t for t in wanted if t in slices]
    if len(drop) != len(wanted):
        bad = [t for t in wanted if t not in slices]
        raise ModelError(f"{bad}: a likelihood-ratio test drops whole model terms, not "
                         "single coefficients", location="terms",
                         hint=f"terms: {', '.join(s for s in slices if s != 'Intercept')}")
    reduced = model._refit(drop)
    chisq = reduced.deviance - model.deviance
    V = model.vcov[np.ix_(idx, idx)]
    V0 = model.naive_vcov[np.ix_(idx, idx)]
    lam = linalg.eigh(V, V0, eigvals_only=True)[::-1]
    ddf = model.df_resid if statistic == "F" else math.inf
    p = pfsum(chisq, lam, ddf)
    return LikelihoodRatioTest(tuple(wanted), float(chisq), len(idx), float(ddf),
                               tuple(float(v) for v in lam), p)


def anova(small: ModelResult, big: ModelResult, *, statistic: str = "F") -> LikelihoodRatioTest:
    """Working LRT of two nested models, as R's ``anova(small, big)`` on svyglm fits
    (which R computes as ``regTermTest`` of the bigger model's extra terms)."""
    if small._mf is None or big._mf is None:
        raise ModelError("anova needs fitted models")
    t_small = [t for t in small._mf.term_slices if t != "Intercept"]
    t_big = [t for t in big._mf.term_slices if t != "Intercept"]
    if set(t_big) < set(t_small):
        small, big, t_small, t_big = big, small, t_big, t_small
    if not set(t_small) <= set(t_big) or set(t_small) == set(t_big):
        raise ModelError("the models are not nested: one model's terms must all be in the "
                         "other's, and the other must have more", location="formula")
    return lrt_test(big, [t for t in t_big if t not in t_small], statistic=statistic)
