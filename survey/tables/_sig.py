"""Column tests: pairwise proportions and means, multiple-comparison corrections,
letters, and the whole-table Rao-Scott test from cell sums."""

from __future__ import annotations

import itertools
from functools import lru_cache

import numpy as np
from scipy import special

__all__ = [
    "adjust_pvalues",
    "column_letters",
    "letters_from_pvalues",
    "pairs",
    "rao_scott_f",
    "welch_t",
    "z_pooled",
]


def column_letters(k: int) -> list[str]:
    """Spreadsheet-style letters: A..Z, AA, AB, ...

    >>> column_letters(3), column_letters(28)[-2:]
    (['A', 'B', 'C'], ['AA', 'AB'])
    """
    out = []
    for i in range(k):
        s, j = "", i
        while True:
            s = chr(65 + j % 26) + s
            j = j // 26 - 1
            if j < 0:
                break
        out.append(s)
    return out


@lru_cache(maxsize=256)
def _contrasts(nr: int, nc: int) -> np.ndarray:
    """Interaction contrasts orthogonal to the main effects (R's ``svychisq``), row fastest."""
    rr, cc = np.meshgrid(np.arange(nr), np.arange(nc), indexing="xy")
    rr, cc = rr.ravel(), cc.ravel()
    X1 = np.column_stack([np.ones(nr * nc)] + [(rr == a) * 1.0 for a in range(1, nr)]
                         + [(cc == b) * 1.0 for b in range(1, nc)])
    X2 = np.column_stack([(rr == a) * (cc == b) * 1.0 for b in range(1, nc)
                          for a in range(1, nr)])
    C = X2 - X1 @ np.linalg.lstsq(X1, X2, rcond=None)[0]
    C.flags.writeable = False
    return C


@lru_cache(maxsize=256)
def _pairs(k: int) -> tuple[np.ndarray, np.ndarray]:
    ij = np.array(list(itertools.combinations(range(k), 2)), dtype=np.int64)
    return ij[:, 0], ij[:, 1]


