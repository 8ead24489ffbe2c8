"""Reading a plan file: TOML -> :class:`Plan`, every mistake reported with its line.

:func:`load_plan` checks the structure (sections, keys, types, values, files) and then
the content against the codebooks (:mod:`survey.plans._check`): question ids, SQL
expressions, formulas. Nothing is written and no data is read beyond the plan, the
codebooks and the small population/margins files.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import replace
from pathlib import Path

from survey.bind._spec import needs_replicate_type
from survey.errors import EstimationError
from survey.estimators._nlcon import parse_expression
from survey.estimators._quantile import QUANTILE_INTERVALS, QUANTILE_RULES
from survey.plans._lines import Lines
from survey.plans._model import (
    GLM_FAMILIES,
    GLM_LINKS,
    MODEL_TYPES,
    OLR_LINKS,
    STATISTICS,
    WEIGHTING_METHODS,
    ComparisonSpec,
    CrosstabSpec,
    DerivedSpec,
    DesignSpec,
    EstimateSpec,
    Inputs,
    MarginpredSpec,
    ModelSpec,
    OutputsSpec,
    Plan,
    ResponseRatesSpec,
    WaveInput,
    Weighting,
)
from survey.plans._reader import Problems, Table, suggest

__all__ = ["load_plan", "parse_plan"]

SECTIONS = ("plan", "inputs", "derive", "design", "weighting", "estimate", "comparison",
            "model", "crosstab", "response_rates", "outputs")
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*$")
CI_METHODS = ("logit", "likelihood", "asin", "beta", "mean", "xlogit", "wilson",
              "clopper-pearson", "jeffreys", "agresti-coull")
LONELY = ("fail", "remove", "adjust", "average", "certainty")


def load_plan(path: str | Path) -> Plan:
    """Read and validate an analysis plan (TOML; format in docs/plans.md).

    Raises
    ------
    PlanError
        Every mistake at once, each as ``PLAN.toml:LINE: what is wrong``: unknown keys
        and sections, wrong types, missing files, unknown question ids, SQL that does
        not parse or names unknown columns, formulas that do not parse.

    Examples
    --------
    >>> plan = load_plan("analyses/brain_drain_2025.toml")  # doctest: +SKIP
    >>> [e.id for e in plan.estimates][:2]  # doctest: +SKIP
    ['offer_rate', 'offer_countries']
    """
    from survey.plans._check import check_plan

    p = Path(path)
    problems = Problems(p)
    if not p.is_file():
        problems.add(None, f"no such plan file: {p}")
        problems.raise_if_any()
    raw = p.read_bytes()
    plan = parse_plan(raw, p, problems)
    if plan is None:
        problems.raise_if_any()
        return plan  # type: ignore[return-value]  # unreachable: no plan means problems
    check_plan(plan, Lines.scan(raw.decode("utf-8", errors="replace")), problems)
    problems.raise_if_any()
    return plan


def parse_plan(raw: bytes, path: Path, problems: Problems) -> Plan | None:
    """The plan's structure (no codebook checks); mistakes go to ``problems``."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.add(None, f"the plan is not UTF-8 text ({exc.reason} at byte {exc.start})")
        return None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        msg = re.sub(r" \(at line.*", "", str(exc))
        problems.add(int(m.group(1)) if m else None, f"not valid TOML: {msg}")
        return None
    lines = Lines.scan(text)
    base = path.resolve().parent
    root = Table(data, (), lines, problems, label="plan file")
    for key in data:
        if key not in SECTIONS:
            from survey.plans._reader import suggest

            problems.add(lines.table((key,)) or lines.table((key,), 0) or lines.key((), key),
                         f"unknown section [{key}]{suggest(key, SECTIONS)}; sections: "
                         f"{', '.join(SECTIONS)}")
    root.seen.update(SECTIONS)

    head = root.table("plan", label="[plan]")
    title, description, seed, level = path.stem, None, 0, 0.95
    if head is None:
        problems.add(1, "[plan] is required (with at least a title)")
    else:
        title = head.str("title", required=True) or path.stem
        description = head.str("description")
        seed = head.int("seed", default=0, minimum=0)
        level = head.level("level", default=0.95)
        head.done()

    inputs = _inputs(root.table("inputs", label="[inputs]"), base, problems)
    derive = _derive(root.table("derive", label="[derive]"))
    design = _design(root.table("design", label="[design]"), base, seed)
    weighting = _weighting(root.table("weighting", label="[weighting]"), base)
    if weighting is not None:
        design = replace(design, weighting=(weighting,))

    estimates = [_estimate(t, level) for t in root.tables("estimate", label="[[estimate]]")]
    comparisons = [_comparison(t, level) for t in root.tables("comparison", label="[[comparison]]")]
    models = [_model(t, level) for t in root.tables("model", label="[[model]]")]
    crosstab = _crosstab(root.table("crosstab", label="[crosstab]"))
    outputs = _outputs(root.table("outputs", label="[outputs]"), base)
    response = _response_rates(root.table("response_rates", label="[response_rates]"), base)

    seen: dict[str, int | None] = {}
    for spec in [*estimates, *comparisons, *models]:
        if spec is None:
            continue
        if spec.id in seen:
            problems.add(spec.line, f"id {spec.id!r} is used twice (first at line "
                                    f"{seen[spec.id]}); ids name the output files")
        seen.setdefault(spec.id, spec.line)
    if not (estimates or comparisons or models or crosstab):
        problems.add(None, "the plan asks for nothing: add [[estimate]], [[comparison]], "
                           "[[model]] or [crosstab]")
    if inputs is None or not data:
        return None
    return Plan(
        path=path.resolve(), sha256=hashlib.sha256(raw).hexdigest(), title=title,
        description=description, seed=seed, level=level, inputs=inputs,
        derive=tuple(derive), design=design,
        estimates=tuple(e for e in estimates if e is not None),
        comparisons=tuple(c for c in comparisons if c is not None),
        models=tuple(m for m in models if m is not None), crosstab=crosstab, outputs=outputs,
        response_rates=response)


