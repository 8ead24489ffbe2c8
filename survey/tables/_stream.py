"""Banner tables over rows that stay where they are: one GROUP BY per question.

A table needs, per stub row and banner column, respondents ``n``, the sum of weights
and of squared weights (:class:`~survey.tables._tabulate.Sums`). Those are sums over
the respondents sharing one answer and one category of every banner variable, so the
rows (a Parquet scan streamed by polars, a wave store, a Spark DataFrame) are reduced
by one aggregation per question, grouped by

* the question's own columns: its answer (and "don't know" column), each option of a
  multiple-choice question, or a numeric question's value (its median needs the
  weighted distribution: the groups grow with its distinct values);
* every banner variable,

with the rows counted and the weights and their squares summed. The groups then stand
for the rows: the in-memory tabulation (``np.bincount`` with the groups' sums as
weights) builds the same table. Design-based column tests and the whole-table test
stream through :func:`~survey.estimators.mean` on the lazy design, as in memory; a
rank test needs the rows (:class:`~survey.errors.NotStreamable`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import polars as pl

from survey.codebook import Codebook
from survey.design import LazySurveyFrame, Sum
from survey.design._backend import Backend, Progress, backend_for
from survey.errors import EstimationError
from survey.tables._questions import RowQuestion, resolve_questions
from survey.tables._tabulate import BannerVar, Tabulator, banner_var, codes_of

__all__ = ["StreamRows", "is_streamed"]

N, SW, SW2 = "__xt_n", "__xt_sw", "__xt_sw2"


def is_streamed(data: object) -> bool:
    """True for rows left where they are: a LazyFrame, a lazy design, a Spark DataFrame."""
    return (isinstance(data, (pl.LazyFrame, LazySurveyFrame))
            or type(data).__module__.startswith("pyspark.sql"))


class StreamRows:
    """The rows of a streamed crosstab, reduced on demand: a banner pass (categories and
    respondents), then one grouped pass per question (:meth:`tabulator`).

    ``design``: the rows of a lazy design (respondents of zero weight left out, as a
    design's domain in memory); else a plain scan with an optional ``weight`` column.
    """

    def __init__(self, data: Any, *, weight: str | None, where: Any,
                 progress: Callable[[Progress], None] | None = None) -> None:
        self.lsf = data if isinstance(data, LazySurveyFrame) else None
        if self.lsf is not None:
            if weight is not None:
                raise EstimationError("weight= is for plain frames; the design carries its "
                                      "weights", location="weight")
            self.backend: Backend = self.lsf.backend
            weight = self.lsf.design.weights
        else:
            self.backend = backend_for(data, progress)
        self.schema = self.backend.schema()
        if weight is not None:
            if weight not in self.schema:
                raise EstimationError(f"weight column {weight!r} is not in the data",
                                      location=weight)
            if not self.schema[weight].is_numeric():
                raise EstimationError(f"weight column {weight!r} must be numeric, "
                                      "non-negative and without nulls", location=weight)
        self.weight = weight
        self.where = where
        self.step = ""
        self._groups: dict[str, pl.DataFrame] = {}
        self.banner: tuple[BannerVar, ...] = ()

    @property
    def empty(self) -> pl.DataFrame:
        """No rows, the columns' types: questions from the codebook resolve on it."""
        return pl.DataFrame(schema={c: t for c, t in self.schema.items()
                                    if t != pl.Object})

    def group(self, keys: Sequence[str], step: str) -> pl.DataFrame:
        """Respondents, weights and squared weights summed by ``keys`` over the rows of
        the domain; groups without a respondent (only rows of zero weight, in a design)
        are dropped."""
        w = self.weight
        one: tuple[Any, ...] = (("one", ""),)
        counted = (("nonzero", w),) if (w and self.lsf is not None) else one
        sums = [Sum(N, counted), Sum(SW, (("col", w),) if w else one),
                Sum(SW2, (("square", w),) if w else one)]
        if w:
            sums += [Sum("__xt_null", (("null", w),)), Sum("__xt_neg", (("negative", w),))]
        try:
            out = self.backend.aggregate(list(dict.fromkeys(keys)), sums, where=self.where,
                                         step=step)
        except EstimationError:
            raise
        except Exception as exc:  # a condition polars or Spark cannot evaluate
            raise EstimationError(f"cannot evaluate where=: {str(exc).splitlines()[0]}",
                                  location="where") from exc
        if w and (out["__xt_null"].sum() or out["__xt_neg"].sum()):
            raise EstimationError(f"weight column {w!r} must be numeric, non-negative and "
                                  "without nulls", location=w)
        return out.filter(pl.col(N) > 0).drop("__xt_null", "__xt_neg", strict=False)

    def bind_banner(self, names: Sequence[str], labels: Mapping[str, str],
                    codebook: Codebook | None = None) -> int:
        """The banner variables' categories (from one pass over the domain's rows) and
        the respondents tabulated. A text column the codebook defines as a single or
        ordinal question (a hive partition, a Spark string) takes the codebook's order,
        as the typed column (an Enum of its labels) would."""
        missing = [b for b in names if b not in self.schema]
        if missing:
            raise EstimationError(f"banner variable {missing[0]!r} is not in the data",
                                  location=missing[0], hint="banner variables are "
                                  "single-choice questions (e.g. division, age_band)")
        g = self.group(list(names), "banner")
        known = {q.id: q for q in codebook.questions} if codebook is not None else {}
        for b in names:
            q = known.get(b)
            if g[b].dtype == pl.String and q is not None and q.type in ("single", "ordinal"):
                seen = set(g[b].drop_nulls().to_list())
                if seen <= set(q.labels):
                    g = g.with_columns(pl.col(b).cast(pl.Enum(list(q.labels))))
        self.banner = tuple(banner_var(g, b, labels.get(b, b)) for b in names)
        return int(g[N].sum())

    def _columns(self, qid: str, codebook: Codebook | None) -> list[str]:
        """The columns a question's table reads."""
        known = {q.id: q for q in codebook.questions} if codebook is not None else {}
        q = known.get(qid)
        if q is not None and q.type == "multiple":
            return [q.option_column(o) for o in q.options]
        if q is None and qid not in self.schema:
            return [c for c, t in self.schema.items()
                    if c.startswith(f"{qid}__") and t == pl.Boolean]
        missing = f"{qid}__missing"
        return [qid, *([missing] if missing in self.schema else [])]

    def questions(self, rows: Sequence[str] | str, codebook: Codebook | None,
                  nets: Mapping[str, Mapping[str, Sequence[str]]] | None
                  ) -> list[RowQuestion]:
        """The row questions, as :func:`resolve_questions`: a codebook's from its
        definitions (no rows read); a plain text column's categories from its groups."""
        if isinstance(rows, str) and rows == "all":
            return resolve_questions(self.empty, rows, codebook, nets=nets)
        ids = [rows] if isinstance(rows, str) else list(rows)
        known = {q.id for q in codebook.questions} if codebook is not None else set()
        out = []
        for qid in ids:
            frame = self.empty
            text = self.schema.get(qid)
            if qid not in known and (text == pl.String or isinstance(text, pl.Categorical)):
                frame = self._grouped(qid, self._columns(qid, codebook))
            out += resolve_questions(frame, [qid], codebook, nets=nets)
        return out

    def _grouped(self, qid: str, columns: list[str]) -> pl.DataFrame:
        if qid not in self._groups:
            absent = [c for c in columns if c not in self.schema]
            if absent:
                raise EstimationError(f"question {qid!r}: columns {absent} are not in the "
                                      "data", location=qid)
            self._groups[qid] = self.group([*columns, *(b.name for b in self.banner)], qid)
        return self._groups[qid]

    def tabulator(self, q: RowQuestion, *, weighted: bool
                  ) -> tuple[Tabulator, pl.DataFrame]:
        """The question's groups (they stand for its rows) and their tabulator."""
        cols = list(q.columns) if q.kind == "multiple" else [
            q.id, *([q.missing_column] if q.missing and q.missing_column in self.schema
                    else [])]
        g = self._grouped(q.id, cols)
        self._groups.pop(q.id, None)
        bvars = [BannerVar(b.name, b.label, b.categories, codes_of(g[b.name], b.categories))
                 for b in self.banner]
        counts = g[N].to_numpy().astype(float)
        tab = Tabulator(g[SW].to_numpy().astype(float) if weighted else None, bvars,
                        counts=counts,
                        squares=g[SW2].to_numpy().astype(float) if weighted else None)
        return tab, g

