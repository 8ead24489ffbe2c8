"""Frequencies and summaries of every question in a typed frame (unweighted and weighted)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from survey._options import unticked_is_false
from survey.codebook import Codebook, Question

__all__ = ["Description", "QuestionSummary", "describe"]


@dataclass(frozen=True)
class QuestionSummary:
    """One question's summary.

    ``table`` has, for choice questions, one row per option: ``label``, ``n`` (respondents
    choosing it), ``percent`` (of ``base``), and with weights ``n_weighted`` and
    ``percent_weighted``; for numbers and dates the statistics ``n``, ``mean``, ``sd``,
    ``min``, ``median``, ``max``.  ``base`` is the number of respondents who answered.
    """

    question: Question
    base: int
    missing: int
    table: pl.DataFrame
    base_weighted: float | None = None
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        q = self.question
        return {
            "id": q.id,
            "type": q.type,
            "text": {"en": q.text_en, "ko": q.text_ko},
            "base": self.base,
            "base_weighted": self.base_weighted,
            "missing": self.missing,
            "table": self.table.to_dicts(),
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class Description:
    """The summaries of all questions of one frame."""

    codebook: Codebook
    n: int
    weight: str | None
    questions: tuple[QuestionSummary, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {
            "survey": self.codebook.survey,
            "version": self.codebook.version,
            "n": self.n,
            "weight": self.weight,
            "questions": [s.to_dict() for s in self.questions],
        }


def describe(frame: pl.DataFrame, codebook: Codebook, *, weight: str | None = None) -> Description:
    """Summarise every question of ``codebook`` present in ``frame``.

    Percentages of choice questions are of the respondents who answered the question
    (the base); for multiple choice an option's percentage is of those who answered the
    question at all, so options add to more than 100.  ``weight`` names a weight column
    for weighted counts alongside the unweighted ones.
    """
    w = pl.col(weight).cast(pl.Float64) if weight else None
    out: list[QuestionSummary] = []
    for q in codebook.questions:
        if q.role == "weight" or not all(c in frame.columns for c in q.output_columns()):
            continue
        if q.type == "multiple":
            out.append(_multiple(frame, q, w))
        elif q.type in ("single", "ordinal"):
            out.append(_single(frame, q, w))
        elif q.type in ("integer", "number", "date", "datetime"):
            out.append(_numeric(frame, q))
        else:
            out.append(_text(frame, q))
    return Description(codebook=codebook, n=frame.height, weight=weight, questions=tuple(out))


def _weighted_share(frame: pl.DataFrame, indicator: list[pl.Expr], base: pl.Expr | list[pl.Expr],
                    w: pl.Expr | None, labels: list[str]) -> pl.DataFrame:
    """Counts and percentages of each indicator; ``base`` is one base for all, or one
    per indicator (a multiple-choice option some respondents were not asked)."""
    bases = base if isinstance(base, list) else [base] * len(indicator)
    n = frame.select([ind.fill_null(False).sum().alias(str(i)) for i, ind in enumerate(indicator)]).row(0)
    nb = frame.select([b.sum().alias(str(i)) for i, b in enumerate(bases)]).row(0)
    cols: dict[str, Any] = {
        "label": labels,
        "n": [int(v) for v in n],
        "percent": [100 * v / d if d else None for v, d in zip(n, nb, strict=True)],
    }
    if w is not None:
        nw = frame.select([(w * ind.fill_null(False).cast(pl.Float64)).sum().alias(str(i))
                           for i, ind in enumerate(indicator)]).row(0)
        bw = frame.select([(w * b.cast(pl.Float64)).sum().alias(str(i))
                           for i, b in enumerate(bases)]).row(0)
        cols["n_weighted"] = list(nw)
        cols["percent_weighted"] = [100 * v / d if d else None for v, d in zip(nw, bw, strict=True)]
    return pl.DataFrame(cols)


def _single(frame: pl.DataFrame, q: Question, w: pl.Expr | None) -> QuestionSummary:
    col = pl.col(q.id)
    base = col.is_not_null()
    labels = list(q.labels)
    table = _weighted_share(frame, [col == lbl for lbl in labels], base, w, labels)
    n_base = int(frame.select(base.sum()).item())
    notes = []
    if f"{q.id}__missing" in frame.columns:
        miss = frame.group_by(f"{q.id}__missing").len().drop_nulls().sort(f"{q.id}__missing")
        notes += [f"{r[0]}: {r[1]}" for r in miss.iter_rows()]
    bw = float(frame.select((w * base.cast(pl.Float64)).sum()).item()) if w is not None else None
    return QuestionSummary(q, n_base, frame.height - n_base, table, bw, tuple(notes))


def _multiple(frame: pl.DataFrame, q: Question, w: pl.Expr | None) -> QuestionSummary:
    names = [q.option_column(o) for o in q.options]
    cols = [pl.col(n) for n in names]
    base = pl.any_horizontal(*[c.is_not_null() for c in cols])
    notes = ["multiple choice: percent of respondents answering; options add to more than 100"]
    n_base = int(frame.select(base.sum()).item())
    option_bases: pl.Expr | list[pl.Expr] = base
    if unticked_is_false(frame, names):
        option_bases = [base & c.is_not_null() for c in cols]  # a null beside answers: not asked
        asked = frame.select([b.sum().alias(str(i)) for i, b in enumerate(option_bases)]).row(0)
        partial = [f"{lab} (asked of {k})" for lab, k in zip(q.labels, asked, strict=True)
                   if k < n_base]
        if partial:
            notes.append(f"not asked of every respondent: {', '.join(partial)}; "
                         "percent of those asked")
    table = _weighted_share(frame, cols, option_bases, w, list(q.labels))
    bw = float(frame.select((w * base.cast(pl.Float64)).sum()).item()) if w is not None else None
    return QuestionSummary(q, n_base, frame.height - n_base, table, bw, tuple(notes))


def _numeric(frame: pl.DataFrame, q: Question) -> QuestionSummary:
    col = pl.col(q.id)
    if q.type in ("integer", "number"):
        stats = frame.select(
            n=col.count(), mean=col.mean(), sd=col.std(), min=col.min().cast(pl.Float64),
            median=col.median(), max=col.max().cast(pl.Float64),
        )
    else:
        stats = frame.select(n=col.count(), min=col.min().cast(pl.String), max=col.max().cast(pl.String))
    n = int(stats["n"][0])
    return QuestionSummary(q, n, frame.height - n, stats)


def _text(frame: pl.DataFrame, q: Question) -> QuestionSummary:
    col = pl.col(q.id)
    stats = frame.select(n=col.count(), distinct=col.n_unique())
    n = int(stats["n"][0])
    notes = ("personal data: values not shown",) if q.pii else ()
    return QuestionSummary(q, n, frame.height - n, stats, None, notes)
