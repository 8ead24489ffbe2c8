"""Large real exports (outside the repository: /work/real or SURVEY_LARGE_EXPORTS, filled by
scripts/get_real_exports.sh; see docs/real_exports.md); each test skips when its file is absent.

* freeCodeCamp 2016 New Coder Survey, Typeform csv, 15,653 rows (github
  freeCodeCamp/2016-new-coder-survey @ c7eaf6b, raw-data/, ODbL 1.0); the publisher's
  summary (data/2016-New-Coder-Survey-Data-Summary.csv) counts 2,422 hackathons and 2,898
  conferences on its cleaned file of 15,620 rows.
* R Community Survey 2019, Google Forms TSV, 1,838 rows, and its question table
  (github rstudio/r-community-survey, Apache-2.0).
* Stack Overflow Developer Survey 2023: the first 594 rows and the published schema
  (ODbL 1.0).
* Kaggle ML & Data Science Survey 2017, all 16,716 respondents, 47 of its 228 columns (a
  course author's cut: github anesta95/Working_with_Tidyverse @ ad98f06,
  multiple_choice_responses.csv; Kaggle's licence ODbL 1.0).
* FiveThirtyEight's flying-etiquette SurveyMonkey poll, 1,040 respondents (same repository,
  flying_etiquette.csv; CC BY 4.0); the publisher's headline: "41 percent of fliers think
  you're rude if you recline your seat".
"""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import pytest

from survey.codebook import draft_codebook
from survey.frames import draft_from_metadata, type_table
from survey.io import read_metadata, read_table

REAL = Path(os.environ.get("SURVEY_LARGE_EXPORTS", "/work/real"))


def _need(*parts: str) -> Path:
    path = REAL.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real export {path} not present (scripts/get_real_exports.sh; docs/real_exports.md)")
    return path


def test_typeform_label_headed_columns_give_the_publishers_counts() -> None:
    raw = read_table(_need("fcc2016", "part1.csv"))
    cb = draft_codebook(raw, survey_name="fcc2016")
    multiples = [q for q in cb.questions if q.type == "multiple"]
    assert [len(q.options) for q in multiples] == [9, 11, 5]
    typed = type_table(raw, cb)
    assert typed.frame.height == 15_653 and typed.report.n_errors == 0
    events = multiples[0]
    counts = {o.label: typed.frame[events.option_column(o)].sum() for o in events.options}
    # the publisher's cleaned file dropped 33 of these rows: its counts are at most 33 lower
    assert 0 <= counts["hackathons"] - 2422 <= 33 and 0 <= counts["conferences"] - 2898 <= 33


def test_forms_tsv_keeps_answers_beginning_with_a_quote() -> None:
    path = _need("rcs", "rcs2019_en.tsv")
    frame = read_table(path).frame.drop("__row__")
    kept = sum(frame.select(pl.col(c).str.starts_with('"').sum() for c in frame.columns).row(0))
    in_file = sum(1 for line in path.read_text(encoding="utf-8").splitlines()[1:]
                  for cell in line.split("\t") if cell.startswith('"'))
    assert frame.height == 1838 and kept == in_file > 0


def test_codebook_tables_name_the_questions_of_real_exports() -> None:
    rcs = draft_from_metadata(read_table(_need("rcs", "rcs2019_en.tsv")),
                              read_metadata(_need("rcs", "rcs2019_questions.csv")))
    assert rcs.codebook.questions[1].id == "qr_experience"
    so = draft_from_metadata(read_table(_need("so", "so2023_head.csv")),
                             read_metadata(_need("so", "so2023_schema.csv")))
    main = so.codebook.question("mainbranch")
    assert main.text_en is not None and main.text_en.startswith("Which of the following options best describes you")
    langs = so.codebook.question("languagehaveworkedwith")
    assert langs.text_en is not None and langs.text_en.endswith("(have worked with)")


def test_kaggle_scales_are_ordered_and_every_row_is_typed() -> None:
    raw = read_table(_need("kaggle2017", "mcr_subset.csv"))
    cb = draft_codebook(raw, survey_name="kaggle2017")
    useful = cb.question("learningplatformusefulnesskaggle")
    assert [o.label for o in useful.options] == ["Not Useful", "Somewhat useful", "Very useful"]
    challenge = cb.question("workchallengefrequencypolitics")
    assert [o.label for o in challenge.options] == ["Rarely", "Sometimes", "Often", "Most of the time"]
    satisfaction = cb.question("jobsatisfaction")
    assert satisfaction.type == "ordinal" and satisfaction.options[0].label == "1 - Highly Dissatisfied"
    assert [m.code for m in satisfaction.missing_codes] == ["I prefer not to share"]
    assert cb.question("age").type == "integer"
    typed = type_table(raw, cb)
    assert typed.frame.height == 16_716 and typed.report.n_errors == 0


def test_flying_etiquette_gives_the_publishers_41_percent() -> None:
    raw = read_table(_need("fte", "flying_etiquette.csv"))
    cb = draft_codebook(raw, survey_name="fte")
    rude = next(q for q in cb.questions if q.column == "Is itrude to recline your seat on a plane?")
    assert rude.type == "ordinal"
    assert [o.label for o in rude.options] == ["No, not rude at all", "Yes, somewhat rude", "Yes, very rude"]
    recline = next(q for q in cb.questions if q.column == "Do you ever recline your seat when you fly?")
    assert [o.label for o in recline.options][0] == "Never" and recline.options[-1].label == "Always"
    age = next(q for q in cb.questions if q.column == "Age")
    assert [o.label for o in age.options] == ["18-29", "30-44", "45-60", "> 60"]
    typed = type_table(raw, cb).frame
    answered = typed[rude.id].drop_nulls().cast(pl.String)
    rude_share = answered.is_in(["Yes, somewhat rude", "Yes, very rude"]).mean()
    assert typed.height == 1040 and round(100 * rude_share) == 41


def test_forms_radio_questions_with_typed_other_count_every_write_in_as_other() -> None:
    from survey._text import normalize_key

    raw = read_table(_need("rcs", "rcs2018_en.tsv"))
    cb = draft_codebook(raw, survey_name="rcs2018")
    radios = [q for q in cb.questions if q.type == "single" and q.other is not None]
    assert {"what_industry_do_you_work_or", "what_gender_do_you_identify_with",
            "what_was_the_first_computer_language_or"} <= {q.id for q in radios}
    typed = type_table(raw, cb)
    assert typed.frame.height == 3062 and typed.report.n_errors == 0
    for q in radios:
        assert q.other is not None and q.other.column == q.column
        cells = [c for c in raw.frame[next(s.name for s in raw.columns if s.block == q.column)].to_list()
                 if c is not None and c.strip()]
        known = {k for o in q.options for k in o.match_keys()} | {k for m in q.missing_codes for k in m.match_keys()}
        written = [c.strip() for c in cells if normalize_key(c) not in known]
        assert written, q.id
        other = next(o for o in q.options if o.code == q.other.option)
        chosen = sum(normalize_key(c) in other.match_keys() for c in cells)    # "Other" itself ticked
        assert int((typed.frame[q.id].cast(pl.String) == other.label).sum()) == len(written) + chosen
        assert sorted(typed.frame[f"{q.id}__other_text"].drop_nulls().to_list()) == sorted(written)
