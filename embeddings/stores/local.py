"""The default store: a folder of generations (``embeddings.store``) searched in memory (FAISS, bm25s)."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from .. import dense, store
from ..records import Passage
from ..sparse import SparseIndex
from ..store import Contents, DocumentEntry, Manifest
from .base import NewDocument, Scored, Store, searchable_text


class LocalStore(Store):
    """An index folder (default ``CORPUS/.citeqa``); one process writes it at a time (a file lock)."""

    def __init__(self, index_dir: Path | str, contents: Contents | None = None):
        self.index_dir = Path(index_dir)
        self.uri = "local"
        self._contents = contents

    def manifest(self) -> Manifest | None:
        if self._contents is None and store.exists(self.index_dir):
            self._contents = store.read(self.index_dir)
        return self._contents.manifest if self._contents else None

    def reopened(self) -> LocalStore:
        return LocalStore(self.index_dir)

    def update(self, manifest: Manifest, fresh: list[NewDocument], removed: list[str], progress: bool) -> LocalStore:
        """A new generation: kept documents' rows copied from this one, fresh ones after them."""
        old, new = self._contents, {doc.source: doc for doc in fresh}
        old_vectors = dense.vectors_of(old.dense) if old else None
        passages: list[Passage] = []
        blocks: list[np.ndarray] = []
        documents: dict[str, DocumentEntry] = {}
        for source, entry in sorted(manifest.documents.items(), key=lambda item: item[0] in new):
            documents[source] = replace(entry, first=len(passages))
            if source in new:
                passages += new[source].passages
                blocks.append(new[source].vectors)
            else:
                passages += old.passages[entry.first:entry.first + entry.count]
                blocks.append(old_vectors[entry.first:entry.first + entry.count])
        with_title = manifest.search.get("title_in_passages", True)
        texts = [searchable_text(p, documents[p.source].meta.title, with_title) for p in passages]
        vectors = np.concatenate(blocks) if blocks else np.zeros((0, manifest.dimension), np.float32)
        kind = dense.choose_kind(manifest.dense_kind, len(vectors))
        big = progress and len(passages) > dense.FLAT_LIMIT
        stamped = replace(manifest, documents=documents, passages=len(passages), dense_kind=kind)
        contents = Contents(stamped, passages, dense.build(vectors, kind, big),
                            SparseIndex.build(texts, manifest.search["bm25_k1"], manifest.search["bm25_b"], big),
                            {doc.entry.sha256: doc.text for doc in fresh}, old.generation if old else None)
        return LocalStore(self.index_dir, store.write(self.index_dir, contents))

    def text(self, source: str, entry: DocumentEntry) -> str:
        return self._loaded().text(entry)

    def passages(self, source: str | None = None) -> list[Passage]:
        contents = self._loaded()
        if source is None:
            return contents.passages
        entry = contents.manifest.documents.get(source)
        return contents.passages[entry.first:entry.first + entry.count] if entry else []

    def search_dense(self, vector: np.ndarray, k: int) -> list[Scored]:
        rows, scores = dense.search(self._loaded().dense, vector, k)
        return self._scored(rows, scores)

    def search_sparse(self, query: str, k: int) -> list[Scored]:
        rows, scores = self._loaded().sparse.search(query, k)
        return self._scored(rows, scores)

    def _scored(self, rows: np.ndarray, scores: np.ndarray) -> list[Scored]:
        passages = self._loaded().passages
        return [Scored(passages[row], float(score)) for row, score in zip(rows.tolist(), scores.tolist())]

    def _loaded(self) -> Contents:
        if self._contents is None:
            self.manifest()
        if self._contents is None:
            raise store.IndexCorrupt(f"{self.index_dir}: no index here yet; run `citeqa index` on its folder")
        return self._contents

    @property
    def contents(self) -> Contents | None:
        """The generation in memory (benchmarks and tests look inside it)."""
        return self._contents
