from embeddings import Passage, Span as TextSpan
from qa.choose import by_reading, choose, same_answer
from qa.reader import Span
from qa.retrieval import Hit


def _hit(row: int, source: str, text: str = "x" * 40) -> Hit:
    return Hit(Passage(source, 0, len(text), text, (TextSpan(0, len(text)),)), 1.0 / (row + 1))


def test_passages_are_reordered_by_their_best_span_and_unread_ones_follow():
    hits = [_hit(i, f"{i}.txt") for i in range(4)]
    spans = [Span(0, 0, 3, "abc", -1.0), Span(1, 0, 3, "abc", 2.0), Span(2, 0, 3, "abc", 0.5)]
    assert [h.passage.source for h in by_reading(hits, spans)] == ["1.txt", "2.txt", "0.txt", "3.txt"]
    assert [h.passage.source for h in by_reading(hits, spans, threshold=1.5)] == ["1.txt", "2.txt", "0.txt", "3.txt"]


def test_without_an_answer_the_fused_order_stands():
    hits = [_hit(i, f"{i}.txt") for i in range(3)]
    spans = [Span(0, 0, 3, "abc", -1.0), Span(1, 0, 3, "abc", 0.4), Span(2, 0, 3, "abc", 0.5)]
    assert by_reading(hits, spans, threshold=1.0) == hits


def test_below_the_threshold_nothing_is_chosen():
    hits = [_hit(0, "a.txt")]
    assert choose(hits, [Span(0, 0, 3, "ZTE", 1.9)], threshold=2.0) == []
    assert [c.span.text for c in choose(hits, [Span(0, 0, 3, "ZTE", 2.1)], threshold=2.0)] == ["ZTE"]


def test_the_confidence_verdict_replaces_the_threshold_for_the_best_span_only():
    hits = [_hit(0, "a.txt"), _hit(1, "b.txt")]
    spans = [Span(0, 0, 3, "ZTE", 1.9), Span(1, 0, 3, "ZTE", 1.0)]
    assert [c.hit.passage.source for c in choose(hits, spans, threshold=1.5, sure=True)] == ["a.txt"]
    assert choose(hits, [Span(0, 0, 3, "ZTE", 9.0)], threshold=1.5, sure=False) == []
    assert len(choose(hits, spans, threshold=0.5, sure=True)) == 2, "a further source still needs the threshold"


def test_another_document_stating_the_same_answer_is_cited_too():
    hits = [_hit(0, "a.txt"), _hit(1, "a.txt"), _hit(2, "b.txt"), _hit(3, "c.txt")]
    spans = [Span(0, 0, 3, "ZTE", 5.0), Span(1, 0, 3, "ZTE", 4.0), Span(2, 0, 12, "the ZTE company", 3.0),
             Span(3, 0, 5, "Huawei", 4.5)]
    chosen = choose(hits, spans, threshold=1.0)
    assert [c.hit.passage.source for c in chosen] == ["a.txt", "b.txt"]
    assert choose(hits, [s if s.passage != 2 else Span(2, 0, 3, "ZTE", 0.5) for s in spans], threshold=1.0)[1:] == []


def test_same_answer_compares_normalised_words():
    assert same_answer("31.5%", "by 31.5%") and same_answer("The Volga", "volga")
    assert not same_answer("2005", "2015") and not same_answer("", "x")
