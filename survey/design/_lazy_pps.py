"""A without-replacement PPS design whose rows are its PSUs (R's ``svydesign(pps=...)``
without ``ids``), bound to rows that stay where they are.

Each row carries its own inclusion probability ``pi``, so the variance is not a function
of stratum totals alone; but Brewer's and Overton's (Horvitz-Thompson or Yates-Grundy)
formulas expand into sums that are: per stratum and domain, ``sum w^2 x x'`` and
``sum pi w^2 x x'``, ``sum w x`` and ``sum pi w x``, and per stratum ``sum pi`` and its
row count (:func:`~survey.estimators._stream_pps.pps_rows_fit`). Binding reads those
stratum sums and checks the probabilities, in one pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from survey.design._backend import Factor, Sum
from survey.design._design import Design
from survey.design._frame import _CENSUS, H, _stratum_table, _Strata, dense_codes
from survey.errors import DesignError

if TYPE_CHECKING:
    from survey.design._lazy import LazySurveyFrame

__all__ = ["PPSRows", "bind_pps_rows"]


@dataclass(frozen=True)
class PPSRows:
    """What the variance of a PPS design whose rows are its PSUs needs beyond the sums of
    an estimate's pass."""

    overton: bool  # False: Brewer's approximation
    yg: bool  # Yates-Grundy (Overton only)
    pi: Factor  # each row's inclusion probability, as a factor of the pass's sums
    pi_sum: np.ndarray  # (H,): sum of pi over the stratum's rows
    census: np.ndarray  # (H,): Brewer: every row's pi is 1 (to 1e-7): no variance


def bind_pps_rows(lsf: LazySurveyFrame, d: Design) -> tuple[PPSRows, tuple[Factor, ...]]:
    """The stratum table of ``d`` over ``lsf``'s rows (one pass), set on ``lsf`` as its
    ``row_strata``, and the probabilities; returns them with the weight's factors (a
    weight column, or ``1 / fpc`` as R when there is none)."""
    fpc = d.stage_fpc[0] if d.fpc else None
    w = d.weights
    weight: tuple[Factor, ...] = (("col", w),) if w else (("inverse", fpc),) if fpc else ()
    overton = d.pps == "overton"
    pi: Factor = (("inverse", w) if overton and w else ("col", fpc) if fpc else ("one", ""))
    keys = [d.strata] if d.strata else []
    sums = [Sum("__rows", (("one", ""),)), *lsf._weight_checks(w),
            Sum("__pi", (pi,)), Sum("__pi_min", (pi,), kind="min")]
    if fpc is not None:
        sums += [Sum("__f_null", (("col", fpc),), kind="nulls"),
                 Sum("__f_neg", (("negative", fpc),)), Sum("__f_nz", (("nonzero", fpc),)),
                 Sum("__f_max", (("col", fpc),), kind="max")]
    table = lsf.backend.aggregate(keys, sums, step="design")
    problems = lsf._weight_problems(table, w)
    if d.strata and (k := table[d.strata].null_count()):
        problems.append(f"{d.strata!r} has nulls ({k} strata rows)")
    if fpc is not None:
        if k := int(table["__f_null"].sum()):
            problems.append(f"fpc column {fpc!r} has {k} nulls")
        elif (table["__f_neg"].sum() or (table["__f_nz"] < table["__rows"]).any()
              or (table["__f_max"] > 1).any()):
            problems.append(f"fpc column {fpc!r} must hold inclusion probabilities in (0, 1] "
                            "for a PPS design (R: 'fpc must be specified as sampling fraction "
                            "for PPS sampling')")
    if problems:
        raise DesignError("the design does not fit the data", problems=problems, location=fpc)
    if d.strata:
        h, _ = dense_codes(table[d.strata])
    else:
        h = pl.zeros(table.height, pl.UInt32, eager=True)
    st = _stratum_table(table, h, d.strata, None)
    order = h.to_numpy().astype(np.int64)
    n_psu = np.zeros(st.height)
    n_psu[order] = table["__rows"].to_numpy()
    pi_sum, pi_min = np.zeros(st.height), np.zeros(st.height)
    pi_sum[order], pi_min[order] = table["__pi"].to_numpy(), table["__pi_min"].to_numpy()
    census = (pi_min > 1 - _CENSUS) if not overton else np.zeros(st.height, dtype=bool)
    lsf.row_strata = _Strata(tuple(st["label"].to_list()), n_psu, np.ones(st.height))
    lonely = (n_psu == 1) & ~census
    if lonely.any() and d.lonely_psu == "fail":
        names = [str(x) for x, k in zip(st["label"].to_list(), lonely, strict=True) if k]
        raise DesignError(
            f"{len(names)} strata have only one PSU: {', '.join(names[:20])}",
            location=d.strata,
            hint="choose lonely_psu='adjust', 'average', 'remove' or 'certainty' "
            "(R's survey.lonely.psu), or merge the strata")
    if d.strata:
        lsf.psu_columns = (d.strata,)
        lsf._psu_keys = pl.DataFrame([table[d.strata], h.alias(H)])
        lsf.psu_code = H
    lsf._n = int(table["__rows"].sum())
    return PPSRows(overton, d.variance == "YG", pi, pi_sum, census), weight

