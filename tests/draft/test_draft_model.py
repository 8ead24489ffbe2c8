"""The draft as a model: inventory, decision and CHECK lines, each on its own; then the
cases issue 20 met on real exports, each reproduced in a generated column."""

from __future__ import annotations

import random
from pathlib import Path

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from survey._text import normalize_key
from survey.codebook import draft_codebook, load_codebook
from survey.codebook._draft import draft_codebook_yaml
from survey.codebook._draft_check import check_lines
from survey.codebook._draft_decide import decide, is_weight_name
from survey.codebook._draft_inventory import inventory
from survey.frames import read_survey
from survey.io import read_table
from tests.draft.helpers import make_raw

_RNG = random.Random(20)


def _sample(values: list[str], n: int) -> list[str]:
    return [values[i % len(values)] for i in range(n)]


# --------------------------------------------------------------------------- inventory


def test_inventory_counts_each_distinct_value_once_and_sets_blanks_and_tool_markers_apart() -> None:
    inv = inventory(pl.Series("q", ["Yes", "No", " ", None, "Yes", "#N/A", "N/A", "yes "]))
    assert inv.values.select("value", "n").rows() == [("Yes", 2), ("No", 1), ("N/A", 1), ("yes ", 1)]
    assert inv.n_rows == 8 and inv.n_answered == 5 and inv.n_keys() == 3
    assert inv.markers == {"#N/A", "N/A"}
    assert inv.with_separator(";").is_empty()


# --------------------------------------------------------------------------- decision


def test_a_favourability_scale_is_ordinal_low_to_high_never_split_on_spaces() -> None:
    fav = ["Very favorable", "Favorable", "Indifferent", "Unfavorable", "Very unfavorable", "Unsure"]
    d = decide(inventory(_sample(fav, 300)))
    assert d.type == "ordinal"
    assert [(o.code, o.label) for o in d.options] == [
        ("1", "Very unfavorable"), ("2", "Unfavorable"), ("3", "Indifferent"), ("4", "Favorable"),
        ("5", "Very favorable")]
    assert [m.label for m in d.missing] == ["Unsure"]


def test_a_satisfaction_scale_met_in_any_order_is_coded_one_to_k_from_low_to_high() -> None:
    sat = ["Neither satisfied nor dissatisfied", "Slightly satisfied", "Very satisfied",
           "Slightly dissatisfied", "Very dissatisfied"]
    d = decide(inventory(_sample(sat, 100)))
    assert [o.code for o in d.options] == ["1", "2", "3", "4", "5"]
    assert [o.label for o in d.options] == [sat[4], sat[3], sat[0], sat[1], sat[2]]


def test_frequency_duration_and_experience_scales_are_ordered_and_dont_know_is_missing() -> None:
    cases = {
        ("Frequently", "Never", "Sometimes", "Rarely"): ["Never", "Rarely", "Sometimes", "Frequently"],
        ("Months", "Days", "Years", "Weeks"): ["Days", "Weeks", "Months", "Years"],
        ("5 to 9 years", "Less than 1 year", "More than 20 years", "1 to 4 years"):
            ["Less than 1 year", "1 to 4 years", "5 to 9 years", "More than 20 years"],
        ("Daily", "Never", "Weekly", "Monthly"): ["Never", "Monthly", "Weekly", "Daily"],
        ("10년 이상", "1년 미만", "1~3년"): ["1년 미만", "1~3년", "10년 이상"],
        ("More than once a day", "I don't use R any more", "Between once a day and once a week",
         "Less than once a month"): ["I don't use R any more", "Less than once a month",
                                     "Between once a day and once a week", "More than once a day"],
        ("15-30 minutes a day", "Over 120 minutes a day", "Less than 15 minutes a day"):
            ["Less than 15 minutes a day", "15-30 minutes a day", "Over 120 minutes a day"],
    }
    for seen, order in cases.items():
        d = decide(inventory(_sample([*seen, "I don't know what Rust is"], 60)))
        assert d.type == "ordinal" and [o.label for o in d.options] == order, seen
        assert [m.label for m in d.missing] == ["I don't know what Rust is"]


