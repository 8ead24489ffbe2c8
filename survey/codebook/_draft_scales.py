"""Drafting: recognise an answer scale from its labels, as a person reading them would.

``recognise_scale(["Somewhat favorably", "Very unfavorably", "Unfamiliar (N/A)", ...])``
sorts the substantive labels from the low end to the high end of the scale and sets the
non-substantive answers (N/A, Don't know, Refused, 모름 ...) apart as missing codes.
Scales known: agree/disagree, satisfied, likely, favourably, important, quality
(poor ... excellent), frequency (never ... always), numbered answers with end labels
(``1 - Strongly disagree`` ... ``5 - Strongly agree``), 0-10, and their Korean forms
(매우 그렇다 ... 전혀 그렇지 않다, 매우 만족 ... 매우 불만족, 매우 중요 ...).

A label is scored on one axis: a root word gives the direction (``agree`` +,
``disagree`` -), a modifier the strength (``strongly``/``매우`` 3, ``somewhat`` 1.5,
``slightly`` 1, none 2, ``not at all``/``전혀`` the far negative end), a neutral word
(``neither``, ``neutral``, ``보통``) 0.  Every substantive label must carry a root of the
same scale and the scores must differ; otherwise the labels are not a scale.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import lru_cache

from survey.codebook._draft_scale_kinds import NEUTRAL as _NEUTRAL
from survey.codebook._draft_scale_kinds import (
    Scale,
    bands,
    degree_family,
    duration,
    education,
    yes_no_family,
)
from survey.codebook._draft_scale_kinds import norm as _norm

__all__ = ["SCALE_NOUNS", "Scale", "is_non_substantive", "recognise_scale"]

# Non-substantive answers: missing codes, never scale points.
_NON_SUBSTANTIVE = re.compile(
    r"^\(?(i |i'd )?(n/?a|#n/a|#null!|nan|null|-99|na|not applicable|does not apply|doesn't apply|don'?t know|do not know|"
    r"dk|not sure|unsure|no opinion|can'?t say|cannot say|prefer not to (say|answer)|"
    r"rather not say|refused?|declined?( to answer)?|no answer|unfamiliar|not familiar|"
    r"never heard of (it|them|him|her)|unknown|모름|모르겠음|잘 모르겠음|잘 모르겠다|모르겠다|"
    r"해당 ?없음|해당 ?사항 ?없음|무응답|응답 ?거절)\)?$")
_NON_SUBSTANTIVE_LONG = re.compile(
    r"^(i |i'm |i am )?(do not|don'?t|dont) (really )?know (what|who|how|if|whether|about|enough|of)\b|"
    r"^(i'?ve |i have )?never heard of\b|^(i'm |i am )?not (sure|familiar with) (what|who|how|about)\b|"
    r"^(i )?(prefer|would prefer|'d prefer) not to\b|^no idea\b|^(무엇인지|뭔지) ?모름|^잘 모름")
_NA_INSIDE = re.compile(r"\((n/?a|not applicable|don'?t know|no opinion)\)|\bunfamiliar\b|"
                        r"\bnot familiar\b|\bnever heard of\b|해당 ?없음|모름")

# scale kind -> (positive roots, negative roots); roots are matched as whole words
_ROOTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "agreement": (("agree", "agreed", "true", "그렇", "그런", "동의"),
                  ("disagree", "disagreed", "untrue", "반대")),
    "satisfaction": (("satisfied", "satisfying", "content", "만족"),
                     ("dissatisfied", "unsatisfied", "unsatisfying", "불만족", "불만")),
    "likelihood": (("likely", "probable", "probably", "가능성 높음", "높음"),
                   ("unlikely", "improbable", "가능성 낮음", "낮음")),
    "favorability": (("favorably", "favourably", "favorable", "favourable", "positive",
                      "positively", "호의적", "긍정적"),
                     ("unfavorably", "unfavourably", "unfavorable", "unfavourable", "negative",
                      "negatively", "비호의적", "부정적")),
    "importance": (("important", "중요"), ("unimportant",)),
    "quality": (("good", "excellent", "great", "superb", "좋음", "우수", "훌륭함"),
                ("poor", "bad", "terrible", "awful", "나쁨", "미흡", "불량")),
    "interest": (("interested", "관심 있음", "관심 있다"), ("uninterested", "관심 없음", "관심 없다")),
    "ease": (("easy", "쉬움", "쉽다"), ("difficult", "hard", "어려움", "어렵다")),
    "concern": (("concerned", "worried", "걱정됨"), ("unconcerned", "걱정 안 됨")),
    "confidence": (("confident", "자신 있음"), ("unconfident", "자신 없음")),
    "usefulness": (("useful", "helpful", "유용함", "도움이 됨"), ("useless", "unhelpful")),
    "trust": (("trust", "trusted", "신뢰"), ("distrust", "mistrust", "불신")),
}
# Frequency words scored directly (a unipolar scale).
_FREQUENCY: tuple[tuple[str, float], ...] = (
    ("almost never", 1.0), ("hardly ever", 1.0), ("never", 0.0), ("rarely", 1.0),
    ("seldom", 1.0), ("once in a while", 2.0), ("occasionally", 2.0), ("sometimes", 2.5),
    ("often", 3.0), ("frequently", 3.0), ("usually", 3.5), ("most of the time", 3.5),
    ("about half the time", 2.5), ("half the time", 2.5), ("some of the time", 2.0),
    ("almost always", 4.0), ("nearly always", 4.0), ("always", 5.0), ("very often", 3.8),
    ("거의 항상", 4.0), ("항상", 5.0), ("늘", 5.0), ("자주", 3.0), ("가끔", 2.0),
    ("때때로", 2.5), ("거의 없음", 1.0), ("거의 안 함", 1.0), ("전혀 없음", 0.0),
    ("전혀 안 함", 0.0), ("드물게", 1.0),
)
_EXTREME = re.compile(r"^(extremely|completely|totally|entirely|absolutely|highly|fully|"
                      r"very much|매우|아주|대단히|정말)\b")
_STRONG = re.compile(r"^(strongly|very|much|definitely|certainly|quite|많이|꽤)\b")
_MILD = re.compile(r"^(somewhat|moderately|fairly|mostly|rather|reasonably|tend to|partly|"
                   r"약간|다소|어느 정도|대체로|그런 편)\b")
_SLIGHT = re.compile(r"^(slightly|a little|a bit|barely|조금|별로)\b")
_NOT_AT_ALL = re.compile(r"^(not at all|not in the least|전혀)\b")
_NOT = re.compile(r"^(not|not very|no)\b")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_KO_DEGREE_VALUE = {"매우": 3.0, "아주": 3.0, "대단히": 3.0, "정말": 3.0, "충분히": 3.0,
                    "적극적으로": 3.0, "어느정도": 1.5, "다소": 1.5, "대체로": 1.5, "약간": 1.0,
                    "조금": 1.0, "별로": -1.5, "그다지": -1.5, "거의": -3.0, "전혀": -4.0}
_KO_DEGREE = re.compile(r"^(매우|아주|대단히|정말|충분히|적극적으로|어느 ?정도|다소|대체로|약간|조금|"
                        r"별로|그다지|거의|전혀)\s")
_KO_NEGATION = re.compile(r"지 ?않|않은|않는|않다|않음|아니다|아닌")
_NUMBERED = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(?:[-–—:=.)]\s*|\s+)?(.*)$")
# the end label first, the number glued on or after a dash/bracket: "Very helpful10",
# "Very helpful - 10", "Very helpful (10)" (LimeSurvey's slider/array ends seen in exports)
_TRAILING = re.compile(r"^([^\d]*[^\W\d_])\s*(?:[-–—:=(]\s*)?(\d+)\)?$")

SCALE_NOUNS: dict[str, str] = {k: k for k in (*_ROOTS, "frequency", "rating", "degree", "duration", "range")}
"""Scale kind -> the noun a person would name a grid of it by (``favorability``)."""




@lru_cache(maxsize=8192)
def is_non_substantive(label: str) -> bool:
    """Answers that say there is no answer: N/A, Don't know, Refused, Unfamiliar, 모름 ..."""
    if label.strip() in (".", "-", "--"):      # SAS/Stata system missing, a dash for none
        return True
    s = _norm(label)
    s_plain = re.sub(r"\s*\(.*\)$", "", s)
    return bool(_NON_SUBSTANTIVE.match(s) or _NON_SUBSTANTIVE.match(s_plain) or _NA_INSIDE.search(s)
                or _NON_SUBSTANTIVE_LONG.search(s))


