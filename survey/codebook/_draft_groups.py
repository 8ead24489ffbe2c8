"""Drafting, column level: find multiple-choice groups spread over several columns.

Two shapes exist in real exports:

* a SurveyMonkey block: row-1 question text over several columns whose row-2 labels are
  the options and whose cells hold that label when ticked (plus an "Other (please
  specify)" text column);
* per-option columns named ``stem`` + option: Qualtrics/SPSS ``Q5_1``, REDCap
  ``race___1``, LimeSurvey ``Q3[SQ001]``, KoboToolbox ``grp/q/choice``, whose cells are
  ``1``/``0``, ``Y`` or the option label;
* per-option columns headed only by the option's label (Typeform: ``hackathons``,
  ``conferences``, ...), whose cells are that label or blank: a run of two or more
  adjacent such columns is one question, drafted with a ``check`` for the analyst.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from survey._text import normalize_key
from survey.codebook._draft_infer import clean_label, make_options, norm_number, present

if TYPE_CHECKING:
    from survey.io._model import SourceColumn

__all__ = ["Col", "Group", "Member", "common_prefix_cut", "find_groups"]

_TICKS = (frozenset({"0", "1"}), frozenset({"y"}), frozenset({"checked", "unchecked"}),
          frozenset({"true", "false"}), frozenset({"x"}), frozenset({"✓"}), frozenset({"✔"}),
          frozenset({"selected", "not selected"}))
_OTHER = re.compile(r"other|please specify|specify|기타", re.IGNORECASE)
_PATTERNS = (
    ("redcap", re.compile(r"^(?P<stem>.+?)___(?P<opt>[A-Za-z0-9_]+)$")),
    ("lime", re.compile(r"^(?P<stem>[^\[\]]+)\[(?P<opt>[^\[\]]+)\]$")),
    ("kobo", re.compile(r"^(?P<stem>.+)/(?P<opt>[^/]+)$")),
    ("numbered", re.compile(r"^(?P<stem>.+?)_(?P<opt>\d+)$")),
)
# survey export's per-option variables: ``<question>__<option>`` (after REDCap's ``___``)
_EXPORTED = ("export", re.compile(r"^(?P<stem>.+?)__(?P<opt>[A-Za-z0-9][A-Za-z0-9_]*)$"))
_SEPARATORS = (" - ", ": ", " – ", " — ", " | ", "-", ":")


@dataclass
class Col:
    """One source column as the drafter sees it."""

    sc: SourceColumn
    cells: list[str | None]
    ref: str
    text: str

    @property
    def values(self) -> list[str]:
        return [c for c in self.cells if present(c)]

    @property
    def distinct(self) -> list[str]:
        """The first 64 distinct answers in order of first appearance (from the column's
        inventory when the drafter read it): enough to tell ticks and one repeated label
        from anything else, never a walk over every cell."""
        inv = getattr(self.cells, "inventory", None)
        if inv is not None:
            return inv.values["value"].head(64).to_list()
        return [v for v in dict.fromkeys(self.cells) if present(v)][:64]


@dataclass
class Member:
    col: Col
    code: str
    label: str


@dataclass
class Group:
    """A multiple-choice question laid out as one column per option."""

    stem: str
    text: str | None
    members: list[Member]
    block_ref: str | None = None          # SurveyMonkey: the block header names the question
    other: Col | None = None
    other_option: str | None = None
    summary: Col | None = None            # Kobo 'both' mode: the space-joined summary column
    check: str | None = None              # what the analyst should check (a '# CHECK' line)

    @property
    def columns(self) -> list[Col]:
        cols = [m.col for m in self.members]
        return cols + [c for c in (self.other, self.summary) if c is not None]


def tick_kind(values: Sequence[str]) -> str | None:
    """``'tick'`` for 0/1, Y, Checked... cells; ``'label'`` for one repeated text; else None."""
    keys = {norm_number(normalize_key(v)) for v in values}
    if not keys:
        return "empty"
    if any(keys <= t for t in _TICKS):
        return "tick"
    return "label" if len(keys) == 1 else None


def find_groups(cols: Sequence[Col], *, layout: str, stat: bool = False) -> list[Group]:
    """All multiple-choice groups among ``cols``; each column belongs to at most one.

    ``stat``: a statistical file (sav/dta/...), where ``stem__option`` 0/1 variables (as
    ``survey export`` writes a multiple-choice question) are a group too."""
    groups: list[Group] = []
    taken: set[int] = set()
    if layout == "surveymonkey":
        for g in _surveymonkey_blocks(cols):
            groups.append(g)
            taken |= {c.sc.index for c in g.columns}
    free = [c for c in cols if c.sc.index not in taken]
    found = _pattern_groups(free, (*_PATTERNS, _EXPORTED) if stat else _PATTERNS)
    taken |= {c.sc.index for g in found for c in g.columns}
    groups += found
    if layout != "surveymonkey":          # there a block's labels sit in row 2, handled above
        groups += label_headed_runs([c for c in free if c.sc.index not in taken])
    return groups


def label_headed_runs(cols: Sequence[Col]) -> list[Group]:
    """Runs of two or more adjacent columns, each holding only its own header (or blank).

    Typeform writes a multiple choice as one column per option headed by the option's
    label; a ticked option's cell repeats the label, an unticked one is blank.  A column
    right after the run headed "Other" whose cells vary is the run's write-in text.
    """
    out: list[Group] = []
    run: list[Col] = []
    ordered = sorted(cols, key=lambda c: c.sc.index)
    for c in [*ordered, None]:
        if c is not None and _holds_own_header(c) and (not run or c.sc.index == run[-1].sc.index + 1):
            run.append(c)
            continue
        if len(run) >= 2:
            other = c if (c is not None and c.sc.index == run[-1].sc.index + 1
                          and _OTHER.search(c.sc.block) and c.values) else None
            out.append(_label_group(run, other))
        run = [c] if c is not None and _holds_own_header(c) else []
    return out


def _holds_own_header(c: Col) -> bool:
    """Every non-blank cell is one value that is the column's header (or close to it)."""
    head = normalize_key(c.sc.block)
    vals = c.distinct
    if not re.search(r"[^\W\d_]", head) or not vals or _OTHER.fullmatch(head) or len(vals) > 20:
        return False                         # (twenty spellings of one label: none is)
    keys = {normalize_key(v) for v in vals}
    if len(keys) != 1:
        return False
    (key,) = keys
    if key == head or (min(len(key), len(head)) >= 4 and (key.startswith(head) or head.startswith(key))):
        return True
    return difflib.SequenceMatcher(None, key, head).ratio() >= 0.85