def test_many_option_categoricals_stay_choice_questions() -> None:
    countries = [f"Country {i:03d}" for i in range(179)]
    d = decide(inventory(_sample(countries, 179 * 8)))
    assert d.type == "single" and len(d.options) == 179
    langs = [f"Lang {i} (script)" for i in range(49)]
    cells = [";".join(_RNG.sample(langs, _RNG.randint(1, 6))) for _ in range(3000)]
    d = decide(inventory(cells))
    assert d.type == "multiple" and d.delimiter == ";" and len(d.options) == 49
    assert {o.code for o in d.options} == {f"lang_{i}_script" for i in range(49)}   # named by option


def test_numbers_stay_numbers_despite_one_long_value_a_zero_padded_one_or_a_few_typed_answers() -> None:
    comp = [str(_RNG.randint(0, 300_000)) for _ in range(500)] + ["1234567890"]
    assert decide(inventory(comp)).type == "integer"
    count = [str(_RNG.randint(0, 10_000)) for _ in range(500)] + ["00"]
    assert decide(inventory(count)).type == "integer"
    hours = [str(_RNG.randint(0, 80)) for _ in range(997)] + ["about 40", "varies", "varies"]
    d = decide(inventory(hours))
    assert d.type == "integer" and d.strays == ("about 40", "varies") and d.stray_cells == 3
    assert {m.label for m in d.missing} == {"about 40", "varies"}
    # ids and phone numbers are codes: every value long
    assert decide(inventory([str(1143234567 + i) for i in range(30)])).type == "text"


def test_weights_keep_negative_replicate_values_and_sentinels_elsewhere_behave_as_codes() -> None:
    cells = _sample(["-9", "-8", "12", "40", "77"], 100)
    assert decide(inventory(cells), weight=True).missing == ()
    assert all(is_weight_name(h) for h in ("WGTP12", "pwgtp", "final_weight", "wt", "repwt3"))
    assert not any(is_weight_name(h) for h in ("height", "newt", "age"))
    assert [m.code for m in decide(inventory(_sample(["-9", "12", "40"], 30))).missing] == ["-9"]
    assert decide(inventory(_sample(["-9", "-3", "12", "40"], 30))).missing == ()


def test_free_text_with_commas_is_no_list_and_labels_holding_the_separator_stay_whole() -> None:
    assert decide(inventory(["Great survey, thanks", "I liked it, mostly", "No, not really",
                             "Shorter, please", "Fine, I guess", "More time, less pressure"])).type == "text"
    dev = _sample(["Developer, full-stack", "Developer, back-end", "Student", "Manager"], 40)
    assert decide(inventory(dev)).type == "single"
    opts = ["Statistical analysis", "Data cleaning, wrangling", "Machine learning", "Visualisation"]
    cells = [", ".join(_RNG.sample(opts, _RNG.randint(1, 3))) for _ in range(300)]
    d = decide(inventory(cells))
    assert d.type == "multiple" and {o.label for o in d.options} == set(opts) and not d.other


def test_checkbox_cells_with_write_ins_declare_the_options_and_an_other_text() -> None:
    opts = ["Statistical analysis", "Data transformation", "Visualization"]
    cells = [", ".join(_RNG.sample(opts, _RNG.randint(1, 3))) for _ in range(200)]
    cells[5] += ", Teaching my students, mostly"
    cells[9] += ", Bioinformatics"
    d = decide(inventory(cells))
    assert d.type == "multiple" and d.other
    assert {o.label for o in d.options} == {*opts, "Other"}
    assert d.split is not None and d.split.write_in_cells == 2


# --------------------------------------------------------------------------- CHECK lines


