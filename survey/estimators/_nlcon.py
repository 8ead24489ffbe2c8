"""Nonlinear contrasts of estimates with delta-method standard errors (R's ``svycontrast``
with an expression).

An expression such as ``api00 / api99 - 1`` is parsed with :mod:`ast` into a small tree
of arithmetic (``+ - * / **``, R's ``^``, unary minus, numbers) and the functions
``exp``, ``log``, ``log10``, ``sqrt``; anything else is refused, nothing is ever
evaluated as Python code. Gradients come from the complex step
``Im f(x + i h e_j) / h`` (``h = 1e-30``): every allowed operation is analytic, so the
derivative is exact to rounding (no difference quotient, no step to tune).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping

import numpy as np
import polars as pl

from survey.estimators._compare import _summarise, _table
from survey.estimators._results import Estimates
from survey.errors import EstimationError

__all__ = ["Expression", "nlcontrast", "parse_expression"]

_STEP = 1e-30
_BINARY: dict[type, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.divide,
}


def _log(z: np.ndarray) -> np.ndarray:
    return np.where(z.real > 0, np.log(np.where(z.real > 0, z, 1)), np.nan)


def _sqrt(z: np.ndarray) -> np.ndarray:
    return np.where(z.real >= 0, np.sqrt(np.where(z.real >= 0, z, 0)), np.nan)


_FUNCTIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "exp": np.exp, "log": _log, "sqrt": _sqrt, "log10": lambda z: _log(z) / np.log(10.0),
}


def _power(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    whole = np.all(b.imag == 0) and np.all(b.real == np.round(b.real))
    if whole:  # integer powers of any sign of base, as R
        return a ** b
    return np.where(a.real > 0, np.exp(b * _log(a)), np.nan)


class Expression:
    """A parsed contrast expression: its variable names and a vectorised evaluator.

    >>> e = parse_expression("a / b - 1")
    >>> e.names
    ('a', 'b')
    """

    def __init__(self, text: str, tree: ast.expr, names: tuple[str, ...],
                 quoted: Mapping[str, str]) -> None:
        self.text = text
        self._tree = tree
        self.names = names
        self._quoted = dict(quoted)

    def __call__(self, values: Mapping[str, np.ndarray]) -> np.ndarray:
        """The expression at ``values`` (arrays of one shape; complex allowed)."""
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return np.asarray(self._eval(self._tree, values))

    def _eval(self, node: ast.expr, env: Mapping[str, np.ndarray]) -> np.ndarray:
        if isinstance(node, ast.Constant):
            return np.asarray(complex(node.value))
        if isinstance(node, ast.Name):
            return env[self._quoted.get(node.id, node.id)]
        if isinstance(node, ast.UnaryOp):
            v = self._eval(node.operand, env)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.BinOp):
            a, b = self._eval(node.left, env), self._eval(node.right, env)
            if isinstance(node.op, ast.Pow):
                return _power(np.asarray(a), np.asarray(b))
            return _BINARY[type(node.op)](a, b)
        assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        return _FUNCTIONS[node.func.id](self._eval(node.args[0], env))

    def gradient(self, values: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Value and gradient ``(len(names), ...)`` by the complex step."""
        real = {k: np.asarray(v, dtype=float).astype(complex) for k, v in values.items()}
        value = self(real).real
        grad = []
        for name in self.names:
            bumped = dict(real)
            bumped[name] = real[name] + 1j * _STEP
            grad.append(self(bumped).imag / _STEP)
        return value, np.array(grad)


def parse_expression(text: str) -> Expression:
    """Parse a contrast expression safely (arithmetic and ``exp/log/log10/sqrt`` only).

    Names are estimate names: identifiers, or any text in backticks (R's quoting,
    e.g. ```2025` / `2023` - 1``). ``^`` is a power, as in R.

    >>> parse_expression("log(`2025`) - log(`2023`)").names
    ('2025', '2023')
    """
    if not isinstance(text, str) or not text.strip():
        raise EstimationError("the contrast expression is empty", location="contrast")
    quoted: dict[str, str] = {}

    def quote(m: re.Match[str]) -> str:
        key = f"_q{len(quoted)}_"
        quoted[key] = m.group(1)
        return key

    src = re.sub(r"`([^`]*)`", quote, text).replace("^", "**")
    try:
        tree = ast.parse(src.strip(), mode="eval").body
    except SyntaxError as exc:
        raise EstimationError(f"cannot parse the contrast {text!r}: {exc.msg}",
                              location="contrast",
                              hint="use names, numbers, + - * / ^ and exp, log, sqrt") from None
    names: list[str] = []
    for node in ast.walk(tree):
        ok = isinstance(node, ast.Constant | ast.Name | ast.UnaryOp | ast.BinOp | ast.Call
                        | ast.operator | ast.unaryop | ast.expr_context)
        if isinstance(node, ast.Constant):
            ok = isinstance(node.value, int | float) and not isinstance(node.value, bool)
        elif isinstance(node, ast.UnaryOp):
            ok = isinstance(node.op, ast.USub | ast.UAdd)
        elif isinstance(node, ast.BinOp):
            ok = isinstance(node.op, ast.Pow) or type(node.op) in _BINARY
        elif isinstance(node, ast.Call):
            ok = (isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS
                  and len(node.args) == 1 and not node.keywords)
        if not ok:
            raise EstimationError(f"the contrast {text!r} uses {ast.unparse(node)!r}, which is "
                                  "not allowed", location="contrast",
                                  hint="use names, numbers, + - * / ^ and exp, log, log10, sqrt")
    calls = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    found = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in calls]
    for node in sorted(found, key=lambda n: (n.lineno, n.col_offset)):  # in reading order
        name = quoted.get(node.id, node.id)
        if name not in names:
            names.append(name)
    return Expression(text, tree, tuple(names), quoted)


