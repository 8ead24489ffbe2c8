"""Reading, checking and writing codebook files (YAML)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from survey._text import normalize_key
from survey.codebook._groups import groups_to_dict, parse_groups
from survey.codebook._model import (
    QUESTION_TYPES,
    Codebook,
    Harmonize,
    MissingCode,
    Option,
    OtherSpec,
    Question,
    QuestionMap,
    SourceSpec,
    VersionMap,
)
from survey.codebook._population import parse_population, population_to_dict
from survey.errors import CodebookError

__all__ = ["codebook_to_dict", "dump_codebook", "find_option", "load_codebook", "parse_codebook"]

_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_QUESTION_KEYS = {
    "id", "type", "column", "text", "options", "missing_codes", "required", "pii", "role",
    "layout", "delimiter", "other", "range", "date_format",
}
_ROLES = ("answer", "disposition", "id", "meta", "weight")


# libyaml's safe loader when PyYAML was built with it (about 10x faster), else PyYAML's
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)   # libyaml: the loader's own pair


def load_codebook(path: str | Path) -> Codebook:
    """Load and check a codebook file; raise :class:`CodebookError` listing every mistake.

    >>> cb = load_codebook("schemas/academy_member_survey.yaml")  # doctest: +SKIP
    >>> cb.question("offer_received").labels  # doctest: +SKIP
    ('Yes', 'No')
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CodebookError(f"cannot read codebook: {exc}", location=str(p),
                            hint="give the path of a UTF-8 YAML codebook") from None
    try:
        raw = yaml.load(text, Loader=_LOADER)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        loc = f"{p}:{mark.line + 1}:{mark.column + 1}" if mark else str(p)
        raise CodebookError(f"not valid YAML: {getattr(exc, 'problem', exc)}", location=loc,
                            hint="check indentation and quoting near that line") from None
    return parse_codebook(raw, path=str(p))


def _text(value: Any) -> tuple[str | None, str | None]:
    if value is None:
        return None, None
    if isinstance(value, dict):
        en, ko = value.get("en"), value.get("ko")
        return (None if en is None else str(en)), (None if ko is None else str(ko))
    return str(value), None


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse_codebook(raw: Any, *, path: str | None = None) -> Codebook:
    """Build a :class:`Codebook` from parsed YAML, collecting every mistake before raising."""
    problems: list[str] = []
    where = path or "<codebook>"
    if not isinstance(raw, dict):
        raise CodebookError("a codebook must be a mapping with 'survey', 'version' and 'questions'",
                            location=where)
    for key in ("survey", "version", "questions"):
        if key not in raw:
            problems.append(f"{key}: required key is missing")
    src_raw = raw.get("source") or {}
    source = SourceSpec()
    if not isinstance(src_raw, dict):
        problems.append("source: must be a mapping")
    else:
        hr = src_raw.get("header_rows", "auto")
        if hr not in ("auto", 1, 2, 3):
            problems.append(f"source.header_rows: {hr!r} is not one of auto, 1, 2, 3")
            hr = "auto"
        source = SourceSpec(
            header_rows=hr,
            sheet=None if src_raw.get("sheet") is None else str(src_raw["sheet"]),
            encoding=str(src_raw.get("encoding", "auto")),
            delimiter=str(src_raw.get("delimiter", "auto")),
        )
    questions: list[Question] = []
    qs = raw.get("questions") or []
    if not isinstance(qs, list):
        problems.append("questions: must be a list")
        qs = []
    seen_ids: dict[str, int] = {}
    for i, qraw in enumerate(qs):
        q = _parse_question(qraw, f"questions[{i}]", problems)
        if q is None:
            continue
        if q.id in seen_ids:
            problems.append(f"questions[{i}].id: {q.id!r} repeats questions[{seen_ids[q.id]}]")
        seen_ids[q.id] = i
        questions.append(q)
    ids = [q for q in questions if q.role == "id"]
    if len(ids) > 1:
        problems.append(f"questions: {len(ids)} questions have role 'id' ({', '.join(q.id for q in ids)}); at most one may")
    outputs: dict[str, str] = {}
    for q in questions:
        for c in q.output_columns():
            if c in outputs and outputs[c] != q.id:
                problems.append(f"question {q.id!r}: output column {c!r} clashes with question {outputs[c]!r}")
            outputs[c] = q.id
    mv = raw.get("missing_values") or []
    if not isinstance(mv, list):
        problems.append("missing_values: must be a list of strings")
        mv = []
    version = _scalar(raw.get("version", ""))
    harmonize = _parse_harmonize(raw.get("harmonize"), questions, version, problems)
    population = parse_population(raw.get("population"), questions, problems)
    groups = parse_groups(raw.get("groups"), questions, problems)
    if problems:
        raise CodebookError(f"{len(problems)} mistake(s) in the codebook", location=where,
                            problems=problems, hint="fix each listed entry and load again")
    title_en, title_ko = _text(raw.get("title"))
    return Codebook(
        survey=str(raw["survey"]),
        version=_scalar(raw["version"]),
        questions=tuple(questions),
        title_en=title_en,
        title_ko=title_ko,
        source=source,
        missing_values=tuple(_scalar(v) for v in mv),
        path=path,
        harmonize=harmonize,
        population=population,
        groups=groups,
    )


