"""Model frames: a patsy formula evaluated on the rows of a domain of a bound design.

R builds a model frame from the design's variables, drops rows with a missing
value in any model variable (``na.omit``) and keeps the design of the rest. Here the
same rows are found first (domain, non-missing model variables, positive weight),
then the formula is evaluated on those rows only; the rows keep their PSU and
stratum codes, so the variance sees the full design (a domain, not a filter).

Categorical columns (String, Enum, Categorical, Boolean) become pandas
categoricals with the levels observed in the fitted rows, in R's factor order:
Enum in declared order, strings sorted. ``C(x, Treatment('level'))`` chooses the
reference level, as patsy does.

Formulas are read in R's spelling and checked before anything is evaluated
(``_namespace``): dotted names are columns, and a term may only use columns and the
documented transforms.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import patsy
import polars as pl

from survey.design import SurveyFrame
from survey.design._frame import H, PSU, W
from survey.errors import ModelError
from survey.models._design_matrix import fill_design, plain_factors, plain_outcome
from survey.models._namespace import (check_formula, display_name, eval_env, r_names,
                                      term_key, transform_namespace)

__all__ = ["FAST_PATH", "ModelFrame", "drop_terms", "model_frame", "new_rows"]

FAST_PATH = True
"""Fill the design matrix of plain formulas from polars (see ``_design_matrix``); tests
switch it off to compare with patsy's own matrices."""


@dataclass(frozen=True, eq=False)
class ModelFrame:
    """The numbers a model needs: response, design matrix and design codes per row."""

    y: np.ndarray  # (n,) response (0/1 for binary outcomes) or level codes (ordinal)
    X: np.ndarray  # (n, p) design matrix
    names: tuple[str, ...]  # column names of X
    w: np.ndarray  # (n,) sampling weights of the fitted rows
    psu: np.ndarray  # (n,) PSU codes of the full design
    h: np.ndarray  # (n,) stratum codes
    rows: np.ndarray  # (n,) row numbers in the bound frame
    design_info: Any  # patsy DesignInfo, to build rows for new data (profiles)
    term_slices: dict[str, slice]  # model term -> its columns in X
    variables: tuple[str, ...]  # frame columns the right-hand side reads
    outcome: str  # how the response was given
    levels: dict[str, tuple[object, ...]]  # categorical column -> its levels in the fit
    frame: pl.DataFrame  # the fitted rows' model variables (for marginal effects)
    domain_rows: np.ndarray | None = None  # rows of a where=/subset domain (before NA drop)
    offset: np.ndarray | None = None  # (n,) R's offset(...) terms, summed (None: no offset)

    @property
    def df(self) -> int:
        """R's ``degf`` of the fitted rows: PSUs minus strata among them."""
        return int(np.count_nonzero(np.bincount(self.psu))
                   - np.count_nonzero(np.bincount(self.h)))


class _Columns(Mapping[str, Any]):
    """Frame columns converted on first use, for patsy's evaluation namespace."""

    def __init__(self, frame: pl.DataFrame, levels: dict[str, tuple[object, ...]]) -> None:
        self._frame = frame
        self._levels = levels
        self._cache: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        if key not in self._cache:
            if key not in self._frame.columns:
                raise KeyError(key)
            self._cache[key] = _to_patsy(self._frame[key], self._levels.get(key))
        return self._cache[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._frame.columns)

    def __len__(self) -> int:
        return self._frame.width


def _is_categorical(dt: pl.DataType) -> bool:
    return isinstance(dt, pl.Enum | pl.Categorical) or dt in (pl.String, pl.Boolean)


def _levels(s: pl.Series) -> tuple[object, ...]:
    """Observed levels in R's factor order (Enum declared order; others sorted)."""
    present = s.drop_nulls().unique()
    if isinstance(s.dtype, pl.Enum):
        seen = set(present.cast(pl.String).to_list())
        return tuple(c for c in s.dtype.categories.to_list() if c in seen)
    if s.dtype == pl.Boolean:
        return tuple(v for v in (False, True) if v in set(present.to_list()))
    return tuple(sorted(present.cast(pl.String).to_list()))