def _has(text: str, word: str) -> bool:
    if re.search(r"[\uac00-\ud7a3]", word):
        return word in text
    return re.search(rf"(?<![a-z']){re.escape(word)}(?![a-z])", text) is not None


_MODIFIER_ONLY: dict[str, float] = {
    "not at all": -4.0, "slightly": 1.0, "a little": 1.0, "somewhat": 1.5, "moderately": 1.5,
    "fairly": 1.5, "quite": 2.5, "very": 3.0, "very much": 3.0, "extremely": 3.5,
    "completely": 3.5, "전혀": -4.0, "약간": 1.0, "조금": 1.0, "다소": 1.5, "꽤": 2.5,
    "매우": 3.0, "아주": 3.0,
}


_PERIOD = {"hour": 8766.0, "day": 365.0, "week": 52.0, "month": 12.0, "quarter": 4.0, "year": 1.0}
_RATE_WORD = {"hourly": 8766.0, "daily": 365.0, "every day": 365.0, "weekly": 52.0,
              "every week": 52.0, "monthly": 12.0, "every month": 12.0, "quarterly": 4.0,
              "yearly": 1.0, "annually": 1.0, "every year": 1.0, "매일": 365.0, "매주": 52.0,
              "매월": 12.0, "매달": 12.0, "매년": 1.0}
