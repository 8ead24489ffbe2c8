"""Normal and t quantiles without scipy agree with scipy to near machine precision."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from survey.estimators._dist import norm_ppf, t_ppf

PS = [1e-300, 1e-12, 1e-6, 0.001, 0.005, 0.025, 0.05, 0.1, 0.3, 0.5, 0.6, 0.9, 0.95, 0.975,
      0.995, 0.9995, 1 - 1e-9]


def test_norm_ppf_matches_scipy():
    p = np.concatenate([np.linspace(1e-6, 1 - 1e-6, 501), PS])
    np.testing.assert_allclose(norm_ppf(p), stats.norm.ppf(p), rtol=1e-14, atol=0)
    assert np.isinf(norm_ppf(0.0)) and np.isinf(norm_ppf(1.0))


@pytest.mark.parametrize("df", [0.5, 1, 1.5, 2, 3, 5, 14, 30, 199, 980, 9999, 1e4, 1e6, np.inf])
def test_t_ppf_matches_scipy(df):
    p = np.array(PS[1:])
    np.testing.assert_allclose(t_ppf(p, df), stats.t.ppf(p, df), rtol=1e-10, atol=0)


def test_t_ppf_broadcasts_and_rejects_bad_df():
    out = t_ppf(0.975, np.array([[1.0, 10.0], [0.0, -1.0]]))
    assert out.shape == (2, 2)
    np.testing.assert_allclose(out[0], stats.t.ppf(0.975, [1.0, 10.0]), rtol=1e-12)
    assert np.isnan(out[1]).all()
