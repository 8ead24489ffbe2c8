"""Drafting, block level: grid (matrix) and ranking blocks, one question per row.

A block is several columns asked under one stem, one column per row (item):

* SurveyMonkey: row 1 holds the stem above the block, row 2 the row labels;
* Qualtrics: ``Q5_1``, ``Q5_2`` ... with row 2 ``stem - row label``;
* Google Forms and LimeSurvey full-text headings: ``Stem [Row label]``;
* LimeSurvey question codes: ``q[SQ001]``; SPSS-style ``q_1`` with variable labels.

When the cells of every row come from one answer set, the block is a **grid**: each row
becomes a question whose id is built from the row label (``favorability_han_solo``),
with the options of the whole block in one order (scale order when the labels form a
scale, see :mod:`survey.codebook._draft_scales`) and the non-substantive answers as
missing codes.  When the cells are whole numbers 1..k (k rows) that rarely repeat within
a respondent, it is a **ranking**: integer questions with range 1..k.  Each block is
recorded as a :class:`QuestionGroup` with the stem text.  Anything the draft is unsure of
becomes a comment next to the question.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from survey._text import normalize_key
from survey.codebook._draft_groups import Col, common_prefix_cut
from survey.codebook._draft_infer import (
    MAX_LABEL,
    clean_label,
    infer_column,
    is_integer,
    make_options,
    norm_number,
)
from survey.codebook._draft_scales import SCALE_NOUNS, Scale, is_non_substantive, recognise_scale
from survey.codebook._model import MissingCode, Option, Question, QuestionGroup

__all__ = ["Block", "as_scale_question", "block_questions", "claim", "find_blocks", "slug"]

_BRACKET = re.compile(r"^(?P<stem>.*\S)\s*\[(?P<row>[^\[\]]*)\]\s*(?P<rep>\.\d+)?$", re.DOTALL)
_NUMBERED = re.compile(r"^(?P<stem>[A-Za-z][A-Za-z0-9.]*?)_(?P<row>\d+)$")
_RANK_HINT = re.compile(r"\brank|ranking|in order of|순위|순서", re.IGNORECASE)
_RATING_HINT = re.compile(r"rate|rating|scale|agree|satisf|likely|important|favo|평가|만족|"
                          r"그렇|동의|중요|점수|점", re.IGNORECASE)
_STOP = frozenset(
    "a an the of to in on for and or with about each following below above please how what "
    "which who whom whether do does did you your yours are is was were be been would could "
    "should will can rate state indicate tell us me my i we our select choose one answer "
    "statement statements item items these those this that it its them him her his following "
    "view feel think much many level extent degree regarding there by from as at if not".split())
_MAX_GRID_OPTIONS = 15
_SPECIFY = re.compile(r"please specify|^\s*(other|comments?)\b.*\(|^\s*comments?\s*$|기타", re.IGNORECASE)


@dataclass
class Block:
    """Columns asked under one stem, with each column's row label."""

    stem: str
    text: str
    members: list[tuple[Col, str]]
    kind: str = "grid"                       # grid | ranking
    scale: Scale | None = None
    options: tuple[Option, ...] = ()
    missing: tuple[MissingCode, ...] = ()
    qtype: str = "single"                    # single | ordinal | integer (ranking)
    doubts: list[str] = field(default_factory=list)
    comment: Col | None = None               # SurveyMonkey: the block's "Other (please specify)" box

    @property
    def columns(self) -> list[Col]:
        return [c for c, _ in self.members] + ([self.comment] if self.comment is not None else [])


# --------------------------------------------------------------------------- finding


