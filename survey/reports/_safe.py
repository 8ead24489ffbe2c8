"""Text that is safe to put in a spreadsheet cell: no control characters, no formulas."""

from __future__ import annotations

import re

__all__ = ["MAX_CELL_TEXT", "clean_text", "csv_text", "is_risky", "markdown_text"]

MAX_CELL_TEXT = 32_767  # Excel's limit on the characters of a cell
# the control characters Excel (and openpyxl) reject; tab, LF and CR are kept
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_RISKY_START = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def clean_text(value: object) -> str:
    """``value`` as text with the control characters Excel rejects removed and the
    length capped at Excel's 32,767 characters.

    >>> clean_text("a\\x00b\\x1fc")
    'abc'
    """
    s = _CONTROL.sub("", str(value))
    return s[:MAX_CELL_TEXT]


def is_risky(text: str) -> bool:
    """True if a spreadsheet could take ``text`` for a formula (OWASP CSV injection):
    it starts with ``= + - @``, tab, CR or LF, or with ``= + - @`` after leading
    blanks, or with their full-width look-alikes.

    >>> is_risky('=HYPERLINK("http://x","y")'), is_risky(" +1"), is_risky("1+1")
    (True, True, False)
    """
    if not text:
        return False
    if text[0] in "\t\r\n":
        return True
    return text.lstrip().startswith(_RISKY_START)


def csv_text(value: object) -> str:
    """Text for a CSV field: cleaned, and prefixed with an apostrophe when risky
    (OWASP's recommendation; the CSV writer quotes every text field)."""
    s = clean_text(value)
    return "'" + s if is_risky(s) else s


_MD_SPECIAL = re.compile(r"([\\`|])")


def markdown_text(value: object) -> str:
    """Text for a Markdown table cell: cleaned, on one line, with table pipes, code
    ticks and backslashes escaped, HTML tags neutralised and links broken.

    >>> markdown_text("<b>a|b</b> [x](http://y)")
    '&lt;b&gt;a\\|b&lt;/b&gt; [x]\\(http://y)'
    """
    s = clean_text(value).replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    s = _MD_SPECIAL.sub(r"\\\1", s.replace("\t", " "))
    return s.replace("<", "&lt;").replace(">", "&gt;").replace("](", "]\\(")
