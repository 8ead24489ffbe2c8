"""Multiple choice on a typed frame: companion columns are not options."""

from __future__ import annotations

import polars as pl

from survey.design import svydesign
from survey.estimators import multiple_choice, option_columns


def test_other_text_and_missing_columns_are_not_options():
    frame = pl.DataFrame({
        "q__a": [True, False, None, True],
        "q__b": [False, True, None, True],
        "q__other_text": [None, "x", None, None],
        "q__missing": [None, None, "Refused", None],
        "w": [1.0, 1.0, 1.0, 1.0],
    })
    sf = svydesign(frame, weights="w")
    assert option_columns(sf, "q") == ["q__a", "q__b"]
    est = multiple_choice(sf, "q").to_frame()
    assert est["estimate"].to_list() == [2 / 3, 2 / 3]
