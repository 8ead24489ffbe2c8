"""Grid and ranking blocks draft as a person would: one question per row, ids from the row
labels, one shared scale in scale order, non-substantive answers as missing codes, the
block recorded as a group, and a comment wherever the draft guessed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from survey.codebook import Codebook, draft_codebook, load_codebook
from survey.codebook._draft import draft_codebook_yaml
from survey.frames import read_typed_parquet
from survey.io import read_table
from tests.clirun import run
from tests.draft.helpers import covered_columns, make_raw
from tests.grid_exports import AGREE, FAVOR, FILMS, GRID_BUILDERS, PEOPLE


@pytest.fixture(scope="module")
def drafts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Codebook, str]]:
    out = {}
    for name, build in GRID_BUILDERS.items():
        built = build(tmp_path_factory.mktemp(name))
        raw = read_table(built.path)
        out[name] = (built.path, draft_codebook(raw, survey_name=name),
                     draft_codebook_yaml(raw, survey_name=name))
    return out


def _ids(cb: Codebook, prefix: str) -> list[str]:
    return [q.id for q in cb.questions if q.id.startswith(prefix)]


def test_surveymonkey_favourability_grid_one_ordinal_question_per_row(drafts: dict) -> None:
    _, cb, _ = drafts["surveymonkey_grids_csv"]
    ids = _ids(cb, "favorability_")
    assert ids == ["favorability_" + p.lower().replace(" ", "_").replace("-", "_") for p in PEOPLE]
    scale = [f for f in FAVOR if f != "Unfamiliar (N/A)"]
    low_to_high = [scale[4], scale[3], scale[2], scale[1], scale[0]]
    for qid in ids:
        q = cb.question(qid)
        assert q.type == "ordinal"
        assert list(q.labels) == low_to_high
        assert [o.code for o in q.options] == ["1", "2", "3", "4", "5"]
        assert [m.label for m in q.missing_codes] == ["Unfamiliar (N/A)"]
    group = cb.group("favorability")
    assert group.kind == "grid" and list(group.questions) == ids
    assert group.text_en.startswith("Please state whether you view the following people")


def test_surveymonkey_likert_grid_with_not_applicable_column(drafts: dict) -> None:
    _, cb, _ = drafts["surveymonkey_grids_csv"]
    ids = [i for i in _ids(cb, "agreement_") if i != "agreement_other"]
    assert ids == ["agreement_my_lab_has_enough_funding", "agreement_i_choose_my_own_topics",
                   "agreement_pay_rewards_output", "agreement_infrastructure_is_adequate"]
    for qid in ids:
        q = cb.question(qid)
        assert q.type == "ordinal" and list(q.labels) == AGREE[::-1]
        assert [m.label for m in q.missing_codes] == ["Not applicable"]
    assert cb.group("agreement").questions == tuple(ids)
    other = cb.question("agreement_other")              # the block's comment box, outside the group
    assert (other.type, other.pii) == ("text", True)
    assert other.column.endswith("/ Other (please specify)")


def test_surveymonkey_ranking_block_integer_questions_named_by_item(drafts: dict) -> None:
    _, cb, text = drafts["surveymonkey_grids_csv"]
    ids = _ids(cb, "rank_")
    assert ids == ["rank_i_the_first_light", "rank_ii_the_long_night", "rank_iii_return_of_the_tide",
                   "rank_iv_a_new_map", "rank_v_the_empire_of_dust", "rank_vi_homecoming"]
    for qid in ids:
        q = cb.question(qid)
        assert (q.type, q.minimum, q.maximum) == ("integer", 1, len(FILMS))
    assert cb.group("rank").kind == "ranking"
    seen = next(q for q in cb.questions if q.type == "multiple")   # same labels, checkbox block
    assert len(seen.options) == len(FILMS)
    assert "# CHECK rank" not in text                                 # the stem says 'rank'


def test_qualtrics_grid_rows_named_from_row_two_and_ranking(drafts: dict) -> None:
    _, cb, _ = drafts["qualtrics_grids_csv"]
    assert _ids(cb, "satisfaction_") == ["satisfaction_salary", "satisfaction_research_funding",
                                         "satisfaction_lab_space", "satisfaction_administrative_support"]
    q = cb.question("satisfaction_salary")
    assert q.column == "Q5_1" and q.type == "ordinal"
    assert q.labels[0] == "Extremely dissatisfied" and q.labels[-1] == "Extremely satisfied"
    assert [cb.question(i).maximum for i in _ids(cb, "rank_")] == [5] * 5
    assert {g.id: g.kind for g in cb.groups} == {"satisfaction": "grid", "rank": "ranking"}
    assert cb.group("satisfaction").text_en == "How satisfied are you with each of the following?"


def test_google_forms_bracket_rows_frequency_and_zero_to_ten(drafts: dict) -> None:
    _, cb, _ = drafts["google_forms_grids_csv"]
    assert _ids(cb, "frequency_") == ["frequency_email", "frequency_video_calls", "frequency_shared_drives"]
    assert cb.question("frequency_email").labels == ("Never", "Rarely", "Sometimes", "Often", "Always")
    nps = [q for q in cb.questions if q.id.endswith(("home_university", "academy"))]
    assert len(nps) == 2
    for q in nps:
        assert q.type == "ordinal"
        assert [o.code for o in q.options] == [str(n) for n in range(11)]
        assert q.labels[0] == "0 - Not at all likely"


def test_korean_scales_and_missing(drafts: dict) -> None:
    _, cb, text = drafts["korean_grids_csv"]
    agree = cb.question("agreement_1")
    assert agree.labels == ("전혀 그렇지 않다", "그렇지 않다", "보통이다", "그렇다", "매우 그렇다")
    assert [m.label for m in agree.missing_codes] == ["모름"]
    sat = cb.question("satisfaction_1")
    assert sat.labels == ("매우 불만족", "불만족", "보통", "만족", "매우 만족")
    assert [m.label for m in sat.missing_codes] == ["해당 없음"]
    assert sat.text_ko is not None and "급여" in sat.text_ko
    assert "# CHECK agreement_1: row '연구비가 충분하다': id numbered, rename it" in text


def test_guessed_scale_order_is_commented_next_to_the_question(drafts: dict) -> None:
    _, cb, text = drafts["limesurvey_grids_csv"]
    q = cb.question("importance_the_test_code_is_readable")
    assert q.labels == ("not at all important", "slightly", "moderately", "very", "extremely important")
    assert [m.label for m in q.missing_codes] == ["I do not know"]
    lines = text.splitlines()
    at = lines.index("- id: importance_the_test_code_is_readable")
    assert lines[at - 1].startswith("# CHECK importance_the_test_code_is_readable: importance scale")
    assert yaml.safe_load(text)["groups"][0]["id"] == "importance"


def test_ranking_without_a_rank_word_is_flagged() -> None:
    raw = make_raw({"Q9_1": ["1", "2", "3", "2"], "Q9_2": ["2", "3", "1", "1"],
                    "Q9_3": ["3", "1", "2", "3"]})
    text = draft_codebook_yaml(raw, survey_name="s")
    assert "read as a ranking" in text
    cb = draft_codebook(raw, survey_name="s")
    assert [q.type for q in cb.questions] == ["integer"] * 3


def test_columns_that_do_not_share_answers_are_not_a_grid() -> None:
    raw = make_raw({"Comments [Funding]": [f"text {i}" for i in range(8)],
                    "Comments [Pay]": [f"other {i}" for i in range(8)]})
    cb = draft_codebook(raw, survey_name="s")
    assert cb.groups == ()


def test_lone_scale_question_becomes_ordinal() -> None:
    answers = ["Satisfied", "Very satisfied", "Dissatisfied", "Very dissatisfied", "Don't know"]
    raw = make_raw({"How satisfied are you?": answers * 3})
    q = draft_codebook(raw, survey_name="s").questions[0]
    assert q.type == "ordinal"
    assert q.labels == ("Very dissatisfied", "Dissatisfied", "Satisfied", "Very satisfied")


@pytest.mark.parametrize("name", sorted(GRID_BUILDERS))
def test_every_column_claimed_once_and_draft_ingests_every_respondent(
        name: str, drafts: dict, tmp_path: Path) -> None:
    path, cb, text = drafts[name]
    claims = covered_columns(cb, read_table(path))
    assert all(len(qs) == 1 for qs in claims.values()), claims
    schema = tmp_path / "draft.yaml"
    assert run("schema", "draft", str(path), "--out", str(schema)).exit_code == 0
    assert load_codebook(schema).groups == cb.groups
    assert run("validate", str(path), "--schema", str(schema)).exit_code == 0
    out = tmp_path / "wave.parquet"
    r = run("ingest", str(path), "--schema", str(schema), "--out", str(out))
    assert r.exit_code == 0, r.output
    frame, stored = read_typed_parquet(out)
    assert frame.height == GRID_BUILDERS[name](tmp_path).respondents
    assert stored is not None and stored.groups == cb.groups


def _real(name: str) -> Path | None:
    here = Path(__file__).resolve()
    for base in (os.environ.get("SURVEY_REAL_EXPORTS"), here.parents[2].parent / "shared" / "real_exports",
                 Path("/work/shared/real_exports")):
        if base and (Path(base) / name).is_file():
            return Path(base) / name
    return None


def test_real_limesurvey_fulltext_grids(tmp_path: Path) -> None:
    path = _real("ls_unit_test_quality_fulltext.csv")
    if path is None:
        pytest.skip("shared/real_exports is not here (set SURVEY_REAL_EXPORTS); the generated "
                    "limesurvey_grids_csv fixture covers the same layout")
    schema = tmp_path / "ls.yaml"
    assert run("schema", "draft", str(path), "--out", str(schema)).exit_code == 0
    cb = load_codebook(schema)
    q = cb.question("quality_sq001_shown")
    assert q.labels == ("very poor", "poor", "fair", "good", "very good")
    assert [m.label for m in q.missing_codes] == ["not applicable"]
    assert cb.group("importance").kind == "grid"
    r = run("ingest", str(path), "--schema", str(schema), "--out", str(tmp_path / "ls.parquet"))
    assert r.exit_code == 0, r.output
    assert read_typed_parquet(tmp_path / "ls.parquet")[0].height == 70


def test_lone_scale_question_keeps_numeric_codes_from_value_labels() -> None:
    labels = {"0": "1 - never", "1": "2 - sometimes", "2": "3 - always"}
    raw = make_raw({"freq": ["2", "0", "1", "1", "0", "2"]}, value_labels={"freq": labels})
    q = draft_codebook(raw, survey_name="s").questions[0]
    assert q.type == "ordinal"
    assert [(o.code, o.label) for o in q.options] == [("0", "1 - never"), ("1", "2 - sometimes"),
                                                      ("2", "3 - always")]


def test_labelled_spss_columns_are_not_regrouped() -> None:
    labels = {"1": "Very important", "2": "Important", "3": "Not important"}
    raw = make_raw({"Q17_1": ["1", "2", "3", "1"], "Q17_2": ["3", "2", "1", "2"]},
                   value_labels={"Q17_1": labels, "Q17_2": labels})
    cb = draft_codebook(raw, survey_name="s")
    assert cb.groups == ()
    assert [o.code for o in cb.question("q17_1").options] == ["3", "2", "1"]


def test_draft_command_lists_the_blocks_and_the_checks(drafts: dict, tmp_path: Path) -> None:
    path, _, _ = drafts["limesurvey_grids_csv"]
    r = run("schema", "draft", str(path), "--out", str(tmp_path / "d.yaml"))
    assert r.exit_code == 0
    assert "1 grid/ranking block(s): importance (grid, 3 rows)" in r.output
    assert "2 '# CHECK' comment(s)" in r.output


def test_answers_spelled_differently_are_one_scale_point() -> None:
    raw = make_raw({"Agree? [Pay]": ["Agree", "agree ", "Disagree", "Strongly agree", "AGREE"],
                    "Agree? [Funding]": ["Strongly  disagree", "Disagree", "Agree", None, "agree"]})
    cb = draft_codebook(raw, survey_name="s")
    q = cb.question("agreement_pay")
    assert q.labels == ("Strongly disagree", "Disagree", "Agree", "Strongly agree")
    from survey.frames import type_table
    assert type_table(raw, cb).report.n_errors == 0


def test_rating_grid_of_workbook_numbers_types_every_cell() -> None:
    raw = make_raw({"Please rate [Pay]": ["1.0", "2.0", "5.0", "4.0", "3", "2.0"],
                    "Please rate [Funding]": ["2.0", "2.0", "3.0", "1.0", "5.0", "5.0"]})
    cb = draft_codebook(raw, survey_name="s")
    assert [q.type for q in cb.questions] == ["ordinal", "ordinal"]
    assert cb.questions[0].labels == ("1", "2", "3", "4", "5")
    from survey.frames import type_table
    typed = type_table(raw, cb)
    assert typed.report.n_errors == 0
    assert typed.frame["grid_pay"].cast(str).to_list() == ["1", "2", "5", "4", "3", "2"]