def pairs(k: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices ``(i, j)``, ``i < j``, of every pair among ``k`` columns."""
    if k < 2:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return _pairs(k)


def z_pooled(p1: np.ndarray, n1: np.ndarray, p2: np.ndarray, n2: np.ndarray) -> np.ndarray:
    """Two-sided p-values of the pooled two-proportion z-test on (effective) bases.

    ``z = (p1 - p2) / sqrt(pbar (1 - pbar) (1/n1 + 1/n2))`` with
    ``pbar = (n1 p1 + n2 p2) / (n1 + n2)``; unweighted, this is R's ``prop.test``
    without continuity correction. Identical proportions (including both 0 or 1)
    give p = 1.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        pbar = (n1 * p1 + n2 * p2) / (n1 + n2)
        se = np.sqrt(pbar * (1 - pbar) * (1 / n1 + 1 / n2))
        z = np.where(se > 0, (p1 - p2) / se, 0.0)
    return 2 * special.ndtr(-np.abs(z))


def welch_t(m1: np.ndarray, v1: np.ndarray, n1: np.ndarray,
            m2: np.ndarray, v2: np.ndarray, n2: np.ndarray) -> np.ndarray:
    """Two-sided p-values of Welch's t-test from means, variances and (effective) bases.

    Unweighted, this is ``scipy.stats.ttest_ind(equal_var=False)``.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        s1, s2 = v1 / n1, v2 / n2
        se = np.sqrt(s1 + s2)
        t = np.where(se > 0, (m1 - m2) / se, 0.0)
        df = (s1 + s2) ** 2 / (s1**2 / (n1 - 1) + s2**2 / (n2 - 1))
        df = np.where(np.isfinite(df) & (df > 0), df, 1.0)
    return 2 * special.stdtr(df, -np.abs(t))


def adjust_pvalues(p: np.ndarray, method: str) -> np.ndarray:
    """Adjust each row of ``p`` (one family per row; NaN = no test) for multiple tests.

    ``bonferroni``, ``holm`` (step-down) and ``bh`` (Benjamini-Hochberg step-up), as
    statsmodels' ``multipletests`` (``bonferroni``, ``holm``, ``fdr_bh``).

    >>> adjust_pvalues(np.array([[0.01, 0.04, np.nan]]), "holm").round(3).tolist()
    [[0.02, 0.04, nan]]
    """
    p = np.atleast_2d(np.asarray(p, dtype=float))
    if method == "none" or p.size == 0:
        return p.copy()
    valid = ~np.isnan(p)
    m = valid.sum(axis=1, keepdims=True).astype(float)
    if method == "bonferroni":
        return np.where(valid, np.minimum(p * m, 1.0), np.nan)
    order = np.argsort(np.where(valid, p, np.inf), axis=1, kind="stable")
    ps = np.take_along_axis(p, order, axis=1)
    rank = np.arange(p.shape[1], dtype=float)[None, :]
    if method == "holm":
        adj = np.maximum.accumulate(np.where(np.isnan(ps), 0.0, ps * (m - rank)), axis=1)
    elif method == "bh":
        raw = np.where(np.isnan(ps), np.inf, ps * m / (rank + 1))
        adj = np.minimum.accumulate(raw[:, ::-1], axis=1)[:, ::-1]
    else:
        raise ValueError(f"unknown correction {method!r}")
    adj = np.minimum(adj, 1.0)
    out = np.empty_like(adj)
    np.put_along_axis(out, order, adj, axis=1)
    return np.where(valid, out, np.nan)


def letters_from_pvalues(est: np.ndarray, pv: np.ndarray, i: np.ndarray, j: np.ndarray,
                         letters: list[str], alphas: tuple[float, float]) -> list[list[str]]:
    """Letters for each row (axis 0) and column: the letter of every column that is
    significantly lower, lower case at ``alphas[0]``, UPPER case at ``alphas[1]``.

    ``est`` is ``(rows, k)``, ``pv`` the adjusted p-values ``(rows, pairs)`` of the pairs
    ``(i, j)``.
    """
    rows, k = est.shape
    out = [["" for _ in range(k)] for _ in range(rows)]
    lo, hi = alphas
    r_idx, p_idx = np.nonzero(np.nan_to_num(pv, nan=1.0) < lo)
    for r, q in zip(r_idx.tolist(), p_idx.tolist(), strict=True):
        a, b = int(i[q]), int(j[q])
        if est[r, a] == est[r, b]:
            continue
        hi_col, lo_col = (a, b) if est[r, a] > est[r, b] else (b, a)
        mark = letters[lo_col].upper() if pv[r, q] < hi else letters[lo_col].lower()
        out[r][hi_col] += mark
    for r in range(rows):  # stable order: A, B, C ... whatever the case
        for c in range(k):
            if len(out[r][c]) > 1:
                out[r][c] = "".join(sorted(out[r][c], key=str.lower))
    return out


def rao_scott_f(sw: np.ndarray, sw2: np.ndarray, n_rows: int, n_domain: int,
                df: float) -> tuple[float, tuple[float, float], float, float]:
    """Second-order Rao-Scott F test of a two-way table under a weights-only design.

    ``sw[r, c]`` and ``sw2[r, c]`` are the sums of weights and of squared weights in
    each cell, ``n_rows`` the rows of the design (each its own PSU, one stratum),
    ``n_domain`` the rows of the (sub)population and ``df`` the design degrees of
    freedom. The cell covariance is the linearisation of R's ``svymean`` (each row a
    PSU), so this equals :func:`survey.estimators.chisq` on such a design (tested)
    without another pass over the data. Returns ``(F, (ndf, ddf), p_value, pearson)``.
    Rows and columns with no weight are dropped first, as R.
    """
    keep = np.ix_(np.flatnonzero(sw.sum(1) > 0), np.flatnonzero(sw.sum(0) > 0))
    sw, sw2 = sw[keep], sw2[keep]
    nr, nc = sw.shape
    if nr < 2 or nc < 2:
        return float("nan"), (float("nan"), float("nan")), float("nan"), float("nan")
    W = sw.sum()
    p = sw.T.ravel() / W  # row level fastest, as R's interaction order
    s2 = sw2.T.ravel()
    S2 = s2.sum()
    n = float(n_rows)
    V = (np.diag(s2) - np.outer(s2, p) - np.outer(p, s2) + S2 * np.outer(p, p))
    V *= n / (n - 1) / (W * W)
    N = float(n_domain)
    tab = (p * N).reshape(nc, nr).T
    expct = np.outer(tab.sum(1), tab.sum(0)) / N
    with np.errstate(divide="ignore", invalid="ignore"):
        pearson = float(np.nansum((tab - expct) ** 2 / expct))
    C = _contrasts(nr, nc)
    with np.errstate(divide="ignore"):
        ip = np.where(p == 0, 0.0, 1.0 / p)
    denom = (C.T * (ip / N)) @ C
    numr = (C.T * ip) @ V @ (ip[:, None] * C)
    try:
        delta = np.linalg.solve(denom, numr)
    except np.linalg.LinAlgError:  # empty cells (structural zeros): as R, no test
        return float("nan"), (float("nan"), float("nan")), float("nan"), pearson
    tr, tr2 = float(np.trace(delta)), float((delta * delta.T).sum())
    if tr <= 0 or tr2 <= 0:
        return float("nan"), (float("nan"), float("nan")), float("nan"), pearson
    d0 = tr * tr / tr2
    f = pearson / tr
    return f, (d0, d0 * df), float(special.fdtrc(d0, d0 * df, f)), pearson
