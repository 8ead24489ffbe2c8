"""Checks on an xlsx package before calamine touches it, and what its workbook.xml says.

Everything here reads the zip central directory and at most a few KB of each XML
part, so a hostile file is refused before any large decompression:

* a truncated or corrupt zip, an encrypted zip entry;
* a decompression bomb: total declared uncompressed size over
  ``Limits.max_uncompressed_bytes``, or a large entry whose compression ratio is
  over ``Limits.max_compression_ratio``;
* XML entity declarations (``<!DOCTYPE``/``<!ENTITY``), the vehicle of entity
  expansion ("billion laughs") attacks; Excel never writes them;
* a sheet whose ``<dimension>`` already says it is over the row or column limit.

Residual risk, documented: a zip whose headers lie consistently about an entry's
uncompressed size is caught only when calamine's CRC check fails after inflating.
"""

from __future__ import annotations

import html
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass

from survey.io._model import Limits
from survey.io._util import human_size, letter_index, unreadable

__all__ = ["SheetEntry", "WorkbookInfo", "check_dimension", "inspect_xlsx"]

_RATIO_MIN_BYTES = 8 * 1024**2
"""Entries smaller than this are not ratio-checked (tiny XML compresses very well)."""
_PROLOG_MAX = 64 * 1024
_WORKBOOK_MAX = 64 * 1024**2
_CORRUPT_HINT = "the file is damaged or incomplete: download or export it again"
_ATTR = re.compile(r"""([\w:]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_SHEET = re.compile(r"<(?:\w+:)?sheet\s[^>]*>")
_WB_PR = re.compile(r"<(?:\w+:)?workbookPr\b[^>]*>")
_REL = re.compile(r"<(?:\w+:)?Relationship\s[^>]*>")
_START_TAG = re.compile(rb"<[A-Za-z_]")
_DECL = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]*)(\d*)(?::([A-Z]*)(\d*))?\"")


@dataclass(frozen=True)
class SheetEntry:
    """One sheet listed in workbook.xml, in workbook order."""

    name: str
    state: str
    part: str | None

    @property
    def visible(self) -> bool:
        return self.state == "visible"


@dataclass(frozen=True)
class WorkbookInfo:
    """The sheets of a workbook and its date system."""

    sheets: tuple[SheetEntry, ...]
    date1904: bool


def _attrs(tag: str) -> dict[str, str]:
    out = {}
    for key, dq, sq in _ATTR.findall(tag):
        prefix, _, local = key.rpartition(":")
        out["r:id" if prefix and local == "id" else local] = html.unescape(dq or sq)
    return out


def _check_sizes(infos: list[zipfile.ZipInfo], limits: Limits, path: str) -> None:
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise unreadable(
                f"zip entry {info.filename!r} is encrypted", path, "save an unencrypted copy"
            )
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= _RATIO_MIN_BYTES and ratio > limits.max_compression_ratio:
            raise unreadable(
                f"possible decompression bomb: entry {info.filename!r} expands "
                f"{ratio:.0f}x (limit {limits.max_compression_ratio:.0f}x)",
                path,
                "if this file is genuine, raise Limits(max_compression_ratio=...) in Python",
            )
    if total > limits.max_uncompressed_bytes:
        raise unreadable(
            f"possible decompression bomb: the workbook expands to {human_size(total)} "
            f"(limit {human_size(limits.max_uncompressed_bytes)})",
            path,
            "if this file is genuine, raise the limit (--max-uncompressed MB; Limits(max_uncompressed_bytes=...))",
        )


def _read_prefix(zf: zipfile.ZipFile, info: zipfile.ZipInfo, n: int, path: str) -> bytes:
    try:
        with zf.open(info) as fh:
            return fh.read(n)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
        raise unreadable(
            f"corrupt workbook: part {info.filename!r} cannot be read ({exc})", path, _CORRUPT_HINT
        ) from None


def _check_prolog(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: str) -> None:
    head = _read_prefix(zf, info, _PROLOG_MAX, path)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="replace").encode("utf-8")
    start = _START_TAG.search(head)
    prolog = head if start is None else head[: start.start()]
    if _DECL.search(prolog) or (start is None and len(head) >= _PROLOG_MAX):
        raise unreadable(
            f"refused: XML part {info.filename!r} declares a DOCTYPE/ENTITY "
            "(possible entity-expansion attack)",
            path,
            "Excel never writes these; re-save the workbook in Excel",
        )


def _resolve(target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join("xl", target))


def inspect_xlsx(path: str, limits: Limits) -> WorkbookInfo:
    """Check an xlsx package (see the module docstring) and list its sheets.

    Raises
    ------
    UnreadableInputError
        For every problem listed in the module docstring, and for a zip that is
        not an Excel workbook (a .docx, an .ods, a plain archive, an .xlsb).
    """
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            _check_sizes(infos, limits, path)
            names = {i.filename for i in infos}
            if "xl/workbook.xml" not in names:
                if "xl/workbook.bin" in names:
                    raise unreadable(
                        "not supported: a binary .xlsb workbook", path, "save it as .xlsx"
                    )
                kind = "a Word document" if "word/document.xml" in names else "a zip archive"
                if "mimetype" in names or "content.xml" in names:
                    kind = "an OpenDocument file"
                raise unreadable(
                    f"not an xlsx workbook: the file is {kind}",
                    path,
                    "open it in Excel (or LibreOffice) and save it as .xlsx",
                )
            for info in infos:
                if info.filename.endswith((".xml", ".rels", ".vml")):
                    _check_prolog(zf, info, path)
            wb_info = zf.getinfo("xl/workbook.xml")
            if wb_info.file_size > _WORKBOOK_MAX:
                raise unreadable("corrupt workbook: workbook.xml is implausibly large", path)
            workbook = _read_prefix(zf, wb_info, _WORKBOOK_MAX, path).decode("utf-8", "replace")
            rels: dict[str, str] = {}
            if "xl/_rels/workbook.xml.rels" in names:
                rel_info = zf.getinfo("xl/_rels/workbook.xml.rels")
                text = _read_prefix(zf, rel_info, _WORKBOOK_MAX, path).decode("utf-8", "replace")
                for tag in _REL.findall(text):
                    a = _attrs(tag)
                    if "Id" in a and "Target" in a:
                        rels[a["Id"]] = _resolve(a["Target"])
    except zipfile.BadZipFile as exc:
        raise unreadable(
            f"corrupt or truncated workbook: not a readable zip ({exc})", path, _CORRUPT_HINT
        ) from None
    except OSError as exc:
        raise unreadable(f"cannot read the workbook: {exc}", path, _CORRUPT_HINT) from None
    sheets = []
    for tag in _SHEET.findall(workbook):
        a = _attrs(tag)
        part = rels.get(a.get("r:id", ""))
        sheets.append(SheetEntry(a.get("name", ""), a.get("state", "visible"), part))
    pr = _WB_PR.search(workbook)
    date1904 = bool(pr) and _attrs(pr.group(0)).get("date1904", "").lower() in ("1", "true")
    return WorkbookInfo(tuple(sheets), date1904)


def check_dimension(path: str, part: str | None, limits: Limits, what: str) -> None:
    """Refuse a sheet whose ``<dimension ref>`` is over the row or column limit."""
    if part is None:
        return
    try:
        with zipfile.ZipFile(path) as zf:
            if part not in zf.NameToInfo:
                return
            head = _read_prefix(zf, zf.getinfo(part), 4096, path)
    except (zipfile.BadZipFile, OSError):
        return  # calamine reports the problem when it loads the sheet
    m = _DIMENSION.search(head)
    if not m:
        return
    last_col = (m.group(3) or m.group(1)).decode("ascii")
    last_row = (m.group(4) or m.group(2)).decode("ascii")
    if last_row and int(last_row) > limits.max_rows + 3:
        raise unreadable(
            f"{what} declares {int(last_row)} rows, over the limit of {limits.max_rows}",
            path,
            "if this file is genuine, raise the row limit (--max-rows N; Limits(max_rows=N) in Python)",
        )
    if last_col and letter_index(last_col) + 1 > limits.max_columns:
        raise unreadable(
            f"{what} declares {letter_index(last_col) + 1} columns, over the limit of "
            f"{limits.max_columns}",
            path,
            "if this file is genuine, raise the column limit (--max-columns N; Limits(max_columns=N))",
        )
