"""Designs over rows that stay where they are: Parquet streamed by polars, or Spark.

:func:`scan_design` binds a :class:`DesignSpec` to a Parquet file, a directory of
Parquet files (hive-partitioned: ``year=2024/part-0.parquet``), a glob
(``acs/*.parquet``), a polars LazyFrame or a Spark DataFrame, without reading rows
into memory; totals, means, proportions and ratios then stream
(:class:`~survey.design.LazySurveyFrame`); a population file (``fpc_file``) is joined
to the rows as a small table. What needs the rows in memory (weighting steps, a stored
weighted design, replicates made from the rows of a design without clusters, a joint-
inclusion matrix) raises :class:`~survey.errors.NotStreamable`, so a caller can read
them instead.
"""

from __future__ import annotations

import glob
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

from survey.bind._spec import SUPPLIED_ONLY, DesignSpec, read_population
from survey.bind._where import resolve_columns
from survey.errors import NotStreamable, SpecError, UnreadableInputError

if TYPE_CHECKING:
    from survey.design import LazySurveyFrame, Progress

__all__ = ["Engine", "column_bounds", "is_parquet_source", "parquet_files", "parquet_rows",
           "scan_design", "scan_parquet", "spark_session"]

Engine = Literal["polars", "spark"]
_GLOB = set("*?[")


def is_parquet_source(data: str | Path) -> bool:
    """A Parquet file, a directory holding Parquet files, or a glob matching some."""
    text = str(data)
    if _GLOB & set(text):
        return any(p.endswith(".parquet") for p in glob.glob(text))
    p = Path(text)
    if p.is_dir():
        return any(p.rglob("*.parquet"))
    return p.is_file() and p.suffix.lower() == ".parquet"


def scan_parquet(data: str | Path) -> pl.LazyFrame:
    """A lazy scan of a Parquet file, a (hive-partitioned) directory or a glob."""
    text = str(data)
    if not is_parquet_source(text):
        raise UnreadableInputError(f"{text!r} is not a Parquet file, a directory of Parquet "
                                   "files or a glob matching some", location=text)
    try:
        if Path(text).is_dir():
            return pl.scan_parquet(Path(text) / "**" / "*.parquet", hive_partitioning=True)
        return pl.scan_parquet(text, hive_partitioning=bool(_GLOB & set(text)))
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise UnreadableInputError(f"cannot read it: {str(exc).splitlines()[0]}",
                                   location=text) from None


def parquet_files(data: str | Path) -> list[str]:
    """The Parquet files of a file, directory or glob."""
    text = str(data)
    if _GLOB & set(text):
        return sorted(p for p in glob.glob(text) if p.endswith(".parquet"))
    p = Path(text)
    if p.is_dir():
        return sorted(str(f) for f in p.rglob("*.parquet"))
    return [text]


def column_bounds(data: str | Path, columns: list[str]) -> dict[str, float] | None:
    """The largest absolute value of each column, from the Parquet files' statistics
    (no rows read); None where a file or row group lacks them, or a column has nulls."""
    out = dict.fromkeys(columns, 0.0)
    try:
        for f in parquet_files(data):
            meta = _footer(f)
            index = {meta.schema.column(j).path: j for j in range(meta.num_columns)}
            for g in range(meta.num_row_groups):
                group = meta.row_group(g)
                for c in columns:
                    if c not in index:
                        return None
                    st = group.column(index[c]).statistics
                    if (st is None or not st.has_min_max or not st.has_null_count
                            or st.null_count):
                        return None
                    out[c] = max(out[c], abs(float(st.min)), abs(float(st.max)))
    except (OSError, ValueError, TypeError):
        return None
    return out


def _footer(path: str) -> Any:
    """The metadata of a Parquet file (pyarrow's ``FileMetaData``), read by pyarrow's
    Parquet reader alone: ``pyarrow.parquet`` would also load pyarrow's file systems
    and with them ssl, 0.03 s of a one-second command."""
    try:
        from pyarrow._parquet import ParquetReader
    except ImportError:  # a pyarrow that moved its reader
        import pyarrow.parquet as pq

        return pq.ParquetFile(path).metadata
    reader = ParquetReader()
    reader.open(path)
    try:
        return reader.metadata
    finally:
        reader.close()


def parquet_rows(data: str | Path) -> int:
    """Rows of a Parquet source, from its metadata (0 if it cannot be read)."""
    try:
        return int(scan_parquet(data).select(pl.len()).collect().item())
    except (OSError, pl.exceptions.PolarsError, UnreadableInputError):
        return 0


