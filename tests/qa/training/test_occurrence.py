"""Choosing which occurrence of an answer text the question means, against dev-v1.1's official offsets."""
from qa.training import occurrence
from tests.conftest import ROOT

DATA = ROOT.parent / "shared" / "bench" / "squad"


def test_the_occurrence_near_the_question_words_wins():
    context = "In 1990 the club moved. The stadium was opened in 1990 by the mayor of Leeds."
    assert occurrence.choose(context, "1990", "Who opened the stadium in what year, with the mayor?") == context.rindex("1990")
    assert occurrence.choose(context, "1990", "When did the club move?") == context.index("1990")
    assert occurrence.choose(context, "absent", "Anything?") is None


def test_on_official_offsets_the_rule_beats_the_first_occurrence():
    measured = occurrence.measure(DATA)
    assert measured["repeated"] > 500
    assert measured["rule_right"] > measured["first_right"] + 0.05
