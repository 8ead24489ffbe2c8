"""Drafting: answer scales read from the quantities their labels name, not from root words.

Durations and experience (``Days`` < ``Weeks``; ``Less than 1 year`` < ``1-2 years``),
numeric classes (age groups, income bands, size classes), levels of education
(``Less than high school`` < ``High school`` < ``Bachelor's`` < ``Doctorate``), one
adjective under degree words (``Not at all worried`` < ``A little worried`` < ``Very worried``) and a yes/no
answer graded by a degree word. Each reader takes the substantive labels and gives a
:class:`Scale` from the low to the high end, or None when the labels are not of its kind;
:func:`survey.codebook._draft_scales.recognise_scale` tries them in turn.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["NEUTRAL", "Scale", "bands", "degree_family", "duration", "education", "norm", "yes_no_family"]

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


def norm(label: str) -> str:
    s = unicodedata.normalize("NFKC", label).replace("\u00a0", " ").lower()
    s = re.sub(r"[’`]", "'", s)
    s = re.sub(r"<[^>]+>", " ", s)
    return re.sub(r"\s+", " ", s).strip(" .")


NEUTRAL = re.compile(r"\b(neither\b.*\bnor|neutral|undecided|indifferent|average|fair|ok|okay|"
                      r"mixed|in between|so-so|medium|moderate)\b|보통|중립|그저 그렇다|중간")


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
    s = re.sub(r"\s+(a|per|each|every)\s+(day|week|month|year)$", "", norm(label))   # "... a day"
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


def duration(labels: Sequence[str]) -> Scale | None:
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
    s = _CURRENCY.sub(" ", norm(label))
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


def bands(labels: Sequence[str]) -> Scale | None:
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


def degree_family(labels: Sequence[str]) -> Scale | None:
    """One adjective under degree words: ``No, not rude at all`` < ``Yes, somewhat rude`` <
    ``Yes, very rude``; ``Not at all worried`` < ``A little worried`` < ``Very worried``."""
    if len(labels) < 3:
        return None
    stems, values = set(), []
    for lab in labels:
        s = re.sub(r"^(yes|no)\s*[,:;-]?\s*", "", norm(lab))
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


def yes_no_family(labels: Sequence[str]) -> Scale | None:
    """``No, not at all`` < ``No, not really`` < ``Neutral`` < ``Yes, somewhat`` <
    ``Yes, definitely``: a yes/no answer graded by a degree word."""
    values, signs = [], set()
    for lab in labels:
        s = norm(lab)
        m = re.fullmatch(r"(yes|no)\b\s*[,:;-]?\s*(.*)", s)
        if m is None:
            if not NEUTRAL.search(s):
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


# Levels of schooling on the ladder of the ACS's SCHL (no schooling < primary < ... <
# a master's < a professional degree < a doctorate). The first pattern a label matches
# places it, so the partial levels ("some college, no degree", "graduate courses, no
# graduate degree", "less than high school") are read before the level they fall short of,
# and "graduate school or above (master's/doctorate)" before a doctorate.
_EDUCATION: tuple[tuple[re.Pattern[str], float], ...] = tuple((re.compile(p), v) for p, v in (
    (r"\b(some graduate|graduate courses?|no graduate degree)\b", 4.5),
    ((r"\b(some (college|university)|no (college|university) degree|college,? but no degree|"
      r"without (earning )?a bachelor)"), 2.5),
    (r"\b((less than|some|no|not (finish|complete)[a-z]*) (a )?(high school|secondary))", 1.8),
    (r"\b(no (formal )?(schooling|education)|never attended|did not attend)\b|다니지 않|무학", 0.0),
    (r"\b(primary|elementary|grade school)\b|초등|국민학교", 1.0),
    (r"\b(middle school|junior high|lower secondary)\b|중학교", 1.5),
    (r"\b(trade|technical|vocational)\b|post-?secondary", 2.7),
    (r"\b(associate'?s?|2-year|two-year)\b|전문대", 3.0),
    (r"\b(master'?s?|(?<!under)graduate (degree|school|studies)|post-?graduate|mba|m\.?sc?)\b|석사|대학원", 5.0),
    (r"\bprofessional (degree|school)\b", 5.5),
    (r"\b(doctor(al|ate)?|ph\.? ?d|d\.?phil|ed\.? ?d)\b|박사", 6.0),
    ((r"\b(bachelor'?s?|undergraduate|college (degree|graduate)|university degree|4-year|four-year|"
      r"b\.?a|b\.?sc?)\b|대졸|대학교"), 4.0),
    (r"\b(high school|secondary|ged|a-levels?|gcse)\b|고등학교|고졸", 2.0),
))


def education(labels: Sequence[str]) -> Scale | None:
    """Levels of education from the lowest: ``Less than high school degree`` <
    ``High school degree`` < ``Some college or Associate degree`` < ``Bachelor degree`` <
    ``Graduate degree``. Every label must name a level, three at least, each its own."""
    if len(labels) < 3:
        return None
    values = []
    for lab in labels:
        s = norm(lab)
        value = next((v for pattern, v in _EDUCATION if pattern.search(s)), None)
        if value is None:
            return None
        values.append(value)
    if len(set(values)) != len(values):
        return None
    order = sorted(range(len(labels)), key=lambda i: values[i])
    vocational = [lab for lab, v in zip(labels, values) if v == 2.7]
    doubt = (f"{_quote_few(vocational)} placed after high school and some college, before an "
             "associate degree (as the ACS); where vocational training ranks is a convention"
             if vocational else None)
    return Scale("education", tuple(labels[i] for i in order),
                 tuple(str(i) for i in range(1, len(labels) + 1)), (), doubt)
