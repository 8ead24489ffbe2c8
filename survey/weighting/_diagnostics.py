"""Weighting diagnostics: spread of the weights, Kish's design effect, margins met."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from survey._display import format_number, html_frame, html_table
from survey.design import SurveyFrame
from survey.design._frame import W
from survey.weighting._adjust import MarginsLike, as_margins
from survey.weighting._margins import Margins, match

__all__ = ["WeightDiagnostics", "weight_diagnostics"]

_MARGIN_SCHEMA = {"margin": pl.String, "category": pl.String, "n": pl.Int64,
                  "target": pl.Float64, "initial": pl.Float64, "achieved": pl.Float64,
                  "difference": pl.Float64, "relative_difference": pl.Float64}


@dataclass(frozen=True)
class WeightDiagnostics:
    """How far weighting moved the weights, and whether the margins are met.

    Attributes
    ----------
    n
        Respondents (rows).
    total, mean, min, max
        Sum, mean and extremes of the weights.
    ratio
        ``max / min`` (infinite when some weight is 0).
    cv
        Coefficient of variation of the weights (divisor ``n``).
    kish_deff
        Kish's design effect due to unequal weights, ``n sum w^2 / (sum w)^2 = 1 + cv^2``:
        the variance inflation of a mean when the weights are unrelated to the outcome.
    n_effective
        ``n / kish_deff = (sum w)^2 / sum w^2``.
    margins
        One row per margin category: ``n`` respondents, ``target`` population,
        ``initial`` weighted count before weighting, ``achieved`` after,
        ``difference`` (achieved - target) and ``relative_difference``.
    method
        The weighting steps applied, in order (empty when unweighted).
    nonresponse
        One row per class of a nonresponse adjustment (:func:`adjust_nonresponse`):
        ``step`` (``unknown`` eligibility or ``nonresponse``), ``class``, the cases of
        each disposition and the adjustment ``factor``.
    """

    n: int
    total: float
    mean: float
    min: float
    max: float
    ratio: float
    cv: float
    kish_deff: float
    n_effective: float
    margins: pl.DataFrame = field(repr=False)
    method: tuple[str, ...] = ()
    nonresponse: tuple[dict[str, Any], ...] = ()

    def to_frame(self) -> pl.DataFrame:
        """The margins table (targets against achieved weighted counts)."""
        return self.margins

    def to_dict(self) -> dict[str, Any]:
        """Plain data: the summary numbers and ``margins`` as a list of rows."""
        d = {k: getattr(self, k) for k in ("n", "total", "mean", "min", "max", "ratio", "cv",
                                           "kish_deff", "n_effective")}
        return {**d, "method": list(self.method), "margins": self.margins.to_dicts(),
                **({"nonresponse": list(self.nonresponse)} if self.nonresponse else {})}

    def summary(self) -> str:
        """A short plain-text report."""
        lines = [
            f"weighting: {' -> '.join(self.method) or 'none'}",
            f"respondents {self.n}, weight total {self.total:,.4g}",
            f"weights: min {self.min:.4g}, max {self.max:.4g}, ratio {self.ratio:.3g}, "
            f"cv {self.cv:.3f}",
            f"Kish design effect {self.kish_deff:.3f}, effective sample size "
            f"{self.n_effective:.1f}",
        ]
        for step in ("unknown", "nonresponse"):
            rows = [r for r in self.nonresponse if r["step"] == step]
            if rows:
                f = [r["factor"] for r in rows]
                what = "unknown eligibility" if step == "unknown" else "nonresponse"
                lines.append(f"{what} adjustment: {len(rows)} classes, factors "
                             f"{min(f):.4g} to {max(f):.4g}")
        if self.margins.height:
            worst = float(self.margins["difference"].abs().max())  # type: ignore[arg-type]
            lines.append(f"margins: {self.margins.height} categories, largest gap to target "
                         f"{worst:.3g}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        """Jupyter: the spread of the weights, then the margins against their targets."""
        heads = ["n", "total", "mean", "min", "max", "ratio", "cv", "kish_deff", "n_effective"]
        head = html_table(heads, [[self.n, *(format_number(getattr(self, k)) for k in heads[1:])]],
                          title="Weights", numeric=[True] * len(heads),
                          caption=f"weighting: {' -> '.join(self.method) or 'none'}")
        if not self.margins.height:
            return head
        return head + html_frame(self.margins, pct=["relative_difference"],
                                 title="Margins: target against achieved")


def weight_diagnostics(sf: SurveyFrame, margins: MarginsLike | None = None) -> WeightDiagnostics:
    """Diagnostics of a design's weights, and the margins against their targets.

    ``margins`` defaults to those of the last weighting step the design carries
    (:func:`rake`, :func:`poststratify`, :func:`calibrate`); ``initial`` counts
    use the weights before the first step.

    >>> import polars as pl
    >>> from survey.design import svydesign
    >>> sf = svydesign(pl.DataFrame({"g": ["a", "a", "b"]}))
    >>> from survey.weighting import poststratify
    >>> d = weight_diagnostics(poststratify(sf, {"g": {"a": 10, "b": 30}}))
    >>> round(d.kish_deff, 4), d.margins["achieved"].to_list()
    (1.7812, [10.0, 30.0])
    """
    w = sf._data[W].to_numpy().astype(float)
    n = w.shape[0]
    total = float(w.sum())
    sq = float((w * w).sum())
    deff = n * sq / total**2 if total else float("nan")
    history = getattr(sf.calibration, "history", ())
    ms: Margins | None = as_margins(margins) if margins is not None else None
    if ms is None:
        for h in reversed(history):
            if "margins" in h:
                ms = Margins.from_rows(h["margins"])
                break
    # weights before the first step on these rows (a nonresponse step dropped others)
    start = max((i for i, h in enumerate(history) if h["method"] == "nonresponse"), default=0)
    initial = history[start].get("initial") if history else None
    nonresponse = tuple({"step": step, **row} for h in history if h["method"] == "nonresponse"
                        for step in ("unknown", "nonresponse")
                        for row in h[f"{step}_classes"])
    rows: list[dict[str, Any]] = []
    if ms is not None:
        ms = Margins(ms.margins, ())  # numeric totals are reported by calibrate's misfit
        for m in match(sf, ms, partial=True) if ms.margins else []:
            got = np.bincount(m.codes, w, minlength=m.population.shape[0])
            before = (np.bincount(m.codes, initial, minlength=m.population.shape[0])
                      if initial is not None else np.full_like(got, np.nan))
            for lab, c, t, b, a in zip(m.labels, m.counts, m.population, before, got,
                                       strict=True):
                rows.append({"margin": m.margin.name, "category": lab, "n": int(c),
                             "target": float(t), "initial": float(b), "achieved": float(a),
                             "difference": float(a - t),
                             "relative_difference": float((a - t) / t) if t else float("nan")})
    wmin, wmax = (float(w.min()), float(w.max())) if n else (float("nan"),) * 2
    return WeightDiagnostics(
        n=n, total=total, mean=total / n if n else float("nan"), min=wmin, max=wmax,
        ratio=wmax / wmin if wmin > 0 else float("inf"),
        cv=float(np.sqrt(max(deff - 1.0, 0.0))), kish_deff=deff,
        n_effective=total**2 / sq if sq else float("nan"),
        margins=pl.DataFrame(rows, schema=_MARGIN_SCHEMA),
        method=tuple(str(h["method"]) for h in history), nonresponse=nonresponse)
