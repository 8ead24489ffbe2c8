"""Drafting, doubt: the ``# CHECK`` lines a decision earns where its evidence is thin.

Each line says what the draft guessed and what to look at, so that an analyst reads the
guesses before the numbers: a numeric column holding typed answers, a long list read as
a closed set of options, write-ins kept beside a multi-select's options, a scale whose
order is a guess, a sentinel read as a missing code, a non-substantive answer ("Do not
know") kept as an option, a free-text column whose answers repeat (counted whole it
would mislead).

>>> from survey.codebook._draft_decide import infer_column
>>> check_lines(infer_column([str(i) for i in range(60)] + ["about 20"]))
["61 answers, 1 (1.6%) not a number ('about 20'): declared missing codes, so ingest keeps those rows with no value; check they are not a unit to convert"]
"""

from __future__ import annotations

import re

from survey.codebook._draft_decide import Decision
from survey.codebook._draft_scales import is_non_substantive
from survey.codebook._draft_values import MAX_OPTIONS

# answer codes exported without their labels: LimeSurvey's A1/A2/AO01, Y/N, M/F ...
_BARE_CODE = re.compile(r"^(?:[A-Za-z]{1,3}\d{1,4}|[A-Z])$")

__all__ = ["check_lines"]


def _quote(values: tuple[str, ...] | list[str], k: int = 3) -> str:
    shown = ", ".join(repr(v) for v in list(values)[:k])
    return shown + (f" and {len(values) - k} more" if len(values) > k else "")


def _a(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word


def check_lines(d: Decision, *, role: str = "answer") -> list[str]:
    """The ``# CHECK`` comments for one drafted question (empty when the evidence is clear)."""
    out: list[str] = []
    if d.n_answered == 0:
        out.append(f"no answers in the file: drafted as {d.type}; check the question was "
                   "asked and exported, and set its type")
        return out
    if d.strays:
        share = 100 * d.stray_cells / d.n_answered
        out.append(f"{d.n_answered} answers, {d.stray_cells} ({share:.1f}%) not a number "
                   f"({_quote(d.strays)}): declared missing codes, so ingest keeps those rows "
                   "with no value; check they are not a unit to convert")
    if d.odd_numbers:
        many = "answers are" if d.odd_numbers > 1 else "answer is"
        out.append(f"{d.odd_numbers} {many} zero-padded or 10+ digits long, read as a number; "
                   "if this column holds codes or ids, make it text")
    if d.sentinels:
        out.append(f"{_quote(d.sentinels)} read as missing codes (the other answers are "
                   "non-negative); if they are real values, delete them from missing_codes")
    codes = [o.label for o in d.options if not (d.other and o.label == "Other")]
    if d.type in ("single", "multiple") and role == "answer" and codes and all(
            _BARE_CODE.match(c) for c in codes):
        out.append(f"the options are bare codes ({_quote(codes)}) with no labels: give each "
                   "option its label from the questionnaire (or draft with --metadata and a "
                   "codebook table of value, label)")
    if d.type == "single" and d.n_keys > MAX_OPTIONS and role == "answer":
        out.append(f"{d.n_keys} distinct answers drafted as one closed list of options "
                   "(countries, languages ...); if people typed them, make it text")
    if d.type == "multiple" and d.split is not None:
        s = d.split
        if len(s.labels) > MAX_OPTIONS:
            out.append(f"a list of {len(s.labels)} options joined by {s.delimiter!r}: check the "
                       "rarest are options, not typed answers")
        if s.write_ins:
            share = 100 * s.write_in_cells / d.n_answered
            out.append(f"{s.write_in_cells} cells ({share:.1f}%) add typed text after the ticked "
                       f"options ({_quote(s.write_in_examples)}): kept as other text beside the "
                       "options; check no option is among them")
        if s.multi_cells < 3:
            out.append(f"only {s.multi_cells} cells join several answers with {s.delimiter!r}: "
                       "check this is a multiple choice, not single answers holding the separator")
    if d.type == "single" and role == "answer" and d.scale is None:
        kept = [o.label for o in d.options if is_non_substantive(o.label)]
        if kept:
            out.append(f"{_quote(kept)} kept as an answer: stats count it in every share; if it "
                       "says there is no answer, move it to missing_codes")
    if d.type == "single" and d.tail is not None:
        t = d.tail
        share = 100 * t.cells / d.n_answered
        many = "write-ins" if t.n_distinct > 1 else "write-in"
        out.append(f"{t.n_distinct} distinct {many} ({t.cells} of {d.n_answered} answers, {share:.1f}%; "
                   f"{_quote(t.examples)}) beside {len(t.labels)} recurring options: drafted as "
                   "Other, their text kept in <id>__other_text; check none is an option spelled "
                   "differently, and that the options are the questionnaire's list")
    if d.scale is not None:
        order = " < ".join(o.label for o in d.options)
        if d.scale.doubt:
            out.append(f"ordered as {_a(d.scale.kind)} scale, {order}, but {d.scale.doubt}; "
                       "check the order")
        elif d.n_answered < 10:
            out.append(f"ordered as {_a(d.scale.kind)} scale from {d.n_answered} answers: {order}")
    if d.type == "text" and role == "answer" and d.n_answered >= 20 and d.n_keys * 2 <= d.n_answered:
        out.append(f"free text whose {d.n_answered} answers hold only {d.n_keys} distinct values: "
                   "counted whole by stats and crosstab; check whether it is a choice question")
    return out
