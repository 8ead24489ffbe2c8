"""``--engine``: estimates that stream to the data (polars over Parquet, or Spark).

``survey stats total|mean|proportion|ratio`` read a large Parquet source (a file of a
million rows or more, a directory of Parquet files, a glob) without loading it: the
library's :func:`~survey.bind.scan_design` reduces the rows where they are. What needs
the rows in memory (weighting, --compare of panel members, replicates made from rows ...)
reads them as before under ``--engine auto``, saying so in one line for a large file
(:func:`read_instead`); ``--engine stream|spark`` says why it cannot.
Progress (rows read) is drawn on a terminal's stderr, never under ``--format json``.
"""

from __future__ import annotations

import functools
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import click

from survey.cli._design_opts import DesignArgs, in_flag_words

if TYPE_CHECKING:
    from survey.design import LazySurveyFrame, Progress

__all__ = ["STREAM_ROWS", "EngineArgs", "engine_options", "lazy_design", "read_instead"]

F = TypeVar("F", bound=Callable[..., Any])

STREAM_ROWS = 1_000_000
"""Under ``--engine auto``, a Parquet file of at least this many rows is streamed."""


@dataclass(frozen=True)
class EngineArgs:
    """``--engine`` and ``--spark-master``."""

    engine: str = "auto"
    master: str = "local[*]"


def engine_options(f: F) -> F:
    """Add ``--engine`` and ``--spark-master``; the command receives ``engine: EngineArgs``."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kw: Any) -> Any:
        return f(*args, engine=EngineArgs(kw.pop("engine_name"), kw.pop("spark_master")), **kw)

    for deco in reversed([
        click.option("--engine", "engine_name",
                     type=click.Choice(["auto", "memory", "stream", "spark"]), default="auto",
                     show_default=True,
                     help="Where the rows are reduced: auto streams a Parquet file of a "
                          "million rows or more, a directory of Parquet files or a glob, and "
                          "reads smaller files into memory; stream always streams Parquet "
                          "(polars); spark runs the same reduction on Spark (--where is then "
                          "Spark SQL)."),
        click.option("--spark-master", default="local[*]", show_default=True,
                     help="Spark master for --engine spark: local[*], spark://host:port, or a "
                          "Spark Connect URL sc://host:port."),
    ]):
        wrapper = deco(wrapper)
    return wrapper  # type: ignore[return-value]


class _Meter:
    """Rows read, drawn on one stderr line at most every 0.2 s (a terminal only)."""

    def __init__(self) -> None:
        self.last = 0.0
        self.drawn = False

    def __call__(self, p: Progress) -> None:
        now = time.monotonic()
        if now - self.last < 0.2 and p.rows < p.total:
            return
        self.last = now
        share = f" ({100 * p.rows / p.total:.0f}%)" if p.total else ""
        total = f" of {p.total:,}" if p.total else ""
        sys.stderr.write(f"\r{p.step}: {p.rows:,}{total} rows read{share}   ")
        sys.stderr.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            sys.stderr.write("\r" + " " * 70 + "\r")
            sys.stderr.flush()


@in_flag_words
def lazy_design(design: DesignArgs, engine: EngineArgs, *, fmt: str, deff: Any = False,
                compare: Any = None, multiple: bool = False
                ) -> tuple[LazySurveyFrame | None, _Meter | None]:
    """The streamed design, or None where the rows are to be read into memory."""
    from pathlib import Path

    from survey.bind import (
        is_parquet_source,
        parquet_rows,
        scan_design,
        spark_session,
        stored_weighting,
    )
    from survey.errors import NotStreamable

    if design.store is not None:
        return _lazy_store(design, engine, fmt=fmt, deff=deff, compare=compare,
                           multiple=multiple)
    if engine.engine == "memory" or design.data is None:
        if engine.engine == "spark":
            raise click.UsageError("--engine spark reads a Parquet DATA file, directory or glob")
        return None, None
    data = design.data
    single = Path(data).is_file()
    why = None
    if compare is not None and compare.values and compare.member(design) is not None:
        why = "--compare of linked panel members needs the rows in memory"
    elif multiple:
        why = "multiple-choice questions are read into memory"
    elif not is_parquet_source(data):
        why = "only Parquet sources stream"
    elif single and stored_weighting(data) is not None:
        why = "a weighted design stored by `survey weight` is read into memory"
    if why is not None:
        if engine.engine in ("spark", "stream") or (not single and is_parquet_source(data)):
            raise click.UsageError(f"--engine {engine.engine}: {why}" + (
                "" if single else " (a directory or glob is only streamed)"))
        if is_parquet_source(data):
            read_instead(data, why)
        return None, None
    if engine.engine == "auto" and single and parquet_rows(data) < STREAM_ROWS:
        return None, None
    meter = _Meter() if (fmt != "json" and sys.stderr.isatty()) else None
    kind = "spark" if engine.engine == "spark" else "polars"
    try:
        session = spark_session(engine.master) if kind == "spark" else None
        return scan_design(data, design.spec, engine=kind, spark=session,  # type: ignore[arg-type]
                           progress=meter), meter
    except NotStreamable as exc:
        if engine.engine == "auto":
            read_instead(data, exc.message)
            return None, None
        raise click.UsageError(f"--engine {engine.engine}: {exc.message}") from None


def read_instead(data: str, why: str) -> None:
    """Under ``--engine auto``, a Parquet file large enough to stream whose estimate needs
    the rows: say so in one line on stderr, or refuse (exit 2) when its rows would not
    fit in the memory available."""
    from survey.bind import parquet_rows

    rows = parquet_rows(data)
    if rows < STREAM_ROWS:
        return
    need, have = _in_memory_bytes(data), _available_bytes()
    if have and need > have:
        raise click.UsageError(
            f"{data}: {why}, and its {rows:,} rows (~{need / 2**30:.1f} GB in memory) exceed "
            f"the {have / 2**30:.1f} GB available; hint: keep the columns the estimate needs "
            "in a smaller Parquet file, or leave out what needs the rows (docs/scale.md)")
    click.echo(f"note: reading {rows:,} rows of {data} into memory: {why}", err=True)


def _in_memory_bytes(data: str) -> int:
    """The uncompressed size of a Parquet file's row groups (its metadata)."""
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(data).metadata
        return sum(meta.row_group(g).total_byte_size for g in range(meta.num_row_groups))
    except (OSError, ValueError):
        return 0


