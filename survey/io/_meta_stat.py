"""Read the labels an SPSS ``.sav``, Stata ``.dta`` or SAS ``.xpt`` / ``.sas7bdat`` file
carries into :class:`FormMetadata`.

Variable labels are the question text; value labels the options (code -> label, in code
order); SPSS user-missing values and ranges the missing codes; the measurement level
``ordinal`` makes an ordinal question; display formats tell numbers, whole numbers,
dates and text apart (SAS formats too); Stata's extended missing values ``.a``-``.z``
and SAS's ``.A``-``.Z`` with their labels are missing codes; SPSS multiple-response sets of the dichotomy kind become one
multiple-choice question over their variables.  Only the dictionary is read
(``metadataonly``), so the file may be the export itself or a companion to a CSV
written from it.
"""

from __future__ import annotations

import re
from typing import Any

import polars as pl

from survey.io._metadata import FormMetadata, MetaChoice, MetaQuestion, plain_text
from survey.io._model import Limits
from survey.io._stat import _user_missing, number_text, stat_meta
from survey.io._util import unreadable

__all__ = ["read_stat_metadata"]

_DATE = re.compile(r"^(DATE|ADATE|EDATE|SDATE|JDATE)", re.IGNORECASE)
_DATETIME = re.compile(r"^(DATETIME|YMDHMS)|^%t[cC]", re.IGNORECASE)
_STATA_DATE = re.compile(r"^%t?d", re.IGNORECASE)
_SAS_DATE = re.compile(r"^(DATE|DDMMYY|MMDDYY|YYMMDD|E8601DA|IS8601DA|WORDDATE|WEEKDATE)")


def read_stat_metadata(path: str, *, kind: str, limits: Limits) -> FormMetadata:
    """Variable labels, value labels, user-missing codes and formats of a .sav / .dta /
    .xpt / .sas7bdat file (Stata's ``.a``-``.z`` and SAS's ``.A``-``.Z`` are missing codes)."""
    import pyreadstat  # lazily: heavy at start-up

    try:
        meta, values, _ = stat_meta(path, kind=kind)
    except pyreadstat.ReadstatError as exc:
        raise unreadable(f"corrupt or unsupported {kind} file ({exc})", path) from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise unreadable(f"the {kind} file cannot be decoded ({exc})", path) from None
    if meta.number_columns and meta.number_columns > limits.max_columns:
        raise unreadable(f"the file has {meta.number_columns} variables, over the column limit of "
                         f"{limits.max_columns}", path, "raise the limit (--max-columns N)")
    labels = meta.column_names_to_labels or {}
    measure = getattr(meta, "variable_measure", None) or {}
    formats = getattr(meta, "original_variable_types", None) or {}
    rtypes = getattr(meta, "readstat_variable_types", None) or {}
    missing = _user_missing(pl.DataFrame(), meta, values, kind)
    in_set: dict[str, str] = {}
    sets: list[MetaQuestion] = []
    for set_name, mr in (getattr(meta, "mr_sets", None) or {}).items():
        members = [v for v in mr.get("variable_list") or [] if v in labels]
        if not mr.get("is_dichotomy") or len(members) < 2:
            continue
        choices = tuple(MetaChoice(v, plain_text(labels.get(v)) or v, keys=(v,)) for v in members)
        sets.append(MetaQuestion(set_name.lstrip("$"), "multiple", plain_text(mr.get("label")) or None,
                                 choices))
        for v in members:
            in_set[v] = set_name
    questions: list[MetaQuestion] = []
    emitted: set[str] = set()
    for name in meta.column_names:
        if name in in_set:
            s = in_set[name]
            if s not in emitted:
                emitted.add(s)
                questions.append(next(q for q in sets if q.name == s.lstrip("$")))
            continue
        text = plain_text(labels.get(name)) or None
        vl = values.get(name) or {}
        miss = missing.get(name, ())
        fmt = str(formats.get(name) or "")
        miss_choices = tuple(MetaChoice(c, plain_text(vl.get(_as_key(vl, c), "")) or c) for c in miss)
        opts = tuple(MetaChoice(number_text(k), plain_text(v) or number_text(k))
                     for k, v in sorted(vl.items(), key=_code_order) if number_text(k) not in set(miss))
        if opts:  # labels on substantive codes (not only on missing codes)
            kind_q = "ordinal" if measure.get(name) == "ordinal" else "single"
            questions.append(MetaQuestion(name, kind_q, text, opts, keys=(name,), missing=miss_choices))  # type: ignore[arg-type]
            continue
        string = rtypes.get(name) == "string"
        qtype = "text" if string and kind != "sav" else _type_of(fmt, kind)
        questions.append(MetaQuestion(name, qtype, text, keys=(name,),  # type: ignore[arg-type]
                                      missing=miss_choices, pii=string or fmt.upper().startswith(("A", "$")) or fmt.startswith("%") and fmt.endswith("s")))
    return FormMetadata(kind, path, plain_text(meta.file_label) or None, tuple(questions))  # type: ignore[arg-type]


def _type_of(fmt: str, kind: str) -> str:
    f = fmt.strip()
    if kind in ("xpt", "sas7bdat"):  # SAS formats: $w. text, DATEw., DATETIMEw., else numbers
        u = f.upper()
        if u.startswith("$"):
            return "text"
        if u.startswith(("DATETIME", "E8601DT", "IS8601DT")):
            return "datetime"
        if _SAS_DATE.match(u):
            return "date"
        return "number"
    if kind == "sav":
        if f.upper().startswith("A"):
            return "text"
        if _DATETIME.match(f):
            return "datetime"
        if _DATE.match(f):
            return "date"
        m = re.match(r"^[A-Z]+\d+(?:\.(\d+))?$", f.upper())
        return "integer" if m and (m.group(1) in (None, "0")) else "number"
    if f.endswith("s"):
        return "text"
    if _DATETIME.match(f):
        return "datetime"
    if _STATA_DATE.match(f):
        return "date"
    return "integer" if re.match(r"^%-?\d*\.0[fg]$", f) else "number"


def _as_key(labels: dict[Any, str], code: str) -> Any:
    return next((k for k in labels if number_text(k) == code), code)


def _code_order(item: tuple[Any, str]) -> tuple[int, float, str]:
    try:
        return (0, float(item[0]), "")
    except (TypeError, ValueError):
        return (1, 0.0, str(item[0]))
