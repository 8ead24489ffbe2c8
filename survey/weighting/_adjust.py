"""Post-stratification, raking and weight trimming, as R's ``postStratify``, ``rake``
and ``trimWeights``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from survey.design import SurveyFrame
from survey.errors import DesignError, EstimationError
from survey.weighting._common import (
    DEFAULT_WEIGHT,
    base_weights,
    calibration_of,
    record,
    reweighted,
)
from survey.weighting._margins import Margins, Matched, check_totals, match, read_margins
from survey.weighting._replicate import calibrated_replicates, cell_scaled, replicate_weights
from survey.weighting._variance import cell_step

__all__ = ["as_margins", "poststratify", "rake", "trim_weights"]

MarginsLike = Margins | Mapping[Any, Any] | str | Path


def as_margins(margins: MarginsLike) -> Margins:
    """Margins from a :class:`Margins`, a dict (:meth:`Margins.from_dict`) or a CSV path."""
    if isinstance(margins, Margins):
        return margins
    if isinstance(margins, Mapping):
        return Margins.from_dict(margins)
    if isinstance(margins, str | Path):
        return read_margins(margins)
    raise DesignError(f"margins must be Margins, a dict or a CSV path, got "
                      f"{type(margins).__name__}")


def _categorical(ms: Margins, what: str) -> None:
    if ms.totals:
        raise DesignError(f"{what} uses categorical margins; numeric totals "
                          f"({', '.join(v for v, _ in ms.totals)}) need calibrate()")


def poststratify(sf: SurveyFrame, margins: MarginsLike, *, partial: bool = False,
                 weight_column: str = DEFAULT_WEIGHT) -> SurveyFrame:
    """Post-stratify to one margin (one variable or several crossed), as R's
    ``postStratify``.

    Every respondent's weight is multiplied by ``N_c / Nhat_c``, the known count of
    its cell over the cell's weighted count, so weighted cell counts equal the
    population. Variances use the post-stratified residuals (R's ``svyrecvar``);
    on a replicate-weight design every replicate is post-stratified too (R's
    method for ``svyrep.design``), so replicate SEs reflect the step.

    Parameters
    ----------
    sf
        The design (linearisation or replicate weights; the whole sample).
    margins
        Exactly one margin: :class:`Margins`, a dict (``{"a:b": {"x:y": 12, ...}}``)
        or a CSV path; with several, pick one with :meth:`Margins.select`.
    partial
        Drop population cells with no respondents (R's ``partial=TRUE``) rather
        than refusing; default ``False``, as R, because the weighted total then
        falls short of the population.
    weight_column
        Column the new weights are written to (default ``"weight"``); the input's
        weight column is kept.

    Examples
    --------
    >>> import polars as pl
    >>> from survey.design import svydesign
    >>> sf = svydesign(pl.DataFrame({"g": ["a", "a", "b"], "y": [1.0, 2.0, 3.0]}))
    >>> ps = poststratify(sf, {"g": {"a": 10, "b": 30}})
    >>> ps.frame["weight"].to_list()
    [5.0, 5.0, 30.0]
    """
    ms = as_margins(margins)
    _categorical(ms, "poststratify")
    if len(ms.margins) != 1:
        raise DesignError(f"poststratify uses one margin; got {len(ms.margins)} "
                          f"({', '.join(m.name for m in ms.margins)})",
                          hint="cross the variables in one margin ('a:b'), pick one "
                          "(Margins.select, or --margin on the command line), or rake")
    w0 = base_weights(sf, "poststratify", replicates=True)
    (m,) = match(sf, ms, partial=partial)
    if sf.is_replicate:  # R's postStratify.svyrep.design: every replicate too
        both = cell_scaled(m, np.column_stack([w0, replicate_weights(sf)]), "poststratify")
        return calibrated_replicates(sf, both[:, 0], both[:, 1:], record(
            "poststratify", sf, margins=ms.to_rows(), partial=partial, initial=w0),
            weight_column)
    psw, step = _poststep(m, w0)
    cal = calibration_of(sf).then([step], [0], record(
        "poststratify", sf, margins=ms.to_rows(), partial=partial, initial=w0))
    return reweighted(sf, psw, cal, weight_column)


def _poststep(m: Matched, oldw: np.ndarray) -> tuple[np.ndarray, Any]:
    p = m.population.shape[0]
    have = np.bincount(m.codes, oldw, minlength=p)
    if (have <= 0).any():
        bad = [lab for lab, h in zip(m.labels, have, strict=True) if h <= 0]
        raise DesignError(f"margin {m.margin.name!r}: cells with zero weighted count: "
                          f"{', '.join(map(repr, bad))}")
    psw = oldw * (m.population / have)[m.codes]
    adj = np.where((psw == 0) & (oldw == 0), 1.0, psw)  # as R: psw[zeroes] <- 1
    return psw, cell_step(m.codes, oldw / adj, adj, 1.0 / have)


def rake(sf: SurveyFrame, margins: MarginsLike, *, epsilon: float = 1.0, maxit: int = 10,
         weight_column: str = DEFAULT_WEIGHT) -> SurveyFrame:
    """Rake to several margins by iterative proportional fitting, as R's ``rake``.

    Each sweep post-stratifies to every margin in turn. Defaults are R's:
    ``epsilon=1`` (stop when no cell of the margins' crossed table moves by one
    unit of weighted count between sweeps; ``epsilon < 1`` is relative to the
    weight total, as R) and ``maxit=10`` sweeps. Unlike R, which only warns, not
    converging is an :class:`~survey.errors.EstimationError` naming the margins
    still off target. Variances use R's raking residuals; on a replicate-weight
    design every replicate goes through the same sweeps (R's ``rake`` of a
    ``svyrep.design``; convergence is judged on the full-sample weights, as R).

    Examples
    --------
    >>> import polars as pl
    >>> from survey.design import svydesign
    >>> df = pl.DataFrame({"a": ["x", "x", "y", "y"], "b": ["u", "v", "u", "v"]})
    >>> r = rake(svydesign(df), {"a": {"x": 60, "y": 40}, "b": {"u": 50, "v": 50}})
    >>> [round(w, 3) for w in r.frame["weight"].to_list()]
    [30.0, 30.0, 20.0, 20.0]
    """
    ms = as_margins(margins)
    _categorical(ms, "rake")
    if epsilon <= 0 or maxit < 1:
        raise DesignError(f"epsilon={epsilon} must be > 0 and maxit={maxit} >= 1")
    w0 = base_weights(sf, "rake", replicates=True)
    matched = match(sf, ms)
    check_totals(matched)
    eps = epsilon * w0.sum() if epsilon < 1 else epsilon
    cross = _cross_codes(matched)
    old = np.bincount(cross, w0)
    w = w0.copy()
    reps = replicate_weights(sf) if sf.is_replicate else None
    sweeps, converged, delta = 0, False, float("inf")
    psws: list[np.ndarray] = []
    while sweeps < maxit:
        psws = []
        for m in matched:
            have = np.bincount(m.codes, w, minlength=m.population.shape[0])
            w = w * (m.population / have)[m.codes]
            psws.append(w)
            if reps is not None:  # R: each replicate through the same sweeps
                reps = cell_scaled(m, reps, "rake")
        new = np.bincount(cross, w)
        delta = float(np.max(np.abs(old - new)))
        if delta < eps:
            converged = True
            break
        old = new
        sweeps += 1
    if not converged:
        off = []
        for m in matched:
            got = np.bincount(m.codes, w, minlength=m.population.shape[0])
            worst = float(np.max(np.abs(got - m.population)))
            if worst >= eps:
                off.append(f"{m.margin.name} (largest gap {worst:.4g})")
        raise EstimationError(
            f"raking did not converge in {maxit} sweeps (last change {delta:.4g} >= "
            f"epsilon {eps:.4g}); margins off target: {', '.join(off) or 'none beyond epsilon'}",
            location=", ".join(m.margin.name for m in matched),
            hint="raise maxit, or collapse sparse categories of the margins named")
    if reps is not None:
        return calibrated_replicates(sf, w, reps, record(
            "rake", sf, margins=ms.to_rows(), epsilon=epsilon, maxit=maxit,
            sweeps=sweeps + 1, initial=w0), weight_column)
    steps = []
    for m, psw in zip(matched, psws, strict=True):
        inv = np.divide(1.0, psw, out=np.zeros_like(psw), where=psw != 0)
        counts = np.bincount(m.codes, minlength=m.population.shape[0]).astype(float)
        steps.append(cell_step(m.codes, inv, psw, 1.0 / counts))
    program = list(range(len(steps))) * 10  # R's svyrecvar: ten sweeps of residuals
    cal = calibration_of(sf).then(steps, program, record(
        "rake", sf, margins=ms.to_rows(), epsilon=epsilon, maxit=maxit,
        sweeps=sweeps + 1, initial=w0))
    return reweighted(sf, w, cal, weight_column)


def _cross_codes(matched: list[Matched]) -> np.ndarray:
    """Cell codes of the margins crossed: the same cells as R's table of every margin
    variable, since each variable belongs to some margin."""
    code = np.zeros(matched[0].codes.shape[0], dtype=np.int64)
    size = 1
    for m in matched:
        p = m.population.shape[0]
        code = code * p + m.codes
        size *= p
        if size > code.shape[0]:  # keep the codes dense and small
            code = np.unique(code, return_inverse=True)[1].ravel()
            size = int(code.max()) + 1
    return code


def trim_weights(sf: SurveyFrame, *, lower: float = -np.inf, upper: float = np.inf,
                 strict: bool = False, weight_column: str = DEFAULT_WEIGHT) -> SurveyFrame:
    """Trim weights to ``[lower, upper]`` and share the trimmed amount, as R's
    ``trimWeights``.

    The amount cut (or added) is spread equally over the untrimmed units, so the
    weight total is kept; that can push a weight past a bound again, and
    ``strict=True`` repeats until none is (R's ``strict``). Calibration
    information is kept as R keeps it, so variances still use the calibration
    residuals; margins are no longer met exactly (see :func:`weight_diagnostics`).

    >>> import polars as pl
    >>> from survey.design import svydesign
    >>> sf = svydesign(pl.DataFrame({"w": [1.0, 1.0, 10.0]}), weights="w")
    >>> trim_weights(sf, upper=6).frame["weight"].to_list()
    [3.0, 3.0, 6.0]
    """
    if lower > upper:
        raise DesignError(f"lower={lower} is above upper={upper}")
    pw = base_weights(sf, "trim_weights")
    w = pw.copy()
    rounds = 0
    while True:
        outside = (w < lower) | (w > upper)
        if not outside.any():
            break
        if outside.all():
            raise DesignError(f"every weight lies outside [{lower:g}, {upper:g}]: nothing "
                              "to redistribute to")
        new = np.clip(w, lower, upper)
        new[~outside] += (w - new).sum() / (~outside).sum()
        w = new
        rounds += 1
        if not strict:
            break
    if rounds == 0 and sf.design.weights == weight_column:  # type: ignore[union-attr]
        return sf
    cal = calibration_of(sf).recorded(record(
        "trim", sf, lower=float(lower), upper=float(upper), strict=strict, initial=pw))
    return reweighted(sf, w, cal, weight_column)
