"""Drafting, single choice with typed "Other" answers: a closed set of options and a tail of
write-ins in the same column.

A Google Forms radio question with an "Other:" option writes either one listed option or
the respondent's own text into the cell.  Read from the column's distinct values, that is
a *recurring closed set* (a few answers, each chosen by several respondents) plus a
*tail* of rare answers (each written by one or two respondents, usually longer than the
options).  The draft makes it a single choice whose options are the recurring answers
plus ``Other``, with ``other: {column: <the same column>, option: other}``: ingest types a
write-in as ``Other`` and keeps its text in ``<id>__other_text``, so it never fails on
them and ``stats proportion`` counts them as Other.

Decided on the distinct values in polars (:class:`._draft_inventory.Inventory`), never per
cell.

>>> import polars as pl
>>> from survey.codebook._draft_inventory import inventory
>>> cells = ["Python"] * 30 + ["R"] * 20 + ["Julia"] * 5 + ["I mostly use SAS at work", "Stata, sometimes"]
>>> t = other_tail(inventory(cells).values, 57)
>>> t.labels, t.n_distinct, t.cells
(('Python', 'R', 'Julia'), 2, 2)
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import polars as pl

from survey._text import normalize_key
from survey.codebook._draft_scales import is_non_substantive

__all__ = ["MIN_ANSWERS", "WRITE_IN_SHARE", "OtherTail", "other_label", "other_tail"]

MIN_ANSWERS = 20
"""Fewest answers a column needs before its rare answers are read as write-ins."""
WRITE_IN_SHARE = 0.15
"""At most this share of the answers may be write-ins (else the column is free text; the
Google Forms radio questions seen hold 0.7-9% write-ins, a space-joined Kobo list 22%)."""
MAX_OPTIONS = 40
MAX_LABEL = 120
_OTHER = re.compile(r"^(other|others|something else|기타)\b")


@dataclass(frozen=True)
class OtherTail:
    """A single choice with write-ins: option ``labels`` (the recurring answers, in order of
    first appearance, as written), ``n_distinct`` distinct write-ins in ``cells`` cells,
    a few ``examples`` (commonest first), whether the write-ins are ``longer`` (each
    longer than every option, their median twice the longest option: typed text, not
    rare options), and the rare
    non-substantive answers (``Prefer not to say``), which are ``missing`` codes, not
    write-ins."""

    labels: tuple[str, ...]
    n_distinct: int
    cells: int
    examples: tuple[str, ...]
    longer: bool
    missing: tuple[str, ...] = ()


def other_label(labels: tuple[str, ...] | list[str]) -> str | None:
    """The option a write-in belongs to when the options have one (``Other``,
    ``Other (please specify)``, ``기타``), else None."""
    return next((lab for lab in labels if _OTHER.match(normalize_key(lab))), None)


def other_tail(values: pl.DataFrame, answered: int) -> OtherTail | None:
    """The single-choice-with-Other reading of a column's substantive distinct ``values``
    (columns ``value``, ``n``, ``key``, ``length``), or None.

    Options are the answers at least ``max(2, 0.2% of answers)`` respondents gave; the
    rest are write-ins, but for non-substantive answers (missing codes).  Taken only when
    there are 2-40 options of at most 120 characters, at least one write-in, the
    write-ins hold at most 15% of the answers and each option is chosen five times on
    average.
    """
    if answered < MIN_ANSWERS or values.is_empty():
        return None
    per_key = (values.group_by("key", maintain_order=True)
               .agg(pl.col("value").first().str.strip_chars(), pl.col("n").sum(), pl.col("length").max()))
    floor = max(2, math.ceil(0.002 * answered))
    options = per_key.filter(pl.col("n") >= floor)
    tail = per_key.filter(pl.col("n") < floor)
    k = options.height
    if tail.is_empty() or not 2 <= k <= MAX_OPTIONS:
        return None
    missing = [v for v in tail["value"].to_list() if is_non_substantive(v)]
    tail = tail.filter(~pl.col("value").is_in(missing))
    if tail.is_empty():
        return None
    if int(options["length"].max()) > MAX_LABEL:                 # type: ignore[arg-type]
        return None
    tail_cells = int(tail["n"].sum())
    chosen = int(options["n"].sum())
    if tail_cells > WRITE_IN_SHARE * answered or chosen < 5 * k:
        return None
    widest = int(options["length"].max())                        # type: ignore[arg-type]
    longer = (int(tail["length"].min()) > widest                      # type: ignore[arg-type]
              and float(tail["length"].median()) >= 2 * widest)         # type: ignore[arg-type]
    examples = tuple(tail.sort("n", descending=True, maintain_order=True)["value"].head(3).to_list())
    return OtherTail(tuple(options["value"].to_list()), tail.height, tail_cells, examples, longer,
                     tuple(missing))
