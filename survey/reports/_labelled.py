"""Labelled exports for colleagues in SPSS and Stata: ``.sav``, ``.dta`` and a labelled csv.

A typed wave becomes one variable per column, carrying what the codebook knows:

* **variable labels**: the question text (``language`` picks English or Korean); a
  multiple-choice option column is labelled ``question: option``;
* **value labels**: a choice question is written as its option codes (the codebook's own
  integer codes, else 1..k in the codebook's order) labelled with the option labels;
* **user-missing codes**: a ``missing_codes`` answer ("Don't know" = 8) is written as its
  code, declared user-missing (SPSS missing values; Stata extended missing ``.a``, ``.b``,
  ... labelled with the answer), so it stays apart from "not asked";
* **multiple-choice sets**: option columns are 0/1, labelled; in ``.sav`` the question is
  also an SPSS multiple-dichotomy set (``$offer_countries``, counted value 1), written as
  the dictionary's multiple-response record, which SPSS shows under Analyze > Multiple
  Response and pyreadstat reads back as ``mr_sets``.

Text is written as UTF-8 (``.sav`` in Unicode mode, ``.dta`` version 118), so Korean
survives. Columns of questions marked ``pii: true`` are left out unless asked for.
pyreadstat (ReadStat) writes the files; pandas is only the hand-over format it takes.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import polars as pl

from survey._display import html_frame
from survey.codebook import Codebook, Option, Question
from survey.errors import ReportError

__all__ = ["LabelledExport", "export_labelled"]

ExportFormat = Literal["sav", "dta", "csv"]

_SPSS_RESERVED = {"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH"}
_STATA_RESERVED = {"_all", "_b", "byte", "_coef", "_cons", "double", "float", "if", "in", "int", "long",
                   "_n", "_N", "_pi", "_pred", "_rc", "_skip", "strL", "using", "with"}
_STATA_LABEL = 80  # characters in a Stata variable label
_MISSING_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class LabelledExport:
    """What was written: the file, its format, the variables and how names changed."""

    path: Path
    format: str
    variables: tuple[str, ...]
    renamed: Mapping[str, str] = field(default_factory=dict)
    dropped: tuple[str, ...] = ()
    mr_sets: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain data."""
        return {"path": str(self.path), "format": self.format, "variables": list(self.variables),
                "renamed": dict(self.renamed), "dropped": list(self.dropped),
                "mr_sets": list(self.mr_sets), "notes": list(self.notes)}

    def to_frame(self) -> pl.DataFrame:
        """One row per variable written."""
        back = {v: k for k, v in self.renamed.items()}
        return pl.DataFrame({"variable": list(self.variables),
                             "column": [back.get(v, v) for v in self.variables]})

    def _repr_html_(self) -> str:
        """Jupyter: the file written and each variable's source column."""
        notes = "; ".join(self.notes) or None
        return html_frame(self.to_frame(), title=f"{self.path} ({self.format})", caption=notes)


def _valid_name(name: str, fmt: str) -> str:
    limit = 32 if fmt == "dta" else 64
    out = re.sub(r"[^A-Za-z0-9_]", "_", name)
    if not out or not (out[0].isalpha() or (fmt == "dta" and out[0] == "_")):
        out = "v_" + out
    out = out[:limit]
    if fmt == "sav":
        out = out.rstrip("_.") or "v"
        if out.upper() in _SPSS_RESERVED:
            out = f"{out}_"
    elif out in _STATA_RESERVED or re.fullmatch(r"str\d+", out):
        out = f"{out}_"[:limit]
    return out


def _names(columns: list[str], fmt: str) -> dict[str, str]:
    """Column -> valid, unique variable name (case-insensitively unique, as SPSS needs)."""
    limit = 32 if fmt == "dta" else 64
    out: dict[str, str] = {}
    used: set[str] = set()
    for col in columns:
        base = _valid_name(col, fmt)
        name, k = base, 2
        while name.lower() in used:
            tail = f"_{k}"
            name = base[: limit - len(tail)] + tail
            k += 1
        used.add(name.lower())
        out[col] = name
    return out


def _text(q: Question, language: str) -> str:
    if language == "ko" and q.text_ko:
        return q.text_ko
    return q.text_en or q.text_ko or q.id


def _label(o: Option, language: str) -> str:
    return o.label_ko if language == "ko" and o.label_ko else o.label


def _int_code(code: str) -> int | None:
    try:
        f = float(code)
    except (TypeError, ValueError):
        return None
    return int(f) if f.is_integer() else None


