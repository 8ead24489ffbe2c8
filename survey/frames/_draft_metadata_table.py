"""A plain codebook table's text and value labels laid over questions drafted from the data.

A codebook table (``variable,label``; ``variable,value,label``) names each variable and its
question, rarely its type: the question is drafted from its column's data and then given
the table's text, and its options the table's value labels.
"""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from survey._text import normalize_key
from survey.codebook import MissingCode, Option, Question
from survey.frames._draft_metadata_parts import _fix_options, _number_key, _text
from survey.io._metadata import MetaQuestion

__all__ = ["with_table_meta"]


def _key(value: str) -> str:
    return _number_key(normalize_key(value))


def with_table_meta(q: Question, meta: MetaQuestion, cells: pl.Series) -> tuple[Question, str | None]:
    """``q`` (drafted from the data) with ``meta``'s text and value labels; and a warning.

    A single or ordinal question's options and missing codes are relabelled where their
    code is a labelled value; an integer or number question whose every value is a
    labelled value becomes a single choice with the labels in the table's order.
    """
    text = _text(meta.text)
    if text:
        q = replace(q, **{"text_en": None, "text_ko": None, **text})
    if not meta.choices:
        return q, None
    labels = {_key(c.code): c.label for c in meta.choices}
    if q.type in ("integer", "number"):
        seen = {_key(v) for v in cells.drop_nulls().str.strip_chars().unique().to_list() if v}
        if seen and seen <= set(labels):
            opts = [Option(code=c.code, label=c.label) for c in meta.choices]
            return replace(q, type="single", minimum=None, maximum=None,
                           options=tuple(_fix_options(opts, q.id))), None
        return q, (f"{q.id}: value labels in the codebook table, but the data hold other numbers too: "
                   "drafted as a number, labels left out")
    if q.type not in ("single", "ordinal"):
        return q, None
    opts = [replace(o, label=labels.get(_key(o.code), o.label)) for o in q.options]
    missing = tuple(MissingCode(code=m.code, label=labels.get(_key(m.code), m.label)) for m in q.missing_codes)
    unlabelled = [o.code for o in q.options if _key(o.code) not in labels
                  and normalize_key(o.label) not in {normalize_key(c.label) for c in meta.choices}]
    warning = (f"{q.id}: value(s) {', '.join(map(repr, unlabelled[:6]))} in the data have no label in the "
               "codebook table; labelled by themselves") if unlabelled else None
    return replace(q, options=tuple(_fix_options(opts, q.id)), missing_codes=missing), warning
