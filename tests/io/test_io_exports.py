"""The public surface of survey.io is sorted and complete."""

from __future__ import annotations

import survey.io


def test_all_is_sorted_and_exported() -> None:
    assert survey.io.__all__ == sorted(survey.io.__all__)
    for name in survey.io.__all__:
        assert hasattr(survey.io, name)


def test_public_names() -> None:
    assert {"Limits", "RawTable", "SourceColumn", "read_table", "ROW_COLUMN"} <= set(
        survey.io.__all__
    )
