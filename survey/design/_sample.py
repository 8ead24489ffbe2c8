"""Drawing the next sample from a frame: simple random, systematic and PPS (systematic,
Brewer) selection, stratified with :func:`~survey.design.allocate`'s allocation, and
two-stage; seeded, with each unit's exact inclusion probability and weight.

Inclusion probabilities, as R's ``sampling`` package defines them:

* ``srs`` and ``systematic``: ``n_h / N_h`` in each stratum.
* ``pps-systematic`` and ``pps-brewer``: ``n_h x_i / X_h`` for a size ``x``, units whose
  value would pass 1 taken with certainty and the rest recomputed (R's
  ``sampling::inclusionprobabilities``).
* two-stage: the first stage's probability of the PSU (by the method, the PSU's size the
  number of its rows or the sum of ``size``) times ``min(m, M_i) / M_i`` for ``m`` units
  drawn by simple random sampling in a PSU of ``M_i``.

Selection: ``srs`` a random subset; ``systematic`` and ``pps-systematic`` one random
start on the cumulated probabilities in frame order (each unit is selected exactly
with its probability; joint probabilities depend on the order); ``pps-brewer``
Brewer's draw-by-draw method (Tille 2006, algorithm 7.3, R's ``sampling::UPbrewer``),
exact inclusion probabilities and every joint probability positive.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import polars as pl

from survey._display import html_frame
from survey.errors import DesignError

__all__ = ["DrawnSample", "SampleMethod", "draw_sample", "pps_probabilities", "select",
           "simulate_inclusion"]

SampleMethod = Literal["srs", "systematic", "pps-systematic", "pps-brewer"]
_METHODS = ("srs", "systematic", "pps-systematic", "pps-brewer")
_EPS = 1e-9


def pps_probabilities(size: np.ndarray, n: int) -> np.ndarray:
    """Inclusion probabilities proportional to ``size`` summing to ``n``; units whose
    probability would pass 1 are taken with certainty and the rest recomputed, as R's
    ``sampling::inclusionprobabilities``.

    >>> pps_probabilities(np.array([1.0, 1.0, 2.0, 8.0]), 2).tolist()
    [0.25, 0.25, 0.5, 1.0]
    """
    x = np.asarray(size, dtype=float)
    if (x < 0).any() or not np.isfinite(x).all():
        raise DesignError("size measures must be finite and non-negative", location="size")
    if n > int((x > 0).sum()):
        raise DesignError(f"cannot draw {n} units with probability proportional to size: "
                          f"only {int((x > 0).sum())} have a positive size", location="size")
    pi = np.zeros_like(x)
    sure = np.zeros(x.shape[0], dtype=bool)
    while True:
        rest = n - int(sure.sum())
        free = ~sure & (x > 0)
        pi[free] = rest * x[free] / x[free].sum() if rest > 0 else 0.0
        pi[sure] = 1.0
        over = free & (pi >= 1.0)
        if not over.any():
            return pi
        sure |= over


def select(pi: np.ndarray, method: SampleMethod, rng: np.random.Generator) -> np.ndarray:
    """Indices of one sample drawn with inclusion probabilities ``pi`` (summing to an
    integer ``n``), by ``method``."""
    N = pi.shape[0]
    n = int(round(float(pi.sum())))
    if method == "srs":
        return np.sort(rng.choice(N, size=n, replace=False))
    if method in ("systematic", "pps-systematic"):
        c = np.concatenate([[0.0], np.cumsum(pi)])
        c *= n / c[-1]  # exactly n at the end
        k = np.floor(c - rng.uniform())
        return np.flatnonzero(np.diff(k) > 0)
    if method == "pps-brewer":
        return _brewer(pi, n, rng)
    raise DesignError(f"method {method!r} is not one of {', '.join(_METHODS)}",
                      location="method")


def _brewer(pi: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Brewer's method: at draw ``i`` of ``n``, unit ``k`` not yet drawn is taken with
    probability proportional to ``pi_k (n - a - pi_k) / (n - a - pi_k (n - i + 1))``,
    ``a`` the probabilities of the units drawn so far (certainty units first)."""
    sure = pi >= 1 - _EPS
    mid = (pi > _EPS) & ~sure
    idx = np.flatnonzero(mid)
    p = pi[idx]
    m = n - int(sure.sum())
    taken = np.zeros(idx.shape[0], dtype=bool)
    a = 0.0
    for i in range(1, m + 1):
        with np.errstate(divide="ignore", invalid="ignore"):
            w = np.where(taken, 0.0, p * ((m - a) - p) / ((m - a) - p * (m - i + 1)))
        w = np.clip(w, 0.0, None)
        j = int(np.searchsorted(np.cumsum(w), rng.uniform() * w.sum(), side="right"))
        j = min(j, w.shape[0] - 1)
        taken[j] = True
        a += p[j]
    return np.sort(np.concatenate([np.flatnonzero(sure), idx[taken]]))


