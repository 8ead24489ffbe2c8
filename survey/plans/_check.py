"""Checking a parsed plan against its codebooks: questions, SQL, formulas, files.

Cheap and static: no wave is read. The columns an analysis can use are those of the
harmonised frame (the target codebook's typed columns, ``wave``, ``panel``) plus the
plan's derived columns, in order.
"""

from __future__ import annotations

import ast
import fnmatch
import importlib.util
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from survey.bind import parse_sql, parse_where, read_population
from survey.codebook import Codebook, Question, load_codebook
from survey.errors import ModelError, SpecError, SurveyError
from survey.plans._lines import Lines
from survey.plans._model import Plan
from survey.plans._reader import Problems, suggest

__all__ = ["Columns", "check_plan", "has_module", "target_codebook"]

CHOICE = ("single", "ordinal")
NUMERIC = ("number", "integer")


class _Known:
    """The plan's columns as a container, for the formula check."""

    def __init__(self, cols: Columns) -> None:
        self._cols = cols

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._cols.known(name)


def has_module(name: str) -> bool:
    """Whether an optional part of the toolkit (built on another branch) is installed."""
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


@dataclass
class Columns:
    """The columns an analysis may use, and what each is."""

    codebook: Codebook
    kinds: dict[str, str] = field(default_factory=dict)  # column -> question type or 'derived'
    questions: dict[str, Question] = field(default_factory=dict)
    not_stored: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, cb: Codebook) -> Columns:
        c = cls(cb)
        c.kinds["wave"] = "single"
        c.kinds["panel"] = "boolean"
        for q in cb.questions:
            c.questions[q.id] = q
            if q.pii or q.role == "id":
                c.not_stored.update(q.output_columns())
                continue
            for col in q.output_columns():
                c.kinds[col] = "boolean" if q.type == "multiple" and col != f"{q.id}__other_text" \
                    else (q.type if col == q.id else "text")
        return c

    def dtype(self, name: str, waves: tuple[str, ...]) -> pl.DataType:
        kind = self.kinds[name]
        if name == "wave":
            return pl.Enum(list(waves))
        q = self.questions.get(name)
        if kind in CHOICE and q is not None:
            return pl.Enum(list(q.labels))
        return {"boolean": pl.Boolean(), "number": pl.Float64(), "integer": pl.Int64(),
                "date": pl.Date(), "datetime": pl.Datetime()}.get(kind, pl.String())

    def infer(self, expr: pl.Expr, waves: tuple[str, ...]) -> str:
        """Kind of a derived column: evaluate ``expr`` on an empty frame of the right types."""
        names = expr.meta.root_names()
        empty = pl.DataFrame(schema={n: self.dtype(n, waves) for n in names if n in self.kinds})
        dt = empty.select(expr.alias("x")).schema["x"]
        if dt == pl.Boolean:
            return "boolean"
        if dt.is_numeric():
            return "number"
        if isinstance(dt, pl.Enum | pl.Categorical):
            return "single"
        return "text"

    def known(self, name: str) -> bool:
        return name in self.kinds

    def explain(self, name: str) -> str | None:
        """Why a column the data lack cannot be named, when the codebook says (None:
        simply unknown)."""
        if name in self.not_stored or (name in self.questions
                                       and self.questions[name].type == "multiple"):
            return self.why_not(name)
        return None

    def why_not(self, name: str) -> str:
        if name in self.not_stored:
            return f"{name!r} is personal data (pii or the respondent id): it is not stored"
        if name in self.questions and self.questions[name].type == "multiple":
            return (f"{name!r} is a multiple-choice question: use its option columns "
                    f"({name}__<option>) or statistic = \"multiple_choice\"")
        return f"unknown question or column {name!r}{suggest(name, list(self.kinds))}"


def target_codebook(plan: Plan) -> Codebook:
    """The codebook whose terms the harmonised frame takes (raises on a bad codebook)."""
    from survey.store import WaveStore
    from survey.store._harmonize import newest_codebook

    if plan.inputs.codebook is not None:
        return load_codebook(plan.inputs.codebook)
    if plan.inputs.waves:
        return newest_codebook([load_codebook(w.codebook) for w in plan.inputs.waves])
    ws = WaveStore(plan.inputs.store or "survey-store")
    return newest_codebook([ws.codebook(w) for w in plan.inputs.store_waves])


