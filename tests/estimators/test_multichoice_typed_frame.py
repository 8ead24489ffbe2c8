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


def test_an_option_not_asked_in_a_wave_has_no_estimate_there():
    """2023 did not offer 'c': its rows leave c's base instead of counting as 'not chosen'."""
    frame = pl.DataFrame({
        "wave": ["2023"] * 4 + ["2025"] * 4,
        "q__a": [True, False, True, None, True, False, False, True],
        "q__c": [None, None, None, None, True, False, False, None],
    })
    sf = svydesign(frame)
    by_wave = multiple_choice(sf, "q", by="wave").to_frame()
    c23 = by_wave.filter((pl.col("wave") == "2023") & (pl.col("category") == "c")).row(0, named=True)
    assert c23["n"] == 0 and c23["estimate"] != c23["estimate"]  # NaN, not 0%
    c25 = by_wave.filter((pl.col("wave") == "2025") & (pl.col("category") == "c")).row(0, named=True)
    assert (c25["n"], c25["estimate"]) == (3, 1 / 3)
    pooled = multiple_choice(sf, "q").to_frame()
    assert pooled.filter(pl.col("category") == "c")["estimate"][0] == 1 / 3
    assert pooled.filter(pl.col("category") == "a")["estimate"][0] == 4 / 7


def test_ticks_coded_true_or_null_count_nulls_as_not_chosen():
    frame = pl.DataFrame({"q__a": [True, None, None, True], "q__b": [None, True, None, None]})
    est = multiple_choice(svydesign(frame), "q").to_frame()
    assert est["estimate"].to_list() == [2 / 3, 1 / 3]
    assert est["n"].to_list() == [3, 3]
