"""The codebook model: frozen dataclasses describing a questionnaire and its source file."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from survey._text import normalize_key

__all__ = [
    "Codebook",
    "Harmonize",
    "MissingCode",
    "Option",
    "OtherSpec",
    "Question",
    "QuestionGroup",
    "QuestionMap",
    "QuestionType",
    "SourceSpec",
    "VersionMap",
]

QuestionType = Literal["single", "multiple", "ordinal", "integer", "number", "date", "datetime", "text"]
QUESTION_TYPES: tuple[str, ...] = (
    "single",
    "multiple",
    "ordinal",
    "integer",
    "number",
    "date",
    "datetime",
    "text",
)
CHOICE_TYPES = frozenset({"single", "ordinal", "multiple"})
GROUP_KINDS: tuple[str, ...] = ("grid", "ranking", "section")


@dataclass(frozen=True)
class Option:
    """One answer option: ``code`` (as exported in numeric mode), ``label`` (answer text).

    ``aliases`` are further spellings accepted in the data ("USA" for "United States");
    ``column`` names the option's own column for multiple choice in per-option layout
    when it is not found by the label (Qualtrics ``Q5_1``, REDCap ``offer___1``).
    """

    code: str
    label: str
    label_ko: str | None = None
    aliases: tuple[str, ...] = ()
    column: str | None = None

    def match_keys(self) -> tuple[str, ...]:
        """Normalised spellings that select this option, label first."""
        keys = [normalize_key(self.label)]
        if self.label_ko:
            keys.append(normalize_key(self.label_ko))
        keys += [normalize_key(a) for a in self.aliases]
        keys.append(normalize_key(self.code))
        return tuple(dict.fromkeys(k for k in keys if k))


@dataclass(frozen=True)
class MissingCode:
    """A value that means "no substantive answer": ``Don't know``, ``Refused``, ``-99``."""

    code: str
    label: str

    def match_keys(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(k for k in (normalize_key(self.label), normalize_key(self.code)) if k))


@dataclass(frozen=True)
class OtherSpec:
    """The free-text "Other (please specify)" answer attached to a choice question."""

    option: str | None  # code of the option the text belongs to (None: text only)
    column: str


@dataclass(frozen=True)
class Question:
    """One question (one or, for multiple choice, several typed columns)."""

    id: str
    type: str
    column: str | None = None
    text_en: str | None = None
    text_ko: str | None = None
    options: tuple[Option, ...] = ()
    missing_codes: tuple[MissingCode, ...] = ()
    required: bool = False
    pii: bool = False
    role: Literal["answer", "disposition", "id", "meta", "weight"] = "answer"
    layout: Literal["columns", "delimited"] | None = None
    delimiter: str | None = None
    other: OtherSpec | None = None
    minimum: float | None = None
    maximum: float | None = None
    date_format: str | None = None

    @property
    def is_choice(self) -> bool:
        return self.type in CHOICE_TYPES

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(o.label for o in self.options)

    def option_column(self, option: Option) -> str:
        """Name of the Boolean output column of a multiple-choice option."""
        return f"{self.id}__{option.code}"

    def output_columns(self) -> tuple[str, ...]:
        """The typed frame's columns this question produces, in order."""
        cols: list[str] = []
        if self.type == "multiple":
            cols += [self.option_column(o) for o in self.options]
        else:
            cols.append(self.id)
        if self.missing_codes:
            cols.append(f"{self.id}__missing")
        if self.other is not None:
            cols.append(f"{self.id}__other_text")
        return tuple(cols)


@dataclass(frozen=True)
class QuestionGroup:
    """Questions asked together under one stem: a grid (matrix) block, a ranking block or a section.

    ``kind``: ``grid`` (one question per row, the rows sharing one answer scale),
    ``ranking`` (one integer question per ranked item, each ``1..k``) or ``section``
    (questions a questionnaire shows under one heading).  ``questions`` are the member
    question ids in the order asked; a table can show the group as one block of rows.
    """

    id: str
    kind: Literal["grid", "ranking", "section"]
    questions: tuple[str, ...]
    text_en: str | None = None
    text_ko: str | None = None


@dataclass(frozen=True)
class SourceSpec:
    """Where and how the answers sit in the source file."""

    header_rows: int | Literal["auto"] = "auto"
    sheet: str | None = None
    encoding: str = "auto"
    delimiter: str = "auto"


@dataclass(frozen=True)
class QuestionMap:
    """How one question of this codebook is found in an earlier version.

    ``source`` is the question's id in the earlier version (renamed questions).
    ``recode`` maps earlier options onto this codebook's options, each side an option
    code or label: ``("usa", "us")``, ``("80+", "70+")``; several earlier options may
    map onto one (merged).  Options not recoded are matched by ``match``: ``label``
    (the earlier label, or its Korean label, against this codebook's labels, Korean
    labels and aliases, normalised) or ``code`` (same option code).
    """

    id: str
    source: str
    recode: tuple[tuple[str, str], ...] = ()
    match: Literal["label", "code"] = "label"


@dataclass(frozen=True)
class VersionMap:
    """How an earlier codebook version maps onto this one.

    Questions not listed in ``questions`` keep their id and match options by label.
    ``not_asked`` and ``dropped`` document questions of this codebook the earlier
    version did not ask, and earlier questions that have no counterpart here; both are
    checked against the earlier codebook when waves are harmonised.
    """

    version: str
    questions: tuple[QuestionMap, ...] = ()
    not_asked: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()

    def question(self, qid: str) -> QuestionMap | None:
        return next((m for m in self.questions if m.id == qid), None)


@dataclass(frozen=True)
class Harmonize:
    """The ``harmonize`` section: earlier versions' mappings and the panel key.

    ``panel_key`` names the question that links the same person across waves
    (default: the ``role: id`` question).
    """

    panel_key: str | None = None
    versions: tuple[VersionMap, ...] = ()

    def version(self, version: str) -> VersionMap | None:
        return next((v for v in self.versions if v.version == version), None)


@dataclass(frozen=True)
class Codebook:
    """A questionnaire: its questions, their types, options and source columns."""

    survey: str
    version: str
    questions: tuple[Question, ...]
    title_en: str | None = None
    title_ko: str | None = None
    source: SourceSpec = field(default_factory=SourceSpec)
    missing_values: tuple[str, ...] = ()
    path: str | None = None
    harmonize: Harmonize | None = None
    population: tuple[tuple[str, str, float], ...] = ()
    """Known population counts ``(variable, category, population)`` (weighting, fpc)."""
    groups: tuple[QuestionGroup, ...] = ()
    """Grid, ranking and section blocks: several questions under one stem."""

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        raise KeyError(qid)

    def group(self, gid: str) -> QuestionGroup:
        for g in self.groups:
            if g.id == gid:
                return g
        raise KeyError(gid)

    @property
    def id_question(self) -> Question | None:
        return next((q for q in self.questions if q.role == "id"), None)

    def output_columns(self) -> tuple[str, ...]:
        return tuple(c for q in self.questions for c in q.output_columns())

    @property
    def panel_key(self) -> str | None:
        """The question linking people across waves: ``harmonize.panel_key``, else the id."""
        if self.harmonize is not None and self.harmonize.panel_key is not None:
            return self.harmonize.panel_key
        idq = self.id_question
        return None if idq is None else idq.id
