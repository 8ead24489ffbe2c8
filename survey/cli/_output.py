"""What the estimate and model commands print besides tables: JSON and p-values."""

from __future__ import annotations

import json
import math
from typing import Any

__all__ = ["json_doc", "p_text"]


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


def p_text(v: float | None) -> str:
    """A p-value as a table shows it: three decimals, ``<0.001``, or ``NA``."""
    if v is None or not math.isfinite(v):
        return "NA"
    return "<0.001" if v < 0.001 else f"{v:.3f}"
