"""Reading TOML tables into typed values, collecting every mistake with its line."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from survey.errors import PlanError
from survey.plans._lines import Lines

__all__ = ["Problems", "Table", "suggest"]


def suggest(value: str, known: Sequence[str]) -> str:
    """`` (did you mean 'x'?)`` for a close match, else ``""``."""
    close = difflib.get_close_matches(value, list(known), n=1, cutoff=0.7)
    return f" (did you mean {close[0]!r}?)" if close else ""


class Problems:
    """Mistakes found in a plan, each ``PLAN.toml:LINE: message``; raised once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.items: list[tuple[int, str]] = []

    def add(self, line: int | None, message: str) -> None:
        item = (line or 0, message)
        if item not in self.items:
            self.items.append(item)

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if not self.items:
            return
        name = self.path.name
        lines = [f"{name}:{ln}: {msg}" if ln else f"{name}: {msg}"
                 for ln, msg in sorted(self.items, key=lambda t: t[0])]
        n = len(lines)
        raise PlanError(f"the plan has {n} mistake{'s' if n != 1 else ''}; nothing was run",
                        location=str(self.path), problems=lines,
                        hint="the plan format is in docs/plans.md")


class Table:
    """One TOML table being read: typed getters, then :meth:`done` flags unknown keys."""

    def __init__(self, data: dict[str, Any], name: tuple[str, ...], lines: Lines,
                 problems: Problems, *, index: int | None = None, label: str | None = None) -> None:
        self.data = data
        self.name = name
        self.index = index
        self.lines = lines
        self.problems = problems
        self.label = label or (f"[[{'.'.join(name)}]] #{(index or 0) + 1}" if index is not None
                               else f"[{'.'.join(name)}]")
        self.seen: set[str] = set()

    # -- locations -------------------------------------------------------------------------
    def line(self, key: str | None = None) -> int | None:
        if key is None:
            return self.lines.table(self.name, self.index) or self.lines.key(
                self.name, (), index=self.index)
        return self.lines.key(self.name, key, index=self.index)

    def bad(self, key: str | None, message: str) -> None:
        where = f"{self.label} {key}" if key else self.label
        self.problems.add(self.line(key), f"{where}: {message}")

    # -- getters ---------------------------------------------------------------------------
    def _get(self, key: str, kinds: tuple[type, ...], what: str, required: bool) -> Any:
        self.seen.add(key)
        if key not in self.data:
            if required:
                self.problems.add(self.line(), f"{self.label}: {key} is required")
            return None
        v = self.data[key]
        if isinstance(v, bool) and bool not in kinds:
            self.bad(key, f"must be {what}, got {v!r}")
            return None
        if not isinstance(v, kinds):
            self.bad(key, f"must be {what}, got {v!r}")
            return None
        return v

    def str(self, key: str, *, required: bool = False, default: str | None = None,
            choices: Sequence[str] | None = None) -> str | None:
        v = self._get(key, (str,), "text", required)
        if v is None:
            return default
        if not v.strip():
            self.bad(key, "must not be empty")
            return default
        if choices is not None and v not in choices:
            self.bad(key, f"{v!r} is not one of {', '.join(choices)}{suggest(v, choices)}")
            return default
        return v

    def bool(self, key: str, *, default: bool) -> bool:
        v = self._get(key, (bool,), "true or false", False)
        return default if v is None else bool(v)

    def int(self, key: str, *, default: int, minimum: int | None = None) -> int:
        v = self._get(key, (int,), "a whole number", False)
        if v is None:
            return default
        if minimum is not None and v < minimum:
            self.bad(key, f"must be at least {minimum}, got {v}")
            return default
        return int(v)

    def level(self, key: str, *, default: float) -> float:
        v = self._get(key, (int, float), "a number", False)
        if v is None:
            return default
        if not 0.5 <= float(v) < 1:
            self.bad(key, f"must be a confidence level between 0.5 and 1 (e.g. 0.95), got {v}")
            return default
        return float(v)

    def strs(self, key: str, *, required: bool = False) -> tuple[str, ...]:
        """Text or a list of texts."""
        v = self._get(key, (str, list), "text or a list of texts", required)
        if v is None:
            return ()
        items = [v] if isinstance(v, str) else v
        if not all(isinstance(x, str) and x.strip() for x in items):
            self.bad(key, f"must be text or a list of texts, got {v!r}")
            return ()
        return tuple(items)

    def weighted(self, key: str = "weighted") -> tuple[bool, ...]:
        """``true`` / ``false`` / ``"both"`` (weighted first)."""
        self.seen.add(key)
        v = self.data.get(key, True)
        if isinstance(v, bool):
            return (v,)
        if v == "both":
            return (True, False)
        self.bad(key, f"must be true, false or \"both\", got {v!r}")
        return (True,)

    def path(self, key: str, base: Path, *, required: bool = False, kind: str = "file",
             must_exist: bool = True) -> Path | None:
        v = self.str(key, required=required)
        if v is None:
            return None
        p = Path(v) if Path(v).is_absolute() else (base / v)
        p = Path(*p.parts).resolve() if must_exist else p.absolute()
        if must_exist and kind == "file" and not p.is_file():
            self.bad(key, f"no such {kind}: {v!r} (looked for {p})")
        elif must_exist and kind == "directory" and not p.is_dir():
            self.bad(key, f"no such {kind}: {v!r} (looked for {p})")
        return p

    def table(self, key: str, *, label: str | None = None) -> Table | None:
        v = self._get(key, (dict,), "a table", False)
        if v is None:
            return None
        return Table(v, (*self.name, key), self.lines, self.problems, index=None,
                     label=label or f"{self.label} {key}")

    def tables(self, key: str, *, label: str) -> list[Table]:
        """An array of tables ``[[name.key]]`` (or an inline array of inline tables)."""
        v = self._get(key, (list,), "an array of tables", False)
        if v is None:
            return []
        out = []
        for i, item in enumerate(v):
            if not isinstance(item, dict):
                self.bad(key, f"item {i + 1} must be a table, got {item!r}")
                continue
            out.append(Table(item, (*self.name, key), self.lines, self.problems, index=i,
                             label=f"{label} #{i + 1}"))
        return out

    def done(self) -> None:
        """Flag keys nobody asked for (typos)."""
        known = sorted(self.seen)
        for k in self.data:
            if k not in self.seen:
                self.bad(k, f"unknown key{suggest(k, known)}; known keys: {', '.join(known)}")
