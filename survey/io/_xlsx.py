"""Read one sheet of an xlsx (or legacy xls) workbook as an all-text grid via calamine."""

from __future__ import annotations

from dataclasses import dataclass

import fastexcel
import polars as pl

from survey._text import normalize_key
from survey.io._model import Limits
from survey.io._util import unreadable
from survey.io._memory import check_sheet_memory
from survey.io._zipguard import check_dimension, inspect_xlsx

__all__ = ["SheetGrid", "read_workbook_grid"]

_CORRUPT_HINT = "the file is damaged or incomplete: download or export it again"


@dataclass(frozen=True)
class SheetGrid:
    """A sheet as stored: all-String cells from spreadsheet row 1, and where it came from."""

    frame: pl.DataFrame
    positions: tuple[int, ...]
    sheet: str
    date1904: bool
    notes: tuple[str, ...]
    visible: tuple[str, ...] = ()


def _quote_list(names: list[str]) -> str:
    return ", ".join(repr(n) for n in names) if names else "none"


def _pick(
    sheet: str | None, names: list[str], visible: list[str], path: str
) -> tuple[str, list[str]]:
    """Return the sheet to read and notes about the choice."""
    if sheet is not None:
        if sheet in names:
            chosen = sheet
        else:
            matches = [n for n in names if normalize_key(n) == normalize_key(sheet)]
            if len(matches) != 1:
                raise unreadable(
                    f"no sheet named {sheet!r}; visible sheets: {_quote_list(visible)}",
                    path,
                    "name one of the visible sheets",
                )
            chosen = matches[0]
        hidden = chosen not in visible
        notes = [f"sheet {chosen!r} is hidden; read because it was named"] if hidden else []
        return chosen, notes
    if not visible:
        raise unreadable(
            f"the workbook has no visible sheet (hidden: {_quote_list(names)})",
            path,
            "unhide the sheet to read, or name it explicitly",
        )
    if len(visible) == 1:
        return visible[0], []
    return visible[0], [
        f"the workbook has {len(visible)} visible sheets ({_quote_list(visible)}); "
        f"read the first, {visible[0]!r}"
    ]


def _load(reader: fastexcel.ExcelReader, name: str, path: str) -> fastexcel.ExcelSheet:
    try:
        return reader.load_sheet(name, header_row=None, dtypes="string", skip_rows=0)
    except MemoryError:
        raise
    except Exception as exc:  # calamine raises several error types for damaged parts
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise unreadable(
            f"corrupt workbook: sheet {name!r} cannot be read ({msg})", path, _CORRUPT_HINT
        ) from None


def _open(path: str) -> fastexcel.ExcelReader:
    try:
        return fastexcel.read_excel(path)
    except MemoryError:
        raise
    except Exception as exc:
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise unreadable(
            f"corrupt workbook: cannot be opened ({msg})", path, _CORRUPT_HINT
        ) from None


def _to_frame(loaded: fastexcel.ExcelSheet, name: str, path: str) -> pl.DataFrame:
    try:
        return loaded.to_polars()
    except MemoryError:
        raise
    except Exception as exc:
        raise unreadable(
            f"corrupt workbook: sheet {name!r} cannot be converted ({exc})", path, _CORRUPT_HINT
        ) from None


def read_workbook_grid(path: str, *, kind: str, sheet: str | None, limits: Limits) -> SheetGrid:
    """Read the chosen sheet of a workbook into a grid (see :class:`SheetGrid`).

    The sheet is ``sheet`` when given (hidden sheets only when named), else the only
    visible sheet, else the first visible sheet with a note.  For xlsx, visibility
    and the 1904 flag come from workbook.xml, so no sheet is loaded to choose one.
    """
    date1904 = False
    if kind == "xlsx":
        info = inspect_xlsx(path, limits)
        names = [s.name for s in info.sheets]
        visible = [s.name for s in info.sheets if s.visible]
        date1904 = info.date1904
        chosen, notes = _pick(sheet, names, visible, path)
        part = next((s.part for s in info.sheets if s.name == chosen), None)
        check_dimension(path, part, limits, f"sheet {chosen!r}")
        check_sheet_memory(path, part, limits, f"sheet {chosen!r}")
        reader = _open(path)
        loaded = _load(reader, chosen, path)
    else:
        reader = _open(path)
        names = list(reader.sheet_names)
        loaded_by_name = {}
        if sheet is None:
            for n in names:
                loaded_by_name[n] = _load(reader, n, path)
            visible = [n for n in names if loaded_by_name[n].visible == "visible"]
        else:
            visible = names  # a named sheet's visibility is checked once it is loaded
        chosen, notes = _pick(sheet, names, visible, path)
        loaded = loaded_by_name.get(chosen) or _load(reader, chosen, path)
        if sheet is not None and loaded.visible != "visible":
            notes.append(f"sheet {chosen!r} is hidden; read because it was named")
        notes.append("legacy .xls workbook read with calamine; saving as .xlsx is safer")
    frame = _to_frame(loaded, chosen, path)
    positions = tuple(c.absolute_index for c in loaded.available_columns())
    if date1904:
        notes.append(
            "the workbook uses the 1904 date system (serial numbers count from 1904-01-01)"
        )
    return SheetGrid(frame, positions, chosen, date1904, tuple(notes), tuple(visible))
