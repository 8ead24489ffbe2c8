"""Read a Qualtrics survey file (``.qsf``, JSON) into :class:`FormMetadata`.

Each ``SQ`` element is a question: ``DataExportTag`` is its column prefix in the data,
``QuestionID`` (``QID5``) its ImportId; ``Choices``/``ChoiceOrder`` the options (or a
grid's rows), ``Answers``/``AnswerOrder`` a grid's scale, ``RecodeValues`` the codes a
numeric export holds.  Grids become one question per row, sliders and rank orders one per
item; blocks become sections.  Question types without a fixed column layout (side by side,
heat maps, file uploads, timing) are left to the data-driven draft.
"""

from __future__ import annotations

import json
from typing import Any

from survey.io._metadata import FormMetadata, MetaChoice, MetaQuestion, plain_text, to_float
from survey.io._util import unreadable

__all__ = ["read_qsf"]

_SINGLE_SEL = {"SAVR", "SAHR", "SACOL", "DL", "SB", "NPS"}
_MULTI_SEL = {"MAVR", "MAHR", "MACOL", "MSB"}


def read_qsf(path: str) -> FormMetadata:
    """Questions, options and blocks of a Qualtrics survey file."""
    try:
        with open(path, encoding="utf-8-sig") as fh:
            doc = json.load(fh)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise unreadable(f"not a readable Qualtrics survey file ({exc})", path,
                         "export it again from Qualtrics: Tools > Import/Export > Export survey") from None
    elements = doc.get("SurveyElements") if isinstance(doc, dict) else None
    if not isinstance(elements, list):
        raise unreadable("not a Qualtrics survey file: no 'SurveyElements' list", path)
    entry = doc.get("SurveyEntry") or {}
    blocks, order = _blocks(elements)
    payloads = {}
    for el in elements:
        p = el.get("Payload") if isinstance(el, dict) else None
        if el.get("Element") == "SQ" and isinstance(p, dict) and p.get("QuestionID"):
            payloads[str(p["QuestionID"])] = p
    qids = [q for q in order if q in payloads] + [q for q in payloads if q not in set(order)]
    questions: list[MetaQuestion] = []
    skipped: list[str] = []
    for qid in qids:
        made = _question(payloads[qid], blocks.get(qid))
        if made is None:
            p = payloads[qid]
            if p.get("QuestionType") != "DB":
                skipped.append(f"{p.get('DataExportTag') or qid} ({p.get('QuestionType')}/{p.get('Selector')})")
            continue
        questions += made
    notes = []
    if skipped:
        notes.append(f"{len(skipped)} question(s) of a type drafted from the data instead: "
                     + ", ".join(skipped[:8]) + (" ..." if len(skipped) > 8 else ""))
    return FormMetadata("qsf", path, entry.get("SurveyName") or None, tuple(questions), tuple(notes))


def _blocks(elements: list[Any]) -> tuple[dict[str, str], list[str]]:
    """QID -> block name, and the questions in block order."""
    names: dict[str, str] = {}
    order: list[str] = []
    for el in elements:
        if not isinstance(el, dict) or el.get("Element") != "BL":
            continue
        payload = el.get("Payload")
        items = payload.values() if isinstance(payload, dict) else payload or []
        for block in items:
            if not isinstance(block, dict) or block.get("Type") == "Trash":
                continue
            for be in block.get("BlockElements") or []:
                if isinstance(be, dict) and be.get("Type") == "Question":
                    qid = str(be.get("QuestionID"))
                    names[qid] = plain_text(block.get("Description")) or None  # type: ignore[assignment]
                    order.append(qid)
    return names, order


def _order(ids: Any, table: dict[str, Any]) -> list[str]:
    listed = [str(i) for i in ids or [] if str(i) in table]
    return listed + [k for k in table if k not in set(listed)]


