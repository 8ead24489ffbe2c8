"""Drafting, decision: a column's question type, options and missing codes, drawn from its
inventory of distinct values (:mod:`._draft_inventory`).

The rules, in the order they are tried:

1. **Missing tokens** (``N/A``, ``Don't know``, ``-99`` ...) are set apart; a numeric
   sentinel only where the other answers are non-negative numbers (so it behaves like a
   code), and never in a weight-like column (``wgt``, ``pwgtp12``, ``repwt3``: replicate
   weights of -9 are real values).
2. **Numbers and dates**: every remaining distinct value parses, or at least 95% of the
   answers do (a numeric free-entry column with a few typed answers): the stray answers
   become the question's missing codes, so ingest keeps every row and says which they
   were, and the decision records them for a ``# CHECK`` line.  Long digit strings
   (ids, phone numbers) and leading-zero codes make codes, not numbers, only when they are
   the rule in the column, not one odd value.
3. **A scale**: whole answers that read as one (agreement, favourability, frequency,
   duration ... see :mod:`._draft_scales`) are an ordinal question coded 1..k from low to
   high, never split.
4. **A joined multi-select** where a separator yields a recurring closed set of options
   (:mod:`._draft_lists`), write-ins kept as the other text.
5. **A choice** when few distinct values repeat, up to hundreds of options when each is
   chosen often (179 countries in 90,000 answers); a recurring closed set beside a tail
   of rare write-ins (a radio question's typed "Other", :mod:`._draft_other`) is a single
   choice with an ``Other`` option whose text is kept; otherwise **text**.

Each step reads the distinct values with polars expressions; Python only ever sees the
options of a choice question.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

from survey._text import normalize_key
from survey.codebook._draft_inventory import Inventory, inventory
from survey.codebook._draft_lists import Split, find_split
from survey.codebook._draft_other import OtherTail, other_label, other_tail
from survey.codebook._draft_scales import Scale, recognise_scale
from survey.codebook._draft_values import (
    _DATE_PATTERNS,
    _INT,
    _MIDNIGHT,
    _NUM,
    _TEXT_HINT,
    MAX_LABEL,
    MAX_OPTIONS,
    MISSING_TEXT,
    SENTINELS,
    STRONG_MISSING,
    clean_label,
    make_options,
)
from survey.codebook._model import MissingCode, Option

__all__ = ["MAX_MANY_OPTIONS", "Decision", "decide", "infer_column", "is_weight_name"]

MAX_MANY_OPTIONS = 1000
"""Most options a single choice may have when each is chosen often (countries: ~200)."""
STRAY_SHARE = 0.05
"""A numeric column may hold at most this share of answers that are not numbers."""
MAX_STRAYS = 100
_WEIGHT_TOKEN = re.compile(r"^(weights?|[a-z]*wgt[a-z]*\d*|(rep|fin|final|hh|per|pers|p|h|samp|base|"
                           r"trim|rake|raked|design|person|house)?wts?\d*)$")


@dataclass
class Decision:
    """What the inventory of one column says about its question, and the evidence for it.

    ``type``, ``options``, ``missing`` and ``delimiter`` go into the codebook; ``other``:
    write-ins sit beside the options in the cell (kept as the question's other text);
    ``tail``: the write-ins of a single choice read as its ``Other`` option;
    ``scale``: the scale an ordinal was read from; ``strays``: answers of a numeric
    column that are not numbers (declared missing codes) and ``stray_cells`` how many cells
    hold them; ``sentinels``: numeric codes read as missing; ``split``: the list reading of
    a multiple; ``n_answered``/``n_keys``: answered cells and distinct answers.
    """

    type: str
    options: tuple[Option, ...] = ()
    missing: tuple[MissingCode, ...] = ()
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)
    other: bool = False
    scale: Scale | None = None
    strays: tuple[str, ...] = ()
    stray_cells: int = 0
    sentinels: tuple[str, ...] = ()
    split: Split | None = None
    tail: OtherTail | None = None
    n_answered: int = 0
    n_keys: int = 0
    odd_numbers: int = 0          # leading-zero or 10+ digit values read as numbers


def is_weight_name(header: str) -> bool:
    """A weight-like column name: ``wgt``, ``weight``, ``wt``, ``pwgtp``, ``wgtp1..80``,
    ``repwt3``, ``finalwt`` ... (never a missing-code sentinel there).

    >>> [is_weight_name(h) for h in ("PWGTP", "WGTP17", "final_weight", "height", "wt")]
    [True, True, True, False, True]
    """
    return any(_WEIGHT_TOKEN.match(t) for t in re.split(r"[^a-z0-9]+", header.lower()) if t)


def _flags(values: pl.DataFrame) -> pl.DataFrame:
    """Per distinct value: missing token, sentinel, number/integer, digits, dates."""
    v = pl.col("value").str.strip_chars()
    whole = v.str.replace(r"^[+-]", "").str.replace_all(",", "", literal=True).str.extract(r"^(\d*)", 1)
    date_kind = pl.lit(None, pl.String)
    midnight = pl.lit(False)       # read only where every answer is a date
    # the date patterns only where the first answers could be dates (a column is a date
    # column only if every answer is one)
    head = values.filter(~pl.col("key").is_in(list(MISSING_TEXT)))["value"].head(50)
    if head.is_empty() or head.str.contains(r"\d{1,4}[-/.]\s?\d{1,2}").any():
        for pattern, kind in reversed(_DATE_PATTERNS):
            date_kind = pl.when(v.str.contains(pattern.pattern)).then(pl.lit(kind)).otherwise(date_kind)
        midnight = v.str.contains(_MIDNIGHT.pattern)
    number = v.str.contains(_NUM.pattern) & v.str.contains(r"\d")
    integer = v.str.contains(_INT.pattern)
    digits = whole.str.len_chars().fill_null(0)
    # thousands of distinct values, hardly any of the first 200 a number: no number test
    # (a numeric column's distinct values are numbers but for at most 100 strays)
    if values.height > 2000 and values["value"].head(200).str.contains(r"^\s*[+-]?[\d.]").mean() < 0.2:  # type: ignore[operator]
        number, integer, digits = pl.lit(False), pl.lit(False), pl.lit(0)
    elif values.height > _MANY:
        return _flags_split(values, v, number, integer, digits, whole, date_kind, midnight)
    return values.lazy().with_columns(               # lazily: the stripped text computed once
        miss=pl.col("key").is_in(list(MISSING_TEXT)),
        sentinel=v.str.contains(_SENTINEL),
        number=number,
        integer=integer,
        digits=digits,
        lead0=(digits > 1) & whole.str.starts_with("0"),
        negative=v.str.starts_with("-"),
        date=date_kind,
        midnight=midnight,
    ).collect()


_MANY = 1000
_FLAGS = ("miss", "sentinel", "number", "integer", "digits", "lead0", "negative", "date", "midnight")
_SENTINEL = "^(" + "|".join(sorted(re.escape(x) for x in SENTINELS)) + r")(\.0+)?$"   # -99, -99.0


def _flags_split(values: pl.DataFrame, v: pl.Expr, number: pl.Expr, integer: pl.Expr, digits: pl.Expr,
                 whole: pl.Expr, date_kind: pl.Expr, midnight: pl.Expr) -> pl.DataFrame:
    """:func:`_flags` of many distinct values, most of them plain numbers (``123``,
    ``45.6``): their flags need no pattern (no missing token, sentinel, sign, date or
    time), so the patterns run on the other values only and are written into their rows."""
    point = v.str.find(".", literal=True)
    plain_digits = point.fill_null(v.str.len_bytes())
    out = values.with_columns(
        miss=pl.lit(False), sentinel=pl.lit(False), number=pl.lit(True),
        integer=point.is_null() | v.str.contains(r"\.0+$"), digits=plain_digits,
        lead0=(plain_digits > 1) & v.str.starts_with("0"), negative=pl.lit(False),
        date=pl.lit(None, pl.String), midnight=pl.lit(False))
    at = values.select(~v.str.contains(r"^[0-9]+(\.[0-9]+)?$")).to_series().arg_true()
    if at.is_empty():
        return out
    other = values[at].with_columns(
        miss=pl.col("key").is_in(list(MISSING_TEXT)),
        sentinel=v.str.contains(_SENTINEL),
        number=number, integer=integer, digits=digits,
        lead0=(digits > 1) & whole.str.starts_with("0"),
        negative=v.str.starts_with("-"), date=date_kind, midnight=midnight)
    return out.with_columns(out[c].scatter(at, other[c].cast(out[c].dtype)) for c in _FLAGS)


def _cells(frame: pl.DataFrame, cond: pl.Expr | None = None) -> int:
    f = frame if cond is None else frame.filter(cond)
    return int(f["n"].sum()) if f.height else 0


def _missing_codes(tokens: Sequence[str]) -> tuple[MissingCode, ...]:
    seen: dict[str, MissingCode] = {}
    for t in tokens:
        label = clean_label(t)
        key = label.lower()
        if label and key not in seen:
            seen[key] = MissingCode(code=label, label=label)
    return tuple(seen.values())


def _scalar(rest: pl.DataFrame, *, date_cells: bool) -> tuple[str, pl.DataFrame, int] | None:
    """(type, stray values, odd numbers) when the values are dates or numbers, else None."""
    if rest.select(pl.col("date").is_not_null().all()).item():
        if not rest.select((pl.col("date") == "datetime").any()).item():
            return "date", rest.clear(), 0
        if date_cells and rest.select(pl.col("midnight").all()).item():
            return "date", rest.clear(), 0
        return "datetime", rest.clear(), 0
    if date_cells and rest.select(pl.col("number").all()).item():     # Excel serial numbers
        decimal = rest.select(pl.col("value").str.contains(r"\.\d*[1-9]").any()).item()
        return ("datetime" if decimal else "date"), rest.clear(), 0
    numeric = pl.col("number") & (pl.col("digits") <= 15)
    total = _cells(rest)
    good = rest.filter(numeric)
    if good.is_empty():
        return None
    long_cells = _cells(good, pl.col("digits") >= 10)
    lead_cells = _cells(good, pl.col("lead0"))
    if long_cells * 2 >= _cells(good) or lead_cells > 0.05 * total:
        return None                        # ids, phone numbers, zero-padded codes
    bad = rest.filter(~numeric)
    if bad.height and (_cells(bad) > STRAY_SHARE * total or total < 20 or good.height < 3
                       or bad.height > MAX_STRAYS):
        return None
    kind = "integer" if good.select(pl.col("integer").all()).item() else "number"
    return kind, bad, long_cells + lead_cells


def _choice(subst: pl.DataFrame, answered: int) -> bool:
    """Few distinct short values that repeat: a single choice."""
    if subst.is_empty():
        return False
    per_key = subst.group_by("key").agg(pl.col("n").sum())
    k = per_key.height
    m = _cells(subst)
    singles = per_key.filter(pl.col("n") == 1).height
    longest = subst["length"].max()
    if longest is None or int(longest) > MAX_LABEL:    # type: ignore[arg-type]
        return False
    if k <= MAX_OPTIONS:
        return m >= 3 and k <= max(3, answered // 2) and singles <= max(1, k // 2)
    return k <= MAX_MANY_OPTIONS and m >= 5 * k and singles <= k // 4


def _as_scale(options: tuple[Option, ...], missing: tuple[MissingCode, ...]
              ) -> tuple[tuple[Option, ...], tuple[MissingCode, ...], Scale] | None:
    """The options read as a scale: ordered low to high, coded 1..k; non-substantive
    answers moved to the missing codes."""
    scale = recognise_scale([o.label for o in options] + [m.label for m in missing])
    if scale is None or len(scale.labels) < 3:
        return None
    by_key = {normalize_key(o.label): o for o in options}
    if any(normalize_key(lab) not in by_key for lab in scale.labels):
        return None
    ordered = tuple(Option(code=code, label=by_key[normalize_key(lab)].label)
                    for code, lab in zip(scale.codes, scale.labels, strict=True))
    seen = {normalize_key(m.label) for m in missing}
    more = tuple(MissingCode(code=clean_label(m), label=clean_label(m)) for m in scale.missing
                 if normalize_key(m) not in seen)
    return ordered, missing + more, scale


def decide(inv: Inventory, *, header: str = "", date_cells: bool = False, weight: bool = False) -> Decision:
    """The question one column's inventory says it is.

    >>> decide(inventory(["3", "14", None, "-99"])).type
    'integer'
    >>> d = decide(inventory(["Often", "Never", "Sometimes", "Rarely", "Always", "Often"]))
    >>> d.type, [o.label for o in d.options][:2]
    ('ordinal', ['Never', 'Rarely'])
    """
    answered = inv.n_answered
    if answered == 0:
        return Decision("text")          # no answers: a guess, said by a CHECK line
    f = _flags(inv.values)
    rest = f.filter(~pl.col("miss"))
    sentinels = rest.clear()
    if not weight:
        plain = rest.filter(~pl.col("sentinel"))
        if plain.height and plain.select((pl.col("number") & ~pl.col("negative")).all()).item():
            sentinels = rest.filter(pl.col("sentinel"))
            rest = plain
    missing_tokens = f.filter(pl.col("miss") | pl.col("value").is_in(sentinels["value"].to_list()))
    if rest.height:
        scalar = _scalar(rest, date_cells=date_cells)
        if scalar is not None:
            kind, strays, odd = scalar
            return Decision(
                kind, missing=_missing_codes([*missing_tokens["value"].to_list(), *strays["value"].to_list()]),
                strays=tuple(strays["value"].to_list()), stray_cells=_cells(strays),
                sentinels=tuple(sentinels["value"].to_list()), n_answered=answered,
                n_keys=inv.n_keys(), odd_numbers=odd)
    if _TEXT_HINT.search(header):
        return Decision("text", n_answered=answered, n_keys=inv.n_keys())
    strong = f.filter(pl.col("key").is_in(list(STRONG_MISSING)) | pl.col("sentinel"))
    subst = f.filter(~pl.col("value").is_in(strong["value"].to_list()))
    strong_codes = _missing_codes(strong["value"].to_list())
    n_keys = subst["key"].n_unique() if subst.height else 0
    options: tuple[Option, ...] = ()
    if 0 < n_keys <= MAX_OPTIONS:
        options = make_options(subst["value"].to_list())
        scaled = _as_scale(options, strong_codes)
        if scaled is not None and _cells(subst) >= 3 and int(subst["length"].max()) <= MAX_LABEL:
            opts, miss, scale = scaled
            return Decision("ordinal", options=opts, missing=miss, scale=scale,
                            n_answered=answered, n_keys=n_keys)
    split = find_split(inv, exclude=frozenset(strong["key"].to_list()))
    if split is not None and (n_keys > MAX_OPTIONS or recognise_scale(subst["value"].to_list()) is None):
        opts = make_options(split.labels)
        if split.write_ins and not any(o.label.lower() == "other" for o in opts):
            opts = make_options([*split.labels, "Other"])
        return Decision("multiple", options=opts, missing=strong_codes, delimiter=split.delimiter,
                        other=split.write_ins, split=split, n_answered=answered,
                        n_keys=len(split.labels))
    tail = other_tail(subst, answered)
    if _choice(subst, answered) and (tail is None or not tail.longer):
        if not options:
            options = make_options(subst["value"].to_list())
        return Decision("single", options=options, missing=strong_codes, n_answered=answered,
                        n_keys=n_keys)
    if tail is not None:                 # a closed set and typed "Other" answers
        labels = list(tail.labels) if other_label(tail.labels) else [*tail.labels, "Other"]
        missing = strong_codes + _missing_codes([m for m in tail.missing
                                                 if normalize_key(m) not in {normalize_key(c.label) for c in strong_codes}])
        return Decision("single", options=make_options(labels), missing=missing, other=True,
                        tail=tail, n_answered=answered, n_keys=len(tail.labels))
    return Decision("text", n_answered=answered, n_keys=inv.n_keys())


def infer_column(cells: Sequence[str | None] | pl.Series, *, header: str = "", date_cells: bool = False,
                 n_rows: int | None = None, weight: bool | None = None) -> Decision:
    """Infer the question type of one column from its cells (an inventory, then a decision).

    ``weight``: the column holds weights (default: read from ``header``); ``n_rows`` is
    accepted for compatibility and unused (the inventory counts the cells).

    >>> infer_column(["Red, Blue", "Blue", "Red", "Green, Red"]).options[0].label
    'Red'
    """
    del n_rows
    w = is_weight_name(header) if weight is None else weight
    return decide(inventory(cells), header=header, date_cells=date_cells, weight=w)
