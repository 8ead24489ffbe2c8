"""R's degf() of a subset of a replicate design: the rank of the subset's replicate weights."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from survey.design import ReplicateDesign, SurveyFrame, as_replicate, subset_df, svydesign
from survey.design._repweights import full_rank_from_head, weights_rank
from tests.estimators._rfixtures import dataset


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 40), st.integers(2, 12), st.integers(1, 12), st.integers(0, 2**32 - 1))
def test_supplied_columns_of_known_rank(n: int, reps: int, rank: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    rank = min(rank, n, reps)
    mat = rng.uniform(0.5, 2.0, (n, rank)) @ rng.uniform(0.5, 2.0, (rank, reps))
    frame = pl.DataFrame({f"r{j}": mat[:, j] for j in range(reps)})
    sf = SurveyFrame(frame, ReplicateDesign(repweights=tuple(frame.columns), type="bootstrap"))
    rows = np.sort(rng.choice(n, size=max(1, n // 2), replace=False))
    # R's rank is qr(tol=1e-5): a random product can be nearly singular (a singular value
    # 1e-5 of the largest), where R and numpy's SVD rank rightly disagree; the property
    # is about matrices whose rank is clear.
    sv = np.linalg.svd(mat[rows], compute_uv=False)
    true_rank = min(rank, rows.size)
    assume(sv[true_rank - 1] > 1e-3 * sv[0])
    assert subset_df(sf, rows) == np.linalg.matrix_rank(mat[rows]) - 1
    assert subset_df(sf, np.arange(n)) == sf.df


def test_jackknife_domain_has_its_psus_minus_one() -> None:
    sf = as_replicate(svydesign(dataset("apiclus1"), ids="dnum", weights="pw"), type="JK1")
    high = sf._data.filter(pl.col("stype") == "H")["__svy_psu"].unique().to_numpy()
    assert subset_df(sf, high) == len(high) - 1 == 7
    assert subset_df(sf, np.arange(sf.n_psu)) == sf.df == 14


@pytest.mark.parametrize("rank", [3, 8])
def test_rank_of_many_rows_with_and_without_the_head_proof(rank: int) -> None:
    # more rows than the head whose Gram matrix proves full rank: a full-rank matrix is
    # proved so, a rank-deficient one falls back to the whole Gram matrix; both as numpy
    rng = np.random.default_rng(7)
    n, reps = 9000, 8
    mat = rng.uniform(0.5, 2.0, (n, rank)) @ rng.uniform(0.5, 2.0, (rank, reps))
    cols = pl.DataFrame({f"r{j}": mat[:, j] for j in range(reps)})
    rows = np.flatnonzero(rng.uniform(size=n) < 0.7)
    scale = rng.uniform(0.5, 3.0, n)
    assert weights_rank(cols) == np.linalg.matrix_rank(mat) == rank
    assert weights_rank(cols, rows=rows) == np.linalg.matrix_rank(mat[rows])
    assert weights_rank(cols, scale=scale) == np.linalg.matrix_rank(mat * scale[:, None])


def test_head_proof_needs_the_head_to_dominate_the_trace() -> None:
    gram = np.diag([4.0, 1e-3])
    assert full_rank_from_head(gram, 10.0)
    assert not full_rank_from_head(gram, 1e8)  # the rest of the rows may dwarf the head
    assert not full_rank_from_head(np.diag([4.0, 0.0]), 10.0)


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 80), st.integers(0, 3), st.floats(-14, 2), st.integers(0, 2**32 - 1))
def test_head_proof_is_the_smallest_eigenvalue_rule(k: int, deficit: int, log_gap: float,
                                                     seed: int) -> None:
    # the Cholesky test answers as the eigenvalues do: the smallest above 1e-10 x trace
    rng = np.random.default_rng(seed)
    r = max(1, k - deficit)
    m = rng.uniform(0.5, 2.0, (3 * k, r)) @ rng.uniform(0.5, 2.0, (r, k))
    gram = m.T @ m + np.eye(k) * 10.0**log_gap * np.trace(m.T @ m)
    trace = float(np.trace(gram))
    smallest = float(np.linalg.eigvalsh(gram)[0])
    assume(abs(smallest - 1e-10 * trace) > 1e-3 * 1e-10 * trace)  # clear of the boundary
    assert full_rank_from_head(gram, trace) == (smallest > 1e-10 * trace)


def test_head_proof_falls_back_from_a_few_rows_to_all() -> None:
    from survey.estimators._stream import _proves_full_rank

    rng = np.random.default_rng(3)
    k = 6
    full = rng.uniform(0.5, 2.0, (200, k))
    same_start = np.vstack([np.tile(full[:1], (4 * k, 1)), full])  # first 4k rows: rank 1
    trace = float((same_start**2).sum())
    assert not full_rank_from_head(same_start[:4 * k].T @ same_start[:4 * k], trace)
    assert _proves_full_rank(same_start, trace)  # the whole head proves it
    deficient = same_start.copy()
    deficient[:, -1] = deficient[:, 0]
    assert not _proves_full_rank(deficient, trace)
