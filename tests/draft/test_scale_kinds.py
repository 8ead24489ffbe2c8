"""Each scale reader of survey.codebook._draft_scale_kinds on its own: the order it reads
from the quantities the labels name, and the labels it leaves to the others (None)."""

from __future__ import annotations

import pytest

from survey.codebook._draft_scale_kinds import bands, degree_family, duration, yes_no_family


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


@pytest.mark.parametrize("reader", [duration, bands, degree_family, yes_no_family])
def test_readers_leave_other_labels_alone(reader) -> None:
    assert reader(["Python", "R", "Julia", "SAS"]) is None
    assert reader(["Strongly agree", "Agree", "Disagree"]) is None
