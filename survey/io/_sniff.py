"""Decide what a file holds from its first bytes, whatever its name says."""

from __future__ import annotations

import mmap
import os
from pathlib import Path
from typing import Literal

from survey.io._model import Limits
from survey.io._util import human_size, unreadable

__all__ = ["FileKind", "sniff"]

FileKind = Literal["xlsx", "xls", "csv", "sav", "dta", "xpt", "sas7bdat"]

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_SAVE_AS_XLSX = "open it in Excel (or LibreOffice) and save it as .xlsx or .csv"
# Signatures of common files that are not tables, with the name to give them.
_FOREIGN = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\x7fELF", "a program (ELF binary)"),
    (b"MZ", "a Windows program"),
    (b"{\\rtf", "an RTF document"),
    (b"SQLite format 3", "an SQLite database"),
    (b"PAR1", "a Parquet file"),
)


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-le")


def _ole_kind(path: str) -> FileKind:
    """Classify an OLE compound file: encrypted OOXML, legacy .xls, or something else."""
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        # Directory entry names are UTF-16LE; an encrypted workbook stores its
        # package in the streams EncryptionInfo and EncryptedPackage.
        if mm.find(_utf16("EncryptedPackage")) >= 0 or mm.find(_utf16("EncryptionInfo")) >= 0:
            raise unreadable(
                "the workbook is password-protected (encrypted)",
                path,
                "open it in Excel with the password, remove the password "
                "(File > Info > Protect Workbook) and save a copy",
            )
        if mm.find(_utf16("Workbook")) >= 0 or mm.find(_utf16("Book")) >= 0:
            return "xls"
    raise unreadable(
        "not a spreadsheet: an OLE compound document (Word, Outlook, ...) "
        "rather than a workbook",
        path,
        _SAVE_AS_XLSX,
    )


# SAS: the transport file's first header record (version 5 and 8), and the 32-byte magic
# number that opens every .sas7bdat file.
_XPT = (b"HEADER RECORD*******LIBRARY HEADER RECORD!!!!!!!",
        b"HEADER RECORD*******LIBV8   HEADER RECORD!!!!!!!")
_SAS7BDAT = (b"\x00" * 12 + b"\xc2\xea\x81\x60\xb3\x14\x11\xcf\xbd\x92\x08\x00"
             b"\x09\xc7\x31\x8c\x18\x1f\x10\x11")


def _is_old_dta(head: bytes) -> bool:
    # Stata 8-13 (.dta formats 113-115): version byte, byte order 1|2, filetype 1, 0.
    return len(head) >= 4 and 104 <= head[0] <= 115 and head[1] in (1, 2) and head[2] == 1


def sniff(path: str, limits: Limits) -> FileKind:
    """Return the kind of table in ``path`` or raise :class:`UnreadableInputError`.

    Checks existence, emptiness and ``limits.max_file_bytes`` first; then the magic
    bytes: zip (xlsx), OLE (xls, or an encrypted workbook), SPSS ``$FL2``/``$FL3``,
    Stata, SAS transport and ``.sas7bdat``, known non-table formats (images, PDF, archives, HTML); anything else is
    treated as delimited text, which the csv reader checks further.
    """
    p = Path(path)
    if not p.exists():
        raise unreadable("file not found", path, "check the path and the current directory")
    if p.is_dir():
        raise unreadable("is a directory, not a file", path)
    try:
        size = p.stat().st_size
        with open(p, "rb") as fh:
            head = fh.read(512)
    except OSError as exc:
        raise unreadable(f"cannot open the file: {exc.strerror or exc}", path) from None
    if size == 0:
        raise unreadable("file is empty (0 bytes)", path, "export the data again")
    if size > limits.max_file_bytes:
        raise unreadable(
            f"file is {human_size(size)}, over the size limit of "
            f"{human_size(limits.max_file_bytes)}",
            path,
            "if this file is genuine, raise the size limit (--max-file-size MB; Limits(max_file_bytes=...))",
        )
    if head.startswith(_ZIP):
        return "xlsx"
    if head.startswith(_OLE):
        return _ole_kind(path)
    if head.startswith((b"$FL2", b"$FL3")):
        return "sav"
    if head.startswith(b"<stata_dta>") or (
        _is_old_dta(head) and os.path.splitext(path)[1].lower() == ".dta"
    ):
        return "dta"
    if head.startswith(_XPT):
        return "xpt"
    if head.startswith(_SAS7BDAT):
        return "sas7bdat"
    if head.startswith(b"**COMPRESSED** **COMPRESSED**"):
        raise unreadable("a SAS CPORT file (PROC CPORT), which is not a transport (XPORT) file",
                         path, "write it with the XPORT engine (libname x xport 'f.xpt'; "
                               "proc copy) or as .sas7bdat")
    for magic, what in _FOREIGN:
        if head.startswith(magic):
            raise unreadable(f"not a spreadsheet: the file is {what}", path, _SAVE_AS_XLSX)
    lower = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lower.startswith((b"<!doctype html", b"<html", b"<table")):
        raise unreadable(
            "not a spreadsheet: the file is an HTML page (some platforms name these .xls)",
            path,
            _SAVE_AS_XLSX,
        )
    if lower.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in head:
        raise unreadable("not supported: an Excel 2003 XML spreadsheet", path, _SAVE_AS_XLSX)
    return "csv"
