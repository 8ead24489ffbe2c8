"""Drafting, one column from its cells: the names the rest of the drafter (grids, groups,
metadata drafts) and the tests use, kept in one place.

The work is done by :mod:`._draft_inventory` (the distinct values, counted once in
polars), :mod:`._draft_decide` (the decision drawn from them), :mod:`._draft_lists`
(joined multi-selects) and :mod:`._draft_values` (what one answer text is).
"""

from __future__ import annotations

from collections.abc import Sequence

from survey.codebook._draft_decide import Decision, decide, infer_column, is_weight_name
from survey.codebook._draft_inventory import inventory
from survey.codebook._draft_lists import find_split
from survey.codebook._draft_values import (
    MAX_LABEL,
    MAX_OPTIONS,
    MISSING_TEXT,
    SENTINELS,
    STRONG_MISSING,
    clean_label,
    date_kind,
    is_integer,
    is_number,
    make_options,
    norm_number,
    present,
)

__all__ = [
    "MAX_LABEL",
    "MAX_OPTIONS",
    "MISSING_TEXT",
    "SENTINELS",
    "STRONG_MISSING",
    "Decision",
    "Inferred",
    "clean_label",
    "date_kind",
    "decide",
    "infer_column",
    "is_integer",
    "is_number",
    "is_weight_name",
    "make_options",
    "norm_number",
    "present",
    "split_delimited",
]

Inferred = Decision
"""The former name of :class:`Decision`."""


def split_delimited(values: Sequence[str]) -> tuple[str, tuple[str, ...]] | None:
    """(delimiter, option labels) when the cells are joined multi-select lists, else None.

    >>> split_delimited(["a|b", "b", "a", "b|c", "c"])
    ('|', ('a', 'b', 'c'))
    """
    split = find_split(inventory(list(values)))
    return None if split is None else (split.delimiter, split.labels)