@dataclass
class _Plan:
    columns: dict[str, pl.Expr] = field(default_factory=dict)  # variable column -> values
    labels: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[Any, str]] = field(default_factory=dict)
    missing: dict[str, list[Any]] = field(default_factory=dict)
    measure: dict[str, str] = field(default_factory=dict)
    mr: list[tuple[str, str, list[str]]] = field(default_factory=list)  # (set, label, columns)
    dropped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _choice(q: Question, frame: pl.DataFrame, plan: _Plan, fmt: str, language: str) -> None:
    codes = [_int_code(o.code) for o in q.options]
    if any(c is None for c in codes) or len(set(codes)) != len(codes):
        codes = list(range(1, len(q.options) + 1))
        plan.notes.append(f"{q.id}: option codes are not integers; written as 1..{len(codes)} in "
                          "the codebook's order")
    labels = {o.label: c for o, c in zip(q.options, codes, strict=True)}
    mcodes = [_int_code(m.code) for m in q.missing_codes]
    top = max([c for c in codes if c is not None] + [0])
    free = iter(range(max(top, 0) + 1, 10**9))
    mcodes = [c if c is not None and c not in codes else next(free) for c in mcodes]
    value = pl.col(q.id).cast(pl.String).replace_strict(labels, default=None, return_dtype=pl.Float64)
    vlabels: dict[Any, str] = {c: _label(o, language) for o, c in zip(q.options, codes, strict=True)}
    missing_col = f"{q.id}__missing"
    if q.missing_codes and missing_col in frame.columns:
        if fmt == "dta":  # Stata: extended missing values .a, .b, ... labelled
            letters = list(_MISSING_LETTERS[: len(q.missing_codes)])
            mvalue = pl.col(missing_col).replace_strict(
                {m.label: letter for m, letter in zip(q.missing_codes, letters, strict=True)},
                default=None, return_dtype=pl.String)
            value = pl.when(mvalue.is_not_null()).then(mvalue).otherwise(value.cast(pl.String))
            vlabels.update({letter: m.label for m, letter in zip(q.missing_codes, letters, strict=True)})
            plan.missing[q.id] = letters
        else:
            mvalue = pl.col(missing_col).replace_strict(
                {m.label: float(c) for m, c in zip(q.missing_codes, mcodes, strict=True)},
                default=None, return_dtype=pl.Float64)
            value = pl.coalesce(mvalue, value)
            vlabels.update({c: m.label for m, c in zip(q.missing_codes, mcodes, strict=True)})
            plan.missing[q.id] = list(mcodes)
    plan.columns[q.id] = value
    plan.labels[q.id] = _text(q, language)
    plan.values[q.id] = vlabels
    plan.measure[q.id] = "ordinal" if q.type == "ordinal" else "nominal"


def _plan(frame: pl.DataFrame, codebook: Codebook, fmt: str, language: str, keep_pii: bool) -> _Plan:
    plan = _Plan()
    done: set[str] = set()
    for q in codebook.questions:
        outs = [c for c in q.output_columns() if c in frame.columns]
        if not outs:
            continue
        if q.pii and not keep_pii:
            plan.dropped.extend(outs)
            done.update(outs)
            continue
        text = _text(q, language)
        if q.type in ("single", "ordinal") and q.id in frame.columns:
            _choice(q, frame, plan, fmt, language)
            other = f"{q.id}__other_text"          # a write-in's text, beside its Other code
            if other in outs:
                plan.columns[other] = pl.col(other)
                plan.labels[other] = f"{text}: other (text)"
            done.update(outs)
            continue
        if q.type == "multiple":
            option_cols = []
            for o in q.options:
                col = q.option_column(o)
                if col in frame.columns and frame[col].dtype == pl.Boolean:
                    plan.columns[col] = pl.col(col).cast(pl.Float64)
                    plan.labels[col] = f"{text}: {_label(o, language)}"
                    plan.values[col] = {0: "Not selected", 1: "Selected"}
                    plan.measure[col] = "nominal"
                    option_cols.append(col)
            if option_cols:
                plan.mr.append((q.id, text, option_cols))
            for col in outs:  # "other" text and the like
                if col not in plan.columns:
                    plan.columns[col] = pl.col(col)
                    plan.labels[col] = f"{text}: other (text)" if col.endswith("_text") else text
            done.update(outs)
            continue
        for col in outs:
            if col.endswith("__missing"):
                continue
            plan.columns[col] = pl.col(col)
            plan.labels[col] = text
            plan.measure[col] = "scale" if frame[col].dtype.is_numeric() else "nominal"
        done.update(outs)
    for col in frame.columns:  # derived columns the codebook does not know
        if col not in done and col not in plan.columns and not col.endswith("__missing"):
            plan.columns[col] = pl.col(col).cast(pl.String) if isinstance(
                frame[col].dtype, pl.Enum | pl.Categorical) else pl.col(col)
            plan.labels[col] = col
    return plan


