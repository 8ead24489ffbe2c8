"""Deterministic builders of exports holding grid (matrix) and ranking blocks.

Each reproduces a block layout seen in a real export (``shared/reference/export_formats.md``
and the files ``shared/real_exports/MANIFEST.md`` cites), with invented content:

* ``surveymonkey_grids_csv``: SurveyMonkey legacy CSV (2 header rows) with a checkbox
  block, a ranking block of 6 items whose row-2 labels repeat the checkbox's, a
  14-row favourability grid with an ``Unfamiliar (N/A)`` answer, and a 4-row agreement
  grid with a ``Not applicable`` column and an ``Other (please specify)`` comment box, as
  in a public 538 survey file;
* ``qualtrics_grids_csv``: Qualtrics (3 header rows) ``Q5_1``... satisfaction grid whose
  row 2 reads ``stem - row`` and a ``Q7_1``... ranking;
* ``google_forms_grids_csv``: ``Stem [Row]`` headers, a frequency grid and a 0-10 grid
  with end labels;
* ``limesurvey_grids_csv``: LimeSurvey full-text headings ``Stem  [Row]``, an importance
  grid with bare-modifier answers (``very``) and ``I do not know``, as in a public file;
* ``korean_grids_csv``: Korean Google Forms (UTF-8 BOM), 매우 그렇다 ... 전혀 그렇지 않다
  with 모름 and 매우 만족 ... 매우 불만족 with 해당 없음.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable
from pathlib import Path

from tests.platforms import Built

__all__ = ["AGREE", "FAVOR", "FILMS", "GRID_BUILDERS", "PEOPLE"]

N = 40
FAVOR = ["Very favorably", "Somewhat favorably", "Neither favorably nor unfavorably (neutral)",
         "Somewhat unfavorably", "Very unfavorably", "Unfamiliar (N/A)"]
PEOPLE = ["Marie Curie", "Ada Lovelace", "Alan Turing", "Rosalind Franklin", "Niels Bohr",
          "Lise Meitner", "Emmy Noether", "Richard Feynman", "Barbara McClintock", "Srinivasa Ramanujan",
          "Dorothy Hodgkin", "Enrico Fermi", "Chien-Shiung Wu", "Max Planck"]
FILMS = [f"Saga: Part {r} \u2013 {t}" for r, t in (("I", "The First Light"), ("II", "The Long Night"),
                                                   ("III", "Return of the Tide"), ("IV", "A New Map"),
                                                   ("V", "The Empire of Dust"), ("VI", "Homecoming"))]
AGREE = ["Strongly agree", "Agree", "Neither agree nor disagree", "Disagree", "Strongly disagree"]
STATEMENTS = ["My lab has enough funding", "I choose my own topics", "Pay rewards output",
              "Infrastructure is adequate"]


def _csv(path: Path, rows: list[list[str]], *, encoding: str = "utf-8") -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))


def _ranking(rng: random.Random, k: int) -> list[str]:
    ranks = list(range(1, k + 1))
    rng.shuffle(ranks)
    return [str(r) for r in ranks]


def surveymonkey_grids_csv(tmp: Path) -> Built:
    """Legacy SurveyMonkey CSV: question text over the first column of a block, row 2 labels."""
    rng = random.Random("grids-surveymonkey")
    q_seen = "Which of the following films have you seen? Please select all that apply."
    q_rank = ("Please rank the films in order of preference with 1 being your favorite film "
              "and 6 being your least favorite film.")
    q_fav = ("Please state whether you view the following people favorably, unfavorably, or are "
             "unfamiliar with him/her.")
    q_agree = "How much do you agree with each statement about your work?"
    head1 = ["RespondentID", q_seen, *[""] * 5, q_rank, *[""] * 5, q_fav, *[""] * 13,
             q_agree, *[""] * 4, "Gender"]
    head2 = ["", *FILMS, *FILMS, *PEOPLE, *STATEMENTS, "Other (please specify)", "Response"]
    rows = [head1, head2]
    for i in range(N):
        row = [str(3292879998 - 731 * i)]
        answered = i % 9 != 4                           # some respondents skip the blocks
        row += [f if answered and (rng.random() < 0.7 or j == i % 6) else "" for j, f in enumerate(FILMS)]
        row += _ranking(rng, 6) if answered else [""] * 6
        row += [rng.choice(FAVOR) if answered else "" for _ in PEOPLE]
        row += [rng.choice([*AGREE, "Not applicable"]) if answered else "" for _ in STATEMENTS]
        row.append(f"My own point number {i}" if i % 7 == 3 else "")   # the block's comment box
        row.append(rng.choice(["Male", "Female"]))
        rows.append(row)
    path = Path(tmp) / "surveymonkey_grids.csv"
    _csv(path, rows)
    return Built(path, N)


def qualtrics_grids_csv(tmp: Path) -> Built:
    """Qualtrics: Q5_1..Q5_4 satisfaction grid, Q7_1..Q7_5 ranking; row 2 ``stem - row``."""
    rng = random.Random("grids-qualtrics")
    sat = ["Extremely satisfied", "Somewhat satisfied", "Neither satisfied nor dissatisfied",
           "Somewhat dissatisfied", "Extremely dissatisfied"]
    rows_sat = ["Salary", "Research funding", "Lab space", "Administrative support"]
    items = ["Pay", "Autonomy", "Colleagues", "Family", "Location"]
    stem_sat = "How satisfied are you with each of the following?"
    stem_rank = "Rank these reasons to move abroad (1 = most important)"
    head1 = ["ResponseId", *[f"Q5_{j}" for j in range(1, 5)], *[f"Q7_{j}" for j in range(1, 6)]]
    head2 = ["Response ID", *[f"{stem_sat} - {r}" for r in rows_sat],
             *[f"{stem_rank} - {r}" for r in items]]
    head3 = ['{"ImportId":"_recordId"}', *[f'{{"ImportId":"QID5_{j}"}}' for j in range(1, 5)],
             *[f'{{"ImportId":"QID7_{j}"}}' for j in range(1, 6)]]
    rows = [head1, head2, head3]
    for i in range(N):
        rows.append([f"R_{i:04d}xYz", *[rng.choice(sat) for _ in rows_sat], *_ranking(rng, 5)])
    path = Path(tmp) / "qualtrics_grids.csv"
    _csv(path, rows)
    return Built(path, N)


def google_forms_grids_csv(tmp: Path) -> Built:
    """Google Forms: ``Stem [Row]`` headers; a frequency grid and a 0-10 grid with end labels."""
    rng = random.Random("grids-google")
    freq = ["Never", "Rarely", "Sometimes", "Often", "Always"]
    tools = ["Email", "Video calls", "Shared drives"]
    stem_f = "How often do you use these tools with foreign colleagues?"
    stem_n = "How likely are you to recommend each institution to a colleague?"
    insts = ["Home university", "Academy"]
    points = ["0 - Not at all likely", *[str(n) for n in range(1, 10)], "10 - Extremely likely"]
    head = ["Timestamp", *[f"{stem_f} [{t}]" for t in tools], *[f"{stem_n} [{s}]" for s in insts]]
    rows = [head]
    for i in range(N):
        rows.append([f"3/{1 + i % 28}/2025 10:{i:02d}:00", *[rng.choice(freq) for _ in tools],
                     *[rng.choice(points) for _ in insts]])
    path = Path(tmp) / "google_forms_grids.csv"
    _csv(path, rows)
    return Built(path, N)


def limesurvey_grids_csv(tmp: Path) -> Built:
    """LimeSurvey full-text headings with two spaces before ``[row]``; bare-modifier answers."""
    rng = random.Random("grids-lime")
    answers = ["not at all important", "slightly", "moderately", "very", "extremely important",
               "I do not know"]
    feats = ["The test code is readable", "The test is fast", "The test is not flaky"]
    stem = "How important is each feature to determine that a unit test is high-quality?"
    head = ["Response ID", *[f"{stem}  [{f}]" for f in feats]]
    rows = [head] + [[str(i + 1), *[rng.choice(answers) for _ in feats]] for i in range(N)]
    path = Path(tmp) / "limesurvey_grids.csv"
    _csv(path, rows, encoding="utf-8-sig")
    return Built(path, N)


def korean_grids_csv(tmp: Path) -> Built:
    """Korean Google Forms: 동의 척도 with 모름, 만족 척도 with 해당 없음, Korean row labels."""
    rng = random.Random("grids-korean")
    agree = ["매우 그렇다", "그렇다", "보통이다", "그렇지 않다", "전혀 그렇지 않다", "모름"]
    sat = ["매우 만족", "만족", "보통", "불만족", "매우 불만족", "해당 없음"]
    stem_a = "다음 진술에 어느 정도 동의하십니까?"
    stem_s = "다음 항목에 얼마나 만족하십니까?"
    rows_a = ["연구비가 충분하다", "연구 주제를 스스로 정한다"]
    rows_s = ["급여", "연구 환경", "행정 지원"]
    head = ["타임스탬프", *[f"{stem_a} [{r}]" for r in rows_a], *[f"{stem_s} [{r}]" for r in rows_s]]
    rows = [head]
    for i in range(N):
        rows.append([f"2025/03/{1 + i % 28} {1 + i % 12}:0{i % 10}:00 오후 GMT+9",
                     *[rng.choice(agree) for _ in rows_a], *[rng.choice(sat) for _ in rows_s]])
    path = Path(tmp) / "korean_grids.csv"
    _csv(path, rows, encoding="utf-8-sig")
    return Built(path, N)


GRID_BUILDERS: dict[str, Callable[[Path], Built]] = {
    "google_forms_grids_csv": google_forms_grids_csv,
    "korean_grids_csv": korean_grids_csv,
    "limesurvey_grids_csv": limesurvey_grids_csv,
    "qualtrics_grids_csv": qualtrics_grids_csv,
    "surveymonkey_grids_csv": surveymonkey_grids_csv,
}
