"""Prediction points (R's ``predictat``): a csv file, inline ``"x=1,2,3; g=a,b,c"`` text,
or a mapping of variables to values, as one frame with the data's column types."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from survey.errors import ModelError

__all__ = ["prediction_points"]

_EXAMPLE = "a csv file, or \"meals=20,50,80; stype=E,H,M\""


def prediction_points(points: str | os.PathLike[str] | Mapping[str, Any] | pl.DataFrame, *,
                      schema: Mapping[str, pl.DataType] | None = None) -> pl.DataFrame:
    """The points to predict at, one row each, as R's ``data.frame(...)`` would make them.

    Parameters
    ----------
    points
        A csv file (a column per model variable, a row per point); or inline text
        ``"meals=20,50,80; stype=E,H,M"`` (variables separated by ``;``, each a comma
        list of values; inline values that all read as numbers are numbers); or a mapping
        ``{"meals": [20, 50, 80], "stype": "E"}``; or a frame of them. The lists are
        zipped into rows and a single value is repeated, as R's ``data.frame`` recycles it.
    schema
        The data's column types (``sf.frame.schema``): each point column is cast to its
        variable's type (integer codes of a factor, numbers read as text), so a level
        matches the fit's coding.

    Examples
    --------
    >>> prediction_points("meals=20,50,80; stype=E").rows()
    [(20.0, 'E'), (50.0, 'E'), (80.0, 'E')]
    >>> prediction_points({"x": [1, 2]}, schema={"x": pl.Float64})["x"].to_list()
    [1.0, 2.0]
    """
    if isinstance(points, pl.DataFrame):
        frame = points
    elif isinstance(points, Mapping):
        frame = _zipped({k: list(v) if isinstance(v, Sequence) and not isinstance(v, str)
                         else [v] for k, v in points.items()})
    else:
        text = os.fspath(points)
        path = Path(text)
        if "=" in text and not path.is_file():
            frame = _zipped(_inline(text))
        elif not path.is_file():
            raise ModelError(f"{text!r} is neither a file nor NAME=V1,V2,... values",
                             location="predictat", hint=_EXAMPLE)
        else:
            try:
                frame = pl.read_csv(path, infer_schema_length=None)
            except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError) as exc:
                first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                raise ModelError(f"cannot read {text} as csv: {first}",
                                 location="predictat") from None
    return frame if schema is None else _as_types(frame, schema)


def _inline(text: str) -> dict[str, list[Any]]:
    cols: dict[str, list[Any]] = {}
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        name, eq, vals = part.partition("=")
        items = [v.strip() for v in vals.split(",")]
        if not eq or not name.strip() or not all(items):
            raise ModelError(f"cannot read {part!r} as NAME=V1,V2,...", location="predictat",
                             hint=_EXAMPLE)
        try:
            cols[name.strip()] = [float(v) for v in items]
        except ValueError:
            cols[name.strip()] = items
    return cols


def _zipped(cols: dict[str, list[Any]]) -> pl.DataFrame:
    """The lists as rows, a single value repeated (R's data.frame recycling)."""
    if not cols or not all(cols.values()):
        raise ModelError("no prediction points", location="predictat", hint=_EXAMPLE)
    lengths = {len(v) for v in cols.values()} - {1}
    if len(lengths) > 1:
        raise ModelError("the variables give different numbers of values: "
                         + ", ".join(f"{k} {len(v)}" for k, v in cols.items()),
                         location="predictat",
                         hint="give each variable one value or the same number of values")
    n = lengths.pop() if lengths else 1
    out = {}
    for name, vals in cols.items():
        vals = vals * n if len(vals) == 1 else vals
        if any(isinstance(v, str) for v in vals):
            vals = [str(v) for v in vals]
        elif any(isinstance(v, float) for v in vals):
            vals = [float(v) for v in vals]
        out[name] = vals
    return pl.DataFrame(out)


def _as_types(points: pl.DataFrame, schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    out = []
    for name in points.columns:
        col, want = points[name], schema.get(name)
        if want is None or col.dtype == want:
            out.append(col)
            continue
        try:
            source = col if want.is_numeric() or want == pl.Boolean else col.cast(pl.String)
            cast = source.cast(want, strict=True)
            if want.is_integer() and col.dtype.is_float() and (cast.cast(pl.Float64) != col).any():
                raise pl.exceptions.InvalidOperationError("not whole")
        except (pl.exceptions.PolarsError, ValueError):
            shown = ", ".join(map(str, col.to_list()))
            raise ModelError(f"the values of {name} ({shown}) are not of the data's type "
                             f"({want})", location="predictat") from None
        out.append(cast)
    return pl.DataFrame(out)
