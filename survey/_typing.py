"""Literal aliases for the toolkit's mode strings, kept in one place (as polars' ``_typing``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

__all__ = [
    "ChisqStatistic",
    "CIMethod",
    "FPCKind",
    "LonelyPSU",
    "PPSMethod",
    "PPSVariance",
    "QuantileInterval",
    "QuantileRule",
    "ReplicateType",
    "SortOrder",
    "replicate_type_guide",
]

LonelyPSU = Literal["fail", "remove", "adjust", "average", "certainty"]
"""What to do with a stratum holding one PSU; the values of R's ``survey.lonely.psu``."""

PPSMethod = Literal["brewer", "overton"]
"""Without-replacement PPS variance approximations of R's ``svydesign(pps=)``."""

PPSVariance = Literal["HT", "YG"]
"""Horvitz-Thompson or Yates-Grundy form of a PPS variance (R's ``svydesign(variance=)``)."""

CIMethod = Literal[
    "logit",
    "likelihood",
    "asin",
    "beta",
    "mean",
    "xlogit",
    "wilson",
    "clopper-pearson",
    "jeffreys",
    "agresti-coull",
]
"""Proportion interval methods: R's ``svyciprop`` methods, then four for simple random samples."""

ReplicateType = Literal["JK1", "JKn", "JK2", "BRR", "Fay", "bootstrap", "subbootstrap",
                        "mrbbootstrap", "successive-difference", "ACS", "other"]
"""Replicate-weight types, as R's ``svrepdesign``/``as.svrepdesign`` name them."""

_GUIDE = (  # (what the files say, R's type, the option that goes with it)
    ("ACS PUMS and other successive-difference files", "ACS", "mse"),
    ("jackknife", "JK1", None), ("stratified jackknife", "JKn", "rscales"),
    ("paired jackknife", "JK2", None), ("BRR", "BRR", None), ("Fay's BRR", "Fay", "rho"),
    ("bootstrap", "bootstrap", None), ("anything else", "other", "scale"))
_WITH = {"mse": "scale 4/R; {mse} for the Census Bureau's formula",
         "rscales": "with {rscales}", "rho": "with {rho}", "scale": "with {scale}"}


def replicate_type_guide(spell_type: Callable[[str], str], spell: Callable[[str], str]) -> str:
    """The replicate types, each with the public files that use it, in the caller's
    words: ``spell_type("ACS")`` -> ``type="ACS"`` (or ``--replicate acs``), ``spell("mse")``
    -> ``mse=True`` (or ``--mse``); ``spell`` gets ``mse``, ``rscales``, ``rho``, ``scale``.

    >>> replicate_type_guide(lambda t: t, str.upper)[:62]
    'ACS PUMS and other successive-difference files: ACS (scale 4/R'
    """
    parts = []
    for what, rtype, opt in _GUIDE:
        extra = f" ({_WITH[opt].format(**{opt: spell(opt)})})" if opt else ""
        parts.append(f"{what}: {spell_type(rtype)}{extra}")
    return "; ".join(parts)


FPCKind = Literal["auto", "population", "fraction"]
"""How an fpc column is read: population size, sampling fraction, or R's rule (all >= 1: size)."""

ChisqStatistic = Literal["F", "Chisq", "Wald", "adjWald", "lincom", "saddlepoint"]
"""Statistics of R's ``svychisq``: Rao-Scott second-order F (default) and first-order
chi-square, the Wald tests, and X^2's exact (``lincom``) and saddlepoint distributions."""

SortOrder = Literal["none", "descending", "ascending"]
"""Order of options in a multiple-choice table."""

QuantileInterval = Literal["mean", "beta", "xlogit", "asin", "score", "quantile"]
"""Quantile interval types of R's ``svyquantile`` (``interval.type``); ``quantile`` for
replicate designs."""

QuantileRule = Literal["math", "school", "shahvaish", "hf1", "hf2", "hf3", "hf4", "hf5", "hf6",
                       "hf7", "hf8", "hf9"]
"""Quantile rules of R's ``svyquantile`` (``qrule``)."""