_RATE = re.compile(r"^(less than |more than |at least |about )?(once|twice|\d+(?:-\d+)?\+? times|"
                   r"a few times|a couple of times|several times|multiple times|many times)?\s*"
                   r"(a|an|per|each|every|in a)\s+(hour|day|week|month|quarter|year)")


def _rate(s: str) -> float | None:
    """Times per year of ``Daily``, ``Weekly``, ``A few times a month``, ``Less than once a
    year``, ``Between once a week and once a day``, ``Weekly -- between ...``: frequency
    scales of use, as a score that grows with the rate."""
    if re.match(r"^(i have |i've |i )?never\b|^i (don'?t|do not) use\b", s):
        return 0.0
    if " -- " in s or " - " in s:              # "Weekly -- Between once a week and once a day"
        parts = [p.strip() for p in re.split(r" -- | - ", s)]
        found = [r for r in (_rate(p) for p in parts) if r is not None]
        return found[0] if found else None
    m = re.match(r"^between (.+?) and (.+)$", s)
    if m:
        low, high = _rate(m.group(1)), _rate(m.group(2))
        return None if low is None or high is None else (low + high) / 2
    per_year = _RATE_WORD.get(s) or _RATE_WORD.get(re.split(r" or |,", s)[0].strip())
    if per_year is None:
        m = _RATE.match(s)
        if m is None:
            return None
        times = {"once": 1.0, "twice": 2.0, None: 1.0}.get(m.group(2), None)
        if times is None:
            d = re.findall(r"\d+", m.group(2))
            times = sum(map(float, d)) / len(d) if d else 3.0
        per_year = times * _PERIOD[m.group(4)]
        if m.group(1) == "less than ":
            per_year *= 0.9
        elif m.group(1) in ("more than ", "at least "):
            per_year *= 1.1
    return 0.5 + math.log10(per_year + 1)


