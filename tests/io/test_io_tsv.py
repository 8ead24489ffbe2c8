"""A tab-separated file is read as TSV: no csv quoting unless the file shows it."""

from __future__ import annotations

from pathlib import Path

from survey.codebook import draft_codebook
from survey.frames import type_table
from survey.io import ROW_COLUMN, read_table

# As Google Forms / Sheets "Download > .tsv" writes it: no quoting at all, tabs and line
# breaks inside answers already replaced by spaces, answers kept exactly as typed.
FORMS_TSV = (
    "Timestamp\tWhich tools do you use?\tHow did you hear about us?\tAnything else?\n"
    "2019/12/02 9:14:05 AM GMT+9\tR, Python\tA friend\t\"Tidyverse\" changed how I work\n"
    "2019/12/02 9:20:41 AM GMT+9\tPython\tTwitter\t\"fine\"\n"
    "2019/12/02 10:02:13 AM GMT+9\tR, SPSS, Other: Stata\t\"Word of mouth\tx\n"
    "2019/12/03 8:45:00 PM GMT+9\tR\tA friend\tuse 27\" monitors\n"
)


def _write(tmp_path: Path, text: str, name: str = "responses.tsv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_forms_tsv_answers_beginning_with_a_quote_keep_it(tmp_path: Path) -> None:
    table = read_table(_write(tmp_path, FORMS_TSV))
    rows = table.frame.drop(ROW_COLUMN).rows()
    assert table.delimiter == "\t"
    assert [r[3] for r in rows] == ['"Tidyverse" changed how I work', '"fine"', "x",
                                    'use 27" monitors']
    assert rows[2][2] == '"Word of mouth'
    assert any("without csv quoting" in n for n in table.notes)


def test_forms_tsv_keeps_every_respondent_through_draft_and_ingest(tmp_path: Path) -> None:
    raw = read_table(_write(tmp_path, FORMS_TSV))
    typed = type_table(raw, draft_codebook(raw, survey_name="forms"))
    assert typed.frame.height == 4 and typed.report.n_errors == 0


def test_tsv_with_csv_quoting_is_unquoted(tmp_path: Path) -> None:
    # Qualtrics' TSV quotes its ImportId row; Excel quotes a cell holding a tab or quote
    text = ('StartDate\tQ1\n"{""ImportId"":""startDate""}"\t"{""ImportId"":""QID1""}"\n'
            '2019-01-01\t"tab\there"\n')
    rows = read_table(_write(tmp_path, text), header_rows=1).frame.drop(ROW_COLUMN).rows()
    assert rows == [('{"ImportId":"startDate"}', '{"ImportId":"QID1"}'), ("2019-01-01", "tab\there")]


def test_comma_separated_file_still_uses_csv_quoting(tmp_path: Path) -> None:
    text = 'id,comment\n1,"said ""hi"", then left"\n'
    rows = read_table(_write(tmp_path, text, "data.csv")).frame.drop(ROW_COLUMN).rows()
    assert rows == [("1", 'said "hi", then left')]
