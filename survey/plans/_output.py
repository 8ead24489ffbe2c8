"""Writing a run's files: CSV and JSON in a stable form, and ``provenance.json``.

Floats are rounded to 12 significant digits before writing, so the files of two runs
on the same inputs are byte-identical even if a parallel sum adds in another order
(differences at the 16th digit). Timestamps appear only in ``provenance.json``.
"""

from __future__ import annotations

import json
import math
import platform
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import polars as pl

from survey._files import atomic_writer, file_sha256
from survey._meta import utc_now

__all__ = ["file_sha256", "json_text", "provenance", "stable_frame", "write_bytes"]

DIGITS = 12
PACKAGES = ("survey", "polars", "numpy", "scipy", "statsmodels", "patsy", "pyarrow",
            "fastexcel", "openpyxl", "pyyaml", "matplotlib", "xlsxwriter")


def _round(x: float) -> float | None:
    if x is None or math.isnan(x) or math.isinf(x):
        return None
    return float(f"{x:.{DIGITS}g}")


def stable_frame(df: pl.DataFrame) -> pl.DataFrame:
    """Float columns rounded to 12 significant digits (NaN and inf become null)."""
    out = []
    for name, dt in df.schema.items():
        s = df[name]
        if dt.is_float():
            s = pl.Series(name, [None if v is None else _round(v) for v in s.to_list()],
                          dtype=pl.Float64)
        out.append(s)
    return pl.DataFrame(out)


def _clean(obj: Any) -> Any:
    if isinstance(obj, float):
        return _round(obj)
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if hasattr(obj, "item") and callable(obj.item):  # numpy scalars
        return _clean(obj.item())
    return obj


def json_text(obj: Any) -> str:
    """Stable JSON: rounded floats, NaN as null, two-space indent, trailing newline."""
    return json.dumps(_clean(obj), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def write_bytes(path: Path, data: bytes) -> Path:
    """Write through a temporary file and rename, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_writer(path) as fh:
        fh.write(data)
    return path


def csv_bytes(df: pl.DataFrame) -> bytes:
    return stable_frame(df).write_csv().encode("utf-8")


def _versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def provenance(*, plan: dict[str, Any], inputs: list[dict[str, Any]], files: list[dict[str, Any]],
               codebook: dict[str, Any], seed: int, started: str, seconds: float,
               outputs: dict[str, str]) -> dict[str, Any]:
    """The record of a run: what went in, with what software, what came out."""
    return {
        "format": "survey-run", "format_version": 1,
        "plan": plan, "inputs": inputs, "other_files": files, "codebook": codebook,
        "seed": seed,
        "environment": {"python": platform.python_version(),
                        "implementation": platform.python_implementation(),
                        "platform": platform.platform(), "executable": sys.executable,
                        "packages": _versions()},
        "started_at": started, "finished_at": utc_now(), "seconds": round(seconds, 3),
        "outputs": outputs,
    }
