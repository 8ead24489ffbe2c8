"""Column tests, corrections and the fast Rao-Scott, against scipy, statsmodels and
survey.estimators.chisq."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from survey.design import svydesign
from survey.estimators import chisq
from survey.tables import adjust_pvalues
from survey.tables._sig import column_letters, letters_from_pvalues, pairs, rao_scott_f, welch_t, z_pooled

SM = {"bonferroni": "bonferroni", "holm": "holm", "bh": "fdr_bh"}


@pytest.mark.parametrize("method", ["bonferroni", "holm", "bh"])
def test_adjust_matches_statsmodels_with_ragged_families(method):
    rng = np.random.default_rng(1)
    p = rng.uniform(0, 0.2, size=(40, 10)) ** 2
    sizes = rng.integers(1, 11, size=40)
    for r, k in enumerate(sizes):
        p[r, k:] = np.nan
    adj = adjust_pvalues(p, method)
    for r, k in enumerate(sizes):
        want = multipletests(p[r, :k], method=SM[method])[1]
        np.testing.assert_allclose(adj[r, :k], want, rtol=1e-12)
        assert np.isnan(adj[r, k:]).all()


def test_adjust_none_is_identity():
    p = np.array([[0.01, np.nan, 0.5]])
    np.testing.assert_array_equal(adjust_pvalues(p, "none"), p)


def test_pooled_z_is_uncorrected_chisquare():
    for x1, n1, x2, n2 in [(30, 62, 20, 72), (5, 40, 18, 41), (0, 30, 3, 30)]:
        want = stats.chi2_contingency([[x1, n1 - x1], [x2, n2 - x2]], correction=False)[1]
        got = z_pooled(np.array(x1 / n1), np.array(n1), np.array(x2 / n2), np.array(n2))
        assert got == pytest.approx(want, rel=1e-10)


def test_identical_proportions_give_p_one():
    assert z_pooled(np.array(0.0), np.array(30), np.array(0.0), np.array(40)) == 1.0


def test_welch_matches_scipy():
    rng = np.random.default_rng(2)
    a, b = rng.normal(3, 1, 40), rng.normal(3.5, 1.4, 55)
    got = welch_t(np.array(a.mean()), np.array(a.var(ddof=1)), np.array(40.0),
                  np.array(b.mean()), np.array(b.var(ddof=1)), np.array(55.0))
    assert got == pytest.approx(stats.ttest_ind(a, b, equal_var=False).pvalue, rel=1e-10)


def test_letters_mark_the_lower_column_in_the_higher_cell():
    est = np.array([[0.6, 0.3, 0.45]])
    i, j = pairs(3)  # (0,1), (0,2), (1,2)
    pv = np.array([[0.001, 0.03, 0.2]])
    out = letters_from_pvalues(est, pv, i, j, ["A", "B", "C"], (0.05, 0.01))
    assert out == [["Bc", "", ""]]


def test_column_letters_go_past_z():
    assert column_letters(28)[25:] == ["Z", "AA", "AB"]


def _weighted_frame(n=400, seed=3):
    rng = np.random.default_rng(seed)
    row = rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2]).astype(object)
    col = rng.choice(["x", "y", "z", "v"], n).astype(object)
    row[rng.random(n) < 0.1] = None
    col[rng.random(n) < 0.05] = None
    return pl.DataFrame({"r": row.tolist(), "c": col.tolist(),
                         "w": rng.lognormal(0, 0.5, n)})


def test_fast_rao_scott_equals_estimators_chisq():
    df = _weighted_frame()
    sf = svydesign(df, weights="w")
    want = chisq(sf, "r", "c")
    ok = df.drop_nulls(["r", "c"])
    rl, cl = sorted(ok["r"].unique()), sorted(ok["c"].unique())
    sw = np.zeros((3, 4))
    sw2 = np.zeros((3, 4))
    for rec in ok.iter_rows(named=True):
        sw[rl.index(rec["r"]), cl.index(rec["c"])] += rec["w"]
        sw2[rl.index(rec["r"]), cl.index(rec["c"])] += rec["w"] ** 2
    f, dfs, p, pearson = rao_scott_f(sw, sw2, df.height, df.height, sf.df)
    assert f == pytest.approx(want.statistic, rel=1e-9)
    assert dfs[0] == pytest.approx(want.df[0], rel=1e-9)
    assert dfs[1] == pytest.approx(want.df[1], rel=1e-9)
    assert p == pytest.approx(want.p_value, rel=1e-8)
    assert pearson == pytest.approx(want.pearson, rel=1e-9)
