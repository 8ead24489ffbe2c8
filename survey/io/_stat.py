"""Read SPSS ``.sav``, Stata ``.dta`` and SAS ``.xpt`` / ``.sas7bdat`` files through
pyreadstat, every cell as text.

Missing-value codes become text a codebook can name: SPSS user-missing values stay
numbers (``8``); Stata's extended missing values are ``.a`` ... ``.z`` and SAS's special
missing values ``.A`` ... ``.Z`` and ``._`` (as Stata and SAS print them), each listed as
a user-missing code of its variable with its value label.  A SAS file's value labels
live in a formats catalog: ``NAME.sas7bcat`` or ``formats.sas7bcat`` beside the data is
read when present.  SAS transport files carry no special missing values through
pyreadstat (they read as missing) and no value labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from survey.io._model import Limits
from survey.io._util import unreadable

__all__ = ["STAT_KINDS", "StatGrid", "number_text", "read_stat_file", "stat_meta"]

_EXACT = 2.0**53

STAT_KINDS: dict[str, tuple[str, str]] = {
    "sav": ("read_sav", "SPSS .sav"),
    "dta": ("read_dta", "Stata .dta"),
    "xpt": ("read_xport", "SAS transport .xpt"),
    "sas7bdat": ("read_sas7bdat", "SAS .sas7bdat"),
}
"""pyreadstat's reader and the file's name for each statistical format."""


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
    text_columns: frozenset[str] = frozenset()


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


def _catalog(path: str) -> str | None:
    """The SAS formats catalog beside ``path``: ``NAME.sas7bcat``, else ``formats.sas7bcat``."""
    p = Path(path)
    for cand in (p.with_suffix(".sas7bcat"), p.with_name("formats.sas7bcat")):
        if cand.is_file():
            return str(cand)
    return None


def _read(pyreadstat: Any, kind: str, path: str, **kw: Any) -> tuple[Any, Any]:
    """Call pyreadstat's reader for ``kind`` with the options that reader takes."""
    if kind != "sav" and kind != "dta":
        kw.pop("apply_value_formats", None)
    if kind == "xpt":
        kw.pop("user_missing", None)
    return getattr(pyreadstat, STAT_KINDS[kind][0])(path, **kw)  # type: ignore[no-any-return]


def stat_meta(path: str, *, kind: str) -> tuple[Any, dict[str, dict[str, str]], str | None]:
    """The file's metadata (``metadataonly``), its value labels with codes as cells are
    written (``1``, ``.a``), and the SAS catalog the labels came from (else None)."""
    import pyreadstat  # lazily: heavy at start-up

    _, meta = _read(pyreadstat, kind, path, metadataonly=True, user_missing=True)
    catalog = _catalog(path) if kind == "sas7bdat" else None
    labels_meta = meta
    if catalog is not None:
        try:
            _, labels_meta = pyreadstat.read_sas7bdat(path, metadataonly=True,
                                                      catalog_file=catalog)
        except pyreadstat.ReadstatError:
            catalog = None
    numeric = _numeric(meta, kind)
    value_labels = {
        name: {_code_text(k, name in numeric, kind): str(v) for k, v in labels.items()}
        for name, labels in (labels_meta.variable_value_labels or {}).items()
    }
    return meta, value_labels, catalog


def _numeric(meta: Any, kind: str) -> frozenset[str]:
    """Numeric variables (which may hold Stata/SAS extended missing values)."""
    if kind == "sav":
        return frozenset()
    types = getattr(meta, "readstat_variable_types", None) or {}
    return frozenset(n for n, t in types.items() if t != "string")


def _code_text(value: object, numeric: bool, kind: str) -> str:
    """A code as cells are written: numbers as :func:`number_text`; in a numeric Stata or
    SAS variable, pyreadstat's letter for an extended missing value as ``.a`` / ``.A``."""
    if numeric and isinstance(value, str) and kind != "sav":
        return value if value.startswith(".") else "." + value
    return number_text(value)


def _extended_cells(frame: pl.DataFrame, numeric: frozenset[str], kind: str) -> pl.DataFrame:
    """Numeric columns holding extended missing values (pyreadstat: Object or String
    columns of floats and letters) as text: ``1``, ``2.5``, ``.a``.  pyreadstat has made
    a Python object of every cell of such a column already; converting them costs as much."""
    fixed = []
    for name, dtype in frame.schema.items():
        if dtype != pl.Object and not (name in numeric and dtype == pl.String):
            continue
        cells = [None if v is None or (isinstance(v, float) and v != v)
                 else _code_text(v, name in numeric, kind)
                 for v in frame.get_column(name).to_list()]
        fixed.append(pl.Series(name, cells, dtype=pl.String))
    return frame.with_columns(fixed) if fixed else frame


def _user_missing(
    frame: pl.DataFrame, meta: Any, value_labels: dict[str, dict[str, str]], kind: str = "sav"
) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    if kind != "sav":  # extended missing values: those seen and those labelled
        numeric = _numeric(meta, kind)
        for name, values in (getattr(meta, "missing_user_values", None) or {}).items():
            out[name] = tuple(dict.fromkeys(_code_text(v, name in numeric, kind) for v in values))
        for name, labels in value_labels.items():
            letters = [k for k in labels if k.startswith(".") and name in numeric]
            if letters:
                out[name] = tuple(sorted(dict.fromkeys([*out.get(name, ()), *letters])))
        return out
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
    """Read a ``.sav``, ``.dta``, ``.xpt`` or ``.sas7bdat`` file; numbers become text
    (``1`` not ``1.0``), dates ISO.

    User-missing codes are kept as values (``user_missing=True``; Stata's ``.a``-``.z``,
    SAS's ``.A``-``.Z``, ``._``) and listed per variable; value labels are returned with
    their codes as text, not applied.
    """
    import pyreadstat  # here, not at the top: it costs ~0.7 s of start-up to every command

    label = STAT_KINDS[kind][1]
    notes: list[str] = []
    try:
        meta, value_labels, catalog = stat_meta(path, kind=kind)
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
        frame, meta = _read(
            pyreadstat, kind, path, user_missing=True, apply_value_formats=False,
            output_format="polars"
        )
    except pyreadstat.ReadstatError as exc:
        raise unreadable(
            f"corrupt or unsupported {label} file ({exc})",
            path,
            "export the file again from SPSS/Stata/SAS",
        ) from None
    except (UnicodeDecodeError, OverflowError, ValueError) as exc:
        raise unreadable(f"the {label} file cannot be decoded ({exc})", path) from None
    frame = _extended_cells(frame, _numeric(meta, kind), kind)
    if catalog is not None:
        notes.append(f"value labels from the SAS formats catalog {Path(catalog).name}")
    user_missing = _user_missing(frame, meta, value_labels, kind)
    dates = frozenset(
        name for name, dtype in frame.schema.items() if dtype.is_temporal()
    )
    text = frame.select(_text_expr(n, d).alias(n) for n, d in frame.schema.items())
    variable_labels = {
        name: label for name, label in (meta.column_names_to_labels or {}).items() if label
    }
    encoding = getattr(meta, "file_encoding", None)
    strings = frozenset(n for n, t in (getattr(meta, "readstat_variable_types", None) or {}).items()
                        if t == "string")
    return StatGrid(text, variable_labels, value_labels, user_missing, dates, encoding,
                    tuple(notes), strings)
