"""``survey crosstab --engine``: banner tables of rows that stay where they are.

A Parquet file of a million rows or more, a directory (hive partitions) or glob of
Parquet files, or a wave store of a million rows or more is tabulated by
:func:`~survey.tables.crosstabs` on the scan (one GROUP BY per question, streamed by
polars) or, under ``--engine spark``, on a Spark DataFrame. What needs the rows (an
``--ordinal-test``, weighting flags, a ``survey weight`` file) is read into memory under
``--engine auto`` and refused, in one line, under ``stream``/``spark``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import polars as pl

from survey.cli._design_opts import DesignArgs, in_flag_words, parse_where
from survey.cli._scale import STREAM_ROWS, EngineArgs, read_instead

if TYPE_CHECKING:
    from survey.codebook import Codebook
    from survey.design import Progress

__all__ = ["RowMeter", "Streamed", "streamed_input"]


class RowMeter:
    """Rows read, shown in the crosstab's progress bar (a terminal only): the bar's
    ``update`` is attached once it is drawn; before that, and off a terminal, nothing."""

    def __init__(self) -> None:
        self.update: Callable[[str, int, int], None] | None = None
        self.done = 0
        self.total = 0

    def __call__(self, p: Progress) -> None:
        if self.update is not None:
            of = f" of {p.total:,}" if p.total else ""
            self.update(f"{p.step}: {p.rows:,}{of} rows read", self.done, self.total)


@dataclass(frozen=True)
class Streamed:
    """What to tabulate: a scan (with its weight column) or a lazy design."""

    data: Any
    weight: str | None
    codebook: Codebook | None
    columns: tuple[str, ...]
    spark: bool
    meter: RowMeter

    def where(self, condition: str | None) -> Any:
        """``--where`` as polars reads it, or as Spark SQL (dotted names quoted)."""
        if not condition:
            return None
        if self.spark:
            from survey.bind import quote_names

            return quote_names(condition, list(self.columns), mark="`")
        return parse_where(condition, self.columns)


def _codebook(design: DesignArgs) -> Codebook | None:
    """--schema's codebook, else the one the (first) Parquet file carries."""
    from survey.bind import open_source
    from survey.bind._lazy import parquet_files

    assert design.data is not None
    files = parquet_files(design.data)
    if not files:
        return None
    return open_source(files[0], schema=design.schema).codebook


@in_flag_words
def streamed_input(design: DesignArgs, engine: EngineArgs, *, ordinal: bool, tests: bool
                   ) -> Streamed | None:
    """The rows to stream, or None where they are to be read into memory (``auto``)."""
    from survey.bind import (
        DesignSpec,
        is_parquet_source,
        parquet_rows,
        scan_design,
        scan_parquet,
        spark_session,
        stored_weighting,
    )
    from survey.errors import NotStreamable

    name = engine.engine
    if name == "memory":
        return None
    codebook = None
    single = design.store is not None or Path(design.data or "").is_file()
    why = None
    if design.store is not None and name == "spark":
        why = "a store's waves are harmonised by polars; --engine spark reads Parquet files"
    elif design.store is None and (design.data is None or not is_parquet_source(design.data)):
        why = "only Parquet sources stream"
    elif ordinal:
        why = "--ordinal-test ranks the rows: it needs them in memory"
    elif design.data is not None and single and stored_weighting(design.data) is not None:
        why = "a weighted design stored by `survey weight` is read into memory"
    plain = replace(design.spec, weights=None) == DesignSpec()  # --weight alone
    if why is None and name == "spark" and tests and not plain:
        why = ("design-based column tests are not there yet on Spark (their indicator "
               "columns are polars expressions): give --no-sig, or --engine stream")
    if why is not None:
        if name != "auto" or not single:
            raise click.UsageError(f"--engine {name}: {why}" + (
                "" if single else " (a directory or glob is only streamed)"))
        if design.data is not None and is_parquet_source(design.data):
            read_instead(design.data, why)  # a note, or a refusal when it cannot fit
        return None
    meter = RowMeter()
    if design.store is not None:
        from survey.store import scan

        waves = [w.strip() for w in design.wave.split(",") if w.strip()] if design.wave else None
        h = scan(design.store, waves=waves)
        assert h.lazy is not None
        rows: Any = h.lazy
        codebook = h.codebook
        if name == "auto" and int(rows.select(pl.len()).collect().item()) < STREAM_ROWS:
            return None
        columns = tuple(rows.collect_schema().names())
    else:
        assert design.data is not None
        if name == "auto" and single and parquet_rows(design.data) < STREAM_ROWS:
            return None
        codebook = _codebook(design)
        if name == "spark":
            rows = spark_session(engine.master).read.parquet(str(design.data))
            columns = tuple(rows.columns)
        else:
            rows = scan_parquet(design.data)
            columns = tuple(rows.collect_schema().names())
    spec = design.spec
    if plain:  # a weighted scan
        if spec.weights is not None and spec.weights not in columns:
            raise click.BadParameter(f"{spec.weights!r} is not a column of DATA",
                                     param_hint="--weight")
        return Streamed(rows, spec.weights, codebook, columns, name == "spark", meter)
    try:
        lsf = scan_design(rows, spec, engine="spark" if name == "spark" else "polars",
                          progress=meter)
    except NotStreamable as exc:
        if name == "auto" and single:
            if design.data is not None:
                read_instead(design.data, exc.message)
            return None
        raise click.UsageError(f"--engine {name}: {exc.message}") from None
    return Streamed(lsf, None, codebook, columns, name == "spark", meter)
