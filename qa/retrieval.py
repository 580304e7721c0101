"""Hybrid retrieval: dense and BM25 ranked lists fused by reciprocal rank (in the store: Milvus fuses
server-side, the local store in process)."""
from __future__ import annotations

import numpy as np

from embeddings import Index
from embeddings.stores import Scored as Hit
from embeddings.stores import reciprocal_rank_fusion
from embeddings.stores.base import fuse

MODES = ("hybrid", "dense", "bm25")


def retrieve(index: Index, question: str, question_vector: np.ndarray, k: int, mode: str = "hybrid",
             depth: int = 50, rrf_k: int = 60, bm25_weight: float = 1.0) -> list[Hit]:
    """The best ``k``; a single mode is scored like a fusion of one list, so scores read alike."""
    if mode not in MODES:
        raise ValueError(f"retrieval mode must be one of {MODES}, not {mode!r}")
    depth = max(depth, k)
    if mode == "hybrid":
        return index.search_hybrid(question, question_vector, k, depth, rrf_k, bm25_weight)
    hits = index.search_dense(question_vector, depth) if mode == "dense" else index.search_sparse(question, depth)
    return fuse([hits, []] if mode == "dense" else [[], hits], k, rrf_k, [1.0, bm25_weight])


__all__ = ["Hit", "MODES", "reciprocal_rank_fusion", "retrieve"]
