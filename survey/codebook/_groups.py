"""The codebook's ``groups`` section: grid, ranking and section blocks of questions.

```yaml
groups:
  - id: favorability
    kind: grid
    text: Please state whether you view the following characters favorably or unfavorably.
    questions: [favorability_han_solo, favorability_luke_skywalker]
  - id: rank
    kind: ranking
    text: {en: Please rank the films in order of preference}
    questions: [rank_the_phantom_menace, rank_a_new_hope]
```

Each question belongs to at most one group; a group id is an identifier that names no
question, so that a table's ``rows`` can name either.
"""

from __future__ import annotations

import re
from typing import Any

from survey.codebook._model import GROUP_KINDS, Question, QuestionGroup

__all__ = ["groups_to_dict", "parse_groups"]

_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_KEYS = ("id", "kind", "questions", "text")


def parse_groups(raw: Any, questions: list[Question], problems: list[str]) -> tuple[QuestionGroup, ...]:
    """The groups; every mistake appended to ``problems``."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.append("groups: must be a list of {id, kind, text, questions}")
        return ()
    by_id = {q.id: q for q in questions}
    seen: dict[str, int] = {}
    member_of: dict[str, str] = {}
    out: list[QuestionGroup] = []
    for i, g in enumerate(raw):
        loc = f"groups[{i}]"
        if not isinstance(g, dict):
            problems.append(f"{loc}: each group must be a mapping with id, kind and questions")
            continue
        gid = str(g.get("id"))
        if g.get("id") is None or not _ID.match(gid) or "__" in gid:
            problems.append(f"{loc}.id: {g.get('id')!r} must be an identifier (letters, digits, '_', no '__')")
        loc = f"{loc} ({gid})"
        for key in sorted(set(g) - set(_KEYS), key=str):
            problems.append(f"{loc}.{key}: unknown key (known: {', '.join(sorted(_KEYS))})")
        if gid in seen:
            problems.append(f"{loc}.id: {gid!r} repeats groups[{seen[gid]}]")
        seen[gid] = i
        if gid in by_id:
            problems.append(f"{loc}.id: {gid!r} is also a question id; give the group its own name")
        kind = g.get("kind", "grid")
        if kind not in GROUP_KINDS:
            problems.append(f"{loc}.kind: {kind!r} is not one of {', '.join(GROUP_KINDS)}")
            kind = "section"
        members = g.get("questions")
        if not isinstance(members, list) or not members:
            problems.append(f"{loc}.questions: give the member question ids as a non-empty list")
            members = []
        ids = [str(m) for m in members]
        for qid in ids:
            q = by_id.get(qid)
            if q is None:
                problems.append(f"{loc}.questions: {qid!r} is not a question id")
            elif qid in member_of:
                problems.append(f"{loc}.questions: {qid!r} is already in group {member_of[qid]!r}")
            elif kind == "ranking" and q.type not in ("integer", "number", "ordinal"):
                problems.append(f"{loc}.questions: ranking member {qid!r} is {q.type}; "
                                "a rank is an integer question")
            member_of.setdefault(qid, gid)
        text = g.get("text")
        text_en = text_ko = None
        if isinstance(text, dict):
            text_en = None if text.get("en") is None else str(text["en"])
            text_ko = None if text.get("ko") is None else str(text["ko"])
        elif text is not None:
            text_en = str(text)
        out.append(QuestionGroup(id=gid, kind=kind, questions=tuple(ids), text_en=text_en,
                                 text_ko=text_ko))
    return tuple(out)


def groups_to_dict(groups: tuple[QuestionGroup, ...]) -> list[dict[str, Any]]:
    out = []
    for g in groups:
        d: dict[str, Any] = {"id": g.id, "kind": g.kind}
        if g.text_en or g.text_ko:
            d["text"] = {k: v for k, v in (("en", g.text_en), ("ko", g.text_ko)) if v}
        d["questions"] = list(g.questions)
        out.append(d)
    return out
