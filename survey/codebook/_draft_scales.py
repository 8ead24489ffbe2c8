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
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

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
_NEUTRAL = re.compile(r"\b(neither\b.*\bnor|neutral|undecided|indifferent|average|fair|ok|okay|"
                      r"mixed|in between|so-so|medium|moderate)\b|보통|중립|그저 그렇다|중간")
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


@dataclass(frozen=True)
class Scale:
    """A recognised answer scale.

    ``labels``: the substantive answers from the low to the high end; ``codes``: their
    codes (``1..k``, or the numbers the labels carry); ``missing``: non-substantive answers
    as seen; ``kind``: ``agreement``, ``satisfaction`` ... ``frequency``, ``rating``
    (numbered); ``doubt``: why the order is a guess, or None when every label is read.
    """

    kind: str
    labels: tuple[str, ...]
    codes: tuple[str, ...]
    missing: tuple[str, ...] = ()
    doubt: str | None = None


def _norm(label: str) -> str:
    s = unicodedata.normalize("NFKC", label).replace("\u00a0", " ").lower()
    s = re.sub(r"[’`]", "'", s)
    s = re.sub(r"<[^>]+>", " ", s)
    return re.sub(r"\s+", " ", s).strip(" .")


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


_UNITS: dict[str, float] = {
    "second": 1 / 86400, "sec": 1 / 86400, "minute": 1 / 1440, "min": 1 / 1440, "hour": 1 / 24,
    "hr": 1 / 24, "day": 1.0, "week": 7.0, "wk": 7.0, "month": 30.4, "mo": 30.4, "year": 365.25,
    "yr": 365.25, "decade": 3652.5, "초": 1 / 86400, "분": 1 / 1440, "시간": 1 / 24, "일": 1.0,
    "주": 7.0, "개월": 30.4, "달": 30.4, "년": 365.25,
}
_UNIT = re.compile(r"(seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|wks?|months?|mos?|"
                   r"years?|yrs?|decades?|초|분|시간|일|주|개월|달|년)(?![a-z])")
_NUM = r"(\d+(?:\.\d+)?)"
_LESS = re.compile(r"^(less than|under|fewer than|up to|within|below|<|<=|≤)\s*")
_MORE = re.compile(r"^(more than|over|above|at least|greater than|>|>=|≥)\s*")
_KO_LESS = re.compile(r"(미만|이하|이내|안 ?됨)$")
_KO_MORE = re.compile(r"(이상|초과|넘게)$")
_NEVER = re.compile(r"^(never|none|not yet|no time|0|해당 없음|없음|전혀)$")


def _duration_value(label: str) -> tuple[float, str | None] | None:
    """(position in units, unit) of ``Less than 1 year`` / ``1-2 years`` / ``10+ years`` /
    ``Weeks`` / ``1년 미만``; the unit may be left to the other labels (None)."""
    s = re.sub(r"\s+(a|per|each|every)\s+(day|week|month|year)$", "", _norm(label))   # "... a day"
    if _NEVER.match(s):
        return -1.0, None
    unit_m = _UNIT.search(s)
    unit = None
    if unit_m:
        unit = unit_m.group(1)
        unit = next((u for u in _UNITS if unit == u or unit.rstrip("s") == u), unit)
    body = _UNIT.sub(" ", s).strip()
    body = re.sub(r"\b(a|an|one)\s*$", "1", body)
    nums = [float(x) for x in re.findall(_NUM, body)]
    if not nums:
        if unit is not None and re.fullmatch(r"(a |one |per |every |a few |several )?", body + " " if body else ""):
            return 1.0, unit                             # "Days", "Weeks", "A few months"
        return None
    rest = re.sub(_NUM, " ", body)
    rest = re.sub(r"\s+", " ", rest).strip()
    if len(nums) == 2 and re.fullmatch(r"(between )?(-|–|—|~|to|and)?", rest.replace(" ", "")
                                       .replace("between", "between ").strip()) is not None:
        return (nums[0] + nums[1]) / 2, unit
    if len(nums) != 1:
        return None
    n = nums[0]
    if _LESS.match(body) or _KO_LESS.search(body) or re.search(r"or (less|fewer)$", rest):
        return n - 0.01, unit
    if _MORE.match(body) or _KO_MORE.search(body) or rest in ("+",) or re.search(r"or (more|longer)$", rest):
        return n + 0.01, unit
    if rest in ("", "about", "approximately"):
        return n, unit
    return None


