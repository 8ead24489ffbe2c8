"""Population margins: known counts per category (and totals of numeric columns).

A margin is one variable, or several crossed, with the population count of every
category. Margins come from a long CSV (``variable,category,population``; a crossed
margin joins its variables and its categories with ``:``) or from a dict, and are
matched against a sample once, collecting every mismatch into one error.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from survey._display import html_frame
from survey.codebook import Codebook
from survey.design import SurveyFrame
from survey.errors import DesignError

__all__ = ["Margin", "Margins", "read_margins"]

SEP = ":"


@dataclass(frozen=True)
class Margin:
    """One margin: the variables (one, or several crossed) and a count per category.

    ``categories`` holds one tuple of values per category (one value per variable),
    in the order given; ``population`` the known counts.

    >>> m = Margin(("stype",), (("E",), ("H",), ("M",)), (4421.0, 755.0, 1018.0))
    >>> m.name, m.total
    ('stype', 6194.0)
    """

    variables: tuple[str, ...]
    categories: tuple[tuple[str, ...], ...]
    population: tuple[float, ...]

    @property
    def name(self) -> str:
        """The variables joined by ``:`` (the CSV's ``variable`` field)."""
        return SEP.join(self.variables)

    @property
    def labels(self) -> list[str]:
        """The categories joined by ``:``."""
        return [SEP.join(c) for c in self.categories]

    @property
    def total(self) -> float:
        """The population size this margin implies."""
        return float(sum(self.population))


@dataclass(frozen=True)
class Margins:
    """Population margins of categorical variables and totals of numeric ones.

    Build with :func:`read_margins` (a CSV file) or :meth:`from_dict`.

    >>> ms = Margins.from_dict({"stype": {"E": 4421, "H": 755, "M": 1018},
    ...                         "stype:sch.wide": {"E:Yes": 4000, "E:No": 421}})
    >>> [m.name for m in ms.margins]
    ['stype', 'stype:sch.wide']
    """

    margins: tuple[Margin, ...] = ()
    totals: tuple[tuple[str, float], ...] = ()  # numeric column -> population total

    @classmethod
    def from_dict(cls, spec: Mapping[Any, Any]) -> Margins:
        """Margins from ``{variable: {category: count}}``; a crossed margin is keyed by
        ``"a:b"`` (or a tuple of names) with ``"x:y"`` (or tuple) categories, and a
        numeric column's total is a plain number: ``{"api99": 3914069}``."""
        rows: list[tuple[str, str, Any]] = []
        for var, cats in spec.items():
            name = SEP.join(var) if isinstance(var, tuple) else str(var)
            if isinstance(cats, Mapping):
                rows += [(name, SEP.join(map(str, c)) if isinstance(c, tuple) else str(c), v)
                         for c, v in cats.items()]
            else:
                rows.append((name, "", cats))
        return _build(rows, "margins")

    def to_rows(self) -> list[dict[str, Any]]:
        """The long form: one ``{variable, category, population}`` per category."""
        out = [{"variable": m.name, "category": lab, "population": p}
               for m in self.margins for lab, p in zip(m.labels, m.population, strict=True)]
        out += [{"variable": v, "category": "", "population": t} for v, t in self.totals]
        return out

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, Any]], where: str = "margins") -> Margins:
        """Inverse of :meth:`to_rows`."""
        return _build([(str(r["variable"]), str(r["category"] or ""), r["population"])
                       for r in rows], where)

    @classmethod
    def from_codebook(cls, codebook: Codebook) -> Margins:
        """The codebook's ``population`` section (docs/codebook.md) as margins."""
        if not codebook.population:
            raise DesignError("the codebook has no population section", location=codebook.path,
                              hint="add `population:` to the codebook or give a margins CSV")
        return _build(list(codebook.population), f"{codebook.path or 'codebook'}#population")

    def to_frame(self) -> pl.DataFrame:
        """The long form as a polars frame."""
        return pl.DataFrame(self.to_rows(), schema={"variable": pl.String, "category": pl.String,
                                                    "population": pl.Float64})

    def _repr_html_(self) -> str:
        """Jupyter: the population of each margin's categories (totals with no category)."""
        return html_frame(self.to_frame(), title="Population margins")

    def select(self, *names: str) -> Margins:
        """Only the margins (or numeric totals) named, in the order named.

        >>> Margins.from_dict({"a": {"x": 1}, "b": {"y": 1}, "z": 5}).select("b", "z").variables
        ['b', 'z']
        """
        by_name = {m.name: m for m in self.margins}
        tot = dict(self.totals)
        unknown = [n for n in names if n not in by_name and n not in tot]
        if unknown:
            raise DesignError(f"no margin named {', '.join(map(repr, unknown))}",
                              hint=f"margins: {', '.join([*by_name, *tot])}")
        return Margins(tuple(by_name[n] for n in names if n in by_name),
                       tuple((n, tot[n]) for n in names if n in tot))

    @property
    def variables(self) -> list[str]:
        """Every column the margins name, in order of first mention."""
        out: list[str] = []
        for m in self.margins:
            out += [v for v in m.variables if v not in out]
        return out + [v for v, _ in self.totals if v not in out]