def find_blocks(cols: Sequence[Col], *, layout: str) -> list[Block]:
    """Grid and ranking blocks among ``cols`` (columns not already in a multiple choice)."""
    candidates: dict[tuple[str, str], list[tuple[Col, str]]] = {}
    texts: dict[tuple[str, str], str] = {}
    comments: dict[tuple[str, str], Col] = {}
    for c in cols:
        if layout == "surveymonkey" and c.sc.sub and _SPECIFY.search(c.sc.sub):
            comments.setdefault((layout, normalize_key(c.sc.block)), c)
        found = _stem_and_row(c, layout)
        if found is None:
            continue
        stem, row, text = found
        key = (layout, normalize_key(stem))
        candidates.setdefault(key, []).append((c, row))
        texts.setdefault(key, text)
    out = []
    for key, members in candidates.items():
        if len(members) < 2:
            continue
        members, stem_text = _row_labels(members)
        block = _classify(Block(stem=key[1], text=stem_text or texts[key], members=members))
        if block is not None:
            block.comment = comments.get(key)
            out.append(block)
    return out


def _stem_and_row(c: Col, layout: str) -> tuple[str, str, str] | None:
    """(stem key, row label, stem text) of a column that reads as one row of a block."""
    sc = c.sc
    if layout == "surveymonkey":
        if sc.sub and sc.block.strip() and not _SPECIFY.search(sc.sub):
            return sc.block, clean_label(sc.sub), clean_label(sc.block)
        return None
    m = _BRACKET.match(sc.block)
    if m and m["row"].strip():               # a repeated block re-read by pandas: "[row].1"
        return m["stem"] + (m["rep"] or ""), clean_label(m["row"]), clean_label(m["stem"])
    m = _NUMBERED.match(sc.block)
    if m:
        text = c.text if c.text != sc.block else ""
        return m["stem"], m["row"], text
    return None


def _row_labels(members: list[tuple[Col, str]]) -> tuple[list[tuple[Col, str]], str | None]:
    """Qualtrics ``Q5_1``: the row label is the distinct tail of row 2 (``stem - label``)
    and the stem its shared head; returns the members and that stem (None: unchanged)."""
    if not all(re.fullmatch(r"\d+", row) for _, row in members):
        return members, None
    texts = [c.text for c, _ in members]
    cut = common_prefix_cut(texts)
    if not cut:
        return members, None
    rows = [clean_label(t[cut:]) for t in texts]
    if all(rows) and len({normalize_key(r) for r in rows}) == len(rows):
        stem = clean_label(texts[0][:cut].rstrip(" -:–—|")) or None
        return [(c, r) for (c, _), r in zip(members, rows, strict=True)], stem
    return members, None


def _classify(block: Block) -> Block | None:
    cells = [[v.strip() for v in c.values] for c in block.columns]
    values = [v for col in cells for v in col]
    if not values:
        return None
    k = len(block.members)
    if all(is_integer(v) for v in values):
        nums = [int(norm_number(v).replace(",", "")) for v in values]
        if min(nums) >= 1 and max(nums) <= k and _distinct_within_rows(block) and (
                k >= 3 or _RANK_HINT.search(block.text)):
            block.kind, block.qtype = "ranking", "integer"
            if not _RANK_HINT.search(block.text):
                block.doubts.append(f"read as a ranking (every answer a whole number 1..{k}, "
                                    "no respondent repeating one); if these are ratings, "
                                    "make them ordinal")
            return block
        if min(nums) >= 0 and max(nums) <= 10 and _RATING_HINT.search(block.text):
            spellings: dict[int, set[str]] = {}       # "3" and "3.0" (a workbook's number cells)
            for v, n in zip(values, nums, strict=True):
                spellings.setdefault(n, set()).add(v)
            labels = [str(n) for n in sorted(spellings)]
            block.qtype = "ordinal"
            block.options = tuple(Option(code=lab, label=lab,
                                         aliases=tuple(sorted(spellings[int(lab)] - {lab})))
                                  for lab in labels)
            block.doubts.append(f"numbers {labels[0]}..{labels[-1]} read as a rating scale; "
                                "add the end labels, and the points nobody chose")
            return block
        return None                          # numbers per row: left as separate questions
    first: dict[str, str] = {}                # one spelling per matching key ("Agree", "agree ")
    for v in values:
        first.setdefault(normalize_key(v), clean_label(v))
    distinct, keys = list(first.values()), set(first)
    if len(keys) > _MAX_GRID_OPTIONS or max(len(v) for v in distinct) > MAX_LABEL:
        return None
    scale = recognise_scale(distinct)        # a scale is evidence enough, however sparse
    if scale is None and len(values) < 2 * len(keys):
        return None                          # answers hardly repeat: free text, not a grid
    if scale is None and any(infer_column(list(col)).type in ("integer", "number", "date", "datetime")
                             for col in cells if col):
        return None                          # a row of numbers or dates: not a choice grid
    if scale is not None:
        block.scale, block.qtype = scale, "ordinal"
        block.options = tuple(Option(code=c, label=clean_label(lab))
                              for c, lab in zip(scale.codes, scale.labels, strict=True))
        block.missing = _missing(scale.missing)
        if scale.doubt:
            block.doubts.append(f"{scale.kind} scale: {scale.doubt}; check the order of the options")
        return block
    miss = [v for v in distinct if is_non_substantive(v)]
    rest = [v for v in distinct if v not in miss]
    if not rest:
        return None
    block.options = make_options(rest)
    block.missing = _missing(miss)
    block.doubts.append("no answer scale recognised: options in order of first appearance; "
                        "if they are ordered, reorder them and set type: ordinal")
    return block


