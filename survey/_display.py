"""How results look: numbers formatted as the command line prints them, and HTML tables
for Jupyter (each result's ``_repr_html_``).

Every layer's results use these, so a proportion reads ``61.5%`` and an interval
``54.5% to 68.0%`` in the terminal, in a notebook and in the report alike.
"""

from __future__ import annotations

import html
import math
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

__all__ = ["format_number", "html_frame", "html_table", "p_text"]

_STYLE = ("<style>.survey-result caption{caption-side:bottom;text-align:left;color:#555;"
          "font-size:0.85em;padding-top:4px}.survey-result td.num,.survey-result th.num"
          "{text-align:right;font-variant-numeric:tabular-nums}.survey-result .title"
          "{caption-side:top;font-weight:bold;color:inherit;font-size:1em}</style>")


def format_number(value: float | int | None, pct: bool = False) -> str:
    """A statistic as the tables show it: ``61.5%`` for a share, four significant digits
    below 1, four decimals (trailing zeros dropped) below 1,000, thousands separators
    above; ``NA`` when missing or not finite.

    >>> [format_number(v) for v in (0.034494, 12.5, 652.8200, 6547.06, None)]
    ['0.03449', '12.5', '652.82', '6,547.1', 'NA']
    >>> format_number(0.615, pct=True)
    '61.5%'
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "NA"
    v = float(value)
    if pct:
        return f"{v * 100:.1f}%"
    a = abs(v)
    if a >= 1000:
        return f"{v:,.1f}"
    return f"{v:.4g}" if a < 1 else f"{v:.4f}".rstrip("0").rstrip(".")


def p_text(value: float | None) -> str:
    """A p-value as a table shows it: three decimals, ``<0.001``, or ``NA``.

    >>> [p_text(v) for v in (0.01834, 0.0002, None)]
    ['0.018', '<0.001', 'NA']
    """
    if value is None or not math.isfinite(value):
        return "NA"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def html_table(headers: Sequence[str], rows: Sequence[Sequence[object]], *,
               title: str | None = None, caption: str | None = None,
               numeric: Sequence[bool] | None = None) -> str:
    """An HTML table (escaped text; numeric columns right-aligned), title above and
    caption below, as Jupyter shows a result.

    >>> print(html_table(["a"], [["<b>"]]).count("&lt;b&gt;"))
    1
    """
    numeric = list(numeric) if numeric is not None else [False] * len(headers)

    def cls(j: int) -> str:
        return ' class="num"' if j < len(numeric) and numeric[j] else ""

    out = [_STYLE, '<table class="survey-result">']
    if title:
        out.append(f'<caption class="title">{html.escape(title)}</caption>')
    out.append("<thead><tr>" + "".join(f"<th{cls(j)}>{html.escape(str(h))}</th>"
                                        for j, h in enumerate(headers)) + "</tr></thead>")
    out.append("<tbody>")
    for r in rows:
        out.append("<tr>" + "".join(f"<td{cls(j)}>{html.escape('' if v is None else str(v))}</td>"
                                    for j, v in enumerate(r)) + "</tr>")
    out.append("</tbody></table>")
    if caption:
        out.append(f'<p class="survey-caption" style="color:#555;font-size:0.85em">{html.escape(caption)}</p>')
    return "".join(out)


def html_frame(frame: pl.DataFrame, *, title: str | None = None, caption: str | None = None,
               pct: Collection[str] = (), max_rows: int = 40) -> str:
    """A result's frame as :func:`html_table` shows it: numbers through
    :func:`format_number` (the ``pct`` columns as percentages, ``p_value`` through
    :func:`p_text`), whole numbers as they are, text escaped; past ``max_rows`` rows the
    first and last halves, the caption saying how many rows the frame has.

    >>> import polars as pl
    >>> "61.5%" in html_frame(pl.DataFrame({"share": [0.615]}), pct=["share"])
    True
    """
    numeric = [frame.schema[c].is_numeric() for c in frame.columns]
    floats = {c for c in frame.columns if frame.schema[c].is_float()}

    def cell(c: str, v: object) -> object:
        if c == "p_value":
            return p_text(None if v is None else float(v))  # type: ignore[arg-type]
        if c in floats or (c in pct and v is not None):
            return format_number(v, c in pct)  # type: ignore[arg-type]
        return "NA" if v is None and numeric[frame.columns.index(c)] else v

    shown = frame
    if frame.height > max_rows:
        half = max_rows // 2
        shown = frame.head(max_rows - half).vstack(frame.tail(half))
        more = f"{max_rows} of {frame.height} rows shown (to_frame() has them all)"
        caption = f"{caption}; {more}" if caption else more
    rows = [[cell(c, v) for c, v in zip(frame.columns, r, strict=True)]
            for r in shown.iter_rows()]
    return html_table(frame.columns, rows, title=title, caption=caption, numeric=numeric)
