"""Per-option columns headed only by their labels (Typeform): one multiple choice per run."""

from __future__ import annotations

import os

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from survey._text import normalize_key
from survey.codebook import draft_codebook
from survey.codebook._draft import draft_codebook_yaml
from survey.codebook._draft_infer import MISSING_TEXT, STRONG_MISSING
from survey.frames import type_table
from tests.draft.helpers import covered_columns, make_raw

EXAMPLES = int(os.environ.get("DRAFT_EXAMPLES", "60"))
EVENTS = ["hackathons", "conferences", "workshops", "Meetups", "bootcamp info sessions"]


def _events(n: int = 20) -> dict[str, list[str | None]]:
    cols: dict[str, list[str | None]] = {"#": [f"r{i:04d}" for i in range(n)],
                                         "How old are you?": [str(18 + i) for i in range(n)]}
    for j, lab in enumerate(EVENTS):
        cols[lab] = [lab if (i + j) % 3 == 0 else None for i in range(n)]
    cols["Other"] = ["game jams" if i == 4 else None for i in range(n)]
    cols["Gender"] = ["female" if i % 2 else "male" for i in range(n)]
    return cols


def _multiples(cb):  # type: ignore[no-untyped-def]
    return [q for q in cb.questions if q.type == "multiple"]


def test_label_headed_columns_draft_as_one_multiple_with_an_option_per_column() -> None:
    cb = draft_codebook(make_raw(_events()), survey_name="t")
    (q,) = _multiples(cb)
    assert list(q.labels) == EVENTS
    assert [o.column for o in q.options] == EVENTS
    assert q.other is not None and q.other.column == "Other"
    assert [x.type for x in cb.questions if x is not q and x.role == "answer"].count("single") == 1


def test_label_headed_run_is_marked_for_checking() -> None:
    text = draft_codebook_yaml(make_raw(_events()), survey_name="t")
    check = [ln for ln in text.splitlines() if ln.startswith("# CHECK hackathons_etc:")]
    assert len(check) == 1 and "'hackathons' .. 'bootcamp info sessions'" in check[0]


def test_a_blank_label_headed_cell_is_not_chosen_when_the_row_ticked_another() -> None:
    raw = make_raw(_events())
    typed = type_table(raw, draft_codebook(raw, survey_name="t"))
    assert typed.report.n_errors == 0
    share = typed.frame.select(pl.col("hackathons_etc__hackathons").mean()).item()
    ticked = [[c == lab for c in cells] for lab, cells in _events().items() if lab in EVENTS]
    answered = [any(row) for row in zip(*ticked, strict=True)]
    expected = sum(a and t for a, t in zip(answered, ticked[0], strict=True)) / sum(answered)
    assert share == expected and share < 1


def test_a_lone_column_holding_its_header_stays_its_own_question() -> None:
    cols = {"Consent": ["Consent"] * 5, "Age": ["20", "31", "44", "25", "52"]}
    cb = draft_codebook(make_raw(cols), survey_name="t")
    assert _multiples(cb) == []


def test_columns_holding_other_answers_than_their_headers_are_not_a_run() -> None:
    cols = {"Tea": ["Yes", None, "Yes"], "Coffee": ["Yes", "Yes", None]}
    cb = draft_codebook(make_raw(cols), survey_name="t")
    assert all(len(q.options) != 2 or q.layout != "columns" for q in cb.questions)


_word = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéü가나", min_size=3,
                max_size=9)
_label = st.lists(_word, min_size=1, max_size=3).map(" ".join).filter(
    lambda s: normalize_key(s) not in MISSING_TEXT | STRONG_MISSING | {"other"})


@settings(max_examples=EXAMPLES, deadline=None)
@given(data=st.data(), labels=st.lists(_label, min_size=2, max_size=12, unique_by=normalize_key),
       spell=st.sampled_from(["same", "upper", "spaces"]))
def test_any_run_of_label_headed_columns_drafts_one_multiple_counting_blanks_as_not_chosen(
        data, labels, spell) -> None:  # type: ignore[no-untyped-def]
    n = data.draw(st.integers(len(labels), 40))
    respell = {"same": str, "upper": str.upper, "spaces": lambda s: f" {s}  "}[spell]
    cols: dict[str, list[str | None]] = {"Country": [["Peru", "Chile", "India"][i % 3] for i in range(n)]}
    ticks = []
    for j, lab in enumerate(labels):
        t = data.draw(st.lists(st.booleans(), min_size=n, max_size=n))
        t[j % n] = True                                   # every option ticked somewhere
        ticks.append(t)
        cols[lab] = [respell(lab) if x else None for x in t]
    cols["Years coding"] = [str(i % 7) for i in range(n)]
    raw = make_raw(cols)
    cb = draft_codebook(raw, survey_name="p")
    (q,) = _multiples(cb)
    assert [normalize_key(x) for x in q.labels] == [normalize_key(x) for x in labels]
    assert all(len(v) == 1 for v in covered_columns(cb, raw).values())
    typed = type_table(raw, cb)
    assert typed.report.n_errors == 0 and typed.frame.height == n
    answered = [any(row) for row in zip(*ticks, strict=True)]
    for o, t in zip(q.options, ticks, strict=True):
        got = typed.frame.get_column(q.option_column(o)).to_list()
        assert got == [x if a else None for x, a in zip(t, answered, strict=True)]


def test_two_runs_apart_are_two_questions() -> None:
    n = 12
    cols: dict[str, list[str | None]] = {}
    for lab in ("EdX", "Coursera", "Udemy"):
        cols[lab] = [lab if i % 2 else None for i in range(n)]
    cols["Hours per week"] = [str(i) for i in range(n)]
    for lab in ("Code Newbie", "The Changelog"):
        cols[lab] = [lab if i % 3 else None for i in range(n)]
    cb = draft_codebook(make_raw(cols), survey_name="t")
    assert [q.labels for q in _multiples(cb)] == [("EdX", "Coursera", "Udemy"), ("Code Newbie", "The Changelog")]


@settings(max_examples=EXAMPLES // 2, deadline=None)
@given(data=st.data(), runs=st.lists(st.lists(_label, min_size=2, max_size=6, unique_by=normalize_key),
                                     min_size=1, max_size=3))
def test_any_wide_export_with_several_runs_drafts_one_multiple_per_run(data, runs) -> None:  # type: ignore[no-untyped-def]
    seen: set[str] = set()
    runs = [[lab for lab in run if normalize_key(lab) not in seen and not seen.add(normalize_key(lab))]
            for run in runs]
    runs = [run for run in runs if len(run) >= 2]
    n = data.draw(st.integers(8, 30))
    cols: dict[str, list[str | None]] = {}
    for r, run in enumerate(runs):
        # between runs: a single choice whose one answer is its header in some rows only
        cols[f"Satisfied {r}?"] = [[f"Satisfied {r}?", "No", "Yes"][i % 3] for i in range(n)]
        for j, lab in enumerate(run):
            ticks = data.draw(st.lists(st.booleans(), min_size=n, max_size=n))
            ticks[j % n] = True
            cols[lab] = [lab if t else None for t in ticks]
    raw = make_raw(cols)
    cb = draft_codebook(raw, survey_name="wide")
    assert [[normalize_key(x) for x in q.labels] for q in _multiples(cb)] == \
        [[normalize_key(x) for x in run] for run in runs]
    assert type_table(raw, cb).report.n_errors == 0
