"""Read a delimited text file (csv, tsv, txt) as an all-text grid.

Encoding (``"auto"``): a BOM decides (UTF-8, UTF-16); else strict UTF-8; else strict
CP949 (a superset of EUC-KR) when the non-ASCII text is mostly Hangul from the KS X 1001
core set (see :func:`_korean_evidence`); else strict cp1252; else Latin-1.  The choice is reported.  NUL bytes are removed.  The
delimiter is sniffed outside quotes on the first records among ``,`` ``\\t`` ``;``
and ``|``: the one occurring in the header and the same number of times in most of
the next records wins; ties go to that order, so ``|`` (a common multi-select
joiner inside cells) wins only when it is strictly the most consistent.  Parsing is
polars' with every field kept as text (a UTF-8 file is sniffed on its first records and
parsed by polars from the file itself, which checks the UTF-8: no decoding in Python); irregular quoting, or a record longer than
the first records, falls back to the lenient standard-library parser.

A tab-separated file is read as TSV, without csv quoting (Google Forms and Sheets write
no quotes, so an answer that begins with a quote keeps it), unless the file shows csv
quoting in its first megabytes: a field wholly in quotes whose text needed them (a doubled
quote, a tab or a line break inside), as Qualtrics and Excel write.
"""

from __future__ import annotations

import codecs
import csv
import io
import mmap
import re
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass

import polars as pl

from survey.io._model import Limits
from survey.io._util import unreadable

__all__ = ["CsvGrid", "decode", "field_counts", "read_csv_grid", "sniff_delimiter", "tsv_uses_quotes"]

_SAMPLE = 64 * 1024
_SNIFF_RECORDS = 20
_CANDIDATES = (",", "\t", ";")
_FIELD_START = frozenset(',\t;|\n"')  # '"': reopen after the first of a doubled quote
_LEAD_BLANK = re.compile(r"(?:[ \t]*\r?\n)+")
_CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")
# a field wholly in csv quotes (quotes inside doubled), up to the next tab or line end
_QUOTED_FIELD = re.compile(r'(?:^|(?<=\t))"((?:[^"]|""){0,20000})"(?=[\t\r\n]|\Z)', re.MULTILINE)
_QUOTE_SCAN = 4 * 1024 * 1024
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_SYLLABLE = re.compile(r"[\uac00-\ud7a3]")
_BINARY_HINT = "this is not a text export; check that the right file was given"


@dataclass(frozen=True)
class CsvGrid:
    """A delimited file as stored: all-String fields, from record 1 + ``first_row`` - 1."""

    frame: pl.DataFrame
    first_row: int
    encoding: str
    delimiter: str
    notes: tuple[str, ...]


def _check_binary(data: bytes, path: str) -> None:
    sample = data[:_SAMPLE]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return
    nul = sample.count(0)
    if nul * 20 > len(sample):
        raise unreadable(
            f"not a text file: binary content ({100 * nul / len(sample):.0f}% NUL bytes)",
            path,
            _BINARY_HINT,
        )


def _korean_evidence(text: str) -> tuple[bool, str]:
    """Does ``text`` (the file decoded as CP949) read as Korean?  And why, in words.

    Korean when Hangul syllables are at least half of the non-ASCII characters and at
    least 90% of them are in the KS X 1001 core set (the 2,350 syllables EUC-KR encodes,
    both bytes 0xA1-0xFE), which is what Korean text uses.  Western cp1252 bytes that happen
    to form CP949 pairs give rare syllables from the UHC extension instead: ``’s`` (0x92
    0x73) or ``Â`` + NBSP (0xC2 0xA0).  Measured: the real CP949 survey export has 892
    syllables, 100% core; cp1252 stray pairs 0% core (tests/io/test_io_encoding.py).
    """
    sample = text[:_SAMPLE * 4]
    non_ascii = len(_NON_ASCII.findall(sample))
    syllables = _SYLLABLE.findall(sample)
    if non_ascii == 0:
        return True, "no non-ASCII text"
    core = sum(1 for ch in syllables if _in_ks_x_1001(ch))
    n = len(syllables)
    why = (f"{n} of {non_ascii} non-ASCII character(s) are Hangul syllables, "
           f"{core} of them in the KS X 1001 core set")
    return 2 * n >= non_ascii and n > 0 and 10 * core >= 9 * n, why


def _in_ks_x_1001(ch: str) -> bool:
    """Is the syllable one of KS X 1001's 2,350 (CP949 bytes both 0xA1-0xFE)?"""
    b = ch.encode("cp949")
    return len(b) == 2 and b[0] >= 0xA1 and b[1] >= 0xA1


