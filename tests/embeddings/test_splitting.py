import pytest
from hypothesis import given, settings, strategies as st

from embeddings.records import Document
from embeddings.splitting import SplitSettings, split_document


def doc(text: str) -> Document:
    return Document("t.txt", text, "0")


def check_spans(document: Document, passages) -> None:
    for passage in passages:
        assert passage.text == document.text[passage.start:passage.end]
        assert passage.sentences[0].start == passage.start and passage.sentences[-1].end == passage.end
        for sentence in passage.sentences:
            piece = document.text[sentence.start:sentence.end]
            assert piece and piece == piece.strip()


def test_seed_passages_map_back_exactly(seeds_copy):
    for path in sorted(seeds_copy.glob("*.txt")):
        document = doc(path.read_text(encoding="utf-8"))
        passages = split_document(document)
        assert passages
        check_spans(document, passages)


def test_passages_overlap_by_one_sentence_and_never_cut_sentences():
    text = " ".join(f"Sentence number {i} is here." for i in range(10))
    passages = split_document(doc(text), SplitSettings(max_sentences=4, overlap=1))
    assert [len(p.sentences) for p in passages] == [4, 4, 4]
    assert passages[0].sentences[-1] == passages[1].sentences[0]


def test_poll_result_line_stays_with_its_option():
    text = "Poll conducted\n\n  Option A wins  \n     33 (31%)\n  Option B  \n     30 (28%)\n"
    passages = split_document(doc(text), SplitSettings(max_sentences=8, overlap=0))
    sentences = [text[s.start:s.end] for p in passages for s in p.sentences]
    assert any(s.startswith("Option A wins") and s.endswith("33 (31%)") for s in sentences)


def test_a_long_quotation_is_cut_at_its_sentence_ends_but_not_after_abbreviations():
    text = ("During the visit, the paper published a notable admission: “Some people criticize the "
            "government for being too close with its neighbour and they seem to believe that the other "
            "way is more ‘noble.’ We will not be surprised to see similar comments there. This rhetoric "
            "showed that a small group of people in both countries have been misled by the U.S. Army and "
            "cannot see clearly on national interests.”")
    sentences = [text[s.start:s.end] for p in split_document(doc(text)) for s in p.sentences]
    assert sentences[0].endswith("more ‘noble.’") and sentences[1].startswith("We will not")
    assert sentences[2].startswith("This rhetoric") and "U.S. Army and" in sentences[2]
    assert len(sentences) == 3


def test_short_quotation_stays_one_sentence():
    text = "He said: “It works. We checked.” Then he left the room."
    sentences = [text[s.start:s.end] for p in split_document(doc(text)) for s in p.sentences]
    assert sentences[0] == "He said: “It works. We checked.”"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=2000))
def test_any_text_splits_into_exact_spans(text):
    document = doc(text)
    check_spans(document, split_document(document, SplitSettings(max_sentences=3, overlap=1, max_chars=300)))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["Rate this article", "Hello world.", "Dr. Who met Mr. X. Then left!", "\n", "\n\n",
                                 "  24 (22%)", "“Quoted. Text", "Share this article", "e.g. this one?"]), max_size=60))
def test_page_like_text_splits_into_exact_spans(parts):
    document = doc("".join(parts))
    check_spans(document, split_document(document))


# ---- every passage is bounded, whatever the text looks like -------------------------------------

from embeddings import DEFAULT_ENCODER, DocumentError, read_document  # noqa: E402
from embeddings.tokens import tokens_of  # noqa: E402
from tests.conftest import ROOT, SEEDS  # noqa: E402

TOKENS = tokens_of(DEFAULT_ENCODER)
DOCS = ROOT.parent / "shared" / "docs"


def check_bounded(document: Document, passages, settings: SplitSettings = SplitSettings()) -> None:
    check_spans(document, passages)
    counts = TOKENS.count([p.text for p in passages])
    assert max(counts, default=0) <= settings.max_tokens
    assert max((len(p.text) for p in passages), default=0) <= settings.max_chars


def covered(document: Document, passages) -> bool:
    """Every non-space character of the document lies in some passage (cleaning aside)."""
    inside = bytearray(len(document.text))
    for p in passages:
        inside[p.start:p.end] = b"\x01" * (p.end - p.start)
    return all(inside[i] or c.isspace() for i, c in enumerate(document.text))


@pytest.mark.parametrize("text", [
    "word " * 60_000,                                  # no punctuation, no line breaks
    "x" * 50_000,                                      # no white space at all
    "数据" * 20_000,                                   # CJK without spaces
    "1,234.5 " * 20_000,                               # a flattened table of numbers
    "Normal prose. " * 50 + "run on " * 3_000 + "The end.",
])
def test_text_without_sentence_ends_is_cut_into_bounded_overlapping_passages(text):
    document = doc(text)
    passages = split_document(document)
    check_bounded(document, passages)
    assert covered(document, passages)
    # the usual overlap: consecutive passages of a cut sentence share a piece
    assert any(a.sentences[-1] == b.sentences[0] for a, b in zip(passages, passages[1:]))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=3000),
       st.integers(min_value=16, max_value=120))
def test_any_text_stays_under_any_bound(text, max_tokens):
    split = SplitSettings(max_sentences=3, overlap=1, max_chars=400, max_tokens=max_tokens)
    document = doc(text)
    check_bounded(document, split_document(document, split), split)


def test_seeds_passages_are_unchanged_by_the_bound():
    """Normal prose is under the bound: the seeds cut exactly as without it."""
    loose = SplitSettings(max_tokens=100_000)
    for path in sorted(SEEDS.glob("*.txt")):
        document = doc(path.read_text(encoding="utf-8"))
        assert split_document(document) == split_document(document, loose)


def test_every_passage_of_the_real_documents_respects_the_bound():
    assert DOCS.is_dir(), f"{DOCS} missing: the tests read ../shared/docs"
    files = [p for p in sorted(DOCS.rglob("*")) + sorted(SEEDS.glob("*.txt")) if p.is_file()]
    read = 0
    for path in files:
        try:
            document = read_document(path, path.name)
        except DocumentError:  # unreadable fixtures are the loaders' tests' business
            continue
        check_bounded(document, split_document(document))
        read += 1
    assert read >= 35