# -- sections ----------------------------------------------------------------------------------

def _inputs(t: Table | None, base: Path, problems: Problems) -> Inputs | None:
    if t is None:
        problems.add(1, "[inputs] is required: [[inputs.wave]] files, or store and waves")
        return None
    waves = []
    for w in t.tables("wave", label="[[inputs.wave]]"):
        wid = w.str("id", required=True)
        if wid is not None:
            w.label = f"[[inputs.wave]] {wid!r}"
        f = w.path("file", base, required=True)
        cb = w.path("codebook", base, required=True)
        sheet, enc = w.str("sheet"), w.str("encoding")
        w.done()
        if wid is not None and f is not None and cb is not None:
            waves.append(WaveInput(wid, f, cb, sheet, enc, w.line()))
    store = t.path("store", base, kind="directory")
    store_waves = t.strs("waves")
    codebook = t.path("codebook", base)
    t.done()
    ids = [w.id for w in waves]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        t.bad("wave", f"wave {dup!r} is listed twice")
    if waves and store is not None:
        t.bad("store", "give either [[inputs.wave]] files (ingested into the report's own "
                       "store) or an existing store, not both")
    elif store is not None and not store_waves:
        t.bad("waves", "name the waves to load from the store, e.g. waves = [\"2023\", \"2025\"]")
    elif store is None and not waves:
        t.bad(None, "no input: add [[inputs.wave]] tables (id, file, codebook) or "
                    "store = \"DIR\" with waves = [...]")
    return Inputs(waves=tuple(waves), store=store, store_waves=store_waves, codebook=codebook)


def _derive(t: Table | None) -> list[DerivedSpec]:
    if t is None:
        return []
    out = []
    for name, v in t.data.items():
        t.seen.add(name)
        line = t.line(name)
        if not _ID.match(name):
            t.bad(name, "a derived column's name must be a letter then letters, digits or _")
            continue
        if isinstance(v, str) and v.strip():
            out.append(DerivedSpec(name, sql=v, line=line))
        elif isinstance(v, dict) and set(v) == {"score"} and isinstance(v["score"], str):
            out.append(DerivedSpec(name, score=v["score"], line=line))
        else:
            t.bad(name, f"must be a SQL expression (text) or {{ score = \"question\" }}, got {v!r}")
    return out


