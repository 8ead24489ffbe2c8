"""A text column whose cells join several answers is counted whole by proportion and
crosstab: the library warns (DataWarning), the command line prints one note on stderr."""

from __future__ import annotations

import warnings
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey.codebook import parse_codebook
from survey.design import svydesign
from survey.errors import DataWarning, EstimationError
from survey.estimators import proportion
from survey.estimators._joined import joined_answers
from survey.tables import crosstab, crosstabs
from tests.clirun import stats

JOINED = ["Statistical analysis, Data visualization", "Statistical analysis",
          "Data visualization, Machine learning, Statistical analysis",
          "Statistical analysis, Machine learning", "Machine learning",
          "Statistical analysis, Data visualization, Other: Shiny dashboards",
          "Data visualization", "Web scraping, Statistical analysis"]
COMMENTS = ["Great course, but too short", "More examples please", "The pace was fine, thanks",
            "Loved it", "Hard, yet useful", "No comment", "Too long, and too hard", "OK"]


def _frame(cells: list[str]) -> pl.DataFrame:
    return pl.DataFrame({"tools": cells, "g": ["a", "b"] * (len(cells) // 2)})


def test_proportion_of_joined_cells_warns_with_the_fix() -> None:
    with pytest.warns(DataWarning, match=r"tools: 62% of its answers join several with ', '.*"
                                         r"declare it type: multiple, layout: delimited"):
        proportion(svydesign(_frame(JOINED)), "tools")


def test_free_text_with_commas_is_not_taken_for_a_list() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        proportion(svydesign(_frame(COMMENTS)), "tools")


def test_crosstab_of_joined_cells_warns() -> None:
    with pytest.warns(DataWarning, match="counted whole"):
        crosstab(_frame(JOINED * 3), "tools", banner=["g"])


def test_crosstab_refusing_a_text_question_says_to_declare_it_multiple() -> None:
    cb = parse_codebook({"survey": "t", "version": "1", "questions": [
        {"id": "tools", "type": "text", "column": "tools"},
        {"id": "g", "type": "single", "column": "g",
         "options": [{"code": "a", "label": "a"}, {"code": "b", "label": "b"}]}]})
    frame = _frame(JOINED).with_columns(pl.col("g").cast(pl.Enum(["a", "b"])))
    with pytest.raises(EstimationError, match="delimiter: ', '"):
        crosstabs(frame, ["tools"], banner=["g"], codebook=cb)


def test_stats_prints_one_note_on_stderr(tmp_path: Path) -> None:
    path = tmp_path / "forms.csv"
    _frame(JOINED).write_csv(path)
    r = stats("proportion", str(path), "--var", "tools")
    assert r.exit_code == 0
    notes = [ln for ln in r.stderr.splitlines() if "counted whole" in ln]
    assert len(notes) == 1 and notes[0].startswith("note: tools:")


_option = st.text(alphabet="abcdefghij klmnop", min_size=3, max_size=12).map(str.strip).filter(
    lambda s: len(s) >= 3 and "  " not in s)


@settings(max_examples=40, deadline=None)
@given(data=st.data(), options=st.lists(_option, min_size=3, max_size=8, unique=True),
       sep=st.sampled_from([", ", ";", " | "]))
def test_any_joined_list_with_spaces_in_options_is_found(data, options, sep) -> None:  # type: ignore[no-untyped-def]
    n = data.draw(st.integers(12, 40))
    cells = []
    k = len(options)
    for i in range(n):   # every other cell joins two neighbouring options (and maybe more)
        if i % 2:
            picked = [data.draw(st.sampled_from(options))]
        else:
            j = (i // 2) % k
            picked = [options[j], options[(j + 1) % k]]
            picked += [o for o in data.draw(st.lists(st.sampled_from(options), max_size=2)) if o not in picked]
        cells.append(sep.join(picked))
    found = joined_answers(pl.Series("q", cells))
    assert found is not None and found.delimiter.strip() == sep.strip()