def test_check_lines_name_what_to_look_at_and_clean_columns_have_none() -> None:
    clean = decide(inventory(_sample(["Never", "Rarely", "Sometimes", "Often", "Always"], 100)))
    assert check_lines(clean) == []
    hours = decide(inventory([str(i % 80) for i in range(997)] + ["about 40"] * 3))
    (line,) = check_lines(hours)
    assert "'about 40'" in line and "not a number" in line
    many = decide(inventory(_sample([f"Country {i:03d}" for i in range(60)], 600)))
    assert any("60 distinct answers" in c for c in check_lines(many))
    sentinel = decide(inventory(_sample(["-99", "3", "7"], 30)))
    assert any("'-99'" in c for c in check_lines(sentinel))
    repeats = decide(inventory(_sample([f"answer number {i} " * 12 for i in range(30)], 300)))
    assert repeats.type == "text" and any("counted whole" in c for c in check_lines(repeats))


# --------------------------------------------------------------------------- whole drafts


def test_pii_only_on_evidence_never_for_numbers_or_repeating_categories() -> None:
    n = 60
    cb = draft_codebook(make_raw({
        "Country": _sample(["Korea", "France", "Chile"], n),
        "Phone brand (mobile)": _sample(["Apple", "Samsung", "Other"], n),
        "ConvertedCompYearly": [str(1000 * i) for i in range(n - 1)] + ["1234567890"],
        "Email": [f"p{i}@example.org" for i in range(n)],
        "First name": _sample(["Kim", "Lee"], n),
    }), survey_name="t")
    pii = {q.id: (q.type, q.pii) for q in cb.questions}
    assert pii["country"] == ("single", False)
    assert pii["phone_brand_mobile"] == ("single", False)
    assert pii["convertedcompyearly"] == ("integer", False)
    assert pii["email"][1] and pii["first_name"] == ("text", True)


def test_draft_with_write_ins_and_strays_ingests_every_row(tmp_path: Path) -> None:
    opts = ["Statistical analysis", "Data transformation", "Visualization"]
    rows = 200
    tools = [", ".join(_RNG.sample(opts, _RNG.randint(1, 3))) for _ in range(rows)]
    tools[3] += ", Teaching, mostly"
    hours = [str(_RNG.randint(0, 80)) for _ in range(rows)]
    hours[7] = "varies"
    path = tmp_path / "forms.csv"
    pl.DataFrame({"Timestamp": [f"2024-01-{1 + i % 28:02d} 10:00:00" for i in range(rows)],
                  "Which tools? (check all that apply)": tools, "Hours per week": hours,
                  "WGTP1": _sample(["-9", "-8", "30", "55"], rows)}).write_csv(path)
    yaml = tmp_path / "draft.yaml"
    text = draft_codebook_yaml(read_table(path), survey_name="forms")
    assert "# CHECK which_tools_check_all_that_apply:" in text and "# CHECK hours_per_week:" in text
    yaml.write_text(text, encoding="utf-8")
    cb = load_codebook(yaml)
    typed = read_survey(path, cb)
    assert typed.report.n_errors == 0 and typed.frame.height == rows
    q = cb.question("which_tools_check_all_that_apply")
    assert q.type == "multiple" and q.other is not None
    assert typed.frame["which_tools_check_all_that_apply__other_text"].drop_nulls().to_list() == ["Teaching, mostly"]
    assert typed.frame["which_tools_check_all_that_apply__statistical_analysis"].sum() == sum(
        "Statistical analysis" in t for t in tools)
    assert typed.frame["hours_per_week"].null_count() == 1
    assert typed.frame["hours_per_week__missing"].drop_nulls().to_list() == ["varies"]
    assert typed.frame["wgtp1"].min() == -9


@settings(max_examples=100)
@given(st.lists(st.text(max_size=12), min_size=1, max_size=20))
def test_inventory_keys_are_ingests_matching_keys(cells: list[str]) -> None:
    inv = inventory(cells)
    for value, key in inv.values.select("value", "key").iter_rows():
        assert key == normalize_key(value), value
