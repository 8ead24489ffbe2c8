"""Read a REDCap data dictionary (``.csv``) into :class:`FormMetadata`.

One row per field: ``Variable / Field Name``, ``Form Name``, ``Section Header``,
``Field Type``, ``Field Label``, ``Choices, Calculations, OR Slider Labels`` (``1, Male |
2, Female``), ``Text Validation Type`` (``integer``, ``number``, ``date_ymd`` ...), min and
max, ``Identifier?``, ``Required Field?``, ``Matrix Group Name``.  The API writes the same
columns as ``field_name``, ``form_name`` ...; both are read.  A ``checkbox`` field becomes
one 0/1 column per choice in the data (``gym___1``, code lower-cased, ``-`` written ``_``);
each form adds a ``<form>_complete`` status column (0 Incomplete, 1 Unverified, 2 Complete).
"""

from __future__ import annotations

import re
from dataclasses import replace

from survey.io._metadata import FormMetadata, MetaChoice, MetaQuestion, plain_text, to_float, truthy
from survey.io._model import Limits
from survey.io._util import unreadable

__all__ = ["parse_choices", "read_redcap_dictionary"]

_COLUMNS = {  # UI header (normalised) -> API name
    "variable / field name": "field_name", "form name": "form_name", "section header": "section_header",
    "field type": "field_type", "field label": "field_label",
    "choices, calculations, or slider labels": "select_choices_or_calculations",
    "field note": "field_note", "text validation type or show slider number": "text_validation_type_or_show_slider_number",
    "text validation min": "text_validation_min", "text validation max": "text_validation_max",
    "identifier?": "identifier", "branching logic (show field only if...)": "branching_logic",
    "required field?": "required_field", "matrix group name": "matrix_group_name",
}
_STATUS = (MetaChoice("0", "Incomplete"), MetaChoice("1", "Unverified"), MetaChoice("2", "Complete"))


def parse_choices(text: str) -> list[tuple[str, str]]:
    """REDCap choices ``"1, Male | 2, Female"`` as ``[(code, label), ...]``.

    >>> parse_choices("0, No | 1, Yes, often | -1, Don't know")
    [('0', 'No'), ('1', 'Yes, often'), ('-1', "Don't know")]
    """
    out = []
    for part in (text or "").split("|"):
        code, sep, label = part.partition(",")
        code = code.strip()
        if code:
            out.append((code, plain_text(label) if sep else code))
    return out


def checkbox_column(field: str, code: str) -> str:
    """The data column of one checkbox choice: ``gym___1``; ``-1`` -> ``gym____1``."""
    return f"{field}___{code.lower().replace('-', '_')}"


def read_redcap_dictionary(path: str, *, limits: Limits) -> FormMetadata:
    """Fields, choices, forms and sections of a REDCap project's data dictionary."""
    from survey.io._read import read_table

    raw = read_table(path, header_rows=1, limits=limits)
    names = {c.name: _COLUMNS.get(re.sub(r"\s+", " ", c.block.strip().lower()), c.block.strip().lower())
             for c in raw.columns}
    if "field_name" not in names.values() or "field_type" not in names.values():
        raise unreadable("not a REDCap data dictionary: no 'Variable / Field Name' and 'Field Type' columns",
                         path, "download it from REDCap: Project Setup > Data Dictionary")
    questions: list[MetaQuestion] = []
    forms: list[str] = []
    section: dict[str, str] = {}
    first = True
    for row in raw.frame.drop("__row__").rename(names).iter_rows(named=True):
        f = {k: (v or "").strip() for k, v in row.items()}
        name, form, ftype = f.get("field_name", ""), f.get("form_name", ""), f.get("field_type", "").lower()
        if not name:
            continue
        if form and form not in forms:
            forms.append(form)
        if f.get("section_header"):
            section[form] = plain_text(f["section_header"])
        group = section.get(form) or form or None
        text = plain_text(f.get("field_label")) or None
        q = _field(name, ftype, text, f, group)
        if q is not None and f.get("matrix_group_name"):
            q = replace(q, group=f["matrix_group_name"], group_kind="grid")
        if q is not None:
            if first and q.type == "text":
                q = MetaQuestion(q.name, "text", q.text, keys=q.keys, group=q.group, role="id")
            questions.append(q)
        first = False
    for form in forms:
        questions.append(MetaQuestion(f"{form}_complete", "single", f"Complete? ({form})", _STATUS,
                                      keys=(f"{form}_complete",), role="meta"))
    return FormMetadata("redcap", path, None, tuple(questions))


def _field(name: str, ftype: str, text: str | None, f: dict[str, str], group: str | None) -> MetaQuestion | None:
    required = truthy(f.get("required_field"))
    pii = truthy(f.get("identifier"))
    common = {"text": text, "keys": (name,), "required": required, "group": group, "pii": pii}
    raw_choices = f.get("select_choices_or_calculations", "")
    if ftype in ("radio", "dropdown"):
        return MetaQuestion(name, "single", choices=tuple(MetaChoice(c, lab) for c, lab in parse_choices(raw_choices)),
                            **common)  # type: ignore[arg-type]
    if ftype == "yesno":
        return MetaQuestion(name, "single", choices=(MetaChoice("1", "Yes"), MetaChoice("0", "No")), **common)  # type: ignore[arg-type]
    if ftype == "truefalse":
        return MetaQuestion(name, "single", choices=(MetaChoice("1", "True"), MetaChoice("0", "False")), **common)  # type: ignore[arg-type]
    if ftype == "checkbox":
        choices = tuple(MetaChoice(c, lab, keys=(checkbox_column(name, c),)) for c, lab in parse_choices(raw_choices))
        return MetaQuestion(name, "multiple", choices=choices, **common)  # type: ignore[arg-type]
    if ftype in ("slider", "calc"):
        return MetaQuestion(name, "number", **common)  # type: ignore[arg-type]
    if ftype in ("text", "notes", "file", "sql"):
        valid = f.get("text_validation_type_or_show_slider_number", "").lower()
        kind = "text"
        if valid == "integer":
            kind = "integer"
        elif valid.startswith("number"):
            kind = "number"
        elif valid.startswith("date_"):
            kind = "date"
        elif valid.startswith("datetime"):
            kind = "datetime"
        lo = to_float(f.get("text_validation_min")) if kind in ("integer", "number") else None
        hi = to_float(f.get("text_validation_max")) if kind in ("integer", "number") else None
        pii = pii or (kind == "text" and ftype != "file") or valid in ("email", "phone")
        return MetaQuestion(name, kind, minimum=lo, maximum=hi,  # type: ignore[arg-type]
                            **{**common, "pii": pii})
    return None  # descriptive: no data