def _to_patsy(s: pl.Series, levels: tuple[object, ...] | None) -> Any:
    if levels is not None:
        values = s.to_list() if s.dtype == pl.Boolean else s.cast(pl.String).to_list()
        return pd.Categorical(values, categories=list(levels))
    if s.dtype.is_numeric():
        return s.cast(pl.Float64).fill_null(np.nan).to_numpy()
    raise ModelError(f"column {s.name!r} is {s.dtype}: neither numeric nor categorical",
                     location=s.name, hint="cast it, or use it through an expression")


def _names_in(code: str, columns: set[str]) -> set[str]:
    """Frame columns read by one formula factor (bare names and ``Q("name")``)."""
    try:
        tree = ast.parse(code, mode="eval")
    except SyntaxError as exc:
        raise ModelError(f"cannot parse the formula term {code!r}: {exc.msg}") from exc
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in columns:
            out.add(node.id)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id == "Q" and node.args
              and isinstance(node.args[0], ast.Constant)):
            out.add(str(node.args[0].value))
    return out


def _parse(formula: str, outcome: pl.Expr | None) -> tuple[Any, list[Any]]:
    try:
        desc = patsy.ModelDesc.from_formula(formula)
    except patsy.PatsyError as exc:
        raise ModelError(f"cannot parse the formula {formula!r}: {exc}", location="formula") from exc
    if outcome is not None and desc.lhs_termlist:
        raise ModelError("give the outcome either on the formula's left-hand side or as "
                         "outcome=, not both", location="formula",
                         hint=f"--formula '~ {formula.split('~', 1)[1].strip()}'")
    if outcome is None and not desc.lhs_termlist:
        raise ModelError(f"the formula {formula!r} has no outcome", location="formula",
                         hint="write --formula 'y ~ x', or give --outcome \"q IN ('a', 'b')\"")
    return desc, desc.lhs_termlist


