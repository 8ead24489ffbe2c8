"""Predictive margins: adjusted means or probabilities by level of a factor, as R's
``svypredmeans``.

For each level ``g`` of the factor, every fitted row is given ``g`` (all else as
observed) and the model's prediction ``mu_i(g)`` is averaged with the sampling
weights: ``m_g = sum w_i mu_i(g) / sum w_i``, the mean outcome the sample would
show if everyone were in ``g``. The variance is R's: the design variance of that
weighted mean with the predictions held fixed (linearisation, as ``svymean``), plus
the coefficients' part ``d' V d`` with ``d = sum w_i mu'_i(g) x_i(g) / sum w_i`` (the
delta method); R adds the two (no covariance term), and so does this.
Intervals: normal quantiles, as R's ``confint`` on the ``svystat`` it returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from survey._display import format_number, html_table
from survey.errors import ModelError
from survey.estimators._intervals import quantile
from survey.models._formula import new_rows
from survey.models._glm import sandwich
from survey.models._results import ModelResult

__all__ = ["Margins", "predictive_margins"]


@dataclass(frozen=True, eq=False)
class Margins:
    """Predictive margins of one factor: ``table`` has ``variable``, ``level``,
    ``estimate``, ``std_error``, ``conf_low``, ``conf_high``; ``vcov`` their covariance."""

    variable: str
    table: pl.DataFrame
    vcov: np.ndarray = field(repr=False)
    level: float
    scale: str

    def to_frame(self) -> pl.DataFrame:
        return self.table

    def to_dict(self) -> dict[str, Any]:
        return {"variable": self.variable, "scale": self.scale, "level": self.level,
                "margins": self.table.to_dicts()}

    def _repr_html_(self) -> str:
        """Jupyter: one row per level, estimate and interval."""
        level = f"{self.level * 100:g}%"
        rows = [[r["level"], format_number(r["estimate"]), format_number(r["std_error"]),
                 f"{format_number(r['conf_low'])} to {format_number(r['conf_high'])}"]
                for r in self.table.iter_rows(named=True)]
        return html_table([self.variable, "estimate", "std_error", f"{level} CI"], rows,
                          title=f"Predictive margins by {self.variable}",
                          caption=f"scale: {self.scale}; normal intervals (R's svypredmeans)",
                          numeric=[False, True, True, True])


def predictive_margins(model: ModelResult, variable: str, *,
                       level: float | None = None) -> Margins:
    """Adjusted means (or probabilities) of ``model``'s outcome by level of ``variable``.

    ``variable`` must be a categorical predictor of ``model``; the margins are R's
    ``svypredmeans(adjustmodel, ~variable)`` where ``adjustmodel`` is ``model``
    without ``variable`` (R adds the factor to the adjustment model). Linearisation
    designs only (R's ``svypredmeans`` fails on replicate designs).

    Examples
    --------
    >>> import polars as pl
    >>> from survey.design import svydesign
    >>> from survey.models import svyglm
    >>> df = pl.DataFrame({"y": [0, 1, 0, 1, 1, 0, 1, 1, 0, 1], "g": list("abababbaab"),
    ...                    "x": [1., 2, 3, 4, 5, 6, 7, 8, 2, 5]})
    >>> m = predictive_margins(svyglm(svydesign(df), "y ~ x + C(g)"), "g")
    >>> m.table["level"].to_list()
    ['a', 'b']
    """
    if model.model == "ordinal":
        raise ModelError("predictive margins are for svyglm models (means, probabilities, "
                         "rates)", location="variable")
    mf, sf = model._mf, model._design
    if mf is None or sf is None:
        raise ModelError("this result carries no model frame or design")
    if sf.is_replicate:
        raise ModelError("predictive margins need a linearisation design (R's svypredmeans "
                         "fails on replicate weights too)", location="design",
                         hint="drop --replicate for this model")
    if variable not in mf.levels:
        cats = ", ".join(mf.levels) or "none"
        raise ModelError(f"{variable!r} is not a categorical predictor of the model",
                         location="variable", hint=f"categorical predictors: {cats}")
    levels = mf.levels[variable]
    dtype = mf.frame[variable].dtype
    off = 0.0 if mf.offset is None else mf.offset
    w = mf.w
    total = w.sum()
    fits = np.empty((w.shape[0], len(levels)))
    grad = np.empty((model.coef.shape[0], len(levels)))
    for j, lev in enumerate(levels):
        X = new_rows(mf, mf.frame.with_columns(pl.lit(lev).cast(dtype).alias(variable)))
        eta = X @ model.coef + off
        fits[:, j] = model._linkinv(eta)
        grad[:, j] = (w * model._mu_eta(eta)) @ X / total
    est = w @ fits / total
    scores = w[:, None] * (fits - est)
    v_mean = sandwich(sf, mf, scores, np.eye(len(levels)) / total)
    vcov = grad.T @ model.vcov @ grad + v_mean
    se = np.sqrt(np.diag(vcov))
    lev_ = model.level if level is None else level
    q = float(quantile(lev_, None))
    table = pl.DataFrame({"variable": variable, "level": [str(v) for v in levels],
                          "estimate": est, "std_error": se, "conf_low": est - q * se,
                          "conf_high": est + q * se})
    return Margins(variable, table, vcov, lev_, "response")
