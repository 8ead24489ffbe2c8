"""Read a builder's export into a RawTable for the drafting tests.

Uses ``survey.io.read_table`` when the io layer is present (branch ``io``); until then a
small stand-in reader that follows the RawTable contract (``survey/io/_model.py``) so the
drafting logic can be tested end to end.  ``USING_IO`` says which one runs.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import polars as pl

from survey.io._model import ROW_COLUMN, RawTable, SourceColumn

try:  # pragma: no cover - depends on the io branch having landed
    from survey.io import read_table as _read_table

    USING_IO = True
except ImportError:  # pragma: no cover
    _read_table = None
    USING_IO = False

__all__ = ["USING_IO", "read_raw"]


def read_raw(path: Path, *, sheet: str | None = None) -> RawTable:
    if _read_table is not None:
        return _read_table(path, sheet=sheet)
    suffix = Path(path).suffix.lower()
    if suffix == ".sav":
        return _read_sav(Path(path))
    if suffix == ".xlsx":
        rows, sheet = _xlsx_rows(Path(path), sheet)
        return _table(rows, Path(path), "xlsx", sheet=sheet)
    data = Path(path).read_bytes()
    for enc in ("utf-8-sig", "cp949"):
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return _table(rows, Path(path), "csv", encoding=enc, delimiter=",")


def _cell(v: object) -> str | None:
    if v is None:
        return None
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    s = str(v)
    return s if s.strip() else None


def _xlsx_rows(path: Path, sheet: str | None) -> tuple[list[list[str | None]], str]:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    if sheet is None:
        sheet = next(ws.title for ws in wb.worksheets if ws.sheet_state == "visible")
    rows = [[_cell(v) for v in r] for r in wb[sheet].iter_rows(values_only=True)]
    wb.close()
    return rows, sheet


def _table(rows: list[list[str | None]], path: Path, fmt: str, *, sheet: str | None = None,
           encoding: str | None = None, delimiter: str | None = None) -> RawTable:
    rows = [[None if c is None or str(c).strip() == "" else str(c) for c in r] for r in rows]
    width = max(len(r) for r in rows)
    rows = [r + [None] * (width - len(r)) for r in rows]
    depth, layout = 1, "single"
    if len(rows) > 2 and sum("ImportId" in (c or "") for c in rows[2]) > width // 2:
        depth, layout = 3, "qualtrics"
    elif len(rows) > 1 and any(c in ("Response", "Open-Ended Response") for c in rows[1]):
        depth, layout = 2, "surveymonkey"
    cols: list[SourceColumn] = []
    seen: dict[str, int] = {}
    block = ""
    for i in range(width):
        head = tuple(rows[r][i] or "" for r in range(depth))
        block = head[0] or (block if layout == "surveymonkey" else "")
        sub = alt = None
        if layout == "surveymonkey":
            sub = None if head[1] in ("", "Response", "Open-Ended Response") else head[1]
        if layout == "qualtrics":
            alt = head[1] or None
        seen[block] = seen.get(block, 0) + 1
        name = block if seen[block] == 1 else f"{block}__{seen[block]}"
        letter = ""
        k = i + 1
        while k:
            k, rem = divmod(k - 1, 26)
            letter = chr(65 + rem) + letter
        cols.append(SourceColumn(i, letter, head, block, sub, alt, name))
    body = [(n + depth + 1, r) for n, r in enumerate(rows[depth:])]
    kept = [(n, r) for n, r in body if any(c is not None for c in r)]
    frame = pl.DataFrame(
        {c.name: [r[c.index] for _, r in kept] for c in cols}, schema={c.name: pl.String for c in cols}
    ).with_columns(pl.Series(ROW_COLUMN, [n for n, _ in kept], dtype=pl.UInt32))
    return RawTable(frame=frame, columns=tuple(cols), path=str(path), file_format=fmt,  # type: ignore[arg-type]
                    layout=layout, header_rows=depth, sheet=sheet, encoding=encoding,  # type: ignore[arg-type]
                    delimiter=delimiter, blank_rows=len(body) - len(kept))


def _read_sav(path: Path) -> RawTable:
    import pyreadstat

    df, meta = pyreadstat.read_sav(str(path), user_missing=True, output_format="polars")
    rows = [list(meta.column_names)] + [[_cell(v) for v in r] for r in df.iter_rows()]
    raw = _table(rows, path, "sav")
    labels = {c: {_cell(k) or "": str(v) for k, v in d.items()}
              for c, d in meta.variable_value_labels.items()}
    missing: dict[str, tuple[str, ...]] = {}
    for c, ranges in meta.missing_ranges.items():
        codes = [_cell(r["lo"]) for r in ranges if r["lo"] == r["hi"]]
        for r in ranges:
            if r["lo"] != r["hi"]:
                codes += sorted({v for v in raw.frame[c].drop_nulls().to_list()
                                 if r["lo"] <= float(v) <= r["hi"]})
        missing[c] = tuple(x for x in codes if x)
    dates = frozenset(c for c, f in meta.original_variable_types.items()
                      if f.upper().startswith(("DATE", "ADATE", "EDATE", "SDATE", "DATETIME")))
    return RawTable(frame=raw.frame, columns=raw.columns, path=str(path), file_format="sav",
                    layout="single", header_rows=1, value_labels=labels, user_missing=missing,
                    variable_labels={k: v for k, v in zip(meta.column_names, meta.column_labels,
                                                          strict=True) if v},
                    date_columns=dates)
