"""Drafting, value level: what one answer text is (a number, a date, a missing token) and
how an option is named.

Pure functions over one string; the column level reads them over the distinct values of
an :class:`~survey.codebook._draft_inventory.Inventory` (vectorised twins live in
``_draft_decide``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from survey._text import normalize_key
from survey.codebook._model import Option

__all__ = [
    "MAX_LABEL",
    "MAX_OPTIONS",
    "MISSING_TEXT",
    "SENTINELS",
    "STRONG_MISSING",
    "clean_label",
    "date_kind",
    "is_integer",
    "is_number",
    "make_options",
    "norm_number",
    "present",
]

# Answers that mean "no answer" wherever a number or a date is expected.
MISSING_TEXT = frozenset({
    "n/a", "na", "#n/a", "[not completed]", "unk", "nask", "nav", "don't know", "dont know",
    "refused", "prefer not to say", "not applicable", "missing", ".", "-", "모름", "무응답",
    "#null!", "nan", "null",
})
# Numeric sentinels used as missing codes (Qualtrics -99, SPSS -9, REDCap -999 ...).
SENTINELS = frozenset({"-7", "-8", "-9", "-77", "-88", "-97", "-98", "-99", "-999", "-9999"})
# Missing codes strong enough to keep out of a choice question's options.
# Tool blanks (NA, N/A, #N/A, #NULL!, ., NaN, NULL; _draft_missing) are among them.
STRONG_MISSING = frozenset({"[not completed]", "nask", "unk", "#n/a", "n/a", "na", "#null!", ".",
                            "nan", "null"} | SENTINELS)

_INT = re.compile(r"^[+-]?(\d+|\d{1,3}(,\d{3})+)(\.0+)?$")
_NUM = re.compile(r"^[+-]?(\d+|\d{1,3}(,\d{3})+)?(\.\d+)?([eE][+-]?\d+)?$")
_TIME = r"\d{1,2}:\d{2}(:\d{2}(\.\d{1,9})?)?"
_DATE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$"), "date"),
    (re.compile(rf"^\d{{4}}-\d{{1,2}}-\d{{1,2}}[ T]{_TIME}(Z|[+-]\d{{2}}:?\d{{2}})?$"), "datetime"),
    (re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$"), "date"),
    (re.compile(rf"^\d{{1,2}}/\d{{1,2}}/\d{{4}},? {_TIME}( ?[AaPp][Mm])?$"), "datetime"),
    (re.compile(r"^\d{4}[./]\s?\d{1,2}[./]\s?\d{1,2}\.?$"), "date"),
    (re.compile(rf"^\d{{4}}[./]\s?\d{{1,2}}[./]\s?\d{{1,2}}\.?,? (오전|오후)?\s?{_TIME}$"), "datetime"),
    (re.compile(rf"^\d{{4}}/\d{{1,2}}/\d{{1,2}} {_TIME}( ?[AaPp][Mm])?$"), "datetime"),
)
_MIDNIGHT = re.compile(r"[ T]0{1,2}:00(:00(\.0+)?)?$")
_TEXT_HINT = re.compile(
    r"comment|remark|feedback|suggest|concern|anything else|please specify|specify|"
    r"open-ended|_text\b|\bnotes?\b|의견|기타|건의", re.IGNORECASE)

# Unicode White_Space, as polars' strip_chars (ingest's blank test) sees it; Python's
# str.strip also strips the separators \x1c-\x1f, which ingest keeps as a value.
_WHITE_SPACE = " \t\n\x0b\x0c\r\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006" \
               "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


def present(cell: str | None) -> bool:
    """Is ``cell`` an answer (not blank), by the same test ingest applies?"""
    return cell is not None and cell.strip(_WHITE_SPACE) != ""


MAX_OPTIONS = 40
MAX_LABEL = 120


def clean_label(text: str) -> str:
    """Label text for the codebook: NBSP to space, whitespace runs collapsed, trimmed."""
    s = unicodedata.normalize("NFC", text).replace("\u00a0", " ")
    return re.sub(r"[^\S\x1c-\x1f]+", " ", s).strip(" ")   # whitespace as ingest sees it


def norm_number(text: str) -> str:
    """``'1.0'`` -> ``'1'``: how a numeric code compares (cell formatting differs by reader)."""
    s = text.strip()
    m = re.fullmatch(r"([+-]?\d+)\.0+", s)
    return m.group(1) if m else s


def date_kind(text: str) -> str | None:
    """``'date'``, ``'datetime'`` or None for a cell that is not a recognised date."""
    s = text.strip()
    for pattern, kind in _DATE_PATTERNS:
        if pattern.match(s):
            return kind
    return None


def is_integer(text: str) -> bool:
    s = text.strip()
    if not _INT.match(s):
        return False
    digits = s.lstrip("+-").replace(",", "").split(".")[0]
    return not (len(digits) > 1 and digits.startswith("0")) and len(digits) < 10


def is_number(text: str) -> bool:
    s = text.strip()
    if not s or not _NUM.match(s) or not any(c.isdigit() for c in s):
        return False
    whole = s.lstrip("+-").replace(",", "").split(".")[0].split("e")[0].split("E")[0]
    return not (len(whole) > 1 and whole.startswith("0"))


def make_options(labels: Sequence[str]) -> tuple[Option, ...]:
    """Options from raw answer texts: merged by matching key, ordered by code when numeric,
    else by first appearance; each code names its option (an ASCII slug of the label, cut
    at a word, ``_2`` on a repeat or where it spells another option's label), ``1..k`` (``o1..ok`` beside numeric labels) only for
    labels with no ASCII letter or digit.

    >>> [o.code for o in make_options(["Very satisfied", "C++", "C#", "C", "매우"])]
    ['very_satisfied', 'c_plus_plus', 'c_sharp', 'c', '5']
    """
    first: dict[str, str] = {}
    for lab in labels:
        key = normalize_key(lab)
        if key and key not in first:
            first[key] = clean_label(lab)
    keys = list(first)
    if keys and all(re.fullmatch(r"[+-]?\d+(\.\d+)?", norm_number(k)) for k in keys):
        keys.sort(key=lambda k: float(norm_number(k)))
        return tuple(Option(code=first[k], label=first[k]) for k in keys)
    numeric_labels = any(re.fullmatch(r"[+-]?\d+", k) for k in keys)
    taken = set(keys)                 # a code never spells another option's label
    codes: list[str] = []
    for i, k in enumerate(keys, start=1):
        base = _code_slug(first[k]) or (f"o{i}" if numeric_labels else str(i))
        code, n = base, 2
        while code in codes or (code.lower() in taken and code.lower() != k):
            code = f"{base}_{n}"
            n += 1
        codes.append(code)
    return tuple(Option(code=c, label=first[k]) for c, k in zip(codes, keys, strict=True))


def _code_slug(label: str, limit: int = 32) -> str:
    s = unicodedata.normalize("NFKC", label).lower()
    s = re.sub(r"(?<=\w)#", "_sharp", re.sub(r"(?<=\w)\+\+", "_plus_plus", s))   # C#, C++
    s = re.sub(r"[^a-z0-9]+", "_", s).strip("_")
    if len(s) > limit:
        s = s[:limit].rsplit("_", 1)[0] if "_" in s[:limit] else s[:limit]
    if not s or not re.search(r"[a-z0-9]", s):
        return ""
    if re.fullmatch(r"\d+", s) and s != normalize_key(label):
        return ""
    return s
