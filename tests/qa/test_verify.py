from qa.answer import Quote, Source
from qa.verify import marker_problems, quote_problems, unsupported_terms
from embeddings import Document


def test_quote_must_be_exact_span():
    doc = Document("a.txt", "Trade grew by 31.5% in 2017.", "x")
    good = Quote(1, "grew by 31.5%", "a.txt", 6, 19)
    shifted = Quote(1, "grew by 31.5%", "a.txt", 7, 20)
    assert quote_problems([good], lambda s: doc) == []
    assert quote_problems([shifted], lambda s: doc)


def test_markers_must_name_listed_sources():
    assert marker_problems("Yes [1] and [2].", [Source(1, "a.txt"), Source(2, "b.txt")]) == []
    assert marker_problems("Yes [3].", [Source(1, "a.txt")]) == ["[3] names no listed source"]


def test_numbers_and_names_must_occur_in_quotes():
    quotes = [Quote(1, "Manturov said trade grew by 31.5% in 2017", "a.txt", 0, 41)]
    assert unsupported_terms("Trade grew by 31.5% [1], Manturov said.", quotes) == []
    assert unsupported_terms("Trade grew by 40% [1].", quotes) == ["40%"]
    assert unsupported_terms("It grew, said Putin [1].", quotes) == ["Putin"]


def test_a_reference_marker_inside_a_quoted_sentence_is_the_documents_own():
    from qa.answer import Source
    from qa.verify import marker_problems

    quote = Quote(1, "as was done in an earlier paper\n[2].", "paper.pdf", 10, 46)
    answer = "Paul Me Jones [1]. As was done in an earlier paper [2] [1]."
    assert marker_problems(answer, [Source(1, "paper.pdf")], [quote]) == []
    assert marker_problems(answer + " and [2].", [Source(1, "paper.pdf")], [quote]) == ["[2] names no listed source"]