def decode(data: bytes, encoding: str, path: str) -> tuple[str, str, list[str]]:
    """Return the text of ``data``, the codec used and notes.

    Parameters
    ----------
    data
        The file's bytes.
    encoding
        ``"auto"`` (see the module docstring) or a Python codec name, used strictly.
    path
        For messages.
    """
    if encoding != "auto":
        try:
            name = codecs.lookup(encoding).name
        except LookupError:
            raise unreadable(
                f"unknown encoding {encoding!r}", path, "use a codec such as utf-8, cp949, cp1252"
            ) from None
        try:
            text = data.decode(name)
        except UnicodeDecodeError as exc:
            raise unreadable(
                f"the file is not valid {name}: byte 0x{data[exc.start]:02x} at offset {exc.start}",
                path,
                "use encoding 'auto' or name the file's real encoding",
            ) from None
        return text.removeprefix("\ufeff"), name, [f"encoding {name} (as given)"]
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig", ["encoding utf-8-sig (BOM)"]
        except UnicodeDecodeError as exc:
            bad = f"byte 0x{data[3 + exc.start]:02x} at offset {3 + exc.start}"
            return data[3:].decode("utf-8", "replace"), "utf-8-sig", [
                f"encoding utf-8-sig (BOM) with invalid bytes replaced by U+FFFD (first: {bad})"
            ]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16").removeprefix("\ufeff"), "utf-16", ["encoding utf-16 (BOM)"]
        except UnicodeDecodeError:
            raise unreadable("the file has a UTF-16 BOM but is not valid UTF-16", path) from None
    try:
        return data.decode("utf-8"), "utf-8", ["encoding utf-8 (detected)"]
    except UnicodeDecodeError:
        pass
    korean: str | None
    try:
        korean = data.decode("cp949")
    except UnicodeDecodeError:
        korean = None
    why = "not valid CP949"
    if korean is not None:
        is_korean, why = _korean_evidence(korean)
        if is_korean:
            return korean, "cp949", [f"encoding cp949 (detected: not UTF-8; as CP949 {why}; "
                                     "--encoding overrides)"]
        why = f"as CP949 {why}, not Korean text"
    try:
        return data.decode("cp1252"), "cp1252", [
            f"encoding cp1252 (detected: not UTF-8; {why}); check accented characters, "
            "--encoding overrides"
        ]
    except UnicodeDecodeError:
        pass
    if korean is not None:
        return korean, "cp949", ["encoding cp949 (detected: not UTF-8 or cp1252)"]
    return data.decode("latin-1"), "latin-1", [
        "encoding latin-1 assumed: the file is not UTF-8, CP949 or cp1252; "
        "check accented characters"
    ]


def _scan_records(text: str, counted: Iterable[str], field_start: Container[str]
                  ) -> tuple[list[dict[str, int]], dict[str, int] | None]:
    """Count each character of ``counted`` outside quotes in the first non-blank records
    of ``text``: the complete records, and the last one if the sample ends inside it
    (None when it holds no text or enough records were found)."""
    records: list[dict[str, int]] = []
    cur = dict.fromkeys(counted, 0)
    in_quotes = False
    has_text = False
    prev = "\n"
    for ch in text[:_SAMPLE]:
        # A quote opens a quoted field only at the start of a field (as in polars),
        # so an inch mark inside a plain field (27" screen) does not derail the count.
        if ch == '"' and (in_quotes or prev in field_start):
            in_quotes = not in_quotes
            has_text = True
        elif in_quotes:
            prev = ch
            continue
        elif ch == "\n":
            if has_text:
                records.append(cur)
                if len(records) >= _SNIFF_RECORDS:
                    return records, None
            cur = dict.fromkeys(cur, 0)
            has_text = False
        elif ch in cur:
            cur[ch] += 1
            has_text = True
        elif ch not in " \t\r":
            has_text = True
        prev = ch
    return records, (cur if has_text else None)


def _record_counts(text: str) -> list[dict[str, int]]:
    """Count each candidate delimiter outside quotes in the first non-blank records."""
    records, last = _scan_records(text, (*_CANDIDATES, "|"), _FIELD_START)
    if last is not None and (len(text) <= _SAMPLE or not records):
        records.append(last)
    return records


