"""BM25 over passage texts (bm25s: Lucene scoring, English stopwords, Snowball stemming)."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

LANGUAGE = "english"


class SparseIndex:
    """A bm25s index; saved next to the dense one so opening a large index does not re-tokenise it."""

    def __init__(self, bm25: bm25s.BM25 | None, size: int):
        self._stemmer = Stemmer.Stemmer(LANGUAGE)
        self._bm25 = bm25
        self.size = size

    @classmethod
    def build(cls, texts: Sequence[str]) -> SparseIndex:
        if not texts:
            return cls(None, 0)
        bm25 = bm25s.BM25()
        tokens = bm25s.tokenize(list(texts), stopwords="en", stemmer=Stemmer.Stemmer(LANGUAGE), show_progress=False)
        bm25.index(tokens, show_progress=False)
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

    def search(self, query: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Row ids and scores of the best ``k`` passages with a non-zero score."""
        k = min(k, self.size)
        if k == 0 or self._bm25 is None:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        tokens = bm25s.tokenize([query], stopwords="en", stemmer=self._stemmer, show_progress=False)
        if not tokens.ids[0]:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        ids, scores = self._bm25.retrieve(tokens, k=k, show_progress=False, n_threads=0)
        keep = scores[0] > 0
        return ids[0][keep].astype(np.int64), scores[0][keep].astype(np.float32)
