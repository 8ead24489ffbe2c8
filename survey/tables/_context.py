"""What every table of a crosstab shares: the banner's columns, weighting, design, tests.

In memory the rows are filtered to the domain once and tabulated by one
:class:`~survey.tables._tabulate.Tabulator`; streamed, a banner pass finds the
categories and each question is grouped where the rows are (:mod:`survey.tables._stream`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from survey.codebook import Codebook
from survey.design import LazySurveyFrame, Progress, SurveyFrame
from survey.design._frame import W as _DESIGN_WEIGHT
from survey.errors import EstimationError, NotStreamable
from survey.tables._model import Column
from survey.tables._options import Disclosure, Significance
from survey.tables._questions import RowQuestion, resolve_questions
from survey.tables._sig import column_letters
from survey.tables._stream import StreamRows
from survey.tables._tabulate import BannerVar, Tabulator, banner_var

__all__ = ["Context", "FrameRows", "frame_context", "stream_context"]


@dataclass(frozen=True)
class Context:
    """The banner columns and settings every table of one crosstab shares."""

    columns: tuple[Column, ...]
    groups: tuple[tuple[int, ...], ...]  # column indices of each banner variable
    banner: tuple[BannerVar, ...]
    weighted: bool
    weight_label: str | None
    sf: SurveyFrame | LazySurveyFrame | None
    where: pl.Expr | str | None  # a Spark SQL condition on Spark
    n_rows: int
    significance: Significance | None
    disclosure: Disclosure
    show: tuple[str, ...]
    mentions: bool


class FrameRows:
    """The rows in memory: every question tabulated by the one tabulator."""

    def __init__(self, frame: pl.DataFrame, tab: Tabulator) -> None:
        self.frame, self.tab = frame, tab

    def questions(self, rows: Sequence[str] | str, codebook: Codebook | None,
                  nets: Mapping[str, Mapping[str, Sequence[str]]] | None
                  ) -> list[RowQuestion]:
        return resolve_questions(self.frame, rows, codebook, nets=nets)

    def tabulator(self, q: RowQuestion, *, weighted: bool) -> tuple[Tabulator, pl.DataFrame]:
        return self.tab, self.frame


def frame_context(data: pl.DataFrame | SurveyFrame, banner: Sequence[str], codebook: Codebook | None,
             weight: str | None, where: pl.Expr | None, significance: Significance | None,
             disclosure: Disclosure | None, show: tuple[str, ...],
             mentions: bool) -> tuple[Context, pl.DataFrame, Tabulator]:
    sf = data if isinstance(data, SurveyFrame) else None
    if sf is not None:
        if weight is not None:
            raise EstimationError("weight= is for plain frames; the design carries its weights",
                                  location="weight")
        mask = sf.in_domain_expr()
        if where is not None:
            mask = mask & where.fill_null(False)
        try:
            frame = sf._data.filter(mask)
        except pl.exceptions.PolarsError as exc:
            raise EstimationError(f"cannot evaluate where=: {exc}", location="where") from exc
        w = frame[_DESIGN_WEIGHT].to_numpy().astype(float)
        frame = frame.select(sf.frame.columns)
        keep = w > 0
        frame, w = frame.filter(pl.Series(keep)), w[keep]
        d = sf.design
        weighted = bool(getattr(d, "weights", None)) or not np.all(w == w[0] if len(w) else True)
        weight_label = getattr(d, "weights", None)
        n_rows = sf.n
    else:
        if not isinstance(data, pl.DataFrame):
            raise EstimationError(f"expected a polars DataFrame or a SurveyFrame, got "
                                  f"{type(data).__name__}")
        frame = data
        if where is not None:
            try:
                frame = frame.filter(where)
            except pl.exceptions.PolarsError as exc:
                raise EstimationError(f"cannot evaluate where=: {exc}", location="where") from exc
        w = None
        weighted = weight is not None
        weight_label = weight
        if weight is not None:
            if weight not in frame.columns:
                raise EstimationError(f"weight column {weight!r} is not in the data",
                                      location=weight)
            s = frame[weight]
            if not s.dtype.is_numeric() or s.null_count() or (s < 0).any():
                raise EstimationError(f"weight column {weight!r} must be numeric, "
                                      "non-negative and without nulls", location=weight)
            w = s.cast(pl.Float64).to_numpy()
        n_rows = frame.height
    if frame.height == 0:
        raise EstimationError("no respondents to tabulate (check where=)", location="where")
    bvars = [banner_var(frame, b, _labels(codebook).get(b, b)) for b in banner]
    tab = Tabulator(w if weighted else None, bvars)
    columns, groups = _columns(bvars)
    return Context(columns, groups, tuple(bvars), weighted, weight_label,
                    sf, where, n_rows, significance, disclosure or Disclosure(min_cell=0),
                    show, mentions), frame, tab


def _labels(codebook: Codebook | None) -> dict[str, str]:
    return {q.id: (q.text_en or q.id) for q in codebook.questions} if codebook else {}


def _columns(bvars: Sequence[BannerVar]
             ) -> tuple[tuple[Column, ...], tuple[tuple[int, ...], ...]]:
    """Total, then each banner variable's categories (lettered), and each one's indices."""
    letters = column_letters(sum(len(b.categories) for b in bvars))
    columns = [Column("total", "total", "Total", "Total")]
    groups = []
    for b in bvars:
        idx = []
        for c in b.categories:
            idx.append(len(columns))
            columns.append(Column(f"{b.name}={c}", b.name, b.label, c, letters[len(columns) - 1]))
        groups.append(tuple(idx))
    return tuple(columns), tuple(groups)


def stream_context(data: Any, banner: Sequence[str], codebook: Codebook | None,
                    weight: str | None, where: Any, significance: Significance | None,
                    disclosure: Disclosure | None, show: tuple[str, ...], mentions: bool,
                    progress: Callable[[Progress], None] | None
                    ) -> tuple[Context, StreamRows, int]:
    """The context of rows left where they are: one pass for the banner's categories."""
    rows = StreamRows(data, weight=weight, where=where, progress=progress)
    lsf = rows.lsf
    if lsf is not None and significance is not None:
        if significance.ordinal:
            raise NotStreamable("an ordinal rank test (Significance.ordinal) ranks the "
                                "rows: it needs them in memory", hint="leave ordinal unset "
                                "(Rao-Scott F), or read the rows into memory")
        if lsf.backend.engine != "polars":
            raise NotStreamable("design-based column tests derive indicator columns "
                                "(polars expressions): on Spark, tabulate without tests",
                                hint="significance=None (--no-sig), or the polars engine")
    height = rows.bind_banner(banner, _labels(codebook), codebook)
    if height == 0:
        raise EstimationError("no respondents to tabulate (check where=)", location="where")
    weighted = rows.weight is not None
    n_rows = lsf.n if lsf is not None else height
    columns, groups = _columns(rows.banner)
    return Context(columns, groups, rows.banner, weighted, rows.weight, lsf, where,
                    n_rows, significance, disclosure or Disclosure(min_cell=0), show,
                    mentions), rows, height
