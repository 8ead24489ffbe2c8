"""Drafting: the blanks that tools write, declared once as the codebook's ``missing_values``.

R writes ``NA``; Excel ``#N/A`` and SPSS ``#NULL!``; SAS and Stata ``.``; pandas ``NaN``;
databases ``NULL``; people ``N/A``.  A cell holding exactly one of these (after
normalisation: case, whitespace, NBSP, HTML) means "no answer" in every column where it
occurs, so the draft declares the markers it met in ``missing_values``; the column-level
inference lists them as the question's missing codes, never as options, and an integer
column holding ``NA`` stays integer.  Ingest treats ``missing_values`` as no answer in every
question (per-option columns included), so the draft and the ingest of the same file agree
by construction.
"""

from __future__ import annotations

from collections.abc import Sequence

from survey._text import normalize_key

__all__ = ["TOOL_MISSING", "tool_missing_found"]

TOOL_MISSING: tuple[str, ...] = ("NA", "N/A", "#N/A", "#NULL!", ".", "NaN", "NULL")
"""The markers, in the spelling the draft declares them."""

_BY_KEY = {normalize_key(m): m for m in TOOL_MISSING}


def tool_missing_found(cells: Sequence[str | None], *, own_label: str | None = None) -> set[str]:
    """The tool missing markers that cells of one column hold (in ``TOOL_MISSING`` spelling).

    ``own_label`` is a per-option column's label (SurveyMonkey row 2): a column labelled
    ``N/A`` holds ``N/A`` when that option is ticked, so its own label is not a marker.

    >>> sorted(tool_missing_found(["3", "NA", " n/a ", None, "#NULL!"]))
    ['#NULL!', 'N/A', 'NA']
    """
    keep = normalize_key(own_label) if own_label else None
    found: set[str] = set()
    for c in cells:
        if c is not None and len(c) <= 12:
            key = normalize_key(c)
            marker = _BY_KEY.get(key)
            if marker is not None and key != keep:
                found.add(marker)
    return found
