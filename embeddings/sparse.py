"""BM25 over passage texts (bm25s: Lucene scoring, English stopwords, Snowball stemming)."""
from __future__ import annotations

from collections.abc import Sequence

import bm25s
import numpy as np
import Stemmer


class SparseIndex:
    def __init__(self, texts: Sequence[str], language: str = "english"):
        self._stemmer = Stemmer.Stemmer(language)
        self._stopwords = "en" if language == "english" else None
        self.size = len(texts)
        self._bm25 = bm25s.BM25()
        if texts:
            tokens = bm25s.tokenize(list(texts), stopwords=self._stopwords, stemmer=self._stemmer, show_progress=False)
            self._bm25.index(tokens, show_progress=False)

    def search(self, query: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Row ids and scores of the best ``k`` passages with a non-zero score."""
        k = min(k, self.size)
        tokens = bm25s.tokenize([query], stopwords=self._stopwords, stemmer=self._stemmer, show_progress=False)
        if k == 0 or not tokens.ids[0]:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        ids, scores = self._bm25.retrieve(tokens, k=k, show_progress=False, n_threads=0)
        keep = scores[0] > 0
        return ids[0][keep].astype(np.int64), scores[0][keep].astype(np.float32)
