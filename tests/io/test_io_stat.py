"""SPSS .sav and Stata .dta through pyreadstat: text cells, labels, user-missing codes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pyreadstat
import pytest

from survey.io import ROW_COLUMN, read_table

FRAME = pl.DataFrame(
    {
        "resp_id": ["0001", "0002", "0003", ""],
        "q1": [1.0, 2.0, -99.0, None],
        "score": [1.5, None, 2.25, None],
        "big": [1234567890.0, 11460284753.0, None, None],
        "visit": [dt.date(2025, 3, 1), None, dt.date(2024, 1, 2), None],
        "stamp": [dt.datetime(2025, 3, 1, 10, 5), None, None, None],
    }
)


@pytest.fixture
def sav(tmp_path: Path) -> Path:
    path = tmp_path / "wave.sav"
    pyreadstat.write_sav(
        FRAME,
        str(path),
        column_labels={"q1": "Received an offer?", "resp_id": "Respondent"},
        variable_value_labels={"q1": {1: "Yes", 2: "No", -99: "Refused", 8: "Don't know"}},
        missing_ranges={"q1": [-99, {"lo": 8, "hi": 9}]},
    )
    return path


def test_sav_cells_labels_and_missing(sav: Path) -> None:
    table = read_table(sav)
    assert (table.file_format, table.layout, table.header_rows) == ("sav", "single", 1)
    assert table.frame.rows() == [
        (1, "0001", "1", "1.5", "1234567890", "2025-03-01", "2025-03-01 10:05:00"),
        (2, "0002", "2", None, "11460284753", None, None),
        (3, "0003", "-99", "2.25", None, "2024-01-02", None),
    ]
    assert table.blank_rows == 1
    assert table.value_labels["q1"] == {"1": "Yes", "2": "No", "-99": "Refused", "8": "Don't know"}
    assert set(table.user_missing["q1"]) == {"-99", "8", "9"}
    assert table.variable_labels == {"q1": "Received an offer?", "resp_id": "Respondent"}
    assert table.columns[1].alt == "Received an offer?" and table.columns[1].block == "q1"
    assert table.date_columns == frozenset({"visit", "stamp"})
    assert table.frame.schema[ROW_COLUMN] == pl.UInt32


def test_dta_cells_and_labels(tmp_path: Path) -> None:
    path = tmp_path / "wave.dta"
    pyreadstat.write_dta(
        FRAME,
        str(path),
        column_labels={"q1": "Offer"},
        variable_value_labels={"q1": {1: "Yes", 2: "No"}},
    )
    table = read_table(path)
    assert table.file_format == "dta"
    assert table.frame.get_column("q1").to_list() == ["1", "2", "-99"]
    assert table.frame.get_column("big").to_list() == ["1234567890", "11460284753", None]
    assert table.value_labels == {"q1": {"1": "Yes", "2": "No"}}
    assert table.variable_labels == {"q1": "Offer"}


def test_sav_limits(sav: Path) -> None:
    from survey.errors import UnreadableInputError
    from survey.io import Limits

    with pytest.raises(UnreadableInputError, match="4 cases, over the row limit of 2"):
        read_table(sav, limits=Limits(max_rows=2))
    with pytest.raises(UnreadableInputError, match="6 variables, over the column limit"):
        read_table(sav, limits=Limits(max_columns=3))
