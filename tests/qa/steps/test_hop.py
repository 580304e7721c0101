"""The second hop's query and a bridge's two steps, on a passage the test builds."""
from embeddings import Passage, Span as TextSpan
from qa.choose import Choice
from qa.reader import Span
from qa.retrieval import Hit
from qa.steps import bridge, hop_query

TEXT = "Lab\n\nThe lab was founded in 2003 by Bruno Keller. It builds lenses. Keller was born in Basel in 1975."


def _choice(span_text: str, score: float = 3.0) -> Choice:
    sentences = tuple(TextSpan(TEXT.index(t), TEXT.index(t) + len(t)) for t in
                      ("The lab was founded in 2003 by Bruno Keller.", "It builds lenses.", "Keller was born in Basel in 1975."))
    passage = Passage("lab.txt", 0, len(TEXT), TEXT, sentences)
    a = TEXT.index(span_text)
    return Choice(Hit(passage, 0.1), Span(0, a, a + len(span_text), span_text, score))


def test_the_hop_asks_with_the_sentence_the_span_or_the_title():
    first = _choice("Bruno Keller")
    question = "Where was the founder of the lab born?"
    assert hop_query(question, first.hit, first.span, "sentence") == f"{question} The lab was founded in 2003 by Bruno Keller."
    assert hop_query(question, first.hit, first.span, "span") == f"{question} Bruno Keller"
    assert hop_query(question, first.hit, first.span, "title", "Basel Lab") == f"{question} Basel Lab"


def test_a_bridge_is_two_steps_each_an_exact_span_and_the_answer_cites_the_second():
    question = "Where was the founder of the lab born?"
    short, quotes, text, made = bridge(question, (_choice("Bruno Keller"), 0.2), (_choice("Basel"), 0.7), lambda s: ())
    assert [s.short_answer.text for s in made] == ["Bruno Keller", "Basel"]
    assert [q.citation for q in quotes] == [1, 2] and short.text == "Basel" and short.citation == 2
    assert made[1].question.endswith("(given: Bruno Keller)") and text.startswith("Basel [2].")
    for step in made:
        assert TEXT[step.short_answer.start:step.short_answer.end] == step.short_answer.text
        assert TEXT[step.quote.start:step.quote.end] == step.quote.text


def test_an_answer_in_the_first_read_sentence_is_no_bridge():
    assert bridge("Who founded the lab?", (_choice("Bruno Keller"), 0.2), (_choice("Keller"), 0.7), lambda s: ()) is None
