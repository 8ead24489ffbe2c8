"""Draft a codebook from a platform's own metadata, checked against the export.

:func:`draft_from_metadata` takes the export as read (:class:`~survey.io.RawTable`) and the
questionnaire as the platform describes it (:class:`~survey.io.FormMetadata`, from
:func:`~survey.io.read_metadata`).  Each question of the form is found in the export by the
column names the platform writes (a REDCap field name and its ``field___code`` checkbox
columns, a Kobo path or label, a Qualtrics export tag or ImportId, an SPSS variable name);
its text, type, options in their order, required flag and missing codes come from the form.
Columns the form does not describe (platform meta columns, ids) are drafted from the data,
and so are the questions of a plain codebook table that does not give their type (their
text and value labels then come from the table).

Metadata and data disagree in real projects; each disagreement is a *warning* and the draft
adapts to the data, so that ingesting the same export with the unedited draft keeps every
respondent:

* a question in the form but not in the export is left out;
* a code in the data but not among the choices becomes an extra option labelled by itself;
* a required question left blank in some rows is drafted ``required: false``;
* cells that do not fit the form's type or range (a number field holding text) make the
  question fall back to what the data show.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl

from survey._text import normalize_key, normalize_key_expr
from survey.codebook import (
    Codebook,
    MissingCode,
    Option,
    Question,
    QuestionGroup,
    SourceSpec,
    draft_codebook_checked,
    with_check_comments,
)
from survey.codebook._draft_infer import MISSING_TEXT
from survey.codebook._load import codebook_to_dict, dump_codebook, parse_codebook
from survey.errors import CodebookError
from survey.frames._ingest import type_table
from survey.frames._draft_metadata_parts import (
    _code,
    _Columns,
    _fix_options,
    _groups,
    _Ids,
    _number_key,
    _promote_id,
    _ref,
    _short,
    _slug,
    _sort_key,
    _stem,
    _text,
)
from survey.frames._draft_metadata_table import with_table_meta
from survey.frames._match import _Index
from survey.io import RawTable, SourceColumn
from survey.io._metadata import FormMetadata, MetaChoice, MetaQuestion

__all__ = ["MetadataDraft", "draft_from_metadata"]

@dataclass(frozen=True)
class MetadataDraft:
    """A codebook drafted from metadata, with what was found on the way.

    ``warnings`` are the disagreements between metadata and data (each one-line);
    ``notes`` say what else was inferred; ``checks`` the ``# CHECK`` lines of the columns
    drafted from the data, by question id.  The form's sections, grids and rankings are
    the codebook's ``groups``.
    """

    codebook: Codebook
    warnings: tuple[str, ...]
    notes: tuple[str, ...]
    metadata: FormMetadata
    export: str = ""
    checks: dict[str, list[str]] = field(default_factory=dict)

    def to_yaml(self) -> str:
        """The codebook as YAML, headed by comments: where it came from, warnings, notes."""
        m = self.metadata
        head = [f"# Draft codebook from the {m.kind} metadata {Path(m.path).name} and the export "
                f"{Path(self.export).name}",
                "# Question text, types, options and required flags come from the metadata;",
                "# columns it does not describe were drafted from the data. Edit, then ingest."]
        head += [f"# WARNING: {w}" for w in self.warnings]
        head += [f"# NOTE: {n}" for n in self.notes]
        if self.checks:
            head.append("# Lines starting '# CHECK' sit next to the guesses to check.")
        return "\n".join(head) + "\n" + with_check_comments(dump_codebook(self.codebook), self.checks)


def draft_from_metadata(raw: RawTable, metadata: FormMetadata, *, survey_name: str | None = None) -> MetadataDraft:
    """Draft a codebook whose questions come from ``metadata``, checked against ``raw``.

    Parameters
    ----------
    raw
        The export, as read by :func:`survey.io.read_table`.
    metadata
        The platform's questionnaire, from :func:`survey.io.read_metadata`.
    survey_name
        The codebook's ``survey`` name (default: the form's title, else the file name).

    Returns
    -------
    MetadataDraft
        ``.codebook`` loads and types ``raw`` with no error; ``.warnings`` lists every
        disagreement between the form and the export.

    Examples
    --------
    >>> raw = read_table("records.csv")  # doctest: +SKIP
    >>> d = draft_from_metadata(raw, read_metadata("dictionary.csv"))  # doctest: +SKIP
    >>> d.codebook.question("sex").labels, d.warnings[:1]  # doctest: +SKIP
    (('Female', 'Male'), ("question 'weight' (Weight, kg) is in the form but not in the export",))
    """
    b = _Builder(raw, metadata)
    b.match()
    name = survey_name or _slug(metadata.title or "") or _slug(Path(raw.path).stem) or "survey"
    return b.finish(name)


# --------------------------------------------------------------------------- matching

@dataclass
class _Match:
    meta: MetaQuestion
    main: SourceColumn | None
    choices: list[tuple[MetaChoice, SourceColumn]]
    extra: list[tuple[SourceColumn, str]]  # data columns of the group the form does not list, their choice


class _Builder:
    def __init__(self, raw: RawTable, meta: FormMetadata) -> None:
        self.raw = raw
        self.meta = meta
        self.cols = _Columns(raw)
        self.index = _Index(raw.columns)
        self.matches: list[_Match] = []
        self.warnings: list[str] = []
        self.notes: list[str] = list(meta.notes)
        self.optional: dict[str, int] = {}  # required in the form, blank in some rows
        self.missing_values: tuple[str, ...] = ()  # codebook-wide markers the data draft declares
        self.markers: dict[str, list[str]] = {}  # question id -> blank markers read as missing codes
        self.checks: dict[str, list[str]] = {}  # question id -> '# CHECK' lines of the data draft

    def match(self) -> None:
        absent: list[str] = []
        for q in self.meta.questions:
            main = self.cols.take(q.keys) if q.keys else None  # first: a joined cell precedes its choices
            picked = [(c, col) for c in q.choices if c.keys for col in [self.cols.take(c.keys)] if col is not None] \
                if q.type == "multiple" else []
            if main is None and not picked and q.type == "auto":
                parts = self._prefixed(q)
                self.matches += parts
                if parts:
                    continue
            if main is None and not picked:
                absent.append(f"{q.name!r}" + (f" ({_short(q.text)})" if q.text else ""))
                continue
            self.matches.append(_Match(q, main, picked, []))
        if absent:
            self.warnings.append(f"{len(absent)} question(s) in the form but not in the export, left out: "
                                 + ", ".join(absent[:12]) + (" ..." if len(absent) > 12 else ""))
        for m in self.matches:  # data columns of a checkbox group the form does not list
            if m.meta.type != "multiple" or not m.choices:
                continue
            prefixes = {normalize_key(m.meta.name) + "___"} | {_stem(col.block) for _, col in m.choices} - {""}
            for c in self.raw.columns:
                key = normalize_key(c.block)
                hit = next((p for p in sorted(prefixes, key=len, reverse=True) if key.startswith(p)), None)
                if c.index not in self.cols.used and hit is not None:
                    m.extra.append((c, key[len(hit):].strip() or key))
                    self.cols.used.add(c.index)

    def _prefixed(self, q: MetaQuestion) -> list[_Match]:
        """A codebook table's row naming the stem of several export columns (Stack
        Overflow: ``Language`` for ``LanguageHaveWorkedWith``, ``LanguageWantToWorkWith``):
        each column not named elsewhere, drafted from its data, with the row's text and
        the column's suffix."""
        named = {normalize_key(k) for m in self.meta.questions for k in m.keys}
        stem = normalize_key(q.name)
        out = []
        for c in self.raw.columns:
            key = normalize_key(c.block)
            rest = c.block.strip()[len(q.name):]
            if (c.index in self.cols.used or key in named or not key.startswith(stem)
                    or len(stem) < 3 or not re.match(r"[A-Z_]", rest)):
                continue
            self.cols.used.add(c.index)
            words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", rest.strip("_")).lower()
            text = f"{q.text} ({words})" if q.text else None
            out.append(_Match(replace(q, name=c.block, text=text, keys=(c.block,)), c, [], []))
        return out

    # ------------------------------------------------------------------ building

    def finish(self, survey_name: str) -> MetadataDraft:
        demoted: set[int] = set()  # match positions that fell back to the data draft
        for _ in range(len(self.matches) + 2):  # each pass repairs or demotes a question, or stops
            questions, owner, groups = self._questions(demoted)
            cb = Codebook(survey=survey_name, version="draft", questions=tuple(questions),
                          title_en=self.meta.title, groups=groups, missing_values=self.missing_values,
                          source=SourceSpec(header_rows=self.raw.header_rows if self.raw.header_rows in (1, 2, 3)
                                            else "auto", sheet=self.raw.sheet))
            parse_codebook(codebook_to_dict(cb))
            errors = type_table(self.raw, cb).report.problems.filter(pl.col("severity") == "error")
            if errors.is_empty():
                break
            by_reason = errors.group_by("question").agg(pl.col("reason").unique(), pl.col("value").drop_nulls().head(3))
            mine = [row for row in by_reason.iter_rows() if row[0] in owner]
            if not mine:
                break  # errors in questions drafted from the data: as the data draft leaves them
            for qid, reasons, values in mine:
                self._repair(owner[qid], qid, set(reasons), values, demoted)
        if self.markers:
            shown = ", ".join(f"{k} ({', '.join(map(repr, v))})" for k, v in list(self.markers.items())[:10])
            self._note(f"blank markers read as missing codes of {len(self.markers)} question(s): {shown}"
                       + (" ..." if len(self.markers) > 10 else ""))
        if self.optional:
            shown = ", ".join(f"{k} ({n})" for k, n in list(self.optional.items())[:10])
            self.warnings.append(
                f"{len(self.optional)} question(s) required in the form are blank in some rows (branching, "
                f"randomised blocks or partial responses), drafted required: false; blank rows: {shown}"
                + (" ..." if len(self.optional) > 10 else ""))
        ids = {q.id for q in cb.questions} | {g.id for g in cb.groups}
        checks = {k: v for k, v in self.checks.items() if k in ids}
        return MetadataDraft(cb, tuple(self.warnings), tuple(self.notes), self.meta, self.raw.path, checks)

    def _repair(self, i: int, qid: str, reasons: set[str], values: list[str], demoted: set[int]) -> None:
        m = self.matches[i]
        q = m.meta
        shown = ", ".join(repr(v) for v in values)
        if reasons <= {"out_of_range"}:
            self.matches[i] = replace(m, meta=replace(q, minimum=None, maximum=None))
            self.warnings.append(f"{qid}: values outside the form's range [{q.minimum}, {q.maximum}] "
                                 f"(e.g. {shown}); range left out")
        elif reasons <= {"duplicate_id"}:
            self.matches[i] = replace(m, meta=replace(q, role="meta", type="text"))
            self.warnings.append(f"{qid}: the id repeats in the export (several rows per record: events or "
                                 "repeat instances); kept as a meta column, not the respondent id")
        elif reasons <= {"required_missing"}:
            self.matches[i] = replace(m, meta=replace(q, required=False))
        else:
            demoted.add(i)
            self.warnings.append(f"{qid}: cells do not fit the form's type {q.type} ({', '.join(sorted(reasons))}; "
                                 f"e.g. {shown}); drafted from the data instead")

    def _questions(self, demoted: set[int]) -> tuple[list[Question], dict[str, int], tuple[QuestionGroup, ...]]:
        ids = _Ids()
        placed: list[tuple[int, Question]] = []
        owner: dict[str, int] = {}
        covered: set[int] = set()
        self.optional = {}
        self.markers = {}
        self.checks = {}
        has_id = False
        member: dict[str, tuple[str, str]] = {}  # question id -> (group kind, group text)
        auto: dict[int, MetaQuestion] = {}  # column -> a codebook table's row: drafted from the data
        for i, m in enumerate(self.matches):
            if m.meta.type == "auto" and m.main is not None:
                auto[m.main.index] = m.meta
            if i in demoted or m.meta.type == "auto":
                continue
            for q, first in self._build(m, ids):
                owner[q.id] = i
                has_id = has_id or q.role == "id"
                placed.append((first, q))
                if m.meta.group:
                    member[q.id] = (m.meta.group_kind, m.meta.group)
            covered |= {c.index for c in (m.main, *(col for _, col in m.choices), *(col for col, _ in m.extra)) if c is not None}
        rest = [c for c in self.raw.columns if c.index not in covered]
        data_groups: tuple[QuestionGroup, ...] = ()
        if rest:
            drafted, data_groups = self._from_data(rest, ids, keep_id=not has_id)
            renamed: dict[str, str] = {}
            for q, first in drafted:
                meta = auto.get(first) if q.column is not None and q.layout != "columns" else None
                if meta is not None:
                    q, warning = with_table_meta(q, meta, self.raw.frame.get_column(self.raw.columns[first].name))
                    if warning:
                        self._warn(warning)
                    if _slug(meta.name) and _slug(meta.name) != q.id:   # the table's name is the id
                        renamed[q.id] = ids.make(meta.name)
                        if q.id in self.checks:
                            self.checks[renamed[q.id]] = self.checks.pop(q.id)
                        q = replace(q, id=renamed[q.id])
                    if meta.group:
                        member[q.id] = (meta.group_kind, meta.group)
                has_id = has_id or q.role == "id"
                placed.append((first, q))
            data_groups = tuple(replace(g, questions=tuple(renamed.get(x, x) for x in g.questions))
                                for g in data_groups)
        placed.sort(key=lambda t: t[0])
        questions = [q for _, q in placed]
        if not has_id:
            questions = _promote_id(questions, self.raw, self.index)
        return questions, owner, _groups(questions, member, data_groups)

    def _build(self, m: _Match, ids: _Ids) -> list[tuple[Question, int]]:
        q = m.meta
        qid = ids.make(q.name)
        text = _text(q.text, q.text_ko)
        if q.type == "multiple" and (m.choices or m.extra):
            opts = [Option(code=c.code, label=c.label, label_ko=c.label_ko, column=_ref(col, self.index))
                    for c, col in m.choices]
            listed = {c.code for c, _ in m.choices}
            lost = [c.code for c in q.choices if c.code not in listed]
            if lost:
                self._warn(f"{qid}: choice(s) {', '.join(map(repr, lost[:8]))} of the form have no column in the "
                           "export; left out")
            for col, tail in m.extra:
                flat = re.sub(r"\s+", " ", col.block).strip()
                at = flat.lower().rfind(tail)
                label = flat[at:] if at >= 0 else tail
                opts.append(Option(code=label, label=label, column=_ref(col, self.index)))
                self._warn(f"{qid}: column {col.block!r} is not among the form's choices; added as option {label!r}")
            out = [(Question(id=qid, type="multiple", layout="columns", options=tuple(_fix_options(opts, qid)),
                             pii=q.pii, **text), min(col.index for _, col in m.choices) if m.choices
                    else m.extra[0][0].index)]
            if m.main is not None:
                sid = ids.make(q.name + "_summary")
                out.append((Question(id=sid, type="text", role="meta", column=_ref(m.main, self.index),
                                     text_en=f"Summary of {qid}: the chosen options joined"), m.main.index))
                self.notes.append(f"{m.main.block!r} repeats the per-choice columns of {qid!r}: kept as text {sid!r}")
            return out
        assert m.main is not None
        col = m.main
        ref = _ref(col, self.index)
        cells = self.raw.frame.get_column(col.name)
        blank = int(cells.is_null().sum() + (cells.str.strip_chars() == "").sum())
        required = q.required and blank == 0
        if q.required and blank:
            self.optional[qid] = blank
        missing = [MissingCode(code=_code(c.code), label=c.label) for c in q.missing]
        missing += [MissingCode(code=v, label=v) for v in self.raw.user_missing.get(col.name, ())
                    if all(normalize_key(v) != normalize_key(mc.code) for mc in missing)]
        if q.type != "text":  # blanks written as NA, #N/A, [not completed] ...: missing codes, not answers
            listed = {k for c in q.choices for k in (normalize_key(c.code), normalize_key(c.label))}
            listed |= {k for mc in missing for k in mc.match_keys()}
            hits = cells.drop_nulls().to_frame("v").filter(
                normalize_key_expr(pl.col("v")).is_in(list(MISSING_TEXT))).get_column("v")
            marks = list({normalize_key(v): v for v in hits.unique(maintain_order=True).to_list()
                          if normalize_key(v) not in listed}.values())
            missing += [MissingCode(code=v.strip(), label=v.strip()) for v in marks]
            if marks:
                self.markers[qid] = marks
        role = q.role
        qtype = q.type
        options: list[Option] = []
        if qtype == "multiple":  # only the joined cell is in the export
            options = _fix_options([Option(code=c.code, label=c.label, label_ko=c.label_ko) for c in q.choices], qid)
            return [(Question(id=qid, type="multiple", column=ref, layout="delimited", delimiter=q.delimiter or ",",
                              options=tuple(options), missing_codes=tuple(missing), pii=q.pii, **text), col.index)]
        if qtype in ("single", "ordinal"):
            options = self._options(qid, q.choices, missing, cells)
        if role == "id":
            qtype = "text"
        return [(Question(id=qid, type=qtype, column=ref, role=role, required=required, pii=q.pii,
                          options=tuple(options), missing_codes=tuple(missing),
                          minimum=q.minimum if qtype in ("integer", "number") else None,
                          maximum=q.maximum if qtype in ("integer", "number") else None, **text), col.index)]

    def _options(self, qid: str, choices: tuple[MetaChoice, ...], missing: list[MissingCode],
                 cells: pl.Series) -> list[Option]:
        opts = _fix_options([Option(code=c.code, label=c.label, label_ko=c.label_ko) for c in choices], qid)
        known = {k for o in opts for k in o.match_keys()} | {k for mc in missing for k in mc.match_keys()}
        known |= {normalize_key(v) for v in self.missing_values}
        vals = cells.drop_nulls().str.strip_chars()
        counts = vals.filter(vals != "").value_counts(sort=True)
        unknown = []
        for value, n in counts.iter_rows():
            key = normalize_key(value)
            if key and key not in known and _number_key(key) not in known:
                unknown.append((value, n))
                known.add(key)
        for value, n in sorted(unknown, key=lambda t: _sort_key(t[0])):
            opts.append(Option(code=value, label=re.sub(r"\s+", " ", value.replace("\u00a0", " ")).strip()))
        if unknown:
            shown = ", ".join(f"{v!r} ({n} row{'s' if n > 1 else ''})" for v, n in unknown[:6])
            self._warn(f"{qid}: {len(unknown)} value(s) in the data not among the form's choices, added as "
                       f"options: {shown}" + (" ..." if len(unknown) > 6 else ""))
        return _fix_options(opts, qid)

    def _from_data(self, rest: list[SourceColumn], ids: _Ids, *,
                   keep_id: bool) -> tuple[list[tuple[Question, int]], tuple[QuestionGroup, ...]]:
        """Draft the columns the metadata does not describe from their data (with its groups)."""
        keep = ["__row__", *(c.name for c in rest)]
        sub = replace(self.raw, frame=self.raw.frame.select(keep), columns=tuple(rest), notes=())
        try:
            cb, checks = draft_codebook_checked(sub, survey_name="part")
        except CodebookError as exc:  # never let the data draft sink the metadata draft
            self._note(f"the data draft of {len(rest)} column(s) the form does not describe failed "
                       f"({exc.problems[0] if exc.problems else exc}); they are drafted as text")
            return [(Question(id=ids.make(c.block), type="text", column=_ref(c, self.index), pii=True,
                              text_en=c.block or None), c.index) for c in rest], ()
        self.missing_values = tuple(getattr(cb, "missing_values", ()))
        sub_index = _Index(tuple(rest))
        out = []
        renamed: dict[str, str] = {}
        for q in cb.questions:
            first, q2 = self._rebase(q, sub_index)
            if q2.role == "id" and not keep_id:
                q2 = replace(q2, role="meta")
            renamed[q.id] = ids.make(q2.id)
            out.append((replace(q2, id=renamed[q.id]), first))
        groups = tuple(replace(g, questions=tuple(renamed[x] for x in g.questions if x in renamed))
                       for g in getattr(cb, "groups", ()))
        self.checks.update({renamed.get(k, k): v for k, v in checks.items()})
        return out, groups

    def _rebase(self, q: Question, sub_index: _Index) -> tuple[int, Question]:
        """Point a question drafted on a subset of the columns at the same columns in the whole file."""
        if q.type == "multiple" and q.layout == "columns" and q.column is None:
            cols = [sub_index.find(o.column) if o.column else None for o in q.options]
            opts = tuple(replace(o, column=_ref(c, self.index)) if c is not None else o for o, c in zip(q.options, cols))
            first = min((c.index for c in cols if c is not None), default=0)
            other = q.other
            if other is not None and (oc := sub_index.find(other.column)) is not None:
                other = replace(other, column=_ref(oc, self.index))
            return first, replace(q, options=opts, other=other)
        if q.type == "multiple" and q.layout == "columns":  # a SurveyMonkey block: found by its header
            c = sub_index.find(q.column) if q.column else None
            return (c.index if c is not None else 0), q
        if q.column is not None and (c := sub_index.find(q.column)) is not None:
            return c.index, replace(q, column=_ref(c, self.index))
        return 0, q

    def _note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def _warn(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)
