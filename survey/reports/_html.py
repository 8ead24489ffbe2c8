"""A self-contained HTML report: inline CSS, plots as base64 PNG, no script, no network.

Rendering only: sections carry tables already computed and PNG bytes already drawn;
this module formats numbers and escapes text. The same input gives the same bytes.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import polars as pl

__all__ = ["Figure", "Section", "format_value", "render_html"]

Format = str  # "pct", "pct_diff", "pct_change", "num", "num1", "num2", "int", "p", "ratio", "text"

_CSS = """
:root { --ink: #1d1d1f; --muted: #5f6368; --rule: #d9d9de; --band: #f5f6f8; --accent: #1f4e79; }
* { box-sizing: border-box; }
body { font: 15px/1.5 -apple-system, "Segoe UI", "Noto Sans", "Noto Sans KR", "DejaVu Sans",
       Helvetica, Arial, sans-serif; color: var(--ink); margin: 0; background: #fff; }
main { max-width: 980px; margin: 0 auto; padding: 2rem 1.25rem 4rem; }
h1 { font-size: 1.7rem; margin: 0 0 .25rem; color: var(--accent); }
h2 { font-size: 1.25rem; margin: 2.5rem 0 .5rem; padding-top: .5rem; border-top: 2px solid var(--rule); }
p.lead { color: var(--muted); margin: .25rem 0 1rem; white-space: pre-line; }
p.note { color: var(--muted); font-size: .9rem; margin: .25rem 0 .75rem; }
nav ol { columns: 2; padding-left: 1.25rem; font-size: .92rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; font-size: .9rem; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; overflow-wrap: anywhere; }
ul.headline { padding-left: 1.1rem; } ul.headline li { margin: .2rem 0; }
.table-wrap { overflow-x: auto; margin: .5rem 0 1rem; }
table { border-collapse: collapse; font-size: .86rem; font-variant-numeric: tabular-nums; }
th, td { padding: .28rem .6rem; border-bottom: 1px solid var(--rule); text-align: right; white-space: nowrap; }
th { background: var(--band); font-weight: 600; position: sticky; top: 0; }
td.text, th.text { text-align: left; white-space: normal; }
tbody tr:nth-child(even) td { background: #fbfbfc; }
figure { margin: 1rem 0 1.5rem; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--rule); }
figcaption { color: var(--muted); font-size: .88rem; }
footer { margin-top: 3rem; color: var(--muted); font-size: .82rem; border-top: 1px solid var(--rule); padding-top: .75rem; }
@media print { nav { display: none; } th { position: static; } }
"""


@dataclass(frozen=True)
class Figure:
    """A plot: PNG bytes, alternative text for screen readers, and a caption."""

    png: bytes
    alt: str
    caption: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class Section:
    """One part of the report: a heading, notes, an optional table and figures.

    ``formats`` maps a column of ``table`` to how its values are shown: ``pct``
    (a proportion as a percentage, one decimal), ``pct_diff`` (signed, percentage
    points), ``num``/``num1``/``num2`` (3, 1 or 2 decimals), ``ratio`` (2 decimals),
    ``int``, ``p`` (p-value) or ``text`` (the default).
    """

    id: str
    title: str
    notes: tuple[str, ...] = ()
    table: pl.DataFrame | None = None
    formats: Mapping[str, Format] = field(default_factory=dict)
    figures: tuple[Figure, ...] = ()
    bullets: tuple[str, ...] = ()


def format_value(value: object, fmt: Format) -> str:
    """Display text of one cell (``""`` for a missing value)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if fmt == "text" or isinstance(value, str):
        return str(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    x = float(value)  # type: ignore[arg-type]
    if fmt == "pct":
        return f"{x * 100:.1f}%"
    if fmt == "pct_diff":
        return f"{x * 100:+.1f} pts"
    if fmt == "pct_change":  # a relative change: 0.25 is a rise of a quarter
        return f"{x * 100:+.1f}%"
    if fmt == "int":
        return f"{round(x):,}"
    if fmt == "p":
        return "<0.001" if x < 0.001 else f"{x:.3f}"
    if fmt == "num1":
        return f"{x:,.1f}"
    if fmt in ("num2", "ratio"):
        return f"{x:,.2f}"
    return f"{x:,.3f}"


def _table(df: pl.DataFrame, formats: Mapping[str, Format]) -> str:
    e = html.escape
    kinds = {c: formats.get(c, "text") for c in df.columns}
    head = "".join(f'<th class="text" scope="col">{e(c)}</th>' if kinds[c] == "text"
                   else f'<th scope="col">{e(c)}</th>' for c in df.columns)
    body = []
    for row in df.iter_rows():
        cells = []
        for c, v in zip(df.columns, row, strict=True):
            cls = ' class="text"' if kinds[c] == "text" else ""
            cells.append(f"<td{cls}>{e(format_value(v, kinds[c]))}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>")


def _figure(fig: Figure) -> str:
    data = base64.b64encode(fig.png).decode("ascii")
    cap = f"<figcaption>{html.escape(fig.caption)}</figcaption>" if fig.caption else ""
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(fig.alt)}">'
            f"{cap}</figure>")


def render_html(title: str, sections: Sequence[Section], *, lead: str | None = None,
                facts: Sequence[tuple[str, str]] = (), footer: str | None = None) -> str:
    """The report as one HTML document (UTF-8 text, no external resource).

    >>> doc = render_html("T", [Section("a", "A", table=pl.DataFrame({"x": [0.5]}),
    ...                                 formats={"x": "pct"})])
    >>> "50.0%" in doc and "<script" not in doc
    True
    """
    e = html.escape
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
             "img-src data:; style-src 'unsafe-inline'\">",
             f"<title>{e(title)}</title>", f"<style>{_CSS}</style>", "</head>", "<body><main>",
             f"<h1>{e(title)}</h1>"]
    if lead:
        parts.append(f'<p class="lead">{e(lead.strip())}</p>')
    if facts:
        parts.append('<dl class="facts">' + "".join(
            f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in facts) + "</dl>")
    if len(sections) > 1:
        parts.append("<nav><ol>" + "".join(
            f'<li><a href="#{e(s.id)}">{e(s.title)}</a></li>' for s in sections) + "</ol></nav>")
    for s in sections:
        parts.append(f'<section id="{e(s.id)}"><h2>{e(s.title)}</h2>')
        parts += [f'<p class="note">{e(n)}</p>' for n in s.notes]
        if s.bullets:
            parts.append('<ul class="headline">' + "".join(f"<li>{e(b)}</li>" for b in s.bullets)
                         + "</ul>")
        parts += [_figure(f) for f in s.figures]
        if s.table is not None:
            parts.append(_table(s.table, s.formats))
        parts.append("</section>")
    if footer:
        parts.append(f"<footer>{e(footer)}</footer>")
    parts += ["</main></body>", "</html>", ""]
    return "\n".join(parts)
