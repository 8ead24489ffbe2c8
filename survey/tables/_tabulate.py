"""Cell sums for every banner column in one pass: ``np.bincount`` over a joint banner code.

A row variable is turned into integer row codes (``-1``: not in the base); the banner
variables into one joint code per respondent, so each question costs a few
``bincount`` calls however many banner columns there are. Margins (the Total column
and each banner variable's columns) are then sums over the joint array.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from survey.errors import EstimationError

__all__ = ["BannerVar", "Sums", "Tabulator", "categories_of"]

_CHUNK = 4096  # largest joint size of the banner variables packed into one code


def categories_of(s: pl.Series) -> list[str] | None:
    """Categories of a column in display order, or None when it is not categorical.

    Enum: declared order; Boolean: No, Yes; String/Categorical: sorted distinct values.
    """
    dt = s.dtype
    if isinstance(dt, pl.Enum):
        return [str(c) for c in dt.categories.to_list()]
    if dt == pl.Boolean:
        return ["false", "true"]
    if dt == pl.String or isinstance(dt, pl.Categorical):
        return sorted(str(v) for v in s.drop_nulls().cast(pl.String).unique().to_list())
    return None


def codes_of(s: pl.Series, cats: Sequence[str]) -> np.ndarray:
    """Integer codes ``0..k-1`` of a categorical column in ``cats`` order, ``-1`` for null."""
    dt = s.dtype
    if isinstance(dt, pl.Enum):
        return s.to_physical().fill_null(-1).cast(pl.Int64).to_numpy()
    if dt == pl.Boolean:
        return s.cast(pl.Int64).fill_null(-1).to_numpy()
    enum = pl.Enum(list(cats))
    return s.cast(pl.String).cast(enum).to_physical().fill_null(-1).cast(pl.Int64).to_numpy()


@dataclass(frozen=True)
class BannerVar:
    """One banner variable: its categories and each respondent's code (-1: none)."""

    name: str
    label: str
    categories: tuple[str, ...]
    codes: np.ndarray


@dataclass(frozen=True)
class Sums:
    """Sums for rows x columns (Total first, then each banner variable's categories):
    respondents ``n``, weights ``sw`` and squared weights ``sw2``."""

    n: np.ndarray
    sw: np.ndarray
    sw2: np.ndarray

    def __add__(self, other: Sums) -> Sums:
        return Sums(self.n + other.n, self.sw + other.sw, self.sw2 + other.sw2)

    def rows(self, idx: Sequence[int] | np.ndarray) -> Sums:
        idx = np.asarray(idx, dtype=np.int64)
        return Sums(self.n[idx], self.sw[idx], self.sw2[idx])

    def total(self) -> Sums:
        """Column sums over the rows (keeps a leading axis of one)."""
        return Sums(self.n.sum(0, keepdims=True), self.sw.sum(0, keepdims=True),
                    self.sw2.sum(0, keepdims=True))