def _parse_question(qraw: Any, loc: str, problems: list[str]) -> Question | None:
    if not isinstance(qraw, dict):
        problems.append(f"{loc}: each question must be a mapping")
        return None
    qid = qraw.get("id")
    if qid is None or not _ID.match(str(qid)) or "__" in str(qid):
        problems.append(f"{loc}.id: {qid!r} must be an identifier (letters, digits, '_', no '__')")
        qid = f"_invalid_{loc}"
    qid = str(qid)
    loc = f"{loc} ({qid})"
    for key in sorted(set(qraw) - _QUESTION_KEYS):
        problems.append(f"{loc}.{key}: unknown key (known: {', '.join(sorted(_QUESTION_KEYS))})")
    qtype = qraw.get("type")
    if qtype not in QUESTION_TYPES:
        problems.append(f"{loc}.type: {qtype!r} is not one of {', '.join(QUESTION_TYPES)}")
        qtype = "text"
    role = qraw.get("role", "answer")
    if role not in _ROLES:
        problems.append(f"{loc}.role: {role!r} is not one of {', '.join(_ROLES)}")
        role = "answer"
    text_en, text_ko = _text(qraw.get("text"))
    options = _parse_options(qraw.get("options"), loc, problems)
    if qtype in ("single", "ordinal", "multiple") and not options:
        problems.append(f"{loc}.options: a {qtype} question needs at least one option")
    if qtype not in ("single", "ordinal", "multiple") and options:
        problems.append(f"{loc}.options: a {qtype} question takes no options")
    missing = _parse_missing(qraw.get("missing_codes"), loc, problems)
    opt_keys = {k for o in options for k in o.match_keys()}
    for m in missing:
        if normalize_key(m.label) in opt_keys:
            problems.append(f"{loc}.missing_codes: {m.label!r} is also an option")
    layout = qraw.get("layout")
    delimiter = qraw.get("delimiter")
    column = qraw.get("column")
    if qtype == "multiple":
        layout = layout or ("delimited" if delimiter else "columns")
        if layout not in ("columns", "delimited"):
            problems.append(f"{loc}.layout: {layout!r} is not 'columns' or 'delimited'")
        if layout == "delimited" and not delimiter:
            problems.append(f"{loc}.delimiter: a delimited multiple-choice question needs a delimiter")
        if layout == "delimited" and column is None:
            problems.append(f"{loc}.column: a delimited multiple-choice question needs its column")
        if layout == "columns" and column is None and any(o.column is None for o in options):
            problems.append(f"{loc}.column: give the question's block header or a column for every option")
    else:
        if layout is not None:
            problems.append(f"{loc}.layout: only multiple-choice questions have a layout")
        if column is None:
            problems.append(f"{loc}.column: required (the source column header)")
    other = None
    oraw = qraw.get("other")
    if oraw is not None:
        if not isinstance(oraw, dict) or "column" not in oraw:
            problems.append(f"{loc}.other: must be a mapping with 'column' (and optional 'option')")
        else:
            ocode = None if oraw.get("option") is None else _scalar(oraw["option"])
            if ocode is not None and ocode not in {o.code for o in options}:
                problems.append(f"{loc}.other.option: {ocode!r} is not an option code")
            if ocode is None and qtype in ("single", "ordinal") and str(oraw["column"]) == str(column):
                problems.append(f"{loc}.other.option: write-ins in the question's own column need "
                                "the option they count as (e.g. option: other)")
            other = OtherSpec(option=ocode, column=str(oraw["column"]))
    lo = hi = None
    rng = qraw.get("range")
    if rng is not None:
        if qtype not in ("integer", "number", "ordinal") or not isinstance(rng, list) or len(rng) != 2:
            problems.append(f"{loc}.range: must be [min, max] on an integer or number question")
        else:
            try:
                lo = None if rng[0] is None else float(rng[0])
                hi = None if rng[1] is None else float(rng[1])
                if lo is not None and hi is not None and lo > hi:
                    problems.append(f"{loc}.range: min {lo} is above max {hi}")
            except (TypeError, ValueError):
                problems.append(f"{loc}.range: {rng!r} is not two numbers")
    for flag in ("required", "pii"):
        if flag in qraw and not isinstance(qraw[flag], bool):
            problems.append(f"{loc}.{flag}: must be true or false, not {qraw[flag]!r}")
    return Question(
        id=qid,
        type=qtype,
        column=None if column is None else str(column),
        text_en=text_en,
        text_ko=text_ko,
        options=options,
        missing_codes=missing,
        required=bool(qraw.get("required", False)),
        pii=bool(qraw.get("pii", False)),
        role=role,
        layout=layout if qtype == "multiple" else None,
        delimiter=None if delimiter is None else str(delimiter),
        other=other,
        minimum=lo,
        maximum=hi,
        date_format=None if qraw.get("date_format") is None else str(qraw["date_format"]),
    )


