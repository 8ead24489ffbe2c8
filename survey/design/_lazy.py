"""A design over rows that are never loaded: a Parquet scan streamed by polars, or a
Spark DataFrame.

Binding reads only what the design needs, in one GROUP BY pass: for a linearisation
design the table of PSUs (stratum, PSU, fpc: one row each; with an fpc at later stages,
one row per last-stage unit), bound as a small :class:`SurveyFrame` that carries the
strata, PSU counts, stages, PPS probabilities and finite population corrections exactly
as binding the whole frame would; weights a design takes from its fpc are joined back
to the rows from that small table; for supplied replicate columns
the row count, weight checks and the rank of the replicate weights (R's ``degf``).
The estimators then reduce the rows to PSU x domain (or replicate x domain) totals
with the same backend (:mod:`survey.estimators._stream`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import polars as pl

from survey.design._backend import Backend, ProgressFn, Sum, backend_for
from survey.design._design import Design, PPSMatrix, ReplicateDesign
from survey.design._frame import (
    _CENSUS,
    H,
    PSU,
    W,
    SurveyFrame,
    _fpc_factor,
    _Replicates,
    _stratum_table,
    _Strata,
    dense_codes,
    full_rank_from_head,
    gram_rank,
    replicate_scales,
    unit_column,
)
from survey.design._lazy_pps import PPSRows, bind_pps_rows
from survey.design._replicates import as_replicate
from survey.errors import DesignError, NotStreamable

__all__ = ["LazySurveyFrame"]

HEAD = 4096  # rows whose Gram matrix usually proves a full rank (see weights_rank)
ROW = "__svy_row"  # a row's position, for the order in which PSUs first appear


class LazySurveyFrame:
    """A design bound to rows that stay where they are: a polars ``LazyFrame`` (e.g.
    ``pl.scan_parquet("acs/*.parquet")``), streamed, or a ``pyspark.sql.DataFrame``.

    Totals, means, proportions and ratios (:func:`~survey.estimators.total` ...) take
    it in place of a :class:`SurveyFrame` and give the same figures: the rows are
    reduced to small arrays by GROUP BY sums where they live, and those are finished
    by the same numpy code; design-based logistic and linear models
    (:func:`~survey.models.svyglm`, linearisation) are fitted by streamed IRLS passes.
    Designs: strata, clusters (PSUs), an fpc at each stage (R's
    multistage), weights from the fpc, lonely PSUs, PPS (Brewer, Overton) with or
    without clusters; supplied replicate columns; replicates made from the PSUs
    (:meth:`as_replicate`). Not: replicates made from the rows of a design without
    clusters, joint-inclusion matrices, calibrated weights
    (:class:`~survey.errors.NotStreamable`; docs/scale.md says why).

    ``progress`` is called with a :class:`~survey.design.Progress` as rows are read.
    ``bounds``: the largest absolute value of each replicate (and design) weight column,
    and the promise that they hold no nulls (e.g. from Parquet statistics,
    :func:`~survey.bind.column_bounds`): the rank of the replicate weights is then bounded
    without summing their squares.

    Examples
    --------
    >>> import polars as pl
    >>> lf = pl.LazyFrame({"y": [1.0, 2.0, 4.0, 3.0], "c": [1, 1, 2, 2]})
    >>> LazySurveyFrame(lf, Design(ids="c")).n_psu
    2
    """

    def __init__(self, source: Any, design: Design | ReplicateDesign, *,
                 progress: ProgressFn | None = None,
                 bounds: Mapping[str, float] | None = None) -> None:
        self.backend: Backend = backend_for(source, progress, bounds)
        self._bounds = dict(bounds) if bounds is not None else None
        self._design: Design | ReplicateDesign = design
        self._schema = self.backend.schema()
        self._calib = None
        self.small: SurveyFrame | None = None
        self._reps: _Replicates | None = None
        self._psu_keys: pl.DataFrame | None = None
        self.psu_columns: tuple[str, ...] = ()  # stratum and PSU columns (linearisation)
        self.psu_code = PSU
        self.row_strata: _Strata | None = None  # strata of a design whose rows are its PSUs
        self._units: tuple[pl.DataFrame, list[str]] | None = None  # the unit table, its keys
        self.stage_codes: tuple[str, ...] = ()  # unit codes of stages 2, 3 ... (their fpc)
        self.weights: str | None = design.weights  # the weight column the estimates read
        self._weight_factors: tuple[Any, ...] | None = None  # weights not a column (1 / pi)
        self.pps_rows: PPSRows | None = None  # a PPS design whose rows are its PSUs
        missing = [c for c in design.columns if c not in self._schema]
        if missing:
            raise DesignError("the design names columns the data lack",
                              problems=[f"column {c!r} is not in the data" for c in missing])
        if isinstance(design, ReplicateDesign):
            self._bind_replicates(design)
        else:
            self._bind(design)

    # -- binding -------------------------------------------------------------------------

    def _weight_checks(self, weights: str | None) -> list[Sum]:
        if weights is None:
            return []
        if not self._schema[weights].is_numeric():
            raise DesignError(f"weight column {weights!r} is {self._schema[weights]}, "
                              "not numeric")
        return [Sum("__w_null", (("null", weights),)), Sum("__w_neg", (("negative", weights),))]

    @staticmethod
    def _weight_problems(table: pl.DataFrame, weights: str | None) -> list[str]:
        if weights is None:
            return []
        out = []
        if k := int(table["__w_null"].sum()):
            out.append(f"weight column {weights!r} has {k} nulls")
        if k := int(table["__w_neg"].sum()):
            out.append(f"weight column {weights!r} has {k} negative values")
        return out

    def _bind(self, d: Design) -> None:
        if isinstance(d.pps, PPSMatrix):
            raise NotStreamable("a joint-inclusion matrix (R's ppsmat) has a row and a "
                                "column per sampled row, in row order: it needs the rows in "
                                "memory", hint="use --pps overton, or --engine memory")
        if len(d.stage_fpc) >= 2 and len(d.stage_ids) != len(d.stage_fpc):
            raise DesignError("the design does not fit the data", problems=[
                f"an fpc at {len(d.stage_fpc)} stages needs as many stages of ids, got "
                f"{len(d.stage_ids)}: ids=(first_stage, second_stage, ...)"])
        if not d.stage_ids:
            if d.adjust_domain_lonely:
                raise NotStreamable("R's domain lonely-PSU adjustment without clusters (each "
                                    "row a PSU) needs the rows in memory",
                                    hint="give the PSU column (--psu), or use --engine memory")
            if d.pps is not None:  # Brewer or Overton: sums weighted by each row's pi
                self.pps_rows, self._weight_factors = bind_pps_rows(self, d)
                return
            self._bind_rows(d)
            return
        # an fpc at several stages (R's multistage): the units of every such stage are
        # keys, so the small frame holds one row per last-stage unit
        ids = list(d.stage_ids) if len(d.stage_fpc) > 1 else [d.stage_ids[0]]
        keys = list(dict.fromkeys(c for c in (d.strata, *ids, *d.stage_fpc) if c is not None))
        sums = [Sum("__rows", (("one", ""),)), *self._weight_checks(d.weights)]
        overton = d.pps == "overton" and d.weights is not None
        if overton:  # R: pi = 1 / the weight of a PSU's first row; one weight per PSU here
            sums += [Sum("__wmax", (("col", d.weights),), kind="max"),
                     Sum("__wmin", (("col", d.weights),), kind="min")]
        table = self.backend.aggregate(keys, sums, step="design")
        if problems := self._weight_problems(table, d.weights):
            raise DesignError("the design does not fit the data", problems=problems)
        if overton and (table["__wmax"] != table["__wmin"]).any():
            raise NotStreamable("Overton's probabilities are 1 / the weight of each PSU's "
                                "first row, and the weights vary within PSUs: that needs the "
                                "rows in order, in memory", hint="use --engine memory")
        units = table.select(keys)
        if d.weights is not None and d.weights not in keys:  # named, for describe()
            units = units.with_columns(table["__wmax"].alias(d.weights) if overton
                                       else pl.lit(1.0).alias(d.weights))
        # units in sorted order: codes and variances do not depend on it; BRR's
        # half-samples do (as_replicate reads the order in which PSUs first appear)
        self._units = (units, keys)
        small = SurveyFrame(units, Design(
            weights=d.weights if d.weights not in keys else None, strata=d.strata,
            ids=tuple(ids) if len(ids) > 1 else ids[0],
            fpc=(tuple(d.stage_fpc) if len(d.stage_fpc) > 1 else d.stage_fpc[0])
            if d.fpc else None, fpc_kind=d.fpc_kind, lonely_psu=d.lonely_psu,
            pps=d.pps, variance=d.variance, adjust_domain_lonely=d.adjust_domain_lonely))
        self.small = small
        self.psu_columns = tuple(dict.fromkeys(c for c in (d.strata, *ids) if c is not None))
        self.stage_codes = tuple(unit_column(s + 2) for s in range(len(small._deeper) + 1)
                                 ) if small.has_stage2 else ()
        codes = [small._data[c] for c in (PSU, *self.stage_codes)]
        self._psu_keys = (pl.DataFrame([*(small.frame[c] for c in self.psu_columns), *codes])
                          .unique(subset=list(self.psu_columns)))
        if d.weights is None and (d.fpc or d.pps):  # as R: weights from the fpc, joined
            self._derive_weights(small._data.select(*self.psu_columns, W)
                                 .unique(subset=list(self.psu_columns)), self.psu_columns)
        self._n = int(table["__rows"].sum())

    def _derive_weights(self, table: pl.DataFrame, on: Sequence[str]) -> None:
        """Weights a design without a weight column takes from its fpc (R: the inverse of
        the sampling fractions, stage by stage), joined to the rows from a small table of
        their strata or units: the estimates then weigh every row by :data:`W`."""
        self.backend = self.backend.join(table, on)
        self.weights = W

    def _bind_rows(self, d: Design) -> None:
        """Every row its own PSU: the strata's sizes (PSUs) and fpc, from one pass."""
        keys = list(dict.fromkeys(c for c in (d.strata, *d.stage_fpc) if c is not None))
        sums = [Sum("__rows", (("one", ""),)), *self._weight_checks(d.weights)]
        table = self.backend.aggregate(keys, sums, step="design")
        problems = self._weight_problems(table, d.weights)
        if d.strata and (k := table[d.strata].null_count()):
            problems.append(f"{d.strata!r} has nulls ({k} strata rows)")
        if problems:
            raise DesignError("the design does not fit the data", problems=problems)
        if d.strata:
            h, _ = dense_codes(table[d.strata])
        else:
            h = pl.zeros(table.height, pl.UInt32, eager=True)
        fpc = d.stage_fpc[0] if d.fpc else None
        st = _stratum_table(table, h, d.strata, fpc)
        n_psu = np.bincount(h.to_numpy(), weights=table["__rows"].to_numpy(),
                            minlength=st.height)
        f, popsize = np.ones_like(n_psu), n_psu
        if fpc is not None:
            f, fpc_problems, popsize = _fpc_factor(st, n_psu, fpc, d.fpc_kind)
            if fpc_problems:
                raise DesignError("the fpc does not fit the design", problems=fpc_problems,
                                  location=fpc)
        self.row_strata = _Strata(tuple(st["label"].to_list()), n_psu, f)
        if fpc is not None and d.weights is None:  # as R (and SurveyFrame): N_h / n_h
            with np.errstate(divide="ignore", invalid="ignore"):
                inv = np.where(f < 1, popsize / n_psu, np.inf)
            on = [d.strata] if d.strata else []
            # inv is by stratum code; the table's rows (strata x fpc) are in group order
            per_row = inv[h.to_numpy().astype(np.int64)]
            self._derive_weights(pl.DataFrame([*(table[c] for c in on), pl.Series(W, per_row)])
                                 .unique(subset=on or None), on)
        lonely = (n_psu == 1) & (f >= _CENSUS)
        if lonely.any() and d.lonely_psu == "fail":
            names = [str(x) for x, k in zip(self.row_strata.labels, lonely, strict=True) if k]
            raise DesignError(
                f"{len(names)} strata have only one PSU: {', '.join(names[:20])}",
                location=d.strata,
                hint="choose lonely_psu='adjust', 'average', 'remove' or 'certainty' "
                "(R's survey.lonely.psu), or merge the strata")
        if d.strata:
            self.psu_columns = (d.strata,)
            self._psu_keys = pl.DataFrame([table[d.strata], h.alias(H)]).unique(
                subset=[d.strata])
            self.psu_code = H
        self._n = int(table["__rows"].sum())

    def _first_seen(self, keys: list[str]) -> pl.DataFrame | None:
        """The first row of every PSU (as R orders BRR's half-samples): a polars scan
        numbers its rows; Spark has no row order, so its PSUs keep the sorted order."""
        b = self.backend
        if b.engine != "polars":
            return None
        lf = b.lf.select(keys).with_row_index(ROW)  # type: ignore[attr-defined]
        return lf.group_by(keys).agg(pl.col(ROW).min()).collect(engine="streaming")

    def _bind_replicates(self, d: ReplicateDesign) -> None:
        """Supplied replicate columns: nothing read but the row count. The weights are
        checked (nulls, negative design weights) on the rows each estimate reads, and the
        rank of the replicate weights comes from the same pass (:meth:`design_df`)."""
        if not d.repweights:
            raise DesignError("repweights names no columns")
        bad = [c for c in d.repweights if not self._schema[c].is_numeric()]
        if bad:
            raise DesignError("the replicate weights do not fit the data",
                              problems=[f"replicate column {c!r} is {self._schema[c]}, not "
                                        "numeric" for c in bad])
        if d.weights is not None and not self._schema[d.weights].is_numeric():
            raise DesignError(f"weight column {d.weights!r} is {self._schema[d.weights]}, "
                              "not numeric")
        self._n = self.backend.height()
        scale, rscales = replicate_scales(d.type, len(d.repweights), d.scale, d.rscales, d.rho)
        self._design_df: int | None = None
        self._reps = _Replicates(scale, rscales, d.mse, None, d.repweights, d.combined_weights,
                                 d.type, -1)  # df: design_df()

    def replicate_sums(self) -> list[Sum]:
        """What an estimate's pass adds to check the weights and rank them: nulls of
        every weight column, negative design weights, the replicate columns' sums of
        squares and the largest design weight (the rank's bounds, :meth:`design_df`)."""
        d = self._design
        assert isinstance(d, ReplicateDesign)
        if self._bounded():
            return [Sum("__rows", (("one", ""),)), *self._weight_checks(d.weights)]
        out = [*self._weight_checks(d.weights),
               *(Sum(f"__null{j}", (("col", c),), kind="nulls")
                 for j, c in enumerate(d.repweights)),
               *(Sum(f"__ss{j}", (("square", c),)) for j, c in enumerate(d.repweights))]
        if d.weights is not None and not d.combined_weights:
            out.append(Sum("__wmax", (("col", d.weights),), kind="max"))
        return out

    def _bounded(self) -> bool:
        d = self._design
        need = [*d.repweights, *([d.weights] if d.weights else [])]  # type: ignore[union-attr]
        return self._bounds is not None and all(c in self._bounds for c in need)

    def trace_bound(self, table: pl.DataFrame, select: np.ndarray | None = None) -> float:
        """An upper bound of the trace of the Gram matrix of the replicate weights of the
        rows a pass grouped into ``table`` (its groups ``select``): their sum of squares,
        or, with column bounds, rows times the sum of the squared bounds."""
        d = self._design
        reps = d.repweights  # type: ignore[union-attr]
        keep = np.ones(table.height, dtype=bool) if select is None else select
        if self._bounded():
            assert self._bounds is not None
            rows = float(table["__rows"].to_numpy()[keep].sum())
            return rows * float(sum(self._bounds[c] ** 2 for c in reps))
        return float(sum(table[f"__ss{j}"].to_numpy()[keep].sum() for j in range(len(reps))))

    def check_replicates(self, table: pl.DataFrame) -> None:
        """Raise if the pass of :meth:`replicate_sums` found nulls or negative weights."""
        d = self._design
        assert isinstance(d, ReplicateDesign)
        problems = self._weight_problems(table, d.weights)
        if not self._bounded():
            problems += [f"replicate column {c!r} has {int(table[f'__null{j}'].sum())} nulls"
                         for j, c in enumerate(d.repweights) if table[f"__null{j}"].sum()]
        if problems:
            raise DesignError("the replicate weights do not fit the data", problems=problems)

    def design_df(self, table: pl.DataFrame | None = None) -> int:
        """R's ``degf``: the rank of the (analysis) replicate weights minus one; from the
        sums of squares of an estimate's pass over every row (``table``), else one pass."""
        if self._design_df is None:
            d = self._design
            assert isinstance(d, ReplicateDesign)
            if table is None:
                table = self.backend.aggregate([], self.replicate_sums(), step="rank")
                self.check_replicates(table)
            trace = self.trace_bound(table)
            scale = None if (d.weights is None or d.combined_weights) else d.weights
            if scale is not None:
                wmax = (self._bounds[scale] if self._bounded() and self._bounds is not None
                        else float(table["__wmax"].max()))
                trace *= wmax ** 2
            self._design_df = (self.rank(trace=trace, scale=scale) or 1) - 1
        return self._design_df

    def rank(self, *, trace: float, scale: str | None = None, where: Any = None,
             notnull: Sequence[str] = (), equal: dict[str, Any] | None = None) -> int:
        """Rank of the replicate weights of the rows chosen (``nonzero`` design weight
        when ``where``/``equal`` choose a domain), as :func:`weights_rank`: proved full
        from the first rows and ``trace`` (their sum of squares, times the largest
        squared row scale), else from the whole Gram matrix, summed where the rows are."""
        reps = list(self._design.repweights)  # type: ignore[union-attr]
        domain = where is not None or bool(equal) or bool(notnull)
        w = self._design.weights
        nonzero = w if domain else None
        cols = reps + ([scale] if scale else [])
        head = self.backend.head(cols, HEAD, where=where, notnull=notnull, nonzero=nonzero,
                                 equal=equal)
        if head.height == 0:
            return 0
        m = head.select(reps).cast(pl.Float64).to_numpy()
        if scale:
            m = m * head[scale].cast(pl.Float64).fill_null(0.0).to_numpy()[:, None]
        gram = np.einsum("ij,ik->jk", m, m)  # single-threaded: BLAS threads spin on a busy machine
        if head.height < HEAD or full_rank_from_head(gram, trace):
            return gram_rank(gram) if head.height < HEAD else len(reps)
        k = len(reps)
        pairs = [(i, j) for i in range(k) for j in range(i, k)]
        extra: tuple[tuple[Any, str], ...] = (("col", scale), ("col", scale)) if scale else ()
        sums = [Sum(f"g{i}_{j}", (("col", reps[i]), ("col", reps[j]), *extra))
                for i, j in pairs]
        if nonzero:
            sums = [Sum(s.name, (*s.factors, ("nonzero", nonzero))) for s in sums]
        out = self.backend.aggregate([], sums, where=where, notnull=notnull, equal=equal,
                                     step="rank")
        full = np.zeros((k, k))
        for i, j in pairs:
            full[i, j] = full[j, i] = float(out[f"g{i}_{j}"][0])
        return gram_rank(full)

    # -- replicates made from the PSUs ---------------------------------------------------

    def as_replicate(self, **options: Any) -> LazySurveyFrame:
        """Replicate weights made from the PSUs, as :func:`~survey.design.as_replicate`
        (the same options): per-PSU multipliers, never a row-level matrix."""
        if self.row_strata is not None:
            raise NotStreamable("replicates made from a design without clusters need the "
                                "rows in memory", hint="give the PSU column")
        if self.small is None:
            raise DesignError("the design already has replicate weights")
        kind = options.get("type", "auto")
        if kind in ("BRR", "Fay") and self.backend.engine != "polars":
            raise NotStreamable("BRR half-samples follow the order PSUs first appear in, "
                                "which Spark does not keep", hint="use JKn, or the polars engine")
        small = self.small
        if kind in ("BRR", "Fay"):  # the units in the order PSUs first appear, as R
            assert self._units is not None
            units, keys = self._units
            order = self._first_seen(keys)
            assert order is not None
            small = SurveyFrame(units.join(order, on=keys, how="left", nulls_equal=True)
                                .sort(ROW).drop(ROW), small.design)
        new = LazySurveyFrame.__new__(LazySurveyFrame)
        new.__dict__.update(self.__dict__)
        new.small = as_replicate(small, **options)
        new._reps = new.small._reps
        new._design = new.small.design
        return new

    def with_columns(self, *exprs: Any, **named: pl.Expr) -> LazySurveyFrame:
        """The same design with derived analysis columns (polars expressions; the polars
        engine only), as :meth:`SurveyFrame.with_columns`."""
        for e in exprs:  # lists and generators, as polars takes them
            for x in ([e] if isinstance(e, pl.Expr) else list(e)):
                named[x.meta.output_name()] = x
        if any(c.startswith("__svy_") for c in named):
            raise DesignError("column names may not start with '__svy_'")
        new = LazySurveyFrame.__new__(LazySurveyFrame)
        new.__dict__.update(self.__dict__)
        new.backend = self.backend.with_columns(named)
        new._schema = new.backend.schema()
        return new

    # -- what estimators ask -------------------------------------------------------------

    @property
    def design(self) -> Design | ReplicateDesign:
        """The design specification."""
        return self._design

    @property
    def weight_factors(self) -> tuple[Any, ...]:
        """The weight of a row as :class:`Sum` factors (none: every row weighs 1)."""
        if self._weight_factors is not None:
            return self._weight_factors
        return (("col", self.weights),) if self.weights else ()

    @property
    def schema(self) -> dict[str, pl.DataType]:
        """The columns of the rows and their types."""
        return self._schema

    @property
    def calibration(self) -> None:
        """Lazy designs are never calibrated."""
        return None

    @property
    def is_replicate(self) -> bool:
        """True when variances come from replicate weights."""
        return self._reps is not None

    @property
    def supplied(self) -> bool:
        """True for supplied replicate columns (every row its own PSU)."""
        return self._reps is not None and self._reps.factors is None

    @property
    def n(self) -> int:
        """Rows."""
        return self._n

    @property
    def n_psu(self) -> int:
        """First-stage units (each row with supplied replicate columns)."""
        return self._n if self.small is None else self.small.n_psu

    @property
    def rows_are_psus(self) -> bool:
        """True for a linearisation design without clusters (each row a PSU)."""
        return self.row_strata is not None

    @property
    def n_strata(self) -> int:
        """First-stage strata."""
        if self.row_strata is not None:
            return int(self.row_strata.n_psu.shape[0])
        return 1 if self.small is None else self.small.n_strata

    @property
    def df(self) -> int:
        """Design degrees of freedom, as R's ``degf()``."""
        if self.supplied:
            return self.design_df()
        if self._reps is not None:
            return self._reps.df
        if self.row_strata is not None:
            return self._n - self.n_strata
        assert self.small is not None
        return self.small.df

    @property
    def psu_keys(self) -> pl.DataFrame:
        """Stratum and PSU values with the PSU code of each (linearisation or made
        replicates)."""
        assert self._psu_keys is not None
        return self._psu_keys

    def describe(self) -> str:
        """The design in words, as :meth:`SurveyFrame.describe`."""
        if self.small is not None:
            return self.small.describe()
        return SurveyFrame.describe(self)  # type: ignore[arg-type]

    @property
    def _strata(self) -> _Strata:  # for SurveyFrame.describe
        assert self.row_strata is not None
        return self.row_strata

    def __repr__(self) -> str:
        kind = "replicate" if self.is_replicate else "linearisation"
        return (f"LazySurveyFrame({self.n} rows, {self.n_strata} strata, {self.n_psu} PSUs, "
                f"{kind}, {self.backend.engine})")
