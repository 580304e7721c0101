import pytest

from qa.evidence import unmatched_names


@pytest.mark.parametrize("question, text", [
    ("Which company was hit by U.S. measures?", "The US government can ruin a company."),
    ("Which company was hit by US measures?", "Huawei was swiped from the U.S. market."),
    ("What did the E.U. decide?", "The EU decided to extend sanctions."),
])
def test_dotted_and_plain_abbreviations_are_one_name(question, text):
    assert unmatched_names(question, [text]) == []


def test_a_name_no_text_mentions_is_reported():
    assert unmatched_names("What is the population of Brazil?", ["Russia and China signed a deal."]) == ["Brazil"]
    assert unmatched_names("What happened in 2031?", ["In 2017 trade grew."]) == ["2031"]


def _hit(row: int, source: str, sentences: list[tuple[int, int]]):
    from embeddings import Passage, Span
    from qa.retrieval import Hit

    start, end = sentences[0][0], sentences[-1][1]
    passage = Passage(source, start, end, "x" * (end - start), tuple(Span(*s) for s in sentences))
    return Hit(row, passage, 1.0 / (row + 1))


def test_passages_follow_their_best_scored_sentence_and_unscored_keep_their_order():
    from embeddings import Span
    from qa.evidence import Evidence, by_evidence

    hits = [_hit(0, "a.txt", [(0, 10), (10, 20)]), _hit(1, "b.txt", [(0, 10)]),
            _hit(2, "c.txt", [(0, 10)]), _hit(3, "a.txt", [(20, 30)])]
    ranked = [Evidence("c.txt", Span(0, 10), "", 0.5, pmi=2.0), Evidence("a.txt", Span(10, 20), "", 0.4, pmi=1.5),
              Evidence("a.txt", Span(0, 10), "", 0.3, pmi=3.0 - 2.0), Evidence("b.txt", Span(0, 10), "", 0.2)]
    assert [h.row for h in by_evidence(hits, ranked)] == [2, 0, 1, 3]


def test_nothing_scored_leaves_the_fused_order():
    from qa.evidence import by_evidence

    hits = [_hit(i, f"{i}.txt", [(0, 5)]) for i in range(4)]
    assert by_evidence(hits, []) == hits
