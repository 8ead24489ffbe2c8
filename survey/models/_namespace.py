"""Model formulas in R's spelling, checked against a closed namespace before anything runs.

A formula is text that patsy evaluates as Python, so it is read here first:

* R-style names: a dotted word (``api.stu``, ``sch.wide``) is a column name and becomes
  ``Q("api.stu")``; ``^`` is R's power (``I(x^2)``, ``(a + b)^2``) and becomes ``**``.
* Every factor is parsed with :mod:`ast` and each node checked against a whitelist:
  column names, numbers and strings, arithmetic and comparisons, and calls of the
  transforms in :data:`TRANSFORMS` by their bare names (``np.log`` is kept as an alias of
  ``log``).  Anything else (attribute access, subscripts, lambdas, comprehensions,
  dunder names, builtins such as ``__import__``, ``open`` or ``eval``) is a
  :class:`~survey.errors.ModelError` naming the term, raised before the formula is
  evaluated, so a formula (from the command line or a plan) never runs code.
* Evaluation then happens in :func:`eval_env`: the transforms only, beside the data's
  columns (patsy adds its own ``C``, ``Q``, ``I``, contrasts and splines).

The right-hand side can be checked alone (``"~ x + z"``), for models that parse their own
left-hand side (``Surv(time, event)``).
"""

from __future__ import annotations

import ast
import difflib
import re
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import numpy as np

from survey.errors import ModelError

__all__ = ["TRANSFORMS", "CheckedFormula", "check_formula", "display_name", "eval_env",
           "r_names", "term_key", "term_name", "transform_namespace"]

_MATH: dict[str, Callable[..., Any]] = {
    "log": np.log, "log10": np.log10, "log2": np.log2, "log1p": np.log1p, "exp": np.exp,
    "expm1": np.expm1, "sqrt": np.sqrt, "abs": np.abs,
}

TRANSFORMS: dict[str, str] = {
    **{name: "elementwise math (numpy)" for name in _MATH},
    "offset": "a term with coefficient 1 on the link scale, as R's offset()",
    "I": "arithmetic as written: I(x^2), I(x / 1000), I(a + b), I(x > 3)",
    "C": "a categorical coding: C(x), C(x, Treatment('b')), C(x, Sum)",
    "Q": "a column by name: Q('sch.wide') (dotted names need no Q)",
    "Treatment": "contrast: dummy coding against a reference level",
    "Sum": "contrast: deviation (sum-to-zero) coding, as R's contr.sum",
    "Diff": "contrast: backward difference coding",
    "Helmert": "contrast: Helmert coding, as R's contr.helmert",
    "Poly": "contrast: orthogonal polynomial coding of an ordered factor, as R's contr.poly",
    "center": "x minus its mean on the fitted rows",
    "standardize": "(x - mean) / sd (divisor n) on the fitted rows, as patsy's standardize",
    "scale": "(x - mean) / sd (divisor n - 1) on the fitted rows, as R's scale()",
    "poly": "orthogonal polynomials of degree 1..d on the fitted rows, as R's poly(x, d)",
    "bs": "B-spline basis, as R's splines::bs(x, df, knots, degree)",
    "cr": "natural cubic regression spline, as mgcv's cr",
    "cc": "cyclic cubic regression spline, as mgcv's cc",
    "te": "tensor product of cr/cc smooths",
}
"""The functions a formula may call, by name, with what each does."""

_NP = SimpleNamespace(**_MATH)  # ``np.log``: the whitelisted functions, not numpy itself
_OPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow,
        ast.BitAnd, ast.BitOr, ast.USub, ast.UAdd, ast.Not, ast.Invert,
        ast.Gt, ast.GtE, ast.Lt, ast.LtE, ast.Eq, ast.NotEq, ast.And, ast.Or)
_NODES = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.Call,
          ast.Name, ast.Load, ast.Constant, ast.keyword, ast.Tuple, ast.List, *_OPS)


@dataclass(frozen=True)
class CheckedFormula:
    """A formula as patsy reads it, with the names it refers to.

    ``text``: the formula with R's spelling translated (``Q("api.stu")``, ``**``);
    ``columns``: the column names its terms read, in order of appearance;
    ``unknown``: names that are neither a column nor a transform (only when
    ``check_formula(..., strict=False)``).
    """

    text: str
    columns: tuple[str, ...]
    unknown: tuple[str, ...] = ()


