"""FAISS inner-product indexes over normalised vectors; the kind follows corpus size."""
from __future__ import annotations

import faiss
import numpy as np

# Exact search stays fast (a few ms per query on 2 cores) up to about this many rows.
FLAT_LIMIT = 200_000
HNSW_M = 32
HNSW_EF_SEARCH = 128


def choose_kind(kind: str, rows: int) -> str:
    if kind == "auto":
        return "flat" if rows <= FLAT_LIMIT else "hnsw"
    if kind not in ("flat", "hnsw"):
        raise ValueError(f"dense index kind must be 'auto', 'flat' or 'hnsw', not {kind!r}")
    return kind


def build(vectors: np.ndarray, kind: str) -> faiss.Index:
    dimension = vectors.shape[1]
    if kind == "flat":
        index = faiss.IndexFlatIP(dimension)
    else:
        index = faiss.IndexHNSWFlat(dimension, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efSearch = HNSW_EF_SEARCH
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def vectors_of(index: faiss.Index) -> np.ndarray:
    if index.ntotal == 0:
        return np.zeros((0, index.d), dtype=np.float32)
    return index.reconstruct_n(0, index.ntotal)


def search(index: faiss.Index, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    k = min(k, index.ntotal)
    if k == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    scores, ids = index.search(np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32), k)
    keep = ids[0] >= 0
    return ids[0][keep].astype(np.int64), scores[0][keep]


def write(index: faiss.Index, path: str) -> None:
    faiss.write_index(index, path)


def read(path: str) -> faiss.Index:
    return faiss.read_index(path)
