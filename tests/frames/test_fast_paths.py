"""Typing's fast paths give the frame and problems the plain way gives.

``type_table`` trims instead of normalising a column with nothing to normalise, splits a
plain joined list on its separator literally, and types a lone column's distinct values
and gathers them back. Each is checked here against the same codebook typed the long way:
every column normalised and typed cell by cell (``_column_facts`` patched to find every
lone column mostly distinct and none plain).
"""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

import survey.frames._ingest as ingest
from survey.codebook import parse_codebook
from survey.frames import type_table
from tests.rawtables import raw_table

OPTIONS = ["Python", "C#", "Go lang", "Europe, incl. UK", "R"]
LIST_OPTIONS = [{"code": f"o{i}", "label": label} for i, label in enumerate(OPTIONS)]
SCALE = [{"code": i + 1, "label": label} for i, label in
         enumerate(["Disagree", "Neutral", "Agree", "Strongly agree"])]
MISSING = [{"code": 9, "label": "Don't know"}, {"code": 8, "label": "n/a"}]

# cells near the options: plain, padded, cased, and the forms the normalisation folds
# (a no-break space, an entity, a tag, a full-width letter, a tab, doubled spaces)
SPELLINGS = st.sampled_from([
    "Python", " python ", "C#", "Go lang", "go  lang", "Go\u00a0lang", "Go&nbsp;lang", "<b>R</b>",
    "R", "Europe, incl. UK", "ＰＹＴＨＯＮ", "Rust", "Agree", "agree ", "Strongly\tagree",
    "Neutral", "Disagree", "Don't know", "n/a", "9", "", "  ",
])
NUMBERS = st.sampled_from(["12", " 7 ", "1,000", "1 000", "3,5", "2.5", "40ish", "n/a", "1e3", "-4",
                           "\u00a05", "", "nan", "inf"])


def _cell(parts: st.SearchStrategy[str]) -> st.SearchStrategy[str | None]:
    return st.one_of(st.none(), parts)


def _joined(sep: str) -> st.SearchStrategy[str | None]:
    return _cell(st.lists(SPELLINGS, min_size=1, max_size=4).map(sep.join))


def _codebook(required: bool) -> object:
    return parse_codebook({"survey": "t", "version": "1", "missing_values": ["N/A"], "questions": [
        {"id": "langs", "type": "multiple", "column": "langs", "layout": "delimited", "delimiter": ";",
         "options": LIST_OPTIONS, "required": required, "missing_codes": MISSING},
        {"id": "tools", "type": "multiple", "column": "tools", "layout": "delimited", "delimiter": ", ",
         "options": [*LIST_OPTIONS, {"code": "other", "label": "Other"}], "other": {"option": "other", "column": "tools"}},
        {"id": "agree", "type": "ordinal", "column": "agree", "options": SCALE, "missing_codes": MISSING,
         "required": required},
        {"id": "amount", "type": "integer", "column": "amount", "missing_codes": MISSING, "range": [0, 500]},
        {"id": "share", "type": "number", "column": "share"},
        {"id": "note", "type": "text", "column": "note"},
    ]})


def _long_way(raw, codebook):
    real = ingest._column_facts

    def every_column_distinct(frame, cmap):
        distinct, _ = real(frame, cmap)
        lone = {qc.main.name for qc in cmap.questions if qc.main is not None}
        return distinct | lone, frozenset()

    ingest._column_facts = every_column_distinct
    try:
        return type_table(raw, codebook)
    finally:
        ingest._column_facts = real


@settings(max_examples=80, deadline=None)
@given(rows=st.lists(st.tuples(_joined(";"), _joined(", "), _cell(SPELLINGS), _cell(NUMBERS),
                               _cell(NUMBERS), _cell(SPELLINGS)), min_size=1, max_size=40),
       repeat=st.integers(1, 3), required=st.booleans())
def test_fast_paths_type_as_the_long_way(rows, repeat, required):
    rows = rows * repeat                 # repeated answers take the distinct-values path
    raw = raw_table({name: [r[i] for r in rows]
                     for i, name in enumerate(["langs", "tools", "agree", "amount", "share", "note"])})
    codebook = _codebook(required)
    fast, slow = type_table(raw, codebook), _long_way(raw, codebook)
    assert_frame_equal(fast.frame, slow.frame)
    assert_frame_equal(fast.report.problems, slow.report.problems)


def test_an_option_given_twice_in_a_cell_is_ticked_once_and_not_its_neighbours():
    raw = raw_table({"langs": ["Python;Python", "R;R;C#", "Go lang"] * 3})
    out = type_table(raw, _codebook(False))
    ticked = out.frame.select(pl.col("^langs__o[0-9]$")).rows()
    assert ticked[:3] == [(True, False, False, False, False), (False, True, False, False, True),
                          (False, False, True, False, False)]


def test_a_column_of_blanks_only_types_by_its_distinct_values():
    raw = raw_table({"agree": [None, None, None, None], "langs": [None] * 4})
    out = type_table(raw, _codebook(True))
    assert out.frame["agree"].to_list() == [None] * 4
    assert [p["reason"] for p in out.report.problems.iter_rows(named=True)].count("required_missing") == 8
