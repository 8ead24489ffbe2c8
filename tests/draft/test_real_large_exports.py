"""Large real exports (outside the repository, /work/real: see REAL_EXPORTS.md); each test
skips when its file is absent.

* freeCodeCamp 2016 New Coder Survey, Typeform csv, 15,653 rows (github
  freeCodeCamp/2016-new-coder-survey @ c7eaf6b, raw-data/, ODbL 1.0); the publisher's
  summary (data/2016-New-Coder-Survey-Data-Summary.csv) counts 2,422 hackathons and 2,898
  conferences on its cleaned file of 15,620 rows.
* R Community Survey 2019, Google Forms TSV, 1,838 rows, and its question table
  (github rstudio/r-community-survey, Apache-2.0).
* Stack Overflow Developer Survey 2023: the first 594 rows and the published schema
  (ODbL 1.0).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from survey.codebook import draft_codebook
from survey.frames import draft_from_metadata, type_table
from survey.io import read_metadata, read_table

REAL = Path("/work/real")


def _need(*parts: str) -> Path:
    path = REAL.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real export {path} not present (see REAL_EXPORTS.md)")
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
