"""The dimensions of a scale under a design: principal components as R's
``svyprcomp`` and maximum-likelihood factor analysis as R's ``svyfactanal``.

``svyprcomp``: R's arithmetic step for step. Each row is multiplied by
``sqrt(w / mean(w))`` (``w`` the sampling weight, zero outside a domain), the columns
are centred on their plain means (and scaled to unit standard deviation with
``scale=True``, R's ``scale. = TRUE``), and the singular value decomposition gives the
rotation and ``sdev = d / sqrt(n - 1)``. Rows with a missing value are left out (R's
``na.omit``), and so are rows outside a domain, as R's ``subset`` drops them.

``svyfactanal``: ``factanal`` on the design-weighted covariance (R's ``svyvar``; only its
correlation matters): uniquenesses ``Psi`` minimising the maximum-likelihood
discrepancy ``sum(log e - e) - q + p`` over the smallest eigenvalues ``e`` of
``Psi^-1/2 R Psi^-1/2``, bounded to ``[0.005, 1]`` (R's ``lower``); loadings from the
leading eigenvectors; varimax rotation (Kaiser normalised) run to convergence, factors
ordered by their sums of squares and signed so each column sums positive, as R's
``factanal``. R's ``optim`` stops early by default (``factr = 1e7``, varimax
``eps = 1e-5``: about 1e-5 off); the fixtures run R at tight control and this solves
the same problem to convergence. ``n = "none"`` only (R's default): no chi-square test.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import polars as pl
from scipy import linalg, optimize

from survey._display import html_frame
from survey.design import SurveyFrame
from survey.design._frame import W
from survey.errors import ModelError

__all__ = ["Components", "FactorAnalysis", "svyfactanal", "svyprcomp"]


@dataclass(frozen=True, eq=False)
class Components:
    """Principal components, as R's ``svyprcomp``.

    Attributes
    ----------
    table
        One row per component: ``component`` (``PC1``...), ``sdev``, ``proportion``
        (of the total variance), ``cumulative``.
    rotation
        The loadings: ``variable`` and one column per component (R's ``rotation``;
        each column's sign is arbitrary, as R's).
    center, scale
        The columns' centres and scales (``None``: not scaled).
    """

    table: pl.DataFrame
    rotation: pl.DataFrame
    center: tuple[float, ...]
    scale: tuple[float, ...] | None
    n: int
    variables: tuple[str, ...] = field(default=())

    def to_frame(self) -> pl.DataFrame:
        """The per-component table."""
        return self.table

    def _repr_html_(self) -> str:
        """Jupyter: the principal components as the other results show theirs."""
        return html_frame(self.to_frame(), title="principal components")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: ``components`` with their ``loadings`` by variable."""
        comps = []
        for k, row in enumerate(self.table.iter_rows(named=True)):
            col = self.rotation.columns[k + 1]
            comps.append({**row, "loadings": dict(zip(self.rotation["variable"].to_list(),
                                                      self.rotation[col].to_list(),
                                                      strict=True))})
        return {"method": "svyprcomp", "variables": list(self.variables), "n": self.n,
                "scaled": self.scale is not None, "components": comps}


