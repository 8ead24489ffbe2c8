"""Forest plot of odds ratios or ratios (matplotlib, imported only when a plot is asked for)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import re

import numpy as np

from survey.errors import ModelError

if TYPE_CHECKING:
    from survey.models._results import ModelResult

__all__ = ["forest_plot"]


def label(term: str) -> str:
    """A readable coefficient name: ``C(g, Treatment('b'))[T.a]`` -> ``g: a``."""
    parts = []
    for part in re.split(r":(?![^()]*\))", term):
        m = re.fullmatch(r"C\((\w+).*\)\[T\.(.+)\]", part) or re.fullmatch(
            r"(\w+)\[T\.(.+)\]", part)
        parts.append(f"{m.group(1)}: {m.group(2)}" if m else re.sub(r"^Q\('(.+)'\)$", r"\1", part))
    return " x ".join(parts)


def forest_plot(result: ModelResult, path: str, *, title: str | None = None,
                include_cutpoints: bool = False) -> str:
    """Odds ratios (logit link) or ratios (log link) with their intervals on a log axis,
    written to ``path`` (png, pdf, svg).

    The intercept (and the cut points of an ordinal model) are left out: they are
    not effects. Needs matplotlib (``pip install survey[plot]``); uses the Agg
    backend, so no display is needed.
    """
    what = {"logit": "odds ratio", "log": "ratio"}.get(result.link)
    if what is None:
        raise ModelError("a forest plot shows odds ratios (logit link) or ratios (log link); "
                         f"this model's link is {result.link}", location="link",
                         hint="drop --forest-plot, or fit with --link log")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - matplotlib is an optional extra
        raise ModelError("the forest plot needs matplotlib", hint="pip install matplotlib") from exc
    t = result.terms
    skip = {"Intercept"} | (set() if include_cutpoints else set(result.cutpoints))
    rows = [r for r in t.iter_rows(named=True) if r["term"] not in skip]
    if not rows:
        raise ModelError("the model has no effects to plot")
    labels = [label(r["term"]) for r in rows][::-1]
    est = np.exp([r["estimate"] for r in rows][::-1])
    lo = np.exp([r["conf_low"] for r in rows][::-1])
    hi = np.exp([r["conf_high"] for r in rows][::-1])
    y = np.arange(len(rows))
    fig, ax = plt.subplots(figsize=(8, 0.4 * len(rows) + 1.2))
    ax.errorbar(est, y, xerr=[est - lo, hi - est], fmt="o", color="black", capsize=3)
    ax.axvline(1.0, color="grey", linestyle="--", linewidth=1)
    ax.set_xscale("log")
    ax.set_yticks(y, labels)
    ax.set_xlabel(f"{what} ({round(result.level * 100)}% interval, log scale)")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
