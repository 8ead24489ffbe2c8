"""What the estimate and model commands print besides tables: JSON and p-values."""

from __future__ import annotations

import json
import math
from typing import Any

from survey._display import p_text

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


