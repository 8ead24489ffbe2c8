"""Drafting: the blanks that tools write, declared once as the codebook's ``missing_values``.

R writes ``NA``; Excel ``#N/A`` and SPSS ``#NULL!``; SAS and Stata ``.``; pandas ``NaN``;
databases ``NULL``; people ``N/A``.  A cell holding exactly one of these (after
normalisation: case, whitespace, NBSP, HTML) means "no answer" in every column where it
occurs, so the draft declares the markers it met in ``missing_values`` and infers each
column without them (``N/A`` stays, as a question's missing code): they never become
options, and an integer column holding ``NA`` stays integer.  Ingest treats ``missing_values`` as no answer in every
question (per-option columns included), so the draft and the ingest of the same file agree
by construction.
"""

from __future__ import annotations

from collections.abc import Sequence

from survey._text import normalize_key

__all__ = ["TOOL_MISSING", "strip_tool_missing"]

TOOL_MISSING: tuple[str, ...] = ("NA", "N/A", "#N/A", "#NULL!", ".", "NaN", "NULL")
"""The markers, in the spelling the draft declares them."""

_BY_KEY = {normalize_key(m): m for m in TOOL_MISSING}


_KEPT = frozenset({"N/A"})
"""A marker a person also picks as an answer (a scale's "N/A" column): declared as a
missing value but left in the cells, so the question lists it as a missing code."""


def strip_tool_missing(
    cells: Sequence[str | None], *, own_label: str | None = None
) -> tuple[list[str | None], set[str]]:
    """Return ``cells`` with tool blanks (except ``N/A``) blanked, and the markers met.

    ``own_label`` is a per-option column's label (SurveyMonkey row 2): a column labelled
    ``N/A`` holds ``N/A`` when that option is ticked, so its own label is kept.

    >>> cells, found = strip_tool_missing(["3", "NA", " n/a ", None, "#NULL!"])
    >>> cells, sorted(found)
    (['3', None, ' n/a ', None, None], ['#NULL!', 'N/A', 'NA'])
    """
    keep = normalize_key(own_label) if own_label else None
    out: list[str | None] = []
    found: set[str] = set()
    for c in cells:
        if c is not None and len(c) <= 12:
            key = normalize_key(c)
            marker = _BY_KEY.get(key)
            if marker is not None and key != keep:
                found.add(marker)
                if marker not in _KEPT:
                    out.append(None)
                    continue
        out.append(c)
    return out, found
