"""Row questions of a crosstab: what each one tabulates, from the codebook or the frame."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from survey.codebook import Codebook, Question
from survey.errors import EstimationError
from survey.estimators._joined import joined_answers, warn_if_joined
from survey.tables._tabulate import categories_of, codes_of

__all__ = ["RowQuestion", "resolve_questions"]

TABLE_TYPES = ("single", "ordinal", "multiple", "integer", "number")
SCALE_LENGTHS = frozenset({5, 7})


@dataclass(frozen=True)
class RowQuestion:
    """One question as the crosstab needs it.

    ``kind``: ``single`` / ``ordinal`` (one answer, ``options`` from an Enum column,
    ``missing`` the "don't know" labels of ``<id>__missing``), ``multiple`` (Boolean
    ``columns``), ``numeric``. ``scores`` (Likert scales) are the option codes used for
    means; ``nets`` are ``(label, option indices)``.
    """

    id: str
    title: str
    kind: str
    options: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    scores: tuple[float, ...] | None = None
    nets: tuple[tuple[str, tuple[int, ...]], ...] = ()

    @property
    def missing_column(self) -> str:
        return f"{self.id}__missing"

    def row_codes(self, frame: pl.DataFrame) -> np.ndarray:
        """Single/ordinal: ``0..k-1`` options, ``k..`` missing codes, ``-1`` not in base."""
        codes = codes_of(frame[self.id], self.options)
        if self.missing and self.missing_column in frame.columns:
            miss = frame[self.missing_column].cast(pl.String)
            mcode = miss.cast(pl.Enum(list(self.missing)), strict=False)
            m = mcode.to_physical().fill_null(-1).cast(pl.Int64).to_numpy()
            codes = np.where((codes < 0) & (m >= 0), len(self.options) + m, codes)
        return codes


def _scale(q: Question) -> tuple[float, ...] | None:
    """Scores of a rating scale: an ordinal question with 5 or 7 consecutive integer codes."""
    if q.type != "ordinal" or len(q.options) not in SCALE_LENGTHS:
        return None
    try:
        codes = [float(o.code) for o in q.options]
    except ValueError:
        return None
    if all(b - a == 1 for a, b in zip(codes, codes[1:], strict=False)):
        return tuple(codes)
    return None


def _from_codebook(q: Question, frame: pl.DataFrame) -> RowQuestion:
    title = q.text_en or q.text_ko or q.id
    if q.type in ("integer", "number"):
        return RowQuestion(q.id, title, "numeric")
    if q.type == "multiple":
        cols = tuple(q.option_column(o) for o in q.options)
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise EstimationError(f"question {q.id!r}: option columns {missing} are not in "
                                  "the data", location=q.id)
        return RowQuestion(q.id, title, "multiple", options=q.labels, columns=cols)
    scores = _scale(q)
    nets: tuple[tuple[str, tuple[int, ...]], ...] = ()
    if scores is not None:
        k = len(q.options)
        nets = ((f"Top 2 box ({q.options[-2].code}-{q.options[-1].code})", (k - 2, k - 1)),
                (f"Bottom 2 box ({q.options[0].code}-{q.options[1].code})", (0, 1)))
    return RowQuestion(q.id, title, q.type, options=q.labels,
                       missing=tuple(m.label for m in q.missing_codes), scores=scores,
                       nets=nets)


def _from_frame(name: str, frame: pl.DataFrame) -> RowQuestion:
    if name in frame.columns:
        s = frame[name]
        cats = categories_of(s)
        if cats is not None:
            warn_if_joined(s)   # a text column of joined lists: counted whole
            return RowQuestion(name, name, "single", options=tuple(cats))
        if s.dtype.is_numeric():
            return RowQuestion(name, name, "numeric")
        raise EstimationError(f"column {name!r} is {s.dtype}: not a question a crosstab "
                              "can show", location=name)
    cols = tuple(c for c in frame.columns
                 if c.startswith(f"{name}__") and frame[c].dtype == pl.Boolean)
    if not cols:
        raise EstimationError(f"no column {name!r} (nor Boolean {name}__<option> columns) "
                              "in the data", location=name)
    return RowQuestion(name, name, "multiple",
                       options=tuple(c[len(name) + 2:] for c in cols), columns=cols)


def resolve_questions(frame: pl.DataFrame, rows: Sequence[str] | str,
                      codebook: Codebook | None, *, exclude: Sequence[str] = (),
                      nets: Mapping[str, Mapping[str, Sequence[str]]] | None = None
                      ) -> list[RowQuestion]:
    """The row questions: ``"all"`` (every single, ordinal, multiple-choice and numeric
    answer question of the codebook, in codebook order) or the ids given."""
    if isinstance(rows, str) and rows == "all":
        if codebook is None:
            raise EstimationError("rows='all' needs a codebook", location="rows")
        ids = [q.id for q in codebook.questions
               if q.role == "answer" and q.type in TABLE_TYPES and q.id not in exclude]
    else:
        ids = [rows] if isinstance(rows, str) else list(rows)
    out: list[RowQuestion] = []
    known = {q.id: q for q in codebook.questions} if codebook is not None else {}
    for qid in ids:
        q = known.get(qid)
        if q is not None and q.type in TABLE_TYPES:
            spec = _from_codebook(q, frame)
        elif q is not None:
            joined = joined_answers(frame[qid]) if qid in frame.columns else None
            raise EstimationError(f"question {qid!r} is {q.type}: crosstabs show single, "
                                  "ordinal, multiple-choice and numeric questions",
                                  location=qid, hint=None if joined is None else joined.message())
        else:
            spec = _from_frame(qid, frame)
        if nets and qid in nets:
            spec = _with_nets(spec, nets[qid])
        out.append(spec)
    return out


def _with_nets(spec: RowQuestion, nets: Mapping[str, Sequence[str]]) -> RowQuestion:
    if spec.kind == "numeric":
        raise EstimationError(f"nets given for numeric question {spec.id!r}", location=spec.id)
    extra = []
    for label, members in nets.items():
        idx = []
        for m in members:
            if m in spec.options:
                idx.append(spec.options.index(m))
            elif spec.kind == "multiple" and f"{spec.id}__{m}" in spec.columns:
                idx.append(spec.columns.index(f"{spec.id}__{m}"))
            else:
                raise EstimationError(f"net {label!r} of {spec.id!r}: {m!r} is not an option",
                                      location=spec.id, hint=f"options: {list(spec.options)}")
        extra.append((label, tuple(idx)))
    return RowQuestion(spec.id, spec.title, spec.kind, spec.options, spec.missing,
                       spec.columns, spec.scores, (*spec.nets, *extra))
