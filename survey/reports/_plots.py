"""Plots as PNG bytes: estimates with interval bars, odds ratios on a log axis.

Rendering only: every number drawn comes from a table computed elsewhere. matplotlib
(the ``plot`` extra) is imported on first use with the Agg backend, so no display is
needed. The PNGs are deterministic: fixed size and dpi, no timestamp or software
metadata, a fixed hash salt.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from typing import Any

import numpy as np

from survey.errors import ReportError

__all__ = ["boxplot_png", "ecdf_png", "forest_png", "histogram_png", "interval_bars_png"]

_PALETTE = ("#1f4e79", "#c55a11", "#548235", "#7f6000", "#7030a0", "#404040")
_RATIO_TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100)


def _title(ax: Any, title: str | None) -> None:
    if title:
        ax.set_title("\n".join(textwrap.wrap(title, 52)), loc="left", fontsize=11)


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - matplotlib is an optional extra
        raise ReportError("plots need matplotlib", hint="pip install 'survey[plot]'") from exc
    matplotlib.rcParams["svg.hashsalt"] = "survey"
    matplotlib.rcParams["font.family"] = "DejaVu Sans"
    return plt


def _png(fig: Any) -> bytes:
    plt = _pyplot()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def interval_bars_png(labels: Sequence[str], series: Sequence[str],
                      estimate: np.ndarray, low: np.ndarray, high: np.ndarray, *,
                      title: str | None = None, xlabel: str = "percent",
                      percent: bool = True) -> bytes:
    """Horizontal bars with interval whiskers: one group per label, one bar per series.

    ``estimate``, ``low`` and ``high`` are ``(len(labels), len(series))`` arrays (NaN
    where a bar is missing). Labels read top to bottom in the order given.
    """
    plt = _pyplot()
    est = np.asarray(estimate, dtype=float)
    lo, hi = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
    scale = 100.0 if percent else 1.0
    n, k = est.shape
    height = 0.8 / k
    fig, ax = plt.subplots(figsize=(8, 0.32 * n * max(k, 1.5) + 1.4))
    y = np.arange(n)[::-1].astype(float)
    for j, name in enumerate(series):
        yy = y + (k - 1) / 2 * height - j * height
        e = est[:, j] * scale
        ax.barh(yy, np.nan_to_num(e), height=height * 0.9, color=_PALETTE[j % len(_PALETTE)],
                alpha=0.85, label=name if k > 1 else None)
        err = np.vstack([e - lo[:, j] * scale, hi[:, j] * scale - e])
        ax.errorbar(e, yy, xerr=np.nan_to_num(err), fmt="none", ecolor="black",
                    elinewidth=1, capsize=2.5)
    ax.set_yticks(y, list(labels))
    ax.set_xlabel(xlabel)
    ax.set_xlim(left=0)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    _title(ax, title)
    if k > 1:
        ax.legend(frameon=False, loc="lower right", fontsize=9)
    fig.tight_layout()
    return _png(fig)


def forest_png(labels: Sequence[str], ratio: np.ndarray, low: np.ndarray, high: np.ndarray, *,
               title: str | None = None, level: float = 0.95,
               xlabel: str = "odds ratio") -> bytes:
    """Odds ratios (or other ratios) with interval bars on a log axis, a dashed line at
    1; top to bottom."""
    plt = _pyplot()
    est = np.asarray(ratio, dtype=float)
    lo, hi = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
    n = len(labels)
    y = np.arange(n)[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.36 * n + 1.4))
    ax.errorbar(est, y, xerr=[est - lo, hi - est], fmt="o", color=_PALETTE[0],
                ecolor="black", elinewidth=1, capsize=3)
    ax.axvline(1.0, color="grey", linestyle="--", linewidth=1)
    ax.set_xscale("log")
    from matplotlib.ticker import FixedLocator, NullFormatter, NullLocator

    finite = np.concatenate([lo[np.isfinite(lo)], hi[np.isfinite(hi)], [1.0]])
    left, right = float(finite.min()) / 1.3, float(finite.max()) * 1.3
    ax.set_xlim(left, right)
    ticks = [t for t in _RATIO_TICKS if left <= t <= right]
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.set_yticks(y, list(labels))
    ax.set_xlabel(f"{xlabel} ({round(level * 100)}% interval, log scale)")
    ax.grid(axis="x", color="#eeeeee", linewidth=0.6)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    _title(ax, title)
    fig.tight_layout()
    return _png(fig)


def _plain_axes(ax: Any) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_axisbelow(True)


def histogram_png(breaks: np.ndarray, density: np.ndarray, *, title: str | None = None,
                  xlabel: str = "", median: float | None = None) -> bytes:
    """A weighted histogram (R's ``svyhist``): bars of ``density`` between ``breaks``,
    the design-based median as a dashed line when given."""
    plt = _pyplot()
    b, d = np.asarray(breaks, dtype=float), np.asarray(density, dtype=float)
    fig, ax = plt.subplots(figsize=(8, 3.6))
    ax.bar(b[:-1], d, width=np.diff(b), align="edge", color=_PALETTE[0], alpha=0.85,
           edgecolor="white", linewidth=0.8)
    if median is not None and np.isfinite(median):
        ax.axvline(median, color=_PALETTE[1], linestyle="--", linewidth=1.5,
                   label=f"median {median:.4g}")
        ax.legend(frameon=False, fontsize=9)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("density (weighted)")
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    _plain_axes(ax)
    _title(ax, title)
    fig.tight_layout()
    return _png(fig)


def boxplot_png(labels: Sequence[str], stats: np.ndarray, outliers: Sequence[Sequence[float]], *,
                title: str | None = None, xlabel: str = "") -> bytes:
    """Weighted box plots (R's ``svyboxplot``), one per label, top to bottom: ``stats``
    is ``(len(labels), 5)``: lower whisker, first quartile, median, third quartile,
    upper whisker; ``outliers`` the points beyond the whiskers."""
    plt = _pyplot()
    s = np.asarray(stats, dtype=float)
    boxes = [{"label": lab, "whislo": r[0], "q1": r[1], "med": r[2], "q3": r[3], "whishi": r[4],
              "fliers": list(out)} for lab, r, out in zip(labels, s, outliers, strict=True)][::-1]
    fig, ax = plt.subplots(figsize=(8, 0.55 * len(boxes) + 1.4))
    import matplotlib

    major_minor = tuple(int(x) for x in matplotlib.__version__.split(".")[:2])
    side = {"orientation": "horizontal"} if major_minor >= (3, 10) else {"vert": False}
    ax.bxp(boxes, **side, showfliers=True, patch_artist=True,
           boxprops={"facecolor": _PALETTE[0], "alpha": 0.35},
           medianprops={"color": _PALETTE[1], "linewidth": 2})
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    _plain_axes(ax)
    _title(ax, title)
    fig.tight_layout()
    return _png(fig)


def ecdf_png(series: Sequence[str], values: Sequence[np.ndarray], shares: Sequence[np.ndarray], *,
             title: str | None = None, xlabel: str = "") -> bytes:
    """Weighted empirical distribution functions (R's ``svycdf``), one step line per series."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 3.6))
    for j, (name, x, p) in enumerate(zip(series, values, shares, strict=True)):
        ax.step(np.r_[x[0], x], np.r_[0.0, p], where="post", color=_PALETTE[j % len(_PALETTE)],
                label=name if len(series) > 1 else None)
    ax.set_ylim(0, 1)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("share at or below (weighted)")
    ax.grid(color="#eeeeee", linewidth=0.6)
    _plain_axes(ax)
    if len(series) > 1:
        ax.legend(frameon=False, fontsize=9)
    _title(ax, title)
    fig.tight_layout()
    return _png(fig)
