"""Where the rows of a lazy design live: a polars LazyFrame (streamed) or a Spark DataFrame.

Every estimate that streams needs the same few things of the rows, each small:
GROUP BY sums (:class:`Sum`), the distinct values of a column, the first rows of a
subset, and the row count. A backend answers them and returns polars frames; the
statistics then run on those small frames with numpy, identical for every backend.

A :class:`Sum` is the sum over rows of a product of factors, each a column read as a
number (null: 0), its square or inverse, or an indicator (``notnull``, ``nonzero``,
``negative``, ``null``), so the same reduction translates to polars expressions and to
Spark columns.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import polars as pl

from survey.errors import DesignError

__all__ = ["Backend", "PolarsBackend", "Progress", "SparkBackend", "Sum", "backend_for"]

Factor = tuple[Literal["col", "notnull", "nonzero", "negative", "null", "square", "inverse",
                       "one", "true", "false"], str]


@dataclass(frozen=True)
class Sum:
    """``name = sum over rows of the product of factors`` (``kind="max"``, ``"min"``: the
    largest or smallest absolute value of the product instead; ``"nulls"``: the nulls of
    the one factor's column)."""

    name: str
    factors: tuple[Factor, ...]
    kind: Literal["sum", "max", "min", "nulls"] = "sum"


@dataclass(frozen=True)
class Progress:
    """One report of a pass over the rows: rows read so far of ``total`` (0: unknown)."""

    rows: int
    total: int
    step: str


ProgressFn = Callable[[Progress], None]


class Backend:
    """What a lazy design asks of its rows (see the module docstring)."""

    engine = "polars"

    def schema(self) -> dict[str, pl.DataType]:  # pragma: no cover - interface
        raise NotImplementedError

    def height(self) -> int:  # pragma: no cover - interface
        raise NotImplementedError

    def aggregate(self, keys: Sequence[str], sums: Sequence[Sum], *, where: Any = None,
                  notnull: Sequence[str] = (), equal: dict[str, Any] | None = None,
                  step: str = "") -> pl.DataFrame:  # pragma: no cover - interface
        raise NotImplementedError

    def distinct(self, column: str) -> pl.Series:  # pragma: no cover - interface
        raise NotImplementedError

    def with_columns(self, named: dict[str, Any]) -> Backend:  # pragma: no cover
        """The rows with columns added (polars expressions)."""
        raise NotImplementedError

    def join(self, table: pl.DataFrame, on: Sequence[str]) -> Backend:  # pragma: no cover
        """The rows with the columns of a small ``table`` joined on ``on`` (each row of
        ``table`` one key; no ``on``: ``table`` has one row, added to every row)."""
        raise NotImplementedError

    def head(self, columns: Sequence[str], n: int, *, where: Any = None,
             notnull: Sequence[str] = (), nonzero: str | None = None,
             equal: dict[str, Any] | None = None) -> pl.DataFrame:  # pragma: no cover
        raise NotImplementedError


def _pl_factor(f: Factor) -> pl.Expr:
    kind, c = f
    x = pl.col(c)
    if kind == "col":
        return x.cast(pl.Float64).fill_null(0.0)
    if kind == "square":
        return (x.cast(pl.Float64) ** 2).fill_null(0.0)
    if kind == "inverse":
        return (1.0 / x.cast(pl.Float64)).fill_null(0.0)
    if kind == "one":
        return pl.lit(1.0, pl.Float64)
    cond = {"notnull": x.is_not_null(), "null": x.is_null(), "nonzero": x != 0,
            "negative": x < 0, "true": x == True, "false": x == False}[kind]  # noqa: E712
    return cond.fill_null(False).cast(pl.Float64)


_COUNTS = {"notnull": lambda x: x.is_not_null(), "null": lambda x: x.is_null(),
           "nonzero": lambda x: x != 0, "negative": lambda x: x < 0,
           "true": lambda x: x == True, "false": lambda x: x == False}  # noqa: E712


class PolarsBackend(Backend):
    """A polars LazyFrame, reduced by polars' streaming engine: memory stays that of the
    row groups in flight and the small results, whatever the number of rows.

    ``bounds``: the largest absolute value of some columns (e.g. from Parquet
    statistics): a 32-bit integer column whose every sum stays within its type (rows
    times its bound) is summed as it is, without widening each value to 64 bits first.
    """

    def __init__(self, lf: pl.LazyFrame, progress: ProgressFn | None = None,
                  bounds: Mapping[str, float] | None = None) -> None:
        self.lf = lf
        self.progress = progress
        self.bounds = dict(bounds or {})
        self._height: int | None = None
        self._schema: dict[str, pl.DataType] | None = None

    def schema(self) -> dict[str, pl.DataType]:
        if self._schema is None:
            self._schema = dict(self.lf.collect_schema())
        return self._schema

    def height(self) -> int:
        if self._height is None:
            self._height = int(self.lf.select(pl.len()).collect(engine="streaming").item())
        return self._height

    def _rows(self, columns: Sequence[str], where: Any, notnull: Sequence[str],
              equal: dict[str, Any] | None, step: str, *, prefix: int | None = None
              ) -> pl.LazyFrame:
        names = list(dict.fromkeys([*columns, *notnull, *(equal or {}),
                                    *([] if where is None else where.meta.root_names())]))
        # no column at all would be no rows: count them on the first column
        lf = self.lf.select(names or list(self.schema())[:1])
        if prefix is not None:
            lf = lf.head(prefix)
        if self.progress is not None and step:
            lf = lf.map_batches(self._counter(step), streamable=True,
                                schema=lf.collect_schema())
        mask = pl.lit(True)
        if where is not None:
            mask = mask & where.fill_null(False)
        for c in notnull:
            mask = mask & pl.col(c).is_not_null()
        for c, v in (equal or {}).items():
            mask = mask & (pl.col(c) == v).fill_null(False)
        return lf.filter(mask)

    def _exact_sum(self, column: str) -> pl.Expr:
        """The sum of an integer column, exactly: 64-bit, or in its own 32-bit type
        where no sum of its rows can leave it (``bounds``)."""
        x = pl.col(column)
        dtype = self.schema()[column]
        top = 2**31 - 1 if dtype == pl.Int32 else 2**32 - 1 if dtype == pl.UInt32 else None
        bound = self.bounds.get(column)
        if top is not None and bound is not None and bound * self.height() <= top:
            return x.sum()
        return x.cast(pl.Int64).sum()

    def _counter(self, step: str) -> Callable[[pl.DataFrame], pl.DataFrame]:
        total, seen = self.height(), [0]
        report = self.progress
        assert report is not None

        def count(df: pl.DataFrame) -> pl.DataFrame:
            seen[0] += df.height
            report(Progress(seen[0], total, step))
            return df

        return count

    def aggregate(self, keys: Sequence[str], sums: Sequence[Sum], *, where: Any = None,
                  notnull: Sequence[str] = (), equal: dict[str, Any] | None = None,
                  step: str = "") -> pl.DataFrame:
        used = [c for s in sums for _, c in s.factors if c]
        # null keys are groups of their own, dropped after: cheaper than a filter first
        later = [c for c in notnull if c in keys]
        lf = self._rows([*keys, *used], where, [c for c in notnull if c not in later], equal,
                        step)
        exprs = []
        schema = self.schema()
        for s in sums:
            parts = [_pl_factor(f) for f in s.factors if f[0] != "one"]
            if s.kind == "nulls":
                exprs.append(pl.col(s.factors[0][1]).null_count().cast(pl.Float64).alias(s.name))
                continue
            if not parts:  # a count of rows (a literal would not repeat per row)
                exprs.append(pl.len().cast(pl.Float64).alias(s.name))
                continue
            kind, c = s.factors[0]
            if len(parts) == 1 and kind in _COUNTS and s.kind == "sum":  # count the rows
                exprs.append(_COUNTS[kind](pl.col(c)).fill_null(False).sum()
                             .cast(pl.Float64).alias(s.name))
                continue
            if len(parts) == 1 and s.factors[0][0] == "col" and s.kind == "sum":
                c = s.factors[0][1]  # a column's sum: nulls skipped, integers summed exactly
                if schema[c].is_integer():
                    total = self._exact_sum(c)
                elif schema[c] == pl.Boolean or not schema[c].is_numeric():
                    total = pl.col(c).cast(pl.Float64).sum()
                else:
                    total = pl.col(c).sum()
                exprs.append(total.cast(pl.Float64).alias(s.name))
                continue
            prod = parts[0]
            for p in parts[1:]:
                prod = prod * p
            exprs.append((prod.abs().max() if s.kind == "max" else prod.abs().min()
                          if s.kind == "min" else prod.sum()).alias(s.name))
        q = lf.group_by(list(keys)).agg(exprs) if keys else lf.select(exprs)
        try:
            out = q.collect(engine="streaming")
        except pl.exceptions.PolarsError as exc:
            raise DesignError(f"cannot read the rows: {str(exc).splitlines()[0]}") from exc
        return out.filter(pl.all_horizontal(pl.col(c).is_not_null() for c in later)) \
            if later else out

    def distinct(self, column: str) -> pl.Series:
        return self.lf.select(pl.col(column).unique()).collect(engine="streaming").to_series()

    def with_columns(self, named: dict[str, Any]) -> Backend:
        kept = {c: b for c, b in self.bounds.items() if c not in named}  # new values: unbounded
        out = PolarsBackend(self.lf.with_columns(**named), self.progress, kept)
        out._height = self._height
        return out

    def join(self, table: pl.DataFrame, on: Sequence[str]) -> Backend:
        if on:
            lf = self.lf.join(table.lazy(), on=list(on), how="left", nulls_equal=True)
        else:
            lf = self.lf.with_columns(pl.lit(v, table.schema[c]).alias(c)
                                      for c, v in table.row(0, named=True).items())
        out = PolarsBackend(lf, self.progress)
        out._height = self._height
        return out

    def head(self, columns: Sequence[str], n: int, *, where: Any = None,
             notnull: Sequence[str] = (), nonzero: str | None = None,
             equal: dict[str, Any] | None = None) -> pl.DataFrame:
        def rows(prefix: int | None) -> pl.DataFrame:
            lf = self._rows([*columns, *([nonzero] if nonzero else [])], where, notnull,
                            equal, "", prefix=prefix)
            if nonzero:
                lf = lf.filter((pl.col(nonzero) != 0).fill_null(False))
            return lf.select(columns).head(n).collect(engine="streaming")

        # the first rows usually hold enough (a filtered scan would read ahead row groups
        # in parallel before stopping): the first n when only nulls and zero weights are
        # dropped (they are few), else the first 8 n; fewer than n rows: all rows are read
        for prefix in ((n, 8 * n) if where is None and not equal else (8 * n,)):
            first = rows(prefix)
            if first.height == n:
                return first
        return rows(None)


class SparkBackend(Backend):
    """A Spark DataFrame, reduced by Spark's own aggregations (``groupBy().agg``) where
    the data live; only the small results come to the driver."""

    engine = "spark"

    def __init__(self, df: Any, progress: ProgressFn | None = None) -> None:
        from pyspark.sql import functions as F  # noqa: N812 - Spark's own spelling

        self.df = df
        self.F = F
        self.progress = progress
        self._height: int | None = None

    def schema(self) -> dict[str, pl.DataType]:
        from pyspark.sql import types as T  # noqa: N812

        out: dict[str, pl.DataType] = {}
        for field in self.df.schema.fields:
            t = field.dataType
            if isinstance(t, T.StringType):
                out[field.name] = pl.String()
            elif isinstance(t, T.BooleanType):
                out[field.name] = pl.Boolean()
            elif isinstance(t, (T.ByteType, T.ShortType, T.IntegerType, T.LongType)):
                out[field.name] = pl.Int64()
            elif isinstance(t, T.NumericType):
                out[field.name] = pl.Float64()
            else:
                out[field.name] = pl.Object()
        return out

    def height(self) -> int:
        if self._height is None:
            self._height = int(self.df.count())
        return self._height

    def _factor(self, f: Factor) -> Any:
        F = self.F
        kind, c = f
        if kind == "one":
            return F.lit(1.0)
        x = F.col(f"`{c}`")
        if kind == "col":
            return F.coalesce(x.cast("double"), F.lit(0.0))
        if kind == "square":
            return F.coalesce(x.cast("double") * x.cast("double"), F.lit(0.0))
        if kind == "inverse":
            return F.coalesce(F.lit(1.0) / x.cast("double"), F.lit(0.0))
        cond = {"notnull": x.isNotNull(), "null": x.isNull(), "nonzero": x != 0,
                "negative": x < 0, "true": x == F.lit(True), "false": x == F.lit(False)}[kind]
        return F.when(cond, F.lit(1.0)).otherwise(F.lit(0.0))

    def _rows(self, where: Any, notnull: Sequence[str], equal: dict[str, Any] | None) -> Any:
        F = self.F
        df = self.df
        if where is not None:
            cond = F.expr(where) if isinstance(where, str) else where
            df = df.filter(F.coalesce(cond, F.lit(False)))
        for c in notnull:
            df = df.filter(F.col(f"`{c}`").isNotNull())
        for c, v in (equal or {}).items():
            df = df.filter(F.col(f"`{c}`") == F.lit(v))
        return df

    def aggregate(self, keys: Sequence[str], sums: Sequence[Sum], *, where: Any = None,
                  notnull: Sequence[str] = (), equal: dict[str, Any] | None = None,
                  step: str = "") -> pl.DataFrame:
        F = self.F
        df = self._rows(where, notnull, equal)
        exprs = []
        for s in sums:
            if s.kind == "nulls":
                c = F.col(f"`{s.factors[0][1]}`")
                exprs.append(F.sum(F.when(c.isNull(), 1.0).otherwise(0.0)).alias(s.name))
                continue
            prod = F.lit(1.0)
            for f in s.factors:
                prod = prod * self._factor(f)
            agg = {"max": lambda x: F.max(F.abs(x)), "min": lambda x: F.min(F.abs(x))}.get(
                s.kind, F.sum)
            exprs.append(agg(prod).alias(s.name))
        q = df.groupBy(*[F.col(f"`{k}`") for k in keys]).agg(*exprs) if keys else df.agg(*exprs)
        rows = q.collect()
        if self.progress is not None and step:
            total = self.height()
            self.progress(Progress(total, total, step))
        return _to_polars(rows, [*keys, *(s.name for s in sums)], self.schema())

    def with_columns(self, named: dict[str, Any]) -> Backend:
        from survey.errors import NotStreamable

        raise NotStreamable("derived columns (a multiple-choice question) are polars "
                            "expressions: use the polars engine")

    def join(self, table: pl.DataFrame, on: Sequence[str]) -> Backend:
        F = self.F
        if on:  # a small table: broadcast to every executor
            small = self.df.sparkSession.createDataFrame(
                [tuple(r) for r in table.iter_rows()], schema=table.columns)
            df = self.df.join(F.broadcast(small), on=list(on), how="left")
        else:
            df = self.df.withColumns({c: F.lit(v) for c, v in table.row(0, named=True).items()})
        out = SparkBackend(df, self.progress)
        out._height = self._height
        return out

    def distinct(self, column: str) -> pl.Series:
        rows = self.df.select(f"`{column}`").distinct().collect()
        return _to_polars(rows, [column], self.schema()).to_series()

    def head(self, columns: Sequence[str], n: int, *, where: Any = None,
             notnull: Sequence[str] = (), nonzero: str | None = None,
             equal: dict[str, Any] | None = None) -> pl.DataFrame:
        df = self._rows(where, notnull, equal)
        if nonzero:
            df = df.filter(self.F.col(f"`{nonzero}`") != 0)
        rows = df.select(*[f"`{c}`" for c in columns]).limit(n).collect()
        return _to_polars(rows, list(columns), self.schema())


def _to_polars(rows: list[Any], names: list[str], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    data = {c: [r[i] for r in rows] for i, c in enumerate(names)}
    types = {c: schema.get(c, pl.Float64()) for c in names}
    return pl.DataFrame({c: pl.Series(c, v, dtype=types[c] if c in schema else pl.Float64)
                         for c, v in data.items()})


def backend_for(source: Any, progress: ProgressFn | None = None,
                bounds: Mapping[str, float] | None = None) -> Backend:
    """The backend of ``source``: a polars LazyFrame or DataFrame, or a Spark DataFrame
    (``bounds``: see :class:`PolarsBackend`)."""
    if isinstance(source, Backend):
        return source
    if isinstance(source, pl.DataFrame):
        return PolarsBackend(source.lazy(), progress, bounds)
    if isinstance(source, pl.LazyFrame):
        return PolarsBackend(source, progress, bounds)
    if type(source).__module__.startswith("pyspark.sql"):
        return SparkBackend(source, progress)
    raise DesignError(f"expected a polars LazyFrame or a Spark DataFrame, got "
                      f"{type(source).__name__}")
