"""Replicate weights of a bound design: R's scale defaults and the rank behind ``degf()``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

__all__ = ["full_rank_from_head", "gram_rank", "replicate_scales", "weights_rank"]


@dataclass(frozen=True)
class _Replicates:
    """Replicate weights: per-PSU factors (created) or row-level columns (supplied)."""

    scale: float
    rscales: np.ndarray
    mse: bool
    factors: np.ndarray | None  # (n_psu, R): weight multipliers, as R's compressed repweights
    columns: tuple[str, ...]  # supplied replicate columns
    combined: bool
    type: str
    df: int


def replicate_scales(type_: str, n_rep: int, scale: float | None, rscales: Sequence[float] | None,
                     rho: float | None) -> tuple[float, np.ndarray]:
    """R's ``svrepdesign`` defaults for ``scale`` and ``rscales``."""
    if type_ == "BRR":
        scale = 1.0 / n_rep
    elif type_ == "Fay":
        scale = 1.0 / (n_rep * (1.0 - float(rho or 0.0)) ** 2)
    elif type_ in ("bootstrap", "subbootstrap") and scale is None:
        scale = 1.0 / (n_rep - 1)
    elif type_ in ("successive-difference", "ACS"):  # R ignores a given scale here
        scale, rscales = 4.0 / n_rep, None
    elif type_ == "JK2":
        scale, rscales = 1.0, None
    elif type_ == "mrbbootstrap":
        scale = 1.0 if scale is None else scale
        rscales = [1.0 / (n_rep - 1)] * n_rep if rscales is None else rscales
    elif type_ == "JK1" and scale is None:
        scale = (n_rep - 1) / n_rep
    rs = np.ones(n_rep) if rscales is None else np.broadcast_to(
        np.asarray(rscales, dtype=float), (n_rep,)).copy()
    return (1.0 if scale is None else float(scale)), rs


_BLOCK = 65_536  # rows per block when forming replicate-weight cross-products


def weights_rank(cols: pl.DataFrame, rows: np.ndarray | None = None,
                 scale: np.ndarray | None = None) -> int:
    """Rank of the replicate-weight matrix ``cols`` (its ``rows`` if given; each row
    times ``scale`` if given), as R's ``qr(weights, tol=1e-5)$rank`` in ``degf()``.

    The rank counts singular values above 1e-5 of the largest (eigenvalues of the
    Gram matrix ``M'M`` above 1e-10 of its largest, :func:`gram_rank`). Most replicate
    weights have full column rank, and that is proved without the whole Gram matrix
    (:func:`full_rank_from_head`): from the first rows' Gram matrix and the sum of
    squares of every row. Otherwise ``M'M`` is summed over blocks of rows, so a
    million-row design never holds a second copy of its weights.
    """
    k = cols.width
    n = cols.height if rows is None else rows.shape[0]
    if k == 0 or n == 0:
        return 0
    head = cols.slice(0, _HEAD) if rows is None else cols[rows[:_HEAD]]
    block = np.asarray(head.to_numpy(), dtype=np.float64)
    if scale is not None:
        block = block * scale[:_HEAD if rows is None else rows[:_HEAD]][:, None]
    if n <= _HEAD:
        return gram_rank(block.T @ block)
    if rows is not None:
        mask = np.zeros(cols.height, dtype=bool)
        mask[rows] = True
        chosen = cols.filter(pl.Series(mask))
    else:
        chosen = cols
    # the trace bounds the largest eigenvalue; with row scales, their largest square
    # times the plain trace bounds it in turn (column sums: polars' fast path)
    trace = float(chosen.select((pl.all().cast(pl.Float64) ** 2).sum()).sum_horizontal().item())
    if scale is not None:
        trace *= float(np.max(scale[rows] if rows is not None else scale) ** 2)
    if full_rank_from_head(block.T @ block, trace):
        return k
    gram = np.zeros((k, k))
    for start in range(0, n, _BLOCK):
        idx = (np.arange(start, min(start + _BLOCK, n)) if rows is None
               else rows[start:start + _BLOCK])
        part = cols.slice(start, _BLOCK) if rows is None else cols[idx]
        block = np.asarray(part.to_numpy(), dtype=np.float64)
        if scale is not None:
            block = block * scale[idx][:, None]
        gram += block.T @ block
    return gram_rank(gram)


_HEAD = 4096  # rows whose Gram matrix usually proves full rank (weights_rank)


def full_rank_from_head(head_gram: np.ndarray, trace: float) -> bool:
    """True when ``M`` has full column rank by :func:`gram_rank`'s rule, given the Gram
    matrix of some of its rows and ``trace``, the sum of squares of all its entries.

    Adding rows only raises the Gram matrix (in the positive semi-definite order), so
    its smallest eigenvalue is at least the head's; its largest is at most its trace.
    If the head's smallest exceeds 1e-10 times the trace, every eigenvalue of ``M'M``
    exceeds 1e-10 of its largest: the rank :func:`gram_rank` gives is the column count.

    The smallest eigenvalue exceeds ``t = 1e-10 trace`` exactly when ``G - t I`` is
    positive definite, which a Cholesky factorisation tells (its rounding, about
    ``k 2^-52`` of the largest eigenvalue, is far below ``t``): ten to a hundred times
    cheaper than the eigenvalues, whose LAPACK routine wakes OpenBLAS's threads.
    """
    if head_gram.size == 0 or trace <= 0:
        return False
    shifted = head_gram - (1e-10 * trace) * np.eye(head_gram.shape[0])
    try:
        np.linalg.cholesky(shifted)
    except np.linalg.LinAlgError:
        return False
    return True


def gram_rank(gram: np.ndarray) -> int:
    """Rank of ``M`` from ``gram = M'M`` (see :func:`weights_rank`)."""
    ev = np.linalg.eigvalsh(gram) if gram.size else np.zeros(0)
    top = float(ev.max()) if ev.size else 0.0
    return int((ev > 1e-10 * top).sum()) if top > 0 else 0
