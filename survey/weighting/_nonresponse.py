"""Nonresponse adjustment, weight normalisation and direct standardisation.

* :func:`adjust_nonresponse`: weighting-class adjustment from response dispositions,
  as R's ``nonresponse()`` (factor = the class's weighted sample count over its
  respondents' weighted count) and svy's ``adjust``; classes given, or formed from
  response propensities of a logistic model on frame variables.
* :func:`normalize_weights`: weights summing to the sample size or to a population.
* :func:`standardize`: R's ``svystandardize``, post-stratification to a fixed
  distribution of one variable within the groups of another.
"""

from __future__ import annotations

import dataclasses

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import polars as pl

from survey.design import Design, SurveyFrame
from survey.design._frame import W
from survey.errors import DesignError, EstimationError
from survey.estimators import disposition_category
from survey.estimators._dist import expit
from survey.weighting._adjust import poststratify
from survey.weighting._common import DEFAULT_WEIGHT, base_weights, calibration_of, record, reweighted
from survey.weighting._margins import SEP, Margins
from survey.weighting._replicate import calibrated_replicates, replicate_weights

__all__ = ["Disposition", "adjust_nonresponse", "normalize_weights", "standardize"]

Disposition = Literal["respondent", "nonrespondent", "ineligible", "unknown"]
"""Response dispositions: eligible respondent, eligible nonrespondent, ineligible
(out of the target population), unknown eligibility."""

_DISPOSITIONS = ("respondent", "nonrespondent", "ineligible", "unknown")
_SHORT = {"rr": "respondent", "nr": "nonrespondent", "in": "ineligible", "uk": "unknown"}
NONRESPONSE_WEIGHT = "nr_weight"
"""Default column of the nonresponse-adjusted weights (later steps write ``weight``)."""


