"""Values read from short answers and compared in code."""
import pytest

from qa.steps import compare, plan, values


@pytest.mark.parametrize("text, amount", [("July 16, 1966", (1966, 7, 16)), ("16 July 1966", (1966, 7, 16)),
                                          ("March 2012", (2012, 3)), ("in 2005", (2005,)), ("the 1970s", (1970,))])
def test_dates_are_read_as_far_as_given(text, amount):
    assert values.date(text).amount == amount


@pytest.mark.parametrize("text, unit, number", [("$132 billion", "$", 132e9), ("31.5%", "%", 31.5),
                                                ("24 percent", "%", 24.0), ("four", "", 4.0), ("1,200 people", "", 1200.0)])
def test_quantities_keep_their_unit(text, unit, number):
    value = values.quantity(text)
    assert (value.unit, value.amount) == (unit, (number,))


def test_the_earlier_date_wins_at_the_precision_both_give():
    first = plan("Which came first, A or B?")
    assert compare.winner(first, [values.date("2005"), values.date("March 2014")]) == 0
    assert compare.winner(first, [values.date("June 2014"), values.date("March 2014")]) == 1
    assert compare.winner(first, [values.date("June 2014"), values.date("2014")]) is None  # not decided


def test_quantities_of_different_units_do_not_compare():
    more = plan("Which has more, A or B?")
    assert compare.winner(more, [values.quantity("31.5%"), values.quantity("$5 billion")]) is None
    assert compare.winner(more, [values.quantity("$6 billion"), values.quantity("$5 billion")]) == 0


def test_yes_no_same_and_both():
    same = plan("Were A and B of the same nationality?")
    assert compare.yes_no(same, [values.text_value("American"), values.text_value("an American")], []) is True
    assert compare.yes_no(same, [values.text_value("American"), values.text_value("French")], []) is False
    both = plan("Were A and B both graduate students?")
    assert compare.yes_no(both, [], ["A is a graduate student.", "B is a graduate student at Yale."]) is True
    assert compare.yes_no(both, [], ["A is a graduate student.", "B teaches history."]) is None  # lacking is not "no"


def test_a_quote_decides_yes_only_when_it_states_the_question_without_negation():
    asked = plan("Did China agree to pay fines to save ZTE?")
    assert compare.yes_no(asked, [], ["To save ZTE, China agreed to pay over $1 billion in fines."]) is True
    assert compare.yes_no(asked, [], ["To save ZTE, China did not agree to pay fines."]) is None
    assert compare.yes_no(asked, [], ["China paid $1 billion."]) is None


def test_the_title_names_the_subject_but_its_own_words_negate_nothing():
    asked = plan("Did Keller work at CERN?")
    quote = "He later worked for ten years at CERN in Geneva."
    assert compare.yes_no(asked, [], [quote]) is None  # "Keller" is in neither
    assert compare.yes_no(asked, [], [quote], ["Not a Quiet Life: Bruno Keller"]) is True
