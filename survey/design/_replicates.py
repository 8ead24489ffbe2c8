"""Replicate weights created from a design, as R's ``as.svrepdesign``.

Weights are kept compressed, as R does: one row of multipliers per PSU, so a
million-row frame with 1,000 PSUs needs a 1,000 x R matrix, not a million.
"""

from __future__ import annotations

import warnings
from typing import Literal

import numpy as np
import polars as pl

from survey.design._design import ReplicateDesign
from survey.design._frame import PSU, SurveyFrame
from survey.design._repweights import _Replicates, gram_rank, weights_rank
from survey.errors import ChangedNameWarning, DesignError

__all__ = ["as_replicate", "hadamard", "subset_df"]

CreateType = Literal["auto", "JK1", "JKn", "BRR", "Fay", "bootstrap", "subbootstrap",
                     "mrbbootstrap"]
_BOOTSTRAPS = ("bootstrap", "subbootstrap", "mrbbootstrap")


def subset_df(sf: SurveyFrame, psus: np.ndarray) -> int:
    """R's ``degf`` of a replicate design subset to the rows of ``psus``, as R's
    ``subset()`` recomputes it: the rank (as ``qr(tol=1e-5)``, see
    :func:`~survey.design._frame.weights_rank`) of the subset's replicate weights, minus one.

    ``psus`` are the distinct PSU codes with rows of non-zero weight in the subset
    (each once); with supplied replicate columns every row is its own PSU. Rows of one
    PSU have proportional created weights, so the rank is that of the PSUs'
    multipliers. A subset touching every PSU keeps the design's degrees of freedom.
    """
    reps = sf._reps
    if reps is None:
        raise DesignError("subset_df() needs a replicate design")
    if psus.shape[0] == sf.n_psu:
        return reps.df
    if psus.shape[0] == 0:
        return 0
    if reps.factors is not None:
        return gram_rank(reps.factors[psus].T @ reps.factors[psus]) - 1
    return weights_rank(sf._data.select(reps.columns), rows=psus) - 1


