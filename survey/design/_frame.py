"""SurveyFrame: a polars frame bound to a design, checked once, immutable."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import polars as pl

from survey._typing import FPCKind, LonelyPSU, PPSMethod, PPSVariance
from survey.design._design import Design, PPSMatrix, ReplicateDesign
from survey.design._pps import PPSStage, bind_pps, psu_probabilities
from survey.errors import DesignError

__all__ = ["SurveyFrame", "dense_codes", "svydesign"]

W, H, PSU, DOM = "__svy_w", "__svy_h", "__svy_psu", "__svy_dom"
"""Reserved column names the bound frame carries: weight, stratum code, PSU code, domain."""
SSU = "__svy_ssu"  # second-stage unit code (designs with a second-stage fpc only)


def unit_column(stage: int) -> str:
    """The reserved column of the unit codes at ``stage`` (2: :data:`SSU`; 3, 4, ...)."""
    return SSU if stage == 2 else f"__svy_u{stage}"


_CENSUS = 1e-7  # R's onestrat: a stratum with f < 1e-7 is sampled completely


@dataclass(frozen=True)
class _Strata:
    """Per-stratum arrays (index = stratum code)."""

    labels: tuple[object, ...]
    n_psu: np.ndarray  # PSUs per stratum in the full design
    f: np.ndarray  # 1 - sampling fraction (1 without fpc)
    pps: PPSStage | None = None  # a PPS first stage (per-PSU probabilities)


@dataclass(frozen=True)
class _Stage2:
    """A stage after the first of a design with an fpc at that stage (index = code of the
    parent unit, a PSU at stage 2, except ``ssu_psu``: the parent of each unit)."""

    ssu_psu: np.ndarray  # (n_units,)
    n2: np.ndarray  # units sampled in each parent
    scale: np.ndarray  # f n / (n - 1), as R's onestrat at this stage (0: census or removed)
    centre: np.ndarray  # False for a lonely unit under lonely_psu="adjust"
    frac1: np.ndarray  # the parent's sampling fraction over the earlier stages (n1 / N1 ...)


@dataclass(frozen=True)
class _Replicates:
    """Replicate weights: per-PSU factors (created) or row-level columns (supplied)."""

    scale: float
    rscales: np.ndarray
    mse: bool
    factors: np.ndarray | None  # (n_psu, R): weight multipliers, as R's compressed repweights
    columns: tuple[str, ...]  # supplied replicate columns
    combined: bool
    type: str
    df: int


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
            self._bind_deeper(df, psu, pi if d.pps == "brewer" else (1.0 - f)[self._psu_h], d)
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

    def _bind_deeper(self, df: pl.DataFrame, psu: pl.Series, frac: np.ndarray,
                     d: Design) -> None:
        """Stages 2, 3, ... of a design with an fpc at each (R's ``multistage``): unit
        codes nested in their parents, each stage's parents' sampling fractions so far."""
        parent, prob = psu, np.ones(df.height)
        deeper = []
        for s in range(1, len(d.stage_fpc)):
            stage, unit, p = _bind_stage2(df, parent, frac, d, s)
            rows_parent = parent.to_numpy()
            prob *= p[rows_parent]
            frac = (frac * p)[stage.ssu_psu]  # each unit's fraction over stages 1..s
            self._data = self._data.hstack([unit.alias(unit_column(s + 1))])
            deeper.append(stage)
            parent = unit
        self._stage2, self._deeper = deeper[0], tuple(deeper[1:])
        if d.weights is None:  # as R: probabilities multiply, (n1 / N1) (n2 / N2) ...
            self._data = self._data.with_columns(pl.Series(W, self._data[W].to_numpy() / prob))

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


def replicate_scales(type_: str, n_rep: int, scale: float | None,
                     rscales: Sequence[float] | None, rho: float | None) -> tuple[float, np.ndarray]:
    """R's ``svrepdesign`` defaults for ``scale`` and ``rscales``."""
    if type_ == "BRR":
        scale = 1.0 / n_rep
    elif type_ == "Fay":
        scale = 1.0 / (n_rep * (1.0 - float(rho or 0.0)) ** 2)
    elif type_ in ("bootstrap", "subbootstrap") and scale is None:
        scale = 1.0 / (n_rep - 1)
    elif type_ in ("successive-difference", "ACS"):  # R ignores a given scale here
        scale, rscales = 4.0 / n_rep, None
    elif type_ == "JK2":
        scale, rscales = 1.0, None
    elif type_ == "mrbbootstrap":
        scale = 1.0 if scale is None else scale
        rscales = [1.0 / (n_rep - 1)] * n_rep if rscales is None else rscales
    elif type_ == "JK1" and scale is None:
        scale = (n_rep - 1) / n_rep
    rs = np.ones(n_rep) if rscales is None else np.broadcast_to(
        np.asarray(rscales, dtype=float), (n_rep,)).copy()
    return (1.0 if scale is None else float(scale)), rs


def _stratum_table(df: pl.DataFrame, h: pl.Series, strata: str | None,
                   fpc: str | None) -> pl.DataFrame:
    """Per stratum code: its label and, with an fpc, the fpc's first value, whether it
    varies (``fpc_n``: 1 or 2) and its nulls; without a group-by over the rows."""
    first = h.arg_unique()  # first row of every stratum, in order of appearance
    rows = first.gather(h.gather(first).arg_sort())  # ... in code order
    out = pl.DataFrame({"label": df[strata].gather(rows) if strata else [None] * rows.len()})
    if fpc is None:
        return out
    col = df[fpc].cast(pl.Float64)
    n = rows.len()
    hn = h.to_numpy()
    nulls = np.bincount(hn[col.is_null().to_numpy()], minlength=n)
    firsts = col.gather(rows)
    differ = (col != firsts.gather(h)).fill_null(False).to_numpy()  # fpc varying in a stratum
    varies = np.bincount(hn[differ], minlength=n) > 0
    # (small columns from lists: polars imports numpy.ma to read numpy arrays)
    return out.with_columns(firsts.alias("fpc"),
                            pl.Series("fpc_n", (1 + varies.astype(np.int64)).tolist()),
                            pl.Series("fpc_null", nulls.tolist(), dtype=pl.Int64))


def dense_codes(s: pl.Series) -> tuple[pl.Series, int]:
    """Dense 0-based codes of ``s`` in sorted value order (nulls stay null), and their count.

    The order is that of ``rank("dense")`` (text: byte order; Enum: category order;
    Boolean: False first), computed without sorting the column where possible:
    text through an Enum of its sorted distinct values, integers by offset when
    their range is small.
    """
    dt = s.dtype
    if dt == pl.Boolean:
        s = s.cast(pl.UInt8)
        dt = s.dtype
    if s.len() and not s.has_nulls() and not isinstance(dt, pl.Categorical) and s.is_sorted():
        codes = s.rle_id()  # sorted (survey files often are, by stratum and PSU): one pass
        return codes.cast(pl.UInt32), int(codes[-1]) + 1
    if dt == pl.String or isinstance(dt, pl.Categorical):
        levels = s.cast(pl.String).unique().drop_nulls().sort()
        codes = s.cast(pl.String).cast(pl.Enum(levels.to_list())).to_physical().cast(pl.UInt32)
        return codes, levels.len()
    if isinstance(dt, pl.Enum):
        s = s.to_physical()
        dt = s.dtype
    if dt.is_integer() and s.len():
        lo, hi = s.min(), s.max()
        if lo is not None and hi is not None and int(hi) - int(lo) < 4 * s.len() + 1024:
            shifted = (s.cast(pl.Int64) - int(lo)).cast(pl.UInt32)
            present = pl.zeros(int(hi) - int(lo) + 1, pl.Boolean, eager=True).scatter(
                shifted.drop_nulls(), True)
            if present.all():
                return shifted, present.len()
            remap = present.cast(pl.UInt32).cum_sum() - 1  # value -> dense code
            return remap.gather(shifted).alias(s.name), int(present.sum())
    codes = (s.rank("dense") - 1).cast(pl.UInt32)
    return codes, int(codes.max() + 1) if codes.len() and codes.null_count() < codes.len() else 0


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


_BLOCK = 65_536  # rows per block when forming replicate-weight cross-products


def weights_rank(cols: pl.DataFrame, rows: np.ndarray | None = None,
                 scale: np.ndarray | None = None) -> int:
    """Rank of the replicate-weight matrix ``cols`` (its ``rows`` if given; each row
    times ``scale`` if given), as R's ``qr(weights, tol=1e-5)$rank`` in ``degf()``.

    The rank counts singular values above 1e-5 of the largest (eigenvalues of the
    Gram matrix ``M'M`` above 1e-10 of its largest, :func:`gram_rank`). Most replicate
    weights have full column rank, and that is proved without the whole Gram matrix
    (:func:`full_rank_from_head`): from the first rows' Gram matrix and the sum of
    squares of every row. Otherwise ``M'M`` is summed over blocks of rows, so a
    million-row design never holds a second copy of its weights.
    """
    k = cols.width
    n = cols.height if rows is None else rows.shape[0]
    if k == 0 or n == 0:
        return 0
    head = cols.slice(0, _HEAD) if rows is None else cols[rows[:_HEAD]]
    block = np.asarray(head.to_numpy(), dtype=np.float64)
    if scale is not None:
        block = block * scale[:_HEAD if rows is None else rows[:_HEAD]][:, None]
    if n <= _HEAD:
        return gram_rank(block.T @ block)
    if rows is not None:
        mask = np.zeros(cols.height, dtype=bool)
        mask[rows] = True
        chosen = cols.filter(pl.Series(mask))
    else:
        chosen = cols
    # the trace bounds the largest eigenvalue; with row scales, their largest square
    # times the plain trace bounds it in turn (column sums: polars' fast path)
    trace = float(chosen.select((pl.all().cast(pl.Float64) ** 2).sum()).sum_horizontal().item())
    if scale is not None:
        trace *= float(np.max(scale[rows] if rows is not None else scale) ** 2)
    if full_rank_from_head(block.T @ block, trace):
        return k
    gram = np.zeros((k, k))
    for start in range(0, n, _BLOCK):
        idx = (np.arange(start, min(start + _BLOCK, n)) if rows is None
               else rows[start:start + _BLOCK])
        part = cols.slice(start, _BLOCK) if rows is None else cols[idx]
        block = np.asarray(part.to_numpy(), dtype=np.float64)
        if scale is not None:
            block = block * scale[idx][:, None]
        gram += block.T @ block
    return gram_rank(gram)


_HEAD = 4096  # rows whose Gram matrix usually proves full rank (weights_rank)


def full_rank_from_head(head_gram: np.ndarray, trace: float) -> bool:
    """True when ``M`` has full column rank by :func:`gram_rank`'s rule, given the Gram
    matrix of some of its rows and ``trace``, the sum of squares of all its entries.

    Adding rows only raises the Gram matrix (in the positive semi-definite order), so
    its smallest eigenvalue is at least the head's; its largest is at most its trace.
    If the head's smallest exceeds 1e-10 times the trace, every eigenvalue of ``M'M``
    exceeds 1e-10 of its largest: the rank :func:`gram_rank` gives is the column count.
    """
    if head_gram.size == 0 or trace <= 0:
        return False
    return bool(np.linalg.eigvalsh(head_gram)[0] > 1e-10 * trace)


def gram_rank(gram: np.ndarray) -> int:
    """Rank of ``M`` from ``gram = M'M`` (see :func:`weights_rank`)."""
    ev = np.linalg.eigvalsh(gram) if gram.size else np.zeros(0)
    top = float(ev.max()) if ev.size else 0.0
    return int((ev > 1e-10 * top).sum()) if top > 0 else 0


def _bind_stage2(df: pl.DataFrame, psu: pl.Series, frac1: np.ndarray, d: Design,
                 s: int = 1) -> tuple[_Stage2, pl.Series, np.ndarray]:
    """Stage ``s + 1`` (``s`` counts from 0), as R's ``multistage``: its units nested in
    the parent units ``psu`` (codes), their fpc per parent, lonely units handled as
    ``d.lonely_psu``; ``frac1``: each parent's sampling fraction over the earlier stages.
    Returns the stage, the unit code of each row and each parent's sampling fraction
    n / N at this stage."""
    ids2, col = d.stage_ids[s], d.stage_fpc[s]
    n_psu = frac1.shape[0]
    code, n_id = dense_codes(df[ids2])
    key = psu.cast(pl.Int64) * n_id + code.cast(pl.Int64)
    ssu, _ = dense_codes(key)
    ssu_psu = (key.unique().sort() // n_id).to_numpy().astype(np.int64)
    n2 = np.bincount(ssu_psu, minlength=n_psu).astype(float)
    # per PSU: the fpc's first value, whether it varies, its nulls; labelled by the PSU id
    first = pl.DataFrame({"p": psu, "id": df[d.stage_ids[s - 1]].cast(pl.String),
                          "v": df[col].cast(pl.Float64)}).group_by("p").agg(
        pl.col("id").first().alias("label"), pl.col("v").first().alias("fpc"),
        pl.col("v").n_unique().alias("fpc_n"), pl.col("v").null_count().alias("fpc_null"),
    ).sort("p")
    f2, problems, _ = _fpc_factor(first, n2, col, d.fpc_kind, unit="first-stage units")
    if problems:
        raise DesignError("the second-stage fpc does not fit the design", problems=problems,
                          location=col)
    scale = np.where(n2 > 1, f2 * n2 / np.maximum(n2 - 1, 1), f2)
    scale = np.where(f2 < _CENSUS, 0.0, scale)
    centre = np.ones(n_psu, dtype=bool)
    lonely = (n2 == 1) & (f2 >= _CENSUS)
    if lonely.any():
        names = [str(x) for x, k in zip(first["label"].to_list(), lonely, strict=True) if k]
        how = d.lonely_psu
        if how in ("fail", "average"):
            raise DesignError(
                f"{len(names)} first-stage units have only one second-stage unit: "
                f"{', '.join(names[:20])}", location=ids2,
                hint="choose lonely_psu='adjust', 'remove' or 'certainty' (R's "
                "survey.lonely.psu; R's 'average' gives no variance here)")
        if how == "adjust":
            centre = ~lonely  # centred on the population mean, 0, as R
        else:  # remove, certainty: a lone unit centred on itself contributes 0, as R
            scale = np.where(lonely, 0.0, scale)
    return _Stage2(ssu_psu, n2, scale, centre, frac1), ssu, 1.0 - f2


def _fpc_factor(st: pl.DataFrame, n_psu: np.ndarray, col: str, kind: str, *,
                unit: str = "strata") -> tuple[np.ndarray, list[str], np.ndarray]:
    """Per-stratum ``f = (N_h - n_h) / N_h`` from an fpc column, checked as R's ``as.fpc``,
    and the population sizes ``N_h``."""
    problems = []
    labels = st["label"].to_list()
    if st["fpc_null"].sum():
        problems.append(f"fpc column {col!r} has {int(st['fpc_null'].sum())} nulls")
        return np.ones_like(n_psu), problems, n_psu
    varies = [str(lab) for lab, k in zip(labels, st["fpc_n"].to_list(), strict=True) if k > 1]
    if varies:
        problems.append(f"fpc varies within {unit} {', '.join(varies[:10])}")
    fpc = st["fpc"].to_numpy().astype(float)
    if kind == "auto":
        if (fpc >= 1).all():
            kind = "population" if (fpc > 1).any() else "fraction"
        elif (fpc <= 1).all():
            kind = "fraction"
        else:
            problems.append("fpc mixes values above and below 1: give population sizes "
                            "(all >= 1) or sampling fractions (all <= 1)")
            return np.ones_like(n_psu), problems, n_psu
    if kind == "fraction":
        if ((fpc <= 0) | (fpc > 1)).any():
            problems.append("sampling fractions must lie in (0, 1]")
            return np.ones_like(n_psu), problems, n_psu
        popsize = n_psu / fpc
    else:
        popsize = fpc
    over = [f"{lab} (N={p:g}, n={n:g})" for lab, p, n in
            zip(labels, popsize, n_psu, strict=True) if p < n - 1e-9]
    if over:
        problems.append(f"fpc implies more than 100% sampling in {unit} {', '.join(over[:10])}")
    return np.where(np.isinf(popsize), 1.0, (popsize - n_psu) / popsize), problems, popsize
