"""Polars expressions that type one question's raw text and flag its bad cells.

Each converter returns :class:`Converted`: the typed output expressions and, per
source column, a *reason* expression that is null for a good cell and a reason slug
(``unknown_option``, ``not_a_number`` ...) for a bad one.  Nothing here loops over rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import polars as pl

from survey._text import flat_text_expr, normalize_key, normalize_key_expr
from survey.codebook import Question

__all__ = ["CHECKED", "UNCHECKED", "Converted", "convert_question"]

CHECKED = ("1", "y", "yes", "true", "checked", "selected", "x", "v", "o", "✓", "✔", "☑", "●", "○")
UNCHECKED = ("0", "n", "no", "false", "unchecked", "not selected")


@dataclass
class Converted:
    # intermediate columns evaluated first (normalised keys, parsed values), so the
    # outputs and checks that use them several times do not recompute them
    prepare: list[pl.Expr] = field(default_factory=list)
    # evaluated before ``prepare`` (a normalised cell that several prepared columns read)
    first: list[pl.Expr] = field(default_factory=list)
    # evaluated after ``prepare`` (what reads a prepared column: a split cell's masks)
    then: list[pl.Expr] = field(default_factory=list)
    outputs: list[pl.Expr] = field(default_factory=list)
    # (source column name, reason expression)
    checks: list[tuple[str, pl.Expr]] = field(default_factory=list)
    # check position -> the offending part of a bad cell (the unknown entries of a
    # multiple-choice cell, joined "', '"), named in the message instead of the whole cell
    details: dict[int, pl.Expr] = field(default_factory=dict)


def _blank(col: pl.Expr) -> pl.Expr:
    return col.is_null() | (col.str.strip_chars() == "")


def _missing_keys(q: Question, global_missing: tuple[str, ...]) -> dict[str, str | None]:
    keys: dict[str, str | None] = {normalize_key(v): None for v in global_missing if normalize_key(v)}
    for m in q.missing_codes:
        for k in m.match_keys():
            keys[k] = m.label
    return keys


def _missing_parts(q: Question, key: pl.Expr, global_missing: tuple[str, ...]) -> tuple[pl.Expr, pl.Expr | None]:
    """(is a missing code, label of the question's missing code or None)."""
    keys = _missing_keys(q, global_missing)
    if not keys:
        return pl.lit(False), None
    is_missing = key.is_in(list(keys))
    labelled = {k: v for k, v in keys.items() if v is not None}
    label = key.replace_strict(labelled, default=None, return_dtype=pl.String) if labelled else None
    return is_missing.fill_null(False), label


def convert_question(
    q: Question,
    main: str | None,
    options: list[tuple[str, str | None]],
    other: str | None,
    *,
    global_missing: tuple[str, ...] = (),
    date1904: bool = False,
    plain_columns: frozenset[str] = frozenset(),
) -> Converted:
    """Expressions for question ``q``; source columns are given by their raw-frame names.

    ``options`` pairs each option code with its column (multiple choice, columns layout).
    A column that was not found is None and yields null output. ``plain_columns`` names
    the source columns known to hold no :data:`survey._text.NOT_PLAIN` match (their cells
    are trimmed, not normalised: the same keys, faster).
    """
    out = Converted()
    own_text: pl.Expr | None = None       # write-ins typed into a single choice's own cell
    if q.type == "multiple":
        _multiple(q, main, options, other, out, global_missing, plain_columns)
        return out
    if main is None:
        out.outputs.append(pl.lit(None, dtype=_dtype(q)).alias(q.id))
    else:
        col = pl.col(main)
        if q.is_choice or _missing_keys(q, global_missing):
            out.prepare.append(normalize_key_expr(col, plain=main in plain_columns).alias(f"__key_{q.id}"))
        key = pl.col(f"__key_{q.id}")
        if q.type in ("integer", "number"):
            # the trimmed text once: the number patterns below read it several times
            out.first.append(col.str.strip_chars().str.replace_all("\u00a0", "", literal=True)
                             .alias(f"__numtext_{q.id}"))
            out.prepare.append(_parse_number(pl.col(f"__numtext_{q.id}")).alias(f"__parsed_{q.id}"))
        elif q.type in ("date", "datetime"):
            out.prepare.append(_parse_datetime(col, q.date_format, date1904).alias(f"__parsed_{q.id}"))
        is_missing, missing_label = _missing_parts(q, key, global_missing)
        out.first.append(_blank(col).alias(f"__blank_{q.id}"))    # read by the output and the check
        blank = pl.col(f"__blank_{q.id}")
        value, reason = _typed(q, col, key, pl.col(f"__parsed_{q.id}"))
        usable = ~blank & ~is_missing
        if q.type in ("single", "ordinal") and q.other is not None and q.other.option is not None \
                and other == main:
            # write-ins in the answer cell itself (a radio question's typed "Other"): the
            # Other option, the text kept in <id>__other_text, never an unknown option
            typed_in = usable & value.is_null()
            label = next(o.label for o in q.options if o.code == q.other.option)
            value = pl.when(typed_in).then(pl.lit(label, dtype=_dtype(q))).otherwise(value)
            reason = pl.lit(None, pl.String)
            own_text = pl.when(typed_in).then(col.str.strip_chars())
        out.outputs.append(pl.when(usable & reason.is_null()).then(value).otherwise(None).alias(q.id))
        bad = pl.when(usable & reason.is_not_null()).then(reason)
        if q.required:
            bad = bad.when(blank).then(pl.lit("required_missing"))
        out.checks.append((main, bad.otherwise(None)))
        if q.missing_codes:
            out.outputs.append((missing_label if missing_label is not None else pl.lit(None, pl.String))
                               .alias(f"{q.id}__missing"))
    if q.missing_codes and main is None:
        out.outputs.append(pl.lit(None, pl.String).alias(f"{q.id}__missing"))
    if q.other is not None:
        text = own_text if own_text is not None else _other_text(other)
        out.outputs.append(text.alias(f"{q.id}__other_text"))
    return out


def _other_text(other: str | None) -> pl.Expr:
    if other is None:
        return pl.lit(None, pl.String)
    col = pl.col(other)
    return pl.when(_blank(col)).then(None).otherwise(col)


def _dtype(q: Question) -> pl.DataType:
    if q.type in ("single", "ordinal"):
        return pl.Enum(list(q.labels))
    return {
        "integer": pl.Int64(),
        "number": pl.Float64(),
        "date": pl.Date(),
        "datetime": pl.Datetime("us"),
        "text": pl.String(),
    }[q.type]


def _typed(q: Question, col: pl.Expr, key: pl.Expr, parsed: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(typed value, reason slug or null) for a non-blank, non-missing cell."""
    if q.type in ("single", "ordinal"):
        mapping: dict[str, str] = {normalize_key(o.code): o.label for o in q.options}
        for o in q.options:  # labels and aliases win over codes
            for k in o.match_keys():
                if k != normalize_key(o.code):
                    mapping[k] = o.label
        value = key.replace_strict(mapping, default=None, return_dtype=pl.String).cast(_dtype(q))
        return value, pl.when(value.is_null()).then(pl.lit("unknown_option"))
    if q.type in ("integer", "number"):
        num = parsed
        reason = pl.when(num.is_null()).then(pl.lit("not_a_number"))
        if q.type == "integer":
            reason = reason.when(num.round(0) != num).then(pl.lit("not_an_integer"))
        if q.minimum is not None:
            reason = reason.when(num < q.minimum).then(pl.lit("out_of_range"))
        if q.maximum is not None:
            reason = reason.when(num > q.maximum).then(pl.lit("out_of_range"))
        value = num if q.type == "number" else pl.when(num.round(0) == num).then(num).cast(pl.Int64, strict=False)
        return value, reason
    if q.type in ("date", "datetime"):
        dt = parsed
        value = dt.dt.date() if q.type == "date" else dt
        return value, pl.when(dt.is_null()).then(pl.lit("not_a_date"))
    return col, pl.lit(None, pl.String)


_THOUSANDS = r"^[+-]?\d{1,3}([, ]\d{3})+(\.\d+)?$"
_DECIMAL_COMMA = r"^[+-]?\d+,\d+$"


def _parse_number(s: pl.Expr) -> pl.Expr:
    """A number from a cell's text, trimmed and without no-break spaces (``1,000``,
    ``1 000`` and ``3,5`` read as 1000, 1000 and 3.5)."""
    s = (
        pl.when(s.str.contains(_THOUSANDS)).then(s.str.replace_all(r"[, ]", ""))
        .when(s.str.contains(_DECIMAL_COMMA)).then(s.str.replace(",", ".", literal=True))
        .otherwise(s)
    )
    num = s.cast(pl.Float64, strict=False)
    return pl.when(num.is_finite()).then(num)


_DT_FORMATS = (
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%Y. %m. %d %p %I:%M:%S",
    "%Y. %m. %d %H:%M:%S",
)
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%m/%d/%Y", "%Y.%m.%d", "%Y. %m. %d", "%Y. %m. %d.", "%Y%m%d")


def _parse_datetime(col: pl.Expr, fmt: str | None, date1904: bool) -> pl.Expr:
    s = (
        col.str.strip_chars()
        .str.replace("오전", "AM", literal=True)
        .str.replace("오후", "PM", literal=True)
        .str.replace_all(r"\s+", " ")
    )
    if fmt is not None:
        return s.str.to_datetime(fmt, strict=False, time_unit="us")
    tz = (
        s.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%:z", strict=False, time_unit="us", time_zone="UTC")
        .dt.replace_time_zone(None)
    )
    parts = [s.str.to_datetime(f, strict=False, time_unit="us") for f in _DT_FORMATS]
    parts += [s.str.to_date(f, strict=False).cast(pl.Datetime("us")) for f in _DATE_FORMATS]
    serial = pl.when(s.str.contains(r"^\d{1,7}(\.\d+)?$")).then(s.cast(pl.Float64, strict=False))
    epoch = pl.datetime(1904, 1, 1) if date1904 else pl.datetime(1899, 12, 30)
    from_serial = pl.when((serial >= 1) & (serial < 2958466)).then(
        epoch.cast(pl.Datetime("us")) + pl.duration(microseconds=(serial * 86_400_000_000).round(0).cast(pl.Int64))
    )
    return pl.coalesce(*parts, tz, from_serial)


def _delimiter_pattern(delimiter: str) -> str:
    d = delimiter.strip()
    return r"\s+" if not d else r"\s*" + re.escape(d) + r"\s*"


def _multiple(
    q: Question,
    main: str | None,
    options: list[tuple[str, str | None]],
    other: str | None,
    out: Converted,
    global_missing: tuple[str, ...],
    plain_columns: frozenset[str],
) -> None:
    other_text = _other_text(other)
    other_code = q.other.option if q.other is not None else None
    chosen: dict[str, pl.Expr] = {}
    missing_label: pl.Expr | None = None
    if q.layout == "delimited":
        if main is None:
            for o in q.options:
                out.outputs.append(pl.lit(None, pl.Boolean).alias(q.option_column(o)))
        else:
            col = pl.col(main)
            plain = main in plain_columns
            out.first.append(flat_text_expr(col, plain=plain).alias(f"__flat_{q.id}"))
            # one blank test that all the option outputs read (a strip per option was not shared)
            out.first.append(_blank(col).alias(f"__blank_{q.id}"))
            blank = pl.col(f"__blank_{q.id}")
            flat = pl.col(f"__flat_{q.id}")
            # the key is the flat text lower-cased: one normalisation serves both
            out.prepare.append(flat.str.to_lowercase().alias(f"__key_{q.id}"))
            key = pl.col(f"__key_{q.id}")
            is_missing, missing_label = _missing_parts(q, key, global_missing)
            answered = ~blank & ~is_missing
            sep = _delimiter_pattern(q.delimiter or ",")
            repl = (q.delimiter or ",").strip() or " "
            # Spellings holding the separator ("Europe, incl. UK") are taken first, longest
            # first, by a pattern each (a few); every other entry is matched by splitting the
            # cell once and looking each piece up, so the work grows with the options, never
            # with their square (a chain of one replace per option, re-read by each test, did).
            joined = [(k, o.code) for o in q.options for k in o.match_keys() if repl in k]
            rest = flat
            for k, code in sorted(joined, key=lambda kc: -len(kc[0])):
                pat = r"(?i)(?:^|" + sep + ")" + _loose(k) + "(?:" + sep + "|$)"
                hit = rest.str.contains(pat)
                chosen[code] = (chosen[code] | hit) if code in chosen else hit
                rest = rest.str.replace_all(pat, repl)
            lookup = {k: o.code for o in reversed(q.options) for k in o.match_keys() if repl not in k}
            # each entry looked up once: its option's bit (62 options to a mask), or 0
            wanted = list(dict.fromkeys(lookup.values()))
            bit = {code: (i // 62, 1 << (i % 62)) for i, code in enumerate(wanted)}
            low = pl.element().str.to_lowercase()
            # a plain cell has no space but ' ' around its separators: a literal split, the
            # pieces trimmed after, gives the same pieces as the pattern
            cut = (rest.str.split(repl) if plain and repl != " "
                   else rest.str.replace_all(sep, "\x1f").str.split("\x1f"))
            out.prepare.append(cut.list.eval(pl.element().str.strip_chars().filter(pl.element().str.strip_chars() != ""))
                               .alias(f"__split_{q.id}"))
            split = pl.col(f"__split_{q.id}")           # split once; the pieces and masks read it
            pieces = f"__pieces_{q.id}"
            out.then.append(split.list.eval(pl.element().filter(~low.is_in(list(lookup))))
                            .list.join(q.delimiter or ",").str.strip_chars().alias(pieces))
            for m in range(-(-len(wanted) // 62)):
                part = {k: bit[c][1] for k, c in lookup.items() if bit[c][0] == m}
                # OR of the entries' bits: an option given twice in a cell counts once
                out.then.append(split.list.eval(low.replace_strict(part, default=0, return_dtype=pl.Int64).bitwise_or())
                                .list.first().alias(f"__mask{m}_{q.id}"))
            for code, (m, b) in bit.items():
                hit = (pl.col(f"__mask{m}_{q.id}") & b) != 0
                chosen[code] = (chosen[code] | hit.fill_null(False)) if code in chosen else hit.fill_null(False)
            for o in q.options:
                chosen.setdefault(o.code, pl.lit(False))
            leftover = pl.col(pieces)
            has_left = leftover.str.len_chars() > 0
            if other_code is not None and (other is None or other == main):
                # Google Forms appends the typed "Other" text as one more item
                chosen[other_code] = chosen[other_code] | has_left
                other_text = pl.when(has_left).then(leftover)
                reason = pl.lit(None, pl.String)
            else:
                reason = pl.when(answered & has_left).then(pl.lit("unknown_option"))
                out.details[len(out.checks)] = pl.when(answered & has_left).then(
                    leftover.str.replace_all(sep, "', '"))
            if q.required:
                reason = pl.when(blank).then(pl.lit("required_missing")).otherwise(reason)
            out.checks.append((main, reason))
            for o in q.options:
                out.outputs.append(pl.when(answered).then(chosen[o.code]).alias(q.option_column(o)))
    else:
        ticked: dict[str, pl.Expr] = {}
        explicit_no: list[pl.Expr] = []
        global_keys = {normalize_key(v) for v in global_missing if normalize_key(v)}
        sibling_keys = {normalize_key(o.label) for o in q.options} - {""}
        for o, (code, colname) in zip(q.options, options):
            if colname is None:
                continue
            col = pl.col(colname)
            out.prepare.append(normalize_key_expr(col, plain=colname in plain_columns)
                               .alias(f"__key_{q.id}__{code}"))
            key = pl.col(f"__key_{q.id}__{code}")
            # the column is the option: its own label ticks it, and so does a sibling's
            # spelling (two options whose labels agree after normalisation, as drafted)
            yes = key.is_in(list({*o.match_keys(), *CHECKED, *sibling_keys}))
            # a tool's blank marker (codebook missing_values) is no answer, as a blank is
            no = _blank(col) | key.is_in(list(UNCHECKED)) | key.is_in(list(global_keys))
            ticked[code] = yes.fill_null(False)
            explicit_no.append(key.is_in(list(UNCHECKED)).fill_null(False))
            out.checks.append((colname, pl.when(~yes & ~no).then(pl.lit("unknown_option"))))
        has_other_text = ~_blank(other_text) if other is not None else pl.lit(False)
        if other_code is not None and other is not None:
            ticked[other_code] = ticked.get(other_code, pl.lit(False)) | has_other_text
        any_tick = pl.any_horizontal(*ticked.values()) if ticked else pl.lit(False)
        any_no = pl.any_horizontal(*explicit_no) if explicit_no else pl.lit(False)
        answered = any_tick | any_no | has_other_text
        first = next((c for _, c in options if c is not None), None)
        if q.required and first is not None:
            out.checks.append((first, pl.when(~answered).then(pl.lit("required_missing"))))
        for o in q.options:
            if o.code in ticked:
                out.outputs.append(pl.when(answered).then(ticked[o.code]).alias(q.option_column(o)))
            else:
                out.outputs.append(pl.lit(None, pl.Boolean).alias(q.option_column(o)))
    if q.missing_codes:
        label = missing_label if missing_label is not None else pl.lit(None, pl.String)
        out.outputs.append(label.alias(f"{q.id}__missing"))
    if q.other is not None:
        out.outputs.append(other_text.alias(f"{q.id}__other_text"))


def _loose(key: str) -> str:
    """Regex for a normalised label that tolerates any whitespace run where it has a space."""
    return r"\s+".join(re.escape(part) for part in key.split(" "))
