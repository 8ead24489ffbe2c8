"""Analysis variables as the data hold them: a column, or a multiple-choice question
spread over option columns (``offer_countries__china`` ...); integer codes read as
categories."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl

from survey.errors import SpecError

if TYPE_CHECKING:
    from survey.bind._source import Source

__all__ = ["MAX_CODES", "Variables", "codes_as_categories", "find_variables",
           "formula_columns", "small_integer_codes"]

MAX_CODES = 50
"""An integer column with at most this many values can be read as categories."""


@dataclass(frozen=True)
class Variables:
    """Where each analysis variable lives: ``plain`` columns, and multiple-choice
    questions by their option columns (``multiple``), with the options' labels."""

    plain: tuple[str, ...] = ()
    multiple: dict[str, list[str]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)  # option column -> label

    @property
    def columns(self) -> list[str]:
        """Every data column the variables read."""
        return [*self.plain, *(c for cols in self.multiple.values() for c in cols)]

    def chosen(self, frame: pl.DataFrame) -> Variables:
        """The option columns that are choices (Boolean), not an "other" text or a
        missing code: a question's proportions are of these."""
        multiple = {q: [c for c in cols if frame[c].dtype == pl.Boolean]
                    for q, cols in self.multiple.items()}
        return Variables(self.plain, multiple, self.labels)


def find_variables(source: Source, names: Iterable[str]) -> Variables:
    """Find each name: a column of ``source``, or a multiple-choice question (by its
    codebook, else by its ``name__option`` columns). Unknown names are left to the
    column check (:func:`~survey.bind.resolve_columns`)."""
    available = source.columns
    plain: list[str] = []
    multiple: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    for v in names:
        codebook = source.codebook if v not in available or not source.header else None
        q = next((q for q in codebook.questions if q.id == v), None) if codebook else None
        if q is not None and q.type == "multiple":
            multiple[v] = [q.option_column(o) for o in q.options]
            labels.update({q.option_column(o): o.label for o in q.options})
        elif v not in available and any(c.startswith(f"{v}__") for c in available):
            multiple[v] = [c for c in available if c.startswith(f"{v}__")]
        else:
            plain.append(v)
    return Variables(tuple(plain), multiple, labels)


def codes_as_categories(frame: pl.DataFrame, column: str, *, field: str | None = None
                        ) -> tuple[pl.DataFrame, dict[str, str]]:
    """A numeric column of integer codes (0/1, 1-5 ...) read as categories, in numeric
    order; other columns unchanged.

    Returns the frame and the labels to give the categories in the output: 0/1 codes
    become a Boolean column (cheap on a million rows), shown as "0" and "1".
    """
    s = frame[column]
    if not s.dtype.is_numeric():
        return frame, {}
    values = s.drop_nulls().unique().sort()
    if values.len() > MAX_CODES or (s.dtype.is_float() and (values != values.round(0)).any()):
        raise SpecError(f"{column!r} is numeric with {values.len()} distinct values, not "
                        "categories", field=field, hint="estimate its mean instead")
    ints = [int(v) for v in values.to_list()]
    if set(ints) <= {0, 1}:
        return frame.with_columns(pl.col(column).cast(pl.Boolean)), {"False": "0", "True": "1"}
    codes = [str(v) for v in ints]
    return frame.with_columns(pl.col(column).cast(pl.Int64).replace_strict(
        ints, codes, return_dtype=pl.Enum(codes))), {}


FEW_CODES = 10
"""A column of at most this many distinct small integers looks like category codes."""


def small_integer_codes(column: pl.Series) -> list[int] | None:
    """The values of a numeric column that looks like category codes (3 to
    :data:`FEW_CODES` distinct integers between -9 and 99: tenure 1-4, a region code),
    else None. Their total adds up the codes; :func:`codes_as_categories` counts each
    category instead (R's ``svytotal(~factor(x))``). 0/1 columns are not codes here:
    their total is the count of 1s.

    >>> small_integer_codes(pl.Series([1, 2, 2, 3, 4, None]))
    [1, 2, 3, 4]
    >>> small_integer_codes(pl.Series([0.5, 1.0, 2.0])) is None
    True
    """
    if not column.dtype.is_numeric():
        return None
    values = column.drop_nulls().unique()
    if not 3 <= values.len() <= FEW_CODES:
        return None
    if column.dtype.is_float() and (values != values.round(0)).any():
        return None
    if values.min() < -9 or values.max() > 99:  # type: ignore[operator]
        return None
    return sorted(int(v) for v in values.to_list())


_NAME = re.compile(r"[A-Za-z_][\w.]*")
_QUOTED = re.compile(r"""Q\(\s*(['"])(.+?)\1\s*\)""")


def formula_columns(formula: str, available: Sequence[str]) -> list[str]:
    """The data columns a model formula may read: its bare names and ``Q("name")``
    names, found without loading the formula parser (patsy).

    Over-selecting is harmless (a level name that is also a column is read too).

    >>> formula_columns("Q('sch.wide') ~ api99 + C(stype, Treatment('M'))",
    ...                 ["sch.wide", "api99", "stype", "api00"])
    ['sch.wide', 'api99', 'stype']
    """
    names = {m.group(2) for m in _QUOTED.finditer(formula)}
    for token in _NAME.findall(formula):
        names.update({token, *token.split(".")})
    return [c for c in available if c in names]
