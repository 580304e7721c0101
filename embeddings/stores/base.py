"""What the engine needs from wherever an index is kept: the folder store or a database.

A store holds, per document, its passages with their vectors and BM25 terms, its extracted text,
and its manifest entry; the index (``embeddings.index``) decides what changed and encodes it."""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..records import Passage
from ..store import DocumentEntry, Manifest


class StoreUnavailable(RuntimeError):
    """The store cannot be reached or refused a request; the message names it and what to do."""


class StoreMismatch(RuntimeError):
    """A shared store was built with other settings than these; it is reported, never mixed or rebuilt."""


@dataclass(frozen=True)
class Scored:
    """A retrieved passage with its score (and, after fusion, its rank in each list that had it)."""

    passage: Passage
    score: float
    dense_rank: int | None = None
    bm25_rank: int | None = None

    @property
    def key(self) -> tuple[str, int, int]:
        return self.passage.source, self.passage.start, self.passage.end


@dataclass(frozen=True)
class NewDocument:
    """A new or changed document, split and encoded, ready to be stored."""

    source: str
    entry: DocumentEntry
    passages: list[Passage]
    searchable: list[str]
    """What is BM25-indexed for each passage (its title, then its text)."""
    vectors: np.ndarray
    text: str


def searchable_text(passage: Passage, title: str | None, with_title: bool) -> str:
    """What is encoded and BM25-indexed for a passage: its document's title, then its exact text."""
    if with_title and title and not passage.text.startswith(title):
        return f"{title}\n{passage.text}"
    return passage.text


def reciprocal_rank_fusion(rankings: Sequence[Iterable[Hashable]], k: int = 60,
                           weights: Sequence[float] | None = None) -> list[tuple[Hashable, float]]:
    """Keys sorted by the (weighted) sum of 1/(k + rank) over the rankings that contain them."""
    fused: dict[Hashable, float] = {}
    for ranking, weight in zip(rankings, weights or [1.0] * len(rankings)):
        for rank, key in enumerate(ranking, start=1):
            fused[key] = fused.get(key, 0.0) + weight / (k + rank)
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))


class Store(ABC):
    """One index's storage and search. A store object is a snapshot: ``update`` returns a new one."""

    uri: str
    shared: bool = False
    """Other indexers write into it too: only this folder's documents are synced, and a settings
    mismatch is an error instead of a rebuild."""

    @abstractmethod
    def manifest(self) -> Manifest | None:
        """The settings stamp and the live documents; None when nothing is stored yet."""

    def origin(self, folder: Path) -> str:
        """Which folder's documents these are, in a store that holds several folders ("": one folder)."""
        return ""

    @abstractmethod
    def update(self, manifest: Manifest, fresh: list[NewDocument], removed: list[str], progress: bool) -> Store:
        """Make ``manifest`` true: store the ``fresh`` documents, keep the other documents it lists
        (their entries may carry new metadata), drop ``removed``. Returns the store as it is now."""

    @abstractmethod
    def text(self, source: str, entry: DocumentEntry) -> str:
        """A document's stored text, checked against ``entry.text_sha256``; IndexCorrupt if it is not."""

    @abstractmethod
    def passages(self, source: str | None = None) -> list[Passage]:
        """Every passage in document order (of one document, if ``source`` is given)."""

    @abstractmethod
    def search_dense(self, vector: np.ndarray, k: int) -> list[Scored]:
        """The ``k`` passages nearest to ``vector`` (inner product of normalised vectors)."""

    @abstractmethod
    def search_sparse(self, query: str, k: int) -> list[Scored]:
        """The ``k`` best BM25 passages with a score above zero."""

    def search_hybrid(self, query: str, vector: np.ndarray, k: int, depth: int = 50, rrf_k: int = 60,
                      bm25_weight: float = 1.0) -> list[Scored]:
        """The dense and BM25 top ``depth`` fused by reciprocal rank; the best ``k``."""
        return fuse([self.search_dense(vector, depth), self.search_sparse(query, depth)], k, rrf_k,
                    [1.0, bm25_weight])

    @abstractmethod
    def reopened(self) -> Store:
        """The same store read afresh (what a sync starts from), sharing this one's connection."""

    def refreshed(self) -> Store:
        """This store with what other writers committed since it was opened (itself when nothing can change)."""
        return self

    def close(self) -> None:
        """Release connections; the snapshot's data stays readable where it is held in memory."""


def fuse(lists: list[list[Scored]], k: int, rrf_k: int = 60, weights: list[float] | None = None) -> list[Scored]:
    """Reciprocal-rank fusion of a dense and a BM25 list (either may be empty)."""
    by_key = {s.key: s.passage for hits in lists for s in hits}
    ranks = [{s.key: r for r, s in enumerate(hits, start=1)} for hits in lists]
    fused = reciprocal_rank_fusion([[s.key for s in hits] for hits in lists], rrf_k, weights)
    return [Scored(by_key[key], score, ranks[0].get(key), ranks[1].get(key) if len(ranks) > 1 else None)
            for key, score in fused[:k]]
