"""Complete and quasi-complete separation of a binary outcome, found by a linear program.

The maximum-likelihood estimate of a logistic regression does not exist when some
direction ``b`` has ``x_i'b >= 0`` for every success and ``<= 0`` for every
failure, with some inequality strict (Albert and Anderson, 1984). Following
Konis (2007; R's ``detectseparation``), the linear program

    maximise  sum_i s_i x_i'b   subject to  s_i x_i'b >= 0,  -1 <= b_j <= 1

(``s_i = +1`` for a success, ``-1`` for a failure) has a positive optimum exactly
when the data are separated; the columns with non-zero ``b`` are the predictors
that separate, and the rows with ``s_i x_i'b > 0`` are predicted perfectly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy.optimize import linprog

from survey.design import SurveyFrame
from survey.errors import ModelError
from survey.models._formula import ModelFrame, model_frame

__all__ = ["Separation", "detect_separation", "raise_if_separated", "separation"]

_TOL = 1e-7


@dataclass(frozen=True)
class Separation:
    """Outcome of a separation check.

    Attributes
    ----------
    separated
        True when the maximum-likelihood estimate does not exist.
    kind
        ``"complete"``, ``"quasi-complete"`` or ``None``.
    columns
        Design-matrix columns of the separating direction (intercept left out).
    terms
        The model terms those columns belong to (e.g. ``C(division)``).
    perfectly_predicted
        Rows whose outcome the direction predicts perfectly.
    """

    separated: bool
    kind: str | None
    columns: tuple[str, ...]
    terms: tuple[str, ...]
    perfectly_predicted: int

    def describe(self) -> str:
        """One sentence for a message or report."""
        if not self.separated:
            return "no separation: the maximum-likelihood estimate exists"
        return (f"{self.kind} separation by {', '.join(self.columns) or 'the intercept'}: "
                f"{self.perfectly_predicted} rows are predicted perfectly, so their "
                "coefficients diverge to infinity")


def detect_separation(mf: ModelFrame) -> Separation:
    """Run the separation linear program on the fitted rows of a binary model."""
    keep = mf.w > 0
    X, y = mf.X[keep], mf.y[keep]
    scale = np.max(np.abs(X), axis=0)
    scale[scale == 0] = 1.0
    Xs = X / scale
    binary = (y == 0) | (y == 1)
    s = np.where(y == 1, 1.0, -1.0)
    A = Xs[binary] * s[binary][:, None]
    A = np.unique(A, axis=0)  # repeated covariate patterns add nothing to the program
    eq = np.unique(Xs[~binary], axis=0) if (~binary).any() else None  # fractional y: both sides
    res = linprog(-A.sum(axis=0), A_ub=-A, b_ub=np.zeros(A.shape[0]),
                  A_eq=eq, b_eq=None if eq is None else np.zeros(eq.shape[0]),
                  bounds=[(-1.0, 1.0)] * X.shape[1], method="highs")
    if res.status != 0 or -res.fun <= _TOL * max(1, A.shape[0]) * 1e-2:
        return Separation(False, None, (), (), 0)
    b = res.x
    margin = (Xs[binary] * s[binary][:, None]) @ b
    strict = int((margin > _TOL).sum())
    kind = "complete" if bool((margin > _TOL).all()) else "quasi-complete"
    cols = [i for i in range(b.shape[0]) if abs(b[i]) > _TOL and mf.names[i] != "Intercept"]
    terms = []
    for term, sl in mf.term_slices.items():
        if term != "Intercept" and any(sl.start <= i < sl.stop for i in cols):
            terms.append(term)
    return Separation(True, kind, tuple(mf.names[i] for i in cols), tuple(terms), strict)


def raise_if_separated(mf: ModelFrame, beta: np.ndarray, *, converged: bool) -> None:
    """After a logistic fit: if it diverged or fits probabilities of 0 or 1, look for
    separation and raise a :class:`~survey.errors.ModelError` naming the predictors."""
    eta = (mf.X @ beta)[mf.w > 0]  # no copy of the fitted rows' X
    if converged and np.abs(eta).max() < 15 and np.abs(beta).max() < 20:
        return
    sep = detect_separation(mf)
    if sep.separated:
        raise ModelError(
            sep.describe(), location=", ".join(sep.terms) or "formula",
            hint="fit Firth's penalised likelihood (survey.models.firth), or merge the "
            "sparse levels of " + (", ".join(sep.terms) or "the predictors"))


def separation(sf: SurveyFrame, formula: str, *, outcome: pl.Expr | None = None,
               where: pl.Expr | None = None) -> Separation:
    """Check a logistic model for complete or quasi-complete separation before fitting.

    Examples
    --------
    >>> import polars as pl
    >>> from survey.design import svydesign
    >>> df = pl.DataFrame({"y": [0, 0, 1, 1], "g": ["a", "a", "b", "b"]})
    >>> separation(svydesign(df), "y ~ g").kind
    'complete'
    """
    mf = model_frame(sf, formula, outcome=outcome, where=where)
    if ((mf.y < 0) | (mf.y > 1)).any():
        raise ModelError("a binary outcome must lie in [0, 1]", location="outcome")
    return detect_separation(mf)
