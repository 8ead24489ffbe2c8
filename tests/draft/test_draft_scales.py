"""Answer scales are recognised from their labels and put in scale order, low to high."""

from __future__ import annotations

import random

import pytest

from survey.codebook._draft_scales import is_non_substantive, recognise_scale

# Each scale written low -> high, then shuffled before recognition.
SCALES = {
    "agreement": ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"],
    "agreement_7": ["Strongly disagree", "Disagree", "Somewhat disagree", "Neither agree nor disagree",
                    "Somewhat agree", "Agree", "Strongly agree"],
    "satisfaction": ["Very dissatisfied", "Dissatisfied", "Neither satisfied nor dissatisfied",
                     "Satisfied", "Very satisfied"],
    "likelihood": ["Not at all likely", "Not very likely", "Somewhat likely", "Very likely",
                   "Extremely likely"],
    "favorability": ["Very unfavorably", "Somewhat unfavorably",
                     "Neither favorably nor unfavorably (neutral)", "Somewhat favorably", "Very favorably"],
    "importance": ["Not at all important", "Slightly important", "Moderately important",
                   "Very important", "Extremely important"],
    "frequency": ["Never", "Rarely", "Sometimes", "Often", "Always"],
    "quality": ["Very poor", "Poor", "Fair", "Good", "Very good", "Excellent"],
    "korean_agreement": ["전혀 그렇지 않다", "그렇지 않다", "보통이다", "그렇다", "매우 그렇다"],
    "korean_satisfaction": ["매우 불만족", "불만족", "보통", "만족", "매우 만족"],
    "korean_importance": ["전혀 중요하지 않음", "중요하지 않음", "보통", "중요", "매우 중요"],
    "korean_importance_tend": ["전혀 중요하지 않다", "중요하지 않은 편", "중요한 편", "매우 중요하다"],
    "korean_agreement_tend": ["전혀 그렇지 않다", "그렇지 않은 편이다", "그런 편이다", "매우 그렇다"],
    "korean_satisfaction_verbs": ["전혀 만족하지 않는다", "만족하지 않는 편", "만족하는 편", "매우 만족한다"],
    "korean_degree": ["전혀 심각하지 않다", "별로 심각하지 않다", "어느정도 심각하다", "매우 심각하다"],
    "korean_degree_verbs": ["전혀 못하고 있다", "별로 못하고 있다", "어느 정도 하고 있다", "충분히 하고 있다"],
    "korean_agreement_dongui": ["전혀 동의하지 않음", "동의하지 않음", "보통", "동의함", "매우 동의함"],
    "numbered_ends": ["1 - Strongly disagree", "2", "3", "4", "5 - Strongly agree"],
    "zero_to_ten": ["0 - Not at all likely", *[str(n) for n in range(1, 10)], "10 - Extremely likely"],
}
NON_SUBSTANTIVE = ["N/A", "Don't know", "Not applicable", "Prefer not to say", "Refused",
                   "Unfamiliar (N/A)", "Not familiar", "I do not know", "모름", "해당 없음", "무응답",
                   "#N/A", "#NULL!", "NaN", "NULL", "."]


@pytest.mark.parametrize("name", sorted(SCALES))
def test_scale_recognised_in_order_whatever_order_the_answers_came_in(name: str) -> None:
    labels = SCALES[name]
    for seed in range(5):
        shuffled = labels[:]
        random.Random(seed).shuffle(shuffled)
        scale = recognise_scale(shuffled)
        assert scale is not None, shuffled
        assert list(scale.labels) == labels
        assert scale.doubt is None


def test_numbered_scale_keeps_its_numbers_as_codes_and_verbal_scales_count_from_one() -> None:
    assert recognise_scale(SCALES["zero_to_ten"]).codes == tuple(str(n) for n in range(11))
    assert recognise_scale(SCALES["agreement"]).codes == ("1", "2", "3", "4", "5")


@pytest.mark.parametrize("missing", NON_SUBSTANTIVE)
def test_non_substantive_answers_become_missing_not_scale_points(missing: str) -> None:
    assert is_non_substantive(missing)
    scale = recognise_scale([*SCALES["agreement"], missing])
    assert scale is not None
    assert scale.missing == (missing,)
    assert missing not in scale.labels


