"""Crosstabs as Markdown (one pipe table per question) and CSV (one tidy file)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from survey.errors import ReportError
from survey.reports._layout import DisplayRow, layout
from survey.reports._safe import csv_text, markdown_text
from survey.tables import CrosstabSet

__all__ = ["to_csv", "to_markdown", "write_csv", "write_markdown"]


def _fmt(v: float | str, fmt: str) -> str:
    if isinstance(v, str):
        return v
    if fmt == "pct":
        return f"{v:.0%}"
    if fmt == "int":
        return f"{v:,.0f}"
    return f"{v:.2f}"


def to_markdown(tables: CrosstabSet) -> str:
    """Every table as a Markdown section: title, base, pipe table, notes.

    Letters follow the value in the same cell (``34% b``); the xlsx keeps them apart.
    """
    out = [f"# {markdown_text(tables.title)}", ""]
    out += [f"- {markdown_text(k)}: {markdown_text(v)}" for k, v in tables.meta]
    out += [""] + [f"- {markdown_text(n)}" for n in tables.notes] + [""]
    for i, t in enumerate(tables.tables, start=1):
        lay = layout(t)
        out.append(f"## Table {i}: {markdown_text(lay.title)}")
        out.append("")
        out.append(markdown_text(lay.subtitle))
        out.append("")
        heads = [markdown_text(g if g == lab else f"{g}: {lab}") + (f" {le}" if le else "")
                 for g, lab, le in zip(lay.groups, lay.labels, lay.letters, strict=True)]
        out.append("| | " + " | ".join(heads) + " |")
        out.append("|---|" + "---:|" * len(heads))
        for row in lay.rows:
            out.append(_md_row(row, len(heads)))
        out.append("")
        out += [f"- {markdown_text(n)}" for n in lay.notes]
        out.append("")
    return "\n".join(out)


def _md_row(row: DisplayRow, k: int) -> str:
    if row.fmt == "section":
        return f"| *{markdown_text(row.label)}* |" + " |" * k
    cells = [(_fmt(v, row.fmt) + (f" {s}" if s else "")) for v, s in
             zip(row.values, row.sig, strict=True)]
    label = markdown_text(row.label.strip())
    if row.label.startswith("  "):
        label = "&nbsp;&nbsp;" + label
    return f"| {label} | " + " | ".join(markdown_text(c) for c in cells) + " |"


def write_markdown(tables: CrosstabSet, path: str | Path) -> Path:
    """Write :func:`to_markdown` to ``path`` (UTF-8)."""
    target = Path(path)
    try:
        target.write_text(to_markdown(tables), encoding="utf-8")
    except OSError as exc:
        raise ReportError(f"cannot write {target}: {exc}", location=str(target)) from exc
    return target


CSV_HEADER = ("table", "question", "title", "row", "row_label", "statistic", "group",
              "column", "letter", "value", "sig", "marker")


def to_csv(tables: CrosstabSet) -> str:
    """All tables as one tidy CSV: a line per displayed number (question, stub row,
    statistic, banner column), the value numeric (proportions for percentages), the
    letters apart, and ``[c]`` / ``[z]`` markers with an empty value. Text fields are
    quoted and any that a spreadsheet could take for a formula get a leading
    apostrophe (OWASP)."""
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
    w.writerow(CSV_HEADER)
    for i, t in enumerate(tables.tables, start=1):
        lay = layout(t)
        keys = [c.key for c in t.columns]
        letters = [c.letter or "" for c in t.columns]
        row_keys = iter(r.key for r in t.rows)
        key = ""
        for row in lay.rows:
            if row.fmt == "section":
                continue
            if not row.label.startswith("  "):
                key = next(row_keys)
            stat = {"pct": "proportion", "int": "count", "dec2": row.kind}[row.fmt]
            if row.label.startswith("  "):
                stat = row.label.strip()
            for c, (v, s) in enumerate(zip(row.values, row.sig, strict=True)):
                num, marker = (None, v) if isinstance(v, str) else (v, "")
                w.writerow([i, csv_text(t.question), csv_text(t.title), csv_text(key),
                            csv_text(row.label.strip()), stat, csv_text(lay.groups[c]),
                            csv_text(keys[c]), letters[c], "" if num is None else num,
                            s, marker])
    return buf.getvalue()


def write_csv(tables: CrosstabSet, path: str | Path) -> Path:
    """Write :func:`to_csv` to ``path`` (UTF-8 with BOM, so Excel reads Korean text)."""
    target = Path(path)
    try:
        target.write_text("\ufeff" + to_csv(tables), encoding="utf-8", newline="")
    except OSError as exc:
        raise ReportError(f"cannot write {target}: {exc}", location=str(target)) from exc
    return target
