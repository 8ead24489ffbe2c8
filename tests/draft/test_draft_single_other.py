"""A single question whose cells hold one listed option or the respondent's own text (a
Google Forms radio question with "Other:"): drafted as a single choice with an ``Other``
option, the write-ins kept in ``<id>__other_text``; ingest never fails on them and
``stats proportion`` counts them as Other.

The property test generates such columns (2-8 recurring options chosen 5-30 times each,
1-12 write-ins making at most 15% of the answers, blanks, a second column); examples per run: ``DRAFT_OTHER_EXAMPLES``
(default 40).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey.codebook import load_codebook, parse_codebook
from survey.codebook._draft import draft_codebook_yaml
from survey.codebook._draft_check import check_lines
from survey.codebook._draft_decide import infer_column
from survey.errors import CodebookError
from survey.frames import read_survey, type_table
from survey.io import read_table
from tests.clirun import run
from tests.rawtables import raw_table

_EXAMPLES = int(os.environ.get("DRAFT_OTHER_EXAMPLES", "40"))
_FRUIT = ["Apple", "Banana", "Cherry", "Durian", "Elderberry", "Fig", "Grape", "Kiwi", "Lemon", "Mango"]
_WORDS = ["mostly", "my own", "tool", "at work", "for teaching", "whatever", "homemade", "pipeline"]


def _write_in(i: int, words: list[str]) -> str:
    return f"I typed {' '.join(words)} answer {i}"


# --------------------------------------------------------------------------- decision


def test_closed_set_and_typed_tail_is_single_with_other_and_a_check() -> None:
    cells = (["Python"] * 40 + ["R"] * 25 + ["Julia"] * 6 + [None] * 5
             + ["Mostly SAS, at work", "Stata for teaching", "Excel sheets", "Python and R both"])
    d = infer_column(cells)
    assert d.type == "single" and d.other
    assert [o.label for o in d.options] == ["Python", "R", "Julia", "Other"]
    (line,) = check_lines(d)
    assert line.startswith("4 distinct write-ins (4 of 75 answers, 5.3%;")
    assert "'Mostly SAS, at work'" in line


def test_existing_other_option_takes_the_write_ins() -> None:
    cells = ["Yes"] * 20 + ["No"] * 15 + ["Other (please specify)"] * 4 + [f"my own answer {i}" for i in range(6)]
    d = infer_column(cells)
    assert d.type == "single" and [o.label for o in d.options] == ["Yes", "No", "Other (please specify)"]


def test_rare_short_options_stay_options_and_rare_non_answers_are_missing_codes() -> None:
    ranges = infer_column(["None"] * 115 + ["1-5"] * 10 + ["5-10"] * 3 + ["20-30"])
    assert ranges.type == "ordinal" and not ranges.other       # numeric classes, in order
    assert [o.label for o in ranges.options] == ["None", "1-5", "5-10", "20-30"]
    gender = infer_column(["Woman"] * 40 + ["Man"] * 50 + ["Prefer not to say"]
                          + [f"my own words {i}" for i in range(8)])
    assert gender.type == "single" and gender.other
    assert [m.label for m in gender.missing] == ["Prefer not to say"]
    assert "Prefer not to say" not in [o.label for o in gender.options]


def test_free_text_and_too_many_write_ins_stay_text() -> None:
    free = infer_column(["None"] * 4 + ["similar to mine"] * 2 + [f"a long answer number {i}" for i in range(60)])
    assert free.type == "text"
    many = infer_column(["Fishing"] * 15 + ["Farming"] * 10 + [f"Fishing Farming mix {i}" for i in range(7)])
    assert many.type == "text"          # 22% write-ins: not a closed set (a space-joined list)


# --------------------------------------------------------------------------- typing


def test_ingest_types_a_write_in_as_other_and_keeps_its_text() -> None:
    cb = parse_codebook({"survey": "t", "version": "1", "questions": [{
        "id": "lang", "type": "single", "column": "Lang",
        "options": [{"code": "py", "label": "Python"}, {"code": "other", "label": "Other"}],
        "missing_codes": [{"code": "N/A", "label": "N/A"}],
        "other": {"option": "other", "column": "Lang"}}]})
    out = type_table(raw_table({"Lang": ["Python", " Mostly SAS ", "Other", None, "N/A"]}), cb)
    assert out.report.ok
    assert out.frame["lang"].to_list() == ["Python", "Other", "Other", None, None]
    assert out.frame["lang__other_text"].to_list() == [None, "Mostly SAS", None, None, None]


def test_other_in_its_own_column_leaves_unknown_answers_unknown() -> None:
    cb = parse_codebook({"survey": "t", "version": "1", "questions": [{
        "id": "lang", "type": "single", "column": "Lang",
        "options": [{"code": "py", "label": "Python"}, {"code": "other", "label": "Other"}],
        "other": {"option": "other", "column": "Lang other"}}]})
    out = type_table(raw_table({"Lang": ["Python", "Cobol"], "Lang other": [None, "x"]}), cb)
    assert not out.report.ok and out.report.problems["reason"].to_list() == ["unknown_option"]
    assert out.frame["lang__other_text"].to_list() == [None, "x"]


# --------------------------------------------------------------------------- end to end


def test_draft_validate_ingest_stats_count_write_ins_as_other(tmp_path: Path) -> None:
    n = 240
    langs = [("Python", "R", "Julia")[i % 3] if i % 12 else _write_in(i, ["my own", "tool"]) for i in range(n)]
    csv = tmp_path / "radio.csv"
    pl.DataFrame({"Respondent ID": [str(i) for i in range(n)],
                  "Which language do you use most?": langs}).write_csv(csv)
    schema, wave = tmp_path / "draft.yaml", tmp_path / "wave.parquet"
    r = run("schema", "draft", str(csv), "--out", str(schema))
    assert r.exit_code == 0, r.output
    text = schema.read_text(encoding="utf-8")
    assert "# CHECK which_language_do_you_use_most: 20 distinct write-ins (20 of 240 answers" in text
    r = run("validate", str(csv), "--schema", str(schema))
    assert r.exit_code == 0 and "valid: no problems found" in r.output, r.output
    r = run("ingest", str(csv), "--schema", str(schema), "--out", str(wave))
    assert r.exit_code == 0, r.output
    got = pl.read_parquet(wave)
    assert got["which_language_do_you_use_most__other_text"].drop_nulls().to_list() == [
        x for x in langs if x.startswith("I typed")]
    r = run("stats", "proportion", str(wave), "--var", "which_language_do_you_use_most", "--format", "json")
    assert r.exit_code == 0, r.output
    shares = {e["category"]: e["estimate"] for e in json.loads(r.stdout)["estimates"]}
    assert shares["Other"] == sum(x.startswith("I typed") for x in langs) / n
    assert abs(sum(shares.values()) - 1) < 1e-12
    sav = tmp_path / "wave.sav"                     # the .sav export keeps the write-ins' text
    r = run("export", str(wave), str(sav))
    assert r.exit_code == 0, r.output
    back = read_table(sav).frame
    assert [x for x in back["which_language_do_you_use_most__other_text"].to_list() if x] == [
        x for x in langs if x.startswith("I typed")]


# --------------------------------------------------------------------------- property


@st.composite
def _radio(draw: st.DrawFn) -> tuple[list[str], list[str | None], list[str]]:
    k = draw(st.integers(2, 8))
    options = draw(st.permutations(_FRUIT))[:k]
    counts = draw(st.lists(st.integers(5, 30), min_size=k, max_size=k))   # five each on average
    counts[0] += max(0, 20 - sum(counts))                                  # 20 answers at least
    w_max = max(1, min(12, int(0.15 * sum(counts) / 0.85)))                # write-ins: 15% at most
    w = draw(st.integers(1, w_max))
    words = draw(st.lists(st.sampled_from(_WORDS), min_size=2, max_size=4))
    write_ins = [_write_in(i, words) for i in range(w)]
    blanks = draw(st.integers(0, 10))
    cells: list[str | None] = [o for o, c in zip(options, counts, strict=True) for _ in range(c)]
    cells += write_ins + [None] * blanks
    order = draw(st.permutations(range(len(cells))))
    return options, [cells[i] for i in order], write_ins


@settings(max_examples=_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_radio())
def test_property_generated_radio_with_other_drafts_ingests_and_counts(case: tuple) -> None:
    options, cells, write_ins = case
    with tempfile.TemporaryDirectory() as d:
        csv = Path(d) / "radio.csv"
        pl.DataFrame({"Favourite fruit": cells, "Row": [str(i) for i in range(len(cells))]},
                     schema={"Favourite fruit": pl.String, "Row": pl.String}).write_csv(csv)
        text = draft_codebook_yaml(read_table(csv), survey_name="radio")
        (Path(d) / "draft.yaml").write_text(text, encoding="utf-8")
        cb = load_codebook(Path(d) / "draft.yaml")
        q = cb.question("favourite_fruit")
        assert q.type == "single" and q.other is not None and q.other.column == q.column
        assert sorted(q.labels) == sorted([*options, "Other"])
        many = "write-ins" if len(write_ins) > 1 else "write-in"
        assert f"# CHECK favourite_fruit: {len(write_ins)} distinct {many} ({len(write_ins)} of" in text
        typed = read_survey(csv, cb)
        assert typed.report.n_errors == 0 and typed.frame.height == len(cells)
        col = typed.frame["favourite_fruit"].cast(pl.String)
        assert (col == "Other").sum() == len(write_ins)
        for o in options:
            assert (col == o).sum() == cells.count(o)
        assert sorted(typed.frame["favourite_fruit__other_text"].drop_nulls().to_list()) == sorted(write_ins)


def test_codebook_refuses_write_ins_in_the_own_column_without_their_option() -> None:
    q = {"id": "lang", "type": "single", "column": "Lang", "options": [{"code": "py", "label": "Python"}],
         "other": {"column": "Lang"}}
    with pytest.raises(CodebookError, match=r"other\.option: write-ins in the question's own column"):
        parse_codebook({"survey": "t", "version": "1", "questions": [q]})
    q["other"] = {"column": "Lang (other)"}                     # a specify column of its own: fine
    assert parse_codebook({"survey": "t", "version": "1", "questions": [q]}).question("lang").other
