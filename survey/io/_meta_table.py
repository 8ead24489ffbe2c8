"""Read a plain codebook table (``.csv`` or ``.xlsx``) into :class:`FormMetadata`.

The commonest codebook a survey publishes is a table with one row per variable: its name
and its question text (``variable,label``; the Stack Overflow survey's schema
``qname,question`` or ``Column,QuestionText``), sometimes with the value labels in one
cell (``1=Male; 2=Female`` or ``1, Male | 2, Female``) or as long rows, one per value
(``variable,value,label``, the variable's name given on its first row only, a row
without a value holding the question text).  A ``type`` column is read when it holds
this toolkit's words (or ``numeric``, ``string``, ``categorical`` ...).

The table rarely says a question's type: such questions are ``"auto"`` and are drafted
from the data, taking their id, text (and value labels) from the table.  A column is
found by the variable name, else by the question text (exports headed by the question,
with a table of short names beside them: ``Question_text,Question_name``).
"""

from __future__ import annotations

import re

from survey.io._metadata import FormMetadata, MetaChoice, MetaQuestion, plain_text
from survey.io._model import Limits
from survey.io._util import unreadable

__all__ = ["header_roles", "parse_value_labels", "read_meta_table"]

# normalised header -> role; earlier names win when several are present
_NAME = ("variable", "variablename", "varname", "var", "qname", "questionname", "column",
         "columnname", "name", "field", "fieldname", "item", "questionid", "qid")
_TEXT = ("questiontext", "question", "text", "variablelabel", "varlabel", "description",
         "wording", "prompt", "questionlabel", "label")
_VALUE = ("value", "code", "valuecode", "answercode")
_VALUE_LABEL = ("valuelabel", "codelabel", "answerlabel", "answer", "label")
_PAIRS = ("valuelabels", "values", "codes", "choices", "options", "answers", "responseoptions",
          "categories")
_TYPE = ("type", "questiontype", "vartype", "variabletype")
_TYPES = {
    "single": "single", "singlechoice": "single", "categorical": "single", "nominal": "single",
    "ordinal": "ordinal", "multiple": "multiple", "multiplechoice": "multiple",
    "integer": "integer", "int": "integer", "number": "number", "numeric": "number",
    "continuous": "number", "float": "number", "date": "date", "datetime": "datetime",
    "text": "text", "string": "text", "openended": "text", "freetext": "text",
}
_PAIR = re.compile(r"^\s*(?P<code>[^=:,]+?)\s*(?:=|:|,)\s*(?P<label>.+?)\s*$")


def _norm(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def header_roles(headers: list[str]) -> dict[str, int] | None:
    """Which column holds the variable name, question text, value, value label, pairs, type.

    None when the headers are not a codebook table's: no name column, or neither a text
    nor a value-label column.

    >>> header_roles(["qname", "question"])
    {'name': 0, 'text': 1}
    >>> header_roles(["variable", "value", "label"])
    {'name': 0, 'value': 1, 'value_label': 2}
    >>> header_roles(["Respondent", "Q1"]) is None
    True
    """
    keys = [_norm(h) for h in headers]
    roles: dict[str, int] = {}

    def pick(role: str, names: tuple[str, ...]) -> None:
        taken = set(roles.values())
        for n in names:
            if n in keys and keys.index(n) not in taken:
                roles[role] = keys.index(n)
                return

    pick("name", _NAME)
    if "value" not in roles:
        pick("value", _VALUE)
    if "value" in roles:
        pick("value_label", _VALUE_LABEL)
        pick("text", tuple(n for n in _TEXT if n != "label"))
    else:
        pick("text", _TEXT)
        pick("pairs", _PAIRS)
    pick("type", _TYPE)
    if "name" not in roles or not ({"text", "value_label", "pairs"} & set(roles)):
        return None
    return roles


def parse_value_labels(text: str) -> list[tuple[str, str]]:
    """Value labels written in one cell, as ``[(code, label), ...]``.

    >>> parse_value_labels("1=Male; 2=Female; -9=Refused")
    [('1', 'Male'), ('2', 'Female'), ('-9', 'Refused')]
    >>> parse_value_labels("0, No | 1, Yes")
    [('0', 'No'), ('1', 'Yes')]
    """
    parts = re.split(r"\s*(?:\||;|\n)\s*", text or "")
    out = []
    for part in parts:
        m = _PAIR.match(part)
        if m:
            out.append((m["code"].strip(), plain_text(m["label"])))
    return out


def read_meta_table(path: str, *, limits: Limits) -> FormMetadata:
    """Variables, question texts and value labels of a plain codebook table."""
    from survey.io._read import read_table

    raw = read_table(path, header_rows=1, limits=limits)
    roles = header_roles([c.block for c in raw.columns])
    if roles is None:
        what = "not an XLSForm (no 'survey' sheet) nor" if raw.file_format == "xlsx" else "not"
        raise unreadable(
            f"{what} a codebook table: no column of variable names (variable, name, qname, Column ...) "
            "beside one of question text (label, question, QuestionText ...)", path,
            "give --metadata a table with a header such as 'variable,label' or 'variable,value,label'")
    names = [c.name for c in raw.columns]
    col = {role: names[i] for role, i in roles.items()}
    order: list[str] = []
    texts: dict[str, str] = {}
    types: dict[str, str] = {}
    choices: dict[str, list[MetaChoice]] = {}
    current = ""
    for row in raw.frame.select(list(col.values())).iter_rows(named=True):
        f = {role: (row[c] or "").strip() for role, c in col.items()}
        current = f["name"] or (current if "value" in col else "")
        if not current:
            continue
        if current not in texts:
            order.append(current)
            texts[current] = ""
        text = plain_text(f.get("text"))
        if text and not texts[current]:
            texts[current] = text
        kind = _TYPES.get(_norm(f.get("type", "")))
        if kind:
            types.setdefault(current, kind)
        pairs = parse_value_labels(f.get("pairs", ""))
        if "value" in col:
            if f["value"]:
                pairs = [(f["value"], plain_text(f.get("value_label")) or f["value"])]
            elif f.get("value_label") and not texts[current]:
                texts[current] = plain_text(f["value_label"])    # a value-less row: the question
        known = {c.code for c in choices.get(current, [])}
        choices.setdefault(current, []).extend(MetaChoice(c, lab) for c, lab in pairs if c not in known)
    questions = tuple(
        MetaQuestion(name, types.get(name, "auto"), texts[name] or None,  # type: ignore[arg-type]
                     choices=tuple(choices.get(name, ())), keys=(name, *([texts[name]] if texts[name] else [])))
        for name in order)
    labelled = sum(1 for q in questions if q.choices)
    note = (f"codebook table: {len(questions)} variable(s), {labelled} with value labels; types "
            "not given in the table are drafted from the data")
    return FormMetadata("table", path, None, questions, notes=(note,))
