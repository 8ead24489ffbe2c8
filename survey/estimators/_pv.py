"""Plausible values (education assessments): one analysis per set of plausible values,
combined by Rubin's rules, as R's ``MIcombine(withPV(mapping, data, action))``.

Assessments such as PISA, TIMSS and PIAAC give each student's score as several draws
(plausible values ``PV1MATH``...``PV5MATH``) and ship replicate weights (PISA: 80 Fay
replicates). An estimate is computed once per draw, each time with the name standing
for the k-th plausible value and with the design's own variance (replicate or
linearisation), and the estimates are combined as multiple imputations
(:func:`~survey.estimators.mi_combine`, R's ``mitools::MIcombine``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import polars as pl

from survey.design import LazySurveyFrame, SurveyFrame
from survey.errors import EstimationError
from survey.estimators._mi import mi_combine
from survey.estimators._results import Estimates

__all__ = ["parse_pv", "with_pv"]


def parse_pv(spec: str) -> tuple[str, tuple[str, ...]]:
    """``"math=PV1MATH,PV2MATH,PV3MATH"`` -> ``("math", ("PV1MATH", "PV2MATH", "PV3MATH"))``.

    >>> parse_pv("read = PV1READ, PV2READ")
    ('read', ('PV1READ', 'PV2READ'))
    """
    name, sep, cols = spec.partition("=")
    columns = tuple(c.strip() for c in cols.split(",") if c.strip())
    if not sep or not name.strip() or len(columns) < 2:
        raise EstimationError(f"{spec!r} is not NAME=COL1,COL2,...: give a name and at least "
                              "two plausible-value columns", location="pv",
                              hint="e.g. math=PV1MATH,PV2MATH,PV3MATH,PV4MATH,PV5MATH")
    return name.strip(), columns


def with_pv(sf: SurveyFrame | LazySurveyFrame, pv: Mapping[str, Sequence[str]],
            analysis: Callable[[Any], Any], *, level: float | None = None) -> Estimates:
    """Run ``analysis`` once per set of plausible values and combine the results, as R's
    ``MIcombine(withPV(mapping = NAME ~ PV1 + ... + PVm, data = design, action = ...))``.

    Parameters
    ----------
    sf
        The bound design (replicate weights, as assessments ship them, or linearisation),
        in memory or streamed (a :class:`~survey.design.LazySurveyFrame`: one pass over
        the rows per plausible value).
    pv
        ``{NAME: [PV1, ..., PVm]}``: in the k-th analysis the column ``NAME`` holds the
        k-th plausible value. Several names (say math and reading) need the same number
        of columns; ``NAME`` must not be a column already.
    analysis
        ``analysis(design)``: an estimate (:class:`Estimates`) or a fitted model (anything
        :func:`~survey.estimators.mi_combine` takes) using ``NAME`` as a variable.
    level
        Confidence level of the combined intervals (default the analyses').

    Returns
    -------
    Estimates
        The combined estimates: ``estimate`` the mean over the plausible values,
        ``std_error`` from Rubin's total variance, t intervals on Rubin's ``df``, and
        ``missinfo``, the fraction of missing information (the measurement error's share).

    Examples
    --------
    >>> import polars as pl
    >>> from survey.design import svydesign
    >>> from survey.estimators import mean
    >>> sf = svydesign(pl.DataFrame({"pv1": [1.0, 2.0, 3.0], "pv2": [2.0, 2.0, 5.0]}))
    >>> est = with_pv(sf, {"score": ["pv1", "pv2"]}, lambda d: mean(d, "score"))
    >>> round(float(est.estimate[0]), 4)
    2.5
    """
    if not pv:
        raise EstimationError("no plausible values given", location="pv")
    counts = {name: len(cols) for name, cols in pv.items()}
    if len(set(counts.values())) != 1:
        raise EstimationError(f"the plausible-value sets differ in length: {counts}",
                              location="pv", hint="give every NAME the same number of columns")
    m = next(iter(counts.values()))
    if m < 2:
        raise EstimationError("give at least two plausible-value columns", location="pv")
    columns = list(sf.schema) if isinstance(sf, LazySurveyFrame) else sf.frame.columns
    for name, cols in pv.items():
        if name in columns:
            raise EstimationError(f"{name!r} is a column already: the plausible values need a "
                                  "new name", location="pv", hint=f"e.g. {name}_pv")
        missing = [c for c in cols if c not in columns]
        if missing:
            raise EstimationError(f"plausible-value columns {missing} are not in the frame",
                                  location="pv")
    results = [analysis(sf.with_columns(*(pl.col(cols[k]).alias(name)
                                          for name, cols in pv.items())))
               for k in range(m)]
    return mi_combine(results, level=level)