class Tabulator:
    """Tabulates row codes against the Total column and every banner column.

    The banner variables are packed into a few joint codes (chunks whose joint size
    stays small), so a question costs three ``bincount`` calls per chunk rather than
    per banner variable; margins are sums over each chunk's joint array.

    An entry may stand for a group of respondents (rows streamed and grouped where they
    are, :mod:`survey.tables._stream`): ``counts`` gives its respondents, ``weights`` and
    ``squares`` its sums of weights and of squared weights.
    """

    def __init__(self, weights: np.ndarray | None, banner: Sequence[BannerVar], *,
                 counts: np.ndarray | None = None, squares: np.ndarray | None = None) -> None:
        size = weights if weights is not None else counts
        n = len(banner[0].codes) if banner else (0 if size is None else len(size))
        self.banner = tuple(banner)
        self.w = weights
        self.counts = counts
        self.w2 = squares if squares is not None else (
            None if weights is None else weights * weights)
        self.n_columns = 1 + sum(len(b.categories) for b in banner)
        self.chunks: list[tuple[tuple[int, ...], tuple[int, ...], np.ndarray]] = []
        members: list[int] = []
        sizes: list[int] = []
        for i, b in enumerate(self.banner):
            size = len(b.categories) + 1  # last slot: null
            if members and int(np.prod(sizes)) * size > _CHUNK:
                self._add_chunk(members, sizes, n)
                members, sizes = [], []
            members.append(i)
            sizes.append(size)
        if members:
            self._add_chunk(members, sizes, n)
        offsets = np.cumsum([1] + [len(b.categories) for b in self.banner])
        self.offsets = offsets[:-1]

    def _add_chunk(self, members: list[int], sizes: list[int], n: int) -> None:
        combo = np.zeros(n, dtype=np.int64)
        for i, size in zip(members, sizes, strict=True):
            code = self.banner[i].codes
            combo = combo * size + np.where(code < 0, size - 1, code)
        self.chunks.append((tuple(members), tuple(sizes), combo))

    def tabulate(self, rows: np.ndarray, k: int, obs: np.ndarray | None = None,
                 values: Sequence[np.ndarray] = ()) -> tuple[Sums, list[np.ndarray]]:
        """Sums of the respondents with row code ``rows[i] = r`` (``0 <= r < k``).

        ``obs`` (optional) gives the respondent of each entry when a respondent has
        several (multiple choice); ``values`` are extra per-entry quantities summed
        with the weight (``sum w x``). Returns the sums and the extra arrays, each
        ``(k, n_columns)``.
        """
        keep = rows >= 0
        r = rows[keep]
        who = np.flatnonzero(keep) if obs is None else obs[keep]
        c = None if self.counts is None else self.counts[who]
        w = None if self.w is None else self.w[who]
        w2 = None if self.w2 is None else self.w2[who]
        weights: list[np.ndarray | None] = [c] if w is None else [c, w, w2]
        per = w if w is not None else c  # what a value is summed with
        for v in values:
            vv = v[keep]
            weights.append(vv if per is None else vv * per)
        outs = [np.zeros((k, self.n_columns)) for _ in weights]
        for out, wt in zip(outs, weights, strict=True):
            out[:, 0] = np.bincount(r, weights=wt, minlength=k)[:k]
        for members, sizes, combo in self.chunks:
            P = int(np.prod(sizes))
            idx = r * P + combo[who]
            for out, wt in zip(outs, weights, strict=True):
                a = np.bincount(idx, weights=wt, minlength=k * P).reshape(k, *sizes)
                for pos, (i, size) in enumerate(zip(members, sizes, strict=True)):
                    axes = tuple(ax + 1 for ax in range(len(sizes)) if ax != pos)
                    m = a.sum(axis=axes) if axes else a
                    col = int(self.offsets[i])
                    out[:, col:col + size - 1] = m[:, :size - 1]
        n = outs[0]
        if w is None:
            return Sums(n, n, n), outs[1:]
        return Sums(n, outs[1], outs[2]), outs[3:]

    def entry_weights(self) -> np.ndarray | None:
        """The weight of each entry in a weighted quantile: its weight sum, else its
        respondents (grouped entries), else None (one respondent each, unweighted)."""
        return self.w if self.w is not None else self.counts

    def total_only(self) -> Tabulator:
        """The same entries against the Total column alone."""
        return Tabulator(self.w, [], counts=self.counts, squares=self.w2)


def banner_var(frame: pl.DataFrame, name: str, label: str) -> BannerVar:
    """A banner variable from a categorical column (Enum, Boolean or String)."""
    if name not in frame.columns:
        raise EstimationError(f"banner variable {name!r} is not in the data", location=name,
                              hint="banner variables are single-choice questions "
                              "(e.g. division, age_band)")
    s = frame[name]
    cats = categories_of(s)
    if cats is None:
        raise EstimationError(f"banner variable {name!r} is {s.dtype}, not categorical",
                              location=name, hint="band a numeric variable first")
    return BannerVar(name, label, tuple(cats), codes_of(s, cats))
