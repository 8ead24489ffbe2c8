"""Line numbers for a TOML document: ``tomllib`` gives none, so scan the text.

The scan knows table headers (``[a.b]``), array-of-tables headers (``[[a.b]]``, counted
per name so the n-th ``[[estimate]]`` maps to its header line) and ``key = value``
lines, including dotted keys. Multi-line strings and arrays are skipped over, so a
``[`` or ``=`` inside them is never taken for a header or a key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Lines"]

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\[\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""^\s*((?:"[^"]*"|'[^']*'|[A-Za-z0-9_\-]+)(?:\s*\.\s*(?:"[^"]*"|'[^']*'|[A-Za-z0-9_\-]+))*)\s*=""")
_PART = re.compile(r"""\s*("[^"]*"|'[^']*'|[A-Za-z0-9_\-]+)\s*""")


def _split(dotted: str) -> tuple[str, ...]:
    return tuple(p.strip("\"'") for p in _PART.findall(dotted))


Table = tuple[tuple[str, ...], int | None]  # (name parts, index within an array of tables)


@dataclass
class Lines:
    """Where each table and key of a TOML text starts (1-based line numbers).

    >>> ln = Lines.scan('[plan]\\ntitle = "x"\\n[[estimate]]\\nid = "a"\\n[[estimate]]\\nid = "b"\\n')
    >>> ln.key(("estimate",), "id", index=1)
    6
    """

    tables: dict[Table, int] = field(default_factory=dict)
    keys: dict[tuple[Table, tuple[str, ...]], int] = field(default_factory=dict)

    @classmethod
    def scan(cls, text: str) -> Lines:
        out = cls()
        counts: dict[tuple[str, ...], int] = {}
        current: Table = ((), None)
        depth = 0  # open brackets/braces of a value spanning lines
        in_string: str | None = None
        for no, raw in enumerate(text.splitlines(), start=1):
            line = raw
            if in_string is not None:
                if in_string in line:
                    line = line.split(in_string, 1)[1]
                    in_string = None
                else:
                    continue
            if depth == 0:
                h = _HEADER.match(line)
                if h:
                    name = _split(h.group(2))
                    if h.group(1) == "[[":
                        idx = counts.get(name, 0)
                        counts[name] = idx + 1
                        current = (name, idx)
                    else:
                        # a sub-table of the latest array element, e.g. [estimate.plot]
                        parent = _array_parent(name, counts)
                        current = (name, parent)
                    out.tables.setdefault(current, no)
                    continue
                k = _KEY.match(line)
                if k:
                    out.keys.setdefault((current, _split(k.group(1))), no)
                    line = line[k.end():]
            depth, in_string = _track(line, depth)
        return out

    def table(self, name: tuple[str, ...], index: int | None = None) -> int | None:
        """Header line of ``[name]`` or of the ``index``-th ``[[name]]``."""
        return self.tables.get((name, index))

    def key(self, table: tuple[str, ...], key: str | tuple[str, ...], *,
            index: int | None = None) -> int | None:
        """Line of ``key`` in a table (falling back to the table's header, then the
        parent table's dotted key, e.g. ``inputs.store``)."""
        parts = (key,) if isinstance(key, str) else key
        line = self.keys.get(((table, index), parts))
        if line is not None:
            return line
        for n in range(1, len(table) + 1):  # dotted key in a parent: [a] b.c = ...
            line = self.keys.get(((table[:-n], None), table[-n:] + parts))
            if line is not None:
                return line
        if table or index is not None:
            return self.tables.get((table, index)) or self._dotted_table(table)
        return None

    def _dotted_table(self, table: tuple[str, ...]) -> int | None:
        for n in range(1, len(table) + 1):
            line = self.keys.get(((table[:-n], None), table[-n:]))
            if line is not None:
                return line
        return None


def _array_parent(name: tuple[str, ...], counts: dict[tuple[str, ...], int]) -> int | None:
    for n in range(len(name) - 1, 0, -1):
        if name[:n] in counts:
            return counts[name[:n]] - 1
    return None


def _track(line: str, depth: int) -> tuple[int, str | None]:
    """Bracket depth after ``line`` (outside strings and comments), and an open
    multi-line string delimiter if one starts and does not end here."""
    i = 0
    while i < len(line):
        ch = line[i]
        if ch == "#":
            break
        if line.startswith('"""', i) or line.startswith("'''", i):
            delim = line[i:i + 3]
            end = line.find(delim, i + 3)
            if end < 0:
                return depth, delim
            i = end + 3
            continue
        if ch in "\"'":
            end = i + 1
            while end < len(line) and line[end] != ch:
                end += 2 if (ch == '"' and line[end] == "\\") else 1
            i = end + 1
            continue
        if ch in "[{":
            depth += 1
        elif ch in "]}":
            depth = max(depth - 1, 0)
        i += 1
    return depth, None
