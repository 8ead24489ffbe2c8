"""Line numbers of TOML tables and keys, found by scanning the text."""

from __future__ import annotations

from survey.plans._lines import Lines

TEXT = '''# comment [not] = a table
[plan]
title = "a [b] = c"
description = """
[[estimate]]
id = "inside a string"
"""

[[estimate]]
id = "first"
where = "x = 1"

[[estimate]]
id = "second"
by = [
  "a",
  "b",
]
plot = true

[design]
fpc = { population = "p.csv", variable = "division" }
"quoted key" = 1
inputs.store = "s"
'''


def test_tables_and_array_elements() -> None:
    ln = Lines.scan(TEXT)
    assert ln.table(("plan",)) == 2
    assert ln.table(("estimate",), 0) == 9
    assert ln.table(("estimate",), 1) == 13
    assert ln.table(("estimate",), 2) is None  # the one inside the string is not a table


def test_keys() -> None:
    ln = Lines.scan(TEXT)
    assert ln.key(("plan",), "description") == 4
    assert ln.key(("estimate",), "id", index=0) == 10
    assert ln.key(("estimate",), "where", index=0) == 11
    assert ln.key(("estimate",), "id", index=1) == 14
    assert ln.key(("estimate",), "plot", index=1) == 19  # after a multi-line array
    assert ln.key(("design",), "fpc") == 22
    assert ln.key(("design",), "quoted key") == 23
    assert ln.key(("design", "fpc"), "population") == 22  # inline table: the key's line


def test_missing_key_falls_back_to_its_table() -> None:
    ln = Lines.scan(TEXT)
    assert ln.key(("estimate",), "title", index=1) == 13
