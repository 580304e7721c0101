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


@pytest.mark.parametrize("text, unit, number", [("100 billion dollars", "$", 100e9), ("12 euros", "€", 12.0),
                                                ("`2,54,970 crore", "₹", 2549700e6), ("`67,845 crore", "₹", 678450e6)])
def test_currency_words_and_indian_grouping_read_as_the_same_units(text, unit, number):
    value = values.quantity(text)
    assert (value.unit, value.amount) == (unit, (number,))
    assert value.comparable(values.quantity({"$": "$1 billion", "€": "€5", "₹": "`1,186 crore"}[unit]))


def test_a_yes_no_about_a_given_date_asks_when_and_compares():
    before = plan("Were the first joint naval exercises of Russia and China held before 2010?")
    assert before.sub_questions == ("When were the first joint naval exercises of Russia and China held?",)
    assert compare.yes_no(before, [values.date("2015")], [""]) is False
    assert compare.yes_no(before, [values.date("in 2005")], [""]) is True
    assert compare.yes_no(before, [values.date("2010")], [""]) is None  # the same year decides nothing
    after = plan("Did Alice Moreau win the Perkin Medal after March 2005?")
    assert after.literal == "March 2005" and compare.yes_no(after, [values.date("June 2010")], [""]) is True
