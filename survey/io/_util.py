"""Small helpers shared by the readers: error construction and column letters."""

from __future__ import annotations

from survey.errors import UnreadableInputError

__all__ = ["column_letter", "human_size", "letter_index", "unreadable"]


def unreadable(message: str, path: str, hint: str | None = None) -> UnreadableInputError:
    """Return an :class:`UnreadableInputError` located at ``path``.

    Parameters
    ----------
    message
        One line saying what is wrong, quoting the offending value.
    path
        The file the reader was given.
    hint
        How to fix it.

    >>> str(unreadable("file is empty", "a.csv"))
    'a.csv: file is empty'
    """
    return UnreadableInputError(message, location=path, hint=hint)


def column_letter(index: int) -> str:
    """Return the Excel column letter of a 0-based column index.

    >>> [column_letter(i) for i in (0, 25, 26, 701, 702)]
    ['A', 'Z', 'AA', 'ZZ', 'AAA']
    """
    if index < 0:
        raise ValueError(f"column index must be >= 0, got {index}")
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def letter_index(letters: str) -> int:
    """Return the 0-based column index of an Excel column letter (inverse of `column_letter`).

    >>> letter_index("BH")
    59
    """
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def human_size(n: float) -> str:
    """Return a byte count for messages.

    >>> human_size(20), human_size(3 * 1024**2), human_size(4 * 1024**3)
    ('20 bytes', '3.0 MiB', '4.0 GiB')
    """
    if n < 1024:
        return f"{int(n)} bytes"
    for unit in ("KiB", "MiB", "GiB"):
        n /= 1024
        if n < 1024 or unit == "GiB":
            break
    return f"{n:.1f} {unit}"