def as_replicate(
    sf: SurveyFrame,
    *,
    type: CreateType = "auto",  # noqa: A002 - R's argument name
    fay_rho: float = 0.0,
    mse: bool = False,
    replicates: int = 50,
    seed: int | None = None,
) -> SurveyFrame:
    """Replicate-weight version of a linearisation design, as R's ``as.svrepdesign``.

    Parameters
    ----------
    sf
        A design bound with :class:`~survey.design.Design`.
    type
        ``"auto"`` (R's default: JK1 unstratified, JKn stratified), ``"JK1"``,
        ``"JKn"``, ``"BRR"``, ``"Fay"`` (BRR with ``fay_rho``), or one of R's three
        bootstraps (random, so they match R in distribution; the variance from
        R's own replicate weights matches exactly): ``"bootstrap"`` (Canty and
        Davison: ``n_h`` PSUs drawn with replacement in each stratum, or without
        replacement from a pseudo-population of ``N_h`` with an fpc),
        ``"subbootstrap"`` (Rao and Wu: ``n_h - 1`` PSUs drawn with replacement) or
        ``"mrbbootstrap"`` (Preston's rescaled bootstrap, half the PSUs drawn
        without replacement; first stage only).

        .. versionchanged:: ``"bootstrap"`` was the Rao-Wu bootstrap, R's
           ``"subbootstrap"``; it now is R's ``"bootstrap"`` and warns
           (:class:`~survey.errors.ChangedNameWarning`) until the next release.
    fay_rho
        Fay's coefficient for ``BRR``/``Fay``; ``type="BRR"`` with a non-zero
        ``fay_rho`` is Fay's method, as R.
    mse
        Centre replicate deviations on the full-sample estimate (R's
        ``survey.replicates.mse`` option, default FALSE).
    replicates, seed
        Bootstraps only: number of replicates and random seed.

    Examples
    --------
    >>> import polars as pl
    >>> from survey.design import svydesign
    >>> sf = svydesign(pl.DataFrame({"y": [1.0, 2.0, 4.0]}))
    >>> as_replicate(sf).design.type
    'JK1'
    """
    if sf.is_replicate:
        raise DesignError("the design already has replicate weights")
    if sf.calibration is not None:  # R's as.svrepdesign would drop the calibration silently
        raise DesignError("the design's weights are calibrated: its replicates would not be",
                          hint="make the replicates first, then weight them (as R's "
                          "rake(as.svrepdesign(...))): each replicate is then re-weighted")
    if sf._strata.pps is not None:  # R's as.svrepdesign reads no PPS probabilities either
        raise DesignError("replicate weights from a PPS design are not supported",
                          hint="use the design's linearisation variance (pps brewer, overton)")
    stratified = sf.design.strata is not None  # type: ignore[union-attr]
    if type == "auto":
        type = "JKn" if stratified else "JK1"
    st = sf._strata
    psu_h = sf._psu_h.astype(np.int64)
    n_psu = psu_h.shape[0]
    lonely = sf.design.lonely_psu  # type: ignore[union-attr]
    scale = 1.0
    if type == "JK1":
        if stratified:
            raise DesignError("JK1 needs an unstratified design", hint="use type='JKn'")
        n = n_psu
        factors = np.full((n, n), n / (n - 1))
        np.fill_diagonal(factors, 0.0)
        scale = float(st.f[0]) * (n - 1) / n
        rscales = np.ones(n)
    elif type == "JKn":
        factors, rscales, scale = _jkn(psu_h, st.n_psu, st.f, lonely)
    elif type in ("BRR", "Fay"):
        if stratified is False:
            raise DesignError("BRR needs a stratified design with two PSUs per stratum")
        appear = sf._data.select(pl.col(PSU)).unique(maintain_order=True)[PSU].to_numpy()
        factors = _brr(psu_h, appear, st.n_psu, st.labels, fay_rho)
        scale = 1.0 / (factors.shape[1] * (1.0 - fay_rho) ** 2)
        rscales = np.ones(factors.shape[1])
        type = "BRR" if fay_rho == 0 else "Fay"
    elif type in _BOOTSTRAPS:
        if replicates < 2:
            raise DesignError(f"replicates={replicates}: a bootstrap needs at least 2")
        if type == "bootstrap":
            warnings.warn("type='bootstrap' is now R's bootstrap (Canty-Davison); the Rao-Wu "
                          "bootstrap it gave before is type='subbootstrap', as R names it",
                          ChangedNameWarning, stacklevel=2)
        rng = np.random.default_rng(seed)
        make = {"subbootstrap": lambda: _subbootstrap(psu_h, st.n_psu, replicates, rng),
                "bootstrap": lambda: _canty_davison(psu_h, st.n_psu, st.f, replicates, rng),
                "mrbbootstrap": lambda: _mrb(psu_h, st.n_psu, st.f, replicates, rng)}[type]
        factors = make()
        scale, rscales = _bootstrap_scales(type, st.n_psu, replicates)
    else:
        raise DesignError(f"type={type!r} is not one of auto, JK1, JKn, BRR, Fay, bootstrap, "
                          "subbootstrap, mrbbootstrap")
    if type in ("JK1", "JKn") and factors.shape[1] == n_psu:
        df = n_psu - len(st.labels)  # rank of jackknife weights: PSUs - strata + 1, as R's QR
    else:
        df = (gram_rank(factors.T @ factors) if factors.size else 1) - 1
    return _bound(sf, factors, type, float(scale), rscales, fay_rho, mse, df)


def _bound(sf: SurveyFrame, factors: np.ndarray, type_: str, scale: float, rscales: np.ndarray,
           fay_rho: float, mse: bool, df: int) -> SurveyFrame:
    reps = _Replicates(scale, rscales, mse, factors, (), True, type_, df)
    design = ReplicateDesign(weights=sf.design.weights, type=type_,  # type: ignore[arg-type]
                             scale=scale, rscales=tuple(rscales.tolist()),
                             rho=fay_rho if type_ == "Fay" else None, mse=mse)
    return SurveyFrame._derived(sf, reps=reps, design=design)


def _bootstrap_scales(type_: str, n_h: np.ndarray, replicates: int) -> tuple[float, np.ndarray]:
    """R's ``scale`` and ``rscales`` of its three bootstraps."""
    if type_ == "bootstrap":
        per = 1.0 / np.mean(1.0 / n_h)  # R's bootweights: harmonic mean of PSUs per stratum
        return float(per / ((per - 1) * (replicates - 1))), np.ones(replicates)
    if type_ == "mrbbootstrap":
        return 1.0, np.full(replicates, 1.0 / (replicates - 1))
    return 1.0 / (replicates - 1), np.ones(replicates)


