"""The reserved columns a bound frame carries and the dense codes of design columns."""

from __future__ import annotations

import polars as pl

__all__ = ["DOM", "H", "PSU", "SSU", "W", "dense_codes", "unit_column"]

W, H, PSU, DOM = "__svy_w", "__svy_h", "__svy_psu", "__svy_dom"
"""Reserved column names the bound frame carries: weight, stratum code, PSU code, domain."""
SSU = "__svy_ssu"  # second-stage unit code (designs with a second-stage fpc only)


def unit_column(stage: int) -> str:
    """The reserved column of the unit codes at ``stage`` (2: :data:`SSU`; 3, 4, ...)."""
    return SSU if stage == 2 else f"__svy_u{stage}"


def dense_codes(s: pl.Series) -> tuple[pl.Series, int]:
    """Dense 0-based codes of ``s`` in sorted value order (nulls stay null), and their count.

    The order is that of ``rank("dense")`` (text: byte order; Enum: category order;
    Boolean: False first), computed without sorting the column where possible:
    text through an Enum of its sorted distinct values, integers by offset when
    their range is small.
    """
    dt = s.dtype
    if dt == pl.Boolean:
        s = s.cast(pl.UInt8)
        dt = s.dtype
    if s.len() and not s.has_nulls() and not isinstance(dt, pl.Categorical) and s.is_sorted():
        codes = s.rle_id()  # sorted (survey files often are, by stratum and PSU): one pass
        return codes.cast(pl.UInt32), int(codes[-1]) + 1
    if dt == pl.String or isinstance(dt, pl.Categorical):
        levels = s.cast(pl.String).unique().drop_nulls().sort()
        codes = s.cast(pl.String).cast(pl.Enum(levels.to_list())).to_physical().cast(pl.UInt32)
        return codes, levels.len()
    if isinstance(dt, pl.Enum):
        s = s.to_physical()
        dt = s.dtype
    if dt.is_integer() and s.len():
        lo, hi = s.min(), s.max()
        if lo is not None and hi is not None and int(hi) - int(lo) < 4 * s.len() + 1024:
            shifted = (s.cast(pl.Int64) - int(lo)).cast(pl.UInt32)
            present = pl.zeros(int(hi) - int(lo) + 1, pl.Boolean, eager=True).scatter(
                shifted.drop_nulls(), True)
            if present.all():
                return shifted, present.len()
            remap = present.cast(pl.UInt32).cum_sum() - 1  # value -> dense code
            return remap.gather(shifted).alias(s.name), int(present.sum())
    codes = (s.rank("dense") - 1).cast(pl.UInt32)
    return codes, int(codes.max() + 1) if codes.len() and codes.null_count() < codes.len() else 0
