"""Raw table + codebook -> typed polars frame and validation report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl

from survey._text import NOT_PLAIN
from survey.codebook import Codebook, Question
from survey.frames._convert import convert_question
from survey.frames._match import ColumnMap, match_columns
from survey.frames._report import PROBLEM_SCHEMA, ValidationReport
from survey.io import Limits, RawTable, read_table
from survey.io._model import ROW_COLUMN, SourceColumn

__all__ = ["TypedSurvey", "read_survey", "rejects_frame", "type_table"]


@dataclass(frozen=True)
class TypedSurvey:
    """A source file typed by its codebook: the frame, the report and what produced them."""

    frame: pl.DataFrame
    report: ValidationReport
    codebook: Codebook
    raw: RawTable


def read_survey(
    path: str | Path,
    codebook: Codebook,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    limits: Limits = Limits(),
) -> TypedSurvey:
    """Read a survey export and type it by ``codebook``; problems go to ``.report``.

    Settings come from ``codebook.source`` unless given here.  Raises
    :class:`~survey.errors.UnreadableInputError` when the file cannot be read; data
    problems never raise here (call ``.report.raise_if_invalid()``).

    >>> cb = load_codebook("schemas/academy_member_survey.yaml")  # doctest: +SKIP
    >>> wave = read_survey("sample_data/academy_2025.xlsx", cb)  # doctest: +SKIP
    >>> wave.frame["offer_received"].value_counts()  # doctest: +SKIP
    """
    src = codebook.source
    raw = read_table(
        path,
        sheet=sheet if sheet is not None else src.sheet,
        header_rows=src.header_rows,
        encoding=encoding if encoding is not None else src.encoding,
        delimiter=src.delimiter,
        limits=limits,
    )
    typed = type_table(raw, codebook)
    chosen_by_default = sheet is None and src.sheet is None
    if chosen_by_default and len(raw.visible_sheets) > 1:
        # never read one of several visible sheets by accident: the codebook must say which
        problem = pl.DataFrame([{
            "file": raw.path, "sheet": raw.sheet, "row": None, "column": None, "cell": None,
            "question": None, "value": ", ".join(raw.visible_sheets), "reason": "ambiguous_sheet",
            "severity": "error",
            "message": f"the workbook has {len(raw.visible_sheets)} visible sheets "
                       f"({', '.join(raw.visible_sheets)}); name one in the codebook's "
                       "source.sheet or with --sheet",
        }], schema=PROBLEM_SCHEMA)
        report = replace(typed.report, problems=pl.concat([problem, typed.report.problems]))
        typed = replace(typed, report=report)
    return typed


def type_table(raw: RawTable, codebook: Codebook) -> TypedSurvey:
    """Type every question of ``codebook`` from ``raw`` and collect every problem."""
    cmap = match_columns(raw, codebook)
    checks: list[tuple[str, Question]] = []
    parts: list[pl.DataFrame] = []
    date1904 = bool(getattr(raw, "date1904", False))
    distinct, plain = _column_facts(raw.frame, cmap)
    for qc in cmap.questions:
        conv = convert_question(
            qc.question,
            qc.main.name if qc.main else None,
            [(o.code, c.name if c else None) for o, c in qc.options],
            qc.other.name if qc.other else None,
            global_missing=codebook.missing_values,
            date1904=date1904,
            plain_columns=plain,
        )
        names = [f"__check{len(checks) + i}" for i in range(len(conv.checks))]
        details = {names[i]: e.alias(f"__detail{names[i]}") for i, e in conv.details.items()}
        checks += [(col, qc.question) for col, _ in conv.checks]
        sources = sorted({c.name for c in (qc.main, qc.other, *(c for _, c in qc.options)) if c is not None})
        exprs = [*conv.outputs, *(r.alias(n) for (_, r), n in zip(conv.checks, names)), *details.values()]
        parts.append(_evaluate(raw.frame, sources, conv.prepare, exprs, first=conv.first, then=conv.then,
                               mostly_distinct=len(sources) == 1 and sources[0] in distinct))
    check_names = [f"__check{i}" for i in range(len(checks))]
    wide = pl.concat(parts, how="horizontal") if parts else pl.DataFrame()
    typed = wide.select(codebook.output_columns())
    problems = [_column_problems(raw, cmap)]
    if checks:
        bad_counts = wide.select(pl.col(check_names).is_not_null().sum()).row(0)
        by_name = {c.name: c for c in raw.columns}
        for (col, q), name, count in zip(checks, check_names, bad_counts):
            if count:
                detail = wide[f"__detail{name}"] if f"__detail{name}" in wide.columns else None
                problems.append(_cell_problems(raw, by_name[col], q, wide[name], detail))
    idq = codebook.id_question
    if idq is not None and typed.height:
        problems.append(_duplicate_ids(raw, typed, idq, cmap))
    probs = pl.concat([p for p in problems if p.height], how="vertical") if any(
        p.height for p in problems) else pl.DataFrame(schema=PROBLEM_SCHEMA)
    probs = probs.with_columns(
        file=pl.lit(raw.path), sheet=pl.lit(raw.sheet, pl.String)
    ).select(list(PROBLEM_SCHEMA)).sort("row", "cell", nulls_last=False)
    report = ValidationReport(
        file=raw.path,
        sheet=raw.sheet,
        file_format=raw.file_format,
        layout=raw.layout,
        header_rows=raw.header_rows,
        encoding=raw.encoding,
        n_rows=raw.frame.height,
        n_columns=len(raw.columns),
        blank_rows=raw.blank_rows,
        notes=raw.notes,
        problems=probs,
    )
    return TypedSurvey(frame=typed, report=report, codebook=codebook, raw=raw)


def _column_facts(frame: pl.DataFrame, cmap: ColumnMap) -> tuple[set[str], frozenset[str]]:
    """(the lone source columns that are mostly distinct, the plain ones among those and
    the joined lists'), each found in one query over all columns.

    A mostly distinct column (free text, continuous numbers; an estimate suffices: both
    ways give the same frame) is typed cell by cell, as is a joined list; there, a column
    with no :data:`~survey._text.NOT_PLAIN` match is trimmed instead of normalised.
    """
    lone = sorted({qc.main.name for qc in cmap.questions if qc.main is not None
                   and qc.other in (None, qc.main) and not qc.options} & set(frame.columns))
    strings = {n for n, t in frame.schema.items() if t == pl.String}
    half = frame.height // 2
    counts = frame.select(pl.col(lone).approx_n_unique()).row(0) if lone and frame.height else ()
    distinct = {n for n, c in zip(lone, counts) if c > half}
    lists = {qc.main.name for qc in cmap.questions if qc.main is not None
             and qc.question.type == "multiple" and qc.question.layout == "delimited"}
    wide = sorted((distinct | lists) & strings)
    if not wide or not frame.height:
        return distinct, frozenset(wide)
    unplain = frame.select(pl.col(wide).str.contains(NOT_PLAIN).any()).row(0)
    return distinct, frozenset(n for n, u in zip(wide, unplain) if not u)


def _evaluate(frame: pl.DataFrame, sources: list[str], prepare: list[pl.Expr],
              exprs: list[pl.Expr], *, first: list[pl.Expr] | None = None,
              then: list[pl.Expr] | None = None, mostly_distinct: bool = False) -> pl.DataFrame:
    """Evaluate one question's expressions, once per distinct combination of its cells.

    Survey answers repeat (a few options, a few dates), so typing the distinct values and
    joining them back is far cheaper than normalising every cell; columns that are
    ``mostly_distinct`` (free text, continuous numbers) are evaluated directly.
    Expressions run in stages: ``first``, ``prepare``, ``then``, then ``exprs``.
    """
    out_names = [e.meta.output_name() for e in exprs]
    tmp = [f"__out{i}" for i in range(len(exprs))]  # outputs may share a source column's name
    exprs = [e.alias(t) for e, t in zip(exprs, tmp)]
    rename = dict(zip(tmp, out_names))
    if not sources:
        return (frame.select(ROW_COLUMN).with_columns(prepare).with_columns(then).with_columns(exprs)
                .select(tmp).rename(rename))
    # lazily, so that an expression several outputs share (a normalised cell, a joined
    # cell's entries) is computed once (polars' common-subexpression elimination)
    first, then = first or [], then or []

    def staged(lf: pl.LazyFrame) -> pl.LazyFrame:
        return lf.with_columns(first).with_columns(prepare).with_columns(then).with_columns(exprs)

    if mostly_distinct:
        return staged(frame.lazy().select(sources)).select(tmp).collect().rename(rename)
    if len(sources) == 1:
        return _by_distinct_values(frame[sources[0]], staged, tmp, rename)
    distinct = frame.select(sources).unique()
    if distinct.height > frame.height // 2:
        return staged(frame.lazy().select(sources)).select(tmp).collect().rename(rename)
    typed = staged(distinct.lazy()).collect()
    return (
        frame.select(sources)
        .join(typed, on=sources, how="left", nulls_equal=True, maintain_order="left")
        .select(tmp)
        .rename(rename)
    )


def _by_distinct_values(column: pl.Series, staged: Callable[[pl.LazyFrame], pl.LazyFrame], tmp: list[str],
                        rename: dict[str, str]) -> pl.DataFrame:
    """Type a lone column's distinct values and give each cell its value's row (an index
    and a gather: a join of every cell on its text cost four times as much)."""
    values = column.unique(maintain_order=True)
    if values.len() > column.len() // 2:
        return staged(column.to_frame().lazy()).select(tmp).collect().rename(rename)
    typed = staged(values.to_frame().lazy()).select(tmp).collect()
    present = values.drop_nulls()
    if not present.len():     # only blanks (polars gives an empty mapping's input back)
        index = pl.zeros(column.len(), pl.UInt32, eager=True)
    else:
        at = pl.int_range(values.len(), eager=True, dtype=pl.UInt32).filter(values.is_not_null())
        index = column.replace_strict(present, at, return_dtype=pl.UInt32)
    if values.null_count():
        index = index.fill_null(int(values.is_null().arg_max()))
    return typed.select(pl.all().gather(index)).rename(rename)


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema=PROBLEM_SCHEMA)


def _column_problems(raw: RawTable, cmap: ColumnMap) -> pl.DataFrame:
    rows: list[dict[str, object]] = []
    for qc in cmap.questions:
        for header in qc.missing:
            rows.append({
                "column": header, "question": qc.question.id, "reason": "missing_column",
                "severity": "error",
                "message": f"column {header!r} of question {qc.question.id!r} is not in the file "
                           f"(check the header text or the codebook's `column`)",
            })
    for c in cmap.unused:
        rows.append({
            "column": c.name, "cell": f"{c.letter}", "reason": "extra_column", "severity": "warning",
            "message": f"column {c.letter} {c.name!r} is not in the codebook and is not typed",
        })
    if raw.frame.height == 0:
        rows.append({
            "reason": "no_respondents", "severity": "error",
            "message": f"the file has header rows but no respondents (no data row below "
                       f"{raw.header_rows} header row(s)): nothing to ingest",
        })
    if not rows:
        return _empty()
    return pl.DataFrame([{k: r.get(k) for k in PROBLEM_SCHEMA} for r in rows], schema=PROBLEM_SCHEMA)


_MESSAGES = {
    "unknown_option": "is not an option of {q} (options: {opts})",
    "not_a_number": "is not a number ({q} is {t})",
    "not_an_integer": "is not a whole number ({q} is integer)",
    "out_of_range": "is outside {q}'s range {rng}",
    "not_a_date": "is not a date ({q} is {t})",
    "required_missing": "{q} is required but blank",
}


def _cell_problems(raw: RawTable, col: SourceColumn, q: Question, reason: pl.Series,
                   detail: pl.Series | None = None) -> pl.DataFrame:
    """One problem per bad cell; ``detail`` names the unknown entries of a multiple-choice
    cell (``'Rust' is not an option of languages (cell 'HTML/CSS;JavaScript;Rust')``)."""
    opts = ", ".join(q.labels[:12]) + (" ..." if len(q.labels) > 12 else "")
    rng = f"[{q.minimum if q.minimum is not None else '-inf'}, {q.maximum if q.maximum is not None else 'inf'}]"
    frame = pl.DataFrame({
        "row": raw.frame[ROW_COLUMN],
        "value": raw.frame[col.name],
        "reason": reason,
        "detail": detail if detail is not None else pl.Series([None] * len(reason), dtype=pl.String),
    }).filter(pl.col("reason").is_not_null())
    msg = pl.lit(None, pl.String)
    for slug, template in _MESSAGES.items():
        text = template.format(q=q.id, opts=opts, t=q.type, rng=rng)
        msg = pl.when(pl.col("reason") == slug).then(
            pl.lit(text) if slug == "required_missing"
            else pl.concat_str(pl.lit("'"), pl.col("value").fill_null(""), pl.lit("' " + text))
        ).otherwise(msg)
    several = pl.col("detail").str.contains("', '", literal=True)
    entries = pl.concat_str(
        pl.lit("'"), pl.col("detail"), pl.lit("' "),
        pl.when(several).then(pl.lit("are not options")).otherwise(pl.lit("is not an option")),
        pl.lit(f" of {q.id} (cell '"), pl.col("value").fill_null(""), pl.lit(f"'; options: {opts})"))
    msg = pl.when(pl.col("detail").is_not_null() & (pl.col("reason") == "unknown_option")).then(
        entries).otherwise(msg)
    return frame.select(
        pl.lit(None, pl.String).alias("file"),
        pl.lit(None, pl.String).alias("sheet"),
        pl.col("row").cast(pl.UInt32),
        pl.lit(col.name).alias("column"),
        pl.concat_str(pl.lit(col.letter), pl.col("row").cast(pl.String)).alias("cell"),
        pl.lit(q.id).alias("question"),
        pl.col("value"),
        pl.col("reason"),
        pl.lit("error").alias("severity"),
        msg.alias("message"),
    )


def _duplicate_ids(raw: RawTable, typed: pl.DataFrame, q: Question, cmap: ColumnMap) -> pl.DataFrame:
    qc = next(c for c in cmap.questions if c.question.id == q.id)
    if qc.main is None:
        return _empty()
    ids = pl.DataFrame({"row": raw.frame[ROW_COLUMN], "value": typed[q.id]})
    dup = ids.filter(pl.col("value").is_not_null() & pl.col("value").is_duplicated())
    if dup.is_empty():
        return _empty()
    dup = dup.with_columns(
        n=pl.len().over("value"),
        rows=pl.col("row").cast(pl.String).str.join(", ").over("value"),
    )
    return dup.select(
        pl.lit(None, pl.String).alias("file"),
        pl.lit(None, pl.String).alias("sheet"),
        pl.col("row").cast(pl.UInt32),
        pl.lit(qc.main.name).alias("column"),
        pl.concat_str(pl.lit(qc.main.letter), pl.col("row").cast(pl.String)).alias("cell"),
        pl.lit(q.id).alias("question"),
        pl.col("value"),
        pl.lit("duplicate_id").alias("reason"),
        pl.lit("error").alias("severity"),
        pl.concat_str(pl.lit("respondent id '"), pl.col("value"), pl.lit("' appears "),
                      pl.col("n").cast(pl.String), pl.lit(" times (rows "), pl.col("rows"),
                      pl.lit(")")).alias("message"),
    )


def rejects_frame(survey: TypedSurvey) -> pl.DataFrame:
    """The raw rows that have errors, each with ``__row__`` and a ``reasons`` column."""
    errs = survey.report.problems.filter(
        (pl.col("severity") == "error") & pl.col("row").is_not_null()
    )
    reasons = errs.group_by("row").agg(
        pl.concat_str(pl.col("column"), pl.lit(": "), pl.col("message")).str.join("; ").alias("reasons")
    ).rename({"row": ROW_COLUMN})
    return survey.raw.frame.join(reasons, on=ROW_COLUMN, how="inner").sort(ROW_COLUMN)