def _distinct_within_rows(block: Block) -> bool:
    """Most respondents who answered two or more rows gave different numbers."""
    cols = [c.cells for c in block.columns]
    n_rows = len(cols[0])
    multi = dup = 0
    for i in range(n_rows):
        row = [norm_number(col[i].strip()) for col in cols if col[i] is not None and col[i].strip()]
        if len(row) >= 2:
            multi += 1
            dup += len(set(row)) != len(row)
    return multi > 0 and dup <= 0.05 * multi


def _missing(labels: Sequence[str]) -> tuple[MissingCode, ...]:
    out: dict[str, MissingCode] = {}
    for lab in labels:
        out.setdefault(normalize_key(lab), MissingCode(code=clean_label(lab), label=clean_label(lab)))
    return tuple(out.values())


# --------------------------------------------------------------------------- questions


def block_questions(block: Block, make_id: Callable[[str], str], used_names: set[str],
                    text_of: Callable[[str | None], dict[str, str]]
                    ) -> tuple[list[Question], QuestionGroup, dict[str, list[str]]]:
    """The block's row questions, its group entry and the comments to write next to them."""
    name = _block_name(block, used_names)
    rows = _row_names([r for _, r in block.members])
    k = len(block.members)
    questions: list[Question] = []
    comments: dict[str, list[str]] = {}
    for (c, row), row_name in zip(block.members, rows, strict=True):
        qid = make_id(f"{name}_{row_name}")
        if block.kind == "ranking":
            q = Question(id=qid, type="integer", column=c.ref, minimum=1, maximum=k, **text_of(c.text))
        else:
            q = Question(id=qid, type=block.qtype, column=c.ref, options=block.options,
                         missing_codes=block.missing, **text_of(c.text))
        questions.append(q)
        if slug(row) == "" and row.strip() and not re.fullmatch(r"\d+", row.strip()):
            comments.setdefault(qid, []).append(f"row {row!r}: id numbered, rename it")
    if block.comment is not None:
        c = block.comment
        questions.append(Question(id=make_id(f"{name}_other"), type="text", column=c.ref, pii=True,
                                  **text_of(c.text)))
        members = questions[:-1]
    else:
        members = questions
    group = QuestionGroup(id=name, kind="ranking" if block.kind == "ranking" else "grid",
                          questions=tuple(q.id for q in members), **_group_text(text_of(block.text)))
    if block.doubts:
        comments[name] = [f"{d} (all {k} rows of this block)" for d in block.doubts]
        comments.setdefault(members[0].id, []).extend(block.doubts)
    return questions, group, comments


def _group_text(t: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in t.items() if k in ("text_en", "text_ko")}


