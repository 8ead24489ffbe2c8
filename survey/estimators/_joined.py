"""Free-text answers that are really lists: cells joining several options, counted whole.

A checkbox question exported as one text column (``R, Python``; ``HTML/CSS;JavaScript``)
and left a text question would be counted whole by a proportion or a crosstab: each
combination becomes a category of its own and no option gets its share.  This module
tells such a column from free text by its distinct values: many cells hold a separator,
and the pieces it separates recur across different cells.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import polars as pl

from survey.errors import DataWarning

__all__ = ["JoinedAnswers", "joined_answers", "warn_if_joined"]

# (shown separator, pattern that splits on it)
_SEPARATORS = ((";", r"\s*;\s*"), (", ", r"\s*,\s+"), ("|", r"\s*\|\s*"), (",", r"\s*,\s*"))
MIN_SHARE = 0.05       # of the answers holding the separator
MIN_RECURRING = 0.5    # of the pieces (weighted by rows) that occur in two or more distinct cells


@dataclass(frozen=True)
class JoinedAnswers:
    """A text column whose cells join several answers."""

    column: str
    delimiter: str
    share: float          # of the non-blank answers that hold the delimiter
    example: str          # the commonest joined cell

    def message(self) -> str:
        """One line: what was seen and what to do."""
        return (f"{self.column}: {self.share:.0%} of its answers join several with "
                f"{self.delimiter!r} (e.g. {self.example!r}) and are counted whole, each "
                "combination a category of its own; declare it type: multiple, layout: "
                f"delimited, delimiter: {self.delimiter!r} in the codebook (write-ins: an option "
                f"'other' and other: {{option: other, column: <its column>}}) and ingest again")


def joined_answers(s: pl.Series) -> JoinedAnswers | None:
    """A :class:`JoinedAnswers` when text column ``s`` holds joined lists, else None.

    >>> s = pl.Series("tools", ["R, Python", "Python", "R", "SPSS, R", "Python, SPSS", "R"])
    >>> joined_answers(s).delimiter
    ', '
    >>> joined_answers(pl.Series("c", ["Good, but slow", "Fine", "Too long, too hard", "Ok"])) is None
    True
    """
    if s.dtype != pl.String and not isinstance(s.dtype, pl.Categorical):
        return None
    vals = s.drop_nulls().cast(pl.String).str.strip_chars()
    counts = vals.filter(vals != "").value_counts(name="n")
    total = int(counts["n"].sum()) if counts.height else 0
    if total < 5 or counts.height < 2:
        return None
    name = s.name
    v = pl.col(name)
    for shown, pattern in _SEPARATORS:
        joined = counts.filter(v.str.contains(pattern))
        rows = int(joined["n"].sum()) if joined.height else 0
        if rows < 3 or joined.height < 2 or rows < MIN_SHARE * total:
            continue
        pieces = (counts.with_columns(v.alias("_cell"),
                                      v.str.replace_all(pattern, "\x00").str.split("\x00").alias("_p"))
                  .explode("_p").with_columns(pl.col("_p").str.strip_chars().str.to_lowercase())
                  .filter(pl.col("_p") != ""))
        spread = pieces.group_by("_p").agg(pl.col("_cell").n_unique().alias("cells"), pl.col("n").sum())
        again = spread.filter(pl.col("cells") >= 2)
        if again.height < 2 or int(again["n"].sum()) < MIN_RECURRING * int(spread["n"].sum()):
            continue
        example = joined.sort("n", descending=True)[name][0]
        return JoinedAnswers(name, shown, rows / total, example)
    return None


def warn_if_joined(s: pl.Series) -> JoinedAnswers | None:
    """Warn (:class:`~survey.errors.DataWarning`) when ``s`` would be counted whole."""
    found = joined_answers(s)
    if found is not None:
        warnings.warn(found.message(), DataWarning, stacklevel=3)
    return found
