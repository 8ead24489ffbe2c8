"""Design specifications: frozen records of column names and options, no data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from survey._typing import (
    FPCKind,
    LonelyPSU,
    PPSMethod,
    PPSVariance,
    ReplicateType,
    replicate_type_guide,
)
from survey.errors import DesignError

__all__ = ["Design", "PPSMatrix", "ReplicateDesign"]

_LONELY = ("fail", "remove", "adjust", "average", "certainty")
_REPTYPES = ("JK1", "JKn", "JK2", "BRR", "Fay", "bootstrap", "subbootstrap", "mrbbootstrap",
             "successive-difference", "ACS", "other")


def _python_option(name: str) -> str:
    return "mse=True" if name == "mse" else f"{name}="


def _names(value: str | Sequence[str] | None, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    out = tuple(value)
    if not all(isinstance(v, str) for v in out):
        raise DesignError(f"{what} must be column names, got {out!r}", location=what)
    return out


@dataclass(frozen=True, eq=False)
class PPSMatrix:
    """Joint inclusion probabilities of a without-replacement sample, as R's ``ppsmat``.

    ``joint[i, j]`` is the probability that rows ``i`` and ``j`` are both sampled, its
    diagonal the inclusion probabilities; rows follow the frame's rows (each row a PSU).
    The variance is Horvitz-Thompson's with ``(pi_ij - pi_i pi_j) / pi_ij``, entries
    below ``tolerance`` in absolute value set to 0, as R's ``ppsmat(M, tolerance=1e-4)``.

    >>> PPSMatrix(np.array([[0.5, 0.2], [0.2, 0.5]])).joint.shape
    (2, 2)
    """

    joint: np.ndarray
    tolerance: float = 1e-4

    def __post_init__(self) -> None:
        m = np.asarray(self.joint, dtype=float)
        if m.ndim != 2 or m.shape[0] != m.shape[1]:
            raise DesignError(f"the joint inclusion probabilities must be a square matrix, "
                              f"got shape {m.shape}", location="pps")
        if not np.allclose(m, m.T):
            raise DesignError("the joint inclusion probabilities are not symmetric",
                              location="pps")
        d = np.diag(m)
        if ((d <= 0) | (d > 1)).any() or (m < 0).any():
            raise DesignError("inclusion probabilities must lie in (0, 1] and joint ones be "
                              ">= 0", location="pps")
        object.__setattr__(self, "joint", m)


@dataclass(frozen=True)
class Design:
    """A probability sampling design, given as column names (as R's ``svydesign``).

    Parameters
    ----------
    weights
        Sampling-weight column. ``None``: every unit weighs 1 (R assumes equal
        probability too).
    strata
        Stratum column. ``None``: one stratum.
    ids
        Cluster (PSU) column, or one column per stage. ``None``: each row is its own
        PSU (R's ``ids=~1``). PSUs are always read as nested within strata.
    fpc
        Finite population correction column(s), one per stage (at most two): population
        size (first stage: PSUs in the stratum; second stage: units in the PSU) or
        sampling fraction. ``None``: sampling with replacement.
    fpc_kind
        ``"auto"`` (default) reads the column as R does: all values >= 1 are
        population sizes, all <= 1 fractions.
    lonely_psu
        Strata with a single PSU, as R's ``options(survey.lonely.psu=)``. Default
        ``"fail"``, as R, so a design mistake is never silently absorbed.
    pps
        A first stage sampled with probability proportional to size without
        replacement, as R's ``svydesign(pps=)``: ``"brewer"`` (Brewer's approximation,
        the fpc given as each PSU's inclusion probability), ``"overton"`` (Overton's
        approximation of the joint probabilities from ``1 / weight``), or a
        :class:`PPSMatrix` of joint inclusion probabilities (Horvitz-Thompson).
        ``None``: the design's PSUs are sampled with equal probability or with
        replacement.
    variance
        ``"HT"`` (Horvitz-Thompson, default) or ``"YG"`` (Yates-Grundy), for
        ``pps="overton"`` or a :class:`PPSMatrix`, as R's ``variance=``.
    adjust_domain_lonely
        In a domain, a stratum with one PSU in the domain (of several in the design)
        is treated as lonely: with ``lonely_psu="adjust"`` its PSU total is centred on
        0, as R's ``options(survey.adjust.domain.lonely=TRUE)``.

    Examples
    --------
    >>> Design(weights="pw", strata="stype", fpc="fpc").strata
    'stype'
    """

    weights: str | None = None
    strata: str | None = None
    ids: str | tuple[str, ...] | None = None
    fpc: str | tuple[str, ...] | None = None
    fpc_kind: FPCKind = "auto"
    lonely_psu: LonelyPSU = "fail"
    pps: PPSMethod | PPSMatrix | None = None
    variance: PPSVariance = "HT"
    adjust_domain_lonely: bool = False

    def __post_init__(self) -> None:
        self._check_pps()
        if self.lonely_psu not in _LONELY:
            raise DesignError(
                f"lonely_psu={self.lonely_psu!r} is not one of {', '.join(_LONELY)}",
                location="lonely_psu",
            )
        if self.fpc_kind not in ("auto", "population", "fraction"):
            raise DesignError(f"fpc_kind={self.fpc_kind!r} is not auto|population|fraction")
        if not isinstance(self.ids, str | None):
            object.__setattr__(self, "ids", _names(self.ids, "ids"))
        if not isinstance(self.fpc, str | None):
            object.__setattr__(self, "fpc", _names(self.fpc, "fpc"))

    def _check_pps(self) -> None:
        if self.pps is not None and not isinstance(self.pps, PPSMatrix) and (
                self.pps not in ("brewer", "overton")):
            raise DesignError(f"pps={self.pps!r} is not brewer, overton or a PPSMatrix",
                              location="pps")
        if self.variance not in ("HT", "YG"):
            raise DesignError(f"variance={self.variance!r} is not HT or YG",
                              location="variance")
        if self.variance == "YG" and (self.pps is None or self.pps == "brewer"):
            raise DesignError("variance='YG' needs pps='overton' or a PPSMatrix (as R)",
                              location="variance")
        if self.pps is not None and self.pps != "brewer" and len(_names(self.ids, "ids")) > 1:
            raise DesignError("multistage PPS needs pps='brewer' (as R)", location="pps")
        if self.adjust_domain_lonely and self.lonely_psu == "average":
            raise DesignError("adjust_domain_lonely with lonely_psu='average' is not "
                              "supported", location="lonely_psu", hint="use 'adjust'")

    @property
    def stage_ids(self) -> tuple[str, ...]:
        """The cluster columns, first stage first (empty: each row is a PSU)."""
        return _names(self.ids, "ids")

    @property
    def stage_fpc(self) -> tuple[str, ...]:
        """The fpc columns, first stage first."""
        return _names(self.fpc, "fpc")

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column the design reads."""
        cols = [self.weights, self.strata, *self.stage_ids, *self.stage_fpc]
        return tuple(c for c in cols if c is not None)


@dataclass(frozen=True)
class ReplicateDesign:
    """A replicate-weight design (as R's ``svrepdesign``).

    Variance is ``scale * sum_r rscales[r] * (theta_r - centre)^2`` where the
    centre is the mean of the replicates, or the full-sample estimate when
    ``mse=True`` (R's default ``getOption("survey.replicates.mse")`` is FALSE).

    Parameters
    ----------
    weights
        Full-sample weight column (``None``: 1).
    repweights
        Replicate-weight columns, already multiplied by the sampling weight
        (R's ``combined.weights=TRUE``, the default) unless ``combined_weights``
        is False.
    type
        ``JK1``, ``JKn``, ``JK2``, ``BRR``, ``Fay``, ``bootstrap`` (also
        ``subbootstrap``), ``mrbbootstrap``, ``successive-difference`` (also ``ACS``,
        as the American Community Survey publishes them) or ``other``; fixes the
        default ``scale`` as R's ``svrepdesign`` does. Required unless ``scale`` is
        given (then ``other``): the variance of supplied columns depends on how they
        were made, and a wrong guess is silently off by a factor (ACS: ``sqrt(20)``).
    scale, rscales
        Overall and per-replicate multipliers; ``None`` takes R's default for the
        type (BRR ``1/R``; Fay ``1/(R (1-rho)^2)``; bootstrap and subbootstrap
        ``1/(R-1)``; mrbbootstrap ``1`` with ``rscales`` ``1/(R-1)``; JK1
        ``(R-1)/R``; JK2 ``1``; successive-difference and ACS ``4/R``, whatever
        is given, as R). JKn needs ``rscales``.
    rho
        Fay's coefficient (type ``Fay``).
    mse
        Centre the squared deviations on the full-sample estimate.
    """

    weights: str | None = None
    repweights: tuple[str, ...] = field(default_factory=tuple)
    type: ReplicateType | None = None
    scale: float | None = None
    rscales: tuple[float, ...] | None = None
    rho: float | None = None
    mse: bool = False
    combined_weights: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "repweights", _names(self.repweights, "repweights"))
        if self.rscales is not None:
            object.__setattr__(self, "rscales", tuple(float(r) for r in self.rscales))
        if self.type is None:
            if self.scale is None:
                raise DesignError(
                    "replicate weights need type= (or scale=): "
                    + replicate_type_guide(lambda t: f"type={t!r}", _python_option),
                    location="type")
            object.__setattr__(self, "type", "other")
        if self.type not in _REPTYPES:
            raise DesignError(
                f"type={self.type!r} is not one of {', '.join(_REPTYPES)}", location="type"
            )
        if self.type == "Fay" and self.rho is None:
            raise DesignError("type='Fay' needs rho", location="rho", hint="e.g. rho=0.5")
        if self.type == "JKn" and self.rscales is None and self.combined_weights:
            raise DesignError(
                "type='JKn' with combined weights needs rscales", location="rscales",
                hint="rscales[r] = (n_h - 1) / n_h for the stratum replicate r drops a PSU from",
            )
        if self.rscales is not None and self.repweights and len(self.rscales) not in (
            1, len(self.repweights)
        ):
            raise DesignError(
                f"rscales has {len(self.rscales)} values for {len(self.repweights)} replicates",
                location="rscales",
            )

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column the design reads."""
        return tuple(c for c in (self.weights, *self.repweights) if c is not None)