def r_names(formula: str, columns: Container[str] = ()) -> str:
    """``formula`` with R's spelling made patsy's: dotted words quoted, ``^`` as ``**``.

    A dotted word is a name (R allows dots in names), quoted with ``Q()``, unless it is
    ``np.<function>`` of a whitelisted function.  Text inside quotes and brackets (a
    coefficient's level, ``C(g)[T.b]``) is kept.

    >>> r_names("enroll ~ api.stu + I(meals^2) + offset(log(api.stu))")
    'enroll ~ Q("api.stu") + I(meals**2) + offset(log(Q("api.stu")))'
    """
    out: list[str] = []
    i, n = 0, len(formula)
    while i < n:
        ch = formula[i]
        if ch in "'\"":  # a string literal: copy to its closing quote
            j = i + 1
            while j < n and formula[j] != ch:
                j += 2 if formula[j] == "\\" else 1
            out.append(formula[i:j + 1])
            i = j + 1
        elif ch == "[":  # a coefficient's level (C(g)[T.b]); in a formula, refused later
            j = formula.find("]", i)
            j = n if j < 0 else j + 1
            out.append(formula[i:j])
            i = j
        elif ch.isdigit() or (ch == "." and i + 1 < n and formula[i + 1].isdigit()):
            j = i + 1  # a number, with its decimal point and exponent
            while j < n and (formula[j].isalnum() or formula[j] == "."
                             or (formula[j] in "+-" and formula[j - 1] in "eE")):
                j += 1
            out.append(formula[i:j])
            i = j
        elif ch.isalpha() or ch == "_":
            j = i
            while j < n and (formula[j].isalnum() or formula[j] in "_."):
                j += 1
            word = formula[i:j].rstrip(".")
            j = i + len(word)
            keep = "." not in word or (word.startswith("np.") and word[3:] in _MATH
                                       and word not in columns)
            out.append(word if keep else f'Q("{word}")')
            i = j
        elif ch == "^":
            out.append("**")
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _problem(node: ast.AST) -> str | None:
    """Why ``node`` (one node of a factor's tree) is not allowed, else None."""
    if isinstance(node, ast.Attribute):
        if (isinstance(node.value, ast.Name) and node.value.id == "np"
                and node.attr in _MATH):
            return None
        return f"uses attribute access (.{node.attr}), which is not allowed"
    if isinstance(node, ast.Call):
        f = node.func
        if isinstance(f, ast.Attribute):
            return None if (isinstance(f.value, ast.Name) and f.value.id == "np"
                            and f.attr in _MATH) else (
                f"uses attribute access (.{f.attr}), which is not allowed")
        if not isinstance(f, ast.Name):
            return "calls the result of an expression, which is not allowed"
        if f.id not in TRANSFORMS:
            return f"calls {f.id}(), which is not an allowed transform"
        if any(k.arg is None for k in node.keywords) or any(
                isinstance(a, ast.Starred) for a in node.args):
            return "unpacks arguments (* or **), which is not allowed"
        if f.id == "Q" and not (len(node.args) == 1 and isinstance(node.args[0], ast.Constant)
                                and isinstance(node.args[0].value, str)):
            return "Q() takes one quoted column name"
        return None
    if isinstance(node, ast.Name):
        if node.id.startswith("__") or node.id.endswith("__"):
            return f"names {node.id}, which is not allowed"
        return None
    if isinstance(node, ast.BinOp) and _constant(node.left) and _constant(node.right):
        seq = (ast.Tuple, ast.List)
        if any(isinstance(side, seq) or (isinstance(side, ast.Constant)
                                         and isinstance(side.value, str))
               for side in (node.left, node.right)):
            return "repeats a literal, which is not allowed"
        if isinstance(node.op, ast.Pow) and not (
                isinstance(node.right, ast.Constant)
                and isinstance(node.right.value, (int, float))
                and abs(node.right.value) <= 64):
            return "raises a number to a power beyond 64, which is not allowed"
    if isinstance(node, ast.Constant):
        return None if isinstance(node.value, (int, float, str, bool, type(None))) else (
            f"holds a {type(node.value).__name__} literal, which is not allowed")
    if not isinstance(node, _NODES):
        return f"uses {type(node).__name__.lower()} syntax, which is not allowed"
    return None


