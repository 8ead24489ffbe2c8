"""Drafting, joined multi-select cells: is a column a list of options joined by a separator?

Decided on the column's distinct values (:class:`._draft_inventory.Inventory`), never per
cell: each distinct cell is split once in polars, its pieces counted by the respondents
holding them.  A separator is taken only where it yields a *recurring closed set*: pieces
chosen by several respondents make the options, and the few pieces that occur once (the
"Other" text Google Forms appends to the ticked options) are write-ins kept as the
question's other text.  A comma splits only when the options explain the cells more
simply than the cells themselves (combinations occur), so free text with commas stays
whole; a space splits only code-like tokens (KoboToolbox's ``a b c``), never words.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import polars as pl

from survey._text import normalize_key_expr
from survey.codebook._draft_inventory import SEPARATORS, Inventory

__all__ = ["MAX_LIST_OPTIONS", "Split", "find_split"]

MAX_LIST_OPTIONS = 400
"""Most options a joined list may have (a language list has ~50; a skills list ~300)."""
MAX_LABEL = 120
_CODE_TOKEN = r"^[a-z0-9_][a-z0-9_.-]*$"
_WRITE_IN_SHARE = 0.25     # at most this share of the answered cells may hold a write-in


@dataclass(frozen=True)
class Split:
    """A joined multi-select: ``delimiter``, option ``labels`` in order of first appearance
    with the respondents choosing each (``counts``), and the write-ins met beside them:
    ``write_in_cells`` (cells holding one) and a few ``write_in_examples``."""

    delimiter: str
    labels: tuple[str, ...]
    counts: tuple[int, ...]
    write_in_cells: int = 0
    write_in_examples: tuple[str, ...] = ()
    multi_cells: int = 0          # cells holding two options or more

    @property
    def write_ins(self) -> bool:
        return self.write_in_cells > 0


def _pieces(values: pl.DataFrame, sep: str) -> pl.DataFrame:
    """One row per piece of each distinct cell: cell, pos, piece (as written), key, n."""
    flat = pl.col("value")
    if values.select(flat.str.contains("&", literal=True).any()).item():
        flat = flat.str.replace_all("&nbsp;", " ", literal=True).str.replace_all("&amp;", "&", literal=True)
    exploded = (          # each piece's position from its list, not from a window per cell
        values.lazy().with_row_index("cell")
        .select("cell", "n", piece=flat.str.split(sep))
        .with_columns(pos=pl.int_ranges(pl.col("piece").list.len()))
        .explode("piece", "pos")
    ).collect()                # once: a lazy plan would explode again for the keys
    # each distinct piece normalised once (a list's entries repeat across its cells)
    keys = exploded.select("piece").unique().with_columns(key=normalize_key_expr(pl.col("piece")))
    return exploded.join(keys, on="piece", how="left", nulls_equal=True, maintain_order="left")


def _rejoin(pieces: pl.DataFrame, sep: str) -> pl.DataFrame:
    """Join back the pieces of labels that hold the separator ("Data cleaning, wrangling",
    "Korea, Republic of", "Developer, full-stack"), vectorised over all pieces at once.

    A piece that never starts a cell is joined to the one before it when it reads as a
    continuation (it starts lower-case or with a space, or the piece before leaves a
    bracket open), or when it always follows the same piece (``QA or test`` only after
    ``Developer``): an option of a list is chosen after various others, or first.
    """
    same_cell = pl.col("cell") == pl.col("cell").shift(1)     # rows sorted by cell: no window
    p = pieces.sort("cell", "pos").with_columns(
        prev_key=pl.when(same_cell).then(pl.col("key").shift(1)),
        prev_piece=pl.when(same_cell).then(pl.col("piece").shift(1)),
    )
    opened = (pl.col("prev_piece").str.count_matches(r"\(") > pl.col("prev_piece").str.count_matches(r"\)")) | (
        pl.col("prev_piece").str.count_matches(r"\[") > pl.col("prev_piece").str.count_matches(r"\]"))
    reads_on = pl.col("piece").str.contains(r"^(\s|\p{Ll})") | opened.fill_null(False)
    never_first = ~(pl.col("pos") == 0).any().over("key")
    only_after = (pl.col("prev_key").n_unique().over("key") == 1) & pl.col("prev_key").is_not_null().all().over("key")
    p = p.with_columns(join=(pl.col("pos") > 0) & never_first & (
        reads_on | (only_after & (pl.col("n").sum().over("key") >= 2) & (pl.col("key") != pl.col("prev_key")))))
    if not p["join"].any():
        return pieces
    # a segment starts at each piece not joined (each cell's first among them)
    p = p.with_columns(seg=(~pl.col("join")).cast(pl.Int64).cum_sum())
    out = (p.group_by("cell", "seg", maintain_order=True)
           .agg(pl.col("n").first(), pl.col("piece").str.join(sep)))
    row = pl.int_range(pl.len())
    first = pl.when(pl.col("cell") != pl.col("cell").shift(1).fill_null(-1)).then(row).forward_fill()
    return out.with_columns(pos=row - first, key=normalize_key_expr(pl.col("piece"))).select(pieces.columns)


def _rare_options(pieces: pl.DataFrame, per_key: pl.DataFrame, floor: int) -> list[int]:
    """The keys chosen by fewer than ``floor`` respondents that are options all the same:
    somewhere not at the tail of their cell (after every recurring option, where Google
    Forms appends the "Other" text: a write-in); the rest are write-ins."""
    rare = per_key.filter(pl.col("n") < floor)["kid"]
    if rare.is_empty():
        return []
    is_rare = pl.col("kid").is_in(rare.implode())
    slim = pieces.select("cell", "pos", "kid")
    at = slim.filter(is_rare)
    near = pl.col("cell").is_in(at["cell"].unique().implode()) & ~is_rare     # recurring options
    last = slim.filter(near).group_by("cell").agg(last=pl.col("pos").max())
    inside = at.join(last, on="cell", how="left").filter(pl.col("pos") <= pl.col("last").fill_null(-1))
    return inside["kid"].unique().to_list()


def _try(values: pl.DataFrame, sep: str, answered: int) -> Split | None:
    holding = values.select(pl.col("n").filter(pl.col("value").str.contains(sep, literal=True)).sum())
    holding = holding.item()
    if not holding or holding < 0.01 * answered:
        return None
    if sep == " " and not values.select(pl.col("value").str.contains(r"^[a-z0-9_. -]+$").all()).item():
        return None                                   # words, never split on spaces
    commas = pl.col("value").str.count_matches(",", literal=True)
    spaced = pl.col("value").str.count_matches(", ", literal=True)
    if sep == ", " and not values.select((commas == spaced).all()).item():
        return None
    if sep == "," and values.select((commas == spaced).all()).item():
        return None
    pieces = _pieces(values, sep)
    if sep in (", ", ","):
        pieces = _rejoin(pieces, sep)
    if pieces.select((pl.col("key") == "").any()).item():
        return None                                   # "A;;B", "A;": not a clean list
    # each key as a number (``kid``), so that the counts below hash integers, not text
    pieces = pieces.with_columns(kid=pl.col("key").cast(pl.Categorical).to_physical().cast(pl.UInt64))
    if pieces.select((pl.col("cell").cast(pl.UInt64) * (1 << 32) + pl.col("kid")).n_unique() < pl.len()).item():
        return None                                   # an option twice in a cell
    if sep == " " and not pieces.select(pl.col("piece").str.contains(_CODE_TOKEN).all()).item():
        return None                                   # words, never split on spaces
    floor = max(2, math.ceil(0.001 * answered))
    # a piece chosen by few respondents is a write-in only at the tail of its cell (after
    # every recurring option: where Google Forms appends the "Other" text); elsewhere it is
    # a rare option
    per_key = (pieces.group_by("kid", maintain_order=True)
               .agg(pl.col("key").first(), pl.col("piece").first().str.strip_chars(), pl.col("n").sum()))
    options = per_key.filter((pl.col("n") >= floor)
                             | pl.col("kid").is_in(_rare_options(pieces, per_key, floor)))
    k = options.height
    if k < 2 or k > MAX_LIST_OPTIONS:
        return None
    if options.select(pl.col("piece").str.len_chars().max()).item() > MAX_LABEL:
        return None
    written = pieces.select("cell", "n", "piece", "kid").filter(
        ~pl.col("kid").is_in(options["kid"].implode()))
    write_in_cells = int(written.unique("cell")["n"].sum()) if written.height else 0
    if write_in_cells > _WRITE_IN_SHARE * answered:
        return None
    if sep == " " and write_in_cells:
        return None
    chosen = int(options["n"].sum())
    if 2 * chosen < 3 * k:                            # each option chosen 1.5 times on average
        return None
    multi = pieces.select(pl.col("n").filter(pl.col("pos") == 1))   # cells of two pieces or more
    if multi.is_empty() or int(multi["n"].sum()) < 0.01 * answered:
        return None                                   # single answers, a few holding the separator
    if sep in (", ", ",", " "):
        wholes = values["key"].n_unique()
        if k >= wholes:                               # the split explains nothing more simply
            return None
    examples = tuple(dict.fromkeys(written.sort("n", descending=True, maintain_order=True)["piece"].str.strip_chars()
                                   .head(3).to_list())) if written.height else ()
    return Split(sep, tuple(options["piece"].to_list()), tuple(options["n"].to_list()),
                 write_in_cells, examples, int(multi["n"].sum()))


def find_split(inv: Inventory, *, exclude: frozenset[str] = frozenset()) -> Split | None:
    """The multi-select reading of the column, or None (``exclude``: keys of whole values
    that are missing codes, left out of the lists).

    >>> from survey.codebook._draft_inventory import inventory
    >>> s = find_split(inventory(["Go;Rust", "Go", "Rust;C", "C", "Go;C"]))
    >>> s.delimiter, s.labels
    (';', ('Go', 'Rust', 'C'))
    """
    values = inv.values.filter(~pl.col("key").is_in(list(exclude))) if exclude else inv.values
    if values.height < 2:
        return None
    answered = int(values["n"].sum())
    if answered < 3:
        return None
    for sep in SEPARATORS:
        found = _try(values, sep, answered)
        if found is not None:
            return found
    return None
