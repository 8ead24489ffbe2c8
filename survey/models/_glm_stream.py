"""Design-based GLMs on a lazy design: IRLS by streamed passes of sums, as R's ``svyglm``.

The rows never load. A fit on a :class:`~survey.design.LazySurveyFrame` (linearisation
design, polars engine) reads them in passes, each a GROUP BY of sums through the lazy
design's backend (polars' streaming engine):

1. one pass for the model's setup: the mean weight R's svyglm rescales by, the rows
   left after dropping those missing a model variable (R's ``na.omit``), the levels of
   the categorical terms among them, and checks of the outcome and of non-finite values;
2. one pass per IRLS iteration, plus one for the starting values: the linear predictor
   ``eta = X beta`` is a polars expression over the columns, and the pass sums the
   deviance at ``beta`` and the normal equations of the next step, ``X'WX`` and
   ``X'Wr`` (``p(p+1)/2 + p`` sums); the coefficients then move by the same Newton step
   and stop by the same rule as the in-memory :func:`~survey.models._glm.irls` (R's
   ``glm.control``), so they agree with it to rounding;
3. one pass for the sandwich: the PSU totals of the scores (grouped by stratum and PSU;
   without clusters, each stratum's sums of the scores and of their cross-products,
   since every row is a PSU), finished by the same variance code as the rows in memory.

The design matrix is coded as in memory: patsy builds the ``DesignInfo`` on a few rows
with the levels of every fitted row, and each column is a polars expression of a column
(a number, or a contrast matrix's entry for a category), as
:func:`~survey.models._design_matrix.fill_design` fills them.

What needs the rows is refused with :class:`~survey.errors.NotStreamable`: replicate
designs, families other than the logistic and linear models, outcomes that are not one
numeric column, interactions, functions of columns, offsets, domains, PPS and an fpc at
later stages; a logistic fit with fitted probabilities at 0 or 1 (separation is looked
for on the rows).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import patsy
import polars as pl

from survey.design import LazySurveyFrame, Sum
from survey.design._backend import Backend
from survey.errors import ModelError, NotStreamable
from survey.estimators._engine import taylor_vcov
from survey.estimators._stream import row_stratum_factors
from survey.models._design_matrix import _plain
from survey.models._families import Fam, family_of
from survey.models._formula import (
    _OFFSET,
    ModelFrame,
    _Columns,
    _is_categorical,
    _levels,
    _names_in,
    _parse,
)
from survey.models._glm import _Normal, aliased, raise_rank
from survey.models._namespace import check_formula, display_name, eval_env
from survey.models._results import ModelResult, build_result

__all__ = ["svyglm_lazy"]

_EPS = float(np.finfo(float).eps)
_MEMORY = "bind the rows in memory (SurveyFrame; --engine memory)"
_SUPPORTED = {("binomial", "logit"), ("gaussian", "identity")}

_ETA, _PREV, _Y, _PW = "__svyglm_eta", "__svyglm_etap", "__svyglm_y", "__svyglm_pw"


def _x(j: int) -> str:
    return f"__svyglm_x{j}"


def _refuse(what: str) -> NotStreamable:
    return NotStreamable(f"{what}: that needs the rows in memory", hint=_MEMORY)


def _check_design(lsf: LazySurveyFrame, fam: Fam, *, outcome: Any, where: Any) -> None:
    """Refuse what the streamed fit does not do (see the module docstring)."""
    if lsf.is_replicate:
        raise _refuse("a replicate design refits the model with each replicate's weights "
                      "(not streamed)")
    if lsf.backend.engine != "polars":
        raise NotStreamable("the streamed svyglm builds its working columns as polars "
                            "expressions: Spark is not supported",
                            hint="scan the data with polars (pl.scan_parquet), or "
                                 + _MEMORY)
    if getattr(lsf.design, "pps", None) is not None or lsf.pps_rows is not None:
        raise _refuse("a PPS design's variance of a model")
    if lsf.stage_codes:
        raise _refuse("an fpc at later stages (R's multistage variance of a model)")
    if where is not None:
        raise _refuse("a domain (where=) of a model")
    if outcome is not None:
        raise _refuse("an outcome given as an expression (outcome=)")
    if (fam.name, fam.link) not in _SUPPORTED:
        raise _refuse(f"the {fam.name} family with the {fam.link} link (streamed: binomial "
                      "with logit, gaussian with identity)")


def _terms(lsf: LazySurveyFrame, formula: str
           ) -> tuple[Any, str, list[tuple[Any, str]], list[str], str]:
    """The right-hand side terms, the outcome column, each factor with its column, the
    categorical columns and the outcome's label; refuses what is not plain."""
    columns = set(lsf.schema)
    text = check_formula(formula, columns).text
    desc, lhs = _parse(text, None)
    factors: list[tuple[Any, str]] = []
    for term in desc.rhs_termlist:
        codes = [f.code for f in term.factors]
        if len(codes) > 1:
            raise _refuse(f"the interaction {':'.join(codes)}")
        for factor in term.factors:
            if _OFFSET.match(factor.code):
                raise _refuse(f"the offset {factor.code}")
            got = _plain(factor.code, columns)
            if got is None:
                raise _refuse(f"the term {factor.code!r}, a function of columns")
            col, coded = got
            dt = lsf.schema[col]
            if not _is_categorical(dt):
                if coded:
                    raise _refuse(f"the term {factor.code!r} (C() of a numeric column: its "
                                  "levels are found on the rows)")
                if not dt.is_numeric():
                    raise ModelError(f"column {col!r} is {dt}: neither numeric nor categorical",
                                     location=col, hint="cast it, or use it through an expression")
            factors.append((factor, col))
    got = (_plain(lhs[0].factors[0].code, columns)
           if len(lhs) == 1 and len(lhs[0].factors) == 1 else None)
    if got is None or got[1] or not lsf.schema[got[0]].is_numeric():
        raise _refuse("an outcome that is not one numeric column (a factor or an expression)")
    cats = sorted({c for _, c in factors if _is_categorical(lsf.schema[c])})
    return desc, got[0], factors, cats, formula.split("~", 1)[0].strip()