def sniff_delimiter(text: str) -> str:
    """Return the delimiter of ``text``; ``,`` when no candidate occurs (one column).

    >>> sniff_delimiter('a;"b;c";d\\n1;2;3\\n')
    ';'
    >>> sniff_delimiter("only one column\\n")
    ','
    """
    records = _record_counts(text)
    if not records:
        return ","
    head, rest = records[0], records[1:]
    best: tuple[int, int] = (-1, 0)
    chosen = ""
    for d in (*_CANDIDATES, "|"):
        h = head[d]
        if h:
            score = (sum(1 for r in rest if r[d] == h), h)
            if score > best:
                best, chosen = score, d
    return chosen or ","


def tsv_uses_quotes(text: str) -> bool:
    r"""True when tab-separated ``text`` shows csv quoting: a field wholly in quotes whose
    text needed them (a doubled quote, a tab or a line break inside).

    >>> tsv_uses_quotes('id\tq\n1\t"He said ""hi"" twice"\n')
    True
    >>> tsv_uses_quotes('id\tq\n1\t"Quoted" answer\n2\t"whole"\n')
    False
    """
    return any(any(x in m.group(1) for x in ('""', "\t", "\n"))
               for m in _QUOTED_FIELD.finditer(text, 0, _QUOTE_SCAN))


def _lenient(text: str, delimiter: str, *, quoting: bool = True) -> pl.DataFrame:
    """Parse with the standard-library reader (slow path for irregular files)."""
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False,
                           quoting=csv.QUOTE_MINIMAL if quoting else csv.QUOTE_NONE))
    full = max([1, *(len(r) for r in rows)])
    data = {f"_c{j}": [(r[j] if j < len(r) else None) for r in rows] for j in range(full)}
    return pl.DataFrame(data, schema=dict.fromkeys(data, pl.String))


def read_csv_grid(
    data: bytes | mmap.mmap, *, path: str, encoding: str, delimiter: str, limits: Limits
) -> CsvGrid:
    """Decode, sniff and parse delimited text (see the module docstring).

    ``data`` is the content of the file at ``path`` (bytes, or the file mapped).  A UTF-8
    file (the common case) is sniffed on its first records and parsed by polars from the
    file itself, which validates the UTF-8 (see :func:`_read_utf8`); any other file, or one
    polars refuses, is decoded here and parsed from the text, with the same result.
    """
    _check_binary(data, path)
    fast = _read_utf8(data, path=path, encoding=encoding, delimiter=delimiter, limits=limits)
    if fast is not None:
        return fast
    data = bytes(data)
    text, used, notes = decode(data, encoding, path)
    del data
    if "\x00" in text:
        notes.append(f"{text.count(chr(0))} NUL character(s) removed")
        text = text.replace("\x00", "")
    controls = len(_CONTROL.findall(text[:_SAMPLE]))
    if controls > 8 and controls * 100 > min(len(text), _SAMPLE):   # a stray one is not binary
        raise unreadable("not a text file: binary or undecodable content", path, _BINARY_HINT)
    if "\n" not in text and "\r" in text:
        text = text.replace("\r", "\n")
        notes.append("old Mac line endings (CR) read as line breaks")
    lead = _LEAD_BLANK.match(text)
    skipped = 0
    if lead:
        skipped = lead.group(0).count("\n")
        text = text[lead.end() :]
    if not text or text.isspace():
        raise unreadable(
            "file is empty: no text besides blank lines", path, "export the data again"
        )
    delimiter, quoting, header_width, width = _layout(text, text, delimiter, notes, path, limits)
    try:
        frame = _polars_grid(text.encode("utf-8"), delimiter, quoting, width)
    except pl.exceptions.PolarsError as exc:
        frame = _lenient(text, delimiter, quoting=quoting)
        if "more fields" not in str(exc):
            notes.append("irregular quoting: the file was parsed leniently")
    return _grid(frame, header_width, 1 + skipped, used, delimiter, notes)


def _layout(sample: str, quote_sample: str | Callable[[], str], delimiter: str, notes: list[str],
            path: str, limits: Limits) -> tuple[str, bool, int, int]:
    """Sniff (or check) the delimiter, decide TSV quoting and count the first records'
    fields on the text's first records (``sample`` holds at least ``_SAMPLE`` characters
    or the whole text; ``quote_sample`` at least ``_QUOTE_SCAN``, or makes them)."""
    if delimiter == "auto":
        delimiter = sniff_delimiter(sample)
        if delimiter != ",":
            notes.append(f"delimiter {delimiter!r} (detected)")
    elif len(delimiter) != 1 or delimiter in "\r\n\"":
        raise ValueError(f"delimiter must be one character or 'auto', got {delimiter!r}")
    if delimiter == "\t" and callable(quote_sample):
        quote_sample = quote_sample()
    quoting = delimiter != "\t" or tsv_uses_quotes(quote_sample)  # type: ignore[arg-type]
    if not quoting:
        notes.append("tab-separated without csv quoting: quotes in cells are kept as written")
    counts = field_counts(sample, delimiter, quoting=quoting)
    header_width, width = counts[0], max(counts)
    if width > limits.max_columns:
        raise unreadable(
            f"the first records have {width} fields, over the column limit of "
            f"{limits.max_columns}",
            path,
            "if this file is genuine, raise the column limit (--max-columns N; Limits(max_columns=N)), or check the delimiter",
        )
    return delimiter, quoting, header_width, width


