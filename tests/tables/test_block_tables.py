"""A grid or ranking group named in ``rows`` is one table: its items across, the shared
answers down, each column the item's own Total column."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from survey.codebook import draft_codebook, parse_codebook
from survey.errors import EstimationError
from survey.frames import type_table
from survey.io import read_table
from survey.tables import crosstabs
from tests.grid_exports import PEOPLE, surveymonkey_grids_csv


@pytest.fixture(scope="module")
def typed(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    built = surveymonkey_grids_csv(Path(tmp_path_factory.mktemp("sm")))
    raw = read_table(built.path)
    cb = draft_codebook(raw, survey_name="sm")
    return type_table(raw, cb).frame, cb


def test_grid_group_is_one_table_with_a_column_per_row(typed) -> None:  # type: ignore[no-untyped-def]
    frame, cb = typed
    block, single = crosstabs(frame, ["favorability", "favorability_marie_curie"], banner=[],
                              codebook=cb, disclosure=None).tables
    assert block.question == "favorability"
    assert [c.label for c in block.columns] == PEOPLE
    assert [r.label for r in block.rows] == [r.label for r in single.rows]
    first = block.columns[0].key
    for r in single.rows:                       # the item's column is its own Total column
        a, b = block.cell(r.key, first), single.cell(r.key, "total")
        assert a["n"] == b["n"]
        assert a["value"] == pytest.approx(b["value"], nan_ok=True)
    col = frame["favorability_marie_curie"]
    answered = col.is_not_null() | frame["favorability_marie_curie__missing"].is_not_null()
    share = (col == "Very favorably").sum() / answered.sum()
    assert block.cell("cat:Very favorably", first)["value"] == pytest.approx(share)


def test_ranking_group_table_shows_mean_rank_per_item(typed) -> None:  # type: ignore[no-untyped-def]
    frame, cb = typed
    t = crosstabs(frame, ["rank"], banner=[], codebook=cb, disclosure=None).tables[0]
    assert len(t.columns) == 6
    means = t.to_frame().filter(pl.col("row_kind") == "mean")["value"].to_list()
    direct = [frame[q].mean() for q in cb.group("rank").questions]
    assert means == pytest.approx(direct)


def test_group_without_one_answer_set_is_refused(typed) -> None:  # type: ignore[no-untyped-def]
    frame, cb = typed
    raw = {"survey": "s", "version": 1, "questions": [
        {"id": "a", "type": "single", "column": "A", "options": [{"code": 1, "label": "x"}]},
        {"id": "b", "type": "single", "column": "B", "options": [{"code": 1, "label": "y"}]}],
        "groups": [{"id": "g", "kind": "grid", "questions": ["a", "b"]}]}
    df = pl.DataFrame({"a": pl.Series(["x", "x"], dtype=pl.Enum(["x"])),
                       "b": pl.Series(["y", "y"], dtype=pl.Enum(["y"]))})
    with pytest.raises(EstimationError, match="do not share one answer set"):
        crosstabs(df, ["g"], banner=[], codebook=parse_codebook(raw), disclosure=None)
