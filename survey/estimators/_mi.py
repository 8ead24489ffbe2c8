"""Multiple imputation: one analysis per completed data set, combined by Rubin's rules
exactly as R's ``mitools::MIcombine``.

For ``m`` completed data sets with estimates ``q_i`` and covariances ``U_i``:
``qbar = mean(q_i)``, within ``Ubar = mean(U_i)``, between ``B = var(q_i)`` (divisor
``m - 1``), total ``T = Ubar + (1 + 1/m) B``. Per estimate, with
``r = (1 + 1/m) B_jj / Ubar_jj``: degrees of freedom ``(m - 1) (1 + 1/r)^2``
(Rubin 1987, MIcombine's default ``df.complete=Inf``; not Barnard-Rubin) and the
fraction of missing information ``(r + 2 / (df + 3)) / (r + 1)``. An estimate that does
not vary across the imputations has ``r = 0``: infinite df, missing information 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

from survey.estimators._dist import norm_ppf, t_ppf
from survey.estimators._results import Estimates
from survey.errors import EstimationError

__all__ = ["mi_combine", "rubin"]


def rubin(coefs: Sequence[np.ndarray], vcovs: Sequence[np.ndarray]
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Rubin's rules as ``MIcombine``: combined estimates, covariance, df and missing
    information, from ``m >= 2`` estimate vectors and covariance matrices.

    >>> q, V, df, miss = rubin([np.array([1.0]), np.array([3.0])], [np.eye(1), np.eye(1)])
    >>> float(q[0]), float(V[0, 0]), float(df[0])
    (2.0, 4.0, 1.7777777777777777)
    """
    m = len(coefs)
    if m < 2:
        raise EstimationError(f"{m} imputation given: combining needs at least two",
                              location="imputations")
    Q = np.vstack([np.asarray(c, dtype=float) for c in coefs])
    qbar = Q.mean(axis=0)
    ubar = np.mean([np.asarray(v, dtype=float) for v in vcovs], axis=0)
    B = np.atleast_2d(np.cov(Q, rowvar=False, ddof=1))
    with np.errstate(divide="ignore", invalid="ignore"):
        r = (1 + 1 / m) * np.diag(B) / np.diag(ubar)
        df = (m - 1) * (1 + 1 / r) ** 2
        miss = (r + 2 / (df + 3)) / (r + 1)
    return qbar, ubar + B * (m + 1) / m, df, miss


def mi_combine(results: Sequence[Any], *, level: float | None = None) -> Estimates:
    """Combine one analysis per completed data set, as ``MIcombine(with(imputations, ...))``.

    Parameters
    ----------
    results
        :class:`Estimates` of the same analysis on each completed data set (the same
        rows in the same order), or fitted models (anything with ``coef``, ``vcov``
        and a ``terms`` frame, as :class:`~survey.models.ModelResult`).
    level
        Confidence level (default: the results').

    Returns
    -------
    Estimates
        The first result's rows with the combined ``estimate`` and ``std_error``,
        intervals on t with the per-estimate MI ``df`` (as ``summary.MIresult``),
        ``df`` and ``missinfo`` (the fraction of missing information); ``vcov`` is
        the total covariance. A model's coefficients are rows with ``variable`` the
        term.

    >>> import polars as pl
    >>> from survey.design import svydesign
    >>> from survey.estimators import mean
    >>> fits = [mean(svydesign(pl.DataFrame({"y": y})), "y") for y in ([1.0, 2.0], [2.0, 5.0])]
    >>> float(mi_combine(fits).estimate[0])
    2.5
    """
    if not results:
        raise EstimationError("no results to combine", location="imputations")
    first = results[0]
    if isinstance(first, Estimates):
        shapes = {len(r) for r in results}
        heads = {r.table.select(*r.by, "variable", "category").cast(pl.String).rows().__repr__()
                 for r in results}
        if len(shapes) != 1 or len(heads) != 1:
            raise EstimationError("the imputations give different estimates (rows differ: a "
                                  "category or domain missing from some data set)",
                                  location="imputations",
                                  hint="give every completed data set the same categories")
        coefs = [r.estimate for r in results]
        keys = first.table.select(*first.by, "variable", "category")
        by, statistic = first.by, first.statistic
        base_level = first.level
    else:
        coefs = [np.asarray(r.coef, dtype=float) for r in results]
        if len({c.shape for c in coefs}) != 1:
            raise EstimationError("the imputations' models have different coefficients",
                                  location="imputations")
        keys = pl.DataFrame({"variable": first.terms["term"].cast(pl.String),
                             "category": pl.Series([None] * len(coefs[0]), dtype=pl.String)})
        by, statistic, base_level = (), first.model, first.level
    level = base_level if level is None else level
    q, V, df, miss = rubin(coefs, [np.asarray(r.vcov, dtype=float) for r in results])
    se = np.sqrt(np.clip(np.diag(V), 0, None))
    a = 0.5 + level / 2
    with np.errstate(invalid="ignore"):
        crit = np.where(np.isfinite(df), t_ppf(a, np.where(np.isfinite(df) & (df > 0), df, 1)),
                        norm_ppf(a))
        cv = np.where(q != 0, se / np.abs(q), np.nan)
    table = keys.hstack([
        pl.Series("estimate", q.tolist(), dtype=pl.Float64),
        pl.Series("std_error", se.tolist(), dtype=pl.Float64),
        pl.Series("conf_low", (q - crit * se).tolist(), dtype=pl.Float64),
        pl.Series("conf_high", (q + crit * se).tolist(), dtype=pl.Float64),
        pl.Series("cv", cv.tolist(), dtype=pl.Float64),
        pl.Series("df", df.tolist(), dtype=pl.Float64),
        pl.Series("missinfo", miss.tolist(), dtype=pl.Float64)])
    if isinstance(first, Estimates) and "n" in first.table.columns:
        table = table.insert_column(table.columns.index("df"), first.table["n"])
    return Estimates(statistic, table, V, level, by, "mi-t")