def _available_bytes() -> int:
    """Memory available to a new allocation (Linux ``MemAvailable``; 0: unknown)."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _lazy_store(design: DesignArgs, engine: EngineArgs, *, fmt: str, deff: Any, compare: Any,
                multiple: bool) -> tuple[LazySurveyFrame | None, _Meter | None]:
    """The waves of ``--store``, harmonised lazily (polars), streamed when they hold a
    million rows or more (or under ``--engine stream``)."""
    import polars as pl

    from survey.bind import scan_design
    from survey.errors import NotStreamable
    from survey.store import scan

    if engine.engine in ("memory",):
        return None, None
    why = ("--engine spark reads Parquet files; a store's waves are harmonised by polars"
           if engine.engine == "spark" else
           "--compare of linked panel members needs the rows in memory"
           if compare is not None and compare.values and compare.member(design) is not None
           else None)
    if why is not None:
        if engine.engine != "auto":
            raise click.UsageError(f"--engine {engine.engine}: {why}")
        return None, None
    waves = [w.strip() for w in design.wave.split(",") if w.strip()] if design.wave else None
    h = scan(design.store, waves=waves)
    assert h.lazy is not None
    if engine.engine == "auto" and int(h.lazy.select(pl.len()).collect().item()) < STREAM_ROWS:
        return None, None
    meter = _Meter() if (fmt != "json" and sys.stderr.isatty()) else None
    try:
        lsf = scan_design(h.lazy, design.spec, progress=meter)
    except NotStreamable as exc:
        if engine.engine == "auto":
            return None, None
        raise click.UsageError(f"--engine {engine.engine}: {exc.message}") from None
    for wave, cols in h.not_asked.items():  # what the store's load notes, as the memory path
        if cols:
            click.echo(f"note: wave {wave} did not ask {', '.join(cols)} (null there, not "
                       "filled)", err=True)
    for wave, notes in h.notes.items():
        for note in notes:
            click.echo(f"note: wave {wave}: {note}", err=True)
    return lsf, meter
