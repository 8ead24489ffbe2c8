"""Without-replacement PPS first stages, as R's ``svydesign(pps=...)``.

Three variances of a total from the PSU totals ``z`` of the weighted values:

* Brewer's approximation (``pps="brewer"``): R's ordinary one-stage formula with each
  PSU's own finite population correction ``1 - pi_i``,
  ``sum_h n_h / (n_h - 1) sum_i (1 - pi_i) (z_i - zbar_h)^2``.
* Horvitz-Thompson, ``z' D z`` with ``D_ij = (pi_ij - pi_i pi_j) / pi_ij``: the joint
  probabilities given (``PPSMatrix``, R's ``ppsmat``) or Overton's approximation, as
  R's ``overton2Dcheck``: within a stratum of ``n`` PSUs ``D_ij = 1 - (n - fbar) /
  (n - 1)`` with ``fbar = (pi_i + pi_j) / 2`` (0 across strata), ``D_ii = 1 - pi_i``,
  ``pi_i = 1 / weight``.
* Yates-Grundy, ``z' D z - z' diag(1' D) z`` (R's ``ygvar.matrix``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from survey.design._design import Design, PPSMatrix
from survey.errors import DesignError

if TYPE_CHECKING:  # scipy loads only when a PPS design is bound (start-up time)
    from scipy import sparse

__all__ = ["PPSStage", "bind_pps", "pps_vcov"]


@dataclass(frozen=True)
class PPSStage:
    """A PPS first stage: each PSU's inclusion probability, and the HT matrix (or None:
    Brewer's approximation, the one-stage formula with per-PSU fpc)."""

    pi: np.ndarray  # (n_psu,)
    dcheck: Any  # scipy.sparse.csr_array | None
    yg: bool


def psu_probabilities(df: pl.DataFrame, psu: pl.Series, n_psu: int, col: str) -> np.ndarray:
    """Each PSU's inclusion probability from the fpc column (constant within a PSU, in
    (0, 1]: R's ``as.fpc(pps=TRUE)`` takes fractions only)."""
    s = df[col].cast(pl.Float64)
    if k := s.null_count():
        raise DesignError(f"fpc column {col!r} has {k} nulls", location=col)
    agg = (pl.DataFrame({"p": psu, "v": s}).group_by("p")
           .agg(pl.col("v").first(), pl.col("v").n_unique().alias("k")).sort("p"))
    if (agg["k"] > 1).any():
        raise DesignError(f"fpc column {col!r} varies within a PSU", location=col,
                          hint="a PPS design reads the fpc as each PSU's inclusion probability")
    pi = np.ones(n_psu)
    pi[agg["p"].to_numpy()] = agg["v"].to_numpy()
    if ((pi <= 0) | (pi > 1)).any():
        raise DesignError(f"fpc column {col!r} must hold inclusion probabilities in (0, 1] "
                          "for a PPS design (R: 'fpc must be specified as sampling fraction "
                          "for PPS sampling')", location=col)
    return pi


def bind_pps(d: Design, pi: np.ndarray, psu_h: np.ndarray, n_h: np.ndarray,
             n_rows: int) -> PPSStage:
    """The PPS stage of design ``d`` from the PSUs' inclusion probabilities ``pi``."""
    from scipy import sparse

    if isinstance(d.pps, PPSMatrix):
        joint = d.pps.joint
        if d.stage_ids or joint.shape[0] != n_rows:
            raise DesignError(f"the joint inclusion matrix is {joint.shape[0]} x "
                              f"{joint.shape[1]} for {n_rows} rows", location="pps",
                              hint="give one row and column per sampled row, in frame order "
                              "(each row its own PSU, as R's ppsmat)")
        p = np.diag(joint)
        with np.errstate(divide="ignore", invalid="ignore"):
            D = np.where(joint > 0, (joint - np.outer(p, p)) / joint, 0.0)
        D[np.abs(D) < d.pps.tolerance] = 0.0
        return PPSStage(p, sparse.csr_array(D), d.variance == "YG")
    if d.pps == "overton":
        return PPSStage(pi, _overton(pi, psu_h, n_h), d.variance == "YG")
    return PPSStage(pi, None, False)


def _overton(pi: np.ndarray, psu_h: np.ndarray, n_h: np.ndarray) -> sparse.csr_array:
    """R's ``overton2Dcheck``: block diagonal by stratum."""
    from scipy import sparse

    order = np.argsort(psu_h, kind="stable")
    blocks = []
    for h in range(n_h.shape[0]):
        p = pi[order[psu_h[order] == h]]
        n = float(p.shape[0])
        fbar = (p[:, None] + p[None, :]) / 2
        with np.errstate(divide="ignore", invalid="ignore"):
            B = 1 - (n - fbar) / (n - 1) if n > 1 else np.zeros_like(fbar)
        B[fbar == 1] = 0.0
        np.fill_diagonal(B, 1 - p)
        blocks.append(B)
    M = sparse.block_diag(blocks, format="csr")
    inv = np.empty_like(order)
    inv[order] = np.arange(order.shape[0])
    return sparse.csr_array(M[inv][:, inv])


def pps_vcov(stage: PPSStage, Z: np.ndarray) -> np.ndarray:
    """``Z' D Z`` (Horvitz-Thompson) or less ``Z' diag(1'D) Z`` (Yates-Grundy)."""
    assert stage.dcheck is not None
    D = stage.dcheck
    v = Z.T @ (D @ Z)
    if stage.yg:
        c = np.asarray(D.sum(axis=0)).ravel()
        v = v - (Z * c[:, None]).T @ Z
    return np.asarray(v)