def spark_session(master: str = "local[*]") -> Any:
    """The Spark session: ``master`` as ``local[*]``/``spark://...``, or a Spark Connect
    URL ``sc://host:port``. Needs the ``survey[spark]`` extra (pyspark) and Java."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise NotStreamable("the Spark engine needs pyspark: pip install 'survey[spark]'",
                            hint="or use the polars engine") from None
    builder = SparkSession.builder.appName("survey")
    if master.startswith("sc://"):
        return builder.remote(master).getOrCreate()
    if master.startswith("local"):  # one machine: no need to resolve its host name
        builder = (builder.config("spark.driver.host", "127.0.0.1")
                   .config("spark.driver.bindAddress", "127.0.0.1"))
    session = (builder.master(master).config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "8").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    return session


def _with_population(data: Any, spec: DesignSpec, progress: Any) -> Any:
    """The rows with ``spec.fpc_file``'s population size of each ``fpc_by`` (``strata``)
    category, as :func:`~survey.bind.join_population` adds it in memory: a join of the
    small table of the column's distinct values (one pass over that column)."""
    from survey.design._backend import backend_for

    by = spec.fpc_by or spec.strata
    if by is None:
        raise SpecError("`fpc_file` needs `strata` (the sizes are per stratum)",
                        field="fpc_file")
    if spec.fpc:
        raise SpecError("give `fpc` or `fpc_file`, not both", field="fpc_file")
    backend = backend_for(data, progress)
    col = spec.population_column
    assert col is not None and spec.fpc_file is not None
    resolve_columns([by], list(backend.schema()), field="strata")
    sizes = read_population(spec.fpc_file, by)
    levels = backend.distinct(by).drop_nulls()
    keys = levels.cast(pl.String).to_list()
    missing = sorted(v for v in keys if v not in sizes)
    if missing:
        raise SpecError(f"no population size for {by} = {', '.join(map(repr, missing[:10]))}",
                        field="fpc_file")
    table = pl.DataFrame([levels, pl.Series(col, [sizes[k] for k in keys], pl.Float64)])
    return backend.join(table, [by])


def scan_design(data: Any, spec: DesignSpec | None = None, *, engine: Engine = "polars",
                spark: Any = None, progress: Callable[[Progress], None] | None = None,
                stored: str | None = None) -> LazySurveyFrame:
    """Bind ``spec`` to rows left where they are, as :func:`~survey.bind.bind` binds a frame.

    Parameters
    ----------
    data
        A Parquet file, a directory of Parquet files (hive partitions become columns),
        a glob, a polars LazyFrame, or a Spark DataFrame.
    spec
        The design (columns, replicate weights supplied or made from the PSUs).
    engine
        ``"polars"`` (streams on this machine) or ``"spark"`` (paths are read by
        ``spark``, a SparkSession, default :func:`spark_session`).
    progress
        Called with a :class:`~survey.design.Progress` as rows are read.
    stored
        A weighted design a ``survey weight`` file carries: it needs the rows in memory.

    >>> import polars as pl
    >>> lsf = scan_design(pl.LazyFrame({"y": [1.0, 2.0], "c": [1, 2]}), DesignSpec(ids=("c",)))
    >>> lsf.n_psu
    2
    """
    from survey.design import Design, LazySurveyFrame, ReplicateDesign

    spec = spec if spec is not None else DesignSpec()
    if stored is not None:
        raise NotStreamable("the data carry a weighted design (`survey weight`): its "
                            "calibration needs the rows in memory")
    if spec.weighting:
        raise NotStreamable("weighting steps (rake, post-stratify, calibrate) need the "
                            "rows in memory")
    rtype = spec.replicate_type
    if rtype == "Fay" and spec.fay_rho is None:
        raise SpecError("`replicate` Fay needs `fay_rho` (e.g. 0.5)", field="fay_rho")
    path = data if isinstance(data, (str, Path)) else None
    if isinstance(data, (str, Path)):
        if engine == "spark":
            session = spark if spark is not None else spark_session()
            if not is_parquet_source(data):
                raise UnreadableInputError(f"{str(data)!r} is not a Parquet file, directory "
                                           "or glob", location=str(data))
            data = session.read.parquet(str(data))
        else:
            data = scan_parquet(data)
    if spec.fpc_file is not None and not spec.replicate_weights:
        data = _with_population(data, spec, progress)
    if spec.replicate_weights:
        if spec.strata or spec.ids or spec.fpc or spec.fpc_file:
            raise SpecError("`replicate_weights` already carry the design: drop "
                            "`strata`/`ids`/`fpc`", field="replicate_weights")
        columns = list(data.columns if not isinstance(data, pl.LazyFrame)
                       else data.collect_schema().names())
        reps = tuple(resolve_columns([spec.replicate_weights], columns,
                                     what="replicate-weight column", field="replicate_weights"))
        design = ReplicateDesign(
            weights=spec.weights, repweights=reps, type=rtype or "other",  # type: ignore[arg-type]
            scale=spec.scale, rscales=spec.rscales, rho=spec.fay_rho, mse=spec.mse)
        bounds = None if path is None else column_bounds(path, list(reps) + (
            [spec.weights] if spec.weights else []))
        return LazySurveyFrame(data, design, progress=progress, bounds=bounds)
    lsf = LazySurveyFrame(data, Design(
        weights=spec.weights, strata=spec.strata,
        ids=(spec.ids[0] if len(spec.ids) == 1 else spec.ids) or None,
        fpc=spec.fpc_column, fpc_kind=spec.fpc_kind,  # type: ignore[arg-type]
        lonely_psu=spec.lonely_psu,  # type: ignore[arg-type]
        pps=spec.pps, variance=spec.pps_variance,  # type: ignore[arg-type]
        adjust_domain_lonely=spec.adjust_domain_lonely), progress=progress)
    if rtype is None:
        return lsf
    if rtype in SUPPLIED_ONLY:
        raise SpecError(f"`replicate` {spec.replicate} needs `replicate_weights` (R makes "
                        "these only from supplied columns)", field="replicate")
    return lsf.as_replicate(type=rtype, fay_rho=spec.fay_rho or 0.0, mse=spec.mse,
                            replicates=spec.replicates, seed=spec.seed)
