"""proportion(sort=...) orders each variable's categories by share within each domain; the
covariance matrix and replicates follow the rows."""

from __future__ import annotations

import numpy as np
import pytest

from survey.design import as_replicate, svydesign
from survey.estimators import proportion
from tests.estimators._rfixtures import dataset


@pytest.mark.parametrize("order", ["descending", "ascending"])
def test_sorted_proportions_are_the_same_rows_reordered(order: str) -> None:
    sf = as_replicate(svydesign(dataset("apistrat"), strata="stype", weights="pw"), type="JKn")
    plain = proportion(sf, ["stype", "awards"], by="both")
    got = proportion(sf, ["stype", "awards"], by="both", sort=order)
    t, p = got.table, plain.table
    for (dom, var), part in t.group_by(["both", "variable"], maintain_order=True):
        est = part["estimate"].to_list()
        assert est == sorted(est, reverse=order == "descending")
    assert t.select("both", "variable").unique(maintain_order=True).equals(
        p.select("both", "variable").unique(maintain_order=True))
    key = [f"{a}|{b}|{c}" for a, b, c in t.select("both", "variable", "category").iter_rows()]
    pkey = [f"{a}|{b}|{c}" for a, b, c in p.select("both", "variable", "category").iter_rows()]
    idx = [pkey.index(k) for k in key]
    assert np.allclose(got.vcov, plain.vcov[np.ix_(idx, idx)])
    assert np.allclose(got.replicates, plain.replicates[:, idx])
    assert np.allclose(np.sqrt(np.diag(got.vcov)), t["std_error"].to_numpy())