@pytest.mark.parametrize(("labels", "ordered"), [
    (["30-44", "18-29", "> 60", "45-60"], ["18-29", "30-44", "45-60", "> 60"]),
    (["25 ~ 29", "20 ~ 24", "30 ~ 34"], ["20 ~ 24", "25 ~ 29", "30 ~ 34"]),
    (["18-24 years old", "65 years or older", "Under 18 years old", "25-34 years old"],
     ["Under 18 years old", "18-24 years old", "25-34 years old", "65 years or older"]),
    (["$50,000 - $99,999", "Less than $10k", "$10,000 - $49,999", "$100,000 or more"],
     ["Less than $10k", "$10,000 - $49,999", "$50,000 - $99,999", "$100,000 or more"]),
    (["10-49 employees", "500 or more employees", "1-9 employees", "50-499 employees"],
     ["1-9 employees", "10-49 employees", "50-499 employees", "500 or more employees"]),
    (["5-10", "None", "1-4", "More than 10"], ["None", "1-4", "5-10", "More than 10"]),
])
def test_numeric_classes_are_ordered_by_their_numbers(labels: list[str], ordered: list[str]) -> None:
    scale = recognise_scale([*labels, "Prefer not to say"])
    assert scale is not None and scale.kind == "range"
    assert list(scale.labels) == ordered
    assert scale.missing == ("Prefer not to say",)
    assert scale.doubt is None


def test_a_bare_number_among_ranges_is_ordered_with_a_doubt() -> None:
    scale = recognise_scale(["$25,000 - $49,999", "150000", "$0 - $24,999", "$50,000 - $149,999"])
    assert scale is not None
    assert scale.labels[-1] == "150000"
    assert scale.doubt is not None and "'150000'" in scale.doubt


@pytest.mark.parametrize("labels", [
    ["Yes, very rude", "No, not rude at all", "Yes, somewhat rude"],
    ["Yes, very rude", "No, not at all rude", "Yes, somewhat rude"],
])
def test_one_adjective_under_degree_words_is_a_scale(labels: list[str]) -> None:
    scale = recognise_scale([*labels, "Don't know"])
    assert scale is not None and scale.kind == "degree"
    assert scale.labels[0].startswith("No") and scale.labels[-1] == "Yes, very rude"
    assert scale.missing == ("Don't know",)


def test_a_yes_no_answer_graded_by_degree_is_a_scale() -> None:
    scale = recognise_scale(["Yes, definitely", "Neutral", "No, not really", "No, not at all",
                             "Yes, somewhat", "Not sure"])
    assert scale is not None
    assert scale.labels == ("No, not at all", "No, not really", "Neutral", "Yes, somewhat", "Yes, definitely")
    assert scale.missing == ("Not sure",)


def test_degree_words_on_different_adjectives_are_not_one_scale() -> None:
    assert recognise_scale(["Very rude", "Somewhat polite", "Not at all noisy"]) is None


def test_frequency_of_doing_something_reads_half_the_time_in_the_middle() -> None:
    scale = recognise_scale(["About half the time", "Usually", "Always", "Once in a while", "Never"])
    assert scale is not None
    assert scale.labels == ("Never", "Once in a while", "About half the time", "Usually", "Always")


@pytest.mark.parametrize("labels", [
    ["Yes", "No"], ["Male", "Female", "Prefer not to say"], ["Red", "Blue", "Green"],
    ["10%", "20%", "30%"], ["Windows 10", "Windows 7", "Windows 11"], ["2019", "2020", "2021"],
    ["China", "United States", "Singapore"],
    ["Agree", "Very satisfied", "Never"],                  # labels of three different scales
    ["있다", "없다"], ["남성", "여성"], ["서울", "부산", "대구"],
])
def test_labels_that_are_not_one_scale_are_not_read_as_one(labels: list[str]) -> None:
    assert recognise_scale(labels) is None


@pytest.mark.parametrize("label", ["Agree", "Very good", "Somewhat likely", "Never", "매우 만족"])
def test_substantive_answers_are_not_missing(label: str) -> None:
    assert not is_non_substantive(label)


def test_a_guess_says_why() -> None:
    assert recognise_scale(["Agree", "Strongly agree", "Somewhat agree"]).doubt == \
        "one end of the scale never seen"
    bare = recognise_scale(["very", "extremely important", "moderately", "slightly important"])
    assert bare is not None and "bare modifier" in bare.doubt
    assert list(bare.labels) == ["slightly important", "moderately", "very", "extremely important"]


def test_levels_of_education_are_a_scale_with_refusals_as_missing() -> None:
    s = recognise_scale(["Bachelor's degree", "I prefer not to answer", "Master's degree",
                         "Doctoral degree", "High school"])
    assert s is not None and s.kind == "education" and s.missing == ("I prefer not to answer",)
    assert s.labels == ("High school", "Bachelor's degree", "Master's degree", "Doctoral degree")