@dataclass(frozen=True, eq=False)
class FactorAnalysis:
    """A maximum-likelihood factor analysis, as R's ``svyfactanal``.

    Attributes
    ----------
    loadings
        Long format: ``variable``, ``factor`` (``Factor1``...), ``loading``,
        ``uniqueness``.
    uniquenesses
        Per variable, in the order given.
    objective
        The minimised discrepancy (R's ``criteria["objective"]``).
    factors, rotation, converged
    """

    loadings: pl.DataFrame
    uniquenesses: tuple[float, ...]
    objective: float
    factors: int
    rotation: str
    converged: bool
    variables: tuple[str, ...]

    def to_frame(self) -> pl.DataFrame:
        """The loadings, one row per variable and factor."""
        return self.loadings

    def _repr_html_(self) -> str:
        """Jupyter: the factor loadings as the other results show theirs."""
        return html_frame(self.to_frame(), title="factor loadings")

    def matrix(self) -> np.ndarray:
        """The loadings as a ``variables x factors`` array."""
        return self.loadings["loading"].to_numpy().reshape(len(self.variables), self.factors)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with the ``loadings`` rows."""
        return {"method": "svyfactanal", "factors": self.factors, "rotation": self.rotation,
                "objective": self.objective, "converged": self.converged,
                "variables": list(self.variables), "loadings": self.loadings.to_dicts()}


def _matrix(sf: SurveyFrame, variables: Sequence[str], where: pl.Expr | None
            ) -> tuple[np.ndarray, np.ndarray]:
    """The domain's rows with every variable present: their values and weights, in
    frame order (R's ``subset`` of a design drops the other rows before svyprcomp's
    ``model.frame``)."""
    variables = list(variables)
    missing = [v for v in variables if v not in sf.frame.columns]
    if missing:
        raise ModelError(f"columns {missing} are not in the frame", location="variables")
    bad = [v for v in variables if not sf.frame[v].dtype.is_numeric()]
    if bad:
        raise ModelError(f"columns {bad} are not numeric", location="variables",
                         hint="give numeric items (scores), or recode them")
    inside = sf.in_domain_expr()
    if where is not None:
        inside = inside & where.fill_null(False)
    complete = pl.all_horizontal([pl.col(v).is_not_null() for v in variables])
    try:
        rows = sf._data.filter(complete & inside).select(
            *(pl.col(v).cast(pl.Float64) for v in variables), pl.col(W).alias("__w"))
    except pl.exceptions.PolarsError as exc:
        raise ModelError(f"cannot evaluate the domain: {exc}", location="where") from exc
    X = rows.select(variables).to_numpy()
    w = rows["__w"].to_numpy().astype(float)
    if X.shape[0] < 2 or not np.any(w > 0):
        raise ModelError("fewer than two rows with every variable present in the domain",
                         location="where")
    return X, w


def svyprcomp(sf: SurveyFrame, variables: Sequence[str], *, scale: bool = False,
              center: bool = True, where: pl.Expr | None = None) -> Components:
    """Design-weighted principal components, as R's ``svyprcomp``.

    Parameters
    ----------
    sf
        The bound design (only its weights enter, as R's).
    variables
        Numeric columns.
    scale
        ``True``: components of the standardised columns (R's ``scale. = TRUE``);
        default ``False``, as R.
    center
        Centre the (weighted) columns first (R's ``center = TRUE``).
    where
        A subpopulation (domain): its rows only, as R's ``subset``.

    Examples
    --------
    >>> import polars as pl
    >>> from survey.design import svydesign
    >>> df = pl.DataFrame({"a": [1., 2, 3, 4, 5], "b": [2., 1, 4, 3, 6], "w": [1., 2, 1, 2, 1]})
    >>> svyprcomp(svydesign(df, weights="w"), ["a", "b"]).to_frame()["component"].to_list()
    ['PC1', 'PC2']
    """
    X, w = _matrix(sf, variables, where)
    x = X * np.sqrt(w / w.mean())[:, None]
    cen = x.mean(axis=0) if center else np.zeros(x.shape[1])
    x = x - cen
    sc = None
    if scale:
        sc = np.sqrt((x**2).sum(axis=0) / max(1, x.shape[0] - 1))
        if np.any(sc == 0):
            raise ModelError("cannot rescale a constant column to unit variance",
                             location="variables")
        x = x / sc
    _, d, vt = linalg.svd(x, full_matrices=False, lapack_driver="gesdd")
    sdev = d / np.sqrt(max(1, x.shape[0] - 1))
    names = [f"PC{k + 1}" for k in range(sdev.shape[0])]
    var = sdev**2
    table = pl.DataFrame({"component": names, "sdev": sdev, "proportion": var / var.sum(),
                          "cumulative": np.cumsum(var) / var.sum()})
    rotation = pl.DataFrame({"variable": list(variables),
                             **{n: vt[k] for k, n in enumerate(names)}})
    return Components(table, rotation, tuple(cen.tolist()),
                      None if sc is None else tuple(sc.tolist()), int(X.shape[0]),
                      tuple(variables))


def _weighted_correlation(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    keep = w > 0
    X, w = X[keep], w[keep]
    xc = X - np.average(X, axis=0, weights=w)
    cov = (xc * w[:, None]).T @ xc
    sd = np.sqrt(np.diag(cov))
    if np.any(sd == 0):
        raise ModelError("a variable is constant in the domain", location="variables")
    return cov / np.outer(sd, sd)


def _eig(psi: np.ndarray, S: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    sc = 1 / np.sqrt(psi)
    vals, vecs = np.linalg.eigh(S * np.outer(sc, sc))
    return vals[::-1], vecs[:, ::-1]


def _loadings(psi: np.ndarray, S: np.ndarray, q: int) -> np.ndarray:
    vals, vecs = _eig(psi, S)
    return np.sqrt(psi)[:, None] * vecs[:, :q] * np.sqrt(np.maximum(vals[:q] - 1, 0))


def _objective(psi: np.ndarray, S: np.ndarray, q: int) -> float:
    e = _eig(psi, S)[0][q:]
    return -float(np.sum(np.log(e) - e) - q + S.shape[0])


def _gradient(psi: np.ndarray, S: np.ndarray, q: int) -> np.ndarray:
    L = _loadings(psi, S, q)
    g = L @ L.T + np.diag(psi) - S
    return np.diag(g) / psi**2


def varimax(L: np.ndarray, *, normalize: bool = True, eps: float = 1e-15,
            maxit: int = 1000) -> np.ndarray:
    """R's ``varimax`` (Kaiser normalised), iterated until the criterion stops growing
    by more than ``eps`` relative (R's default 1e-5 stops early)."""
    p, k = L.shape
    if k < 2:
        return L
    sc = np.sqrt((L**2).sum(axis=1)) if normalize else np.ones(p)
    x = L / sc[:, None]
    T = np.eye(k)
    d = 0.0
    for _ in range(maxit):
        z = x @ T
        B = x.T @ (z**3 - z * ((z**2).sum(axis=0) / p))
        u, s, vt = np.linalg.svd(B)
        T = u @ vt
        past, d = d, float(s.sum())
        if d < past * (1 + eps):
            break
    return (x @ T) * sc[:, None]


def svyfactanal(sf: SurveyFrame, variables: Sequence[str], *, factors: int,
                rotation: Literal["varimax", "none"] = "varimax", lower: float = 0.005,
                where: pl.Expr | None = None) -> FactorAnalysis:
    """Maximum-likelihood factor analysis of the design-weighted correlations, as R's
    ``svyfactanal`` (``n = "none"``).

    Parameters
    ----------
    sf
        The bound design (only its weights enter the correlations, as R's).
    variables
        Numeric columns (rows missing any are left out).
    factors
        Number of factors; the model needs ``(p - k)^2 > p + k`` for ``p`` variables.
    rotation
        ``"varimax"`` (default, as R) or ``"none"``.
    lower
        Lower bound of the uniquenesses (R's ``lower = 0.005``).
    where
        A subpopulation (domain).

    Examples
    --------
    >>> import numpy as np, polars as pl
    >>> from survey.design import svydesign
    >>> rng = np.random.default_rng(1)
    >>> f = rng.normal(size=(200, 1))
    >>> df = pl.DataFrame({f"x{j}": (f[:, 0] + rng.normal(size=200)).tolist() for j in range(4)})
    >>> fa = svyfactanal(svydesign(df.with_columns(w=pl.lit(1.0)), weights="w"),
    ...                  ["x0", "x1", "x2", "x3"], factors=1)
    >>> fa.to_frame().columns
    ['variable', 'factor', 'loading', 'uniqueness']
    """
    p = len(variables)
    if factors < 1 or (p - factors) ** 2 <= p + factors:
        raise ModelError(f"{factors} factors are too many for {p} variables",
                         location="factors", hint="the model needs (p - k)^2 > p + k")
    if rotation not in ("varimax", "none"):
        raise ModelError(f"rotation={rotation!r} is not varimax or none", location="rotation")
    X, w = _matrix(sf, variables, where)
    S = _weighted_correlation(X, w)
    start = (1 - 0.5 * factors / p) / np.diag(np.linalg.inv(S))
    res = optimize.minimize(_objective, np.clip(start, lower, 1), args=(S, factors),
                            jac=_gradient, method="L-BFGS-B", bounds=[(lower, 1.0)] * p,
                            options={"ftol": 1e-16, "gtol": 1e-13, "maxiter": 10000,
                                     "maxcor": 20})
    psi = _polish(res.x, S, factors, lower)
    L = _loadings(psi, S, factors)
    if rotation == "varimax":
        L = varimax(L)
    L = L[:, np.argsort(-(L**2).sum(axis=0), kind="stable")]
    L[:, L.sum(axis=0) < 0] *= -1
    names = [f"Factor{k + 1}" for k in range(factors)]
    frame = pl.DataFrame({
        "variable": np.repeat(np.array(list(variables), dtype=object), factors).tolist(),
        "factor": names * p, "loading": L.reshape(-1),
        "uniqueness": np.repeat(psi, factors)})
    grad = _gradient(psi, S, factors)
    free = (psi > lower) & (psi < 1)
    converged = bool(np.all(np.abs(grad[free]) < 1e-8) and np.all(grad[psi <= lower] > -1e-8))
    return FactorAnalysis(frame, tuple(psi.tolist()), _objective(psi, S, factors), factors,
                          rotation, converged, tuple(variables))


def _polish(psi: np.ndarray, S: np.ndarray, q: int, lower: float) -> np.ndarray:
    """Newton steps on the gradient of the uniquenesses off their bounds, from the
    quasi-Newton solution (whose flat optimum leaves ~1e-6 in the parameters), with a
    finite-difference Jacobian of the analytic gradient."""
    psi = psi.copy()
    free = np.flatnonzero((psi > lower * (1 + 1e-9)) & (psi < 1 - 1e-9))
    if free.size == 0:
        return psi
    for _ in range(50):
        g = _gradient(psi, S, q)[free]
        J = np.empty((free.size, free.size))
        for j, k in enumerate(free):
            h = 1e-6 * psi[k]
            up, dn = psi.copy(), psi.copy()
            up[k] += h
            dn[k] -= h
            J[:, j] = (_gradient(up, S, q)[free] - _gradient(dn, S, q)[free]) / (2 * h)
        try:
            step = np.linalg.solve(J, g)
        except np.linalg.LinAlgError:
            break
        new = np.clip(psi[free] - step, lower, 1.0)
        done = np.max(np.abs(new - psi[free]) / psi[free]) < 1e-14
        cand = psi.copy()
        cand[free] = new
        if _objective(cand, S, q) > _objective(psi, S, q) + 1e-13:
            break  # not a descent: keep the quasi-Newton solution
        psi = cand
        if done:
            break
    return psi
