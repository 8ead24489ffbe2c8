"""Several waves as one frame in the newest codebook's terms (docs/store.md)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from survey._text import normalize_key
from survey.codebook import Codebook, Option, Question, VersionMap
from survey.codebook._load import find_option
from survey.errors import StoreError

__all__ = [
    "Harmonized", "check_problems", "column_dtypes", "harmonize_wave", "newest_codebook", "version_key",
]


_SCALAR: dict[str, pl.DataType] = {
    "integer": pl.Int64(), "number": pl.Float64(), "date": pl.Date(),
    "datetime": pl.Datetime("us"), "text": pl.String(),
}


def column_dtypes(q: Question) -> dict[str, pl.DataType]:
    """The polars dtype of each typed column of ``q`` (as ``survey.frames`` types them)."""
    out: dict[str, pl.DataType] = {}
    if q.type == "multiple":
        out.update({q.option_column(o): pl.Boolean() for o in q.options})
    elif q.type in ("single", "ordinal"):
        out[q.id] = pl.Enum(list(q.labels))
    else:
        out[q.id] = _SCALAR[q.type]
    if q.missing_codes:
        out[f"{q.id}__missing"] = pl.String()
    if q.other is not None:
        out[f"{q.id}__other_text"] = pl.String()
    return out


def version_key(version: str) -> tuple[Any, ...]:
    """Sort key of codebook versions: numbers compared as numbers ("2025.1" > "2023.10")."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.findall(r"\d+|[^\d.\-_]+", version))


def newest_codebook(codebooks: Sequence[Codebook]) -> Codebook:
    return max(codebooks, key=lambda cb: version_key(cb.version))


@dataclass(frozen=True)
class Harmonized:
    """Waves loaded as one frame in one codebook's terms.

    ``frame`` has a ``wave`` column (pl.Enum, in load order), the codebook's typed
    columns and a Boolean ``panel`` column (the panel key occurs in more than one of
    the loaded waves); from :func:`~survey.store.scan`, ``frame`` has no rows and
    ``lazy`` is the rows as a polars LazyFrame (streamable).  ``not_asked`` lists, per
    wave, the columns that wave did not
    ask (they are null there, never filled); ``notes`` says, per wave, what was renamed,
    recoded, dropped or not stored.
    """

    frame: pl.DataFrame
    codebook: Codebook
    waves: tuple[str, ...]
    panel_key: str | None
    not_asked: dict[str, tuple[str, ...]] = field(default_factory=dict)
    notes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    lazy: pl.LazyFrame | None = None  # scan(): the rows, unread (``frame`` then has none)

    def to_text(self) -> str:
        n_panel = int(self.frame["panel"].sum()) if "panel" in self.frame.columns else 0
        lines = [f"{self.frame.height} rows from waves {', '.join(self.waves)} in the terms of "
                 f"{self.codebook.survey} {self.codebook.version}; panel key "
                 f"{self.panel_key or '(none)'}: {n_panel} rows of panel members"]
        for w in self.waves:
            if self.not_asked.get(w):
                lines.append(f"wave {w}: not asked: {', '.join(self.not_asked[w])}")
            lines += [f"wave {w}: {n}" for n in self.notes.get(w, ())]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {"rows": self.frame.height, "waves": list(self.waves),
                "codebook": {"survey": self.codebook.survey, "version": self.codebook.version},
                "panel_key": self.panel_key,
                "panel_rows": int(self.frame["panel"].sum()) if "panel" in self.frame.columns else 0,
                "not_asked": {w: list(v) for w, v in self.not_asked.items()},
                "notes": {w: list(v) for w, v in self.notes.items()}}


@dataclass
class _WavePlan:
    exprs: list[pl.Expr]
    not_asked: list[str]
    notes: list[str]
    problems: list[str]
    not_stored: list[str] = field(default_factory=list)


def _option_map(tq: Question, oq: Question, vm_recode: tuple[tuple[str, str], ...], match: str,
                problems: list[str], where: str) -> dict[str, Option | None]:
    """Earlier option label -> target option (None: unmapped, reported)."""
    recode: dict[str, Option] = {}
    for old_key, new_key in vm_recode:
        old = find_option(oq, old_key)
        new = find_option(tq, new_key)
        if old is None:
            problems.append(f"{where}: recode {old_key!r}: no such option in the earlier question "
                            f"{oq.id!r} (options: {', '.join(o.code for o in oq.options)})")
        elif new is not None:
            recode[old.code] = new
    targets: dict[str, Option] = {}
    for o in tq.options:
        for k in (o.label, o.label_ko or "", *o.aliases) if match == "label" else ():
            if normalize_key(k):
                targets.setdefault(normalize_key(k), o)
    out: dict[str, Option | None] = {}
    for o in oq.options:
        if o.code in recode:
            out[o.label] = recode[o.code]
        elif match == "code":
            out[o.label] = next((t for t in tq.options if t.code == o.code), None)
        else:
            keys = [normalize_key(o.label), normalize_key(o.label_ko or "")]
            out[o.label] = next((targets[k] for k in keys if k and k in targets), None)
        if out[o.label] is None:
            problems.append(f"{where}: earlier option {o.label!r} (code {o.code}) has no counterpart "
                            f"among {', '.join(repr(x.label) for x in tq.options)}")
    return out