def _label_group(run: list[Col], other: Col | None) -> Group:
    labels = [clean_label(c.values[0]) or clean_label(c.sc.block) for c in run]
    by_key = {normalize_key(o.label): o.code for o in make_options(labels)}
    codes = ([by_key[normalize_key(lab)] for lab in labels] if len(by_key) == len(run)
             else [_code(lab) for lab in labels])
    members = [Member(c, code, lab) for c, code, lab in zip(run, codes, labels, strict=True)]
    first, last = run[0].sc.block, run[-1].sc.block
    check = (f"{len(run)} adjacent columns {first!r} .. {last!r} each hold only their own header "
             "or a blank: drafted as one multiple choice, a blank is 'not chosen' (a respondent "
             "with none ticked counts as not answering); check they are one question, give it "
             "its id and text")
    if other is not None:
        check += f", and that {other.sc.block!r} is its write-in text"
    return Group(stem=f"{first} etc", text=None, members=members, other=other, check=check)


def _surveymonkey_blocks(cols: Sequence[Col]) -> list[Group]:
    out: list[Group] = []
    runs: list[list[Col]] = []
    for c in cols:
        if runs and runs[-1][0].sc.block == c.sc.block and c.sc.block.strip():
            runs[-1].append(c)
        else:
            runs.append([c])
    for run in runs:
        if len(run) < 2:
            continue
        others = [c for c in run if c.sc.sub and _OTHER.search(c.sc.sub)
                  and not _is_own_label(c)]
        main = [c for c in run if c not in others]
        if len(others) > 1 or len(main) < 2:
            continue
        if not all(c.sc.sub and _is_own_label(c) for c in main):
            continue
        if not any(c.values for c in main):
            continue
        labels = [clean_label(c.sc.sub or "") for c in main]
        options = make_options(labels)
        if len(options) != len(main):
            continue
        members = [Member(c, o.code, o.label) for c, o in zip(main, options, strict=True)]
        g = Group(stem=run[0].sc.block, text=run[0].sc.block, members=members,
                  block_ref=run[0].sc.block, other=others[0] if others else None)
        out.append(g)
    return out


def _is_own_label(c: Col) -> bool:
    key = normalize_key(c.sc.sub)
    return all(normalize_key(v) == key for v in c.distinct)


