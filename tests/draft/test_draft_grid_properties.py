"""Property: any grid of scale answers, in any block layout, drafts as one ordinal question
per row with the scale in order and the non-substantive answers as missing codes, and the
unedited draft types every respondent without an error."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from survey.codebook import draft_codebook
from survey.codebook._draft_missing import TOOL_MISSING
from survey.frames import type_table
from tests.draft.helpers import make_raw
from tests.draft.test_draft_scales import NON_SUBSTANTIVE, SCALES

ROWS = ["Salary", "Research funding", "Lab space", "Autonomy", "Colleagues", "Location",
        "Family reasons", "Career prospects"]


def _headers(layout: str, stem: str, rows: list[str]) -> list[tuple[str, ...]]:
    if layout == "surveymonkey":
        return [((stem if i == 0 else ""), r) for i, r in enumerate(rows)]
    if layout == "qualtrics":
        return [(f"Q7_{i}", f"{stem} - {r}", f'{{"ImportId":"QID7_{i}"}}')
                for i, r in enumerate(rows, start=1)]
    return [(f"{stem} [{r}]",) for r in rows]


@settings(max_examples=40, deadline=None)
@given(data=st.data(), scale=st.sampled_from(sorted(SCALES)),
       layout=st.sampled_from(["surveymonkey", "qualtrics", "single"]),
       k=st.integers(2, 6), missing=st.one_of(st.none(), st.sampled_from(NON_SUBSTANTIVE)))
def test_any_scale_grid_drafts_in_scale_order_and_types_clean(data, scale, layout, k, missing) -> None:  # type: ignore[no-untyped-def]
    points = SCALES[scale]
    answers = points + ([missing] if missing else [])
    n = data.draw(st.integers(2 * len(answers) + 2, 40))
    rows = ROWS[:k]
    cols = []
    for j, head in enumerate(_headers(layout, "Please rate each of the following", rows)):
        cells = [answers[i] if j == 0 and i < len(answers) else
                 data.draw(st.one_of(st.none(), st.sampled_from(answers))) for i in range(n)]
        cols.append((head, cells))
    if layout == "surveymonkey":
        cols.insert(0, (("Respondent ID", ""), [str(10_000_000_000 + i) for i in range(n)]))
    raw = make_raw(cols, layout=layout)
    cb = draft_codebook(raw, survey_name="p")
    grid = [q for q in cb.questions if q.role == "answer"]
    assert len(grid) == k
    for q in grid:
        assert q.type == "ordinal", [(x.id, x.type, x.column, x.labels) for x in cb.questions]
        assert list(q.labels) == points
        assert q.options == grid[0].options
        if missing in TOOL_MISSING and missing != "N/A":   # a tool's blank: the codebook's
            assert missing in cb.missing_values             # missing_values, not an answer
            assert q.missing_codes == ()
        else:
            assert [m.label for m in q.missing_codes] == ([missing] if missing else [])
    assert len(cb.groups) == 1 and cb.groups[0].questions == tuple(q.id for q in grid)
    typed = type_table(raw, cb)
    assert typed.report.n_errors == 0
    assert typed.frame.height == n