@dataclass(frozen=True)
class DrawnSample:
    """A drawn sample: the selected rows of the frame with their inclusion probability
    and weight, each frame unit's exact inclusion probability, and the allocation.

    ``sample`` has the frame's columns, then ``inclusion_prob`` and ``weight`` (``1 /
    inclusion_prob``); two-stage samples also ``prob_psu`` and ``prob_unit``, the two
    stages' probabilities (``survey stats ... --psu PSU --fpc prob_psu,prob_unit --pps
    brewer`` reads them back). ``rows`` are the selected rows' positions in the frame,
    ``probabilities`` every frame unit's inclusion probability, ``allocation`` one row
    per stratum (``stratum``, ``population``, ``n``, ``sum_prob``).
    """

    sample: pl.DataFrame
    rows: np.ndarray
    probabilities: np.ndarray
    allocation: pl.DataFrame
    method: str
    seed: int | None

    def to_frame(self) -> pl.DataFrame:
        """The drawn rows."""
        return self.sample

    def to_dict(self) -> dict[str, Any]:
        """Plain data: the method, the seed, the sizes and the allocation."""
        return {"method": self.method, "seed": self.seed, "n": int(self.rows.shape[0]),
                "population": int(self.probabilities.shape[0]),
                "sum_prob": float(self.probabilities.sum()),
                "strata": self.allocation.to_dicts()}

    def _repr_html_(self) -> str:
        """Jupyter: the allocation by stratum, titled with the method and sizes."""
        title = (f"{self.method} sample of {int(self.rows.shape[0])} from "
                 f"{int(self.probabilities.shape[0])}")
        return html_frame(self.allocation, title=title)


def _sizes(frame: pl.DataFrame, strata: list[Any], key: pl.Series, n: int | Mapping[str, int],
           allocation: str) -> dict[str, int]:
    from survey.design._size import allocate

    pops = key.value_counts().sort(key.name)
    population = {str(s): int(c) for s, c in pops.iter_rows()}
    if isinstance(n, Mapping):
        missing = [s for s in population if s not in {str(k) for k in n}]
        if missing:
            raise DesignError(f"no sample size for strata {missing}", location="n")
        return {str(k): int(v) for k, v in n.items()}
    if not strata:
        return {next(iter(population)): int(n)}
    table = allocate(int(n), population, method=allocation).table  # type: ignore[arg-type]
    return {str(s): int(k) for s, k in zip(table["stratum"], table["n"], strict=True)}