def _row_names(table: pl.DataFrame) -> list[str]:
    """Each row's name in an expression: the variable, or ``variable:category``."""
    return [v if c is None else f"{v}:{c}"
            for v, c in zip(table["variable"].to_list(),
                            table["category"].cast(pl.String).to_list(), strict=True)]


def nlcontrast(est: Estimates, expression: str | Expression, *, level: float | None = None,
               df: float | None = None) -> Estimates:
    """A nonlinear function of estimates with its delta-method standard error, as R's
    ``svycontrast(stat, quote(expression))``.

    Names in the expression are the estimates' variables (``api00``), or
    ``variable:category`` in backticks for a category share (```high:yes```). With
    ``by`` domains the expression is evaluated within each domain, one row per domain,
    with the covariance across domains kept in ``vcov``. To combine estimates of
    different domains, name them as R's ``svyby`` does, the domain's values (joined
    by ``.``) before the name: ```E:api00` / `H:api00```; the expression is then
    evaluated once. Intervals and two-sided ``p_value`` are normal (``df=None``, as R's
    ``confint``) or t on ``df``.

    >>> import polars as pl
    >>> from survey.design import svydesign
    >>> from survey.estimators import mean
    >>> sf = svydesign(pl.DataFrame({"a": [2.0, 4.0], "b": [1.0, 3.0]}))
    >>> float(nlcontrast(mean(sf, ["a", "b"]), "a / b - 1").estimate[0])
    0.5
    """
    expr = expression if isinstance(expression, Expression) else parse_expression(expression)
    level = est.level if level is None else level
    names = _row_names(est.table)
    by = list(est.by)
    full = names
    if by:  # R's svyby names: the domain's values, then the estimate's name
        domain = est.table.select(pl.concat_str([pl.col(b).cast(pl.String) for b in by],
                                                separator=".")).to_series().to_list()
        full = [f"{d}:{n}" for d, n in zip(domain, names, strict=True)]
        if expr.names and all(n in full and n not in names for n in expr.names):
            names, by = full, []
    t = est.table.with_row_index("__i").with_columns(
        pl.Series("__name", names, dtype=pl.String))
    known = set(names)
    missing = [n for n in expr.names if n not in known]
    if missing:
        shown = sorted(known) + (sorted(full)[:6] if full is not names else [])
        raise EstimationError(f"the contrast names {', '.join(map(repr, missing))}, which "
                              "are not among the estimates", location="contrast",
                              hint=f"estimates: {', '.join(shown)} (quote names with other "
                                   "characters in backticks; one domain's estimates or "
                                   "domain-qualified names, not both)")
    domains = t.select(by).unique(maintain_order=True) if by else pl.DataFrame({"__d": [0]})
    index = np.full((len(expr.names), domains.height), -1, dtype=np.int64)
    for j, name in enumerate(expr.names):
        rows = t.filter(pl.col("__name") == name)
        if by:
            rows = domains.join(rows, on=by, how="left", nulls_equal=True, maintain_order="left")
        if rows.height != domains.height or rows["__i"].null_count():
            raise EstimationError(f"{name!r} has no single estimate in every domain",
                                  location="contrast")
        index[j] = rows["__i"].to_numpy()
    x = est.estimate
    value, grad = expr.gradient({n: x[index[j]] for j, n in enumerate(expr.names)})
    J = np.zeros((domains.height, len(est)))
    for j in range(len(expr.names)):
        np.add.at(J, (np.arange(domains.height), index[j]), grad[j])
    V = J @ est.vcov @ J.T
    se, lo, hi, p = _summarise(value, V, level, df)
    keys = pl.DataFrame([pl.Series("variable", [expr.text] * domains.height, dtype=pl.String),
                         pl.Series("category", [None] * domains.height, dtype=pl.String)])
    if by:
        keys = domains.hstack(keys.get_columns())
    return Estimates("contrast", _table(keys, value, se, lo, hi, p, df), V, level, tuple(by),
                     "wald" if df is None else "wald-t")