def with_factors(sf: SurveyFrame, factors: np.ndarray, *, type: str,  # noqa: A002 - R's name
                 mse: bool = False) -> SurveyFrame:
    """A bootstrap replicate design from given per-PSU multipliers ``(n_psu, R)``
    (e.g. R's own, to check a variance against R's), with the type's scales as
    :func:`as_replicate` sets them."""
    if type not in _BOOTSTRAPS:
        raise DesignError(f"with_factors() takes a bootstrap type, not {type!r}")
    if sf.is_replicate or factors.shape[0] != sf.n_psu:
        raise DesignError(f"need a linearisation design and {sf.n_psu} rows of multipliers")
    scale, rscales = _bootstrap_scales(type, sf._strata.n_psu, factors.shape[1])
    df = gram_rank(factors.T @ factors) - 1
    return _bound(sf, factors, type, scale, rscales, 0.0, mse, df)


def _jkn(psu_h: np.ndarray, n_h: np.ndarray, f: np.ndarray,
         lonely: str) -> tuple[np.ndarray, np.ndarray, float]:
    """R's ``jknweights``: one replicate per PSU, dropping it from its stratum."""
    n_psu = psu_h.shape[0]
    nstrat = n_h.shape[0]
    per = n_h[psu_h]
    single = (per == 1) & (f[psu_h] != 0)
    keep = ~single
    cols = np.flatnonzero(keep)  # one replicate per PSU of a stratum with >1 PSU
    factors = np.ones((n_psu, cols.shape[0]))
    same = psu_h[:, None] == psu_h[cols][None, :]
    factors = np.where(same, (per / (per - np.where(per > 1, 1, 0)))[:, None], factors)
    factors[cols, np.arange(cols.shape[0])] = 0.0
    rscales = (f[psu_h[cols]] * (per[cols] - 1) / per[cols])
    scale = 1.0
    if single.any():
        if lonely == "fail":
            raise DesignError("JKn: strata have only one PSU", hint="set lonely_psu")
        if lonely == "adjust":
            lone = np.flatnonzero(single)
            extra = np.where(psu_h[:, None] == psu_h[lone][None, :], 0.0, nstrat / (nstrat - 1))
            factors = np.hstack([factors, extra])
            rscales = np.concatenate([rscales, np.full(lone.shape[0], (nstrat - 1) / nstrat)])
        elif lonely == "average":
            scale = n_psu / factors.shape[1]
    if factors.shape[1] == 0:
        raise DesignError("every stratum was sampled completely: the variance is zero")
    return factors, rscales, scale


def hadamard(n: int) -> np.ndarray:
    """A 0/1 Sylvester Hadamard matrix with more than ``n`` rows, as R's ``hadamard(n)``.

    R picks a Sylvester matrix for n in 1-7, 12-15, 28-31, 60-63 (sizes 4, 8, 16,
    32, 64); otherwise R uses a precooked or Paley matrix of a size that is not a
    power of two, and here the next power of two is used instead.
    """
    m = n - n % 4
    size = {0: 4, 4: 8, 12: 16, 28: 32, 60: 64}.get(m)
    if size is None:
        size = 1 << int(np.ceil(np.log2(n + 1)))
    i = np.arange(size)
    bits = np.bitwise_and(i[:, None], i[None, :])
    parity = np.zeros_like(bits)
    while bits.any():
        parity ^= bits & 1
        bits >>= 1
    return (parity == 0).astype(np.int64)