def _pattern_groups(cols: Sequence[Col],
                    patterns: Sequence[tuple[str, re.Pattern[str]]] = _PATTERNS) -> list[Group]:
    by_block = {c.sc.block: c for c in cols}
    candidates: dict[tuple[str, str], list[list[tuple[Col, str]]]] = {}
    for c in cols:
        for kind, pattern in patterns:
            m = pattern.match(c.sc.block)
            if m:
                runs = candidates.setdefault((kind, m["stem"]), [[]])
                if any(opt == m["opt"] for _, opt in runs[-1]):
                    runs.append([])          # the block again (duplicated column names)
                runs[-1].append((c, m["opt"]))
                break
    out: list[Group] = []
    used: set[int] = set()
    for (kind, stem), found in ((key, run) for key, runs in candidates.items() for run in runs):
        other = _other_column(kind, stem, found, by_block)
        members = [(c, opt) for c, opt in found if other is None or c is not other[0]]
        if len(members) < 2 or any(c.sc.index in used for c, _ in members):
            continue
        kinds = {tick_kind(c.distinct) for c, _ in members}
        if None in kinds or kinds == {"empty"} or {"tick", "label"} <= kinds:
            continue
        summary = by_block.get(stem) if kind == "kobo" else None
        if kind == "kobo" and summary is None and _has_non_tick_sibling(stem, cols):
            continue
        labels = _member_labels([c for c, _ in members], [opt for _, opt in members])
        g = Group(
            stem=stem,
            text=_common_text([c.text for c, _ in members]),
            members=[Member(c, _code(opt), lab) for (c, opt), lab in zip(members, labels, strict=True)],
            other=None if other is None else other[0],
            other_option=None if other is None else other[1],
            summary=summary,
        )
        used |= {c.sc.index for c in g.columns}
        out.append(g)
    return out


def _has_non_tick_sibling(stem: str, cols: Sequence[Col]) -> bool:
    prefix = stem + "/"
    return any(c.sc.block.startswith(prefix) and "/" not in c.sc.block[len(prefix):]
               and tick_kind(c.distinct) is None for c in cols)


def _other_column(kind: str, stem: str, found: list[tuple[Col, str]],
                  by_block: dict[str, Col]) -> tuple[Col, str | None] | None:
    """The specify-text column of a group and the option code it belongs to."""
    if kind == "numbered":
        for _, opt in found:
            c = by_block.get(f"{stem}_{opt}_TEXT")
            if c is not None:
                return c, _code(opt)
        c = by_block.get(f"{stem}_TEXT")
        return (c, None) if c is not None else None
    if kind == "lime":
        for c, opt in found:
            if opt.lower() == "other":
                return c, None
    if kind == "export":
        for c, opt in found:
            if opt == "other_text":
                return c, "other" if any(o == "other" for _, o in found) else None
    return None


def _member_labels(cols: list[Col], opts: list[str]) -> list[str]:
    """Option labels: the label the cells hold, else the distinct tail of the column texts
    (Qualtrics row 2 ``stem - option``, SPSS variable labels), else the option suffix."""
    labels: list[str] = []
    texts = [c.text for c in cols]
    cut = common_prefix_cut(texts)
    for c, opt, text in zip(cols, opts, texts, strict=True):
        vals = c.values
        if vals and tick_kind(vals) == "label":
            labels.append(clean_label(vals[0]))
        elif cut and clean_label(text[cut:]) and not text.endswith("…"):  # not cut short
            labels.append(clean_label(text[cut:]))
        else:
            labels.append(opt)
    seen: dict[str, int] = {}
    for i, lab in enumerate(labels):
        key = normalize_key(lab)
        if key in seen:
            labels[i] = f"{lab} ({opts[i]})"
        seen[normalize_key(labels[i])] = i
    return labels


def common_prefix_cut(texts: list[str]) -> int:
    """Length of the shared ``question - `` prefix of the texts, cut at a separator."""
    if len(texts) < 2 or not all(texts):
        return 0
    prefix = os.path.commonprefix(texts)
    best = 0
    for sep in _SEPARATORS:
        i = prefix.rfind(sep)
        if i > 0:
            best = max(best, i + len(sep))
    return best


def _common_text(texts: list[str]) -> str | None:
    cut = common_prefix_cut(texts)
    if not cut:
        return None
    text = texts[0][:cut].rstrip(" -:–—|")
    return re.sub(r"\s+-\s+Selected Choice$", "", text).strip() or None


def _code(opt: str) -> str:
    code = re.sub(r"[^0-9A-Za-z_.-]+", "_", opt).strip("_")
    return code or "opt"