def _duration(labels: Sequence[str]) -> Scale | None:
    """Durations and experience: ``Days`` < ``Weeks`` < ``Months``; ``Less than 1 year`` <
    ``1-2 years`` < ``More than 10 years``; ``1년 미만`` < ``1~3년`` < ``10년 이상``."""
    parsed = [_duration_value(lab) for lab in labels]
    if any(p is None for p in parsed) or len(labels) < 3:
        return None
    units = [u for _, u in parsed if u is not None]     # type: ignore[misc]
    if not units:
        return None
    common = max(set(units), key=units.count)
    values = []
    for (v, u), lab in zip(parsed, labels, strict=True):    # type: ignore[misc]
        if v < 0:
            values.append(-1.0)
            continue
        size = _UNITS.get(u or common)
        if size is None:
            return None
        values.append(v * size)
    if len(set(values)) != len(values):
        return None
    order = sorted(range(len(labels)), key=lambda i: values[i])
    return Scale("duration", tuple(labels[i] for i in order),
                 tuple(str(i) for i in range(1, len(labels) + 1)))


_CURRENCY = re.compile(r"[$€£¥₩]|\b(usd|eur|gbp|krw|dollars?|euros?|pounds?|won)\b|원")
_BAND_LOW = re.compile(r"^(less than|under|below|fewer than|up to|younger than|<=|<|≤)\s*|"
                       r"# ([a-z]+ ){0,2}(or (less|fewer|younger|under|below)|and (under|below|younger))\b|미만|이하")
_BAND_HIGH = re.compile(r"^(more than|over|above|at least|greater than|older than|>=|>|≥)\s*|"
                        r"# ?\+|# ([a-z]+ ){0,2}(or (more|older|over|above|higher)|and (over|above|older|up)|plus)\b|"
                        r"이상|초과")
_BAND_NUM = re.compile(r"(\d+(?:\.\d+)?)\s*(k|m)?(?![\d.])")


def _band_value(label: str) -> tuple[float, float, str, str] | None:
    """(lower bound, side, shape, filler words) of ``18-24 years old``, ``Under 18``,
    ``65 years or older``, ``$100,000 - $149,999``, ``> 60``, ``150000``: side -1 below the
    number, +1 above it, 0 a range or a point; shape ``range``, ``open`` or ``point``."""
    s = _CURRENCY.sub(" ", _norm(label))
    if _NEVER.match(s) or s in ("no one", "nobody", "nothing", "zero"):
        return -1.0, 0.0, "none", ""
    s = re.sub(r"(?<=\d),(?=\d{3}\b)", "", s)
    s = re.sub(r"\s+", " ", s).strip()
    nums = [float(n) * {"k": 1e3, "m": 1e6}.get(u, 1.0) for n, u in _BAND_NUM.findall(s)]
    body = re.sub(r"\s+", " ", _BAND_NUM.sub(" # ", s)).strip()
    words = re.sub(r"[#\-–—~+<>≤≥=]|\bto\b|\bbetween\b|\band\b|\bor\b|\b(less|more|fewer|"
                   r"under|over|below|above|up|at|least|than|older|younger|greater|plus|higher)\b",
                   " ", body)
    filler = " ".join(words.split())
    if len(nums) == 2 and re.fullmatch(r"(between )?# ?(-|–|—|~|to|and) ?#.*", body):
        return min(nums), 0.0, "range", filler
    if len(nums) != 1:
        return None
    low, high = _BAND_LOW.search(body), _BAND_HIGH.search(body)
    if low and not high:
        return nums[0], -1.0, "open", filler
    if high and not low:
        return nums[0], 1.0, "open", filler
    return (nums[0], 0.0, "point", filler) if body.startswith("#") else None


def _bands(labels: Sequence[str]) -> Scale | None:
    """Numeric classes: age groups, income bands, size classes, ordered by their numbers
    (``Under 18 years old`` < ``18-24 years old`` < ... < ``65 years or older``)."""
    if len(labels) < 3:
        return None
    parsed = [_band_value(lab) for lab in labels]
    if any(p is None for p in parsed):
        return None
    shapes = [p[2] for p in parsed]                      # type: ignore[index]
    fillers = {w for p in parsed for w in p[3].split()}  # type: ignore[index]
    if shapes.count("range") < 2 or len(fillers) > 4 or any(not w.isalpha() for w in fillers):
        return None
    keys = [(p[0], p[1]) for p in parsed]                # type: ignore[index]
    if len(set(keys)) != len(keys):
        return None
    order = sorted(range(len(labels)), key=lambda i: keys[i])
    points = [labels[i] for i, sh in enumerate(shapes) if sh == "point"]
    doubt = (f"{_quote_few(points)} {'is a bare number' if len(points) == 1 else 'are bare numbers'} "
             "among ranges; its place is a guess") if points else None
    return Scale("range", tuple(labels[i] for i in order),
                 tuple(str(i) for i in range(1, len(labels) + 1)), (), doubt)