def _brr(psu_h: np.ndarray, appear: np.ndarray, n_h: np.ndarray, labels: tuple[object, ...],
         rho: float) -> np.ndarray:
    """R's ``brrweights`` for strata of exactly two PSUs."""
    bad = [str(lab) for lab, k in zip(labels, n_h, strict=True) if k != 2]
    if bad:
        raise DesignError(f"BRR needs exactly two PSUs per stratum; strata {', '.join(bad[:10])} "
                          "differ", hint="use JKn or bootstrap, or supply replicate columns")
    # R orders strata as character strings; within a stratum, PSUs by first appearance
    order = np.argsort(np.array([str(lab) for lab in labels]), kind="stable")
    pair = np.empty_like(order)
    pair[order] = np.arange(order.shape[0])  # 0-based pair index per stratum
    seen = np.empty(psu_h.shape[0], dtype=np.int64)
    seen[appear] = np.arange(appear.shape[0])  # order of first appearance in the data
    earliest = np.full(n_h.shape[0], np.iinfo(np.int64).max)
    np.minimum.at(earliest, psu_h, seen)
    first = seen == earliest[psu_h]  # the stratum's first-seen PSU is R's "first"
    hmat = hadamard(len(labels))
    sel = hmat[1 + pair[psu_h], :]  # (n_psu, R): 0 -> first PSU out, 1 -> second PSU out
    out_first = sel == 0
    is_first = first[:, None]
    half_out = np.where(is_first, out_first, ~out_first)
    return np.where(half_out, rho, 2.0 - rho)


def _by_stratum(psu_h: np.ndarray, n_h: np.ndarray) -> list[np.ndarray]:
    """The PSU codes of every stratum."""
    order = np.argsort(psu_h, kind="stable")
    return np.split(order, np.cumsum(n_h.astype(np.int64))[:-1])


def _canty_davison(psu_h: np.ndarray, n_h: np.ndarray, f: np.ndarray, reps: int,
                   rng: np.random.Generator) -> np.ndarray:
    """R's ``bootweights``: each replicate draws ``n_h`` PSUs of a stratum with
    replacement; with an fpc, without replacement from the pseudo-population of
    ``N_h`` units that repeats the stratum's PSUs (R's ``rep(psu, length=N_h)``)."""
    factors = np.zeros((psu_h.shape[0], reps))
    for h, psus in enumerate(_by_stratum(psu_h, n_h)):
        k = psus.shape[0]
        if f[h] >= 1:  # no fpc: with replacement
            draws = rng.integers(0, k, size=(k, reps))
        else:
            size = int(round(k / (1.0 - f[h]))) if f[h] > 0 else k
            draws = np.stack([rng.choice(size, k, replace=False) % k for _ in range(reps)],
                             axis=1)
        counts = np.zeros((k, reps))
        np.add.at(counts, (draws, np.arange(reps)[None, :]), 1.0)
        factors[psus] = counts
    return factors


def _mrb(psu_h: np.ndarray, n_h: np.ndarray, f: np.ndarray, reps: int,
         rng: np.random.Generator) -> np.ndarray:
    """R's ``mrbweights`` at the first stage: ``floor(n_h / 2)`` PSUs kept without
    replacement, multipliers ``1 + lambda (n_h / n* kept - 1)`` with
    ``lambda = sqrt(n* (1 - n_h / N_h) / (n_h - n*))``."""
    factors = np.ones((psu_h.shape[0], reps))
    for h, psus in enumerate(_by_stratum(psu_h, n_h)):
        k = psus.shape[0]
        half = k // 2
        if half == 0:
            continue
        frac = 1.0 - f[h]  # sampling fraction n/N (0 without an fpc)
        lam = np.sqrt(half * (1.0 - frac) / (k - half))
        keep = np.zeros((k, reps))
        for r in range(reps):
            keep[rng.choice(k, half, replace=False), r] = 1.0
        factors[psus] = 1.0 + lam * (keep * k / half - 1.0)
    return factors


def _subbootstrap(psu_h: np.ndarray, n_h: np.ndarray, reps: int,
                  rng: np.random.Generator) -> np.ndarray:
    """Rao-Wu rescaled bootstrap: n_h - 1 PSUs drawn with replacement in each stratum."""
    n_psu = psu_h.shape[0]
    order = np.argsort(psu_h, kind="stable")
    starts = np.concatenate([[0], np.cumsum(n_h.astype(np.int64))[:-1]])
    factors = np.zeros((n_psu, reps))
    for s, k in zip(starts, n_h.astype(np.int64), strict=True):  # one pass per stratum
        if k < 2:
            factors[order[s:s + k]] = 1.0
            continue
        draws = rng.integers(0, k, size=(k - 1, reps))
        counts = np.zeros((k, reps))
        np.add.at(counts, (draws, np.arange(reps)[None, :]), 1.0)
        factors[order[s:s + k]] = counts * k / (k - 1)
    return factors