def draw_sample(
    frame: pl.DataFrame,
    *,
    n: int | Mapping[str, int],
    strata: str | None = None,
    method: SampleMethod = "srs",
    size: str | None = None,
    psu: str | None = None,
    n_psu: int | Mapping[str, int] | None = None,
    allocation: Literal["proportional", "equal"] = "proportional",
    seed: int | None = None,
) -> DrawnSample:
    """Draw a sample from ``frame``, seeded, with each unit's inclusion probability.

    Parameters
    ----------
    n
        Units to draw: in all (shared across ``strata`` by ``allocation``, as
        :func:`~survey.design.allocate`), or per stratum (a mapping). Two-stage (with
        ``psu``): units drawn by simple random sampling in each selected PSU.
    strata
        Stratum column: each stratum is drawn separately.
    method
        ``"srs"`` (default), ``"systematic"`` (frame order), ``"pps-systematic"`` or
        ``"pps-brewer"`` (probability proportional to ``size``); two-stage: the
        first stage's method.
    size
        Size measure column of the PPS methods (two-stage: summed over the PSU's rows;
        default the number of rows).
    psu, n_psu
        Two-stage: the PSU column and the PSUs to draw (in all, shared across strata by
        their numbers of PSUs, or per stratum).
    allocation
        ``"proportional"`` (default) or ``"equal"`` (:func:`~survey.design.allocate`).
    seed
        Seed of numpy's generator: the same seed draws the same sample.

    >>> import polars as pl
    >>> f = pl.DataFrame({"id": range(10), "g": ["a"] * 6 + ["b"] * 4})
    >>> s = draw_sample(f, n=5, strata="g", seed=1)
    >>> s.allocation["n"].to_list(), float(s.probabilities.sum())
    ([3, 2], 5.0)
    """
    if method not in _METHODS:
        raise DesignError(f"method {method!r} is not one of {', '.join(_METHODS)}",
                          location="method")
    for c in (strata, size, psu):
        if c is not None and c not in frame.columns:
            raise DesignError(f"column {c!r} is not in the frame", location=c)
    for c in (strata, psu):
        if c is not None and frame[c].null_count():
            raise DesignError(f"column {c!r} has nulls", location=c)
    if method.startswith("pps") and size is None and psu is None:
        raise DesignError(f"method {method!r} needs a size measure", location="size",
                          hint="name a size column (--size)")
    rng = np.random.default_rng(seed)
    key = (frame[strata].cast(pl.String) if strata else
           pl.Series("stratum", ["all"] * frame.height)).alias("stratum")
    if psu is not None:
        return _two_stage(frame, key, strata, n, method, size, psu, n_psu, allocation, rng, seed)
    sizes = _sizes(frame, [strata] if strata else [], key, n, allocation)
    x = frame[size].cast(pl.Float64).to_numpy() if size else None
    pi = np.zeros(frame.height)
    chosen = []
    rows_of = key.to_frame().with_row_index("i").group_by("stratum", maintain_order=True).agg("i")
    for s, idx in sorted(rows_of.iter_rows(), key=lambda r: r[0]):
        idx = np.asarray(idx, dtype=np.int64)
        nh = sizes.get(s, 0)
        if nh > idx.shape[0]:
            raise DesignError(f"stratum {s!r} has {idx.shape[0]} units, fewer than {nh}",
                              location="n")
        p = (pps_probabilities(x[idx], nh) if x is not None and method.startswith("pps")
             else np.full(idx.shape[0], nh / idx.shape[0]))
        pi[idx] = p
        chosen.append(idx[select(p, method, rng)] if nh else idx[:0])
    rows = np.sort(np.concatenate(chosen))
    sample = frame[rows].with_columns(pl.Series("inclusion_prob", pi[rows]),
                                      pl.Series("weight", 1.0 / pi[rows]))
    return DrawnSample(sample, rows, pi, _allocation(key, pi, rows), method, seed)


def _allocation(key: pl.Series, pi: np.ndarray, rows: np.ndarray) -> pl.DataFrame:
    chosen = np.zeros(pi.shape[0], dtype=np.int64)
    chosen[rows] = 1
    return (pl.DataFrame({"stratum": key, "p": pi, "c": chosen}).group_by("stratum")
            .agg(pl.len().alias("population"), pl.col("c").sum().alias("n"),
                 pl.col("p").sum().alias("sum_prob"), pl.col("p").min().alias("min_prob"),
                 pl.col("p").max().alias("max_prob"))
            .sort("stratum"))


