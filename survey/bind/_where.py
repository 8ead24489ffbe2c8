"""SQL conditions and column names, checked against the data: one translator for the
command line's ``--where``, a plan's ``where`` and a notebook.

Column names that are not plain SQL identifiers (``sch.wide``) are quoted before polars
reads the SQL, so they are columns, not struct fields; string literals are left alone
(``'a.b'`` stays a literal); every column named must exist, and a near name is offered.
"""

from __future__ import annotations

import difflib
import fnmatch
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import polars as pl

from survey.errors import SpecError

__all__ = ["parse_sql", "parse_where", "quote_names", "resolve_columns"]

Columns = Sequence[str] | Mapping[str, pl.DataType] | Any
"""The columns a condition may name: names, a schema (names and types), or a frame or
bound design (its columns' names)."""


def _names(columns: Columns) -> Sequence[str] | Mapping[str, pl.DataType]:
    frame = getattr(columns, "frame", columns)  # a SurveyFrame: its data
    if isinstance(frame, pl.DataFrame | pl.LazyFrame):
        return frame.collect_schema().names()
    return columns


def resolve_columns(wanted: Iterable[str], available: Sequence[str], *, what: str = "column",
                    field: str | None = None,
                    explain: Callable[[str], str | None] | None = None) -> list[str]:
    """Expand globs (``repw*``) and check names against ``available``.

    An unknown name raises :class:`~survey.errors.SpecError` at ``field``, offering the
    nearest names; ``explain(name)`` may give the caller's own reason instead (a plan
    says a column is personal data and not stored).

    >>> resolve_columns(["api*", "stype"], ["api00", "api99", "stype"])
    ['api00', 'api99', 'stype']
    """
    out: list[str] = []
    for name in wanted:
        if any(ch in name for ch in "*?["):
            hits = fnmatch.filter(available, name)
            if not hits:
                raise SpecError(f"no {what} matches {name!r}", field=field)
            out.extend(hits)
        elif name in available:
            out.append(name)
        else:
            reason = explain(name) if explain is not None else None
            if reason is None:
                close = difflib.get_close_matches(name, available, n=3)
                hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
                reason = f"no {what} {name!r} in the data{hint}"
            raise SpecError(reason, field=field)
    return list(dict.fromkeys(out))


def parse_sql(text: str, columns: Columns, *, field: str | None = None, what: str = "expression",
              explain: Callable[[str], str | None] | None = None) -> pl.Expr:
    """Translate an SQL expression over ``columns`` into a polars expression.

    >>> parse_sql("api00 - api99", ["api00", "api99"]).meta.root_names()
    ['api00', 'api99']
    """
    names = list(_names(columns))
    try:
        expr = pl.sql_expr(quote_names(text, names))
        roots = expr.meta.root_names()
    except Exception as exc:  # noqa: BLE001 - polars raises several kinds on bad SQL
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SpecError(f"cannot read the {what} {text!r}: {first}", field=field) from None
    resolve_columns(roots, names, field=field, explain=explain)
    return expr


def parse_where(condition: str, columns: Columns, *, field: str | None = "where",
                explain: Callable[[str], str | None] | None = None) -> pl.Expr:
    """Translate an SQL condition (a subpopulation) into a polars expression.

    ``columns``: the data's column names, or its schema; with a schema the condition
    must also give true/false.

    >>> parse_where("sch.wide = 'Yes' AND api00 > 600", ["sch.wide", "api00"]).meta.root_names()
    ['sch.wide', 'api00']
    """
    columns = _names(columns)
    expr = parse_sql(condition, columns, field=field, what="condition", explain=explain)
    if isinstance(columns, Mapping):
        roots = expr.meta.root_names()
        empty = pl.DataFrame(schema={n: columns[n] for n in roots})
        try:
            dtype = empty.select(expr.alias("x")).schema["x"]
        except Exception as exc:  # noqa: BLE001 - type errors of the expression
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise SpecError(f"the condition {condition!r} cannot be evaluated: {first}",
                            field=field) from None
        if dtype != pl.Boolean:
            raise SpecError(f"{condition!r} is not a condition (it gives {dtype} values)",
                            field=field, hint="write e.g. \"offer_received = 'Yes'\"")
    return expr


def quote_names(sql: str, columns: Sequence[str], *, mark: str = '"') -> str:
    """Double-quote the dotted column names of ``sql``, outside string literals
    (``mark="`"``: backtick-quote them, as Spark SQL names are quoted).

    A dotted word is a column name unless its first part is a column (a struct's field),
    so a misspelt ``sch.wid`` is reported as itself, with ``sch.wide`` suggested.

    >>> quote_names("sch.wide = 'sch.wide'", ["sch.wide"])
    '"sch.wide" = \\'sch.wide\\''
    """
    names = set(columns)
    if not any("." in c for c in names) and "." not in sql:
        return sql
    out: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in "'\"":  # a literal or an already-quoted name: copy to its closing quote
            j = i + 1
            while j < n and not (sql[j] == ch and not (j + 1 < n and sql[j + 1] == ch)):
                j += 2 if sql[j] == ch else 1
            out.append(sql[i:j + 1])
            i = j + 1
            continue
        if ch.isalpha() or ch == "_":
            j = i
            while j < n and (sql[j].isalnum() or sql[j] in "_."):
                j += 1
            word = sql[i:j]
            dotted = "." in word and (word in names or word.split(".")[0] not in names)
            out.append(f"{mark}{word}{mark}" if dotted else word)  # a name, not a struct's field
            i = j
            continue
        out.append(ch)
        i += 1
    return "".join(out)
