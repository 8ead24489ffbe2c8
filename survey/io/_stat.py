"""Read SPSS ``.sav`` and Stata ``.dta`` files through pyreadstat, every cell as text."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import polars as pl

from survey.io._model import Limits
from survey.io._util import unreadable

__all__ = ["StatGrid", "number_text", "read_stat_file"]

_EXACT = 2.0**53


@dataclass(frozen=True)
class StatGrid:
    """A statistical file as text, with its labels and user-missing codes."""

    frame: pl.DataFrame
    variable_labels: dict[str, str]
    value_labels: dict[str, dict[str, str]]
    user_missing: dict[str, tuple[str, ...]]
    date_columns: frozenset[str]
    encoding: str | None
    notes: tuple[str, ...]


def number_text(value: object) -> str:
    """Return a code as text the way :func:`read_stat_file` writes cells: ``1.0`` -> ``"1"``.

    >>> number_text(1.0), number_text(-99), number_text(2.5), number_text("a")
    ('1', '-99', '2.5', 'a')
    """
    if isinstance(value, float) and value.is_integer() and abs(value) < _EXACT:
        return str(int(value))
    return str(value)


def _text_expr(name: str, dtype: pl.DataType) -> pl.Expr:
    col = pl.col(name)
    if dtype == pl.String:
        return col
    if dtype == pl.Date:
        return col.dt.strftime("%Y-%m-%d")
    if isinstance(dtype, pl.Datetime):
        return col.dt.strftime("%Y-%m-%d %H:%M:%S")
    if dtype == pl.Time:
        return col.dt.strftime("%H:%M:%S")
    if dtype.is_float():
        integral = col.is_finite() & (col == col.floor()) & (col.abs() < _EXACT)
        return (
            pl.when(col.is_nan())
            .then(None)
            .when(integral)
            .then(col.cast(pl.Int64).cast(pl.String))
            .otherwise(col.cast(pl.String))
        )
    return col.cast(pl.String)


def _user_missing(
    frame: pl.DataFrame, meta: Any, value_labels: dict[str, dict[str, str]]
) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for name, ranges in (getattr(meta, "missing_ranges", None) or {}).items():
        codes: list[str] = []
        for r in ranges:
            lo, hi = r.get("lo"), r.get("hi")
            if lo == hi:
                codes.append(number_text(lo))
                continue
            # A range: list the labelled and the observed values inside it.
            inside = [k for k in value_labels.get(name, {}) if _in_range(k, lo, hi)]
            if name in frame.columns and frame.schema[name].is_numeric():
                seen = frame.get_column(name).filter(frame.get_column(name).is_between(lo, hi))
                inside += [number_text(v) for v in seen.unique().sort().to_list()]
            codes += [number_text(lo), *inside, number_text(hi)]
        out[name] = tuple(dict.fromkeys(codes))
    for name, values in (getattr(meta, "missing_user_values", None) or {}).items():
        out[name] = tuple(dict.fromkeys([*out.get(name, ()), *(number_text(v) for v in values)]))
    return out


def _in_range(code: str, lo: Any, hi: Any) -> bool:
    try:
        return float(lo) <= float(code) <= float(hi)
    except (TypeError, ValueError):
        return False


def read_stat_file(path: str, *, kind: str, limits: Limits) -> StatGrid:
    """Read a ``.sav`` or ``.dta`` file; numbers become text (``1`` not ``1.0``), dates ISO.

    User-missing codes are kept as values (``user_missing=True``) and listed per
    variable; value labels are returned with their codes as text, not applied.
    """
    import pyreadstat  # here, not at the top: it costs ~0.7 s of start-up to every command

    reader: Callable[..., Any] = pyreadstat.read_sav if kind == "sav" else pyreadstat.read_dta
    label = "SPSS .sav" if kind == "sav" else "Stata .dta"
    try:
        _, meta = reader(path, metadataonly=True)
        rows, cols = meta.number_rows, meta.number_columns
        if rows is not None and rows > limits.max_rows:
            raise unreadable(
                f"the file has {rows} cases, over the row limit of {limits.max_rows}",
                path,
                "if this file is genuine, raise the row limit (--max-rows N; Limits(max_rows=N) in Python)",
            )
        if cols is not None and cols > limits.max_columns:
            raise unreadable(
                f"the file has {cols} variables, over the column limit of {limits.max_columns}",
                path,
                "if this file is genuine, raise the column limit (--max-columns N; Limits(max_columns=N))",
            )
        frame, meta = reader(
            path, user_missing=True, apply_value_formats=False, output_format="polars"
        )
    except pyreadstat.ReadstatError as exc:
        raise unreadable(
            f"corrupt or unsupported {label} file ({exc})",
            path,
            "export the file again from SPSS/Stata",
        ) from None
    except (UnicodeDecodeError, OverflowError, ValueError) as exc:
        raise unreadable(f"the {label} file cannot be decoded ({exc})", path) from None
    value_labels = {
        name: {number_text(k): str(v) for k, v in labels.items()}
        for name, labels in (meta.variable_value_labels or {}).items()
    }
    user_missing = _user_missing(frame, meta, value_labels)
    dates = frozenset(
        name for name, dtype in frame.schema.items() if dtype.is_temporal()
    )
    text = frame.select(_text_expr(n, d).alias(n) for n, d in frame.schema.items())
    variable_labels = {
        name: label for name, label in (meta.column_names_to_labels or {}).items() if label
    }
    encoding = getattr(meta, "file_encoding", None)
    return StatGrid(text, variable_labels, value_labels, user_missing, dates, encoding, ())