def _weight(lsf: LazySurveyFrame) -> pl.Expr:
    return pl.col(lsf.weights).cast(pl.Float64) if lsf.weights else pl.lit(1.0, pl.Float64)


def _count(name: str, lsf: LazySurveyFrame, kind: str = "col") -> Sum:
    """A sum of the weights (``kind="col"``) or a count of rows of non-zero weight."""
    return Sum(name, ((kind, lsf.weights),) if lsf.weights else (("one", ""),))


def _setup(lsf: LazySurveyFrame, fam: Fam, y: str, variables: Sequence[str],
           cats: Sequence[str], fitted: pl.Expr
           ) -> tuple[float, int, dict[str, tuple[object, ...]]]:
    """One pass: R's mean weight, the fitted rows and the levels of ``cats`` among them;
    refuses non-finite values and (binomial) outcomes outside {0, 1}."""
    floats = [v for v in variables if lsf.schema[v].is_float()]
    bad = pl.any_horizontal([~pl.col(v).is_finite() for v in floats]) if floats else pl.lit(False)
    yv = pl.col(y).cast(pl.Float64)
    named = {"__svyglm_fit": fitted.cast(pl.Float64),
             "__svyglm_bad": (fitted & bad).fill_null(False).cast(pl.Float64),
             "__svyglm_out": (fitted & ((yv < 0) | (yv > 1))).fill_null(False).cast(pl.Float64),
             "__svyglm_frac": (fitted & (yv != 0) & (yv != 1)).fill_null(False).cast(pl.Float64)}
    sums = [_count("__w", lsf), _count("__nz", lsf, "nonzero"),
            *(Sum(c, (("col", c),)) for c in named)]
    L = lsf.backend.with_columns(named).aggregate(list(cats), sums, step="model rows")
    n_fit = int(round(float(L["__svyglm_fit"].sum())))
    if n_fit == 0:
        raise ModelError("no row is left to fit: the domain is empty or every row misses "
                         "a model variable", location="where")
    if L["__svyglm_bad"].sum() > 0:
        raise ModelError("the design matrix or outcome has non-finite values",
                         location="formula", hint="check transformations such as log(0)")
    if fam.name == "binomial":
        if L["__svyglm_out"].sum() > 0:
            raise ModelError("a binomial outcome must lie in [0, 1]", location="outcome")
        if L["__svyglm_frac"].sum() > 0:
            raise _refuse("a binomial outcome with values between 0 and 1 (proportions)")
    mean_w = float(L["__w"].sum()) / max(float(L["__nz"].sum()), 1.0)
    seen = L.filter(pl.col("__svyglm_fit") > 0)
    return mean_w, n_fit, {c: _levels(seen[c]) for c in cats}


