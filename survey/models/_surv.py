"""Right-censored survival data on the rows of a design, and the design variance of
many estimates whose PSU totals are never formed.

The survival estimators (:mod:`._km`, :mod:`._logrank`, :mod:`._cox`) read the same
few arrays: time, event indicator, weight, PSU and stratum codes of the rows that take
part (in the domain, positive weight, no missing value), as R's ``svykm`` and
``svycoxph`` keep them (rows outside weigh zero; the design is kept).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from survey.design import SurveyFrame
from survey.design._frame import PSU, W
from survey.errors import ModelError

__all__ = ["SurvRows", "group_levels", "status_values", "stratum_variance", "surv_rows"]

_CENSUS = 1e-7  # R's onestrat: a stratum sampled completely (the engine's threshold)


@dataclass(frozen=True)
class SurvRows:
    """The rows that take part, in frame order."""

    time: np.ndarray  # (n,) float
    event: np.ndarray  # (n,) float, 1 = event, 0 = censored
    w: np.ndarray  # (n,) sampling weights (> 0)
    psu: np.ndarray  # (n,) PSU codes of the full design
    rows: np.ndarray  # (n,) row numbers in the bound frame
    group: np.ndarray | None  # (n,) codes into ``levels`` (by= given)
    levels: tuple[object, ...]  # the by= column's levels in R's factor order


def status_values(s: pl.Series, name: str) -> np.ndarray:
    """The event indicator as R's ``Surv`` reads a status: logical, 0/1, or 1/2 with 2
    the event (``Surv``'s rule: 1/2 coding when every value is 1 or 2)."""
    if s.dtype == pl.Boolean:
        return s.cast(pl.Float64).to_numpy()
    if not s.dtype.is_numeric():
        raise ModelError(f"the status {name!r} is {s.dtype}: give a 0/1 or logical column, "
                         "or an expression such as status > 0", location=name,
                         hint="--status COLUMN with 0 = censored, 1 = event")
    v = s.cast(pl.Float64).to_numpy()
    values = set(np.unique(v).tolist())
    if values <= {0.0, 1.0}:
        return v
    if values <= {1.0, 2.0}:
        return v - 1.0
    raise ModelError(f"the status {name!r} has values {sorted(values)[:6]}: neither 0/1 nor 1/2",
                     location=name, hint="give a 0/1 event indicator (1 = event)")


def group_levels(s: pl.Series) -> tuple[object, ...]:
    """Levels in R's factor order: an Enum's declared order, otherwise sorted."""
    present = s.drop_nulls().unique()
    if isinstance(s.dtype, pl.Enum):
        seen = set(present.cast(pl.String).to_list())
        return tuple(c for c in s.dtype.categories.to_list() if c in seen)
    return tuple(present.sort().to_list())


def surv_rows(sf: SurveyFrame, time: str, status: str | pl.Expr, *, by: str | None = None,
              where: pl.Expr | None = None) -> SurvRows:
    """Time, event, weight and design codes of the rows in the domain (``where`` and
    the design's subset) with a positive weight and no missing time, status or ``by``."""
    for c in (time, by):
        if c is not None and c not in sf.frame.columns:
            raise ModelError(f"column {c!r} is not in the frame", location=c)
    if isinstance(status, str):
        if status not in sf.frame.columns:
            raise ModelError(f"column {status!r} is not in the frame", location=status)
        status_expr, status_name = pl.col(status), status
    else:
        status_expr, status_name = status, str(status)
    mask = sf.in_domain_expr() & (pl.col(W) > 0) & pl.col(time).is_not_null()
    if where is not None:
        mask = mask & where.fill_null(False)
    if by is not None:
        mask = mask & pl.col(by).is_not_null()
    mask = mask & status_expr.is_not_null()
    try:
        sel = [pl.col(time).cast(pl.Float64).alias("t"), status_expr.alias("s"), pl.col(W),
               pl.col(PSU)]
        if by is not None:
            sel.append(pl.col(by).alias("g"))
        fit = sf._data.with_row_index("__svy_row").filter(mask).select(pl.col("__svy_row"), *sel)
    except pl.exceptions.PolarsError as exc:
        raise ModelError(f"cannot evaluate the time, status or domain: {exc}",
                         location="where") from exc
    if fit.height == 0:
        raise ModelError("no row is left: the domain is empty or every row misses the time "
                         "or status", location="where")
    t = fit["t"].to_numpy()
    if not np.all(np.isfinite(t)):
        raise ModelError(f"the time {time!r} has non-finite values", location=time)
    group, levels = None, ()
    if by is not None:
        levels = group_levels(fit["g"])
        g = fit["g"].cast(pl.String) if isinstance(fit["g"].dtype, pl.Enum) else fit["g"]
        keys = [str(v) for v in levels] if isinstance(fit["g"].dtype, pl.Enum) else list(levels)
        group = g.replace_strict(keys, list(range(len(levels))),
                                 return_dtype=pl.Int64).to_numpy()
    return SurvRows(time=t, event=status_values(fit["s"], status_name),
                    w=fit[W].to_numpy().astype(float), psu=fit[PSU].to_numpy().astype(np.int64),
                    rows=fit["__svy_row"].to_numpy(), group=group, levels=levels)


def stratum_variance(sf: SurveyFrame, S1: np.ndarray, S2: np.ndarray,
                     strata: slice = slice(None)) -> np.ndarray:
    """Linearisation variances from per-stratum sums of PSU totals, R's ``svyrecvar``
    (one stage, the engine's ``taylor_vcov`` diagonal) without forming the totals.

    ``S1[h, k] = sum_p Z[p, k]`` and ``S2[h, k] = sum_p Z[p, k]^2`` over the PSUs ``p``
    of stratum ``h``, for ``k`` estimates. Strata scale by ``f_h n_h / (n_h - 1)``;
    lonely PSUs as ``survey.lonely.psu`` (the design's ``lonely_psu``). ``strata``:
    the rows of ``S1`` and ``S2`` are these strata only (their part of the variance).
    """
    if sf.has_stage2 or sf.calibration is not None:
        raise ModelError("survival curves' standard errors need a one-stage design without "
                         "calibration", hint="bind the first stage only (no second-stage "
                         "fpc) and uncalibrated weights")
    st = sf._strata
    n_all = st.n_psu.shape[0]
    lonely_all = (st.n_psu == 1) & (st.f >= _CENSUS)
    n_h, f = st.n_psu[strata], st.f[strata]
    with np.errstate(invalid="ignore", divide="ignore"):
        css = S2 - S1**2 / np.maximum(n_h, 1)[:, None]
    scale = np.where(n_h > 1, f * n_h / np.maximum(n_h - 1, 1), f)
    scale = np.where(f < _CENSUS, 0.0, scale)
    lonely = (n_h == 1) & (f >= _CENSUS)
    mult = 1.0
    if lonely.any():
        how = sf.design.lonely_psu  # type: ignore[union-attr]
        if how == "adjust":
            css = np.where(lonely[:, None], S2, css)  # centred on the population mean (0)
        elif how == "average":
            scale = np.where(lonely, 0.0, scale)
            mult = n_all / (n_all - int(lonely_all.sum()))
        else:  # remove, certainty: a lonely PSU centred on itself contributes 0, as R
            css = np.where(lonely[:, None], 0.0, css)
    return np.maximum(scale @ css, 0.0) * mult
