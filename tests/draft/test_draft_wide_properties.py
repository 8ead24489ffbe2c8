"""Generated wide exports: the draft decides each kind of column right, and the unedited
draft ingests every row.

Each example is one csv holding, side by side: long scales of each family (agreement,
favourability, satisfaction with a Very/Somewhat/Slightly prefix family, frequency,
likelihood, importance, quality, duration, experience, Korean agreement and satisfaction,
age groups and income bands, levels of education, one adjective under degree words, a yes/no graded by degree)
with non-substantive answers mixed in; a categorical of 45-120 options; a ``;``-joined
list and a ``, ``-joined checkbox list whose options contain spaces (the latter with
typed "Other" write-ins after the ticked options); a numeric free-entry column of large
values holding one 10-digit value and a few typed answers; and a replicate weight with
negative values (-9, -8).  Examples per run: ``DRAFT_WIDE_EXAMPLES`` (default 25).
"""

from __future__ import annotations

import os
import random
import tempfile
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey._text import normalize_key
from survey.codebook import load_codebook
from survey.codebook._draft import draft_codebook_yaml
from survey.frames import read_survey
from survey.io import read_table

_EXAMPLES = int(os.environ.get("DRAFT_WIDE_EXAMPLES", "25"))

# each from its low end to its high end
FAMILIES: dict[str, list[str]] = {
    "agreement": ["Strongly disagree", "Disagree", "Somewhat disagree", "Neither agree nor disagree",
                  "Somewhat agree", "Agree", "Strongly agree"],
    "favourability": ["Very unfavorable", "Unfavorable", "Indifferent", "Favorable", "Very favorable"],
    "satisfaction": ["Very dissatisfied", "Somewhat dissatisfied", "Slightly dissatisfied",
                     "Neither satisfied nor dissatisfied", "Slightly satisfied", "Somewhat satisfied",
                     "Very satisfied"],
    "frequency": ["Never", "Rarely", "Sometimes", "Often", "Always"],
    "frequency_use": ["Never", "Less than once a month", "Monthly", "Weekly", "Daily"],
    "likelihood": ["Very unlikely", "Unlikely", "Neither likely nor unlikely", "Likely", "Very likely"],
    "importance": ["Not at all important", "Slightly important", "Moderately important",
                   "Very important", "Extremely important"],
    "quality": ["Very poor", "Poor", "Fair", "Good", "Excellent"],
    "duration": ["Days", "Weeks", "Months", "Years"],
    "experience": ["Less than 1 year", "1 to 4 years", "5 to 9 years", "10 to 19 years",
                   "More than 20 years"],
    "ko_agreement": ["전혀 그렇지 않다", "그렇지 않다", "보통이다", "그렇다", "매우 그렇다"],
    "ko_satisfaction": ["매우 불만족", "불만족", "보통", "만족", "매우 만족"],
    "age_group": ["Under 18 years old", "18-24 years old", "25-34 years old", "35-44 years old",
                  "45-54 years old", "55-64 years old", "65 years or older"],
    "income_band": ["Less than $10,000", "$10,000 - $24,999", "$25,000 - $49,999",
                    "$50,000 - $99,999", "$100,000 or more"],
    "degree": ["No, not rude at all", "Yes, somewhat rude", "Yes, very rude"],
    "graded_yes_no": ["No, not at all", "No, not really", "Neutral", "Yes, somewhat", "Yes, definitely"],
    "frequency_habit": ["Never", "Once in a while", "About half the time", "Usually", "Always"],
    "education": ["Less than high school", "High school graduate", "Some college, no degree",
                  "Associate degree", "Bachelor's degree", "Master's degree", "Doctorate"],
}
NON_SUBSTANTIVE = ["Unsure", "Don't know", "Prefer not to say", "N/A", "I don't know what this is"]
_WORDS = ["data", "web", "cloud", "mobile", "game", "embedded", "science", "ops", "design", "test",
          "north", "south", "east", "west", "new", "old", "great", "small"]


def _label(rng: random.Random, i: int) -> str:
    return f"{rng.choice(_WORDS).title()} {rng.choice(_WORDS)} {i}"