def adjust_nonresponse(sf: SurveyFrame, status: str, *,
                       classes: str | Sequence[str] | None = None,
                       propensity: str | Sequence[str] | None = None, n_classes: int = 5,
                       codes: Mapping[Any, Disposition] | None = None,
                       weight_column: str = NONRESPONSE_WEIGHT) -> SurveyFrame:
    """Weighting-class nonresponse adjustment, as R's ``nonresponse()`` and svy's
    ``adjust``; returns the design of the respondents with the adjusted weights.

    Two steps, within weighting classes:

    1. *unknown eligibility*: the weight of cases of unknown eligibility goes to the
       known cases (respondents, nonrespondents, ineligibles) of their class:
       factor ``sum w (all) / sum w (known)``;
    2. *nonresponse*: the weight of eligible nonrespondents goes to the respondents
       of their class: factor ``sum w1 (respondents + nonrespondents) / sum w1
       (respondents)``, ``w1`` the weights after step 1. Ineligibles keep ``w1``.

    Each factor is R's ``weights(nonresponse(sample.weights, sample.counts,
    population))`` with the class's respondents as the sample and the class's
    eligible cases as the population. The design returned holds the respondents
    only (nonrespondents carry no data; ineligibles are outside the population),
    bound with the same strata, clusters and fpc, as one would rebuild it in R
    with ``svydesign(..., weights=~nrw, data=respondents)``; post-stratify or rake
    it next. A replicate-weight design has every replicate adjusted in the same
    classes (propensity classes from the full-sample fit), as svrep's
    ``redistribute_weights``; its replicate SEs then reflect the adjustment.

    Parameters
    ----------
    status
        Column of response dispositions: ``respondent``, ``nonrespondent``,
        ``ineligible``, ``unknown``, svy's ``rr``, ``nr``, ``in``, ``uk``, or AAPOR
        final dispositions (codes such as ``1.1``, ``2.20``, ``3.30``, ``4.10`` or
        their words, read as :func:`~survey.response_rates` reads them: completes
        and partials respond; refusals, break-offs, non-contacts and others do not;
        ``3.x`` is unknown eligibility; ``4.x`` ineligible); ``codes`` maps other
        values, or overrides these (e.g. ``{"1.2": "nonrespondent"}`` when partials
        carry no usable data).
    classes
        Weighting-class column(s), crossed; ``None``: the whole sample is one class.
    propensity
        Frame variables (known for every case) of a logistic model of responding,
        fitted with the step-1 weights among the eligible cases (R's
        ``glm(..., family=quasibinomial, weights=w1)``); the nonresponse step then
        uses ``n_classes`` classes of equal size by estimated propensity (R's
        ``cut(p, quantile(p, 0:k/k), include.lowest=TRUE)``) instead of ``classes``.
        Categorical variables enter as indicators of every category but the first.
    codes
        Map from the status column's values to dispositions, e.g.
        ``{1: "respondent", 2: "nonrespondent", 3: "ineligible", 4: "unknown"}``;
        values it does not name are read as above.
    weight_column
        Column of the adjusted weights (default ``"nr_weight"``).

    Examples
    --------
    >>> import polars as pl
    >>> from survey.design import svydesign
    >>> df = pl.DataFrame({"s": ["respondent", "nonrespondent", "respondent", "unknown"],
    ...                    "w": [10.0, 10.0, 10.0, 10.0]})
    >>> adjust_nonresponse(svydesign(df, weights="w"), "s").frame["nr_weight"].to_list()
    [20.0, 20.0]
    """
    w0 = base_weights(sf, "adjust_nonresponse", replicates=True)
    disp = _dispositions(sf.frame, status, codes)
    known = disp != "unknown"
    eligible = (disp == "respondent") | (disp == "nonrespondent")
    resp = disp == "respondent"
    ucls, ulabels = _classes(sf.frame, classes)
    f1 = _class_factors(ucls, w0, np.ones_like(known), known, ulabels, "unknown-eligibility")
    w1 = np.where(known, w0 * f1[ucls], 0.0)
    ncls, nlabels = ucls, ulabels
    if propensity is not None:
        p = _propensity(sf.frame, propensity, resp, eligible, w1)
        ncls, nlabels = _quantile_classes(p, eligible, n_classes)
    f2 = _class_factors(ncls, w1, eligible, resp, nlabels, "nonresponse")
    w2 = np.where(resp, w1 * f2[ncls], np.where(disp == "ineligible", w1, 0.0))
    if weight_column in sf.frame.columns:
        raise DesignError(f"column {weight_column!r} already exists", location="weight_column",
                          hint="choose another weight_column")
    history = record("nonresponse", sf, status=status, classes=_names(classes),
                     propensity=_names(propensity), n_classes=n_classes,
                     unknown_classes=_table(ucls, ulabels, disp, f1),
                     nonresponse_classes=_table(ncls, nlabels, disp, f2),
                     weight_column=weight_column, initial=w2[resp])
    if sf.is_replicate:  # each replicate adjusted alike, in the same classes (svrep's way)
        reps = replicate_weights(sf)
        for r in range(reps.shape[1]):
            wr = reps[:, r]
            g1 = _class_factors(ucls, wr, np.ones_like(known), known, ulabels,
                                f"replicate {r + 1}: unknown-eligibility")
            wr1 = np.where(known, wr * g1[ucls], 0.0)
            g2 = _class_factors(ncls, wr1, eligible, resp, nlabels,
                                f"replicate {r + 1}: nonresponse")
            reps[:, r] = np.where(resp, wr1 * g2[ncls], 0.0)
        return calibrated_replicates(sf, w2, reps, history, weight_column, rows=resp)
    design = sf.design
    assert isinstance(design, Design)
    kept = sf.frame.with_columns(pl.Series(weight_column, w2, dtype=pl.Float64)).filter(
        pl.Series(resp))
    out = SurveyFrame(kept, dataclasses.replace(design, weights=weight_column))
    return SurveyFrame._derived(out, calibration=calibration_of(sf).recorded(history))


def _table(cls: np.ndarray, labels: list[str], disp: np.ndarray,
           factor: np.ndarray) -> list[dict[str, Any]]:
    """Per class: cases of each disposition and the adjustment factor (diagnostics)."""
    return [{"class": lab, **{d: int(((cls == c) & (disp == d)).sum()) for d in _DISPOSITIONS},
             "factor": float(factor[c])} for c, lab in enumerate(labels)]


def _names(v: str | Sequence[str] | None) -> list[str]:
    return [] if v is None else [v] if isinstance(v, str) else list(v)


_AAPOR = {"I": "respondent", "P": "respondent", "R": "nonrespondent", "NC": "nonrespondent",
          "O": "nonrespondent", "UH": "unknown", "UO": "unknown", "NE": "ineligible"}
"""AAPOR counts (:func:`~survey.estimators.disposition_category`) as dispositions: completes
and partials respond; refusals, break-offs, non-contacts and others do not."""


def _disposition_of(value: str, codes: Mapping[str, str]) -> str | None:
    if value in codes:
        return codes[value]
    word = " ".join(value.strip().lower().split())
    if word in _DISPOSITIONS:
        return word
    if word in _SHORT:
        return _SHORT[word]
    if value.strip().isdigit():  # plain integer codes mean what the survey says: codes=
        return None
    aapor = disposition_category(value)
    return _AAPOR.get(aapor) if aapor is not None else None


