"""The analysis variables of the linear estimators, as the base columns they reduce to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

__all__ = ["LazyCol", "_Item", "_layout"]


@dataclass(frozen=True)
class LazyCol:
    """One base column of an estimate on a lazy design: ``kind="sum"``, the weighted sum
    of the product of ``factors`` (:class:`~survey.design.Sum` factors); ``"category"``,
    the weight of rows whose ``column`` equals ``label`` (matched as ``key``); ``"valid"``,
    the weight of rows where ``column`` is not null."""

    kind: str
    column: str = ""
    label: Any = None
    key: str | None = None
    factors: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class _Item:
    """One analysis variable's base columns and output rows."""

    variable: str
    labels: tuple[object, ...] | None  # categories, None for a numeric variable
    cols: tuple[pl.Expr, ...]  # numerator columns, then the base ("answered") column
    valid: pl.Expr
    value: pl.Expr | None  # numeric value (for deff)
    spec: tuple[LazyCol, ...] = ()  # the base columns of a lazy design (cols stays empty)

    @property
    def width(self) -> int:
        """Base columns: categories (or the value), then the base."""
        return len(self.spec) or len(self.cols)


def _layout(items: list[_Item], D: int, statistic: str) -> tuple[list[pl.Expr], np.ndarray,
                                                                  np.ndarray, list[tuple]]:
    """Flatten items into base columns and the (num, den) index of every output row."""
    cols: list[pl.Expr] = []
    offs = []
    width = 0
    for it in items:
        offs.append(width)
        cols.extend(it.cols)
        width += it.width
    k = width
    num, den, meta = [], [], []
    for d in range(D):
        for j, it in enumerate(items):
            base = d * k + offs[j]
            nnum = it.width - 1
            for c in range(nnum):
                num.append(base + c)
                den.append(base + nnum if statistic != "total" else -1)
                cat = None if it.labels is None else it.labels[c]
                meta.append((d, j, cat, c))
    return cols, np.array(num), np.array(den), meta