def read_margins(path: str | Path) -> Margins:
    """Read margins from a long CSV with the columns ``variable,category,population``.

    One row per category of each margin, e.g. ``division,Engineering,380``; a crossed
    margin names its variables joined by ``:`` and its categories likewise
    (``division:gender,Engineering:Male,350``); an empty category gives the
    population total of a numeric column (calibration only). Every problem in the
    file is reported at once, with its line.

    >>> read_margins("sample_data/population_2025.csv").margins[0].name  # doctest: +SKIP
    'division'
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise DesignError(f"cannot read the margins file: {exc.strerror}", location=str(p)) from None
    reader = csv.DictReader(text.splitlines())
    need = {"variable", "category", "population"}
    if reader.fieldnames is None or not need <= {f.strip() for f in reader.fieldnames}:
        raise DesignError(f"the margins file needs the columns variable,category,population; "
                          f"found {','.join(reader.fieldnames or [])}", location=str(p))
    rows = []
    for line, rec in enumerate(reader, start=2):
        rec = {(k or "").strip(): (v or "").strip() for k, v in rec.items()}
        rows.append((rec["variable"], rec["category"], rec["population"], f"{p}:{line}"))
    return _build(rows, str(p))


def _build(rows: list[tuple], where: str) -> Margins:
    problems: list[str] = []
    order: list[str] = []
    cats: dict[str, list[tuple[str, ...]]] = {}
    pops: dict[str, list[float]] = {}
    totals: list[tuple[str, float]] = []
    for row in rows:
        var, cat, raw = row[0], row[1], row[2]
        at = row[3] if len(row) > 3 else f"{var}={cat}"
        try:
            value = float(raw)
        except (TypeError, ValueError):
            problems.append(f"{at}: population {raw!r} is not a number")
            continue
        if not math.isfinite(value):
            problems.append(f"{at}: population {raw!r} is not finite")
            continue
        if not var:
            problems.append(f"{at}: empty variable name")
            continue
        if cat == "":
            if SEP in var:
                problems.append(f"{at}: a crossed margin {var!r} needs categories")
            elif any(v == var for v, _ in totals):
                problems.append(f"{at}: total of {var!r} given twice")
            else:
                totals.append((var, value))
            continue
        if value < 0:
            problems.append(f"{at}: population {value:g} is negative")
            continue
        names = tuple(var.split(SEP))
        parts = tuple(cat.split(SEP))
        if len(parts) != len(names):
            problems.append(f"{at}: category {cat!r} has {len(parts)} parts for the "
                            f"{len(names)} variables of {var!r}")
            continue
        if var not in cats:
            order.append(var)
            cats[var], pops[var] = [], []
        if parts in cats[var]:
            problems.append(f"{at}: category {cat!r} of {var!r} given twice")
            continue
        cats[var].append(parts)
        pops[var].append(value)
    dup = [v for v, _ in totals if v in cats]
    if dup:
        problems.append(f"{', '.join(dup)}: given both as categories and as a numeric total")
    if problems:
        raise DesignError("the margins are malformed", location=where, problems=problems)
    if not order and not totals:
        raise DesignError("no margins given", location=where)
    return Margins(tuple(Margin(tuple(v.split(SEP)), tuple(cats[v]), tuple(pops[v]))
                         for v in order), tuple(totals))


@dataclass(frozen=True)
class Matched:
    """A margin matched to the rows of a sample: a category code per row."""

    margin: Margin
    codes: np.ndarray  # (n,) int64 index into the kept categories
    population: np.ndarray  # (p,) population counts of the kept categories
    labels: list[str]  # the kept categories
    counts: np.ndarray  # (p,) respondents per category


def match(sf: SurveyFrame, margins: Margins, *, partial: bool = False) -> list[Matched]:
    """Code every row by its category in each margin; one error lists every mismatch.

    Categories with a zero count in both the population and the sample are dropped
    (as R). Sample categories missing from a margin, or given a zero count, are
    errors; margin categories with no respondents are errors unless ``partial``
    (then they are dropped, as R's ``postStratify(partial=TRUE)``).
    """
    frame = sf.frame
    problems: list[str] = []
    missing = [v for v in margins.variables if v not in frame.columns]
    if missing:
        raise DesignError(f"the margins name columns the data lack: {', '.join(missing)}",
                          hint=f"columns: {', '.join(frame.columns[:20])}")
    out = []
    for m in margins.margins:
        for v in m.variables:
            if k := frame[v].null_count():
                rows = frame[v].is_null().arg_true().head(5).to_list()
                problems.append(f"{v!r} has {k} missing values (rows {', '.join(str(r + 1) for r in rows)}"
                                f"{', ...' if k > 5 else ''}): every respondent needs a category "
                                "to be weighted")
        if problems:
            continue
        keys = frame.select(pl.col(v).cast(pl.String).alias(f"k{i}")
                            for i, v in enumerate(m.variables))
        lookup = pl.DataFrame({f"k{i}": [c[i] for c in m.categories]
                               for i in range(len(m.variables))},
                              schema={f"k{i}": pl.String for i in range(len(m.variables))}
                              ).with_row_index("__code")
        coded = keys.join(lookup, on=keys.columns, how="left", maintain_order="left")
        code = coded["__code"]
        counts = np.bincount(code.drop_nulls().to_numpy().astype(np.int64),
                             minlength=len(m.categories))
        if code.null_count():
            absent = (coded.filter(pl.col("__code").is_null()).group_by(keys.columns)
                      .len().sort(keys.columns))
            listed = ", ".join(f"{SEP.join(map(str, r[:-1]))!r} ({r[-1]} rows)"
                               for r in absent.iter_rows())
            problems.append(f"margin {m.name!r}: sample categories absent from the margin: "
                            f"{listed}")
        pop = np.asarray(m.population, dtype=float)
        zero_pop = [lab for lab, p, c in zip(m.labels, pop, counts, strict=True) if p == 0 and c]
        if zero_pop:
            problems.append(f"margin {m.name!r}: categories with respondents but a population "
                            f"of 0: {', '.join(map(repr, zero_pop))}")
        empty = [lab for lab, p, c in zip(m.labels, pop, counts, strict=True) if p > 0 and not c]
        if empty and not partial:
            problems.append(f"margin {m.name!r}: categories with no respondents: "
                            f"{', '.join(map(repr, empty))}")
        if problems:
            continue
        keep = counts > 0
        remap = np.cumsum(keep) - 1
        out.append(Matched(m, remap[code.to_numpy().astype(np.int64)], pop[keep],
                           [lab for lab, k in zip(m.labels, keep, strict=True) if k],
                           counts[keep]))
    for v, _ in margins.totals:
        s = frame[v]
        if not s.dtype.is_numeric():
            problems.append(f"total of {v!r}: the column is {s.dtype}, not numeric")
        elif k := s.null_count():
            problems.append(f"total of {v!r}: the column has {k} missing values")
    if problems:
        raise DesignError("the margins do not fit the sample", problems=problems,
                          hint="recode or collapse the categories so sample and margins "
                          "agree (categories must match exactly, as text)")
    return out


def check_totals(matched: list[Matched], *, rel: float = 1e-6) -> None:
    """Margins must agree on the population size, else raking cannot converge."""
    if len(matched) < 2:
        return
    sizes = [(m.margin.name, float(m.population.sum())) for m in matched]
    ref = sizes[0][1]
    if any(abs(s - ref) > rel * max(abs(ref), 1.0) for _, s in sizes):
        raise DesignError("the margins disagree on the population size: "
                          + ", ".join(f"{n} {s:g}" for n, s in sizes),
                          hint="every margin must count the same population")
