"""Property tests for the drafting inference."""

from __future__ import annotations

import datetime as dt
import os

from hypothesis import given, settings
from hypothesis import strategies as st

from survey._text import normalize_key
from survey.codebook import codebook_to_dict, draft_codebook, parse_codebook
from survey.codebook._draft_infer import MISSING_TEXT, STRONG_MISSING, infer_column
from tests.draft.helpers import covered_columns, make_raw

settings.register_profile("draft", parent=settings.get_profile("suite"),
                          max_examples=int(os.environ.get("DRAFT_EXAMPLES", "60")))
settings.load_profile("draft")

_word = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéü가나다라", min_size=1,
                max_size=8)
# Labels spelled as a missing token (NA, NaN, NULL, Refused ...) are read as no answer by
# design (_draft_infer.MISSING_TEXT, the tools' blank markers): they are not labels here.
_NOT_LABELS = MISSING_TEXT | STRONG_MISSING | {"y", "x", "true", "false"}
_label = st.lists(_word, min_size=1, max_size=3).map(" ".join).filter(
    lambda s: normalize_key(s) not in _NOT_LABELS)
_option_sets = st.lists(_label, min_size=2, max_size=8, unique_by=normalize_key)


def _blanks(draw, cells):  # type: ignore[no-untyped-def]
    """The cells with blank answers mixed in (skipped questions)."""
    return draw(st.permutations([*cells, *[None] * draw(st.integers(0, 5))]))


@given(st.lists(st.one_of(st.integers(-10**6, 10**6).map(str), st.none()), min_size=1, max_size=60)
       .filter(lambda xs: any(x is not None for x in xs)))
def test_any_integer_column_drafts_as_integer(cells: list[str | None]) -> None:
    assert infer_column(cells).type == "integer"


@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False).map(lambda f: f"{f:.3f}"), min_size=1,
                max_size=40).filter(lambda xs: any(not x.endswith(".000") for x in xs)))
def test_any_decimal_column_drafts_as_number(cells: list[str]) -> None:
    assert infer_column(cells).type == "number"


@given(st.lists(st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)), min_size=1, max_size=30),
       st.sampled_from(["%Y-%m-%d", "{m}/{d}/%Y", "%Y.%m.%d"]))
def test_any_date_column_drafts_as_date(dates: list[dt.date], fmt: str) -> None:
    cells = [d.strftime(fmt.replace("{m}", str(d.month)).replace("{d}", str(d.day))) for d in dates]
    assert infer_column(cells).type == "date"


@given(st.lists(st.datetimes(dt.datetime(1990, 1, 1), dt.datetime(2100, 1, 1)), min_size=1,
                max_size=30), st.sampled_from(["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%m/%d/%Y %H:%M"]))
def test_any_timestamp_column_drafts_as_datetime(stamps: list[dt.datetime], fmt: str) -> None:
    assert infer_column([s.strftime(fmt) for s in stamps]).type == "datetime"


@given(st.data(), _option_sets, st.sampled_from(["|", ";", ", ", ","]))
def test_delimited_multi_select_drafts_exactly_its_option_set(data, options, delim) -> None:  # type: ignore[no-untyped-def]
    n = len(options)
    rows = [[o] for o in options] * 2                       # each option seen alone
    rows.append(options[:2])                                # at least one real combination
    rows += data.draw(st.lists(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True)
                               .map(lambda ix: [options[i] for i in sorted(ix)]), max_size=30))
    cells = [delim.join(r) for r in data.draw(st.permutations(rows))]
    inf = infer_column(_blanks(data.draw, cells))
    assert inf.type == "multiple"
    assert inf.delimiter == delim
    assert sorted(normalize_key(o.label) for o in inf.options) == sorted(map(normalize_key, options))


@given(st.data(), st.lists(st.from_regex(r"[a-z][a-z0-9_]{0,9}", fullmatch=True)
                           .filter(lambda c: c not in _NOT_LABELS), min_size=2, max_size=7, unique=True))
def test_kobo_space_joined_codes_draft_as_multiple(data, codes) -> None:  # type: ignore[no-untyped-def]
    rows = [[c] for c in codes] * 2 + [codes[:2]]
    cells = [" ".join(r) for r in data.draw(st.permutations(rows))]
    inf = infer_column(cells)
    assert inf.type == "multiple" and inf.delimiter == " "
    assert sorted(o.label for o in inf.options) == sorted(codes)


@given(st.data(), _option_sets)
def test_repeated_labels_draft_as_single_with_that_set(data, options) -> None:  # type: ignore[no-untyped-def]
    cells = options * 2 + data.draw(st.lists(st.sampled_from(options), max_size=40))
    cells = data.draw(st.permutations(cells))
    inf = infer_column(_blanks(data.draw, cells))
    assert inf.type == "single"
    assert sorted(normalize_key(o.label) for o in inf.options) == sorted(map(normalize_key, options))


@given(st.data(), st.integers(2, 8), st.sampled_from(["{s}_{i}", "{s}___{i}", "{s}[SQ00{i}]",
                                                      "grp/{s}/c{i}"]),
       st.sampled_from([("1", "0"), ("1", None), ("Y", None)]))
def test_per_option_columns_make_one_multiple(data, k, pattern, ticks) -> None:  # type: ignore[no-untyped-def]
    n = data.draw(st.integers(3, 20))
    cols = {}
    for i in range(1, k + 1):
        cells = data.draw(st.lists(st.sampled_from(ticks), min_size=n, max_size=n))
        cells[0] = ticks[0]
        cols[pattern.format(s="q9", i=i)] = cells
    cb = draft_codebook(make_raw(cols), survey_name="t")
    multiple = [q for q in cb.questions if q.type == "multiple"]
    assert len(multiple) == 1 and len(multiple[0].options) == k
    assert len(cb.questions) == 1


_cell = st.one_of(st.none(), st.text(max_size=12), st.integers(-999, 9999).map(str),
                  st.sampled_from(["N/A", "-99", "[not completed]", "Yes", "No", "A, B", "A|B"]))


@given(st.data(), st.lists(st.text(min_size=0, max_size=10), min_size=1, max_size=6))
def test_any_table_drafts_a_valid_codebook_covering_every_column(data, headers) -> None:  # type: ignore[no-untyped-def]
    n = data.draw(st.integers(1, 12))
    cols = [((h,), data.draw(st.lists(_cell, min_size=n, max_size=n))) for h in headers]
    raw = make_raw(cols)
    cb = draft_codebook(raw, survey_name="fuzz")
    parse_codebook(codebook_to_dict(cb))
    assert all(len(v) == 1 for v in covered_columns(cb, raw).values())
