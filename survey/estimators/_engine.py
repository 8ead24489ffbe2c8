"""Domain totals and their variances: Taylor linearisation and replicate weights.

Every estimator here is a smooth function of weighted totals: a mean is a ratio of
two totals, a proportion the total of an indicator over the total of the base. The
engine computes, for each domain ``d`` and base column ``j``, the PSU totals
``P[psu, d, j] = sum w_i x_ij`` (one polars ``group_by``), and then works on that
small array with numpy:

* Taylor: the PSU totals of the influence function are ``P @ J.T`` with ``J`` the
  Jacobian of the estimator in the totals; R's ``svyrecvar`` (one stage) follows.
* Replicates: the replicate totals are ``F.T @ P`` for weights created from the
  design (``F``: per-PSU multipliers), or ``W.T @ X`` for supplied columns.

Domains keep the full design: rows outside weigh zero, PSU and stratum counts stay.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from survey.design import SurveyFrame, subset_df
from survey.design._frame import DOM, H, PSU, SSU, W, dense_codes, unit_column
from survey.design._pps import pps_vcov
from survey.design._stages import _Stage2
from survey.errors import EstimationError

__all__ = ["Domains", "Fit", "finish_ratios", "fit_ratios", "make_domains", "ratio_jacobian",
           "svr_var", "taylor_vcov"]

_CENSUS = 1e-7


@dataclass(frozen=True)
class Domains:
    """Domains of one estimate: codes on the data and a frame of their by-values."""

    data: pl.DataFrame  # the bound data with DOM (UInt32, null outside every domain)
    levels: pl.DataFrame  # one row per domain code: the by-columns (empty frame: no by)
    by: tuple[str, ...]

    @property
    def count(self) -> int:
        return max(self.levels.height, 1)


def make_domains(sf: SurveyFrame, *, by: str | Sequence[str] | None,
                 where: pl.Expr | None) -> Domains:
    """Number the domains: the ``where`` subpopulation split by every ``by`` combination.

    Rows with a null ``by`` value, or outside ``where``, belong to no domain (as R's
    ``svyby``, which drops NA groups).
    """
    by_t: tuple[str, ...] = () if by is None else ((by,) if isinstance(by, str) else tuple(by))
    missing = [c for c in by_t if c not in sf.frame.columns]
    if missing:
        raise EstimationError(f"by= columns {missing} are not in the frame", location="by")
    mask = sf.in_domain_expr()
    if where is not None:
        mask = mask & where.fill_null(False)
    for c in by_t:
        mask = mask & pl.col(c).is_not_null()
    try:
        # series-level work throughout: a frame-level select or with_columns here would
        # rechunk every column of a many-chunked (Parquet) frame, doubling its memory
        inside = sf._data.select(mask.alias(DOM)).to_series()
        if inside.len() != sf._data.height:  # a literal mask
            inside = pl.repeat(inside[0], sf._data.height, eager=True).alias(DOM)
        if by_t:
            key: pl.Series | None = None
            for c in by_t:  # one integer key: each column's dense code, first column slowest
                code, k = dense_codes(sf._data[c])
                key = code.cast(pl.Int64) if key is None else key * k + code.cast(pl.Int64)
            assert key is not None
            codes, _ = dense_codes(key.zip_with(inside, pl.Series([None], dtype=pl.Int64)))
            data = sf._data.with_columns(codes.alias(DOM))
            first = codes.arg_unique()  # first row of every domain: its by-values
            levels = (pl.DataFrame([codes.gather(first).alias(DOM),
                                  *(data[c].gather(first) for c in by_t)])
                      .filter(pl.col(DOM).is_not_null()).sort(DOM).drop(DOM))
        else:
            data = sf._data.with_columns(
                pl.when(inside).then(pl.lit(0, pl.UInt32)).alias(DOM))
            levels = pl.DataFrame()
    except pl.exceptions.PolarsError as exc:
        raise EstimationError(f"cannot evaluate the domain: {exc}", location="where") from exc
    if data[DOM].null_count() == data.height:
        raise EstimationError("the domain is empty: no row passes where=/by=", location="where")
    return Domains(data, levels, by_t)


def psu_totals(dom: Domains, cols: Sequence[pl.Expr], n_psu: int,
               unit: str | None = PSU) -> np.ndarray:
    """``P[psu, d, j] = sum w_i x_ij`` over the rows of domain ``d`` in each PSU (or in
    each second-stage unit, ``unit=SSU``; ``unit=None``: one row, the domain totals)."""
    k = len(cols)
    keys = [DOM] if unit is None else [unit, DOM]
    agg = (dom.data.lazy().filter(pl.col(DOM).is_not_null())
           .group_by(keys)
           .agg((pl.col(W) * c.cast(pl.Float64)).sum().alias(f"c{j}") for j, c in enumerate(cols))
           .collect())
    out = np.zeros((n_psu, dom.count, k))
    at = 0 if unit is None else agg[unit].to_numpy()
    out[at, agg[DOM].to_numpy()] = agg.select(f"c{j}" for j in range(k)).to_numpy()
    return out



def replicate_totals(sf: SurveyFrame, dom: Domains, cols: Sequence[pl.Expr],
                     P: np.ndarray) -> np.ndarray:
    """Replicate totals ``(R, D * k)``."""
    reps = sf._reps
    assert reps is not None
    flat = P.reshape(P.shape[0], -1)
    if reps.factors is not None:
        return reps.factors.T @ flat
    # supplied columns: W' X over blocks of rows, so the rows x replicates weights are
    # never copied whole (a million rows of 80 replicates would be 640 MB more)
    rows = dom.data[DOM].is_not_null().arg_true().to_numpy()
    x = dom.data.select(c.cast(pl.Float64).fill_null(0.0).alias(f"c{j}")
                        for j, c in enumerate(cols)).to_numpy()[rows]
    d = dom.data[DOM].to_numpy()[rows].astype(np.int64)
    k = x.shape[1]
    w = None if reps.combined else dom.data[W].to_numpy()[rows]
    weights = dom.data.select(reps.columns)
    out = np.zeros((len(reps.columns), dom.count * k))
    every = rows.shape[0] == weights.height  # the whole sample: blocks are slices
    for start in range(0, rows.shape[0], _BLOCK):
        part = slice(start, start + _BLOCK)
        block = weights.slice(start, _BLOCK) if every else weights[rows[part]]
        wr = np.asarray(block.to_numpy(), dtype=np.float64)
        if w is not None:
            wr *= w[part][:, None]
        xb, db = x[part], d[part]
        spread = np.zeros((xb.shape[0], dom.count * k))  # each row's values in its domain's columns
        spread[np.arange(xb.shape[0])[:, None], db[:, None] * k + np.arange(k)] = xb
        out += wr.T @ spread
    return out


_BLOCK = 65_536


def taylor_vcov(sf: SurveyFrame, Z: np.ndarray, Z2: np.ndarray | None = None, *,
                deeper: Sequence[np.ndarray] = (), present: np.ndarray | None = None
                ) -> np.ndarray:
    """Covariance of totals from PSU totals ``Z (n_psu, m)`` of influence values.

    R's ``svyrecvar`` at the first stage (``onestage``/``onestrat``): PSU totals
    centred within strata, scaled by ``f_h n_h / (n_h - 1)`` with ``f_h`` the
    finite population correction, lonely strata handled as ``survey.lonely.psu``
    (a PPS first stage: :mod:`survey.design._pps`). A design with a second-stage fpc
    adds R's ``multistage`` term from the second-stage unit totals ``Z2 (n_ssu, m)``:
    within each PSU, the units' variance with its own fpc, times the first-stage
    sampling fraction; and so on for the unit totals of stages 3, 4, ... (``deeper``).
    ``present (n_psu, m)``: the PSUs holding rows of each column's domain (for R's
    ``survey.adjust.domain.lonely``; ``None``: the design's domain).
    """
    v = _first_stage(sf, Z, present)
    s2 = sf._stage2
    if s2 is None:
        return v
    if sf.calibration is not None:  # R residualises by stage; we calibrate the first only
        raise EstimationError("calibrated weights on a design with a second-stage fpc are "
                              "not supported", hint="calibrate a design with the first-"
                              "stage fpc only")
    if Z2 is None or len(deeper) != len(sf._deeper):
        raise EstimationError("the later stages' unit totals are missing (internal)",
                              hint="pass the unit totals of every stage (deeper=)")
    for stage, Zs in zip((s2, *sf._deeper), (Z2, *deeper), strict=True):
        v = v + _later_stage(stage, Zs)
    return v


def _later_stage(s2: _Stage2, Z2: np.ndarray) -> np.ndarray:
    """R's ``multistage`` term of one later stage: within each parent unit, its units'
    totals centred (lonely units as ``survey.lonely.psu``) with the stage's fpc, times
    the parent's sampling fraction over the earlier stages."""
    p = s2.ssu_psu
    sums = np.zeros((s2.n2.shape[0], Z2.shape[1]))
    np.add.at(sums, p, Z2)
    C = np.where(s2.centre[p][:, None], Z2 - (sums / np.maximum(s2.n2, 1)[:, None])[p], Z2)
    Cs = C * np.sqrt(s2.scale * s2.frac1)[p][:, None]
    return Cs.T @ Cs