def _design(t: Table | None, base: Path, seed: int) -> DesignSpec:
    """[design], as the library's specification (the CLI's design flags spell it too)."""
    if t is None:
        return DesignSpec()
    weights, strata = t.str("weights"), t.str("strata")
    ids = t.strs("ids")
    fpc: tuple[str, ...] = ()
    fpc_file: Path | None = None
    fpc_by: str | None = None
    t.seen.add("fpc")
    raw = t.data.get("fpc")
    if isinstance(raw, str):
        fpc = (raw,)
    elif isinstance(raw, dict):
        ft = t.table("fpc", label="[design] fpc")
        assert ft is not None
        fpc_file = ft.path("population", base, required=True)
        fpc_by = ft.str("variable", default=strata)
        ft.done()
        if fpc_by is None:
            ft.bad("variable", "name the stratum variable whose population counts to use")
    elif raw is not None:
        t.bad("fpc", f"must be a column name or {{ population = \"FILE\", variable = \"...\" }}, "
                     f"got {raw!r}")
    fpc_kind = t.str("fpc_kind", default="auto", choices=("auto", "population", "fraction"))
    lonely = t.str("lonely_psu", default="fail", choices=LONELY)
    replicate, replicates, fay_rho = None, 50, None
    columns, scale, mse = None, None, False
    rscales: tuple[float, ...] | None = None
    rt = t.table("replicates", label="[design] replicates")
    if rt is not None:
        columns = rt.str("columns")
        if columns is None:  # made from the design
            replicate = rt.str("type", default="auto", choices=MADE_TYPES) or "auto"
        else:  # supplied columns: only the file's documentation knows their type
            replicate = rt.str("type", choices=SUPPLIED_TYPES)
        replicates = rt.int("replicates", default=50, minimum=2) or 50
        rho = rt._get("fay_rho", (int, float), "a number", False)
        fay_rho = float(rho) if rho is not None else (0.0 if replicate != "Fay" else None)
        given = rt._get("scale", (int, float), "a number", False)
        scale = float(given) if given is not None else None
        mse = rt.bool("mse", default=False)
        given_rs = rt._get("rscales", (list,), "a list of numbers", False)
        if given_rs is not None and not all(isinstance(v, int | float) and not isinstance(v, bool)
                                            for v in given_rs):
            rt.bad("rscales", f"must be a list of numbers, got {given_rs!r}")
            given_rs = None
        rscales = tuple(float(v) for v in given_rs) if given_rs else None
        if columns is not None and replicate is None and scale is None:
            if "type" not in rt.data:
                rt.bad("columns", needs_replicate_type(columns).named(_REPLICATE_KEYS).message)
            columns = None  # the mistake is told; bind nothing
        rt.done()
    t.done()
    return DesignSpec(weights=weights, strata=strata, ids=ids, fpc=fpc, fpc_file=fpc_file,
                      fpc_by=fpc_by, fpc_kind=fpc_kind or "auto",  # type: ignore[arg-type]
                      lonely_psu=lonely or "fail", replicate=replicate, replicates=replicates,
                      fay_rho=fay_rho, seed=seed if replicate is not None else None,
                      replicate_weights=columns, scale=scale, mse=mse, rscales=rscales)


MADE_TYPES = ("auto", "JK1", "JKn", "BRR", "Fay", "bootstrap", "subbootstrap", "mrbbootstrap")
SUPPLIED_TYPES = ("ACS", "successive-difference", "JK1", "JKn", "JK2", "BRR", "Fay", "bootstrap",
                  "other")
_REPLICATE_KEYS = {"replicate_weights": "columns", "replicate=TYPE": 'type = "TYPE"',
                   "scale": "scale",
                   "mse": "mse = true", "fay_rho": "fay_rho", "rscales": "rscales",
                   **{f'replicate="{t}"': f'type = "{t}"' for t in SUPPLIED_TYPES}}
"""The [design.replicates] key of each DesignSpec field, for the library's message."""


def _weighting(t: Table | None, base: Path) -> Weighting | None:
    if t is None:
        return None
    method = t.str("method", required=True, choices=WEIGHTING_METHODS)
    margins = t.path("margins", base, required=True)
    variables = t.strs("variables")
    partial = t.bool("partial", default=False)
    t.done()
    if method is None or margins is None:
        return None
    if method == "poststratify" and len(variables) > 1:
        t.bad("variables", "poststratify uses one margin: cross the variables in one "
                           "(\"division:gender\") or use method = \"rake\"")
    return Weighting(method, margins, variables, partial)  # type: ignore[arg-type]