def _dispositions(frame: pl.DataFrame, status: str,
                  codes: Mapping[Any, Disposition] | None) -> np.ndarray:
    if status not in frame.columns:
        raise DesignError(f"no status column {status!r}", location="status",
                          hint=f"columns: {', '.join(frame.columns[:20])}")
    given = {str(k): str(v) for k, v in (codes or {}).items()}
    bad = sorted({v for v in given.values() if v not in _DISPOSITIONS})
    if bad:
        raise DesignError(f"codes map to {bad}, not dispositions", location="codes",
                          hint=f"one of {', '.join(_DISPOSITIONS)}")
    text = frame[status].cast(pl.String)
    values = text.drop_nulls().unique().to_list()
    mapping = {v: d for v in values if (d := _disposition_of(v, given)) is not None}
    mapped = text.replace_strict(mapping, default=None, return_dtype=pl.String)
    if mapped.null_count():
        odd = (text.filter(mapped.is_null()).fill_null("<missing>").value_counts()
               .sort("count", descending=True))
        listed = ", ".join(f"{v!r} ({k} rows)" for v, k in odd.rows()[:8])
        raise DesignError(f"status {status!r} has values that are not dispositions: {listed}",
                          location=status, hint="give codes= mapping each value to respondent, "
                          "nonrespondent, ineligible or unknown")
    return mapped.to_numpy().astype(str)


def _classes(frame: pl.DataFrame, classes: str | Sequence[str] | None
             ) -> tuple[np.ndarray, list[str]]:
    cols = _names(classes)
    if not cols:
        return np.zeros(frame.height, dtype=np.int64), ["all"]
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise DesignError(f"no class column {', '.join(map(repr, missing))}", location="classes")
    nulls = [c for c in cols if frame[c].null_count()]
    if nulls:
        raise DesignError(f"class columns {', '.join(map(repr, nulls))} have missing values: "
                          "every case needs a class", location="classes")
    key = frame.select(pl.concat_str([pl.col(c).cast(pl.String) for c in cols], separator=SEP)
                       .alias("k"))["k"]
    labels = sorted(key.unique().to_list())
    return key.replace_strict(labels, list(range(len(labels))),
                              return_dtype=pl.Int64).to_numpy(), labels


def _class_factors(cls: np.ndarray, w: np.ndarray, base: np.ndarray, to: np.ndarray,
                   labels: list[str], step: str) -> np.ndarray:
    """Per class: weighted count of ``base`` cases over that of ``to`` cases."""
    k = len(labels)
    num = np.bincount(cls, np.where(base, w, 0.0), minlength=k)
    den = np.bincount(cls, np.where(to, w, 0.0), minlength=k)
    bad = [lab for lab, a, b in zip(labels, num, den, strict=True) if a > 0 and b <= 0]
    if bad:
        who = "known-eligibility" if step.endswith("unknown-eligibility") else "responding"
        raise EstimationError(f"{step} adjustment: classes with no {who} cases to carry their "
                              f"weight: {', '.join(map(repr, bad[:10]))}", location="classes",
                              hint="collapse those classes with neighbours")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den, 1.0)