@lru_cache(maxsize=4096)        # a wide export repeats its scales' labels in many columns
def _score(label: str) -> tuple[str, float] | None:
    """(kind, score) of one substantive label, or None when no scale reads it.

    Kind ``""`` is a label that fits any scale: a neutral point (``Neutral``, ``보통``) or
    a bare modifier (``very``, ``moderately``) beside labels that name the scale.
    """
    s = re.sub(r"\s*\((neutral|중립)\)$", "", _norm(label))
    if s in _MODIFIER_ONLY:
        return "", _MODIFIER_ONLY[s]
    rate = _rate(s)
    if rate is not None:
        return "frequency", rate
    for word, value in sorted(_FREQUENCY, key=lambda t: -len(t[0])):
        if s == word or s.startswith(word + " ") or s == word.replace(" ", ""):
            return "frequency", value
    neutral = bool(_NEUTRAL.search(s))
    found: list[tuple[str, int, int]] = []       # kind, sign, root length
    for kind, (pos, neg) in _ROOTS.items():
        rest = s
        for sign, roots in ((-1, neg), (1, pos)):
            for r in sorted(roots, key=len, reverse=True):
                if _has(rest, r):
                    found.append((kind, sign, len(r)))
                    rest = rest.replace(r, " ")   # 불만족 is not also 만족
    if not found and not neutral and _HANGUL.search(s):
        return _korean_degree(s)
    if not found:
        return ("", 0.0) if neutral else None
    if _KO_NEGATION.search(s):               # 중요하지 않은 편, 만족하지 않는다: the root negated
        found = [(k, -1, n) for k, _, n in found]
    kind = max(found, key=lambda t: t[2])[0]
    if neutral or {sg for k, sg, _ in found if k == kind} == {1, -1}:
        return kind, 0.0
    sign = max((t for t in found if t[0] == kind), key=lambda t: t[2])[1]
    if _NOT_AT_ALL.search(s) or "전혀" in s:
        return kind, -4.0
    if _NOT.search(s) and sign > 0:
        return kind, -1.0 if re.match(r"^not very\b", s) else -2.0
    if _EXTREME.search(s):
        strength = 3.0 if s.startswith(("매우", "아주", "정말")) else 3.5
    elif _STRONG.search(s):
        strength = 3.0
    elif _SLIGHT.search(s):
        strength = 1.0
    elif _MILD.search(s) or re.search(r"(인|운|한|은|는) 편(이다)?$", s):
        strength = 1.5
    else:
        strength = 2.0
    if kind == "quality" and sign > 0 and re.search(r"excellent|superb|훌륭", s):
        strength = max(strength, 3.5)
    return kind, sign * strength


def _korean_degree(s: str) -> tuple[str, float] | None:
    """매우 심각하다 / 어느 정도 심각하다 / 별로 심각하지 않다 / 전혀 심각하지 않다: a degree
    modifier (or a negated verb) on any predicate, the commonest Korean answer scale."""
    m = _KO_DEGREE.match(s)
    negated = bool(_KO_NEGATION.search(s) or re.search(r"없|못|모른|모르", s))
    if m is None and not negated:
        return None
    value = _KO_DEGREE_VALUE[re.sub(r"\s", "", m.group(1))] if m else 2.0
    if negated and value > 0:
        value = -value
    return "degree", value