def _waves(t: Table) -> tuple[str, ...]:
    if "wave" in t.data and "waves" in t.data:
        t.bad("waves", "give wave or waves, not both")
    return t.strs("wave") or t.strs("waves")


def _id(t: Table, kind: str) -> str | None:
    v = t.str("id", required=True)
    if v is not None:
        if not _ID.match(v):
            t.bad("id", f"{v!r}: an id is a letter then letters, digits, _ or - (it names files)")
            return None
        t.label = f"[[{kind}]] {v!r}"
    return v


def _quantile_options(t: Table) -> dict[str, object]:
    """``quantiles`` (a probability or a list, default the median) and ``qrule``."""
    v = t._get("quantiles", (int, float, list), "a probability or a list of them", False)
    probs = [v] if isinstance(v, int | float) else (v or [0.5])
    if not all(isinstance(p, int | float) and not isinstance(p, bool) and 0 <= p <= 1
               for p in probs):
        t.bad("quantiles", f"must be probabilities between 0 and 1, e.g. [0.25, 0.5, 0.75], "
                           f"got {v!r}")
        probs = [0.5]
    return {"quantiles": tuple(float(p) for p in probs),
            "qrule": t.str("qrule", default="math", choices=QUANTILE_RULES)}


DISTRIBUTION_PLOTS = ("histogram", "boxplot", "ecdf")


def _plot(t: Table) -> dict[str, object]:
    """``plot = true`` (interval bars), or a weighted distribution plot of a numeric
    question: ``plot = "histogram"``, ``"boxplot"``, ``"ecdf"`` or a list of them."""
    v = t.data.get("plot")
    if isinstance(v, str) or (isinstance(v, list) and v and all(isinstance(x, str) for x in v)):
        t.seen.add("plot")
        kinds = [v] if isinstance(v, str) else list(v)
        bad = [k for k in kinds if k not in DISTRIBUTION_PLOTS]
        if bad:
            t.bad("plot", f"{bad[0]!r} is not true, false or one of {', '.join(DISTRIBUTION_PLOTS)}"
                          f"{suggest(bad[0], DISTRIBUTION_PLOTS)}")
        return {"plot": False, "distribution": tuple(k for k in kinds if k in DISTRIBUTION_PLOTS)}
    return {"plot": t.bool("plot", default=False), "distribution": ()}


def _estimate(t: Table, level: float) -> EstimateSpec | None:
    eid = _id(t, "estimate")
    stat = t.str("statistic", required=True, choices=STATISTICS)
    items = t.strs("items")
    contrast = _contrast(t, stat)
    var = t.str("variable", required=stat != "alpha" and contrast is None) or contrast
    if stat == "alpha":  # Cronbach's alpha of a scale: its items, named by variable or joined
        if len(items) < 2:
            t.bad("items", "alpha needs items = [\"q1\", \"q2\", ...] (two or more numeric "
                           "columns, e.g. [derive] scores)")
        var = var or "+".join(items)
    elif items:
        t.bad("items", "items belong to statistic = \"alpha\"")
    ci = (t.str("ci", default="mean", choices=QUANTILE_INTERVALS) if stat == "quantile"
          else t.str("ci", default="logit", choices=CI_METHODS))
    extra = _quantile_options(t) if stat == "quantile" else {}
    spec = dict(title=t.str("title"), by=t.strs("by"), where=t.str("where"), waves=_waves(t),
                weighted=t.weighted(), ci=ci, **extra,
                level=t.level("level", default=level), categories=t.strs("categories"),
                sort=t.str("sort", default="none", choices=("none", "descending", "ascending")),
                **_plot(t))
    t.done()
    if contrast is not None and spec["categories"]:
        t.bad("categories", "a contrast is one number (per domain): it has no categories")
    if eid is None or stat is None or var is None:
        return None
    return EstimateSpec(id=eid, statistic=stat, variable=var, line=t.line(), items=items,
                        contrast=contrast, **spec)  # type: ignore[arg-type]


