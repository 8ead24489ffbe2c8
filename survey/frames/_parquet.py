"""Typed frames on disk: Parquet that keeps the codebook and the validation summary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl

from survey._files import atomic_writer
from survey.codebook import Codebook, codebook_to_dict, parse_codebook
from survey.errors import UnreadableInputError

__all__ = ["META_CODEBOOK", "META_SOURCE", "read_typed_parquet", "write_typed_parquet"]

META_CODEBOOK = "survey.codebook"
META_SOURCE = "survey.source"
META_VALIDATION = "survey.validation"


def write_typed_parquet(
    frame: pl.DataFrame,
    path: str | Path,
    *,
    codebook: Codebook,
    source: dict[str, Any] | None = None,
    validation: dict[str, Any] | None = None,
) -> Path:
    """Write ``frame`` atomically and durably with its codebook as metadata."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    meta = {META_CODEBOOK: json.dumps(codebook_to_dict(codebook), ensure_ascii=False)}
    if source is not None:
        meta[META_SOURCE] = json.dumps(source, ensure_ascii=False, default=str)
    if validation is not None:
        meta[META_VALIDATION] = json.dumps(validation, ensure_ascii=False, default=str)
    with atomic_writer(target) as fh:
        frame.write_parquet(fh, metadata=meta)
    return target


def read_typed_parquet(path: str | Path) -> tuple[pl.DataFrame, Codebook | None]:
    """Read a typed Parquet file and the codebook stored with it (None if it has none)."""
    p = Path(path)
    try:
        meta = pl.read_parquet_metadata(p)
        frame = pl.read_parquet(p)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise UnreadableInputError(f"cannot read Parquet file: {str(exc).splitlines()[0]}",
                                   location=str(p), hint="give a file written by `survey ingest`") from None
    cb = None
    if META_CODEBOOK in meta:
        cb = parse_codebook(json.loads(meta[META_CODEBOOK]), path=f"{p}#codebook")
    return frame, cb
