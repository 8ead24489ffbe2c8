"""What the estimate and model commands print besides tables: JSON, p-values, and a result
frame in the three formats."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from survey._display import p_text
from survey.cli._boxes import Column, box_table

if TYPE_CHECKING:  # pragma: no cover
    import polars as pl

__all__ = ["emit_frame", "json_doc", "p_text"]


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def json_doc(doc: Any) -> str:
    """``doc`` as indented JSON: NaN and infinities as null, non-ASCII text as is."""
    return json.dumps(_finite(doc), ensure_ascii=False, indent=2, default=str)




def emit_frame(frame: pl.DataFrame, fmt: str, doc: dict[str, Any], *, title: str,
               caption: str, cell: Callable[[str, Any], str]) -> None:
    """A result under ``--format``: ``doc`` as JSON, ``frame`` as csv, or ``frame`` as a boxed
    table whose cells ``cell(column, value)`` writes (numbers right-aligned)."""
    if fmt == "json":
        click.echo(json_doc(doc))
    elif fmt == "csv":
        sys.stdout.write(frame.write_csv())
    else:
        cols = [Column(c, right=frame[c].dtype.is_numeric()) for c in frame.columns]
        rows = [[cell(c, v) for c, v in zip(frame.columns, r, strict=True)]
                for r in frame.iter_rows()]
        click.echo(box_table(cols, rows, title=title, caption=caption))