def _to_pandas(frame: pl.DataFrame) -> Any:
    """The hand-over to pyreadstat: datetimes without zone, other columns as they are."""
    cols = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None:
            cols.append(pl.col(name).dt.replace_time_zone(None))
        elif dtype == pl.Boolean:
            cols.append(pl.col(name).cast(pl.Float64))
        elif isinstance(dtype, pl.Enum | pl.Categorical):
            cols.append(pl.col(name).cast(pl.String))
        else:
            cols.append(pl.col(name))
    return frame.select(cols).to_pandas(use_pyarrow_extension_array=False)


def export_labelled(
    frame: pl.DataFrame,
    codebook: Codebook,
    path: str | Path,
    *,
    to: ExportFormat | None = None,
    language: Literal["en", "ko"] = "en",
    keep_pii: bool = False,
) -> LabelledExport:
    """Write a typed wave as a labelled SPSS ``.sav``, Stata ``.dta`` or csv file.

    ``to`` defaults to the file's suffix. Returns what was written, with the variables
    renamed to fit the format (``renamed``) and the PII columns left out (``dropped``).
    The csv holds the answers as their labels (missing codes as theirs) and is followed by
    ``NAME_variables.csv``: one row per variable with its label and value labels.
    """
    path = Path(path)
    fmt = to or path.suffix.lower().lstrip(".")
    if fmt not in ("sav", "dta", "csv"):
        raise ReportError(f"cannot export to {fmt!r}", location=str(path),
                          hint="use --to sav, --to dta or --to csv (or a file ending so)")
    plan = _plan(frame, codebook, fmt, language, keep_pii)
    if not plan.columns:
        raise ReportError("nothing to export: no column of the data is in the codebook", location=str(path),
                          hint="check that DATA is the wave the codebook describes")
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        return _write_csv(frame, codebook, path, plan, language)
    names = _names(list(plan.columns), fmt)
    out = frame.select([expr.alias(names[col]) for col, expr in plan.columns.items()])
    labels = {names[c]: v for c, v in plan.labels.items()}
    values = {names[c]: v for c, v in plan.values.items()}
    missing = {names[c]: v for c, v in plan.missing.items()}
    df = _to_pandas(out)
    import pyreadstat

    try:
        if fmt == "sav":
            for c in missing:  # SPSS takes three discrete values, else a range
                if len(missing[c]) > 3:
                    lo, hi = min(missing[c]), max(missing[c])
                    missing[c] = [{"lo": float(lo), "hi": float(hi)}]
            pyreadstat.write_sav(df, str(path), column_labels=labels, variable_value_labels=values,
                                 missing_ranges=missing or None,
                                 variable_measure={names[c]: m for c, m in plan.measure.items()})
            mr = [(_valid_name(f"{s}", "sav"), label, [names[c] for c in cols]) for s, label, cols in plan.mr]
            if mr:
                _add_mr_sets(path, mr)
        else:
            for c in missing:  # letters live in an object column beside the codes
                df[c] = df[c].astype(object).where(df[c].notna(), None)
                df[c] = [float(v) if isinstance(v, str) and v not in _MISSING_LETTERS else v
                         for v in df[c]]
            long = [n for n, t in labels.items() if len(t) > _STATA_LABEL]
            labels = {n: (t if len(t) <= _STATA_LABEL else t[: _STATA_LABEL - 1] + "…") for n, t in labels.items()}
            if long:
                plan.notes.append(f"{len(long)} variable label(s) shortened to Stata's {_STATA_LABEL} characters")
            pyreadstat.write_dta(df, str(path), column_labels=labels, variable_value_labels=values,
                                 missing_user_values=missing or None, version=15)
            mr = []
    except Exception as exc:  # noqa: BLE001 - ReadStat reports its own error types
        raise ReportError(f"cannot write {path.name}: {exc}", location=str(path),
                          hint="check the folder is writable; --to csv writes a plain labelled csv") from None
    renamed = {c: n for c, n in names.items() if c != n}
    return LabelledExport(path, fmt, tuple(names.values()), renamed, tuple(plan.dropped),
                          tuple(s for s, _, _ in mr), tuple(plan.notes))


