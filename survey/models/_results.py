"""Model results: one frozen record per fit, with a tidy per-term table.

The vocabulary is the estimators': ``estimate`` (the coefficient), ``std_error``,
``conf_low``, ``conf_high``, ``statistic``, ``p_value``; logit models add
``odds_ratio``, ``odds_ratio_low`` and ``odds_ratio_high`` (the interval ends,
exponentiated); log- and logit-link models give the same exponentiated numbers as
``exp_estimate``, ``exp_conf_low`` and ``exp_conf_high`` (ratios of means, rates or
odds). Predictions and average marginal effects use the delta method
with the design covariance of the coefficients.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from scipy import special  # the functions scipy.stats calls, without its 1 s import

from survey._display import format_number, html_table, p_text
from survey.estimators import TestResult
from survey.estimators._dist import expit
from survey.estimators._intervals import quantile
from survey.errors import ModelError
from survey.models._families import LINKS
from survey.models._formula import ModelFrame, new_rows
from survey.models._lrt import LikelihoodRatioTest, lrt_test
from survey.models._namespace import term_key

__all__ = ["Coefficients", "ModelResult", "build_result"]

TERM_COLUMNS = ("term", "estimate", "std_error", "conf_low", "conf_high", "odds_ratio",
                "odds_ratio_low", "odds_ratio_high", "exp_estimate", "exp_conf_low",
                "exp_conf_high", "statistic", "p_value")


class Coefficients:
    """``std_error`` and ``to_frame()`` of a fit that keeps its per-term table ``terms``
    and the design covariance ``vcov`` of its coefficients (a base of the result records)."""

    terms: pl.DataFrame
    vcov: np.ndarray

    @property
    def std_error(self) -> np.ndarray:
        """Standard errors of the coefficients."""
        return np.sqrt(np.diag(self.vcov))

    def to_frame(self) -> pl.DataFrame:
        """The per-term table as a polars DataFrame."""
        return self.terms


@dataclass(frozen=True, eq=False)
class ModelResult(Coefficients):
    """A fitted design-based model.

    Attributes
    ----------
    model
        ``glm``, ``firth`` or ``ordinal``.
    family, link
        ``binomial``, ``gaussian``, ``poisson``, ``gamma``, ``inverse_gaussian``,
        ``negative_binomial`` and the link (``logit``, ``probit``, ``log``...;
        ordinal: ``ordinal`` and ``logit``, ``probit``, ``cloglog`` or ``cauchit``).
    formula, outcome
        The formula and how the response was given.
    terms
        Polars frame, one row per coefficient (ordinal models: cut points last,
        named ``"a|b"``), columns ``term``, ``estimate``, ``std_error``,
        ``conf_low``, ``conf_high``, ``odds_ratio``, ``odds_ratio_low``,
        ``odds_ratio_high`` (null unless the link is logit), ``statistic``,
        ``p_value``.
    coef, vcov
        Coefficients and their covariance (design-based unless ``method`` says
        ``model``), in ``terms`` order.
    df_resid
        Residual design degrees of freedom (``inf``: normal quantiles).
    level
        Confidence level of the table's intervals.
    method
        Variance: ``linearisation``, ``replicate (JKn)``, ``model`` (Firth's
        information matrix).
    n, n_weighted
        Rows fitted and the sum of their weights.
    deviance
        R's ``deviance(fit)``: the family's deviance with the weights rescaled to
        mean 1 (ordinal: ``-2`` times the weighted log-likelihood over the mean weight).
    theta, theta_std_error
        The negative binomial's shape (given or estimated) and, when estimated with
        the joint sandwich, its standard error.
    """

    model: str
    family: str
    link: str
    formula: str
    outcome: str
    terms: pl.DataFrame
    coef: np.ndarray = field(repr=False)
    vcov: np.ndarray = field(repr=False)
    df_resid: float
    level: float
    method: str
    n: int
    n_weighted: float
    ci_dist: str = "t"
    naive_vcov: np.ndarray | None = field(default=None, repr=False)
    cutpoints: tuple[str, ...] = ()
    deviance: float = float("nan")
    theta: float | None = None
    theta_std_error: float | None = None
    _mf: ModelFrame | None = field(default=None, repr=False)
    _design: Any = field(default=None, repr=False)
    _refit: Callable[..., ModelResult] | None = field(default=None, repr=False)

    # -- the table ------------------------------------------------------------------------

    @property
    def names(self) -> tuple[str, ...]:
        """Coefficient names, in ``coef`` order."""
        return tuple(self.terms["term"].to_list())

    def _repr_html_(self) -> str:
        """Jupyter: the coefficient table as ``survey stats logit`` prints it."""
        t = self.terms
        ratio = [c for c in t.columns if c in ("odds_ratio", "exp", "ratio") and t[c].null_count() < t.height]
        if not ratio and self.link == "log":  # ratios of means or rates: exp(estimate)
            ratio = ["exp_estimate"]
        level = f"{self.level * 100:g}%"
        heads = ["term", "estimate", "std_error", f"{level} CI"]
        if ratio:
            heads += [ratio[0].replace("_", " "), f"{level} CI ({ratio[0].replace('_', ' ')})"]
        heads.append("p_value")
        rows = []
        for rec in t.iter_rows(named=True):
            cells = [rec["term"], format_number(rec["estimate"]), format_number(rec["std_error"]),
                     f"{format_number(rec['conf_low'])} to {format_number(rec['conf_high'])}"]
            if ratio:
                r = ratio[0]
                lo, hi = ("exp_conf_low", "exp_conf_high") if r == "exp_estimate" else (
                    f"{r}_low", f"{r}_high")
                cells += [format_number(rec[r]),
                          f"{format_number(rec.get(lo))} to {format_number(rec.get(hi))}"]
            cells.append(p_text(rec.get("p_value")))
            rows.append(cells)
        df = "" if not np.isfinite(self.df_resid) else f", residual df {format_number(self.df_resid)}"
        return html_table(heads, rows, title=f"{self.model}: {self.formula}",
                          caption=f"{self.family} family, {self.link} link; {self.method} variance; "
                                  f"n = {self.n}{df}",
                          numeric=[False] + [True] * (len(heads) - 1))

    def to_dict(self) -> dict[str, Any]:
        """Plain data (the CLI's JSON): ``terms`` (one object each) and the fit's facts."""
        df = None if not np.isfinite(self.df_resid) else self.df_resid
        extra = {} if self.theta is None else {"theta": self.theta,
                                               "theta_std_error": self.theta_std_error}
        return {"model": self.model, "family": self.family, "link": self.link, **extra,
                "formula": self.formula, "outcome": self.outcome, "method": self.method,
                "level": self.level, "df_resid": df, "n": self.n,
                "n_weighted": self.n_weighted, "terms": self.terms.to_dicts()}

    def _q(self, level: float) -> float:
        return float(quantile(level, None if self.ci_dist == "normal" or
                              not np.isfinite(self.df_resid) else self.df_resid))

    def conf_int(self, level: float | None = None) -> pl.DataFrame:
        """Intervals at another level: ``term``, ``conf_low``, ``conf_high``."""
        q = self._q(self.level if level is None else level)
        se = self.std_error
        return pl.DataFrame({"term": list(self.names), "conf_low": self.coef - q * se,
                             "conf_high": self.coef + q * se})

    # -- tests ----------------------------------------------------------------------------

    def wald_test(self, terms: str | Sequence[str], *, statistic: str = "F",
                  null: Sequence[float] | None = None) -> TestResult:
        """Wald test that every coefficient of ``terms`` is zero, as R's ``regTermTest``.

        ``terms``: model terms as the formula writes them (``"C(stype)"``,
        ``"x:z"``) or coefficient names. ``statistic="F"`` (R's default): ``X^2 / k``
        on ``(k, df_resid)`` degrees of freedom; ``"Chisq"``: ``X^2`` on ``k``.
        """
        idx = self._term_index(terms)
        b = self.coef[idx] - (0.0 if null is None else np.asarray(null, dtype=float))
        V = self.vcov[np.ix_(idx, idx)]
        chisq = float(b @ np.linalg.solve(V, b))
        k = len(idx)
        if statistic == "F" and np.isfinite(self.df_resid):
            f = chisq / k
            return TestResult("Wald F", f, (float(k), self.df_resid),
                              float(special.fdtrc(k, self.df_resid, f)))
        if statistic not in ("F", "Chisq"):
            raise ModelError(f"statistic={statistic!r} is not F or Chisq", location="statistic")
        return TestResult("Wald Chisq", chisq, (float(k),), float(special.chdtrc(k, chisq)))

    def lrt_test(self, terms: str | Sequence[str], *,
                 statistic: str = "F") -> LikelihoodRatioTest:
        """Working (Rao-Scott) likelihood-ratio test of ``terms``, as R's
        ``regTermTest(model, ~terms, method = "LRT")``; see :mod:`survey.models._lrt`."""
        return lrt_test(self, terms, statistic=statistic)

    def _term_index(self, terms: str | Sequence[str]) -> list[int]:
        wanted = [terms] if isinstance(terms, str) else list(terms)
        names = self.names
        slices = {} if self._mf is None else self._mf.term_slices
        idx: list[int] = []
        for t in wanted:
            t = t if t in slices or t in names else term_key(t)  # Q('api.stu') is api.stu
            if t in slices:
                sl = slices[t]
                off = 0 if self.model != "ordinal" else -1  # ordinal: no intercept column
                idx.extend(range(sl.start + off, sl.stop + off))
            elif t in names:
                idx.append(names.index(t))
            else:
                raise ModelError(f"{t!r} is neither a model term nor a coefficient",
                                 location="terms",
                                 hint=f"terms: {', '.join(s for s in slices if s != 'Intercept')}")
        return sorted(set(idx))

    # -- predictions ------------------------------------------------------------------------

    def _mf_or_fail(self) -> ModelFrame:
        if self._mf is None:
            raise ModelError("this result carries no model frame")
        return self._mf

    def _linear_rows(self, X: np.ndarray) -> np.ndarray:
        """Rows of the fit's design matrix -> gradient rows of the linear predictor."""
        if self.model == "ordinal":
            raise ModelError("use predict() on an ordinal model for category probabilities")
        return X

    def predict(self, profiles: pl.DataFrame | Mapping[str, Sequence[object]], *,
                level: float | None = None, scale: str = "response") -> pl.DataFrame:
        """Predictions for chosen profiles, with delta-method intervals.

        ``profiles``: one row per profile holding every model variable. The
        interval is built on the link scale (t on ``df_resid``) and transformed,
        so probabilities stay in (0, 1). ``scale="link"`` gives the linear predictor.
        Ordinal models give one row per profile and category.
        """
        mf = self._mf_or_fail()
        prof = profiles if isinstance(profiles, pl.DataFrame) else pl.DataFrame(dict(profiles))
        X = new_rows(mf, prof)
        q = self._q(self.level if level is None else level)
        if self.model == "ordinal":
            return self._predict_ordinal(prof, X[:, 1:], q)
        eta = X @ self.coef
        se = np.sqrt(np.einsum("ij,jk,ik->i", X, self.vcov, X))
        lo, hi = eta - q * se, eta + q * se
        if scale == "response":
            inv = self._linkinv
            mu = inv(eta)
            out = {"estimate": mu, "std_error": se * self._mu_eta(eta),
                   "conf_low": inv(lo), "conf_high": inv(hi)}
        else:
            out = {"estimate": eta, "std_error": se, "conf_low": lo, "conf_high": hi}
        return prof.with_columns(**{k: pl.Series(v) for k, v in out.items()})

    def _linkinv(self, eta: np.ndarray) -> np.ndarray:
        return LINKS[self.link].linkinv(eta)

    def _mu_eta(self, eta: np.ndarray) -> np.ndarray:
        return LINKS[self.link].mu_eta(eta)

    def _predict_ordinal(self, prof: pl.DataFrame, X: np.ndarray, q: float) -> pl.DataFrame:
        k = len(self.cutpoints)
        pc = self.coef.shape[0] - k
        beta, zeta = self.coef[:pc], self.coef[pc:]
        levels = _ordinal_levels(self.cutpoints)
        rows = []
        for i in range(X.shape[0]):
            eta = X[i] @ beta
            cum = np.concatenate([[0.0], expit(zeta - eta), [1.0]])
            # gradient of each cumulative probability in (beta, zeta)
            dcum = np.zeros((k + 2, pc + k))
            for j in range(k):
                d = cum[j + 1] * (1 - cum[j + 1])
                dcum[j + 1, :pc] = -d * X[i]
                dcum[j + 1, pc + j] = d
            for c in range(k + 1):
                p = cum[c + 1] - cum[c]
                g = dcum[c + 1] - dcum[c]
                se = float(np.sqrt(g @ self.vcov @ g))
                lp = np.log(p / (1 - p))
                h = q * se / (p * (1 - p))
                rows.append({**prof.row(i, named=True), "category": levels[c], "estimate": p,
                             "std_error": se, "conf_low": float(expit(lp - h)),
                             "conf_high": float(expit(lp + h))})
        return pl.DataFrame(rows)

    def marginal_effects(self, variable: str, *, where: pl.Expr | None = None,
                         level: float | None = None, eps: float = 1e-6) -> pl.DataFrame:
        """Average marginal effect of ``variable`` on the response scale.

        Averaged over the fitted rows with their sampling weights (optionally a
        subset of them via ``where``). A categorical variable gives, per level,
        the average change in the prediction when every row is set to that level
        instead of the reference (first) level; a numeric one the average
        derivative. Delta-method standard errors use the coefficient covariance
        (the weighted average itself is treated as fixed), t on ``df_resid``.
        """
        if self.model == "ordinal":
            raise ModelError("marginal effects are for binary, linear and count models")
        mf = self._mf_or_fail()
        if variable not in mf.variables:
            raise ModelError(f"{variable!r} is not a model variable",
                             location="variable", hint=f"variables: {', '.join(mf.variables)}")
        assert self._frame is not None
        base = self._frame
        w = mf.w
        if where is not None:
            keep = base.select(where.fill_null(False)).to_series().to_numpy()
            base, w = base.filter(pl.Series(keep)), w[keep]
        w = w / w.sum()
        q = self._q(self.level if level is None else level)

        def avg(frame: pl.DataFrame) -> tuple[float, np.ndarray]:
            X = new_rows(mf, frame)
            eta = X @ self.coef
            mu, d = self._linkinv(eta), self._mu_eta(eta)
            return float(w @ mu), (w * d) @ X

        rows = []
        if variable in mf.levels:
            levels = mf.levels[variable]
            dtype = base[variable].dtype
            v0, g0 = avg(base.with_columns(pl.lit(levels[0]).cast(dtype).alias(variable)))
            for lev in levels[1:]:
                v1, g1 = avg(base.with_columns(pl.lit(lev).cast(dtype).alias(variable)))
                rows.append((f"{lev} vs {levels[0]}", v1 - v0, g1 - g0))
        else:
            x = base[variable].cast(pl.Float64)
            h = eps * max(1.0, float(x.abs().mean() or 1.0))
            v1, g1 = avg(base.with_columns((x + h).alias(variable)))
            v0, g0 = avg(base.with_columns((x - h).alias(variable)))
            rows.append(("dy/dx", (v1 - v0) / (2 * h), (g1 - g0) / (2 * h)))
        est = np.array([r[1] for r in rows])
        se = np.array([float(np.sqrt(r[2] @ self.vcov @ r[2])) for r in rows])
        with np.errstate(divide="ignore", invalid="ignore"):
            t = est / se
        df = self.df_resid if self.ci_dist == "t" and np.isfinite(self.df_resid) else np.inf
        p = 2 * special.stdtr(df, -np.abs(t))
        return pl.DataFrame({"variable": variable, "contrast": [r[0] for r in rows],
                             "estimate": est, "std_error": se, "conf_low": est - q * se,
                             "conf_high": est + q * se, "statistic": t, "p_value": p})

    @property
    def _frame(self) -> pl.DataFrame | None:
        mf = self._mf
        return None if mf is None else mf.frame

    # -- plotting --------------------------------------------------------------------------

    def forest_plot(self, path: str, *, title: str | None = None,
                    include_cutpoints: bool = False) -> str:
        """Write a forest plot of the odds ratios (log scale) to ``path``; needs matplotlib."""
        from survey.models._plot import forest_plot

        return forest_plot(self, path, title=title, include_cutpoints=include_cutpoints)

    def __repr__(self) -> str:
        return (f"ModelResult({self.model}, {self.family}/{self.link}, {self.formula!r}, "
                f"n={self.n}, df_resid={self.df_resid:g}, {self.method})")


def _ordinal_levels(cutpoints: Sequence[str]) -> list[str]:
    out = [c.split("|", 1)[0] for c in cutpoints]
    out.append(cutpoints[-1].split("|", 1)[1])
    return out


def build_result(*, model: str, family: str, link: str, formula: str, mf: ModelFrame,
                 coef: np.ndarray, vcov: np.ndarray, df_resid: float, level: float,
                 method: str, ci_dist: str, naive_vcov: np.ndarray | None = None,
                 names: Sequence[str] | None = None,
                 cutpoints: Sequence[str] = ()) -> ModelResult:
    """Assemble the record and its per-term table."""
    names = list(mf.names if names is None else names)
    se = np.sqrt(np.diag(vcov))
    dist_df = None if ci_dist == "normal" or not np.isfinite(df_resid) else df_resid
    q = float(quantile(level, dist_df))
    lo, hi = coef - q * se, coef + q * se
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = coef / se
    p = 2 * (special.ndtr(-np.abs(stat)) if dist_df is None else
             special.stdtr(dist_df, -np.abs(stat)) if dist_df > 0 else np.full_like(stat, np.nan))
    logit = link == "logit"
    odds = {k: (np.exp(v) if logit else np.full_like(v, np.nan))
            for k, v in (("odds_ratio", coef), ("odds_ratio_low", lo), ("odds_ratio_high", hi))}
    if cutpoints:  # cut points are thresholds, not effects: no odds ratio
        for v in odds.values():
            v[-len(cutpoints):] = np.nan
    ratio = link in ("log", "logit")
    exps = {k: (np.exp(v) if ratio else np.full_like(v, np.nan))
            for k, v in (("exp_estimate", coef), ("exp_conf_low", lo), ("exp_conf_high", hi))}
    if cutpoints:
        for v in exps.values():
            v[-len(cutpoints):] = np.nan
    table = pl.DataFrame({"term": names, "estimate": coef, "std_error": se, "conf_low": lo,
                          "conf_high": hi, **odds, **exps, "statistic": stat, "p_value": p},
                         nan_to_null=False)
    table = table.with_columns(pl.col(c).fill_nan(None) for c in (*odds, *exps))
    return ModelResult(model=model, family=family, link=link, formula=formula,
                       outcome=mf.outcome, terms=table, coef=coef, vcov=vcov,
                       df_resid=df_resid, level=level, method=method, n=int(mf.y.shape[0]),
                       n_weighted=float(mf.w.sum()), ci_dist=ci_dist, naive_vcov=naive_vcov,
                       cutpoints=tuple(cutpoints), _mf=mf)
