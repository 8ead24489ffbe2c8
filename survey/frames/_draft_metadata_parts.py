"""Pieces of the metadata draft: finding columns by the names a platform writes, and making
option codes, labels, question ids and groups that the codebook loader accepts."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from survey._text import normalize_key
from survey.codebook import Option, Question, QuestionGroup
from survey.codebook._draft_grids import claim
from survey.frames._match import _Index
from survey.io import RawTable, SourceColumn


_CODE = re.compile(r"^-?[0-9A-Za-z_.]+$")
_ID_NAMES = ("record_id", "responseid", "response_id", "respondent_id", "respondentid", "_uuid",
             "uuid", "id", "case_id", "caseid", "participant_id", "study_id", "resp_id", "_id")


class _Columns:
    """Source columns by normalised name, block and Qualtrics ImportId."""

    def __init__(self, raw: RawTable) -> None:
        self.raw = raw
        self.by_key: dict[str, list[int]] = {}
        for c in raw.columns:
            for k in {normalize_key(c.block), normalize_key(c.name), _import_key(c.import_id)}:
                if k:
                    self.by_key.setdefault(k, []).append(c.index)
        self.used: set[int] = set()
        self.pos = 0

    def take(self, keys: tuple[str, ...]) -> SourceColumn | None:
        """The first free column answering to one of ``keys``, preferring file order."""
        for k in keys:
            free = [i for i in self.by_key.get(normalize_key(k), []) + self.by_key.get(_import_key(k), [])
                    if i not in self.used]
            if free:
                i = next((j for j in free if j >= self.pos), free[0])
                self.used.add(i)
                self.pos = max(self.pos, i)
                return self.raw.columns[i]
        return None


def _stem(header: str) -> str:
    """``sports___1`` -> ``sports___``; ``hh/fruits/apple`` -> ``hh/fruits/``: a choice column's group."""
    key = normalize_key(header)
    cut = max(key.rfind("___") + 3 if "___" in key else 0, key.rfind("/") + 1)
    return key[:cut]


def _import_key(text: str | None) -> str:
    if not text or not re.match(r"(?i)^qid\d", text):
        return ""
    return "importid:" + text.lower().replace("-", "_")


def _ref(col: SourceColumn, index: _Index) -> str:
    """The shortest header that finds exactly ``col`` again at ingest."""
    for cand in (col.block, col.name):
        if cand and index.find(cand) is col:
            return cand
    return col.name


def _groups(questions: list[Question], member: dict[str, tuple[str, str]],
            data_groups: tuple[QuestionGroup, ...]) -> tuple[QuestionGroup, ...]:
    """The form's sections, grids and rankings (members in codebook order), then the data draft's."""
    qids = {q.id for q in questions}
    by_key: dict[tuple[str, str], list[str]] = {}
    for q in questions:
        if q.id in member:
            by_key.setdefault(member[q.id], []).append(q.id)
    used: set[str] = set()
    out: list[QuestionGroup] = []
    for (kind, text), members in by_key.items():
        base = _slug(text, limit=30) or kind
        if base[0].isdigit():
            base = "g" + base
        gid, k = base, 2
        while gid in qids or gid in used:
            gid = f"{base}_{'group' if k == 2 else k}"
            k += 1
        used.add(gid)
        out.append(QuestionGroup(id=gid, kind=kind, questions=tuple(members),  # type: ignore[arg-type]
                                 **{("text_ko" if re.search(r"[\uac00-\ud7a3]", text) else "text_en"): text}))
    taken = {x for g in out for x in g.questions}
    for g in data_groups:
        members = tuple(x for x in g.questions if x not in taken)
        if members and g.id not in qids and g.id not in used:
            used.add(g.id)
            out.append(replace(g, questions=members))
    return tuple(out)


def _promote_id(questions: list[Question], raw: RawTable, index: _Index) -> list[Question]:
    """With no id from the form or the data draft: a unique, complete id-named column."""
    for name in _ID_NAMES:
        for j, q in enumerate(questions):
            if q.id.lower() != name or q.column is None or q.type == "multiple":
                continue
            col = index.find(q.column)
            if col is None:
                continue
            cells = raw.frame.get_column(col.name)
            if cells.null_count() == 0 and cells.n_unique() == cells.len() and cells.len() > 0:
                questions[j] = replace(q, role="id", type="text", options=(), missing_codes=(),
                                       minimum=None, maximum=None)
                return questions
    return questions


def _fix_options(opts: list[Option], qid: str) -> list[Option]:
    """Valid, unique codes and labels: ``Yes, often`` stays the label, the code is made safe."""
    out: list[Option] = []
    codes: set[str] = set()
    labels: set[str] = set()
    for o in opts:
        code = _code(o.code)
        aliases = tuple(a for a in (*o.aliases, o.code) if a != code and normalize_key(a) != normalize_key(o.label))
        base, k = code, 2
        while code in codes or code in ("missing", "other_text"):
            code = f"{base}_{k}"
            k += 1
        label = base_label = o.label.strip() or o.code
        k = 1
        while not normalize_key(label) or normalize_key(label) in labels:  # "Maybe (1)", "Maybe (a)" ...
            label = f"{base_label} ({o.code})" if k == 1 else f"{base_label} ({o.code}, {k})"
            k += 1
        labels.add(normalize_key(label))
        label_ko = o.label_ko
        if label_ko and normalize_key(label_ko) in labels:
            label_ko = None
        elif label_ko:
            labels.add(normalize_key(label_ko))
        aliases = tuple(a for a in aliases if normalize_key(a) not in labels)
        labels.update(normalize_key(a) for a in aliases)
        codes.add(code)
        out.append(Option(code=code, label=label, label_ko=label_ko, aliases=aliases, column=o.column))
    return out


def _code(code: str) -> str:
    c = code.strip()
    if _CODE.match(c):
        return c
    s = re.sub(r"[^0-9A-Za-z_.]+", "_", unicodedata.normalize("NFKD", c).encode("ascii", "ignore").decode()).strip("_")
    return s or "x"


def _number_key(key: str) -> str:
    m = re.fullmatch(r"([+-]?\d+)\.0+", key)
    return m.group(1) if m else key


def _sort_key(value: str) -> tuple[int, float, str]:
    try:
        return (0, float(value), "")
    except ValueError:
        return (1, 0.0, value)


def _text(text: str | None, text_ko: str | None = None) -> dict[str, str]:
    if text_ko and text:
        return {"text_en": text, "text_ko": text_ko}
    text = text or text_ko
    if not text:
        return {}
    return {"text_ko": text} if re.search(r"[\uac00-\ud7a3]", text) else {"text_en": text}


def _short(text: str | None, n: int = 50) -> str:
    t = text or ""
    return t if len(t) <= n else t[: n - 3].rstrip() + "..."


def _slug(text: str, limit: int = 40) -> str:
    s = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    s = re.sub(r"[^a-z0-9]+", "_", s).strip("_")
    s = re.sub(r"_+", "_", s)
    if len(s) > limit:
        s = s[:limit].rsplit("_", 1)[0] or s[:limit]
    return s.strip("_")


class _Ids:
    """Question ids from the platform's names: ``Q5 1`` -> ``q5_1``, unique, no ``__``."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def make(self, name: str) -> str:
        slug = _slug(name, limit=60) or "q"
        if slug[0].isdigit():
            slug = "q" + slug
        return claim(slug, self.used)