@st.composite
def wide_exports(draw: st.DrawFn) -> dict:  # type: ignore[type-arg]
    seed = draw(st.integers(0, 2**32 - 1))
    rng = random.Random(seed)
    families = draw(st.lists(st.sampled_from(sorted(FAMILIES)), min_size=3, max_size=6, unique=True))
    n_options = draw(st.integers(45, 120))
    rows = 6 * n_options + draw(st.integers(0, 200))
    cols: dict[str, list[str | None]] = {"respondent_id": [f"r{i:05d}" for i in range(rows)]}
    truth: dict[str, tuple[str, object]] = {}
    for k, fam in enumerate(families):
        labels = FAMILIES[fam]
        missing = draw(st.sampled_from(NON_SUBSTANTIVE))
        cells = [labels[i % len(labels)] for i in range(rows)]          # every point seen
        for i in rng.sample(range(rows), rows // 10):
            cells[i] = missing if i % 2 else None
        rng.shuffle(cells)
        cols[f"Q{k + 1} {fam}"] = cells
        truth[f"Q{k + 1} {fam}"] = ("ordinal", (labels, missing))
    many = [f"Place {_label(rng, i)}" for i in range(n_options)]
    cells = [many[i % n_options] for i in range(rows)]
    rng.shuffle(cells)
    cols["Which place?"] = cells
    truth["Which place?"] = ("single", many)
    for sep, name in ((";", "Languages used"), (", ", "Tools used (check all that apply)")):
        opts = [_label(rng, i) for i in range(draw(st.integers(4, 30)))]
        lists = []
        for i in range(rows):
            chosen = [o for o in opts if rng.random() < 0.3] or [opts[i % len(opts)]]
            if sep == ", " and rng.random() < 0.03:
                chosen.append(f"my own tool, version {i}")                 # a write-in
            lists.append(sep.join(chosen))
        cols[name] = lists
        truth[name] = ("multiple", (sep, opts))
    amounts: list[str | None] = [str(rng.randint(0, 2_000_000)) for _ in range(rows)]
    amounts[0] = "1234567890"
    strays = ["about 40k", "varies", "depends"]
    for i in rng.sample(range(1, rows), draw(st.integers(0, rows // 100))):
        amounts[i] = rng.choice(strays)
    cols["Total compensation"] = amounts
    truth["Total compensation"] = ("integer", None)
    cols["WGTP7"] = [str(rng.choice([-9, -8, 0, 12, 40, 77, 150])) for _ in range(rows)]
    truth["WGTP7"] = ("integer", "no missing codes")
    return {"cols": cols, "truth": truth, "rows": rows}


def _check_decision(q, kind: str, expect: object) -> None:  # type: ignore[no-untyped-def]
    if kind == "ordinal":
        labels, missing = expect  # type: ignore[misc]
        assert q.type == "ordinal", (q.id, q.type)
        assert [o.label for o in q.options] == labels, q.id
        assert [o.code for o in q.options] == [str(i) for i in range(1, len(labels) + 1)]
        assert normalize_key(missing) in {normalize_key(m.label) for m in q.missing_codes}, q.id
    elif kind == "single":
        assert q.type == "single" and {o.label for o in q.options} == set(expect)  # type: ignore[arg-type]
    elif kind == "multiple":
        sep, opts = expect  # type: ignore[misc]
        assert q.type == "multiple" and q.delimiter == sep, (q.id, q.type, q.delimiter)
        labels = {o.label for o in q.options if o.code != "other"}
        assert labels == set(opts), (q.id, labels ^ set(opts))
        assert all(o.code == normalize_key(o.label).replace(" ", "_") for o in q.options)
    elif kind == "integer":
        assert q.type == "integer" and not q.pii, (q.id, q.type)
        if expect == "no missing codes":
            assert q.missing_codes == ()


@settings(max_examples=_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(wide_exports())
def test_wide_export_is_drafted_right_and_ingested_whole(exp: dict) -> None:  # type: ignore[type-arg]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.csv"
        pl.DataFrame(exp["cols"], schema={k: pl.String for k in exp["cols"]}).write_csv(path)
        raw = read_table(path)
        yaml_path = Path(tmp) / "draft.yaml"
        yaml_path.write_text(draft_codebook_yaml(raw, survey_name="wide"), encoding="utf-8")
        cb = load_codebook(yaml_path)
        by_column = {q.column: q for q in cb.questions}
        for column, (kind, expect) in exp["truth"].items():
            _check_decision(by_column[column], kind, expect)
        typed = read_survey(path, cb)
        errors = typed.report.problems.filter(pl.col("severity") == "error")
        assert errors.height == 0, errors.select("question", "value", "reason").rows()[:5]
        assert typed.frame.height == exp["rows"]
        tools = by_column["Tools used (check all that apply)"]
        if tools.other is not None:                # the write-ins are kept, never an error
            kept = typed.frame[f"{tools.id}__other_text"].drop_nulls()
            assert kept.len() > 0 and kept.str.starts_with("my own tool").all()
