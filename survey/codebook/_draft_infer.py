"""Drafting, value level: infer a column's type, options and missing codes from its cells.

Pure functions over a list of cells (``str`` or ``None`` for blank), so they are easy to
test and to drive with hypothesis.  The column level (grouping, ids, names) lives in
``_draft_groups`` and ``_draft``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from survey._text import normalize_key
from survey.codebook._model import MissingCode, Option

__all__ = [
    "Inferred",
    "clean_label",
    "date_kind",
    "infer_column",
    "make_options",
    "norm_number",
    "split_delimited",
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
    r"open-ended|_text$|\bnotes?\b|의견|기타|건의", re.IGNORECASE)

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


@dataclass
class Inferred:
    """What the cells of one column say about its question."""

    type: str
    options: tuple[Option, ...] = ()
    missing: tuple[MissingCode, ...] = ()
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)


def _missing_split(values: Sequence[str]) -> tuple[list[str], list[str]]:
    """Split values into substantive ones and missing tokens (sentinels only when others >= 0)."""
    rest = [v for v in values if normalize_key(v) not in MISSING_TEXT]
    sentinel_free = [v for v in rest if norm_number(v) not in SENTINELS]
    if sentinel_free and all(is_number(v) and not v.strip().startswith("-") for v in sentinel_free):
        rest = sentinel_free
    kept = set(rest)  # once: building it per value made a draft quadratic in the rows
    miss = [v for v in values if v not in kept]
    return rest, miss


def _missing_codes(tokens: Sequence[str]) -> tuple[MissingCode, ...]:
    seen: dict[str, MissingCode] = {}
    for t in tokens:
        key = normalize_key(t)
        if key not in seen:
            label = clean_label(t)
            seen[key] = MissingCode(code=label, label=label)
    return tuple(seen.values())


def infer_column(cells: Sequence[str | None], *, header: str = "", date_cells: bool = False,
                 n_rows: int | None = None) -> Inferred:
    """Infer the question type of one column from its cells.

    Integer or number only when every non-blank value parses (missing tokens such as
    ``-99`` or ``N/A`` become missing codes); dates likewise; then ``multiple`` when the
    cells are lists joined by a delimiter from a small vocabulary; then ``single`` when
    few distinct short values repeat; otherwise ``text``.

    >>> infer_column(["3", "14", None, "-99"]).type
    'integer'
    >>> infer_column(["Red, Blue", "Blue", "Red", "Green, Red"]).options[0].label
    'Red'
    """
    values = [c for c in cells if present(c)]
    m = len(values)
    if m == 0:
        return Inferred("text", notes=["no answers in the file: typed as text"])
    rest, miss = _missing_split(values)
    if rest:
        kind = _scalar_kind(rest, date_cells=date_cells)
        if kind is not None:
            return Inferred(kind, missing=_missing_codes(miss))
    if _TEXT_HINT.search(header):
        return Inferred("text")
    blanks = {v for v in values if normalize_key(v) in STRONG_MISSING}
    multi = split_delimited([v for v in values if v not in blanks])
    if multi is not None:
        delim, labels = multi
        return Inferred("multiple", options=make_options(labels), delimiter=delim,
                        missing=_missing_codes([v for v in values if v in blanks]))
    return infer_choice(values, n_rows=n_rows)


def _scalar_kind(rest: Sequence[str], *, date_cells: bool) -> str | None:
    kinds = [date_kind(v) for v in rest]
    if all(kinds):
        if "datetime" not in kinds:
            return "date"
        if date_cells and all(_MIDNIGHT.search(v.strip()) for v in rest):
            return "date"
        return "datetime"
    if date_cells and all(is_number(v) for v in rest):   # Excel serial numbers
        return "datetime" if any("." in norm_number(v) for v in rest) else "date"
    if all(is_integer(v) for v in rest):
        return "integer"
    if all(is_number(v) for v in rest) and not _looks_like_codes(rest):
        return "number"
    return None


def _looks_like_codes(values: Sequence[str]) -> bool:
    """Long digit strings (ids, phone numbers) and leading-zero codes stay text."""
    return any(len(v.strip().lstrip("+-").replace(",", "").split(".")[0]) >= 10 for v in values)


def infer_choice(values: Sequence[str], *, n_rows: int | None = None) -> Inferred:
    """``single`` when few distinct short values repeat, else ``text``."""
    strong = [v for v in values if normalize_key(v) in STRONG_MISSING or norm_number(v) in SENTINELS]
    substantive = [v for v in values if v not in set(strong)]
    keys = Counter(normalize_key(v) for v in substantive)
    m = len(values)
    if (
        len(substantive) >= 3
        and 1 <= len(keys) <= MAX_OPTIONS
        and len(keys) <= max(3, m // 2)
        and max(len(v) for v in substantive) <= MAX_LABEL
        and sum(1 for c in keys.values() if c == 1) <= max(1, len(keys) // 2)
    ):
        return Inferred("single", options=make_options(substantive), missing=_missing_codes(strong))
    return Inferred("text")


def make_options(labels: Sequence[str]) -> tuple[Option, ...]:
    """Options from raw answer texts: merged by matching key, ordered by code when numeric,
    else by first appearance; codes are ASCII slugs, falling back to 1..k or o1..ok."""
    first: dict[str, str] = {}
    for lab in labels:
        key = normalize_key(lab)
        if key and key not in first:
            first[key] = clean_label(lab)
    keys = list(first)
    if keys and all(re.fullmatch(r"[+-]?\d+(\.\d+)?", norm_number(k)) for k in keys):
        keys.sort(key=lambda k: float(norm_number(k)))
        return tuple(Option(code=first[k], label=first[k]) for k in keys)
    codes = [_code_slug(first[k]) for k in keys]
    label_keys = set(keys)
    if (
        any(not c for c in codes)
        or len(set(codes)) != len(codes)
        or any(c.lower() in label_keys and c.lower() != k for c, k in zip(codes, keys, strict=True))
    ):
        numeric_labels = any(re.fullmatch(r"[+-]?\d+", k) for k in keys)
        codes = [f"o{i}" if numeric_labels else str(i) for i in range(1, len(keys) + 1)]
    return tuple(Option(code=c, label=first[k]) for c, k in zip(codes, keys, strict=True))


def _code_slug(label: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "_", unicodedata.normalize("NFKC", label).lower()).strip("_")
    if not s or len(s) > 32 or not re.search(r"[a-z0-9]", s):
        return ""
    if re.fullmatch(r"\d+", s) and s != normalize_key(label):
        return ""
    return s


# --------------------------------------------------------------------------- delimited lists

_CODE_TOKEN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


def split_delimited(values: Sequence[str]) -> tuple[str, list[str]] | None:
    """Detect a joined multi-select column; return (delimiter, option labels) or None.

    Delimiters are tried as ``|``, ``;``, ``", "``, ``","`` and (for code-like tokens)
    space; a comma or space split is taken only when it gives fewer distinct options than
    there are distinct cells (combinations occur), so single answers containing the
    delimiter ("Yes, definitely") stay whole.  A label that itself contains the delimiter is rebuilt from pieces that always
    occur adjacent, in the same order, when the second piece reads as a continuation.
    """
    # as ingest splits them: the ';' of an HTML entity (&nbsp;) is no delimiter
    values = [v.replace("&nbsp;", " ").replace("&amp;", "&") for v in values if present(v)]
    if len(values) < 3:
        return None
    for delim in ("|", ";", ", ", ",", " "):
        if not any(delim in v for v in values):
            continue
        if delim == ", " and not all(v.count(",") == v.count(", ") for v in values):
            continue
        if delim == "," and all(v.count(",") == v.count(", ") for v in values):
            continue
        cells = [v.split(delim) for v in values]
        if delim == " " and not all(_CODE_TOKEN.match(t) for c in cells for t in c):
            continue
        cells = _merge_pieces(cells, delim)
        labels = [clean_label(t) for c in cells for t in c]
        if any(not t for t in labels):
            continue
        counts = Counter(normalize_key(t) for t in labels)
        wholes = {normalize_key(v) for v in values}
        if (
            any(len(c) > 1 for c in cells)
            and (delim in "|;" or len(counts) < len(wholes))   # the split explains more simply
            and len(counts) <= MAX_OPTIONS
            and 2 * sum(counts.values()) >= 3 * len(counts)
            and max(len(t) for t in labels) <= MAX_LABEL
            and all(len({normalize_key(t) for t in c}) == len(c) for c in cells)
        ):
            return delim, labels
    return None


def _continues(prev: str, nxt: str) -> bool:
    """Does ``nxt`` read as the rest of a label that ``prev`` began?"""
    return (
        nxt[:1].isspace()
        or nxt[:1].islower()
        or prev.count("(") > prev.count(")")
        or prev.count("[") > prev.count("]")
    )


def _merge_pieces(cells: list[list[str]], delim: str) -> list[list[str]]:
    """Join adjacent pieces a, b when b always follows a and a always precedes b."""
    while True:
        follow: dict[str, set[str | None]] = {}
        prec: dict[str, set[str | None]] = {}
        raw: dict[str, str] = {}
        for c in cells:
            keys = [t.strip() for t in c]
            for i, k in enumerate(keys):
                raw.setdefault(k, c[i])
                follow.setdefault(k, set()).add(keys[i + 1] if i + 1 < len(keys) else None)
                prec.setdefault(k, set()).add(keys[i - 1] if i > 0 else None)
        pair = next(
            ((a, b) for a, fs in follow.items() if len(fs) == 1 and (b := next(iter(fs))) is not None
             and b != a and prec.get(b) == {a} and _continues(raw[a], raw[b])),
            None,
        )
        if pair is None:
            return cells
        a, b = pair
        merged: list[list[str]] = []
        for c in cells:
            out: list[str] = []
            i = 0
            while i < len(c):
                if c[i].strip() == a and i + 1 < len(c) and c[i + 1].strip() == b:
                    out.append(c[i] + delim + c[i + 1])
                    i += 2
                else:
                    out.append(c[i])
                    i += 1
            merged.append(out)
        cells = merged