def _constant(node: ast.AST) -> bool:
    """Whether ``node`` reads no column and calls nothing (Python would compute it)."""
    return not any(isinstance(n, (ast.Name, ast.Call, ast.Attribute)) for n in ast.walk(node))


def _factor_names(code: str, known: Container[str]) -> tuple[list[str], list[str]]:
    """Check one patsy factor; return the columns it reads and its unknown names."""
    try:
        tree = ast.parse(code.strip(), mode="eval")
    except SyntaxError as exc:
        raise ModelError(f"cannot parse the formula term {code!r}: {exc.msg}",
                         location="formula") from None
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    np_bases = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    cols: list[str] = []
    unknown: list[str] = []
    for node in ast.walk(tree):
        why = _problem(node)
        if why is not None:
            raise ModelError(f"the formula term {code!r} {why}", location="formula",
                             hint="a formula may use columns and the transforms "
                                  + ", ".join(sorted(TRANSFORMS, key=str.lower))
                                  + " (docs/models.md, 'Formulas and outcomes')")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Q":
            name = node.args[0].value  # type: ignore[attr-defined]
            (cols if name in known else unknown).append(name)
        elif isinstance(node, ast.Name) and id(node) not in called | np_bases:
            if node.id in known:
                cols.append(node.id)
            elif node.id not in TRANSFORMS:  # a contrast passed by name: C(g, Sum)
                unknown.append(node.id)
    return cols, unknown


def check_formula(formula: str, columns: Container[str], *, strict: bool = True
                  ) -> CheckedFormula:
    """Translate ``formula`` from R's spelling and check it names only columns and transforms.

    Parameters
    ----------
    formula
        ``"y ~ x + z"`` or a right-hand side alone, ``"~ x + z"``.
    columns
        The names a term may read as data (a frame's columns, a plan's variables).
    strict
        Raise on a name that is neither a column nor a transform (default); with
        ``False`` such names are returned in ``unknown`` for the caller to report.

    Raises
    ------
    ModelError
        The formula does not parse, or a term reaches outside the namespace: the
        message names the term; nothing has been evaluated.

    Examples
    --------
    >>> f = check_formula("api00 ~ ell + log(api.stu) + C(stype)",
    ...                   {"api00", "ell", "api.stu", "stype"})
    >>> f.text, f.columns
    ('api00 ~ ell + log(Q("api.stu")) + C(stype)', ('api00', 'ell', 'api.stu', 'stype'))
    >>> try:
    ...     check_formula("y ~ I(__import__('os').system('ls'))", {"y"})
    ... except ModelError as exc:
    ...     print(exc.message)
    the formula term "I(__import__('os').system('ls'))" uses attribute access (.system), which is not allowed
    """
    import patsy  # lazily: the formula parser is heavy at start-up

    text = r_names(formula, columns)
    try:
        desc = patsy.ModelDesc.from_formula(text)
    except patsy.PatsyError as exc:
        msg = str(exc).splitlines()[0]
        raise ModelError(f"cannot parse the formula {formula!r}: {msg}",
                         location="formula") from None
    cols: list[str] = []
    unknown: list[str] = []
    for term in [*desc.lhs_termlist, *desc.rhs_termlist]:
        for factor in term.factors:
            got, bad = _factor_names(factor.code, columns)
            cols += got
            unknown += bad
    unknown = list(dict.fromkeys(unknown))
    if unknown and strict:
        name = unknown[0]
        close = difflib.get_close_matches(name, [c for c in _iter(columns)], n=1)
        raise ModelError(f"the formula names {name!r}: the data lacks such a column and it "
                         "is not an allowed transform", location="formula",
                         hint=f"did you mean {close[0]!r}?" if close else
                         "transforms: " + ", ".join(sorted(TRANSFORMS, key=str.lower)))
    return CheckedFormula(text, tuple(dict.fromkeys(cols)), tuple(unknown))


def _iter(columns: Container[str]) -> Iterable[str]:
    return columns if isinstance(columns, Iterable) else ()


_QUOTED = re.compile(r"""Q\((["'])((?:(?!\1).)+)\1\)""")


