"""Options of a crosstab: what the cells show, how columns are tested, what is suppressed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from survey.errors import EstimationError

__all__ = ["CellStatistic", "Correction", "Disclosure", "Significance"]

Correction = Literal["none", "bonferroni", "holm", "bh"]
"""Multiple-comparison corrections within one row's family of pairwise column tests."""

CellStatistic = Literal["column_pct", "row_pct", "count", "unweighted_count"]
"""What a category cell shows: column percentage (default), row percentage, weighted count,
unweighted count."""

CORRECTIONS: tuple[str, ...] = ("none", "bonferroni", "holm", "bh")
CELL_STATISTICS: tuple[str, ...] = ("column_pct", "row_pct", "count", "unweighted_count")
ORDINAL_TESTS: tuple[str, ...] = ("wilcoxon", "vanderwaerden", "median", "kruskalwallis")


@dataclass(frozen=True)
class Significance:
    """How banner columns are compared within each banner group.

    Parameters
    ----------
    levels
        Two confidence levels, looser first: a column letter is printed in lower case
        when the difference is significant at the first (``0.95``: p < 0.05) and in
        UPPER case at the second (``0.99``: p < 0.01), as WinCross and Q do.
    correction
        ``"holm"`` (default, as the reference recommends: it controls the family-wise
        error and is uniformly more powerful than Bonferroni), ``"bonferroni"``
        (SPSS's pasted default), ``"bh"`` (false discovery rate, as Q) or
        ``"none"``. The family is one row's pairwise tests within one banner group.
    min_base
        Columns whose effective base is below this (default 30, as Quantipy and
        NCHS) are flagged as low base and not tested.
    ordinal
        Whole-table test of an ordinal question (a Likert item) across each banner
        group: ``None`` (default) Rao-Scott F, as every categorical question; or a
        rank test that uses the order of the answers, ``"wilcoxon"``,
        ``"vanderwaerden"``, ``"median"`` or ``"kruskalwallis"`` (R's
        ``svyranktest``; needs a survey design). Column letters are unchanged.
    """

    levels: tuple[float, float] = (0.95, 0.99)
    correction: Correction = "holm"
    min_base: float = 30.0
    ordinal: str | None = None

    def __post_init__(self) -> None:
        lo, hi = self.levels
        if not 0.5 < lo < hi < 1:
            raise EstimationError(
                f"levels={self.levels!r}: give two confidence levels, looser first, "
                "between 0.5 and 1 (e.g. (0.95, 0.99))", location="levels")
        if self.correction not in CORRECTIONS:
            raise EstimationError(f"correction={self.correction!r} is not one of "
                                  f"{', '.join(CORRECTIONS)}", location="correction")
        if self.ordinal is not None and self.ordinal not in ORDINAL_TESTS:
            raise EstimationError(f"ordinal={self.ordinal!r} is not one of "
                                  f"{', '.join(ORDINAL_TESTS)}", location="ordinal")
        if self.min_base < 2:
            raise EstimationError(f"min_base={self.min_base!r} must be at least 2",
                                  location="min_base")

    @property
    def alphas(self) -> tuple[float, float]:
        """The two significance thresholds, looser first (``(0.05, 0.01)``)."""
        return (round(1 - self.levels[0], 10), round(1 - self.levels[1], 10))


@dataclass(frozen=True)
class Disclosure:
    """Small-cell suppression (on by default).

    Parameters
    ----------
    min_cell
        A cell counting fewer than this many respondents (unweighted, default 10, as
        ACRO, the ONS LS and CMS for identifiable populations), or whose complement
        in its column does, is suppressed; so is every cell of a column whose base is
        below it. ``0`` turns cell suppression off; a column of one respondent is
        never published whatever the setting.
    """

    min_cell: int = 10

    def __post_init__(self) -> None:
        if self.min_cell < 0:
            raise EstimationError(f"min_cell={self.min_cell!r} must be 0 or more",
                                  location="min_cell")

    @property
    def min_column(self) -> int:
        """Smallest publishable column base: ``min_cell``, and never one person."""
        return max(self.min_cell, 2)