def _first_stage(sf: SurveyFrame, Z: np.ndarray, present: np.ndarray | None = None
                 ) -> np.ndarray:
    st = sf._strata
    if st.pps is not None and st.pps.dcheck is not None:  # Horvitz-Thompson, Yates-Grundy
        return pps_vcov(st.pps, Z)
    h = sf._psu_h.astype(np.int64)
    n_h = st.n_psu
    n_strata = n_h.shape[0]
    sums = np.zeros((n_strata, Z.shape[1]))
    np.add.at(sums, h, Z)
    C = Z - (sums / n_h[:, None])[h]
    f = st.f
    if st.pps is None:
        census = f < _CENSUS
        scale = np.where(n_h > 1, f * n_h / np.maximum(n_h - 1, 1), f)[h]
    else:  # Brewer: each PSU's own fpc 1 - pi_i, as R's onestrat with a per-row fpc
        fp = 1.0 - st.pps.pi
        census = np.bincount(h, weights=fp >= _CENSUS, minlength=n_strata) == 0
        n_p = n_h[h]
        scale = np.where(n_p > 1, fp * n_p / np.maximum(n_p - 1, 1), fp)
    scale = np.where(census[h], 0.0, scale)
    lonely = (n_h == 1) & ~census
    mult = 1.0
    how = sf.design.lonely_psu  # type: ignore[union-attr]
    if lonely.any():
        if how == "adjust":
            C = np.where(lonely[h][:, None], Z, C)  # centred on the population mean (0)
        elif how == "average":
            scale = np.where(lonely[h], 0.0, scale)
            mult = n_strata / (n_strata - int(lonely.sum()))
        # remove, certainty: a lonely PSU centred on itself contributes 0, as R
    if how == "adjust" and getattr(sf.design, "adjust_domain_lonely", False):
        if present is None:  # the design's domain, every column
            inside = sf._data.filter(sf.in_domain_expr())[PSU].unique().to_numpy()
            present = np.zeros((Z.shape[0], Z.shape[1]), dtype=bool)
            present[inside] = True
        count = np.zeros((n_strata, Z.shape[1]))
        np.add.at(count, h, present)
        alone = (count == 1) & (n_h[:, None] > 1)  # R's onestrat: nsubset == 1 < nPSU
        C = np.where(alone[h], Z, C)
    Cs = C * np.sqrt(scale)[:, None]
    return (Cs.T @ Cs) * mult


