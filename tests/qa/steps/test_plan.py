"""Planning from the question's grammar: kinds, subjects and sub-questions."""
import pytest

from qa.steps import plan


def test_a_comparison_of_time_asks_when_of_each_thing():
    planned = plan("Which magazine was started first, Arthur's Magazine or First for Women?")
    assert planned.kind == "comparison" and planned.dimension == "time" and planned.direction == -1
    assert planned.subjects == ("Arthur's Magazine", "First for Women")
    assert planned.sub_questions == ("When was Arthur's Magazine started?", "When was First for Women started?")


def test_a_comparison_of_quantity_asks_how_many_of_each():
    planned = plan("Which band has more members, Muse or The Cure?")
    assert (planned.dimension, planned.direction) == ("quantity", 1)
    assert planned.sub_questions == ("How many members does Muse have?", "How many members does The Cure have?")


def test_between_names_the_alternatives_before_the_question():
    planned = plan("Between the Eiffel Tower and the Chrysler Building, which was completed later?")
    assert planned.subjects == ("the Eiffel Tower", "the Chrysler Building") and planned.direction == 1


def test_same_and_both_are_yes_no_questions_decided_per_thing():
    same = plan("Were Scott Derrickson and Ed Wood of the same nationality?")
    assert (same.kind, same.dimension) == ("yes/no", "same")
    assert same.sub_questions == ("What is the nationality of Scott Derrickson?", "What is the nationality of Ed Wood?")
    both = plan("Are Random House Tower and 888 7th Avenue both used for real estate?")
    assert (both.dimension, both.predicate) == ("both", "used for real estate")
    assert both.sub_questions[0] == "Is Random House Tower used for real estate?"


def test_a_yes_no_question_about_one_thing_is_read_as_itself():
    planned = plan("Did China agree to pay fines to save ZTE?")
    assert (planned.kind, planned.dimension, planned.sub_questions) == ("yes/no", "holds", ("Did China agree to pay fines to save ZTE?",))


@pytest.mark.parametrize("question", ["Who founded Tesla?", "What is the capital of France, Paris or Lyon?",
                                      "Which of the two, A or B, is red?", "", "   "])
def test_everything_else_is_one_span(question):
    assert plan(question).kind == "span" and not plan(question).composed


def test_why_asks_for_a_reason_in_one_span():
    assert plan("Why did the US impose sanctions?").kind == "reason"
    assert not plan("Why did the US impose sanctions?").composed


@pytest.mark.parametrize("question, subjects", [
    ("Which was announced first, the One Belt, One Road initiative or the five-point partnership?",
     ("the One Belt, One Road initiative", "the five-point partnership")),
    ("Muse or The Cure, which band has more members?", ("Muse", "The Cure")),
])
def test_a_name_may_hold_a_comma_and_the_alternatives_may_come_first(question, subjects):
    planned = plan(question)
    assert planned.kind == "comparison" and planned.subjects == subjects


@pytest.mark.parametrize("question, subjects, dimension", [
    ("Did Scott Derrickson and Ed Wood have the same nationality?", ("Scott Derrickson", "Ed Wood"), "same"),
    ("Are Random House Tower and 888 7th Avenue located in the same city?", ("Random House Tower", "888 7th Avenue"), "same"),
    ("Were both Huawei and ZTE swiped from the U.S. market?", ("Huawei", "ZTE"), "both"),
])
def test_other_ways_of_asking_same_and_both(question, subjects, dimension):
    planned = plan(question)
    assert (planned.kind, planned.subjects, planned.dimension) == ("yes/no", subjects, dimension)
