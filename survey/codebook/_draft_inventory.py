"""Drafting, evidence: each column's inventory of distinct values, computed once in polars.

A column of 100,000 answers holds a few dozen distinct values when it is a question with
options, and every decision the draft makes (number, date, list, choice, scale, text) is
a statement about those distinct values and how often each occurs.  So the draft reads a
column once, with ``group_by`` in polars, into an :class:`Inventory`: each distinct value
as written (``value``), how many cells hold it (``n``), its matching key as ingest
normalises it (``key``) and its length.  Blank cells (as ingest's blank test sees them)
and the blanks tools write (``NA``, ``#N/A`` ..., see :mod:`._draft_missing`) are left
out and counted apart.  Nothing here loops over cells in Python.

>>> inv = inventory(pl.Series("q", ["Yes", "No", None, "Yes", "NA"]))
>>> inv.values.select("value", "n").rows(), inv.n_answered, sorted(inv.markers)
([('Yes', 2), ('No', 1)], 3, ['NA'])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from survey._text import PLAIN_CHARS, normalize_key, normalize_key_expr
from survey.codebook._draft_missing import TOOL_MISSING

__all__ = ["SEPARATORS", "Cells", "Inventory", "inventories", "inventory", "strip_markers"]

SEPARATORS: tuple[str, ...] = ("|", ";", ", ", ",", " ")
"""The separators a joined multi-select cell may use, in the order the draft tries them."""

_MARKER_KEYS = {normalize_key(m): m for m in TOOL_MISSING}
_KEPT_MARKERS = frozenset({"N/A"})   # a person picks "N/A" too: it stays, as a missing code


@dataclass(frozen=True)
class Inventory:
    """The distinct answers of one column and how often each occurs.

    ``values``: one row per distinct non-blank value in order of first appearance, with
    ``value`` (as written), ``n`` (cells), ``key`` (normalised as ingest matches it) and
    ``length`` (characters); ``n_rows``: cells in the column; ``markers``: the tool
    blank markers met (``NA``, ``#N/A`` ...), which are not in ``values`` (``N/A`` is).
    """

    values: pl.DataFrame
    n_rows: int
    markers: frozenset[str] = frozenset()

    @property
    def n_answered(self) -> int:
        """Cells holding an answer (not blank, not a tool's blank marker)."""
        return int(self.values["n"].sum()) if self.values.height else 0

    @property
    def n_distinct(self) -> int:
        return self.values.height

    def n_keys(self) -> int:
        """Distinct answers after normalisation (case, spaces, NBSP, HTML)."""
        return self.values["key"].n_unique() if self.values.height else 0

    def texts(self) -> list[str]:
        """The distinct values as written, in order of first appearance."""
        return self.values["value"].to_list()

    def with_separator(self, sep: str) -> pl.DataFrame:
        """The distinct values holding ``sep`` (as ingest reads them: ``&nbsp;`` is no ``;``)."""
        flat = pl.col("value").str.replace_all("&nbsp;", " ", literal=True).str.replace_all(
            "&amp;", "&", literal=True)
        return self.values.filter(flat.str.contains(sep, literal=True))

    def top(self, k: int = 3) -> list[str]:
        """The ``k`` commonest values (ties in order of first appearance)."""
        return self.values.sort("n", descending=True, maintain_order=True)["value"].head(k).to_list()

    def cells(self) -> list[str]:
        """Every answered cell once per occurrence (for small columns and tests only)."""
        return [v for v, n in self.values.select("value", "n").iter_rows() for _ in range(n)]


class Cells(Sequence[str | None]):
    """A column's cells, read lazily: ``series`` (tool blank markers blanked, as the
    drafter's per-column rules expect) and the list are made only when a caller needs them
    (most columns never do); ``inventory`` is the column's inventory, counted once."""

    def __init__(self, raw: pl.Series, *, own_label: str | None = None,
                 counted: Inventory | None = None) -> None:
        self._raw = raw
        self._own_label = own_label
        self._series: pl.Series | None = None
        self._list: list[str | None] | None = None
        self.inventory = counted if counted is not None else inventory(raw, own_label=own_label)

    @property
    def series(self) -> pl.Series:
        if self._series is None:
            self._series = strip_markers(self._raw, own_label=self._own_label)[0]
        return self._series

    def _cells(self) -> list[str | None]:
        if self._list is None:
            self._list = self.series.to_list()
        return self._list

    def __len__(self) -> int:
        return self._raw.len()

    def __getitem__(self, i):  # type: ignore[no-untyped-def]
        return self._cells()[i]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._cells())


def strip_markers(series: pl.Series, *, own_label: str | None = None) -> tuple[pl.Series, frozenset[str]]:
    """``series`` with tool blank markers (except ``N/A``) blanked, and the markers met.

    The vectorised twin of :func:`._draft_missing.strip_tool_missing`; the test runs on the
    distinct values, then the column is rewritten in one ``when``.
    """
    s = series.cast(pl.String)
    distinct = s.unique().drop_nulls().to_frame("value").filter(pl.col("value").str.len_chars() <= 12)
    if distinct.is_empty():
        return s, frozenset()
    keep = normalize_key(own_label) if own_label else None
    hits = distinct.with_columns(key=normalize_key_expr(pl.col("value"))).filter(
        pl.col("key").is_in(list(_MARKER_KEYS)) & (pl.col("key") != (keep or "\x00")))
    if hits.is_empty():
        return s, frozenset()
    found = frozenset(_MARKER_KEYS[k] for k in hits["key"].unique().to_list())
    drop = hits.filter(~pl.col("key").is_in([normalize_key(m) for m in _KEPT_MARKERS]))["value"]
    if drop.is_empty():
        return s, found
    out = s.to_frame("v").select(
        pl.when(pl.col("v").is_in(drop.to_list())).then(None).otherwise(pl.col("v")).alias(s.name))
    return out.to_series(), found


_PLAIN = rf"^[{PLAIN_CHARS}]*$"


def _counted(lf: pl.LazyFrame) -> pl.LazyFrame:
    """The distinct non-blank values of the one column ``value`` with their counts, in
    order of first appearance (the blank test runs on the distinct values, not the cells),
    and whether each is ``_plain``: printable ASCII with no HTML, its own key once spaces
    are collapsed and it is lower-cased (NFKC leaves it as it is)."""
    v = pl.col("value")
    return (
        lf.group_by("value", maintain_order=True).len(name="n")
        .filter(v.is_not_null() & (v.str.strip_chars() != ""))
        .with_columns(pl.col("n").cast(pl.Int64), length=v.str.len_chars(), _plain=v.str.contains(_PLAIN))
    )


def _keyed(counted: pl.DataFrame) -> pl.LazyFrame:
    """``counted`` with each value's matching ``key``: the full normalisation only for the
    values that are not plain (most columns have none)."""
    simple = pl.col("value").str.replace_all(r" {2,}", " ").str.strip_chars(" ").str.to_lowercase()
    lf = counted.lazy()
    if counted["_plain"].all():
        if not counted.select(pl.col("value").str.contains("[A-Z ]").any()).item():
            simple = pl.col("value")        # no space, no capital (numbers, codes): its own key
        return lf.with_columns(key=simple).select("value", "n", "key", "length")
    lf = lf.with_row_index("_order")
    return pl.concat([
        lf.filter(pl.col("_plain")).with_columns(key=simple),
        lf.filter(~pl.col("_plain")).with_columns(key=normalize_key_expr(pl.col("value"))),
    ]).sort("_order").select("value", "n", "key", "length")


def _finish(values: pl.DataFrame, n_rows: int, own_label: str | None) -> Inventory:
    """Set the tool blank markers apart, among the distinct values."""
    keep = normalize_key(own_label) if own_label else "\x00"
    marker = (pl.col("length") <= 12) & pl.col("key").is_in(list(_MARKER_KEYS)) & (pl.col("key") != keep)
    hits = values.filter(marker)["key"].unique().to_list()
    if not hits:
        return Inventory(values=values, n_rows=n_rows)
    kept = [normalize_key(m) for m in _KEPT_MARKERS]
    values = values.filter(~(marker & ~pl.col("key").is_in(kept)))
    return Inventory(values=values, n_rows=n_rows, markers=frozenset(_MARKER_KEYS[k] for k in hits))


def inventory(series: pl.Series | Sequence[str | None], *, own_label: str | None = None) -> Inventory:
    """The :class:`Inventory` of one column (a polars Series, or cells for tests).

    One ``group_by`` over the cells; the tool blank markers are then found among the
    distinct values (never per cell).

    >>> inventory(["3", " 3", "", "4"]).values.select("value", "n").rows()
    [('3', 1), (' 3', 1), ('4', 1)]
    """
    if isinstance(series, Cells):
        return series.inventory
    s = series if isinstance(series, pl.Series) else pl.Series("cells", list(series), dtype=pl.String)
    s = s.cast(pl.String)
    values = _keyed(_counted(s.rename("value").to_frame().lazy()).collect()).collect()
    return _finish(values, s.len(), own_label)


def inventories(frame: pl.DataFrame, names: Sequence[str],
                own_labels: Sequence[str | None]) -> list[Inventory]:
    """The inventories of several columns of ``frame``, counted in one parallel query."""
    counted = pl.collect_all([_counted(frame.lazy().select(pl.col(n).cast(pl.String).alias("value")))
                              for n in names])
    counted = pl.collect_all([_keyed(c) for c in counted])
    return [_finish(v, frame.height, lab) for v, lab in zip(counted, own_labels, strict=True)]