class _Checker:
    def __init__(self, plan: Plan, lines: Lines, problems: Problems) -> None:
        self.plan, self.lines, self.problems = plan, lines, problems
        self.waves = plan.inputs.wave_ids

    def at(self, table: str, index: int | None, key: str | None) -> int | None:
        name = tuple(table.split("."))
        if key is None:
            return self.lines.table(name, index)
        return self.lines.key(name, key, index=index)

    def at_any(self, table: str, index: int | None, *keys: str) -> int | None:
        """Line of the first of ``keys`` the table has (else its header)."""
        name = tuple(table.split("."))
        for k in keys:
            line = self.lines.keys.get(((name, index), (k,)))
            if line is not None:
                return line
        return self.at(table, index, None)

    def add(self, line: int | None, msg: str) -> None:
        self.problems.add(line, msg)

    # -- inputs --------------------------------------------------------------------------------
    def codebooks(self) -> Codebook | None:
        inp = self.plan.inputs
        ok = True
        for i, w in enumerate(inp.waves):
            if not w.codebook.is_file():
                ok = False  # reported with the plan's structure
                continue
            try:
                load_codebook(w.codebook)
            except SurveyError as exc:
                ok = False
                self.add(self.at("inputs.wave", i, "codebook"),
                         f"[[inputs.wave]] {w.id!r} codebook: {exc.message}"
                         + (f" ({len(exc.problems)} problems; `survey schema check "
                            f"{w.codebook}` lists them)" if exc.problems else ""))
        if inp.store is not None:
            from survey.store import WaveStore

            try:
                m = WaveStore(inp.store).manifest()
            except SurveyError as exc:
                self.add(self.at("inputs", None, "store"), f"[inputs] store: {exc.message}")
                return None
            missing = [w for w in inp.store_waves if w not in m.waves]
            if missing:
                ok = False
                self.add(self.at("inputs", None, "waves"),
                         f"[inputs] waves: the store has no wave {', '.join(map(repr, missing))} "
                         f"(it holds {', '.join(sorted(m.waves)) or 'none'})")
        if inp.codebook is not None and inp.codebook.is_file():
            try:
                load_codebook(inp.codebook)
            except SurveyError as exc:
                self.add(self.at("inputs", None, "codebook"), f"[inputs] codebook: {exc.message}")
                return None
        if not ok:
            return None
        try:
            return target_codebook(self.plan)
        except SurveyError as exc:
            self.add(self.at("inputs", None, None), f"[inputs]: {exc.message}")
            return None

    # -- expressions ---------------------------------------------------------------------------
    def sql(self, text: str, cols: Columns, line: int | None, where: str, *,
            condition: bool = False) -> str | None:
        """Check a SQL expression by the translator the CLI uses (survey.bind), so a plan
        and ``--where`` fail with one message; return the kind of its value (None when
        it is wrong)."""
        translate = parse_where if condition else parse_sql
        try:
            expr = translate(text, list(cols.kinds), field=None, explain=cols.explain)
        except SpecError as exc:
            self.add(line, f"{where}: {exc.message}")
            return None
        try:
            return cols.infer(expr, self.waves)
        except Exception as exc:  # noqa: BLE001 - type errors of the expression
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            self.add(line, f"{where}: the SQL expression {text!r} cannot be evaluated: {first}")
            return None

    def condition(self, text: str, cols: Columns, line: int | None, where: str) -> None:
        """A SQL condition: it must give true/false."""
        kind = self.sql(text, cols, line, where, condition=True)
        if kind is not None and kind != "boolean":
            self.add(line, f"{where}: {text!r} is not a condition (it gives {kind} values); "
                           "write e.g. \"offer_received = 'Yes'\"")

    def column(self, name: str, cols: Columns, line: int | None, where: str) -> bool:
        if cols.known(name):
            return True
        self.add(line, f"{where}: {cols.why_not(name)}")
        return False

    def wave_list(self, waves: tuple[str, ...], line: int | None, where: str) -> None:
        for w in waves:
            if w not in self.waves:
                self.add(line, f"{where}: no wave {w!r} among the inputs "
                               f"({', '.join(self.waves)}){suggest(w, self.waves)}")

    def labels(self, col: str, cols: Columns) -> tuple[str, ...] | None:
        if col == "wave":
            return self.waves
        q = cols.questions.get(col)
        if q is not None and q.type in CHOICE and col == q.id:
            return q.labels
        if cols.kinds.get(col) == "boolean":
            return ("True", "False")
        return None

    def formula(self, formula: str, cols: Columns, line: int | None, where: str) -> bool:
        """Check a model formula as the models read it (survey.models' closed namespace:
        R's dotted names, columns and the listed transforms), without evaluating it."""
        import patsy

        from survey.models._namespace import check_formula

        try:
            checked = check_formula(formula, _Known(cols), strict=False)
        except ModelError as exc:
            self.add(line, f"{where}: {exc.message}")
            return False
        for name in checked.unknown:
            self.add(line, f"{where}: the formula names {cols.why_not(name)}")
        desc = patsy.ModelDesc.from_formula(checked.text)
        ok = not checked.unknown
        for term in [*desc.lhs_termlist, *desc.rhs_termlist]:
            for factor in term.factors:
                tree = ast.parse(factor.code, mode="eval")
                for node in ast.walk(tree):
                    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                            and node.func.id == "C" and node.args
                            and isinstance(node.args[0], ast.Name)):
                        ok &= self._reference(node, cols, line, where, factor.code)
        return ok

    def _reference(self, node: ast.Call, cols: Columns, line: int | None, where: str,
                   code: str) -> bool:
        col = node.args[0].id  # type: ignore[attr-defined]
        labels = self.labels(col, cols)
        for arg in node.args[1:]:
            if (isinstance(arg, ast.Call) and isinstance(arg.func, ast.Name)
                    and arg.func.id == "Treatment" and arg.args
                    and isinstance(arg.args[0], ast.Constant) and labels is not None
                    and str(arg.args[0].value) not in labels):
                ref = str(arg.args[0].value)
                self.add(line, f"{where}: the formula term {code!r}: {col} has no level {ref!r}"
                               f"{suggest(ref, labels)} (levels: {', '.join(labels)})")
                return False
        return True

    # -- sections ------------------------------------------------------------------------------
    def run(self) -> None:
        cb = self.codebooks()
        if cb is None:
            return
        cols = Columns.of(cb)
        self.derive(cols)
        self.design(cols)
        self.weighting(cols)
        for i, e in enumerate(self.plan.estimates):
            self.estimate(i, e, cols)
        for i, c in enumerate(self.plan.comparisons):
            self.comparison(i, c, cols)
        for i, m in enumerate(self.plan.models):
            self.model(i, m, cols)
        self.crosstab(cols)

    def derive(self, cols: Columns) -> None:
        for d in self.plan.derive:
            where = f"[derive] {d.name}"
            if cols.known(d.name):
                self.add(d.line, f"{where}: a column {d.name!r} exists already; pick another name")
                continue
            if d.sql is not None:
                cols.kinds[d.name] = self.sql(d.sql, cols, d.line, where) or "text"
            else:
                q = cols.questions.get(d.score or "")
                if q is None or q.type not in CHOICE:
                    self.add(d.line, f"{where}: score needs a single or ordinal question; "
                                     f"{cols.why_not(d.score or '') if q is None else repr(q.id) + ' is ' + q.type}")
                elif not all(_is_number(o.code) for o in q.options):
                    self.add(d.line, f"{where}: score uses the option codes as numbers; "
                                     f"{q.id!r} has codes {[o.code for o in q.options]}")
                cols.kinds[d.name] = "number"

    def design(self, cols: Columns) -> None:
        d = self.plan.design
        for key, name in (("weights", d.weights), ("strata", d.strata)):
            if name is not None:
                self.column(name, cols, self.at("design", None, key), f"[design] {key}")
        for name in d.ids:
            self.column(name, cols, self.at("design", None, "ids"), "[design] ids")
        if d.replicate_weights:
            where = self.at("design.replicates", None, "columns")
            if not fnmatch.filter(list(cols.kinds), d.replicate_weights):
                self.add(where, f"[design.replicates] columns: no column matches "
                                f"{d.replicate_weights!r}")
            if d.strata or d.ids or d.fpc or d.fpc_file:
                self.add(where, "[design.replicates] columns: supplied replicate weights "
                                "carry the design already: drop strata, ids and fpc")
        line = self.at("design", None, "fpc")
        for name in d.fpc:
            self.column(name, cols, line, "[design] fpc")
        if d.fpc_file is None:
            return
        if d.strata is None:
            self.add(line, "[design] fpc: population counts per stratum need strata = \"...\"")
        elif d.fpc_by != d.strata:
            self.add(line, f"[design] fpc: the counts are per stratum, so variable must be the "
                           f"strata column {d.strata!r}, got {d.fpc_by!r}")
        if not Path(d.fpc_file).is_file():
            return
        try:
            pop = read_population(d.fpc_file, d.fpc_by or "")
        except SurveyError as exc:
            self.add(line, f"[design] fpc: {exc.message}")
            return
        labels = self.labels(d.strata or "", cols)
        if labels is not None:
            missing = [lab for lab in labels if lab not in pop]
            if missing and d.strata != "wave":
                self.add(line, f"[design] fpc: {Path(d.fpc_file).name} has no population for "
                               f"{d.fpc_by} = {', '.join(map(repr, missing))}")
        if d.replicate == "Fay" and d.fay_rho is None:
            self.add(self.at("design", None, "replicates"),
                     "[design.replicates]: type = \"Fay\" needs fay_rho (e.g. 0.5)")

    def weighting(self, cols: Columns) -> None:
        w = self.plan.weighting
        if w is None:
            return
        if not has_module("survey.weighting"):
            self.add(self.at("weighting", None, None), "[weighting] needs survey.weighting, which this installation of "
                             "survey lacks; remove [weighting] to run unweighted by margins")
            return
        from survey.weighting import read_margins

        try:
            margins = read_margins(w.margins)
            if w.variables:
                margins = margins.select(*w.variables)
        except SurveyError as exc:
            self.add(self.at("weighting", None, "variables" if w.variables else "margins"),
                     f"[weighting]: {exc.message}")
            return
        for m in margins.margins:
            for v in m.variables:
                self.column(v, cols, self.at("weighting", None, "margins"),
                            f"[weighting] margin {m.name}")

    def estimate(self, i: int, e: object, cols: Columns) -> None:
        from survey.plans._model import EstimateSpec

        assert isinstance(e, EstimateSpec)
        where = f"[[estimate]] {e.id!r}"
        at = lambda key: self.at("estimate", i, key)  # noqa: E731
        q = cols.questions.get(e.variable)
        if e.contrast is not None:  # the columns it names, each numeric
            from survey.estimators._nlcon import parse_expression

            for v in parse_expression(e.contrast).names:
                if self.column(v, cols, at("contrast"), f"{where} contrast") and \
                        cols.kinds[v] not in NUMERIC + ("boolean",):
                    self.add(at("contrast"), f"{where} contrast: {v!r} is {cols.kinds[v]}, not "
                                             "numeric (a [derive] score = \"question\" makes one)")
        elif e.statistic in ("alpha", "variance", "std_dev"):
            for v in e.items or (e.variable,):
                if self.column(v, cols, at("items" if e.items else "variable"),
                               f"{where} {'items' if e.items else 'variable'}") and \
                        cols.kinds[v] not in NUMERIC + ("boolean",):
                    self.add(at("items" if e.items else "variable"),
                             f"{where}: {e.statistic} needs numeric columns; {v!r} is "
                             f"{cols.kinds[v]} (a [derive] score = \"question\" makes one)")
        elif e.statistic == "multiple_choice":
            if q is None or q.type != "multiple":
                self.add(at("variable"), f"{where} variable: multiple_choice needs a "
                                         f"multiple-choice question; " + (
                    f"{e.variable!r} is {q.type}" if q else cols.why_not(e.variable)))
            elif e.categories:
                codes = [o.code for o in q.options]
                for c in e.categories:
                    if c not in codes:
                        self.add(at("categories"), f"{where} categories: {e.variable} has no "
                                                   f"option {c!r}{suggest(c, codes)} (codes: "
                                                   f"{', '.join(codes)})")
        elif self.column(e.variable, cols, at("variable"), f"{where} variable"):
            kind = cols.kinds[e.variable]
            if e.statistic == "proportion" and kind in NUMERIC + ("text",):
                self.add(at("statistic"), f"{where}: a proportion needs a categorical column; "
                                          f"{e.variable!r} is {kind} (use statistic = \"mean\")")
            if e.statistic in ("quantile", "gini") and kind not in NUMERIC:
                self.add(at("statistic"), f"{where}: a {e.statistic} needs a numeric column; "
                                          f"{e.variable!r} is {kind}")
            if e.statistic == "gini" and e.by:
                self.add(at("by"), f"{where}: a gini coefficient is one number for the "
                                   "(sub)population: give where = instead of by")
            labels = self.labels(e.variable, cols)
            if labels is not None:
                for c in e.categories:
                    if c not in labels:
                        self.add(at("categories"), f"{where} categories: {e.variable} has no "
                                                   f"category {c!r}{suggest(c, labels)}")
        for b in e.by:
            self.column(b, cols, at("by"), f"{where} by")
        if e.where:
            self.condition(e.where, cols, at("where"), f"{where} where")
        self.wave_list(e.waves, self.at_any("estimate", i, "wave", "waves"), where)
        if e.plot and len(e.by) > 2:
            self.add(at("plot"), f"{where} plot: a plot shows at most two by-variables")
        if e.distribution:
            kind = cols.kinds.get(e.variable)
            if e.statistic not in ("mean", "total", "quantile", "variance", "std_dev") or \
                    kind not in NUMERIC:
                self.add(at("plot"), f"{where} plot: a {'/'.join(e.distribution)} draws a numeric "
                                     f"question's distribution; {e.variable!r} is "
                                     f"{kind or e.statistic} (use plot = true for interval bars)")
            if len(e.by) > 1:
                self.add(at("plot"), f"{where} plot: a {'/'.join(e.distribution)} takes at most "
                                     "one by-variable (a box per group)")

    def comparison(self, i: int, c: object, cols: Columns) -> None:
        from survey.plans._model import ComparisonSpec

        assert isinstance(c, ComparisonSpec)
        where = f"[[comparison]] {c.id!r}"
        at = lambda key: self.at("comparison", i, key)  # noqa: E731
        if self.column(c.variable, cols, at("variable"), f"{where} variable"):
            labels = self.labels(c.variable, cols)
            if c.statistic == "proportion":
                if labels is None:
                    self.add(at("variable"), f"{where}: a proportion needs a categorical column; "
                                             f"{c.variable!r} is {cols.kinds[c.variable]}")
                elif c.category is None and cols.kinds[c.variable] != "boolean":
                    self.add(at(None), f"{where}: name the category compared, e.g. "
                                       f"category = {labels[0]!r}")
                elif c.category is not None and c.category not in labels:
                    self.add(at("category"), f"{where} category: {c.variable} has no category "
                                             f"{c.category!r}{suggest(c.category, labels)}")
        if self.column(c.by, cols, at("by"), f"{where} by"):
            labels = self.labels(c.by, cols)
            for key, v in (("first", c.first), ("second", c.second)):
                if labels is not None and v not in labels:
                    what = "wave" if c.by == "wave" else f"{c.by} category"
                    self.add(at(key), f"{where} {key}: no {what} {v!r}{suggest(v, labels)} "
                                      f"({', '.join(labels)})")
        if c.where:
            self.condition(c.where, cols, at("where"), f"{where} where")

    def model(self, i: int, m: object, cols: Columns) -> None:
        from survey.plans._model import ModelSpec

        assert isinstance(m, ModelSpec)
        where = f"[[model]] {m.id!r}"
        at = lambda key: self.at("model", i, key)  # noqa: E731
        full = m.formula if not m.offset else f"{m.formula} + offset({m.offset})"
        if self.formula(full, cols, at("formula"), f"{where} formula"):
            has_lhs = m.formula.split("~", 1)[0].strip() != "" if "~" in m.formula else False
            if "~" not in m.formula:
                self.add(at("formula"), f"{where} formula: {m.formula!r} has no '~'")
            elif has_lhs and m.outcome:
                self.add(at("outcome"), f"{where}: give the outcome on the formula's left-hand "
                                        "side or as outcome = \"SQL\", not both")
            elif not has_lhs and not m.outcome:
                self.add(at("formula"), f"{where} formula: no outcome: write 'y ~ ...' or add "
                                        "outcome = \"SQL expression\"")
        if m.outcome:
            self.sql(m.outcome, cols, at("outcome"), f"{where} outcome")
        if m.where:
            self.condition(m.where, cols, at("where"), f"{where} where")
        for v in m.margins:
            self.column(v, cols, at("margins"), f"{where} margins")
        if m.marginpred is not None:
            self.marginpred((*m.marginpred.adjust_for, *(v for v, _ in m.marginpred.at)),
                            m.weighted, cols, at("marginpred"), f"{where} marginpred")
        self.wave_list(m.waves, self.at_any("model", i, "wave", "waves"), where)
        if m.levels:
            lhs = m.formula.split("~", 1)[0].strip()
            labels = self.labels(lhs, cols) if lhs else None
            if labels is not None:
                for lv in m.levels:
                    if lv not in labels:
                        self.add(at("levels"), f"{where} levels: {lhs} has no level {lv!r}"
                                               f"{suggest(lv, labels)}")

    def marginpred(self, names: tuple[str, ...], weighted: tuple[bool, ...], cols: Columns,
                   line: int | None, where: str) -> None:
        """R's marginpred rakes the sampling weights: its columns known, no replicate or
        calibrated design among the fits."""
        for v in names:
            self.column(v, cols, line, where)
        d = self.plan.design
        if True in weighted and (d.replicate or d.replicate_weights):
            self.add(line, f"{where}: marginpred rakes the sampling weights and cannot run on "
                           "the plan's replicate design; set weighted = false on the model")
        elif True in weighted and d.weighting:
            self.add(line, f"{where}: marginpred rakes the sampling weights and cannot run on "
                           "the [weighting]'s calibrated design; set weighted = false on the "
                           "model, or drop [weighting]")

    def crosstab(self, cols: Columns) -> None:
        ct = self.plan.crosstab
        if ct is None:
            return
        if not has_module("survey.tables"):
            self.add(ct.line, "[crosstab] needs survey.tables (the crosstab workbook), which "
                              "this installation of survey lacks; remove [crosstab] for now")
            return
        rows = () if ct.rows == "all" else ct.rows
        blocks = {g.id for g in cols.codebook.groups}      # a grid shown as one table
        for r in rows:
            q = cols.questions.get(r)
            if q is None and not cols.known(r) and r not in blocks:
                self.add(self.at("crosstab", None, "rows"), f"[crosstab] rows: {cols.why_not(r)}")
        for b in ct.banner:
            if self.column(b, cols, self.at("crosstab", None, "banner"), "[crosstab] banner"):
                if self.labels(b, cols) is None:
                    self.add(self.at("crosstab", None, "banner"),
                             f"[crosstab] banner: {b!r} is not a single-choice question")
        if ct.where:
            self.condition(ct.where, cols, self.at("crosstab", None, "where"), "[crosstab] where")
        self.wave_list(ct.waves, self.at_any("crosstab", None, "wave", "waves"), "[crosstab]")


def _is_number(code: str) -> bool:
    try:
        float(code)
    except ValueError:
        return False
    return True


def check_plan(plan: Plan, lines: Lines, problems: Problems) -> None:
    """Add every content mistake of ``plan`` to ``problems`` (nothing is raised here)."""
    _Checker(plan, lines, problems).run()