def _key(level: object) -> str:
    """A level as its column reads cast to text (Booleans: ``true``/``false``)."""
    return str(level).lower() if isinstance(level, bool) else str(level)


def _column_exprs(info: Any, factor_columns: Mapping[Any, str]) -> list[pl.Expr]:
    """The design matrix's columns as polars expressions, coded as ``fill_design``."""
    out: list[pl.Expr | None] = [None] * len(info.column_names)
    for term in info.terms:
        k = info.term_slices[term].start
        for sub in info.term_codings[term]:
            if not sub.factors:
                out[k] = pl.lit(1.0, pl.Float64)
                k += 1
                continue
            (f,) = sub.factors
            col = pl.col(factor_columns[f])
            if f in sub.contrast_matrices:
                M = np.asarray(sub.contrast_matrices[f].matrix, dtype=float)
                keys = [_key(c) for c in info.factor_infos[f].categories]
                for j in range(M.shape[1]):
                    out[k] = col.cast(pl.String).replace_strict(
                        keys, M[:, j].tolist(), default=0.0, return_dtype=pl.Float64)
                    k += 1
            else:
                out[k] = col.cast(pl.Float64)
                k += 1
    assert all(e is not None for e in out)
    return out  # type: ignore[return-value]


def _linear(beta: np.ndarray | None, p: int) -> pl.Expr:
    """``X beta`` over the design matrix's columns."""
    assert beta is not None
    eta = pl.lit(0.0, pl.Float64)
    for j in range(p):
        eta = eta + pl.col(_x(j)) * float(beta[j])
    return eta


def _state(fam: Fam, eta: pl.Expr) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """``mu``, ``dmu/deta`` and each row's deviance at ``eta`` as ``state`` computes them
    (the logit link with a 0/1 outcome: from one exponential)."""
    y, w = pl.col(_Y), pl.col(_PW)
    if fam.name == "gaussian":
        return eta, pl.lit(1.0, pl.Float64), w * (y - eta) ** 2
    a = eta.abs()
    e = (-a).exp()
    q = 1.0 / (e + 1.0)
    eq = e * q
    pos = eta >= 0
    mu = pl.when(pos).then(q).otherwise(eq)
    nll = e.log1p() + a * (pos != (y > 0.5)).cast(pl.Float64)
    return mu, eq * q, 2.0 * w * nll


