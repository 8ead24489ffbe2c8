"""Text normalisation used to *match* labels and headers; raw text is always kept."""

from __future__ import annotations

import html
import re
import unicodedata

import polars as pl

__all__ = ["NOT_PLAIN", "PLAIN_CHARS", "flat_text_expr", "normalize_key", "normalize_key_expr"]

_TAG = re.compile(r"<[^>]{0,200}>")
# Unicode White_Space, as polars' (Rust) ``\s``: Python's also matches \x1c-\x1f.
_SPACE = re.compile(r"[^\S\x1c-\x1f]+")


def normalize_key(text: object) -> str:
    """Return the matching key of a label or header.

    NFKC-folds (full-width punctuation, NBSP), strips HTML tags and entities,
    collapses runs of whitespace, trims and lower-cases (as polars `to_lowercase`).

    >>> normalize_key("  United\\u00a0States <br/> ")
    'united states'
    """
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", html.unescape(str(text)))
    s = _TAG.sub(" ", s).replace("\x00", "")
    return _SPACE.sub(" ", s).strip(" ").lower()


# The characters the normalisation leaves as they are: printable ASCII but '&' (of an
# entity) and '<' (of a tag).
PLAIN_CHARS = r"\x20-\x25\x27-\x3b\x3d-\x7e"
# A character the normalisation may change, or a run of spaces: a column with none is
# its own flat text.
NOT_PLAIN = rf"[^{PLAIN_CHARS}]| {{2}}"


def flat_text_expr(expr: pl.Expr, *, plain: bool = False) -> pl.Expr:
    """:func:`normalize_key_expr` before lower-casing: the cell as displayed, one space
    between words. ``plain`` says the column holds no :data:`NOT_PLAIN` match, so only the
    ends need trimming (the same text, without the NFKC and regex passes)."""
    if plain:
        return expr.str.strip_chars()
    return (
        expr.str.replace_all("&nbsp;", " ", literal=True)
        .str.replace_all("&amp;", "&", literal=True)
        .str.normalize("NFKC")
        .str.replace_all(r"<[^>]{0,200}>", " ")
        .str.replace_all("\x00", "", literal=True)
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )


def normalize_key_expr(expr: pl.Expr, *, plain: bool = False) -> pl.Expr:
    """The vectorised twin of :func:`normalize_key` for a string column (``plain``: see
    :func:`flat_text_expr`)."""
    return flat_text_expr(expr, plain=plain).str.to_lowercase()