def _propensity(frame: pl.DataFrame, variables: str | Sequence[str], resp: np.ndarray,
                eligible: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Fitted probabilities of responding (NaN outside the eligible cases)."""
    cols = _names(variables)
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise DesignError(f"no propensity column {', '.join(map(repr, missing))}",
                          location="propensity")
    sub = frame.filter(pl.Series(eligible)).select(cols)
    nulls = [c for c in cols if sub[c].null_count()]
    if nulls:
        raise DesignError(f"propensity columns {', '.join(map(repr, nulls))} have missing "
                          "values among eligible cases", location="propensity")
    parts = [np.ones((sub.height, 1))]
    for c in cols:
        s = sub[c]
        if s.dtype.is_numeric():
            parts.append(s.cast(pl.Float64).to_numpy()[:, None])
        else:
            levels = sorted(s.cast(pl.String).unique().to_list())
            text = s.cast(pl.String).to_numpy()
            parts.append(np.column_stack([text == lv for lv in levels[1:]]).astype(float)
                         if len(levels) > 1 else np.zeros((sub.height, 0)))
    X = np.hstack(parts)
    y = resp[eligible].astype(float)
    ww = w[eligible]
    beta = np.zeros(X.shape[1])
    for _ in range(100):  # IRLS, as glm: the weighted score equations
        mu = expit(X @ beta)
        v = ww * mu * (1 - mu)
        try:
            step = np.linalg.solve(X.T @ (X * v[:, None]), X.T @ (ww * (y - mu)))
        except np.linalg.LinAlgError:
            raise EstimationError("the propensity model is singular (collinear variables)",
                                  location="propensity") from None
        beta = beta + step
        if np.max(np.abs(step)) < 1e-12 * (1 + np.max(np.abs(beta))):
            break
    else:
        raise EstimationError("the propensity model did not converge (separation?)",
                              location="propensity", hint="use fewer or coarser variables")
    out = np.full(frame.height, np.nan)
    out[eligible] = expit(X @ beta)
    return out


def _quantile_classes(p: np.ndarray, eligible: np.ndarray, k: int
                      ) -> tuple[np.ndarray, list[str]]:
    if k < 1:
        raise DesignError(f"n_classes={k} must be at least 1", location="n_classes")
    breaks = np.quantile(p[eligible], np.linspace(0, 1, k + 1))  # R's type 7
    if np.unique(breaks).shape[0] != breaks.shape[0]:
        raise EstimationError(f"propensity classes: {k} quantile classes have tied breaks",
                              location="n_classes", hint="use fewer classes")
    cls = np.zeros(p.shape[0], dtype=np.int64)
    cls[eligible] = np.clip(np.searchsorted(breaks, p[eligible], side="left"), 1, k) - 1
    return cls, [str(i + 1) for i in range(k)]


def normalize_weights(sf: SurveyFrame, *, to: Literal["n"] | float = "n",
                      weight_column: str = DEFAULT_WEIGHT) -> SurveyFrame:
    """Rescale the weights to sum to the sample size (``to="n"``: mean weight 1) or to
    a population size (``to=N``).

    A constant factor: means, shares and their SEs do not change; totals scale by
    it. Calibration information is kept (its residuals scale alike); replicate
    weights are rescaled with the full-sample weights.

    >>> import polars as pl
    >>> from survey.design import svydesign
    >>> sf = svydesign(pl.DataFrame({"w": [2.0, 6.0]}), weights="w")
    >>> normalize_weights(sf).frame["weight"].to_list()
    [0.5, 1.5]
    """
    w = base_weights(sf, "normalize_weights", replicates=True)
    target = float(sf.n) if to == "n" else float(to)
    if not np.isfinite(target) or target <= 0:
        raise DesignError(f"to={to!r} must be 'n' or a positive population size", location="to")
    c = target / w.sum()
    history = record("normalize", sf, to=to, factor=c, initial=w)
    if sf.is_replicate:
        return calibrated_replicates(sf, w * c, replicate_weights(sf) * c, history, weight_column)
    return reweighted(sf, w * c, calibration_of(sf).recorded(history), weight_column)


def standardize(sf: SurveyFrame, by: str, population: Mapping[Any, float], *,
                over: str | None = None, weight_column: str = DEFAULT_WEIGHT) -> SurveyFrame:
    """Direct standardisation, as R's ``svystandardize(design, by, over, population)``.

    Post-stratifies to the cells of ``by`` x ``over`` so that, within every group of
    ``over``, ``by`` follows the distribution ``population`` (normalised to
    proportions), while each ``over`` group keeps its estimated size (R treats
    those as known). ``over=None`` standardises the whole sample. Cells with no
    respondents are dropped, as R's ``partial=TRUE``.

    >>> import polars as pl
    >>> from survey.design import svydesign
    >>> sf = svydesign(pl.DataFrame({"age": ["young", "old", "old"], "y": [1.0, 2.0, 3.0]}))
    >>> standardize(sf, "age", {"young": 1, "old": 1}).frame["weight"].to_list()
    [1.5, 0.75, 0.75]
    """
    for c in (by, over):
        if c is not None and c not in sf.frame.columns:
            raise DesignError(f"no column {c!r}", location=c)
    total = sum(float(v) for v in population.values())
    if total <= 0:
        raise DesignError("the standard population sums to zero", location="population")
    share = {str(k): float(v) / total for k, v in population.items()}
    absent = sorted(set(sf.frame[by].drop_nulls().cast(pl.String).unique().to_list()) - set(share))
    if absent:
        raise DesignError(f"categories of {by!r} absent from the standard population: "
                          f"{', '.join(map(repr, absent))}", location="population")
    w = sf._data[W]
    if over is None:
        spec: dict[Any, Any] = {by: {k: v * float(w.sum()) for k, v in share.items()}}
    else:
        sizes = (sf._data.group_by(pl.col(over).cast(pl.String)).agg(pl.col(W).sum())
                 .rows())
        spec = {f"{by}{SEP}{over}": {f"{b}{SEP}{o}": p * n for b, p in share.items()
                                     for o, n in sizes}}
    out = poststratify(sf, Margins.from_dict(spec), partial=True, weight_column=weight_column)
    return out
