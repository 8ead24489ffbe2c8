"""Design matrices of plain formulas, filled from polars columns without patsy's evaluation.

patsy evaluates every factor on the rows (categoricals as pandas objects) and codes them
column by column: about four seconds for ten predictors on a million rows. Most model
formulas are plain: each factor is a column name (``x``, ``Q("sch.wide")``) or a
categorical coding of one (``C(g)``, ``C(g, Treatment('b'))``), joined by ``+``, ``:`` and
``*``. For those, patsy builds the ``DesignInfo`` on a few rows (the categories come from
every fitted row, so the coding is the one the full data would get), and the matrix is
filled here from that ``DesignInfo``: patsy's columns, names, order and contrast matrices,
each column the product of its factors' numeric values or contrast entries, as patsy's
``_build_subterm`` computes them. Anything else (functions, transformations, ``C()`` of a
numeric column, non-finite values) returns ``None`` and goes through patsy.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import polars as pl

__all__ = ["fill_design", "plain_factors", "plain_outcome"]


def _column_of(node: ast.expr, columns: set[str]) -> str | None:
    """The frame column a bare name or ``Q("name")`` reads, else None."""
    if isinstance(node, ast.Name) and node.id in columns:
        return node.id
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Q"
            and len(node.args) == 1 and not node.keywords
            and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
            and node.args[0].value in columns):
        return node.args[0].value
    return None


def _plain(code: str, columns: set[str]) -> tuple[str, bool] | None:
    """``(column, coded with C())`` of a plain factor, else None."""
    try:
        node = ast.parse(code, mode="eval").body
    except SyntaxError:
        return None
    col = _column_of(node, columns)
    if col is not None:
        return col, False
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "C"
            and 1 <= len(node.args) <= 2 and not node.keywords):
        col = _column_of(node.args[0], columns)
        if col is not None:
            return col, True
    return None


def _finite_numeric(s: pl.Series) -> bool:
    return s.dtype.is_numeric() and not (s.dtype.is_float() and not s.is_finite().all())


def plain_factors(terms: Sequence[Any], frame: pl.DataFrame,
                  levels: Mapping[str, tuple[object, ...]]) -> dict[Any, str] | None:
    """Factor -> column for a formula whose every factor is plain, else None.

    Plain: a numeric column with finite values, a categorical column (one of
    ``levels``), or ``C()`` of a categorical column with at most a contrast argument.
    """
    columns = set(frame.columns)
    out: dict[Any, str] = {}
    for term in terms:
        for factor in term.factors:
            got = _plain(factor.code, columns)
            if got is None:
                return None
            col, coded = got
            if col not in levels and (coded or not _finite_numeric(frame[col])):
                return None
            out[factor] = col
    return out


def plain_outcome(terms: Sequence[Any], frame: pl.DataFrame,
                  levels: Mapping[str, tuple[object, ...]]) -> np.ndarray | None:
    """The response of a left-hand side that is one numeric column, else None."""
    if len(terms) != 1 or len(terms[0].factors) != 1:
        return None
    got = _plain(terms[0].factors[0].code, set(frame.columns))
    if got is None or got[1] or got[0] in levels or not _finite_numeric(frame[got[0]]):
        return None
    return frame[got[0]].cast(pl.Float64).to_numpy()


def _codes(s: pl.Series, categories: Sequence[object]) -> np.ndarray:
    """Positions of the values of ``s`` among ``categories`` (every value is one)."""
    if s.dtype == pl.Boolean:
        pos = {v: categories.index(v) for v in (False, True) if v in categories}
        return np.where(s.to_numpy(), pos.get(True, 0), pos.get(False, 0)).astype(np.intp)
    enum = pl.Enum([str(c) for c in categories])
    return s.cast(pl.String).cast(enum).to_physical().to_numpy().astype(np.intp)


def _combinations(widths: Sequence[int]) -> Iterator[tuple[int, ...]]:
    """patsy's column order within a subterm: the left-most factor varies fastest."""
    for combo in itertools.product(*(range(k) for k in reversed(widths))):
        yield combo[::-1]


def fill_design(info: Any, frame: pl.DataFrame, factor_columns: Mapping[Any, str]) -> np.ndarray:
    """The design matrix (Fortran order, float64) that ``info`` describes, on ``frame``."""
    values: dict[Any, np.ndarray] = {}
    for factor, fi in info.factor_infos.items():
        s = frame[factor_columns[factor]]
        if fi.type == "categorical":
            values[factor] = _codes(s, list(fi.categories))
        else:
            values[factor] = s.cast(pl.Float64).to_numpy()
    X = np.empty((frame.height, len(info.column_names)), order="F")
    for term in info.terms:
        k = info.term_slices[term].start
        for sub in info.term_codings[term]:
            widths = [sub.contrast_matrices[f].matrix.shape[1] if f in sub.contrast_matrices
                      else info.factor_infos[f].num_columns for f in sub.factors]
            for idxs in _combinations(widths):
                col = X[:, k]  # patsy: ones, times each factor's column (1.0 * x is x)
                if not sub.factors:
                    col[:] = 1.0
                for i, (f, j) in enumerate(zip(sub.factors, idxs, strict=True)):
                    if f in sub.contrast_matrices:
                        entries = np.asarray(sub.contrast_matrices[f].matrix, dtype=float)[:, j]
                        if i == 0:
                            np.take(entries, values[f], out=col)
                        else:
                            col *= entries[values[f]]
                    elif i == 0:
                        col[:] = values[f]
                    else:
                        col *= values[f]
                k += 1
    return X