def _contrast(t: Table, stat: str | None) -> str | None:
    """``contrast = "a / b - 1"``: a function of the means (totals) of the columns it names
    (R's ``svycontrast(svymean(~a+b, design), quote(a/b - 1))``)."""
    text = t.str("contrast")
    if text is None:
        return None
    if stat not in ("mean", "total"):
        t.bad("contrast", 'a contrast combines means or totals: statistic = "mean" or "total"')
        return None
    try:
        names = parse_expression(text).names
    except EstimationError as exc:
        t.bad("contrast", f"{exc.message}" + (f" ({exc.hint})" if exc.hint else ""))
        return None
    if not names:
        t.bad("contrast", f"{text!r} names no column; e.g. contrast = \"pay / funding - 1\"")
        return None
    return text


def _comparison(t: Table, level: float) -> ComparisonSpec | None:
    cid = _id(t, "comparison")
    var = t.str("variable", required=True)
    first, second = t.str("first", required=True), t.str("second", required=True)
    spec = dict(statistic=t.str("statistic", default="proportion", choices=("proportion", "mean")),
                category=t.str("category"), by=t.str("by", default="wave"), title=t.str("title"),
                where=t.str("where"), weighted=t.weighted(),
                ci=t.str("ci", default="logit", choices=CI_METHODS),
                level=t.level("level", default=level), panel=t.bool("panel", default=True),
                relative=t.bool("relative", default=False))
    t.done()
    if None in (cid, var, first, second):
        return None
    if first == second:
        t.bad("second", f"compares {first!r} with itself")
    return ComparisonSpec(id=cid, variable=var, first=first, second=second,  # type: ignore[arg-type]
                          line=t.line(), **spec)  # type: ignore[arg-type]


def _model(t: Table, level: float) -> ModelSpec | None:
    mid = _id(t, "model")
    kind = t.str("type", required=True, choices=MODEL_TYPES)
    formula = t.str("formula", required=True)
    spec = dict(title=t.str("title"), outcome=t.str("outcome"), where=t.str("where"),
                waves=_waves(t), weighted=t.weighted(), levels=t.strs("levels"),
                level=t.level("level", default=level), plot=t.bool("plot", default=True),
                family=t.str("family", choices=GLM_FAMILIES), link=t.str("link"),
                offset=t.str("offset"), margins=t.strs("margins"), maximal=t.str("maximal"))
    sub = t.table("marginpred")
    if sub is not None:  # an inline table: its mistakes are on the line of `marginpred =`
        sub.line = lambda key=None: t.line("marginpred")  # type: ignore[method-assign]
    spec["marginpred"] = _marginpred(sub) if sub is not None else None
    theta = t.data.get("theta")
    t.seen.add("theta")
    if theta is not None and (isinstance(theta, bool) or not isinstance(theta, int | float)
                              or theta <= 0):
        t.bad("theta", f"must be a positive number, got {theta!r}")
        theta = None
    t.done()
    if None in (mid, kind, formula):
        return None
    if kind != "ologit" and spec["levels"]:
        t.bad("levels", "levels = [...] orders an ordinal outcome; it is for type = \"ologit\"")
    for key in ("family", "offset"):
        if spec[key] and kind != "glm":
            t.bad(key, f"{key} is for type = \"glm\"")
    if theta is not None and spec["family"] not in ("negative_binomial", "negative-binomial"):
        t.bad("theta", "theta is the negative binomial's shape: family = \"negative_binomial\"")
    links = OLR_LINKS if kind == "ologit" else GLM_LINKS if kind == "glm" else ()
    if spec["link"] and spec["link"] not in links:
        t.bad("link", f"{spec['link']!r} is not a link of type = \"{kind}\""
              + (f": {', '.join(links)}" if links else ""))
    if spec["maximal"] and kind in ("ologit", "firth"):
        t.bad("maximal", "a maximal model (for BIC) is for logit, linear and glm models")
    if spec["margins"] and kind in ("ologit", "firth"):
        t.bad("margins", "predictive margins are for logit, linear and glm models")
    if spec["marginpred"] and kind in ("ologit", "firth"):
        t.bad("marginpred", "marginpred is for logit, linear and glm models")
    spec["theta"] = None if theta is None else float(theta)
    return ModelSpec(id=mid, type=kind, formula=formula, line=t.line(), **spec)  # type: ignore[arg-type]


