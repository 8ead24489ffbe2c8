"""SurveyFrame: a polars frame bound to a design, checked once, immutable."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import polars as pl

from survey._typing import FPCKind, LonelyPSU, PPSMethod, PPSVariance
# DOM, SSU, unit_column, full_rank_from_head, gram_rank: imported from here by other modules
from survey.design._columns import DOM, SSU, H, PSU, W, dense_codes, unit_column  # noqa: F401
from survey.design._design import Design, PPSMatrix, ReplicateDesign
from survey.design._pps import bind_pps, psu_probabilities
from survey.design._repweights import (  # noqa: F401
    _Replicates,
    full_rank_from_head,
    gram_rank,
    replicate_scales,
    weights_rank,
)
from survey.design._stages import (
    _CENSUS,
    _fpc_factor,
    _Stage2,
    _Strata,
    _stratum_table,
    bind_deeper,
)
from survey.errors import DesignError

__all__ = ["SurveyFrame", "dense_codes", "svydesign"]


class Calibration(Protocol):
    """What a weighted design keeps so that variances use calibration residuals.

    R's ``postStratify``/``rake``/``calibrate`` store their information in
    ``design$postStrata`` and ``svyrecvar`` replaces the influence values by their
    residuals on the calibration variables before summing them by PSU. The
    weighting module implements this; the engine only calls it.
    """

    def residual_totals(self, data: pl.DataFrame, cols: Sequence[pl.Expr], domains: int,
                        totals: np.ndarray) -> np.ndarray:
        """PSU totals ``(n_psu, domains * len(cols))`` of the residualised weighted
        values ``w x_j 1[domain]``, given their plain PSU totals ``totals``; ``data`` is
        the bound data with the domain code column."""
        ...

    def residual_row_totals(self, data: pl.DataFrame, values: np.ndarray, rows: np.ndarray,
                            totals: np.ndarray) -> np.ndarray:
        """The same for per-row influence values ``(len(rows), k)`` (already weighted) at
        the bound frame's ``rows``: a model's scores."""
        ...


class SurveyFrame:
    """A polars DataFrame bound to a :class:`Design` or :class:`ReplicateDesign`.

    The design is checked once, on binding; every problem found is listed in one
    :class:`~survey.errors.DesignError`. The frame is never modified: the design's
    working columns (weight, stratum and PSU codes) ride alongside under reserved
    ``__svy_`` names.

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"y": [1.0, 2.0, 3.0, 4.0], "w": [2.0, 2.0, 3.0, 3.0]})
    >>> sf = SurveyFrame(df, Design(weights="w"))
    >>> sf.n, sf.df
    (4, 3)
    """

    __slots__ = ("_calib", "_data", "_deeper", "_design", "_domain", "_psu_h", "_reps", "_stage2",
                 "_strata", "frame")

    def __init__(self, frame: pl.DataFrame, design: Design | ReplicateDesign) -> None:
        if not isinstance(frame, pl.DataFrame):
            raise DesignError(f"expected a polars DataFrame, got {type(frame).__name__}")
        clash = [c for c in frame.columns if c.startswith("__svy_")]
        if clash:
            raise DesignError(f"column names {clash} use the reserved prefix '__svy_'")
        self.frame = frame
        self._design = design
        self._domain: pl.Expr | None = None
        self._reps: _Replicates | None = None
        self._calib: Calibration | None = None
        self._stage2: _Stage2 | None = None
        self._deeper: tuple[_Stage2, ...] = ()  # stages 3, 4, ... (an fpc at each)
        if isinstance(design, ReplicateDesign):
            self._bind_replicates(design)
        else:
            self._bind(design)

    # -- binding -------------------------------------------------------------------------

    def _check_columns(self, names: Sequence[str]) -> list[str]:
        missing = [c for c in names if c not in self.frame.columns]
        return [f"column {c!r} is not in the frame" for c in missing]

    def _bind(self, d: Design) -> None:
        problems = self._check_columns(d.columns)
        if problems:
            raise DesignError("the design names columns the frame lacks", problems=problems,
                              hint=f"columns: {', '.join(self.frame.columns[:20])}")
        df = self.frame
        problems += _check_weights(df, d.weights)
        for c in (d.strata, *d.stage_ids):
            if c is not None and (k := df[c].null_count()):
                problems.append(f"{c!r} has {k} nulls (rows {_rows(df[c].is_null())})")
        if len(d.stage_fpc) >= 2 and len(d.stage_ids) != len(d.stage_fpc):
            problems.append(f"an fpc at {len(d.stage_fpc)} stages needs as many stages of ids, "
                            f"got {len(d.stage_ids)}: ids=(first_stage, second_stage, ...)")
        if problems:
            raise DesignError("the design does not fit the data", problems=problems)
        w = pl.col(d.weights).cast(pl.Float64) if d.weights else pl.lit(1.0, pl.Float64)
        n_rows = df.height
        if d.strata:
            h, _ = dense_codes(df[d.strata])
        else:
            h = pl.zeros(n_rows, pl.UInt32, eager=True).alias(H)
        if d.stage_ids:  # PSU code unique across strata (nested): strata first, then PSU id
            idc, n_id = dense_codes(df[d.stage_ids[0]])
            key = h.cast(pl.Int64) * n_id + idc.cast(pl.Int64)
            psu, _ = dense_codes(key)
            self._psu_h = (key.unique().sort() // n_id).cast(pl.UInt32).to_numpy()
        else:
            psu = pl.int_range(n_rows, dtype=pl.UInt32, eager=True).alias(PSU)
            self._psu_h = h.to_numpy().astype(np.uint32)
        wts = (df.select(w.alias(W)).to_series() if d.weights
               else pl.repeat(1.0, n_rows, dtype=pl.Float64, eager=True).alias(W))
        core = pl.DataFrame([wts, h.alias(H), psu.alias(PSU)])
        self._data = df.hstack(core.get_columns())
        pps = d.pps is not None
        st = _stratum_table(df, h, d.strata, d.stage_fpc[0] if d.fpc and not pps else None)
        n_psu = np.bincount(self._psu_h, minlength=st.height).astype(float)
        f = np.ones_like(n_psu)
        pi = np.ones(self._psu_h.shape[0])
        if pps and d.fpc:  # as R: the fpc is each PSU's inclusion probability
            pi = psu_probabilities(df, psu, pi.shape[0], d.stage_fpc[0])
            if d.weights is None:
                self._data = self._data.with_columns(pl.Series(W, 1.0 / pi[psu.to_numpy()]))
        elif d.fpc:
            f, fpc_problems, popsize = _fpc_factor(st, n_psu, d.stage_fpc[0], d.fpc_kind)
            if fpc_problems:
                raise DesignError("the fpc does not fit the design", problems=fpc_problems,
                                  location=d.stage_fpc[0])
            if d.weights is None:  # as R: weights N_h / n_h (the same double as R's)
                with np.errstate(divide="ignore", invalid="ignore"):
                    inv = np.where(f < 1, popsize / n_psu, np.inf)
                self._data = self._data.with_columns(
                    pl.col(H).replace_strict(list(range(len(f))), inv.tolist(),
                                             return_dtype=pl.Float64).alias(W))
        stage1 = None
        if pps:
            if d.pps == "overton":  # as R: pi = 1 / weight (allprob), the PSU's first row
                rows = psu.to_numpy()
                wp = np.empty(pi.shape[0])
                wp[rows[::-1]] = self._data[W].to_numpy()[::-1]
                pi = 1.0 / wp
            stage1 = bind_pps(d, pi, self._psu_h, n_psu, n_rows)
        self._strata = _Strata(tuple(st["label"].to_list()), n_psu, f, stage1)
        if len(d.stage_fpc) >= 2:
            frac = pi if d.pps == "brewer" else (1.0 - f)[self._psu_h]
            self._data, self._stage2, self._deeper = bind_deeper(self._data, df, psu, frac, d)
        census = f < _CENSUS
        if d.pps == "brewer":  # a stratum is a census when every PSU's pi is 1
            census = np.bincount(self._psu_h, weights=(pi <= 1 - _CENSUS),
                                 minlength=f.shape[0]) == 0
        lonely = (n_psu == 1) & ~census
        if lonely.any() and d.lonely_psu == "fail":
            names = [str(s) for s, x in zip(self._strata.labels, lonely, strict=True) if x]
            raise DesignError(
                f"{len(names)} strata have only one PSU: {', '.join(names[:20])}",
                location=d.strata,
                hint="choose lonely_psu='adjust', 'average', 'remove' or 'certainty' "
                "(R's survey.lonely.psu), or merge the strata",
            )

    @classmethod
    def _calibrated_replicates(cls, frame: pl.DataFrame, design: ReplicateDesign,
                               calibration: Calibration | None) -> SurveyFrame:
        """Bind replicate weights a weighting step made: as binding, except that weights
        may be negative (linear calibration gives such weights, as in R)."""
        new = cls.__new__(cls)
        new.frame, new._design, new._domain, new._stage2 = frame, design, None, None
        new._deeper = ()
        new._reps, new._calib = None, calibration
        new._bind_replicates(design, signed=True)
        return new

    def _bind_replicates(self, d: ReplicateDesign, *, signed: bool = False) -> None:
        problems = self._check_columns(d.columns)
        if not d.repweights:
            problems.append("repweights names no columns")
        if problems:
            raise DesignError("the replicate design does not fit the frame", problems=problems)
        problems = [p for p in _check_weights(self.frame, d.weights)
                    if not (signed and "negative" in p)]
        for c in d.repweights:
            if not self.frame[c].dtype.is_numeric():
                problems.append(f"replicate column {c!r} is {self.frame[c].dtype}, not numeric")
            elif k := self.frame[c].null_count():
                problems.append(f"replicate column {c!r} has {k} nulls")
        if problems:
            raise DesignError("the replicate weights do not fit the data", problems=problems)
        w = pl.col(d.weights).cast(pl.Float64) if d.weights else pl.lit(1.0, pl.Float64)
        core = self.frame.select(w.alias(W), pl.lit(0, pl.UInt32).alias(H),
                                 pl.int_range(pl.len(), dtype=pl.UInt32).alias(PSU))
        self._data = self.frame.hstack(core.get_columns())
        self._psu_h = np.zeros(self.frame.height, dtype=np.uint32)
        self._strata = _Strata((None,), np.array([float(self.frame.height)]), np.ones(1))
        n_rep = len(d.repweights)
        scale, rscales = replicate_scales(d.type, n_rep, d.scale, d.rscales, d.rho)
        scale_rows = None if d.combined_weights else self._data[W].to_numpy()
        rank = weights_rank(self.frame.select(d.repweights), scale=scale_rows) or 1
        self._reps = _Replicates(scale, rscales, d.mse, None, d.repweights,
                                 d.combined_weights, d.type, rank - 1)

    # -- views ---------------------------------------------------------------------------

    @classmethod
    def _derived(cls, base: SurveyFrame, *, domain: pl.Expr | None = None,
                 reps: _Replicates | None = None, design: object = None,
                 calibration: Calibration | None = None) -> SurveyFrame:
        new = cls.__new__(cls)
        new.frame, new._data = base.frame, base._data
        new._design = design if design is not None else base._design
        new._psu_h, new._strata, new._stage2 = base._psu_h, base._strata, base._stage2
        new._deeper = base._deeper
        new._domain = domain if domain is not None else base._domain
        new._reps = reps if reps is not None else base._reps
        new._calib = calibration if calibration is not None else base._calib
        return new

    def subset(self, where: pl.Expr) -> SurveyFrame:
        """The design restricted to a domain, as R's ``subset(design, ...)``.

        Rows outside the domain keep their strata and PSUs but weigh zero, so the
        variance is domain estimation under the full design, never a row filter.
        """
        dom = where if self._domain is None else (self._domain & where)
        return SurveyFrame._derived(self, domain=dom)

    def with_columns(self, *exprs: Any, **named: pl.Expr) -> SurveyFrame:
        """The same design with derived analysis columns added (as polars ``with_columns``).

        The design's own columns are read once, on binding; changing them here does
        not change the design.
        """
        flat: list[pl.Expr] = []
        for e in exprs:  # accept lists and generators as polars does, consumed once
            flat.extend([e] if isinstance(e, pl.Expr) else list(e))
        exprs = tuple(flat)
        new = SurveyFrame._derived(self)
        try:
            new.frame = self.frame.with_columns(*exprs, **named)
            new._data = self._data.with_columns(*exprs, **named)
        except pl.exceptions.PolarsError as exc:
            raise DesignError(f"cannot add the columns: {exc}") from exc
        if any(c.startswith("__svy_") for c in new.frame.columns):
            raise DesignError("column names may not start with '__svy_'")
        return new

    @property
    def design(self) -> Design | ReplicateDesign:
        """The design specification."""
        return self._design  # type: ignore[return-value]

    @property
    def calibration(self) -> Calibration | None:
        """Calibration information of a weighted design (``None``: not calibrated)."""
        return self._calib

    @property
    def domain(self) -> pl.Expr | None:
        """The subpopulation filter set by :meth:`subset` (``None``: everyone)."""
        return self._domain

    @property
    def is_replicate(self) -> bool:
        """True when variances come from replicate weights."""
        return self._reps is not None

    @property
    def n(self) -> int:
        """Rows in the frame."""
        return self.frame.height

    @property
    def has_stage2(self) -> bool:
        """True when the variance has a second-stage term (a second-stage fpc was given)."""
        return self._stage2 is not None

    @property
    def n_ssu(self) -> int:
        """Second-stage units (0 without a second-stage fpc)."""
        return 0 if self._stage2 is None else int(self._stage2.ssu_psu.shape[0])

    @property
    def n_psu(self) -> int:
        """First-stage sampling units (each row when the design has no clusters)."""
        return int(self._psu_h.shape[0])

    @property
    def n_strata(self) -> int:
        """First-stage strata."""
        return int(self._strata.n_psu.shape[0])

    @property
    def df(self) -> int:
        """Design degrees of freedom, as R's ``degf()``.

        Linearisation: PSUs minus strata among rows of non-zero weight (in the
        domain, if any). Replicate designs: rank of the replicate weights minus 1.
        """
        if self._reps is not None:
            return self._reps.df
        return int(
            self._data.lazy().filter(self.in_domain_expr() & (pl.col(W) != 0))
            .select(pl.col(PSU).n_unique() - pl.col(H).n_unique()).collect().item()
        )

    def in_domain_expr(self) -> pl.Expr:
        """Boolean expression: the row belongs to the domain (nulls count as outside)."""
        return pl.lit(True) if self._domain is None else self._domain.fill_null(False)

    def describe(self) -> str:
        """The design in words, for captions: ``strata division (5), 200 PSUs, weights w,
        fpc; linearisation`` or ``weights pw; replicate JK1 (15 replicates)``."""
        d = self._design
        parts = []
        if isinstance(d, ReplicateDesign):
            if d.weights:
                parts.append(f"weights {d.weights}")
            parts.append(f"replicate {d.type} ({len(d.repweights)} replicates)")
        else:
            if d.strata:
                parts.append(f"strata {d.strata} ({self.n_strata})")
            if d.ids:
                parts.append(f"clusters {'+'.join(d.ids) if isinstance(d.ids, tuple) else d.ids} "
                             f"({self.n_psu} PSUs)")
            if d.weights:
                parts.append(f"weights {d.weights}")
            if d.fpc:
                parts.append("fpc")
            if d.pps is not None:
                how = d.pps if isinstance(d.pps, str) else "joint probabilities"
                parts.append(f"PPS without replacement ({how}, {d.variance})")
            parts.append("linearisation" if parts else "simple random sample, linearisation")
        if self._calib is not None:
            parts.append("calibrated weights")
        return ", ".join(parts[:-1]) + ("; " if len(parts) > 1 else "") + parts[-1]

    def __repr__(self) -> str:
        kind = "replicate" if self._reps is not None else "linearisation"
        dom = "" if self._domain is None else f", domain={self._domain}"
        return (f"SurveyFrame({self.n} rows, {self.n_strata} strata, {self.n_psu} PSUs, "
                f"{kind}{dom})")


def svydesign(
    frame: pl.DataFrame,
    *,
    ids: str | Sequence[str] | None = None,
    strata: str | None = None,
    weights: str | None = None,
    fpc: str | Sequence[str] | None = None,
    fpc_kind: FPCKind = "auto",
    lonely_psu: LonelyPSU = "fail",
    pps: PPSMethod | PPSMatrix | None = None,
    variance: PPSVariance = "HT",
    adjust_domain_lonely: bool = False,
) -> SurveyFrame:
    """Bind ``frame`` to a design, as R's ``svydesign`` (see :class:`Design`).

    >>> import polars as pl
    >>> sf = svydesign(pl.DataFrame({"y": [1, 2], "w": [1.0, 1.0]}), weights="w")
    >>> sf.n_psu
    2
    """
    ids_ = ids if ids is None or isinstance(ids, str) else tuple(ids)
    fpc_ = fpc if fpc is None or isinstance(fpc, str) else tuple(fpc)
    return SurveyFrame(frame, Design(weights=weights, strata=strata, ids=ids_, fpc=fpc_,
                                     fpc_kind=fpc_kind, lonely_psu=lonely_psu, pps=pps,
                                     variance=variance,
                                     adjust_domain_lonely=adjust_domain_lonely))


def _rows(mask: pl.Series, k: int = 5) -> str:
    idx = mask.arg_true().head(k).to_list()
    more = ", ..." if mask.sum() > k else ""
    return ", ".join(str(i + 1) for i in idx) + more


def _check_weights(df: pl.DataFrame, col: str | None) -> list[str]:
    if col is None:
        return []
    s = df[col]
    if not s.dtype.is_numeric():
        return [f"weight column {col!r} is {s.dtype}, not numeric"]
    out = []
    if k := s.null_count():
        out.append(f"weight column {col!r} has {k} nulls (rows {_rows(s.is_null())})")
    neg = s.fill_null(0) < 0
    if neg.any():
        out.append(f"weight column {col!r} has {int(neg.sum())} negative values "
                   f"(rows {_rows(neg)})")
    return out
