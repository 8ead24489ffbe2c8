"""Result records: small, frozen, one vocabulary from Python to JSON to spreadsheet."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from survey._display import format_number, html_table, p_text

__all__ = ["Estimates", "TestResult", "sort_rows"]

STAT_COLUMNS = ("estimate", "std_error", "conf_low", "conf_high", "cv", "n", "df", "deff",
                "deft")


@dataclass(frozen=True, eq=False)
class Estimates:
    """Estimates of one statistic, one row per variable, category and domain.

    Attributes
    ----------
    statistic
        ``mean``, ``total``, ``ratio``, ``proportion``, ``multiple_choice``, ``contrast``
        or ``quantile``.
    table
        A polars frame: the ``by`` columns, ``variable``, ``category`` (proportions;
        null otherwise; quantiles have ``quantile``, the probability, instead), ``estimate``, ``std_error``, ``conf_low``, ``conf_high``,
        ``cv``, ``n`` (unweighted respondents), ``df`` (design degrees of freedom)
        and ``deff``/``deft`` when asked for.
    vcov
        Covariance matrix of the estimates, in table order (domains included), so
        differences between rows (:func:`~survey.estimators.contrast`) use it.
    level
        Confidence level of the intervals.
    by
        The grouping columns.
    method
        How the intervals were made (``wald``, ``wald-t``, ``logit``, ...).
    replicates
        Replicate estimates ``(R, rows)`` under replicate weights, else None.
    design
        The design in words (strata, clusters, weights, variance method), for captions.
    """

    statistic: str
    table: pl.DataFrame
    vcov: np.ndarray = field(repr=False)
    level: float = 0.95
    by: tuple[str, ...] = ()
    method: str = "wald"
    replicates: np.ndarray | None = field(default=None, repr=False)
    design: str = ""

    def to_frame(self) -> pl.DataFrame:
        """The estimates as a polars DataFrame."""
        return self.table

    def _repr_html_(self) -> str:
        """Jupyter: the table as ``survey stats`` prints it, the design in the caption."""
        t = self.table
        pct = self.statistic in ("proportion", "multiple_choice")
        by = [c for c in self.by if c in t.columns]
        show_cat = "category" in t.columns and t["category"].null_count() < t.height
        labels = [*by, "variable", *(["category"] if show_cat else [])]
        extra = [c for c in ("n", "deff", "p_value") if c in t.columns]
        level = f"{self.level * 100:g}%"
        heads = [*labels, "estimate", "std_error", f"{level} CI", *extra]
        rows = []
        for rec in t.iter_rows(named=True):
            cells = [rec[c] for c in labels]
            cells += [format_number(rec["estimate"], pct), format_number(rec["std_error"], pct),
                      f"{format_number(rec['conf_low'], pct)} to {format_number(rec['conf_high'], pct)}"]
            cells += [rec[c] if c == "n" else p_text(rec[c]) if c == "p_value"
                      else format_number(rec[c]) for c in extra]
            rows.append(cells)
        df = t["df"].drop_nulls() if "df" in t.columns else pl.Series([], dtype=pl.Float64)
        parts = [f"design: {self.design}" if self.design else None,
                 f"{self.method} {level} intervals",
                 f"design df {format_number(float(df[0]))}" if df.len() and df.n_unique() == 1 else None]
        return html_table(heads, rows, title=f"{self.statistic}",
                          caption="; ".join(p for p in parts if p),
                          numeric=[h not in labels for h in heads])

    def to_dict(self) -> dict[str, Any]:
        """Plain data: one object per estimate, grouping values under ``by``."""
        rows = []
        for rec in self.table.iter_rows(named=True):
            by = {c: rec.pop(c) for c in self.by}
            head = {"variable": rec.pop("variable")}
            for key in ("category", "quantile"):  # a quantile's probability, not a category
                if key in rec:
                    head[key] = rec.pop(key)
            rows.append({**head, "by": by, **rec})
        return {"statistic": self.statistic, "level": self.level, "method": self.method,
                "estimates": rows}

    def __len__(self) -> int:
        return self.table.height

    def _col(self, name: str) -> np.ndarray:
        return self.table[name].to_numpy()

    @property
    def estimate(self) -> np.ndarray:
        """Point estimates, in table order."""
        return self._col("estimate")

    @property
    def std_error(self) -> np.ndarray:
        """Standard errors."""
        return self._col("std_error")

    @property
    def conf_low(self) -> np.ndarray:
        """Lower interval ends."""
        return self._col("conf_low")

    @property
    def conf_high(self) -> np.ndarray:
        """Upper interval ends."""
        return self._col("conf_high")

    def find(self, **keys: object) -> int:
        """Row index of the estimate matching every ``column=value`` given."""
        mask = pl.lit(True)
        for k, v in keys.items():
            mask = mask & (pl.col(k) == v)
        idx = self.table.with_row_index("__i").filter(mask)["__i"].to_list()
        if len(idx) != 1:
            raise KeyError(f"{len(idx)} rows match {keys}")
        return int(idx[0])


@dataclass(frozen=True)
class TestResult:
    """A design-based test (Rao-Scott): statistic, degrees of freedom and p-value.

    ``df`` is ``(ndf, ddf)`` for an F statistic and ``(df,)`` for a chi-square.
    """

    __test__ = False  # not a pytest class

    method: str
    statistic: float
    df: tuple[float, ...]
    p_value: float
    pearson: float = float("nan")

    def to_dict(self) -> dict[str, Any]:
        """Plain data."""
        return {"method": self.method, "statistic": self.statistic, "df": list(self.df),
                "p_value": self.p_value, "pearson": self.pearson}

    def _repr_html_(self) -> str:
        """Jupyter: one row, as ``survey stats chisq`` prints it."""
        return html_table(["test", "statistic", "df", "p_value"],
                          [[self.method, format_number(self.statistic),
                            ", ".join(format_number(d) for d in self.df), p_text(self.p_value)]],
                          numeric=[False, True, True, True])

    def to_frame(self) -> pl.DataFrame:
        """One-row polars frame."""
        d = self.to_dict()
        d["df"] = [list(self.df)]
        return pl.DataFrame({k: [v] if k != "df" else v for k, v in d.items()})


def sort_rows(table: pl.DataFrame, vcov: np.ndarray, replicates: np.ndarray | None,
              groups: Sequence[str], sort: str) -> tuple[pl.DataFrame, np.ndarray, np.ndarray | None]:
    """Rows ordered by ``estimate`` (``"descending"``/``"ascending"``) within each group of
    ``groups`` columns (domains, variable), groups kept in their order; ``vcov`` and the
    replicate columns follow the rows.  ``"none"`` returns them unchanged."""
    if sort == "none" or table.height < 2:
        return table, vcov, replicates
    if sort not in ("descending", "ascending"):
        raise ValueError(f"sort must be 'none', 'descending' or 'ascending', got {sort!r}")
    keys = [g for g in groups if g in table.columns]
    t = table.with_row_index("__i")
    if keys:
        t = t.with_columns(pl.col("__i").min().over(keys).alias("__g"))
    else:
        t = t.with_columns(pl.lit(0, dtype=pl.UInt32).alias("__g"))
    t = t.sort(["__g", "estimate"], descending=[False, sort == "descending"], maintain_order=True,
               nulls_last=True)
    idx = t["__i"].to_numpy()
    reps = None if replicates is None else replicates[:, idx]
    return t.drop("__i", "__g"), vcov[np.ix_(idx, idx)], reps
