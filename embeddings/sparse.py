"""BM25 over passage texts (bm25s: Lucene scoring, English stopwords, Snowball stemming)."""
from __future__ import annotations

from collections.abc import Sequence
import threading
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

LANGUAGE = "english"


def terms(texts: Sequence[str], stemmer: Stemmer.Stemmer | None = None) -> list[list[str]]:
    """The BM25 terms of each text: lowercased words of two or more characters, English stopwords
    dropped, Snowball-stemmed (a stemmer keeps state: one per thread)."""
    return bm25s.tokenize(list(texts), stopwords="en", stemmer=stemmer or Stemmer.Stemmer(LANGUAGE),
                          return_ids=False, show_progress=False)


class SparseIndex:
    """A bm25s index; saved next to the dense one so opening a large index does not re-tokenise it."""

    def __init__(self, bm25: bm25s.BM25 | None, size: int):
        self._local = threading.local()
        self._bm25 = bm25
        self.size = size

    @classmethod
    def build(cls, texts: Sequence[str], k1: float = 0.9, b: float = 0.4, progress: bool = False) -> SparseIndex:
        if not texts:
            return cls(None, 0)
        bm25 = bm25s.BM25(k1=k1, b=b)
        tokens = bm25s.tokenize(list(texts), stopwords="en", stemmer=Stemmer.Stemmer(LANGUAGE), show_progress=progress)
        bm25.index(tokens, show_progress=progress)
        return cls(bm25, len(texts))

    def save(self, folder: Path) -> list[Path]:
        """Write the index files into ``folder``; returns them (none for an empty index)."""
        if self._bm25 is None:
            return []
        folder.mkdir(parents=True, exist_ok=True)
        self._bm25.save(str(folder), show_progress=False)
        return sorted(p for p in folder.iterdir() if p.is_file())

    @classmethod
    def load(cls, folder: Path, size: int) -> SparseIndex:
        """Memory-mapped: the operating system pages in only the postings that queries touch."""
        if size == 0:
            return cls(None, 0)
        bm25 = bm25s.BM25.load(str(folder), mmap=True, show_progress=False)
        return cls(bm25, size)

    def _stemmer(self) -> Stemmer.Stemmer:
        """One stemmer per thread: questions are searched concurrently, and a stemmer keeps state."""
        if not hasattr(self._local, "stemmer"):
            self._local.stemmer = Stemmer.Stemmer(LANGUAGE)
        return self._local.stemmer

    def search(self, query: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Row ids and scores of the best ``k`` passages with a non-zero score (ties: lower row first)."""
        k = min(k, self.size)
        if k == 0 or self._bm25 is None:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        known = self._bm25.get_tokens_ids(terms([query], self._stemmer())[0])
        if not known:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        scores = self._bm25.get_scores_from_ids(known)
        # Select among the rows that share a term only: bm25s partitions all rows, and with most scores
        # tied at zero numpy's partition takes ~9 ms at 100k rows and grows linearly.
        rows = np.flatnonzero(scores)
        if len(rows) > k:
            rows = rows[np.argpartition(-scores[rows], k - 1)[:k]]
        rows = rows[np.lexsort((rows, -scores[rows]))]
        return rows.astype(np.int64), scores[rows].astype(np.float32)