def svr_var(thetas: np.ndarray, theta: np.ndarray, sf: Any) -> np.ndarray:
    """R's ``svrVar``: ``scale * sum_r rscales_r (theta_r - centre)(theta_r - centre)'``."""
    reps = sf._reps
    assert reps is not None
    rs = reps.rscales
    centre = theta if reps.mse else thetas[rs > 0].mean(axis=0)
    D = (thetas - centre) * np.sqrt(rs)[:, None]
    return (D.T @ D) * reps.scale


@dataclass(frozen=True)
class Fit:
    """Estimates and their covariance, with the totals they came from."""

    estimate: np.ndarray
    vcov: np.ndarray
    totals: np.ndarray  # (D * k,)
    replicates: np.ndarray | None = None  # (R, m) replicate estimates (replicate designs)


def fit_ratios(sf: SurveyFrame, dom: Domains, cols: Sequence[pl.Expr],
               num: np.ndarray, den: np.ndarray) -> Fit:
    """Estimates ``T[num] / T[den]`` (``den = -1``: the total ``T[num]``) and covariance.

    ``num`` and ``den`` index the flattened ``(D, k)`` totals of ``cols``.
    """
    supplied = sf._reps is not None and sf._reps.factors is None
    # supplied replicate columns make every row a PSU: their totals by domain suffice
    P = psu_totals(dom, cols, 1, None) if supplied else psu_totals(dom, cols, sf.n_psu)
    if sf.is_replicate:  # a weighted replicate design carries its calibration in the replicates
        return finish_ratios(sf, P, num, den, replicates=replicate_totals(sf, dom, cols, P))
    est, J, T = ratio_jacobian(P, num, den)
    flat = P.reshape(P.shape[0], -1)
    Z2 = None
    if sf.has_stage2:
        Z2 = psu_totals(dom, cols, sf.n_ssu, SSU).reshape(sf.n_ssu, -1)
    deeper = [psu_totals(dom, cols, s.ssu_psu.shape[0], unit_column(i + 3)).reshape(
        s.ssu_psu.shape[0], -1) @ J.T for i, s in enumerate(sf._deeper)]
    present = None
    if getattr(sf.design, "adjust_domain_lonely", False):  # PSUs holding each domain's rows
        at = dom.data.lazy().filter(pl.col(DOM).is_not_null()).select(PSU, DOM).unique().collect()
        inside = np.zeros((sf.n_psu, dom.count), dtype=bool)
        inside[at[PSU].to_numpy(), at[DOM].to_numpy()] = True
        present = inside[:, num // len(cols)]
    if sf.calibration is not None:  # R's svyrecvar: residuals on the calibration variables
        flat = sf.calibration.residual_totals(dom.data, cols, dom.count, flat)
    with np.errstate(invalid="ignore"):  # an empty domain's NaN estimate stays NaN
        return Fit(est, taylor_vcov(sf, flat @ J.T, None if Z2 is None else Z2 @ J.T,
                                    deeper=deeper, present=present), T)


def ratio_jacobian(P: np.ndarray, num: np.ndarray, den: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The estimates ``T[num] / T[den]``, their Jacobian in the totals ``T`` and ``T``."""
    T = P.reshape(P.shape[0], -1).sum(axis=0)
    has = den >= 0
    denom = np.where(has, T[np.where(has, den, 0)], 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        est = T[num] / denom
    m = num.shape[0]
    J = np.zeros((m, T.shape[0]))
    rows = np.arange(m)
    with np.errstate(divide="ignore", invalid="ignore"):
        J[rows, num] = 1.0 / denom
        np.add.at(J, (rows[has], den[has]), -est[has] / denom[has])
    return est, J, T


def finish_ratios(sf: Any, P: np.ndarray, num: np.ndarray, den: np.ndarray, *,
                  replicates: np.ndarray | None = None) -> Fit:
    """:func:`fit_ratios` from its small arrays: the PSU x domain totals ``P`` and, for a
    replicate design, the replicate totals ``(R, D * k)`` (else the one-stage Taylor
    variance). Any design that reduces its rows to these arrays (a lazy design's GROUP
    BY, streamed or on Spark) finishes here, with the same numbers."""
    if replicates is not None:
        T = P.reshape(P.shape[0], -1).sum(axis=0)
        has = den >= 0
        denom = np.where(has, T[np.where(has, den, 0)], 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            est = T[num] / denom
        rden = np.where(has[None, :], replicates[:, np.where(has, den, 0)], 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            thetas = replicates[:, num] / rden
        return Fit(est, svr_var(thetas, est, sf), T, thetas)
    est, J, T = ratio_jacobian(P, num, den)
    with np.errstate(invalid="ignore"):  # an empty domain's NaN estimate stays NaN
        return Fit(est, taylor_vcov(sf, P.reshape(P.shape[0], -1) @ J.T), T)


def domain_counts(sf: SurveyFrame, dom: Domains, valid: Sequence[pl.Expr]
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per domain: rows answering each ``valid`` expression (weight non-zero), R's
    ``degf`` of the domain, and the domain's row count.

    The degrees of freedom are those of R's ``subset()`` of the design: PSUs minus
    strata among rows of non-zero weight (linearisation), or the rank of those rows'
    replicate weights minus one (replicate designs, :func:`~survey.design.subset_df`).
    """
    nz = pl.col(W) != 0
    degf = (pl.col(PSU).filter(nz).unique().alias("psus") if sf.is_replicate else
            (pl.col(PSU).filter(nz).n_unique() - pl.col(H).filter(nz).n_unique()).alias("df"))
    agg = (dom.data.lazy().filter(pl.col(DOM).is_not_null())
           .group_by(DOM)
           .agg([(v.fill_null(False) & nz).sum().alias(f"n{j}") for j, v in enumerate(valid)]
                + [degf, nz.sum().alias("rows")])
           .sort(DOM).collect())
    if sf.is_replicate:
        agg = agg.with_columns(pl.Series("df", [subset_df(sf, p.to_numpy())
                                                for p in agg["psus"]], dtype=pl.Int64))
    D = dom.count
    n = np.zeros((D, len(valid)), dtype=np.int64)
    df = np.zeros(D, dtype=np.int64)
    rows = np.zeros(D, dtype=np.int64)
    idx = agg[DOM].to_numpy()
    if valid:
        n[idx] = agg.select(f"n{j}" for j in range(len(valid))).to_numpy()
    df[idx] = agg["df"].to_numpy()
    rows[idx] = agg["rows"].to_numpy()
    return n, df, rows


def centred_ss(dom: Domains, values: Sequence[pl.Expr], valid: Sequence[pl.Expr],
               centres: np.ndarray) -> np.ndarray:
    """``sum w (x - c_d)^2`` over answering rows of each domain; ``centres (D, p)``."""
    D = dom.count
    cen = [pl.col(DOM).replace_strict(list(range(D)), centres[:, j].tolist(),
                                      return_dtype=pl.Float64)
           for j in range(len(values))]
    agg = (dom.data.lazy().filter(pl.col(DOM).is_not_null())
           .group_by(DOM)
           .agg((pl.when(v.fill_null(False)).then(pl.col(W) * (x.cast(pl.Float64) - c) ** 2)
                 .otherwise(0.0)).sum().alias(f"s{j}")
                for j, (x, v, c) in enumerate(zip(values, valid, cen, strict=True)))
           .sort(DOM).collect())
    out = np.zeros((D, len(values)))
    out[agg[DOM].to_numpy()] = agg.select(f"s{j}" for j in range(len(values))).to_numpy()
    return out