def _choices(p: dict[str, Any], table_key: str, order_key: str, recode: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(choice id, exported code, label) in display order."""
    table = p.get(table_key)
    if not isinstance(table, dict):
        return []
    out = []
    for cid in _order(p.get(order_key), table):
        c = table[cid] if isinstance(table[cid], dict) else {}
        label = plain_text(c.get("Display")) or cid
        out.append((cid, str(recode.get(cid, cid)), label))
    return out


def _question(p: dict[str, Any], block: str | None) -> list[MetaQuestion] | None:
    qtype, sel, sub = p.get("QuestionType"), p.get("Selector"), p.get("SubSelector")
    qid = str(p["QuestionID"])
    tag = str(p.get("DataExportTag") or qid)
    text = plain_text(p.get("QuestionText")) or plain_text(p.get("QuestionDescription")) or None
    validation = p.get("Validation") if isinstance(p.get("Validation"), dict) else {}
    settings = validation.get("Settings") if isinstance(validation.get("Settings"), dict) else {}
    required = str(settings.get("ForceResponse", "")).upper() == "ON"
    recode = p.get("RecodeValues") if isinstance(p.get("RecodeValues"), dict) else {}
    tags = p.get("ChoiceDataExportTags") if isinstance(p.get("ChoiceDataExportTags"), dict) else {}
    common = {"group": block, "required": required}
    if qtype == "MC":
        choices = _choices(p, "Choices", "ChoiceOrder", recode)
        opts = tuple(MetaChoice(code, label, keys=_item_keys(tag, qid, cid, tags, code))
                     for cid, code, label in choices)
        multiple = sub == "MultipleAnswer" or sel in _MULTI_SEL
        if not multiple and sub not in (None, "SingleAnswer", "TX", "GR") and sel not in _SINGLE_SEL:
            return None
        out = [MetaQuestion(tag, "multiple" if multiple else "single", text, opts, keys=(tag, qid),
                            delimiter="," if multiple else None, **common)]
        out += _text_entries(p, tag, qid, text, block)
        return out
    if qtype == "Matrix" and sub in (None, "SingleAnswer", "DL") and p.get("Answers"):
        scale = tuple(MetaChoice(code, label) for _, code, label in
                      _choices(p, "Answers", "AnswerOrder", recode))
        rows = _choices(p, "Choices", "ChoiceOrder", {})
        return [MetaQuestion(str(tags.get(cid) or f"{tag}_{cid}"), "single",
                             f"{text} - {label}" if text else label, scale,
                             keys=_item_keys(tag, qid, cid, tags), group=text or block, required=required,
                             group_kind="grid" if text else "section")
                for cid, _, label in rows]
    if qtype == "TE":
        if sel == "FORM":
            return [MetaQuestion(str(tags.get(cid) or f"{tag}_{cid}"), "text",
                                 f"{text} - {label}" if text else label,
                                 keys=_item_keys(tag, qid, cid, tags), pii=True, **common)
                    for cid, _, label in _choices(p, "Choices", "ChoiceOrder", {})]
        number = settings.get("ContentType") == "ValidNumber"
        bounds = settings.get("ValidNumber") if isinstance(settings.get("ValidNumber"), dict) else {}
        return [MetaQuestion(tag, "number" if number else "text", text,
                             keys=(tag, f"{tag}_TEXT", f"{qid}_TEXT", qid), pii=not number,
                             minimum=to_float(bounds.get("Min")) if number else None,
                             maximum=to_float(bounds.get("Max")) if number else None, **common)]
    if qtype in ("Slider", "CS", "RO"):
        items = _choices(p, "Choices", "ChoiceOrder", {})
        kind = "integer" if qtype == "RO" else "number"
        return [MetaQuestion(str(tags.get(cid) or f"{tag}_{cid}"), kind,
                             (f"{text} - {label}" if len(items) > 1 else text) if text else label,
                             keys=_item_keys(tag, qid, cid, tags),
                             group=(text or block) if len(items) > 1 else block, required=required,
                             group_kind=("ranking" if qtype == "RO" else "grid") if len(items) > 1 and text
                             else "section",
                             minimum=1.0 if qtype == "RO" else None,
                             maximum=float(len(items)) if qtype == "RO" else None)
                for cid, _, label in items]
    return None


def _item_keys(tag: str, qid: str, cid: str, tags: dict[str, Any], code: str | None = None) -> tuple[str, ...]:
    keys = [str(tags[cid])] if tags.get(cid) else []
    keys += [f"{tag}_{cid}", f"{qid}_{cid}"]
    if code is not None and code != cid:
        keys.append(f"{tag}_{code}")
    return tuple(dict.fromkeys(keys))


def _text_entries(p: dict[str, Any], tag: str, qid: str, text: str | None, block: str | None) -> list[MetaQuestion]:
    """The "Other, please specify" text boxes of a choice question: ``Q5_4_TEXT``."""
    table = p.get("Choices") if isinstance(p.get("Choices"), dict) else {}
    out = []
    for cid in _order(p.get("ChoiceOrder"), table):
        c = table[cid] if isinstance(table[cid], dict) else {}
        if str(c.get("TextEntry", "")).lower() in ("true", "1"):
            label = plain_text(c.get("Display")) or cid
            out.append(MetaQuestion(f"{tag}_{cid}_TEXT", "text", f"{text} - {label} - Text" if text else label,
                                    keys=(f"{tag}_{cid}_TEXT", f"{qid}_{cid}_TEXT"), group=block, pii=True))
    return out
