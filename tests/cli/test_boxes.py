"""Box-drawn tables for `survey stats`: aligned for any text, Korean included."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey.cli._boxes import Column, box_table, display_width


def test_korean_counts_two_columns_per_syllable():
    assert display_width("자연과학") == 8
    assert display_width("Engineering") == 11


def test_korean_labels_line_up_with_the_borders():
    text = box_table([Column("분야"), Column("estimate", right=True)],
                     [["자연과학", "61.5%"], ["Engineering", "7.0%"]], title="t", caption="c")
    lines = text.splitlines()
    assert lines[0] == "t" and lines[-1] == "c"
    assert len({display_width(x) for x in lines[1:-1]}) == 1
    assert lines[4] == "│ 자연과학    │    61.5% │"
    assert lines[5] == "│ Engineering │     7.0% │"


def test_heading_row_sits_in_a_heavy_box():
    lines = box_table([Column("a")], [["x"]]).splitlines()
    assert lines == ["┏━━━┓", "┃ a ┃", "┡━━━┩", "│ x │", "└───┘"]


def test_newlines_in_a_cell_stay_on_one_line():
    lines = box_table([Column("label")], [["two\nlines"]]).splitlines()
    assert lines[3] == "│ two lines │"


def test_a_short_row_is_refused():
    with pytest.raises(ValueError, match="one cell per column"):
        box_table([Column("a"), Column("b")], [["x"]])


cells = st.text(st.characters(blacklist_categories=("Cs", "Mn", "Me", "Cf", "Zl", "Zp")),
                max_size=12)


@given(st.lists(st.lists(cells, min_size=3, max_size=3), max_size=6),
       st.lists(st.booleans(), min_size=3, max_size=3))
def test_every_line_of_the_box_has_the_same_width(rows, right):
    text = box_table([Column(f"h{j}", right=r) for j, r in enumerate(right)], rows)
    lines = text.splitlines()
    assert len(lines) == 4 + len(rows)
    assert len({display_width(x) for x in lines}) == 1
