"""Draft a codebook from an export the toolkit has never seen.

The reader (``survey.io.read_table``) turns the file into a :class:`RawTable`; this module
infers the questions: the header layout and sheet, an id question, question ids from the
headers, the column each answer sits in, types, multiple-choice groups and their options,
missing codes.  The draft is deliberately permissive (``required: false``, options taken
from the data) so that ingesting the same file with the unedited draft validates clean and
keeps every respondent; the analyst then edits it.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, cast

import polars as pl

from survey._text import normalize_key
from survey.codebook._draft_grids import as_scale_question, block_questions, find_blocks
from survey.codebook._draft_grids import claim
from survey.codebook._draft_grids import slug as _slug
from survey.codebook._draft_groups import Col, Group, find_groups
from survey.codebook._draft_check import check_lines
from survey.codebook._draft_decide import Decision, decide, is_weight_name
from survey.codebook._draft_inventory import Cells, Inventory, inventories, inventory
from survey.codebook._draft_missing import TOOL_MISSING
from survey.codebook._draft_other import other_label
from survey.codebook._draft_pii import is_name_header, is_pii_header, personal
from survey.codebook._draft_values import clean_label, norm_number
from survey.codebook._load import codebook_to_dict, dump_codebook, parse_codebook
from survey.codebook._model import (
    Codebook,
    MissingCode,
    Option,
    OtherSpec,
    Question,
    QuestionGroup,
    SourceSpec,
)

if TYPE_CHECKING:
    from survey.io._model import RawTable

__all__ = ["draft_codebook", "draft_codebook_checked", "draft_codebook_yaml", "with_check_comments"]

_ID_NAMES = (
    "respondent id", "respondentid", "respondent_id", "responseid", "response id", "_uuid",
    "uuid", "meta/instanceid", "instanceid", "record_id", "study_id", "participant_id",
    "participant id", "resp_id", "respid", "case_id", "caseid", "id", "_id",
    "응답자 id", "응답자id", "응답 id", "응답id", "참여자 id",
)
_META_NAMES = frozenset({
    "respondent id", "respondentid", "responseid", "response id", "collector id", "collectorid",
    "start date", "startdate", "end date", "enddate", "ip address", "ipaddress", "email address",
    "first name", "last name", "firstname", "lastname", "custom data", "custom data 1",
    "status", "progress", "duration (in seconds)", "finished", "recordeddate",
    "recipientlastname", "recipientfirstname", "recipientemail", "externalreference",
    "externaldatareference", "locationlatitude", "locationlongitude", "distributionchannel",
    "userlanguage", "timestamp", "submitdate", "lastpage", "startlanguage", "seed", "datestamp",
    "ipaddr", "refurl", "token", "start", "end", "today", "deviceid", "_id", "_uuid",
    "_submission_time", "_validation_status", "_notes", "_status", "_submitted_by",
    "__version__", "_tags", "_index", "meta/instanceid", "redcap_event_name",
    "redcap_repeat_instrument", "redcap_repeat_instance", "redcap_data_access_group",
    "redcap_survey_identifier", "interviewtime", "응답일시", "제출일시", "응답 시간",
})
_META_RE = re.compile(r"(_complete|_timestamp)$|^grouptime\d+$")
_HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")


def draft_codebook(raw: RawTable, *, survey_name: str, sheet: str | None = None,
                   encoding: str | None = None) -> Codebook:
    """Infer a complete, valid codebook from an already-read export.

    Parameters
    ----------
    raw
        The file as read by ``survey.io.read_table``.
    survey_name
        The codebook's ``survey`` name.
    sheet
        The sheet the table was read from (default: the one the reader chose, ``raw.sheet``).
    encoding
        The encoding the file was read with when it was named (``--encoding``), recorded
        in ``source.encoding`` so ingest reads it the same way; default: detected each time.

    Returns
    -------
    Codebook
        Version ``"draft"``; every question ``required: false``; every source column
        covered by exactly one question, so that ingesting the same file validates.

    Examples
    --------
    >>> raw = read_table("export.xlsx")  # doctest: +SKIP
    >>> cb = draft_codebook(raw, survey_name="member_survey")  # doctest: +SKIP
    >>> [q.type for q in cb.questions][:3]  # doctest: +SKIP
    ['text', 'single', 'multiple']
    """
    return _draft(raw, survey_name=survey_name, sheet=sheet, encoding=encoding)[0]


def draft_codebook_checked(raw: RawTable, *, survey_name: str, sheet: str | None = None,
                           encoding: str | None = None) -> tuple[Codebook, dict[str, list[str]]]:
    """The draft and its ``# CHECK`` lines, by question (or group) id: what each guess
    rests on and what to look at."""
    cb, _, comments = _draft(raw, survey_name=survey_name, sheet=sheet, encoding=encoding)
    return cb, comments


def draft_codebook_yaml(raw: RawTable, *, survey_name: str, sheet: str | None = None,
                        encoding: str | None = None) -> str:
    """The draft as YAML text, headed by comments saying what was inferred and what to check."""
    cb, notes, comments = _draft(raw, survey_name=survey_name, sheet=sheet, encoding=encoding)
    head = [f"# Draft codebook inferred from {raw.path}: edit it, then ingest with it.",
            "# Every question is required: false and options come from the data."]
    head += [f"# NOTE: {n}" for n in notes]
    if comments:
        head.append("# Lines starting '# CHECK' sit next to the guesses to check.")
    return "\n".join(head) + "\n" + with_check_comments(dump_codebook(cb), comments)


def with_check_comments(text: str, comments: dict[str, list[str]]) -> str:
    """Put each question's (or group's) comments on the lines above its ``- id:`` line."""
    if not comments:
        return text
    out = []
    for line in text.splitlines(keepends=True):
        m = re.match(r"^(\s*)- id: (\S+)\s*$", line)
        if m and m.group(2) in comments:
            out += [f"{m.group(1)}# CHECK {m.group(2)}: {c}\n" for c in comments[m.group(2)]]
        out.append(line)
    return "".join(out)


# --------------------------------------------------------------------------- assembly


def _draft(raw: RawTable, *, survey_name: str, sheet: str | None, encoding: str | None = None
           ) -> tuple[Codebook, list[str], dict[str, list[str]]]:
    notes = list(raw.notes)
    cols, markers = _columns(raw)
    groups = find_groups(cols, layout=raw.layout,
                         stat=raw.file_format in ("sav", "dta", "xpt", "sas7bdat"))
    in_group = {c.sc.index: g for g in groups for c in g.columns}
    id_col = _find_id(raw, [c for c in cols if c.sc.index not in in_group])
    labelled = set(raw.value_labels) | set(raw.user_missing)     # SPSS/Stata: drafted per column
    blocks = find_blocks([c for c in cols if c.sc.index not in in_group and c is not id_col
                          and c.sc.name not in labelled], layout=raw.layout)
    in_block = {c.sc.index: b for b in blocks for c in b.columns}
    decided = _decide_all([c for c in cols if c.sc.index not in in_block and c.sc.index not in in_group
                           and c is not id_col], raw)
    ids = _IdMaker(raw.layout)
    questions: list[Question] = []
    qgroups: list[QuestionGroup] = []
    comments: dict[str, list[str]] = {}
    done: set[int] = set()
    for c in cols:
        if c.sc.index in done:
            continue
        b = in_block.get(c.sc.index)
        if b is not None:
            rows, qgroup, said = block_questions(b, ids.make, ids.used, _split_text)
            questions += rows
            qgroups.append(qgroup)
            comments.update(said)
            done |= {m.sc.index for m in b.columns}
            continue
        g = in_group.get(c.sc.index)
        if g is not None:
            made = _group_questions(g, ids, notes)
            questions += made
            if g.check:
                comments.setdefault(made[0].id, []).append(g.check)
            done |= {m.sc.index for m in g.columns}
            continue
        done.add(c.sc.index)
        if id_col is not None and c is id_col:
            questions.append(Question(id=ids.make(c.sc.block), type="text", role="id",
                                      column=c.ref, **_text(c)))
            continue
        q, inf_notes, checks = _column_question(c, raw, ids, decided[c.sc.index])
        questions.append(q)
        notes += [f"{q.id} ({c.ref!r}): {n}" for n in inf_notes]
        if checks:
            comments[q.id] = checks
    questions = [as_scale_question(q) for q in questions]
    header_rows = raw.header_rows if raw.header_rows in (1, 2, 3) else "auto"
    cb = Codebook(
        survey=survey_name,
        version="draft",
        questions=tuple(questions),
        source=SourceSpec(header_rows=header_rows, sheet=sheet or raw.sheet,
                          encoding=encoding if encoding and encoding != "auto" else "auto"),
        groups=tuple(qgroups),
        missing_values=tuple(m for m in TOOL_MISSING if m in markers),
    )
    if markers:
        notes.append("cells holding only " + ", ".join(repr(m) for m in TOOL_MISSING if m in markers)
                      + " are blanks written by a tool: declared as missing_values (never options)")
    if id_col is None:
        notes.append("no respondent id found (a unique, non-blank id-like column): none set")
    parse_codebook(codebook_to_dict(cb))  # the draft must load; raises CodebookError if not
    return cb, notes, comments


def _columns(raw: RawTable) -> tuple[list[Col], set[str]]:
    """Each source column with its codebook reference: the header matching will find;
    and the tool missing markers met in the cells (blanked in ``Col.cells``, except N/A)."""
    blocks = Counter(normalize_key(c.block) for c in raw.columns)
    alts = Counter(normalize_key(c.alt) for c in raw.columns if c.alt)
    out = []
    markers: set[str] = set()
    counted = dict(zip((sc.index for sc in raw.columns), inventories(
        raw.frame, [sc.name for sc in raw.columns], [sc.sub for sc in raw.columns]), strict=True))
    for sc in raw.columns:
        key = normalize_key(sc.block)
        if key and blocks[key] == 1:
            ref = sc.block
        elif sc.alt and alts[normalize_key(sc.alt)] == 1 and normalize_key(sc.alt) not in blocks:
            ref = sc.alt
        else:
            ref = sc.name
        if raw.layout == "qualtrics":
            text = sc.alt or sc.block
        elif raw.layout == "surveymonkey" and sc.sub:
            text = f"{sc.block} - {sc.sub}"
        else:
            text = raw.variable_labels.get(sc.name) or sc.block
        cells = Cells(raw.frame.get_column(sc.name), own_label=sc.sub, counted=counted[sc.index])
        markers |= cells.inventory.markers
        out.append(Col(sc=sc, cells=cast("list[str | None]", cells), ref=ref, text=text))
    return out, markers


def _find_id(raw: RawTable, cols: Sequence[Col]) -> Col | None:
    """The respondent id: an id-like name, every value present and unique."""
    ranked: list[tuple[int, Col]] = []
    for c in cols:
        names = {normalize_key(x) for x in (c.sc.block, c.sc.alt, c.text) if x}
        rank = min((i for i, n in enumerate(_ID_NAMES) if n in names), default=None)
        if rank is not None:
            ranked.append((rank, c))
    for _, c in sorted(ranked, key=lambda t: t[0]):
        vals = _series(c).str.strip_chars()
        if vals.len() and not vals.is_null().any() and not (vals == "").any() and vals.n_unique() == vals.len():
            return c
    return None


def _series(c: Col) -> pl.Series:
    cells = c.cells
    return cells.series if isinstance(cells, Cells) else pl.Series(c.sc.name, list(cells), dtype=pl.String)


def _group_questions(g: Group, ids: _IdMaker, notes: list[str]) -> list[Question]:
    options = [Option(code=m.code, label=m.label,
                      column=None if g.block_ref is not None else m.col.ref) for m in g.members]
    other = None
    if g.other is not None:
        if g.block_ref is not None:                       # SurveyMonkey specify column
            if not any(normalize_key(o.label) == "other" or o.code == "other" for o in options):
                options.append(Option(code="other", label="Other"))
            code = next(o.code for o in options if normalize_key(o.label) == "other" or o.code == "other")
            other = OtherSpec(option=code, column=clean_label(g.other.sc.sub or "") or g.other.ref)
        else:
            other = OtherSpec(option=g.other_option, column=g.other.ref)
    stem = g.stem.rsplit("/", 1)[-1] if "/" in g.stem else g.stem
    text = g.text or (g.members[0].col.sc.block if g.block_ref is not None else None)
    q = Question(id=ids.make(stem), type="multiple", column=g.block_ref,
                 layout="columns", options=tuple(_safe_codes(options)), other=other,
                 **_split_text(text))
    out = [q]
    if g.summary is not None:
        s = g.summary
        out.append(Question(id=ids.make(stem + "_summary"), type="text", role="meta",
                            column=s.ref, text_en=f"Summary of {q.id}: chosen codes joined by spaces"))
        notes.append(f"column {s.sc.block!r} repeats the per-option columns of {q.id!r}; "
                     f"kept as text question {out[-1].id!r} (role meta), not a second multiple")
    return out


def _decide_all(cols: Sequence[Col], raw: RawTable) -> dict[int, Decision]:
    """The decision of each lone column from its inventory, several columns at a time:
    each decision is a few polars queries, which run outside the GIL."""
    def one(c: Col) -> Decision:
        return _infer(c, raw, _inventory(c))
    workers = max(1, min(pl.thread_pool_size(), 8))
    if workers == 1 or len(cols) < 2:
        return {c.sc.index: one(c) for c in cols}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return dict(zip((c.sc.index for c in cols), pool.map(one, cols), strict=True))


def _inventory(c: Col) -> Inventory:
    return c.cells.inventory if isinstance(c.cells, Cells) else inventory(list(c.cells))


def _column_question(c: Col, raw: RawTable, ids: _IdMaker, inf: Decision
                     ) -> tuple[Question, list[str], list[str]]:
    """The question of a lone column: its inventory, the decision, the CHECK lines."""
    inv = _inventory(c)
    if c.sc.name in raw.text_columns and inf.type in ("integer", "number"):
        inf = Decision("text", missing=inf.missing, n_answered=inf.n_answered,
                       n_keys=inf.n_keys)  # a string variable: digits are an id
    role = "meta" if _is_meta(c) else "answer"
    timing = _timing_of(c, raw)          # LimeSurvey's seconds on a question or a group
    if timing is not None:
        role = "meta"
        if inf.n_answered == 0:
            inf = Decision("number")
    header_pii = is_pii_header(c.sc.block) or is_pii_header(c.text)
    if inf.type in ("single", "ordinal", "multiple") and header_pii and (
            is_name_header(c.sc.block) or is_name_header(c.text) or inf.n_keys * 2 > inf.n_answered):
        inf = Decision("text", n_answered=inf.n_answered, n_keys=inf.n_keys)   # names are never categories
    pii, why = personal(inf, inv.values, header_pii=header_pii, role=role)
    checks = check_lines(inf, role=role)
    if why and (pii or not checks):     # "free text kept" only where nothing else is said
        checks.append(why)
    if timing is not None and inf.n_answered == 0:
        checks = [f"no answers in the file: LimeSurvey's seconds on question {timing}, drafted as "
                  "number; delete the question if the timings were not recorded"]
    matrix_cell = raw.layout == "surveymonkey" and c.sc.sub and c.ref != c.sc.block
    qid = ids.make(c.text if matrix_cell else c.sc.block)
    delimited = inf.type == "multiple"
    options = tuple(_safe_codes(list(inf.options)))
    other = None
    if inf.other and inf.type in ("single", "multiple"):     # write-ins kept beside the options
        label = other_label([o.label for o in options])
        code = next((o.code for o in options if normalize_key(o.label) == "other"), None) or next(
            o.code for o in options if o.label == label)
        other = OtherSpec(option=code, column=c.ref)
    return Question(
        id=qid, type=inf.type, column=c.ref, role=role, pii=pii,
        options=options, missing_codes=inf.missing, other=other,
        layout="delimited" if delimited else None, delimiter=inf.delimiter if delimited else None,
        **_text(c),
    ), inf.notes, checks


def _infer(c: Col, raw: RawTable, inv: Inventory) -> Decision:
    """Decide from the inventory, using SPSS value labels and user-missing codes when present."""
    header = " ".join(x for x in (c.sc.block, c.sc.alt, " ".join(c.sc.header)) if x)
    labels = raw.value_labels.get(c.sc.name) or {}
    umiss = raw.user_missing.get(c.sc.name) or ()
    date_cells = c.sc.name in raw.date_columns
    weight = is_weight_name(c.sc.block) or is_weight_name(c.sc.name)
    if not labels and not umiss:
        return decide(inv, header=header, date_cells=date_cells, weight=weight)
    distinct = inv.texts()
    seen = {norm_number(v): v.strip() for v in distinct}
    miss_keys = [norm_number(m) for m in umiss]
    by_key = {norm_number(k): v for k, v in labels.items()}
    missing = tuple(MissingCode(code=seen.get(k, k), label=clean_label(by_key.get(k, k)) or k)
                    for k in dict.fromkeys(miss_keys))
    rest = inv.values.filter(~pl.col("value").map_elements(norm_number, return_dtype=pl.String)
                             .is_in(miss_keys))
    substantive = {k: lab for k, lab in by_key.items() if k not in set(miss_keys)}
    if not substantive:
        inf = decide(Inventory(values=rest, n_rows=inv.n_rows), header=header, date_cells=date_cells,
                     weight=weight)
        inf.missing = missing + tuple(m for m in inf.missing if norm_number(m.code) not in set(miss_keys))
        return inf
    keys = list(dict.fromkeys([*substantive, *(norm_number(v) for v in rest["value"].to_list())]))
    keys.sort(key=lambda k: (0, float(k), "") if re.fullmatch(r"-?\d+(\.\d+)?", k) else (1, 0.0, k))
    opts, used = [], set()
    for k in keys:
        label = clean_label(substantive.get(k, k)) or k
        if normalize_key(label) in used:
            label = f"{label} ({k})"
        used.add(normalize_key(label))
        opts.append(Option(code=seen.get(k, k), label=label))
    return Decision("single", options=tuple(opts), missing=missing, n_keys=len(opts),
                    n_answered=inv.n_answered)


_CODE_OK = re.compile(r"^-?[0-9A-Za-z_.]+$")


def _safe_codes(options: list[Option]) -> list[Option]:
    """Option codes unique by construction, and labels unique where they are not what the
    data are matched by.

    A code that is not a valid code becomes a slug of it (else ``o<k>``); a code met before
    gets a stable, readable suffix (``yes_2``, ``yes_3`` in order of appearance); codes
    ``missing`` / ``other_text`` become ``*_opt`` to keep the output columns
    ``<id>__missing`` / ``<id>__other_text`` free.  An option with its own column (per-option
    layout) whose label repeats another's after normalisation gets `` (<code>)``.
    """
    out: list[Option] = []
    codes: set[str] = set()
    keys: set[str] = set()
    for k, o in enumerate(options, start=1):
        code = o.code
        if not _CODE_OK.match(code):
            code = re.sub(r"[^0-9A-Za-z_.]+", "_", unicodedata.normalize("NFKC", code)).strip("_")
            code = code if _CODE_OK.match(code) else f"o{k}"
        if code in ("missing", "other_text"):
            code += "_opt"
        base, n = code, 2
        while code in codes:
            code = f"{base}_{n}"
            n += 1
        codes.add(code)
        label = o.label
        key = normalize_key(label)
        if o.column is not None and key in keys:
            label = f"{label} ({code})"
            key = normalize_key(label)
        keys.add(key)
        if code != o.code or label != o.label:
            o = Option(code=code, label=label, label_ko=o.label_ko, aliases=o.aliases, column=o.column)
        out.append(o)
    return out


def _timing_of(c: Col, raw: RawTable) -> str | None:
    """The question code a LimeSurvey timing column times: ``<code>Time`` beside the
    question ``<code>`` (or its sub-questions ``<code>[SQ001]``); None for other columns."""
    m = re.fullmatch(r"([A-Za-z][A-Za-z0-9_]*?)Time", c.sc.block)
    if m is None:
        return None
    code = m.group(1)
    return code if any(s.block == code or s.block.startswith(code + "[") for s in raw.columns) else None


def _is_meta(c: Col) -> bool:
    names = {normalize_key(x) for x in (c.sc.block, c.sc.alt) if x}
    return bool(names & _META_NAMES) or bool(_META_RE.search(c.sc.block.lower()))


def _text(c: Col) -> dict[str, str]:
    return _split_text(c.text)


def _split_text(text: str | None) -> dict[str, str]:
    if not text or not clean_label(text):
        return {}
    t = clean_label(text)
    return {"text_ko": t} if _HANGUL.search(t) else {"text_en": t}


class _IdMaker:
    """Question ids from headers: ASCII slugs, ``q01``... for Korean headers, unique."""

    def __init__(self, layout: str) -> None:
        self.layout = layout
        self.used: set[str] = set()
        self.numbered = 0

    def make(self, source: str) -> str:
        path = "/" in source.strip("/") and not re.search(r"\s", source)
        src = source.rsplit("/", 1)[-1] if path else source
        slug = _slug(src)
        if _HANGUL.search(src) and len(re.sub(r"[^a-z]", "", slug)) < 3:
            slug = ""
        if not slug:
            self.numbered += 1
            slug = f"q{self.numbered:02d}"
        if slug[0].isdigit():
            slug = "q" + slug
        return claim(slug, self.used)

