"""Find each codebook question's source columns in a raw table."""

from __future__ import annotations

from dataclasses import dataclass

from survey._text import normalize_key
from survey.codebook import Codebook, Option, Question
from survey.io._model import RawTable, SourceColumn

__all__ = ["ColumnMap", "QuestionColumns", "match_columns"]


@dataclass(frozen=True)
class QuestionColumns:
    """The source columns found for one question (None where not found)."""

    question: Question
    main: SourceColumn | None = None
    options: tuple[tuple[Option, SourceColumn | None], ...] = ()
    other: SourceColumn | None = None

    @property
    def missing(self) -> tuple[str, ...]:
        """Descriptions of the columns that were not found."""
        q = self.question
        out: list[str] = []
        if q.type == "multiple" and q.layout == "columns":
            other_code = q.other.option if q.other is not None and self.other is not None else None
            out += [o.column or f"{q.column} / {o.label}" for o, c in self.options
                    if c is None and o.code != other_code]
        elif self.main is None:
            out.append(str(q.column))
        if q.other is not None and self.other is None:
            out.append(q.other.column)
        return tuple(out)


@dataclass(frozen=True)
class ColumnMap:
    """Every question's columns and the source columns no question uses."""

    questions: tuple[QuestionColumns, ...]
    unused: tuple[SourceColumn, ...]


class _Index:
    def __init__(self, columns: tuple[SourceColumn, ...]) -> None:
        self.columns = columns
        self.block = [normalize_key(c.block) for c in columns]
        self.sub = [normalize_key(c.sub) if c.sub else "" for c in columns]
        self.alt = [normalize_key(c.alt) if c.alt else "" for c in columns]
        self.name = [normalize_key(c.name) for c in columns]
        self.full = [f"{b} / {s}" if s else b for b, s in zip(self.block, self.sub)]

    def find(self, header: str) -> SourceColumn | None:
        """A whole-question column: its unique name exactly (as the draft writes it when two
        headers agree after normalisation), else block (with no sub-label), full name, alt
        text or name."""
        exact = [i for i, c in enumerate(self.columns) if c.name == header]
        if exact:
            return self.columns[exact[0]]
        key = normalize_key(header)
        hits = [i for i, b in enumerate(self.block) if b == key and not self.sub[i]]
        if not hits:
            block = [i for i, b in enumerate(self.block) if b == key]
            hits = block if len(block) == 1 else []
        for keys in (self.full, self.name, self.alt):
            if hits:
                break
            hits = [i for i, k in enumerate(keys) if k == key]
        return self.columns[hits[0]] if hits else None

    def find_in_block(self, block: str | None, labels: tuple[str, ...]) -> SourceColumn | None:
        """A sub-column of a question block whose row-2 label is one of ``labels``."""
        if block is None:
            return None
        bkey = normalize_key(block)
        keys = {normalize_key(lbl) for lbl in labels}
        for i, (b, s) in enumerate(zip(self.block, self.sub)):
            if b == bkey and s in keys:
                return self.columns[i]
        alt_hits = [i for i, a in enumerate(self.alt) if a and a.startswith(bkey) and
                    any(a.endswith(k) for k in keys)]
        return self.columns[alt_hits[0]] if len(alt_hits) == 1 else None


def match_columns(raw: RawTable, codebook: Codebook) -> ColumnMap:
    """Locate every question's columns in ``raw`` (see docs/codebook.md, Column matching)."""
    index = _Index(raw.columns)
    found: list[QuestionColumns] = []
    used: set[int] = set()
    for q in codebook.questions:
        main = None
        options: list[tuple[Option, SourceColumn | None]] = []
        if q.type == "multiple" and q.layout == "columns":
            for o in q.options:
                col = None
                if o.column is not None:
                    col = index.find_in_block(q.column, (o.column,)) or index.find(o.column)
                else:
                    col = index.find_in_block(q.column, (o.label, *filter(None, (o.label_ko,)),
                                                         *o.aliases, o.code))
                options.append((o, col))
        else:
            main = index.find(q.column) if q.column is not None else None
        other = None
        if q.other is not None:
            other = index.find_in_block(q.column, (q.other.column,)) or index.find(q.other.column)
        qc = QuestionColumns(q, main, tuple(options), other)
        for c in (main, other, *(c for _, c in options)):
            if c is not None:
                used.add(c.index)
        found.append(qc)
    unused = tuple(c for c in raw.columns if c.index not in used)
    return ColumnMap(tuple(found), unused)
