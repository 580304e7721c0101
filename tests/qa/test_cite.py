from embeddings import Document, Passage, Span as TextSpan
from qa.choose import Choice
from qa.cite import compose, lead
from qa.reader import Span
from qa.retrieval import Hit
from qa.verify import quote_problems, short_answer_problems

TEXT = "Intro line.\n\nTrade fell. According to the results of 2017, it grew by 31.5%. Then it slowed."


def _choice(source: str, span_text: str, score: float = 3.0) -> Choice:
    start = TEXT.index("Trade")
    body = TEXT[start:]
    sentences = tuple(TextSpan(TEXT.index(t), TEXT.index(t) + len(t)) for t in
                      ("Trade fell.", "According to the results of 2017, it grew by 31.5%.", "Then it slowed."))
    passage = Passage(source, start, len(TEXT), body, sentences)
    a = body.index(span_text)
    return Choice(Hit(passage, 0.1), Span(0, a, a + len(span_text), span_text, score))


def test_the_quote_is_the_whole_sentence_and_the_short_answer_a_span_inside_it():
    short, quotes, text = compose([_choice("a.txt", "by 31.5%.")])
    document = Document("a.txt", TEXT, "x")
    assert short.text == "by 31.5%" and TEXT[short.start:short.end] == short.text, "trailing stop trimmed, still exact"
    assert quotes[0].text == "According to the results of 2017, it grew by 31.5%."
    assert quote_problems(quotes, lambda s: document) == []
    assert short_answer_problems(short, quotes, lambda s: document) == []
    assert text == "By 31.5% [1]. According to the results of 2017, it grew by 31.5% [1]."


def test_a_second_article_is_cited_in_the_lead():
    short, quotes, text = compose([_choice("a.txt", "31.5%"), _choice("b.txt", "31.5%")])
    assert [q.citation for q in quotes] == [1, 2] and [q.source for q in quotes] == ["a.txt", "b.txt"]
    assert lead(short, [1, 2]) == "31.5% [1] [2]." and text.startswith("31.5% [1] [2]. According")


def test_a_short_answer_outside_its_quote_or_shifted_is_caught():
    short, quotes, _ = compose([_choice("a.txt", "31.5%")])
    document = Document("a.txt", TEXT, "x")
    from dataclasses import replace

    assert short_answer_problems(replace(short, start=short.start + 1, end=short.end + 1), quotes, lambda s: document)
    assert short_answer_problems(replace(short, start=0, end=5, text=TEXT[:5]), quotes, lambda s: document)
