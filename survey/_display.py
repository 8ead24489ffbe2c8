"""How results look: numbers formatted as the command line prints them, and HTML tables
for Jupyter (each result's ``_repr_html_``).

Every layer's results use these, so a proportion reads ``61.5%`` and an interval
``54.5% to 68.0%`` in the terminal, in a notebook and in the report alike.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

__all__ = ["format_number", "html_table", "p_text"]

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