def _two_stage(frame: pl.DataFrame, key: pl.Series, strata: str | None, n: Any, method: str,
               size: str | None, psu: str, n_psu: Any, allocation: str,
               rng: np.random.Generator, seed: int | None) -> DrawnSample:
    if n_psu is None:
        raise DesignError("a two-stage sample needs the number of PSUs to draw", location="n_psu",
                          hint="give n_psu (--n-psu)")
    if isinstance(n, Mapping):
        raise DesignError("two-stage: n is the units drawn in each PSU, one number",
                          location="n")
    m = int(n)
    units = pl.DataFrame({"stratum": key, "psu": frame[psu],
                          "x": frame[size].cast(pl.Float64) if size else pl.Series([1.0] * frame.height)})
    psus = (units.with_row_index("i").group_by(["stratum", "psu"], maintain_order=True)
            .agg(pl.len().alias("M"), pl.col("x").sum(), pl.col("i")).sort(["stratum", "psu"]))
    if psus.select(pl.col("psu").n_unique()).item() < psus.height:
        raise DesignError(f"PSU column {psu!r} has PSUs in more than one stratum", location=psu)
    psu_key = psus["stratum"]
    sizes = _sizes(psus, [strata] if strata else [], psu_key, n_psu, allocation)
    p1 = np.zeros(psus.height)
    chosen = []
    for s in sorted(set(psu_key.to_list())):
        idx = np.flatnonzero((psu_key == s).to_numpy())
        k = sizes.get(s, 0)
        if k > idx.shape[0]:
            raise DesignError(f"stratum {s!r} has {idx.shape[0]} PSUs, fewer than {k}",
                              location="n_psu")
        p = (pps_probabilities(psus["x"].to_numpy()[idx], k) if method.startswith("pps")
             else np.full(idx.shape[0], k / idx.shape[0]))
        p1[idx] = p
        chosen.append(idx[select(p, method, rng)] if k else idx[:0])  # type: ignore[arg-type]
    M = psus["M"].to_numpy()
    p2 = np.minimum(m, M) / M
    pi = np.zeros(frame.height)
    prob_psu = np.zeros(frame.height)
    prob_unit = np.zeros(frame.height)
    members = psus["i"].to_list()
    for j in range(psus.height):
        r = np.asarray(members[j], dtype=np.int64)
        pi[r], prob_psu[r], prob_unit[r] = p1[j] * p2[j], p1[j], p2[j]
    rows = []
    for j in np.sort(np.concatenate(chosen)):
        r = np.asarray(members[j], dtype=np.int64)
        rows.append(r[np.sort(rng.choice(r.shape[0], size=min(m, r.shape[0]), replace=False))])
    sel = np.sort(np.concatenate(rows)) if rows else np.zeros(0, dtype=np.int64)
    sample = frame[sel].with_columns(pl.Series("prob_psu", prob_psu[sel]),
                                     pl.Series("prob_unit", prob_unit[sel]),
                                     pl.Series("inclusion_prob", pi[sel]),
                                     pl.Series("weight", 1.0 / pi[sel]))
    return DrawnSample(sample, sel, pi, _allocation(key, pi, sel), method, seed)


def simulate_inclusion(frame: pl.DataFrame, *, replicates: int, seed: int | None = None,
                       **draw: Any) -> pl.DataFrame:
    """Check the inclusion probabilities by simulation: draw ``replicates`` samples
    (``draw_sample(frame, **draw)``, seeds from one generator seeded ``seed``, so the
    check is reproducible) and count each unit's selections.

    Returns one row per frame unit: ``inclusion_prob`` (exact), ``frequency`` (share of
    the samples holding it) and ``z``, the difference in Monte Carlo standard errors
    ``sqrt(pi (1 - pi) / replicates)`` (0 for certainty and zero-probability units).
    """
    if replicates < 1:
        raise DesignError("replicates must be at least 1", location="replicates")
    seeds = np.random.default_rng(seed).integers(0, 2**63 - 1, size=replicates)
    counts = np.zeros(frame.height)
    pi = np.zeros(frame.height)
    for s in seeds:
        d = draw_sample(frame, seed=int(s), **draw)
        counts[d.rows] += 1
        pi = d.probabilities
    freq = counts / replicates
    se = np.sqrt(pi * (1 - pi) / replicates)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, (freq - pi) / se, 0.0)
    return pl.DataFrame({"inclusion_prob": pi, "frequency": freq, "z": z})