def _polars_grid(source: bytes | str, delimiter: str, quoting: bool, width: int) -> pl.DataFrame:
    return pl.read_csv(
        source,
        has_header=False,
        separator=delimiter,
        quote_char='"' if quoting else None,
        schema={f"_c{j}": pl.String for j in range(width)},
        missing_columns="insert",
        raise_if_empty=False,
    )


def _grid(frame: pl.DataFrame, header_width: int, first_row: int, used: str, delimiter: str,
          notes: list[str]) -> CsvGrid:
    if frame.width > header_width:
        extra_cols = frame.columns[header_width:]
        long_rows = frame.select(pl.any_horizontal(pl.col(extra_cols).is_not_null()).sum()).item()
        if long_rows:
            notes.append(
                f"{long_rows} record(s) have more fields than the header "
                f"({len(extra_cols)} unnamed column(s) added)"
            )
    return CsvGrid(frame, first_row, used, delimiter, tuple(notes))


def _head_text(data: bytes | mmap.mmap, chars: int) -> str | None:
    """The first ``chars`` characters (at least) of UTF-8 ``data``, or all of it; None when
    they are not valid UTF-8.  A character cut at the end of the slice is dropped."""
    n = 4 * chars + 4
    head = data[:n]
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if len(head) < n or exc.start < len(head) - 4:
            return None
        return head[: exc.start].decode("utf-8", "replace")


def _read_utf8(data: bytes | mmap.mmap, *, path: str, encoding: str, delimiter: str,
               limits: Limits) -> CsvGrid | None:
    """The grid of a UTF-8 file parsed by polars from ``path``, without decoding it here;
    None when the slow path must decide (not UTF-8, a UTF-16 BOM, NUL bytes, no line feed,
    leading blank lines, a blank file, or anything polars refuses).  Sniffing reads the
    same first records as the slow path, so both give the same grid."""
    if encoding == "auto":
        used, note = (("utf-8-sig", "encoding utf-8-sig (BOM)") if data[:3] == codecs.BOM_UTF8
                      else ("utf-8", "encoding utf-8 (detected)"))
    else:
        try:
            name = codecs.lookup(encoding).name
        except LookupError:
            return None
        if name != "utf-8":
            return None
        used, note = name, f"encoding {name} (as given)"
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) or data.find(b"\x00") >= 0 \
            or data.find(b"\n") < 0:
        return None
    bom = 3 if data[:3] == codecs.BOM_UTF8 else 0
    head = _head_text(data, _SAMPLE + bom)
    if head is None:
        return None
    sample = head[1:] if bom else head
    if not sample or sample.isspace() or _LEAD_BLANK.match(sample):
        return None
    controls = len(_CONTROL.findall(sample[:_SAMPLE]))
    if controls > 8 and controls * 100 > min(len(sample), _SAMPLE):
        raise unreadable("not a text file: binary or undecodable content", path, _BINARY_HINT)

    def quote_sample() -> str:
        text = _head_text(data, _QUOTE_SCAN + bom) or ""
        return text[1:] if bom else text

    notes = [note]
    delimiter, quoting, header_width, width = _layout(sample, quote_sample, delimiter, notes,
                                                      path, limits)
    try:
        frame = _polars_grid(path, delimiter, quoting, width)
    except pl.exceptions.PolarsError:
        return None
    return _grid(frame, header_width, 1, used, delimiter, notes)


def field_counts(text: str, delimiter: str, *, quoting: bool = True) -> list[int]:
    """Return the field counts of the first non-blank records of ``text`` (quote-aware
    unless ``quoting`` is False)."""
    records, last = _scan_records(text, delimiter, ("\n", '"', delimiter) if quoting else ())
    counts = [r[delimiter] + 1 for r in records]
    if last is not None or not counts:
        counts.append((last or {delimiter: 0})[delimiter] + 1)
    return counts
