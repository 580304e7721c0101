import bm25s
import numpy as np
import pytest
import Stemmer

from embeddings.sparse import SparseIndex

TEXTS = [
    "The cat sat on the mat.", "Dogs and cats are running in the park.", "A submarine deal between Australia and the UK.",
    "Nuclear submarines were promised to Australia.", "Sanctions on Russia were extended for another year.",
    "The park was closed for the year.", "Cats sleep most of the day.", "The ZTE fine was over one billion dollars.",
] * 3


@pytest.fixture(scope="module")
def index():
    return SparseIndex.build(TEXTS)


@pytest.mark.parametrize("query", ["cats in the park", "submarines for Australia", "one year of sanctions", "ZTE"])
def test_scores_and_ranking_match_bm25s_retrieve(index, query):
    reference = bm25s.BM25(k1=0.9, b=0.4)
    stemmer = Stemmer.Stemmer("english")
    reference.index(bm25s.tokenize(TEXTS, stopwords="en", stemmer=stemmer, show_progress=False), show_progress=False)
    tokens = bm25s.tokenize([query], stopwords="en", stemmer=stemmer, show_progress=False)
    ref_rows, ref_scores = reference.retrieve(tokens, k=10, show_progress=False)
    rows, scores = index.search(query, 10)
    positive = ref_scores[0] > 0
    assert np.allclose(scores, ref_scores[0][positive])
    assert set(rows.tolist()) == set(ref_rows[0][positive].tolist()) or len(set(scores.tolist())) < len(scores)
    pairs = list(zip(scores.tolist(), rows.tolist()))
    assert pairs == sorted(pairs, key=lambda pair: (-pair[0], pair[1])), "score descending, ties by row"


def test_only_rows_that_share_a_term_come_back(index):
    rows, scores = index.search("ZTE", 10)
    assert sorted(rows.tolist()) == [7, 15, 23] and (scores > 0).all()


@pytest.mark.parametrize("query", ["the of and", "zzzz qqqq", "!!!"])
def test_queries_without_known_terms_find_nothing(index, query):
    rows, scores = index.search(query, 5)
    assert len(rows) == 0 and len(scores) == 0


def test_empty_index_finds_nothing():
    assert len(SparseIndex.build([]).search("cat", 5)[0]) == 0
