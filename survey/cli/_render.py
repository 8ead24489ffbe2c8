"""Terminal rendering with rich (East Asian wide characters aligned), progress display."""

from __future__ import annotations

import contextlib
import shutil
import sys
import threading
from collections.abc import Callable, Iterator

from rich.console import Console
from rich.table import Table

from survey.frames import Description

__all__ = ["console", "progress", "progress_bar", "render_description"]


def console(*, stderr: bool = False) -> Console:
    """A console that keeps tables wide enough when output is piped."""
    width = shutil.get_terminal_size((120, 40)).columns
    return Console(stderr=stderr, width=max(width, 100), soft_wrap=False,
                   highlight=False, file=sys.stderr if stderr else sys.stdout)


@contextlib.contextmanager
def progress(message: str, *, delay: float = 1.0) -> Iterator[None]:
    """A spinner on stderr while a file is read: shown only on a terminal, and only once
    the work has taken longer than ``delay`` seconds."""
    err = console(stderr=True)
    if not err.is_terminal:
        yield
        return
    status = err.status(message, spinner="dots", refresh_per_second=4)
    timer = threading.Timer(delay, status.start)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        status.stop()


@contextlib.contextmanager
def progress_bar(label: str, *, first: str = "", total: int | None = None,
                 elapsed: bool = False) -> Iterator[Callable[[str, int, int], None] | None]:
    """A progress bar on stderr, only on a terminal: yields ``update(description, done,
    total)``, or None when nothing is drawn. ``label`` formats the description
    (rich markup, e.g. ``"crosstab {task.description}"``); ``first`` and ``total``
    show before the first update; ``elapsed`` adds the time taken. The bar takes the terminal's own
    width (a live bar wider than the terminal would wrap)."""
    err = Console(stderr=True)
    if not err.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = [TextColumn(label), BarColumn(), MofNCompleteColumn(),
               *([TimeElapsedColumn()] if elapsed else [])]
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(first, total=total)

        def update(description: str, done: int, total: int) -> None:
            bar.update(task, description=description, completed=done, total=total)

        yield update


def _fmt(v: object, digits: int = 1) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:,.{digits}f}"
    return str(v)


def render_description(desc: Description) -> None:
    """Print a codebook overview and each question's frequencies."""
    out = console()
    cb = desc.codebook
    title = cb.title_ko or cb.title_en or cb.survey
    out.print(f"[bold]{title}[/bold]  ({cb.survey} {cb.version}); {desc.n} respondents"
              + (f"; weighted by {desc.weight}" if desc.weight else ""))
    overview = Table(title="Codebook", show_lines=False, title_justify="left")
    for h in ("id", "type", "base", "missing", "question"):
        overview.add_column(h, overflow="fold")
    for s in desc.questions:
        q = s.question
        overview.add_row(q.id, q.type, str(s.base), str(s.missing), q.text_ko or q.text_en or "")
    out.print(overview)
    for s in desc.questions:
        q = s.question
        head = f"{q.id}: {q.text_ko or ''} {('/ ' + q.text_en) if q.text_en else ''}".strip()
        out.print()
        out.print(f"[bold]{head}[/bold]")
        t = Table(caption=f"base {s.base}"
                  + (f" (weighted {s.base_weighted:,.1f})" if s.base_weighted is not None else "")
                  + "".join(f"; {n}" for n in s.notes), caption_justify="left")
        cols = s.table.columns
        for c in cols:
            t.add_column(c, justify="left" if c == "label" else "right")
        for row in s.table.iter_rows():
            t.add_row(*[_fmt(v, 1 if c.startswith("percent") else 2) for c, v in zip(cols, row)])
        out.print(t)
