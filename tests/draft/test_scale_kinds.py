"""Each scale reader of survey.codebook._draft_scale_kinds on its own: the order it reads
from the quantities the labels name, and the labels it leaves to the others (None)."""

from __future__ import annotations

import pytest

from survey.codebook._draft_scale_kinds import (
    bands,
    degree_family,
    duration,
    education,
    yes_no_family,
)


def test_duration_orders_by_length_whatever_the_unit() -> None:
    s = duration(["More than 10 years", "Less than 6 months", "1-2 years", "6-11 months"])
    assert s is not None and s.kind == "duration"
    assert s.labels == ("Less than 6 months", "6-11 months", "1-2 years", "More than 10 years")
    assert s.codes == ("1", "2", "3", "4")


def test_duration_puts_never_first() -> None:
    s = duration(["Weeks", "Never", "Days", "Months"])
    assert s is not None and s.labels == ("Never", "Days", "Weeks", "Months")


def test_bands_order_numeric_classes_and_doubt_a_bare_number() -> None:
    s = bands(["65 years or older", "Under 18", "18-24", "25-34"])
    assert s is not None and s.labels == ("Under 18", "18-24", "25-34", "65 years or older")
    assert s.doubt is None
    mixed = bands(["$0-$9,999", "$10,000-$49,999", "50000", "More than $100,000"])
    assert mixed is not None and mixed.doubt is not None and "bare number" in mixed.doubt


def test_degree_family_reads_one_adjective_under_degree_words() -> None:
    s = degree_family(["Yes, very rude", "No, not rude at all", "Yes, somewhat rude"])
    assert s is not None and s.labels == ("No, not rude at all", "Yes, somewhat rude", "Yes, very rude")


def test_yes_no_family_grades_yes_and_no() -> None:
    s = yes_no_family(["Yes, definitely", "No, not at all", "Neutral", "Yes, somewhat", "No, not really"])
    assert s is not None and s.labels == ("No, not at all", "No, not really", "Neutral",
                                          "Yes, somewhat", "Yes, definitely")


def test_education_orders_levels_of_schooling_from_the_lowest() -> None:
    # FiveThirtyEight's steak survey (SurveyMonkey) and Kaggle's 2017 survey
    s = education(["Some college or Associate degree", "Graduate degree", "Bachelor degree",
                   "High school degree", "Less than high school degree"])
    assert s is not None and s.kind == "education"
    assert s.labels == ("Less than high school degree", "High school degree",
                        "Some college or Associate degree", "Bachelor degree", "Graduate degree")
    k = education(["Bachelor's degree", "Doctoral degree", "Professional degree", "Master's degree",
                   "Some college/university study without earning a bachelor's degree",
                   "I did not complete any formal education past high school"])
    assert k is not None and k.labels[0].startswith("I did not complete") and k.labels[1].startswith("Some")
    assert k.labels[3:] == ("Master's degree", "Professional degree", "Doctoral degree")
    assert s.doubt is None and k.doubt is None
    # KoboToolbox's labels and a KOSSDA .sav's (no schooling .. graduate school or above)
    kobo = education(["No formal education", "Doctorate degree", "Undergraduate degree",
                      "Postgraduate degree", "Primary School", "Secondary School",
                      "Professional course/vocational qualification"])
    assert kobo is not None and kobo.labels == (
        "No formal education", "Primary School", "Secondary School",
        "Professional course/vocational qualification", "Undergraduate degree",
        "Postgraduate degree", "Doctorate degree")
    assert kobo.doubt is not None and "vocational" in kobo.doubt
    kossda = education(["다니지 않음", "초등학교(국민학교)", "중학교", "고등학교", "전문대학(2~3년제)",
                        "대학교(4년제)", "대학원 이상(석/박사)"])
    assert kossda is not None and kossda.labels[0] == "다니지 않음" and kossda.labels[-1] == "대학원 이상(석/박사)"
    # the levels one falls short of come before the level itself
    rcs = education(["Some college or university, no college degree", "Bachelor's degree (e.g. BA, BS)",
                     "One or more graduate courses, no graduate degree", "Master's degree (e.g. MA, MS, MEd)",
                     "Associate degree (e.g. AA, AS)", "Doctorate (e.g. PhD, EdD)"])
    assert rcs is not None and rcs.labels == (
        "Some college or university, no college degree", "Associate degree (e.g. AA, AS)",
        "Bachelor's degree (e.g. BA, BS)", "One or more graduate courses, no graduate degree",
        "Master's degree (e.g. MA, MS, MEd)", "Doctorate (e.g. PhD, EdD)")
    ko = education(["고등학교 졸업", "대학교 졸업", "대학원 이상", "중학교 이하"])
    assert ko is not None and ko.labels == ("중학교 이하", "고등학교 졸업", "대학교 졸업", "대학원 이상")


def test_education_needs_every_label_a_level_of_its_own() -> None:
    assert education(["High school", "Bachelor's degree", "Other"]) is None
    assert education(["Master's degree", "MBA", "Bachelor's degree"]) is None     # two at one level
    assert education(["High school", "Bachelor's degree"]) is None                # two points


@pytest.mark.parametrize("reader", [duration, bands, education, degree_family, yes_no_family])
def test_readers_leave_other_labels_alone(reader) -> None:
    assert reader(["Python", "R", "Julia", "SAS"]) is None
    assert reader(["Strongly agree", "Agree", "Disagree"]) is None