def harmonize_wave(
    columns: Sequence[str],
    source: Codebook,
    target: Codebook,
    *,
    hashed: set[str],
) -> _WavePlan:
    """Expressions turning one stored wave (``columns``, in ``source`` terms) into ``target``'s."""
    same = source.version == target.version
    vm = None if same or target.harmonize is None else target.harmonize.version(source.version)
    vm = vm or VersionMap(version=source.version)
    plan = _WavePlan([], [], [], [])
    have = set(columns)
    dtypes = column_dtypes
    used: set[str] = set()
    if not same and (target.harmonize is None or target.harmonize.version(source.version) is None):
        plan.notes.append(f"codebook {target.version} declares no mapping from {source.version}; "
                          "questions matched by id and options by label")
    for tq in target.questions:
        qm = vm.question(tq.id)
        src_id = qm.source if qm else tq.id
        where = f"harmonize.from[{source.version}].questions.{tq.id}"
        tcols = tq.output_columns()
        tdt = dtypes(tq)
        if tq.id in vm.not_asked or src_id not in {q.id for q in source.questions}:
            plan.exprs += [pl.lit(None, tdt[c]).alias(c) for c in tcols]
            plan.not_asked.append(tq.id)
            continue
        oq = source.question(src_id)
        used.add(src_id)
        if src_id != tq.id:
            plan.notes.append(f"{tq.id}: was {src_id!r} in {source.version}")
        if not all(c in have for c in oq.output_columns()):
            plan.exprs += [pl.lit(None, tdt[c]).alias(c) for c in tcols]
            plan.not_stored += list(tcols)
            continue
        if tq.is_choice != oq.is_choice or (tq.type == "multiple") != (oq.type == "multiple"):
            plan.problems.append(f"{where}: {oq.id!r} is {oq.type} in {source.version}, "
                                 f"{tq.id!r} is {tq.type}; they cannot be mapped")
            continue
        if tq.type == "multiple":
            omap = _option_map(tq, oq, qm.recode if qm else (), qm.match if qm else "label",
                               plan.problems, where)
            for o in tq.options:
                olds = [oq.option_column(x) for x in oq.options if omap.get(x.label) == o]
                col = tq.option_column(o)
                if not olds:
                    plan.exprs.append(pl.lit(None, pl.Boolean).alias(col))
                    plan.not_asked.append(col)
                else:
                    plan.exprs.append(pl.any_horizontal(olds).alias(col) if len(olds) > 1
                                      else pl.col(olds[0]).alias(col))
                    if olds != [col]:
                        plan.notes.append(f"{col}: from {' | '.join(olds)}")
        elif tq.is_choice:
            omap = _option_map(tq, oq, qm.recode if qm else (), qm.match if qm else "label",
                               plan.problems, where)
            mapping = {k: v.label for k, v in omap.items() if v is not None}
            changed = {k: v for k, v in mapping.items() if k != v}
            if changed:
                plan.notes.append(f"{tq.id}: " + ", ".join(f"{k!r} -> {v!r}" for k, v in changed.items()))
            plan.exprs.append(pl.col(oq.id).cast(pl.String)
                              .replace_strict(mapping, default=None, return_dtype=pl.String)
                              .cast(tdt[tq.id]).alias(tq.id))
        else:
            out_dt = pl.String() if tq.id in hashed else tdt[tq.id]
            if (tq.type in ("integer", "number")) != (oq.type in ("integer", "number")) and tq.id not in hashed:
                plan.problems.append(f"{where}: {oq.id!r} is {oq.type} in {source.version}, "
                                     f"{tq.id!r} is {tq.type}; they cannot be mapped")
                continue
            plan.exprs.append(pl.col(oq.id).cast(out_dt).alias(tq.id))
        for suffix, present in (("__missing", bool(tq.missing_codes)), ("__other_text", tq.other is not None)):
            col = f"{tq.id}{suffix}"
            if present:
                old = f"{oq.id}{suffix}"
                plan.exprs.append(pl.col(old).alias(col) if old in have
                                  else pl.lit(None, pl.String).alias(col))
    dropped = [q.id for q in source.questions if q.id not in used]
    declared = set(vm.dropped)
    if dropped:
        plan.notes.append(f"dropped (not in {target.version}): " + ", ".join(dropped))
    undeclared = declared - {q.id for q in source.questions}
    for q in sorted(undeclared):
        plan.problems.append(f"harmonize.from[{source.version}].dropped: {q!r} is not a question "
                             f"of codebook {source.version}")
    return plan


def check_problems(problems: list[str], target: Codebook) -> None:
    if problems:
        raise StoreError(f"waves cannot be harmonised onto {target.survey} {target.version}",
                         problems=problems,
                         hint="add the mapping under `harmonize.from` in the newest codebook "
                              "(docs/codebook.md, \"Harmonisation across versions\")")