def _marginpred(t: Table) -> MarginpredSpec | None:
    """``marginpred = { adjust_for = [...], at = { x = [...] }, type = "response" }``."""
    adjust = t.strs("adjust_for", required=True)
    kind = t.str("type", default="link", choices=("link", "response"))
    at = t._get("at", (dict,), "a table of variables and their values", True)
    t.done()
    points: list[tuple[str, tuple[str | int | float | bool, ...]]] = []
    for name, vals in (at or {}).items():
        items = vals if isinstance(vals, list) else [vals]
        if not items or not all(isinstance(v, str | int | float) for v in items):
            t.bad("at", f"{name} must be a value or a list of values, got {vals!r}")
            return None
        points.append((name, tuple(items)))
    lengths = {len(v) for _, v in points} - {1}
    if len(lengths) > 1:
        t.bad("at", "the variables give different numbers of values: "
              + ", ".join(f"{k} {len(v)}" for k, v in points))
        return None
    if not adjust or not points:
        if at is not None and not points:
            t.bad("at", "give the prediction points, e.g. at = { salary_multiple = [1.0, 1.5] }")
        return None
    return MarginpredSpec(adjust, tuple(points), kind or "link")


def _crosstab(t: Table | None) -> CrosstabSpec | None:
    if t is None:
        return None
    rows_raw = t.data.get("rows")
    rows: tuple[str, ...] | str = "all" if rows_raw == "all" else t.strs("rows", required=True)
    t.seen.add("rows")
    banner = t.strs("banner", required=True)
    sig = t.table("significance", label="[crosstab] significance")
    levels: tuple[float, float] | None = (0.95, 0.99)
    correction, min_base, ordinal = "holm", 30.0, None
    if sig is not None:
        if sig.bool("test", default=True):
            lo = sig.level("level", default=0.95)
            hi = sig.level("strict_level", default=0.99)
            if not lo < hi:
                sig.bad("strict_level", f"must be above level ({lo}), got {hi}")
            levels = (lo, hi)
        else:
            levels = None
        correction = sig.str("correction", default="holm",
                             choices=("none", "bonferroni", "holm", "bh")) or "holm"
        min_base = float(sig.int("min_base", default=30, minimum=2))
        ordinal = sig.str("ordinal_test", choices=("wilcoxon", "vanderwaerden", "median",
                                                   "kruskalwallis"))
        sig.done()
    spec = CrosstabSpec(
        rows=rows if rows == "all" else tuple(rows), banner=banner, where=t.str("where"),  # type: ignore[arg-type]
        waves=_waves(t), weighted=t.bool("weighted", default=True), significance=levels,
        correction=correction, min_base=min_base, min_cell=t.int("min_cell", default=10, minimum=0),
        cells=t.strs("cells") or ("column_pct",),
        file=t.str("file", default="crosstabs.xlsx") or "crosstabs.xlsx", line=t.line(),
        ordinal_test=ordinal)
    t.done()
    bad = [c for c in spec.cells if c not in ("column_pct", "row_pct", "count", "unweighted_count")]
    if bad:
        t.bad("cells", f"{bad}: choose from column_pct, row_pct, count, unweighted_count")
    if not spec.file.endswith(".xlsx") or "/" in spec.file:
        t.bad("file", f"{spec.file!r}: a file name ending in .xlsx (written in the report folder)")
    return spec


def _response_rates(t: Table | None, base: Path) -> ResponseRatesSpec | None:
    if t is None:
        return None
    f = t.path("file", base, required=True)
    disposition = t.str("disposition", default="disposition") or "disposition"
    by = t.str("by")
    e = t._get("e", (int, float), "a share between 0 and 1", False)
    if e is not None and not 0 <= e <= 1:
        t.bad("e", f"must be a share between 0 and 1 (the eligible share of unknowns), got {e}")
        e = None
    t.done()
    if f is None:
        return None
    return ResponseRatesSpec(f, disposition, by, None if e is None else float(e), t.line())


def _outputs(t: Table | None, base: Path) -> OutputsSpec:
    if t is None:
        return OutputsSpec()
    out = OutputsSpec(dir=t.path("dir", base, kind="directory", must_exist=False),
                      html=t.bool("html", default=True), csv=t.bool("csv", default=True),
                      json=t.bool("json", default=True))
    t.done()
    return out