def _block_name(block: Block, used: set[str]) -> str:
    """A short name for the block: an export tag a person chose (``g0``), ``rank``, the
    scale's noun (``favorability``), else the stem's first content words; then the stem's
    words, then the first name numbered (``quality_2`` for a repeated block)."""
    tries: list[str] = []
    code = slug(block.stem) if re.fullmatch(r"[a-z][a-z0-9_.]*", block.stem) else ""
    if code and len(code) <= 12 and not re.fullmatch(r"q\d+(_\d+)?", code):
        tries.append(code)
    if block.kind == "ranking":
        tries.append("rank")
    elif block.scale is not None and block.scale.kind in SCALE_NOUNS \
            and block.scale.kind not in ("rating", "degree"):
        tries.append(block.scale.kind)
    stem_words = _content_words(block.text or block.stem)
    if stem_words:
        tries.append("_".join(stem_words[:2]))
    tries = [t for t in tries if t] or ["grid"]
    for t in tries:
        if t not in used:
            used.add(t)
            return t
    return claim(tries[0], used)


def _content_words(text: str) -> list[str]:
    words = re.findall(r"[a-z0-9]+", unicodedata.normalize("NFKC", text).lower())
    return [w for w in words if w not in _STOP and not w.isdigit() and len(w) > 1][:3]


def _row_names(rows: list[str]) -> list[str]:
    """Row-label slugs, with a prefix every row shares cut off ("Star Wars: Episode I ...")."""
    slugs = [slug(r, limit=60) for r in rows]
    words = [s.split("_") for s in slugs]
    common = 0
    if len(words) > 1 and all(words) and words[0][0] not in _STOP:
        while all(len(w) > common + 1 and w[common] == words[0][common] for w in words):
            common += 1
    names = [slug("_".join(w[common:]), limit=30) for w in words]
    out, seen = [], set()
    for i, n in enumerate(names, start=1):
        n = n or str(i)
        if n in seen:
            n = f"{n}_{i}"
        seen.add(n)
        out.append(n)
    return out


def claim(base: str, used: set[str]) -> str:
    """``base``, or ``base_2``, ``base_3`` ... the first one not in ``used``; recorded there.

    >>> used = {"q1"}
    >>> claim("q1", used), claim("q1", used), claim("q2", used)
    ('q1_2', 'q1_3', 'q2')
    """
    name, k = base, 2
    while name in used:
        name = f"{base}_{k}"
        k += 1
    used.add(name)
    return name


def slug(text: str, limit: int = 40) -> str:
    """An ASCII identifier piece from text: lower-case words joined by ``_``, cut at a word."""
    s = unicodedata.normalize("NFKC", text).lower()
    s = re.sub(r"[^a-z0-9]+", "_", s).strip("_")
    if len(s) > limit:
        s = s[:limit].rsplit("_", 1)[0] or s[:limit]
    return s.strip("_")


# --------------------------------------------------------------------------- lone questions


def as_scale_question(q: Question) -> Question:
    """A single-choice question whose answers form a scale, as an ordinal one (else ``q``).

    Only scales read with no doubt and at least three points are taken; a lone question
    is never guessed at (a grid, where many rows share the answers, may be).
    """
    if q.type != "single" or q.role != "answer" or not q.options:
        return q
    labels = [o.label for o in q.options] + [m.label for m in q.missing_codes]
    scale = recognise_scale(labels)
    if scale is None or scale.doubt is not None or len(scale.labels) < 3:
        return q
    by_key = {normalize_key(o.label): o for o in q.options}
    # numeric codes came from the file (SPSS value labels, numbers in the cells): keep them
    keep = all(re.fullmatch(r"-?\d+(\.\d+)?", o.code) for o in q.options)
    options = tuple(Option(code=by_key[normalize_key(lab)].code if keep else code,
                           label=by_key[normalize_key(lab)].label,
                           aliases=by_key[normalize_key(lab)].aliases)
                    for code, lab in zip(scale.codes, scale.labels, strict=True)
                    if normalize_key(lab) in by_key)
    seen = {normalize_key(m.label) for m in q.missing_codes}
    missing = q.missing_codes + tuple(MissingCode(code=clean_label(m), label=clean_label(m))
                                      for m in scale.missing if normalize_key(m) not in seen)
    if len(options) != len(scale.labels):
        return q
    return Question(
        id=q.id, type="ordinal", column=q.column, text_en=q.text_en, text_ko=q.text_ko,
        options=options, missing_codes=missing, required=q.required, pii=q.pii, role=q.role,
    )
