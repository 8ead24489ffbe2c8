"""The SQL translator on generated conditions: dotted column names are always read as
columns, string literals are never touched (whatever names or dots they hold), and the
rows kept are those the condition names, written out by hand."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from survey.bind import parse_where, quote_names

COLUMNS = ["sch.wide", "comp.imp", "api00", "stype", "a.b.c"]
TEXT = ["sch.wide", "comp.imp", "stype", "a.b.c"]
FRAME = pl.DataFrame({
    "sch.wide": ["Yes", "No", "Yes", "sch.wide", "a.b", None],
    "comp.imp": ["No", "Yes", "comp.imp", "No", "x.y", "Yes"],
    "api00": [500, 650, 700, 820, 410, 600],
    "stype": ["E", "H", "M", "E", "H", "M"],
    "a.b.c": ["p.q", "r", "a.b.c", "s", "p.q", "t"],
})
VALUES = st.sampled_from(["Yes", "No", "E", "H", "M", "sch.wide", "a.b", "x.y", "p.q",
                          "a.b.c", "comp.imp", "it's", "O'Brien.Jr"])


@st.composite
def comparisons(draw: st.DrawFn) -> tuple[str, pl.Expr]:
    if draw(st.booleans()):
        col = draw(st.sampled_from(TEXT))
        value = draw(VALUES)
        op = draw(st.sampled_from(["=", "<>"]))
        sql = f"{col} {op} '{value.replace(chr(39), chr(39) * 2)}'"
        expr = pl.col(col) == value if op == "=" else pl.col(col) != value
        return sql, expr
    bound = draw(st.integers(400, 850))
    op = draw(st.sampled_from([">", "<=", "="]))
    expr = {">": pl.col("api00") > bound, "<=": pl.col("api00") <= bound,
            "=": pl.col("api00") == bound}[op]
    return f"api00 {op} {bound}", expr


@st.composite
def conditions(draw: st.DrawFn) -> tuple[str, pl.Expr]:
    sql, expr = draw(comparisons())
    for _ in range(draw(st.integers(0, 3))):
        more_sql, more = draw(comparisons())
        if draw(st.booleans()):
            sql, expr = f"({sql}) AND {more_sql}", expr & more
        else:
            sql, expr = f"({sql}) OR {more_sql}", expr | more
    return sql, expr


@settings(max_examples=200)
@given(conditions())
def test_a_generated_condition_keeps_the_rows_it_names(case: tuple[str, pl.Expr]) -> None:
    sql, expected = case
    got = parse_where(sql, COLUMNS)
    assert set(got.meta.root_names()) <= set(COLUMNS)
    assert FRAME.filter(got).equals(FRAME.filter(expected)), sql


@settings(max_examples=200)
@given(st.lists(VALUES, min_size=1, max_size=4))
def test_string_literals_are_never_changed(values: list[str]) -> None:
    literals = [f"'{v.replace(chr(39), chr(39) * 2)}'" for v in values]
    sql = " OR ".join(f"stype = {lit}" for lit in literals)
    quoted = quote_names(sql, COLUMNS)
    for lit in literals:
        assert lit in quoted