def display_name(name: str) -> str:
    """A patsy term or coefficient name in R's spelling: ``Q("api.stu")`` -> ``api.stu``.

    >>> display_name('Q("sch.wide")[T.Yes]:I(Q("api.stu") ** 2)')
    'sch.wide[T.Yes]:I(api.stu ** 2)'
    """
    return _QUOTED.sub(lambda m: m.group(2), name)


def term_key(term: str) -> str:
    """The display name of a term written any way: ``api.stu``, ``Q('api.stu')``,
    ``I(x^2)`` all give the name the results show."""
    return display_name(term_name(term))


def term_name(term: str) -> str:
    """patsy's name of a model term written in R's spelling (``sch.wide:I(x^2)`` ->
    ``Q("sch.wide"):I(x ** 2)``); the text itself when it is not one term.

    >>> term_name("sch.wide:yr.rnd")
    'Q("sch.wide"):Q("yr.rnd")'
    """
    import patsy

    try:
        terms = [t for t in patsy.ModelDesc.from_formula("~ 0 + " + r_names(term)).rhs_termlist
                 if t.factors]
    except patsy.PatsyError:
        return term
    return terms[0].name() if len(terms) == 1 else term


class _RScale:
    """R's ``scale(x)``: centred and divided by the standard deviation with divisor
    n - 1 (patsy's own ``scale`` divides by n); a stateful transform, so prediction
    rows are scaled by the fitted rows' mean and sd."""

    def __init__(self) -> None:
        import patsy

        self._inner = patsy.state.Standardize()

    def memorize_chunk(self, x: Any, center: bool = True, rescale: bool = True) -> None:
        self._inner.memorize_chunk(x, center=center, rescale=rescale, ddof=1)

    def memorize_finish(self) -> None:
        self._inner.memorize_finish()

    def transform(self, x: Any, center: bool = True, rescale: bool = True) -> Any:
        return self._inner.transform(x, center=center, rescale=rescale, ddof=1)


class _RPoly:
    """R's ``poly(x, degree)``: orthogonal polynomials of degree 1..``degree`` on the fitted
    rows (R's ``alpha`` and ``norm2`` found by the three-term recurrence R's
    ``predict.poly`` uses), so prediction rows get the fit's polynomials."""

    def __init__(self) -> None:
        self._chunks: list[np.ndarray] = []
        self._degree = 1
        self._alpha = np.empty(0)
        self._norm2 = np.empty(0)

    def memorize_chunk(self, x: Any, degree: int = 1) -> None:
        if not isinstance(degree, int) or not 1 <= degree <= 10:
            raise ValueError(f"poly() takes a degree from 1 to 10, got {degree!r}")
        self._degree = degree
        self._chunks.append(np.asarray(x, dtype=float).ravel())

    def memorize_finish(self) -> None:
        x = np.concatenate(self._chunks)
        self._chunks = []
        alpha: list[float] = []
        norm2 = [1.0, float(x.size)]
        prev, cur = np.zeros_like(x), np.ones_like(x)
        for j in range(self._degree):
            alpha.append(float(np.sum(x * cur**2) / norm2[-1]))
            nxt = (x - alpha[-1]) * cur - (norm2[-1] / norm2[-2]) * prev
            prev, cur = cur, nxt
            norm2.append(float(np.sum(cur**2)))
        self._alpha, self._norm2 = np.array(alpha), np.array(norm2)

    def transform(self, x: Any, degree: int = 1) -> np.ndarray:
        x = np.asarray(x, dtype=float).ravel()
        z = [np.zeros_like(x), np.ones_like(x)]
        for j in range(self._degree):
            z.append((x - self._alpha[j]) * z[-1] - (self._norm2[j + 1] / self._norm2[j]) * z[-2])
        return np.column_stack([z[j + 2] / np.sqrt(self._norm2[j + 2])
                                for j in range(self._degree)])


def transform_namespace() -> dict[str, Any]:
    """The functions of :data:`TRANSFORMS` that are not patsy's own, by name."""
    import patsy

    return {**_MATH, "np": _NP, "offset": _identity,
            "scale": patsy.stateful_transform(_RScale), "poly": patsy.stateful_transform(_RPoly)}


def _identity(v: Any) -> Any:
    return v


def eval_env() -> Any:
    """patsy's evaluation environment for a checked formula: the transforms, nothing else
    (patsy adds its own builtins; the data's columns come first)."""
    import patsy

    return patsy.EvalEnvironment([transform_namespace()])