def _work(fam: Fam, eta: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """The working weight and working residual ``(y - mu) / mu'`` at ``eta`` (zero
    where ``mu' = 0``, as ``irls`` leaves such rows out)."""
    mu, me, _ = _state(fam, eta)
    if fam.name == "gaussian":
        return pl.col(_PW), pl.col(_Y) - mu
    live = me != 0
    return (pl.when(live).then(pl.col(_PW) * me).otherwise(0.0),
            pl.when(live).then((pl.col(_Y) - mu) / me).otherwise(0.0))


def _start(fam: Fam) -> pl.Expr:
    """R's starting linear predictor, ``linkfun(family$initialize)``."""
    y, w = pl.col(_Y), pl.col(_PW)
    if fam.name == "gaussian":
        return y
    mu = (w * y + 0.5) / (w + 1.0)
    return (mu / (1.0 - mu)).log()


def _pass(base: Backend, fam: Fam, eta: pl.Expr, p: int, fitted: pl.Expr, *,
          first: bool) -> tuple[float, int, np.ndarray, np.ndarray]:
    """One IRLS pass at ``eta``: the deviance, rows with a mean outside (0, 1), and the
    normal equations ``X'WX``, ``X'Wr`` (``first``: ``X'Wz``, ``z = eta + r``)."""
    rows = base.with_columns({_ETA: eta})
    mu, _, dev = _state(fam, pl.col(_ETA))
    work, resid = _work(fam, pl.col(_ETA))
    rhs = pl.col(_ETA) + resid if first else resid
    rows = rows.with_columns({"__svyglm_dev": dev, "__svyglm_mu": mu, "__svyglm_w": work,
                              "__svyglm_r": rhs})
    m = pl.col("__svyglm_mu")
    outside = (m <= 0) | (m >= 1) if fam.name == "binomial" else pl.lit(False)
    rows = rows.with_columns({"__svyglm_wr": pl.col("__svyglm_w") * pl.col("__svyglm_r"),
                              "__svyglm_bad": outside.cast(pl.Float64)})
    sums = [Sum("__dev", (("col", "__svyglm_dev"),)), Sum("__bad", (("col", "__svyglm_bad"),))]
    sums += [Sum(f"__g{i}_{j}", (("col", _x(i)), ("col", _x(j)), ("col", "__svyglm_w")))
             for i in range(p) for j in range(i, p)]
    sums += [Sum(f"__b{j}", (("col", _x(j)), ("col", "__svyglm_wr"))) for j in range(p)]
    L = rows.aggregate([], sums, where=fitted, step="model fit")
    G = np.zeros((p, p))
    for i in range(p):
        for j in range(i, p):
            G[i, j] = G[j, i] = float(L[f"__g{i}_{j}"][0])
    b = np.array([float(L[f"__b{j}"][0]) for j in range(p)])
    return float(L["__dev"][0]), int(round(float(L["__bad"][0]))), G, b


def _irls(base: Backend, fam: Fam, p: int, fitted: pl.Expr, names: Sequence[str], *,
          epsilon: float, maxit: int
          ) -> tuple[np.ndarray, pl.Expr, np.ndarray, float, bool]:
    """``irls`` by passes: the coefficients, the linear predictor the last step started
    from (its working weights are R's ``glm$weights``), the information there, the
    deviance and whether the fit converged."""
    start = _start(fam)
    devold, _, G, b = _pass(base, fam, start, p, fitted, first=True)
    raise_rank(aliased(G, names))
    coef: np.ndarray | None = None
    prev, info = start, G
    for _ in range(maxit):
        step = _Normal(G).solve(b)
        new = step if coef is None else coef + step
        dev, bad, G_new, b_new = _pass(base, fam, _linear(new, p), p, fitted, first=False)
        halvings = 0
        while coef is not None and halvings < maxit and not (np.isfinite(dev) and bad == 0):
            new = (new + coef) / 2
            dev, bad, G_new, b_new = _pass(base, fam, _linear(new, p), p, fitted, first=False)
            halvings += 1
        if not (np.isfinite(dev) and bad == 0):
            raise ModelError("no valid set of coefficients: the fitted means leave the "
                             f"{fam.name} family's range with the {fam.link} link",
                             location="link", hint="try another --link (e.g. log)")
        if abs(dev - devold) / (abs(dev) + 0.1) < epsilon:
            return new, prev, info, dev, True
        prev, info = _linear(new, p), G_new
        coef, devold, G, b = new, dev, G_new, b_new
    assert coef is not None
    return coef, prev, info, devold, False


def _link_mu(fam: Fam, eta: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """``linkinv`` and ``mu.eta`` with R's guards (as the family's functions)."""
    if fam.name == "gaussian":
        return eta, pl.lit(1.0, pl.Float64)
    t = (pl.when(eta < -30.0).then(_EPS).when(eta > 30.0).then(1.0 / _EPS)
         .otherwise(eta.clip(-30.0, 30.0).exp()))
    e = (-eta.abs()).exp()
    return t / (1.0 + t), pl.when(eta.abs() > 30.0).then(_EPS).otherwise(e / (1.0 + e) ** 2)


def _sandwich(lsf: LazySurveyFrame, base: Backend, fam: Fam, beta: np.ndarray,
              prev: pl.Expr, Ainv: np.ndarray, fitted: pl.Expr
              ) -> tuple[np.ndarray, int, int, float, float]:
    """One pass grouped by stratum and PSU: the design covariance of the coefficients
    (``sandwich``), R's ``degf`` of the fitted rows, the rows, their weight and the
    largest ``|eta|``."""
    p = beta.shape[0]
    rows = base.with_columns({_ETA: _linear(beta, p), _PREV: prev})
    mu, me = _link_mu(fam, pl.col(_ETA))
    work, _ = _work(fam, pl.col(_PREV))
    rows = rows.with_columns({"__svyglm_r": (pl.col(_Y) - mu) / me * work})
    by_row = lsf.rows_are_psus
    sums = [Sum("__n", (("one", ""),)), _count("__wsum", lsf),
            Sum("__etamax", (("col", _ETA),), kind="max"),
            *(Sum(f"__t{j}", (("col", _x(j)), ("col", "__svyglm_r"))) for j in range(p))]
    if by_row:  # every row a PSU: the strata's sums of the scores' cross-products too
        sums += [Sum(f"__s{i}_{j}", (("col", _x(i)), ("col", _x(j)), ("col", "__svyglm_r"),
                                     ("col", "__svyglm_r"))) for i in range(p) for j in range(i, p)]
    keys = list(lsf.psu_columns)
    L = rows.aggregate(keys, sums, where=fitted, step="model variance")
    T = L.select(f"__t{j}" for j in range(p)).to_numpy()
    n_rows = L["__n"].to_numpy()
    if keys:
        coded = L.join(lsf.psu_keys, on=keys, how="left", maintain_order="left",
                       nulls_equal=True)
        code = coded[lsf.psu_code].to_numpy().astype(np.int64)
    else:
        code = np.zeros(L.height, dtype=np.int64)
    live = n_rows > 0
    if by_row:
        S = np.zeros((L.height, p, p))
        for i in range(p):
            for j in range(i, p):
                S[:, i, j] = S[:, j, i] = L[f"__s{i}_{j}"].to_numpy()
        vcov = _rows_vcov(lsf, code, T, S, Ainv)
        degf = int(n_rows.sum()) - np.unique(code[live]).shape[0]
    else:
        small = lsf.small
        assert small is not None
        totals = np.zeros((lsf.n_psu, p))
        np.add.at(totals, code, T)
        vcov = taylor_vcov(small, totals @ Ainv)
        psus = np.unique(code[live])
        degf = psus.shape[0] - np.unique(small._psu_h[psus]).shape[0]
    return (vcov, int(degf), int(round(float(n_rows.sum()))), float(L["__wsum"].sum()),
            float(L["__etamax"].max()))


def _rows_vcov(lsf: LazySurveyFrame, code: np.ndarray, T: np.ndarray, S: np.ndarray,
               Ainv: np.ndarray) -> np.ndarray:
    """R's ``svyrecvar`` when every row is a PSU, from each stratum's sums of the scores
    ``t_h`` and of their cross-products ``S_h``: the centred sum of squares is
    ``S_h - t_h t_h' / n_h`` (as the estimators' ``_rows_fit``), then ``A^-1 . A^-1``."""
    n_h, scale, centre, mult = row_stratum_factors(lsf)
    H, p = n_h.shape[0], T.shape[1]
    t = np.zeros((H, p))
    np.add.at(t, code, T)
    Sh = np.zeros((H, p, p))
    np.add.at(Sh, code, S)
    c = centre / np.maximum(n_h, 1)
    V = np.einsum("h,hab->ab", scale, Sh) - (t * (scale * c)[:, None]).T @ t
    V = Ainv @ ((V + V.T) / 2) @ Ainv * mult
    return (V + V.T) / 2


def svyglm_lazy(lsf: LazySurveyFrame, formula: str, *, family: str = "binomial",
                link: str | None = None, theta: float | None = None,
                outcome: pl.Expr | None = None, where: pl.Expr | None = None,
                level: float = 0.95, epsilon: float = 1e-8, maxit: int = 25) -> ModelResult:
    """:func:`~survey.models.svyglm` on a lazy design, by streamed passes (module
    docstring): the same coefficients, standard errors and degrees of freedom as the
    rows in memory. The result carries no model frame (predictions, marginal effects,
    working LRTs and model choice need the rows)."""
    fam = family_of(family, link, theta=theta)
    _check_design(lsf, fam, outcome=outcome, where=where)
    desc, y, factors, cats, label = _terms(lsf, formula)
    rhs_vars: set[str] = set()
    for term in desc.rhs_termlist:
        for factor in term.factors:
            rhs_vars |= _names_in(factor.code, set(lsf.schema))
    variables = sorted(rhs_vars | {y})
    w = _weight(lsf)
    fitted = pl.all_horizontal([pl.col(v).is_not_null() for v in variables]) & (w > 0)
    mean_w, _, levels = _setup(lsf, fam, y, variables, cats, fitted)
    if factors:  # patsy codes a few fitted rows with every fitted row's levels
        head = lsf.backend.head(variables, 8, notnull=variables, nonzero=lsf.weights)
        ns: Any = _Columns(head, levels)
    else:
        ns = pd.DataFrame(index=range(1))
    try:
        info = patsy.dmatrix(patsy.ModelDesc([], desc.rhs_termlist), ns, eval_env=eval_env(),
                             NA_action="raise", return_type="matrix").design_info
    except patsy.PatsyError as exc:
        raise ModelError(f"cannot build the design matrix: {exc}", location="formula") from exc
    names = tuple(display_name(n) for n in info.column_names)
    exprs = _column_exprs(info, dict(factors))
    p = len(exprs)
    base = lsf.backend.with_columns({**{_x(j): e for j, e in enumerate(exprs)},
                                     _Y: pl.col(y).cast(pl.Float64), _PW: w / mean_w})
    beta, prev, info_m, dev, converged = _irls(base, fam, p, fitted, names,
                                               epsilon=epsilon, maxit=maxit)
    if not converged:
        raise ModelError(f"the model did not converge in {maxit} iterations",
                         location="formula", hint="raise maxit=")
    Ainv = np.linalg.inv(info_m)
    vcov, degf, n_fit, w_fit, eta_max = _sandwich(lsf, base, fam, beta, prev, Ainv, fitted)
    if fam.name == "binomial" and not (eta_max < 15 and np.abs(beta).max() < 20):
        raise _refuse("fitted probabilities of 0 or 1: looking for separation")
    slices = {display_name(name): sl for name, sl in info.term_name_slices.items()}
    mf = ModelFrame(y=np.empty(0), X=np.empty((0, p)), names=names, w=np.empty(0),
                    psu=np.empty(0, np.int64), h=np.empty(0, np.int64),
                    rows=np.empty(0, np.int64), design_info=info, term_slices=slices,
                    variables=tuple(sorted(rhs_vars)), outcome=label, levels=levels,
                    frame=pl.DataFrame())
    res = build_result(model="glm", family=fam.name, link=fam.link, formula=formula, mf=mf,
                       coef=beta, vcov=vcov, df_resid=float(degf + 1 - p), level=level,
                       method="linearisation", ci_dist="t", naive_vcov=Ainv)
    return replace(res, n=n_fit, n_weighted=w_fit, deviance=dev, _mf=None)