def _quote_few(values: Sequence[str]) -> str:
    return ", ".join(repr(v) for v in values[:3])


_DEGREE_WORDS: tuple[tuple[str, float], ...] = (
    ("not at all", 0.0), ("not in the least", 0.0), ("not very", 0.7), ("not", 0.5),
    ("a little", 1.0), ("slightly", 1.0), ("a bit", 1.0), ("somewhat", 1.5),
    ("moderately", 1.5), ("fairly", 1.5), ("rather", 1.5), ("quite", 2.5), ("very", 3.0),
    ("highly", 3.0), ("really", 3.0), ("extremely", 3.5), ("completely", 3.5),
    ("totally", 3.5), ("absolutely", 3.5),
)


def _degree_family(labels: Sequence[str]) -> Scale | None:
    """One adjective under degree words: ``No, not rude at all`` < ``Yes, somewhat rude`` <
    ``Yes, very rude``; ``Not at all worried`` < ``A little worried`` < ``Very worried``."""
    if len(labels) < 3:
        return None
    stems, values = set(), []
    for lab in labels:
        s = re.sub(r"^(yes|no)\s*[,:;-]?\s*", "", _norm(lab))
        at_all = s.endswith(" at all")
        s = s.removesuffix(" at all").strip()
        found = next(((w, v) for w, v in _DEGREE_WORDS if s.startswith(w + " ")), None)
        if found is None:
            stem, value = s, 2.0
        else:
            stem, value = s[len(found[0]):].strip(), found[1]
        if at_all:
            if value != 0.5:
                return None
            value = 0.0
        if not re.fullmatch(r"[a-z][a-z' -]{1,30}", stem):
            return None
        stems.add(stem)
        values.append(value)
    if len(stems) != 1 or len(set(values)) != len(values):
        return None
    order = sorted(range(len(labels)), key=lambda i: values[i])
    return Scale("degree", tuple(labels[i] for i in order),
                 tuple(str(i) for i in range(1, len(labels) + 1)))


_YES_NO_DEGREE: tuple[tuple[str, float], ...] = (
    ("definitely not", -3.0), ("absolutely not", -3.0), ("not at all", -3.0), ("not really", -1.0),
    ("probably not", -1.0), ("definitely", 3.0), ("absolutely", 3.0), ("completely", 3.0),
    ("very much", 3.0), ("certainly", 3.0), ("somewhat", 1.0), ("sort of", 1.0), ("partly", 1.0),
    ("partially", 1.0), ("mostly", 1.5), ("probably", 1.0), ("a little", 1.0), ("", 2.0),
)


def _yes_no_family(labels: Sequence[str]) -> Scale | None:
    """``No, not at all`` < ``No, not really`` < ``Neutral`` < ``Yes, somewhat`` <
    ``Yes, definitely``: a yes/no answer graded by a degree word."""
    values, signs = [], set()
    for lab in labels:
        s = _norm(lab)
        m = re.fullmatch(r"(yes|no)\b\s*[,:;-]?\s*(.*)", s)
        if m is None:
            if not _NEUTRAL.search(s):
                return None
            values.append(0.0)
            continue
        sign = 1.0 if m.group(1) == "yes" else -1.0
        degree = dict(_YES_NO_DEGREE).get(m.group(2).strip())
        if degree is None:
            return None
        signs.add(sign)
        values.append(degree if degree < 0 else sign * degree)
    if len(labels) < 3 or signs != {1.0, -1.0} or len(set(values)) != len(values):
        return None
    order = sorted(range(len(labels)), key=lambda i: values[i])
    return Scale("agreement", tuple(labels[i] for i in order),
                 tuple(str(i) for i in range(1, len(labels) + 1)))


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
    duration = _duration(subst)
    if duration is not None:
        return Scale(duration.kind, duration.labels, duration.codes, missing)
    bands = _bands(subst)
    if bands is not None:
        return Scale(bands.kind, bands.labels, bands.codes, missing, bands.doubt)
    numbered = _numbered(subst)
    if numbered is not None:
        return Scale(numbered.kind, numbered.labels, numbered.codes, missing,
                     None if len(subst) >= 3 else "only two points seen")
    scored = [_score(lab) for lab in subst]
    if any(s is None for s in scored):
        degree = _degree_family(subst) or _yes_no_family(subst)
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
