"""Shared helpers for the drafting tests: hand-made RawTables and column-coverage checks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from survey._text import normalize_key
from survey.codebook import Codebook
from survey.io._model import ROW_COLUMN, RawTable, SourceColumn

__all__ = ["covered_columns", "make_raw"]


def make_raw(columns: Mapping[str, Sequence[str | None]] | Sequence[tuple[tuple[str, ...], Sequence[str | None]]],
             *, layout: str = "single", **extra: object) -> RawTable:
    """A RawTable from ``{header: cells}`` (one header row) or ``[(header rows, cells)]``."""
    items = list(columns.items()) if isinstance(columns, Mapping) else list(columns)
    depth = 1 if isinstance(columns, Mapping) else len(items[0][0])
    cols, data, seen = [], {}, {}
    block = ""
    for i, (head, cells) in enumerate(items):
        head = (head,) if isinstance(head, str) else tuple(head)
        block = head[0] or (block if layout == "surveymonkey" else "")
        sub = alt = None
        if layout == "surveymonkey":
            sub = None if head[1] in ("", "Response", "Open-Ended Response") else head[1]
        if layout == "qualtrics":
            alt = head[1] or None
        base = (f"{block} / {sub}" if sub else block) or f"column_{chr(65 + i % 26)}"
        seen[base] = seen.get(base, 0) + 1
        name = base if seen[base] == 1 else f"{base}__{seen[base]}"   # as survey.io names them
        cols.append(SourceColumn(i, chr(65 + i % 26), head, block, sub, alt, name))
        data[name] = list(cells)
    n = len(items[0][1]) if items else 0
    frame = pl.DataFrame(data, schema={k: pl.String for k in data}).with_columns(
        pl.Series(ROW_COLUMN, list(range(depth + 1, depth + 1 + n)), dtype=pl.UInt32))
    return RawTable(frame=frame, columns=tuple(cols), path="<memory>", file_format="csv",  # type: ignore[arg-type]
                    layout=layout, header_rows=depth, **extra)  # type: ignore[arg-type]


def _matches(ref: str, raw: RawTable) -> list[SourceColumn]:
    """Columns a reference names: the unique frame name exactly, else block, else alt."""
    exact = [c for c in raw.columns if c.name == ref]
    if exact:
        return exact
    key = normalize_key(ref)
    by_block = [c for c in raw.columns if normalize_key(c.block) == key]
    if by_block:
        return by_block
    return [c for c in raw.columns if c.alt and normalize_key(c.alt) == key]


def covered_columns(cb: Codebook, raw: RawTable) -> dict[int, list[str]]:
    """Source column index -> ids of the questions that claim it (matching as documented).

    A reference is matched against the column's unique frame name exactly, then its
    normalised block (header), then its alt (Qualtrics row 2); it must name exactly one
    column, except a SurveyMonkey block, whose
    columns are then claimed by the row-2 labels of its options and its ``other`` column.
    """
    claims: dict[int, list[str]] = {c.index: [] for c in raw.columns}
    for q in cb.questions:
        block_cols: list[SourceColumn] = []
        if q.column is not None:
            found = _matches(q.column, raw)
            assert found, f"{q.id}: column {q.column!r} matches no source column"
            if len(found) > 1:
                assert raw.layout == "surveymonkey", f"{q.id}: {q.column!r} is ambiguous"
                block_cols = found
            else:
                claims[found[0].index].append(q.id)
        for o in q.options:
            if o.column is not None:
                found = _matches(o.column, raw)
                assert len(found) == 1, f"{q.id}.{o.code}: column {o.column!r} -> {found}"
                claims[found[0].index].append(q.id)
        keys = {k for o in q.options for k in o.match_keys()}
        if q.other is not None and q.other.column != q.column:   # write-ins in the cell itself
            found = _matches(q.other.column, raw) if not block_cols else [
                c for c in block_cols if normalize_key(c.sub) == normalize_key(q.other.column)]
            assert len(found) == 1, f"{q.id}: other column {q.other.column!r} -> {found}"
            claims[found[0].index].append(q.id)
        for c in block_cols:
            if q.other is not None and normalize_key(c.sub) == normalize_key(q.other.column):
                continue
            if q.type == "multiple":
                assert normalize_key(c.sub) in keys, f"{q.id}: block column {c.sub!r} has no option"
            claims[c.index].append(q.id)
    return claims
