"""Principal components and factor analysis: behaviour (R agreement in test_dimensions_r.py)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from survey.design import svydesign
from survey.errors import ModelError
from survey.models import svyfactanal, svyprcomp
from survey.models._dims import varimax


def _frame(n: int = 300, seed: int = 5) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, 2))
    load = np.array([[0.9, 0.1], [0.8, 0.2], [0.7, 0.0], [0.1, 0.8], [0.2, 0.9], [0.0, 0.7]])
    x = f @ load.T + rng.normal(scale=0.5, size=(n, 6))
    return pl.DataFrame({f"q{j}": x[:, j] for j in range(6)}).with_columns(
        w=pl.lit(1.0), w2=pl.Series(rng.uniform(1, 3, n)))


def test_equal_weights_give_the_correlation_matrix_eigenvalues():
    frame = _frame()
    cols = [f"q{j}" for j in range(6)]
    res = svyprcomp(svydesign(frame, weights="w"), cols, scale=True)
    eig = np.sort(np.linalg.eigvalsh(np.corrcoef(frame.select(cols).to_numpy().T)))[::-1]
    np.testing.assert_allclose(res.table["sdev"].to_numpy() ** 2, eig, rtol=1e-12)
    assert res.table["cumulative"][-1] == pytest.approx(1.0)


def test_weights_change_the_components():
    frame = _frame()
    cols = [f"q{j}" for j in range(6)]
    a = svyprcomp(svydesign(frame, weights="w"), cols, scale=True).table["sdev"].to_numpy()
    b = svyprcomp(svydesign(frame, weights="w2"), cols, scale=True).table["sdev"].to_numpy()
    assert np.max(np.abs(a - b)) > 1e-3


def test_two_factors_recover_the_two_blocks_of_items():
    frame = _frame(2000)
    cols = [f"q{j}" for j in range(6)]
    fa = svyfactanal(svydesign(frame, weights="w2"), cols, factors=2)
    L = fa.matrix()
    assert fa.converged
    blocks = np.argmax(np.abs(L), axis=1)
    assert len(set(blocks[:3])) == 1 and len(set(blocks[3:])) == 1 and blocks[0] != blocks[3]
    assert np.all(L.sum(axis=0) > 0)  # R's sign rule
    assert np.all((L**2).sum(axis=0)[:-1] >= (L**2).sum(axis=0)[1:])  # R's order


def test_varimax_keeps_the_communalities():
    L = np.array([[0.8, 0.3], [0.7, 0.4], [0.2, 0.9], [0.3, 0.6]])
    np.testing.assert_allclose((varimax(L) ** 2).sum(axis=1), (L**2).sum(axis=1), rtol=1e-12)


def test_too_many_factors_are_refused():
    with pytest.raises(ModelError, match="too many"):
        svyfactanal(svydesign(_frame(), weights="w"), ["q0", "q1", "q2", "q3"], factors=2)


def test_a_string_item_is_refused_with_its_name():
    frame = _frame().with_columns(pl.lit("x").alias("s"))
    with pytest.raises(ModelError, match="'s'"):
        svyprcomp(svydesign(frame, weights="w"), ["q0", "s"])