def _write_csv(frame: pl.DataFrame, codebook: Codebook, path: Path, plan: _Plan,
               language: str) -> LabelledExport:
    exprs = []
    for col in plan.columns:
        q = next((q for q in codebook.questions if q.id == col), None)
        if q is not None and q.type in ("single", "ordinal"):
            e = pl.col(col).cast(pl.String)
            if language == "ko":
                e = e.replace({o.label: _label(o, "ko") for o in q.options})
            if f"{col}__missing" in frame.columns:
                e = pl.coalesce(e, pl.col(f"{col}__missing"))
            exprs.append(e.alias(col))
        elif col in frame.columns and frame[col].dtype == pl.Boolean:
            exprs.append(pl.col(col).cast(pl.Int8).alias(col))
        else:
            exprs.append(pl.col(col))
    try:
        frame.select(exprs).write_csv(path)
        side = path.with_name(f"{path.stem}_variables.csv")
        pl.DataFrame({
            "variable": list(plan.columns),
            "label": [plan.labels.get(c, c) for c in plan.columns],
            "value_labels": ["; ".join(f"{k} = {v}" for k, v in plan.values.get(c, {}).items())
                             for c in plan.columns],
            "missing_codes": [", ".join(map(str, plan.missing.get(c, []))) for c in plan.columns],
        }).write_csv(side)
    except OSError as exc:
        raise ReportError(f"cannot write {path.name}: {exc.strerror}", location=str(path),
                          hint="check the folder is writable") from None
    return LabelledExport(path, "csv", tuple(plan.columns), {}, tuple(plan.dropped), (), tuple(plan.notes))


# -- SPSS multiple-response sets -------------------------------------------------------


def _add_mr_sets(path: Path, sets: list[tuple[str, str, list[str]]]) -> None:
    """Insert an extension record 7, subtype 7 (multiple-response sets) before the
    dictionary's termination record (type 999), as SPSS writes it (PSPP's "System File
    Format": ``$NAME=D1 1 LABEL_LENGTH LABEL VAR...`` per line, the counted value "1")."""
    data = path.read_bytes()
    end = _dictionary_end(data)
    lines = []
    for name, label, variables in sets:
        lab = label.encode("utf-8")
        lines.append(f"${name}=D1 1 {len(lab)} ".encode() + lab + (" " + " ".join(variables)).encode() + b"\n")
    payload = b"".join(lines)
    record = struct.pack("<4i", 7, 7, 1, len(payload)) + payload
    path.write_bytes(data[:end] + record + data[end:])


def _dictionary_end(data: bytes) -> int:
    """Offset of the type-999 record of a little-endian ``.sav`` written by ReadStat."""
    if data[:4] not in (b"$FL2", b"$FL3"):
        raise ReportError("not an SPSS system file", hint="write with --to sav")
    pos = 176  # the file header
    i32 = struct.Struct("<i")
    while pos < len(data):
        (rec,) = i32.unpack_from(data, pos)
        if rec == 2:  # variable: 7 ints + 8-byte name, optional label and missing values
            has_label, n_missing = i32.unpack_from(data, pos + 8)[0], i32.unpack_from(data, pos + 12)[0]
            pos += 32
            if has_label:
                (n,) = i32.unpack_from(data, pos)
                pos += 4 + (n + 3) // 4 * 4
            pos += 8 * abs(n_missing)
        elif rec == 3:  # value labels, then the type-4 record of their variables
            (count,) = i32.unpack_from(data, pos + 4)
            pos += 8
            for _ in range(count):
                n = data[pos + 8]
                pos += 8 + (n + 1 + 7) // 8 * 8
            (n_vars,) = i32.unpack_from(data, pos + 4)
            pos += 8 + 4 * n_vars
        elif rec == 6:  # documents
            (n_lines,) = i32.unpack_from(data, pos + 4)
            pos += 8 + 80 * n_lines
        elif rec == 7:  # extension
            size, count = i32.unpack_from(data, pos + 8)[0], i32.unpack_from(data, pos + 12)[0]
            pos += 16 + size * count
        elif rec == 999:
            return pos
        else:
            break
    raise ReportError("cannot find the end of the SPSS dictionary", hint="report this file")
