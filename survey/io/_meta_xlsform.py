"""Read an XLSForm (KoboToolbox, ODK, SurveyCTO) into :class:`FormMetadata`.

Sheet ``survey``: ``type`` (``select_one LIST``, ``select_multiple LIST``, ``integer``,
``begin_group`` ...), ``name``, ``label`` (or ``label::Language (xx)``), ``required``;
sheet ``choices``: ``list_name``, ``name``, ``label``; sheet ``settings``: ``form_title``,
``default_language``.  A question's answer may sit under its name, its group path joined
by ``/`` or ``.`` (Kobo "XML values and headers") or its label (Kobo "labels" export);
a ``select_multiple`` may come as one space-joined cell and as one 0/1 column per choice
(``path/choice``).  Questions inside repeat groups are exported to further sheets and are
left out, with a note.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from survey.io._metadata import FormMetadata, MetaChoice, MetaQuestion, plain_text, truthy
from survey.io._model import Limits, RawTable
from survey.io._util import unreadable

__all__ = ["read_xlsform"]

_META = {"start": "datetime", "end": "datetime", "today": "date", "deviceid": "text",
         "subscriberid": "text", "simserial": "text", "phonenumber": "text", "username": "text",
         "email": "text", "audit": "text", "instanceid": "text", "start-geopoint": "text"}
_SIMPLE = {"integer": "integer", "decimal": "number", "range": "number", "date": "date",
           "datetime": "datetime", "text": "text", "time": "text", "barcode": "text",
           "geopoint": "text", "geotrace": "text", "geoshape": "text", "image": "text",
           "audio": "text", "video": "text", "file": "text", "acknowledge": "text",
           "calculate": "text", "hidden": "text"}
_PII = {"geopoint", "geotrace", "geoshape", "image", "audio", "video", "file", "text", "barcode"}


def _sheet_rows(path: str, wanted: str, limits: Limits) -> list[dict[str, str]] | None:
    """The rows of sheet ``wanted`` (any case) as header -> text, or None when absent."""
    from survey.io._read import read_table

    names = _sheet_names(path, limits)
    name = next((n for n in names if n.strip().lower() == wanted), None)
    if name is None:
        return None
    raw: RawTable = read_table(path, sheet=name, header_rows=1, limits=limits)
    heads = [(c.name, c.block.strip().lower()) for c in raw.columns]
    out = []
    for row in raw.frame.iter_rows(named=True):
        out.append({h: (row[n] or "").strip() for n, h in heads if row[n] is not None})
    return out


def _sheet_names(path: str, limits: Limits) -> list[str]:
    with open(path, "rb") as fh:
        zipped = fh.read(4) == b"PK\x03\x04"
    if zipped:
        from survey.io._zipguard import inspect_xlsx

        return [s.name for s in inspect_xlsx(path, limits).sheets]
    return ["survey", "choices", "settings"]  # legacy .xls: read the sheets by their usual names


def _label_keys(rows: list[dict[str, str]], language: str | None) -> tuple[str, str | None]:
    """The label column to use (the default language's, else ``label``, else the first) and,
    when the form is bilingual, its Korean label column (``label::Korean (ko)``, ``label::한국어``)."""
    heads = list(dict.fromkeys(h for r in rows for h in r))
    labels = [h for h in heads if h == "label" or h.startswith("label::") or h.startswith("label:")]
    korean = [h for h in labels if re.search(r"\(ko\)|korean|한국어", h)]
    main = None
    if language:
        lang = language.strip().lower()
        main = next((h for h in labels if h.split("::", 1)[-1].strip() == lang
                     or h.split("::", 1)[-1].startswith(lang)), None)
    if main is None or (main in korean and len(labels) > 1):
        others = [h for h in labels if h not in korean]
        main = "label" if "label" in others else (others[0] if others else (labels[0] if labels else "label"))
    ko = next((h for h in korean if h != main), None)
    return main, ko


def read_xlsform(path: str, *, limits: Limits) -> FormMetadata:
    """Questions, choice lists, groups and required flags of an XLSForm workbook."""
    survey = _sheet_rows(path, "survey", limits)
    if survey is None:
        raise unreadable("not an XLSForm: the workbook has no 'survey' sheet", path,
                         "give the form (.xlsx with 'survey' and 'choices' sheets) to --metadata")
    choices_rows = _sheet_rows(path, "choices", limits) or []
    settings_rows = _sheet_rows(path, "settings", limits) or []
    settings = settings_rows[0] if settings_rows else {}
    label, label_ko = _label_keys(survey, settings.get("default_language"))
    clabel, clabel_ko = _label_keys(choices_rows, settings.get("default_language"))
    lists: dict[str, list[MetaChoice]] = {}
    for r in choices_rows:
        ln = r.get("list_name") or r.get("list name")
        if ln and r.get("name"):
            ko = plain_text(r.get(clabel_ko)) if clabel_ko else ""
            lab = plain_text(r.get(clabel)) or ko or r["name"]
            lists.setdefault(ln, []).append(MetaChoice(r["name"], lab, label_ko=ko if ko and ko != lab else None))
    questions: list[MetaQuestion] = []
    notes: list[str] = []
    groups: list[tuple[str, str, bool]] = []  # (name, label, is_repeat)
    in_repeat: list[str] = []
    for r in survey:
        qtype = re.sub(r"\s+", " ", (r.get("type") or "").strip().lower())
        name = r.get("name") or ""
        head, _, rest = qtype.replace("select one", "select_one").replace(
            "select multiple", "select_multiple").partition(" ")
        if head in ("begin_group", "begin group", "begin_repeat", "begin repeat"):
            rep = "repeat" in head
            groups.append((name, plain_text(r.get(label)), rep))
            continue
        if head in ("end_group", "end group", "end_repeat", "end repeat"):
            if groups:
                groups.pop()
            continue
        if not name or head in ("note", ""):
            continue
        if any(g[2] for g in groups):
            in_repeat.append(name)
            continue
        q = _question(r, head, rest, name, (label, label_ko), groups, lists)
        if q is not None:
            questions.append(q)
        else:
            notes.append(f"{name}: type {qtype!r} drafted from the data instead")
    if in_repeat:
        notes.append(f"{len(in_repeat)} question(s) inside repeat groups are exported to other sheets "
                     f"and left out: {', '.join(in_repeat[:8])}" + (" ..." if len(in_repeat) > 8 else ""))
    title = settings.get("form_title") or settings.get("form_id") or None
    return FormMetadata("xlsform", path, title, tuple(questions), tuple(notes))


def _question(r: dict[str, str], head: str, rest: str, name: str, label_keys: tuple[str, str | None],
              groups: list[tuple[str, str, bool]], lists: dict[str, list[MetaChoice]]) -> MetaQuestion | None:
    q = _question_one(r, head, rest, name, label_keys[0], groups, lists)
    ko = plain_text(r.get(label_keys[1])) if label_keys[1] else ""
    if q is not None and ko:
        if q.text is None:
            return replace(q, text=ko)
        return replace(q, text_ko=ko) if ko != q.text else q
    return q


def _question_one(r: dict[str, str], head: str, rest: str, name: str, label_key: str,
                  groups: list[tuple[str, str, bool]], lists: dict[str, list[MetaChoice]]) -> MetaQuestion | None:
    text = plain_text(r.get(label_key)) or None
    gnames = [g[0] for g in groups if g[0]]
    glabels = [g[1] for g in groups if g[1]]
    keys = [name, "/".join([*gnames, name]), ".".join([*gnames, name]), "-".join([*gnames, name])]
    if text:
        keys += [text, "/".join([*glabels, text])]
    keys_t = tuple(dict.fromkeys(keys))
    group = " / ".join(glabels) or " / ".join(gnames) or None
    required = truthy(r.get("required"))
    if head in _META:
        return MetaQuestion(name, _META[head], text, keys=keys_t, role="meta", group=group)  # type: ignore[arg-type]
    if head in ("select_one", "select_multiple"):
        parts = rest.split()
        list_name = parts[0] if parts else ""
        opts = list(lists.get(list_name, []))
        if "or_other" in parts and all(c.code != "other" for c in opts):
            opts.append(MetaChoice("other", "Other"))
        if head == "select_one":
            return MetaQuestion(name, "single", text, tuple(opts), keys=keys_t, required=required, group=group)
        stems = [k for k in keys_t if k != text] + ([text, "/".join([*glabels, text])] if text else [])
        choices = []
        for c in opts:
            ck = [f"{s}/{c.code}" for s in stems[:4]] + [f"{s}.{c.code}" for s in stems[:4]]
            if text:
                ck += [f"{text}/{c.label}", f"{'/'.join([*glabels, text])}/{c.label}"]
            choices.append(replace(c, keys=tuple(dict.fromkeys(ck))))
        return MetaQuestion(name, "multiple", text, tuple(choices), keys=keys_t, delimiter=" ",
                            required=required, group=group)
    if head in _SIMPLE:
        role: Any = "meta" if head in ("calculate", "hidden") else "answer"
        return MetaQuestion(name, _SIMPLE[head], text, keys=keys_t, required=required,  # type: ignore[arg-type]
                            group=group, role=role, pii=head in _PII)
    return None