def _numbered(labels: Sequence[str]) -> Scale | None:
    """``1 - Strongly disagree``, ``2``, ..., ``5 - Strongly agree``; 0-10 with or without end
    labels, which may also carry their number after them beside bare numbers
    (``Not helpful1``, ``2`` ... ``Very helpful10``)."""
    parsed = []
    trailing = 0
    for lab in labels:
        m = _NUMBERED.match(_norm(lab))
        if m is None:
            t = _TRAILING.match(_norm(lab))
            if t is None:
                return None
            parsed.append((float(t.group(2)), lab, t.group(1)))
            trailing += 1
            continue
        parsed.append((float(m.group(1)), lab, m.group(2)))
    if trailing and (trailing > 2 or 2 * sum(not t for _, _, t in parsed) < len(parsed)):
        return None          # an end label with its number after it: only beside bare numbers
    values = sorted(v for v, _, _ in parsed)
    if len(set(values)) != len(values) or not all(v.is_integer() for v in values):
        return None
    lo, hi = values[0], values[-1]
    if hi - lo > 10 or lo < -5:
        return None
    texts = [t for _, _, t in parsed if t]
    if any(not re.match(r"[^\W\d_]", t) for t in texts):
        return None          # "20 ~ 24", "10%", "18-29": ranges and amounts, not scale points
    if not texts:
        return None          # bare numbers: the caller decides (integer or rating)
    parsed.sort()
    codes = tuple(str(int(v)) for v, _, _ in parsed)
    return Scale("rating", tuple(lab.strip() for _, lab, _ in parsed), codes)


def recognise_scale(labels: Sequence[str]) -> Scale | None:
    """The scale the distinct answer ``labels`` come from, or None when they are not one.

    >>> s = recognise_scale(["Agree", "Strongly disagree", "Neither agree nor disagree",
    ...                      "Strongly agree", "Disagree", "Don't know"])
    >>> s.labels[0], s.labels[-1], s.missing
    ('Strongly disagree', 'Strongly agree', ("Don't know",))
    >>> recognise_scale(["매우 그렇다", "그렇다", "보통이다", "전혀 그렇지 않다", "그렇지 않다"]).labels[0]
    '전혀 그렇지 않다'
    """
    return _recognise(tuple(labels))


@lru_cache(maxsize=512)         # the same answers recur across a wide export's columns
def _recognise(labels: tuple[str, ...]) -> Scale | None:
    distinct = list(dict.fromkeys(lab.strip() for lab in labels if lab and lab.strip()))
    missing = tuple(lab for lab in distinct if is_non_substantive(lab))
    subst = [lab for lab in distinct if lab not in missing]
    if len(subst) < 2:
        return None
    duration_ = duration(subst)
    if duration_ is not None:
        return Scale(duration_.kind, duration_.labels, duration_.codes, missing)
    education_ = education(subst)
    if education_ is not None:
        return Scale(education_.kind, education_.labels, education_.codes, missing, education_.doubt)
    bands_ = bands(subst)
    if bands_ is not None:
        return Scale(bands_.kind, bands_.labels, bands_.codes, missing, bands_.doubt)
    numbered = _numbered(subst)
    if numbered is not None:
        return Scale(numbered.kind, numbered.labels, numbered.codes, missing,
                     None if len(subst) >= 3 else "only two points seen")
    scored = [_score(lab) for lab in subst]
    if any(s is None for s in scored):
        degree = degree_family(subst) or yes_no_family(subst)
        return None if degree is None else Scale(degree.kind, degree.labels, degree.codes, missing)
    pairs = [s for s in scored if s is not None]
    kinds = {k for k, v in pairs if k}
    if len(kinds) > 1:
        return None
    if not kinds and (len(subst) < 3 or all(v == 0.0 for _, v in pairs)):
        return None
    kind = kinds.pop() if kinds else "rating"
    values = [v for _, v in pairs]
    if len(set(values)) != len(values):
        return None
    order = sorted(range(len(subst)), key=lambda i: values[i])
    ordered = tuple(subst[i] for i in order)
    doubt = None
    if len(subst) < 3:
        doubt = "only two answers seen"
    elif any(k == "" and v != 0.0 for k, v in pairs):
        doubt = "some answers are a bare modifier ('very'); their place is a guess"
    elif kind not in ("frequency", "importance") and not min(values) < 0 < max(values):
        doubt = "one end of the scale never seen"
    return Scale(kind, ordered, tuple(str(i) for i in range(1, len(ordered) + 1)), missing, doubt)
