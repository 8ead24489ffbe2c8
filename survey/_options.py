"""How a multiple-choice question's option columns code "not ticked"."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

__all__ = ["unticked_is_false"]


def unticked_is_false(frame: pl.DataFrame, options: Sequence[str]) -> bool:
    """True when the option columns code an unticked option False, as typed frames do.

    Then a null beside answers means the option was not asked of that row (a wave
    without it), and the row leaves that option's base. Data that code ticks as True
    and everything else as null (no False anywhere) count such nulls as "not chosen".
    """
    return bool(frame.select(pl.any_horizontal((pl.col(c) == False).any()  # noqa: E712
                                               for c in options)).item())