def model_frame(sf: SurveyFrame, formula: str, *, outcome: pl.Expr | None = None,
                where: pl.Expr | None = None, response: str = "numeric") -> ModelFrame:
    """Evaluate ``formula`` on the fitted rows of ``sf`` (domain and ``where``).

    ``outcome``: a polars expression for the response (the formula then has no
    left-hand side); a Boolean expression gives a 0/1 response. ``response``:
    ``"numeric"`` (a 2-level factor gives the indicator of its second level, as R's
    glm) or ``"ordinal"`` (level codes 1..K in the factor's order).
    """
    columns = set(sf.frame.columns)
    given, formula = formula, check_formula(formula, columns).text  # nothing runs before this
    desc, lhs = _parse(formula, outcome)
    offsets = [t.factors[0].code for t in desc.rhs_termlist
               if len(t.factors) == 1 and _OFFSET.match(t.factors[0].code)]
    if offsets:
        desc = patsy.ModelDesc(desc.lhs_termlist, [
            t for t in desc.rhs_termlist
            if not (len(t.factors) == 1 and _OFFSET.match(t.factors[0].code))])
    rhs_vars: set[str] = set()
    for term in desc.rhs_termlist:
        for factor in term.factors:
            rhs_vars |= _names_in(factor.code, columns)
    lhs_vars: set[str] = set()
    for term in lhs:
        for factor in term.factors:
            lhs_vars |= _names_in(factor.code, columns)
    off_vars: set[str] = set()
    for code in offsets:
        off_vars |= _names_in(code, columns)
    variables = sorted(rhs_vars | lhs_vars | off_vars)
    missing = [v for v in variables if v not in columns]
    if missing:
        raise ModelError(f"the formula names columns the frame lacks: {missing}",
                         location="formula")
    data = sf._data
    mask = sf.in_domain_expr() & (pl.col(W) > 0)
    if where is not None:
        mask = mask & where.fill_null(False)
    for v in variables:
        mask = mask & pl.col(v).is_not_null()
    y_expr = None
    if outcome is not None:
        y_expr = outcome.alias("__svy_y")
        mask = mask & outcome.is_not_null()
    try:
        sel = [pl.col(v) for v in variables] + [pl.col(W), pl.col(H), pl.col(PSU)]
        if y_expr is not None:
            sel.append(y_expr)
        fit = (data.with_row_index("__svy_row").filter(mask)
               .select([pl.col("__svy_row"), *sel]))
    except pl.exceptions.PolarsError as exc:
        raise ModelError(f"cannot evaluate the domain or outcome: {exc}",
                         location="where") from exc
    if fit.height == 0:
        raise ModelError("no row is left to fit: the domain is empty or every row misses "
                         "a model variable", location="where")
    domain_rows = None
    if where is not None or sf.domain is not None:
        dmask = sf.in_domain_expr() if where is None else sf.in_domain_expr() & where.fill_null(False)
        domain_rows = data.select(dmask.arg_true()).to_series().to_numpy()
    levels = {v: _levels(fit[v]) for v in variables if _is_categorical(fit[v].dtype)}
    ns = _Columns(fit, levels)
    plain = plain_factors(desc.rhs_termlist, fit, levels) if FAST_PATH else None
    if not any(t.factors for t in desc.rhs_termlist):  # intercept only: patsy needs the rows
        plain, ns = None, pd.DataFrame(index=range(fit.height))  # type: ignore[assignment]
    try:  # plain formulas: patsy codes a few rows, the columns are filled from polars
        X = patsy.dmatrix(patsy.ModelDesc([], desc.rhs_termlist),
                          ns if plain is None else _Columns(fit.head(8), levels),
                          eval_env=eval_env(), NA_action="raise", return_type="matrix")
    except patsy.PatsyError as exc:
        raise ModelError(f"cannot build the design matrix: {exc}", location="formula") from exc
    info = X.design_info
    if plain is not None:
        X = fill_design(info, fit, plain)
    if y_expr is not None:
        y_s = fit["__svy_y"]
        label = str(outcome)
        if response == "ordinal":
            y = _ordinal_codes(y_s, label)
        elif y_s.dtype == pl.Boolean:
            y = y_s.cast(pl.Float64).to_numpy()
        elif y_s.dtype.is_numeric():
            y = y_s.cast(pl.Float64).to_numpy()
        else:
            raise ModelError(f"the outcome is {y_s.dtype}: give a Boolean or numeric "
                             "expression", location="outcome",
                             hint="e.g. --outcome \"intent IN ('Accepted')\"")
    else:
        label = given.split("~", 1)[0].strip()
        if response == "ordinal":
            if label not in fit.columns:
                raise ModelError(f"the ordinal outcome must be a column, got {label!r}",
                                 location="formula")
            y = _ordinal_codes(fit[label], label)
        elif (y_plain := plain_outcome(lhs, fit, levels) if FAST_PATH else None) is not None:
            y = y_plain
        else:
            try:
                Y = patsy.dmatrix(patsy.ModelDesc([], lhs), ns, eval_env=eval_env(),
                                  NA_action="raise", return_type="matrix")
            except patsy.PatsyError as exc:
                raise ModelError(f"cannot evaluate the outcome {label!r}: {exc}",
                                 location="formula") from exc
            y_names = Y.design_info.column_names
            Y = np.asarray(Y)
            if Y.shape[1] == 1:
                y = Y[:, 0]
            elif Y.shape[1] == 2:
                y = Y[:, 1]  # a two-level factor: indicator of the second level (R's glm)
                label = _modelled_level(label, y_names[1])
            else:
                raise ModelError(f"the outcome {label!r} gives {Y.shape[1]} columns",
                                 location="formula", hint="use a numeric or 2-level outcome")
    X = np.asarray(X, dtype=float, order="F")  # columns contiguous: cheap column sums
    if not np.all(np.isfinite(X)) or not np.all(np.isfinite(y)):
        raise ModelError("the design matrix or outcome has non-finite values",
                         location="formula", hint="check transformations such as log(0)")
    slices = {display_name(name): sl for name, sl in info.term_name_slices.items()}
    off = _offset(offsets, fit) if offsets else None
    return ModelFrame(
        y=np.asarray(y, dtype=float), X=X, names=tuple(display_name(n) for n in info.column_names),
        w=fit[W].to_numpy().astype(float), psu=fit[PSU].to_numpy().astype(np.int64),
        h=fit[H].to_numpy().astype(np.int64), rows=fit["__svy_row"].to_numpy(),
        design_info=info, term_slices=slices, variables=tuple(sorted(rhs_vars)),
        outcome=label, levels=levels, frame=fit.select(sorted(rhs_vars)),
        domain_rows=domain_rows, offset=off)


_OFFSET = re.compile(r"^\s*offset\s*\(")