def _parse_options(raw: Any, loc: str, problems: list[str]) -> tuple[Option, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.append(f"{loc}.options: must be a list")
        return ()
    out: list[Option] = []
    codes: dict[str, int] = {}
    keys: dict[str, int] = {}
    for j, oraw in enumerate(raw):
        oloc = f"{loc}.options[{j}]"
        if not isinstance(oraw, dict) or "label" not in oraw or "code" not in oraw:
            problems.append(f"{oloc}: each option needs 'code' and 'label'")
            continue
        label_en, label_ko = _text(oraw["label"])
        if not label_en:
            problems.append(f"{oloc}.label: must not be empty")
            continue
        aliases = oraw.get("aliases") or []
        if not isinstance(aliases, list):
            problems.append(f"{oloc}.aliases: must be a list")
            aliases = []
        opt = Option(
            code=_scalar(oraw["code"]),
            label=label_en,
            label_ko=label_ko,
            aliases=tuple(_scalar(a) for a in aliases),
            column=None if oraw.get("column") is None else str(oraw["column"]),
        )
        if not _ID.match(opt.code) and not re.match(r"^-?[0-9A-Za-z_.]+$", opt.code):
            problems.append(f"{oloc}.code: {opt.code!r} must be letters, digits, '_', '.' or '-'")
        if opt.code in codes:
            problems.append(f"{oloc}.code: {opt.code!r} repeats options[{codes[opt.code]}]")
        codes[opt.code] = j
        for k in (normalize_key(opt.label), normalize_key(opt.label_ko or ""), *map(normalize_key, opt.aliases)):
            if k and k in keys and keys[k] != j:
                problems.append(f"{oloc}.label: {k!r} also names options[{keys[k]}]")
            if k:
                keys[k] = j
        out.append(opt)
    return tuple(out)


def _parse_missing(raw: Any, loc: str, problems: list[str]) -> tuple[MissingCode, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.append(f"{loc}.missing_codes: must be a list")
        return ()
    out = []
    for j, m in enumerate(raw):
        if isinstance(m, dict) and "label" in m:
            out.append(MissingCode(code=_scalar(m.get("code", m["label"])), label=str(m["label"])))
        elif isinstance(m, (str, int, float)) and not isinstance(m, bool):
            out.append(MissingCode(code=_scalar(m), label=_scalar(m)))
        else:
            problems.append(f"{loc}.missing_codes[{j}]: give a label or {{code, label}}")
    return tuple(out)


def _parse_harmonize(raw: Any, questions: list[Question], version: str,
                     problems: list[str]) -> Harmonize | None:
    """The ``harmonize`` section (docs/codebook.md, "Harmonisation across versions")."""
    if raw is None:
        return None
    loc = "harmonize"
    if not isinstance(raw, dict):
        problems.append(f"{loc}: must be a mapping with 'panel_key' and/or 'from'")
        return None
    for key in sorted(set(raw) - {"panel_key", "from"}, key=str):
        problems.append(f"{loc}.{key}: unknown key (known: from, panel_key)")
    by_id = {q.id: q for q in questions}
    panel_key = raw.get("panel_key")
    if panel_key is not None:
        panel_key = str(panel_key)
        if panel_key not in by_id:
            problems.append(f"{loc}.panel_key: {panel_key!r} is not a question id")
        elif by_id[panel_key].type not in ("text", "integer"):
            problems.append(f"{loc}.panel_key: question {panel_key!r} is {by_id[panel_key].type}; "
                            "a panel key must be a text or integer question")
    froms = raw.get("from") or []
    if not isinstance(froms, list):
        problems.append(f"{loc}.from: must be a list of {{version, questions, not_asked, dropped}}")
        froms = []
    versions: list[VersionMap] = []
    seen: dict[str, int] = {}
    for i, vraw in enumerate(froms):
        vloc = f"{loc}.from[{i}]"
        if not isinstance(vraw, dict) or "version" not in vraw:
            problems.append(f"{vloc}: each entry needs 'version' (the earlier codebook version)")
            continue
        ver = _scalar(vraw["version"])
        vloc = f"{vloc} ({ver})"
        for key in sorted(set(vraw) - {"version", "questions", "not_asked", "dropped"}, key=str):
            problems.append(f"{vloc}.{key}: unknown key (known: dropped, not_asked, questions, version)")
        if ver == version:
            problems.append(f"{vloc}.version: {ver!r} is this codebook's own version")
        if ver in seen:
            problems.append(f"{vloc}.version: {ver!r} repeats harmonize.from[{seen[ver]}]")
        seen[ver] = i
        qraw = vraw.get("questions") or {}
        if not isinstance(qraw, dict):
            problems.append(f"{vloc}.questions: must be a mapping of question id -> "
                            "{from, recode, match}")
            qraw = {}
        maps = [m for qid, spec in qraw.items()
                if (m := _parse_question_map(str(qid), spec, by_id, f"{vloc}.questions.{qid}",
                                             problems)) is not None]
        lists: dict[str, tuple[str, ...]] = {}
        for key in ("not_asked", "dropped"):
            items = vraw.get(key) or []
            if not isinstance(items, list):
                problems.append(f"{vloc}.{key}: must be a list of question ids")
                items = []
            lists[key] = tuple(str(x) for x in items)
        for qid in lists["not_asked"]:
            if qid not in by_id:
                problems.append(f"{vloc}.not_asked: {qid!r} is not a question of this codebook")
            elif any(m.id == qid for m in maps):
                problems.append(f"{vloc}.not_asked: {qid!r} is also mapped under questions")
        versions.append(VersionMap(version=ver, questions=tuple(maps),
                                   not_asked=lists["not_asked"], dropped=lists["dropped"]))
    return Harmonize(panel_key=panel_key, versions=tuple(versions))


def _parse_question_map(qid: str, spec: Any, by_id: dict[str, Question], loc: str,
                        problems: list[str]) -> QuestionMap | None:
    if qid not in by_id:
        problems.append(f"{loc}: {qid!r} is not a question of this codebook")
        return None
    if spec is None:
        spec = {}
    if not isinstance(spec, dict):
        problems.append(f"{loc}: must be a mapping with 'from', 'recode' and/or 'match'")
        return None
    for key in sorted(set(spec) - {"from", "recode", "match"}, key=str):
        problems.append(f"{loc}.{key}: unknown key (known: from, match, recode)")
    q = by_id[qid]
    match = spec.get("match", "label")
    if match not in ("label", "code"):
        problems.append(f"{loc}.match: {match!r} is not 'label' or 'code'")
        match = "label"
    recode_raw = spec.get("recode") or {}
    if not isinstance(recode_raw, dict):
        problems.append(f"{loc}.recode: must be a mapping of earlier option -> option")
        recode_raw = {}
    if (recode_raw or "match" in spec) and not q.is_choice:
        problems.append(f"{loc}: recode and match apply to choice questions; {qid!r} is {q.type}")
    recode: list[tuple[str, str]] = []
    for old, new in recode_raw.items():
        old_s, new_s = _scalar(old), _scalar(new)
        if q.is_choice and find_option(q, new_s) is None:
            problems.append(f"{loc}.recode[{old_s!r}]: {new_s!r} is not an option code or label of "
                            f"{qid!r} (options: {', '.join(o.code for o in q.options)})")
        recode.append((old_s, new_s))
    source = spec.get("from", qid)
    if not _ID.match(str(source)):
        problems.append(f"{loc}.from: {source!r} is not a question id")
    return QuestionMap(id=qid, source=str(source), recode=tuple(recode), match=match)


def find_option(q: Question, key: str) -> Option | None:
    """The option of ``q`` whose code is ``key``, else whose label (normalised) is."""
    for o in q.options:
        if o.code == key:
            return o
    k = normalize_key(key)
    for o in q.options:
        if k in (normalize_key(o.label), normalize_key(o.label_ko or "")):
            return o
    return None


def _harmonize_to_dict(h: Harmonize) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if h.panel_key is not None:
        out["panel_key"] = h.panel_key
    froms = []
    for v in h.versions:
        d: dict[str, Any] = {"version": v.version}
        if v.questions:
            qs: dict[str, Any] = {}
            for m in v.questions:
                spec: dict[str, Any] = {}
                if m.source != m.id:
                    spec["from"] = m.source
                if m.recode:
                    spec["recode"] = dict(m.recode)
                if m.match != "label":
                    spec["match"] = m.match
                qs[m.id] = spec
            d["questions"] = qs
        if v.not_asked:
            d["not_asked"] = list(v.not_asked)
        if v.dropped:
            d["dropped"] = list(v.dropped)
        froms.append(d)
    if froms:
        out["from"] = froms
    return out


def codebook_to_dict(cb: Codebook) -> dict[str, Any]:
    """The codebook as plain data, in the YAML file's shape (round-trips through parse)."""
    src: dict[str, Any] = {"header_rows": cb.source.header_rows}
    if cb.source.sheet is not None:
        src["sheet"] = cb.source.sheet
    if cb.source.encoding != "auto":
        src["encoding"] = cb.source.encoding
    if cb.source.delimiter != "auto":
        src["delimiter"] = cb.source.delimiter
    out: dict[str, Any] = {"survey": cb.survey, "version": cb.version}
    if cb.title_en or cb.title_ko:
        out["title"] = {k: v for k, v in (("en", cb.title_en), ("ko", cb.title_ko)) if v}
    out["source"] = src
    if cb.missing_values:
        out["missing_values"] = list(cb.missing_values)
    out["questions"] = [_question_to_dict(q) for q in cb.questions]
    if cb.groups:
        out["groups"] = groups_to_dict(cb.groups)
    if cb.harmonize is not None:
        out["harmonize"] = _harmonize_to_dict(cb.harmonize)
    if cb.population:
        out["population"] = population_to_dict(cb.population)
    return out


def _question_to_dict(q: Question) -> dict[str, Any]:
    d: dict[str, Any] = {"id": q.id, "type": q.type}
    if q.role != "answer":
        d["role"] = q.role
    if q.text_en or q.text_ko:
        d["text"] = {k: v for k, v in (("en", q.text_en), ("ko", q.text_ko)) if v}
    if q.column is not None:
        d["column"] = q.column
    if q.layout is not None:
        d["layout"] = q.layout
    if q.delimiter is not None:
        d["delimiter"] = q.delimiter
    if q.required:
        d["required"] = True
    if q.pii:
        d["pii"] = True
    if q.minimum is not None or q.maximum is not None:
        d["range"] = [q.minimum, q.maximum]
    if q.date_format:
        d["date_format"] = q.date_format
    if q.options:
        opts = []
        for o in q.options:
            od: dict[str, Any] = {"code": o.code,
                                  "label": {"en": o.label, "ko": o.label_ko} if o.label_ko else o.label}
            if o.aliases:
                od["aliases"] = list(o.aliases)
            if o.column is not None:
                od["column"] = o.column
            opts.append(od)
        d["options"] = opts
    if q.missing_codes:
        d["missing_codes"] = [{"code": m.code, "label": m.label} for m in q.missing_codes]
    if q.other is not None:
        d["other"] = {"column": q.other.column, **({"option": q.other.option} if q.other.option else {})}
    return d


def dump_codebook(cb: Codebook, path: str | Path | None = None) -> str:
    """Write the codebook as YAML (UTF-8, Korean kept readable); return the text."""
    text = yaml.dump(codebook_to_dict(cb), Dumper=_DUMPER, allow_unicode=True, sort_keys=False, width=100)
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text