def _offset(codes: list[str], fit: pl.DataFrame) -> np.ndarray:
    """The sum of the formula's ``offset(expr)`` terms on the fitted rows, as R's
    ``model.offset``. ``expr`` (checked by ``check_formula`` with the rest of the
    formula) reads numeric columns (``Q("name")`` too) and the math transforms."""
    cols = {c: fit[c].cast(pl.Float64).to_numpy() for c in fit.columns
            if fit[c].dtype.is_numeric()}
    ns = {**transform_namespace(), **cols, "Q": lambda name: cols[name]}
    total = np.zeros(fit.height)
    for code in codes:
        try:
            with np.errstate(divide="ignore", invalid="ignore"):
                val = eval(compile(ast.parse(code, mode="eval"), "<offset>", "eval"),  # noqa: S307
                           {"__builtins__": {}}, ns)
        except Exception as exc:  # a name error, a string column...
            raise ModelError(f"cannot evaluate the offset {code!r}: {exc}",
                             location="formula",
                             hint="offset(log(COLUMN)) with a numeric column") from exc
        val = np.broadcast_to(np.asarray(val, dtype=float), (fit.height,))
        if not np.all(np.isfinite(val)):
            raise ModelError(f"the offset {code!r} is not finite on every fitted row",
                             location="formula", hint="check for log(0) or negative values")
        total = total + val
    return total


def _modelled_level(label: str, column: str) -> str:
    """``"q = No"`` for a two-level factor outcome ``q`` whose column patsy names
    ``"q[No]"`` (or ``"C(q)[T.No]"``): which level the model's probability is of,
    since R's rule (the second level) is easily read the wrong way round."""
    level = column[column.rfind("[") + 1:-1] if column.endswith("]") else column
    return f"{label} = {level.removeprefix('T.')}"


def _ordinal_codes(s: pl.Series, label: str) -> np.ndarray:
    """Level codes 1..K: an Enum's declared order, or integer codes ordered by value."""
    if isinstance(s.dtype, pl.Enum):
        cats = s.dtype.categories.to_list()
        return s.cast(pl.String).replace_strict(cats, list(range(1, len(cats) + 1)),
                                                return_dtype=pl.Float64).to_numpy()
    if s.dtype.is_integer():
        return (s.rank("dense").cast(pl.Float64)).to_numpy()
    raise ModelError(f"the ordinal outcome {label!r} is {s.dtype}, neither an ordered "
                     "Enum nor integer codes", location="outcome",
                     hint="give its levels in order: --levels 'lowest,...,highest' "
                          "(Python: levels=[...])")


def new_rows(mf: ModelFrame, profiles: pl.DataFrame) -> np.ndarray:
    """Design-matrix rows for new data (prediction profiles), coded as the fit."""
    missing = [v for v in mf.variables if v not in profiles.columns]
    if missing:
        raise ModelError(f"the profiles lack the model variables {missing}",
                         location="profiles")
    ns = _Columns(profiles, {v: lv for v, lv in mf.levels.items() if v in mf.variables})
    try:
        (X,) = patsy.build_design_matrices([mf.design_info], ns, NA_action="raise")
    except (patsy.PatsyError, ValueError) as exc:
        raise ModelError(f"cannot code the profiles as the fitted model: {exc}",
                         location="profiles") from exc
    return np.asarray(X, dtype=float)


def drop_terms(formula: str, terms: Sequence[str]) -> str:
    """``formula`` without the model terms ``terms`` (as patsy names them: ``C(g)``,
    ``x:z``; R's dotted names as written), as R's ``update(model, . ~ . - term)``;
    offsets are kept."""
    formula = r_names(formula)
    desc = patsy.ModelDesc.from_formula(formula)
    shown = {display_name(t.name()): t.name() for t in desc.rhs_termlist}
    names = [t.name() for t in desc.rhs_termlist]
    terms = [t if t in names else shown.get(t, shown.get(term_key(t), t)) for t in terms]
    missing = [t for t in terms if t not in names]
    if missing:
        raise ModelError(f"{missing} are not terms of the model", location="terms",
                         hint=f"terms: {', '.join(n for n in names if n != 'Intercept')}")
    kept = [n for n in names if n not in terms]
    rhs = [n for n in kept if n != "Intercept"]
    if "Intercept" not in kept:
        rhs.insert(0, "0")
    return f"{formula.split('~', 1)[0].strip()} ~ {' + '.join(rhs) or '1'}"
